//! Getting counts in: the count form an enumerator fills on a phone (one observation, its
//! groups), the import of count files — where a file with problems is kept until its uploader
//! chooses to import the valid rows (the rejected ones downloadable with their reasons) or
//! nothing — and the import of official border movement tables.

use askama::Template;
use axum::Router;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use rumbo_domain::Vocabulary;
use rumbo_domain::access::Action;
use rumbo_domain::flow::official::official_months;
use rumbo_domain::flow::{Direction, Transport};
use rumbo_store::flow::counts::{CountReport, ImportMode, RejectedRow};
use serde::Deserialize;

use super::flow_points::country_choices;
use super::parts::{Choice, Fields, unprocessable};
use super::{Chrome, render};
use crate::AppState;
use crate::api::flow::{GroupIn, ObservationIn, import_official_upload, store_observation};
use crate::auth::Ctx;
use crate::error::{AppError, ProblemOut};
use crate::files::{download, read_upload};
use crate::flow_data::{import_count_text, reach, upload_text};
use crate::transfer::clean_file_name;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/flow/record", get(record_form).post(record))
        .route("/flow/import", get(import_form).post(import))
        .route("/flow/import/{id}/valid", post(import_valid))
        .route("/flow/import/{id}/discard", post(discard))
        .route("/flow/import/{id}/rejected.csv", get(rejected_csv))
        .route("/flow/official", get(official).post(official_import))
}

/// Group rows the form shows at first; a script adds more.
const BLANK_GROUPS: usize = 3;

/// One group row of the form, as typed.
#[derive(Debug, Clone, Default)]
struct GroupForm {
    size: String,
    breakdown: Vec<String>,
    nationality: String,
    transport: String,
    previous_point: String,
    next_destination: String,
    final_destination: String,
}

impl GroupForm {
    /// The value typed in sex and age column `slot`.
    fn cell(&self, slot: &usize) -> &str {
        self.breakdown.get(*slot).map_or("", String::as_str)
    }
}

#[derive(Template)]
#[template(path = "flow/record.html")]
struct RecordPage {
    c: Chrome,
    points: Vec<Choice>,
    directions: Vec<Choice>,
    transports: Vec<(String, String)>,
    /// (slot index, label) of each sex and age column.
    columns: Vec<(usize, String)>,
    date: String,
    start_time: String,
    hours: String,
    groups: Vec<GroupForm>,
    problems: Vec<ProblemOut>,
    saved: Option<String>,
}

#[derive(Deserialize)]
struct RecordQuery {
    point: Option<String>,
    saved: Option<String>,
}

/// The points where the user may record: all of their countries for IM officers, the
/// assigned ones for enumerators.
pub(super) async fn recordable_points(state: &AppState, ctx: &Ctx, selected: &str) -> Result<Vec<Choice>, AppError> {
    let user = ctx.user()?;
    let subject = user.subject();
    let assigned = state.store.assigned_points(user.id).await?;
    let points = state
        .store
        .flow_points(reach(user, Action::ViewFlowData).as_deref(), None)
        .await?;
    Ok(points
        .into_iter()
        .filter(|p| {
            subject.may(
                Action::RecordFlowData {
                    assigned: assigned.contains(&p.location.id),
                },
                &rumbo_domain::access::Target::country(p.location.country),
            )
        })
        .map(|p| {
            let id = p.location.id.to_string();
            let chosen = id == selected;
            Choice::new(id, format!("{} — {}", p.location.code, p.location.name), chosen)
        })
        .collect())
}

async fn record_page(
    state: &AppState,
    ctx: &Ctx,
    fields: Option<&Fields>,
    selected_point: &str,
    problems: Vec<ProblemOut>,
    saved: Option<String>,
) -> Result<RecordPage, AppError> {
    let c = Chrome::new(ctx, "/flow/record");
    let brackets = state.store.age_brackets().await?;
    let columns: Vec<(usize, String)> = brackets
        .columns()
        .into_iter()
        .enumerate()
        .map(|(i, (sex, bracket))| (i, format!("{} {}", c.tr.label(sex), brackets.label(bracket))))
        .collect();
    let get = |name: &str| fields.map(|f| f.get(name).to_owned()).unwrap_or_default();
    let groups = match fields {
        Some(f) => groups_of(f, columns.len()),
        None => vec![GroupForm::default(); BLANK_GROUPS],
    };
    let today = time::OffsetDateTime::now_utc().date().to_string();
    let direction = get("direction");
    Ok(RecordPage {
        points: recordable_points(state, ctx, selected_point).await?,
        directions: Direction::ALL
            .iter()
            .map(|d| Choice::new(d.code(), c.tr.label(*d), direction == d.code()))
            .collect(),
        transports: Transport::ALL
            .iter()
            .map(|t| (t.code().to_owned(), c.tr.label(*t)))
            .collect(),
        columns,
        date: fields.map_or(today, |f| f.get("date").to_owned()),
        start_time: get("start_time"),
        hours: fields.map_or_else(|| "12".to_owned(), |f| f.get("hours").to_owned()),
        groups,
        problems,
        saved,
        c,
    })
}

/// The group rows of a posted form; rows left blank are dropped.
fn groups_of(fields: &Fields, slots: usize) -> Vec<GroupForm> {
    let each = |name: &str| fields.each(name).into_iter().map(str::to_owned).collect::<Vec<_>>();
    let sizes = each("size");
    let column = |name: &str, i: usize| each(name).get(i).cloned().unwrap_or_default();
    let breakdowns: Vec<Vec<String>> = (0..slots).map(|s| each(&format!("b{s}"))).collect();
    (0..sizes.len())
        .map(|i| GroupForm {
            size: sizes[i].clone(),
            breakdown: breakdowns
                .iter()
                .map(|b| b.get(i).cloned().unwrap_or_default())
                .collect(),
            nationality: column("nationality", i),
            transport: column("transport", i),
            previous_point: column("previous_point", i),
            next_destination: column("next_destination", i),
            final_destination: column("final_destination", i),
        })
        .filter(|g| !g.size.trim().is_empty() || g.breakdown.iter().any(|b| !b.trim().is_empty()))
        .collect()
}

async fn record_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(query): Query<RecordQuery>,
) -> Result<Response, AppError> {
    ctx.require_somewhere(Action::ViewFlowData)?;
    let point = query.point.unwrap_or_default();
    render(&record_page(&state, &ctx, None, &point, Vec::new(), query.saved).await?)
}

fn whole(raw: &str) -> Result<i64, String> {
    match raw.trim() {
        "" => Ok(0),
        text => text
            .parse::<i64>()
            .map_err(|_| format!("'{text}' is not a whole number")),
    }
}

async fn record(State(state): State<AppState>, ctx: Ctx, fields: Fields) -> Result<Response, AppError> {
    ctx.require_somewhere(Action::ViewFlowData)?;
    let point_raw = fields.get("point").to_owned();
    let mut problems = Vec::new();
    let point = point_raw.parse::<i64>().map_err(|_| {
        problems.push(ProblemOut {
            location: "point".into(),
            problem: "choose a flow monitoring point".into(),
        })
    });
    let hours = whole(fields.get("hours")).map_err(|e| {
        problems.push(ProblemOut {
            location: "hours".into(),
            problem: e,
        })
    });
    let brackets = state.store.age_brackets().await?;
    let slots = brackets.columns().len();
    let groups = groups_of(&fields, slots);
    let mut parsed = Vec::new();
    for (i, g) in groups.iter().enumerate() {
        let mut number = |field: &str, raw: &str| {
            whole(raw).unwrap_or_else(|e| {
                problems.push(ProblemOut {
                    location: format!("group {}, {field}", i + 1),
                    problem: e,
                });
                0
            })
        };
        let size = number("group_size", &g.size);
        let breakdown: Vec<i64> = g.breakdown.iter().map(|b| number("breakdown", b)).collect();
        parsed.push(GroupIn {
            size,
            breakdown: if g.breakdown.iter().all(|b| b.trim().is_empty()) {
                Vec::new()
            } else {
                breakdown
            },
            nationality: g.nationality.clone(),
            transport: g.transport.clone(),
            previous_point: g.previous_point.clone(),
            next_destination: g.next_destination.clone(),
            final_destination: g.final_destination.clone(),
        });
    }
    if parsed.is_empty() {
        problems.push(ProblemOut {
            location: "group 1".into(),
            problem: "record at least one group".into(),
        });
    }
    if let (true, Ok(point), Ok(hours)) = (problems.is_empty(), point, hours) {
        let input = ObservationIn {
            point,
            date: fields.get("date").to_owned(),
            start_time: fields.get("start_time").to_owned(),
            hours,
            direction: fields.get("direction").to_owned(),
            groups: parsed,
        };
        let report = store_observation(&state, &ctx, &input).await?;
        if report.committed {
            return Ok(Redirect::to(&format!("/flow/record?point={point}&saved={}", report.people)).into_response());
        }
        problems = rejected_problems(&report.rejected, "group");
    }
    unprocessable(&record_page(&state, &ctx, Some(&fields), &point_raw, problems, None).await?)
}

fn rejected_problems(rejected: &[RejectedRow], what: &str) -> Vec<ProblemOut> {
    rejected
        .iter()
        .take(200)
        .map(|r| ProblemOut {
            location: format!("{what} {}, {}", r.row, r.column),
            problem: r.reason.clone(),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "flow/import.html")]
struct ImportPage {
    c: Chrome,
    done: Option<String>,
    /// A file with problems, waiting for the user's choice: (id, valid rows, rejected rows).
    pending: Option<(i64, usize, usize)>,
    problems: Vec<ProblemOut>,
    more: usize,
    /// "N rows can be imported, M have problems".
    found: String,
}

fn import_page(c: Chrome) -> ImportPage {
    ImportPage {
        c,
        done: None,
        pending: None,
        found: String::new(),
        problems: Vec::new(),
        more: 0,
    }
}

async fn import_form(ctx: Ctx) -> Result<Response, AppError> {
    ctx.require_somewhere(Action::ViewFlowData)?;
    render(&import_page(Chrome::new(&ctx, "/flow/import")))
}

fn done_message(c: &Chrome, report: &CountReport) -> String {
    c.tr.with(
        "flow-import-done",
        &[
            ("rows", report.imported.to_string()),
            ("observations", report.observations.to_string()),
            ("people", report.people.to_string()),
        ],
    )
}

async fn import(
    State(state): State<AppState>,
    ctx: Ctx,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, AppError> {
    let user = ctx.require_somewhere(Action::ViewFlowData)?.clone();
    let upload = read_upload(multipart).await?;
    let mut page = import_page(Chrome::new(&ctx, "/flow/import"));
    let source = clean_file_name(upload.file_name.as_deref());
    let text = match upload_text(&upload.file) {
        Ok(text) => text,
        Err(e) => return import_refused(page, e.into()),
    };
    match import_count_text(
        &state.store,
        &user,
        &ctx.actor(),
        &text,
        ImportMode::AllOrNothing,
        &source,
    )
    .await
    {
        Ok(report) if report.committed || report.rejected.is_empty() => {
            page.done = Some(done_message(&page.c, &report));
            render(&page)
        }
        Ok(report) => {
            // Kept until the user chooses: the valid rows, or nothing.
            let id = state
                .store
                .keep_pending_import(user.id, &source, &text, report.valid, report.rejected.len())
                .await?;
            page.more = report.rejected.len().saturating_sub(200);
            page.problems = rejected_problems(&report.rejected, "row");
            page.pending = Some((id, report.valid, report.rejected.len()));
            page.found = page.c.tr.with(
                "flow-import-found",
                &[
                    ("valid", report.valid.to_string()),
                    ("rejected", report.rejected.len().to_string()),
                ],
            );
            unprocessable(&page)
        }
        Err(e) => import_refused(page, e),
    }
}

fn import_refused(mut page: ImportPage, e: AppError) -> Result<Response, AppError> {
    match e {
        AppError::Rejected { problems, .. } => {
            page.problems = problems;
            unprocessable(&page)
        }
        other => Err(other),
    }
}

async fn pending_of(
    state: &AppState,
    ctx: &Ctx,
    id: &str,
) -> Result<rumbo_store::flow::counts::PendingImport, AppError> {
    let user = ctx.user()?;
    let id: i64 = id
        .parse()
        .map_err(|_| AppError::NotFound(format!("import {id} does not exist")))?;
    let pending = state.store.pending_import(id).await?;
    // Only its uploader sees a kept file again.
    if pending.user_id != user.id {
        return Err(AppError::NotFound(format!("import {id} does not exist")));
    }
    Ok(pending)
}

async fn import_valid(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> Result<Response, AppError> {
    let user = ctx.require_somewhere(Action::ViewFlowData)?.clone();
    let pending = pending_of(&state, &ctx, &id).await?;
    if pending.status != "pending" {
        return Err(AppError::Conflict(format!(
            "this import was already {}",
            pending.status
        )));
    }
    let report = import_count_text(
        &state.store,
        &user,
        &ctx.actor(),
        &pending.content,
        ImportMode::ValidRows,
        &pending.file_name,
    )
    .await?;
    state.store.finish_pending_import(pending.id, "imported").await?;
    let mut page = import_page(Chrome::new(&ctx, "/flow/import"));
    page.done = Some(done_message(&page.c, &report));
    page.pending = Some((pending.id, report.imported, report.rejected.len()));
    render(&page)
}

async fn discard(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> Result<Response, AppError> {
    let pending = pending_of(&state, &ctx, &id).await?;
    state.store.finish_pending_import(pending.id, "discarded").await?;
    Ok(Redirect::to("/flow/import").into_response())
}

async fn rejected_csv(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> Result<Response, AppError> {
    let user = ctx.require_somewhere(Action::ViewFlowData)?.clone();
    let pending = pending_of(&state, &ctx, &id).await?;
    // Checked again without storing anything: the same rows are rejected for the same reasons.
    let report = import_count_text(
        &state.store,
        &user,
        &ctx.actor(),
        &pending.content,
        ImportMode::AllOrNothing,
        &pending.file_name,
    )
    .await;
    let rejected: Vec<(usize, String, String)> = match report {
        Ok(report) if !report.committed => report
            .rejected
            .into_iter()
            .map(|r| (r.row, r.column, r.reason))
            .collect(),
        Ok(_) => Vec::new(),
        Err(e) => return Err(e),
    };
    let bytes = rumbo_io::flow_counts::rejected_rows_csv(&pending.content, &rejected);
    Ok(download(bytes, "text/csv; charset=utf-8", Some("rejected-rows.csv")))
}

#[derive(Template)]
#[template(path = "flow/official.html")]
struct OfficialPage {
    c: Chrome,
    countries: Vec<(String, String)>,
    country: String,
    /// (month, entries, exits)
    months: Vec<(String, i64, i64)>,
    can_import: bool,
    done: Option<String>,
    problems: Vec<ProblemOut>,
}

#[derive(Deserialize)]
struct OfficialQuery {
    country: Option<String>,
}

async fn official_page(state: &AppState, ctx: &Ctx, country: &str) -> Result<OfficialPage, AppError> {
    let user = ctx.require_somewhere(Action::ViewFlowData)?;
    let c = Chrome::new(ctx, "/flow/official");
    let seen = reach(user, Action::ViewFlowData);
    let chosen = rumbo_domain::country::Iso3::parse(country).ok();
    let figures = state.store.official_figures(seen.as_deref(), chosen).await?;
    Ok(OfficialPage {
        countries: country_choices(state, &c, seen.as_deref()).await?,
        country: country.to_owned(),
        months: official_months(&figures)
            .into_iter()
            .map(|m| (m.month, m.entries, m.exits))
            .collect(),
        can_import: ctx.may_somewhere(Action::ManageFlowPoints),
        done: None,
        problems: Vec::new(),
        c,
    })
}

async fn official(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(query): Query<OfficialQuery>,
) -> Result<Response, AppError> {
    render(&official_page(&state, &ctx, query.country.as_deref().unwrap_or("")).await?)
}

async fn official_import(
    State(state): State<AppState>,
    ctx: Ctx,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, AppError> {
    ctx.require_somewhere(Action::ManageFlowPoints)?;
    let upload = read_upload(multipart).await?;
    let result = import_official_upload(&state, &ctx, &upload.file, upload.file_name.as_deref()).await;
    let mut page = official_page(&state, &ctx, "").await?;
    match result {
        Ok(out) => {
            page.done = Some(page.c.tr.with(
                "flow-official-done",
                &[
                    ("imported", out.imported.to_string()),
                    ("blank", out.not_reported.to_string()),
                ],
            ));
            render(&page)
        }
        Err(AppError::Rejected { problems, .. }) => {
            page.problems = problems;
            unprocessable(&page)
        }
        Err(other) => Err(other),
    }
}
