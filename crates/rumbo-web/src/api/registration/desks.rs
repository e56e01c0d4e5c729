//! Enumerators' assignments to registration desks, as flow monitoring's assignments to points:
//! the desk's organisation's managers and the country's IM officers list and change them.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use rumbo_domain::access::Action;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::api::flow::AssignmentIn;
use crate::api::{Body, Id};
use crate::auth::Ctx;
use crate::error::{AppError, ErrorBody};
use crate::registration::desk_target;

/// An account assigned to a desk.
#[derive(Debug, Serialize, ToSchema)]
pub struct AssigneeOut {
    pub user_id: i64,
    pub username: String,
    pub display_name: String,
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_assignments, set_assignment))
}

/// The accounts assigned to a registration desk.
#[utoipa::path(get, path = "/registration/desks/{id}/assignments", tag = "registration",
    responses((status = 200, body = Vec<AssigneeOut>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn list_assignments(
    State(state): State<AppState>,
    ctx: Ctx,
    Id(id): Id,
) -> Result<Json<Vec<AssigneeOut>>, AppError> {
    let desk = state.store.registration_desk(id).await?;
    ctx.require(Action::ManageDeskAssignments, &desk_target(&desk))?;
    let assignees = state.store.desk_assignees(id).await?;
    Ok(Json(
        assignees
            .into_iter()
            .map(|a| AssigneeOut {
                user_id: a.user_id,
                username: a.username,
                display_name: a.display_name,
            })
            .collect(),
    ))
}

/// Assigns an account of the desk's organisation to a registration desk (or takes the
/// assignment away). Enumerators register, see and correct households only at their desks.
#[utoipa::path(post, path = "/registration/desks/{id}/assignments", tag = "registration",
    request_body = AssignmentIn,
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody)))]
async fn set_assignment(
    State(state): State<AppState>,
    ctx: Ctx,
    Id(id): Id,
    Body(input): Body<AssignmentIn>,
) -> Result<StatusCode, AppError> {
    let desk = state.store.registration_desk(id).await?;
    ctx.require(Action::ManageDeskAssignments, &desk_target(&desk))?;
    state
        .store
        .set_desk_assignment(&ctx.actor(), input.user_id, id, input.assigned)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
