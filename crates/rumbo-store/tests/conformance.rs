//! The storage conformance suite: the same tests on SQLite (default) and on PostgreSQL (when
//! RUMBO_TEST_POSTGRES_URL is set), each in a freshly created database.

use rumbo_domain::access::{Grant, Role, Scope};
use rumbo_domain::audit::{Actor, AuditAction, Entity};
use rumbo_domain::country::Iso3;
use rumbo_store::audit::AuditQuery;
use rumbo_store::organisations::{OrganisationInput, OrganisationQuery};
use rumbo_store::sessions::SignInRefusal;
use rumbo_store::testing::TestDatabase;
use rumbo_store::users::{NewUser, UserPatch, UserQuery};
use rumbo_store::{Page, Store, StoreError};

fn cli() -> Actor {
    Actor::system("cli")
}

async fn org(store: &Store, acronym: &str) -> i64 {
    store
        .create_organisation(
            &cli(),
            &OrganisationInput {
                name: format!("{acronym} organisation"),
                acronym: acronym.into(),
                kind: "national_ngo".into(),
                country: Some("COL".into()),
                is_active: true,
                ..Default::default()
            },
        )
        .await
        .expect("organisation created")
        .id
}

fn col() -> Iso3 {
    Iso3::parse("COL").expect("iso3")
}

#[tokio::test]
async fn migrations_run_twice_and_seed_the_countries() {
    let (store, db) = TestDatabase::store().await.expect("store");
    store.migrate().await.expect("second migration run is a no-op");
    let countries = store.countries().await.expect("countries");
    assert_eq!(countries.iter().filter(|c| c.in_response).count(), 17);
    drop(db);
}

#[tokio::test]
async fn organisations_are_created_listed_updated_and_audited() {
    let (store, _db) = TestDatabase::store().await.expect("store");
    let id = org(&store, "FUPAD").await;
    let err = store
        .create_organisation(
            &cli(),
            &OrganisationInput {
                name: "Another".into(),
                acronym: "FUPAD".into(),
                kind: "national_ngo".into(),
                ..Default::default()
            },
        )
        .await
        .expect_err("duplicate acronym refused");
    assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");

    let bad_kind = store
        .create_organisation(
            &cli(),
            &OrganisationInput {
                name: "X".into(),
                acronym: "X".into(),
                kind: "company".into(),
                ..Default::default()
            },
        )
        .await
        .expect_err("unknown kind refused");
    assert!(bad_kind.to_string().contains("'company'"), "{bad_kind}");

    let (found, total) = store
        .organisations(
            &OrganisationQuery {
                search: Some("fupa".into()),
                ..Default::default()
            },
            Page::default(),
        )
        .await
        .expect("list");
    assert_eq!((found.len(), total), (1, 1));
    assert_eq!(found[0].country, Some(col()));

    let mut input = OrganisationInput {
        name: "Fundación Panamericana para el Desarrollo".into(),
        acronym: "FUPAD".into(),
        kind: "international_ngo".into(),
        is_active: true,
        ..Default::default()
    };
    input.website = Some("https://example.org".into());
    let updated = store.update_organisation(&cli(), id, &input).await.expect("updated");
    assert_eq!(updated.country, None);

    let (entries, _) = store
        .audit_entries(
            &AuditQuery {
                entity: Some(Entity::Organisation),
                entity_id: Some(id.to_string()),
                ..Default::default()
            },
            Page::default(),
        )
        .await
        .expect("audit");
    let actions: Vec<&str> = entries.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["update", "create"]);
    assert!(
        entries[0].summary.contains("name") && entries[0].summary.contains("country"),
        "{}",
        entries[0].summary
    );
}

#[tokio::test]
async fn users_roles_sessions_and_tokens() {
    let (store, _db) = TestDatabase::store().await.expect("store");
    let org_id = org(&store, "NRC").await;
    let new = NewUser {
        username: "Ana.Perez".into(),
        display_name: "Ana Pérez".into(),
        email: Some("ana@example.org".into()),
        organisation_id: org_id,
        password: "a long enough password".into(),
        language: None,
        grants: vec![Grant {
            role: Role::ImOfficer,
            scope: Scope::Country(col()),
        }],
    };
    let user = store.create_user(&cli(), &new).await.expect("user");
    assert_eq!(user.username, "ana.perez");
    assert_eq!(user.countries(), vec![col()]);
    let dup = store.create_user(&cli(), &new).await.expect_err("duplicate refused");
    assert!(dup.to_string().contains("already taken"), "{dup}");
    let no_org = store
        .create_user(
            &cli(),
            &NewUser {
                username: "other".into(),
                organisation_id: 999_999,
                ..new.clone()
            },
        )
        .await
        .expect_err("unknown organisation refused");
    assert!(matches!(no_org, StoreError::NotFound { .. }), "{no_org:?}");

    let web = Actor {
        address: Some("203.0.113.9".into()),
        channel: "web",
        ..Actor::default()
    };
    assert_eq!(
        store
            .sign_in(&web, "ANA.PEREZ", "a long enough password")
            .await
            .expect("sign in"),
        Ok(user.id)
    );
    assert_eq!(
        store.sign_in(&web, "ana.perez", "wrong").await.expect("sign in"),
        Err(SignInRefusal::WrongCredentials)
    );

    let (token, session) = store
        .create_session(user.id, Some("203.0.113.9"))
        .await
        .expect("session");
    assert_eq!(
        store.session(&token).await.expect("lookup").map(|s| s.user_id),
        Some(user.id)
    );
    assert_eq!(session.csrf_token.len(), 64);
    assert!(store.session("not a token").await.expect("lookup").is_none());

    let (api_token, listed) = store
        .create_api_token(&cli(), user.id, "laptop", None)
        .await
        .expect("token");
    assert!(api_token.starts_with(&listed.prefix));
    assert_eq!(store.api_token_user(&api_token).await.expect("lookup"), Some(user.id));
    store
        .revoke_api_token(&cli(), user.id, listed.id)
        .await
        .expect("revoked");
    assert_eq!(store.api_token_user(&api_token).await.expect("lookup"), None);

    // Deactivation ends sessions and refuses sign-in.
    store
        .update_user(
            &cli(),
            user.id,
            &UserPatch {
                is_active: Some(false),
                ..Default::default()
            },
        )
        .await
        .expect("deactivated");
    assert!(store.session(&token).await.expect("lookup").is_none());
    assert!(store.user(user.id).await.expect("user").subject().grants.is_empty());

    store
        .revoke_role(
            &cli(),
            user.id,
            Grant {
                role: Role::ImOfficer,
                scope: Scope::Country(col()),
            },
        )
        .await
        .expect("revoked");
    let (listed, _) = store
        .users(
            &cli(),
            &UserQuery {
                include_inactive: true,
                ..Default::default()
            },
            Page::default(),
        )
        .await
        .expect("users");
    assert_eq!(listed.len(), 1);
    let (reads, _) = store
        .audit_entries(
            &AuditQuery {
                action: Some(AuditAction::Read),
                ..Default::default()
            },
            Page::default(),
        )
        .await
        .expect("audit");
    assert_eq!(reads.len(), 1, "listing users is audited");
}

#[tokio::test]
async fn repeated_failures_slow_down_sign_in_for_that_account() {
    let (store, _db) = TestDatabase::store().await.expect("store");
    let org_id = org(&store, "IOM").await;
    store
        .create_user(
            &cli(),
            &NewUser {
                username: "target".into(),
                display_name: "Target".into(),
                organisation_id: org_id,
                password: "the right password".into(),
                ..Default::default()
            },
        )
        .await
        .expect("user");
    let web = Actor {
        address: Some("198.51.100.7".into()),
        channel: "web",
        ..Actor::default()
    };
    for _ in 0..5 {
        assert_eq!(
            store.sign_in(&web, "target", "guess").await.expect("attempt"),
            Err(SignInRefusal::WrongCredentials)
        );
    }
    // Even the right password now waits.
    let throttled = store
        .sign_in(&web, "target", "the right password")
        .await
        .expect("attempt");
    assert!(
        matches!(throttled, Err(SignInRefusal::Throttled { retry_after }) if retry_after > 0),
        "{throttled:?}"
    );
    let (failures, _) = store
        .audit_entries(
            &AuditQuery {
                action: Some(AuditAction::SignInFailed),
                ..Default::default()
            },
            Page::default(),
        )
        .await
        .expect("audit");
    assert_eq!(failures.len(), 5);
}
