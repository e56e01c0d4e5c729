//! Counts in: observations and their groups, written with multi-row INSERTs in one
//! transaction, and the daily rollups brought up to date in that same transaction (daily totals
//! by additive upserts, `ON CONFLICT ... DO UPDATE SET people = people + excluded.people`;
//! breakdowns read back, merged in Rust and written whole — see `writes::add_rollup`). Rows are checked by the domain as they stream in; an observation
//! already stored is refused by the database's unique key, never counted twice.

use std::collections::HashMap;

use rumbo_domain::Vocabulary;
use rumbo_domain::audit::{Actor, AuditAction, Entity};
use rumbo_domain::flow::compact::decode_groups;
use rumbo_domain::flow::counts::{
    CountContext, CountGroup, ObservationKey, RawCount, Rollup, check_count, format_time,
};
use rumbo_domain::flow::{AgeBrackets, Direction};
use serde::Serialize;
use sqlx::{AnyConnection, Connection, Row};

use crate::audit::record;
use crate::{Result, Store, StoreError, now};

/// The writer that runs them, chunk by chunk.
mod writer;
/// The INSERTs and upserts an import runs.
mod writes;

use writer::Writer;
use writes::add_rollup;
pub(crate) use writes::decode_values;

/// Placeholders per statement: under SQLite's limit (32,766) and PostgreSQL's (65,535).
const MAX_PARAMS: usize = 30_000;
/// Rows checked before they are written, so that memory stays flat on a large file.
const CHUNK: usize = 20_000;

/// What to do when some rows have problems.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportMode {
    /// Store nothing if any row has a problem.
    AllOrNothing,
    /// Store the valid rows; the rejected ones are reported with their reasons.
    ValidRows,
}

/// One rejected row: its number as a spreadsheet shows it, the column and the reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RejectedRow {
    pub row: usize,
    pub column: String,
    pub reason: String,
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CountReport {
    /// Rows stored (0 when nothing was committed).
    pub imported: usize,
    /// Rows that were valid (stored, or that would have been).
    pub valid: usize,
    pub observations: usize,
    pub people: i64,
    pub rejected: Vec<RejectedRow>,
    /// Whether anything was stored.
    pub committed: bool,
}

impl Store {
    /// Checks `rows` and stores them with their rollups, in one transaction. With
    /// [`ImportMode::AllOrNothing`] one problem anywhere stores nothing; with
    /// [`ImportMode::ValidRows`] the valid rows are stored and the others reported.
    /// `may_record` says whether the importer may record at a point (by id): rows at other
    /// points are refused like any invalid row.
    pub async fn import_counts(
        &self,
        actor: &Actor,
        rows: impl IntoIterator<Item = (usize, Result<RawCount, String>), IntoIter: Send + 'static>,
        mode: ImportMode,
        source: &str,
        may_record: &(dyn Fn(i64) -> bool + Sync),
    ) -> Result<CountReport> {
        let points = self.point_rules().await?;
        let brackets = self.age_brackets().await?;
        let today = time::OffsetDateTime::now_utc().date();
        // Rows are read and checked on a thread of their own, a chunk ahead of the database,
        // so that parsing and writing overlap; a bounded channel keeps memory flat.
        let (sender, mut receiver) = tokio::sync::mpsc::channel::<Checked>(2);
        let rows = rows.into_iter();
        let parser_brackets = brackets.clone();
        // Point codes by id, for the message that refuses a row at a point the importer is
        // not assigned to (rows travel with the point's id only).
        let codes: HashMap<i64, String> = points.values().map(|p| (p.id, p.code.clone())).collect();
        std::thread::spawn(move || check_rows(rows, points, parser_brackets, today, sender));
        let mut writer = Writer::new(self.backend, &brackets);
        let mut conn = self.bulk_connection().await?;
        let mut tx = conn.begin().await?;
        while let Some(checked) = receiver.recv().await {
            for (row, problems) in checked.refused {
                writer.reject(row, problems);
            }
            let mut chunk = Vec::with_capacity(checked.groups.len());
            for (row, group) in checked.groups {
                if may_record(group.fmp_id) {
                    chunk.push((row, group));
                } else {
                    let code = codes.get(&group.fmp_id).map_or("this point", String::as_str);
                    writer.reject(
                        row,
                        vec![(
                            "fmp".to_owned(),
                            format!("you may not record counts at {code} (only at points you are assigned to)"),
                        )],
                    );
                }
            }
            writer.write(&mut tx, &mut chunk, actor.user_id).await?;
        }
        writer.finish(&mut tx).await?;
        let mut report = writer.report;
        report.rejected.sort_by_key(|r| r.row);
        let keep = report.valid > 0 && (mode == ImportMode::ValidRows || report.rejected.is_empty());
        if keep {
            record(
                &mut tx,
                actor,
                AuditAction::Import,
                Entity::FlowCount,
                None,
                &format!(
                    "imported {} count rows ({} observations, {} people) from {source}; {} rows rejected",
                    report.valid,
                    report.observations,
                    report.people,
                    report.rejected.len()
                ),
            )
            .await?;
            tx.commit().await?;
            report.imported = report.valid;
            report.committed = true;
            self.after_large_import(&mut conn, report.imported).await?;
        } else {
            tx.rollback().await?;
        }
        self.end_bulk(&mut conn).await?;
        Ok(report)
    }

    /// A connection set up for a large write (see [`crate::dialect::bulk_write`]).
    pub(crate) async fn bulk_connection(&self) -> Result<sqlx::pool::PoolConnection<sqlx::Any>> {
        let mut conn = self.pool.acquire().await?;
        if let Some((start, _)) = crate::dialect::bulk_write(self.backend) {
            sqlx::raw_sql(start).execute(&mut *conn).await?;
        }
        Ok(conn)
    }

    pub(crate) async fn end_bulk(&self, conn: &mut AnyConnection) -> Result<()> {
        if let Some((_, end)) = crate::dialect::bulk_write(self.backend) {
            sqlx::raw_sql(end).execute(conn).await?;
        }
        Ok(())
    }

    /// Statistics refreshed after a large import (see [`crate::dialect::refresh_rollup_statistics`]).
    async fn after_large_import(&self, conn: &mut AnyConnection, rows: usize) -> Result<()> {
        if rows >= 10_000
            && let Some(sql) = crate::dialect::refresh_rollup_statistics(self.backend)
        {
            sqlx::raw_sql(sql).execute(conn).await?;
        }
        Ok(())
    }

    /// Stores groups already checked (the demo, benchmark data): all of them or, if one of
    /// their observations is already stored, none.
    pub async fn record_count_groups(
        &self,
        actor: &Actor,
        groups: Vec<CountGroup>,
        source: &str,
    ) -> Result<CountReport> {
        let brackets = self.age_brackets().await?;
        let mut writer = Writer::new(self.backend, &brackets);
        let mut conn = self.bulk_connection().await?;
        let mut tx = conn.begin().await?;
        let mut chunk = Vec::with_capacity(CHUNK);
        for (i, group) in groups.into_iter().enumerate() {
            chunk.push((i + 1, group));
            if chunk.len() == CHUNK {
                writer.write(&mut tx, &mut chunk, actor.user_id).await?;
            }
        }
        writer.write(&mut tx, &mut chunk, actor.user_id).await?;
        writer.finish(&mut tx).await?;
        let mut report = writer.report;
        if !report.rejected.is_empty() {
            tx.rollback().await?;
            self.end_bulk(&mut conn).await?;
            return Err(StoreError::Rejected {
                message: format!("{} count(s) refused; nothing was stored", report.rejected.len()),
                problems: report
                    .rejected
                    .iter()
                    .take(200)
                    .map(|r| rumbo_domain::Problem::new(format!("group {}, {}", r.row, r.column), &r.reason))
                    .collect(),
            });
        }
        record(
            &mut tx,
            actor,
            AuditAction::Import,
            Entity::FlowCount,
            None,
            &format!(
                "recorded {} groups ({} observations, {} people) from {source}",
                report.valid, report.observations, report.people
            ),
        )
        .await?;
        tx.commit().await?;
        self.end_bulk(&mut conn).await?;
        self.after_large_import(&mut conn, report.valid).await?;
        report.imported = report.valid;
        report.committed = true;
        Ok(report)
    }

    /// Deletes an observation recorded by mistake, with its groups, and takes them out of the
    /// rollups in the same transaction. Returns the point it was at.
    pub async fn delete_observation(&self, actor: &Actor, id: i64) -> Result<i64> {
        let brackets = self.age_brackets().await?;
        let groups = self.observation_groups(id).await?;
        let point = groups
            .first()
            .map(|g| g.fmp_id)
            .ok_or_else(|| StoreError::not_found("observation", id))?;
        let mut tx = self.pool.begin().await?;
        add_rollup(&mut tx, self.backend, &Rollup::of(&groups).negated(), &brackets).await?;
        sqlx::query("DELETE FROM flow_group_sets WHERE observation_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM flow_observations WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        record(
            &mut tx,
            actor,
            AuditAction::Delete,
            Entity::FlowCount,
            Some(&id.to_string()),
            &format!("deleted observation {id} ({} groups)", groups.len()),
        )
        .await?;
        tx.commit().await?;
        Ok(point)
    }

    /// The groups of one observation, as checked groups, in the order they were recorded.
    pub async fn observation_groups(&self, id: i64) -> Result<Vec<CountGroup>> {
        let rows = sqlx::query(
            "SELECT o.location_id, o.obs_date, o.start_minute, o.hours, o.direction, s.groups
             FROM flow_group_sets s JOIN flow_observations o ON o.id = s.observation_id
             WHERE o.id = $1 ORDER BY s.id",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        let mut groups = Vec::new();
        for row in &rows {
            let start: i64 = row.try_get("start_minute")?;
            let key = ObservationKey {
                fmp_id: row.try_get("location_id")?,
                date: rumbo_domain::flow::counts::parse_date(&row.try_get::<String, _>("obs_date")?).map_err(
                    |detail| StoreError::Corrupt {
                        what: "observation date",
                        detail,
                    },
                )?,
                start_minute: (start >= 0).then_some(start as u16),
                hours: row.try_get::<i64, _>("hours")? as u8,
                direction: Direction::parse(&row.try_get::<String, _>("direction")?)?,
            };
            let text: String = row.try_get("groups")?;
            groups.extend(decode_groups(&text, &key).map_err(|detail| StoreError::Corrupt {
                what: "observation groups",
                detail,
            })?);
        }
        Ok(groups)
    }

    /// Observations of a point, newest first, with their groups and people: (id, key, groups,
    /// people, recorded by).
    pub async fn recent_observations(&self, location_id: i64, limit: i64) -> Result<Vec<ObservationRow>> {
        let rows = sqlx::query(
            "SELECT o.id, o.obs_date, o.start_minute, o.hours, o.direction,
                    CAST(COALESCE(SUM(s.group_count), 0) AS BIGINT) AS group_count,
                    CAST(COALESCE(SUM(s.people), 0) AS BIGINT) AS people, u.username
             FROM flow_observations o LEFT JOIN flow_group_sets s ON s.observation_id = o.id
             LEFT JOIN users u ON u.id = o.recorded_by
             WHERE o.location_id = $1
             GROUP BY o.id, o.obs_date, o.start_minute, o.hours, o.direction, u.username
             ORDER BY o.obs_date DESC, o.start_minute DESC, o.id DESC LIMIT $2",
        )
        .bind(location_id)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let start: i64 = r.try_get("start_minute")?;
                Ok(ObservationRow {
                    id: r.try_get("id")?,
                    date: r.try_get("obs_date")?,
                    start: (start >= 0).then(|| format_time(start as u16)),
                    hours: r.try_get("hours")?,
                    direction: r.try_get("direction")?,
                    groups: r.try_get("group_count")?,
                    people: r.try_get("people")?,
                    recorded_by: r.try_get("username")?,
                })
            })
            .collect()
    }
}

/// A chunk of rows, checked: the groups and the rows refused with their problems.
#[derive(Default)]
struct Checked {
    groups: Vec<(usize, CountGroup)>,
    refused: Vec<(usize, Vec<(String, String)>)>,
}

/// Reads and checks rows, sending them on in chunks; stops when the receiver is gone (the
/// import failed).
fn check_rows(
    rows: impl Iterator<Item = (usize, Result<RawCount, String>)>,
    points: HashMap<String, rumbo_domain::flow::counts::PointRule>,
    brackets: AgeBrackets,
    today: time::Date,
    sender: tokio::sync::mpsc::Sender<Checked>,
) {
    let ctx = CountContext {
        points: &points,
        brackets: &brackets,
        today,
    };
    let mut checked = Checked::default();
    for (row, raw) in rows {
        match raw {
            Ok(raw) => match check_count(&raw, &ctx) {
                Ok(group) => checked.groups.push((row, group)),
                Err(problems) => checked.refused.push((row, problems)),
            },
            Err(e) => checked.refused.push((row, vec![("row".to_owned(), e)])),
        }
        if checked.groups.len() + checked.refused.len() >= CHUNK {
            let full = std::mem::replace(
                &mut checked,
                Checked {
                    groups: Vec::with_capacity(CHUNK),
                    refused: Vec::new(),
                },
            );
            if sender.blocking_send(full).is_err() {
                return;
            }
        }
    }
    let _ = sender.blocking_send(checked);
}

/// An observation as a list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ObservationRow {
    pub id: i64,
    pub date: String,
    pub start: Option<String>,
    pub hours: i64,
    pub direction: String,
    pub groups: i64,
    pub people: i64,
    pub recorded_by: Option<String>,
}

/// A count file kept while its uploader chooses what to import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingImport {
    pub id: i64,
    pub user_id: i64,
    pub file_name: String,
    pub content: String,
    /// pending, imported or discarded.
    pub status: String,
}

impl Store {
    /// Keeps a file with problems until its uploader chooses. Count files hold no personal
    /// data; the file is kept as text so that its rejected rows can be downloaded later.
    pub async fn keep_pending_import(
        &self,
        user_id: i64,
        file_name: &str,
        content: &str,
        valid: usize,
        rejected: usize,
    ) -> Result<i64> {
        Ok(sqlx::query(
            "INSERT INTO flow_imports (user_id, file_name, content, status, valid_rows, rejected_rows, created_at)
             VALUES ($1, $2, $3, 'pending', $4, $5, $6) RETURNING id",
        )
        .bind(user_id)
        .bind(file_name)
        .bind(content)
        .bind(valid as i64)
        .bind(rejected as i64)
        .bind(now())
        .fetch_one(&self.pool)
        .await?
        .try_get("id")?)
    }

    pub async fn pending_import(&self, id: i64) -> Result<PendingImport> {
        let row = sqlx::query("SELECT id, user_id, file_name, content, status FROM flow_imports WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| StoreError::not_found("import", id))?;
        Ok(PendingImport {
            id: row.try_get("id")?,
            user_id: row.try_get("user_id")?,
            file_name: row.try_get("file_name")?,
            content: row.try_get("content")?,
            status: row.try_get("status")?,
        })
    }

    /// Marks a kept file as imported or discarded: it cannot be imported a second time.
    pub async fn finish_pending_import(&self, id: i64, status: &str) -> Result<()> {
        sqlx::query("UPDATE flow_imports SET status = $1, finished_at = $2 WHERE id = $3 AND status = 'pending'")
            .bind(status)
            .bind(now())
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
