//! Enumerators work at their registration desks only: their lists hold their desks'
//! households and no other desk's of the same organisation; without a desk they see none and
//! the pages say why; assignments made on the desks page take effect at once and are audited.

use serde_json::Value;

use super::seed::{second_desk, seed};
use crate::helpers::{TestApp, spawn_app};

/// The codes of the households the enumerator's list holds.
async fn listed(app: &TestApp) -> Vec<String> {
    let list: Value = app
        .api("enumerator")
        .get(app.url("/api/v1/registration/households?limit=100"))
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("json");
    list["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|h| h["code"].as_str().expect("code").to_owned())
        .collect()
}

async fn code_of(app: &TestApp, id: &str) -> String {
    let seen: Value = app
        .api("protection")
        .get(app.url(&format!("/api/v1/registration/households/{id}")))
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("json");
    seen["code"].as_str().expect("code").to_owned()
}

#[tokio::test]
async fn an_enumerator_lists_only_the_households_of_their_desks() {
    let app = spawn_app().await;
    seed(&app).await;
    let extra = second_desk(&app).await;
    let (desk_a2, household_a2) = (&extra[0].1, &extra[1].1);
    let other_desk = code_of(&app, household_a2).await;
    let at_desk_a = listed(&app).await;
    assert_eq!(at_desk_a.len(), 2, "desk A's two households: {at_desk_a:?}");
    assert!(!at_desk_a.contains(&other_desk), "desk A2's household is not listed");

    // The manager moves the enumerator from desk A to desk A2 on the desks page.
    let (manager, csrf) = app.browser("manager").await;
    let page = manager
        .get(app.url("/registration/desks"))
        .send()
        .await
        .expect("request")
        .text()
        .await
        .expect("html");
    assert!(
        page.contains("COL-TST-RDA2") && !page.contains("COL-TST-RDB"),
        "NGO-A's desks only"
    );
    let desk_a = seed_desk_a(&app).await;
    for (desk, assigned) in [(desk_a2.as_str(), "1"), (desk_a.as_str(), "0")] {
        let response = manager
            .post(app.url(&format!("/registration/desks/{desk}/assignments")))
            .form(&[
                ("csrf", csrf.as_str()),
                ("username", "enumerator"),
                ("assigned", assigned),
            ])
            .send()
            .await
            .expect("request");
        assert_eq!(response.status(), 303, "back to the desks page");
    }
    assert_eq!(listed(&app).await, vec![other_desk.clone()]);
    let refused = manager
        .post(app.url(&format!("/registration/desks/{desk_a}/assignments")))
        .form(&[("csrf", csrf.as_str()), ("username", "viewer"), ("assigned", "1")])
        .send()
        .await
        .expect("request");
    assert_eq!(refused.status(), 422, "NGO-B's viewer does not work for NGO-A");
    assert!(
        refused
            .text()
            .await
            .expect("html")
            .contains("only its staff can be assigned")
    );

    // Both changes are in the audit log, naming the desk, not the person.
    let audit: Value = app
        .api("admin")
        .get(app.url("/api/v1/audit?entity=desk_assignment"))
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("json");
    let summaries: Vec<&str> = audit["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|e| e["summary"].as_str())
        .collect();
    assert!(
        summaries.iter().any(|s| s.contains("to desk COL-TST-RDA2")),
        "{summaries:?}"
    );
    assert!(
        summaries.iter().any(|s| s.contains("from desk COL-TST-RDA")),
        "{summaries:?}"
    );
}

async fn seed_desk_a(app: &TestApp) -> String {
    let location = app.store.location_by_code("COL-TST-RDA").await.expect("desk A");
    location.id.to_string()
}

#[tokio::test]
async fn an_enumerator_without_a_desk_sees_no_household_and_is_told_why() {
    let app = spawn_app().await;
    let s = seed(&app).await;
    let response = app
        .api("manager")
        .post(app.url(&format!("/api/v1/registration/desks/{}/assignments", s.desk_a.id)))
        .json(&serde_json::json!({"user_id": app.account("enumerator").id, "assigned": false}))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 204);
    assert!(listed(&app).await.is_empty());
    let household = app
        .api("enumerator")
        .get(app.url(&format!("/api/v1/registration/households/{}", s.household_a)))
        .send()
        .await
        .expect("request");
    assert_eq!(household.status(), 403);
    let (client, _) = app.browser("enumerator").await;
    for page in ["/registration", "/registration/households"] {
        let html = client
            .get(app.url(page))
            .send()
            .await
            .expect("request")
            .text()
            .await
            .expect("html");
        assert!(
            html.contains("No está asignado a ningún punto de registro"),
            "{page} says why it is empty"
        );
    }
    let form = client
        .get(app.url("/registration/households/new"))
        .send()
        .await
        .expect("request");
    assert_eq!(form.status(), 403, "no desk to register at");
}
