//! Vulnerability models (versions by country, importing a criteria file or a conjoint analysis,
//! putting a version in force) and sharing agreements between organisations.

use askama::Template;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use rumbo_domain::Vocabulary;
use rumbo_domain::access::{Action, Target};
use rumbo_domain::registration::consent::SharingPurpose;
use rumbo_store::Page;
use rumbo_store::organisations::OrganisationQuery;
use rumbo_store::registration::{AgreementInput, AgreementRecord, ModelRecord, ModelSummary};
use serde::Deserialize;

use super::super::geography::countries_for;
use super::super::parts::{Choice, Fields};
use super::super::{Chrome, render};
use super::vocabulary_choices;
use crate::AppState;
use crate::api::registration::{agreement_countries, save_uploaded_model};
use crate::auth::Ctx;
use crate::error::{AppError, ProblemOut};
use crate::files::read_upload;

#[derive(Template)]
#[template(path = "registration/models.html")]
struct ModelsPage {
    c: Chrome,
    models: Vec<ModelSummary>,
    countries: Vec<(String, String)>,
    can_import: bool,
    refusal: Option<String>,
    problems: Vec<ProblemOut>,
}

async fn models_page(state: &AppState, ctx: &Ctx) -> Result<ModelsPage, AppError> {
    ctx.require(Action::ViewReferenceData, &Target::anywhere())?;
    Ok(ModelsPage {
        c: Chrome::new(ctx, "/registration/models"),
        models: state.store.vulnerability_models(None).await?,
        countries: countries_for(state, ctx, Action::ManageVulnerabilityModels).await?,
        can_import: ctx.may_somewhere(Action::ManageVulnerabilityModels),
        refusal: None,
        problems: Vec::new(),
    })
}

pub(super) async fn models(State(state): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    render(&models_page(&state, &ctx).await?)
}

pub(super) async fn import_model(
    State(state): State<AppState>,
    ctx: Ctx,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, AppError> {
    ctx.require_somewhere(Action::ManageVulnerabilityModels)?;
    let upload = read_upload(multipart).await?;
    match save_uploaded_model(&state, &ctx, &upload).await {
        Ok(record) => Ok(Redirect::to(&format!("/registration/models/{}?saved=1", record.summary.id)).into_response()),
        Err(AppError::Rejected { message, problems }) => {
            let mut page = models_page(&state, &ctx).await?;
            page.refusal = Some(message);
            page.problems = problems;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        Err(AppError::Invalid(message)) => {
            let mut page = models_page(&state, &ctx).await?;
            page.refusal = Some(message);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        Err(other) => Err(other),
    }
}

#[derive(Template)]
#[template(path = "registration/model.html")]
struct ModelPage {
    c: Chrome,
    m: ModelRecord,
    can_activate: bool,
    done: Option<String>,
}

#[derive(Deserialize)]
pub(super) struct Done {
    saved: Option<String>,
    scored: Option<usize>,
}

fn parse_id(raw: &str) -> Result<i64, AppError> {
    raw.parse()
        .map_err(|_| AppError::NotFound(format!("there is no record with the id '{raw}'")))
}

pub(super) async fn model(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(done): Query<Done>,
) -> Result<Response, AppError> {
    ctx.require(Action::ViewReferenceData, &Target::anywhere())?;
    let m = state.store.vulnerability_model(parse_id(&id)?).await?;
    let c = Chrome::new(&ctx, &format!("/registration/models/{}", m.summary.id));
    let done = match (done.saved, done.scored) {
        (_, Some(scored)) => Some(c.tr.t1("reg-model-activated", "count", scored)),
        (Some(_), None) => Some(c.tr.t("reg-saved")),
        _ => None,
    };
    render(&ModelPage {
        can_activate: ctx
            .user()?
            .subject()
            .may(Action::ManageVulnerabilityModels, &Target::country(m.summary.country)),
        m,
        done,
        c,
    })
}

pub(super) async fn activate(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    let m = state.store.vulnerability_model(id).await?;
    ctx.require(Action::ManageVulnerabilityModels, &Target::country(m.summary.country))?;
    let scored = state.store.activate_vulnerability_model(&ctx.actor(), id).await?;
    Ok(Redirect::to(&format!("/registration/models/{id}?scored={scored}")).into_response())
}

#[derive(Template)]
#[template(path = "registration/sharing.html")]
struct AgreementsPage {
    c: Chrome,
    agreements: Vec<AgreementRecord>,
    organisations: Vec<Choice>,
    countries: Vec<(String, String)>,
    purposes: Vec<Choice>,
    refusal: Option<String>,
    problems: Vec<ProblemOut>,
}

async fn agreements_page(state: &AppState, ctx: &Ctx) -> Result<AgreementsPage, AppError> {
    let countries = agreement_countries(ctx)?;
    let c = Chrome::new(ctx, "/registration/sharing");
    let (organisations, _) = state
        .store
        .organisations(&OrganisationQuery::default(), Page::new(Some(Page::MAX_LIMIT), None))
        .await?;
    Ok(AgreementsPage {
        agreements: state.store.sharing_agreements(countries.as_deref()).await?,
        organisations: organisations
            .into_iter()
            .map(|o| Choice::new(o.id.to_string(), format!("{} — {}", o.acronym, o.name), false))
            .collect(),
        countries: countries_for(state, ctx, Action::ManageSharingAgreements).await?,
        purposes: vocabulary_choices::<SharingPurpose>(&c.tr, ""),
        refusal: None,
        problems: Vec::new(),
        c,
    })
}

pub(super) async fn agreements(State(state): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    render(&agreements_page(&state, &ctx).await?)
}

pub(super) async fn create_agreement(
    State(state): State<AppState>,
    ctx: Ctx,
    fields: Fields,
) -> Result<Response, AppError> {
    ctx.require_somewhere(Action::ManageSharingAgreements)?;
    let country = rumbo_domain::country::Iso3::parse(fields.get("country"))?;
    ctx.require(Action::ManageSharingAgreements, &Target::country(country))?;
    let input = AgreementInput {
        from_org: fields.get("from_org").parse().unwrap_or_default(),
        to_org: fields.get("to_org").parse().unwrap_or_default(),
        country: country.to_string(),
        purposes: fields.all("purposes").into_iter().map(str::to_owned).collect(),
        reference: fields.get("reference").into(),
        valid_from: fields.get("valid_from").into(),
        valid_until: fields.get("valid_until").into(),
    };
    match state
        .store
        .create_sharing_agreement(&ctx.actor(), &input)
        .await
        .map_err(AppError::from)
    {
        Ok(_) => Ok(Redirect::to("/registration/sharing").into_response()),
        Err(AppError::Rejected { message, problems }) => {
            let mut page = agreements_page(&state, &ctx).await?;
            page.refusal = Some(message);
            page.problems = problems;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        Err(other) => Err(other),
    }
}

pub(super) async fn revoke(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    let agreement = state.store.sharing_agreement(id).await?;
    ctx.require(Action::ManageSharingAgreements, &Target::country(agreement.country))?;
    state.store.revoke_sharing_agreement(&ctx.actor(), id).await?;
    Ok(Redirect::to("/registration/sharing").into_response())
}
