//! Dashboards of the response against the plan: people reached against targets and people
//! in need, and funding received against requirements, by sector, country and partner.
//! Requirements are the sums of partners' budgets (in kind and in cash), as the RMRP's are.

use std::collections::BTreeMap;

use rumbo_domain::country::Iso3;
use rumbo_domain::r4v::consolidation::Level;
use rumbo_domain::r4v::planning::{Progress, ReportedReach, overlaps, progress};
use rumbo_domain::r4v::{Method, Month};
use rumbo_store::Store;
use rumbo_store::r4v::ActivityQuery;
use serde::Serialize;
use utoipa::ToSchema;

use super::outputs::{Consolidation, consolidated};
use crate::error::AppError;

/// One line of a dashboard.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Line {
    /// A sector code, an ISO3 country code or an organisation acronym.
    pub key: String,
    pub achieved: f64,
    pub planned: f64,
    /// `achieved / planned` in percent; null when nothing was planned.
    pub percent: Option<f64>,
}

fn lines(map: BTreeMap<String, (f64, f64)>) -> Vec<Line> {
    map.into_iter()
        .map(|(key, (a, p))| {
            let Progress {
                achieved,
                planned,
                percent,
            } = progress(a, p);
            Line {
                key,
                achieved,
                planned,
                percent,
            }
        })
        .collect()
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Dashboard {
    pub year: i64,
    /// How sectors were combined for the country figures.
    pub method: &'static str,
    /// People reached (new beneficiaries in the year) against targets.
    pub reached_by_sector: Vec<Line>,
    pub reached_by_country: Vec<Line>,
    pub reached_by_partner: Vec<Line>,
    /// People reached in each country against its people in need (intersector).
    pub reached_against_need: Vec<Line>,
    /// Funding received (USD) against requirements (USD).
    pub funded_by_sector: Vec<Line>,
    pub funded_by_country: Vec<Line>,
    pub funded_by_partner: Vec<Line>,
}

/// The year dashboards show unless asked: the latest year with reports, else this year.
pub async fn default_year(store: &Store) -> Result<i64, AppError> {
    Ok(match store.latest_activity_month().await? {
        Some(month) => i64::from(month.year),
        None => i64::from(time::OffsetDateTime::now_utc().year()),
    })
}

/// An organisation's acronym, looked up once per page.
async fn acronym(store: &Store, cache: &mut BTreeMap<i64, String>, id: i64) -> Result<String, AppError> {
    if let Some(known) = cache.get(&id) {
        return Ok(known.clone());
    }
    let found = store.organisation(id).await?.acronym;
    cache.insert(id, found.clone());
    Ok(found)
}

pub async fn dashboard(
    store: &Store,
    year: i64,
    method: Method,
    countries: Option<Vec<Iso3>>,
) -> Result<Dashboard, AppError> {
    let (from, to) = (Month::new(year, 1)?, Month::new(year, 12)?);
    let query = ActivityQuery {
        countries: countries.clone(),
        from: Some(from),
        to: Some(to),
        ..Default::default()
    };
    let rows = store.reach_rows(&query).await?;
    let targets = store.targets(Some(year), countries.as_deref()).await?;
    let funding = store.funding(Some(year), countries.as_deref()).await?;
    let needs = store.needs(Some(year), countries.as_deref()).await?;
    let outputs = consolidated(
        store,
        &Consolidation {
            method,
            countries: countries.clone(),
            from: Some(from),
            to: Some(to),
            whole_span: true,
        },
    )
    .await?;

    let mut by_sector: BTreeMap<String, (f64, f64)> = BTreeMap::new();
    let mut by_partner: BTreeMap<String, (f64, f64)> = BTreeMap::new();
    let mut acronyms: BTreeMap<i64, String> = BTreeMap::new();
    for t in &targets {
        acronyms.insert(t.input.organisation_id, t.organisation.clone());
    }
    for r in &rows {
        by_sector.entry(r.sector.clone()).or_default().0 += r.new_beneficiaries as f64;
        let name = acronym(store, &mut acronyms, r.organisation_id).await?;
        by_partner.entry(name).or_default().0 += r.new_beneficiaries as f64;
    }
    // A country's target, like its reach, cannot add sectors when people are counted once:
    // with maxsector it is its largest sector's target.
    let mut country_sector_targets: BTreeMap<(String, String), f64> = BTreeMap::new();
    let mut required_sector: BTreeMap<String, (f64, f64)> = BTreeMap::new();
    let mut required_country: BTreeMap<String, (f64, f64)> = BTreeMap::new();
    let mut required_partner: BTreeMap<String, (f64, f64)> = BTreeMap::new();
    for t in &targets {
        let people = t.input.population.iter().sum::<i64>() as f64;
        by_sector.entry(t.input.sector.clone()).or_default().1 += people;
        by_partner.entry(t.organisation.clone()).or_default().1 += people;
        *country_sector_targets
            .entry((t.input.country.clone(), t.input.sector.clone()))
            .or_default() += people;
        let budget = t.input.budget_in_kind_usd + t.input.budget_cva_usd;
        required_sector.entry(t.input.sector.clone()).or_default().1 += budget;
        required_country.entry(t.input.country.clone()).or_default().1 += budget;
        required_partner.entry(t.organisation.clone()).or_default().1 += budget;
    }
    let mut by_country: BTreeMap<String, (f64, f64)> = BTreeMap::new();
    for ((country, _), people) in &country_sector_targets {
        let entry = by_country.entry(country.clone()).or_default();
        entry.1 = match method {
            Method::Sum => entry.1 + people,
            Method::MaxSector => entry.1.max(*people),
        };
    }
    let mut against_need: BTreeMap<String, (f64, f64)> = BTreeMap::new();
    for o in outputs.iter().filter(|o| o.sector.is_none()) {
        if let Level::Country { country } = &o.level {
            by_country.entry(country.to_string()).or_default().0 += o.people as f64;
            against_need.entry(country.to_string()).or_default().0 += o.people as f64;
        }
    }
    for n in needs.iter().filter(|n| n.sector == "intersector") {
        against_need.entry(n.country.to_string()).or_default().1 += n.people_in_need as f64;
    }
    for f in &funding {
        if let Some(sector) = &f.sector {
            required_sector.entry(sector.clone()).or_default().0 += f.amount_usd;
        }
        if let Some(country) = f.country {
            required_country.entry(country.to_string()).or_default().0 += f.amount_usd;
        }
        if let Some(org) = f.organisation_id {
            let name = acronym(store, &mut acronyms, org).await?;
            required_partner.entry(name).or_default().0 += f.amount_usd;
        }
    }
    Ok(Dashboard {
        year,
        method: rumbo_domain::Vocabulary::code(method),
        reached_by_sector: lines(by_sector),
        reached_by_country: lines(by_country),
        reached_by_partner: lines(by_partner),
        reached_against_need: lines(against_need),
        funded_by_sector: lines(required_sector),
        funded_by_country: lines(required_country),
        funded_by_partner: lines(required_partner),
    })
}

/// An overlap, with the organisations named.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OverlapOut {
    pub country: String,
    pub area: String,
    pub month: String,
    pub indicator: String,
    pub population_type: &'static str,
    pub organisations: Vec<String>,
    pub activities: Vec<i64>,
}

/// Two or more partners reporting the same indicator in the same area, month and population
/// type, within `countries`.
pub async fn overlap_list(
    store: &Store,
    countries: Vec<Iso3>,
    from: Option<Month>,
    to: Option<Month>,
) -> Result<Vec<OverlapOut>, AppError> {
    let rows = store
        .reach_rows(&ActivityQuery {
            countries: Some(countries),
            from,
            to,
            ..Default::default()
        })
        .await?;
    let reach: Vec<ReportedReach> = rows
        .iter()
        .map(|r| ReportedReach {
            activity_id: r.id,
            organisation_id: r.organisation_id,
            country: r.country,
            area: r.admin2.as_deref().unwrap_or(&r.admin1),
            month: r.month,
            indicator: &r.indicator,
            population: r.population,
        })
        .collect();
    let mut acronyms: BTreeMap<i64, String> = BTreeMap::new();
    let mut out = Vec::new();
    for o in overlaps(&reach) {
        let mut organisations = Vec::new();
        for id in &o.organisations {
            organisations.push(acronym(store, &mut acronyms, *id).await?);
        }
        out.push(OverlapOut {
            country: o.country.to_string(),
            area: o.area,
            month: o.month.to_string(),
            indicator: o.indicator,
            population_type: o.population_type,
            organisations,
            activities: o.activities,
        });
    }
    Ok(out)
}
