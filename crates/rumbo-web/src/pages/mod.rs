//! The pages people use. Each module lists its routes in one `router()`; [`router`] merges
//! them. Pages render askama templates (escaped by default) inside `base.html`, which needs a
//! [`Chrome`] in every page's template struct.

/// Your account: language, password, API tokens.
mod account;
/// The audit log browser.
mod audit;
/// The review queue of possible duplicates and a pair's page.
mod deduplication;
/// Runs of the linkage engine: asked for from the queue, followed on their own page.
mod deduplication_runs;
/// The flow monitoring dashboard.
mod flow;
/// Counts in: the count form, count file imports, official figures.
mod flow_entry;
/// Flow monitoring points: list, new point, a point's profile, assignments and observations.
mod flow_points;
/// Flow monitoring surveys: indicators, the interview form, interviews, risk rules.
mod fms;
/// Countries and admin areas.
mod geography;
/// The start page.
mod home;
/// Linkage keys: uploads, linkage runs and overlaps, consents, released pairs.
mod linkage_keys;
/// Locations: list, detail, create, edit, import.
mod locations;
/// The map of admin areas and locations.
mod map;
/// Organisations and platforms.
mod organisations;
/// Form fields, inline field errors, select options and paging links shared by the pages.
mod parts;
/// The protection queue of flagged interviews.
mod protection;
/// R4V: public figures, 5W reports, population figures, exchange, planning, overlaps.
mod r4v;
/// Registration: households, people, models, programmes, sharing agreements.
mod registration;
/// Sign in, sign out, language.
mod session;
/// User accounts and roles.
mod users;

use askama::Template;
use axum::Router;
use axum::extract::Request;
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Redirect, Response};
use rumbo_domain::access::{Action, Target};
use rumbo_domain::language::Language;

use crate::AppState;
use crate::auth::Ctx;
use crate::error::{AppError, ErrorDetail};
use crate::i18n::Tr;

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(home::router())
        .merge(session::router())
        .merge(account::router())
        .merge(audit::router())
        .merge(geography::router())
        .merge(locations::router())
        .merge(map::router())
        .merge(organisations::router())
        .merge(users::router())
        .merge(registration::router())
        .merge(deduplication::router())
        .merge(deduplication_runs::router())
        .merge(flow::router())
        .merge(flow_entry::router())
        .merge(flow_points::router())
        .merge(fms::router())
        .merge(protection::router())
        .merge(r4v::router())
        .merge(linkage_keys::router())
        .layer(axum::middleware::from_fn(error_pages))
}

/// The parts of every page around its content: the translator, the signed-in user, the CSRF
/// token for forms, and which menu entries this user may see.
pub struct Chrome {
    pub tr: Tr,
    pub path: String,
    pub user_name: Option<String>,
    pub organisation: Option<String>,
    pub csrf: String,
    pub can_see_users: bool,
    pub can_see_audit: bool,
    pub languages: Vec<(&'static str, &'static str, bool)>,
}

impl Chrome {
    pub fn new(ctx: &Ctx, path: &str) -> Chrome {
        let user = ctx.auth.as_deref().map(|a| &a.user);
        let subject = user.map(|u| u.subject());
        let may = |action| {
            subject.as_ref().is_some_and(|s| {
                s.is_admin()
                    || s.may(action, &Target::organisation(s.organisation_id, None))
                    || user.is_some_and(|u| u.countries().iter().any(|c| s.may(action, &Target::country(*c))))
            })
        };
        Chrome {
            tr: Tr::new(ctx.language),
            path: path.to_owned(),
            user_name: user.map(|u| u.display_name.clone()),
            organisation: user.map(|u| u.organisation_acronym.clone()),
            csrf: ctx.csrf_token().unwrap_or_default().to_owned(),
            can_see_users: may(Action::ViewUsers),
            can_see_audit: may(Action::ViewAudit),
            languages: Language::ALL
                .iter()
                .map(|l| (l.code(), l.endonym(), *l == ctx.language))
                .collect(),
        }
    }

    /// Whether the menu entry for `prefix` is the current page.
    pub fn current(&self, prefix: &str) -> bool {
        if prefix == "/" {
            self.path == "/"
        } else {
            self.path.starts_with(prefix)
        }
    }
}

/// Renders a page template into a response.
pub fn render(template: &impl Template) -> Result<Response, AppError> {
    Ok(Html(template.render()?).into_response())
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    c: Chrome,
    status: u16,
    title: String,
    message: String,
}

/// Errors leave handlers as JSON (see `AppError`); on pages they become a page in the reader's
/// language, and "sign in first" becomes a redirect to the sign-in form.
async fn error_pages(request: Request, next: Next) -> Response {
    let ctx = request.extensions().get::<Ctx>().cloned();
    let path = request.uri().path().to_owned();
    let path_and_query = request
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_default();
    let is_get = request.method() == axum::http::Method::GET;
    let response = next.run(request).await;
    let Some(detail) = response.extensions().get::<ErrorDetail>().cloned() else {
        return response;
    };
    if detail.code == "unauthenticated" {
        let next = if is_get { path_and_query } else { "/".to_owned() };
        return Redirect::to(&format!("/login?next={}", urlencode(&next))).into_response();
    }
    let Some(ctx) = ctx else { return response };
    let status = response.status();
    let c = Chrome::new(&ctx, &path);
    let title = c.tr.t(&format!("error-{}", detail.code));
    let mut message = detail.message.clone();
    for problem in &detail.problems {
        message.push_str(&format!("\n{}: {}", problem.location, problem.problem));
    }
    let page = ErrorPage {
        status: status.as_u16(),
        title,
        message,
        c,
    };
    match page.render() {
        Ok(html) => {
            let mut response = (status, Html(html)).into_response();
            response.headers_mut().remove(header::CONTENT_LENGTH);
            response
        }
        Err(_) => (StatusCode::INTERNAL_SERVER_ERROR, "error").into_response(),
    }
}

/// Percent-encodes a value for a query string.
pub fn urlencode(value: &str) -> String {
    serde_urlencoded::to_string([("", value)])
        .map(|s| s.trim_start_matches('=').to_owned())
        .unwrap_or_default()
}

/// Only local paths are followed after sign-in, so that a link cannot bounce a user elsewhere.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(path) if path.starts_with('/') && !path.starts_with("//") && !path.contains('\\') => path.to_owned(),
        _ => "/".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_paths_stay_on_this_site() {
        assert_eq!(safe_next(Some("/map?x=1")), "/map?x=1");
        assert_eq!(safe_next(Some("//evil.example")), "/");
        assert_eq!(safe_next(Some("https://evil.example")), "/");
        assert_eq!(safe_next(None), "/");
        assert_eq!(urlencode("/a b?c=d&e"), "%2Fa+b%3Fc%3Dd%26e");
    }
}
