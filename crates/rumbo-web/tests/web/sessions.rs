//! Signing in and out, sessions, CSRF, language, API tokens at the edge.

use super::helpers::{PASSWORD, csrf_token, error_code, spawn_app};

#[tokio::test]
async fn sign_in_sets_an_http_only_cookie_and_sign_out_ends_the_session() {
    let app = spawn_app().await;
    let client = app.anonymous();
    let response = client
        .post(app.url("/login"))
        .form(&[
            ("username", "viewer"),
            ("password", PASSWORD),
            ("next", "/organisations"),
        ])
        .send()
        .await
        .expect("sign in");
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()["location"], "/organisations");
    let cookie = response.headers()["set-cookie"].to_str().expect("cookie").to_owned();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );

    let home = client.get(app.url("/")).send().await.expect("home");
    assert_eq!(home.status(), 200);
    let csrf = csrf_token(&home.text().await.expect("html")).expect("csrf");

    let out = client
        .post(app.url("/logout"))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .expect("sign out");
    assert_eq!(out.status(), 303);
    let after = client.get(app.url("/")).send().await.expect("home");
    assert_eq!(after.status(), 303, "signed out: back to the sign-in form");
    assert!(
        after.headers()["location"]
            .to_str()
            .expect("location")
            .starts_with("/login")
    );
}

#[tokio::test]
async fn a_wrong_password_is_refused_and_repeated_failures_are_slowed() {
    let app = spawn_app().await;
    let client = app.anonymous();
    for _ in 0..5 {
        let response = client
            .post(app.url("/login"))
            .form(&[("username", "viewer"), ("password", "not the password")])
            .send()
            .await
            .expect("attempt");
        assert_eq!(response.status(), 401);
    }
    let response = client
        .post(app.url("/login"))
        .form(&[("username", "viewer"), ("password", PASSWORD)])
        .send()
        .await
        .expect("attempt");
    assert_eq!(
        response.status(),
        429,
        "even the right password waits after five failures"
    );
}

#[tokio::test]
async fn forms_without_the_csrf_token_or_from_another_site_are_refused() {
    let app = spawn_app().await;
    let (client, csrf) = app.browser("viewer").await;
    let no_token = client
        .post(app.url("/language"))
        .form(&[("language", "en")])
        .send()
        .await
        .expect("post");
    assert_eq!(no_token.status(), 403);
    let wrong = client
        .post(app.url("/language"))
        .form(&[("language", "en"), ("csrf", "0000")])
        .send()
        .await
        .expect("post");
    assert_eq!(wrong.status(), 403);
    let cross_site = client
        .post(app.url("/language"))
        .header("origin", "https://evil.example")
        .form(&[("language", "en"), ("csrf", csrf.as_str())])
        .send()
        .await
        .expect("post");
    assert_eq!(cross_site.status(), 403);
    let good = client
        .post(app.url("/language"))
        .form(&[("language", "en"), ("csrf", csrf.as_str()), ("next", "/")])
        .send()
        .await
        .expect("post");
    assert_eq!(good.status(), 303);
}

#[tokio::test]
async fn the_interface_follows_the_chosen_language() {
    let app = spawn_app().await;
    let client = app.anonymous();
    let spanish = client
        .get(app.url("/login"))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("html");
    assert!(spanish.contains("Iniciar sesión"), "Spanish by default");
    let portuguese = client
        .get(app.url("/login"))
        .header("accept-language", "pt-BR,pt;q=0.9")
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("html");
    assert!(portuguese.contains("Entrar") && portuguese.contains("lang=\"pt\""));

    let (browser, csrf) = app.browser("viewer").await;
    browser
        .post(app.url("/language"))
        .form(&[("language", "en"), ("csrf", csrf.as_str()), ("next", "/")])
        .send()
        .await
        .expect("switch");
    let home = browser
        .get(app.url("/"))
        .send()
        .await
        .expect("home")
        .text()
        .await
        .expect("html");
    assert!(
        home.contains("lang=\"en\"") && home.contains("Organisations"),
        "English after switching"
    );
    let user = app.store.user(app.account("viewer").id).await.expect("user");
    assert_eq!(
        user.language.map(|l| l.code()),
        Some("en"),
        "the choice is kept in the profile"
    );
}

#[tokio::test]
async fn api_tokens_authenticate_and_bad_ones_get_a_clear_401() {
    let app = spawn_app().await;
    let me: serde_json::Value = app
        .api("im_col")
        .get(app.url("/api/v1/me"))
        .send()
        .await
        .expect("me")
        .json()
        .await
        .expect("json");
    assert_eq!(me["username"], "im_col");
    assert_eq!(me["roles"][0]["role"], "im_officer");
    assert_eq!(me["roles"][0]["country"], "COL");

    let bad = reqwest::Client::new()
        .get(app.url("/api/v1/me"))
        .bearer_auth("rumbo_0000")
        .send()
        .await
        .expect("request");
    assert_eq!(bad.status(), 401);
    assert_eq!(error_code(bad).await, "invalid_token");

    let none = reqwest::Client::new()
        .get(app.url("/api/v1/me"))
        .send()
        .await
        .expect("request");
    assert_eq!(none.status(), 401);
    assert_eq!(error_code(none).await, "unauthenticated");
}

#[tokio::test]
async fn the_openapi_document_describes_the_api() {
    let app = spawn_app().await;
    let doc: serde_json::Value = reqwest::get(app.url("/api/v1/openapi.json"))
        .await
        .expect("doc")
        .json()
        .await
        .expect("json");
    assert!(doc["openapi"].as_str().expect("version").starts_with("3."));
    assert!(doc["paths"]["/organisations"]["get"].is_object());
    assert!(doc["paths"]["/me"]["get"].is_object());
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
    let unknown = reqwest::get(app.url("/api/v1/no-such-thing")).await.expect("request");
    assert_eq!(unknown.status(), 404);
    assert_eq!(error_code(unknown).await, "not_found");
}

#[tokio::test]
async fn oversized_bodies_get_413_with_a_code() {
    let app = super::helpers::spawn_app_with(rumbo_web::ServerConfig {
        max_body_bytes: 1024,
        ..Default::default()
    })
    .await;
    let big = serde_json::json!({ "name": "x".repeat(4096), "acronym": "BIG", "kind": "donor" });
    let response = app
        .api("admin")
        .post(app.url("/api/v1/organisations"))
        .json(&big)
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 413);
    assert_eq!(error_code(response).await, "too_large");
}

#[tokio::test]
async fn sessions_and_sign_in_throttling_are_shared_between_instances() {
    let app = spawn_app().await;
    let other = app.second_instance().await;
    let (browser, _) = app.browser("viewer").await;
    let page = browser
        .get(format!("{other}/"))
        .send()
        .await
        .expect("home on the other instance");
    assert_eq!(
        page.status(),
        200,
        "a session opened on one instance is valid on the other"
    );

    let client = app.anonymous();
    for _ in 0..5 {
        client
            .post(app.url("/login"))
            .form(&[("username", "enumerator"), ("password", "wrong password")])
            .send()
            .await
            .expect("attempt");
    }
    let throttled = client
        .post(format!("{other}/login"))
        .form(&[("username", "enumerator"), ("password", PASSWORD)])
        .send()
        .await
        .expect("attempt");
    assert_eq!(
        throttled.status(),
        429,
        "failures counted on one instance slow sign-in on the other"
    );
}

#[tokio::test]
async fn an_id_that_is_not_a_number_names_no_record() {
    let app = spawn_app().await;
    let response = app
        .api("admin")
        .get(app.url("/api/v1/organisations/abc"))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 404);
    assert_eq!(error_code(response).await, "not_found");
}
