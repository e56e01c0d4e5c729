//! Privacy-preserving linkage over the API: an organisation uploads its cryptographic linkage
//! keys for a country (made with `rumbo clk encode` on its own machine), IM officers link every
//! organisation's keys and read the overlaps, organisations consent to releasing their matched
//! pairs to each other, and receive them only when both did.

use axum::Json;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use rumbo_domain::access::{Action, Target};
use rumbo_domain::country::Iso3;
use rumbo_store::clk::{ConsentRecord, KeySetSummary, ReleasedPair, RunRecord};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::api::{Body, Id};
use crate::auth::Ctx;
use crate::error::{AppError, ErrorBody};
use crate::files::read_upload;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(overview))
        .routes(routes!(upload))
        .routes(routes!(run))
        .routes(routes!(consent))
        .routes(routes!(revoke_consent))
        .routes(routes!(pairs))
}

/// A country from the path, or 404.
pub(crate) fn country_of(raw: &str) -> Result<Iso3, AppError> {
    Iso3::parse(raw).map_err(|_| AppError::NotFound(format!("there is no country '{raw}'")))
}

/// What the user may see of a country's linkage.
#[derive(Debug, Serialize, ToSchema)]
pub struct LinkageOut {
    pub country: String,
    /// Every organisation's uploaded set (IM officers), or the user's own organisation's.
    #[schema(value_type = Vec<Object>)]
    pub sets: Vec<KeySetSummary>,
    /// The latest run with its overlaps: IM officers of the country only.
    #[schema(value_type = Option<Object>)]
    pub latest_run: Option<RunRecord>,
    /// Consents in force that involve the user's organisation (all of them for IM officers).
    #[schema(value_type = Vec<Object>)]
    pub consents: Vec<ConsentRecord>,
}

/// The overview the page and the API show, cut to what the user may see.
pub(crate) async fn linkage_for(state: &AppState, ctx: &Ctx, country: Iso3) -> Result<LinkageOut, AppError> {
    let user = ctx.user()?;
    let subject = user.subject();
    let coordinator = subject.may(Action::RunLinkage, &Target::country(country));
    let own = user.organisation_id;
    if !coordinator && !subject.may(Action::ManageLinkageKeys, &Target::organisation(own, Some(country))) {
        return Err(AppError::Forbidden);
    }
    let mut sets = state.store.linkage_key_sets(country).await?;
    let mut consents = state.store.linkage_consents(country).await?;
    if !coordinator {
        sets.retain(|s| s.organisation_id == own);
        consents.retain(|c| c.organisation_id == own || c.partner_id == own);
    }
    let latest_run = if coordinator {
        state.store.latest_linkage_run(country).await?
    } else {
        None
    };
    Ok(LinkageOut {
        country: country.to_string(),
        sets,
        latest_run,
        consents,
    })
}

/// A country's linkage: uploaded sets, the latest overlaps (IM officers), consents.
#[utoipa::path(get, path = "/linkage-keys/{country}", tag = "linkage",
    responses((status = 200, body = LinkageOut), (status = 403, body = ErrorBody)))]
async fn overview(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(country): Path<String>,
) -> Result<Json<LinkageOut>, AppError> {
    Ok(Json(linkage_for(&state, &ctx, country_of(&country)?).await?))
}

/// The form of an upload.
#[derive(ToSchema)]
#[allow(dead_code)] // documents the multipart form; the handler reads it field by field
struct KeysForm {
    /// CSV `pseudonym,clk` as `rumbo clk encode` writes it: no names, dates or documents.
    #[schema(content_media_type = "application/octet-stream")]
    file: Vec<u8>,
}

/// Reads and stores the user's organisation's encodings for the country, replacing its set.
pub(crate) async fn save_keys(
    state: &AppState,
    ctx: &Ctx,
    country: Iso3,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<KeySetSummary, AppError> {
    let own = ctx.user()?.organisation_id;
    ctx.require(Action::ManageLinkageKeys, &Target::organisation(own, Some(country)))?;
    let upload = read_upload(multipart).await?;
    let rows = rumbo_io::clk::read_encodings(&upload.file).map_err(|rejected| AppError::Rejected {
        message: rejected.to_string(),
        problems: rejected.problems.into_iter().map(Into::into).collect(),
    })?;
    Ok(state
        .store
        .upload_linkage_keys(&ctx.actor(), country, own, &rows)
        .await?)
}

/// Upload the user's organisation's encodings for the country (replaces its previous set).
#[utoipa::path(post, path = "/linkage-keys/{country}/keys", tag = "linkage",
    request_body(content = KeysForm, content_type = "multipart/form-data"),
    responses((status = 201, body = Object), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn upload(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(country): Path<String>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<(StatusCode, Json<KeySetSummary>), AppError> {
    let summary = save_keys(&state, &ctx, country_of(&country)?, multipart).await?;
    Ok((StatusCode::CREATED, Json(summary)))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct RunIn {
    /// The least Dice coefficient of a match, 0.5 to 1 (default 0.8).
    pub threshold: Option<f64>,
}

/// Link every organisation's keys of the country (IM officers); returns the overlaps.
#[utoipa::path(post, path = "/linkage-keys/{country}/runs", tag = "linkage", request_body = RunIn,
    responses((status = 201, body = Object), (status = 409, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn run(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(country): Path<String>,
    Body(input): Body<RunIn>,
) -> Result<(StatusCode, Json<RunRecord>), AppError> {
    let country = country_of(&country)?;
    ctx.require(Action::RunLinkage, &Target::country(country))?;
    let run = state
        .store
        .run_linkage(&ctx.actor(), country, input.threshold.unwrap_or(0.8))
        .await?;
    Ok((StatusCode::CREATED, Json(run)))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ConsentIn {
    /// The partner organisation with which the matched pairs may be released.
    pub partner_id: i64,
}

/// Consent, for the user's organisation, to release the matched pairs with a partner.
#[utoipa::path(post, path = "/linkage-keys/{country}/consents", tag = "linkage", request_body = ConsentIn,
    responses((status = 201, body = Object), (status = 403, body = ErrorBody)))]
async fn consent(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(country): Path<String>,
    Body(input): Body<ConsentIn>,
) -> Result<(StatusCode, Json<ConsentRecord>), AppError> {
    let country = country_of(&country)?;
    let own = ctx.user()?.organisation_id;
    ctx.require(Action::ManageLinkageKeys, &Target::organisation(own, Some(country)))?;
    let record = state
        .store
        .consent_to_linkage(&ctx.actor(), country, own, input.partner_id)
        .await?;
    Ok((StatusCode::CREATED, Json(record)))
}

/// Withdraws a consent given by the user's organisation.
pub(crate) async fn withdraw(state: &AppState, ctx: &Ctx, id: i64) -> Result<(), AppError> {
    let (country, consent) = state.store.linkage_consent(id).await?;
    ctx.require(
        Action::ManageLinkageKeys,
        &Target::organisation(consent.organisation_id, Some(country)),
    )?;
    Ok(state.store.revoke_linkage_consent(&ctx.actor(), id).await?)
}

/// Withdraw a consent of the user's organisation.
#[utoipa::path(delete, path = "/linkage-keys/consents/{id}", tag = "linkage",
    responses((status = 204), (status = 404, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn revoke_consent(State(state): State<AppState>, ctx: Ctx, Id(id): Id) -> Result<StatusCode, AppError> {
    withdraw(&state, &ctx, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The latest run's matched pairs between the user's organisation and `partner`, released
/// (and audited) only when both organisations consent.
pub(crate) async fn release(
    state: &AppState,
    ctx: &Ctx,
    country: Iso3,
    partner: i64,
) -> Result<Vec<ReleasedPair>, AppError> {
    let own = ctx.user()?.organisation_id;
    let released = state.store.linkage_pairs_released(country, own, partner).await?;
    let target = Target {
        countries: vec![country],
        organisation: Some(own),
        shared_with: if released { vec![partner] } else { Vec::new() },
        desk: None,
    };
    ctx.require(Action::ViewLinkagePairs, &target)?;
    Ok(state
        .store
        .release_linkage_pairs(&ctx.actor(), country, own, partner)
        .await?)
}

/// The matched pseudonymous pairs with a partner: own pseudonym, partner's, Dice coefficient.
#[utoipa::path(get, path = "/linkage-keys/{country}/pairs/{partner}", tag = "linkage",
    responses((status = 200, body = Vec<Object>), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn pairs(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((country, partner)): Path<(String, String)>,
) -> Result<Json<Vec<ReleasedPair>>, AppError> {
    let partner = partner
        .parse()
        .map_err(|_| AppError::NotFound(format!("there is no organisation '{partner}'")))?;
    Ok(Json(release(&state, &ctx, country_of(&country)?, partner).await?))
}
