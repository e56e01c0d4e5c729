//! Runs of the linkage engine for IM officers: the queue page's button asks for one (queued at
//! once, or the run already under way in the country), and a run's page follows it — status,
//! stage, outcome, why it failed — refreshing itself with a `<meta http-equiv=refresh>` while
//! it is queued or running (no script: the CSP allows none inline), with the country's recent
//! runs beneath. The queue page lists the recent runs too (see [`run_lines`]).

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use rumbo_domain::access::Action;
use rumbo_domain::country::Iso3;
use rumbo_store::Page;
use rumbo_store::deduplication::{DeduplicationRun, RunQuery};
use serde::Deserialize;

use super::parts::Fields;
use super::{Chrome, render};
use crate::AppState;
use crate::api::deduplication_runs::{request, run_for};
use crate::auth::Ctx;
use crate::error::AppError;
use crate::i18n::Tr;

/// How many of a country's runs its pages list.
const RECENT: i64 = 8;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/registration/duplicates/run", post(ask))
        .route("/registration/duplicates/runs/{id}", get(run_page))
}

/// A run as the pages show it, labelled.
pub(crate) struct RunLine {
    pub id: i64,
    pub country: String,
    /// queued, running, done or failed (for the badge).
    pub status_code: String,
    pub status: String,
    pub stage: String,
    pub active: bool,
    pub done: bool,
    pub requested_at: String,
    /// Who asked and how: "Ana Pérez (web page)", "Rumbo (command line)".
    pub requested_by: String,
    pub started_at: String,
    pub finished_at: String,
    pub people: String,
    pub candidate_pairs: String,
    pub pairs: String,
    pub suggested: String,
    pub persons: String,
    /// Why it failed and what to do, in the reader's language.
    pub failure: Option<String>,
}

fn count(v: Option<i64>) -> String {
    v.map_or_else(String::new, |n| n.to_string())
}

pub(crate) fn run_line(tr: &Tr, r: &DeduplicationRun) -> RunLine {
    let who = r.requested_by_name.clone().unwrap_or_else(|| "Rumbo".to_owned());
    RunLine {
        id: r.id,
        country: r.country.to_string(),
        status_code: r.status.clone(),
        status: tr.t(&format!("dedup-run-status-{}", r.status)),
        stage: tr.t(&format!("dedup-run-stage-{}", r.stage)),
        active: r.is_active(),
        done: r.status == "done",
        requested_at: r.requested_at.clone(),
        requested_by: format!("{who} ({})", tr.t(&format!("dedup-run-channel-{}", r.channel))),
        started_at: r.started_at.clone().unwrap_or_default(),
        finished_at: r.finished_at.clone().unwrap_or_default(),
        people: count(r.people),
        candidate_pairs: count(r.candidate_pairs),
        pairs: count(r.pairs),
        suggested: count(r.suggested),
        persons: count(r.persons),
        failure: r
            .failure
            .as_ref()
            .map(|code| tr.t(&format!("dedup-run-failure-{code}"))),
    }
}

/// The latest runs in `countries` (every country when `None`), labelled.
pub(crate) async fn run_lines(
    state: &AppState,
    tr: &Tr,
    countries: Option<Vec<Iso3>>,
) -> Result<Vec<RunLine>, AppError> {
    let query = RunQuery {
        countries,
        status: None,
    };
    let (runs, _) = state
        .store
        .deduplication_runs(&query, Page::new(Some(RECENT), None))
        .await?;
    Ok(runs.iter().map(|r| run_line(tr, r)).collect())
}

async fn ask(State(state): State<AppState>, ctx: Ctx, fields: Fields) -> Result<Response, AppError> {
    ctx.require_somewhere(Action::ReviewDuplicates)?;
    let country = Iso3::parse(fields.get("country"))?;
    let (run, new) = request(&state, &ctx, country).await?;
    let asked = if new { "new" } else { "already" };
    Ok(Redirect::to(&format!("/registration/duplicates/runs/{}?asked={asked}", run.id)).into_response())
}

#[derive(Debug, Default, Deserialize)]
struct RunForm {
    /// Set after asking: new (queued now) or already (the run under way).
    asked: Option<String>,
}

#[derive(Template)]
#[template(path = "deduplication/run.html")]
struct RunPage {
    c: Chrome,
    title: String,
    run: RunLine,
    notice: Option<String>,
    /// (label, value) rows of the run's state and outcome.
    rows: Vec<(String, String)>,
    runs: Vec<RunLine>,
}

async fn run_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(form): Query<RunForm>,
) -> Result<Response, AppError> {
    let id: i64 = id
        .parse()
        .map_err(|_| AppError::NotFound(format!("de-duplication run {id} does not exist")))?;
    let run = run_for(&state, &ctx, id).await?;
    let c = Chrome::new(&ctx, "/registration");
    let line = run_line(&c.tr, &run);
    let notice = match form.asked.as_deref() {
        // Said while it waits or runs; once it has ended the page says how it ended instead.
        Some("new") if line.active => Some(c.tr.with("dedup-run-queued-now", &[("id", run.id.to_string())])),
        Some("already") => Some(c.tr.with(
            "dedup-run-already",
            &[("id", run.id.to_string()), ("status", line.status.clone())],
        )),
        _ => None,
    };
    let tr = &c.tr;
    let mut rows = vec![
        (tr.t("geo-country"), line.country.clone()),
        (tr.t("dedup-status"), line.status.clone()),
    ];
    if !line.done {
        // Where it is, or where it stopped.
        rows.push((tr.t("dedup-run-stage"), line.stage.clone()));
    }
    rows.extend([
        (tr.t("dedup-run-requested-by"), line.requested_by.clone()),
        (tr.t("dedup-run-requested-at"), line.requested_at.clone()),
        (tr.t("dedup-run-started-at"), line.started_at.clone()),
        (tr.t("dedup-run-finished-at"), line.finished_at.clone()),
    ]);
    if line.done {
        rows.extend([
            (tr.t("dedup-run-people"), line.people.clone()),
            (tr.t("dedup-run-candidates"), line.candidate_pairs.clone()),
            (tr.t("dedup-run-pairs"), line.pairs.clone()),
            (tr.t("dedup-run-suggested"), line.suggested.clone()),
            (tr.t("dedup-run-persons"), line.persons.clone()),
        ]);
    }
    let runs = run_lines(&state, tr, Some(vec![run.country])).await?;
    render(&RunPage {
        title: tr.with("dedup-run-title", &[("id", run.id.to_string())]),
        run: line,
        notice,
        rows,
        runs,
        c,
    })
}
