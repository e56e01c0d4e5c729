//! Organisations, users, passwords and the audit browser, on SQLite (default) and PostgreSQL
//! (when RUMBO_TEST_POSTGRES_URL is set), each test in a freshly created database.

use rumbo_domain::access::{Grant, UserReach};
use rumbo_domain::audit::{Actor, AuditAction, Entity};
use rumbo_domain::country::Iso3;
use rumbo_domain::organisation::PlatformKind;
use rumbo_store::audit::AuditQuery;
use rumbo_store::organisations::OrganisationInput;
use rumbo_store::testing::TestDatabase;
use rumbo_store::users::{NewUser, UserPatch, UserQuery};
use rumbo_store::{Page, Store};

fn cli() -> Actor {
    Actor::system("cli")
}

fn iso(code: &str) -> Iso3 {
    Iso3::parse(code).expect("iso3")
}

async fn org(store: &Store, acronym: &str, country: &str) -> i64 {
    store
        .create_organisation(
            &cli(),
            &OrganisationInput {
                name: format!("{acronym} organisation"),
                acronym: acronym.into(),
                kind: "national_ngo".into(),
                country: Some(country.into()),
                is_active: true,
                ..Default::default()
            },
        )
        .await
        .expect("organisation created")
        .id
}

async fn user(store: &Store, username: &str, organisation_id: i64, grant: Option<&str>) -> i64 {
    store
        .create_user(
            &cli(),
            &NewUser {
                username: username.into(),
                display_name: format!("Person {username}"),
                email: Some(format!("{username}@example.org")),
                organisation_id,
                password: "a long enough password".into(),
                language: None,
                grants: grant.map(|g| Grant::parse(g).expect("grant")).into_iter().collect(),
            },
        )
        .await
        .expect("user created")
        .id
}

async fn audit(store: &Store, query: AuditQuery) -> Vec<rumbo_store::audit::AuditEntry> {
    store.audit_entries(&query, Page::default()).await.expect("audit").0
}

#[tokio::test]
async fn user_lists_stay_within_the_viewers_reach() {
    let (store, _db) = TestDatabase::store().await.expect("store");
    let (a, b) = (org(&store, "NGO-A", "COL").await, org(&store, "NGO-B", "PER").await);
    user(&store, "col.enumerator", a, Some("enumerator:COL")).await;
    user(&store, "per.viewer", b, Some("viewer:PER")).await;
    user(&store, "no.roles", a, None).await;
    user(&store, "admin", b, Some("platform_admin")).await;

    let names = |reach: Option<UserReach>| {
        let store = store.clone();
        async move {
            let query = UserQuery {
                reach,
                ..Default::default()
            };
            let (users, total) = store.users(&cli(), &query, Page::default()).await.expect("list");
            assert_eq!(users.len() as i64, total);
            users.into_iter().map(|u| u.username).collect::<Vec<_>>()
        }
    };
    assert_eq!(names(None).await.len(), 4);
    assert_eq!(names(Some(UserReach::All)).await.len(), 4);
    assert_eq!(
        names(Some(UserReach::Limited {
            countries: vec![iso("COL")],
            organisation: None
        }))
        .await,
        ["col.enumerator"]
    );
    assert_eq!(
        names(Some(UserReach::Limited {
            countries: vec![iso("PER")],
            organisation: Some(a)
        }))
        .await,
        ["col.enumerator", "no.roles", "per.viewer"]
    );
    assert!(
        names(Some(UserReach::Limited {
            countries: vec![],
            organisation: None
        }))
        .await
        .is_empty()
    );
}

#[tokio::test]
async fn changing_ones_own_password_keeps_only_the_current_session() {
    let (store, _db) = TestDatabase::store().await.expect("store");
    let a = org(&store, "NGO-A", "COL").await;
    let id = user(&store, "ana", a, Some("viewer:COL")).await;
    let (here, _) = store.create_session(id, None).await.expect("session");
    let (elsewhere, _) = store.create_session(id, None).await.expect("session");
    let me = Actor {
        user_id: Some(id),
        ..Actor::system("web")
    };

    assert!(!store.confirm_password(&me, id, "not it at all").await.expect("checked"));
    assert!(
        store
            .confirm_password(&me, id, "a long enough password")
            .await
            .expect("checked")
    );
    let refused = audit(
        &store,
        AuditQuery {
            action: Some(AuditAction::SignInFailed),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(refused.len(), 1, "a wrong current password is recorded");

    let short = store.set_password_keeping(&me, id, "short", Some(&here)).await;
    assert!(short.is_err(), "too short");
    store
        .set_password_keeping(&me, id, "another long password", Some(&here))
        .await
        .expect("changed");
    assert!(store.session(&here).await.expect("lookup").is_some());
    assert!(store.session(&elsewhere).await.expect("lookup").is_none());

    // An administrator's reset signs the holder out everywhere.
    store
        .set_password(&cli(), id, "a third long password")
        .await
        .expect("reset");
    assert!(store.session(&here).await.expect("lookup").is_none());
}

#[tokio::test]
async fn profile_changes_are_audited_by_field_name_only() {
    let (store, _db) = TestDatabase::store().await.expect("store");
    let a = org(&store, "NGO-A", "COL").await;
    let id = user(&store, "ana", a, None).await;
    store
        .update_user(
            &cli(),
            id,
            &UserPatch {
                display_name: Some("Ana María Pérez".into()),
                email: Some(Some("ana@example.org".into())),
                ..Default::default()
            },
        )
        .await
        .expect("updated");
    let entries = audit(
        &store,
        AuditQuery {
            action: Some(AuditAction::Update),
            entity: Some(Entity::User),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(
        entries[0].summary, "changed display name",
        "the unchanged e-mail is not listed"
    );
    assert!(!entries[0].summary.contains("Pérez"));
}

#[tokio::test]
async fn organisations_by_acronym_members_and_counts() {
    let (store, _db) = TestDatabase::store().await.expect("store");
    let a = org(&store, "NGO-A", "COL").await;
    let platform = store
        .create_platform(
            &cli(),
            "gifmm-col",
            "GIFMM Colombia",
            PlatformKind::National,
            &[iso("COL")],
        )
        .await
        .expect("platform");
    assert_eq!(platform.code, "GIFMM-COL");
    let mut input = OrganisationInput {
        name: "NGO-A organisation".into(),
        acronym: "NGO-A".into(),
        kind: "national_ngo".into(),
        country: Some("COL".into()),
        platforms: vec!["gifmm-col".into()],
        is_active: true,
        ..Default::default()
    };
    store.update_organisation(&cli(), a, &input).await.expect("joined");
    let found = store.organisation_by_acronym("ngo-a").await.expect("lookup");
    assert_eq!(found.map(|o| o.platforms), Some(vec!["GIFMM-COL".to_owned()]));
    assert!(store.organisation_by_acronym("NGO-Z").await.expect("lookup").is_none());

    let members = store.platform_members().await.expect("members");
    assert_eq!(members.len(), 1);
    assert_eq!((members[0].platform_id, members[0].organisation_id), (platform.id, a));

    user(&store, "one", a, None).await;
    let two = user(&store, "two", a, None).await;
    store
        .update_user(
            &cli(),
            two,
            &UserPatch {
                is_active: Some(false),
                ..Default::default()
            },
        )
        .await
        .expect("deactivated");
    assert_eq!(store.organisation_user_count(a).await.expect("count"), 1);

    input.platforms = vec!["NO-SUCH".into()];
    assert!(store.update_organisation(&cli(), a, &input).await.is_err());
}

#[tokio::test]
async fn browsing_the_audit_log_is_itself_recorded() {
    let (store, _db) = TestDatabase::store().await.expect("store");
    org(&store, "NGO-A", "COL").await;
    let query = AuditQuery {
        entity: Some(Entity::Organisation),
        ..Default::default()
    };
    let (entries, total) = store
        .browse_audit(&cli(), &query, Page::default())
        .await
        .expect("browse");
    assert_eq!((entries.len(), total), (1, 1));
    let reads = audit(
        &store,
        AuditQuery {
            entity: Some(Entity::AuditLog),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(reads.len(), 1);
    assert_eq!(reads[0].action, "read");
    assert_eq!(reads[0].summary, "viewed the audit log (1 shown), filtered by entity");
}
