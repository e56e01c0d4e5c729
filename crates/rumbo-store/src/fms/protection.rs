//! The protection queue: one case per flagged interview, in the country of the point where it
//! was recorded, with its follow-up status. Every opening of a case is audited as a read of
//! personal data; every change of status is an event kept beside the case.

use rumbo_domain::Vocabulary;
use rumbo_domain::audit::{Actor, AuditAction, Entity};
use rumbo_domain::country::Iso3;
use rumbo_domain::error::optional_text;
use rumbo_domain::fms::CaseStatus;
use rumbo_domain::fms::rules::{Assessment, RiskLevel};
use serde::Serialize;
use sqlx::{AnyConnection, Row};

use super::InterviewRecord;
use crate::audit::record;
use crate::query::{Filter, dynamic};
use crate::{Page, Result, Store, StoreError, now};

/// A case as the queue lists it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProtectionCase {
    pub id: i64,
    pub interview_id: i64,
    pub country: Iso3,
    pub point_code: String,
    pub interview_date: String,
    pub risk_level: String,
    pub risk_flags: Vec<String>,
    pub status: CaseStatus,
    pub updated_at: String,
}

/// A change of a case's status, with the officer's note.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaseEvent {
    pub at: String,
    pub username: Option<String>,
    pub status: CaseStatus,
    pub note: Option<String>,
}

/// Who opened a case and when, from the audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CaseOpening {
    pub at: String,
    pub username: Option<String>,
}

/// A case opened by a protection officer: the case, the interview behind it, its history and
/// every opening of it (this one included), so that officers see who else has read it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaseDetail {
    pub case: ProtectionCase,
    pub interview: InterviewRecord,
    pub events: Vec<CaseEvent>,
    pub openings: Vec<CaseOpening>,
}

#[derive(Debug, Clone, Default)]
pub struct CaseQuery {
    /// The countries the reader may see; `None` for all.
    pub countries: Option<Vec<Iso3>>,
    pub status: Option<CaseStatus>,
}

const CASE_COLUMNS: &str = "c.id, c.interview_id, c.country_iso3, l.code AS point_code, i.interview_date, c.risk_level,
     c.risk_flags, c.status, c.updated_at";
const CASE_FROM: &str =
    "protection_cases c JOIN fms_interviews i ON i.id = c.interview_id JOIN locations l ON l.id = i.location_id";

fn case_from_row(row: &sqlx::any::AnyRow) -> Result<ProtectionCase> {
    let flags: String = row.try_get("risk_flags")?;
    Ok(ProtectionCase {
        id: row.try_get("id")?,
        interview_id: row.try_get("interview_id")?,
        country: Iso3::parse(&row.try_get::<String, _>("country_iso3")?)?,
        point_code: row.try_get("point_code")?,
        interview_date: row.try_get("interview_date")?,
        risk_level: row.try_get("risk_level")?,
        risk_flags: flags.split(',').filter(|f| !f.is_empty()).map(str::to_owned).collect(),
        status: CaseStatus::parse(&row.try_get::<String, _>("status")?)?,
        updated_at: row.try_get("updated_at")?,
    })
}

/// Opens the case of a flagged interview, in the transaction that records it.
pub(crate) async fn open_case(
    conn: &mut AnyConnection,
    interview_id: i64,
    country: Iso3,
    assessment: &Assessment,
) -> Result<i64> {
    let at = now();
    let id: i64 = sqlx::query(
        "INSERT INTO protection_cases (interview_id, country_iso3, risk_level, risk_flags, status, created_at, updated_at)
         VALUES ($1, $2, $3, $4, 'open', $5, $5) RETURNING id",
    )
    .bind(interview_id)
    .bind(country.to_string())
    .bind(assessment.level.unwrap_or(RiskLevel::Low).code())
    .bind(assessment.flag_codes())
    .bind(&at)
    .fetch_one(&mut *conn)
    .await?
    .try_get("id")?;
    sqlx::query(
        "INSERT INTO protection_case_events (case_id, at, user_id, status, note) VALUES ($1, $2, NULL, 'open', NULL)",
    )
    .bind(id)
    .bind(&at)
    .execute(&mut *conn)
    .await?;
    Ok(id)
}

impl Store {
    /// The queue: cases of the reader's countries, highest risk and oldest first. Listing them
    /// shows which interviews were flagged and why, so it is audited.
    pub async fn protection_cases(
        &self,
        actor: &Actor,
        query: &CaseQuery,
        page: Page,
    ) -> Result<(Vec<ProtectionCase>, i64)> {
        let mut f = Filter::default();
        if let Some(status) = query.status {
            f.push("c.status = $", status.code());
        }
        if let Some(list) = &query.countries {
            let placeholders: Vec<String> = list.iter().map(|c| f.bind(c.to_string())).collect();
            let list = if placeholders.is_empty() {
                "NULL".to_owned()
            } else {
                placeholders.join(", ")
            };
            f.push_fixed(&format!("c.country_iso3 IN ({list})"));
        }
        let clause = f.where_clause();
        let total: i64 = sqlx::query_with(
            dynamic(format!("SELECT COUNT(*) AS n FROM {CASE_FROM}{clause}")),
            f.args(),
        )
        .fetch_one(&self.pool)
        .await?
        .try_get("n")?;
        let sql = format!(
            "SELECT {CASE_COLUMNS} FROM {CASE_FROM}{clause}
             ORDER BY CASE c.risk_level WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END, c.created_at, c.id{}",
            f.limit(page)
        );
        let rows = sqlx::query_with(dynamic(sql), f.into_args())
            .fetch_all(&self.pool)
            .await?;
        let cases = rows.iter().map(case_from_row).collect::<Result<Vec<_>>>()?;
        let mut conn = self.pool.acquire().await?;
        record(
            &mut conn,
            actor,
            AuditAction::Read,
            Entity::ProtectionCase,
            None,
            &format!("listed {} protection cases", cases.len()),
        )
        .await?;
        Ok((cases, total))
    }

    /// A case, for access checks: not audited, no answers.
    pub async fn protection_case(&self, id: i64) -> Result<ProtectionCase> {
        let row = sqlx::query(dynamic(format!(
            "SELECT {CASE_COLUMNS} FROM {CASE_FROM} WHERE c.id = $1"
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StoreError::not_found("protection case", id))?;
        case_from_row(&row)
    }

    /// Opens a case for `actor`: the case, the interview's answers, the history and who opened
    /// it. Audited as a read of personal data: nothing is returned unless the audit entry is
    /// committed, and the openings listed include this one.
    pub async fn open_protection_case(&self, actor: &Actor, id: i64) -> Result<CaseDetail> {
        let case = self.protection_case(id).await?;
        let interview = self.interview(case.interview_id).await?;
        let events = self.case_events(id).await?;
        let mut tx = self.pool.begin().await?;
        record(
            &mut tx,
            actor,
            AuditAction::Read,
            Entity::ProtectionCase,
            Some(&id.to_string()),
            "opened protection case",
        )
        .await?;
        let rows = sqlx::query(
            "SELECT a.at, u.username FROM audit_log a LEFT JOIN users u ON u.id = a.user_id
             WHERE a.entity = $1 AND a.entity_id = $2 AND a.action = $3 ORDER BY a.id DESC",
        )
        .bind(Entity::ProtectionCase.code())
        .bind(id.to_string())
        .bind(AuditAction::Read.code())
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        let openings = rows
            .iter()
            .map(|r| {
                Ok(CaseOpening {
                    at: r.try_get("at")?,
                    username: r.try_get("username")?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(CaseDetail {
            case,
            interview,
            events,
            openings,
        })
    }

    async fn case_events(&self, id: i64) -> Result<Vec<CaseEvent>> {
        let rows = sqlx::query(
            "SELECT e.at, u.username, e.status, e.note FROM protection_case_events e LEFT JOIN users u ON u.id = e.user_id
             WHERE e.case_id = $1 ORDER BY e.id",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(CaseEvent {
                    at: r.try_get("at")?,
                    username: r.try_get("username")?,
                    status: CaseStatus::parse(&r.try_get::<String, _>("status")?)?,
                    note: r.try_get("note")?,
                })
            })
            .collect()
    }

    /// Records the follow-up of a case: its new status and an optional note.
    pub async fn follow_up_case(
        &self,
        actor: &Actor,
        id: i64,
        status: CaseStatus,
        note: Option<&str>,
    ) -> Result<ProtectionCase> {
        let note = optional_text("note", note, 2000)?;
        let before = self.protection_case(id).await?;
        let at = now();
        let mut tx = self.pool.begin().await?;
        sqlx::query("UPDATE protection_cases SET status = $1, updated_at = $2 WHERE id = $3")
            .bind(status.code())
            .bind(&at)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO protection_case_events (case_id, at, user_id, status, note) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(id)
        .bind(&at)
        .bind(actor.user_id)
        .bind(status.code())
        .bind(&note)
        .execute(&mut *tx)
        .await?;
        record(
            &mut tx,
            actor,
            AuditAction::Update,
            Entity::ProtectionCase,
            Some(&id.to_string()),
            &format!(
                "status {} → {}{}",
                before.status.code(),
                status.code(),
                if note.is_some() { ", with a note" } else { "" }
            ),
        )
        .await?;
        tx.commit().await?;
        self.protection_case(id).await
    }
}
