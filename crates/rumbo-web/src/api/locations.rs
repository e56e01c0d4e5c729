//! Locations: flow monitoring points, border crossings, sites, support spaces, service points
//! and registration desks, each resolved to the admin areas that contain it. Anyone signed in
//! may read them; IM officers create, edit, retire and import them for their countries.

use axum::Json;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use rumbo_domain::Vocabulary;
use rumbo_domain::access::{Action, Target};
use rumbo_domain::country::Iso3;
use rumbo_domain::geography::Pcode;
use rumbo_domain::location::LocationKind;
use rumbo_domain::{DomainError, Problem};
use rumbo_store::Page;
use rumbo_store::locations::{Location, LocationImportSummary, LocationInput, LocationQuery};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{Body, Listing, Params};
use crate::AppState;
use crate::auth::Ctx;
use crate::error::{AppError, ErrorBody};
use crate::files::{download, import_location_upload, read_upload};
use crate::transfer::{self, ExportFormat, everything};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_locations, create_location))
        .routes(routes!(get_location, update_location, delete_location))
        .routes(routes!(locations_geojson))
        .routes(routes!(import_locations))
        .routes(routes!(export_locations))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LocationOut {
    pub id: i64,
    #[schema(example = "COL-CUC-SB")]
    pub code: String,
    pub name: String,
    /// flow_monitoring_point, border_crossing, site, support_space, service_point, registration_desk
    #[schema(example = "border_crossing")]
    pub kind: &'static str,
    #[schema(example = "COL")]
    pub country: String,
    pub lat: f64,
    pub lon: f64,
    /// The admin areas containing it, resolved from the boundaries (null where none is known).
    pub adm1: Option<String>,
    pub adm2: Option<String>,
    pub adm3: Option<String>,
    pub organisation_id: Option<i64>,
    /// The acronym of the organisation that runs it.
    pub organisation: Option<String>,
    pub notes: Option<String>,
    pub active: bool,
    pub created_at: String,
    pub updated_at: String,
}

impl From<Location> for LocationOut {
    fn from(l: Location) -> Self {
        LocationOut {
            id: l.id,
            code: l.code,
            name: l.name,
            kind: l.kind.code(),
            country: l.country.to_string(),
            lat: l.position.lat,
            lon: l.position.lon,
            adm1: l.adm1.map(|p| p.to_string()),
            adm2: l.adm2.map(|p| p.to_string()),
            adm3: l.adm3.map(|p| p.to_string()),
            organisation_id: l.organisation_id,
            organisation: l.organisation,
            notes: l.notes,
            active: l.is_active,
            created_at: l.created_at,
            updated_at: l.updated_at,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct LocationIn {
    #[schema(example = "COL-CUC-SB")]
    pub code: String,
    pub name: String,
    #[schema(example = "border_crossing")]
    pub kind: String,
    #[schema(example = "COL")]
    pub country: String,
    #[schema(example = 7.8167)]
    pub lat: f64,
    #[schema(example = -72.4667)]
    pub lon: f64,
    pub organisation_id: Option<i64>,
    pub notes: Option<String>,
    #[serde(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

impl From<LocationIn> for LocationInput {
    fn from(l: LocationIn) -> Self {
        LocationInput {
            code: l.code,
            name: l.name,
            kind: l.kind,
            country: l.country,
            lat: l.lat,
            lon: l.lon,
            organisation_id: l.organisation_id,
            notes: l.notes,
            is_active: l.active,
        }
    }
}

/// Every field problem of `input` at once, each named by its field, as a `rejected` error.
pub(crate) fn check_fields(input: &LocationInput) -> Result<(), AppError> {
    let problems: Vec<Problem> = input
        .field_problems()
        .into_iter()
        .map(|(field, problem)| Problem::new(field, problem))
        .collect();
    if problems.is_empty() {
        return Ok(());
    }
    Err(AppError::Rejected {
        message: format!("{} problem(s) in the location; nothing was saved", problems.len()),
        problems: problems.into_iter().map(Into::into).collect(),
    })
}

/// A location id from the path; anything that is not one names no location.
fn location_id(raw: &str) -> Result<i64, AppError> {
    raw.parse()
        .map_err(|_| AppError::NotFound(format!("location {raw} does not exist")))
}

/// The country of a checked input (the checks have parsed it already).
fn country_of(input: &LocationInput) -> Result<Iso3, AppError> {
    Ok(Iso3::parse(&input.country)?)
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct LocationFilter {
    /// ISO3 country code.
    country: Option<String>,
    /// Location type code.
    kind: Option<String>,
    /// A P-code: locations inside that admin area, at any level.
    admin_area: Option<String>,
    organisation_id: Option<i64>,
    /// Part of the code or name.
    q: Option<String>,
    #[serde(default)]
    include_inactive: bool,
    limit: Option<i64>,
    offset: Option<i64>,
}

fn optional<T>(raw: Option<&str>, parse: impl Fn(&str) -> Result<T, DomainError>) -> Result<Option<T>, DomainError> {
    raw.map(str::trim).filter(|v| !v.is_empty()).map(parse).transpose()
}

impl LocationFilter {
    fn query(&self) -> Result<LocationQuery, AppError> {
        Ok(LocationQuery {
            country: optional(self.country.as_deref(), Iso3::parse)?,
            kind: optional(self.kind.as_deref(), LocationKind::parse)?,
            admin_area: optional(self.admin_area.as_deref(), Pcode::parse)?,
            organisation_id: self.organisation_id,
            search: self.q.clone(),
            include_inactive: self.include_inactive,
            countries: None,
        })
    }
}

/// Locations, filtered and paged. Retired ones only with `include_inactive`.
#[utoipa::path(get, path = "/locations", tag = "locations", params(LocationFilter),
    responses((status = 200, body = Listing<LocationOut>), (status = 401, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
async fn list_locations(
    State(state): State<AppState>,
    ctx: Ctx,
    Params(filter): Params<LocationFilter>,
) -> Result<Listing<LocationOut>, AppError> {
    ctx.require(Action::ViewReferenceData, &Target::anywhere())?;
    let page = Page::new(filter.limit, filter.offset);
    let (items, total) = state.store.locations(&filter.query()?, page).await?;
    Ok(Listing {
        items: items.into_iter().map(Into::into).collect(),
        total,
        limit: page.limit,
        offset: page.offset,
    })
}

/// One location.
#[utoipa::path(get, path = "/locations/{id}", tag = "locations",
    responses((status = 200, body = LocationOut), (status = 404, body = ErrorBody)))]
async fn get_location(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Json<LocationOut>, AppError> {
    ctx.require(Action::ViewReferenceData, &Target::anywhere())?;
    Ok(Json(state.store.location(location_id(&id)?).await?.into()))
}

/// Creates a location; its admin areas are resolved from the stored boundaries.
#[utoipa::path(post, path = "/locations", tag = "locations", request_body = LocationIn,
    responses((status = 201, body = LocationOut), (status = 403, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_location(
    State(state): State<AppState>,
    ctx: Ctx,
    Body(input): Body<LocationIn>,
) -> Result<(StatusCode, Json<LocationOut>), AppError> {
    ctx.require_somewhere(Action::ManageLocations)?;
    let input = LocationInput::from(input);
    check_fields(&input)?;
    ctx.require(Action::ManageLocations, &Target::country(country_of(&input)?))?;
    let created = state.store.create_location(&ctx.actor(), &input).await?;
    Ok((StatusCode::CREATED, Json(created.into())))
}

/// Replaces a location's fields. Setting `active` to false retires it.
#[utoipa::path(put, path = "/locations/{id}", tag = "locations", request_body = LocationIn,
    responses((status = 200, body = LocationOut), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update_location(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Body(input): Body<LocationIn>,
) -> Result<Json<LocationOut>, AppError> {
    let current = state.store.location(location_id(&id)?).await?;
    ctx.require(Action::ManageLocations, &Target::country(current.country))?;
    let input = LocationInput::from(input);
    check_fields(&input)?;
    ctx.require(Action::ManageLocations, &Target::country(country_of(&input)?))?;
    Ok(Json(
        state
            .store
            .update_location(&ctx.actor(), current.id, &input)
            .await?
            .into(),
    ))
}

/// Deletes a location created by mistake. Only a retired location (`active` false) that
/// nothing refers to can be deleted; otherwise `conflict`: retire it instead.
#[utoipa::path(delete, path = "/locations/{id}", tag = "locations",
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody)))]
async fn delete_location(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<StatusCode, AppError> {
    let current = state.store.location(location_id(&id)?).await?;
    ctx.require(Action::ManageLocations, &Target::country(current.country))?;
    state.store.delete_location(&ctx.actor(), current.id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct LocationMapFilter {
    /// ISO3 country code.
    country: Option<String>,
    /// Location type code.
    kind: Option<String>,
    /// A P-code: locations inside that admin area, at any level.
    admin_area: Option<String>,
    /// Part of the code or name.
    q: Option<String>,
    #[serde(default)]
    include_inactive: bool,
}

impl LocationMapFilter {
    fn query(&self) -> Result<LocationQuery, AppError> {
        LocationFilter {
            country: self.country.clone(),
            kind: self.kind.clone(),
            admin_area: self.admin_area.clone(),
            organisation_id: None,
            q: self.q.clone(),
            include_inactive: self.include_inactive,
            limit: None,
            offset: None,
        }
        .query()
    }
}

/// Locations as a GeoJSON FeatureCollection of points, for maps.
#[utoipa::path(get, path = "/locations/geojson", tag = "locations", params(LocationMapFilter),
    responses((status = 200, description = "FeatureCollection of points", body = String, content_type = "application/geo+json"),
              (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn locations_geojson(
    State(state): State<AppState>,
    ctx: Ctx,
    Params(filter): Params<LocationMapFilter>,
) -> Result<Response, AppError> {
    ctx.require(Action::ViewReferenceData, &Target::anywhere())?;
    let (locations, _) = state.store.locations(&filter.query()?, everything()).await?;
    let records: Vec<_> = locations.iter().map(transfer::location_record).collect();
    let mut out = Vec::new();
    rumbo_io::export::write_locations_geojson(&records, &mut out).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(download(out, ExportFormat::GeoJson.content_type(), None))
}

/// The form of a location list import.
#[derive(ToSchema)]
#[allow(dead_code)] // documents the multipart form; the handler reads it field by field
struct LocationImportForm {
    /// CSV (UTF-8) with columns code, name, kind, country, lat, lon and optionally
    /// organisation (acronym), notes, active; an HXL row may follow the header.
    #[schema(content_media_type = "application/octet-stream")]
    file: Vec<u8>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LocationImportOut {
    pub created: usize,
    /// Rows whose code was already a location: that location's fields were replaced.
    pub updated: usize,
}

impl From<LocationImportSummary> for LocationImportOut {
    fn from(s: LocationImportSummary) -> Self {
        LocationImportOut {
            created: s.created,
            updated: s.updated,
        }
    }
}

/// Imports a location list: new codes are created, known codes replaced; all rows or none,
/// with every problem listed by row and column.
#[utoipa::path(post, path = "/locations/import", tag = "locations",
    request_body(content = inline(LocationImportForm), content_type = "multipart/form-data"),
    responses((status = 200, body = LocationImportOut), (status = 403, body = ErrorBody),
              (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn import_locations(
    State(state): State<AppState>,
    ctx: Ctx,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Json<LocationImportOut>, AppError> {
    ctx.require_somewhere(Action::ManageLocations)?;
    let upload = read_upload(multipart).await?;
    Ok(Json(import_location_upload(&state, &ctx, &upload).await?.into()))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct LocationExportFilter {
    /// csv (default, with an HXL row) or geojson.
    format: Option<String>,
    /// ISO3 country code.
    country: Option<String>,
    /// Location type code.
    kind: Option<String>,
    #[serde(default)]
    include_inactive: bool,
}

/// Locations as a file that imports again. Recorded in the audit log.
#[utoipa::path(get, path = "/locations/export", tag = "locations", params(LocationExportFilter),
    responses((status = 200, description = "The file", content((String = "text/csv"), (String = "application/geo+json"))),
              (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn export_locations(
    State(state): State<AppState>,
    ctx: Ctx,
    Params(filter): Params<LocationExportFilter>,
) -> Result<Response, AppError> {
    ctx.require(Action::ViewReferenceData, &Target::anywhere())?;
    let format = ExportFormat::parse(filter.format.as_deref()).map_err(AppError::Invalid)?;
    let query = LocationQuery {
        country: optional(filter.country.as_deref(), Iso3::parse)?,
        kind: optional(filter.kind.as_deref(), LocationKind::parse)?,
        include_inactive: filter.include_inactive,
        ..Default::default()
    };
    let (bytes, _) = transfer::export_locations(&state.store, &ctx.actor(), format, &query).await?;
    let name = format!(
        "locations-{}.{}",
        query.country.map_or_else(|| "all".to_owned(), |c| c.to_string()),
        format.extension()
    );
    Ok(download(bytes, format.content_type(), Some(&name)))
}
