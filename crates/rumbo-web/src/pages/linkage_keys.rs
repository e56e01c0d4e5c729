//! Linkage keys: an organisation uploads its encodings for a country, IM officers link every
//! organisation's keys and read the overlaps, organisations consent to releasing their matched
//! pairs and download them when both did. The logic is the API's (`api::linkage_keys`).

use askama::Template;
use axum::Router;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use rumbo_domain::access::{Action, Target};
use rumbo_domain::country::Iso3;
use rumbo_store::Page;
use rumbo_store::clk::{ConsentRecord, KeySetSummary, RunRecord};
use rumbo_store::organisations::OrganisationQuery;
use serde::Deserialize;

use super::parts::{Choice, Fields};
use super::{Chrome, render};
use crate::AppState;
use crate::api::linkage_keys::{country_of, linkage_for, release, save_keys, withdraw};
use crate::auth::Ctx;
use crate::error::{AppError, ProblemOut};
use crate::files::download;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/linkage-keys", get(page))
        .route("/linkage-keys/{country}/keys", post(upload))
        .route("/linkage-keys/{country}/runs", post(run))
        .route("/linkage-keys/{country}/consents", post(consent))
        .route("/linkage-keys/consents/{id}/revoke", post(revoke))
        .route("/linkage-keys/{country}/pairs/{partner}", get(pairs_csv))
}

#[derive(Template)]
#[template(path = "linkage_keys/index.html")]
struct LinkagePage {
    c: Chrome,
    countries: Vec<(String, String)>,
    country: String,
    sets: Vec<KeySetSummary>,
    run: Option<RunRecord>,
    consents: Vec<ConsentRecord>,
    /// Partners the user's organisation may consent to (every other organisation).
    partners: Vec<Choice>,
    /// Partners with which pairs are released (both consented).
    released: Vec<(i64, String)>,
    can_upload: bool,
    can_run: bool,
    own_org: i64,
    refusal: Option<String>,
    problems: Vec<ProblemOut>,
}

#[derive(Deserialize)]
struct Chosen {
    country: Option<String>,
}

/// The response countries where the user may upload keys or link them.
async fn linkage_countries(state: &AppState, ctx: &Ctx) -> Result<Vec<Iso3>, AppError> {
    let user = ctx.user()?;
    let subject = user.subject();
    Ok(state
        .store
        .countries()
        .await?
        .into_iter()
        .filter(|c| c.in_response)
        .map(|c| c.iso3)
        .filter(|c| {
            subject.may(Action::RunLinkage, &Target::country(*c))
                || subject.may(
                    Action::ManageLinkageKeys,
                    &Target::organisation(user.organisation_id, Some(*c)),
                )
        })
        .collect())
}

async fn build(state: &AppState, ctx: &Ctx, chosen: Option<&str>) -> Result<LinkagePage, AppError> {
    let c = Chrome::new(ctx, "/linkage-keys");
    let countries = linkage_countries(state, ctx).await?;
    if countries.is_empty() {
        return Err(AppError::Forbidden);
    }
    let country = match chosen.map(str::trim).filter(|c| !c.is_empty()) {
        Some(raw) => country_of(raw)?,
        None => countries[0],
    };
    let overview = linkage_for(state, ctx, country).await?;
    let user = ctx.user()?;
    let own = user.organisation_id;
    let subject = user.subject();
    let gave = |from: i64, to: i64| {
        overview
            .consents
            .iter()
            .any(|k| k.organisation_id == from && k.partner_id == to)
    };
    let (organisations, _) = state
        .store
        .organisations(&OrganisationQuery::default(), Page::new(Some(Page::MAX_LIMIT), None))
        .await?;
    let released = organisations
        .iter()
        .filter(|o| o.id != own && gave(own, o.id) && gave(o.id, own))
        .map(|o| (o.id, o.acronym.clone()))
        .collect();
    let partners = organisations
        .iter()
        .filter(|o| o.id != own)
        .map(|o| Choice::new(o.id.to_string(), format!("{} — {}", o.acronym, o.name), false))
        .collect();
    Ok(LinkagePage {
        countries: countries.iter().map(|c| (c.to_string(), c.to_string())).collect(),
        country: country.to_string(),
        sets: overview.sets,
        run: overview.latest_run,
        consents: overview.consents,
        partners,
        released,
        can_upload: subject.may(Action::ManageLinkageKeys, &Target::organisation(own, Some(country))),
        can_run: subject.may(Action::RunLinkage, &Target::country(country)),
        own_org: own,
        refusal: None,
        problems: Vec::new(),
        c,
    })
}

async fn page(State(state): State<AppState>, ctx: Ctx, Query(chosen): Query<Chosen>) -> Result<Response, AppError> {
    render(&build(&state, &ctx, chosen.country.as_deref()).await?)
}

fn back(country: Iso3) -> Response {
    Redirect::to(&format!("/linkage-keys?country={country}")).into_response()
}

async fn upload(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(country): Path<String>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, AppError> {
    let country = country_of(&country)?;
    match save_keys(&state, &ctx, country, multipart).await {
        Ok(_) => Ok(back(country)),
        Err(AppError::Rejected { message, problems }) => {
            let mut page = build(&state, &ctx, Some(country.as_str())).await?;
            page.refusal = Some(message);
            page.problems = problems;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        Err(other) => Err(other),
    }
}

async fn run(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(country): Path<String>,
    fields: Fields,
) -> Result<Response, AppError> {
    let country = country_of(&country)?;
    ctx.require(Action::RunLinkage, &Target::country(country))?;
    let threshold = fields
        .get("threshold")
        .trim()
        .parse::<f64>()
        .map_err(|_| AppError::Invalid("the threshold must be a number between 0.5 and 1, such as 0.8".into()))?;
    state.store.run_linkage(&ctx.actor(), country, threshold).await?;
    Ok(back(country))
}

async fn consent(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(country): Path<String>,
    fields: Fields,
) -> Result<Response, AppError> {
    let country = country_of(&country)?;
    let own = ctx.user()?.organisation_id;
    ctx.require(Action::ManageLinkageKeys, &Target::organisation(own, Some(country)))?;
    let partner = fields
        .get("partner_id")
        .parse()
        .map_err(|_| AppError::Invalid("choose a partner organisation".into()))?;
    state
        .store
        .consent_to_linkage(&ctx.actor(), country, own, partner)
        .await?;
    Ok(back(country))
}

async fn revoke(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> Result<Response, AppError> {
    let id = id
        .parse()
        .map_err(|_| AppError::NotFound(format!("there is no consent '{id}'")))?;
    let (country, _) = state.store.linkage_consent(id).await?;
    withdraw(&state, &ctx, id).await?;
    Ok(back(country))
}

async fn pairs_csv(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((country, partner)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let country = country_of(&country)?;
    let partner: i64 = partner
        .parse()
        .map_err(|_| AppError::NotFound(format!("there is no organisation '{partner}'")))?;
    let pairs = release(&state, &ctx, country, partner).await?;
    let mut text = String::from("own_pseudonym,partner_pseudonym,dice\n");
    for p in &pairs {
        text.push_str(&format!("{},{},{:.4}\n", p.own_pseudonym, p.partner_pseudonym, p.dice));
    }
    let name = format!("linkage-pairs-{country}-{partner}.csv");
    Ok(download(text.into_bytes(), "text/csv; charset=utf-8", Some(&name)))
}
