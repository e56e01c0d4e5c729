//! The people of a household: corrected, added, moved to another household, split off into a
//! new one, merged; erased on request. Every change gives a reason, kept in the history.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use rumbo_domain::Vocabulary;
use rumbo_domain::access::Action;
use rumbo_domain::registration::people::Relationship;
use rumbo_domain::registration::pseudonym::{Kind, decode};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::MemberIn;
use super::households::ChangedOut;
use crate::AppState;
use crate::api::{Body, Id};
use crate::auth::Ctx;
use crate::error::{AppError, ErrorBody};
use crate::registration::{household_for, member_for};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(edit_member))
        .routes(routes!(add_member))
        .routes(routes!(move_member))
        .routes(routes!(split_household))
        .routes(routes!(merge_household))
        .routes(routes!(erase_member))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct MemberChangeIn {
    pub member: MemberIn,
    pub reason: String,
}

/// Corrects a person. Their documents are replaced by those given; one new to them that
/// someone else holds is flagged as a possible duplicate.
#[utoipa::path(put, path = "/registration/members/{id}", tag = "registration", request_body = MemberChangeIn,
    responses((status = 200, body = ChangedOut), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn edit_member(
    State(state): State<AppState>,
    ctx: Ctx,
    Id(id): Id,
    Body(body): Body<MemberChangeIn>,
) -> Result<Json<ChangedOut>, AppError> {
    member_for(&state, &ctx, id, Action::EditRegistrations).await?;
    let changed = state
        .store
        .edit_member(&ctx.actor(), id, &body.member.input()?, &body.reason)
        .await?;
    Ok(Json(ChangedOut {
        changed: changed.into_iter().map(str::to_owned).collect(),
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CodeOut {
    pub code: String,
}

/// Adds a person to a household (a birth, someone who joined it).
#[utoipa::path(post, path = "/registration/households/{id}/members", tag = "registration", request_body = MemberChangeIn,
    responses((status = 201, body = CodeOut), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn add_member(
    State(state): State<AppState>,
    ctx: Ctx,
    Id(id): Id,
    Body(body): Body<MemberChangeIn>,
) -> Result<(StatusCode, Json<CodeOut>), AppError> {
    let key = household_for(&state, &ctx, id, Action::EditRegistrations).await?;
    let code = state
        .store
        .add_member(&ctx.actor(), key.id, &body.member.input()?, &body.reason)
        .await?;
    Ok((StatusCode::CREATED, Json(CodeOut { code })))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct MoveIn {
    /// The code (or id) of the household the person joins.
    pub to: String,
    /// Their relationship to that household's head.
    pub relationship: String,
    pub reason: String,
}

/// Moves a person to another household of the same organisation.
#[utoipa::path(post, path = "/registration/members/{id}/move", tag = "registration", request_body = MoveIn,
    responses((status = 204), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn move_member(
    State(state): State<AppState>,
    ctx: Ctx,
    Id(id): Id,
    Body(body): Body<MoveIn>,
) -> Result<StatusCode, AppError> {
    member_for(&state, &ctx, id, Action::EditRegistrations).await?;
    let to = state.store.household_key_by_code(&body.to).await?;
    household_for(&state, &ctx, to.id, Action::EditRegistrations).await?;
    let relationship = Relationship::parse(&body.relationship)?;
    state
        .store
        .move_member(&ctx.actor(), id, to.id, relationship, &body.reason)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct SplitIn {
    /// Codes (or ids) of the people who form the new household.
    pub members: Vec<String>,
    /// Which of them heads it.
    pub head: String,
    pub reason: String,
}

fn person(raw: &str) -> Result<i64, AppError> {
    match raw.trim().parse::<i64>() {
        Ok(id) => Ok(id),
        Err(_) => Ok(decode(Kind::Person, raw)?),
    }
}

/// Splits people off into a new household at the same desk.
#[utoipa::path(post, path = "/registration/households/{id}/split", tag = "registration", request_body = SplitIn,
    responses((status = 201, body = CodeOut), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn split_household(
    State(state): State<AppState>,
    ctx: Ctx,
    Id(id): Id,
    Body(body): Body<SplitIn>,
) -> Result<(StatusCode, Json<CodeOut>), AppError> {
    let key = household_for(&state, &ctx, id, Action::EditRegistrations).await?;
    let members = body.members.iter().map(|m| person(m)).collect::<Result<Vec<_>, _>>()?;
    let code = state
        .store
        .split_household(&ctx.actor(), key.id, &members, person(&body.head)?, &body.reason)
        .await?;
    Ok((StatusCode::CREATED, Json(CodeOut { code })))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct MergeIn {
    /// The code (or id) of the household merged into this one; it is closed.
    pub from: String,
    pub reason: String,
}

/// Merges another household of the same organisation into this one.
#[utoipa::path(post, path = "/registration/households/{id}/merge", tag = "registration", request_body = MergeIn,
    responses((status = 204), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn merge_household(
    State(state): State<AppState>,
    ctx: Ctx,
    Id(id): Id,
    Body(body): Body<MergeIn>,
) -> Result<StatusCode, AppError> {
    let into = household_for(&state, &ctx, id, Action::EditRegistrations).await?;
    let from = state.store.household_key_by_code(&body.from).await?;
    household_for(&state, &ctx, from.id, Action::EditRegistrations).await?;
    state
        .store
        .merge_households(&ctx.actor(), into.id, from.id, &body.reason)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Erases one person's personal data on request; they stay in the figures.
#[utoipa::path(post, path = "/registration/members/{id}/erase", tag = "registration",
    responses((status = 204), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn erase_member(State(state): State<AppState>, ctx: Ctx, Id(id): Id) -> Result<StatusCode, AppError> {
    member_for(&state, &ctx, id, Action::EraseRegistrations).await?;
    state.store.erase_member(&ctx.actor(), id).await?;
    Ok(StatusCode::NO_CONTENT)
}
