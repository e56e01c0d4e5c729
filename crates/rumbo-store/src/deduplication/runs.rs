//! De-duplication runs as jobs (`deduplication_runs`). Asking for a run records it `queued` and
//! answers at once; a worker of a server process claims it (`running`), reads the country's
//! people, runs the engine on a blocking thread so that requests keep being served, and files
//! the suggestions and the outcome in one transaction (`done`) — or records why it stopped
//! (`failed`), in words an IM officer can act on and with nothing personal in them. The command
//! line and the demo run synchronously but are recorded the same way, so the page shows them.
//!
//! One run per country at a time across every server instance on the database: a partial
//! unique index over the queued and running runs, and `INSERT ... ON CONFLICT DO NOTHING`, so
//! a second request gets the run already under way. A running run writes a heartbeat; one whose
//! heartbeat stopped belonged to a server that stopped, and any instance marks it failed.

use std::time::Duration;

use rumbo_domain::audit::{Actor, AuditAction, Entity};
use rumbo_domain::country::Iso3;
use rumbo_domain::linkage::{self, LinkageSettings};
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AnyPool, Row};

use super::RunSummary;
use super::linkage::{country_people, file_linkage, records};
use crate::audit::record;
use crate::query::{Filter, Page, dynamic};
use crate::vault::Vault;
use crate::{Result, Store, StoreError, now, timestamp};

/// How often a running run writes its heartbeat.
pub const HEARTBEAT: Duration = Duration::from_secs(15);
/// A running run whose heartbeat is older than this belonged to a server that stopped.
pub const STALE_AFTER: Duration = Duration::from_secs(60);

/// The states of a run, in order.
pub const QUEUED: &str = "queued";
pub const RUNNING: &str = "running";
pub const DONE: &str = "done";
pub const FAILED: &str = "failed";

/// Why a run failed, as stable codes (the page labels them from the catalogue).
pub const NOTHING_TO_COMPARE: &str = "nothing_to_compare";
pub const NO_DATA_KEYS: &str = "no_data_keys";
pub const INTERRUPTED: &str = "interrupted";
pub const INTERNAL: &str = "internal";

/// A run of the linkage engine over a country, as recorded.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DeduplicationRun {
    pub id: i64,
    pub country: Iso3,
    /// Who asked; `None` for the system (the demo).
    pub requested_by: Option<i64>,
    pub requested_by_name: Option<String>,
    /// web, api or cli.
    pub channel: String,
    pub requested_at: String,
    pub started_at: Option<String>,
    pub finished_at: Option<String>,
    /// queued, running, done or failed.
    pub status: String,
    /// queued, reading, linking, filing or done: how far it got.
    pub stage: String,
    pub people: Option<i64>,
    pub candidate_pairs: Option<i64>,
    pub pairs: Option<i64>,
    pub suggested: Option<i64>,
    pub persons: Option<i64>,
    /// nothing_to_compare, no_data_keys, interrupted or internal, when failed.
    pub failure: Option<String>,
    /// What happened and what to do, when failed. Never a personal value.
    pub message: Option<String>,
}

impl DeduplicationRun {
    /// Queued or running: the one run of its country that others wait for.
    pub fn is_active(&self) -> bool {
        self.status == QUEUED || self.status == RUNNING
    }

    /// Who the worker acts for: the person who asked, through the channel they used.
    pub fn actor(&self) -> Actor {
        Actor {
            user_id: self.requested_by,
            address: None,
            request_id: None,
            channel: match self.channel.as_str() {
                "api" => "api",
                "cli" => "cli",
                _ => "web",
            },
        }
    }
}

/// Which runs a list shows.
#[derive(Debug, Clone, Default)]
pub struct RunQuery {
    /// `None` for every country.
    pub countries: Option<Vec<Iso3>>,
    /// queued, running, done, failed, or active (queued or running); any when `None`.
    pub status: Option<String>,
}

const RUN_SELECT: &str = "SELECT r.id, r.country_iso3, r.requested_by, u.display_name AS requested_by_name, r.channel,
        r.requested_at, r.started_at, r.finished_at, r.status, r.stage, r.people, r.candidate_pairs, r.pairs,
        r.suggested, r.persons, r.failure, r.message
    FROM deduplication_runs r LEFT JOIN users u ON u.id = r.requested_by";

fn run_row(row: &AnyRow) -> Result<DeduplicationRun> {
    Ok(DeduplicationRun {
        id: row.try_get("id")?,
        country: crate::registration::stored_country(&row.try_get::<String, _>("country_iso3")?)?,
        requested_by: row.try_get("requested_by")?,
        requested_by_name: row.try_get("requested_by_name")?,
        channel: row.try_get("channel")?,
        requested_at: row.try_get("requested_at")?,
        started_at: row.try_get("started_at")?,
        finished_at: row.try_get("finished_at")?,
        status: row.try_get("status")?,
        stage: row.try_get("stage")?,
        people: row.try_get("people")?,
        candidate_pairs: row.try_get("candidate_pairs")?,
        pairs: row.try_get("pairs")?,
        suggested: row.try_get("suggested")?,
        persons: row.try_get("persons")?,
        failure: row.try_get("failure")?,
        message: row.try_get("message")?,
    })
}

/// How the refusal of a run over a country without two people to compare begins.
const FEWER_THAN_TWO: &str = "fewer than two people";

/// Whether a run failed only because its country has fewer than two people to compare: the
/// command line reports it and goes on with the next country.
pub fn nothing_to_compare(error: &StoreError) -> bool {
    matches!(error, StoreError::Conflict(message) if message.starts_with(FEWER_THAN_TWO))
}

/// Why a run stopped, as recorded: a code and a message for the IM officer.
fn failure_of(country: Iso3, error: &StoreError) -> (&'static str, String) {
    match error {
        StoreError::NoDataKey => (
            NO_DATA_KEYS,
            "the server that ran it was started without the data keys that open registrations: \
             ask the administrator to start it with them, then ask for a new run"
                .to_owned(),
        ),
        StoreError::Conflict(message) if message.starts_with(FEWER_THAN_TWO) => (NOTHING_TO_COMPARE, message.clone()),
        _ => (
            INTERNAL,
            format!(
                "the run over {country} stopped on an error the server logged: ask for a new run, and tell \
                 the administrator if it fails again"
            ),
        ),
    }
}

/// Writes the heartbeat of a running run until dropped.
struct Heartbeat(tokio::task::JoinHandle<()>);

impl Heartbeat {
    fn start(pool: AnyPool, id: i64) -> Heartbeat {
        Heartbeat(tokio::spawn(async move {
            let mut tick = tokio::time::interval(HEARTBEAT);
            loop {
                tick.tick().await;
                let beat = sqlx::query("UPDATE deduplication_runs SET heartbeat_at = $1 WHERE id = $2")
                    .bind(now())
                    .bind(id)
                    .execute(&pool)
                    .await;
                if let Err(e) = beat {
                    tracing::warn!(run = id, error = %e, "could not write a de-duplication run's heartbeat");
                }
            }
        }))
    }
}

impl Drop for Heartbeat {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl Store {
    /// Asks for a run over `country`: queues one, or returns the run already queued or running
    /// there (`false`), whichever instance was asked. The request is audited.
    pub async fn request_deduplication_run(&self, actor: &Actor, country: Iso3) -> Result<(DeduplicationRun, bool)> {
        // Without the keys no instance could read the people: refuse now, not in the worker.
        self.vault()?;
        self.insert_run(actor, country, QUEUED).await
    }

    /// Inserts a run in `status` (queued, or running for a synchronous run) unless one is
    /// active in the country; returns it and whether it is new.
    async fn insert_run(&self, actor: &Actor, country: Iso3, status: &str) -> Result<(DeduplicationRun, bool)> {
        // The active run may finish between the refused insert and the read: then try again.
        for _ in 0..3 {
            let at = now();
            let mut tx = self.pool.begin().await?;
            let (started, stage) = if status == RUNNING {
                (Some(at.clone()), "reading")
            } else {
                (None, QUEUED)
            };
            let inserted = sqlx::query(
                "INSERT INTO deduplication_runs (country_iso3, requested_by, channel, requested_at, started_at,
                     heartbeat_at, status, stage)
                 VALUES ($1, $2, $3, $4, $5, $5, $6, $7) ON CONFLICT DO NOTHING RETURNING id",
            )
            .bind(country.to_string())
            .bind(actor.user_id)
            .bind(actor.channel)
            .bind(&at)
            .bind(started)
            .bind(status)
            .bind(stage)
            .fetch_optional(&mut *tx)
            .await?;
            if let Some(row) = inserted {
                let id: i64 = row.try_get("id")?;
                record(
                    &mut tx,
                    actor,
                    AuditAction::Create,
                    Entity::ReviewFlag,
                    Some(&id.to_string()),
                    &format!("asked for de-duplication run {id} over {country}"),
                )
                .await?;
                tx.commit().await?;
                return Ok((self.deduplication_run(id).await?, true));
            }
            tx.rollback().await?;
            let (active, _) = self
                .deduplication_runs(
                    &RunQuery {
                        countries: Some(vec![country]),
                        status: Some("active".to_owned()),
                    },
                    Page::new(Some(1), None),
                )
                .await?;
            if let Some(run) = active.into_iter().next() {
                return Ok((run, false));
            }
        }
        Err(StoreError::Conflict(format!(
            "de-duplication runs over {country} keep starting and finishing: ask again"
        )))
    }

    /// One run.
    pub async fn deduplication_run(&self, id: i64) -> Result<DeduplicationRun> {
        let row = sqlx::query(dynamic(format!("{RUN_SELECT} WHERE r.id = $1")))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| StoreError::not_found("de-duplication run", id))?;
        run_row(&row)
    }

    /// Runs, the latest first, and how many match.
    pub async fn deduplication_runs(&self, query: &RunQuery, page: Page) -> Result<(Vec<DeduplicationRun>, i64)> {
        let mut filter = Filter::default();
        if let Some(list) = &query.countries {
            if list.is_empty() {
                filter.push_fixed("1 = 0");
            } else {
                let marks: Vec<String> = list.iter().map(|c| filter.bind(c.to_string())).collect();
                filter.push_fixed(&format!("r.country_iso3 IN ({})", marks.join(", ")));
            }
        }
        match query.status.as_deref() {
            None => {}
            Some("active") => {
                filter.push_fixed("r.status IN ('queued', 'running')");
            }
            Some(status) => {
                filter.push("r.status = $", status);
            }
        }
        let clause = filter.where_clause();
        let total: i64 = sqlx::query_with(
            dynamic(format!("SELECT COUNT(*) AS n FROM deduplication_runs r{clause}")),
            filter.args(),
        )
        .fetch_one(&self.pool)
        .await?
        .try_get("n")?;
        let sql = format!("{RUN_SELECT}{clause} ORDER BY r.id DESC{}", filter.limit(page));
        let rows = sqlx::query_with(dynamic(sql), filter.into_args())
            .fetch_all(&self.pool)
            .await?;
        let runs = rows.iter().map(run_row).collect::<Result<Vec<_>>>()?;
        Ok((runs, total))
    }

    /// Claims the oldest queued run for this process and runs it; `None` when nothing waits.
    /// The run's own failure is recorded on the run, not returned.
    pub async fn run_next_deduplication(&self, settings: &LinkageSettings) -> Result<Option<DeduplicationRun>> {
        let at = now();
        // Two workers may pick the same id; the second finds it no longer queued and gets nothing.
        let claimed = sqlx::query(
            "UPDATE deduplication_runs SET status = 'running', stage = 'reading', started_at = $1, heartbeat_at = $1
             WHERE status = 'queued'
               AND id = (SELECT MIN(id) FROM deduplication_runs WHERE status = 'queued')
             RETURNING id",
        )
        .bind(&at)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = claimed else { return Ok(None) };
        let run = self.deduplication_run(row.try_get("id")?).await?;
        // A failure is on the run already; the summary is for the command line.
        let _ = self.execute_run(&run.actor(), run.id, run.country, settings).await;
        Ok(Some(self.deduplication_run(run.id).await?))
    }

    /// Trains the engine on the people registered in `country` and files the pairs no one has
    /// decided yet, now, in this call: the command line's and the demo's run. Recorded as a run
    /// like those the page asks for; refused while another run over the country is under way.
    pub async fn run_deduplication(
        &self,
        actor: &Actor,
        country: Iso3,
        settings: &LinkageSettings,
    ) -> Result<RunSummary> {
        self.vault()?;
        let (run, new) = self.insert_run(actor, country, RUNNING).await?;
        if !new {
            return Err(StoreError::Conflict(format!(
                "de-duplication run {} over {country} is already {} (asked at {}): wait for it to finish",
                run.id, run.status, run.requested_at
            )));
        }
        self.execute_run(actor, run.id, country, settings).await
    }

    /// Runs a claimed run to its end, and records its outcome or its failure.
    async fn execute_run(
        &self,
        actor: &Actor,
        id: i64,
        country: Iso3,
        settings: &LinkageSettings,
    ) -> Result<RunSummary> {
        let heartbeat = Heartbeat::start(self.pool.clone(), id);
        let result = self.link_and_file(actor, id, country, settings).await;
        drop(heartbeat);
        if let Err(error) = &result {
            let (code, message) = failure_of(country, error);
            if code == INTERNAL {
                tracing::warn!(run = id, %error, "de-duplication run failed");
            }
            if let Err(e) = self.fail_run(actor, id, country, code, &message, None).await {
                tracing::warn!(run = id, error = %e, "could not record a de-duplication run's failure");
            }
        }
        result
    }

    async fn set_stage(&self, id: i64, stage: &str) -> Result<()> {
        sqlx::query("UPDATE deduplication_runs SET stage = $1, heartbeat_at = $2 WHERE id = $3")
            .bind(stage)
            .bind(now())
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn link_and_file(
        &self,
        actor: &Actor,
        id: i64,
        country: Iso3,
        settings: &LinkageSettings,
    ) -> Result<RunSummary> {
        let vault = self.vault()?;
        let mut conn = self.bulk_connection().await?;
        let result = self
            .link_and_file_on(&mut conn, vault, actor, id, country, settings)
            .await;
        // The connection goes back to the pool with its usual settings, whatever happened.
        self.end_bulk(&mut conn).await?;
        result
    }

    async fn link_and_file_on(
        &self,
        conn: &mut AnyConnection,
        vault: &Vault,
        actor: &Actor,
        id: i64,
        country: Iso3,
        settings: &LinkageSettings,
    ) -> Result<RunSummary> {
        let people = country_people(&mut *conn, vault, country).await?;
        if people.len() < 2 {
            return Err(StoreError::Conflict(format!(
                "{FEWER_THAN_TWO} are registered in {country} ({}): there is nothing to compare yet",
                people.len()
            )));
        }
        self.set_stage(id, "linking").await?;
        let input = records(&people);
        let settings = settings.clone();
        // Minutes of work on every core for a large country: off the async workers.
        let linkage = tokio::task::spawn_blocking(move || linkage::link(&input, &settings))
            .await
            .map_err(|e| StoreError::Corrupt {
                what: "de-duplication run",
                detail: format!("the linkage engine stopped: {e}"),
            })?;
        self.set_stage(id, "filing").await?;
        let mut tx = sqlx::Acquire::begin(&mut *conn).await?;
        let summary = file_linkage(&mut tx, actor, id, country, &people, &linkage).await?;
        let finished = sqlx::query(
            "UPDATE deduplication_runs SET status = 'done', stage = 'done', finished_at = $1, heartbeat_at = $1,
                 people = $2, candidate_pairs = $3, pairs = $4, suggested = $5, persons = $6, model_id = $7
             WHERE id = $8 AND status = 'running'",
        )
        .bind(now())
        .bind(summary.records as i64)
        .bind(summary.candidate_pairs as i64)
        .bind(summary.pairs as i64)
        .bind(summary.suggested as i64)
        .bind(summary.clusters as i64)
        .bind(summary.model_id)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if finished.rows_affected() != 1 {
            // Marked failed meanwhile (its heartbeat stalled): its outcome is not filed twice.
            return Err(StoreError::Conflict(format!(
                "de-duplication run {id} was stopped before it could file its outcome"
            )));
        }
        tx.commit().await?;
        Ok(summary)
    }

    /// Records a run's failure, unless it ended meanwhile or (with `stale_before`) its
    /// heartbeat came back. Returns whether it was marked.
    async fn fail_run(
        &self,
        actor: &Actor,
        id: i64,
        country: Iso3,
        code: &str,
        message: &str,
        stale_before: Option<&str>,
    ) -> Result<bool> {
        let mut tx = self.pool.begin().await?;
        let failed = sqlx::query(
            "UPDATE deduplication_runs SET status = 'failed', finished_at = $1, heartbeat_at = $1, failure = $2,
                 message = $3
             WHERE id = $4 AND status IN ('queued', 'running')
               AND (heartbeat_at IS NULL OR heartbeat_at < $5)",
        )
        .bind(now())
        .bind(code)
        .bind(message)
        .bind(id)
        // Without a stale limit, any heartbeat: every stored time sorts before this.
        .bind(stale_before.unwrap_or("9999-12-31T23:59:59Z"))
        .execute(&mut *tx)
        .await?;
        if failed.rows_affected() == 1 {
            record(
                &mut tx,
                actor,
                AuditAction::Update,
                Entity::ReviewFlag,
                Some(&id.to_string()),
                &format!("de-duplication run {id} over {country} failed: {message}"),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(failed.rows_affected() == 1)
    }

    /// Marks failed the runs left running by a server that stopped (no heartbeat for
    /// [`STALE_AFTER`]); returns how many. Any instance may do it, at start and while it works.
    pub async fn recover_deduplication_runs(&self) -> Result<usize> {
        let stale = timestamp(time::OffsetDateTime::now_utc() - STALE_AFTER);
        let rows = sqlx::query(
            "SELECT id, country_iso3 FROM deduplication_runs
             WHERE status = 'running' AND (heartbeat_at IS NULL OR heartbeat_at < $1)",
        )
        .bind(&stale)
        .fetch_all(&self.pool)
        .await?;
        // The server itself notices: no person asked for this.
        let system = Actor::system("web");
        let mut marked = 0;
        for row in &rows {
            let id: i64 = row.try_get("id")?;
            let country = crate::registration::stored_country(&row.try_get::<String, _>("country_iso3")?)?;
            let message = format!(
                "the server running it stopped before it finished (at the stage shown): ask for a new run over {country}"
            );
            if self
                .fail_run(&system, id, country, INTERRUPTED, &message, Some(&stale))
                .await?
            {
                marked += 1;
            }
        }
        Ok(marked)
    }
}
