//! Registration on both backends: households and members with their personal fields sealed,
//! duplicates flagged, history kept, erasure, sharing agreements, vulnerability models and
//! scores, beneficiary lists and assistance, key rotation.

mod deduplication;
/// De-duplication runs as jobs.
mod deduplication_runs;
/// Enumerators' desks.
mod desks;
mod lifecycle;
mod programmes;

use geo::{LineString, MultiPolygon, Polygon};
use rumbo_domain::access::{DeskReach, RegistrationReach};
use rumbo_domain::audit::Actor;
use rumbo_domain::country::Iso3;
use rumbo_domain::geography::{AdminArea, AdminLevel, Pcode};
use rumbo_domain::language::Names;
use rumbo_domain::registration::consent::{Consent, SharingPurpose};
use rumbo_domain::registration::household::{DetailsInput, DocumentInput, HouseholdInput, MemberInput};
use rumbo_store::audit::AuditQuery;
use rumbo_store::locations::LocationInput;
use rumbo_store::organisations::OrganisationInput;
use rumbo_store::registration::{Desk, Disclosure, HouseholdQuery, RegistrationOutcome};
use rumbo_store::testing::TestDatabase;
use rumbo_store::vault::DataKeys;
use rumbo_store::{Page, Store, StoreError};
use sqlx::Row;

pub fn cli() -> Actor {
    Actor::system("cli")
}

pub fn iso(code: &str) -> Iso3 {
    Iso3::parse(code).expect("iso3")
}

fn square(x0: f64, y0: f64, size: f64) -> MultiPolygon<f64> {
    let ring = LineString::from(vec![
        (x0, y0),
        (x0 + size, y0),
        (x0 + size, y0 + size),
        (x0, y0 + size),
        (x0, y0),
    ]);
    MultiPolygon::new(vec![Polygon::new(ring, vec![])])
}

fn area(pcode: &str, level: i64, parent: Option<&str>, boundary: MultiPolygon<f64>) -> AdminArea {
    AdminArea {
        pcode: Pcode::parse(pcode).expect("pcode"),
        country: iso("COL"),
        level: AdminLevel::new(level).expect("level"),
        parent: parent.map(|p| Pcode::parse(p).expect("pcode")),
        names: Names {
            es: Some(format!("Área {pcode}")),
            ..Names::default()
        },
        boundary: Some(boundary),
    }
}

/// A database with Norte de Santander and Cúcuta, organisations A and B (Colombia), and a
/// registration desk of each in Cúcuta.
pub struct World {
    pub store: Store,
    pub db: TestDatabase,
    pub org_a: i64,
    pub org_b: i64,
    pub desk_a: Desk,
    pub desk_b: Desk,
}

pub async fn world() -> World {
    world_with(DataKeys::generate().expect("keys")).await
}

/// A world whose personal data is sealed with `keys`.
pub async fn world_with(keys: DataKeys) -> World {
    let db = TestDatabase::create().await.expect("database");
    let store = Store::connect(&db.url).await.expect("connect");
    store.migrate().await.expect("migrate");
    let store = store.with_data_keys(keys).expect("keys");
    store
        .import_admin_areas(
            &cli(),
            &[
                area("CO54", 1, None, square(-73.5, 7.0, 2.0)),
                area("CO54001", 2, Some("CO54"), square(-72.6, 7.8, 0.3)),
            ],
            "test",
        )
        .await
        .expect("areas");
    let mut orgs = Vec::new();
    for acronym in ["ORG-A", "ORG-B"] {
        let org = store
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
            .expect("organisation");
        orgs.push(org.id);
    }
    let mut desks = Vec::new();
    for (code, org) in [("COL-CUC-RDA", orgs[0]), ("COL-CUC-RDB", orgs[1])] {
        let location = store
            .create_location(
                &cli(),
                &LocationInput {
                    code: code.into(),
                    name: format!("Desk {code}"),
                    kind: "registration_desk".into(),
                    country: "COL".into(),
                    lat: 7.89,
                    lon: -72.5,
                    organisation_id: Some(org),
                    is_active: true,
                    ..Default::default()
                },
            )
            .await
            .expect("desk");
        desks.push(store.registration_desk(location.id).await.expect("a desk"));
    }
    World {
        store,
        db,
        org_a: orgs[0],
        org_b: orgs[1],
        desk_b: desks.pop().expect("desk b"),
        desk_a: desks.pop().expect("desk a"),
    }
}

pub fn member(relationship: &str, given: &str, sex: &str, birth_date: &str) -> MemberInput {
    MemberInput {
        relationship: relationship.into(),
        given_names: given.into(),
        first_surname: "Quintero".into(),
        second_surname: "Zambrano".into(),
        sex: sex.into(),
        birth_date: birth_date.into(),
        nationality: "VEN".into(),
        ..Default::default()
    }
}

/// A mother (with a cédula and a phone) and her son, living in Cúcuta.
pub fn household(cedula: &str) -> HouseholdInput {
    let mut head = member("head", "Yolanda Esperanza", "female", "1988-04-12");
    head.phone = "+57 301 555 0199".into();
    head.documents.push(DocumentInput {
        doc_type: "venezuelan_cedula".into(),
        number: cedula.into(),
        expiry: String::new(),
    });
    let mut son = member("child", "Thiago", "male", "2019-09-01");
    son.needs = vec!["SM".into()];
    HouseholdInput {
        details: DetailsInput {
            population_group: "in_destination".into(),
            arrival_date: "2025-10-02".into(),
            residence_area: "CO54001".into(),
            lat: "7.8891".into(),
            lon: "-72.4967".into(),
            conditions: vec!["one_or_less".into(), "hosted_or_collective".into()],
            ..Default::default()
        },
        consent: Consent {
            registration: true,
            sharing: true,
            referral: true,
        },
        members: vec![head, son],
    }
}

pub async fn register(world: &World, desk: &Desk, input: &HouseholdInput) -> RegistrationOutcome {
    world
        .store
        .register_household(&cli(), desk, input)
        .await
        .expect("registered")
}

/// Every text value stored in the registration tables, for checking that no name is in clear.
pub async fn everything_stored(store: &Store) -> String {
    let mut all = String::new();
    for table in [
        "households",
        "household_members",
        "member_documents",
        "registration_events",
        "audit_log",
    ] {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT * FROM {table}")))
            .fetch_all(store.pool())
            .await
            .expect("rows");
        for row in &rows {
            for i in 0..row.len() {
                if let Ok(Some(text)) = row.try_get::<Option<String>, _>(i) {
                    all.push_str(&text);
                    all.push('\n');
                }
            }
        }
    }
    all
}

#[tokio::test]
async fn a_household_is_registered_with_its_personal_fields_sealed() {
    let w = world().await;
    let outcome = register(&w, &w.desk_a, &household("V-12.345.678")).await;
    assert!(outcome.code.starts_with("H-"));
    assert!(outcome.possible_duplicates.is_empty());
    let stored = everything_stored(&w.store).await;
    for secret in ["Yolanda", "Quintero", "12345678", "555 0199", "7.8891"] {
        assert!(!stored.contains(secret), "{secret} is stored in clear");
    }
    let row = sqlx::query("SELECT given_names_enc FROM household_members ORDER BY id LIMIT 1")
        .fetch_one(w.store.pool())
        .await
        .expect("member");
    assert!(
        row.try_get::<String, _>("given_names_enc")
            .expect("sealed")
            .starts_with("v1:1:")
    );

    let personal = w
        .store
        .household(&cli(), outcome.household_id, Disclosure::Personal)
        .await
        .expect("view");
    let head = personal.head().expect("head");
    assert_eq!(
        head.name.as_ref().map(|n| n.full()).as_deref(),
        Some("Yolanda Esperanza Quintero Zambrano")
    );
    assert_eq!(head.documents[0].number.as_deref(), Some("V12345678"));
    assert_eq!(head.phone.as_deref(), Some("+57 301 555 0199"));
    assert_eq!(personal.details.position.map(|p| p.lat), Some(7.8891));
    assert_eq!(personal.adm2.as_ref().map(|p| p.as_str()), Some("CO54001"));
    assert_eq!(personal.history.len(), 1);

    let pseudonymous = w
        .store
        .household(&cli(), outcome.household_id, Disclosure::Pseudonymous)
        .await
        .expect("view");
    assert!(
        pseudonymous
            .members
            .iter()
            .all(|m| m.name.is_none() && m.phone.is_none())
    );
    assert!(pseudonymous.members[0].documents.iter().all(|d| d.number.is_none()));
    assert!(pseudonymous.details.position.is_none());

    let reads = w
        .store
        .audit_entries(&AuditQuery::default(), Page::default())
        .await
        .expect("audit")
        .0;
    let summaries: Vec<&str> = reads.iter().map(|e| e.summary.as_str()).collect();
    assert!(
        summaries
            .iter()
            .any(|s| s.contains("viewed household") && s.contains("with personal data")),
        "{summaries:?}"
    );
    assert!(
        summaries.iter().any(|s| s.starts_with("registered household")),
        "{summaries:?}"
    );
}

#[tokio::test]
async fn a_second_registration_of_a_document_is_flagged_not_refused() {
    let w = world().await;
    let first = register(&w, &w.desk_a, &household("V-12.345.678")).await;
    let second = register(&w, &w.desk_b, &household("v12345678")).await;
    assert_eq!(second.possible_duplicates, std::slice::from_ref(&first.code));
    let view = w
        .store
        .household(&cli(), first.household_id, Disclosure::Pseudonymous)
        .await
        .expect("view");
    assert_eq!(view.flags.len(), 1);
    assert_eq!(view.flags[0].other_household.as_deref(), Some(second.code.as_str()));
    assert_eq!(view.flags[0].status, "open");
    let third = register(&w, &w.desk_a, &household("V-87.654.321")).await;
    assert!(third.possible_duplicates.is_empty());
}

#[tokio::test]
async fn bad_input_is_refused_with_every_problem_named_and_nothing_stored() {
    let w = world().await;
    let mut input = household("12345678");
    input.consent.registration = false;
    input.members[1].birth_date = "2099-01-01".into();
    input.members[0].birth_date = "2012-01-01".into();
    input.details.residence_area = "PE15".into();
    let err = w
        .store
        .register_household(&cli(), &w.desk_a, &input)
        .await
        .expect_err("refused");
    let StoreError::Rejected { problems, .. } = err else {
        panic!("rejected: {err}")
    };
    let places: Vec<&str> = problems.iter().map(|p| p.location.as_str()).collect();
    assert_eq!(
        places,
        [
            "consent_registration",
            "member 1, document_number",
            "member 2, birth_date"
        ]
    );
    assert!(problems.iter().all(|p| !p.problem.contains("12345678")));

    let mut child_head = household("V-12.345.678");
    child_head.members[0].birth_date = "2011-02-02".into();
    let err = w
        .store
        .register_household(&cli(), &w.desk_a, &child_head)
        .await
        .expect_err("child head");
    assert!(err.to_string().contains("1 problem"), "{err}");
    child_head.details.residence_area = "PE15".into();
    child_head.details.child_headed = true;
    let err = w
        .store
        .register_household(&cli(), &w.desk_a, &child_head)
        .await
        .expect_err("unknown area");
    let StoreError::Rejected { problems, .. } = err else {
        panic!("rejected")
    };
    assert_eq!(problems[0].location, "residence_area");
    assert_eq!(w.store.household_count().await.expect("count"), 0);
}

#[tokio::test]
async fn lists_show_what_the_reach_covers_and_names_only_when_personal() {
    let w = world().await;
    let a = register(&w, &w.desk_a, &household("V-11.111.111")).await;
    register(&w, &w.desk_b, &household("V-22.222.222")).await;
    let reach_a = RegistrationReach::Limited {
        organisation: w.org_a,
        own: Some(vec![iso("COL")]),
        at_desks: DeskReach::default(),
        shared: Some(vec![iso("COL")]),
    };
    let (rows, total) = w
        .store
        .households(
            &cli(),
            &HouseholdQuery::default(),
            &reach_a,
            SharingPurpose::CaseManagement,
            Disclosure::Personal,
            Page::default(),
        )
        .await
        .expect("list");
    assert_eq!(total, 1);
    assert_eq!(rows[0].code, a.code);
    assert_eq!(rows[0].size, 2);
    assert_eq!(
        rows[0].head_name.as_deref(),
        Some("Yolanda Esperanza Quintero Zambrano")
    );
    let by_document = HouseholdQuery {
        search: Some("V-11.111.111".into()),
        ..Default::default()
    };
    let (found, _) = w
        .store
        .households(
            &cli(),
            &by_document,
            &RegistrationReach::All,
            SharingPurpose::CaseManagement,
            Disclosure::Personal,
            Page::default(),
        )
        .await
        .expect("search");
    assert_eq!(found.len(), 1);
    let refused = w
        .store
        .households(
            &cli(),
            &by_document,
            &RegistrationReach::All,
            SharingPurpose::CaseManagement,
            Disclosure::Pseudonymous,
            Page::default(),
        )
        .await;
    assert!(
        refused.is_err(),
        "document numbers are searched only with personal disclosure"
    );
    let (pseudonymous, _) = w
        .store
        .households(
            &cli(),
            &HouseholdQuery::default(),
            &RegistrationReach::All,
            SharingPurpose::CaseManagement,
            Disclosure::Pseudonymous,
            Page::default(),
        )
        .await
        .expect("list");
    assert_eq!(pseudonymous.len(), 2);
    assert!(pseudonymous.iter().all(|r| r.head_name.is_none()));
    let nobody = RegistrationReach::Limited {
        organisation: w.org_a,
        own: Some(vec![iso("PER")]),
        at_desks: DeskReach::default(),
        shared: Some(vec![]),
    };
    let (none, _) = w
        .store
        .households(
            &cli(),
            &HouseholdQuery::default(),
            &nobody,
            SharingPurpose::CaseManagement,
            Disclosure::Pseudonymous,
            Page::default(),
        )
        .await
        .expect("list");
    assert!(none.is_empty());
}
