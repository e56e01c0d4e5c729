use time::macros::date;

use super::*;

const TODAY: Date = date!(2026 - 03 - 01);

pub(crate) fn member(relationship: &str, sex: &str, birth_date: &str) -> MemberInput {
    MemberInput {
        relationship: relationship.into(),
        given_names: "María José".into(),
        first_surname: "Pérez".into(),
        second_surname: "Rodríguez".into(),
        sex: sex.into(),
        birth_date: birth_date.into(),
        nationality: "VEN".into(),
        ..Default::default()
    }
}

pub(crate) fn household() -> HouseholdInput {
    HouseholdInput {
        details: DetailsInput {
            population_group: "in_destination".into(),
            arrival_date: "2025-11-20".into(),
            ..Default::default()
        },
        consent: Consent {
            registration: true,
            sharing: true,
            referral: false,
        },
        members: vec![
            member("head", "female", "1990-05-04"),
            member("child", "male", "2018-01-30"),
        ],
    }
}

fn fields(problems: &[FieldProblem]) -> Vec<(Option<usize>, &'static str)> {
    problems.iter().map(|p| (p.member, p.field)).collect()
}

#[test]
fn a_valid_household() {
    let mut input = household();
    input.members[0].documents.push(DocumentInput {
        doc_type: "venezuelan_cedula".into(),
        number: "V-12.345.678".into(),
        expiry: String::new(),
    });
    input.members[1].needs = vec!["CR;DS".into()];
    input.members[1].washington[2] = "3".into();
    let valid = input.validate(TODAY).expect("valid");
    assert_eq!(valid.members.len(), 2);
    assert_eq!(valid.head().map(|h| h.age_on(TODAY)), Some(35));
    assert_eq!(valid.members[0].documents[0].number, "V12345678");
    assert!(valid.members[1].has_disability());
    assert!(valid.members[1].needs.contains(SpecificNeed::ChildAtRisk));
}

#[test]
fn consent_to_register_is_required() {
    let mut input = household();
    input.consent.registration = false;
    let problems = input.validate(TODAY).expect_err("no consent");
    assert_eq!(fields(&problems), [(None, "consent_registration")]);
}

#[test]
fn a_future_birth_and_a_malformed_document_are_named_with_their_member() {
    let mut input = household();
    input.members[1].birth_date = "2027-01-01".into();
    input.members[0].documents.push(DocumentInput {
        doc_type: "venezuelan_cedula".into(),
        number: "12345678".into(),
        expiry: String::new(),
    });
    let problems = input.validate(TODAY).expect_err("invalid");
    assert_eq!(
        fields(&problems),
        [(Some(0), "document_number"), (Some(1), "birth_date")]
    );
    let text: Vec<String> = problems.iter().map(ToString::to_string).collect();
    assert!(
        text[0].starts_with("member 1, document_number: a Venezuelan cédula"),
        "{text:?}"
    );
    assert!(
        !text.iter().any(|t| t.contains("12345678")),
        "the number is not echoed: {text:?}"
    );
}

#[test]
fn a_child_head_needs_acknowledging() {
    let mut input = household();
    input.members = vec![
        member("head", "female", "2010-02-01"),
        member("sibling", "male", "2014-06-01"),
    ];
    let problems = input.validate(TODAY).expect_err("child head");
    assert_eq!(fields(&problems), [(None, "child_headed")]);
    assert!(problems[0].to_string().contains("16 years old"));
    input.details.child_headed = true;
    let valid = input.validate(TODAY).expect("acknowledged");
    assert!(valid.details.child_headed);
}

#[test]
fn exactly_one_head() {
    let mut input = household();
    input.members[1].relationship = "head".into();
    assert_eq!(
        fields(&input.validate(TODAY).expect_err("two")),
        [(Some(1), "relationship")]
    );
    input.members[0].relationship = "spouse".into();
    input.members[1].relationship = "child".into();
    assert_eq!(
        fields(&input.validate(TODAY).expect_err("none")),
        [(Some(0), "relationship")]
    );
    input.members.clear();
    assert_eq!(fields(&input.validate(TODAY).expect_err("empty")), [(None, "members")]);
}

#[test]
fn needs_must_fit_the_person() {
    let mut input = household();
    input.members[0].needs = vec!["unaccompanied_child".into(), "older_person_at_risk".into()];
    input.members[1].needs = vec!["PL".into()];
    let problems = input.validate(TODAY).expect_err("inconsistent");
    assert_eq!(
        fields(&problems),
        [(Some(0), "needs"), (Some(0), "needs"), (Some(1), "needs")]
    );
}

#[test]
fn every_field_problem_at_once() {
    let mut input = household();
    input.details.population_group = "tourist".into();
    input.details.arrival_date = "2030-01-01".into();
    input.details.residence_area = "54001".into();
    input.details.lat = "7.9".into();
    input.details.conditions = vec!["three".into()];
    input.members[0].sex = "x".into();
    input.members[0].given_names = String::new();
    input.members[0].nationality = "VNE".into();
    input.members[0].phone = "123".into();
    input.members[0].washington[0] = "7".into();
    input.members[1].birth_date = String::new();
    input.members[1].estimated_age = "old".into();
    input.members[1].documents.push(DocumentInput {
        doc_type: "licencia".into(),
        number: "1".into(),
        expiry: String::new(),
    });
    let problems = input.validate(TODAY).expect_err("invalid");
    assert_eq!(
        fields(&problems),
        [
            (None, "population_group"),
            (None, "arrival_date"),
            (None, "residence_area"),
            (None, "lat"),
            (None, "meals"),
            (Some(0), "given_names"),
            (Some(0), "sex"),
            (Some(0), "nationality"),
            (Some(0), "phone"),
            (Some(0), "wg_seeing"),
            (Some(1), "estimated_age"),
            (Some(1), "document_type"),
        ]
    );
}

#[test]
fn an_arrival_before_the_head_was_born_is_refused() {
    let mut input = household();
    input.details.arrival_date = "1985-01-01".into();
    assert_eq!(
        fields(&input.validate(TODAY).expect_err("before birth")),
        [(None, "arrival_date")]
    );
}

#[test]
fn debug_output_leaves_out_names() {
    let text = format!("{:?}", household());
    assert!(!text.contains("Pérez") && !text.contains("María"), "{text}");
}
