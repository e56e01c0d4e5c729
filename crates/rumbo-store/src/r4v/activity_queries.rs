//! 5W reports out: one report, lists with filters, a report's corrections, the error report
//! per organisation, and the rows consolidation and overlap detection read.

use rumbo_domain::Vocabulary;
use rumbo_domain::country::Iso3;
use rumbo_domain::r4v::rules::{Activity, Broken, Rule};
use rumbo_domain::r4v::{IndicatorType, Month};
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;

use super::activities::DATA_COLUMNS;
use crate::query::{Filter, dynamic};
use crate::{Page, Result, Store, StoreError};

/// A stored report.
#[derive(Debug, Clone, Serialize)]
pub struct ActivityRecord {
    pub id: i64,
    pub organisation_id: i64,
    pub organisation: String,
    #[serde(skip)]
    pub activity: Activity,
    pub country: Iso3,
    pub adm1_pcode: Option<String>,
    pub adm2_pcode: Option<String>,
    pub appealing_org_id: Option<i64>,
    pub implementing_partner_id: Option<i64>,
    pub sector_code: Option<String>,
    pub indicator_code: Option<String>,
    pub indicator_kind: Option<String>,
    pub broken: Broken,
    pub validated_at: Option<String>,
    pub validated_by: Option<i64>,
    pub submission_id: Option<i64>,
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
}

/// Filters of report lists; all optional.
#[derive(Debug, Clone, Default)]
pub struct ActivityQuery {
    /// Only these countries; `None` for all.
    pub countries: Option<Vec<Iso3>>,
    /// Only reports owned by this organisation.
    pub organisation_id: Option<i64>,
    /// Reports of organisation `.0` in countries `.1`, or any report of countries `.2`: what a
    /// user who is both a partner and an IM officer somewhere may see.
    pub reach: Option<(Option<i64>, Vec<Iso3>, Vec<Iso3>)>,
    pub from: Option<Month>,
    pub to: Option<Month>,
    pub sector: Option<String>,
    /// Only reports breaking at least one rule, or this one.
    pub with_errors: bool,
    pub rule: Option<Rule>,
}

fn countries_in(filter: &mut Filter, countries: &[Iso3]) -> String {
    let list: Vec<String> = countries.iter().map(|c| filter.bind(c.to_string())).collect();
    if list.is_empty() {
        "NULL".to_owned()
    } else {
        list.join(", ")
    }
}

impl ActivityQuery {
    fn filter(&self) -> Filter {
        let mut f = Filter::default();
        if let Some(countries) = &self.countries {
            let list = countries_in(&mut f, countries);
            f.push_fixed(&format!("a.country_iso3 IN ({list})"));
        }
        if let Some(org) = self.organisation_id {
            f.push("a.organisation_id = $", org);
        }
        if let Some((org, org_countries, im_countries)) = &self.reach {
            let own = match org {
                Some(org) => {
                    let o = f.bind(*org);
                    let list = countries_in(&mut f, org_countries);
                    format!("(a.organisation_id = {o} AND a.country_iso3 IN ({list}))")
                }
                None => "1 = 0".to_owned(),
            };
            let list = countries_in(&mut f, im_countries);
            f.push_fixed(&format!("({own} OR a.country_iso3 IN ({list}))"));
        }
        if let Some(from) = self.from {
            f.push("a.month >= $", from.to_string());
        }
        if let Some(to) = self.to {
            f.push("a.month <= $", to.to_string());
        }
        if let Some(sector) = &self.sector {
            f.push("a.sector_code = $", sector.clone());
        }
        if let Some(rule) = self.rule {
            // Bits are tested with division and modulo, which both dialects write alike.
            f.push_fixed(&format!("(a.broken_rules / {}) % 2 = 1", 1_i64 << rule.id()));
        } else if self.with_errors {
            f.push_fixed("a.broken_rules <> 0");
        }
        f
    }
}

fn select_columns() -> String {
    let data: Vec<String> = DATA_COLUMNS.iter().map(|c| format!("a.{c}")).collect();
    format!(
        "a.id, o.acronym, {}, a.validated_at, a.validated_by, a.submission_id, a.version, a.created_at, a.updated_at",
        data.join(", ")
    )
}

fn record_from_row(r: &AnyRow) -> Result<ActivityRecord> {
    let text = |c: &str| -> Result<Option<String>> { Ok(r.try_get::<Option<String>, _>(c)?) };
    let int = |c: &str| -> Result<Option<i64>> { Ok(r.try_get::<Option<i64>, _>(c)?) };
    let flag = |c: &str| -> Result<Option<bool>> { Ok(int(c)?.map(|v| v != 0)) };
    let country = Iso3::parse(&r.try_get::<String, _>("country_iso3")?)?;
    let month = text("month")?.as_deref().map(Month::parse).transpose()?;
    let mut population = [None; 5];
    for (slot, c) in population.iter_mut().zip(&DATA_COLUMNS[26..31]) {
        *slot = int(c)?;
    }
    let mut age_gender = [None; 6];
    for (slot, c) in age_gender.iter_mut().zip(&DATA_COLUMNS[31..37]) {
        *slot = int(c)?;
    }
    let activity = Activity {
        country: Some(country),
        admin1: text("admin1")?,
        admin2: text("admin2")?,
        appealing_org: text("appealing_org")?,
        implementation: flag("implementation")?,
        implementing_partner: text("implementing_partner")?,
        month,
        sector: text("sector")?,
        indicator: text("indicator")?,
        activity_name: text("activity_name")?,
        activity_description: text("activity_description")?,
        rmrp_activity: flag("rmrp_activity")?,
        cva: flag("cva")?,
        value_usd: r.try_get::<Option<f64>, _>("value_usd")?,
        delivery_mechanism: text("delivery_mechanism")?,
        quantity_output: int("quantity_output")?,
        total_monthly: int("total_monthly")?,
        new_beneficiaries: int("new_beneficiaries")?,
        population,
        age_gender,
    };
    let broken: i64 = r.try_get("broken_rules")?;
    Ok(ActivityRecord {
        id: r.try_get("id")?,
        organisation_id: r.try_get("organisation_id")?,
        organisation: r.try_get("acronym")?,
        activity,
        country,
        adm1_pcode: text("adm1_pcode")?,
        adm2_pcode: text("adm2_pcode")?,
        appealing_org_id: int("appealing_org_id")?,
        implementing_partner_id: int("implementing_partner_id")?,
        sector_code: text("sector_code")?,
        indicator_code: text("indicator_code")?,
        indicator_kind: text("indicator_kind")?,
        broken: Broken(u32::try_from(broken).unwrap_or(0)),
        validated_at: text("validated_at")?,
        validated_by: int("validated_by")?,
        submission_id: int("submission_id")?,
        version: r.try_get("version")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
    })
}

/// One correction of a report.
#[derive(Debug, Clone, Serialize)]
pub struct ActivityChange {
    pub version: i64,
    pub changed_at: String,
    pub changed_by: Option<i64>,
    pub username: Option<String>,
    pub channel: String,
    pub fields: String,
    pub before: serde_json::Value,
    pub after: serde_json::Value,
    pub broken_before: Broken,
    pub broken_after: Broken,
}

/// One organisation's line of the error report.
#[derive(Debug, Clone, Serialize)]
pub struct OrganisationErrors {
    pub organisation_id: i64,
    pub organisation: String,
    pub reports: i64,
    pub with_errors: i64,
    /// Reports breaking each rule, by rule id (index 0 unused).
    pub per_rule: Vec<i64>,
}

/// A direct-assistance report, as consolidation reads it.
#[derive(Debug, Clone)]
pub struct ReachRow {
    pub id: i64,
    pub organisation_id: i64,
    pub country: Iso3,
    pub admin1: String,
    pub admin2: Option<String>,
    pub month: Month,
    pub sector: String,
    pub indicator: String,
    pub cva: bool,
    pub total_monthly: i64,
    pub new_beneficiaries: i64,
    pub population: [i64; 5],
    pub age_gender: [i64; 6],
}

impl Store {
    pub async fn activity(&self, id: i64) -> Result<ActivityRecord> {
        let sql = format!(
            "SELECT {} FROM r4v_activities a JOIN organisations o ON o.id = a.organisation_id WHERE a.id = $1",
            select_columns()
        );
        let row = sqlx::query(dynamic(sql))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| StoreError::not_found("5W report", id))?;
        record_from_row(&row)
    }

    pub async fn activities(&self, query: &ActivityQuery, page: Page) -> Result<(Vec<ActivityRecord>, i64)> {
        let mut filter = query.filter();
        let clause = filter.where_clause();
        let total: i64 = sqlx::query_with(
            dynamic(format!("SELECT COUNT(*) AS n FROM r4v_activities a{clause}")),
            filter.args(),
        )
        .fetch_one(&self.pool)
        .await?
        .try_get("n")?;
        let sql = format!(
            "SELECT {} FROM r4v_activities a JOIN organisations o ON o.id = a.organisation_id{clause}
             ORDER BY a.month DESC, a.country_iso3, o.acronym, a.id{}",
            select_columns(),
            filter.limit(page)
        );
        let rows = sqlx::query_with(dynamic(sql), filter.into_args())
            .fetch_all(&self.pool)
            .await?;
        Ok((rows.iter().map(record_from_row).collect::<Result<_>>()?, total))
    }

    /// The latest month any report describes: the default period of dashboards, since the
    /// current month is rarely reported yet.
    pub async fn latest_activity_month(&self) -> Result<Option<Month>> {
        let latest: Option<String> = sqlx::query("SELECT MAX(month) AS m FROM r4v_activities")
            .fetch_one(&self.pool)
            .await?
            .try_get("m")?;
        Ok(latest.as_deref().map(Month::parse).transpose()?)
    }

    /// A report's corrections, oldest first.
    pub async fn activity_history(&self, id: i64) -> Result<Vec<ActivityChange>> {
        let rows = sqlx::query(
            "SELECT c.version, c.changed_at, c.changed_by, u.username, c.channel, c.fields, c.before_json, c.after_json,
                    c.broken_before, c.broken_after
             FROM r4v_activity_changes c LEFT JOIN users u ON u.id = c.changed_by
             WHERE c.activity_id = $1 ORDER BY c.version",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let json = |c: &str| -> Result<serde_json::Value> {
                    let text: String = r.try_get(c)?;
                    serde_json::from_str(&text).map_err(|e| StoreError::Corrupt {
                        what: "5W history",
                        detail: e.to_string(),
                    })
                };
                let bits =
                    |c: &str| -> Result<Broken> { Ok(Broken(u32::try_from(r.try_get::<i64, _>(c)?).unwrap_or(0))) };
                Ok(ActivityChange {
                    version: r.try_get("version")?,
                    changed_at: r.try_get("changed_at")?,
                    changed_by: r.try_get("changed_by")?,
                    username: r.try_get("username")?,
                    channel: r.try_get("channel")?,
                    fields: r.try_get("fields")?,
                    before: json("before_json")?,
                    after: json("after_json")?,
                    broken_before: bits("broken_before")?,
                    broken_after: bits("broken_after")?,
                })
            })
            .collect()
    }

    /// How many reports of each organisation break each rule.
    pub async fn error_report(&self, query: &ActivityQuery) -> Result<Vec<OrganisationErrors>> {
        let filter = query.filter();
        let sql = format!(
            "SELECT a.organisation_id, o.acronym, a.broken_rules, COUNT(*) AS n
             FROM r4v_activities a JOIN organisations o ON o.id = a.organisation_id{}
             GROUP BY a.organisation_id, o.acronym, a.broken_rules ORDER BY o.acronym",
            filter.where_clause()
        );
        let rows = sqlx::query_with(dynamic(sql), filter.into_args())
            .fetch_all(&self.pool)
            .await?;
        let mut out: Vec<OrganisationErrors> = Vec::new();
        for r in &rows {
            let id: i64 = r.try_get("organisation_id")?;
            let n: i64 = r.try_get("n")?;
            let broken = Broken(u32::try_from(r.try_get::<i64, _>("broken_rules")?).unwrap_or(0));
            if out.last().is_none_or(|o| o.organisation_id != id) {
                out.push(OrganisationErrors {
                    organisation_id: id,
                    organisation: r.try_get("acronym")?,
                    reports: 0,
                    with_errors: 0,
                    per_rule: vec![0; 20],
                });
            }
            if let Some(entry) = out.last_mut() {
                entry.reports += n;
                if !broken.is_empty() {
                    entry.with_errors += n;
                }
                for rule in broken.rules() {
                    entry.per_rule[usize::from(rule.id())] += n;
                }
            }
        }
        Ok(out)
    }

    /// The direct-assistance reports with a month, an admin-1 area and a sector, for
    /// consolidation and overlap detection.
    pub async fn reach_rows(&self, query: &ActivityQuery) -> Result<Vec<ReachRow>> {
        let mut filter = query.filter();
        filter.push("a.indicator_kind = $", IndicatorType::DirectAssistance.code());
        filter.push_fixed("a.month IS NOT NULL AND a.sector_code IS NOT NULL AND a.admin1 IS NOT NULL");
        let sql = format!(
            "SELECT a.id, a.organisation_id, a.country_iso3, COALESCE(a.adm1_pcode, a.admin1) AS area1,
                    COALESCE(a.adm2_pcode, a.admin2) AS area2, a.month, a.sector_code, a.indicator_code, a.cva,
                    a.total_monthly, a.new_beneficiaries, {}
             FROM r4v_activities a{}",
            DATA_COLUMNS[26..37].join(", "),
            filter.where_clause()
        );
        let rows = sqlx::query_with(dynamic(sql), filter.into_args())
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                let count = |c: &str| -> Result<i64> { Ok(r.try_get::<Option<i64>, _>(c)?.unwrap_or(0)) };
                let mut population = [0; 5];
                for (slot, c) in population.iter_mut().zip(&DATA_COLUMNS[26..31]) {
                    *slot = count(c)?;
                }
                let mut age_gender = [0; 6];
                for (slot, c) in age_gender.iter_mut().zip(&DATA_COLUMNS[31..37]) {
                    *slot = count(c)?;
                }
                Ok(ReachRow {
                    id: r.try_get("id")?,
                    organisation_id: r.try_get("organisation_id")?,
                    country: Iso3::parse(&r.try_get::<String, _>("country_iso3")?)?,
                    admin1: r.try_get("area1")?,
                    admin2: r.try_get("area2")?,
                    month: Month::parse(&r.try_get::<String, _>("month")?)?,
                    sector: r.try_get("sector_code")?,
                    indicator: r.try_get::<Option<String>, _>("indicator_code")?.unwrap_or_default(),
                    cva: r.try_get::<Option<i64>, _>("cva")?.unwrap_or(0) != 0,
                    total_monthly: count("total_monthly")?,
                    new_beneficiaries: count("new_beneficiaries")?,
                    population,
                    age_gender,
                })
            })
            .collect()
    }
}
