//! Your own account: profile and preferred language, password, and the personal API tokens
//! with which scripts and machine clients act as you. A token is shown once, when it is
//! created; only its hash is kept.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use rumbo_domain::access::{Action, Target};
use rumbo_domain::error::required_text;
use rumbo_domain::language::Language;
use rumbo_store::credentials::MIN_PASSWORD_LEN;
use rumbo_store::sessions::{ApiToken, MAX_TOKEN_DAYS};
use rumbo_store::users::{User, UserPatch, parse_email};
use serde::Deserialize;

use super::parts::{Choice, FieldErrors, Fields, language_choices, unprocessable};
use super::{Chrome, render};
use crate::AppState;
use crate::api::Id;
use crate::api::Params;
use crate::auth::{Credential, Ctx};
use crate::error::AppError;
use crate::i18n::Tr;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/account", get(show).post(update_profile))
        .route("/account/password", post(change_password))
        .route("/account/tokens", post(create_token))
        .route("/account/tokens/{id}/revoke", post(revoke_token))
}

/// The signed-in user, who may always look after their own account.
fn me(ctx: &Ctx) -> Result<&User, AppError> {
    ctx.require(Action::ManageOwnAccount, &Target::anywhere())
}

/// A token as listed, with its state worked out for display.
struct TokenRow {
    id: i64,
    name: String,
    prefix: String,
    created_at: String,
    last_used_at: String,
    expires_at: String,
    revoked_at: String,
    live: bool,
}

impl TokenRow {
    fn new(token: ApiToken, now: &str) -> TokenRow {
        // Stored timestamps are RFC 3339 UTC text, so they compare as text.
        let expired = token.expires_at.as_deref().is_some_and(|at| at <= now);
        TokenRow {
            live: token.revoked_at.is_none() && !expired,
            id: token.id,
            name: token.name,
            prefix: token.prefix,
            created_at: token.created_at,
            last_used_at: token.last_used_at.unwrap_or_default(),
            expires_at: token.expires_at.unwrap_or_default(),
            revoked_at: token.revoked_at.unwrap_or_default(),
        }
    }
}

#[derive(Debug, Default)]
struct ProfileForm {
    display_name: String,
    email: String,
    language: String,
}

#[derive(Template)]
#[template(path = "account/index.html")]
struct AccountPage {
    c: Chrome,
    username: String,
    organisation: String,
    roles: Vec<String>,
    profile: ProfileForm,
    languages: Vec<Choice>,
    tokens: Vec<TokenRow>,
    token_name: String,
    token_days: String,
    min_password: usize,
    max_token_days: i64,
    profile_errors: FieldErrors,
    password_errors: FieldErrors,
    token_errors: FieldErrors,
    notice: Option<String>,
}

impl AccountPage {
    async fn load(state: &AppState, ctx: &Ctx) -> Result<AccountPage, AppError> {
        let user = me(ctx)?;
        let c = Chrome::new(ctx, "/account");
        let countries = state.store.countries().await?;
        let now = rumbo_store::now();
        let tokens = state
            .store
            .api_tokens(user.id)
            .await?
            .into_iter()
            .map(|t| TokenRow::new(t, &now))
            .collect();
        let roles = user
            .grants
            .iter()
            .map(|g| super::users::grant_label(&c.tr, g, &countries))
            .collect();
        let language = user.language.map(|l| l.code().to_owned()).unwrap_or_default();
        Ok(AccountPage {
            languages: language_choices(&c.tr, &language),
            profile: ProfileForm {
                display_name: user.display_name.clone(),
                email: user.email.clone().unwrap_or_default(),
                language,
            },
            username: user.username.clone(),
            organisation: user.organisation_acronym.clone(),
            roles,
            c,
            tokens,
            token_name: String::new(),
            token_days: String::new(),
            min_password: MIN_PASSWORD_LEN,
            max_token_days: MAX_TOKEN_DAYS,
            profile_errors: FieldErrors::default(),
            password_errors: FieldErrors::default(),
            token_errors: FieldErrors::default(),
            notice: None,
        })
    }
}

#[derive(Debug, Default, Deserialize)]
struct ShowQuery {
    done: Option<String>,
}

async fn show(State(state): State<AppState>, ctx: Ctx, Params(query): Params<ShowQuery>) -> Result<Response, AppError> {
    let mut page = AccountPage::load(&state, &ctx).await?;
    page.notice = match query.done.as_deref() {
        Some(done @ ("profile" | "password" | "revoked")) => Some(page.c.tr.t(&format!("account-done-{done}"))),
        _ => None,
    };
    render(&page)
}

async fn update_profile(State(state): State<AppState>, ctx: Ctx, fields: Fields) -> Result<Response, AppError> {
    let user = me(&ctx)?;
    let tr = Tr::new(ctx.language);
    let form = ProfileForm {
        display_name: fields.get("display_name").to_owned(),
        email: fields.get("email").to_owned(),
        language: fields.get("language").to_owned(),
    };
    let mut errors = FieldErrors::default();
    let display_name = errors.check(
        &tr,
        "display_name",
        required_text("display name", &form.display_name, 120),
    );
    let email = parse_email(Some(&form.email)).unwrap_or_else(|_| {
        errors.add("email", tr.t("field-email"));
        None
    });
    let language = if form.language.is_empty() {
        None
    } else {
        let parsed = Language::parse(&form.language);
        if parsed.is_none() {
            errors.add("language", tr.t("field-choose"));
        }
        parsed
    };
    let (Some(display_name), true) = (display_name, errors.is_empty()) else {
        let mut page = AccountPage::load(&state, &ctx).await?;
        page.languages = language_choices(&page.c.tr, &form.language);
        page.profile = form;
        page.profile_errors = errors;
        return unprocessable(&page);
    };
    let patch = UserPatch {
        display_name: Some(display_name),
        email: Some(email),
        language: Some(language),
        ..UserPatch::default()
    };
    state.store.update_user(&ctx.actor(), user.id, &patch).await?;
    Ok(Redirect::to("/account?done=profile").into_response())
}

/// Changes the password after confirming the current one, and signs out every other session
/// of the account: if someone else had it, they are out now.
async fn change_password(State(state): State<AppState>, ctx: Ctx, fields: Fields) -> Result<Response, AppError> {
    let user = me(&ctx)?;
    let tr = Tr::new(ctx.language);
    let (current, password) = (fields.raw("current_password"), fields.raw("password"));
    let mut errors = FieldErrors::default();
    if !state.store.confirm_password(&ctx.actor(), user.id, current).await? {
        errors.add("current_password", tr.t("account-current-wrong"));
    }
    if password.chars().count() < MIN_PASSWORD_LEN {
        errors.add("password", tr.t1("field-password-short", "min", MIN_PASSWORD_LEN));
    } else if password != fields.raw("password_confirm") {
        errors.add("password_confirm", tr.t("field-password-mismatch"));
    } else if password == current {
        errors.add("password", tr.t("account-password-same"));
    }
    if !errors.is_empty() {
        let mut page = AccountPage::load(&state, &ctx).await?;
        page.password_errors = errors;
        return unprocessable(&page);
    }
    let keep = match ctx.auth.as_deref().map(|a| &a.credential) {
        Some(Credential::Session { token, .. }) => Some(token.as_str()),
        _ => None,
    };
    state
        .store
        .set_password_keeping(&ctx.actor(), user.id, password, keep)
        .await?;
    Ok(Redirect::to("/account?done=password").into_response())
}

#[derive(Template)]
#[template(path = "account/token.html")]
struct TokenPage {
    c: Chrome,
    token: String,
    name: String,
    expires_at: String,
}

/// Parses the optional life of a token, in whole days.
fn parse_token_days(raw: &str) -> Result<Option<i64>, ()> {
    if raw.trim().is_empty() {
        return Ok(None);
    }
    match raw.trim().parse::<i64>() {
        Ok(days) if (1..=MAX_TOKEN_DAYS).contains(&days) => Ok(Some(days)),
        _ => Err(()),
    }
}

async fn create_token(State(state): State<AppState>, ctx: Ctx, fields: Fields) -> Result<Response, AppError> {
    let user = me(&ctx)?;
    let tr = Tr::new(ctx.language);
    let (name, days) = (fields.get("name"), fields.get("expires_days"));
    let mut errors = FieldErrors::default();
    errors.check(&tr, "name", required_text("token name", name, 100));
    let expires_days = parse_token_days(days).unwrap_or_else(|()| {
        errors.add("expires_days", tr.t1("account-token-days-range", "max", MAX_TOKEN_DAYS));
        None
    });
    if !errors.is_empty() {
        let mut page = AccountPage::load(&state, &ctx).await?;
        page.token_name = name.to_owned();
        page.token_days = days.to_owned();
        page.token_errors = errors;
        return unprocessable(&page);
    }
    let expires = expires_days.map(|d| time::OffsetDateTime::now_utc() + time::Duration::days(d));
    let (token, listed) = state
        .store
        .create_api_token(&ctx.actor(), user.id, name, expires)
        .await?;
    let page = TokenPage {
        c: Chrome::new(&ctx, "/account"),
        token,
        name: listed.name,
        expires_at: listed.expires_at.unwrap_or_default(),
    };
    // The page holds a secret: no cache may keep a copy of it.
    Ok(([(header::CACHE_CONTROL, "no-store")], render(&page)?).into_response())
}

async fn revoke_token(State(state): State<AppState>, ctx: Ctx, Id(id): Id) -> Result<Response, AppError> {
    let user = me(&ctx)?;
    state.store.revoke_api_token(&ctx.actor(), user.id, id).await?;
    Ok(Redirect::to("/account?done=revoked").into_response())
}
