//! Registration records the web tests (and the access table) start from: a registration desk
//! of NGO-A and one of NGO-B in Colombia, households at each, a vulnerability model in force,
//! and a programme of NGO-A with a beneficiary list.

use rumbo_domain::audit::Actor;
use rumbo_domain::registration::consent::Consent;
use rumbo_domain::registration::facts::Fact;
use rumbo_domain::registration::household::{DetailsInput, DocumentInput, HouseholdInput, MemberInput};
use rumbo_domain::registration::scoring::{Criterion, Definition, Op};
use rumbo_store::locations::LocationInput;
use rumbo_store::registration::{Desk, Disclosure, ProgrammeInput};

use crate::helpers::{TestApp, iso};

pub struct Seeded {
    pub desk_a: Desk,
    pub desk_b: Desk,
    /// NGO-A's households: one to work on, one to erase.
    pub household_a: i64,
    pub household_c: i64,
    pub household_b: i64,
    pub member_a: i64,
    pub model: i64,
    pub programme: i64,
    pub list: i64,
}

pub fn member(relationship: &str, given: &str, sex: &str, birth_date: &str) -> MemberInput {
    MemberInput {
        relationship: relationship.into(),
        given_names: given.into(),
        first_surname: "Castillo".into(),
        second_surname: "Rangel".into(),
        sex: sex.into(),
        birth_date: birth_date.into(),
        nationality: "VEN".into(),
        ..Default::default()
    }
}

pub fn household(head: &str, cedula: &str) -> HouseholdInput {
    let mut first = member("head", head, "female", "1987-06-01");
    first.documents.push(DocumentInput {
        doc_type: "venezuelan_cedula".into(),
        number: cedula.into(),
        expiry: String::new(),
    });
    first.phone = "+57 300 123 4567".into();
    HouseholdInput {
        details: DetailsInput {
            population_group: "in_destination".into(),
            arrival_date: "2025-09-09".into(),
            conditions: vec!["one_or_less".into()],
            ..Default::default()
        },
        consent: Consent {
            registration: true,
            sharing: true,
            referral: false,
        },
        members: vec![first, member("child", "Mateo", "male", "2020-02-02")],
    }
}

pub async fn desk(app: &TestApp, code: &str, organisation: &str) -> Desk {
    let location = app
        .store
        .create_location(
            &Actor::system("test"),
            &LocationInput {
                code: code.into(),
                name: format!("Punto de registro {code}"),
                kind: "registration_desk".into(),
                country: "COL".into(),
                lat: 7.89,
                lon: -72.5,
                organisation_id: Some(app.organisations[organisation]),
                is_active: true,
                ..Default::default()
            },
        )
        .await
        .expect("desk");
    app.store.registration_desk(location.id).await.expect("a desk")
}

pub fn model() -> Definition {
    let criterion = |id: &str, fact: Fact, value: &str, points: f64| Criterion {
        id: id.into(),
        label: format!("{id} label"),
        fact,
        op: Op::Eq,
        value: value.into(),
        points,
        group: None,
    };
    Definition {
        criteria: vec![
            criterion("female-head", Fact::FemaleHeaded, "yes", 20.0),
            criterion("one-meal", Fact::Condition(0), "one_or_less", 25.0),
        ],
        caps: vec![],
        max_score: None,
        threshold: 30.0,
    }
}

pub async fn seed(app: &TestApp) -> Seeded {
    let system = Actor::system("test");
    let desk_a = desk(app, "COL-TST-RDA", "NGO-A").await;
    let desk_b = desk(app, "COL-TST-RDB", "NGO-B").await;
    // NGO-A's enumerator works at desk A (enumerators reach only their desks' households).
    app.store
        .set_desk_assignment(&system, app.accounts["enumerator"].id, desk_a.id, true)
        .await
        .expect("enumerator at desk A");
    let model = app
        .store
        .save_vulnerability_model(&system, iso("COL"), "Test model", model(), "seed", true)
        .await
        .expect("model")
        .summary
        .id;
    let register = |desk: &Desk, input: HouseholdInput| {
        let store = app.store.clone();
        let desk = desk.clone();
        async move {
            store
                .register_household(&Actor::system("test"), &desk, &input)
                .await
                .expect("registered")
                .household_id
        }
    };
    let household_a = register(&desk_a, household("Marisela", "V-10.000.001")).await;
    let household_c = register(&desk_a, household("Carmen", "V-10.000.003")).await;
    let household_b = register(&desk_b, household("Beatriz", "V-10.000.002")).await;
    let view = app
        .store
        .household(&system, household_a, Disclosure::Pseudonymous)
        .await
        .expect("view");
    let member_a = view
        .members
        .iter()
        .find(|m| m.relationship.code() == "child")
        .expect("child")
        .id;
    let programme = app
        .store
        .create_programme(
            &system,
            &ProgrammeInput {
                code: "MPC-TST-1".into(),
                name: "Multipurpose cash".into(),
                country: "COL".into(),
                organisation_id: app.organisations["NGO-A"],
                target_households: "10".into(),
                ..Default::default()
            },
        )
        .await
        .expect("programme")
        .id;
    let list = app
        .store
        .generate_beneficiary_list(&system, programme)
        .await
        .expect("list");
    Seeded {
        desk_a,
        desk_b,
        household_a,
        household_c,
        household_b,
        member_a,
        model,
        programme,
        list,
    }
}

use rumbo_domain::Vocabulary;

/// A second desk of NGO-A in Colombia, to which its enumerator is not assigned, with a
/// household: the placeholders `{desk:A2}` and `{household:A2}`.
pub async fn second_desk(app: &TestApp) -> Vec<(String, String)> {
    let desk_a2 = desk(app, "COL-TST-RDA2", "NGO-A").await;
    let household = app
        .store
        .register_household(&Actor::system("test"), &desk_a2, &household("Dalia", "V-10.000.004"))
        .await
        .expect("registered at desk A2")
        .household_id;
    vec![
        ("{desk:A2}".to_owned(), desk_a2.id.to_string()),
        ("{household:A2}".to_owned(), household.to_string()),
    ]
}

/// The placeholders of the access table: `{household:A}`, `{desk:A}`, `{list:A}`...
pub fn placeholders(s: &Seeded) -> Vec<(String, String)> {
    [
        ("desk:A", s.desk_a.id),
        ("desk:B", s.desk_b.id),
        ("household:A", s.household_a),
        ("household:B", s.household_b),
        ("household:C", s.household_c),
        ("member:A", s.member_a),
        ("model:COL", s.model),
        ("programme:A", s.programme),
        ("list:A", s.list),
    ]
    .into_iter()
    .map(|(k, v)| (format!("{{{k}}}"), v.to_string()))
    .collect()
}
