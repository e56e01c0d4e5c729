//! De-duplication over HTTP: the review queue for IM officers, a pair's page with names only
//! where the reviewer's organisation holds the record or is shared it, decisions with their
//! history, unique counts, exports without names, and every view and decision audited.

use rumbo_domain::access::{Grant, Role, Scope};
use rumbo_domain::audit::Actor;
use rumbo_store::Page;
use rumbo_store::deduplication::PairQuery;
use rumbo_store::registration::AgreementInput;
use rumbo_store::users::NewUser;
use serde_json::{Value, json};
use sqlx::Row;

use super::helpers::{PASSWORD, TestApp, iso, spawn_app};
use super::registration::seed::{Seeded, household, seed};

/// Registers household A's head again at NGO-B's desk (the same cédula, written differently):
/// the pair the access table and the tests below review. Returns `{pair:A}`.
pub async fn seed_pair(app: &TestApp, seeded: &Seeded) -> Vec<(String, String)> {
    app.store
        .register_household(
            &Actor::system("test"),
            &seeded.desk_b,
            &household("Marisela", "v10000001"),
        )
        .await
        .expect("registered");
    let (pairs, _) = app
        .store
        .duplicate_pairs(&PairQuery::default(), Page::default())
        .await
        .expect("queue");
    let pair = pairs.first().expect("a pair is flagged").id;
    vec![("{pair:A}".to_owned(), pair.to_string())]
}

/// An IM officer of NGO-A in Colombia, with an API token.
async fn im_officer_of_ngo_a(app: &TestApp) -> reqwest::Client {
    let system = Actor::system("test");
    let user = app
        .store
        .create_user(
            &system,
            &NewUser {
                username: "im_ngo_a".into(),
                display_name: "IM officer of NGO-A".into(),
                email: None,
                organisation_id: app.organisations["NGO-A"],
                password: PASSWORD.into(),
                language: None,
                grants: vec![Grant {
                    role: Role::ImOfficer,
                    scope: Scope::Country(iso("COL")),
                }],
            },
        )
        .await
        .expect("user");
    let (token, _) = app
        .store
        .create_api_token(&system, user.id, "tests", None)
        .await
        .expect("token");
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        reqwest::header::AUTHORIZATION,
        format!("Bearer {token}").parse().expect("header"),
    );
    reqwest::Client::builder()
        .default_headers(headers)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

async fn json_of(response: reqwest::Response) -> Value {
    assert_eq!(response.status(), 200, "{:?}", response.url().path());
    response.json().await.expect("json")
}

#[tokio::test]
async fn an_im_officer_reviews_a_pair_seeing_names_only_where_shared() {
    let app = spawn_app().await;
    let seeded = seed(&app).await;
    let pair: i64 = seed_pair(&app, &seeded).await[0].1.parse().expect("id");
    let im_a = im_officer_of_ngo_a(&app).await;

    let queue = json_of(
        im_a.get(app.url("/api/v1/registration/duplicates"))
            .send()
            .await
            .expect("request"),
    )
    .await;
    assert_eq!(queue["total"], 1);
    assert_eq!(queue["items"][0]["kind"], "duplicate_document");
    assert_eq!(queue["items"][0]["person"]["organisation"], "NGO-B");

    // NGO-A's own record shows names; NGO-B's does not, until NGO-B shares with NGO-A.
    let url = app.url(&format!("/api/v1/registration/duplicates/{pair}"));
    let view = json_of(im_a.get(&url).send().await.expect("request")).await;
    assert_eq!(view["other"]["details"]["given_names"], "Marisela");
    assert!(view["person"]["details"].is_null());
    let page = im_a
        .get(app.url(&format!("/registration/duplicates/{pair}")))
        .send()
        .await
        .expect("request")
        .text()
        .await
        .expect("html");
    let withheld = ["May already be registered by", "Podría estar ya registrada por"];
    assert!(withheld.iter().any(|w| page.contains(w)), "withheld side explained");
    assert!(page.contains("Marisela"), "own side shown");
    app.store
        .create_sharing_agreement(
            &Actor::system("test"),
            &AgreementInput {
                from_org: app.organisations["NGO-B"],
                to_org: app.organisations["NGO-A"],
                country: "COL".into(),
                purposes: vec!["case_management".into()],
                reference: "MoU 2026-01".into(),
                valid_from: "2026-01-01".into(),
                valid_until: String::new(),
            },
        )
        .await
        .expect("agreement");
    let view = json_of(im_a.get(&url).send().await.expect("request")).await;
    assert_eq!(view["person"]["details"]["given_names"], "Marisela");

    // IOM's IM officer holds neither record: codes, desks and organisations only.
    let body = app
        .api("im_col")
        .get(&url)
        .send()
        .await
        .expect("request")
        .text()
        .await
        .expect("body");
    assert!(!body.contains("Marisela") && !body.contains("10000001"), "{body}");

    // Confirm, undo, reject; a second reject is a conflict. Unique people follow the decisions.
    let people = |app: &TestApp| {
        let client = app.api("admin");
        let url = app.url("/api/v1/registration/figures");
        async move { json_of(client.get(url).send().await.expect("request")).await["people"].as_i64() }
    };
    let before = people(&app).await.expect("people");
    let decide = |decision: &str| {
        im_a.post(app.url(&format!("/api/v1/registration/duplicates/{pair}/decision")))
            .json(&json!({ "decision": decision }))
            .send()
    };
    let confirmed = json_of(decide("confirm").await.expect("request")).await;
    assert_eq!(confirmed["status"], "duplicate");
    assert!(confirmed["identity"].as_str().is_some_and(|i| i.starts_with("P-")));
    assert_eq!(people(&app).await, Some(before - 1));
    let clusters = im_a
        .get(app.url("/api/v1/registration/duplicates/export?what=clusters"))
        .send()
        .await
        .expect("request")
        .text()
        .await
        .expect("csv");
    assert!(clusters.starts_with("person,identity,country"), "{clusters}");
    assert_eq!(clusters.lines().count(), 3, "two registrations of one person");
    assert_eq!(json_of(decide("undo").await.expect("request")).await["status"], "open");
    assert_eq!(people(&app).await, Some(before));
    assert_eq!(
        json_of(decide("reject").await.expect("request")).await["status"],
        "not_duplicate"
    );
    assert_eq!(decide("reject").await.expect("request").status(), 409);
    assert_eq!(decide("merge").await.expect("request").status(), 422);

    let pairs = im_a
        .get(app.url("/api/v1/registration/duplicates/export?status=all&format=hxl"))
        .send()
        .await
        .expect("request")
        .text()
        .await
        .expect("csv");
    assert!(
        pairs.lines().nth(1).is_some_and(|l| l.starts_with("#meta+id")),
        "{pairs}"
    );
    assert!(pairs.contains("not_duplicate") && !pairs.contains("Marisela"));

    let audit: Vec<String> = sqlx::query("SELECT summary FROM audit_log WHERE entity = 'review_flag' ORDER BY id")
        .fetch_all(app.store.pool())
        .await
        .expect("audit")
        .iter()
        .map(|r| r.try_get("summary").expect("summary"))
        .collect();
    assert!(
        audit
            .iter()
            .filter(|s| s.starts_with("viewed possible duplicate"))
            .count()
            >= 4,
        "{audit:?}"
    );
    assert_eq!(
        audit
            .iter()
            .filter(|s| s.starts_with("reviewed possible duplicate"))
            .count(),
        3
    );
    assert_eq!(audit.iter().filter(|s| s.starts_with("exported")).count(), 2);
    assert!(audit.iter().all(|s| !s.contains("Marisela") && !s.contains("10000001")));
}

#[tokio::test]
async fn the_queue_page_lists_pairs_and_takes_decisions_in_a_browser() {
    let app = spawn_app().await;
    let seeded = seed(&app).await;
    let pair = seed_pair(&app, &seeded).await[0].1.clone();
    let (client, csrf) = app.browser("im_col").await;
    let queue = client
        .get(app.url("/registration/duplicates?country=COL&min_probability=50"))
        .send()
        .await
        .expect("request")
        .text()
        .await
        .expect("html");
    assert!(queue.contains(&format!("/registration/duplicates/{pair}")), "{queue}");
    let page = client
        .get(app.url(&format!("/registration/duplicates/{pair}")))
        .send()
        .await
        .expect("request")
        .text()
        .await
        .expect("html");
    assert!(page.contains("Same person: merge") || page.contains("Misma persona: unir"));
    let response = client
        .post(app.url(&format!("/registration/duplicates/{pair}")))
        .form(&[("csrf", csrf.as_str()), ("decision", "confirm")])
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 303);
    let page = client
        .get(app.url(&format!("/registration/duplicates/{pair}")))
        .send()
        .await
        .expect("request")
        .text()
        .await
        .expect("html");
    assert!(
        page.contains("Undo the merge") || page.contains("Deshacer la unión"),
        "{page}"
    );
    let bad = client
        .get(app.url("/registration/duplicates?min_probability=lots"))
        .send()
        .await
        .expect("request");
    assert_eq!(bad.status(), 422);
}
