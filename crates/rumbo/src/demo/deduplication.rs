//! The demo's possible duplicates: some people registered a second time at another desk of the
//! same country, written as a second interview writes them — surnames in the other order or
//! one left out, only the first given name, accents dropped, day and month of birth swapped,
//! the document not shown this time — so that the review queue has probable matches to click
//! through. After loading, the linkage engine runs once over the countries below, as an IM
//! officer's "look for duplicates now" would; the people added are drawn from a generator of
//! their own, so adding them changes no other part of the demo.

use std::time::Instant;

use anyhow::Context;
use rumbo_domain::audit::Actor;
use rumbo_domain::country::Iso3;
use rumbo_domain::linkage::LinkageSettings;
use rumbo_domain::registration::people::Relationship;
use rumbo_store::Store;
use time::Date;

use super::registration::{DemoHousehold, DemoRegistration};
use super::rng::Rng;

/// One household in this many is registered again elsewhere.
const EVERY: usize = 120;

/// The countries the engine runs over when the demo is built: Panama's 3,000 people take a few
/// seconds (Colombia's 44,000 take minutes in a debug build, too long for the demo's start).
/// The region's IM officer (`im.region`, IOM) finds the queue filled, with IOM's records shown
/// by name and UNICEF's withheld; every country's exact document duplicates are in the queue
/// too, and any country is linked on demand from the queue page.
pub const RUN_COUNTRIES: &[&str] = &["PAN"];

fn strip_accents(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            'á' => 'a',
            'é' => 'e',
            'í' => 'i',
            'ó' => 'o',
            'ú' | 'ü' => 'u',
            'Á' => 'A',
            'É' => 'E',
            'Í' => 'I',
            'Ó' => 'O',
            'Ú' => 'U',
            other => other,
        })
        .collect()
}

/// Adds second registrations of some heads of household, at another desk of their country.
pub fn add_near_duplicates(seed: u64, demo: &mut DemoRegistration) {
    let mut rng = Rng::new(seed ^ 0xD0_B1E5);
    let mut added = Vec::new();
    for (i, original) in demo.households.iter().enumerate() {
        if i % EVERY != EVERY / 2 {
            continue;
        }
        let Some(country) = demo
            .desks
            .iter()
            .find(|d| d.code == original.desk)
            .map(|d| d.iso3.as_str())
        else {
            continue;
        };
        let others: Vec<&str> = demo
            .desks
            .iter()
            .filter(|d| d.iso3 == country && d.code != original.desk)
            .map(|d| d.code.as_str())
            .collect();
        let Some(desk) = rng.pick(&others).copied() else {
            continue;
        };
        let Some(head) = original
            .household
            .members
            .iter()
            .find(|m| m.relationship == Relationship::Head)
        else {
            continue;
        };
        let mut person = head.clone();
        let name = &mut person.name;
        match rng.below(4) {
            0 => {
                if let Some(second) = name.second_surname.take() {
                    name.second_surname = Some(std::mem::replace(&mut name.first_surname, second));
                }
            }
            1 => name.second_surname = None,
            2 => {
                if let Some(first) = name.given_names.split_whitespace().next() {
                    name.given_names = first.to_owned();
                }
            }
            _ => {
                name.given_names = strip_accents(&name.given_names);
                name.first_surname = strip_accents(&name.first_surname);
            }
        }
        let date = person.birth.date;
        if !person.birth.estimated
            && date.day() <= 12
            && u8::from(date.month()) != date.day()
            && rng.below(3) == 0
            && let Ok(month) = time::Month::try_from(date.day())
            && let Ok(swapped) = Date::from_calendar_date(date.year(), month, u8::from(date.month()))
        {
            person.birth.date = swapped;
        }
        if rng.below(10) < 7 {
            person.documents.clear();
        }
        let mut household = original.household.clone();
        household.details.child_headed = false;
        household.members = vec![person];
        added.push(DemoHousehold {
            desk: desk.to_owned(),
            // The same day: the second desk did not know of the first.
            registered_at: original.registered_at.clone(),
            household,
        });
    }
    demo.households.extend(added);
}

/// Runs the linkage engine over [`RUN_COUNTRIES`]; returns how many pairs it filed for review.
pub async fn load(store: &Store) -> anyhow::Result<usize> {
    let started = Instant::now();
    let actor = Actor::system("cli");
    let mut filed = 0;
    for country in RUN_COUNTRIES {
        let country = Iso3::parse(country)?;
        let run = store
            .run_deduplication(&actor, country, &LinkageSettings::default())
            .await
            .with_context(|| format!("linking the demo's registrations in {country}"))?;
        filed += run.suggested;
    }
    tracing::info!(filed, seconds = started.elapsed().as_secs_f64(), "demo de-duplication");
    Ok(filed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn some_heads_are_registered_again_elsewhere_with_the_errors_of_a_second_interview() {
        let mut demo = super::super::registration::generate(&mut Rng::new(super::super::DEFAULT_SEED)).expect("demo");
        let before = demo.households.len();
        add_near_duplicates(super::super::DEFAULT_SEED, &mut demo);
        let added = &demo.households[before..];
        // Every country but Chile, which has one desk only, has somewhere else to register.
        assert!(added.len() > before / EVERY / 2, "{}", added.len());
        assert!(added.iter().all(|h| h.household.members.len() == 1));
        let without_document = added
            .iter()
            .filter(|h| h.household.members[0].documents.is_empty())
            .count();
        assert!(without_document > added.len() / 2);
        let mut again = super::super::registration::generate(&mut Rng::new(super::super::DEFAULT_SEED)).expect("demo");
        add_near_duplicates(super::super::DEFAULT_SEED, &mut again);
        assert_eq!(demo, again, "deterministic");
    }
}
