//! User accounts and their roles over the API. Every list and every account shown is
//! recorded in the audit log by the store; who may see, change and grant what is decided by
//! `rumbo_domain::access` (`user_reach`, `may_manage_user`, `may_grant_to`).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use rumbo_domain::access::{Action, Grant, Role, Scope, Target};
use rumbo_domain::country::Iso3;
use rumbo_domain::language::Language;
use rumbo_domain::{DomainError, Vocabulary};
use rumbo_store::Page;
use rumbo_store::users::{NewUser, User, UserPatch, UserQuery};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::me::{RoleGrant, UserOut};
use super::{Body, Id, Listing, Params};
use crate::AppState;
use crate::auth::Ctx;
use crate::error::{AppError, ErrorBody};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_users, create_user))
        .routes(routes!(get_user, update_user))
        .routes(routes!(reset_password))
        .routes(routes!(grant_role, revoke_role))
}

/// A role in one country, or region-wide when `country` is null or left out.
#[derive(Debug, Deserialize, ToSchema)]
pub struct RoleIn {
    #[schema(example = "enumerator")]
    pub role: String,
    #[schema(example = "COL")]
    pub country: Option<String>,
}

impl RoleIn {
    fn parse(&self) -> Result<Grant, DomainError> {
        let scope = match self.country.as_deref().map(str::trim) {
            None | Some("") => Scope::Region,
            Some(code) => Scope::Country(Iso3::parse(code)?),
        };
        Ok(Grant {
            role: Role::parse(&self.role)?,
            scope,
        })
    }
}

fn roles_out(user: &User) -> Vec<RoleGrant> {
    user.grants
        .iter()
        .map(|g| RoleGrant {
            role: g.role.code(),
            country: g.scope.country().map(|c| c.to_string()),
        })
        .collect()
}

/// `Some(None)` for blank ("follow the browser"); an unknown language is refused.
fn parse_language(raw: Option<&str>) -> Result<Option<Option<Language>>, AppError> {
    match raw.map(str::trim) {
        None => Ok(None),
        Some("") => Ok(Some(None)),
        Some(code) => Language::parse(code)
            .map(|l| Some(Some(l)))
            .ok_or_else(|| AppError::Invalid(format!("'{code}' is not a language of Rumbo (es, en, pt)"))),
    }
}

/// The organisation `id` named in a body: one that does not exist is a problem of the body.
async fn organisation_in_body(state: &AppState, id: i64) -> Result<i64, AppError> {
    match state.store.organisation(id).await {
        Ok(o) => Ok(o.id),
        Err(rumbo_store::StoreError::NotFound { .. }) => {
            Err(AppError::Invalid(format!("organisation {id} does not exist")))
        }
        Err(e) => Err(e.into()),
    }
}

/// The account `id`, if the caller may see it (not yet recorded as viewed).
async fn reachable(state: &AppState, ctx: &Ctx, id: i64) -> Result<User, AppError> {
    if ctx.user()?.subject().user_reach().is_empty() {
        return Err(AppError::Forbidden);
    }
    let user = state.store.user(id).await?;
    ctx.require(Action::ViewUsers, &user.as_target())?;
    Ok(user)
}

/// The account `id`, if the caller may look after it.
async fn manageable(state: &AppState, ctx: &Ctx, id: i64) -> Result<User, AppError> {
    let subject = ctx.user()?.subject();
    let user = state.store.user(id).await?;
    if subject.may_manage_user(user.id, user.organisation_id, &user.grants) {
        Ok(user)
    } else {
        Err(AppError::Forbidden)
    }
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct UserFilter {
    /// Organisation id.
    organisation: Option<i64>,
    /// Role code: users holding it anywhere.
    role: Option<String>,
    /// Part of the username or display name.
    q: Option<String>,
    #[serde(default)]
    include_inactive: bool,
    limit: Option<i64>,
    offset: Option<i64>,
}

/// The accounts the caller may see: everyone for administrators, those holding a role in
/// their countries for IM officers, their organisation's for organisation managers.
#[utoipa::path(get, path = "/users", tag = "users", params(UserFilter),
    responses((status = 200, body = Listing<UserOut>), (status = 403, body = ErrorBody)))]
async fn list_users(
    State(state): State<AppState>,
    ctx: Ctx,
    Params(filter): Params<UserFilter>,
) -> Result<Listing<UserOut>, AppError> {
    let reach = ctx.user()?.subject().user_reach();
    if reach.is_empty() {
        return Err(AppError::Forbidden);
    }
    let query = UserQuery {
        organisation_id: filter.organisation,
        role: filter.role.as_deref().map(Role::parse).transpose()?,
        search: filter.q,
        include_inactive: filter.include_inactive,
        reach: Some(reach),
        ..Default::default()
    };
    let page = Page::new(filter.limit, filter.offset);
    let (users, total) = state.store.users(&ctx.actor(), &query, page).await?;
    Ok(Listing {
        items: users.iter().map(UserOut::from).collect(),
        total,
        limit: page.limit,
        offset: page.offset,
    })
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct NewUserIn {
    /// 3 to 40 characters: letters, digits, '.', '_' or '-'; stored lower case.
    #[schema(example = "ana.perez")]
    pub username: String,
    pub display_name: String,
    pub email: Option<String>,
    pub organisation_id: i64,
    /// The initial password, at least 10 characters.
    pub password: String,
    /// es, en or pt; null to follow the browser.
    pub language: Option<String>,
    #[serde(default)]
    pub roles: Vec<RoleIn>,
}

/// Creates an account. Organisation managers create accounts in their own organisation only,
/// with the enumerator and viewer roles in the countries they manage.
#[utoipa::path(post, path = "/users", tag = "users", request_body = NewUserIn,
    responses((status = 201, body = UserOut), (status = 403, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_user(
    State(state): State<AppState>,
    ctx: Ctx,
    Body(input): Body<NewUserIn>,
) -> Result<(StatusCode, Json<UserOut>), AppError> {
    let grants = input.roles.iter().map(RoleIn::parse).collect::<Result<Vec<_>, _>>()?;
    let language = parse_language(input.language.as_deref())?.flatten();
    let organisation = organisation_in_body(&state, input.organisation_id).await?;
    let subject = ctx
        .require(Action::ManageUsers, &Target::organisation(organisation, None))?
        .subject();
    if !grants.iter().all(|g| subject.may_grant(*g, organisation)) {
        return Err(AppError::Forbidden);
    }
    let new = NewUser {
        username: input.username,
        display_name: input.display_name,
        email: input.email,
        organisation_id: organisation,
        password: input.password,
        language,
        grants,
    };
    let user = state.store.create_user(&ctx.actor(), &new).await?;
    Ok((StatusCode::CREATED, Json(UserOut::from(&user))))
}

/// One account; the view is recorded in the audit log.
#[utoipa::path(get, path = "/users/{id}", tag = "users",
    responses((status = 200, body = UserOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get_user(State(state): State<AppState>, ctx: Ctx, Id(id): Id) -> Result<Json<UserOut>, AppError> {
    reachable(&state, &ctx, id).await?;
    let user = state.store.view_user(&ctx.actor(), id).await?;
    Ok(Json(UserOut::from(&user)))
}

/// Changes to an account; fields left out stay as they are.
#[derive(Debug, Deserialize, ToSchema)]
pub struct UserUpdateIn {
    pub display_name: Option<String>,
    /// An empty string removes the address.
    pub email: Option<String>,
    pub organisation_id: Option<i64>,
    /// es, en or pt; an empty string follows the browser.
    pub language: Option<String>,
    /// false deactivates the account and signs it out everywhere.
    pub active: Option<bool>,
}

/// Changes an account's profile, organisation, language or state. Not for one's own account
/// (see `PUT /me`).
#[utoipa::path(put, path = "/users/{id}", tag = "users", request_body = UserUpdateIn,
    responses((status = 200, body = UserOut), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update_user(
    State(state): State<AppState>,
    ctx: Ctx,
    Id(id): Id,
    Body(input): Body<UserUpdateIn>,
) -> Result<Json<UserOut>, AppError> {
    let language = parse_language(input.language.as_deref())?;
    let user = manageable(&state, &ctx, id).await?;
    if let Some(organisation) = input.organisation_id {
        let organisation = organisation_in_body(&state, organisation).await?;
        if !ctx
            .user()?
            .subject()
            .may_manage_user(user.id, organisation, &user.grants)
        {
            return Err(AppError::Forbidden);
        }
    }
    let patch = UserPatch {
        display_name: input.display_name,
        email: input.email.map(|e| Some(e).filter(|e| !e.trim().is_empty())),
        organisation_id: input.organisation_id,
        language,
        is_active: input.active,
    };
    let updated = state.store.update_user(&ctx.actor(), id, &patch).await?;
    Ok(Json(UserOut::from(&updated)))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct PasswordIn {
    /// At least 10 characters.
    pub password: String,
}

/// Sets a new password for an account (administrators and organisation managers) and signs
/// it out everywhere. One's own password is changed with `POST /me/password`.
#[utoipa::path(post, path = "/users/{id}/password", tag = "users", request_body = PasswordIn,
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
async fn reset_password(
    State(state): State<AppState>,
    ctx: Ctx,
    Id(id): Id,
    Body(input): Body<PasswordIn>,
) -> Result<StatusCode, AppError> {
    manageable(&state, &ctx, id).await?;
    state.store.set_password(&ctx.actor(), id, &input.password).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The grant `role` of the body to account `id`, if the caller may give or take it.
async fn grantable(state: &AppState, ctx: &Ctx, id: i64, role: &RoleIn) -> Result<Grant, AppError> {
    let grant = role.parse()?;
    let subject = ctx.user()?.subject();
    let user = state.store.user(id).await?;
    if subject.may_grant_to(grant, user.id, user.organisation_id) {
        Ok(grant)
    } else {
        Err(AppError::Forbidden)
    }
}

/// Grants a role; returns the account's roles. Nobody grants roles to themselves.
#[utoipa::path(post, path = "/users/{id}/roles", tag = "users", request_body = RoleIn,
    responses((status = 201, body = Vec<RoleGrant>), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn grant_role(
    State(state): State<AppState>,
    ctx: Ctx,
    Id(id): Id,
    Body(input): Body<RoleIn>,
) -> Result<(StatusCode, Json<Vec<RoleGrant>>), AppError> {
    let grant = grantable(&state, &ctx, id, &input).await?;
    state.store.grant_role(&ctx.actor(), id, grant).await?;
    let user = state.store.user(id).await?;
    Ok((StatusCode::CREATED, Json(roles_out(&user))))
}

/// Revokes a role; returns the account's remaining roles.
#[utoipa::path(delete, path = "/users/{id}/roles", tag = "users", request_body = RoleIn,
    responses((status = 200, body = Vec<RoleGrant>), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn revoke_role(
    State(state): State<AppState>,
    ctx: Ctx,
    Id(id): Id,
    Body(input): Body<RoleIn>,
) -> Result<Json<Vec<RoleGrant>>, AppError> {
    let grant = grantable(&state, &ctx, id, &input).await?;
    state.store.revoke_role(&ctx.actor(), id, grant).await?;
    let user = state.store.user(id).await?;
    Ok(Json(roles_out(&user)))
}
