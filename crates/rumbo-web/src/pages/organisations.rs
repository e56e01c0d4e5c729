//! Organisations and the coordination platforms they belong to: the directory every role may
//! read, and the forms with which IM officers register organisations in their countries and
//! organisation managers keep their own profile up to date.

use std::collections::HashMap;

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use rumbo_domain::Vocabulary;
use rumbo_domain::access::{Action, Target};
use rumbo_domain::country::{Country, Iso3};
use rumbo_domain::error::required_text;
use rumbo_domain::organisation::{OrganisationKind, PlatformKind, parse_website};
use rumbo_store::organisations::{Organisation, OrganisationInput, OrganisationQuery, Platform};
use rumbo_store::{Page, StoreError};
use serde::Deserialize;

use super::parts::{Choice, FieldErrors, Fields, PAGE_SIZE, Pager, country_choices, unprocessable};
use super::{Chrome, render};
use crate::AppState;
use crate::api::Id;
use crate::api::Params;
use crate::auth::Ctx;
use crate::error::AppError;
use crate::i18n::Tr;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/organisations", get(list).post(create))
        .route("/organisations/new", get(new_form))
        .route("/organisations/platforms", get(platforms))
        .route("/organisations/{id}", get(show).post(update))
        .route("/organisations/{id}/edit", get(edit_form))
}

/// What a change to an organisation based in `country` (none: regional) touches.
fn target(id: Option<i64>, country: Option<Iso3>) -> Target {
    Target {
        countries: country.into_iter().collect(),
        organisation: id,
        ..Target::default()
    }
}

/// The countries (and `None` for regional) in which the user may place organisation `id`, or
/// a new one when `id` is `None`: what the form's country select offers.
fn placeable(ctx: &Ctx, id: Option<i64>, countries: &[Country]) -> Vec<Option<Iso3>> {
    let Ok(user) = ctx.user() else { return Vec::new() };
    let subject = user.subject();
    std::iter::once(None)
        .chain(countries.iter().map(|c| Some(c.iso3)))
        .filter(|c| subject.may(Action::ManageOrganisation, &target(id, *c)))
        .collect()
}

fn country_names(tr: &Tr, countries: &[Country]) -> HashMap<Iso3, String> {
    countries
        .iter()
        .map(|c| (c.iso3, tr.name(&c.names).to_owned()))
        .collect()
}

/// One row of the directory, with its labels already in the reader's language.
struct Row {
    id: i64,
    acronym: String,
    name: String,
    kind: String,
    country: String,
    platforms: String,
    active: bool,
}

#[derive(Template)]
#[template(path = "organisations/list.html")]
struct ListPage {
    c: Chrome,
    rows: Vec<Row>,
    pager: Pager,
    kinds: Vec<Choice>,
    countries: Vec<Choice>,
    platforms: Vec<Choice>,
    q: String,
    inactive: bool,
    may_create: bool,
}

#[derive(Debug, Default, Deserialize)]
struct ListQuery {
    kind: Option<String>,
    country: Option<String>,
    platform: Option<String>,
    q: Option<String>,
    inactive: Option<String>,
    offset: Option<i64>,
}

async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    Params(filter): Params<ListQuery>,
) -> Result<Response, AppError> {
    ctx.require(Action::ViewReferenceData, &Target::anywhere())?;
    let c = Chrome::new(&ctx, "/organisations");
    let text = |v: &Option<String>| v.as_deref().map(str::trim).unwrap_or_default().to_owned();
    let (kind, country, platform, q) = (
        text(&filter.kind),
        text(&filter.country),
        text(&filter.platform),
        text(&filter.q),
    );
    let inactive = filter.inactive.is_some_and(|v| !v.is_empty());
    // Filters come from selects: a value that does not parse is simply not applied.
    let query = OrganisationQuery {
        kind: OrganisationKind::parse(&kind).ok(),
        country: Iso3::parse(&country).ok(),
        platform: Some(platform.clone()).filter(|p| !p.is_empty()),
        search: Some(q.clone()).filter(|q| !q.is_empty()),
        include_inactive: inactive,
    };
    let page = Page::new(Some(PAGE_SIZE), filter.offset);
    let (organisations, total) = state.store.organisations(&query, page).await?;
    let countries = state.store.countries().await?;
    let all_platforms = state.store.platforms().await?;
    let names = country_names(&c.tr, &countries);
    let rows = organisations
        .into_iter()
        .map(|o| Row {
            id: o.id,
            kind: c.tr.label(o.kind),
            country: o.country.map_or_else(
                || c.tr.t("org-regional"),
                |iso| names.get(&iso).cloned().unwrap_or_else(|| iso.to_string()),
            ),
            platforms: o.platforms.join(", "),
            active: o.is_active,
            acronym: o.acronym,
            name: o.name,
        })
        .collect();
    let may_create = !placeable(&ctx, None, &countries).is_empty();
    let inactive_flag = if inactive { "1" } else { "" };
    let pager = Pager::new(
        "/organisations",
        &[
            ("kind", &kind),
            ("country", &country),
            ("platform", &platform),
            ("q", &q),
            ("inactive", inactive_flag),
        ],
        page,
        total,
    );
    render(&ListPage {
        kinds: kind_choices(&c.tr, &kind),
        countries: country_choices(&c.tr, &countries, &country),
        platforms: all_platforms
            .iter()
            .map(|p| Choice::new(&p.code, &p.code, p.code.eq_ignore_ascii_case(&platform)))
            .collect(),
        c,
        rows,
        pager,
        q,
        inactive,
        may_create,
    })
}

fn kind_choices(tr: &Tr, selected: &str) -> Vec<Choice> {
    OrganisationKind::ALL
        .iter()
        .map(|k| Choice::new(k.code(), tr.label(*k), k.code() == selected))
        .collect()
}

#[derive(Template)]
#[template(path = "organisations/show.html")]
struct ShowPage {
    c: Chrome,
    organisation: Organisation,
    kind: String,
    country: String,
    platforms: Vec<(String, String)>,
    users: i64,
    may_edit: bool,
    may_see_users: bool,
}

async fn show(State(state): State<AppState>, ctx: Ctx, Id(id): Id) -> Result<Response, AppError> {
    let user = ctx.require(Action::ViewReferenceData, &Target::anywhere())?;
    let organisation = state.store.organisation(id).await?;
    let subject = user.subject();
    let may_edit = subject.may(Action::ManageOrganisation, &target(Some(id), organisation.country));
    let may_see_users = subject.may(Action::ViewUsers, &target(Some(id), organisation.country));
    let c = Chrome::new(&ctx, "/organisations");
    let countries = state.store.countries().await?;
    let names = country_names(&c.tr, &countries);
    let all_platforms = state.store.platforms().await?;
    let platforms = all_platforms
        .into_iter()
        .filter(|p| organisation.platforms.contains(&p.code))
        .map(|p| (p.code, p.name))
        .collect();
    render(&ShowPage {
        kind: c.tr.label(organisation.kind),
        country: organisation
            .country
            .and_then(|iso| names.get(&iso).cloned())
            .unwrap_or_else(|| c.tr.t("org-regional")),
        users: state.store.organisation_user_count(id).await?,
        c,
        organisation,
        platforms,
        may_edit,
        may_see_users,
    })
}

/// The form's values as typed, so that a form with problems comes back as it was sent.
#[derive(Debug, Default)]
struct OrganisationForm {
    name: String,
    acronym: String,
    kind: String,
    country: String,
    website: String,
    platforms: Vec<String>,
    active: bool,
}

impl OrganisationForm {
    fn from_fields(fields: &Fields) -> OrganisationForm {
        OrganisationForm {
            name: fields.get("name").to_owned(),
            acronym: fields.get("acronym").to_owned(),
            kind: fields.get("kind").to_owned(),
            country: fields.get("country").to_owned(),
            website: fields.get("website").to_owned(),
            platforms: fields.all("platform").into_iter().map(str::to_owned).collect(),
            active: fields.checked("active"),
        }
    }

    fn from_organisation(o: &Organisation) -> OrganisationForm {
        OrganisationForm {
            name: o.name.clone(),
            acronym: o.acronym.clone(),
            kind: o.kind.code().to_owned(),
            country: o.country.map(|c| c.to_string()).unwrap_or_default(),
            website: o.website.clone().unwrap_or_default(),
            platforms: o.platforms.clone(),
            active: o.is_active,
        }
    }

    /// Checks every field, recording each problem next to its field. `allowed` are the
    /// countries the user may place the organisation in (`None`: regional).
    fn check(
        &self,
        tr: &Tr,
        allowed: &[Option<Iso3>],
        platforms: &[Platform],
    ) -> Result<OrganisationInput, FieldErrors> {
        let mut errors = FieldErrors::default();
        errors.check(tr, "name", required_text("name", &self.name, 200));
        errors.check(tr, "acronym", required_text("acronym", &self.acronym, 40));
        errors.check(tr, "kind", OrganisationKind::parse(&self.kind));
        let country = if self.country.is_empty() {
            Some(None)
        } else {
            errors.check(tr, "country", Iso3::parse(&self.country)).map(Some)
        };
        if let Some(country) = country
            && !allowed.contains(&country)
        {
            errors.add("country", tr.t("org-country-not-yours"));
        }
        if parse_website(Some(&self.website)).is_err() {
            errors.add("website", tr.t("field-website"));
        }
        if self
            .platforms
            .iter()
            .any(|code| !platforms.iter().any(|p| p.code.eq_ignore_ascii_case(code)))
        {
            errors.add("platforms", tr.t("field-choose"));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(OrganisationInput {
            name: self.name.clone(),
            acronym: self.acronym.clone(),
            kind: self.kind.clone(),
            country: Some(self.country.clone()).filter(|c| !c.is_empty()),
            website: Some(self.website.clone()).filter(|w| !w.is_empty()),
            platforms: self.platforms.clone(),
            is_active: self.active,
        })
    }
}

#[derive(Template)]
#[template(path = "organisations/form.html")]
struct FormPage {
    c: Chrome,
    /// `None` when registering a new organisation.
    id: Option<i64>,
    form: OrganisationForm,
    kinds: Vec<Choice>,
    countries: Vec<Choice>,
    /// Whether "regional (no country)" may be chosen.
    regional: bool,
    platforms: Vec<Choice>,
    errors: FieldErrors,
    /// A problem that belongs to no one field, such as the store refusing the change.
    alert: Option<String>,
}

impl FormPage {
    fn new(
        ctx: &Ctx,
        id: Option<i64>,
        form: OrganisationForm,
        countries: &[Country],
        platforms: &[Platform],
        errors: FieldErrors,
    ) -> FormPage {
        let c = Chrome::new(ctx, "/organisations");
        let allowed = placeable(ctx, id, countries);
        let offered: Vec<Country> = countries
            .iter()
            .filter(|country| allowed.contains(&Some(country.iso3)))
            .cloned()
            .collect();
        FormPage {
            kinds: kind_choices(&c.tr, &form.kind),
            countries: country_choices(&c.tr, &offered, &form.country),
            regional: allowed.contains(&None),
            platforms: platforms
                .iter()
                .map(|p| {
                    let label = format!("{} — {} ({})", p.code, p.name, c.tr.label(p.kind));
                    let ticked = form.platforms.iter().any(|f| f.eq_ignore_ascii_case(&p.code));
                    Choice::new(&p.code, label, ticked)
                })
                .collect(),
            c,
            id,
            form,
            errors,
            alert: None,
        }
    }
}

async fn new_form(State(state): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    let countries = state.store.countries().await?;
    if placeable(&ctx, None, &countries).is_empty() {
        ctx.user()?;
        return Err(AppError::Forbidden);
    }
    let platforms = state.store.platforms().await?;
    let form = OrganisationForm {
        active: true,
        ..Default::default()
    };
    render(&FormPage::new(
        &ctx,
        None,
        form,
        &countries,
        &platforms,
        FieldErrors::default(),
    ))
}

async fn create(State(state): State<AppState>, ctx: Ctx, fields: Fields) -> Result<Response, AppError> {
    let countries = state.store.countries().await?;
    let allowed = placeable(&ctx, None, &countries);
    if allowed.is_empty() {
        ctx.user()?;
        return Err(AppError::Forbidden);
    }
    let platforms = state.store.platforms().await?;
    save(
        &state,
        &ctx,
        None,
        OrganisationForm::from_fields(&fields),
        &countries,
        &platforms,
    )
    .await
}

async fn edit_form(State(state): State<AppState>, ctx: Ctx, Id(id): Id) -> Result<Response, AppError> {
    let organisation = state.store.organisation(id).await?;
    ctx.require(Action::ManageOrganisation, &target(Some(id), organisation.country))?;
    let countries = state.store.countries().await?;
    let platforms = state.store.platforms().await?;
    let form = OrganisationForm::from_organisation(&organisation);
    render(&FormPage::new(
        &ctx,
        Some(id),
        form,
        &countries,
        &platforms,
        FieldErrors::default(),
    ))
}

async fn update(State(state): State<AppState>, ctx: Ctx, Id(id): Id, fields: Fields) -> Result<Response, AppError> {
    let organisation = state.store.organisation(id).await?;
    ctx.require(Action::ManageOrganisation, &target(Some(id), organisation.country))?;
    let countries = state.store.countries().await?;
    let platforms = state.store.platforms().await?;
    save(
        &state,
        &ctx,
        Some(id),
        OrganisationForm::from_fields(&fields),
        &countries,
        &platforms,
    )
    .await
}

/// Checks the form and creates or updates the organisation; a form with problems comes back
/// with them next to their fields.
async fn save(
    state: &AppState,
    ctx: &Ctx,
    id: Option<i64>,
    form: OrganisationForm,
    countries: &[Country],
    platforms: &[Platform],
) -> Result<Response, AppError> {
    let tr = Tr::new(ctx.language);
    let allowed = placeable(ctx, id, countries);
    let input = match form.check(&tr, &allowed, platforms) {
        Ok(input) => input,
        Err(errors) => return unprocessable(&FormPage::new(ctx, id, form, countries, platforms, errors)),
    };
    let actor = ctx.actor();
    let saved = match id {
        None => state.store.create_organisation(&actor, &input).await,
        Some(id) => state.store.update_organisation(&actor, id, &input).await,
    };
    match saved {
        Ok(organisation) => Ok(Redirect::to(&format!("/organisations/{}", organisation.id)).into_response()),
        Err(StoreError::Conflict(_)) => {
            let mut errors = FieldErrors::default();
            errors.add("acronym", tr.t("org-acronym-taken"));
            unprocessable(&FormPage::new(ctx, id, form, countries, platforms, errors))
        }
        Err(e @ (StoreError::Invalid(_) | StoreError::NotFound { .. })) => {
            let mut page = FormPage::new(ctx, id, form, countries, platforms, FieldErrors::default());
            page.alert = Some(AppError::from(e).detail().message);
            unprocessable(&page)
        }
        Err(e) => Err(e.into()),
    }
}

/// A platform with its countries' names and its member organisations.
struct PlatformRow {
    code: String,
    name: String,
    countries: String,
    members: Vec<(i64, String, String)>,
}

#[derive(Template)]
#[template(path = "organisations/platforms.html")]
struct PlatformsPage {
    c: Chrome,
    groups: Vec<(String, Vec<PlatformRow>)>,
}

async fn platforms(State(state): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    ctx.require(Action::ViewReferenceData, &Target::anywhere())?;
    let c = Chrome::new(&ctx, "/organisations/platforms");
    let countries = state.store.countries().await?;
    let names = country_names(&c.tr, &countries);
    let members = state.store.platform_members().await?;
    let all = state.store.platforms().await?;
    let groups = PlatformKind::ALL
        .iter()
        .map(|kind| {
            let rows = all
                .iter()
                .filter(|p| p.kind == *kind)
                .map(|p| PlatformRow {
                    code: p.code.clone(),
                    name: p.name.clone(),
                    countries: p
                        .countries
                        .iter()
                        .map(|iso| names.get(iso).cloned().unwrap_or_else(|| iso.to_string()))
                        .collect::<Vec<_>>()
                        .join(", "),
                    members: members
                        .iter()
                        .filter(|m| m.platform_id == p.id && m.is_active)
                        .map(|m| (m.organisation_id, m.acronym.clone(), m.name.clone()))
                        .collect(),
                })
                .collect::<Vec<_>>();
            (c.tr.label(*kind), rows)
        })
        .filter(|(_, rows)| !rows.is_empty())
        .collect();
    render(&PlatformsPage { c, groups })
}
