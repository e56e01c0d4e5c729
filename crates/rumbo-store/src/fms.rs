//! Flow monitoring surveys: interviews (their answers are personal data, read only through
//! audited functions or added up into aggregates), the versioned rule sets that flag vulnerable
//! cases, and the protection queue ([`protection`]).

use rumbo_domain::Vocabulary;
use rumbo_domain::audit::{Actor, AuditAction, Entity};
use rumbo_domain::country::Iso3;
use rumbo_domain::fms::Interview;
use rumbo_domain::fms::rules::{Assessment, RiskFlag, RiskLevel, RuleSet};
use serde::Serialize;
use sqlx::{AnyConnection, Row};
use time::Date;

use crate::audit::record;
use crate::query::{Filter, dynamic};
use crate::{Page, Result, Store, StoreError, now};

/// The protection queue: flagged interviews and their follow-up.
pub mod protection;

/// Which interviews: every part optional; `countries` restricts to what the reader may see.
#[derive(Debug, Clone, Default)]
pub struct InterviewFilter {
    pub countries: Option<Vec<Iso3>>,
    pub country: Option<Iso3>,
    pub point: Option<i64>,
    pub from: Option<Date>,
    pub until: Option<Date>,
}

impl InterviewFilter {
    fn filter(&self) -> Filter {
        let mut f = Filter::default();
        if let Some(point) = self.point {
            f.push("i.location_id = $", point);
        }
        if let Some(country) = self.country {
            f.push("l.country_iso3 = $", country.to_string());
        }
        if let Some(list) = &self.countries {
            let placeholders: Vec<String> = list.iter().map(|c| f.bind(c.to_string())).collect();
            let list = if placeholders.is_empty() {
                "NULL".to_owned()
            } else {
                placeholders.join(", ")
            };
            f.push_fixed(&format!("l.country_iso3 IN ({list})"));
        }
        if let Some(from) = self.from {
            f.push("i.interview_date >= $", from.to_string());
        }
        if let Some(until) = self.until {
            f.push("i.interview_date <= $", until.to_string());
        }
        f
    }
}

/// An interview as lists show it: no answers beyond the profile used to tell it apart.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InterviewSummary {
    pub id: i64,
    pub point_id: i64,
    pub point_code: String,
    pub country: Iso3,
    pub date: String,
    pub sex: String,
    pub age: i64,
    pub nationality: String,
    pub risk_level: Option<String>,
    pub risk_flags: Vec<String>,
}

/// A whole interview, for those who may read it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InterviewRecord {
    pub summary: InterviewSummary,
    pub answers: Interview,
    pub rules_version: i64,
    pub recorded_by: Option<String>,
    pub created_at: String,
}

/// What recording an interview did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InterviewSaved {
    pub id: i64,
    pub assessment: Assessment,
    /// The protection case opened for it, when it raised a flag.
    pub case_id: Option<i64>,
}

/// One interview to record: the point, the date and the answers.
#[derive(Debug, Clone)]
pub struct NewInterview {
    pub location_id: i64,
    pub date: Date,
    pub answers: Interview,
}

const SUMMARY_COLUMNS: &str =
    "i.id, i.location_id, l.code AS point_code, l.country_iso3, i.interview_date, i.sex, i.age,
     i.nationality, i.risk_level, i.risk_flags";

fn summary_from_row(row: &sqlx::any::AnyRow) -> Result<InterviewSummary> {
    let flags: String = row.try_get("risk_flags")?;
    Ok(InterviewSummary {
        id: row.try_get("id")?,
        point_id: row.try_get("location_id")?,
        point_code: row.try_get("point_code")?,
        country: Iso3::parse(&row.try_get::<String, _>("country_iso3")?)?,
        date: row.try_get("interview_date")?,
        sex: row.try_get("sex")?,
        age: row.try_get("age")?,
        nationality: row.try_get("nationality")?,
        risk_level: row.try_get("risk_level")?,
        risk_flags: flags.split(',').filter(|f| !f.is_empty()).map(str::to_owned).collect(),
    })
}

impl Store {
    /// Stores version 1 of the rule set, from the rules Rumbo ships, if there is none yet.
    pub(crate) async fn ensure_default_rules(&self) -> Result<()> {
        sqlx::query(
            "INSERT INTO fms_rule_sets (version, rules, created_by, created_at) VALUES (1, $1, NULL, $2)
             ON CONFLICT (version) DO NOTHING",
        )
        .bind(RuleSet::default_rules().to_json())
        .bind(now())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The rule set in force and its version.
    pub async fn rule_set(&self) -> Result<(i64, RuleSet)> {
        let row = sqlx::query("SELECT version, rules FROM fms_rule_sets ORDER BY version DESC LIMIT 1")
            .fetch_optional(&self.pool)
            .await?;
        match row {
            Some(row) => Ok((
                row.try_get("version")?,
                RuleSet::parse(&row.try_get::<String, _>("rules")?)?,
            )),
            None => Ok((0, RuleSet::default_rules())),
        }
    }

    /// Every version of the rule set, newest first: (version, created at, created by).
    pub async fn rule_set_versions(&self) -> Result<Vec<(i64, String, Option<String>)>> {
        let rows = sqlx::query(
            "SELECT r.version, r.created_at, u.username FROM fms_rule_sets r LEFT JOIN users u ON u.id = r.created_by
             ORDER BY r.version DESC",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("version")?, r.try_get("created_at")?, r.try_get("username")?)))
            .collect()
    }

    /// Saves a new version of the rule set; interviews recorded from now on are assessed with
    /// it, and those already recorded keep the version that assessed them.
    pub async fn save_rule_set(&self, actor: &Actor, rules: &RuleSet) -> Result<i64> {
        let mut tx = self.pool.begin().await?;
        let current: i64 = sqlx::query("SELECT COALESCE(MAX(version), 0) AS v FROM fms_rule_sets")
            .fetch_one(&mut *tx)
            .await?
            .try_get("v")?;
        let version = current + 1;
        sqlx::query("INSERT INTO fms_rule_sets (version, rules, created_by, created_at) VALUES ($1, $2, $3, $4)")
            .bind(version)
            .bind(rules.to_json())
            .bind(actor.user_id)
            .bind(now())
            .execute(&mut *tx)
            .await
            .map_err(crate::error::conflict_on_unique(|| {
                "the rule set was changed at the same time; reload and try again".to_owned()
            }))?;
        record(
            &mut tx,
            actor,
            AuditAction::Create,
            Entity::RiskRules,
            Some(&version.to_string()),
            &format!(
                "saved version {version} of the risk rules ({} rules)",
                rules.rules.len()
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(version)
    }

    /// Records interviews, each assessed with the rule set in force; each flagged one opens a
    /// protection case in the point's country. All or none: the first refused stops them all.
    pub async fn record_interviews(
        &self,
        actor: &Actor,
        interviews: &[NewInterview],
        source: &str,
    ) -> Result<Vec<InterviewSaved>> {
        let (version, rules) = self.rule_set().await?;
        let today = time::OffsetDateTime::now_utc().date();
        let mut problems = Vec::new();
        for (n, new) in interviews.iter().enumerate() {
            if let Err(list) = new.answers.check(new.date, today) {
                for (field, problem) in list {
                    let place = if interviews.len() == 1 {
                        field.to_owned()
                    } else {
                        format!("interview {}, {field}", n + 1)
                    };
                    problems.push(rumbo_domain::Problem::new(place, problem));
                }
            }
        }
        if !problems.is_empty() {
            return Err(StoreError::Rejected {
                message: format!("{} problem(s) in the interview; nothing was saved", problems.len()),
                problems,
            });
        }
        let mut countries = std::collections::HashMap::new();
        for new in interviews {
            if let std::collections::hash_map::Entry::Vacant(e) = countries.entry(new.location_id) {
                let point = self.flow_point(new.location_id).await?;
                e.insert(point.location.country);
            }
        }
        let mut tx = self.pool.begin().await?;
        let mut saved = Vec::with_capacity(interviews.len());
        let mut flagged = 0;
        for new in interviews {
            let assessment = rules.assess(&new.answers);
            let country = countries
                .get(&new.location_id)
                .copied()
                .ok_or_else(|| StoreError::not_found("flow monitoring point", new.location_id))?;
            let id = insert_interview(&mut tx, actor, new, &assessment, version).await?;
            let case_id = if assessment.flagged() {
                flagged += 1;
                Some(protection::open_case(&mut tx, id, country, &assessment).await?)
            } else {
                None
            };
            saved.push(InterviewSaved {
                id,
                assessment,
                case_id,
            });
        }
        let summary = if interviews.len() == 1 {
            format!("recorded an interview; {flagged} protection case(s) opened")
        } else {
            format!(
                "recorded {} interviews from {source}; {flagged} protection case(s) opened",
                interviews.len()
            )
        };
        record(
            &mut tx,
            actor,
            AuditAction::Create,
            Entity::FmsInterview,
            (saved.len() == 1).then(|| saved[0].id.to_string()).as_deref(),
            &summary,
        )
        .await?;
        tx.commit().await?;
        Ok(saved)
    }

    /// Interviews matching `filter`, newest first, shown to `actor`: the list is a read of
    /// personal data and is audited.
    pub async fn browse_interviews(
        &self,
        actor: &Actor,
        filter: &InterviewFilter,
        page: Page,
    ) -> Result<(Vec<InterviewSummary>, i64)> {
        let mut f = filter.filter();
        let clause = f.where_clause();
        let total: i64 = sqlx::query_with(
            dynamic(format!(
                "SELECT COUNT(*) AS n FROM fms_interviews i JOIN locations l ON l.id = i.location_id{clause}"
            )),
            f.args(),
        )
        .fetch_one(&self.pool)
        .await?
        .try_get("n")?;
        let sql = format!(
            "SELECT {SUMMARY_COLUMNS} FROM fms_interviews i JOIN locations l ON l.id = i.location_id{clause}
             ORDER BY i.interview_date DESC, i.id DESC{}",
            f.limit(page)
        );
        let rows = sqlx::query_with(dynamic(sql), f.into_args())
            .fetch_all(&self.pool)
            .await?;
        let list = rows.iter().map(summary_from_row).collect::<Result<Vec<_>>>()?;
        let mut conn = self.pool.acquire().await?;
        record(
            &mut conn,
            actor,
            AuditAction::Read,
            Entity::FmsInterview,
            None,
            &format!("listed {} interviews", list.len()),
        )
        .await?;
        Ok((list, total))
    }

    /// One interview with every answer, shown to `actor`: audited.
    pub async fn view_interview(&self, actor: &Actor, id: i64) -> Result<InterviewRecord> {
        let found = self.interview(id).await?;
        let mut conn = self.pool.acquire().await?;
        record(
            &mut conn,
            actor,
            AuditAction::Read,
            Entity::FmsInterview,
            Some(&id.to_string()),
            "viewed interview answers",
        )
        .await?;
        Ok(found)
    }

    /// One interview, for the system's own use (access checks): not audited.
    pub async fn interview(&self, id: i64) -> Result<InterviewRecord> {
        let row = sqlx::query(dynamic(format!(
            "SELECT {SUMMARY_COLUMNS}, i.answers, i.rules_version, i.created_at, u.username
             FROM fms_interviews i JOIN locations l ON l.id = i.location_id LEFT JOIN users u ON u.id = i.recorded_by
             WHERE i.id = $1"
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StoreError::not_found("interview", id))?;
        Ok(InterviewRecord {
            summary: summary_from_row(&row)?,
            answers: Interview::from_json(&row.try_get::<String, _>("answers")?)?,
            rules_version: row.try_get("rules_version")?,
            recorded_by: row.try_get("username")?,
            created_at: row.try_get("created_at")?,
        })
    }

    /// Every interview's answers and flags, to be added up into indicator tables. Nothing
    /// personal leaves through this: callers only aggregate.
    pub async fn interview_answers(&self, filter: &InterviewFilter) -> Result<Vec<(Interview, Vec<RiskFlag>)>> {
        let f = filter.filter();
        let sql = format!(
            "SELECT i.answers, i.risk_flags FROM fms_interviews i JOIN locations l ON l.id = i.location_id{}",
            f.where_clause()
        );
        let rows = sqlx::query_with(dynamic(sql), f.into_args())
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                let flags = rumbo_domain::flow::parse_codes::<RiskFlag>(&r.try_get::<String, _>("risk_flags")?)?;
                Ok((Interview::from_json(&r.try_get::<String, _>("answers")?)?, flags))
            })
            .collect()
    }
}

async fn insert_interview(
    conn: &mut AnyConnection,
    actor: &Actor,
    new: &NewInterview,
    assessment: &Assessment,
    version: i64,
) -> Result<i64> {
    let a = &new.answers;
    Ok(sqlx::query(
        "INSERT INTO fms_interviews (location_id, interview_date, sex, age, nationality, answers, risk_level, risk_flags,
             rules_version, recorded_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
    )
    .bind(new.location_id)
    .bind(new.date.to_string())
    .bind(a.sex.map(|s| s.code()).unwrap_or_default())
    .bind(i64::from(a.age.unwrap_or_default()))
    .bind(a.nationality.map(|n| n.to_string()).unwrap_or_default())
    .bind(a.to_json())
    .bind(assessment.level.map(RiskLevel::code))
    .bind(assessment.flag_codes())
    .bind(version)
    .bind(actor.user_id)
    .bind(now())
    .fetch_one(conn)
    .await?
    .try_get("id")?)
}
