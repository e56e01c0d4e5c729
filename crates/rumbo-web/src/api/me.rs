use axum::Json;
use rumbo_domain::Vocabulary;
use rumbo_store::users::User;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::auth::Ctx;
use crate::error::{AppError, ErrorBody};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(me))
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
