//! Runs of the linkage engine over the API. Asking for a run answers at once: 202 with the run
//! queued and a `Location` to follow it, or 200 with the run already queued or running in the
//! country (one at a time, whichever server was asked). A worker in a server process runs it;
//! the run's status, stage, outcome counts and, if it failed, why, are read back here.

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use rumbo_domain::access::{Action, Target};
use rumbo_domain::country::Iso3;
use rumbo_store::Page;
use rumbo_store::deduplication::{DeduplicationRun, RunQuery};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::api::{Body, Id, Listing, Params};
use crate::auth::Ctx;
use crate::deduplication::{given, listed_countries};
use crate::error::{AppError, ErrorBody};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(request_run))
        .routes(routes!(list_runs))
        .routes(routes!(get_run))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct RunIn {
    /// ISO3 code of the country whose registrations are linked.
    pub country: String,
}

/// A run of the linkage engine over a country.
#[derive(Debug, Serialize, ToSchema)]
pub struct RunOut {
    pub id: i64,
    pub country: String,
    /// queued, running, done or failed.
    pub status: String,
    /// How far it got: queued, reading, linking, filing, done.
    pub stage: String,
    /// The account that asked; none for the system (the demo).
    pub requested_by: Option<i64>,
    pub requested_by_name: Option<String>,
    /// web, api or cli.
    pub channel: String,
    pub requested_at: String,
    pub started_at: Option<String>,
    pub finished_at: Option<String>,
    /// People compared.
    pub people: Option<i64>,
    /// Candidate pairs from blocking, each compared once.
    pub candidate_pairs: Option<i64>,
    /// Pairs at or above the threshold.
    pub pairs: Option<i64>,
    /// Of those, newly filed in the review queue.
    pub suggested: Option<i64>,
    /// Persons the clustering found.
    pub persons: Option<i64>,
    /// Why it failed: nothing_to_compare, no_data_keys, interrupted or internal.
    pub failure: Option<String>,
    /// What happened and what to do, when it failed.
    pub message: Option<String>,
    /// Where to follow it.
    pub url: String,
}

impl From<DeduplicationRun> for RunOut {
    fn from(r: DeduplicationRun) -> Self {
        RunOut {
            url: run_url(r.id),
            id: r.id,
            country: r.country.to_string(),
            status: r.status,
            stage: r.stage,
            requested_by: r.requested_by,
            requested_by_name: r.requested_by_name,
            channel: r.channel,
            requested_at: r.requested_at,
            started_at: r.started_at,
            finished_at: r.finished_at,
            people: r.people,
            candidate_pairs: r.candidate_pairs,
            pairs: r.pairs,
            suggested: r.suggested,
            persons: r.persons,
            failure: r.failure,
            message: r.message,
        }
    }
}

fn run_url(id: i64) -> String {
    format!("/api/v1/registration/duplicates/runs/{id}")
}

/// The answer to a request for a run.
#[derive(Debug, Serialize, ToSchema)]
pub struct RunRequested {
    /// True when a run over the country was already queued or running: `run` is that one, and
    /// no second run was started.
    pub already_requested: bool,
    pub message: String,
    pub run: RunOut,
}

/// Asks for a run, for the API and the pages: queues one over `country`, or returns the run
/// already queued or running there (`false`). Wakes this process's worker.
pub(crate) async fn request(state: &AppState, ctx: &Ctx, country: Iso3) -> Result<(DeduplicationRun, bool), AppError> {
    ctx.require(Action::ReviewDuplicates, &Target::country(country))?;
    let (run, new) = state.store.request_deduplication_run(&ctx.actor(), country).await?;
    if new {
        state.runs_waiting.notify_one();
    }
    Ok((run, new))
}

/// Runs the linkage engine over a country's registrations, in the background: trains its
/// model without labels, keeps it for matching each new registration, and files every pair at
/// or above the threshold that nobody has decided yet (a rejected pair is never filed again).
/// Answers at once. Names are read in memory only; the read is audited. One run per country at
/// a time: asking while one is queued or running returns that run.
#[utoipa::path(post, path = "/registration/duplicates/run", tag = "deduplication", request_body = RunIn,
    responses((status = 202, description = "Queued; follow `Location`", body = RunRequested),
              (status = 200, description = "A run was already queued or running: that run", body = RunRequested),
              (status = 403, body = ErrorBody), (status = 422, body = ErrorBody), (status = 503, body = ErrorBody)))]
async fn request_run(State(state): State<AppState>, ctx: Ctx, Body(body): Body<RunIn>) -> Result<Response, AppError> {
    ctx.require_somewhere(Action::ReviewDuplicates)?;
    let country = Iso3::parse(&body.country)?;
    let (run, new) = request(&state, &ctx, country).await?;
    let message = if new {
        format!("de-duplication run {} over {country} is queued", run.id)
    } else {
        format!(
            "de-duplication run {} over {country} was already {}: this is that run, no second one was started",
            run.id, run.status
        )
    };
    let status = if new { StatusCode::ACCEPTED } else { StatusCode::OK };
    let location = run_url(run.id);
    Ok((
        status,
        [(header::LOCATION, location)],
        Json(RunRequested {
            already_requested: !new,
            message,
            run: run.into(),
        }),
    )
        .into_response())
}

#[derive(Debug, Deserialize, IntoParams)]
pub(crate) struct RunFilter {
    /// ISO3 code; every country the reader reviews when empty.
    pub country: Option<String>,
    /// queued, running, done, failed, or active (queued or running).
    pub status: Option<String>,
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

impl RunFilter {
    /// The store's query, restricted to the countries the user reviews.
    pub(crate) fn query(&self, ctx: &Ctx) -> Result<RunQuery, AppError> {
        let countries = listed_countries(ctx, &self.country)?;
        let status = given(&self.status);
        if let Some(s) = &status
            && !matches!(s.as_str(), "queued" | "running" | "done" | "failed" | "active")
        {
            return Err(AppError::Invalid(format!(
                "status: '{s}' is not queued, running, done, failed or active"
            )));
        }
        Ok(RunQuery { countries, status })
    }
}

/// Runs of the linkage engine, the latest first, in the countries where the reader reviews
/// duplicates (those asked for on the web and the API, and those of the command line).
#[utoipa::path(get, path = "/registration/duplicates/runs", tag = "deduplication", params(RunFilter),
    responses((status = 200, body = Listing<RunOut>), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn list_runs(
    State(state): State<AppState>,
    ctx: Ctx,
    Params(filter): Params<RunFilter>,
) -> Result<Listing<RunOut>, AppError> {
    let query = filter.query(&ctx)?;
    let page = Page::new(filter.limit, filter.offset);
    let (runs, total) = state.store.deduplication_runs(&query, page).await?;
    Ok(Listing {
        items: runs.into_iter().map(RunOut::from).collect(),
        total,
        limit: page.limit,
        offset: page.offset,
    })
}

/// One run, if the reader reviews duplicates in its country.
pub(crate) async fn run_for(state: &AppState, ctx: &Ctx, id: i64) -> Result<DeduplicationRun, AppError> {
    ctx.require_somewhere(Action::ReviewDuplicates)?;
    let run = state.store.deduplication_run(id).await?;
    ctx.require(Action::ReviewDuplicates, &Target::country(run.country))?;
    Ok(run)
}

/// One run: its status, stage, outcome and, if it failed, why. Poll it until `status` is done
/// or failed.
#[utoipa::path(get, path = "/registration/duplicates/runs/{id}", tag = "deduplication",
    responses((status = 200, body = RunOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get_run(State(state): State<AppState>, ctx: Ctx, Id(id): Id) -> Result<Json<RunOut>, AppError> {
    Ok(Json(run_for(&state, &ctx, id).await?.into()))
}
