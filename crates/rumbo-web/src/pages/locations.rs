//! Location pages: the list with its filters, a location's page (map, details, and for those
//! who manage its country the edit form, retiring and deleting), the form for a new location,
//! and the import of location lists.

use askama::Template;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use rumbo_domain::Vocabulary;
use rumbo_domain::access::{Action, Target};
use rumbo_domain::country::Iso3;
use rumbo_domain::geography::Pcode;
use rumbo_domain::location::LocationKind;
use rumbo_store::locations::{Location, LocationInput, LocationQuery};
use rumbo_store::organisations::OrganisationQuery;
use rumbo_store::{Page, StoreError};
use serde::Deserialize;

use super::geography::{LocationRow, countries_for, location_row};
use super::map::map_labels;
use super::parts::{PAGE_SIZE, Pager};
use super::{Chrome, render};
use crate::AppState;
use crate::auth::Ctx;
use crate::error::{AppError, ProblemOut};
use crate::files::{import_location_upload, read_upload};
use crate::i18n::Tr;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/locations", get(list))
        .route("/locations/new", get(new_form).post(create))
        .route("/locations/import", get(import_form).post(import))
        .route("/locations/{id}", get(detail).post(save))
        .route("/locations/{id}/active", post(set_active))
        .route("/locations/{id}/delete", post(delete))
}

#[derive(Deserialize)]
struct ListFilter {
    country: Option<String>,
    kind: Option<String>,
    admin_area: Option<String>,
    q: Option<String>,
    inactive: Option<String>,
    offset: Option<i64>,
}

#[derive(Template)]
#[template(path = "locations/list.html")]
struct ListPage {
    c: Chrome,
    locations: Vec<LocationRow>,
    pager: Pager,
    countries: Vec<(String, String)>,
    kinds: Vec<(String, String)>,
    country: String,
    kind: String,
    admin_area: String,
    q: String,
    inactive: bool,
    can_create: bool,
    /// Problems with the filters themselves, such as a malformed P-code.
    filter_error: Option<String>,
}

fn kinds(c: &Chrome) -> Vec<(String, String)> {
    LocationKind::ALL
        .iter()
        .map(|k| (k.code().to_owned(), c.tr.label(*k)))
        .collect()
}

async fn all_countries(state: &AppState, c: &Chrome) -> Result<Vec<(String, String)>, AppError> {
    let mut countries: Vec<(String, String)> = state
        .store
        .countries()
        .await?
        .iter()
        .map(|country| (country.iso3.to_string(), c.tr.name(&country.names).to_owned()))
        .collect();
    countries.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(countries)
}

async fn list(State(state): State<AppState>, ctx: Ctx, Query(filter): Query<ListFilter>) -> Result<Response, AppError> {
    ctx.require(Action::ViewReferenceData, &Target::anywhere())?;
    let c = Chrome::new(&ctx, "/locations");
    let text = |v: &Option<String>| v.as_deref().map(str::trim).unwrap_or("").to_owned();
    let (country, kind, admin_area, q) = (
        text(&filter.country),
        text(&filter.kind),
        text(&filter.admin_area),
        text(&filter.q),
    );
    let inactive = filter.inactive.is_some_and(|v| !v.is_empty());
    let mut filter_error = None;
    let query = LocationQuery {
        country: filter_value(&country, Iso3::parse, &mut filter_error),
        kind: filter_value(&kind, LocationKind::parse, &mut filter_error),
        admin_area: filter_value(&admin_area, Pcode::parse, &mut filter_error),
        search: Some(q.clone()),
        include_inactive: inactive,
        ..Default::default()
    };
    let page = Page::new(Some(PAGE_SIZE), filter.offset);
    let (locations, total) = state.store.locations(&query, page).await?;
    let inactive_text = if inactive { "1" } else { "" };
    render(&ListPage {
        locations: locations.iter().map(|l| location_row(&c, l)).collect(),
        pager: Pager::new(
            "/locations",
            &[
                ("country", &country),
                ("kind", &kind),
                ("admin_area", &admin_area),
                ("q", &q),
                ("inactive", inactive_text),
            ],
            page,
            total,
        ),
        countries: all_countries(&state, &c).await?,
        kinds: kinds(&c),
        can_create: ctx.may_somewhere(Action::ManageLocations),
        country,
        kind,
        admin_area,
        q,
        inactive,
        filter_error,
        c,
    })
}

/// A filter's value; an unusable one is ignored and said so, since a list page should still
/// show something.
fn filter_value<T>(
    raw: &str,
    parse: impl Fn(&str) -> Result<T, rumbo_domain::DomainError>,
    error: &mut Option<String>,
) -> Option<T> {
    if raw.is_empty() {
        return None;
    }
    parse(raw).map_err(|e| *error = Some(e.to_string())).ok()
}

/// The location form as posted: text, checked by the handler so that every field can carry
/// its own error and keep what was typed.
#[derive(Debug, Default, Deserialize)]
struct LocationForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    country: String,
    #[serde(default)]
    lat: String,
    #[serde(default)]
    lon: String,
    #[serde(default)]
    organisation_id: String,
    #[serde(default)]
    notes: String,
}

impl LocationForm {
    fn of(l: &Location) -> LocationForm {
        LocationForm {
            code: l.code.clone(),
            name: l.name.clone(),
            kind: l.kind.code().to_owned(),
            country: l.country.to_string(),
            lat: l.position.lat.to_string(),
            lon: l.position.lon.to_string(),
            organisation_id: l.organisation_id.map(|id| id.to_string()).unwrap_or_default(),
            notes: l.notes.clone().unwrap_or_default(),
        }
    }

    /// The input for the store, and the problems of each field, in the reader's language:
    /// numbers that are not numbers, then every rule of `LocationInput`.
    fn input(&self, active: bool, tr: &Tr) -> (LocationInput, FieldErrors) {
        let mut errors = FieldErrors::default();
        let mut number = |field: &'static str, raw: &str| {
            let raw = raw.trim();
            let normalised = if raw.contains('.') {
                raw.to_owned()
            } else {
                raw.replace(',', ".")
            };
            normalised.parse::<f64>().unwrap_or_else(|_| {
                errors.add(field, field_message(tr, field));
                0.0
            })
        };
        let lat = number("lat", &self.lat);
        let lon = number("lon", &self.lon);
        let organisation_id = match self.organisation_id.trim() {
            "" => None,
            raw => raw
                .parse::<i64>()
                .map_err(|_| errors.add("organisation_id", field_message(tr, "organisation_id")))
                .ok(),
        };
        let input = LocationInput {
            code: self.code.clone(),
            name: self.name.clone(),
            kind: self.kind.clone(),
            country: self.country.clone(),
            lat,
            lon,
            organisation_id,
            notes: Some(self.notes.clone()),
            is_active: active,
        };
        for (field, _) in input.field_problems() {
            if errors.get(field).is_none() {
                errors.add(field, field_message(tr, field));
            }
        }
        (input, errors)
    }
}

/// What a field of the location form needs, in the reader's language. The store's own
/// messages (in English) name the rule; a form only needs to say what to type.
fn field_message(tr: &Tr, field: &str) -> String {
    tr.t(&format!("loc-error-{}", field.replace('_', "-")))
}

/// Problems of a form, by field.
#[derive(Debug, Default)]
struct FieldErrors(Vec<(&'static str, String)>);

impl FieldErrors {
    fn add(&mut self, field: &'static str, problem: impl Into<String>) {
        self.0.push((field, problem.into()));
    }

    fn get(&self, field: &str) -> Option<&str> {
        self.0.iter().find(|(f, _)| *f == field).map(|(_, p)| p.as_str())
    }

    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// What the form needs to offer its choices.
struct Choices {
    kinds: Vec<(String, String)>,
    countries: Vec<(String, String)>,
    organisations: Vec<(String, String)>,
}

async fn choices(state: &AppState, ctx: &Ctx, c: &Chrome) -> Result<Choices, AppError> {
    let (organisations, _) = state
        .store
        .organisations(&OrganisationQuery::default(), Page::new(Some(Page::MAX_LIMIT), None))
        .await?;
    Ok(Choices {
        kinds: kinds(c),
        countries: countries_for(state, ctx, Action::ManageLocations).await?,
        organisations: organisations
            .into_iter()
            .map(|o| (o.id.to_string(), format!("{} — {}", o.acronym, o.name)))
            .collect(),
    })
}

#[derive(Template)]
#[template(path = "locations/new.html")]
struct NewPage {
    c: Chrome,
    form: LocationForm,
    errors: FieldErrors,
    choices: Choices,
}

async fn new_form(State(state): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    ctx.require_somewhere(Action::ManageLocations)?;
    let c = Chrome::new(&ctx, "/locations/new");
    let choices = choices(&state, &ctx, &c).await?;
    let form = LocationForm {
        country: choices
            .countries
            .first()
            .map(|(iso3, _)| iso3.clone())
            .unwrap_or_default(),
        ..Default::default()
    };
    render(&NewPage {
        c,
        form,
        errors: FieldErrors::default(),
        choices,
    })
}

/// Store refusals that belong to one field of the form.
fn field_error(e: &AppError, errors: &mut FieldErrors, tr: &Tr) -> bool {
    match e {
        AppError::Conflict(_) => errors.add("code", tr.t("loc-error-code-taken")),
        AppError::NotFound(_) => errors.add("organisation_id", field_message(tr, "organisation_id")),
        AppError::Invalid(_) => errors.add("country", field_message(tr, "country")),
        _ => return false,
    }
    true
}

async fn create(State(state): State<AppState>, ctx: Ctx, Form(form): Form<LocationForm>) -> Result<Response, AppError> {
    ctx.require_somewhere(Action::ManageLocations)?;
    let c = Chrome::new(&ctx, "/locations/new");
    let tr = c.tr;
    let (input, mut errors) = form.input(true, &tr);
    if errors.is_empty() {
        let country = Iso3::parse(&input.country)?;
        ctx.require(Action::ManageLocations, &Target::country(country))?;
        match state
            .store
            .create_location(&ctx.actor(), &input)
            .await
            .map_err(AppError::from)
        {
            Ok(created) => return Ok(Redirect::to(&format!("/locations/{}", created.id)).into_response()),
            Err(e) if field_error(&e, &mut errors, &tr) => {}
            Err(e) => return Err(e),
        }
    }
    let choices = choices(&state, &ctx, &c).await?;
    let page = NewPage {
        c,
        form,
        errors,
        choices,
    };
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
}

#[derive(Template)]
#[template(path = "locations/detail.html")]
struct DetailPage {
    c: Chrome,
    location: Location,
    kind: String,
    /// (level, P-code, name) of each admin area containing it.
    areas: Vec<(u8, String, String)>,
    /// The P-code of the smallest of them, drawn around the point.
    context: Option<String>,
    can_manage: bool,
    form: LocationForm,
    errors: FieldErrors,
    choices: Choices,
    saved: bool,
    labels: String,
}

fn parse_id(raw: &str) -> Result<i64, AppError> {
    raw.parse::<i64>()
        .map_err(|_| AppError::NotFound(format!("location {raw} does not exist")))
}

async fn detail_page(
    state: &AppState,
    ctx: &Ctx,
    location: Location,
    form: Option<LocationForm>,
    errors: FieldErrors,
    saved: bool,
) -> Result<DetailPage, AppError> {
    let c = Chrome::new(ctx, &format!("/locations/{}", location.id));
    let mut areas = Vec::new();
    for (level, pcode) in [(1, &location.adm1), (2, &location.adm2), (3, &location.adm3)] {
        if let Some(pcode) = pcode {
            let name = match state.store.admin_area_row(pcode).await {
                Ok(area) => c.tr.name(&area.names).to_owned(),
                Err(StoreError::NotFound { .. }) => String::new(),
                Err(e) => return Err(e.into()),
            };
            areas.push((level, pcode.to_string(), name));
        }
    }
    let can_manage = ctx
        .user()?
        .subject()
        .may(Action::ManageLocations, &Target::country(location.country));
    Ok(DetailPage {
        kind: c.tr.label(location.kind),
        context: areas.last().map(|(_, p, _)| p.clone()),
        areas,
        can_manage,
        form: form.unwrap_or_else(|| LocationForm::of(&location)),
        errors,
        choices: choices(state, ctx, &c).await?,
        saved,
        labels: map_labels(&c),
        location,
        c,
    })
}

#[derive(Deserialize)]
struct Saved {
    saved: Option<String>,
}

async fn detail(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(flag): Query<Saved>,
) -> Result<Response, AppError> {
    ctx.require(Action::ViewReferenceData, &Target::anywhere())?;
    let location = state.store.location(parse_id(&id)?).await?;
    render(
        &detail_page(
            &state,
            &ctx,
            location,
            None,
            FieldErrors::default(),
            flag.saved.is_some(),
        )
        .await?,
    )
}

async fn save(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(form): Form<LocationForm>,
) -> Result<Response, AppError> {
    let current = state.store.location(parse_id(&id)?).await?;
    ctx.require(Action::ManageLocations, &Target::country(current.country))?;
    let tr = Tr::new(ctx.language);
    let (input, mut errors) = form.input(current.is_active, &tr);
    if errors.is_empty() {
        ctx.require(Action::ManageLocations, &Target::country(Iso3::parse(&input.country)?))?;
        match state
            .store
            .update_location(&ctx.actor(), current.id, &input)
            .await
            .map_err(AppError::from)
        {
            Ok(saved) => return Ok(Redirect::to(&format!("/locations/{}?saved=1", saved.id)).into_response()),
            Err(e) if field_error(&e, &mut errors, &tr) => {}
            Err(e) => return Err(e),
        }
    }
    let page = detail_page(&state, &ctx, current, Some(form), errors, false).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
}

#[derive(Deserialize)]
struct ActiveForm {
    active: String,
}

async fn set_active(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(form): Form<ActiveForm>,
) -> Result<Response, AppError> {
    let current = state.store.location(parse_id(&id)?).await?;
    ctx.require(Action::ManageLocations, &Target::country(current.country))?;
    let active = form.active == "1";
    state
        .store
        .set_location_active(&ctx.actor(), current.id, active)
        .await?;
    Ok(Redirect::to(&format!("/locations/{}?saved=1", current.id)).into_response())
}

async fn delete(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> Result<Response, AppError> {
    let current = state.store.location(parse_id(&id)?).await?;
    ctx.require(Action::ManageLocations, &Target::country(current.country))?;
    state.store.delete_location(&ctx.actor(), current.id).await?;
    Ok(Redirect::to("/locations").into_response())
}

#[derive(Template)]
#[template(path = "locations/import.html")]
struct ImportPage {
    c: Chrome,
    done: Option<String>,
    refusal: Option<String>,
    problems: Vec<ProblemOut>,
}

async fn import_form(ctx: Ctx) -> Result<Response, AppError> {
    ctx.require_somewhere(Action::ManageLocations)?;
    render(&ImportPage {
        c: Chrome::new(&ctx, "/locations/import"),
        done: None,
        refusal: None,
        problems: Vec::new(),
    })
}

async fn import(
    State(state): State<AppState>,
    ctx: Ctx,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, AppError> {
    ctx.require_somewhere(Action::ManageLocations)?;
    let upload = read_upload(multipart).await?;
    let mut page = ImportPage {
        c: Chrome::new(&ctx, "/locations/import"),
        done: None,
        refusal: None,
        problems: Vec::new(),
    };
    match import_location_upload(&state, &ctx, &upload).await {
        Ok(summary) => {
            page.done = Some(page.c.tr.with(
                "loc-import-done",
                &[
                    ("created", summary.created.to_string()),
                    ("updated", summary.updated.to_string()),
                ],
            ));
            render(&page)
        }
        Err(AppError::Rejected { message, problems }) => {
            page.refusal = Some(message);
            page.problems = problems;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        Err(other) => Err(other),
    }
}
