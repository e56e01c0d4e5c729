use std::collections::HashMap;

use rumbo_domain::Vocabulary;
use rumbo_domain::registration::household::{
    DetailsInput, DocumentInput, HouseholdInput, MemberInput, WASHINGTON_FIELDS,
};
use rumbo_domain::registration::people::{Relationship, Sex, format_date};

use super::desks::DESK_ASSIGNMENTS;
use super::*;
use crate::demo::locations::locations;
use crate::demo::people::LOGINS;

/// A generated household as a form would have typed it, to check it against every rule.
fn input(h: &Household) -> HouseholdInput {
    HouseholdInput {
        details: DetailsInput {
            population_group: h.details.population_group.code().into(),
            arrival_date: h.details.arrival_date.map(format_date).unwrap_or_default(),
            previous_country: h.details.previous_country.map(|c| c.to_string()).unwrap_or_default(),
            child_headed: h.details.child_headed,
            conditions: (0..QUESTIONS.len())
                .map(|q| h.details.conditions.answer(q).unwrap_or("").to_owned())
                .collect(),
            ..Default::default()
        },
        consent: h.consent,
        members: h
            .members
            .iter()
            .map(|m| MemberInput {
                relationship: m.relationship.code().into(),
                given_names: m.name.given_names.clone(),
                first_surname: m.name.first_surname.clone(),
                second_surname: m.name.second_surname.clone().unwrap_or_default(),
                sex: m.sex.code().into(),
                birth_date: format_date(m.birth.date),
                nationality: m.nationality.to_string(),
                phone: m.phone.clone().unwrap_or_default(),
                needs: vec![m.needs.codes()],
                washington: std::array::from_fn(|i| {
                    let _ = WASHINGTON_FIELDS[i];
                    m.washington.0[i].map(|d| d.code().to_owned()).unwrap_or_default()
                }),
                documents: m
                    .documents
                    .iter()
                    .map(|d| DocumentInput {
                        doc_type: d.doc_type.code().into(),
                        number: d.number.clone(),
                        expiry: d.expiry.map(format_date).unwrap_or_default(),
                    })
                    .collect(),
                ..Default::default()
            })
            .collect(),
    }
}

#[test]
fn every_demo_household_obeys_the_registration_rules() {
    let demo = generate(&mut Rng::new(crate::demo::DEFAULT_SEED)).expect("registrations");
    assert_eq!(demo.households.len(), 20_000);
    for (i, h) in demo.households.iter().enumerate() {
        let on = rumbo_domain::registration::people::parse_date("d", &h.registered_at[..10]).expect("date");
        let valid = input(&h.household)
            .validate(on)
            .unwrap_or_else(|e| panic!("household {i}: {e:?}"));
        assert_eq!(valid.members.len(), h.household.members.len());
        assert!(on <= UNTIL);
    }
}

#[test]
fn desks_are_known_places_and_households_look_like_the_population() {
    let demo = generate(&mut Rng::new(7)).expect("registrations");
    let known: Vec<String> = locations()
        .expect("locations")
        .into_iter()
        .map(|l| l.input.code)
        .collect();
    for (username, codes) in DESK_ASSIGNMENTS {
        let enumerator = LOGINS.iter().find(|l| l.username == username).expect("a demo login");
        for code in codes {
            let desk = demo.desks.iter().find(|d| d.code == *code).expect("a demo desk");
            assert_eq!(desk.organisation, enumerator.organisation, "{username} at {code}");
            assert_eq!(Some(desk.iso3.as_str()), enumerator.country, "{username} at {code}");
        }
    }
    for desk in &demo.desks {
        assert!(
            desk.lat.is_some() || known.contains(&desk.code),
            "{} is neither new nor in locations.csv",
            desk.code
        );
    }
    let heads: Vec<&Member> = demo
        .households
        .iter()
        .filter_map(|h| {
            h.household
                .members
                .iter()
                .find(|m| m.relationship == Relationship::Head)
        })
        .collect();
    let female = heads.iter().filter(|m| m.sex == Sex::Female).count() as f64 / heads.len() as f64;
    assert!((0.35..0.6).contains(&female), "{female}");
    let people: usize = demo.households.iter().map(|h| h.household.members.len()).sum();
    assert!((50_000..90_000).contains(&people), "{people}");
    let mut cedulas: HashMap<&str, usize> = HashMap::new();
    for doc in demo.households.iter().flat_map(|h| &h.household.members[0].documents) {
        *cedulas.entry(doc.number.as_str()).or_default() += 1;
    }
    let repeated = cedulas.values().filter(|n| **n > 1).count();
    assert!(
        repeated > 20,
        "some documents are registered twice, to review: {repeated}"
    );
    assert!(
        heads.iter().all(|h| h.name.second_surname.is_some()),
        "heads carry two surnames"
    );
}
