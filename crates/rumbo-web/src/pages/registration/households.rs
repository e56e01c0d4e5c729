//! Household lists (names only for those who may see every one of them), registration imports
//! and the export form.

use askama::Template;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use rumbo_domain::Vocabulary;
use rumbo_domain::access::Action;
use rumbo_domain::country::Iso3;
use rumbo_domain::registration::consent::{ExportPurpose, SharingPurpose};
use rumbo_store::Page;
use rumbo_store::registration::{Disclosure, HouseholdQuery, HouseholdRow};
use serde::Deserialize;

use super::super::parts::{Choice, PAGE_SIZE, Pager};
use super::super::{Chrome, render};
use super::vocabulary_choices;
use crate::AppState;
use crate::auth::Ctx;
use crate::error::{AppError, ProblemOut};
use crate::files::read_upload;
use crate::registration::{import_upload, list_reach, statistics_countries};

#[derive(Deserialize)]
pub(super) struct ListFilter {
    country: Option<String>,
    desk: Option<String>,
    q: Option<String>,
    flagged: Option<String>,
    eligible: Option<String>,
    status: Option<String>,
    offset: Option<i64>,
}

#[derive(Template)]
#[template(path = "registration/households.html")]
struct ListPage {
    c: Chrome,
    rows: Vec<HouseholdRow>,
    personal: bool,
    pager: Pager,
    countries: Vec<Choice>,
    desks: Vec<Choice>,
    statuses: Vec<Choice>,
    q: String,
    flagged: bool,
    eligible: bool,
    filter_error: Option<String>,
}

pub(super) async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(filter): Query<ListFilter>,
) -> Result<Response, AppError> {
    let user = ctx.user()?;
    let (reach, disclosure) = list_reach(user);
    let no_desk = crate::registration::without_desk(user);
    if reach.is_empty() && !no_desk {
        return Err(AppError::Forbidden);
    }
    let c = Chrome::new(&ctx, "/registration/households");
    let text = |v: &Option<String>| v.as_deref().map(str::trim).unwrap_or("").to_owned();
    let (country, desk, q, status) = (
        text(&filter.country),
        text(&filter.desk),
        text(&filter.q),
        text(&filter.status),
    );
    let flagged = !text(&filter.flagged).is_empty();
    let eligible = !text(&filter.eligible).is_empty();
    let query = HouseholdQuery {
        country: Iso3::parse(&country).ok(),
        desk_id: desk.parse().ok(),
        status: Some(status.clone()).filter(|s| !s.is_empty()),
        search: Some(q.clone()),
        flagged_only: flagged,
        eligible_only: eligible,
        ..Default::default()
    };
    let page = Page::new(Some(PAGE_SIZE), filter.offset);
    let mut filter_error = super::desks::desk_note(&c.tr, user).filter(|_| reach.is_empty());
    let (rows, total) = match state
        .store
        .households(
            &ctx.actor(),
            &query,
            &reach,
            SharingPurpose::CaseManagement,
            disclosure,
            page,
        )
        .await
    {
        Ok(found) => found,
        Err(rumbo_store::StoreError::Invalid(e)) => {
            filter_error = Some(e.to_string());
            (Vec::new(), 0)
        }
        Err(e) => return Err(e.into()),
    };
    let allowed = statistics_countries(user);
    let countries = state
        .store
        .countries()
        .await?
        .into_iter()
        .filter(|k| allowed.as_ref().is_none_or(|a| a.contains(&k.iso3)))
        .map(|k| Choice::new(k.iso3.as_str(), c.tr.name(&k.names), k.iso3.as_str() == country))
        .collect();
    let desks = state
        .store
        .registration_desks()
        .await?
        .into_iter()
        .filter(|d| allowed.as_ref().is_none_or(|a| a.contains(&d.country)))
        .map(|d| {
            Choice::new(
                d.id.to_string(),
                format!("{} — {}", d.code, d.name),
                d.id.to_string() == desk,
            )
        })
        .collect();
    let statuses = ["active", "merged", "erased"]
        .iter()
        .map(|s| Choice::new(*s, c.tr.t(&format!("reg-status-{s}")), *s == status.as_str()))
        .collect();
    let yes = |b: bool| if b { "1" } else { "" };
    render(&ListPage {
        pager: Pager::new(
            "/registration/households",
            &[
                ("country", &country),
                ("desk", &desk),
                ("q", &q),
                ("status", &status),
                ("flagged", yes(flagged)),
                ("eligible", yes(eligible)),
            ],
            page,
            total,
        ),
        personal: disclosure == Disclosure::Personal,
        rows,
        countries,
        desks,
        statuses,
        q,
        flagged,
        eligible,
        filter_error,
        c,
    })
}

#[derive(Template)]
#[template(path = "registration/import.html")]
struct ImportPage {
    c: Chrome,
    done: Option<String>,
    refusal: Option<String>,
    problems: Vec<ProblemOut>,
}

pub(super) async fn import_form(ctx: Ctx) -> Result<Response, AppError> {
    ctx.require_somewhere(Action::RegisterHouseholds)?;
    render(&ImportPage {
        c: Chrome::new(&ctx, "/registration/import"),
        done: None,
        refusal: None,
        problems: Vec::new(),
    })
}

pub(super) async fn import(
    State(state): State<AppState>,
    ctx: Ctx,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, AppError> {
    ctx.require_somewhere(Action::RegisterHouseholds)?;
    let upload = read_upload(multipart).await?;
    let mut page = ImportPage {
        c: Chrome::new(&ctx, "/registration/import"),
        done: None,
        refusal: None,
        problems: Vec::new(),
    };
    match import_upload(&state, &ctx, &upload).await {
        Ok(summary) => {
            page.done = Some(page.c.tr.with(
                "reg-import-done",
                &[
                    ("households", summary.households.to_string()),
                    ("people", summary.people.to_string()),
                    ("flagged", summary.flagged.to_string()),
                ],
            ));
            render(&page)
        }
        Err(AppError::Rejected { message, problems }) => {
            page.refusal = Some(message);
            page.problems = problems;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        Err(other) => Err(other),
    }
}

#[derive(Template)]
#[template(path = "registration/export.html")]
struct ExportPage {
    c: Chrome,
    countries: Vec<Choice>,
    purposes: Vec<Choice>,
    can_names: bool,
}

pub(super) async fn export_form(State(state): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    let user = ctx.user()?;
    let (reach, _) = list_reach(user);
    if reach.is_empty() {
        return Err(AppError::Forbidden);
    }
    let c = Chrome::new(&ctx, "/registration/export");
    let allowed = statistics_countries(user);
    let countries = state
        .store
        .countries()
        .await?
        .into_iter()
        .filter(|k| allowed.as_ref().is_none_or(|a| a.contains(&k.iso3)))
        .map(|k| Choice::new(k.iso3.as_str(), c.tr.name(&k.names), false))
        .collect();
    render(&ExportPage {
        purposes: vocabulary_choices::<ExportPurpose>(&c.tr, ""),
        can_names: !user.subject().registration_reach(Action::ViewPersonalData).is_empty(),
        countries,
        c,
    })
}
