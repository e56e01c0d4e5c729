//! Programmes: the list, the form for a new one, and a programme's page — its rules, its
//! latest beneficiary list (who, why, and whether another programme assisted them already),
//! drawing up a new list, recording assistance, and exporting the list for distribution.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use rumbo_domain::Vocabulary;
use rumbo_domain::access::{Action, Target};
use rumbo_domain::registration::consent::ExportPurpose;
use rumbo_domain::registration::ranking::{QuotaAttribute, TieBreak};
use rumbo_store::Page;
use rumbo_store::organisations::OrganisationQuery;
use rumbo_store::registration::{BeneficiaryListView, Disclosure, ProgrammeInput, ProgrammeRecord};
use serde::Deserialize;

use super::super::geography::countries_for;
use super::super::parts::{Choice, Fields};
use super::super::{Chrome, render};
use super::vocabulary_choices;
use crate::AppState;
use crate::auth::Ctx;
use crate::error::{AppError, ProblemOut};
use crate::registration::statistics_countries;

#[derive(Template)]
#[template(path = "registration/programmes.html")]
struct ListPage {
    c: Chrome,
    programmes: Vec<ProgrammeRecord>,
    can_create: bool,
    countries: Vec<(String, String)>,
    organisations: Vec<Choice>,
    attributes: Vec<Choice>,
    tie_breaks: Vec<Choice>,
    refusal: Option<String>,
    problems: Vec<ProblemOut>,
}

async fn list_page(state: &AppState, ctx: &Ctx) -> Result<ListPage, AppError> {
    let user = ctx.user()?;
    let allowed = statistics_countries(user);
    let c = Chrome::new(ctx, "/registration/programmes");
    let (organisations, _) = state
        .store
        .organisations(&OrganisationQuery::default(), Page::new(Some(Page::MAX_LIMIT), None))
        .await?;
    let own = user.organisation_id;
    Ok(ListPage {
        programmes: state.store.programmes(allowed.as_deref()).await?,
        can_create: ctx.may_somewhere(Action::ManageProgrammes),
        countries: countries_for(state, ctx, Action::ManageProgrammes).await?,
        organisations: organisations
            .into_iter()
            .map(|o| Choice::new(o.id.to_string(), format!("{} — {}", o.acronym, o.name), o.id == own))
            .collect(),
        attributes: vocabulary_choices::<QuotaAttribute>(&c.tr, ""),
        tie_breaks: vocabulary_choices::<TieBreak>(&c.tr, ""),
        refusal: None,
        problems: Vec::new(),
        c,
    })
}

pub(super) async fn list(State(state): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    render(&list_page(&state, &ctx).await?)
}

pub(super) async fn create(State(state): State<AppState>, ctx: Ctx, fields: Fields) -> Result<Response, AppError> {
    ctx.require_somewhere(Action::ManageProgrammes)?;
    let organisation_id: i64 = fields.get("organisation_id").parse().unwrap_or_default();
    let country = rumbo_domain::country::Iso3::parse(fields.get("country"))?;
    ctx.require(
        Action::ManageProgrammes,
        &Target::organisation(organisation_id, Some(country)),
    )?;
    let attributes = fields.each("quota_attribute");
    let shares = fields.each("quota_percent");
    let input = ProgrammeInput {
        code: fields.get("code").into(),
        name: fields.get("name").into(),
        country: country.to_string(),
        organisation_id,
        area: fields.get("area").into(),
        target_households: fields.get("target_households").into(),
        quotas: attributes
            .iter()
            .zip(shares.iter())
            .map(|(a, s)| ((*a).to_owned(), (*s).to_owned()))
            .collect(),
        tie_breaks: fields.each("tie_break").into_iter().map(str::to_owned).collect(),
        exclude_assisted_elsewhere: fields.checked("exclude_assisted"),
        starts_on: fields.get("starts_on").into(),
        ends_on: fields.get("ends_on").into(),
    };
    match state
        .store
        .create_programme(&ctx.actor(), &input)
        .await
        .map_err(AppError::from)
    {
        Ok(p) => Ok(Redirect::to(&format!("/registration/programmes/{}", p.id)).into_response()),
        Err(AppError::Rejected { message, problems }) => {
            let mut page = list_page(&state, &ctx).await?;
            page.refusal = Some(message);
            page.problems = problems;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        Err(AppError::Conflict(message)) | Err(AppError::Invalid(message)) => {
            let mut page = list_page(&state, &ctx).await?;
            page.refusal = Some(message);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        Err(other) => Err(other),
    }
}

#[derive(Template)]
#[template(path = "registration/programme.html")]
struct ProgrammePage {
    c: Chrome,
    p: ProgrammeRecord,
    list: Option<BeneficiaryListView>,
    can_manage: bool,
    can_record: bool,
    purposes: Vec<Choice>,
    today: String,
    notice: Option<String>,
    problem: Option<String>,
}

#[derive(Deserialize)]
pub(super) struct Notice {
    recorded: Option<usize>,
    drawn: Option<String>,
    problem: Option<String>,
}

fn parse_id(raw: &str) -> Result<i64, AppError> {
    raw.parse()
        .map_err(|_| AppError::NotFound(format!("there is no record with the id '{raw}'")))
}

pub(super) async fn page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(notice): Query<Notice>,
) -> Result<Response, AppError> {
    let p = state.store.programme(parse_id(&id)?).await?;
    ctx.require(Action::ViewRegistrationStatistics, &Target::country(p.country))?;
    let subject = ctx.user()?.subject();
    let target = Target::organisation(p.organisation_id, Some(p.country));
    let can_manage = subject.may(Action::ManageProgrammes, &target);
    let can_record = subject.may(Action::RecordAssistance, &target);
    let list = match p.latest_list {
        Some(list_id) if can_manage || can_record => Some(
            state
                .store
                .beneficiary_list(&ctx.actor(), list_id, Disclosure::Pseudonymous)
                .await?,
        ),
        _ => None,
    };
    let c = Chrome::new(&ctx, &format!("/registration/programmes/{}", p.id));
    let notice_text = match (notice.recorded, notice.drawn) {
        (Some(n), _) => Some(c.tr.t1("reg-assistance-recorded", "count", n)),
        (None, Some(_)) => Some(c.tr.t("reg-list-drawn")),
        _ => None,
    };
    render(&ProgrammePage {
        purposes: vocabulary_choices::<ExportPurpose>(&c.tr, "distribution"),
        today: rumbo_domain::registration::people::format_date(rumbo_store::registration::today()),
        notice: notice_text,
        problem: notice.problem,
        p,
        list,
        can_manage,
        can_record,
        c,
    })
}

/// Draws up a new list, or records assistance: `do` says which.
pub(super) async fn act(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    fields: Fields,
) -> Result<Response, AppError> {
    let p = state.store.programme(parse_id(&id)?).await?;
    let target = Target::organisation(p.organisation_id, Some(p.country));
    match fields.get("do") {
        "draw" => {
            ctx.require(Action::ManageProgrammes, &target)?;
            match state.store.generate_beneficiary_list(&ctx.actor(), p.id).await {
                Ok(_) => Ok(Redirect::to(&format!("/registration/programmes/{}?drawn=1", p.id)).into_response()),
                Err(rumbo_store::StoreError::Conflict(message)) => Ok(Redirect::to(&format!(
                    "/registration/programmes/{}?problem={}",
                    p.id,
                    super::super::urlencode(&message)
                ))
                .into_response()),
                Err(e) => Err(e.into()),
            }
        }
        "assist" => {
            ctx.require(Action::RecordAssistance, &target)?;
            let households: Vec<i64> = fields.all("household").iter().filter_map(|h| h.parse().ok()).collect();
            match state
                .store
                .record_assistance(&ctx.actor(), p.id, &households, fields.get("assisted_on"))
                .await
                .map_err(AppError::from)
            {
                Ok(n) => Ok(Redirect::to(&format!("/registration/programmes/{}?recorded={n}", p.id)).into_response()),
                Err(AppError::Invalid(message)) | Err(AppError::Rejected { message, .. }) => {
                    Ok(Redirect::to(&format!(
                        "/registration/programmes/{}?problem={}",
                        p.id,
                        super::super::urlencode(&message)
                    ))
                    .into_response())
                }
                Err(other) => Err(other),
            }
        }
        _ => Err(AppError::BadRequest("unknown action".into())),
    }
}
