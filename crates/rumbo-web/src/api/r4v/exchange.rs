//! The information exchange protocol over the API: submit a dataset, see submissions and
//! their provenance, download a submission's problems, read the schemas.

use axum::Json;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, State};
use axum::response::Response;
use rumbo_domain::access::{Action, Target};
use rumbo_domain::r4v::DatasetType;
use rumbo_domain::r4v::hxl::{SchemaColumn, schema};
use rumbo_domain::{Problem, Vocabulary};
use rumbo_io::r4v::write::{Cell, Table};
use rumbo_store::Page;
use rumbo_store::r4v::Submission;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{TableFormat, send_table};
use crate::AppState;
use crate::api::{Id, Listing, Params};
use crate::auth::Ctx;
use crate::error::{AppError, ErrorBody, ProblemOut};
use crate::files::read_upload;
use crate::r4v::intake::{Intake, import_mode, submit_dataset};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(submit))
        .routes(routes!(list_submissions))
        .routes(routes!(get_submission))
        .routes(routes!(submission_problems))
        .routes(routes!(schemas))
}

/// The form of a submission.
#[derive(ToSchema)]
#[allow(dead_code)] // documents the multipart form; the handler reads it field by field
struct SubmissionForm {
    /// population_figures, activities_5w, flow_counts or needs.
    dataset: String,
    /// CSV or XLSX with a header row and, under it, a row of HXL hashtags.
    #[schema(content_media_type = "application/octet-stream")]
    file: Vec<u8>,
    /// `valid_rows` to accept the valid rows and list the others.
    mode: Option<String>,
}

/// Submits a dataset. Tags and values are checked against the dataset type's schema, cell by
/// cell; who, when, the file name and its SHA-256 are recorded; accepted rows go where
/// consolidation reads them.
#[utoipa::path(post, path = "/r4v/exchange", tag = "r4v",
    request_body(content = inline(SubmissionForm), content_type = "multipart/form-data"),
    responses((status = 200, body = Intake), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn submit(
    State(state): State<AppState>,
    ctx: Ctx,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Json<Intake>, AppError> {
    ctx.user()?;
    let upload = read_upload(multipart).await?;
    let dataset = DatasetType::parse(upload.field("dataset").unwrap_or(""))?;
    let mode = import_mode(upload.field("mode"));
    Ok(Json(
        submit_dataset(&state, &ctx, dataset, &upload.file, upload.file_name.as_deref(), mode).await?,
    ))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SubmissionOut {
    pub id: i64,
    pub dataset: String,
    pub organisation_id: i64,
    pub organisation: String,
    pub submitted_by: Option<i64>,
    pub submitted_at: String,
    pub file_name: String,
    pub sha256: String,
    pub rows_read: i64,
    pub rows_accepted: i64,
    /// accepted, partial or rejected.
    pub status: String,
    pub problems: Vec<ProblemOut>,
    pub repairs: i64,
}

impl From<Submission> for SubmissionOut {
    fn from(s: Submission) -> Self {
        SubmissionOut {
            id: s.id,
            dataset: s.dataset,
            organisation_id: s.organisation_id,
            organisation: s.organisation,
            submitted_by: s.submitted_by,
            submitted_at: s.submitted_at,
            file_name: s.file_name,
            sha256: s.sha256,
            rows_read: s.rows_read,
            rows_accepted: s.rows_accepted,
            status: s.status,
            problems: s.problems.into_iter().map(Into::into).collect(),
            repairs: s.repairs,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct SubmissionFilter {
    limit: Option<i64>,
    offset: Option<i64>,
}

/// Whether the caller may see every organisation's submissions (IM officers anywhere), or
/// only their own organisation's.
fn sees_all(ctx: &Ctx) -> Result<bool, AppError> {
    let user = ctx.user()?;
    let subject = user.subject();
    Ok(subject.is_admin() || subject.may(Action::ViewCoordination, &Target::anywhere()))
}

/// Submissions, newest first: the caller's organisation's (all of them for regional IM
/// officers and administrators).
#[utoipa::path(get, path = "/r4v/submissions", tag = "r4v", params(SubmissionFilter),
    responses((status = 200, body = Listing<SubmissionOut>), (status = 401, body = ErrorBody)))]
async fn list_submissions(
    State(state): State<AppState>,
    ctx: Ctx,
    Params(filter): Params<SubmissionFilter>,
) -> Result<Listing<SubmissionOut>, AppError> {
    let user = ctx.user()?;
    let organisation = if sees_all(&ctx)? {
        None
    } else {
        Some(user.organisation_id)
    };
    let page = Page::new(filter.limit, filter.offset);
    let (items, total) = state.store.submissions(organisation, page).await?;
    Ok(Listing {
        items: items.into_iter().map(Into::into).collect(),
        total,
        limit: page.limit,
        offset: page.offset,
    })
}

async fn visible_submission(state: &AppState, ctx: &Ctx, id: i64) -> Result<Submission, AppError> {
    let user = ctx.user()?;
    let submission = state.store.submission(id).await?;
    if submission.organisation_id != user.organisation_id && !sees_all(ctx)? {
        return Err(AppError::Forbidden);
    }
    Ok(submission)
}

/// One submission with its provenance and problems.
#[utoipa::path(get, path = "/r4v/submissions/{id}", tag = "r4v",
    responses((status = 200, body = SubmissionOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get_submission(State(state): State<AppState>, ctx: Ctx, Id(id): Id) -> Result<Json<SubmissionOut>, AppError> {
    Ok(Json(visible_submission(&state, &ctx, id).await?.into()))
}

/// A submission's problems (the rows left out, with their reasons) as CSV.
#[utoipa::path(get, path = "/r4v/submissions/{id}/problems", tag = "r4v",
    responses((status = 200, description = "CSV of where and what", content_type = "text/csv"),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn submission_problems(State(state): State<AppState>, ctx: Ctx, Id(id): Id) -> Result<Response, AppError> {
    let submission = visible_submission(&state, &ctx, id).await?;
    let table = Table {
        labels: vec!["where".into(), "problem".into()],
        hashtags: vec!["#meta+where".into(), "#meta+problem".into()],
        rows: submission
            .problems
            .iter()
            .map(|p: &Problem| vec![Cell::text(&p.location), Cell::text(&p.problem)])
            .collect(),
    };
    send_table(&table, TableFormat::Csv, &format!("submission-{id}-problems"))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SchemaOut {
    pub dataset: &'static str,
    #[schema(value_type = Vec<Object>)]
    pub columns: Vec<SchemaColumn>,
}

/// The schema of every dataset type: each column's field, HXL hashtag, kind and whether it
/// is required. Public.
#[utoipa::path(get, path = "/r4v/exchange/schemas", tag = "r4v-public", security(()),
    responses((status = 200, body = Vec<SchemaOut>)))]
async fn schemas() -> Json<Vec<SchemaOut>> {
    Json(
        DatasetType::ALL
            .iter()
            .map(|d| SchemaOut {
                dataset: d.code(),
                columns: schema(*d).to_vec(),
            })
            .collect(),
    )
}
