//! Rumbo's web server: server-rendered pages for people, a JSON API under `/api/v1` for
//! machines, and the OpenAPI document that describes it. Handlers are thin: an extractor
//! authenticates ([`auth`]), one call asks the access policy, one call goes to the store or
//! the domain, and the result is rendered.
//!
//! Request flow: `tower-http` layers (request id, body limit, timeout, compression, tracing) →
//! [`auth::authenticate`] (session cookie or bearer token, CSRF and origin checks, language) →
//! a handler in [`pages`] or [`api`] → [`error::AppError`] turns failures into a status, a stable
//! code and a message (JSON for the API, a page for people).

/// The JSON API under /api/v1 and its OpenAPI document.
pub mod api;
/// Files served under /static, embedded in the binary.
mod assets;
/// Who is asking: sessions, bearer tokens, CSRF protection and the request context.
pub mod auth;
/// De-duplication between the edge and the store: review reach, pair access, export tables.
mod deduplication;
/// The one error type at the edge, converted into HTTP responses.
pub mod error;
/// Reference files over HTTP: uploads, downloads, access across the countries a file touches.
mod files;
/// Flow monitoring data shared by the API and the pages: reach, filters, imports, tables.
pub mod flow_data;
/// The message catalogue (Spanish, English, Portuguese) and language negotiation.
pub mod i18n;
/// Background work of a server process: the worker that runs queued de-duplication runs.
mod jobs;
/// The pages people use, rendered on the server.
mod pages;
/// R4V information management between the edge and the store: scope, files in, outputs.
pub mod r4v;
/// Registration shared by the API and the pages: access to households, files in and out.
pub mod registration;
/// Reference data in and out (admin areas, locations): file formats to the store and back,
/// shared by the API, the pages and the command line.
pub mod transfer;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, HeaderValue, header};
use rumbo_store::Store;
use tower_http::compression::CompressionLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

/// Settings of the web server that are not about the database.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Mark cookies `Secure`: set this whenever Rumbo is reached over HTTPS.
    pub secure_cookies: bool,
    /// Take the client address from `X-Forwarded-For`: only behind a proxy you run.
    pub trust_proxy: bool,
    /// The largest request body accepted, uploads included, in bytes.
    pub max_body_bytes: usize,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            secure_cookies: false,
            trust_proxy: false,
            max_body_bytes: 50 * 1024 * 1024,
        }
    }
}

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub config: Arc<ServerConfig>,
    /// Wakes this process's de-duplication worker when a run is asked for here (runs asked
    /// for on another instance are found by polling).
    pub(crate) runs_waiting: Arc<tokio::sync::Notify>,
}

impl AppState {
    pub fn new(store: Store, config: ServerConfig) -> AppState {
        AppState {
            store,
            config: Arc::new(config),
            runs_waiting: Arc::new(tokio::sync::Notify::new()),
        }
    }
}

static REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The whole application: pages, API and static files, with their middleware.
pub fn app(state: AppState) -> Router {
    let max_body = state.config.max_body_bytes;
    Router::new()
        .merge(pages::router())
        .nest("/api/v1", api::router())
        .merge(assets::router())
        .layer(axum::middleware::from_fn_with_state(state.clone(), auth::authenticate))
        .with_state(state)
        .layer(DefaultBodyLimit::max(max_body))
        .layer(CompressionLayer::new())
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'self'; img-src 'self' data:; style-src 'self'; frame-ancestors 'none'",
            ),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(120),
        ))
        .layer(
            TraceLayer::new_for_http().make_span_with(|req: &axum::http::Request<_>| {
                // The path is logged without its query string: queries can carry search terms.
                let id = req
                    .headers()
                    .get(&REQUEST_ID)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("");
                tracing::info_span!("request", method = %req.method(), path = %req.uri().path(), id = %id)
            }),
        )
        .layer(PropagateRequestIdLayer::new(REQUEST_ID.clone()))
        .layer(SetRequestIdLayer::new(REQUEST_ID.clone(), MakeRequestUuid))
}

/// Serves the application on `listener` until Ctrl-C or SIGTERM, then finishes open requests.
pub async fn serve(state: AppState, listener: tokio::net::TcpListener) -> std::io::Result<()> {
    let store = state.store.clone();
    // Housekeeping that any instance may do; harmless when several run it.
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(3600));
        loop {
            tick.tick().await;
            if let Err(e) = store.purge_expired().await {
                tracing::warn!("could not purge expired sessions: {e}");
            }
        }
    });
    tokio::spawn(jobs::deduplication_worker(
        state.store.clone(),
        state.runs_waiting.clone(),
    ));
    axum::serve(listener, app(state).into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(shutdown_signal())
        .await
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut signal) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            signal.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
