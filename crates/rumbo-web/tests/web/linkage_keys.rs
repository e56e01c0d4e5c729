//! Linkage keys over HTTP: two organisations upload encodings, an IM officer links them and
//! sees the overlap, and the matched pseudonyms reach the two organisations only once both
//! consented — through the API and the page.

use rumbo_domain::clk::{Clk, Encoder, Identity};
use serde_json::{Value, json};

use super::helpers::{TestApp, spawn_app};

/// Person `n` as organisation `prefix` registered them, encoded.
fn keys(prefix: &str, people: std::ops::Range<usize>) -> (Vec<u8>, Vec<(String, Clk)>) {
    let encoder = Encoder::new(b"secret shared by the two organisations").expect("secret");
    let rows: Vec<(String, Clk)> = people
        .map(|n| {
            let person = Identity {
                given_names: ["Ana", "Luis", "Carmen", "José"][n % 4].into(),
                first_surname: ["Rojas", "Pérez", "Silva", "Mendoza", "Torres"][n / 4 % 5].into(),
                second_surname: Some(["Rivas", "Parra", "Mora"][n % 3].into()),
                birth_date: time::Date::from_ordinal_date(1950 + n as i32, 1 + n as u16 * 3).ok(),
                sex: None,
                document: Some(format!("V-{}", 9_000_000 + n * 7_919)),
            };
            (encoder.pseudonym(&format!("{prefix}-{n}")), encoder.encode(&person))
        })
        .collect();
    let mut file = Vec::new();
    rumbo_io::clk::write_encodings(&rows, &mut file).expect("written");
    (file, rows)
}

async fn upload(app: &TestApp, who: &str, file: Vec<u8>) -> reqwest::Response {
    let form =
        reqwest::multipart::Form::new().part("file", reqwest::multipart::Part::bytes(file).file_name("keys.csv"));
    app.api(who)
        .post(app.url("/api/v1/linkage-keys/COL/keys"))
        .multipart(form)
        .send()
        .await
        .expect("upload")
}

async fn get(app: &TestApp, who: &str, path: &str) -> (u16, Value) {
    let response = app.api(who).get(app.url(path)).send().await.expect("get");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn post(app: &TestApp, who: &str, path: &str, body: Value) -> u16 {
    let response = app.api(who).post(app.url(path)).json(&body).send().await.expect("post");
    response.status().as_u16()
}

#[tokio::test]
async fn overlaps_for_coordinators_and_pairs_only_with_both_consents() {
    let app = spawn_app().await;
    let ngo_a = app.organisations["NGO-A"];
    let iom = app.organisations["IOM"];

    // A broken file is refused with where.
    let refused = upload(&app, "manager", b"pseudonym,clk\nab,????\n".to_vec()).await;
    assert_eq!(refused.status(), 422);
    let body: Value = refused.json().await.expect("json");
    assert_eq!(body["error"]["problems"][0]["where"], "row 2, column clk");

    // NGO-A's manager and IOM's IM officer upload; they share people 10..15.
    let (a_file, a_rows) = keys("A", 0..15);
    let (iom_file, iom_rows) = keys("IOM", 10..30);
    assert_eq!(upload(&app, "manager", a_file).await.status(), 201);
    assert_eq!(upload(&app, "im_col", iom_file).await.status(), 201);
    assert_eq!(upload(&app, "viewer", b"pseudonym,clk\n".to_vec()).await.status(), 403);

    assert_eq!(
        post(&app, "manager", "/api/v1/linkage-keys/COL/runs", json!({})).await,
        403
    );
    assert_eq!(
        post(
            &app,
            "im_col",
            "/api/v1/linkage-keys/COL/runs",
            json!({"threshold": 0.8})
        )
        .await,
        201
    );
    let (_, overview) = get(&app, "im_col", "/api/v1/linkage-keys/COL").await;
    assert_eq!(overview["latest_run"]["overlaps"][0]["matched"], 5, "{overview}");
    assert_eq!(overview["sets"].as_array().map(Vec::len), Some(2));
    // The manager sees their own set, and no overlaps.
    let (_, own) = get(&app, "manager", "/api/v1/linkage-keys/COL").await;
    assert_eq!(own["sets"].as_array().map(Vec::len), Some(1));
    assert_eq!(own["latest_run"], Value::Null);

    let pairs_path = format!("/api/v1/linkage-keys/COL/pairs/{iom}");
    assert_eq!(get(&app, "manager", &pairs_path).await.0, 403);
    assert_eq!(
        post(
            &app,
            "manager",
            "/api/v1/linkage-keys/COL/consents",
            json!({"partner_id": iom})
        )
        .await,
        201
    );
    assert_eq!(
        get(&app, "manager", &pairs_path).await.0,
        403,
        "one consent is not enough"
    );
    assert_eq!(
        post(
            &app,
            "im_col",
            "/api/v1/linkage-keys/COL/consents",
            json!({"partner_id": ngo_a})
        )
        .await,
        201
    );
    let (status, pairs) = get(&app, "manager", &pairs_path).await;
    assert_eq!(status, 200);
    let mut got: Vec<(String, String)> = pairs
        .as_array()
        .expect("pairs")
        .iter()
        .map(|p| {
            (
                p["own_pseudonym"].as_str().unwrap_or("").to_owned(),
                p["partner_pseudonym"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    got.sort();
    let mut expected: Vec<(String, String)> = a_rows[10..15]
        .iter()
        .map(|r| r.0.clone())
        .zip(iom_rows[..5].iter().map(|r| r.0.clone()))
        .collect();
    expected.sort();
    assert_eq!(got, expected);
    let (status, theirs) = get(&app, "im_col", &format!("/api/v1/linkage-keys/COL/pairs/{ngo_a}")).await;
    assert_eq!((status, theirs.as_array().map(Vec::len)), (200, Some(5)));
    assert_eq!(get(&app, "viewer", &pairs_path).await.0, 403);

    // The page shows the released pairs as a CSV download.
    let page = app
        .api("manager")
        .get(app.url("/linkage-keys?country=COL"))
        .send()
        .await
        .expect("page");
    assert_eq!(page.status(), 200);
    let html = page.text().await.expect("html");
    assert!(html.contains(&format!("/linkage-keys/COL/pairs/{iom}")));
    let csv = app
        .api("manager")
        .get(app.url(&format!("/linkage-keys/COL/pairs/{iom}")))
        .send()
        .await
        .expect("csv");
    let text = csv.text().await.expect("text");
    assert!(text.starts_with("own_pseudonym,partner_pseudonym,dice\n"));
    assert_eq!(text.lines().count(), 6);

    // Withdrawing a consent stops the release.
    let (_, overview) = get(&app, "im_col", "/api/v1/linkage-keys/COL").await;
    let consent = overview["consents"]
        .as_array()
        .and_then(|list| list.iter().find(|k| k["organisation_id"] == iom))
        .and_then(|k| k["id"].as_i64())
        .expect("IOM's consent");
    let withdrawn = app
        .api("manager")
        .delete(app.url(&format!("/api/v1/linkage-keys/consents/{consent}")))
        .send()
        .await
        .expect("delete");
    assert_eq!(withdrawn.status(), 403, "NGO-A cannot withdraw IOM's consent");
    let withdrawn = app
        .api("im_col")
        .delete(app.url(&format!("/api/v1/linkage-keys/consents/{consent}")))
        .send()
        .await
        .expect("delete");
    assert_eq!(withdrawn.status(), 204);
    assert_eq!(get(&app, "manager", &pairs_path).await.0, 403);
}
