//! The audit log: what it records about each request, and who may browse it.

use rumbo_domain::audit::Entity;
use rumbo_store::Page;
use rumbo_store::audit::AuditQuery;
use serde_json::{Value, json};

use super::helpers::{error_code, spawn_app};

async fn page(client: &reqwest::Client, url: String) -> (u16, String) {
    let response = client.get(url).send().await.expect("request");
    (response.status().as_u16(), response.text().await.expect("body"))
}

#[tokio::test]
async fn entries_record_who_what_where_from_and_the_request_without_personal_values() {
    let app = spawn_app().await;
    let viewer = app.account("viewer");
    let response = app
        .api("admin")
        .put(app.url(&format!("/api/v1/users/{}", viewer.id)))
        .header("x-request-id", "req-audit-0001")
        .json(&json!({"display_name": "Zacarías Único", "email": "zacarias@example.org"}))
        .send()
        .await
        .expect("update");
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["organisation_id"], viewer.organisation_id);
    assert_eq!(body["username"], viewer.username.as_str());

    let found: Value = app
        .api("admin")
        .get(app.url(&format!(
            "/api/v1/audit?user=admin&action=update&entity=user&entity_id={}",
            viewer.id
        )))
        .send()
        .await
        .expect("audit")
        .json()
        .await
        .expect("json");
    assert_eq!(found["total"], 1, "{found}");
    let entry = &found["items"][0];
    assert_eq!(entry["username"], "admin");
    assert_eq!(entry["channel"], "api");
    assert_eq!(entry["address"], "127.0.0.1");
    assert_eq!(entry["request_id"], "req-audit-0001");
    assert_eq!(entry["summary"], "changed display name, e-mail");
    let everything: Value = app
        .api("admin")
        .get(app.url("/api/v1/audit?limit=1000"))
        .send()
        .await
        .expect("audit")
        .json()
        .await
        .expect("json");
    let text = everything.to_string();
    assert!(
        !text.contains("Zacar") && !text.contains("zacarias@"),
        "no personal values anywhere in the log"
    );
}

#[tokio::test]
async fn only_administrators_browse_the_log_and_browsing_it_is_recorded() {
    let app = spawn_app().await;
    for who in ["im_col", "manager", "enumerator", "protection", "viewer"] {
        let response = app.api(who).get(app.url("/api/v1/audit")).send().await.expect("audit");
        assert_eq!(response.status(), 403, "{who}");
        assert_eq!(error_code(response).await, "forbidden");
        let (browser, _) = app.browser(who).await;
        let (status, html) = page(&browser, app.url("/")).await;
        assert_eq!(status, 200);
        assert!(!html.contains("href=\"/audit\""), "{who} has no audit menu entry");
        assert_eq!(page(&browser, app.url("/audit")).await.0, 403, "{who}");
    }
    let (admin, _) = app.browser("admin").await;
    let (status, html) = page(&admin, app.url("/audit")).await;
    assert_eq!(status, 200);
    assert!(html.contains("href=\"/audit\"") && html.contains("Registro de auditoría"));
    assert!(
        html.contains("Inició sesión") || html.contains("Creó"),
        "action labels from the catalogue"
    );
    let (entries, _) = app
        .store
        .audit_entries(
            &AuditQuery {
                entity: Some(Entity::AuditLog),
                ..Default::default()
            },
            Page::default(),
        )
        .await
        .expect("audit");
    assert_eq!(
        entries.len(),
        1,
        "the admin's page view, and none for the refused attempts"
    );
    assert_eq!(entries[0].user_id, Some(app.account("admin").id));
}

#[tokio::test]
async fn the_audit_page_filters_by_user_action_entity_and_dates() {
    let app = spawn_app().await;
    let (im, _) = app.browser("im_col").await;
    assert_eq!(page(&im, app.url("/users")).await.0, 200);
    let (admin, _) = app.browser("admin").await;

    let (status, html) = page(&admin, app.url("/audit?user=im_col&action=read&entity=user")).await;
    assert_eq!(status, 200);
    assert!(html.contains("1 resultado"), "one listing by im_col");
    assert!(html.contains("im_col") && html.contains("Consultó") && html.contains("listed"));

    let today = rumbo_store::now()[..10].to_owned();
    let (status, html) = page(
        &admin,
        app.url(&format!("/audit?user=im_col&from={today}&until={today}")),
    )
    .await;
    assert_eq!(status, 200);
    assert!(html.contains("im_col"), "today's entries, the last day included");
    let (_, html) = page(&admin, app.url("/audit?user=im_col&until=2000-01-01")).await;
    assert!(html.contains("0 resultados"));

    let (status, html) = page(&admin, app.url("/audit?user=nobody.at.all&from=28/11/2026")).await;
    assert_eq!(status, 422);
    assert!(html.contains("value=\"nobody.at.all\"") && html.contains("value=\"28/11/2026\""));
    assert!(html.contains("Ninguna cuenta tiene este nombre") && html.contains("2026-11-28"));

    let bad = app
        .api("admin")
        .get(app.url("/api/v1/audit?action=explode&until=tomorrow"))
        .send()
        .await
        .expect("audit");
    assert_eq!(bad.status(), 422);
    let body: Value = bad.json().await.expect("json");
    let message = body["error"]["message"].as_str().expect("message");
    assert!(
        message.contains("action: expected one of create") && message.contains("until:"),
        "{message}"
    );
}
