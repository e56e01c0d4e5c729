//! Who is asking. Browsers carry a session cookie; machine clients send a personal API token
//! as `Authorization: Bearer rumbo_...`. [`authenticate`] resolves either once per request and
//! leaves a [`Ctx`] for handlers, which ask [`Ctx::require`] before they act: the access policy
//! itself lives in `rumbo_domain::access`.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::{Body, to_bytes};
use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use constant_time_eq::constant_time_eq;
use rumbo_domain::access::{Action, Target};
use rumbo_domain::audit::Actor;
use rumbo_domain::language::Language;
use rumbo_store::users::User;

use crate::AppState;
use crate::error::AppError;

pub const SESSION_COOKIE: &str = "rumbo_session";
pub const LANGUAGE_COOKIE: &str = "rumbo_lang";
pub const CSRF_FIELD: &str = "csrf";
pub const CSRF_HEADER: &str = "x-csrf-token";

/// How the request proved who it is.
#[derive(Debug, Clone)]
pub enum Credential {
    /// A browser session; forms must carry its CSRF token.
    Session {
        token: String,
        csrf_token: String,
    },
    ApiToken,
}

/// A signed-in user and how they signed in.
#[derive(Debug, Clone)]
pub struct Auth {
    pub user: User,
    pub credential: Credential,
}

/// Everything a handler needs to know about the request's origin: who, in what language,
/// from where. Extracted by handlers as `ctx: Ctx`.
#[derive(Debug, Clone)]
pub struct Ctx {
    pub auth: Option<Arc<Auth>>,
    pub language: Language,
    pub address: Option<String>,
    pub request_id: Option<String>,
    pub api: bool,
}

impl Ctx {
    /// The signed-in user, or `Unauthenticated`.
    pub fn user(&self) -> Result<&User, AppError> {
        self.auth.as_deref().map(|a| &a.user).ok_or(AppError::Unauthenticated)
    }

    /// The signed-in user, if they may take `action` on `target`.
    pub fn require(&self, action: Action, target: &Target) -> Result<&User, AppError> {
        let user = self.user()?;
        if user.subject().may(action, target) {
            Ok(user)
        } else {
            Err(AppError::Forbidden)
        }
    }

    /// Whether the user may take `action` somewhere: region-wide, in a country they work in,
    /// or for their own organisation there (what partners' own-data actions are about), at one
    /// of their registration desks or not. Decides whether a link or form is shown.
    pub fn may_somewhere(&self, action: Action) -> bool {
        let Ok(user) = self.user() else { return false };
        let subject = user.subject();
        subject.may(action, &Target::anywhere())
            || user.countries().iter().any(|c| {
                let own = Target::organisation(user.organisation_id, Some(*c));
                subject.may(action, &Target::country(*c))
                    || subject.may(action, &own)
                    || user.desks.iter().any(|d| subject.may(action, &own.clone().at_desk(*d)))
            })
    }

    /// The signed-in user, if they may take `action` somewhere: asked before an upload is
    /// read, so that those who may not are refused at once; each row is then checked on its
    /// own target.
    pub fn require_somewhere(&self, action: Action) -> Result<&User, AppError> {
        let user = self.user()?;
        if self.may_somewhere(action) {
            Ok(user)
        } else {
            Err(AppError::Forbidden)
        }
    }

    /// The session's CSRF token, for forms. API-token requests have none.
    pub fn csrf_token(&self) -> Option<&str> {
        match self.auth.as_deref().map(|a| &a.credential) {
            Some(Credential::Session { csrf_token, .. }) => Some(csrf_token),
            _ => None,
        }
    }

    /// The actor recorded in the audit log for what this request does.
    pub fn actor(&self) -> Actor {
        Actor {
            user_id: self.auth.as_ref().map(|a| a.user.id),
            address: self.address.clone(),
            request_id: self.request_id.clone(),
            channel: if self.api { "api" } else { "web" },
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Ctx {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Ctx>()
            .cloned()
            .ok_or_else(|| AppError::Internal("request context missing: is authenticate() layered?".into()))
    }
}

/// The value of cookie `name`, if the request carries it.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

fn client_address(request: &Request, trust_proxy: bool) -> Option<String> {
    if trust_proxy
        && let Some(forwarded) = request
            .headers()
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
    {
        return Some(forwarded.trim().to_owned());
    }
    request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip().to_string())
}

/// The interface language: the user's choice, then the language cookie, then the browser's.
fn negotiate_language(headers: &HeaderMap, user: Option<&User>) -> Language {
    user.and_then(|u| u.language)
        .or_else(|| cookie(headers, LANGUAGE_COOKIE).and_then(Language::parse))
        .or_else(|| {
            headers
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .and_then(Language::from_accept_language)
        })
        .unwrap_or_default()
}

/// A cross-site form post carries an `Origin` of another site: refuse it outright, whoever is
/// signed in. Requests without `Origin` (older clients, API tools) go on to the token checks.
fn same_origin(headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return true;
    };
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or("");
    let origin_host = origin.split_once("://").map_or(origin, |(_, rest)| rest);
    origin != "null" && origin_host == host
}

/// Form bodies are read to find the CSRF field; no legitimate form is larger than this.
const MAX_FORM_BYTES: usize = 2 * 1024 * 1024;

/// Checks that an unsafe request made with a session cookie carries the session's CSRF token:
/// in the `X-CSRF-Token` header (scripts), in the `csrf` field of a form, or in the `csrf`
/// query parameter (multipart uploads, whose bodies are not buffered here).
async fn check_csrf(request: Request, expected: &str) -> Result<Request, AppError> {
    let matches = |given: &str| constant_time_eq(given.as_bytes(), expected.as_bytes());
    if let Some(given) = request.headers().get(CSRF_HEADER).and_then(|v| v.to_str().ok()) {
        return if matches(given) {
            Ok(request)
        } else {
            Err(AppError::Csrf)
        };
    }
    let from_query = request.uri().query().and_then(|q| {
        form_pairs(q.as_bytes())
            .into_iter()
            .find(|(k, _)| k == CSRF_FIELD)
            .map(|(_, v)| v)
    });
    if let Some(given) = from_query {
        return if matches(&given) {
            Ok(request)
        } else {
            Err(AppError::Csrf)
        };
    }
    let is_form = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return Err(AppError::Csrf);
    }
    let (parts, body) = request.into_parts();
    let bytes = to_bytes(body, MAX_FORM_BYTES)
        .await
        .map_err(|_| AppError::TooLarge(format!("a form may hold at most {} MiB", MAX_FORM_BYTES / 1024 / 1024)))?;
    let given = form_pairs(&bytes)
        .into_iter()
        .find(|(k, _)| k == CSRF_FIELD)
        .map(|(_, v)| v);
    match given {
        Some(given) if matches(&given) => Ok(Request::from_parts(parts, Body::from(bytes))),
        _ => Err(AppError::Csrf),
    }
}

fn form_pairs(bytes: &[u8]) -> Vec<(String, String)> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(bytes).unwrap_or_default()
}

/// The middleware in front of every route: resolves the credential, checks origin and CSRF
/// for unsafe methods, picks the language, and leaves a [`Ctx`] in the request.
pub async fn authenticate(State(state): State<AppState>, request: Request, next: Next) -> Response {
    match resolve(&state, request).await {
        Ok(request) => next.run(request).await,
        Err(e) => e.into_response(),
    }
}

async fn resolve(state: &AppState, mut request: Request) -> Result<Request, AppError> {
    let api = request.uri().path().starts_with("/api/");
    let unsafe_method = !matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if unsafe_method && !same_origin(request.headers()) {
        return Err(AppError::Csrf);
    }

    let store = &state.store;
    let auth = if let Some(token) = bearer(request.headers()) {
        let user_id = store.api_token_user(token).await?.ok_or(AppError::InvalidToken)?;
        Some(Auth {
            user: store.user(user_id).await?,
            credential: Credential::ApiToken,
        })
    } else if let Some(token) = cookie(request.headers(), SESSION_COOKIE) {
        match store.session(token).await? {
            Some(session) => Some(Auth {
                user: store.user(session.user_id).await?,
                credential: Credential::Session {
                    token: token.to_owned(),
                    csrf_token: session.csrf_token,
                },
            }),
            None => None,
        }
    } else {
        None
    };

    if unsafe_method
        && let Some(Auth {
            credential: Credential::Session { csrf_token, .. },
            ..
        }) = &auth
    {
        request = check_csrf(request, csrf_token).await?;
    }

    let auth_credential = auth.as_ref().map(|a| a.credential.clone());
    let ctx = Ctx {
        language: negotiate_language(request.headers(), auth.as_ref().map(|a| &a.user)),
        address: client_address(&request, state.config.trust_proxy),
        request_id: request
            .headers()
            .get("x-request-id")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
        auth: auth.map(Arc::new),
        // A page fetched with an API token is still machine traffic: audit it as such.
        api: api || matches!(auth_credential, Some(Credential::ApiToken)),
    };
    request.extensions_mut().insert(ctx);
    Ok(request)
}

/// A `Set-Cookie` value for the session cookie; an empty token clears it.
pub fn session_cookie(token: &str, secure: bool) -> String {
    let max_age = if token.is_empty() {
        0
    } else {
        rumbo_store::sessions::SESSION_IDLE.whole_seconds()
    };
    format!(
        "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{}",
        if secure { "; Secure" } else { "" }
    )
}

pub fn language_cookie(language: Language, secure: bool) -> String {
    format!(
        "{LANGUAGE_COOKIE}={}; Path=/; SameSite=Lax; Max-Age=31536000{}",
        language.code(),
        if secure { "; Secure" } else { "" }
    )
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    #[test]
    fn cookies_and_bearer_tokens_are_read() {
        let mut headers = HeaderMap::new();
        headers.insert(header::COOKIE, HeaderValue::from_static("a=1; rumbo_session=abc; b=2"));
        headers.insert(header::AUTHORIZATION, HeaderValue::from_static("Bearer rumbo_xyz"));
        assert_eq!(cookie(&headers, SESSION_COOKIE), Some("abc"));
        assert_eq!(cookie(&headers, "missing"), None);
        assert_eq!(bearer(&headers), Some("rumbo_xyz"));
    }

    #[test]
    fn cross_site_origins_are_refused() {
        let mut headers = HeaderMap::new();
        headers.insert(header::HOST, HeaderValue::from_static("127.0.0.1:8080"));
        assert!(same_origin(&headers));
        headers.insert(header::ORIGIN, HeaderValue::from_static("http://127.0.0.1:8080"));
        assert!(same_origin(&headers));
        headers.insert(header::ORIGIN, HeaderValue::from_static("https://evil.example"));
        assert!(!same_origin(&headers));
        headers.insert(header::ORIGIN, HeaderValue::from_static("null"));
        assert!(!same_origin(&headers));
    }

    #[test]
    fn language_prefers_cookie_over_browser() {
        let mut headers = HeaderMap::new();
        headers.insert(header::ACCEPT_LANGUAGE, HeaderValue::from_static("pt-BR,pt;q=0.9"));
        assert_eq!(negotiate_language(&headers, None), Language::Pt);
        headers.insert(header::COOKIE, HeaderValue::from_static("rumbo_lang=en"));
        assert_eq!(negotiate_language(&headers, None), Language::En);
        assert_eq!(negotiate_language(&HeaderMap::new(), None), Language::Es);
    }
}
