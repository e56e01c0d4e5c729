use axum::Json;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use rumbo_domain::Problem;
use rumbo_domain::access::{Action, Target};
use rumbo_domain::country::Iso3;
use rumbo_domain::r4v::Month;
use rumbo_domain::r4v::rules::Rule;
use rumbo_store::Page;
use rumbo_store::r4v::{ActivityChange, ActivityQuery, ActivityRecord, OrganisationErrors};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{TableFormat, send_table};
use crate::AppState;
use crate::api::{Body, Id, Listing, Params};
use crate::auth::Ctx;
use crate::error::{AppError, ErrorBody};
use crate::files::read_upload;
use crate::r4v::form::{fields_of, parse_activity};
use crate::r4v::intake::{Intake, import_five_w, import_mode};
use crate::r4v::outputs::five_w_table;
use crate::r4v::scope::{limit_to_reach, target_of};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_activities, create_activity))
        .routes(routes!(get_activity, update_activity, delete_activity))
        .routes(routes!(activity_history))
        .routes(routes!(import_activities))
        .routes(routes!(validate_activities))
        .routes(routes!(error_report))
}

/// A 5W report: the partner's text as given, what it matched, and the rules it breaks.
#[derive(Debug, Serialize, ToSchema)]
pub struct ActivityOut {
    pub id: i64,
    pub organisation_id: i64,
    pub organisation: String,
    /// Every field of the report, by its 5W schema name, as text.
    #[schema(value_type = Object)]
    pub fields: serde_json::Map<String, serde_json::Value>,
    pub adm1_pcode: Option<String>,
    pub adm2_pcode: Option<String>,
    pub sector_code: Option<String>,
    pub indicator_code: Option<String>,
    pub indicator_kind: Option<String>,
    /// The ids of the R4V rules it breaks.
    pub rules_broken: Vec<u8>,
    pub validated_at: Option<String>,
    pub submission_id: Option<i64>,
    pub version: i64,
    pub updated_at: String,
}

impl From<ActivityRecord> for ActivityOut {
    fn from(r: ActivityRecord) -> Self {
        ActivityOut {
            fields: fields_of(&r.activity)
                .into_iter()
                .map(|(k, v)| (k.to_owned(), serde_json::Value::String(v)))
                .collect(),
            id: r.id,
            organisation_id: r.organisation_id,
            organisation: r.organisation,
            adm1_pcode: r.adm1_pcode,
            adm2_pcode: r.adm2_pcode,
            sector_code: r.sector_code,
            indicator_code: r.indicator_code,
            indicator_kind: r.indicator_kind,
            rules_broken: r.broken.rules().map(Rule::id).collect(),
            validated_at: r.validated_at,
            submission_id: r.submission_id,
            version: r.version,
            updated_at: r.updated_at,
        }
    }
}

/// A report as entered: fields by their 5W schema name; numbers and yes/no as JSON or text.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"country": "COL", "admin1": "CO54", "appealing_org": "NRC", "implementation": false,
    "month": "2024-03", "sector": "education", "indicator": "EDU1", "activity_name": "School enrolment",
    "rmrp_activity": true, "cva": false, "total_monthly": 20, "new_beneficiaries": 20, "in_destination": 20,
    "girls": 10, "boys": 10}))]
#[serde(transparent)]
pub struct ActivityIn {
    #[schema(value_type = Object)]
    fields: serde_json::Map<String, serde_json::Value>,
}

impl ActivityIn {
    fn get(&self, name: &str) -> Option<String> {
        match self.fields.get(name)? {
            serde_json::Value::Null => None,
            serde_json::Value::String(s) => Some(s.clone()),
            serde_json::Value::Bool(b) => Some(if *b { "yes" } else { "no" }.to_owned()),
            other => Some(other.to_string()),
        }
    }

    /// The report, or every field's problem as a `rejected` error.
    fn activity(&self) -> Result<rumbo_domain::r4v::Activity, AppError> {
        parse_activity(&|name| self.get(name)).map_err(|problems| AppError::Rejected {
            message: format!("{} problem(s) in the report; nothing was saved", problems.len()),
            problems: problems.into_iter().map(|(f, p)| Problem::new(f, p).into()).collect(),
        })
    }
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct ActivityFilter {
    /// ISO3 country code.
    country: Option<String>,
    organisation_id: Option<i64>,
    /// First month, YYYY-MM.
    from: Option<String>,
    /// Last month, YYYY-MM.
    to: Option<String>,
    /// Sector code.
    sector: Option<String>,
    /// Only reports breaking at least one rule.
    #[serde(default)]
    with_errors: bool,
    /// Only reports breaking this rule (1 to 19).
    rule: Option<i64>,
    /// json (default), csv or xlsx: the files import again.
    format: Option<String>,
    limit: Option<i64>,
    offset: Option<i64>,
}

impl ActivityFilter {
    pub fn query(&self, ctx: &Ctx) -> Result<ActivityQuery, AppError> {
        let month = |raw: &Option<String>| {
            raw.as_deref()
                .filter(|m| !m.trim().is_empty())
                .map(Month::parse)
                .transpose()
        };
        let mut query = ActivityQuery {
            countries: self
                .country
                .as_deref()
                .filter(|c| !c.trim().is_empty())
                .map(|c| Iso3::parse(c).map(|c| vec![c]))
                .transpose()?,
            organisation_id: self.organisation_id,
            from: month(&self.from)?,
            to: month(&self.to)?,
            sector: self.sector.clone().filter(|s| !s.trim().is_empty()),
            with_errors: self.with_errors,
            rule: match self.rule {
                Some(id) => Some(
                    Rule::from_id(id)
                        .ok_or_else(|| AppError::Invalid(format!("there is no rule {id}: rules are 1 to 19")))?,
                ),
                None => None,
            },
            reach: None,
        };
        limit_to_reach(ctx.user()?, &mut query);
        Ok(query)
    }
}

/// 5W reports the caller may see: their organisation's, and every report of the countries
/// where they are IM officer. `format=csv|xlsx` downloads them in R4V's template with HXL.
#[utoipa::path(get, path = "/r4v/activities", tag = "r4v", params(ActivityFilter),
    responses((status = 200, body = Listing<ActivityOut>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn list_activities(
    State(state): State<AppState>,
    ctx: Ctx,
    Params(filter): Params<ActivityFilter>,
) -> Result<Response, AppError> {
    ctx.require_somewhere(Action::View5w)?;
    let query = filter.query(&ctx)?;
    let format = TableFormat::parse(filter.format.as_deref(), TableFormat::Json)?;
    if format != TableFormat::Json {
        let (records, _) = state
            .store
            .activities(
                &query,
                Page {
                    limit: i64::MAX,
                    offset: 0,
                },
            )
            .await?;
        state
            .store
            .record_export(
                &ctx.actor(),
                rumbo_domain::audit::Entity::Activity5w,
                &format!("exported {} 5W report(s)", records.len()),
            )
            .await?;
        return send_table(&five_w_table(&records), format, "5w");
    }
    let page = Page::new(filter.limit, filter.offset);
    let (items, total) = state.store.activities(&query, page).await?;
    Ok(Listing {
        items: items.into_iter().map(ActivityOut::from).collect(),
        total,
        limit: page.limit,
        offset: page.offset,
    }
    .into_response())
}

/// Enters one report. It belongs to its appealing organisation when the name matches one,
/// else to the caller's. The rules run at once; the answer lists those it breaks.
#[utoipa::path(post, path = "/r4v/activities", tag = "r4v", request_body = ActivityIn,
    responses((status = 201, body = ActivityOut), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_activity(
    State(state): State<AppState>,
    ctx: Ctx,
    Body(input): Body<ActivityIn>,
) -> Result<(StatusCode, Json<ActivityOut>), AppError> {
    let user = ctx.require_somewhere(Action::Report5w)?;
    let activity = input.activity()?;
    let refs = state.store.r4v_references().await?;
    let owner = activity
        .appealing_org
        .as_deref()
        .and_then(|o| refs.partner(o))
        .unwrap_or(user.organisation_id);
    ctx.require(Action::Report5w, &Target::organisation(owner, activity.country))?;
    let id = state
        .store
        .create_activity(&ctx.actor(), &refs, owner, &activity)
        .await?;
    Ok((StatusCode::CREATED, Json(state.store.activity(id).await?.into())))
}

/// One report.
#[utoipa::path(get, path = "/r4v/activities/{id}", tag = "r4v",
    responses((status = 200, body = ActivityOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get_activity(State(state): State<AppState>, ctx: Ctx, Id(id): Id) -> Result<Json<ActivityOut>, AppError> {
    ctx.require_somewhere(Action::View5w)?;
    let record = state.store.activity(id).await?;
    ctx.require(Action::View5w, &target_of(&record))?;
    Ok(Json(record.into()))
}

/// Corrects a report (all its fields). The rules run again; the old and new values go to its
/// history; a validation lapses.
#[utoipa::path(put, path = "/r4v/activities/{id}", tag = "r4v", request_body = ActivityIn,
    responses((status = 200, body = ActivityOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
async fn update_activity(
    State(state): State<AppState>,
    ctx: Ctx,
    Id(id): Id,
    Body(input): Body<ActivityIn>,
) -> Result<Json<ActivityOut>, AppError> {
    ctx.require_somewhere(Action::Report5w)?;
    let record = state.store.activity(id).await?;
    ctx.require(Action::Report5w, &target_of(&record))?;
    let activity = input.activity()?;
    ctx.require(
        Action::Report5w,
        &Target::organisation(record.organisation_id, activity.country),
    )?;
    let refs = state.store.r4v_references().await?;
    state.store.update_activity(&ctx.actor(), &refs, id, &activity).await?;
    Ok(Json(state.store.activity(id).await?.into()))
}

/// Deletes a report entered by mistake.
#[utoipa::path(delete, path = "/r4v/activities/{id}", tag = "r4v",
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn delete_activity(State(state): State<AppState>, ctx: Ctx, Id(id): Id) -> Result<StatusCode, AppError> {
    ctx.require_somewhere(Action::Report5w)?;
    let record = state.store.activity(id).await?;
    ctx.require(Action::Report5w, &target_of(&record))?;
    state.store.delete_activity(&ctx.actor(), id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ChangeOut {
    pub version: i64,
    pub changed_at: String,
    pub changed_by: Option<i64>,
    pub username: Option<String>,
    pub channel: String,
    pub fields: String,
    #[schema(value_type = Object)]
    pub before: serde_json::Value,
    #[schema(value_type = Object)]
    pub after: serde_json::Value,
    pub rules_broken_before: Vec<u8>,
    pub rules_broken_after: Vec<u8>,
}

impl From<ActivityChange> for ChangeOut {
    fn from(c: ActivityChange) -> Self {
        ChangeOut {
            version: c.version,
            changed_at: c.changed_at,
            changed_by: c.changed_by,
            username: c.username,
            channel: c.channel,
            fields: c.fields,
            before: c.before,
            after: c.after,
            rules_broken_before: c.broken_before.rules().map(Rule::id).collect(),
            rules_broken_after: c.broken_after.rules().map(Rule::id).collect(),
        }
    }
}

/// Who corrected what in a report, and when.
#[utoipa::path(get, path = "/r4v/activities/{id}/history", tag = "r4v",
    responses((status = 200, body = Vec<ChangeOut>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn activity_history(
    State(state): State<AppState>,
    ctx: Ctx,
    Id(id): Id,
) -> Result<Json<Vec<ChangeOut>>, AppError> {
    ctx.require_somewhere(Action::View5w)?;
    let record = state.store.activity(id).await?;
    ctx.require(Action::View5w, &target_of(&record))?;
    Ok(Json(
        state
            .store
            .activity_history(id)
            .await?
            .into_iter()
            .map(Into::into)
            .collect(),
    ))
}

/// The form of a 5W import.
#[derive(ToSchema)]
#[allow(dead_code)] // documents the multipart form; the handler reads it field by field
struct FiveWForm {
    /// XLSX or CSV in R4V's template (English or Spanish labels, or HXL hashtags).
    #[schema(content_media_type = "application/octet-stream")]
    file: Vec<u8>,
    /// `valid_rows` imports the readable rows and lists the others; by default a file with any
    /// unreadable row is refused whole.
    mode: Option<String>,
}

/// Imports 5W reports. Double-encoded text is repaired (each repair listed); the 19 rules run
/// on every report; the file's provenance is recorded.
#[utoipa::path(post, path = "/r4v/activities/import", tag = "r4v",
    request_body(content = inline(FiveWForm), content_type = "multipart/form-data"),
    responses((status = 200, body = Intake), (status = 403, body = ErrorBody), (status = 413, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
async fn import_activities(
    State(state): State<AppState>,
    ctx: Ctx,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Json<Intake>, AppError> {
    ctx.require_somewhere(Action::Report5w)?;
    let upload = read_upload(multipart).await?;
    let mode = import_mode(upload.field("mode"));
    Ok(Json(
        import_five_w(&state, &ctx, &upload.file, upload.file_name.as_deref(), mode).await?,
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ValidateIn {
    #[schema(example = "COL")]
    pub country: String,
    #[schema(example = "2024-03")]
    pub month: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ValidateOut {
    pub validated: i64,
    /// Reports of that month still breaking rules: they wait for their correction.
    pub still_breaking_rules: i64,
}

/// Validates a country's reports of a month (those that break no rule). IM officers.
#[utoipa::path(post, path = "/r4v/activities/validate", tag = "r4v", request_body = ValidateIn,
    responses((status = 200, body = ValidateOut), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn validate_activities(
    State(state): State<AppState>,
    ctx: Ctx,
    Body(input): Body<ValidateIn>,
) -> Result<Json<ValidateOut>, AppError> {
    ctx.require_somewhere(Action::Validate5w)?;
    let country = Iso3::parse(&input.country)?;
    let month = Month::parse(&input.month)?;
    ctx.require(Action::Validate5w, &Target::country(country))?;
    let (validated, left) = state
        .store
        .validate_activities(&ctx.actor(), country, &month.to_string())
        .await?;
    Ok(Json(ValidateOut {
        validated,
        still_breaking_rules: left,
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorReportOut {
    pub organisation_id: i64,
    pub organisation: String,
    pub reports: i64,
    pub with_errors: i64,
    pub rules: Vec<RuleTally>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RuleTally {
    pub rule: u8,
    pub name: &'static str,
    pub reports: i64,
}

impl From<OrganisationErrors> for ErrorReportOut {
    fn from(e: OrganisationErrors) -> Self {
        ErrorReportOut {
            organisation_id: e.organisation_id,
            organisation: e.organisation,
            reports: e.reports,
            with_errors: e.with_errors,
            rules: Rule::ALL
                .iter()
                .filter_map(|r| {
                    let n = e.per_rule.get(usize::from(r.id())).copied().unwrap_or(0);
                    (n > 0).then_some(RuleTally {
                        rule: r.id(),
                        name: r.name(),
                        reports: n,
                    })
                })
                .collect(),
        }
    }
}

/// The error report per organisation: how many reports break each rule, for the reports the
/// caller may see (a partner's own; a country's for its IM officers).
#[utoipa::path(get, path = "/r4v/errors", tag = "r4v", params(ActivityFilter),
    responses((status = 200, body = Vec<ErrorReportOut>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn error_report(
    State(state): State<AppState>,
    ctx: Ctx,
    Params(filter): Params<ActivityFilter>,
) -> Result<Json<Vec<ErrorReportOut>>, AppError> {
    ctx.require_somewhere(Action::View5w)?;
    let query = filter.query(&ctx)?;
    Ok(Json(
        state
            .store
            .error_report(&query)
            .await?
            .into_iter()
            .map(Into::into)
            .collect(),
    ))
}
