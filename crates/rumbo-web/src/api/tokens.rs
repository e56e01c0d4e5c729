//! Personal API tokens over the API: every signed-in account lists, creates and revokes its
//! own. A token is returned once, when it is created; only its hash is kept.

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use rumbo_domain::access::{Action, Target};
use rumbo_domain::error::required_text;
use rumbo_store::sessions::{ApiToken, MAX_TOKEN_DAYS};
use rumbo_store::users::User;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::Body;
use super::Id;
use crate::AppState;
use crate::auth::Ctx;
use crate::error::{AppError, ErrorBody};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_tokens, create_token))
        .routes(routes!(revoke_token))
}

fn me(ctx: &Ctx) -> Result<&User, AppError> {
    ctx.require(Action::ManageOwnAccount, &Target::anywhere())
}

/// A personal API token as listed: never the token itself.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenOut {
    pub id: i64,
    pub name: String,
    /// The token's first characters, to recognise it.
    #[schema(example = "rumbo_3f9a1c")]
    pub prefix: String,
    pub created_at: String,
    pub last_used_at: Option<String>,
    /// Null: until revoked.
    pub expires_at: Option<String>,
    pub revoked_at: Option<String>,
}

impl From<ApiToken> for TokenOut {
    fn from(t: ApiToken) -> Self {
        TokenOut {
            id: t.id,
            name: t.name,
            prefix: t.prefix,
            created_at: t.created_at,
            last_used_at: t.last_used_at,
            expires_at: t.expires_at,
            revoked_at: t.revoked_at,
        }
    }
}

/// Your tokens, newest first, revoked and expired ones included.
#[utoipa::path(get, path = "/tokens", tag = "accounts",
    responses((status = 200, body = Vec<TokenOut>), (status = 401, body = ErrorBody)))]
async fn list_tokens(State(state): State<AppState>, ctx: Ctx) -> Result<Json<Vec<TokenOut>>, AppError> {
    let user = me(&ctx)?;
    let tokens = state.store.api_tokens(user.id).await?;
    Ok(Json(tokens.into_iter().map(Into::into).collect()))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct NewTokenIn {
    /// What the token is for, such as "KoboToolbox sync".
    pub name: String,
    /// Days until it expires (1 to 3650); null or left out: until revoked.
    pub expires_days: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NewTokenOut {
    /// Send it as `Authorization: Bearer <token>`. Shown this once: it cannot be read again.
    pub token: String,
    #[serde(flatten)]
    pub listed: TokenOut,
}

/// Creates a personal API token that acts as you. The response is the only time the token is
/// shown.
#[utoipa::path(post, path = "/tokens", tag = "accounts", request_body = NewTokenIn,
    responses((status = 201, body = NewTokenOut), (status = 422, body = ErrorBody)))]
async fn create_token(
    State(state): State<AppState>,
    ctx: Ctx,
    Body(input): Body<NewTokenIn>,
) -> Result<Response, AppError> {
    let user = me(&ctx)?;
    let name = required_text("token name", &input.name, 100)?;
    let expires = match input.expires_days {
        None => None,
        Some(days) if (1..=MAX_TOKEN_DAYS).contains(&days) => {
            Some(time::OffsetDateTime::now_utc() + time::Duration::days(days))
        }
        Some(days) => {
            return Err(AppError::Invalid(format!(
                "expires_days is {days}; give 1 to {MAX_TOKEN_DAYS} days, or leave it out for a token that lives until revoked"
            )));
        }
    };
    let (token, listed) = state
        .store
        .create_api_token(&ctx.actor(), user.id, &name, expires)
        .await?;
    let body = NewTokenOut {
        token,
        listed: listed.into(),
    };
    // The body holds a secret: no cache may keep a copy of it.
    Ok((StatusCode::CREATED, [(header::CACHE_CONTROL, "no-store")], Json(body)).into_response())
}

/// Revokes one of your tokens at once.
#[utoipa::path(delete, path = "/tokens/{id}", tag = "accounts",
    responses((status = 204), (status = 404, body = ErrorBody)))]
async fn revoke_token(State(state): State<AppState>, ctx: Ctx, Id(id): Id) -> Result<StatusCode, AppError> {
    let user = me(&ctx)?;
    state.store.revoke_api_token(&ctx.actor(), user.id, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
