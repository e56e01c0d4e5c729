//! Who works at which registration desk: the desk's organisation's managers and the country's
//! IM officers assign enumerators to desks, as flow monitoring assigns them to points. An
//! enumerator registers, browses and corrects households only at their desks.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use rumbo_domain::access::Action;
use rumbo_store::registration::DeskAssignee;
use rumbo_store::users::User;

use super::super::parts::{Fields, unprocessable};
use super::super::{Chrome, render};
use crate::AppState;
use crate::auth::Ctx;
use crate::error::AppError;
use crate::i18n::Tr;
use crate::registration::{desk_target, without_desk};

/// One desk on the page, with the accounts assigned to it.
struct DeskLine {
    id: i64,
    label: String,
    country: String,
    assignees: Vec<DeskAssignee>,
}

#[derive(Template)]
#[template(path = "registration/desks.html")]
struct DesksPage {
    c: Chrome,
    desks: Vec<DeskLine>,
    refusal: Option<String>,
}

/// What an enumerator is told about their desks on the registration pages, if anything.
pub(crate) fn desk_note(tr: &Tr, user: &User) -> Option<String> {
    without_desk(user).then(|| tr.t("reg-desk-none"))
}

/// The desks whose assignments the user may change.
async fn managed_desks(state: &AppState, ctx: &Ctx) -> Result<Vec<DeskLine>, AppError> {
    let subject = ctx.user()?.subject();
    let mut lines = Vec::new();
    for desk in state.store.registration_desks().await? {
        if subject.may(Action::ManageDeskAssignments, &desk_target(&desk)) {
            lines.push(DeskLine {
                id: desk.id,
                label: format!("{} — {}", desk.code, desk.name),
                country: desk.country.to_string(),
                assignees: state.store.desk_assignees(desk.id).await?,
            });
        }
    }
    Ok(lines)
}

async fn desks_page(state: &AppState, ctx: &Ctx, refusal: Option<String>) -> Result<DesksPage, AppError> {
    let desks = managed_desks(state, ctx).await?;
    if desks.is_empty() && !ctx.may_somewhere(Action::ManageDeskAssignments) {
        return Err(AppError::Forbidden);
    }
    Ok(DesksPage {
        c: Chrome::new(ctx, "/registration/desks"),
        desks,
        refusal,
    })
}

pub(super) async fn page(State(state): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    render(&desks_page(&state, &ctx, None).await?)
}

/// Assigns the account named in the form to the desk, or (`assigned=0`) takes it away.
pub(super) async fn assign(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    fields: Fields,
) -> Result<Response, AppError> {
    let id: i64 = id
        .parse()
        .map_err(|_| AppError::NotFound(format!("registration desk {id} does not exist")))?;
    let desk = state.store.registration_desk(id).await?;
    ctx.require(Action::ManageDeskAssignments, &desk_target(&desk))?;
    let username = fields.get("username").trim().to_lowercase();
    let assigned = fields.get("assigned") != "0";
    let outcome = match state.store.user_id_by_username(&username).await? {
        None => Err(AppError::Invalid(format!("no account has the username '{username}'"))),
        Some(user_id) => state
            .store
            .set_desk_assignment(&ctx.actor(), user_id, id, assigned)
            .await
            .map_err(AppError::from),
    };
    match outcome {
        Ok(()) => Ok(Redirect::to("/registration/desks").into_response()),
        Err(AppError::Invalid(message) | AppError::Conflict(message)) => {
            unprocessable(&desks_page(&state, &ctx, Some(message)).await?)
        }
        Err(other) => Err(other),
    }
}
