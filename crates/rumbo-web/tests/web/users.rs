//! User accounts and roles, one's own account and personal API tokens, over real HTTP.

use rumbo_domain::audit::{AuditAction, Entity};
use rumbo_store::Page;
use rumbo_store::audit::{AuditEntry, AuditQuery};
use serde_json::{Value, json};

use super::helpers::{PASSWORD, TestApp, error_code, spawn_app};

async fn page(client: &reqwest::Client, url: String) -> (u16, String) {
    let response = client.get(url).send().await.expect("request");
    (response.status().as_u16(), response.text().await.expect("body"))
}

async fn audit(app: &TestApp, query: AuditQuery) -> Vec<AuditEntry> {
    app.store.audit_entries(&query, Page::default()).await.expect("audit").0
}

fn new_user(username: &str, organisation_id: i64, role: &str, country: &str) -> Value {
    json!({
        "username": username,
        "display_name": "Nueva Persona",
        "email": "nueva@example.org",
        "organisation_id": organisation_id,
        "password": "a long enough password",
        "roles": [{"role": role, "country": country}],
    })
}

#[tokio::test]
async fn account_creation_errors_have_stable_codes() {
    let app = spawn_app().await;
    let admin = app.api("admin");
    let url = app.url("/api/v1/users");
    let ngo_a = app.organisations["NGO-A"];
    let created = admin
        .post(&url)
        .json(&new_user("Nueva.Persona", ngo_a, "enumerator", "COL"))
        .send()
        .await
        .expect("create");
    assert_eq!(created.status(), 201);
    let body: Value = created.json().await.expect("json");
    assert_eq!(body["username"], "nueva.persona");
    assert_eq!(body["roles"][0]["country"], "COL");

    let cases = [
        (new_user("NUEVA.persona", ngo_a, "enumerator", "COL"), 409, "conflict"),
        (new_user("otra", ngo_a, "boss", "COL"), 422, "invalid"),
        (new_user("otra", ngo_a, "enumerator", "XXX"), 422, "invalid"),
        (new_user("otra", ngo_a, "enumerator", "Colombia"), 422, "invalid"),
        (new_user("otra", 999_999, "enumerator", "COL"), 422, "invalid"),
        (new_user("a b", ngo_a, "enumerator", "COL"), 422, "invalid"),
    ];
    for (body, status, code) in cases {
        let response = admin.post(&url).json(&body).send().await.expect("create");
        assert_eq!(response.status(), status, "{body}");
        assert_eq!(error_code(response).await, code, "{body}");
    }
    let mut weak = new_user("otra", ngo_a, "enumerator", "COL");
    weak["password"] = json!("short");
    let response = admin.post(&url).json(&weak).send().await.expect("create");
    assert_eq!(response.status(), 422);
    assert_eq!(error_code(response).await, "invalid");
    assert!(
        app.store.user_id_by_username("otra").await.expect("lookup").is_none(),
        "nothing refused was stored"
    );
}

#[tokio::test]
async fn a_manager_staffs_only_their_own_organisation_with_field_roles() {
    let app = spawn_app().await;
    let manager = app.api("manager");
    let url = app.url("/api/v1/users");
    let (ngo_a, ngo_b) = (app.organisations["NGO-A"], app.organisations["NGO-B"]);
    for body in [
        new_user("elsewhere", ngo_b, "enumerator", "COL"),
        new_user("promoted", ngo_a, "im_officer", "COL"),
        new_user("abroad", ngo_a, "enumerator", "PER"),
    ] {
        let response = manager.post(&url).json(&body).send().await.expect("create");
        assert_eq!(response.status(), 403, "{body}");
        assert_eq!(error_code(response).await, "forbidden");
    }
    for refused in ["elsewhere", "promoted", "abroad"] {
        assert!(app.store.user_id_by_username(refused).await.expect("lookup").is_none());
    }
    let response = manager
        .post(&url)
        .json(&new_user("field.staff", ngo_a, "viewer", "COL"))
        .send()
        .await
        .expect("create");
    assert_eq!(response.status(), 201);

    // Nor may they raise a colleague, or themselves.
    let enumerator = app.account("enumerator").id;
    let grant = manager
        .post(app.url(&format!("/api/v1/users/{enumerator}/roles")))
        .json(&json!({"role": "im_officer", "country": "COL"}))
        .send()
        .await
        .expect("grant");
    assert_eq!(grant.status(), 403);
    let own = app.account("manager").id;
    let grant = manager
        .post(app.url(&format!("/api/v1/users/{own}/roles")))
        .json(&json!({"role": "viewer", "country": "COL"}))
        .send()
        .await
        .expect("grant");
    assert_eq!(grant.status(), 403);
}

#[tokio::test]
async fn a_revoked_token_stops_working() {
    let app = spawn_app().await;
    let created: Value = app
        .api("viewer")
        .post(app.url("/api/v1/tokens"))
        .json(&json!({"name": "kobo sync", "expires_days": 30}))
        .send()
        .await
        .expect("create")
        .json()
        .await
        .expect("json");
    let token = created["token"].as_str().expect("the token, once").to_owned();
    assert!(token.starts_with(created["prefix"].as_str().expect("prefix")));
    assert!(created["expires_at"].is_string());
    let with_token = |token: &str| {
        reqwest::Client::new()
            .get(app.url("/api/v1/me"))
            .bearer_auth(token)
            .send()
    };
    assert_eq!(with_token(&token).await.expect("me").status(), 200);

    let listed: Value = app
        .api("viewer")
        .get(app.url("/api/v1/tokens"))
        .send()
        .await
        .expect("list")
        .json()
        .await
        .expect("json");
    assert!(listed.to_string().contains("kobo sync"));
    assert!(!listed.to_string().contains(&token), "a listing never shows a token");

    let id = created["id"].as_i64().expect("id");
    let other = app
        .api("manager")
        .delete(app.url(&format!("/api/v1/tokens/{id}")))
        .send()
        .await
        .expect("revoke");
    assert_eq!(other.status(), 404, "nobody revokes someone else's token");
    let revoked = app
        .api("viewer")
        .delete(app.url(&format!("/api/v1/tokens/{id}")))
        .send()
        .await
        .expect("revoke");
    assert_eq!(revoked.status(), 204);
    let refused = with_token(&token).await.expect("me");
    assert_eq!(refused.status(), 401);
    assert_eq!(error_code(refused).await, "invalid_token");

    let bad = app
        .api("viewer")
        .post(app.url("/api/v1/tokens"))
        .json(&json!({"name": "x", "expires_days": 0}))
        .send()
        .await
        .expect("create");
    assert_eq!(bad.status(), 422);
}

#[tokio::test]
async fn tokens_are_created_once_and_revoked_on_the_account_page() {
    let app = spawn_app().await;
    let (browser, csrf) = app.browser("enumerator").await;
    let response = browser
        .post(app.url("/account/tokens"))
        .form(&[("csrf", csrf.as_str()), ("name", "mi teléfono"), ("expires_days", "")])
        .send()
        .await
        .expect("create");
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let html = response.text().await.expect("html");
    assert!(html.contains("Copie el token ahora"), "the copy-it-now note");
    let start = html.find("rumbo_").expect("the token is shown");
    let token: String = html[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    assert_eq!(token.len(), "rumbo_".len() + 64);

    let (_, account) = page(&browser, app.url("/account")).await;
    assert!(account.contains("mi teléfono") && !account.contains(&token));
    let tokens = app
        .store
        .api_tokens(app.account("enumerator").id)
        .await
        .expect("tokens");
    let id = tokens.iter().find(|t| t.name == "mi teléfono").expect("listed").id;
    let revoked = browser
        .post(app.url(&format!("/account/tokens/{id}/revoke")))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .expect("revoke");
    assert_eq!(revoked.status(), 303);
    let refused = reqwest::Client::new()
        .get(app.url("/api/v1/me"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("me");
    assert_eq!(refused.status(), 401);

    let invalid = browser
        .post(app.url("/account/tokens"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("name", "script nocturno"),
            ("expires_days", "99999"),
        ])
        .send()
        .await
        .expect("create");
    assert_eq!(invalid.status(), 422);
    let html = invalid.text().await.expect("html");
    assert!(html.contains("value=\"script nocturno\"") && html.contains("value=\"99999\""));
    assert!(html.contains("field-error"));
}

#[tokio::test]
async fn changing_the_password_needs_the_current_one_and_signs_other_sessions_out() {
    let app = spawn_app().await;
    let (here, csrf) = app.browser("viewer").await;
    let (elsewhere, _) = app.browser("viewer").await;
    let change = |current: &'static str, new: &'static str| {
        here.post(app.url("/account/password"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("current_password", current),
                ("password", new),
                ("password_confirm", new),
            ])
            .send()
    };
    let wrong = change("not my password", "a brand new passphrase").await.expect("post");
    assert_eq!(wrong.status(), 422);
    assert!(wrong.text().await.expect("html").contains("no es su contraseña actual"));
    assert_eq!(
        page(&elsewhere, app.url("/account")).await.0,
        200,
        "nothing changed yet"
    );

    let done = change(PASSWORD, "a brand new passphrase").await.expect("post");
    assert_eq!(done.status(), 303);
    assert_eq!(done.headers()["location"], "/account?done=password");
    let (status, html) = page(&here, app.url("/account?done=password")).await;
    assert_eq!(status, 200, "the session that changed it stays signed in");
    assert!(html.contains("Se cambió su contraseña"));
    assert_eq!(
        page(&elsewhere, app.url("/account")).await.0,
        303,
        "every other session is signed out"
    );
    let again = app.anonymous();
    let signed_in = again
        .post(app.url("/login"))
        .form(&[("username", "viewer"), ("password", "a brand new passphrase")])
        .send()
        .await
        .expect("sign in");
    assert_eq!(signed_in.status(), 303);

    // Over the API too, with the same rule.
    let api = app.api("viewer");
    let refused = api
        .post(app.url("/api/v1/me/password"))
        .json(&json!({"current_password": PASSWORD, "password": "yet another passphrase"}))
        .send()
        .await
        .expect("post");
    assert_eq!(refused.status(), 422);
    let changed = api
        .post(app.url("/api/v1/me/password"))
        .json(&json!({"current_password": "a brand new passphrase", "password": "yet another passphrase"}))
        .send()
        .await
        .expect("post");
    assert_eq!(changed.status(), 204);
}

#[tokio::test]
async fn every_view_and_list_of_users_is_audited() {
    let app = spawn_app().await;
    let im_col = app.account("im_col").id;
    let viewer = app.account("viewer").id;
    let listed = app
        .api("im_col")
        .get(app.url("/api/v1/users"))
        .send()
        .await
        .expect("list");
    assert_eq!(listed.status(), 200);
    let body: Value = listed.json().await.expect("json");
    let names: Vec<&str> = body["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|u| u["username"].as_str())
        .collect();
    assert!(names.contains(&"viewer") && !names.contains(&"viewer_per") && !names.contains(&"admin"));
    let shown = app
        .api("im_col")
        .get(app.url(&format!("/api/v1/users/{viewer}")))
        .send()
        .await
        .expect("view");
    assert_eq!(shown.status(), 200);
    let (admin, _) = app.browser("admin").await;
    assert_eq!(page(&admin, app.url(&format!("/users/{viewer}"))).await.0, 200);
    assert_eq!(page(&admin, app.url("/users?q=view")).await.0, 200);

    let reads = audit(
        &app,
        AuditQuery {
            action: Some(AuditAction::Read),
            entity: Some(Entity::User),
            ..Default::default()
        },
    )
    .await;
    let by = |user: i64, channel: &str, entity_id: Option<String>| {
        reads
            .iter()
            .any(|e| e.user_id == Some(user) && e.channel == channel && e.entity_id == entity_id)
    };
    assert!(by(im_col, "api", None), "the API listing: {reads:#?}");
    assert!(by(im_col, "api", Some(viewer.to_string())), "the API view");
    let admin_id = app.account("admin").id;
    assert!(by(admin_id, "web", Some(viewer.to_string())), "the page view");
    assert!(by(admin_id, "web", None), "the page listing");
    assert!(
        reads
            .iter()
            .all(|e| !e.summary.contains("Test viewer") && !e.summary.contains("@")),
        "no personal values in summaries"
    );
}

#[tokio::test]
async fn user_pages_show_each_viewer_only_the_accounts_within_reach() {
    let app = spawn_app().await;
    // (who, usernames they must see, usernames they must not)
    let cases: [(&str, &[&str], &[&str]); 3] = [
        ("admin", &["im_per", "viewer_per", "manager"], &[]),
        (
            "im_col",
            &["manager", "enumerator", "viewer"],
            &["im_per", "viewer_per", "admin"],
        ),
        (
            "manager",
            &["enumerator", "protection"],
            &["viewer", "im_col", "viewer_per"],
        ),
    ];
    for (who, seen, unseen) in cases {
        let (browser, _) = app.browser(who).await;
        let (status, html) = page(&browser, app.url("/users")).await;
        assert_eq!(status, 200, "{who}");
        assert!(html.contains("Usuarios"), "{who}: the page title");
        for name in seen {
            assert!(html.contains(&format!(">{name}</a>")), "{who} should see {name}");
        }
        for name in unseen {
            assert!(!html.contains(&format!(">{name}</a>")), "{who} should not see {name}");
        }
    }
    let (admin, _) = app.browser("admin").await;
    let enumerator = app.account("enumerator").id;
    let (status, html) = page(&admin, app.url(&format!("/users/{enumerator}"))).await;
    assert_eq!(status, 200);
    assert!(html.contains("enumerator@example.org") && html.contains("Encuestador"));
    assert!(html.contains("Otorgar un rol") && html.contains("/edit"));
    let (status, html) = page(&admin, app.url(&format!("/users/{enumerator}/edit"))).await;
    assert_eq!(status, 200);
    assert!(html.contains("value=\"Test enumerator\"") && html.contains("Desactivar la cuenta"));
    let (status, html) = page(&admin, app.url("/users/new")).await;
    assert_eq!(status, 200);
    assert!(html.contains("name=\"username\"") && html.contains("Administrador de la plataforma"));

    // What a manager may hand out is what the form offers.
    let (manager, _) = app.browser("manager").await;
    let (_, html) = page(&manager, app.url("/users/new")).await;
    assert!(html.contains("Encuestador") && !html.contains("Oficial de manejo de información"));
    let (status, html) = page(&manager, app.url(&format!("/users/{enumerator}"))).await;
    assert_eq!(status, 200);
    assert!(html.contains("Otorgar un rol"));
    let (status, html) = page(&manager, app.url(&format!("/users/{}", app.account("manager").id))).await;
    assert_eq!(status, 200, "a manager sees their own account in their organisation");
    assert!(!html.contains("Otorgar un rol"), "but grants nothing to themselves");
}

#[tokio::test]
async fn the_new_account_form_keeps_the_input_and_shows_problems_next_to_fields() {
    let app = spawn_app().await;
    let (manager, csrf) = app.browser("manager").await;
    let ngo_a = app.organisations["NGO-A"].to_string();
    let bad = manager
        .post(app.url("/users"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("username", "Ana Keep"),
            ("display_name", "Ana Conservada"),
            ("email", "no es un correo"),
            ("organisation", ngo_a.as_str()),
            ("language", "es"),
            ("password", "short"),
            ("password_confirm", "short"),
            ("role", "enumerator"),
            ("country", "COL"),
            ("role", ""),
            ("country", "COL"),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(bad.status(), 422);
    let html = bad.text().await.expect("html");
    assert!(html.contains("value=\"Ana Keep\"") && html.contains("value=\"Ana Conservada\""));
    assert!(html.contains("value=\"no es un correo\""));
    assert!(html.contains("nombre@ejemplo.org"), "the e-mail problem");
    assert!(html.contains("al menos 10 caracteres"), "the password problem");
    assert!(html.contains("De 3 a 40 caracteres"), "the username problem");
    assert!(!html.contains("value=\"short\""), "passwords are never sent back");

    let good = manager
        .post(app.url("/users"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("username", "ana.keep"),
            ("display_name", "Ana Conservada"),
            ("email", "ana@example.org"),
            ("organisation", ngo_a.as_str()),
            ("language", ""),
            ("password", "a long enough password"),
            ("password_confirm", "a long enough password"),
            ("role", "enumerator"),
            ("country", "COL"),
            ("role", "viewer"),
            ("country", "COL"),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(good.status(), 303);
    let location = good.headers()["location"].to_str().expect("location").to_owned();
    let (_, html) = page(&manager, app.url(&location)).await;
    assert!(html.contains("Se creó la cuenta") && html.contains("Ana Conservada"));

    let taken = manager
        .post(app.url("/users"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("username", "ana.keep"),
            ("display_name", "Otra Ana"),
            ("organisation", ngo_a.as_str()),
            ("password", "a long enough password"),
            ("password_confirm", "a long enough password"),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(taken.status(), 422);
    assert!(taken.text().await.expect("html").contains("ya está en uso"));
}

#[tokio::test]
async fn roles_are_granted_and_revoked_on_the_users_page() {
    let app = spawn_app().await;
    let (admin, csrf) = app.browser("admin").await;
    let viewer = app.account("viewer").id;
    let grant = |role: &'static str, country: &'static str| {
        admin
            .post(app.url(&format!("/users/{viewer}/roles")))
            .form(&[("csrf", csrf.as_str()), ("role", role), ("country", country)])
            .send()
    };
    let granted = grant("viewer", "PER").await.expect("grant");
    assert_eq!(granted.status(), 303);
    let held = grant("viewer", "PER").await.expect("grant");
    assert_eq!(held.status(), 422);
    assert!(held.text().await.expect("html").contains("ya tiene este rol"));
    let user = app.store.user(viewer).await.expect("user");
    assert_eq!(user.grants.len(), 2);
    let revoked = admin
        .post(app.url(&format!("/users/{viewer}/roles/revoke")))
        .form(&[("csrf", csrf.as_str()), ("role", "viewer"), ("country", "PER")])
        .send()
        .await
        .expect("revoke");
    assert_eq!(revoked.status(), 303);
    assert_eq!(app.store.user(viewer).await.expect("user").grants.len(), 1);
}

#[tokio::test]
async fn deactivating_an_account_signs_it_out_everywhere() {
    let app = spawn_app().await;
    let (enumerator, _) = app.browser("enumerator").await;
    let (manager, csrf) = app.browser("manager").await;
    let id = app.account("enumerator").id;
    let response = manager
        .post(app.url(&format!("/users/{id}/active")))
        .form(&[("csrf", csrf.as_str()), ("active", "0")])
        .send()
        .await
        .expect("deactivate");
    assert_eq!(response.status(), 303);
    assert_eq!(page(&enumerator, app.url("/account")).await.0, 303, "signed out");
    let token = app
        .api("enumerator")
        .get(app.url("/api/v1/me"))
        .send()
        .await
        .expect("me");
    assert_eq!(token.status(), 401, "its tokens stop working too");
    let response = manager
        .post(app.url(&format!("/users/{id}/active")))
        .form(&[("csrf", csrf.as_str()), ("active", "1")])
        .send()
        .await
        .expect("reactivate");
    assert_eq!(response.status(), 303);
    assert_eq!(
        app.api("enumerator")
            .get(app.url("/api/v1/me"))
            .send()
            .await
            .expect("me")
            .status(),
        200
    );
}

#[tokio::test]
async fn the_account_page_keeps_the_profile_and_shows_problems_inline() {
    let app = spawn_app().await;
    let (browser, csrf) = app.browser("protection").await;
    let (status, html) = page(&browser, app.url("/account")).await;
    assert_eq!(status, 200);
    assert!(html.contains("Su cuenta") && html.contains("value=\"Test protection\""));
    let bad = browser
        .post(app.url("/account"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("display_name", "María Protección"),
            ("email", "maría"),
            ("language", "pt"),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(bad.status(), 422);
    let html = bad.text().await.expect("html");
    assert!(html.contains("value=\"María Protección\"") && html.contains("value=\"maría\""));
    assert!(html.contains("field-error"));
    let good = browser
        .post(app.url("/account"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("display_name", "María Protección"),
            ("email", "maria@example.org"),
            ("language", "pt"),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(good.status(), 303);
    let (_, html) = page(&browser, app.url("/account?done=profile")).await;
    assert!(html.contains("lang=\"pt\"") && html.contains("Seu perfil foi salvo"));
}
