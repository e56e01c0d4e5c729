//! Planning and coordination over the API: population figures (plain files), partners'
//! targets and budgets, FTS funding flows, people in need (imported or computed), the
//! dashboards, overlaps and the indicator registry.

use axum::Json;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, State};
use rumbo_domain::Vocabulary;
use rumbo_domain::access::{Action, Target};
use rumbo_domain::r4v::{Method, Month};
use rumbo_store::r4v::{FundingFlow, NeedRow, TargetRow};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::api::Params;
use crate::auth::Ctx;
use crate::error::{AppError, ErrorBody};
use crate::files::read_upload;
use crate::r4v::dashboard::{Dashboard, OverlapOut, dashboard, overlap_list};
use crate::r4v::intake::{self, Intake, import_mode};
use crate::r4v::planning_intake;
use crate::r4v::scope::countries_for;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(import_figures))
        .routes(routes!(list_targets))
        .routes(routes!(import_targets))
        .routes(routes!(list_funding))
        .routes(routes!(import_funding))
        .routes(routes!(list_needs))
        .routes(routes!(import_needs))
        .routes(routes!(compute_needs))
        .routes(routes!(get_dashboard))
        .routes(routes!(get_overlaps))
        .routes(routes!(list_indicators))
        .routes(routes!(import_indicators))
}

/// An upload: a file (CSV or XLSX) and, for some, a mode or a year.
#[derive(ToSchema)]
#[allow(dead_code)] // documents the multipart form; the handlers read it field by field
struct UploadForm {
    #[schema(content_media_type = "application/octet-stream")]
    file: Vec<u8>,
    mode: Option<String>,
    year: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Imported {
    pub imported: usize,
}

/// Imports population figures from a CSV or XLSX with named columns (country, figure_type,
/// value, source, reference_date, publication_date, method_notes, method_changed, official)
/// or the exchange protocol's hashtags. Every publication is kept.
#[utoipa::path(post, path = "/r4v/figures/import", tag = "r4v",
    request_body(content = inline(UploadForm), content_type = "multipart/form-data"),
    responses((status = 200, body = Intake), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn import_figures(
    State(state): State<AppState>,
    ctx: Ctx,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Json<Intake>, AppError> {
    ctx.require_somewhere(Action::ManageR4v)?;
    let upload = read_upload(multipart).await?;
    let mode = import_mode(upload.field("mode"));
    Ok(Json(
        intake::import_figures(&state, &ctx, &upload.file, upload.file_name.as_deref(), mode, false).await?,
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct YearFilter {
    year: Option<i64>,
    /// sum or maxsector (dashboards).
    method: Option<String>,
    /// First and last month, YYYY-MM (overlaps).
    from: Option<String>,
    to: Option<String>,
}

fn this_year() -> i64 {
    i64::from(time::OffsetDateTime::now_utc().year())
}

/// Partners' planned activities: targets by population type and by age and gender, budgets.
#[utoipa::path(get, path = "/r4v/targets", tag = "r4v", params(YearFilter),
    responses((status = 200, body = Vec<Object>), (status = 401, body = ErrorBody)))]
async fn list_targets(
    State(state): State<AppState>,
    ctx: Ctx,
    Params(filter): Params<YearFilter>,
) -> Result<Json<Vec<TargetRow>>, AppError> {
    ctx.require(Action::ViewReferenceData, &Target::anywhere())?;
    Ok(Json(state.store.targets(filter.year, None).await?))
}

/// Imports partners' targets (columns year, organisation, country, sector, indicator,
/// activity, the five population types, the six age-gender groups, budget_in_kind_usd,
/// budget_cva_usd). A partner's plan for a year and country replaces the previous one.
#[utoipa::path(post, path = "/r4v/targets/import", tag = "r4v",
    request_body(content = inline(UploadForm), content_type = "multipart/form-data"),
    responses((status = 200, body = Imported), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn import_targets(
    State(state): State<AppState>,
    ctx: Ctx,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Json<Imported>, AppError> {
    ctx.require_somewhere(Action::ManageR4v)?;
    let upload = read_upload(multipart).await?;
    let imported = planning_intake::import_targets(&state, &ctx, &upload.file, upload.file_name.as_deref()).await?;
    Ok(Json(Imported { imported }))
}

/// Funding flows received.
#[utoipa::path(get, path = "/r4v/funding", tag = "r4v", params(YearFilter),
    responses((status = 200, body = Vec<Object>), (status = 401, body = ErrorBody)))]
async fn list_funding(
    State(state): State<AppState>,
    ctx: Ctx,
    Params(filter): Params<YearFilter>,
) -> Result<Json<Vec<FundingFlow>>, AppError> {
    ctx.require(Action::ViewReferenceData, &Target::anywhere())?;
    Ok(Json(state.store.funding(filter.year, None).await?))
}

/// Imports funding flows from an OCHA FTS CSV export (id, amountUSD, budgetYear,
/// srcOrganization, destOrganization, destLocations, destGlobalClusters, status...).
#[utoipa::path(post, path = "/r4v/funding/import", tag = "r4v",
    request_body(content = inline(UploadForm), content_type = "multipart/form-data"),
    responses((status = 200, body = Imported), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn import_funding(
    State(state): State<AppState>,
    ctx: Ctx,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Json<Imported>, AppError> {
    ctx.require_somewhere(Action::ManageR4v)?;
    let upload = read_upload(multipart).await?;
    let imported = planning_intake::import_funding(&state, &ctx, &upload.file, upload.file_name.as_deref()).await?;
    Ok(Json(Imported { imported }))
}

/// People in need per admin-1 area, sector and population type.
#[utoipa::path(get, path = "/r4v/needs", tag = "r4v", params(YearFilter),
    responses((status = 200, body = Vec<Object>), (status = 401, body = ErrorBody)))]
async fn list_needs(
    State(state): State<AppState>,
    ctx: Ctx,
    Params(filter): Params<YearFilter>,
) -> Result<Json<Vec<NeedRow>>, AppError> {
    ctx.require(Action::ViewReferenceData, &Target::anywhere())?;
    Ok(Json(state.store.needs(filter.year, None).await?))
}

/// Imports people in need (the needs dataset: #country+code, #adm1+code, #sector+code,
/// #population+type, #inneed).
#[utoipa::path(post, path = "/r4v/needs/import", tag = "r4v",
    request_body(content = inline(UploadForm), content_type = "multipart/form-data"),
    responses((status = 200, body = Intake), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn import_needs(
    State(state): State<AppState>,
    ctx: Ctx,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Json<Intake>, AppError> {
    ctx.require_somewhere(Action::ManageR4v)?;
    let upload = read_upload(multipart).await?;
    let mode = import_mode(upload.field("mode"));
    Ok(Json(
        intake::import_needs(&state, &ctx, &upload.file, upload.file_name.as_deref(), mode).await?,
    ))
}

/// Computes people in need from a household survey with the multidimensional deprivation
/// method (columns country, adm1_pcode, population_type, size, weight, and SECTOR:INDICATOR
/// deprivations) and stores them for `year`.
#[utoipa::path(post, path = "/r4v/needs/compute", tag = "r4v",
    request_body(content = inline(UploadForm), content_type = "multipart/form-data"),
    responses((status = 200, body = Imported), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn compute_needs(
    State(state): State<AppState>,
    ctx: Ctx,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Json<Imported>, AppError> {
    ctx.require_somewhere(Action::ManageR4v)?;
    let upload = read_upload(multipart).await?;
    let year = match upload.field("year") {
        Some(y) => y
            .parse()
            .map_err(|_| AppError::Invalid(format!("'{y}' is not a year")))?,
        None => this_year(),
    };
    let imported =
        planning_intake::compute_needs(&state, &ctx, &upload.file, upload.file_name.as_deref(), year).await?;
    Ok(Json(Imported { imported }))
}

/// Reached against target and need, funded against required, by sector, country and partner.
#[utoipa::path(get, path = "/r4v/dashboard", tag = "r4v", params(YearFilter),
    responses((status = 200, body = Dashboard), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn get_dashboard(
    State(state): State<AppState>,
    ctx: Ctx,
    Params(filter): Params<YearFilter>,
) -> Result<Json<Dashboard>, AppError> {
    ctx.require(Action::ViewReferenceData, &Target::anywhere())?;
    let method = match filter.method.as_deref().filter(|m| !m.is_empty()) {
        Some(m) => Method::parse(m)?,
        None => Method::MaxSector,
    };
    let year = match filter.year {
        Some(year) => year,
        None => crate::r4v::dashboard::default_year(&state.store).await?,
    };
    Ok(Json(dashboard(&state.store, year, method, None).await?))
}

/// Overlaps: two or more partners reporting the same indicator in the same area, month and
/// population type, in the countries the caller coordinates.
#[utoipa::path(get, path = "/r4v/overlaps", tag = "r4v", params(YearFilter),
    responses((status = 200, body = Vec<OverlapOut>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn get_overlaps(
    State(state): State<AppState>,
    ctx: Ctx,
    Params(filter): Params<YearFilter>,
) -> Result<Json<Vec<OverlapOut>>, AppError> {
    let countries = countries_for(&ctx, Action::ViewCoordination)?;
    if countries.is_empty() {
        return Err(AppError::Forbidden);
    }
    let month = |raw: &Option<String>| raw.as_deref().filter(|m| !m.is_empty()).map(Month::parse).transpose();
    Ok(Json(
        overlap_list(&state.store, countries, month(&filter.from)?, month(&filter.to)?).await?,
    ))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct IndicatorOut {
    pub code: String,
    pub sector: String,
    pub name_en: String,
    pub name_es: Option<String>,
    /// direct_assistance, capacity_building, infrastructure, mechanism_advocacy, campaign, other
    pub kind: &'static str,
}

/// The indicator registry: RMRP indicators with their sector and type.
#[utoipa::path(get, path = "/r4v/indicators", tag = "r4v-public", security(()),
    responses((status = 200, body = Vec<IndicatorOut>)))]
async fn list_indicators(State(state): State<AppState>) -> Result<Json<Vec<IndicatorOut>>, AppError> {
    let registry = state.store.r4v_registry().await?;
    Ok(Json(
        registry
            .indicators()
            .iter()
            .map(|i| IndicatorOut {
                code: i.code.clone(),
                sector: i.sector.clone(),
                name_en: i.name_en.clone(),
                name_es: i.name_es.clone(),
                kind: i.kind.code(),
            })
            .collect(),
    ))
}

/// Adds or replaces indicators of the registry (a new plan year brings its own): columns
/// code, sector, name_en, name_es, kind. Regional IM officers and administrators.
#[utoipa::path(post, path = "/r4v/indicators/import", tag = "r4v",
    request_body(content = inline(UploadForm), content_type = "multipart/form-data"),
    responses((status = 200, body = Imported), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn import_indicators(
    State(state): State<AppState>,
    ctx: Ctx,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Json<Imported>, AppError> {
    ctx.require(Action::ManageR4v, &Target::anywhere())?;
    let upload = read_upload(multipart).await?;
    let imported = planning_intake::import_indicators(&state, &ctx, &upload.file, upload.file_name.as_deref()).await?;
    Ok(Json(Imported { imported }))
}
