//! Flow monitoring surveys: interviews (refused without consent), their indicator tables (small
//! counts suppressed, with the methodological caveat), the risk rules, and the protection
//! queue of flagged interviews, which only protection officers of the country (and admins) see.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use rumbo_domain::Vocabulary;
use rumbo_domain::access::{Action, Target};
use rumbo_domain::fms::rules::RuleSet;
use rumbo_domain::fms::{CAVEAT, CaseStatus, Interview};
use rumbo_io::tables::TableFormat;
use rumbo_store::Page;
use rumbo_store::fms::NewInterview;
use rumbo_store::fms::protection::CaseQuery;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{Body, Id, Listing, Params};
use crate::AppState;
use crate::auth::Ctx;
use crate::error::{AppError, ErrorBody};
use crate::flow_data::{FlowQuery, fms_tables, indicator_data_table, reach, table_download};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(record_interview, list_interviews))
        .routes(routes!(get_interview))
        .routes(routes!(indicators))
        .routes(routes!(export_indicators))
        .routes(routes!(get_rules, save_rules))
        .routes(routes!(list_cases))
        .routes(routes!(open_case))
        .routes(routes!(follow_up))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct InterviewIn {
    /// The point's location id.
    pub point: i64,
    #[schema(example = "2025-03-14")]
    pub date: String,
    /// Every answer; see the Interview fields. `consent` must be true.
    #[schema(value_type = Object)]
    pub answers: serde_json::Value,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InterviewSavedOut {
    pub id: i64,
    /// Whether the interview went to the protection queue. Its flags are not returned: the
    /// recorder is not necessarily who follows them up.
    pub flagged: bool,
    pub caveat: &'static str,
}

/// Records an interview at a point where the recorder may record. Refused without consent.
/// When the rule set flags it, a protection case is opened in the point's country.
#[utoipa::path(post, path = "/fms/interviews", tag = "fms", request_body = InterviewIn,
    responses((status = 201, body = InterviewSavedOut), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn record_interview(
    State(state): State<AppState>,
    ctx: Ctx,
    Body(input): Body<InterviewIn>,
) -> Result<(StatusCode, Json<InterviewSavedOut>), AppError> {
    let answers: Interview =
        serde_json::from_value(input.answers).map_err(|e| AppError::Invalid(format!("answers: {e}")))?;
    let date =
        rumbo_domain::flow::counts::parse_date(&input.date).map_err(|e| AppError::Invalid(format!("date: {e}")))?;
    let saved = save_interview(&state, &ctx, input.point, date, answers).await?;
    Ok((
        StatusCode::CREATED,
        Json(InterviewSavedOut {
            id: saved.id,
            flagged: saved.case_id.is_some(),
            caveat: CAVEAT,
        }),
    ))
}

/// Shared with the interview form.
pub(crate) async fn save_interview(
    state: &AppState,
    ctx: &Ctx,
    point: i64,
    date: time::Date,
    answers: Interview,
) -> Result<rumbo_store::fms::InterviewSaved, AppError> {
    let point = state.store.flow_point(point).await?;
    let user = ctx.user()?;
    let assigned = state.store.is_assigned(user.id, point.location.id).await?;
    ctx.require(
        Action::RecordFlowData { assigned },
        &Target::country(point.location.country),
    )?;
    let mut saved = state
        .store
        .record_interviews(
            &ctx.actor(),
            &[NewInterview {
                location_id: point.location.id,
                date,
                answers,
            }],
            "the interview form",
        )
        .await?;
    saved
        .pop()
        .ok_or_else(|| AppError::Internal("no interview was saved".into()))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InterviewSummaryOut {
    pub id: i64,
    pub point: String,
    pub country: String,
    pub date: String,
    pub sex: String,
    pub age: i64,
    pub nationality: String,
    pub risk_level: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct InterviewListQuery {
    limit: Option<i64>,
    offset: Option<i64>,
}

/// Interviews (IM officers and protection officers of the country). The list is audited.
#[utoipa::path(get, path = "/fms/interviews", tag = "fms", params(InterviewListQuery, FlowQuery),
    responses((status = 200, body = Listing<InterviewSummaryOut>), (status = 403, body = ErrorBody)))]
async fn list_interviews(
    State(state): State<AppState>,
    ctx: Ctx,
    Params(query): Params<InterviewListQuery>,
    Params(flow): Params<FlowQuery>,
) -> Result<Listing<InterviewSummaryOut>, AppError> {
    let user = ctx.require_somewhere(Action::ViewFmsInterviews)?;
    let filter = flow.interviews(reach(user, Action::ViewFmsInterviews))?;
    let page = Page::new(query.limit, query.offset);
    let (items, total) = state.store.browse_interviews(&ctx.actor(), &filter, page).await?;
    Ok(Listing {
        items: items
            .into_iter()
            .map(|i| InterviewSummaryOut {
                id: i.id,
                point: i.point_code,
                country: i.country.to_string(),
                date: i.date,
                sex: i.sex,
                age: i.age,
                nationality: i.nationality,
                risk_level: i.risk_level,
            })
            .collect(),
        total,
        limit: page.limit,
        offset: page.offset,
    })
}

/// One interview with every answer. Audited as a read of personal data.
#[utoipa::path(get, path = "/fms/interviews/{id}", tag = "fms",
    responses((status = 200, body = Object), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get_interview(
    State(state): State<AppState>,
    ctx: Ctx,
    Id(id): Id,
) -> Result<Json<serde_json::Value>, AppError> {
    let found = state.store.interview(id).await?;
    ctx.require(Action::ViewFmsInterviews, &Target::country(found.summary.country))?;
    let record = state.store.view_interview(&ctx.actor(), id).await?;
    Ok(Json(serde_json::json!({
        "id": record.summary.id,
        "point": record.summary.point_code,
        "date": record.summary.date,
        "answers": record.answers,
        "risk_level": record.summary.risk_level,
        "risk_flags": record.summary.risk_flags,
        "rules_version": record.rules_version,
        "caveat": CAVEAT,
    })))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct IndicatorsOut {
    pub caveat: &'static str,
    /// Tables of respondents by answer; counts below 5 are "<5" and their shares omitted.
    #[schema(value_type = Vec<Object>)]
    pub tables: Vec<rumbo_domain::fms::indicators::IndicatorTable>,
}

/// FMS indicator tables over the interviews chosen: aggregates only, small counts suppressed.
#[utoipa::path(get, path = "/fms/indicators", tag = "fms", params(FlowQuery),
    responses((status = 200, body = IndicatorsOut), (status = 401, body = ErrorBody)))]
async fn indicators(
    State(state): State<AppState>,
    ctx: Ctx,
    Params(query): Params<FlowQuery>,
) -> Result<Json<IndicatorsOut>, AppError> {
    let user = ctx.require_somewhere(Action::ViewFlowData)?;
    let filter = query.interviews(reach(user, Action::ViewFlowData))?;
    Ok(Json(IndicatorsOut {
        caveat: CAVEAT,
        tables: fms_tables(&state.store, &filter).await?,
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct IndicatorExport {
    /// sex_age, nationality, reasons, documents, destination, return, needs, incidents,
    /// trafficking or risk_flags.
    table: String,
    /// csv (default), hxl or xlsx.
    format: Option<String>,
}

/// One FMS indicator table as CSV, HXL or XLSX, with the caveat in every file. Aggregates only:
/// no answer of any one person ever leaves through an export.
#[utoipa::path(get, path = "/fms/indicators/export", tag = "fms", params(IndicatorExport, FlowQuery),
    responses((status = 200, description = "The file", content_type = "text/csv"), (status = 404, body = ErrorBody)))]
async fn export_indicators(
    State(state): State<AppState>,
    ctx: Ctx,
    Params(query): Params<IndicatorExport>,
    Params(flow): Params<FlowQuery>,
) -> Result<Response, AppError> {
    let user = ctx.require_somewhere(Action::ViewFlowData)?;
    let format = TableFormat::parse(query.format.as_deref()).map_err(AppError::Invalid)?;
    let filter = flow.interviews(reach(user, Action::ViewFlowData))?;
    let tables = fms_tables(&state.store, &filter).await?;
    let table = tables
        .iter()
        .find(|t| t.code == query.table)
        .ok_or_else(|| AppError::NotFound(format!("no indicator table '{}'", query.table)))?;
    state
        .store
        .record_export(
            &ctx.actor(),
            rumbo_domain::audit::Entity::FmsInterview,
            &format!(
                "exported the FMS indicator table {} as {}",
                table.code,
                format.extension()
            ),
        )
        .await?;
    table_download(&indicator_data_table(table), format, Some(CAVEAT))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RulesOut {
    pub version: i64,
    #[schema(value_type = Object)]
    pub rules: serde_json::Value,
}

/// The rule set in force that flags vulnerable cases.
#[utoipa::path(get, path = "/fms/rules", tag = "fms",
    responses((status = 200, body = RulesOut), (status = 401, body = ErrorBody)))]
async fn get_rules(State(state): State<AppState>, ctx: Ctx) -> Result<Json<RulesOut>, AppError> {
    ctx.require_somewhere(Action::ViewFlowData)?;
    let (version, rules) = state.store.rule_set().await?;
    Ok(Json(RulesOut {
        version,
        rules: serde_json::to_value(rules).map_err(|e| AppError::Internal(e.to_string()))?,
    }))
}

/// Saves a new version of the rule set (region-wide IM officers and admins). Checked first:
/// a rule naming a question that does not exist is refused.
#[utoipa::path(put, path = "/fms/rules", tag = "fms", request_body = Object,
    responses((status = 200, body = RulesOut), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn save_rules(
    State(state): State<AppState>,
    ctx: Ctx,
    Body(rules): Body<serde_json::Value>,
) -> Result<Json<RulesOut>, AppError> {
    ctx.require(Action::ManageRiskRules, &Target::anywhere())?;
    let set = RuleSet::parse(&rules.to_string())?;
    let version = state.store.save_rule_set(&ctx.actor(), &set).await?;
    Ok(Json(RulesOut {
        version,
        rules: serde_json::to_value(set).map_err(|e| AppError::Internal(e.to_string()))?,
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CaseOut {
    pub id: i64,
    pub country: String,
    pub point: String,
    pub interview_date: String,
    pub risk_level: String,
    pub risk_flags: Vec<String>,
    /// open, referred, no_action_needed, unable_to_contact
    pub status: &'static str,
    pub updated_at: String,
}

impl From<rumbo_store::fms::protection::ProtectionCase> for CaseOut {
    fn from(c: rumbo_store::fms::protection::ProtectionCase) -> Self {
        CaseOut {
            id: c.id,
            country: c.country.to_string(),
            point: c.point_code,
            interview_date: c.interview_date,
            risk_level: c.risk_level,
            risk_flags: c.risk_flags,
            status: c.status.code(),
            updated_at: c.updated_at,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct CaseFilter {
    /// open, referred, no_action_needed or unable_to_contact.
    status: Option<String>,
    limit: Option<i64>,
    offset: Option<i64>,
}

/// The protection queue of the reader's countries: protection officers and admins only.
#[utoipa::path(get, path = "/protection/cases", tag = "fms", params(CaseFilter),
    responses((status = 200, body = Listing<CaseOut>), (status = 403, body = ErrorBody)))]
async fn list_cases(
    State(state): State<AppState>,
    ctx: Ctx,
    Params(filter): Params<CaseFilter>,
) -> Result<Listing<CaseOut>, AppError> {
    let user = ctx.require_somewhere(Action::ViewProtectionCases)?;
    let status = filter
        .status
        .as_deref()
        .filter(|s| !s.trim().is_empty())
        .map(CaseStatus::parse)
        .transpose()?;
    let page = Page::new(filter.limit, filter.offset);
    let query = CaseQuery {
        countries: reach(user, Action::ViewProtectionCases),
        status,
    };
    let (cases, total) = state.store.protection_cases(&ctx.actor(), &query, page).await?;
    Ok(Listing {
        items: cases.into_iter().map(Into::into).collect(),
        total,
        limit: page.limit,
        offset: page.offset,
    })
}

/// Opens a case: the interview's answers, the follow-up history and who opened the case when
/// (this opening included). Audited.
#[utoipa::path(get, path = "/protection/cases/{id}", tag = "fms",
    responses((status = 200, body = Object), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn open_case(State(state): State<AppState>, ctx: Ctx, Id(id): Id) -> Result<Json<serde_json::Value>, AppError> {
    let case = state.store.protection_case(id).await?;
    ctx.require(Action::ViewProtectionCases, &Target::country(case.country))?;
    let detail = state.store.open_protection_case(&ctx.actor(), id).await?;
    Ok(Json(serde_json::json!({
        "case": CaseOut::from(detail.case),
        "answers": detail.interview.answers,
        "events": detail.events,
        "openings": detail.openings,
        "caveat": CAVEAT,
    })))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct FollowUpIn {
    /// referred, no_action_needed or unable_to_contact (or open again).
    pub status: String,
    pub note: Option<String>,
}

/// Records the follow-up of a case.
#[utoipa::path(post, path = "/protection/cases/{id}/follow-up", tag = "fms", request_body = FollowUpIn,
    responses((status = 200, body = CaseOut), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn follow_up(
    State(state): State<AppState>,
    ctx: Ctx,
    Id(id): Id,
    Body(input): Body<FollowUpIn>,
) -> Result<Json<CaseOut>, AppError> {
    let case = state.store.protection_case(id).await?;
    ctx.require(Action::ViewProtectionCases, &Target::country(case.country))?;
    let status = CaseStatus::parse(&input.status)?;
    let updated = state
        .store
        .follow_up_case(&ctx.actor(), id, status, input.note.as_deref())
        .await?;
    Ok(Json(updated.into()))
}
