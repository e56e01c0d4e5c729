use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

use super::seed::seed;
use crate::helpers::spawn_app;

/// The real weights UNHCR Americas published for its conjoint analyses.
const REAL: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tests/fixtures/unhcr-americas/conjoint-analyses-weights.csv"
);

fn model_form(bytes: Vec<u8>, country: &str, source: Option<&str>) -> Form {
    let mut form = Form::new()
        .part("file", Part::bytes(bytes).file_name("conjoint-analyses-weights.csv"))
        .text("country", country.to_owned())
        .text("name", "Conjoint weights")
        .text("threshold", "40")
        .text("caps", "wellbeing=60")
        .text("activate", "1");
    if let Some(source) = source {
        form = form.text("source", source.to_owned());
    }
    form
}

#[tokio::test]
async fn the_real_conjoint_table_imports_as_a_model_and_rescores_the_country() {
    let app = spawn_app().await;
    seed(&app).await;
    let bytes = std::fs::read(REAL).expect("tests/fixtures/unhcr-americas holds the real file");
    let refused = app
        .api("im_col")
        .post(app.url("/api/v1/registration/models/import"))
        .multipart(model_form(bytes.clone(), "COL", None))
        .send()
        .await
        .expect("request");
    assert_eq!(refused.status(), 422, "the file has no Colombian rows");
    let error: Value = refused.json().await.expect("json");
    assert!(
        error["error"]["problems"][0]["problem"]
            .as_str()
            .is_some_and(|p| p.contains("Guatemala"))
    );

    let response = app
        .api("im_col")
        .post(app.url("/api/v1/registration/models/import"))
        .multipart(model_form(bytes.clone(), "COL", Some("Panama MCO")))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 201);
    let model: Value = response.json().await.expect("json");
    assert_eq!(model["criteria"].as_array().map(Vec::len), Some(22));
    assert_eq!(model["version"], 2, "version 1 was the seeded model");
    assert_eq!(model["active"], true);
    assert_eq!(model["caps"][0], json!(["wellbeing", 60.0]));

    let forbidden = app
        .api("im_per")
        .post(app.url("/api/v1/registration/models/import"))
        .multipart(model_form(bytes, "COL", Some("Panama MCO")))
        .send()
        .await
        .expect("request");
    assert_eq!(forbidden.status(), 403);

    let households: Value = app
        .api("admin")
        .get(app.url("/api/v1/registration/households"))
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("json");
    let id = households["items"][0]["id"].as_i64().expect("id");
    let view: Value = app
        .api("admin")
        .get(app.url(&format!("/api/v1/registration/households/{id}")))
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("json");
    assert_eq!(
        view["score"]["model_id"], model["id"],
        "scored again by the new version"
    );
    let labels: Vec<&str> = view["score"]["contributions"]
        .as_array()
        .expect("contributions")
        .iter()
        .map(|c| c["label"].as_str().unwrap_or(""))
        .collect();
    assert!(
        labels.contains(&"Meals: one or less") || labels.iter().any(|l| l.starts_with("Dependency")),
        "{labels:?}"
    );
    let exported = app
        .api("viewer")
        .get(app.url(&format!("/api/v1/registration/models/{}/export", model["id"])))
        .send()
        .await
        .expect("request")
        .text()
        .await
        .expect("csv");
    assert!(exported.starts_with("id,label,fact,op,value,points,group"));
}

#[tokio::test]
async fn a_programme_ranks_serves_and_shows_assistance_to_its_sister_programmes() {
    let app = spawn_app().await;
    let s = seed(&app).await;
    let manager = app.api("manager");
    let response = manager
        .post(app.url("/api/v1/registration/programmes"))
        .json(
            &json!({"code": "MPC-CUC-1", "name": "Multipurpose cash, Cúcuta", "country": "COL", "target_households": 1,
                      "quotas": [{"attribute": "female_headed", "percent": 30}], "tie_breaks": ["larger_household"]}),
        )
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 201);
    let programme: Value = response.json().await.expect("json");
    let id = programme["id"].as_i64().expect("id");
    let list: Value = manager
        .post(app.url(&format!("/api/v1/registration/programmes/{id}/lists")))
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("json");
    let list_id = list["list_id"].as_i64().expect("list");
    let list: Value = manager
        .get(app.url(&format!("/api/v1/registration/lists/{list_id}")))
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("json");
    assert_eq!(list["entries"].as_array().map(Vec::len), Some(1));
    assert_eq!(
        list["eligible"], 2,
        "NGO-A's two households; NGO-B's is not NGO-A's to serve"
    );
    let first = list["entries"][0]["household"].clone();

    let recorded: Value = app
        .api("enumerator")
        .post(app.url(&format!("/api/v1/registration/programmes/{id}/assistance")))
        .json(&json!({"households": [first], "assisted_on": "2026-01-20"}))
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("json");
    assert_eq!(recorded["recorded"], 1);
    let future = app
        .api("enumerator")
        .post(app.url(&format!("/api/v1/registration/programmes/{id}/assistance")))
        .json(&json!({"households": [first], "assisted_on": "2099-01-01"}))
        .send()
        .await
        .expect("request");
    assert_eq!(future.status(), 422);

    // The seeded programme of NGO-A lists the same household, now marked as assisted elsewhere.
    let sister: Value = manager
        .post(app.url(&format!("/api/v1/registration/programmes/{}/lists", s.programme)))
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("json");
    let sister: Value = manager
        .get(app.url(&format!("/api/v1/registration/lists/{}", sister["list_id"])))
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("json");
    let marked = sister["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .find(|e| e["household"] == first)
        .expect("listed");
    assert_eq!(marked["assisted_elsewhere"], json!(["MPC-CUC-1"]));

    let personal = app
        .api("protection")
        .get(app.url(&format!(
            "/api/v1/registration/lists/{list_id}/export?purpose=distribution"
        )))
        .send()
        .await
        .expect("request")
        .text()
        .await
        .expect("csv");
    assert!(
        personal.contains("head_name") && personal.contains("Castillo"),
        "{personal}"
    );
    let pseudonymous = manager
        .get(app.url(&format!("/api/v1/registration/lists/{list_id}/export")))
        .send()
        .await
        .expect("request")
        .text()
        .await
        .expect("csv");
    assert!(!pseudonymous.contains("Castillo") && !pseudonymous.contains("head_name"));
}

#[tokio::test]
async fn organisation_a_sees_organisation_b_only_under_an_agreement() {
    let app = spawn_app().await;
    let s = seed(&app).await;
    let codes = |value: &Value| -> Vec<i64> {
        value["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|h| h["id"].as_i64().unwrap_or(0))
            .collect()
    };
    let before: Value = app
        .api("protection")
        .get(app.url("/api/v1/registration/households"))
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("json");
    assert!(!codes(&before).contains(&s.household_b));
    let agreement: Value = app
        .api("im_col")
        .post(app.url("/api/v1/registration/sharing-agreements"))
        .json(
            &json!({"from_org": app.organisations["NGO-B"], "to_org": app.organisations["NGO-A"], "country": "COL",
                      "purposes": ["case_management"], "reference": "MoU NGO-B/NGO-A", "valid_from": "2026-01-01"}),
        )
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("json");
    let after: Value = app
        .api("protection")
        .get(app.url("/api/v1/registration/households"))
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("json");
    assert!(codes(&after).contains(&s.household_b));
    let b: Value = app
        .api("protection")
        .get(app.url(&format!("/api/v1/registration/households/{}", s.household_b)))
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("json");
    assert_eq!(
        b["members"][0]["given_names"], "Beatriz",
        "a caseworker of NGO-A sees the shared household's names"
    );

    let revoked = app
        .api("im_col")
        .post(app.url(&format!(
            "/api/v1/registration/sharing-agreements/{}/revoke",
            agreement["id"]
        )))
        .send()
        .await
        .expect("request");
    assert_eq!(revoked.status(), 200);
    let gone = app
        .api("protection")
        .get(app.url(&format!("/api/v1/registration/households/{}", s.household_b)))
        .send()
        .await
        .expect("request");
    assert_eq!(gone.status(), 403);
}
