//! User accounts and their roles. Names and e-mail addresses are personal data: every list and
//! every page that shows an account is recorded in the audit log by the store, and each viewer
//! sees only the accounts the access policy lets them reach. Creating, editing and granting
//! live in [`form`]; this module lists, shows, grants and revokes.

/// Creating accounts, editing profiles, password resets, deactivation.
mod form;

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use rumbo_domain::Vocabulary;
use rumbo_domain::access::{Action, Grant, Role, Scope, Subject, Target};
use rumbo_domain::country::{Country, Iso3};
use rumbo_store::users::{User, UserQuery};
use rumbo_store::{Page, StoreError};
use serde::Deserialize;

use super::parts::{Choice, Fields, PAGE_SIZE, Pager};
use super::{Chrome, render};
use crate::AppState;
use crate::api::Id;
use crate::api::Params;
use crate::auth::Ctx;
use crate::error::AppError;
use crate::i18n::Tr;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/users", get(list).post(form::create))
        .route("/users/new", get(form::new_form))
        .route("/users/{id}", get(show).post(form::update))
        .route("/users/{id}/edit", get(form::edit_form))
        .route("/users/{id}/password", post(form::reset_password))
        .route("/users/{id}/active", post(form::set_active))
        .route("/users/{id}/roles", post(grant))
        .route("/users/{id}/roles/revoke", post(revoke))
}

/// A role as people read it: "Enumerator · Colombia".
pub(super) fn grant_label(tr: &Tr, grant: &Grant, countries: &[Country]) -> String {
    let scope = match grant.scope {
        Scope::Region => tr.t("scope-region"),
        Scope::Country(iso) => countries
            .iter()
            .find(|c| c.iso3 == iso)
            .map_or_else(|| iso.to_string(), |c| tr.name(&c.names).to_owned()),
    };
    format!("{} · {scope}", tr.label(grant.role))
}

/// The roles and scopes `subject` may hand out to a member of `organisation`, as select
/// options; both empty when they may grant nothing there.
fn grant_choices(tr: &Tr, subject: &Subject, organisation: i64, countries: &[Country]) -> (Vec<Choice>, Vec<Choice>) {
    let scopes: Vec<Scope> = std::iter::once(Scope::Region)
        .chain(countries.iter().map(|c| Scope::Country(c.iso3)))
        .collect();
    let may = |role: Role, scope: Scope| subject.may_grant(Grant { role, scope }, organisation);
    let roles = Role::ALL
        .iter()
        .filter(|role| scopes.iter().any(|scope| may(**role, *scope)))
        .map(|role| Choice::new(role.code(), tr.label(*role), false))
        .collect();
    let mut places: Vec<Choice> = scopes
        .iter()
        .filter(|scope| Role::ALL.iter().any(|role| may(*role, **scope)))
        .map(|scope| match scope {
            Scope::Region => Choice::new("", tr.t("scope-region"), false),
            Scope::Country(iso) => {
                let name = countries
                    .iter()
                    .find(|c| c.iso3 == *iso)
                    .map_or_else(|| iso.to_string(), |c| tr.name(&c.names).to_owned());
                Choice::new(iso.as_str(), name, false)
            }
        })
        .collect();
    // The region first, then countries by name in the reader's language.
    places.sort_by(|a, b| (!a.value.is_empty(), &a.label).cmp(&(!b.value.is_empty(), &b.label)));
    (roles, places)
}

/// A grant from a role field and a country field (blank: the whole region).
fn parse_grant(role: &str, country: &str) -> Result<Grant, rumbo_domain::DomainError> {
    let role = Role::parse(role)?;
    let scope = if country.trim().is_empty() {
        Scope::Region
    } else {
        Scope::Country(Iso3::parse(country)?)
    };
    Ok(Grant { role, scope })
}

/// The account `id`, if the signed-in user may see it. Not yet recorded as viewed: pages that
/// show it fetch it again through `Store::view_user`, which records the view.
async fn reachable(state: &AppState, ctx: &Ctx, id: i64) -> Result<User, AppError> {
    // Those who may see no account at all learn nothing, not even whether `id` exists.
    if ctx.user()?.subject().user_reach().is_empty() {
        return Err(AppError::Forbidden);
    }
    let user = state.store.user(id).await?;
    ctx.require(Action::ViewUsers, &user.as_target())?;
    Ok(user)
}

struct Row {
    id: i64,
    username: String,
    display_name: String,
    organisation: String,
    roles: Vec<String>,
    active: bool,
    last_sign_in: String,
}

#[derive(Template)]
#[template(path = "users/list.html")]
struct ListPage {
    c: Chrome,
    rows: Vec<Row>,
    pager: Pager,
    organisations: Vec<Choice>,
    roles: Vec<Choice>,
    q: String,
    inactive: bool,
    may_create: bool,
}

#[derive(Debug, Default, Deserialize)]
struct ListQuery {
    organisation: Option<String>,
    role: Option<String>,
    q: Option<String>,
    inactive: Option<String>,
    offset: Option<i64>,
}

async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    Params(filter): Params<ListQuery>,
) -> Result<Response, AppError> {
    let subject = ctx.user()?.subject();
    let reach = subject.user_reach();
    if reach.is_empty() {
        return Err(AppError::Forbidden);
    }
    let c = Chrome::new(&ctx, "/users");
    let text = |v: &Option<String>| v.as_deref().map(str::trim).unwrap_or_default().to_owned();
    let (organisation, role, q) = (text(&filter.organisation), text(&filter.role), text(&filter.q));
    let inactive = filter.inactive.is_some_and(|v| !v.is_empty());
    let query = UserQuery {
        organisation_id: organisation.parse().ok(),
        role: Role::parse(&role).ok(),
        search: Some(q.clone()).filter(|q| !q.is_empty()),
        include_inactive: inactive,
        reach: Some(reach),
        ..Default::default()
    };
    let page = Page::new(Some(PAGE_SIZE), filter.offset);
    let (users, total) = state.store.users(&ctx.actor(), &query, page).await?;
    let countries = state.store.countries().await?;
    let (organisations, _) = state
        .store
        .organisations(
            &rumbo_store::organisations::OrganisationQuery {
                include_inactive: true,
                ..Default::default()
            },
            Page::new(Some(Page::MAX_LIMIT), None),
        )
        .await?;
    let rows = users
        .into_iter()
        .map(|u| Row {
            roles: u.grants.iter().map(|g| grant_label(&c.tr, g, &countries)).collect(),
            id: u.id,
            username: u.username,
            display_name: u.display_name,
            organisation: u.organisation_acronym,
            active: u.is_active,
            last_sign_in: u.last_sign_in_at.unwrap_or_default(),
        })
        .collect();
    let inactive_flag = if inactive { "1" } else { "" };
    let pager = Pager::new(
        "/users",
        &[
            ("organisation", &organisation),
            ("role", &role),
            ("q", &q),
            ("inactive", inactive_flag),
        ],
        page,
        total,
    );
    render(&ListPage {
        organisations: organisations
            .iter()
            .map(|o| Choice::new(o.id.to_string(), &o.acronym, o.id.to_string() == organisation))
            .collect(),
        roles: Role::ALL
            .iter()
            .map(|r| Choice::new(r.code(), c.tr.label(*r), r.code() == role))
            .collect(),
        may_create: subject.may(
            Action::ManageUsers,
            &Target::organisation(subject.organisation_id, None),
        ),
        c,
        rows,
        pager,
        q,
        inactive,
    })
}

/// A role the account holds, and whether the viewer may take it away.
struct RoleRow {
    label: String,
    role: &'static str,
    country: String,
    may_revoke: bool,
}

#[derive(Template)]
#[template(path = "users/show.html")]
struct ShowPage {
    c: Chrome,
    user: User,
    language: String,
    roles: Vec<RoleRow>,
    grant_roles: Vec<Choice>,
    grant_scopes: Vec<Choice>,
    /// Why the last grant was refused, next to the grant form.
    grant_error: Option<String>,
    may_edit: bool,
    notice: Option<String>,
}

impl ShowPage {
    /// Builds the page for `id`, recording the view in the audit log.
    async fn load(state: &AppState, ctx: &Ctx, id: i64) -> Result<ShowPage, AppError> {
        reachable(state, ctx, id).await?;
        let subject = ctx.user()?.subject();
        let user = state.store.view_user(&ctx.actor(), id).await?;
        let c = Chrome::new(ctx, "/users");
        let countries = state.store.countries().await?;
        let roles = user
            .grants
            .iter()
            .map(|g| RoleRow {
                label: grant_label(&c.tr, g, &countries),
                role: g.role.code(),
                country: g.scope.country().map(|c| c.to_string()).unwrap_or_default(),
                may_revoke: subject.may_grant_to(*g, user.id, user.organisation_id),
            })
            .collect();
        let (grant_roles, grant_scopes) = if user.id == subject.user_id {
            (Vec::new(), Vec::new())
        } else {
            grant_choices(&c.tr, &subject, user.organisation_id, &countries)
        };
        Ok(ShowPage {
            language: user
                .language
                .map_or_else(|| c.tr.t("user-language-browser"), |l| l.endonym().to_owned()),
            may_edit: subject.may_manage_user(user.id, user.organisation_id, &user.grants),
            c,
            roles,
            grant_roles,
            grant_scopes,
            grant_error: None,
            notice: None,
            user,
        })
    }
}

#[derive(Debug, Default, Deserialize)]
struct ShowQuery {
    done: Option<String>,
}

async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    Id(id): Id,
    Params(query): Params<ShowQuery>,
) -> Result<Response, AppError> {
    let mut page = ShowPage::load(&state, &ctx, id).await?;
    // What was just done, from the redirect after a form; unknown values show nothing.
    page.notice = match query.done.as_deref() {
        Some(done @ ("created" | "saved" | "password" | "deactivated" | "reactivated" | "granted" | "revoked")) => {
            Some(page.c.tr.t(&format!("user-done-{done}")))
        }
        _ => None,
    };
    render(&page)
}

async fn grant(State(state): State<AppState>, ctx: Ctx, Id(id): Id, fields: Fields) -> Result<Response, AppError> {
    let user = reachable(&state, &ctx, id).await?;
    let tr = Tr::new(ctx.language);
    let grant = match parse_grant(fields.get("role"), fields.get("country")) {
        Ok(grant) => grant,
        Err(e) => return refuse_grant(&state, &ctx, id, super::parts::domain_message(&tr, &e)).await,
    };
    if !ctx.user()?.subject().may_grant_to(grant, user.id, user.organisation_id) {
        return Err(AppError::Forbidden);
    }
    match state.store.grant_role(&ctx.actor(), id, grant).await {
        Ok(()) => Ok(Redirect::to(&format!("/users/{id}?done=granted")).into_response()),
        Err(StoreError::Conflict(_)) => refuse_grant(&state, &ctx, id, tr.t("user-role-held")).await,
        Err(StoreError::Invalid(_)) => refuse_grant(&state, &ctx, id, tr.t("field-country")).await,
        Err(e) => Err(e.into()),
    }
}

/// The user's page again, with why the grant was refused next to the grant form.
async fn refuse_grant(state: &AppState, ctx: &Ctx, id: i64, why: String) -> Result<Response, AppError> {
    let mut page = ShowPage::load(state, ctx, id).await?;
    page.grant_error = Some(why);
    super::parts::unprocessable(&page)
}

async fn revoke(State(state): State<AppState>, ctx: Ctx, Id(id): Id, fields: Fields) -> Result<Response, AppError> {
    let user = reachable(&state, &ctx, id).await?;
    // The fields are hidden ones written by the page: a bad value is a bad request.
    let grant =
        parse_grant(fields.get("role"), fields.get("country")).map_err(|e| AppError::BadRequest(e.to_string()))?;
    if !ctx.user()?.subject().may_grant_to(grant, user.id, user.organisation_id) {
        return Err(AppError::Forbidden);
    }
    state.store.revoke_role(&ctx.actor(), id, grant).await?;
    Ok(Redirect::to(&format!("/users/{id}?done=revoked")).into_response())
}
