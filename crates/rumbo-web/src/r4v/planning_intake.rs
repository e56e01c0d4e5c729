//! Planning files in: partners' targets and budgets, OCHA FTS funding flows, and people in
//! need computed from a household survey. Each row needs `ManageR4v` in its country.

use rumbo_domain::access::{Action, Target};
use rumbo_domain::country::Iso3;
use rumbo_domain::r4v::needs::DeprivationMethod;
use rumbo_domain::{Problem, Vocabulary};
use rumbo_io::r4v::dataset::{self, FTS_FLOWS, INDICATORS, TARGETS, read_dataset};
use rumbo_io::r4v::five_w::country_named;
use rumbo_store::r4v::{FundingFlow, NeedRow, TargetInput};

use super::intake::{clean_name, rejected, year_in};
use crate::AppState;
use crate::auth::Ctx;
use crate::error::AppError;

/// Partners' targets and budgets. Organisations are named by acronym; each row needs
/// `ManageR4v` in its country (IM officers plan with their partners).
pub async fn import_targets(
    state: &AppState,
    ctx: &Ctx,
    bytes: &[u8],
    file_name: Option<&str>,
) -> Result<usize, AppError> {
    ctx.require_somewhere(Action::ManageR4v)?;
    let file =
        read_dataset(bytes, TARGETS, &dataset::no_labels, false).map_err(|r| rejected(r.to_string(), r.problems))?;
    let registry = state.store.r4v_registry().await?;
    let mut problems = file.problems();
    let mut targets = Vec::new();
    for r in &file.records {
        let text = |f: &str| r.text(TARGETS, f).unwrap_or_default();
        let count = |f: &str| r.get(TARGETS, f).count().unwrap_or(0);
        let place = format!("row {}", r.number);
        let organisation = state.store.organisation_by_acronym(&text("organisation")).await?;
        let Some(organisation) = organisation else {
            problems.push(Problem::new(
                format!("{place}, column organisation"),
                format!("no organisation has the acronym '{}'", text("organisation")),
            ));
            continue;
        };
        let Some(sector) = registry.sector(&text("sector")) else {
            problems.push(Problem::new(
                format!("{place}, column sector"),
                format!("'{}' is not a sector", text("sector")),
            ));
            continue;
        };
        let indicator = r.text(TARGETS, "indicator");
        if let Some(code) = &indicator
            && registry.indicators().iter().all(|i| &i.code != code)
        {
            problems.push(Problem::new(
                format!("{place}, column indicator"),
                format!("'{code}' is not an indicator code"),
            ));
            continue;
        }
        let country = Iso3::parse(&text("country"))?;
        ctx.require(Action::ManageR4v, &Target::country(country))?;
        targets.push(TargetInput {
            year: count("year"),
            organisation_id: organisation.id,
            country: country.to_string(),
            sector: sector.code.clone(),
            indicator,
            activity: r.text(TARGETS, "activity"),
            population: [
                "in_destination",
                "in_transit",
                "host_community",
                "pendular",
                "colombian_returnee",
            ]
            .map(count),
            age_gender: ["girls", "boys", "women", "men", "other_under_18", "other_above_18"].map(count),
            budget_in_kind_usd: r.get(TARGETS, "budget_in_kind_usd").amount().unwrap_or(0.0),
            budget_cva_usd: r.get(TARGETS, "budget_cva_usd").amount().unwrap_or(0.0),
        });
    }
    if !problems.is_empty() {
        return Err(rejected(
            format!("{} problem(s) in the targets; nothing was imported", problems.len()),
            problems,
        ));
    }
    Ok(state
        .store
        .import_targets(&ctx.actor(), &targets, &clean_name(file_name))
        .await?)
}

/// Funding flows from an OCHA FTS export. Recipients, countries and sectors are matched to
/// Rumbo's where the names allow; a flow to a country the user does not manage is refused.
pub async fn import_funding(
    state: &AppState,
    ctx: &Ctx,
    bytes: &[u8],
    file_name: Option<&str>,
) -> Result<usize, AppError> {
    ctx.require_somewhere(Action::ManageR4v)?;
    let file =
        read_dataset(bytes, FTS_FLOWS, &dataset::fts_labels, false).map_err(|r| rejected(r.to_string(), r.problems))?;
    let problems = file.problems();
    if !problems.is_empty() {
        return Err(rejected(
            format!("{} problem(s) in the flows; nothing was imported", problems.len()),
            problems,
        ));
    }
    let refs = state.store.r4v_references().await?;
    let mut flows = Vec::new();
    for r in &file.records {
        let text = |f: &str| r.text(FTS_FLOWS, f);
        // FTS lists several destination countries or clusters separated by commas; the first names it.
        let first = |f: &str| text(f).and_then(|t| t.split([',', ';']).next().map(|s| s.trim().to_owned()));
        let country = first("country").and_then(|c| country_named(&c));
        match country {
            Some(c) => ctx.require(Action::ManageR4v, &Target::country(c))?,
            None => ctx.require(Action::ManageR4v, &Target::anywhere())?,
        };
        let year = text("year")
            .or_else(|| text("date"))
            .and_then(|y| y.get(..4).and_then(|y| y.parse::<i64>().ok()))
            .unwrap_or_else(|| year_in(""));
        flows.push(FundingFlow {
            flow_id: text("flow_id").unwrap_or_default(),
            year,
            amount_usd: r.get(FTS_FLOWS, "amount_usd").amount().unwrap_or(0.0),
            donor: text("donor"),
            recipient: text("recipient"),
            organisation_id: text("recipient").and_then(|o| refs.partner(&o)),
            country,
            sector: first("sector").and_then(|s| refs.registry.sector(&s).map(|s| s.code.clone())),
            status: text("status"),
            description: text("description"),
        });
    }
    Ok(state
        .store
        .import_funding(&ctx.actor(), &flows, &clean_name(file_name))
        .await?)
}

/// People in need computed from a household survey with the multidimensional deprivation
/// method, stored as the year's needs of the areas surveyed.
pub async fn compute_needs(
    state: &AppState,
    ctx: &Ctx,
    bytes: &[u8],
    file_name: Option<&str>,
    year: i64,
) -> Result<usize, AppError> {
    ctx.require_somewhere(Action::ManageR4v)?;
    let survey = rumbo_io::r4v::households::read_households(bytes).map_err(|r| rejected(r.to_string(), r.problems))?;
    let method = DeprivationMethod::new(survey.indicators.clone())?;
    for h in &survey.households {
        ctx.require(Action::ManageR4v, &Target::country(h.country))?;
    }
    let pin = method.people_in_need(&survey.households)?;
    let source = clean_name(file_name);
    let rows: Vec<NeedRow> = pin
        .into_iter()
        .map(|p| NeedRow {
            year,
            country: p.country,
            adm1_pcode: p.admin1,
            sector: p.sector.unwrap_or_else(|| "intersector".into()),
            population_type: p.population_type.code().to_owned(),
            people_in_need: p.people,
            method: "deprivation".into(),
            source: source.clone(),
        })
        .collect();
    Ok(state.store.import_needs(&ctx.actor(), &rows, &source, None).await?.0)
}

/// The indicator registry of a plan year (columns code, sector, name_en, name_es, kind — the
/// kind as R4V writes it: "Direct Assistance", "Capacity Building"...). Region-wide: only
/// regional IM officers and administrators.
pub async fn import_indicators(
    state: &AppState,
    ctx: &Ctx,
    bytes: &[u8],
    file_name: Option<&str>,
) -> Result<usize, AppError> {
    ctx.require(Action::ManageR4v, &Target::anywhere())?;
    let file =
        read_dataset(bytes, INDICATORS, &dataset::no_labels, false).map_err(|r| rejected(r.to_string(), r.problems))?;
    let mut problems = file.problems();
    let mut indicators = Vec::new();
    for r in &file.records {
        let text = |f: &str| r.text(INDICATORS, f).unwrap_or_default();
        match rumbo_domain::r4v::IndicatorType::from_label(&text("kind")) {
            Ok(kind) => indicators.push(rumbo_domain::r4v::registry::Indicator {
                code: text("code"),
                sector: text("sector"),
                name_en: text("name_en"),
                name_es: r.text(INDICATORS, "name_es"),
                kind,
            }),
            Err(e) => problems.push(Problem::new(format!("row {}, column kind", r.number), e)),
        }
    }
    if !problems.is_empty() {
        return Err(rejected(
            format!("{} problem(s) in the indicators; nothing was imported", problems.len()),
            problems,
        ));
    }
    Ok(state
        .store
        .import_indicators(&ctx.actor(), &indicators, &clean_name(file_name))
        .await?)
}
