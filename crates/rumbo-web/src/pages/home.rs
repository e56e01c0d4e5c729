//! The start page: what is in this Rumbo, and where to go next.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use rumbo_domain::access::{Action, Target};
use rumbo_store::Page;
use rumbo_store::organisations::OrganisationQuery;

use super::{Chrome, render};
use crate::AppState;
use crate::auth::Ctx;
use crate::error::AppError;

pub fn router() -> Router<AppState> {
    Router::new().route("/", get(home))
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    c: Chrome,
    countries: usize,
    organisations: i64,
    roles: Vec<String>,
}

async fn home(State(state): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    let user = ctx.require(Action::ViewReferenceData, &Target::anywhere())?;
    let c = Chrome::new(&ctx, "/");
    let roles = user
        .grants
        .iter()
        .map(|g| match g.scope.country() {
            Some(country) => format!("{} · {country}", c.tr.label(g.role)),
            None => format!("{} · {}", c.tr.label(g.role), c.tr.t("scope-region")),
        })
        .collect();
    let countries = state.store.countries().await?.iter().filter(|c| c.in_response).count();
    let (_, organisations) = state
        .store
        .organisations(&OrganisationQuery::default(), Page::new(Some(1), None))
        .await?;
    render(&HomePage {
        c,
        countries,
        organisations,
        roles,
    })
}
