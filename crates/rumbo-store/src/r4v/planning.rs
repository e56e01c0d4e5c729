//! RMRP planning: partners' planned activities with targets and budgets (whose sums are the
//! requirements by sector and country), funding flows from OCHA's Financial Tracking Service,
//! and people in need per admin-1 area, sector and population type.

use rumbo_domain::audit::{Actor, AuditAction, Entity};
use rumbo_domain::country::Iso3;
use serde::Serialize;
use sqlx::Row;

use super::exchange::{SubmissionMeta, accepted_status, insert_submission};
use crate::audit::record;
use crate::query::{Filter, dynamic};
use crate::{Result, Store, StoreError, now};

/// A partner's planned activity, as imported or entered.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct TargetInput {
    pub year: i64,
    pub organisation_id: i64,
    pub country: Iso3Text,
    pub sector: String,
    pub indicator: Option<String>,
    pub activity: Option<String>,
    pub population: [i64; 5],
    pub age_gender: [i64; 6],
    pub budget_in_kind_usd: f64,
    pub budget_cva_usd: f64,
}

/// A country code kept as text in inputs (checked when parsed).
pub type Iso3Text = String;

/// A stored target with its organisation's acronym.
#[derive(Debug, Clone, Serialize)]
pub struct TargetRow {
    pub id: i64,
    pub organisation: String,
    #[serde(flatten)]
    pub input: TargetInput,
}

/// One funding flow.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct FundingFlow {
    pub flow_id: String,
    pub year: i64,
    pub amount_usd: f64,
    pub donor: Option<String>,
    pub recipient: Option<String>,
    pub organisation_id: Option<i64>,
    pub country: Option<Iso3>,
    pub sector: Option<String>,
    pub status: Option<String>,
    pub description: Option<String>,
}

/// People in need in one cell.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NeedRow {
    pub year: i64,
    pub country: Iso3,
    pub adm1_pcode: String,
    /// A sector code, or `intersector`.
    pub sector: String,
    pub population_type: String,
    pub people_in_need: i64,
    /// `imported` or `deprivation`.
    pub method: String,
    pub source: String,
}

const TARGET_COUNTS: [&str; 11] = [
    "in_destination",
    "in_transit",
    "host_community",
    "pendular",
    "colombian_returnee",
    "girls",
    "boys",
    "women",
    "men",
    "other_under_18",
    "other_above_18",
];

/// `prefix` is the table alias with its dot (`t.`), or empty.
fn years_and_countries(year: Option<i64>, countries: Option<&[Iso3]>, prefix: &str) -> Filter {
    let mut f = Filter::default();
    let column = format!("{prefix}country_iso3");
    if let Some(year) = year {
        f.push(&format!("{prefix}year = $"), year);
    }
    if let Some(countries) = countries {
        let list: Vec<String> = countries.iter().map(|c| f.bind(c.to_string())).collect();
        let list = if list.is_empty() {
            "NULL".to_owned()
        } else {
            list.join(", ")
        };
        f.push_fixed(&format!("{column} IN ({list})"));
    }
    f
}

impl Store {
    /// Replaces the targets of `(year, organisation, country)` for every such combination in
    /// `targets`: a partner's plan is sent whole.
    pub async fn import_targets(&self, actor: &Actor, targets: &[TargetInput], source: &str) -> Result<usize> {
        let mut tx = self.pool.begin().await?;
        let mut replaced: Vec<(i64, i64, &str)> = Vec::new();
        let at = now();
        for t in targets {
            let key = (t.year, t.organisation_id, t.country.as_str());
            if !replaced.contains(&key) {
                sqlx::query("DELETE FROM r4v_targets WHERE year = $1 AND organisation_id = $2 AND country_iso3 = $3")
                    .bind(t.year)
                    .bind(t.organisation_id)
                    .bind(&t.country)
                    .execute(&mut *tx)
                    .await?;
                replaced.push(key);
            }
            let mut args = sqlx::any::AnyArguments::default();
            use sqlx::Arguments;
            let add_err = |e: sqlx::error::BoxDynError| StoreError::Corrupt {
                what: "bound value",
                detail: e.to_string(),
            };
            args.add(t.year).map_err(add_err)?;
            args.add(t.organisation_id).map_err(add_err)?;
            args.add(t.country.clone()).map_err(add_err)?;
            args.add(t.sector.clone()).map_err(add_err)?;
            args.add(t.indicator.clone()).map_err(add_err)?;
            args.add(t.activity.clone()).map_err(add_err)?;
            for n in t.population.iter().chain(&t.age_gender) {
                args.add(*n).map_err(add_err)?;
            }
            args.add(t.budget_in_kind_usd).map_err(add_err)?;
            args.add(t.budget_cva_usd).map_err(add_err)?;
            args.add(at.clone()).map_err(add_err)?;
            let placeholders: Vec<String> = (1..=20).map(|k| format!("${k}")).collect();
            let sql = format!(
                "INSERT INTO r4v_targets (year, organisation_id, country_iso3, sector_code, indicator_code, activity, {},
                     budget_in_kind_usd, budget_cva_usd, created_at, updated_at)
                 VALUES ({}, $20, $20)",
                TARGET_COUNTS.join(", "),
                placeholders[..19].join(", ")
            );
            sqlx::query_with(dynamic(sql), args)
                .execute(&mut *tx)
                .await
                .map_err(|e| match &e {
                    sqlx::Error::Database(db) if db.is_foreign_key_violation() => StoreError::Conflict(format!(
                        "a target names an unknown organisation, country, sector or indicator ({} / {})",
                        t.sector,
                        t.indicator.as_deref().unwrap_or("-")
                    )),
                    _ => StoreError::Database(e),
                })?;
        }
        record(
            &mut tx,
            actor,
            AuditAction::Import,
            Entity::R4vTarget,
            None,
            &format!("imported {} RMRP target(s) from {source}", targets.len()),
        )
        .await?;
        tx.commit().await?;
        Ok(targets.len())
    }

    pub async fn targets(&self, year: Option<i64>, countries: Option<&[Iso3]>) -> Result<Vec<TargetRow>> {
        let filter = years_and_countries(year, countries, "t.");
        let sql = format!(
            "SELECT t.id, o.acronym, t.year, t.organisation_id, t.country_iso3, t.sector_code, t.indicator_code, t.activity,
                    {}, t.budget_in_kind_usd, t.budget_cva_usd
             FROM r4v_targets t JOIN organisations o ON o.id = t.organisation_id{}
             ORDER BY t.year, t.country_iso3, t.sector_code, o.acronym, t.id",
            TARGET_COUNTS.map(|c| format!("t.{c}")).join(", "),
            filter.where_clause()
        );
        let rows = sqlx::query_with(dynamic(sql), filter.into_args())
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                let mut counts = [0i64; 11];
                for (slot, c) in counts.iter_mut().zip(TARGET_COUNTS) {
                    *slot = r.try_get(c)?;
                }
                let mut population = [0; 5];
                population.copy_from_slice(&counts[..5]);
                let mut age_gender = [0; 6];
                age_gender.copy_from_slice(&counts[5..]);
                Ok(TargetRow {
                    id: r.try_get("id")?,
                    organisation: r.try_get("acronym")?,
                    input: TargetInput {
                        year: r.try_get("year")?,
                        organisation_id: r.try_get("organisation_id")?,
                        country: r.try_get("country_iso3")?,
                        sector: r.try_get("sector_code")?,
                        indicator: r.try_get("indicator_code")?,
                        activity: r.try_get("activity")?,
                        population,
                        age_gender,
                        budget_in_kind_usd: r.try_get("budget_in_kind_usd")?,
                        budget_cva_usd: r.try_get("budget_cva_usd")?,
                    },
                })
            })
            .collect::<Result<Vec<_>, sqlx::Error>>()
            .map_err(Into::into)
    }

    /// Adds funding flows; a flow already stored (same FTS id) is replaced by the new figures.
    pub async fn import_funding(&self, actor: &Actor, flows: &[FundingFlow], source: &str) -> Result<usize> {
        let mut tx = self.pool.begin().await?;
        let at = now();
        for f in flows {
            sqlx::query(
                "INSERT INTO r4v_funding (flow_id, year, amount_usd, donor, recipient, organisation_id, country_iso3, sector_code,
                     status, description, imported_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
                 ON CONFLICT (flow_id) DO UPDATE SET year = excluded.year, amount_usd = excluded.amount_usd,
                     donor = excluded.donor, recipient = excluded.recipient, organisation_id = excluded.organisation_id,
                     country_iso3 = excluded.country_iso3, sector_code = excluded.sector_code, status = excluded.status,
                     description = excluded.description, imported_at = excluded.imported_at",
            )
            .bind(&f.flow_id)
            .bind(f.year)
            .bind(f.amount_usd)
            .bind(&f.donor)
            .bind(&f.recipient)
            .bind(f.organisation_id)
            .bind(f.country.map(|c| c.to_string()))
            .bind(&f.sector)
            .bind(&f.status)
            .bind(&f.description)
            .bind(&at)
            .execute(&mut *tx)
            .await?;
        }
        record(
            &mut tx,
            actor,
            AuditAction::Import,
            Entity::R4vFunding,
            None,
            &format!("imported {} funding flow(s) from {source}", flows.len()),
        )
        .await?;
        tx.commit().await?;
        Ok(flows.len())
    }

    pub async fn funding(&self, year: Option<i64>, countries: Option<&[Iso3]>) -> Result<Vec<FundingFlow>> {
        let filter = years_and_countries(year, countries, "");
        let sql = format!(
            "SELECT flow_id, year, amount_usd, donor, recipient, organisation_id, country_iso3, sector_code, status, description
             FROM r4v_funding{} ORDER BY year, country_iso3, flow_id",
            filter.where_clause()
        );
        let rows = sqlx::query_with(dynamic(sql), filter.into_args())
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(FundingFlow {
                    flow_id: r.try_get("flow_id")?,
                    year: r.try_get("year")?,
                    amount_usd: r.try_get("amount_usd")?,
                    donor: r.try_get("donor")?,
                    recipient: r.try_get("recipient")?,
                    organisation_id: r.try_get("organisation_id")?,
                    country: r
                        .try_get::<Option<String>, _>("country_iso3")?
                        .as_deref()
                        .map(Iso3::parse)
                        .transpose()?,
                    sector: r.try_get("sector_code")?,
                    status: r.try_get("status")?,
                    description: r.try_get("description")?,
                })
            })
            .collect()
    }

    /// Stores people in need, replacing the cells given; with `meta`, the file's provenance
    /// is recorded in the same transaction and its id returned.
    pub async fn import_needs(
        &self,
        actor: &Actor,
        needs: &[NeedRow],
        source: &str,
        meta: Option<&SubmissionMeta>,
    ) -> Result<(usize, Option<i64>)> {
        let mut tx = self.pool.begin().await?;
        let submission = match meta {
            Some(meta) => {
                Some(insert_submission(&mut tx, actor, meta, needs.len(), accepted_status(needs.len(), meta)).await?)
            }
            None => None,
        };
        let at = now();
        for n in needs {
            sqlx::query(
                "INSERT INTO r4v_needs (year, country_iso3, adm1_pcode, sector_code, population_type, people_in_need, method,
                     source, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                 ON CONFLICT (year, country_iso3, adm1_pcode, sector_code, population_type) DO UPDATE SET
                     people_in_need = excluded.people_in_need, method = excluded.method, source = excluded.source,
                     updated_at = excluded.updated_at",
            )
            .bind(n.year)
            .bind(n.country.to_string())
            .bind(&n.adm1_pcode)
            .bind(&n.sector)
            .bind(&n.population_type)
            .bind(n.people_in_need)
            .bind(&n.method)
            .bind(&n.source)
            .bind(&at)
            .execute(&mut *tx)
            .await?;
        }
        record(
            &mut tx,
            actor,
            AuditAction::Import,
            Entity::R4vNeeds,
            None,
            &format!("stored {} people-in-need figure(s) from {source}", needs.len()),
        )
        .await?;
        tx.commit().await?;
        Ok((needs.len(), submission))
    }

    pub async fn needs(&self, year: Option<i64>, countries: Option<&[Iso3]>) -> Result<Vec<NeedRow>> {
        let filter = years_and_countries(year, countries, "");
        let sql = format!(
            "SELECT year, country_iso3, adm1_pcode, sector_code, population_type, people_in_need, method, source
             FROM r4v_needs{} ORDER BY year, country_iso3, adm1_pcode, sector_code, population_type",
            filter.where_clause()
        );
        let rows = sqlx::query_with(dynamic(sql), filter.into_args())
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(NeedRow {
                    year: r.try_get("year")?,
                    country: Iso3::parse(&r.try_get::<String, _>("country_iso3")?)?,
                    adm1_pcode: r.try_get("adm1_pcode")?,
                    sector: r.try_get("sector_code")?,
                    population_type: r.try_get("population_type")?,
                    people_in_need: r.try_get("people_in_need")?,
                    method: r.try_get("method")?,
                    source: r.try_get("source")?,
                })
            })
            .collect()
    }
}
