//! Nothing personal reaches the audit log, an error message or a pseudonymous output.

use serde_json::{Value, json};
use sqlx::Row;

use super::seed::seed;
use crate::helpers::spawn_app;

const UNIQUE: &str = "Zuleidyquetzal";

#[tokio::test]
async fn a_unique_name_is_nowhere_but_in_the_sealed_columns() {
    let app = spawn_app().await;
    let s = seed(&app).await;
    let household = json!({
        "desk_id": s.desk_a.id, "population_group": "in_destination", "consent": {"registration": true},
        "members": [{"relationship": "head", "given_names": UNIQUE, "first_surname": "Quiroga", "sex": "female",
                     "birth_date": "1990-02-02", "nationality": "VEN",
                     "documents": [{"doc_type": "passport", "number": "ZQ998877"}]}]
    });
    let created: Value = app
        .api("enumerator")
        .post(app.url("/api/v1/registration/households"))
        .json(&household)
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("json");
    let id = created["id"].as_i64().expect("id");
    for who in ["enumerator", "manager", "admin"] {
        let response = app
            .api(who)
            .get(app.url(&format!("/api/v1/registration/households/{id}")))
            .send()
            .await
            .expect("request");
        assert_eq!(response.status(), 200);
    }
    // A bad request that carries the name: the error must not echo it.
    let mut bad = household.clone();
    bad["members"][0]["given_names"] = json!(format!("{UNIQUE}9"));
    bad["members"][0]["documents"][0]["number"] = json!("ZQ998877-###");
    let response = app
        .api("enumerator")
        .post(app.url("/api/v1/registration/households"))
        .json(&bad)
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 422);
    let error = response.text().await.expect("body");
    assert!(!error.contains(UNIQUE) && !error.contains("ZQ998877"), "{error}");
    let page = app
        .api("manager")
        .get(app.url(&format!("/registration/households/{id}")))
        .send()
        .await
        .expect("request")
        .text()
        .await
        .expect("html");
    assert!(!page.contains(UNIQUE), "a manager sees the household pseudonymised");

    let mut stored = String::new();
    for table in [
        "audit_log",
        "households",
        "household_members",
        "member_documents",
        "registration_events",
        "review_flags",
    ] {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT * FROM {table}")))
            .fetch_all(app.store.pool())
            .await
            .expect("rows");
        for row in &rows {
            for i in 0..row.len() {
                if let Ok(Some(text)) = row.try_get::<Option<String>, _>(i) {
                    stored.push_str(&text);
                }
            }
        }
    }
    assert!(!stored.contains(UNIQUE) && !stored.contains("Quiroga") && !stored.contains("ZQ998877"));
    let audit: Vec<String> = sqlx::query("SELECT summary FROM audit_log WHERE entity = 'household'")
        .fetch_all(app.store.pool())
        .await
        .expect("audit")
        .iter()
        .map(|r| r.try_get::<String, _>("summary").expect("summary"))
        .collect();
    assert!(
        audit.iter().any(|s| s.contains("with personal data")),
        "reads are audited: {audit:?}"
    );
    assert!(audit.iter().any(|s| s.contains("pseudonymised")), "{audit:?}");
}
