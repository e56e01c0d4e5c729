use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use rumbo_domain::Vocabulary;
use rumbo_domain::access::{Action, Target};
use rumbo_domain::country::Iso3;
use rumbo_domain::organisation::OrganisationKind;
use rumbo_store::Page;
use rumbo_store::organisations::{Organisation, OrganisationInput, OrganisationQuery, Platform};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{Body, Id, Listing, Params};
use crate::AppState;
use crate::auth::Ctx;
use crate::error::{AppError, ErrorBody};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_organisations, create_organisation))
        .routes(routes!(get_organisation, update_organisation))
        .routes(routes!(list_platforms))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OrganisationOut {
    pub id: i64,
    pub name: String,
    pub acronym: String,
    /// un_agency, international_ngo, national_ngo, red_cross, government, donor, academic
    #[schema(example = "national_ngo")]
    pub kind: &'static str,
    /// ISO 3166-1 alpha-3; null for regional and international organisations.
    pub country: Option<String>,
    pub website: Option<String>,
    pub active: bool,
    /// Codes of the coordination platforms it belongs to, such as GIFMM-COL.
    pub platforms: Vec<String>,
    pub created_at: String,
    pub updated_at: String,
}

impl From<Organisation> for OrganisationOut {
    fn from(o: Organisation) -> Self {
        OrganisationOut {
            id: o.id,
            name: o.name,
            acronym: o.acronym,
            kind: o.kind.code(),
            country: o.country.map(|c| c.to_string()),
            website: o.website,
            active: o.is_active,
            platforms: o.platforms,
            created_at: o.created_at,
            updated_at: o.updated_at,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct OrganisationIn {
    pub name: String,
    pub acronym: String,
    #[schema(example = "national_ngo")]
    pub kind: String,
    #[schema(example = "COL")]
    pub country: Option<String>,
    pub website: Option<String>,
    #[serde(default)]
    pub platforms: Vec<String>,
    #[serde(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

impl From<OrganisationIn> for OrganisationInput {
    fn from(o: OrganisationIn) -> Self {
        OrganisationInput {
            name: o.name,
            acronym: o.acronym,
            kind: o.kind,
            country: o.country,
            website: o.website,
            platforms: o.platforms,
            is_active: o.active,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct OrganisationFilter {
    /// Organisation type code.
    kind: Option<String>,
    /// ISO3 country code.
    country: Option<String>,
    /// Platform code.
    platform: Option<String>,
    /// Part of the name or acronym.
    q: Option<String>,
    #[serde(default)]
    include_inactive: bool,
    limit: Option<i64>,
    offset: Option<i64>,
}

/// Organisations, filtered and paged.
#[utoipa::path(get, path = "/organisations", tag = "organisations", params(OrganisationFilter),
    responses((status = 200, body = Listing<OrganisationOut>), (status = 401, body = ErrorBody)))]
async fn list_organisations(
    State(state): State<AppState>,
    ctx: Ctx,
    Params(filter): Params<OrganisationFilter>,
) -> Result<Listing<OrganisationOut>, AppError> {
    ctx.require(Action::ViewReferenceData, &Target::anywhere())?;
    let query = OrganisationQuery {
        kind: filter.kind.as_deref().map(OrganisationKind::parse).transpose()?,
        country: filter.country.as_deref().map(Iso3::parse).transpose()?,
        platform: filter.platform,
        search: filter.q,
        include_inactive: filter.include_inactive,
    };
    let page = Page::new(filter.limit, filter.offset);
    let (items, total) = state.store.organisations(&query, page).await?;
    Ok(Listing {
        items: items.into_iter().map(Into::into).collect(),
        total,
        limit: page.limit,
        offset: page.offset,
    })
}

/// One organisation.
#[utoipa::path(get, path = "/organisations/{id}", tag = "organisations",
    responses((status = 200, body = OrganisationOut), (status = 404, body = ErrorBody)))]
async fn get_organisation(
    State(state): State<AppState>,
    ctx: Ctx,
    Id(id): Id,
) -> Result<Json<OrganisationOut>, AppError> {
    ctx.require(Action::ViewReferenceData, &Target::anywhere())?;
    Ok(Json(state.store.organisation(id).await?.into()))
}

/// The target of a change to an organisation based in `country`: platform admins and the IM
/// officers of that country may make it.
fn target(id: Option<i64>, country: Option<&str>) -> Result<Target, AppError> {
    let country = country
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(Iso3::parse)
        .transpose()?;
    Ok(Target {
        countries: country.into_iter().collect(),
        organisation: id,
        ..Target::default()
    })
}

/// Registers an organisation.
#[utoipa::path(post, path = "/organisations", tag = "organisations", request_body = OrganisationIn,
    responses((status = 201, body = OrganisationOut), (status = 403, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_organisation(
    State(state): State<AppState>,
    ctx: Ctx,
    Body(input): Body<OrganisationIn>,
) -> Result<(StatusCode, Json<OrganisationOut>), AppError> {
    ctx.require(Action::ManageOrganisation, &target(None, input.country.as_deref())?)?;
    let created = state.store.create_organisation(&ctx.actor(), &input.into()).await?;
    Ok((StatusCode::CREATED, Json(created.into())))
}

/// Replaces an organisation's profile.
#[utoipa::path(put, path = "/organisations/{id}", tag = "organisations", request_body = OrganisationIn,
    responses((status = 200, body = OrganisationOut), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update_organisation(
    State(state): State<AppState>,
    ctx: Ctx,
    Id(id): Id,
    Body(input): Body<OrganisationIn>,
) -> Result<Json<OrganisationOut>, AppError> {
    let current = state.store.organisation(id).await?;
    let current_country = current.country.map(|c| c.to_string());
    ctx.require(
        Action::ManageOrganisation,
        &target(Some(id), current_country.as_deref())?,
    )?;
    ctx.require(Action::ManageOrganisation, &target(Some(id), input.country.as_deref())?)?;
    let updated = state.store.update_organisation(&ctx.actor(), id, &input.into()).await?;
    Ok(Json(updated.into()))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PlatformOut {
    pub id: i64,
    pub code: String,
    pub name: String,
    #[schema(example = "national")]
    pub kind: &'static str,
    pub countries: Vec<String>,
}

impl From<Platform> for PlatformOut {
    fn from(p: Platform) -> Self {
        PlatformOut {
            id: p.id,
            code: p.code,
            name: p.name,
            kind: p.kind.code(),
            countries: p.countries.iter().map(ToString::to_string).collect(),
        }
    }
}

/// The national, sub-regional and regional coordination platforms.
#[utoipa::path(get, path = "/platforms", tag = "organisations",
    responses((status = 200, body = Vec<PlatformOut>), (status = 401, body = ErrorBody)))]
async fn list_platforms(State(state): State<AppState>, ctx: Ctx) -> Result<Json<Vec<PlatformOut>>, AppError> {
    ctx.require(Action::ViewReferenceData, &Target::anywhere())?;
    Ok(Json(
        state.store.platforms().await?.into_iter().map(Into::into).collect(),
    ))
}
