//! The demo's registrations: about 20,000 synthetic households at the demo's registration desks
//! (the government desks of `locations.csv`, and desks of IOM, UNHCR, HIAS and UNICEF added
//! here), with names in the Hispanic way drawn from common given names and surnames, documents
//! (Venezuelan cédulas, passports, PEP and PPT permits, birth certificates), specific needs
//! and living conditions at plausible rates, and a few documents registered twice, to review.
//! Generation is pure and seeded; `load` writes it with the vulnerability models, sharing
//! agreements, programmes and assistance that make the demo worth exploring.

/// Which enumerator works at which desk.
mod desks;
/// Writing the registrations and what goes with them.
mod load;
/// Given names and surnames.
mod names;

use anyhow::Context;
use rumbo_domain::country::Iso3;
use rumbo_domain::registration::Household;
use rumbo_domain::registration::conditions::{Conditions, QUESTIONS};
use rumbo_domain::registration::consent::Consent;
use rumbo_domain::registration::documents::{Document, DocumentType};
use rumbo_domain::registration::household::{Details, Member};
use rumbo_domain::registration::needs::{Difficulty, NeedSet, SpecificNeed, WashingtonGroup};
use rumbo_domain::registration::people::{BirthDate, PersonName, PopulationGroup, Relationship, Sex};
use serde::Deserialize;
use time::{Date, Duration, Month};

pub use desks::assign as assign_desks;
pub use load::{LoadedRegistrations, load};

use super::geography::read_rows;
use super::rng::Rng;

const DESKS: &str = include_str!("registration_desks.csv");

/// The day the demo's registrations run up to: fixed, so that a seed always gives the same demo.
const UNTIL: Date = match Date::from_calendar_date(2026, Month::June, 30) {
    Ok(d) => d,
    Err(_) => Date::MIN,
};

/// A registration desk of the demo: `position` is `None` for a desk of `locations.csv`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct DemoDesk {
    pub code: String,
    pub name: String,
    pub iso3: String,
    pub organisation: String,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub households: usize,
}

/// A household of the demo, ready for the store.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoHousehold {
    pub desk: String,
    pub registered_at: String,
    pub household: Household,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DemoRegistration {
    pub desks: Vec<DemoDesk>,
    pub households: Vec<DemoHousehold>,
}

fn chance(rng: &mut Rng, per_thousand: usize) -> bool {
    rng.below(1000) < per_thousand
}

fn pick<'a>(rng: &mut Rng, items: &'a [&'a str]) -> &'a str {
    rng.pick(items).copied().unwrap_or("")
}

fn digits(rng: &mut Rng, n: usize) -> String {
    (0..n)
        .map(|i| char::from(b'0' + rng.below(if i == 0 { 9 } else { 10 }) as u8 + u8::from(i == 0)))
        .collect()
}

/// Someone `age` years old on `on`, born on a day of the year before.
fn born(rng: &mut Rng, age: u32, on: Date) -> BirthDate {
    let date = on
        .replace_year(on.year() - age as i32)
        .unwrap_or(on)
        .saturating_sub(Duration::days(1 + rng.below(364) as i64));
    // One in twelve adults knows only their approximate age.
    if age >= 18
        && chance(rng, 80)
        && let Ok(estimated) = BirthDate::estimated(age, on)
    {
        return estimated;
    }
    BirthDate { date, estimated: false }
}

/// A document for someone of `age` in `country`.
fn documents(rng: &mut Rng, age: u32, country: &str, on: Date) -> Vec<Document> {
    let mut docs = Vec::new();
    if age < 18 {
        if chance(rng, 600) {
            docs.push(Document {
                doc_type: DocumentType::BirthCertificate,
                number: format!("{}{}", pick(rng, &["AN", "PN", "RC"]), digits(rng, 6)),
                expiry: None,
            });
        }
        return docs;
    }
    if chance(rng, 820) {
        let prefix = if chance(rng, 20) { "E" } else { "V" };
        let length = 5 + rng.below(4);
        docs.push(Document {
            doc_type: DocumentType::VenezuelanCedula,
            number: format!("{prefix}{}", digits(rng, length)),
            expiry: None,
        });
    }
    if chance(rng, 180) {
        docs.push(Document {
            doc_type: DocumentType::Passport,
            number: digits(rng, 9),
            expiry: Some(on.saturating_add(Duration::days(rng.below(2500) as i64 - 700))),
        });
    }
    if country == "COL" && chance(rng, 420) {
        docs.push(Document {
            doc_type: DocumentType::Ppt,
            number: digits(rng, 7),
            expiry: Some(on.saturating_add(Duration::days(365 * 9))),
        });
    } else if country == "COL" && chance(rng, 120) {
        // PEP permits expired in 2023: documented once, not any more.
        docs.push(Document {
            doc_type: DocumentType::Pep,
            number: digits(rng, 15),
            expiry: Date::from_calendar_date(2023, Month::May, 28).ok(),
        });
    } else if country != "COL" && chance(rng, 300) {
        docs.push(Document {
            doc_type: DocumentType::HostPermit,
            number: format!("{}{}", pick(rng, &["CPP", "RNM", "CE"]), digits(rng, 8)),
            expiry: Some(on.saturating_add(Duration::days(365 * 2))),
        });
    }
    docs
}

fn needs(rng: &mut Rng, sex: Sex, age: u32, head: bool, partnered: bool, children: bool) -> (NeedSet, WashingtonGroup) {
    let mut set = NeedSet::default();
    let mut washington = WashingtonGroup::default();
    if age >= 5 && chance(rng, 350) {
        // Asked of a third of people aged 5 and over; about one in twelve of them has a disability.
        for answer in washington.0.iter_mut() {
            *answer = Some(if chance(rng, 15) {
                Difficulty::ALot
            } else if chance(rng, 80) {
                Difficulty::Some
            } else {
                Difficulty::None
            });
        }
    } else if chance(rng, 20) {
        set.insert(SpecificNeed::Disability);
    }
    let mut maybe = |need: SpecificNeed, per_thousand: usize, applies: bool| {
        if applies && chance(rng, per_thousand) {
            set.insert(need);
        }
    };
    let woman = sex == Sex::Female;
    maybe(SpecificNeed::SeriousMedicalCondition, 40, true);
    maybe(SpecificNeed::PregnantLactating, 90, woman && (15..=45).contains(&age));
    maybe(SpecificNeed::ChildAtRisk, 35, age < 18);
    maybe(SpecificNeed::SeparatedChild, 10, age < 18);
    maybe(SpecificNeed::WomanAtRisk, 50, woman && age >= 12);
    maybe(SpecificNeed::OlderPersonAtRisk, 220, age >= 60);
    maybe(SpecificNeed::SingleParent, 550, head && !partnered && children);
    maybe(SpecificNeed::SgbvSurvivor, 25, woman && age >= 12);
    maybe(SpecificNeed::TortureSurvivor, 3, age >= 18);
    maybe(SpecificNeed::LegalPhysicalProtection, 20, true);
    maybe(SpecificNeed::FamilyUnity, 20, head);
    (set, washington)
}

/// One household registered at `desk` on `on`.
fn household(rng: &mut Rng, desk: &DemoDesk, on: Date) -> anyhow::Result<Household> {
    let country = desk.iso3.as_str();
    let child_headed = chance(rng, 4);
    let female_head = chance(rng, 460);
    let head_sex = if female_head { Sex::Female } else { Sex::Male };
    let head_age = if child_headed {
        15 + rng.below(3) as u32
    } else {
        19 + rng.below(45) as u32
    };
    let partnered = !child_headed && chance(rng, if female_head { 450 } else { 750 });
    let children = if child_headed {
        rng.below(3)
    } else {
        [0, 1, 1, 2, 2, 2, 3, 3, 4, 5][rng.below(10)]
    };
    let grandparent = !child_headed && chance(rng, 90);
    let surname_a = pick(rng, &names::SURNAMES).to_owned();
    let surname_b = pick(rng, &names::SURNAMES).to_owned();
    let partner_surname = pick(rng, &names::SURNAMES).to_owned();
    // Children carry the father's first surname, then the mother's.
    let (fathers, mothers) = match (female_head, partnered) {
        (true, true) => (partner_surname.clone(), surname_a.clone()),
        (true, false) => (surname_a.clone(), surname_b.clone()),
        (false, _) => (surname_a.clone(), partner_surname.clone()),
    };
    let venezuelan = !matches!(country, "PAN") || chance(rng, 700);
    let nationality = |rng: &mut Rng, born_here: bool| -> anyhow::Result<Iso3> {
        let code = if born_here && chance(rng, 500) {
            country
        } else if venezuelan {
            "VEN"
        } else {
            pick(rng, &["HTI", "CUB", "ECU", "COL", "VEN", "CHN", "AFG"])
        };
        Ok(Iso3::parse(code)?)
    };
    let name = |rng: &mut Rng, sex: Sex, first: &str, second: Option<&str>| {
        let pool: &[&str] = if sex == Sex::Female { &names::WOMEN } else { &names::MEN };
        let given = if chance(rng, 450) {
            format!("{} {}", pick(rng, pool), pick(rng, pool))
        } else {
            pick(rng, pool).to_owned()
        };
        PersonName {
            given_names: given,
            first_surname: first.to_owned(),
            second_surname: second.map(str::to_owned),
        }
    };
    let mut people: Vec<(Relationship, Sex, u32, PersonName)> = Vec::new();
    people.push((
        Relationship::Head,
        head_sex,
        head_age,
        name(rng, head_sex, &surname_a, Some(&surname_b)),
    ));
    if partnered {
        let sex = if female_head { Sex::Male } else { Sex::Female };
        let age = (head_age as i64 + rng.below(11) as i64 - 5).max(18) as u32;
        let second = pick(rng, &names::SURNAMES).to_owned();
        people.push((
            Relationship::Spouse,
            sex,
            age,
            name(rng, sex, &partner_surname, Some(&second)),
        ));
    }
    for _ in 0..children {
        let sex = if chance(rng, 500) { Sex::Female } else { Sex::Male };
        let eldest = head_age.saturating_sub(16).clamp(1, 17);
        let age = rng.below(eldest as usize + 1) as u32;
        let relationship = if child_headed {
            Relationship::Sibling
        } else {
            Relationship::Child
        };
        people.push((relationship, sex, age, name(rng, sex, &fathers, Some(&mothers))));
    }
    if grandparent {
        let sex = if chance(rng, 650) { Sex::Female } else { Sex::Male };
        let age = (head_age + 20 + rng.below(12) as u32).min(95);
        let first = pick(rng, &names::SURNAMES).to_owned();
        people.push((
            Relationship::Grandparent,
            sex,
            age,
            name(rng, sex, &first, Some(&surname_a)),
        ));
    }
    let mut members = Vec::with_capacity(people.len());
    let has_children = children > 0;
    for (relationship, sex, age, person) in people {
        let head = relationship == Relationship::Head;
        let (needs, washington) = needs(rng, sex, age, head, partnered, has_children);
        let phone = (head || (age >= 18 && chance(rng, 300))).then(|| {
            format!(
                "+{} 3{} {} {}",
                dial(country),
                digits(rng, 2),
                digits(rng, 3),
                digits(rng, 4)
            )
        });
        members.push(Member {
            relationship,
            name: person,
            sex,
            birth: born(rng, age, on),
            nationality: nationality(rng, age < 5)?,
            phone,
            needs,
            washington,
            documents: documents(rng, age, country, on),
        });
    }
    let population_group = match country {
        "PAN" => PopulationGroup::InTransit,
        "COL" if chance(rng, 60) => PopulationGroup::Returnee,
        "COL" if chance(rng, 100) => PopulationGroup::Pendular,
        _ if chance(rng, 150) => PopulationGroup::InTransit,
        _ => PopulationGroup::InDestination,
    };
    let arrival = on.saturating_sub(Duration::days(rng.below(if country == "PAN" { 20 } else { 900 }) as i64));
    let mut answers = [None; 10];
    // (question, per-thousand chance of each answer but the last, in the order of QUESTIONS)
    let rates: [&[usize]; 10] = [
        &[380],
        &[420, 480],
        &[300],
        &[450, 480],
        &[850],
        &[550],
        &[300, 450],
        &[700],
        &[650],
        &[600],
    ];
    for (q, question) in QUESTIONS.iter().enumerate() {
        if chance(rng, 150) {
            continue;
        }
        let roll = rng.below(1000);
        let mut cumulative = 0;
        let mut answer = question.answers.len() - 1;
        for (i, rate) in rates[q].iter().enumerate() {
            cumulative += rate;
            if roll < cumulative {
                answer = i;
                break;
            }
        }
        answers[q] = Some(answer as u8);
    }
    Ok(Household {
        details: Details {
            population_group,
            arrival_date: Some(arrival),
            previous_country: Some(Iso3::parse("VEN")?),
            previous_area: None,
            residence_area: None,
            position: None,
            child_headed,
            conditions: Conditions(answers),
        },
        consent: Consent {
            registration: true,
            sharing: chance(rng, 820),
            referral: chance(rng, 640),
        },
        members,
    })
}

fn dial(country: &str) -> &'static str {
    match country {
        "COL" => "57",
        "ECU" => "593",
        "PER" => "51",
        "BRA" => "55",
        "CHL" => "56",
        "PAN" => "507",
        _ => "58",
    }
}

pub fn desks() -> anyhow::Result<Vec<DemoDesk>> {
    read_rows::<DemoDesk>("registration_desks.csv", DESKS)
}

/// The demo's registrations for `rng`'s sequence.
pub fn generate(rng: &mut Rng) -> anyhow::Result<DemoRegistration> {
    let desks = desks()?;
    let mut households = Vec::with_capacity(desks.iter().map(|d| d.households).sum());
    let mut cedulas: Vec<Document> = Vec::new();
    for desk in &desks {
        for _ in 0..desk.households {
            let on = UNTIL.saturating_sub(Duration::days(rng.below(540) as i64));
            let mut household = household(rng, desk, on).with_context(|| format!("a household at {}", desk.code))?;
            // One household in 250 shows a cédula already registered: a possible duplicate to review.
            if chance(rng, 4) && !cedulas.is_empty() {
                let copy = cedulas[rng.below(cedulas.len())].clone();
                household.members[0].documents = vec![copy];
            }
            if let Some(doc) = household.members[0]
                .documents
                .iter()
                .find(|d| d.doc_type == DocumentType::VenezuelanCedula)
            {
                cedulas.push(doc.clone());
            }
            households.push(DemoHousehold {
                desk: desk.code.clone(),
                registered_at: format!(
                    "{}T{:02}:{:02}:00Z",
                    rumbo_domain::registration::people::format_date(on),
                    12 + rng.below(10),
                    rng.below(60)
                ),
                household,
            });
        }
    }
    Ok(DemoRegistration { desks, households })
}

#[cfg(test)]
mod tests;
