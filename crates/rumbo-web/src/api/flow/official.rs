//! Official border movement figures through the API: a published table imported whole or not
//! at all, and the figures of the countries a reader may see.

use axum::Json;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, State};
use rumbo_domain::Vocabulary;
use rumbo_domain::access::Action;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{CountImportForm, PointFilter};
use crate::AppState;
use crate::api::Params;
use crate::auth::Ctx;
use crate::error::{AppError, ErrorBody};
use crate::files::read_upload;
use crate::flow_data::{reach, upload_text};
use crate::transfer::{TransferError, clean_file_name};

pub(super) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(import_official, list_official))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OfficialImportOut {
    pub imported: usize,
    /// Rows with a blank total: the authority reported no figure.
    pub not_reported: usize,
}

/// Imports an official border movement table (XLSX or CSV: Country, Mov Type, Border Point,
/// Month_Year, Total_individuals). Whole or nothing.
#[utoipa::path(post, path = "/flow/official/import", tag = "flow",
    request_body(content = inline(CountImportForm), content_type = "multipart/form-data"),
    responses((status = 200, body = OfficialImportOut), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn import_official(
    State(state): State<AppState>,
    ctx: Ctx,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Json<OfficialImportOut>, AppError> {
    ctx.require_somewhere(Action::ManageFlowPoints)?;
    let upload = read_upload(multipart).await?;
    Ok(Json(
        import_official_upload(&state, &ctx, &upload.file, upload.file_name.as_deref()).await?,
    ))
}

pub(crate) async fn import_official_upload(
    state: &AppState,
    ctx: &Ctx,
    bytes: &[u8],
    file_name: Option<&str>,
) -> Result<OfficialImportOut, AppError> {
    let text = upload_text(bytes)?;
    let table = rumbo_io::official::read_official(&text).map_err(TransferError::from)?;
    let figures: Vec<_> = table.figures.into_iter().map(|(_, f)| f).collect();
    let countries = crate::transfer::countries_of(figures.iter().map(|f| f.country));
    crate::files::require_in_each(ctx, Action::ManageFlowPoints, &countries)?;
    let imported = state
        .store
        .import_official_figures(&ctx.actor(), &figures, &clean_file_name(file_name))
        .await?;
    Ok(OfficialImportOut {
        imported,
        not_reported: table.not_reported,
    })
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OfficialOut {
    pub country: String,
    pub movement: &'static str,
    pub border_point: String,
    pub month: String,
    pub total: i64,
}

/// Official border movement figures of the countries the reader may see.
#[utoipa::path(get, path = "/flow/official", tag = "flow", params(PointFilter),
    responses((status = 200, body = Vec<OfficialOut>), (status = 401, body = ErrorBody)))]
async fn list_official(
    State(state): State<AppState>,
    ctx: Ctx,
    Params(filter): Params<PointFilter>,
) -> Result<Json<Vec<OfficialOut>>, AppError> {
    let user = ctx.require_somewhere(Action::ViewFlowData)?;
    let country = filter.country()?;
    let figures = state
        .store
        .official_figures(reach(user, Action::ViewFlowData).as_deref(), country)
        .await?;
    Ok(Json(
        figures
            .into_iter()
            .map(|f| OfficialOut {
                country: f.country.to_string(),
                movement: f.movement.code(),
                border_point: f.border_point,
                month: f.month,
                total: f.total,
            })
            .collect(),
    ))
}
