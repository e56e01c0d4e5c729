use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use rumbo_domain::Vocabulary;
use rumbo_domain::access::{Action, Target};
use rumbo_domain::language::Language;
use rumbo_store::users::{User, UserPatch};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::Body;
use crate::AppState;
use crate::auth::{Credential, Ctx};
use crate::error::{AppError, ErrorBody};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(me, update_me))
        .routes(routes!(change_password))
}

/// A role held in one country, or region-wide when `country` is null.
#[derive(Debug, Serialize, ToSchema)]
pub struct RoleGrant {
    #[schema(example = "im_officer")]
    pub role: &'static str,
    #[schema(example = "COL")]
    pub country: Option<String>,
}

/// A user account. Shown only to the user themself and to those who manage users.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserOut {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub email: Option<String>,
    pub organisation_id: i64,
    pub organisation: String,
    #[schema(example = "es")]
    pub language: Option<&'static str>,
    pub active: bool,
    pub roles: Vec<RoleGrant>,
    pub created_at: String,
    pub last_sign_in_at: Option<String>,
}

impl From<&User> for UserOut {
    fn from(u: &User) -> Self {
        UserOut {
            id: u.id,
            username: u.username.clone(),
            display_name: u.display_name.clone(),
            email: u.email.clone(),
            organisation_id: u.organisation_id,
            organisation: u.organisation_acronym.clone(),
            language: u.language.map(|l| l.code()),
            active: u.is_active,
            roles: u
                .grants
                .iter()
                .map(|g| RoleGrant {
                    role: g.role.code(),
                    country: g.scope.country().map(|c| c.to_string()),
                })
                .collect(),
            created_at: u.created_at.clone(),
            last_sign_in_at: u.last_sign_in_at.clone(),
        }
    }
}

/// The signed-in user.
#[utoipa::path(get, path = "/me", tag = "accounts",
    responses((status = 200, body = UserOut), (status = 401, body = ErrorBody)))]
async fn me(ctx: Ctx) -> Result<Json<UserOut>, AppError> {
    Ok(Json(UserOut::from(ctx.user()?)))
}

fn own(ctx: &Ctx) -> Result<&User, AppError> {
    ctx.require(Action::ManageOwnAccount, &Target::anywhere())
}

/// Changes to your own profile; fields left out stay as they are.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ProfileIn {
    pub display_name: Option<String>,
    /// An empty string removes the address.
    pub email: Option<String>,
    /// es, en or pt; an empty string follows the browser.
    pub language: Option<String>,
}

/// Changes your display name, e-mail address or interface language.
#[utoipa::path(put, path = "/me", tag = "accounts", request_body = ProfileIn,
    responses((status = 200, body = UserOut), (status = 422, body = ErrorBody)))]
async fn update_me(
    State(state): State<AppState>,
    ctx: Ctx,
    Body(input): Body<ProfileIn>,
) -> Result<Json<UserOut>, AppError> {
    let user = own(&ctx)?;
    let language = match input.language.as_deref().map(str::trim) {
        None => None,
        Some("") => Some(None),
        Some(code) => Some(Some(Language::parse(code).ok_or_else(|| {
            AppError::Invalid(format!("'{code}' is not a language of Rumbo (es, en, pt)"))
        })?)),
    };
    let patch = UserPatch {
        display_name: input.display_name,
        email: input.email.map(|e| Some(e).filter(|e| !e.trim().is_empty())),
        language,
        ..UserPatch::default()
    };
    let updated = state.store.update_user(&ctx.actor(), user.id, &patch).await?;
    Ok(Json(UserOut::from(&updated)))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct PasswordChangeIn {
    pub current_password: String,
    /// At least 10 characters.
    pub password: String,
}

/// Changes your password. The current one is required; every browser session of the account
/// is signed out, except the one making the change. API tokens keep working.
#[utoipa::path(post, path = "/me/password", tag = "accounts", request_body = PasswordChangeIn,
    responses((status = 204), (status = 422, body = ErrorBody)))]
async fn change_password(
    State(state): State<AppState>,
    ctx: Ctx,
    Body(input): Body<PasswordChangeIn>,
) -> Result<StatusCode, AppError> {
    let user = own(&ctx)?;
    if !state
        .store
        .confirm_password(&ctx.actor(), user.id, &input.current_password)
        .await?
    {
        return Err(AppError::Invalid(
            "current_password is not the account's current password".into(),
        ));
    }
    let keep = match ctx.auth.as_deref().map(|a| &a.credential) {
        Some(Credential::Session { token, .. }) => Some(token.as_str()),
        _ => None,
    };
    state
        .store
        .set_password_keeping(&ctx.actor(), user.id, &input.password, keep)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
