//! `rumbo demo` end to end: the real binary builds the demo into a fresh database (SQLite, or
//! PostgreSQL when RUMBO_TEST_POSTGRES_URL is set), and the store reads it back.

use std::process::{Command, Output};

use rumbo_domain::audit::Actor;
use rumbo_domain::geography::Pcode;
use rumbo_store::locations::LocationQuery;
use rumbo_store::organisations::{OrganisationInput, OrganisationQuery};
use rumbo_store::testing::TestDatabase;
use rumbo_store::users::UserQuery;
use rumbo_store::{Backend, Page, Store};

const EVERYTHING: Page = Page {
    limit: 10_000,
    offset: 0,
};

fn demo(url: &str, extra: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_rumbo"));
    command
        .args(["demo", "--no-serve", "--database", url])
        .args(extra)
        .env_remove("RUMBO_LOG")
        .env_remove("RUMBO_DATA_KEY_FILE")
        .env_remove("RUMBO_DATA_KEY");
    // On SQLite the keys go beside the database file; a PostgreSQL demo would keep them in the
    // current folder, which the tests share: each test database gets its own file instead, in
    // the build's scratch folder rather than the system's /tmp, where they piled up.
    if !url.starts_with("sqlite:") {
        use std::hash::{Hash, Hasher};
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        url.hash(&mut hasher);
        let file =
            std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("rumbo-demo-{:016x}.keys", hasher.finish()));
        command.arg("--data-key-file").arg(file);
    }
    command.output().expect("the rumbo binary runs")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn succeeded(output: &Output) -> String {
    assert!(output.status.success(), "rumbo demo failed: {}", stderr(output));
    format!("{}{}", String::from_utf8_lossy(&output.stdout), stderr(output))
}

async fn open(db: &TestDatabase) -> Store {
    Store::connect(&db.url).await.expect("connect")
}

/// Everything the demo writes that must not change between two builds with one seed
/// (timestamps and password hashes aside).
async fn content(store: &Store) -> String {
    let areas = store.admin_areas_with_boundaries(None, None).await.expect("areas");
    let platforms = store.platforms().await.expect("platforms");
    let all_organisations = OrganisationQuery {
        include_inactive: true,
        ..Default::default()
    };
    let (organisations, _) = store.organisations(&all_organisations, EVERYTHING).await.expect("orgs");
    let organisations: Vec<_> = organisations
        .iter()
        .map(|o| (o.id, &o.name, &o.acronym, o.kind, o.country, &o.website, &o.platforms))
        .collect();
    let all_locations = LocationQuery {
        include_inactive: true,
        ..Default::default()
    };
    let (locations, _) = store.locations(&all_locations, EVERYTHING).await.expect("locations");
    let locations: Vec<_> = locations
        .iter()
        .map(|l| {
            (
                l.id,
                &l.code,
                &l.name,
                l.kind,
                l.country,
                l.position,
                &l.adm1,
                &l.adm2,
                &l.organisation,
                &l.notes,
            )
        })
        .collect();
    let (users, _) = store
        .users(&Actor::system("test"), &UserQuery::default(), EVERYTHING)
        .await
        .expect("users");
    let users: Vec<_> = users
        .iter()
        .map(|u| {
            (
                u.id,
                &u.username,
                &u.display_name,
                &u.email,
                &u.organisation_acronym,
                u.language,
                &u.grants,
            )
        })
        .collect();
    format!("{areas:?}\n{platforms:?}\n{organisations:?}\n{locations:?}\n{users:?}")
}

#[tokio::test]
async fn the_demo_builds_resolves_its_locations_and_is_reused() {
    let db = TestDatabase::create().await.expect("database");
    let out = succeeded(&demo(&db.url, &[]));
    assert!(out.contains("Built the demo (seed 2018)"), "{out}");
    assert!(out.contains("enum.cucuta") && out.contains("rumbo-demo"), "{out}");

    let store = open(&db).await;
    let (_, areas) = store
        .admin_areas(&Default::default(), Page { limit: 1, offset: 0 })
        .await
        .expect("areas");
    assert!(areas > 350, "{areas} admin areas");
    let bridge = store
        .location_by_code("COL-CUC-SB")
        .await
        .expect("Simón Bolívar bridge");
    assert_eq!(bridge.adm1, Some(Pcode::parse("CO54").expect("pcode")));
    assert_eq!(bridge.adm2, Some(Pcode::parse("CO54874").expect("pcode")));
    assert_eq!(bridge.organisation.as_deref(), Some("UAEMC"));
    let ecuador_side = store.location_by_code("ECU-TUL-RUM").await.expect("Rumichaca");
    assert_eq!(ecuador_side.adm2, Some(Pcode::parse("EC0401").expect("pcode")));
    let (unresolved, _) = store
        .locations(
            &LocationQuery {
                include_inactive: true,
                ..Default::default()
            },
            EVERYTHING,
        )
        .await
        .expect("locations");
    assert!(
        unresolved.iter().all(|l| l.adm1.is_some()),
        "every location has its admin area"
    );

    // Every demo login signs in with the demo password.
    for username in [
        "admin",
        "im.col",
        "manager.nrc",
        "enum.cucuta",
        "protection.col",
        "viewer.per",
    ] {
        let signed_in = store
            .sign_in(&Actor::system("test"), username, "rumbo-demo")
            .await
            .expect("sign in");
        assert!(signed_in.is_ok(), "{username} cannot sign in");
    }
    let before = content(&store).await;
    store.close().await;

    let again = succeeded(&demo(&db.url, &["--seed", "7"]));
    assert!(
        again.contains("reusing it") && again.contains("seed 2018, not 7"),
        "{again}"
    );
    let store = open(&db).await;
    assert_eq!(before, content(&store).await, "a reused demo is left as it was");
    store.close().await;
}

#[tokio::test]
async fn the_same_seed_builds_the_same_database() {
    let (a, b) = (
        TestDatabase::create().await.expect("database"),
        TestDatabase::create().await.expect("database"),
    );
    succeeded(&demo(&a.url, &["--seed", "42"]));
    succeeded(&demo(&b.url, &["--seed", "42"]));
    let (store_a, store_b) = (open(&a).await, open(&b).await);
    assert_eq!(content(&store_a).await, content(&store_b).await);
    store_a.close().await;
    store_b.close().await;
}

#[tokio::test]
async fn a_database_holding_other_data_is_never_written_to() {
    let (store, db) = TestDatabase::store().await.expect("store");
    let ours = OrganisationInput {
        name: "An office's real organisation".into(),
        acronym: "REAL".into(),
        kind: "national_ngo".into(),
        country: Some("COL".into()),
        is_active: true,
        ..Default::default()
    };
    store
        .create_organisation(&Actor::system("test"), &ours)
        .await
        .expect("organisation");
    store.close().await;

    let refused = demo(&db.url, &[]);
    assert!(!refused.status.success());
    assert!(stderr(&refused).contains("not Rumbo's demo"), "{}", stderr(&refused));
    let refused = demo(&db.url, &["--fresh"]);
    assert!(!refused.status.success(), "--fresh alone must not wipe foreign data");
    assert!(stderr(&refused).contains("--yes-wipe"), "{}", stderr(&refused));

    let store = open(&db).await;
    let (organisations, _) = store
        .organisations(&Default::default(), EVERYTHING)
        .await
        .expect("orgs");
    assert_eq!(organisations.len(), 1, "nothing was added or removed");
    store.close().await;

    // Asked explicitly, --fresh --yes-wipe replaces it with the demo.
    let out = succeeded(&demo(&db.url, &["--fresh", "--yes-wipe"]));
    assert!(out.contains("Built the demo"), "{out}");
    let store = open(&db).await;
    assert!(store.user_id_by_username("admin").await.expect("lookup").is_some());
    assert!(
        store
            .organisations(&Default::default(), EVERYTHING)
            .await
            .expect("orgs")
            .0
            .iter()
            .all(|o| o.acronym != "REAL")
    );
    store.close().await;
}

#[tokio::test]
async fn fresh_rebuilds_a_demo() {
    let db = TestDatabase::create().await.expect("database");
    succeeded(&demo(&db.url, &[]));
    let rebuilt = demo(&db.url, &["--fresh", "--seed", "5"]);
    match db.backend() {
        // A demo is not empty: PostgreSQL asks before wiping anything.
        Backend::Postgres => {
            assert!(!rebuilt.status.success());
            assert!(stderr(&rebuilt).contains("--yes-wipe"), "{}", stderr(&rebuilt));
            let out = succeeded(&demo(&db.url, &["--fresh", "--yes-wipe", "--seed", "5"]));
            assert!(out.contains("Built the demo (seed 5)"), "{out}");
        }
        Backend::Sqlite => {
            let out = succeeded(&rebuilt);
            assert!(
                out.contains("Deleted") && out.contains("Built the demo (seed 5)"),
                "{out}"
            );
        }
    }
    // Rebuilt from scratch: the ids start again from 1.
    let store = open(&db).await;
    let bridge = store.location_by_code("COL-CUC-SB").await.expect("bridge");
    assert_eq!(bridge.id, 1);
    store.close().await;
}
