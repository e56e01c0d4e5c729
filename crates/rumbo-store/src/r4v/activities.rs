//! 5W reports in: imports in batches (one transaction, many rows per statement), corrections
//! that keep a history of every changed value and run the rules again, validation by the
//! country's IM officers, and deletion of reports entered by mistake.

use std::collections::BTreeMap;

use rumbo_domain::Vocabulary;
use rumbo_domain::audit::{Actor, AuditAction, Entity};
use rumbo_domain::country::Iso3;
use rumbo_domain::r4v::rules::{Activity, Broken, Matched, References, Rule, broken_rules, evaluate_all, matched};
use serde_json::{Value, json};
use sqlx::Arguments;
use sqlx::any::AnyArguments;

use super::exchange::{SubmissionMeta, accepted_status, insert_submission};
use crate::audit::record;
use crate::dialect::OptionalF64;
use crate::query::dynamic;
use crate::{Result, Store, StoreError, now};

/// One report to import: where it came from, the report, and the organisation that will own
/// it (decided by the caller, who checked the importer may report for it).
#[derive(Debug, Clone)]
pub struct ActivityImport {
    pub place: String,
    pub activity: Activity,
    pub organisation_id: i64,
}

/// All rows or none, or the valid rows with the others listed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportMode {
    AllOrNothing,
    ValidRows,
}

/// What an import did.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ImportedActivities {
    pub submission_id: i64,
    pub imported: usize,
    /// Reports that break at least one quality rule (kept, and listed for correction).
    pub with_errors: usize,
    /// How many reports break each rule, for the rules broken at least once.
    pub per_rule: Vec<(Rule, usize)>,
}

/// The stored columns of a report, in the order [`bind_activity`] binds them.
pub(crate) const DATA_COLUMNS: [&str; 38] = [
    "organisation_id",
    "country_iso3",
    "admin1",
    "adm1_pcode",
    "admin2",
    "adm2_pcode",
    "appealing_org",
    "appealing_org_id",
    "implementation",
    "implementing_partner",
    "implementing_partner_id",
    "month",
    "sector",
    "sector_code",
    "indicator",
    "indicator_code",
    "indicator_kind",
    "activity_name",
    "activity_description",
    "rmrp_activity",
    "cva",
    "value_usd",
    "delivery_mechanism",
    "quantity_output",
    "total_monthly",
    "new_beneficiaries",
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
    "broken_rules",
];

/// Rows per INSERT: 43 values each stays well under both backends' limit on bound values.
const BATCH: usize = 200;

fn argument_error(e: impl ToString) -> StoreError {
    StoreError::Corrupt {
        what: "bound value",
        detail: e.to_string(),
    }
}

fn flag(b: Option<bool>) -> Option<i64> {
    b.map(i64::from)
}

fn bind_activity(
    args: &mut AnyArguments,
    owner: i64,
    country: Iso3,
    a: &Activity,
    m: &Matched,
    broken: Broken,
) -> Result<()> {
    let text = |v: &Option<String>| v.clone();
    let pcode = |p: &Option<rumbo_domain::geography::Pcode>| p.as_ref().map(|p| p.to_string());
    macro_rules! add {
        ($($v:expr),* $(,)?) => { $( args.add($v).map_err(argument_error)?; )* };
    }
    add!(
        owner,
        country.to_string(),
        text(&a.admin1),
        pcode(&m.adm1),
        text(&a.admin2),
        pcode(&m.adm2),
        text(&a.appealing_org),
        m.appealing_org,
        flag(a.implementation),
        text(&a.implementing_partner),
        m.implementing_partner,
        a.month.map(|m| m.to_string()),
        text(&a.sector),
        m.sector.clone(),
        text(&a.indicator),
        m.indicator.clone(),
        m.kind.map(|k| k.code().to_owned()),
        text(&a.activity_name),
        text(&a.activity_description),
        flag(a.rmrp_activity),
        flag(a.cva),
        OptionalF64(a.value_usd),
        text(&a.delivery_mechanism),
        a.quantity_output,
        a.total_monthly,
        a.new_beneficiaries,
    );
    for n in a.population {
        add!(n);
    }
    for n in a.age_gender {
        add!(n);
    }
    add!(i64::from(broken.0));
    Ok(())
}

/// Each field of a report by its column name, for the history of corrections.
pub(crate) fn fields_of(a: &Activity) -> BTreeMap<&'static str, Value> {
    let mut f = BTreeMap::new();
    f.insert("country", json!(a.country.map(|c| c.to_string())));
    f.insert("admin1", json!(a.admin1));
    f.insert("admin2", json!(a.admin2));
    f.insert("appealing_org", json!(a.appealing_org));
    f.insert("implementation", json!(a.implementation));
    f.insert("implementing_partner", json!(a.implementing_partner));
    f.insert("month", json!(a.month.map(|m| m.to_string())));
    f.insert("sector", json!(a.sector));
    f.insert("indicator", json!(a.indicator));
    f.insert("activity_name", json!(a.activity_name));
    f.insert("activity_description", json!(a.activity_description));
    f.insert("rmrp_activity", json!(a.rmrp_activity));
    f.insert("cva", json!(a.cva));
    f.insert("value_usd", json!(a.value_usd));
    f.insert("delivery_mechanism", json!(a.delivery_mechanism));
    f.insert("quantity_output", json!(a.quantity_output));
    f.insert("total_monthly", json!(a.total_monthly));
    f.insert("new_beneficiaries", json!(a.new_beneficiaries));
    for (name, n) in DATA_COLUMNS[26..31].iter().zip(a.population) {
        f.insert(name, json!(n));
    }
    for (name, n) in DATA_COLUMNS[31..37].iter().zip(a.age_gender) {
        f.insert(name, json!(n));
    }
    f
}

impl Store {
    /// Imports reports with the provenance of their file, runs the 19 rules on each and
    /// stores what they find. Rows are written in batches in one transaction: all or none.
    pub async fn import_activities(
        &self,
        actor: &Actor,
        refs: &References,
        rows: &[ActivityImport],
        meta: &SubmissionMeta,
    ) -> Result<ImportedActivities> {
        let mut evaluated = Vec::with_capacity(rows.len());
        let mut per_rule: BTreeMap<Rule, usize> = BTreeMap::new();
        let mut with_errors = 0;
        let activities: Vec<&Activity> = rows.iter().map(|r| &r.activity).collect();
        let checked = evaluate_all(&activities, refs);
        for (row, (m, broken)) in rows.iter().zip(checked) {
            let country = row.activity.country.ok_or_else(|| StoreError::Rejected {
                message: format!("{}: the country is missing; nothing was imported", row.place),
                problems: vec![rumbo_domain::Problem::new(row.place.clone(), "the country is missing")],
            })?;
            if !broken.is_empty() {
                with_errors += 1;
            }
            for rule in broken.rules() {
                *per_rule.entry(rule).or_default() += 1;
            }
            evaluated.push((row, country, m, broken));
        }
        let at = now();
        let mut tx = self.pool.begin().await?;
        let submission_id =
            insert_submission(&mut tx, actor, meta, rows.len(), accepted_status(rows.len(), meta)).await?;
        let columns = format!(
            "{}, submission_id, created_at, created_by, updated_at, updated_by",
            DATA_COLUMNS.join(", ")
        );
        let width = DATA_COLUMNS.len() + 5;
        for chunk in evaluated.chunks(BATCH) {
            let mut args = AnyArguments::default();
            let mut values = Vec::with_capacity(chunk.len());
            for (i, (row, country, m, broken)) in chunk.iter().enumerate() {
                bind_activity(&mut args, row.organisation_id, *country, &row.activity, m, *broken)?;
                args.add(submission_id).map_err(argument_error)?;
                args.add(at.clone()).map_err(argument_error)?;
                args.add(actor.user_id).map_err(argument_error)?;
                args.add(at.clone()).map_err(argument_error)?;
                args.add(actor.user_id).map_err(argument_error)?;
                let placeholders: Vec<String> = (1..=width).map(|k| format!("${}", i * width + k)).collect();
                values.push(format!("({})", placeholders.join(", ")));
            }
            let sql = format!("INSERT INTO r4v_activities ({columns}) VALUES {}", values.join(", "));
            sqlx::query_with(dynamic(sql), args)
                .execute(&mut *tx)
                .await
                .map_err(|e| match &e {
                    sqlx::Error::Database(db) if db.is_foreign_key_violation() => StoreError::Rejected {
                        message: "a report names an organisation or country that does not exist; nothing was imported"
                            .into(),
                        problems: vec![],
                    },
                    _ => StoreError::Database(e),
                })?;
        }
        record(
            &mut tx,
            actor,
            AuditAction::Import,
            Entity::Activity5w,
            None,
            &format!(
                "imported {} 5W report(s) from {} (submission {submission_id}); {with_errors} break quality rules",
                rows.len(),
                meta.file_name
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(ImportedActivities {
            submission_id,
            imported: rows.len(),
            with_errors,
            per_rule: per_rule.into_iter().collect(),
        })
    }

    /// Creates one report entered through a form or the API.
    pub async fn create_activity(
        &self,
        actor: &Actor,
        refs: &References,
        owner: i64,
        activity: &Activity,
    ) -> Result<i64> {
        let country = activity
            .country
            .ok_or(StoreError::Invalid(rumbo_domain::DomainError::Empty {
                field: "country",
            }))?;
        let m = matched(activity, refs);
        let broken = broken_rules(activity, &m);
        let at = now();
        let mut args = AnyArguments::default();
        bind_activity(&mut args, owner, country, activity, &m, broken)?;
        for value in [at.clone(), at] {
            args.add(value).map_err(argument_error)?;
            args.add(actor.user_id).map_err(argument_error)?;
        }
        let width = DATA_COLUMNS.len() + 4;
        let placeholders: Vec<String> = (1..=width).map(|k| format!("${k}")).collect();
        let sql = format!(
            "INSERT INTO r4v_activities ({}, created_at, created_by, updated_at, updated_by) VALUES ({}) RETURNING id",
            DATA_COLUMNS.join(", "),
            placeholders.join(", ")
        );
        let mut tx = self.pool.begin().await?;
        let row = sqlx::query_with(dynamic(sql), args).fetch_one(&mut *tx).await?;
        let id: i64 = sqlx::Row::try_get(&row, "id")?;
        record(
            &mut tx,
            actor,
            AuditAction::Create,
            Entity::Activity5w,
            Some(&id.to_string()),
            &format!("created a 5W report; breaks rules [{}]", broken.ids()),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Corrects a report: the rules run again, the old and new values of every changed field
    /// go to the report's history, the audit log names the fields, and a validation lapses.
    pub async fn update_activity(&self, actor: &Actor, refs: &References, id: i64, activity: &Activity) -> Result<()> {
        let before = self.activity(id).await?;
        let country = activity
            .country
            .ok_or(StoreError::Invalid(rumbo_domain::DomainError::Empty {
                field: "country",
            }))?;
        let m = matched(activity, refs);
        let broken = broken_rules(activity, &m);
        let old = fields_of(&before.activity);
        let new = fields_of(activity);
        let changed: Vec<&str> = new
            .iter()
            .filter(|(k, v)| old.get(*k) != Some(*v))
            .map(|(k, _)| *k)
            .collect();
        if changed.is_empty() {
            return Ok(());
        }
        let pick = |map: &BTreeMap<&str, Value>| {
            Value::Object(
                changed
                    .iter()
                    .map(|k| ((*k).to_owned(), map.get(k).cloned().unwrap_or(Value::Null)))
                    .collect(),
            )
        };
        let mut args = AnyArguments::default();
        bind_activity(&mut args, before.organisation_id, country, activity, &m, broken)?;
        let at = now();
        let assignments: Vec<String> = DATA_COLUMNS
            .iter()
            .enumerate()
            .map(|(i, c)| format!("{c} = ${}", i + 1))
            .collect();
        let n = DATA_COLUMNS.len();
        args.add(at.clone()).map_err(argument_error)?;
        args.add(actor.user_id).map_err(argument_error)?;
        args.add(id).map_err(argument_error)?;
        let sql = format!(
            "UPDATE r4v_activities SET {}, updated_at = ${}, updated_by = ${}, version = version + 1,
                 validated_at = NULL, validated_by = NULL WHERE id = ${}",
            assignments.join(", "),
            n + 1,
            n + 2,
            n + 3
        );
        let mut tx = self.pool.begin().await?;
        sqlx::query_with(dynamic(sql), args).execute(&mut *tx).await?;
        sqlx::query(
            "INSERT INTO r4v_activity_changes (activity_id, version, changed_at, changed_by, channel, fields, before_json,
                                               after_json, broken_before, broken_after)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(id)
        .bind(before.version + 1)
        .bind(&at)
        .bind(actor.user_id)
        .bind(actor.channel)
        .bind(changed.join(", "))
        .bind(pick(&old).to_string())
        .bind(pick(&new).to_string())
        .bind(i64::from(before.broken.0))
        .bind(i64::from(broken.0))
        .execute(&mut *tx)
        .await?;
        record(
            &mut tx,
            actor,
            AuditAction::Update,
            Entity::Activity5w,
            Some(&id.to_string()),
            &format!(
                "corrected {}; rules broken before [{}], after [{}]",
                changed.join(", "),
                before.broken.ids(),
                broken.ids()
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Deletes a report entered by mistake (its history goes with it; the audit log keeps the
    /// fact).
    pub async fn delete_activity(&self, actor: &Actor, id: i64) -> Result<()> {
        let before = self.activity(id).await?;
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM r4v_activities WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        record(
            &mut tx,
            actor,
            AuditAction::Delete,
            Entity::Activity5w,
            Some(&id.to_string()),
            &format!(
                "deleted a 5W report of organisation {} for {}",
                before.organisation_id,
                before.activity.month.map(|m| m.to_string()).unwrap_or_default()
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Marks a country's reports of a month as validated by an IM officer. Only reports that
    /// break no rule are validated; the others wait for their correction. Returns (validated,
    /// left with errors).
    pub async fn validate_activities(&self, actor: &Actor, country: Iso3, month: &str) -> Result<(i64, i64)> {
        let at = now();
        let mut tx = self.pool.begin().await?;
        let validated = sqlx::query(
            "UPDATE r4v_activities SET validated_at = $1, validated_by = $2
             WHERE country_iso3 = $3 AND month = $4 AND broken_rules = 0 AND validated_at IS NULL",
        )
        .bind(&at)
        .bind(actor.user_id)
        .bind(country.to_string())
        .bind(month)
        .execute(&mut *tx)
        .await?
        .rows_affected() as i64;
        let left: i64 = sqlx::Row::try_get(
            &sqlx::query(
                "SELECT COUNT(*) AS n FROM r4v_activities WHERE country_iso3 = $1 AND month = $2 AND broken_rules <> 0",
            )
            .bind(country.to_string())
            .bind(month)
            .fetch_one(&mut *tx)
            .await?,
            "n",
        )?;
        record(
            &mut tx,
            actor,
            AuditAction::Update,
            Entity::Activity5w,
            None,
            &format!("validated {validated} 5W report(s) of {country} for {month}; {left} still break rules"),
        )
        .await?;
        tx.commit().await?;
        Ok((validated, left))
    }
}
