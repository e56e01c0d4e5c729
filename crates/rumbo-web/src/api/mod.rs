//! The JSON API under `/api/v1`, for machine clients (personal API tokens) and for the pages'
//! own scripts (session cookie plus `X-CSRF-Token`). Each module lists its handlers with
//! `#[utoipa::path]`, so the OpenAPI document at `/api/v1/openapi.json` is generated from the
//! same code that serves the requests and cannot drift from it.

/// Audit log browsing (platform admins).
pub(crate) mod audit;
/// De-duplication: the review queue, pairs, decisions, exports.
pub(crate) mod deduplication;
/// Runs of the linkage engine as background jobs: asked for, listed, followed.
pub(crate) mod deduplication_runs;
/// Flow monitoring: points, counts, official movements, dashboards.
pub(crate) mod flow;
/// Flow monitoring surveys, risk rules and the protection queue.
pub(crate) mod fms;
/// Countries and admin areas with P-codes; boundary imports.
mod geography;
/// Privacy-preserving linkage: organisations' keys, runs, overlaps, consented pairs.
pub(crate) mod linkage_keys;
/// Locations resolved to admin areas.
pub(crate) mod locations;
/// The signed-in user.
mod me;
/// Organisations and coordination platforms.
mod organisations;
/// R4V: 5W, information exchange, figures, planning, public outputs.
mod r4v;
/// Registration: households, people, models, programmes, sharing agreements.
pub(crate) mod registration;
/// Personal API tokens.
mod tokens;
/// User accounts and roles.
mod users;

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;
use serde::de::DeserializeOwned;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;

use crate::AppState;
use crate::error::{AppError, rejection};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Rumbo API",
        description = "Displacement tracking and inter-agency coordination. Authenticate with a personal API token \
                       (`Authorization: Bearer rumbo_...`, created under Account in the web interface). Errors carry a \
                       stable `code` and a `message`; uploads that fail list `problems` with where and what.",
        license(name = "AGPL-3.0-or-later")
    ),
    modifiers(&Security),
    security(("bearer" = []), ("session" = []))
)]
struct ApiDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("rumbo_<64 hex>")
                    .build(),
            ),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(crate::auth::SESSION_COOKIE))),
        );
    }
}

fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(me::router())
        .merge(organisations::router())
        .merge(users::router())
        .merge(tokens::router())
        .merge(geography::router())
        .merge(locations::router())
        .merge(audit::router())
        .merge(registration::router())
        .merge(deduplication::router())
        .merge(deduplication_runs::router())
        .merge(flow::router())
        .merge(fms::router())
        .merge(r4v::router())
        .merge(linkage_keys::router())
}

/// The OpenAPI document, as served at /api/v1/openapi.json.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let mut doc = api().into_openapi();
    doc.servers = Some(vec![utoipa::openapi::Server::new("/api/v1")]);
    doc
}

pub fn router() -> Router<AppState> {
    let (router, _) = api().split_for_parts();
    let doc = openapi();
    router
        .route("/openapi.json", get(move || async move { Json(doc) }))
        .fallback(|| async { AppError::NotFound("no such API endpoint; see /api/v1/openapi.json".into()) })
}

/// A JSON body whose rejections are our errors (with a code), not axum's plain text.
pub struct Body<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Body<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(value)) => Ok(Body(value)),
            Err(e) => Err(json_rejection(e)),
        }
    }
}

fn json_rejection(e: JsonRejection) -> AppError {
    rejection(e.status(), e.body_text())
}

/// Query parameters whose rejections are our errors.
pub struct Params<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for Params<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(value)) => Ok(Params(value)),
            Err(e) => Err(query_rejection(e)),
        }
    }
}

fn query_rejection(e: QueryRejection) -> AppError {
    AppError::BadRequest(e.body_text())
}

/// A page of a longer list.
#[derive(Debug, Serialize, ToSchema)]
pub struct Listing<T> {
    pub items: Vec<T>,
    /// How many match in all, across pages.
    pub total: i64,
    pub limit: i64,
    pub offset: i64,
}

impl<T: Serialize> IntoResponse for Listing<T> {
    fn into_response(self) -> axum::response::Response {
        Json(self).into_response()
    }
}

/// A numeric id from the path. Anything else names no record: 404 with our error body, where
/// axum's `Path<i64>` would answer a plain-text 400.
pub struct Id(pub i64);

impl<S: Send + Sync> FromRequestParts<S> for Id {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let axum::extract::Path(raw) = axum::extract::Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|e| AppError::BadRequest(e.body_text()))?;
        raw.parse()
            .map(Id)
            .map_err(|_| AppError::NotFound(format!("there is no record with the id '{raw}'")))
    }
}
