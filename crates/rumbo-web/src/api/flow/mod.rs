//! Flow monitoring: points and their profiles, enumerators' assignments, counts (one
//! observation at a time, or files), official border movements, and the dashboards' series,
//! breakdowns and tables. Aggregates are for anyone with a role in the country; recording is
//! for IM officers and the enumerators assigned to a point.

use axum::Json;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::Response;
use rumbo_domain::Vocabulary;
use rumbo_domain::access::{Action, Target};
use rumbo_domain::flow::AgeBrackets;
use rumbo_domain::flow::counts::RawCount;
use rumbo_domain::flow::profile::ProfileInput;
use rumbo_store::flow::FlowPoint;
use rumbo_store::flow::counts::{CountReport, ImportMode};
use rumbo_store::locations::LocationInput;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{Body, Id, Params};
use crate::AppState;
use crate::auth::Ctx;
use crate::error::{AppError, ErrorBody};
use crate::files::read_upload;
use crate::flow_data::{import_count_text, reach, upload_text};
use crate::transfer::{TransferError, clean_file_name};

/// The dashboards' series, breakdowns, exported tables and corridors.
mod dashboards;
/// Official border movement figures: import and list.
mod official;

pub(crate) use official::import_official_upload;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_points, create_point))
        .routes(routes!(get_point))
        .routes(routes!(record_profile))
        .routes(routes!(set_assignment))
        .routes(routes!(record_observation))
        .routes(routes!(delete_observation))
        .routes(routes!(import_counts))
        .routes(routes!(count_template))
        .routes(routes!(set_age_brackets))
        .routes(routes!(import_profiles))
        .merge(dashboards::router())
        .merge(official::router())
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PointOut {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub kind: &'static str,
    pub country: String,
    pub lat: f64,
    pub lon: f64,
    /// The latest round of the profile; null until one is recorded.
    #[schema(value_type = Object)]
    pub profile: Option<serde_json::Value>,
    pub round: Option<i64>,
}

impl From<FlowPoint> for PointOut {
    fn from(p: FlowPoint) -> Self {
        PointOut {
            id: p.location.id,
            code: p.location.code,
            name: p.location.name,
            kind: p.location.kind.code(),
            country: p.location.country.to_string(),
            lat: p.location.position.lat,
            lon: p.location.position.lon,
            round: p.profile.as_ref().map(|r| r.round),
            profile: p.profile.and_then(|r| serde_json::to_value(r.profile).ok()),
        }
    }
}

/// A point's profile as sent: codes separated by commas.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct ProfileIn {
    /// official_border_crossing, informal_crossing, transit_centre, bus_terminal, airport
    pub point_type: String,
    /// incoming, outgoing, transit
    #[schema(example = "incoming,outgoing")]
    pub movement_types: String,
    #[schema(example = "mon,tue,wed,thu,fri,sat")]
    pub days: String,
    #[schema(example = "06:00")]
    pub hours_from: String,
    #[schema(example = "18:00")]
    pub hours_to: String,
    #[schema(example = "water,health,information")]
    pub services: String,
    #[schema(example = "migration_authority,un_agency")]
    pub institutions: String,
    /// Roles and organisations, never names.
    pub key_informants: String,
    pub active_from: String,
    pub active_until: String,
    pub notes: String,
}

impl From<ProfileIn> for ProfileInput {
    fn from(p: ProfileIn) -> Self {
        ProfileInput {
            point_type: p.point_type,
            movement_types: p.movement_types,
            days: p.days,
            hours_from: p.hours_from,
            hours_to: p.hours_to,
            services: p.services,
            institutions: p.institutions,
            key_informants: p.key_informants,
            active_from: p.active_from,
            active_until: p.active_until,
            notes: p.notes,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct PointIn {
    pub code: String,
    pub name: String,
    /// flow_monitoring_point (default) or border_crossing
    pub kind: Option<String>,
    pub country: String,
    pub lat: f64,
    pub lon: f64,
    pub organisation_id: Option<i64>,
    pub profile: ProfileIn,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct PointFilter {
    /// ISO3 country code.
    country: Option<String>,
}

impl PointFilter {
    /// The country asked for, if any (an empty value asks for none).
    fn country(&self) -> Result<Option<rumbo_domain::country::Iso3>, rumbo_domain::DomainError> {
        self.country
            .as_deref()
            .filter(|c| !c.trim().is_empty())
            .map(rumbo_domain::country::Iso3::parse)
            .transpose()
    }
}

/// Flow monitoring points of the countries the reader may see, with their latest profile.
#[utoipa::path(get, path = "/flow/points", tag = "flow", params(PointFilter),
    responses((status = 200, body = Vec<PointOut>), (status = 401, body = ErrorBody)))]
async fn list_points(
    State(state): State<AppState>,
    ctx: Ctx,
    Params(filter): Params<PointFilter>,
) -> Result<Json<Vec<PointOut>>, AppError> {
    let user = ctx.require_somewhere(Action::ViewFlowData)?;
    let country = filter.country()?;
    let points = state
        .store
        .flow_points(reach(user, Action::ViewFlowData).as_deref(), country)
        .await?;
    Ok(Json(points.into_iter().map(Into::into).collect()))
}

/// One point, with its latest profile.
#[utoipa::path(get, path = "/flow/points/{id}", tag = "flow",
    responses((status = 200, body = PointOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get_point(State(state): State<AppState>, ctx: Ctx, Id(id): Id) -> Result<Json<PointOut>, AppError> {
    let point = state.store.flow_point(id).await?;
    ctx.require(Action::ViewFlowData, &Target::country(point.location.country))?;
    Ok(Json(point.into()))
}

/// Creates a flow monitoring point: a location (resolved to its admin areas) and round 1 of
/// its profile.
#[utoipa::path(post, path = "/flow/points", tag = "flow", request_body = PointIn,
    responses((status = 201, body = PointOut), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
async fn create_point(
    State(state): State<AppState>,
    ctx: Ctx,
    Body(input): Body<PointIn>,
) -> Result<(StatusCode, Json<PointOut>), AppError> {
    ctx.require_somewhere(Action::ManageFlowPoints)?;
    let country = rumbo_domain::country::Iso3::parse(&input.country)?;
    ctx.require(Action::ManageFlowPoints, &Target::country(country))?;
    let point = create_point_with_profile(&state, &ctx, &input).await?;
    Ok((StatusCode::CREATED, Json(point.into())))
}

/// Shared with the pages: checks the profile first, so that a bad profile leaves no location.
pub(crate) async fn create_point_with_profile(
    state: &AppState,
    ctx: &Ctx,
    input: &PointIn,
) -> Result<FlowPoint, AppError> {
    let profile = ProfileInput::from(input.profile.clone());
    profile.check().map_err(rumbo_store::flow::profile_problems)?;
    let location = LocationInput {
        code: input.code.clone(),
        name: input.name.clone(),
        kind: input.kind.clone().unwrap_or_else(|| "flow_monitoring_point".into()),
        country: input.country.clone(),
        lat: input.lat,
        lon: input.lon,
        organisation_id: input.organisation_id,
        notes: None,
        is_active: true,
    };
    super::locations::check_fields(&location)?;
    if !["flow_monitoring_point", "border_crossing"].contains(&location.kind.trim()) {
        return Err(AppError::Invalid(
            "a flow monitoring point is of kind flow_monitoring_point or border_crossing".into(),
        ));
    }
    let created = state.store.create_location(&ctx.actor(), &location).await?;
    state.store.record_profile(&ctx.actor(), created.id, &profile).await?;
    Ok(state.store.flow_point(created.id).await?)
}

/// Records a new round of a point's profile; earlier rounds are kept.
#[utoipa::path(post, path = "/flow/points/{id}/profile", tag = "flow", request_body = ProfileIn,
    responses((status = 200, body = PointOut), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn record_profile(
    State(state): State<AppState>,
    ctx: Ctx,
    Id(id): Id,
    Body(input): Body<ProfileIn>,
) -> Result<Json<PointOut>, AppError> {
    let point = state.store.flow_point(id).await?;
    ctx.require(Action::ManageFlowPoints, &Target::country(point.location.country))?;
    state.store.record_profile(&ctx.actor(), id, &input.into()).await?;
    Ok(Json(state.store.flow_point(id).await?.into()))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct AssignmentIn {
    pub user_id: i64,
    /// false takes the assignment away.
    #[serde(default = "yes")]
    pub assigned: bool,
}

fn yes() -> bool {
    true
}

/// Assigns an enumerator to a point (or takes the assignment away).
#[utoipa::path(post, path = "/flow/points/{id}/assignments", tag = "flow", request_body = AssignmentIn,
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn set_assignment(
    State(state): State<AppState>,
    ctx: Ctx,
    Id(id): Id,
    Body(input): Body<AssignmentIn>,
) -> Result<StatusCode, AppError> {
    let point = state.store.flow_point(id).await?;
    ctx.require(Action::ManageFlowPoints, &Target::country(point.location.country))?;
    state
        .store
        .set_assignment(&ctx.actor(), input.user_id, id, input.assigned)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// One group of an observation.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct GroupIn {
    pub size: i64,
    /// People by sex and age bracket: the operation's brackets for females, then for males
    /// (see GET /flow/counts/template for the columns); empty when not noted.
    pub breakdown: Vec<i64>,
    #[schema(example = "VEN")]
    pub nationality: String,
    #[schema(example = "on_foot")]
    pub transport: String,
    pub previous_point: String,
    pub next_destination: String,
    pub final_destination: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ObservationIn {
    /// The point's location id.
    pub point: i64,
    #[schema(example = "2025-03-14")]
    pub date: String,
    #[schema(example = "06:00")]
    #[serde(default)]
    pub start_time: String,
    /// Hours the observation covers (1 to 24).
    pub hours: i64,
    /// incoming, outgoing or transit
    pub direction: String,
    pub groups: Vec<GroupIn>,
}

/// Checks and stores an observation; `report` names each group's problems by position.
pub(crate) async fn store_observation(
    state: &AppState,
    ctx: &Ctx,
    input: &ObservationIn,
) -> Result<CountReport, AppError> {
    let point = state.store.flow_point(input.point).await?;
    let user = ctx.user()?;
    let assigned = state.store.is_assigned(user.id, point.location.id).await?;
    ctx.require(
        Action::RecordFlowData { assigned },
        &Target::country(point.location.country),
    )?;
    if input.groups.is_empty() {
        return Err(AppError::Invalid("an observation needs at least one group".into()));
    }
    let rows: Vec<(usize, Result<RawCount, String>)> = input
        .groups
        .iter()
        .enumerate()
        .map(|(i, g)| {
            (
                i + 1,
                Ok(RawCount {
                    fmp: point.location.code.clone(),
                    date: input.date.clone(),
                    start_time: input.start_time.clone(),
                    hours: input.hours.to_string(),
                    direction: input.direction.clone(),
                    group_size: g.size.to_string(),
                    breakdown: g.breakdown.iter().map(i64::to_string).collect(),
                    nationality: g.nationality.clone(),
                    transport: g.transport.clone(),
                    previous: g.previous_point.clone(),
                    next: g.next_destination.clone(),
                    final_destination: g.final_destination.clone(),
                }),
            )
        })
        .collect();
    Ok(state
        .store
        .import_counts(&ctx.actor(), rows, ImportMode::AllOrNothing, "the count form", &|_| {
            true
        })
        .await?)
}

fn refusal(report: &CountReport, what: &str) -> AppError {
    AppError::Rejected {
        message: format!("{} problem(s) in the {what}; nothing was saved", report.rejected.len()),
        problems: report
            .rejected
            .iter()
            .take(200)
            .map(|r| crate::error::ProblemOut {
                location: format!("{what} {}, {}", r.row, r.column),
                problem: r.reason.clone(),
            })
            .collect(),
    }
}

/// Records one observation at a point with the groups seen. Enumerators record only at the
/// points they are assigned to.
#[utoipa::path(post, path = "/flow/observations", tag = "flow", request_body = ObservationIn,
    responses((status = 201, body = CountReportOut), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn record_observation(
    State(state): State<AppState>,
    ctx: Ctx,
    Body(input): Body<ObservationIn>,
) -> Result<(StatusCode, Json<CountReportOut>), AppError> {
    let report = store_observation(&state, &ctx, &input).await?;
    if !report.committed {
        return Err(refusal(&report, "group"));
    }
    Ok((StatusCode::CREATED, Json(report.into())))
}

/// Deletes an observation recorded by mistake; the dashboards lose its groups at once.
#[utoipa::path(delete, path = "/flow/observations/{id}", tag = "flow",
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn delete_observation(State(state): State<AppState>, ctx: Ctx, Id(id): Id) -> Result<StatusCode, AppError> {
    let groups = state.store.observation_groups(id).await?;
    let point = groups
        .first()
        .ok_or_else(|| AppError::NotFound(format!("observation {id} does not exist")))?;
    let point = state.store.flow_point(point.fmp_id).await?;
    ctx.require(Action::ManageFlowPoints, &Target::country(point.location.country))?;
    state.store.delete_observation(&ctx.actor(), id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RejectedOut {
    pub row: usize,
    pub column: String,
    pub reason: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CountReportOut {
    /// Rows (groups) stored.
    pub imported: usize,
    pub observations: usize,
    pub people: i64,
    /// Rows refused, with row, column and reason.
    pub rejected: Vec<RejectedOut>,
}

impl From<CountReport> for CountReportOut {
    fn from(r: CountReport) -> Self {
        CountReportOut {
            imported: r.imported,
            observations: r.observations,
            people: r.people,
            rejected: r
                .rejected
                .into_iter()
                .map(|r| RejectedOut {
                    row: r.row,
                    column: r.column,
                    reason: r.reason,
                })
                .collect(),
        }
    }
}

/// The form of a count file import.
#[derive(ToSchema)]
#[allow(dead_code)] // documents the multipart form; the handler reads it field by field
struct CountImportForm {
    /// CSV (UTF-8) or XLSX: fmp, date, start_time, hours, direction, group_size, the sex and age
    /// columns of the operation's brackets (female_0_4 ... male_60plus), nationality, transport,
    /// previous_point, next_destination, final_destination. An HXL row may follow the header.
    #[schema(content_media_type = "application/octet-stream")]
    file: Vec<u8>,
    /// `reject` (default): nothing is stored if any row has a problem. `import_valid`: the
    /// valid rows are stored and the rejected ones listed.
    on_problems: Option<String>,
}

pub(crate) fn import_mode(raw: Option<&str>) -> Result<ImportMode, AppError> {
    match raw.map(str::trim) {
        None | Some("") | Some("reject") => Ok(ImportMode::AllOrNothing),
        Some("import_valid") => Ok(ImportMode::ValidRows),
        Some(other) => Err(AppError::Invalid(format!(
            "on_problems: '{other}' is not a choice; use reject or import_valid"
        ))),
    }
}

/// Imports a count file. With `on_problems=reject` (default) a file with any problem stores
/// nothing (422 listing each row, column and reason); with `import_valid` the valid rows are
/// stored and the rejected ones returned.
#[utoipa::path(post, path = "/flow/counts/import", tag = "flow",
    request_body(content = inline(CountImportForm), content_type = "multipart/form-data"),
    responses((status = 200, body = CountReportOut), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn import_counts(
    State(state): State<AppState>,
    ctx: Ctx,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Json<CountReportOut>, AppError> {
    let user = ctx.user()?.clone();
    if reach(&user, Action::ViewFlowData).is_some_and(|c| c.is_empty()) {
        return Err(AppError::Forbidden);
    }
    let upload = read_upload(multipart).await?;
    let mode = import_mode(upload.field("on_problems"))?;
    let text = upload_text(&upload.file)?;
    let source = clean_file_name(upload.file_name.as_deref());
    let report = import_count_text(&state.store, &user, &ctx.actor(), &text, mode, &source).await?;
    if !report.committed && !report.rejected.is_empty() {
        return Err(refusal(&report, "row"));
    }
    Ok(Json(report.into()))
}

/// An empty count file for the operation's age brackets, with its HXL row.
#[utoipa::path(get, path = "/flow/counts/template", tag = "flow",
    responses((status = 200, description = "CSV", content_type = "text/csv")))]
async fn count_template(State(state): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    ctx.require_somewhere(Action::ViewFlowData)?;
    let brackets = state.store.age_brackets().await?;
    Ok(crate::files::download(
        rumbo_io::flow_counts::count_template(&brackets),
        "text/csv; charset=utf-8",
        Some("flow-counts-template.csv"),
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct BracketsIn {
    /// Lower bounds of the age brackets, from 0: "0,5,12,18,60".
    pub brackets: String,
}

/// Sets the operation's age brackets; refused once counts are stored.
#[utoipa::path(put, path = "/flow/settings/age-brackets", tag = "flow", request_body = BracketsIn,
    responses((status = 204), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn set_age_brackets(
    State(state): State<AppState>,
    ctx: Ctx,
    Body(input): Body<BracketsIn>,
) -> Result<StatusCode, AppError> {
    // The brackets hold for every country: only who manages points region-wide sets them.
    ctx.require(Action::ManageFlowPoints, &Target::anywhere())?;
    let brackets = AgeBrackets::parse(&input.brackets)?;
    state.store.set_age_brackets(&ctx.actor(), &brackets).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProfileImportOut {
    /// Profiles recorded, each as a new round of its point.
    pub imported: usize,
}

/// Imports point profiles (CSV or XLSX: code, point_type, movement_types, days, hours_from,
/// hours_to, services, institutions, key_informants, active_from, active_until, notes; lists
/// separated by `;`). Each row records a new round of that point's profile; all rows or none.
#[utoipa::path(post, path = "/flow/points/import", tag = "flow",
    request_body(content = inline(CountImportForm), content_type = "multipart/form-data"),
    responses((status = 200, body = ProfileImportOut), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn import_profiles(
    State(state): State<AppState>,
    ctx: Ctx,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Json<ProfileImportOut>, AppError> {
    ctx.require_somewhere(Action::ManageFlowPoints)?;
    let upload = read_upload(multipart).await?;
    let imported = import_profiles_upload(&state, &ctx, &upload.file, upload.file_name.as_deref()).await?;
    Ok(Json(ProfileImportOut { imported }))
}

/// Shared with the points page: checks the importer manages every country the file touches.
pub(crate) async fn import_profiles_upload(
    state: &AppState,
    ctx: &Ctx,
    bytes: &[u8],
    file_name: Option<&str>,
) -> Result<usize, AppError> {
    let text = upload_text(bytes)?;
    let rows = rumbo_io::flow_points::read_profiles(text.as_bytes()).map_err(TransferError::from)?;
    let countries: std::collections::HashMap<String, rumbo_domain::country::Iso3> = state
        .store
        .flow_points(None, None)
        .await?
        .into_iter()
        .map(|p| (p.location.code, p.location.country))
        .collect();
    let touched = crate::transfer::countries_of(rows.iter().filter_map(|(_, code, _)| countries.get(code).copied()));
    crate::files::require_in_each(ctx, Action::ManageFlowPoints, &touched)?;
    Ok(state
        .store
        .import_profiles(&ctx.actor(), &rows, &clean_file_name(file_name))
        .await?)
}
