//! Writing the demo's registrations, in the order a real operation sets them up: desks, the
//! vulnerability models in force (a registration-based model for Colombia, Ecuador and Peru;
//! UNHCR Americas' real conjoint weights for Brazil, Chile and Panama), sharing agreements,
//! then the households in one batch, then programmes with their beneficiary lists and some
//! assistance recorded.

use std::collections::HashMap;

use anyhow::Context;
use rumbo_domain::audit::Actor;
use rumbo_domain::country::Iso3;
use rumbo_domain::registration::conjoint::{ConjointOptions, model_from_conjoint};
use rumbo_domain::registration::facts::Fact;
use rumbo_domain::registration::needs::SpecificNeed;
use rumbo_domain::registration::scoring::{Cap, Criterion, Definition, Op};
use rumbo_io::vulnerability::{ModelFile, read_model};
use rumbo_store::Store;
use rumbo_store::locations::LocationInput;
use rumbo_store::registration::{AgreementInput, Disclosure, NewRegistration, ProgrammeInput};

use super::DemoRegistration;

const CONJOINT: &[u8] = include_bytes!("../conjoint-analyses-weights.csv");

/// What the demo's registration part wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LoadedRegistrations {
    pub desks: usize,
    pub households: usize,
    pub people: usize,
    pub flagged: usize,
    /// How long writing them took: the demo's start is watched, and this is its largest part.
    pub millis: u64,
}

fn criterion(id: &str, label: &str, fact: Fact, op: Op, value: &str, points: f64, group: &str) -> Criterion {
    Criterion {
        id: id.into(),
        label: label.into(),
        fact,
        op,
        value: value.into(),
        points,
        group: Some(group.into()),
    }
}

/// A model over registration fields and specific needs, as an inter-agency targeting group
/// might agree it: protection risks capped at 50 points, eligible from 40.
fn registration_model() -> Definition {
    use Fact::*;
    use Op::{Eq, Ge, Le};
    let need = |n: SpecificNeed| Need(n);
    Definition {
        criteria: vec![
            criterion(
                "female-head",
                "Female-headed household",
                FemaleHeaded,
                Eq,
                "yes",
                10.0,
                "composition",
            ),
            criterion(
                "single-head",
                "Single head with dependants",
                SingleHeaded,
                Eq,
                "yes",
                8.0,
                "composition",
            ),
            criterion(
                "child-head",
                "Child-headed household",
                ChildHeaded,
                Eq,
                "yes",
                25.0,
                "protection",
            ),
            criterion(
                "three-children",
                "Three or more children",
                Children,
                Ge,
                "3",
                10.0,
                "composition",
            ),
            criterion(
                "under-five",
                "Children under five",
                UnderFive,
                Ge,
                "1",
                5.0,
                "composition",
            ),
            criterion(
                "older",
                "Older person in the household",
                OlderPeople,
                Ge,
                "1",
                6.0,
                "composition",
            ),
            criterion(
                "dependency-high",
                "High dependency",
                Dependency,
                Eq,
                "high",
                6.0,
                "composition",
            ),
            criterion(
                "dependency-complete",
                "No working-age adult",
                Dependency,
                Eq,
                "complete",
                12.0,
                "composition",
            ),
            criterion(
                "disability",
                "Member with a disability",
                MembersWithDisability,
                Ge,
                "1",
                12.0,
                "protection",
            ),
            criterion(
                "medical",
                "Serious medical condition",
                need(SpecificNeed::SeriousMedicalCondition),
                Ge,
                "1",
                12.0,
                "protection",
            ),
            criterion(
                "sgbv",
                "Survivor of SGBV",
                need(SpecificNeed::SgbvSurvivor),
                Ge,
                "1",
                20.0,
                "protection",
            ),
            criterion(
                "separated",
                "Separated or unaccompanied child",
                need(SpecificNeed::SeparatedChild),
                Ge,
                "1",
                20.0,
                "protection",
            ),
            criterion(
                "pregnant",
                "Pregnant or lactating woman",
                need(SpecificNeed::PregnantLactating),
                Ge,
                "1",
                8.0,
                "protection",
            ),
            criterion(
                "no-documents",
                "Someone without documents in force",
                MissingDocumentation,
                Eq,
                "yes",
                10.0,
                "living",
            ),
            criterion(
                "one-meal",
                "One meal a day or less",
                Condition(0),
                Eq,
                "one_or_less",
                15.0,
                "living",
            ),
            criterion(
                "squatting",
                "Spontaneous shelter or squatting",
                Condition(1),
                Eq,
                "spontaneous_or_squatting",
                12.0,
                "living",
            ),
            criterion(
                "unsafe",
                "Does not feel safe",
                Condition(7),
                Eq,
                "unsafe",
                10.0,
                "living",
            ),
            criterion(
                "recent",
                "Arrived in the last 90 days",
                DaysSinceArrival,
                Le,
                "90",
                8.0,
                "living",
            ),
        ],
        caps: vec![Cap {
            group: "protection".into(),
            max_points: 50.0,
        }],
        max_score: Some(100.0),
        threshold: 40.0,
    }
}

pub async fn load(
    store: &Store,
    demo: &DemoRegistration,
    organisations: &HashMap<&str, i64>,
    source: &str,
) -> anyhow::Result<LoadedRegistrations> {
    let started = std::time::Instant::now();
    let actor = Actor::system("cli");
    let iso = |code: &str| Iso3::parse(code).with_context(|| format!("country {code}"));
    let org = |acronym: &str| {
        organisations
            .get(acronym)
            .copied()
            .with_context(|| format!("the demo has no organisation {acronym}"))
    };
    let mut inputs = Vec::new();
    for desk in demo.desks.iter().filter(|d| d.lat.is_some()) {
        inputs.push((
            format!("registration_desks.csv, {}", desk.code),
            LocationInput {
                code: desk.code.clone(),
                name: desk.name.clone(),
                kind: "registration_desk".into(),
                country: desk.iso3.clone(),
                lat: desk.lat.unwrap_or_default(),
                lon: desk.lon.unwrap_or_default(),
                organisation_id: Some(org(&desk.organisation)?),
                notes: None,
                is_active: true,
            },
        ));
    }
    let desks = store
        .import_locations(&actor, &inputs, source)
        .await
        .context("the registration desks")?;

    for country in ["COL", "ECU", "PER"] {
        store
            .save_vulnerability_model(
                &actor,
                iso(country)?,
                "Focalización interagencial 2026",
                registration_model(),
                source,
                true,
            )
            .await
            .with_context(|| format!("the model of {country}"))?;
    }
    let ModelFile::Conjoint(rows) = read_model(CONJOINT).map_err(|e| anyhow::anyhow!("{e}"))? else {
        anyhow::bail!("conjoint-analyses-weights.csv is not a conjoint table");
    };
    for (country, file_country, threshold) in [
        ("BRA", "Brazil", 45.0),
        ("CHL", "Chile", 45.0),
        ("PAN", "Panama MCO", 45.0),
    ] {
        let definition = model_from_conjoint(
            &rows,
            &ConjointOptions {
                country: iso(country)?,
                source: Some(file_country.into()),
                threshold,
                caps: vec![],
            },
        )
        .map_err(|p| anyhow::anyhow!("{p:?}"))?;
        store
            .save_vulnerability_model(
                &actor,
                iso(country)?,
                &format!("Conjoint ACNUR Américas ({file_country})"),
                definition,
                "conjoint-analyses-weights.csv",
                true,
            )
            .await
            .with_context(|| format!("the model of {country}"))?;
    }

    for (from, to, country, purposes) in [
        ("IOM", "UNHCR", "COL", vec!["case_management", "assistance"]),
        ("UAEMC", "UNHCR", "COL", vec!["case_management"]),
        ("IOM", "HIAS", "ECU", vec!["case_management"]),
        ("IOM", "UNICEF", "PAN", vec!["case_management", "assistance"]),
    ] {
        store
            .create_sharing_agreement(
                &actor,
                &AgreementInput {
                    from_org: org(from)?,
                    to_org: org(to)?,
                    country: country.into(),
                    purposes: purposes.into_iter().map(str::to_owned).collect(),
                    reference: format!("Acuerdo de intercambio de datos {from}-{to} {country} 2025"),
                    valid_from: "2025-01-01".into(),
                    valid_until: String::new(),
                },
            )
            .await
            .with_context(|| format!("the agreement {from} → {to}"))?;
    }

    let mut by_code = HashMap::new();
    for desk in &demo.desks {
        let location = store
            .location_by_code(&desk.code)
            .await
            .with_context(|| format!("desk {}", desk.code))?;
        by_code.insert(desk.code.as_str(), store.registration_desk(location.id).await?);
    }
    let registrations: Vec<NewRegistration> = demo
        .households
        .iter()
        .enumerate()
        .map(|(i, h)| {
            Ok(NewRegistration {
                place: format!("demo household {}", i + 1),
                desk: by_code
                    .get(h.desk.as_str())
                    .cloned()
                    .with_context(|| format!("desk {}", h.desk))?,
                household: h.household.clone(),
                registered_at: h.registered_at.clone(),
            })
        })
        .collect::<anyhow::Result<_>>()?;
    let (summary, _) = store
        .write_registrations(&actor, &registrations, Some(source))
        .await
        .context("the demo's households")?;

    let cash = store
        .create_programme(
            &actor,
            &ProgrammeInput {
                code: "MPC-CUC-2026".into(),
                name: "Transferencias multipropósito, Cúcuta".into(),
                country: "COL".into(),
                organisation_id: org("IOM")?,
                area: "CO54001".into(),
                target_households: "500".into(),
                quotas: vec![("female_headed".into(), "30".into())],
                tie_breaks: vec!["larger_household".into(), "earlier_registration".into()],
                starts_on: "2026-05-01".into(),
                ends_on: "2026-12-31".into(),
                ..Default::default()
            },
        )
        .await?;
    let list = store.generate_beneficiary_list(&actor, cash.id).await?;
    let view = store.beneficiary_list(&actor, list, Disclosure::Pseudonymous).await?;
    let first: Vec<i64> = view.entries.iter().take(150).map(|e| e.household_id).collect();
    store.record_assistance(&actor, cash.id, &first, "2026-06-15").await?;
    let kits = store
        .create_programme(
            &actor,
            &ProgrammeInput {
                code: "KIT-CUC-2026".into(),
                name: "Kits de higiene y alimentos, Cúcuta".into(),
                country: "COL".into(),
                organisation_id: org("UNHCR")?,
                area: "CO54001".into(),
                target_households: "300".into(),
                quotas: vec![("disability".into(), "10".into())],
                tie_breaks: vec!["more_children".into()],
                ..Default::default()
            },
        )
        .await?;
    store.generate_beneficiary_list(&actor, kits.id).await?;

    Ok(LoadedRegistrations {
        desks,
        households: summary.households,
        people: summary.people,
        flagged: summary.flagged,
        millis: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
    })
}
