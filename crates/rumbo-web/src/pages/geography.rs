//! Geography pages: the countries with what Rumbo holds for each, a country's admin areas, one
//! admin area (names, parent, children, locations inside, map), and the import of boundaries
//! and P-code lists for those who may manage geography.

use askama::Template;
use axum::Router;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use rumbo_domain::access::{Action, Target};
use rumbo_domain::country::{Country, Iso3};
use rumbo_domain::geography::{AdminLevel, Pcode};
use rumbo_store::Page;
use rumbo_store::geography::{AdminAreaQuery, AdminAreaRow};
use rumbo_store::locations::{Location, LocationQuery};
use serde::Deserialize;

use super::map::map_labels;
use super::parts::{PAGE_SIZE, Pager};
use super::{Chrome, render};
use crate::AppState;
use crate::auth::Ctx;
use crate::error::{AppError, ProblemOut};
use crate::files::{import_admin_area_upload, read_upload};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/geography", get(countries))
        .route("/geography/import", get(import_form).post(import))
        .route("/geography/areas/{pcode}", get(area))
        .route("/geography/{iso3}", get(country))
}

/// A known country, or not found.
async fn known_country(state: &AppState, raw: &str) -> Result<Country, AppError> {
    let iso3 = Iso3::parse(raw).map_err(|_| AppError::NotFound(format!("no country {raw}")))?;
    state
        .store
        .countries()
        .await?
        .into_iter()
        .find(|c| c.iso3 == iso3)
        .ok_or_else(|| AppError::NotFound(format!("no country {iso3}")))
}

/// An admin area as a table row shows it.
pub(super) struct AreaRow {
    pub pcode: String,
    pub name: String,
    pub level: u8,
    pub parent: Option<String>,
    pub has_boundary: bool,
}

fn area_row(c: &Chrome, a: &AdminAreaRow) -> AreaRow {
    AreaRow {
        pcode: a.pcode.to_string(),
        name: c.tr.name(&a.names).to_owned(),
        level: a.level.get(),
        parent: a.parent.as_ref().map(ToString::to_string),
        has_boundary: a.has_boundary,
    }
}

struct CountryRow {
    iso3: String,
    name: String,
    in_response: bool,
    areas: [i64; 3],
    with_boundary: i64,
    locations: i64,
}

#[derive(Template)]
#[template(path = "geography/countries.html")]
struct CountriesPage {
    c: Chrome,
    rows: Vec<CountryRow>,
    can_import: bool,
}

async fn countries(State(state): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    ctx.require(Action::ViewReferenceData, &Target::anywhere())?;
    let c = Chrome::new(&ctx, "/geography");
    let mut rows: Vec<CountryRow> = state
        .store
        .country_summaries()
        .await?
        .into_iter()
        .map(|s| CountryRow {
            iso3: s.country.iso3.to_string(),
            name: c.tr.name(&s.country.names).to_owned(),
            in_response: s.country.in_response,
            areas: s.admin_areas,
            with_boundary: s.with_boundary,
            locations: s.locations,
        })
        .collect();
    rows.sort_by(|a, b| a.name.cmp(&b.name));
    render(&CountriesPage {
        can_import: ctx.may_somewhere(Action::ManageGeography),
        c,
        rows,
    })
}

#[derive(Deserialize)]
struct AreaFilter {
    level: Option<String>,
    q: Option<String>,
    offset: Option<i64>,
}

#[derive(Template)]
#[template(path = "geography/country.html")]
struct CountryPage {
    c: Chrome,
    iso3: String,
    name: String,
    level: String,
    q: String,
    rows: Vec<AreaRow>,
    pager: Pager,
    can_import: bool,
    /// The level the map shows: the one filtered on, or departments.
    map_level: u8,
    labels: String,
}

async fn country(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(iso3): Path<String>,
    Query(filter): Query<AreaFilter>,
) -> Result<Response, AppError> {
    ctx.require(Action::ViewReferenceData, &Target::anywhere())?;
    let country = known_country(&state, &iso3).await?;
    let path = format!("/geography/{}", country.iso3);
    let c = Chrome::new(&ctx, &path);
    let level = filter
        .level
        .as_deref()
        .and_then(|l| l.parse::<i64>().ok())
        .and_then(|l| AdminLevel::new(l).ok());
    let q = filter.q.unwrap_or_default();
    let page = Page::new(Some(PAGE_SIZE), filter.offset);
    let query = AdminAreaQuery {
        country: Some(country.iso3),
        level,
        parent: None,
        search: Some(q.clone()),
    };
    let (areas, total) = state.store.admin_areas(&query, page).await?;
    let level_text = level.map(|l| l.to_string()).unwrap_or_default();
    render(&CountryPage {
        rows: areas.iter().map(|a| area_row(&c, a)).collect(),
        pager: Pager::new(&path, &[("level", &level_text), ("q", &q)], page, total),
        iso3: country.iso3.to_string(),
        name: c.tr.name(&country.names).to_owned(),
        can_import: ctx
            .user()?
            .subject()
            .may(Action::ManageGeography, &Target::country(country.iso3)),
        map_level: level.map_or(1, AdminLevel::get),
        labels: map_labels(&c),
        level: level_text,
        q,
        c,
    })
}

/// A location as the tables of these pages show it.
pub(super) struct LocationRow {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub kind: String,
    pub country: String,
    pub admin_areas: String,
    pub organisation: String,
    pub active: bool,
}

pub(super) fn location_row(c: &Chrome, l: &Location) -> LocationRow {
    LocationRow {
        id: l.id,
        code: l.code.clone(),
        name: l.name.clone(),
        kind: c.tr.label(l.kind),
        country: l.country.to_string(),
        admin_areas: [&l.adm1, &l.adm2, &l.adm3]
            .iter()
            .filter_map(|p| p.as_ref().map(ToString::to_string))
            .collect::<Vec<_>>()
            .join(" › "),
        organisation: l.organisation.clone().unwrap_or_default(),
        active: l.is_active,
    }
}

#[derive(Template)]
#[template(path = "geography/area.html")]
struct AreaPage {
    c: Chrome,
    pcode: String,
    name: String,
    names: [(String, String); 3],
    level: u8,
    country: String,
    country_name: String,
    parent: Option<AreaRow>,
    children: Vec<AreaRow>,
    children_total: i64,
    locations: Vec<LocationRow>,
    locations_total: i64,
    has_boundary: bool,
    source: String,
    /// The layer the map draws inside the area: its children, or the area itself.
    map_areas: String,
    labels: String,
}

async fn area(State(state): State<AppState>, ctx: Ctx, Path(pcode): Path<String>) -> Result<Response, AppError> {
    ctx.require(Action::ViewReferenceData, &Target::anywhere())?;
    let pcode = Pcode::parse(&pcode).map_err(|_| AppError::NotFound(format!("no admin area {pcode}")))?;
    let area = state.store.admin_area_row(&pcode).await?;
    let c = Chrome::new(&ctx, &format!("/geography/areas/{pcode}"));
    let country = known_country(&state, area.country.as_str()).await?;
    let parent = match &area.parent {
        Some(p) => Some(area_row(&c, &state.store.admin_area_row(p).await?)),
        None => None,
    };
    let (children, children_total) = state
        .store
        .admin_areas(
            &AdminAreaQuery {
                parent: Some(pcode.clone()),
                ..Default::default()
            },
            Page::new(Some(200), None),
        )
        .await?;
    let (locations, locations_total) = state
        .store
        .locations(
            &LocationQuery {
                admin_area: Some(pcode.clone()),
                ..Default::default()
            },
            Page::new(Some(200), None),
        )
        .await?;
    let map_areas = if children.iter().any(|a| a.has_boundary) {
        format!("/api/v1/admin-areas/geojson?parent={pcode}")
    } else {
        format!("/api/v1/admin-areas/geojson?pcode={pcode}")
    };
    let language_name = |key: &str, name: &Option<String>| (c.tr.t(key), name.clone().unwrap_or_default());
    render(&AreaPage {
        pcode: pcode.to_string(),
        name: c.tr.name(&area.names).to_owned(),
        names: [
            language_name("geo-name-es", &area.names.es),
            language_name("geo-name-en", &area.names.en),
            language_name("geo-name-pt", &area.names.pt),
        ],
        level: area.level.get(),
        country: area.country.to_string(),
        country_name: c.tr.name(&country.names).to_owned(),
        parent,
        children: children.iter().map(|a| area_row(&c, a)).collect(),
        children_total,
        locations: locations.iter().map(|l| location_row(&c, l)).collect(),
        locations_total,
        has_boundary: area.has_boundary,
        source: area.source.unwrap_or_default(),
        map_areas,
        labels: map_labels(&c),
        c,
    })
}

#[derive(Template)]
#[template(path = "geography/import.html")]
struct ImportPage {
    c: Chrome,
    /// The countries this user may import for: (ISO3, name).
    countries: Vec<(String, String)>,
    format: String,
    level: String,
    country: String,
    /// After an import: what it did.
    done: Option<String>,
    /// After a refusal: why, and every problem with where it is.
    refusal: Option<String>,
    problems: Vec<ProblemOut>,
}

/// The countries in which the user may take `action`, for the country choice of a form.
pub(super) async fn countries_for(
    state: &AppState,
    ctx: &Ctx,
    action: Action,
) -> Result<Vec<(String, String)>, AppError> {
    let subject = ctx.user()?.subject();
    let tr = crate::i18n::Tr::new(ctx.language);
    let mut countries: Vec<(String, String)> = state
        .store
        .countries()
        .await?
        .into_iter()
        .filter(|country| subject.may(action, &Target::country(country.iso3)))
        .map(|country| (country.iso3.to_string(), tr.name(&country.names).to_owned()))
        .collect();
    countries.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(countries)
}

async fn import_form(State(state): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    ctx.require_somewhere(Action::ManageGeography)?;
    render(&ImportPage {
        c: Chrome::new(&ctx, "/geography/import"),
        countries: countries_for(&state, &ctx, Action::ManageGeography).await?,
        format: String::new(),
        level: String::new(),
        country: String::new(),
        done: None,
        refusal: None,
        problems: Vec::new(),
    })
}

/// Imports the uploaded file; a refused file comes back to the form with every problem listed
/// and the choices kept.
async fn import(
    State(state): State<AppState>,
    ctx: Ctx,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, AppError> {
    ctx.require_somewhere(Action::ManageGeography)?;
    let upload = read_upload(multipart).await?;
    let c = Chrome::new(&ctx, "/geography/import");
    let mut page = ImportPage {
        countries: countries_for(&state, &ctx, Action::ManageGeography).await?,
        format: upload.field("format").unwrap_or("").to_owned(),
        level: upload.field("level").unwrap_or("").to_owned(),
        country: upload.field("country").unwrap_or("").to_owned(),
        done: None,
        refusal: None,
        problems: Vec::new(),
        c,
    };
    match import_admin_area_upload(&state, &ctx, &upload).await {
        Ok(summary) => {
            page.done = Some(page.c.tr.with(
                "geo-import-done",
                &[
                    ("created", summary.created.to_string()),
                    ("updated", summary.updated.to_string()),
                    ("resolved", summary.locations_resolved.to_string()),
                ],
            ));
            render(&page)
        }
        Err(AppError::Rejected { message, problems }) => {
            page.refusal = Some(message);
            page.problems = problems;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        Err(AppError::Invalid(message)) => {
            page.refusal = Some(message);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        Err(other) => Err(other),
    }
}
