//! The provenance of every file that reaches R4V's tables: who sent it, for which
//! organisation, when, under which name, its SHA-256 checksum, how many rows were read and
//! accepted, and the problems found. Refused files are recorded too, so a partner can see why.

use rumbo_domain::Problem;
use rumbo_domain::audit::{Actor, AuditAction, Entity};
use rumbo_domain::r4v::DatasetType;
use rumbo_domain::{DomainError, Vocabulary};
use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::{AnyConnection, Row};

use crate::audit::record;
use crate::query::{Filter, dynamic};
use crate::{Page, Result, Store, StoreError, now};

/// What is known of a file before its rows are stored.
#[derive(Debug, Clone)]
pub struct SubmissionMeta {
    pub dataset: DatasetType,
    /// The organisation sending it (the submitter's).
    pub organisation_id: i64,
    pub file_name: String,
    pub sha256: String,
    pub rows_read: usize,
    /// Problems of rows left out (when the submitter chose to import the valid rows).
    pub problems: Vec<Problem>,
    pub repairs: usize,
}

impl SubmissionMeta {
    pub fn new(dataset: DatasetType, organisation_id: i64, file_name: &str, bytes: &[u8]) -> SubmissionMeta {
        SubmissionMeta {
            dataset,
            organisation_id,
            file_name: file_name.to_owned(),
            sha256: checksum(bytes),
            rows_read: 0,
            problems: Vec::new(),
            repairs: 0,
        }
    }
}

/// The SHA-256 of a file, in hexadecimal.
pub fn checksum(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// A recorded submission.
#[derive(Debug, Clone, Serialize)]
pub struct Submission {
    pub id: i64,
    pub dataset: String,
    pub organisation_id: i64,
    pub organisation: String,
    pub submitted_by: Option<i64>,
    pub submitted_at: String,
    pub file_name: String,
    pub sha256: String,
    pub rows_read: i64,
    pub rows_accepted: i64,
    pub status: String,
    pub problems: Vec<Problem>,
    pub repairs: i64,
}

/// Problems kept with a submission; the rest are counted in its status.
const KEPT_PROBLEMS: usize = 500;

fn problems_json(problems: &[Problem]) -> String {
    serde_json::to_string(&problems.iter().take(KEPT_PROBLEMS).collect::<Vec<_>>()).unwrap_or_else(|_| "[]".into())
}

/// Records a submission on `conn` (the transaction storing its rows) and returns its id.
pub(crate) async fn insert_submission(
    conn: &mut AnyConnection,
    actor: &Actor,
    meta: &SubmissionMeta,
    accepted: usize,
    status: &str,
) -> Result<i64> {
    let id: i64 = sqlx::query(
        "INSERT INTO r4v_submissions (dataset_type, organisation_id, submitted_by, submitted_at, file_name, sha256,
                                      rows_read, rows_accepted, status, problems, repairs)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
    )
    .bind(meta.dataset.code())
    .bind(meta.organisation_id)
    .bind(actor.user_id)
    .bind(now())
    .bind(&meta.file_name)
    .bind(&meta.sha256)
    .bind(meta.rows_read as i64)
    .bind(accepted as i64)
    .bind(status)
    .bind(problems_json(&meta.problems))
    .bind(meta.repairs as i64)
    .fetch_one(&mut *conn)
    .await?
    .try_get("id")?;
    record(
        conn,
        actor,
        AuditAction::Import,
        Entity::R4vSubmission,
        Some(&id.to_string()),
        &format!(
            "{} {}: {accepted} of {} row(s) accepted ({status})",
            meta.dataset.code(),
            meta.file_name,
            meta.rows_read
        ),
    )
    .await?;
    Ok(id)
}

/// Whether every problem fits in one status word.
fn status_of(accepted: usize, meta: &SubmissionMeta) -> &'static str {
    if accepted == 0 && meta.rows_read > 0 {
        "rejected"
    } else if meta.problems.is_empty() {
        "accepted"
    } else {
        "partial"
    }
}

impl Store {
    /// Records a refused file with its problems (nothing of it is stored).
    pub async fn record_rejected_submission(&self, actor: &Actor, meta: &SubmissionMeta) -> Result<i64> {
        let mut tx = self.pool.begin().await?;
        let id = insert_submission(&mut tx, actor, meta, 0, "rejected").await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Stores the accepted rows of a dataset type without a table of its own (flow counts),
    /// as JSON, with the submission's provenance.
    pub async fn store_exchange_rows(
        &self,
        actor: &Actor,
        meta: &SubmissionMeta,
        rows: &[(usize, Option<String>, serde_json::Value)],
    ) -> Result<i64> {
        let mut tx = self.pool.begin().await?;
        let id = insert_submission(&mut tx, actor, meta, rows.len(), status_of(rows.len(), meta)).await?;
        for (number, country, data) in rows {
            sqlx::query(
                "INSERT INTO r4v_exchange_rows (submission_id, row_number, country_iso3, data) VALUES ($1, $2, $3, $4)",
            )
            .bind(id)
            .bind(*number as i64)
            .bind(country)
            .bind(data.to_string())
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(id)
    }

    /// The accepted rows of a submission stored as JSON.
    pub async fn exchange_rows(&self, submission_id: i64) -> Result<Vec<serde_json::Value>> {
        let rows = sqlx::query("SELECT data FROM r4v_exchange_rows WHERE submission_id = $1 ORDER BY row_number")
            .bind(submission_id)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                let text: String = r.try_get("data")?;
                serde_json::from_str(&text).map_err(|e| StoreError::Corrupt {
                    what: "exchange row",
                    detail: e.to_string(),
                })
            })
            .collect()
    }

    /// Submissions, newest first; only those of `organisation` when given.
    pub async fn submissions(&self, organisation: Option<i64>, page: Page) -> Result<(Vec<Submission>, i64)> {
        let mut filter = Filter::default();
        if let Some(org) = organisation {
            filter.push("s.organisation_id = $", org);
        }
        let clause = filter.where_clause();
        let total: i64 = sqlx::query_with(
            dynamic(format!("SELECT COUNT(*) AS n FROM r4v_submissions s{clause}")),
            filter.args(),
        )
        .fetch_one(&self.pool)
        .await?
        .try_get("n")?;
        let sql = format!(
            "SELECT s.id, s.dataset_type, s.organisation_id, o.acronym, s.submitted_by, s.submitted_at, s.file_name,
                    s.sha256, s.rows_read, s.rows_accepted, s.status, s.problems, s.repairs
             FROM r4v_submissions s JOIN organisations o ON o.id = s.organisation_id{clause}
             ORDER BY s.id DESC{}",
            filter.limit(page)
        );
        let rows = sqlx::query_with(dynamic(sql), filter.into_args())
            .fetch_all(&self.pool)
            .await?;
        let list = rows.iter().map(submission_from_row).collect::<Result<Vec<_>>>()?;
        Ok((list, total))
    }

    pub async fn submission(&self, id: i64) -> Result<Submission> {
        let row = sqlx::query(
            "SELECT s.id, s.dataset_type, s.organisation_id, o.acronym, s.submitted_by, s.submitted_at, s.file_name,
                    s.sha256, s.rows_read, s.rows_accepted, s.status, s.problems, s.repairs
             FROM r4v_submissions s JOIN organisations o ON o.id = s.organisation_id WHERE s.id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StoreError::not_found("submission", id))?;
        submission_from_row(&row)
    }
}

pub(crate) fn accepted_status(accepted: usize, meta: &SubmissionMeta) -> &'static str {
    status_of(accepted, meta)
}

fn submission_from_row(r: &sqlx::any::AnyRow) -> Result<Submission> {
    let problems: String = r.try_get("problems")?;
    let problems: Vec<ProblemRow> = serde_json::from_str(&problems).map_err(|e| StoreError::Corrupt {
        what: "submission problems",
        detail: e.to_string(),
    })?;
    let dataset: String = r.try_get("dataset_type")?;
    DatasetType::parse(&dataset).map_err(|e: DomainError| StoreError::Corrupt {
        what: "submission",
        detail: e.to_string(),
    })?;
    Ok(Submission {
        id: r.try_get("id")?,
        dataset,
        organisation_id: r.try_get("organisation_id")?,
        organisation: r.try_get("acronym")?,
        submitted_by: r.try_get("submitted_by")?,
        submitted_at: r.try_get("submitted_at")?,
        file_name: r.try_get("file_name")?,
        sha256: r.try_get("sha256")?,
        rows_read: r.try_get("rows_read")?,
        rows_accepted: r.try_get("rows_accepted")?,
        status: r.try_get("status")?,
        problems: problems
            .into_iter()
            .map(|p| Problem::new(p.location, p.problem))
            .collect(),
        repairs: r.try_get("repairs")?,
    })
}

#[derive(serde::Deserialize)]
struct ProblemRow {
    #[serde(rename = "where")]
    location: String,
    problem: String,
}
