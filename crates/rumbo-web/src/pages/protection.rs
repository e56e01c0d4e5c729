//! The protection queue: flagged interviews of the countries where the reader is a protection
//! officer (admins see all), highest risk first; a case's page shows the interview's answers
//! and the follow-up history, and takes the next status. Opening a case is audited.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use rumbo_domain::Vocabulary;
use rumbo_domain::access::{Action, Target};
use rumbo_domain::fms::CaseStatus;
use rumbo_domain::fms::rules::RiskFlag;
use rumbo_store::Page;
use rumbo_store::fms::protection::{CaseEvent, CaseQuery, ProtectionCase};
use serde::Deserialize;

use super::fms::answer_lines;
use super::parts::{Choice, Fields, PAGE_SIZE, Pager};
use super::{Chrome, render};
use crate::AppState;
use crate::auth::Ctx;
use crate::error::AppError;
use crate::flow_data::reach;
use crate::i18n::Tr;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/protection", get(queue))
        .route("/protection/{id}", get(case).post(follow_up))
}

/// A case as the queue shows it, labelled.
struct CaseLine {
    id: i64,
    country: String,
    point: String,
    date: String,
    level: String,
    flags: String,
    status: String,
}

fn case_line(tr: &Tr, c: &ProtectionCase) -> CaseLine {
    CaseLine {
        id: c.id,
        country: c.country.to_string(),
        point: c.point_code.clone(),
        date: c.interview_date.clone(),
        level: tr.t(&format!("risk_level-{}", c.risk_level)),
        flags: c
            .risk_flags
            .iter()
            .map(|f| RiskFlag::parse(f).map_or_else(|_| f.clone(), |f| tr.label(f)))
            .collect::<Vec<_>>()
            .join(", "),
        status: tr.label(c.status),
    }
}

#[derive(Template)]
#[template(path = "fms/queue.html")]
struct QueuePage {
    c: Chrome,
    cases: Vec<CaseLine>,
    statuses: Vec<Choice>,
    pager: Pager,
}

#[derive(Deserialize)]
struct QueueQuery {
    status: Option<String>,
    offset: Option<i64>,
}

async fn queue(State(state): State<AppState>, ctx: Ctx, Query(q): Query<QueueQuery>) -> Result<Response, AppError> {
    let user = ctx.require_somewhere(Action::ViewProtectionCases)?;
    let c = Chrome::new(&ctx, "/protection");
    let status_raw = q.status.clone().unwrap_or_else(|| "open".to_owned());
    let status = CaseStatus::parse(&status_raw).ok();
    let page = Page::new(Some(PAGE_SIZE), q.offset);
    let query = CaseQuery {
        countries: reach(user, Action::ViewProtectionCases),
        status,
    };
    let (cases, total) = state.store.protection_cases(&ctx.actor(), &query, page).await?;
    render(&QueuePage {
        cases: cases.iter().map(|x| case_line(&c.tr, x)).collect(),
        statuses: std::iter::once(Choice::new("all", c.tr.t("form-all"), status.is_none()))
            .chain(
                CaseStatus::ALL
                    .iter()
                    .map(|s| Choice::new(s.code(), c.tr.label(*s), status == Some(*s))),
            )
            .collect(),
        pager: Pager::new("/protection", &[("status", status_raw.as_str())], page, total),
        c,
    })
}

#[derive(Template)]
#[template(path = "fms/case.html")]
struct CasePage {
    c: Chrome,
    case: CaseLine,
    answers: Vec<(String, String)>,
    /// (when, who, status, note)
    events: Vec<(String, String, String, Option<String>)>,
    /// (when, who): every opening of the case, newest first, from the audit log.
    openings: Vec<(String, String)>,
    statuses: Vec<Choice>,
}

async fn load_case(state: &AppState, ctx: &Ctx, id: &str) -> Result<(i64, ProtectionCase), AppError> {
    let id: i64 = id
        .parse()
        .map_err(|_| AppError::NotFound(format!("protection case {id} does not exist")))?;
    let case = state.store.protection_case(id).await?;
    ctx.require(Action::ViewProtectionCases, &Target::country(case.country))?;
    Ok((id, case))
}

async fn case(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> Result<Response, AppError> {
    let (id, _) = load_case(&state, &ctx, &id).await?;
    let detail = state.store.open_protection_case(&ctx.actor(), id).await?;
    let c = Chrome::new(&ctx, "/protection");
    render(&CasePage {
        case: case_line(&c.tr, &detail.case),
        answers: answer_lines(&c.tr, &detail.interview.answers),
        statuses: CaseStatus::ALL
            .iter()
            .map(|s| Choice::new(s.code(), c.tr.label(*s), *s == detail.case.status))
            .collect(),
        events: detail.events.iter().map(|e| event_line(&c.tr, e)).collect(),
        openings: detail
            .openings
            .iter()
            .map(|o| (o.at.clone(), o.username.clone().unwrap_or_else(|| "Rumbo".to_owned())))
            .collect(),
        c,
    })
}

fn event_line(tr: &Tr, e: &CaseEvent) -> (String, String, String, Option<String>) {
    (
        e.at.clone(),
        e.username.clone().unwrap_or_else(|| "Rumbo".to_owned()),
        tr.label(e.status),
        e.note.clone(),
    )
}

async fn follow_up(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    fields: Fields,
) -> Result<Response, AppError> {
    let (id, _) = load_case(&state, &ctx, &id).await?;
    let status = CaseStatus::parse(fields.get("status"))?;
    let note = Some(fields.get("note")).filter(|n| !n.is_empty());
    state.store.follow_up_case(&ctx.actor(), id, status, note).await?;
    Ok(Redirect::to(&format!("/protection/{id}")).into_response())
}
