//! What registration is set up with: the desks a user may register at, and each country's
//! vulnerability models — imported from a criteria file or a conjoint analysis, versioned,
//! one in force, exported again as criteria.

use axum::Json;
use axum::extract::Multipart;
use axum::extract::State;
use axum::extract::multipart::MultipartRejection;
use axum::http::StatusCode;
use axum::response::Response;
use rumbo_domain::Vocabulary;
use rumbo_domain::access::{Action, Target};
use rumbo_domain::country::Iso3;
use rumbo_domain::registration::conjoint::{ConjointOptions, model_from_conjoint};
use rumbo_domain::registration::scoring::{Cap, Definition};
use rumbo_io::vulnerability::{ModelFile, read_model, write_criteria_csv};
use rumbo_store::registration::{ModelRecord, ModelSummary};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::api::{Id, Params};
use crate::auth::Ctx;
use crate::error::{AppError, ErrorBody};
use crate::files::{Upload, download, read_upload};
use crate::registration::desks_for;
use crate::transfer::{TransferError, clean_file_name};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_desks))
        .routes(routes!(list_models))
        .routes(routes!(get_model))
        .routes(routes!(import_model))
        .routes(routes!(activate_model))
        .routes(routes!(export_model))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DeskOut {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub country: String,
    pub organisation_id: i64,
}

/// The registration desks the user may register at.
#[utoipa::path(get, path = "/registration/desks", tag = "registration",
    responses((status = 200, body = Vec<DeskOut>), (status = 401, body = ErrorBody)))]
async fn list_desks(State(state): State<AppState>, ctx: Ctx) -> Result<Json<Vec<DeskOut>>, AppError> {
    let desks = desks_for(&state, ctx.user()?).await?;
    Ok(Json(
        desks
            .into_iter()
            .map(|d| DeskOut {
                id: d.id,
                code: d.code,
                name: d.name,
                country: d.country.to_string(),
                organisation_id: d.organisation_id,
            })
            .collect(),
    ))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ModelOut {
    pub id: i64,
    pub country: String,
    pub name: String,
    pub version: i64,
    pub threshold: f64,
    pub criteria: usize,
    pub source: String,
    pub active: bool,
    pub created_at: String,
    pub created_by: Option<String>,
}

impl From<ModelSummary> for ModelOut {
    fn from(m: ModelSummary) -> Self {
        ModelOut {
            id: m.id,
            country: m.country.to_string(),
            name: m.name,
            version: m.version,
            threshold: m.threshold,
            criteria: m.criteria,
            source: m.source,
            active: m.is_active,
            created_at: m.created_at,
            created_by: m.created_by,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CriterionOut {
    pub id: String,
    pub label: String,
    pub fact: String,
    pub op: String,
    pub value: String,
    pub points: f64,
    pub group: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ModelDetailOut {
    #[serde(flatten)]
    pub summary: ModelOut,
    pub criteria: Vec<CriterionOut>,
    /// (group, most points it may give)
    pub caps: Vec<(String, f64)>,
    pub max_score: Option<f64>,
}

impl From<ModelRecord> for ModelDetailOut {
    fn from(m: ModelRecord) -> Self {
        let d = m.model.definition();
        ModelDetailOut {
            criteria: d
                .criteria
                .iter()
                .map(|c| CriterionOut {
                    id: c.id.clone(),
                    label: c.label.clone(),
                    fact: c.fact.code(),
                    op: c.op.code().into(),
                    value: c.value.clone(),
                    points: c.points,
                    group: c.group.clone(),
                })
                .collect(),
            caps: d.caps.iter().map(|c| (c.group.clone(), c.max_points)).collect(),
            max_score: d.max_score,
            summary: m.summary.into(),
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct ModelFilter {
    country: Option<String>,
}

/// Model versions, newest first. Every signed-in user may read them: a score is explained by them.
#[utoipa::path(get, path = "/registration/models", tag = "registration", params(ModelFilter),
    responses((status = 200, body = Vec<ModelOut>), (status = 401, body = ErrorBody)))]
async fn list_models(
    State(state): State<AppState>,
    ctx: Ctx,
    Params(filter): Params<ModelFilter>,
) -> Result<Json<Vec<ModelOut>>, AppError> {
    ctx.require(Action::ViewReferenceData, &Target::anywhere())?;
    let country = filter
        .country
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(Iso3::parse)
        .transpose()?;
    let models = state.store.vulnerability_models(country).await?;
    Ok(Json(models.into_iter().map(Into::into).collect()))
}

/// One model version with its criteria.
#[utoipa::path(get, path = "/registration/models/{id}", tag = "registration",
    responses((status = 200, body = ModelDetailOut), (status = 404, body = ErrorBody)))]
async fn get_model(State(state): State<AppState>, ctx: Ctx, Id(id): Id) -> Result<Json<ModelDetailOut>, AppError> {
    ctx.require(Action::ViewReferenceData, &Target::anywhere())?;
    Ok(Json(state.store.vulnerability_model(id).await?.into()))
}

/// The form of a model import.
#[derive(ToSchema)]
#[allow(dead_code)] // documents the multipart form; the handler reads it field by field
struct ModelImportForm {
    /// CSV: criteria (id, label, fact, op, value, points, group) or a conjoint analysis
    /// (country, component, feature, level, importance).
    #[schema(content_media_type = "application/octet-stream")]
    file: Vec<u8>,
    /// ISO3 of the country the model is for.
    country: String,
    name: String,
    /// Households scoring at least this are eligible.
    threshold: f64,
    /// For a conjoint analysis: the file's country to take the weights of (default: the
    /// model's country, by name).
    source: Option<String>,
    /// Caps as `group=points` separated by `;`, such as `wellbeing=60;coping=40`.
    caps: Option<String>,
    /// Put the new version in force at once (and score the country's households again).
    activate: Option<bool>,
}

/// Reads the model fields of an upload into a definition.
pub(crate) fn model_definition(upload: &Upload, country: Iso3) -> Result<Definition, AppError> {
    let threshold: f64 = upload
        .field("threshold")
        .map(|t| t.replace(',', "."))
        .and_then(|t| t.parse().ok())
        .filter(|t: &f64| t.is_finite())
        .ok_or_else(|| AppError::Invalid("give the threshold from which households are eligible, a number".into()))?;
    let mut caps = Vec::new();
    for pair in upload
        .field("caps")
        .unwrap_or("")
        .split(';')
        .filter(|p| !p.trim().is_empty())
    {
        let (group, points) = pair
            .split_once('=')
            .and_then(|(g, p)| Some((g.trim().to_owned(), p.trim().replace(',', ".").parse::<f64>().ok()?)))
            .ok_or_else(|| {
                AppError::Invalid(format!(
                    "'{pair}' is not a cap: write group=points, such as wellbeing=60"
                ))
            })?;
        caps.push(Cap {
            group,
            max_points: points,
        });
    }
    match read_model(&upload.file).map_err(|r| AppError::from(TransferError::from(r)))? {
        ModelFile::Criteria(criteria) => Ok(Definition {
            criteria,
            caps,
            max_score: None,
            threshold,
        }),
        ModelFile::Conjoint(rows) => model_from_conjoint(
            &rows,
            &ConjointOptions {
                country,
                source: upload.field("source").map(str::to_owned),
                threshold,
                caps,
            },
        )
        .map_err(|problems| AppError::Rejected {
            message: format!("{} problem(s) in the file; no model was saved", problems.len()),
            problems: problems.into_iter().map(Into::into).collect(),
        }),
    }
}

/// Imports a model as the country's next version.
#[utoipa::path(post, path = "/registration/models/import", tag = "registration",
    request_body(content = inline(ModelImportForm), content_type = "multipart/form-data"),
    responses((status = 201, body = ModelDetailOut), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn import_model(
    State(state): State<AppState>,
    ctx: Ctx,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<(StatusCode, Json<ModelDetailOut>), AppError> {
    ctx.require_somewhere(Action::ManageVulnerabilityModels)?;
    let upload = read_upload(multipart).await?;
    let record = save_uploaded_model(&state, &ctx, &upload).await?;
    Ok((StatusCode::CREATED, Json(record.into())))
}

/// Saves an uploaded model: shared by the API and the models page.
pub(crate) async fn save_uploaded_model(state: &AppState, ctx: &Ctx, upload: &Upload) -> Result<ModelRecord, AppError> {
    let country = Iso3::parse(upload.field("country").unwrap_or(""))?;
    ctx.require(Action::ManageVulnerabilityModels, &Target::country(country))?;
    let definition = model_definition(upload, country)?;
    let name = upload.field("name").unwrap_or("").to_owned();
    let activate = upload
        .field("activate")
        .is_some_and(|a| matches!(a, "1" | "true" | "on" | "yes"));
    let source = clean_file_name(upload.file_name.as_deref());
    Ok(state
        .store
        .save_vulnerability_model(&ctx.actor(), country, &name, definition, &source, activate)
        .await?)
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ActivatedOut {
    /// Households scored again.
    pub scored: usize,
}

/// Puts a model version in force for its country and scores every household there again.
#[utoipa::path(post, path = "/registration/models/{id}/activate", tag = "registration",
    responses((status = 200, body = ActivatedOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn activate_model(State(state): State<AppState>, ctx: Ctx, Id(id): Id) -> Result<Json<ActivatedOut>, AppError> {
    let model = state.store.vulnerability_model(id).await?;
    ctx.require(
        Action::ManageVulnerabilityModels,
        &Target::country(model.summary.country),
    )?;
    let scored = state.store.activate_vulnerability_model(&ctx.actor(), id).await?;
    Ok(Json(ActivatedOut { scored }))
}

/// A model's criteria as CSV, to edit and import as the next version.
#[utoipa::path(get, path = "/registration/models/{id}/export", tag = "registration",
    responses((status = 200, description = "criteria CSV", content_type = "text/csv"), (status = 404, body = ErrorBody)))]
async fn export_model(State(state): State<AppState>, ctx: Ctx, Id(id): Id) -> Result<Response, AppError> {
    ctx.require(Action::ViewReferenceData, &Target::anywhere())?;
    let model = state.store.vulnerability_model(id).await?;
    let mut out = Vec::new();
    write_criteria_csv(&model.model.definition().criteria, &mut out).map_err(|e| AppError::Internal(e.to_string()))?;
    let name = format!("model-{}-v{}.csv", model.summary.country, model.summary.version);
    Ok(download(out, "text/csv; charset=utf-8", Some(&name)))
}
