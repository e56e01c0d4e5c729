use serde_json::{Value, json};

use super::seed::seed;
use crate::helpers::{error_code, spawn_app};

fn body(desk: i64, cedula: &str) -> Value {
    json!({
        "desk_id": desk,
        "population_group": "in_destination",
        "arrival_date": "2025-12-01",
        "conditions": {"meals": "one_or_less", "safety": "unsafe"},
        "consent": {"registration": true, "sharing": true},
        "members": [
            {"relationship": "head", "given_names": "Yusmary", "first_surname": "Colmenares", "second_surname": "Ortiz",
             "sex": "female", "birth_date": "1991-03-03", "nationality": "VEN", "phone": "+57 310 000 1122",
             "documents": [{"doc_type": "venezuelan_cedula", "number": cedula}]},
            {"relationship": "child", "given_names": "Luna", "first_surname": "Colmenares", "sex": "female",
             "estimated_age": 4, "nationality": "COL", "needs": ["SM"], "washington": {"walking": "a_lot"}}
        ]
    })
}

#[tokio::test]
async fn an_enumerator_registers_and_a_viewer_sees_only_codes() {
    let app = spawn_app().await;
    let s = seed(&app).await;
    let enumerator = app.api("enumerator");
    let response = enumerator
        .post(app.url("/api/v1/registration/households"))
        .json(&body(s.desk_a.id, "V-20.111.222"))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 201);
    let created: Value = response.json().await.expect("json");
    let id = created["id"].as_i64().expect("id");
    assert!(created["code"].as_str().is_some_and(|c| c.starts_with("H-")));

    let seen: Value = enumerator
        .get(app.url(&format!("/api/v1/registration/households/{id}")))
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("json");
    assert_eq!(seen["personal"], true);
    assert_eq!(seen["members"][0]["given_names"], "Yusmary");
    assert_eq!(seen["members"][0]["documents"][0]["number"], "V20111222");
    assert_eq!(
        seen["members"][1]["disability"], true,
        "identified by the Washington Group answers"
    );
    assert_eq!(seen["score"]["eligible"], true);
    assert_eq!(seen["score"]["contributions"][0]["id"], "female-head");

    // NGO-A's manager may see the household, but not the names.
    let manager: Value = app
        .api("manager")
        .get(app.url(&format!("/api/v1/registration/households/{id}")))
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("json");
    assert_eq!(manager["personal"], false);
    assert!(manager["members"][0]["given_names"].is_null());
    assert!(manager["members"][0]["phone"].is_null());
    assert!(manager["members"][0]["documents"][0]["number"].is_null());
    assert_eq!(manager["members"][0]["documents"][0]["doc_type"], "venezuelan_cedula");
    assert!(!manager.to_string().contains("Yusmary"));

    let list: Value = app
        .api("manager")
        .get(app.url("/api/v1/registration/households"))
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("json");
    assert_eq!(list["total"], 3, "NGO-A's two seeded households and the new one");
    assert!(
        list["items"]
            .as_array()
            .expect("items")
            .iter()
            .all(|h| h["head_name"].is_null())
    );
}

#[tokio::test]
async fn bad_input_is_refused_with_each_problem_by_member_and_field() {
    let app = spawn_app().await;
    let s = seed(&app).await;
    let mut bad = body(s.desk_a.id, "12345678");
    bad["consent"]["registration"] = json!(false);
    bad["members"][1]["birth_date"] = json!("2031-01-01");
    bad["members"][0]["birth_date"] = json!("2013-05-05");
    let response = app
        .api("enumerator")
        .post(app.url("/api/v1/registration/households"))
        .json(&bad)
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 422);
    let error: Value = response.json().await.expect("json");
    assert_eq!(error["error"]["code"], "rejected");
    let places: Vec<&str> = error["error"]["problems"]
        .as_array()
        .expect("problems")
        .iter()
        .map(|p| p["where"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(
        places,
        [
            "consent_registration",
            "member 1, document_number",
            "member 2, birth_date"
        ]
    );

    let mut child_head = body(s.desk_a.id, "V-20.111.333");
    child_head["members"][0]["birth_date"] = json!("2012-01-01");
    let response = app
        .api("enumerator")
        .post(app.url("/api/v1/registration/households"))
        .json(&child_head)
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 422);
    let error: Value = response.json().await.expect("json");
    assert_eq!(error["error"]["problems"][0]["where"], "child_headed");
    child_head["child_headed"] = json!(true);
    let response = app
        .api("enumerator")
        .post(app.url("/api/v1/registration/households"))
        .json(&child_head)
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 201, "a child-headed household, confirmed");

    let unknown = json!({"desk_id": s.desk_a.id, "population_group": "in_destination", "consent": {"registration": true},
        "conditions": {"income": "low"}, "members": []});
    let response = app
        .api("enumerator")
        .post(app.url("/api/v1/registration/households"))
        .json(&unknown)
        .send()
        .await
        .expect("request");
    assert_eq!(error_code(response).await, "rejected");
    let not_a_desk = app
        .api("admin")
        .post(app.url("/api/v1/registration/households"))
        .json(&body(999_999, "V-20.111.444"))
        .send()
        .await
        .expect("request");
    assert_eq!(not_a_desk.status(), 404);
}

#[tokio::test]
async fn duplicates_are_flagged_and_corrections_keep_their_history() {
    let app = spawn_app().await;
    let s = seed(&app).await;
    let api = app.api("protection");
    let first: Value = api
        .post(app.url("/api/v1/registration/households"))
        .json(&body(s.desk_a.id, "V-20.555.666"))
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("json");
    let second: Value = api
        .post(app.url("/api/v1/registration/households"))
        .json(&body(s.desk_a.id, "v20555666"))
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("json");
    assert_eq!(second["possible_duplicates"][0], first["code"]);
    let id = second["id"].as_i64().expect("id");
    let view: Value = api
        .get(app.url(&format!("/api/v1/registration/households/{id}")))
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("json");
    let flag = view["flags"][0]["id"].as_i64().expect("flag");
    let reviewed = api
        .post(app.url(&format!("/api/v1/registration/flags/{flag}/review")))
        .json(&json!({"outcome": "duplicate"}))
        .send()
        .await
        .expect("request");
    assert_eq!(reviewed.status(), 204);

    let member = view["members"][0]["id"].as_i64().expect("member");
    let mut corrected = body(s.desk_a.id, "V-20.555.667")["members"][0].clone();
    corrected["given_names"] = json!("Yusmary Andreína");
    let response = api
        .put(app.url(&format!("/api/v1/registration/members/{member}")))
        .json(&json!({"member": corrected, "reason": "typo in the cédula number and a second given name"}))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 200);
    let changed: Value = response.json().await.expect("json");
    assert_eq!(changed["changed"], json!(["given_names", "documents"]));
    let view: Value = api
        .get(app.url(&format!("/api/v1/registration/households/{id}")))
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("json");
    let last = view["history"]
        .as_array()
        .expect("history")
        .last()
        .cloned()
        .expect("entry");
    assert_eq!(last["kind"], "member_edited");
    assert_eq!(last["reason"], "typo in the cédula number and a second given name");
    assert!(last["before"].as_str().is_some_and(|b| b.contains("V20555666")));

    let split = api
        .post(app.url(&format!("/api/v1/registration/households/{id}/split")))
        .json(&json!({"members": [view["members"][1]["code"]], "head": view["members"][1]["code"], "reason": "x"}))
        .send()
        .await
        .expect("request");
    assert_eq!(
        split.status(),
        422,
        "a four-year-old cannot head a household without confirmation"
    );
    let erased = api
        .post(app.url(&format!(
            "/api/v1/registration/members/{}/erase",
            view["members"][1]["id"]
        )))
        .send()
        .await
        .expect("request");
    assert_eq!(erased.status(), 204);
}
