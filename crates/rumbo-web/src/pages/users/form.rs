//! Creating accounts and looking after them: profile, password reset, deactivation. Platform
//! admins may do this for anyone; organisation managers for the field staff of their own
//! organisation (see `Subject::may_manage_user`). Nobody does it to their own account here:
//! that is what the account page is for.

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use rumbo_domain::access::{Action, Grant, Subject, Target};
use rumbo_domain::country::Country;
use rumbo_domain::error::required_text;
use rumbo_domain::language::Language;
use rumbo_store::StoreError;
use rumbo_store::credentials::MIN_PASSWORD_LEN;
use rumbo_store::organisations::{Organisation, OrganisationQuery};
use rumbo_store::users::{NewUser, User, UserPatch, parse_email, parse_username};

use super::super::parts::{Choice, FieldErrors, Fields, domain_message, language_choices, unprocessable};
use super::super::{Chrome, render};
use super::{grant_choices, parse_grant, reachable};
use crate::AppState;
use crate::api::Id;
use crate::auth::Ctx;
use crate::error::AppError;
use crate::i18n::Tr;

/// How many role rows the new-account form offers; more are granted on the account's page.
const ROLE_ROWS: usize = 2;

/// Every organisation, inactive ones included: an account may belong to one that has since
/// been deactivated, and its edit form must still show it.
async fn all_organisations(state: &AppState) -> Result<Vec<Organisation>, AppError> {
    let query = OrganisationQuery {
        include_inactive: true,
        ..OrganisationQuery::default()
    };
    let page = rumbo_store::Page::new(Some(rumbo_store::Page::MAX_LIMIT), None);
    Ok(state.store.organisations(&query, page).await?.0)
}

fn organisation_choices(organisations: &[Organisation], selected: &str) -> Vec<Choice> {
    organisations
        .iter()
        .map(|o| {
            let id = o.id.to_string();
            let selected = id == selected;
            Choice::new(id, format!("{} — {}", o.acronym, o.name), selected)
        })
        .collect()
}

/// `Some(None)` for "follow the browser", `None` for a value that is not a language.
fn parse_language(raw: &str) -> Option<Option<Language>> {
    if raw.is_empty() {
        Some(None)
    } else {
        Language::parse(raw).map(Some)
    }
}

fn check_password(tr: &Tr, errors: &mut FieldErrors, field: &'static str, password: &str, confirm: &str) {
    if password.chars().count() < MIN_PASSWORD_LEN {
        errors.add(field, tr.t1("field-password-short", "min", MIN_PASSWORD_LEN));
    } else if password != confirm {
        errors.add("password_confirm", tr.t("field-password-mismatch"));
    }
}

/// The new-account form as typed. The password is never sent back to the browser.
#[derive(Debug, Default)]
struct NewUserForm {
    username: String,
    display_name: String,
    email: String,
    organisation: String,
    language: String,
    /// (role, country) pairs; blank role: no role on this row.
    roles: Vec<(String, String)>,
}

/// One row of role and country selects, with what was chosen.
struct RoleRow {
    roles: Vec<Choice>,
    scopes: Vec<Choice>,
}

#[derive(Template)]
#[template(path = "users/new.html")]
struct NewPage {
    c: Chrome,
    form: NewUserForm,
    organisations: Vec<Choice>,
    languages: Vec<Choice>,
    role_rows: Vec<RoleRow>,
    min_password: usize,
    errors: FieldErrors,
}

impl NewPage {
    fn new(
        ctx: &Ctx,
        subject: &Subject,
        form: NewUserForm,
        staffed: &[Organisation],
        countries: &[Country],
    ) -> NewPage {
        let c = Chrome::new(ctx, "/users");
        // Managers staff their own organisation; what an admin may grant does not depend on it.
        let (roles, scopes) = grant_choices(&c.tr, subject, subject.organisation_id, countries);
        let role_rows = (0..ROLE_ROWS)
            .map(|i| {
                let (role, country) = form.roles.get(i).cloned().unwrap_or_default();
                let pick = |choices: &[Choice], value: &str| {
                    choices
                        .iter()
                        .map(|ch| Choice::new(&ch.value, &ch.label, ch.value.eq_ignore_ascii_case(value)))
                        .collect()
                };
                RoleRow {
                    roles: pick(&roles, &role),
                    scopes: pick(&scopes, &country),
                }
            })
            .collect();
        NewPage {
            organisations: organisation_choices(staffed, &form.organisation),
            languages: language_choices(&c.tr, &form.language),
            c,
            form,
            role_rows,
            min_password: MIN_PASSWORD_LEN,
            errors: FieldErrors::default(),
        }
    }
}

/// The organisations the signed-in user may create accounts in.
async fn staffable(state: &AppState, subject: &Subject) -> Result<Vec<Organisation>, AppError> {
    Ok(all_organisations(state)
        .await?
        .into_iter()
        .filter(|o| o.is_active && subject.may(Action::ManageUsers, &Target::organisation(o.id, None)))
        .collect())
}

pub(super) async fn new_form(State(state): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    let subject = ctx.user()?.subject();
    let staffed = staffable(&state, &subject).await?;
    if staffed.is_empty() {
        return Err(AppError::Forbidden);
    }
    let countries = state.store.countries().await?;
    let form = NewUserForm {
        organisation: subject.organisation_id.to_string(),
        ..Default::default()
    };
    render(&NewPage::new(&ctx, &subject, form, &staffed, &countries))
}

pub(super) async fn create(State(state): State<AppState>, ctx: Ctx, fields: Fields) -> Result<Response, AppError> {
    let subject = ctx.user()?.subject();
    let staffed = staffable(&state, &subject).await?;
    if staffed.is_empty() {
        return Err(AppError::Forbidden);
    }
    let countries = state.store.countries().await?;
    let tr = Tr::new(ctx.language);
    let form = NewUserForm {
        username: fields.get("username").to_owned(),
        display_name: fields.get("display_name").to_owned(),
        email: fields.get("email").to_owned(),
        organisation: fields.get("organisation").to_owned(),
        language: fields.get("language").to_owned(),
        roles: fields
            .each("role")
            .into_iter()
            .zip(fields.each("country"))
            .map(|(r, c)| (r.to_owned(), c.to_owned()))
            .collect(),
    };
    let mut errors = FieldErrors::default();
    let username = parse_username(&form.username).ok();
    if username.is_none() {
        errors.add("username", tr.t("field-username"));
    }
    let display_name = errors.check(
        &tr,
        "display_name",
        required_text("display name", &form.display_name, 120),
    );
    let email = parse_email(Some(&form.email)).unwrap_or_else(|_| {
        errors.add("email", tr.t("field-email"));
        None
    });
    let organisation = staffed.iter().find(|o| o.id.to_string() == form.organisation);
    if organisation.is_none() {
        errors.add("organisation", tr.t("field-choose"));
    }
    let language = parse_language(&form.language).unwrap_or_else(|| {
        errors.add("language", tr.t("field-choose"));
        None
    });
    let password = fields.raw("password");
    check_password(&tr, &mut errors, "password", password, fields.raw("password_confirm"));
    let mut grants: Vec<Grant> = Vec::new();
    for (role, country) in form.roles.iter().filter(|(role, _)| !role.is_empty()) {
        match parse_grant(role, country) {
            Ok(grant) if organisation.is_some_and(|o| subject.may_grant(grant, o.id)) => grants.push(grant),
            Ok(_) => errors.add("roles", tr.t("user-role-not-yours")),
            Err(e) => errors.add("roles", domain_message(&tr, &e)),
        }
    }
    let (Some(username), Some(display_name), Some(organisation), true) =
        (username, display_name, organisation, errors.is_empty())
    else {
        let mut page = NewPage::new(&ctx, &subject, form, &staffed, &countries);
        page.errors = errors;
        return unprocessable(&page);
    };
    let new = NewUser {
        username,
        display_name,
        email,
        organisation_id: organisation.id,
        password: password.to_owned(),
        language,
        grants,
    };
    match state.store.create_user(&ctx.actor(), &new).await {
        Ok(user) => Ok(Redirect::to(&format!("/users/{}?done=created", user.id)).into_response()),
        Err(e @ (StoreError::Conflict(_) | StoreError::Invalid(_))) => {
            let mut page = NewPage::new(&ctx, &subject, form, &staffed, &countries);
            let (field, message) = match e {
                StoreError::Conflict(_) => ("username", tr.t("user-username-taken")),
                _ => ("roles", tr.t("field-country")),
            };
            page.errors.add(field, message);
            unprocessable(&page)
        }
        Err(e) => Err(e.into()),
    }
}

/// The profile part of the edit page, as typed.
#[derive(Debug, Default)]
struct ProfileForm {
    display_name: String,
    email: String,
    organisation: String,
    language: String,
}

#[derive(Template)]
#[template(path = "users/edit.html")]
struct EditPage {
    c: Chrome,
    user: User,
    form: ProfileForm,
    organisations: Vec<Choice>,
    languages: Vec<Choice>,
    min_password: usize,
    errors: FieldErrors,
    password_errors: FieldErrors,
}

/// The account `id`, recorded as viewed, if the signed-in user may look after it; and the
/// organisations they may move it to.
async fn managed(state: &AppState, ctx: &Ctx, id: i64) -> Result<(User, Vec<Organisation>), AppError> {
    let user = reachable(state, ctx, id).await?;
    let subject = ctx.user()?.subject();
    if !subject.may_manage_user(user.id, user.organisation_id, &user.grants) {
        return Err(AppError::Forbidden);
    }
    let organisations = all_organisations(state)
        .await?
        .into_iter()
        .filter(|o| {
            o.id == user.organisation_id || (o.is_active && subject.may_manage_user(user.id, o.id, &user.grants))
        })
        .collect();
    Ok((state.store.view_user(&ctx.actor(), id).await?, organisations))
}

impl EditPage {
    fn new(ctx: &Ctx, user: User, form: ProfileForm, organisations: &[Organisation]) -> EditPage {
        let c = Chrome::new(ctx, "/users");
        EditPage {
            organisations: organisation_choices(organisations, &form.organisation),
            languages: language_choices(&c.tr, &form.language),
            c,
            user,
            form,
            min_password: MIN_PASSWORD_LEN,
            errors: FieldErrors::default(),
            password_errors: FieldErrors::default(),
        }
    }
}

pub(super) async fn edit_form(State(state): State<AppState>, ctx: Ctx, Id(id): Id) -> Result<Response, AppError> {
    let (user, organisations) = managed(&state, &ctx, id).await?;
    let form = ProfileForm {
        display_name: user.display_name.clone(),
        email: user.email.clone().unwrap_or_default(),
        organisation: user.organisation_id.to_string(),
        language: user.language.map(|l| l.code().to_owned()).unwrap_or_default(),
    };
    render(&EditPage::new(&ctx, user, form, &organisations))
}

pub(super) async fn update(
    State(state): State<AppState>,
    ctx: Ctx,
    Id(id): Id,
    fields: Fields,
) -> Result<Response, AppError> {
    let (user, organisations) = managed(&state, &ctx, id).await?;
    let tr = Tr::new(ctx.language);
    let form = ProfileForm {
        display_name: fields.get("display_name").to_owned(),
        email: fields.get("email").to_owned(),
        organisation: fields.get("organisation").to_owned(),
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
    let organisation = organisations.iter().find(|o| o.id.to_string() == form.organisation);
    if organisation.is_none() {
        errors.add("organisation", tr.t("field-choose"));
    }
    let language = parse_language(&form.language).unwrap_or_else(|| {
        errors.add("language", tr.t("field-choose"));
        None
    });
    let (Some(display_name), Some(organisation), true) = (display_name, organisation, errors.is_empty()) else {
        let mut page = EditPage::new(&ctx, user, form, &organisations);
        page.errors = errors;
        return unprocessable(&page);
    };
    let patch = UserPatch {
        display_name: Some(display_name),
        email: Some(email),
        organisation_id: Some(organisation.id),
        language: Some(language),
        is_active: None,
    };
    state.store.update_user(&ctx.actor(), id, &patch).await?;
    Ok(Redirect::to(&format!("/users/{id}?done=saved")).into_response())
}

pub(super) async fn reset_password(
    State(state): State<AppState>,
    ctx: Ctx,
    Id(id): Id,
    fields: Fields,
) -> Result<Response, AppError> {
    let (user, organisations) = managed(&state, &ctx, id).await?;
    let tr = Tr::new(ctx.language);
    let mut errors = FieldErrors::default();
    let password = fields.raw("password");
    check_password(&tr, &mut errors, "password", password, fields.raw("password_confirm"));
    if !errors.is_empty() {
        let form = ProfileForm {
            display_name: user.display_name.clone(),
            email: user.email.clone().unwrap_or_default(),
            organisation: user.organisation_id.to_string(),
            language: user.language.map(|l| l.code().to_owned()).unwrap_or_default(),
        };
        let mut page = EditPage::new(&ctx, user, form, &organisations);
        page.password_errors = errors;
        return unprocessable(&page);
    }
    state.store.set_password(&ctx.actor(), id, password).await?;
    Ok(Redirect::to(&format!("/users/{id}?done=password")).into_response())
}

/// Deactivates (`active` blank or 0) or reactivates (`active=1`) an account. Deactivation ends
/// every session of the account at once.
pub(super) async fn set_active(
    State(state): State<AppState>,
    ctx: Ctx,
    Id(id): Id,
    fields: Fields,
) -> Result<Response, AppError> {
    let user = reachable(&state, &ctx, id).await?;
    if !ctx
        .user()?
        .subject()
        .may_manage_user(user.id, user.organisation_id, &user.grants)
    {
        return Err(AppError::Forbidden);
    }
    let active = fields.get("active") == "1";
    let patch = UserPatch {
        is_active: Some(active),
        ..UserPatch::default()
    };
    state.store.update_user(&ctx.actor(), id, &patch).await?;
    let done = if active { "reactivated" } else { "deactivated" };
    Ok(Redirect::to(&format!("/users/{id}?done={done}")).into_response())
}
