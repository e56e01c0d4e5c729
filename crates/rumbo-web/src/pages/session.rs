//! Signing in and out, and choosing the interface language.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use rumbo_domain::language::Language;
use rumbo_store::sessions::SignInRefusal;
use rumbo_store::users::UserPatch;
use serde::Deserialize;

use super::{Chrome, render, safe_next};
use crate::AppState;
use crate::auth::{Credential, Ctx, language_cookie, session_cookie};
use crate::error::AppError;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/login", get(login_form).post(login))
        .route("/logout", post(logout))
        .route("/language", post(set_language))
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    c: Chrome,
    next: String,
    username: String,
    error: Option<String>,
}

#[derive(Deserialize)]
struct NextQuery {
    next: Option<String>,
}

async fn login_form(ctx: Ctx, Query(query): Query<NextQuery>) -> Result<Response, AppError> {
    if ctx.auth.is_some() {
        return Ok(Redirect::to(&safe_next(query.next.as_deref())).into_response());
    }
    render(&LoginPage {
        c: Chrome::new(&ctx, "/login"),
        next: safe_next(query.next.as_deref()),
        username: String::new(),
        error: None,
    })
}

#[derive(Deserialize)]
struct LoginForm {
    username: String,
    password: String,
    next: Option<String>,
}

async fn login(State(state): State<AppState>, ctx: Ctx, Form(form): Form<LoginForm>) -> Result<Response, AppError> {
    let c = Chrome::new(&ctx, "/login");
    let outcome = state
        .store
        .sign_in(&ctx.actor(), &form.username, &form.password)
        .await?;
    let user_id = match outcome {
        Ok(id) => id,
        Err(refusal) => {
            let error = match refusal {
                SignInRefusal::WrongCredentials => c.tr.t("login-failed"),
                SignInRefusal::Throttled { retry_after } => c.tr.t1("login-throttled", "seconds", retry_after),
            };
            let status = match refusal {
                SignInRefusal::WrongCredentials => axum::http::StatusCode::UNAUTHORIZED,
                SignInRefusal::Throttled { .. } => axum::http::StatusCode::TOO_MANY_REQUESTS,
            };
            let page = LoginPage {
                c,
                next: safe_next(form.next.as_deref()),
                username: form.username,
                error: Some(error),
            };
            return Ok((status, render(&page)?).into_response());
        }
    };
    let (token, _) = state.store.create_session(user_id, ctx.address.as_deref()).await?;
    Ok((
        [(header::SET_COOKIE, session_cookie(&token, state.config.secure_cookies))],
        Redirect::to(&safe_next(form.next.as_deref())),
    )
        .into_response())
}

async fn logout(State(state): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    if let Some(Credential::Session { token, .. }) = ctx.auth.as_deref().map(|a| &a.credential) {
        state.store.end_session(&ctx.actor(), token).await?;
    }
    Ok((
        [(header::SET_COOKIE, session_cookie("", state.config.secure_cookies))],
        Redirect::to("/login"),
    )
        .into_response())
}

#[derive(Deserialize)]
struct LanguageForm {
    language: String,
    next: Option<String>,
}

/// Remembers the language in a cookie and, for a signed-in user, in their profile.
async fn set_language(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(form): Form<LanguageForm>,
) -> Result<Response, AppError> {
    let language = Language::parse(&form.language)
        .ok_or_else(|| AppError::Invalid(format!("'{}' is not a language of Rumbo (es, en, pt)", form.language)))?;
    if let Ok(user) = ctx.user() {
        let patch = UserPatch {
            language: Some(Some(language)),
            ..UserPatch::default()
        };
        state.store.update_user(&ctx.actor(), user.id, &patch).await?;
    }
    Ok((
        [(
            header::SET_COOKIE,
            language_cookie(language, state.config.secure_cookies),
        )],
        Redirect::to(&safe_next(form.next.as_deref())),
    )
        .into_response())
}
