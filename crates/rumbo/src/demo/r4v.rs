//! R4V in the demo: a year of monthly 5W reports from the demo's partners, the official
//! population figures of the 17 countries with their sources and dates, partners' RMRP
//! targets and budgets, funding flows and people in need. Generation is pure and seeded; a
//! few reports break quality rules on purpose (an unknown admin area, age and gender that do
//! not add up, cash without a value), as real reports do, so the error report has work to show.

use std::collections::BTreeMap;

use rumbo_domain::country::Iso3;
use rumbo_domain::geography::AdminArea;
use rumbo_domain::organisation::{OrganisationKind, PlatformKind};
use rumbo_domain::r4v::figures::{PopulationFigure, parse_date};
use rumbo_domain::r4v::rules::Activity;
use rumbo_domain::r4v::{FigureType, Month};

use super::directory::{DemoOrganisation, PlatformSpec};
use super::rng::Rng;

/// The year the demo's reports, targets and funding describe.
pub const YEAR: i64 = 2025;

/// Everything R4V adds to the demo.
#[derive(Debug, Clone, PartialEq)]
pub struct R4vDemo {
    pub figures: Vec<PopulationFigure>,
    /// (appealing organisation's acronym, report)
    pub reports: Vec<(String, Activity)>,
    pub targets: Vec<DemoTarget>,
    pub funding: Vec<DemoFlow>,
    /// (country, admin-1 P-code, sector or `intersector`, population type code, people)
    pub needs: Vec<(Iso3, String, String, &'static str, i64)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DemoTarget {
    pub organisation: String,
    pub country: Iso3,
    pub sector: &'static str,
    pub indicator: &'static str,
    pub people: i64,
    pub budget_in_kind: f64,
    pub budget_cva: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DemoFlow {
    pub id: String,
    pub donor: &'static str,
    pub recipient: String,
    pub country: Iso3,
    pub sector: &'static str,
    pub amount: f64,
}

/// (ISO3, refugees and migrants mid-2025, source): R4V's published order of magnitude.
const FIGURES: [(&str, i64, &str); 17] = [
    ("COL", 2_810_000, "Migración Colombia"),
    ("PER", 1_660_000, "Superintendencia Nacional de Migraciones"),
    ("BRA", 626_000, "Polícia Federal / Comitê Nacional para os Refugiados"),
    ("CHL", 532_700, "Servicio Nacional de Migraciones"),
    ("ECU", 440_000, "Ministerio del Interior"),
    ("ARG", 161_500, "Dirección Nacional de Migraciones"),
    ("DOM", 124_100, "Instituto Nacional de Migración"),
    ("MEX", 111_100, "Unidad de Política Migratoria"),
    ("PAN", 58_200, "Servicio Nacional de Migración"),
    ("URY", 34_200, "Dirección Nacional de Migración"),
    ("CRI", 30_100, "Dirección General de Migración y Extranjería"),
    ("TTO", 28_500, "Ministry of National Security"),
    ("GUY", 20_800, "Ministry of Home Affairs"),
    (
        "ABW",
        17_000,
        "Departamento di Integracion, Maneho y Admision di Stranhero",
    ),
    ("BOL", 15_600, "Dirección General de Migración"),
    ("CUW", 14_000, "Government of Curaçao"),
    ("PRY", 5_300, "Dirección Nacional de Migraciones"),
];

/// Direct-assistance indicators the demo's partners report, with their sectors as written.
const DIRECT: [(&str, &str, &str); 8] = [
    ("Education", "EDU1", "Inscripción escolar"),
    ("Food Security", "FS1", "Entrega de kits de alimentos"),
    ("Health", "HEA1", "Consultas de atención primaria"),
    ("Protection (General)", "PRO1", "Orientación legal"),
    ("Protection (Child Protection)", "CP1", "Espacios amigables"),
    ("Shelter", "SHE3", "Alojamiento temporal"),
    ("WASH", "WASH1", "Kits de higiene"),
    (
        "Multipurpose Cash Assistance (MPC)",
        "MPC1",
        "Transferencias multipropósito",
    ),
];

fn sector_code(sector: &str) -> &'static str {
    match sector {
        "Education" => "education",
        "Food Security" => "food_security",
        "Health" => "health",
        "Protection (General)" => "protection_general",
        "Protection (Child Protection)" => "child_protection",
        "Shelter" => "shelter",
        "WASH" => "wash",
        _ => "multipurpose_cash",
    }
}

const DONORS: [&str; 5] = [
    "European Commission (ECHO)",
    "United States of America",
    "Canada",
    "Germany",
    "Spain",
];

fn date(raw: &str) -> time::Date {
    parse_date(raw).unwrap_or(time::Date::MIN)
}

fn figures() -> Vec<PopulationFigure> {
    let mut out = Vec::new();
    for (iso3, value, source) in FIGURES {
        let Ok(country) = Iso3::parse(iso3) else { continue };
        let figure = |kind, value, reference: &str, published: &str, notes: Option<&str>, changed| PopulationFigure {
            country,
            kind,
            value,
            source: source.to_owned(),
            reference_date: date(reference),
            publication_date: date(published),
            method_notes: notes.map(str::to_owned),
            method_changed: changed,
            official: true,
        };
        // Most countries publish at mid-year; a few are a quarter behind, which the regional
        // total must say.
        let late = matches!(iso3, "GUY" | "TTO" | "CUW");
        let (reference, published) = if late {
            ("2025-03-31", "2025-05-15")
        } else {
            ("2025-06-30", "2025-08-01")
        };
        out.push(figure(
            FigureType::RefugeesMigrants,
            value * 97 / 100,
            "2024-12-31",
            "2025-02-15",
            None,
            false,
        ));
        let changed = iso3 == "PER";
        let notes = changed.then_some("Counts people with a valid temporary permit rather than entries minus exits");
        out.push(figure(
            FigureType::RefugeesMigrants,
            value,
            reference,
            published,
            notes,
            changed,
        ));
        out.push(figure(
            FigureType::RegularStays,
            value * 6 / 10,
            reference,
            published,
            None,
            false,
        ));
        out.push(figure(
            FigureType::AsylumClaims,
            value / 40,
            reference,
            published,
            None,
            false,
        ));
    }
    out
}

/// The countries each partner reports in: a national organisation's own, an international
/// one's national platforms (at most four, to keep the demo quick to build).
fn presence(organisations: &[DemoOrganisation], platforms: &[PlatformSpec]) -> Vec<(String, Iso3)> {
    let mut out = Vec::new();
    for org in organisations {
        if matches!(
            org.kind,
            OrganisationKind::Government | OrganisationKind::Donor | OrganisationKind::Academic
        ) {
            continue;
        }
        let countries: Vec<Iso3> = match org.country {
            Some(country) => vec![country],
            None => platforms
                .iter()
                .filter(|p| p.kind == PlatformKind::National && org.platforms.iter().any(|c| c == p.code))
                .flat_map(|p| p.countries.iter().copied())
                .take(4)
                .collect(),
        };
        out.extend(countries.into_iter().map(|c| (org.acronym.clone(), c)));
    }
    out
}

/// Splits `n` into `parts` shares drawn from `rng`, adding up to `n`.
fn split(rng: &mut Rng, n: i64, weights: &[usize]) -> Vec<i64> {
    let drawn: Vec<i64> = weights.iter().map(|w| (rng.below(10) as i64 + 1) * *w as i64).collect();
    let total: i64 = drawn.iter().sum::<i64>().max(1);
    let mut out: Vec<i64> = drawn.iter().map(|d| n * d / total).collect();
    let rest = n - out.iter().sum::<i64>();
    if let Some(first) = out.first_mut() {
        *first += rest;
    }
    out
}

pub fn generate(
    seed: u64,
    areas: &[AdminArea],
    organisations: &[DemoOrganisation],
    platforms: &[PlatformSpec],
) -> R4vDemo {
    let mut rng = Rng::new(seed ^ 0x5734_0052_3456_4E57);
    let mut by_country: BTreeMap<Iso3, Vec<&AdminArea>> = BTreeMap::new();
    for area in areas.iter().filter(|a| a.level.get() == 1) {
        by_country.entry(area.country).or_default().push(area);
    }
    let mut reports = Vec::new();
    let mut targets = Vec::new();
    let mut reached: BTreeMap<(String, Iso3, &str), i64> = BTreeMap::new();
    for (acronym, country) in presence(organisations, platforms) {
        let Some(country_areas) = by_country.get(&country) else {
            continue;
        };
        let picks = [rng.below(DIRECT.len()), rng.below(DIRECT.len())];
        for (i, &pick) in picks.iter().enumerate() {
            if i == 1 && picks[0] == pick {
                continue;
            }
            let (sector, indicator, activity) = DIRECT[pick];
            let Some(area) = rng.pick(country_areas) else { continue };
            let mut area_name = area
                .names
                .es
                .clone()
                .or_else(|| area.names.en.clone())
                .unwrap_or_default();
            for month in 1..=12 {
                if rng.below(3) == 0 {
                    continue;
                }
                let Ok(month) = Month::new(YEAR, month) else { continue };
                let new = rng.below(300) as i64 + 5;
                let total = new + rng.below(new as usize) as i64;
                let population_split = split(&mut rng, new, &[8, 1, 2, 0, 0]);
                let mut age_gender = split(&mut rng, new, &[2, 2, 3, 3, 0, 0]);
                let cva = sector_code(sector) == "multipurpose_cash";
                let mut value = cva.then_some(new as f64 * 55.0);
                // A few reports break rules, as real ones do.
                match rng.below(40) {
                    0 => age_gender[3] += 1,
                    1 if cva => value = None,
                    2 => area_name = area_name.to_uppercase(),
                    3 => area_name = "Sin especificar".to_owned(),
                    _ => {}
                }
                *reached.entry((acronym.clone(), country, indicator)).or_default() += new;
                reports.push((
                    acronym.clone(),
                    Activity {
                        country: Some(country),
                        admin1: Some(area_name.clone()),
                        admin2: None,
                        appealing_org: Some(acronym.clone()),
                        implementation: Some(false),
                        implementing_partner: None,
                        month: Some(month),
                        sector: Some(sector.to_owned()),
                        indicator: Some(indicator.to_owned()),
                        activity_name: Some(activity.to_owned()),
                        activity_description: None,
                        rmrp_activity: Some(true),
                        cva: Some(cva),
                        value_usd: value,
                        delivery_mechanism: cva.then(|| "Transferencia bancaria".to_owned()),
                        quantity_output: None,
                        total_monthly: Some(total),
                        new_beneficiaries: Some(new),
                        population: [0, 1, 2, 3, 4].map(|p| Some(population_split[p])),
                        age_gender: [0, 1, 2, 3, 4, 5].map(|g| Some(age_gender[g])),
                    },
                ));
            }
        }
    }
    for ((organisation, country, indicator), people) in &reached {
        let Some((sector, _, _)) = DIRECT.iter().find(|(_, i, _)| i == indicator) else {
            continue;
        };
        let target = people * (12 + rng.below(8) as i64) / 10;
        let cva = sector_code(sector) == "multipurpose_cash";
        targets.push(DemoTarget {
            organisation: organisation.clone(),
            country: *country,
            sector: sector_code(sector),
            indicator,
            people: target,
            budget_in_kind: if cva { 0.0 } else { target as f64 * 40.0 },
            budget_cva: if cva { target as f64 * 60.0 } else { 0.0 },
        });
    }
    let mut funding = Vec::new();
    for (n, t) in targets.iter().enumerate() {
        if rng.below(3) == 0 {
            continue;
        }
        let share = (rng.below(70) + 10) as f64 / 100.0;
        funding.push(DemoFlow {
            id: format!("DEMO-{YEAR}-{:04}", n + 1),
            donor: DONORS[rng.below(DONORS.len())],
            recipient: t.organisation.clone(),
            country: t.country,
            sector: t.sector,
            amount: ((t.budget_in_kind + t.budget_cva) * share).round(),
        });
    }
    let mut needs = Vec::new();
    for (country, list) in &by_country {
        if !FIGURES.iter().any(|(iso3, _, _)| *iso3 == country.as_str()) {
            continue;
        }
        for area in list {
            let people = (rng.below(50_000) + 1_000) as i64;
            needs.push((
                *country,
                area.pcode.to_string(),
                "intersector".to_owned(),
                "in_destination",
                people,
            ));
            needs.push((
                *country,
                area.pcode.to_string(),
                "intersector".to_owned(),
                "host_community",
                people / 4,
            ));
        }
    }
    R4vDemo {
        figures: figures(),
        reports,
        targets,
        funding,
        needs,
    }
}

/// Writes the R4V demo through the store, as partners' files would arrive: the 5W reports in
/// one batched import (the 19 rules run on each), then figures, targets, funding and needs.
/// Returns how many 5W reports were written.
pub async fn load(
    store: &rumbo_store::Store,
    demo: &R4vDemo,
    organisation_ids: &std::collections::HashMap<&str, i64>,
    source: &str,
) -> anyhow::Result<usize> {
    use anyhow::Context;
    use rumbo_domain::audit::Actor;
    use rumbo_domain::r4v::DatasetType;
    use rumbo_store::r4v::{ActivityImport, FundingFlow, NeedRow, SubmissionMeta, TargetInput};

    let actor = Actor::system("cli");
    let id = |acronym: &str| {
        organisation_ids
            .get(acronym)
            .copied()
            .with_context(|| format!("the demo has no organisation {acronym}"))
    };
    let lead = id("UNHCR")?;
    let refs = store.r4v_references().await?;
    let rows = demo
        .reports
        .iter()
        .enumerate()
        .map(|(n, (acronym, activity))| {
            Ok(ActivityImport {
                place: format!("demo report {}", n + 1),
                activity: activity.clone(),
                organisation_id: id(acronym)?,
            })
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let mut meta = SubmissionMeta::new(DatasetType::Activities5w, lead, source, source.as_bytes());
    meta.rows_read = rows.len();
    store
        .import_activities(&actor, &refs, &rows, &meta)
        .await
        .context("importing the demo's 5W reports")?;

    let mut meta = SubmissionMeta::new(DatasetType::PopulationFigures, lead, source, source.as_bytes());
    meta.rows_read = demo.figures.len();
    store.add_population_figures(&actor, &demo.figures, &meta).await?;

    let targets = demo
        .targets
        .iter()
        .map(|t| {
            let mut population = [0; 5];
            population[0] = t.people * 8 / 10;
            population[2] = t.people - population[0];
            let girls = t.people / 4;
            Ok(TargetInput {
                year: YEAR,
                organisation_id: id(&t.organisation)?,
                country: t.country.to_string(),
                sector: t.sector.to_owned(),
                indicator: Some(t.indicator.to_owned()),
                activity: None,
                population,
                age_gender: [girls, girls, t.people / 4, t.people - 3 * girls, 0, 0],
                budget_in_kind_usd: t.budget_in_kind,
                budget_cva_usd: t.budget_cva,
            })
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    store.import_targets(&actor, &targets, source).await?;

    let flows = demo
        .funding
        .iter()
        .map(|f| {
            Ok(FundingFlow {
                flow_id: f.id.clone(),
                year: YEAR,
                amount_usd: f.amount,
                donor: Some(f.donor.to_owned()),
                recipient: Some(f.recipient.clone()),
                organisation_id: Some(id(&f.recipient)?),
                country: Some(f.country),
                sector: Some(f.sector.to_owned()),
                status: Some("paid".into()),
                description: None,
            })
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    store.import_funding(&actor, &flows, source).await?;

    let needs: Vec<NeedRow> = demo
        .needs
        .iter()
        .map(|(country, pcode, sector, population, people)| NeedRow {
            year: YEAR,
            country: *country,
            adm1_pcode: pcode.clone(),
            sector: sector.clone(),
            population_type: (*population).to_owned(),
            people_in_need: *people,
            method: "imported".into(),
            source: source.to_owned(),
        })
        .collect();
    store.import_needs(&actor, &needs, source, None).await?;
    Ok(rows.len())
}

#[cfg(test)]
mod tests {
    use crate::demo::{DEFAULT_SEED, generate as demo};

    #[test]
    fn a_year_of_reports_for_the_seventeen_countries() {
        let d = demo(DEFAULT_SEED).expect("demo");
        let r = &d.r4v;
        assert_eq!(
            r.figures
                .iter()
                .map(|f| f.country)
                .collect::<std::collections::BTreeSet<_>>()
                .len(),
            17
        );
        assert!(r.figures.iter().all(|f| f.validate().is_ok()));
        assert!(r.reports.len() > 300, "{} reports", r.reports.len());
        let months: std::collections::BTreeSet<_> = r.reports.iter().filter_map(|(_, a)| a.month).collect();
        assert_eq!(months.len(), 12);
        assert!(!r.targets.is_empty() && !r.funding.is_empty() && !r.needs.is_empty());
        assert_eq!(d.r4v, demo(DEFAULT_SEED).expect("demo").r4v, "same seed, same data");
    }
}
