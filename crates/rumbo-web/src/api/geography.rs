//! Countries and admin areas: lists, details, map layers, imports of boundaries and P-code
//! lists, and exports. Anyone signed in may read them (they are shared reference data); IM
//! officers import them for their countries.

use axum::Json;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, State};
use axum::response::Response;
use rumbo_domain::access::{Action, Target};
use rumbo_domain::country::Iso3;
use rumbo_domain::geography::{AdminLevel, Pcode};
use rumbo_domain::language::Names;
use rumbo_store::Page;
use rumbo_store::geography::{AdminAreaQuery, AdminAreaRow, AdminImportSummary, CountrySummary, OutlineQuery};
use rumbo_store::locations::LocationQuery;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{Listing, Params};
use crate::AppState;
use crate::auth::Ctx;
use crate::error::{AppError, ErrorBody};
use crate::files::{download, import_admin_area_upload, read_upload};
use crate::transfer::{self, ExportFormat};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_countries))
        .routes(routes!(list_admin_areas))
        .routes(routes!(get_admin_area))
        .routes(routes!(admin_areas_geojson))
        .routes(routes!(import_admin_areas))
        .routes(routes!(export_admin_areas))
}

/// A name in each interface language; any may be missing.
#[derive(Debug, Serialize, ToSchema)]
pub struct NamesOut {
    pub es: Option<String>,
    pub en: Option<String>,
    pub pt: Option<String>,
}

impl From<Names> for NamesOut {
    fn from(n: Names) -> Self {
        NamesOut {
            es: n.es,
            en: n.en,
            pt: n.pt,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CountryOut {
    #[schema(example = "COL")]
    pub iso3: String,
    #[schema(example = "CO")]
    pub iso2: String,
    /// In the reader's language.
    pub name: String,
    pub names: NamesOut,
    /// One of the 17 countries of the R4V response plan.
    pub in_response: bool,
    /// Admin areas at levels 1, 2 and 3.
    pub admin_areas: [i64; 3],
    /// Admin areas with a boundary, which locations can be placed in.
    pub with_boundary: i64,
    /// Active locations.
    pub locations: i64,
}

fn country_out(s: CountrySummary, ctx: &Ctx) -> CountryOut {
    CountryOut {
        iso3: s.country.iso3.to_string(),
        iso2: s.country.iso2,
        name: s.country.names.get(ctx.language).to_owned(),
        in_response: s.country.in_response,
        admin_areas: s.admin_areas,
        with_boundary: s.with_boundary,
        locations: s.locations,
        names: s.country.names.into(),
    }
}

/// The countries, with how many admin areas (per level) and locations each has.
#[utoipa::path(get, path = "/countries", tag = "geography",
    responses((status = 200, body = Vec<CountryOut>), (status = 401, body = ErrorBody)))]
async fn list_countries(State(state): State<AppState>, ctx: Ctx) -> Result<Json<Vec<CountryOut>>, AppError> {
    ctx.require(Action::ViewReferenceData, &Target::anywhere())?;
    let summaries = state.store.country_summaries().await?;
    Ok(Json(summaries.into_iter().map(|s| country_out(s, &ctx)).collect()))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AdminAreaOut {
    #[schema(example = "CO54001")]
    pub pcode: String,
    #[schema(example = "COL")]
    pub country: String,
    #[schema(example = 2)]
    pub level: i64,
    /// The P-code of the area one level up; null at level 1.
    #[schema(example = "CO54")]
    pub parent: Option<String>,
    /// In the reader's language, or another when that one is missing.
    pub name: String,
    pub names: NamesOut,
    pub has_boundary: bool,
    /// Where the area was last imported from.
    pub source: Option<String>,
    pub updated_at: String,
}

fn area_out(a: AdminAreaRow, ctx: &Ctx) -> AdminAreaOut {
    AdminAreaOut {
        pcode: a.pcode.to_string(),
        country: a.country.to_string(),
        level: i64::from(a.level),
        parent: a.parent.map(|p| p.to_string()),
        name: a.names.get(ctx.language).to_owned(),
        names: a.names.into(),
        has_boundary: a.has_boundary,
        source: a.source,
        updated_at: a.updated_at,
    }
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct AreaFilter {
    /// ISO3 country code.
    country: Option<String>,
    /// Admin level: 1, 2 or 3.
    level: Option<i64>,
    /// P-code of the parent: its children.
    parent: Option<String>,
    /// Part of the P-code or of a name in any language.
    q: Option<String>,
    limit: Option<i64>,
    offset: Option<i64>,
}

fn optional<T, E>(raw: Option<&str>, parse: impl Fn(&str) -> Result<T, E>) -> Result<Option<T>, E> {
    raw.map(str::trim).filter(|v| !v.is_empty()).map(parse).transpose()
}

/// Admin areas, filtered and paged.
#[utoipa::path(get, path = "/admin-areas", tag = "geography", params(AreaFilter),
    responses((status = 200, body = Listing<AdminAreaOut>), (status = 401, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
async fn list_admin_areas(
    State(state): State<AppState>,
    ctx: Ctx,
    Params(filter): Params<AreaFilter>,
) -> Result<Listing<AdminAreaOut>, AppError> {
    ctx.require(Action::ViewReferenceData, &Target::anywhere())?;
    let query = AdminAreaQuery {
        country: optional(filter.country.as_deref(), Iso3::parse)?,
        level: filter.level.map(AdminLevel::new).transpose()?,
        parent: optional(filter.parent.as_deref(), Pcode::parse)?,
        search: filter.q,
    };
    let page = Page::new(filter.limit, filter.offset);
    let (items, total) = state.store.admin_areas(&query, page).await?;
    Ok(Listing {
        items: items.into_iter().map(|a| area_out(a, &ctx)).collect(),
        total,
        limit: page.limit,
        offset: page.offset,
    })
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AdminAreaDetailOut {
    #[serde(flatten)]
    pub area: AdminAreaOut,
    /// [west, south, east, north] of the boundary, in degrees; null without a boundary.
    pub bbox: Option<[f64; 4]>,
    /// How many areas are one level below it.
    pub children: i64,
    /// How many active locations lie in it.
    pub locations: i64,
}

/// One admin area, with the extent of its boundary and what it contains.
#[utoipa::path(get, path = "/admin-areas/{pcode}", tag = "geography",
    responses((status = 200, body = AdminAreaDetailOut), (status = 404, body = ErrorBody)))]
async fn get_admin_area(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(pcode): Path<String>,
) -> Result<Json<AdminAreaDetailOut>, AppError> {
    ctx.require(Action::ViewReferenceData, &Target::anywhere())?;
    let pcode = Pcode::parse(&pcode)?;
    let area = state.store.admin_area_row(&pcode).await?;
    let bbox = area.bbox;
    let one = Page::new(Some(1), None);
    let (_, children) = state
        .store
        .admin_areas(
            &AdminAreaQuery {
                parent: Some(pcode.clone()),
                ..Default::default()
            },
            one,
        )
        .await?;
    let (_, locations) = state
        .store
        .locations(
            &LocationQuery {
                admin_area: Some(pcode),
                ..Default::default()
            },
            one,
        )
        .await?;
    Ok(Json(AdminAreaDetailOut {
        area: area_out(area, &ctx),
        bbox,
        children,
        locations,
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct OutlineFilter {
    /// ISO3 country code.
    country: Option<String>,
    /// Admin level: 1, 2 or 3.
    level: Option<i64>,
    /// The children of this P-code.
    parent: Option<String>,
    /// Only this P-code.
    pcode: Option<String>,
}

/// Admin boundaries as a GeoJSON FeatureCollection for map layers: simplified to about half a
/// screen pixel at the usual zoom of their level. Full boundaries: `/admin-areas/export`.
#[utoipa::path(get, path = "/admin-areas/geojson", tag = "geography", params(OutlineFilter),
    responses((status = 200, description = "FeatureCollection with COD-AB style properties (ADM1_PCODE, ADM1_ES...) and admin_level",
               body = String, content_type = "application/geo+json"),
              (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn admin_areas_geojson(
    State(state): State<AppState>,
    ctx: Ctx,
    Params(filter): Params<OutlineFilter>,
) -> Result<Response, AppError> {
    ctx.require(Action::ViewReferenceData, &Target::anywhere())?;
    let query = OutlineQuery {
        country: optional(filter.country.as_deref(), Iso3::parse)?,
        level: filter.level.map(AdminLevel::new).transpose()?,
        parent: optional(filter.parent.as_deref(), Pcode::parse)?,
        pcode: optional(filter.pcode.as_deref(), Pcode::parse)?,
    };
    let areas = state.store.admin_area_outlines(&query).await?;
    let mut out = Vec::new();
    rumbo_io::export::write_admin_areas_geojson(&areas, &mut out).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(download(out, ExportFormat::GeoJson.content_type(), None))
}

/// The form of a boundary or P-code list import.
#[derive(ToSchema)]
#[allow(dead_code)] // documents the multipart form; the handler reads it field by field
struct AdminImportForm {
    /// GeoJSON boundaries (COD-AB style properties) or a P-code list (CSV, UTF-8).
    #[schema(content_media_type = "application/octet-stream")]
    file: Vec<u8>,
    /// geojson or csv; guessed from the file when absent.
    format: Option<String>,
    /// The admin level of the boundaries (1, 2 or 3); P-code lists give it per row.
    level: Option<i64>,
    /// ISO3: the country of every area in the file (then boundaries need not say it).
    country: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AdminImportOut {
    pub created: usize,
    pub updated: usize,
    /// Locations whose admin areas changed with the new boundaries.
    pub locations_resolved: usize,
}

impl From<AdminImportSummary> for AdminImportOut {
    fn from(s: AdminImportSummary) -> Self {
        AdminImportOut {
            created: s.created,
            updated: s.updated,
            locations_resolved: s.locations_resolved,
        }
    }
}

/// Imports boundaries (GeoJSON) or a P-code list (CSV): all of it, or nothing with every
/// problem listed (`rejected`, with where and what for each).
#[utoipa::path(post, path = "/admin-areas/import", tag = "geography",
    request_body(content = inline(AdminImportForm), content_type = "multipart/form-data"),
    responses((status = 200, body = AdminImportOut), (status = 403, body = ErrorBody),
              (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn import_admin_areas(
    State(state): State<AppState>,
    ctx: Ctx,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Json<AdminImportOut>, AppError> {
    ctx.require_somewhere(Action::ManageGeography)?;
    let upload = read_upload(multipart).await?;
    Ok(Json(import_admin_area_upload(&state, &ctx, &upload).await?.into()))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct AreaExportFilter {
    /// csv (default: one row per area with its ancestors, HXL row) or geojson (full boundaries).
    format: Option<String>,
    /// ISO3 country code.
    country: Option<String>,
    /// Admin level: 1, 2 or 3. A GeoJSON file of one level imports again as it is.
    level: Option<i64>,
}

/// Admin areas as a file that imports again. Recorded in the audit log.
#[utoipa::path(get, path = "/admin-areas/export", tag = "geography", params(AreaExportFilter),
    responses((status = 200, description = "The file", content((String = "text/csv"), (String = "application/geo+json"))),
              (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn export_admin_areas(
    State(state): State<AppState>,
    ctx: Ctx,
    Params(filter): Params<AreaExportFilter>,
) -> Result<Response, AppError> {
    ctx.require(Action::ViewReferenceData, &Target::anywhere())?;
    let format = ExportFormat::parse(filter.format.as_deref()).map_err(AppError::Invalid)?;
    let country = optional(filter.country.as_deref(), Iso3::parse)?;
    let level = filter.level.map(AdminLevel::new).transpose()?;
    let (bytes, _) = transfer::export_admin_areas(&state.store, &ctx.actor(), format, country, level).await?;
    let name = format!(
        "admin-areas-{}{}.{}",
        country.map_or_else(|| "all".to_owned(), |c| c.to_string()),
        level.map(|l| format!("-adm{l}")).unwrap_or_default(),
        format.extension()
    );
    Ok(download(bytes, format.content_type(), Some(&name)))
}
