//! Flow monitoring points: the list, a new point (its location and round 1 of its profile), a
//! point's page (profile and its rounds, enumerators assigned, recent observations) and, for
//! those who manage the country, a new round of the profile, assignments and corrections.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use rumbo_domain::Vocabulary;
use rumbo_domain::access::{Action, Target};
use rumbo_domain::country::Iso3;
use rumbo_domain::flow::profile::ProfileInput;
use rumbo_domain::flow::{Direction, Institution, PointType, Service, Weekday};
use rumbo_store::flow::counts::ObservationRow;
use rumbo_store::flow::{FlowPoint, ProfileRound};

use super::geography::countries_for;
use super::parts::{Choice, Fields, unprocessable};
use super::{Chrome, render};
use crate::AppState;
use crate::api::flow::{PointIn, ProfileIn, create_point_with_profile};
use crate::auth::Ctx;
use crate::error::{AppError, ProblemOut};
use crate::flow_data::reach;
use crate::i18n::Tr;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/flow/points", get(list))
        .route("/flow/points/new", get(new_form).post(create))
        .route("/flow/points/import", post(import))
        .route("/flow/points/{id}", get(detail))
        .route("/flow/points/{id}/profile", post(save_profile))
        .route("/flow/points/{id}/assignments", post(assign))
        .route("/flow/observations/{id}/delete", post(delete_observation))
}

/// Countries of `reach` (all when `None`) as select options, by name.
pub(super) async fn country_choices(
    state: &AppState,
    c: &Chrome,
    reach: Option<&[Iso3]>,
) -> Result<Vec<(String, String)>, AppError> {
    let mut countries: Vec<(String, String)> = state
        .store
        .countries()
        .await?
        .iter()
        .filter(|country| reach.is_none_or(|r| r.contains(&country.iso3)))
        .map(|country| (country.iso3.to_string(), c.tr.name(&country.names).to_owned()))
        .collect();
    countries.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(countries)
}

/// A point as the list shows it.
struct PointLine {
    id: i64,
    code: String,
    name: String,
    country: String,
    point_type: String,
    round: String,
    movements: String,
}

fn point_line(c: &Chrome, p: &FlowPoint) -> PointLine {
    let profile = p.profile.as_ref().map(|r| &r.profile);
    PointLine {
        id: p.location.id,
        code: p.location.code.clone(),
        name: p.location.name.clone(),
        country: p.location.country.to_string(),
        point_type: profile.map(|p| c.tr.label(p.point_type)).unwrap_or_default(),
        round: p.profile.as_ref().map(|r| r.round.to_string()).unwrap_or_default(),
        movements: profile.map(|p| labels(&c.tr, &p.movement_types)).unwrap_or_default(),
    }
}

fn labels<V: Vocabulary>(tr: &Tr, values: &[V]) -> String {
    values.iter().map(|v| tr.label(*v)).collect::<Vec<_>>().join(", ")
}

#[derive(Template)]
#[template(path = "flow/points.html")]
struct ListPage {
    c: Chrome,
    points: Vec<PointLine>,
    can_manage: bool,
    done: Option<String>,
    problems: Vec<ProblemOut>,
}

async fn list_page(state: &AppState, ctx: &Ctx) -> Result<ListPage, AppError> {
    let user = ctx.require_somewhere(Action::ViewFlowData)?;
    let c = Chrome::new(ctx, "/flow/points");
    let points = state
        .store
        .flow_points(reach(user, Action::ViewFlowData).as_deref(), None)
        .await?;
    Ok(ListPage {
        points: points.iter().map(|p| point_line(&c, p)).collect(),
        can_manage: ctx.may_somewhere(Action::ManageFlowPoints),
        done: None,
        problems: Vec::new(),
        c,
    })
}

async fn list(State(state): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    render(&list_page(&state, &ctx).await?)
}

async fn import(
    State(state): State<AppState>,
    ctx: Ctx,
    multipart: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Response, AppError> {
    ctx.require_somewhere(Action::ManageFlowPoints)?;
    let upload = crate::files::read_upload(multipart).await?;
    let result =
        crate::api::flow::import_profiles_upload(&state, &ctx, &upload.file, upload.file_name.as_deref()).await;
    let mut page = list_page(&state, &ctx).await?;
    match result {
        Ok(n) => {
            page.done = Some(page.c.tr.t1("flow-profiles-imported", "count", n));
            render(&page)
        }
        Err(AppError::Rejected { problems, .. }) => {
            page.problems = problems;
            unprocessable(&page)
        }
        Err(other) => Err(other),
    }
}

/// The profile fields' choices, with what the form holds ticked.
pub struct ProfileChoices {
    pub point_types: Vec<Choice>,
    pub movements: Vec<Choice>,
    pub days: Vec<Choice>,
    pub services: Vec<Choice>,
    pub institutions: Vec<Choice>,
}

fn choices<V: Vocabulary>(tr: &Tr, selected: &str) -> Vec<Choice> {
    let chosen: Vec<&str> = selected.split(',').map(str::trim).collect();
    V::ALL
        .iter()
        .map(|v| Choice::new(v.code(), tr.label(*v), chosen.contains(&v.code())))
        .collect()
}

fn profile_choices(tr: &Tr, form: &ProfileInput) -> ProfileChoices {
    ProfileChoices {
        point_types: choices::<PointType>(tr, &form.point_type),
        movements: choices::<Direction>(tr, &form.movement_types),
        days: choices::<Weekday>(tr, &form.days),
        services: choices::<Service>(tr, &form.services),
        institutions: choices::<Institution>(tr, &form.institutions),
    }
}

/// The profile part of a posted form: checkbox groups become code lists.
fn profile_from(fields: &Fields) -> ProfileInput {
    ProfileInput {
        point_type: fields.get("point_type").to_owned(),
        movement_types: fields.all("movement_types").join(","),
        days: fields.all("days").join(","),
        hours_from: fields.get("hours_from").to_owned(),
        hours_to: fields.get("hours_to").to_owned(),
        services: fields.all("services").join(","),
        institutions: fields.all("institutions").join(","),
        key_informants: fields.get("key_informants").to_owned(),
        active_from: fields.get("active_from").to_owned(),
        active_until: fields.get("active_until").to_owned(),
        notes: fields.get("notes").to_owned(),
    }
}

fn profile_in(p: &ProfileInput) -> ProfileIn {
    ProfileIn {
        point_type: p.point_type.clone(),
        movement_types: p.movement_types.clone(),
        days: p.days.clone(),
        hours_from: p.hours_from.clone(),
        hours_to: p.hours_to.clone(),
        services: p.services.clone(),
        institutions: p.institutions.clone(),
        key_informants: p.key_informants.clone(),
        active_from: p.active_from.clone(),
        active_until: p.active_until.clone(),
        notes: p.notes.clone(),
    }
}

#[derive(Template)]
#[template(path = "flow/new_point.html")]
struct NewPage {
    c: Chrome,
    countries: Vec<(String, String)>,
    code: String,
    name: String,
    kind: String,
    country: String,
    lat: String,
    lon: String,
    profile: ProfileInput,
    choices: ProfileChoices,
    problems: Vec<ProblemOut>,
}

async fn new_form(State(state): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    ctx.require_somewhere(Action::ManageFlowPoints)?;
    let c = Chrome::new(&ctx, "/flow/points/new");
    let countries = countries_for(&state, &ctx, Action::ManageFlowPoints).await?;
    let profile = ProfileInput {
        point_type: PointType::OfficialBorderCrossing.code().into(),
        movement_types: "incoming,outgoing".into(),
        ..Default::default()
    };
    render(&NewPage {
        choices: profile_choices(&c.tr, &profile),
        country: countries.first().map(|(iso3, _)| iso3.clone()).unwrap_or_default(),
        countries,
        code: String::new(),
        name: String::new(),
        kind: "flow_monitoring_point".into(),
        lat: String::new(),
        lon: String::new(),
        profile,
        problems: Vec::new(),
        c,
    })
}

fn number(raw: &str) -> f64 {
    let raw = raw.trim();
    let normalised = if raw.contains('.') {
        raw.to_owned()
    } else {
        raw.replace(',', ".")
    };
    normalised.parse().unwrap_or(f64::NAN)
}

async fn create(State(state): State<AppState>, ctx: Ctx, fields: Fields) -> Result<Response, AppError> {
    ctx.require_somewhere(Action::ManageFlowPoints)?;
    let profile = profile_from(&fields);
    let input = PointIn {
        code: fields.get("code").to_owned(),
        name: fields.get("name").to_owned(),
        kind: Some(fields.get("kind").to_owned()),
        country: fields.get("country").to_owned(),
        lat: number(fields.get("lat")),
        lon: number(fields.get("lon")),
        organisation_id: None,
        profile: profile_in(&profile),
    };
    let country = Iso3::parse(&input.country)?;
    ctx.require(Action::ManageFlowPoints, &Target::country(country))?;
    let problems = match create_point_with_profile(&state, &ctx, &input).await {
        Ok(point) => return Ok(Redirect::to(&format!("/flow/points/{}", point.location.id)).into_response()),
        Err(AppError::Rejected { problems, .. }) => problems,
        Err(AppError::Conflict(m) | AppError::Invalid(m)) => vec![ProblemOut {
            location: "code".into(),
            problem: m,
        }],
        Err(other) => return Err(other),
    };
    let c = Chrome::new(&ctx, "/flow/points/new");
    unprocessable(&NewPage {
        choices: profile_choices(&c.tr, &profile),
        countries: countries_for(&state, &ctx, Action::ManageFlowPoints).await?,
        code: input.code,
        name: input.name,
        kind: fields.get("kind").to_owned(),
        country: input.country,
        lat: fields.get("lat").to_owned(),
        lon: fields.get("lon").to_owned(),
        profile,
        problems,
        c,
    })
}

/// One round of a profile as the history shows it.
struct RoundLine {
    round: i64,
    created_at: String,
    point_type: String,
    movements: String,
    schedule: String,
    services: String,
    institutions: String,
    key_informants: String,
    active: String,
}

fn round_line(tr: &Tr, r: &ProfileRound) -> RoundLine {
    let p = &r.profile;
    RoundLine {
        round: r.round,
        created_at: r.created_at.clone(),
        point_type: tr.label(p.point_type),
        movements: labels(tr, &p.movement_types),
        schedule: format!(
            "{} {}–{}",
            labels(tr, &p.days),
            p.hours_from.as_deref().unwrap_or(""),
            p.hours_to.as_deref().unwrap_or("")
        ),
        services: labels(tr, &p.services),
        institutions: labels(tr, &p.institutions),
        key_informants: p.key_informants.clone().unwrap_or_default(),
        active: format!(
            "{} – {}",
            p.active_from.map(|d| d.to_string()).unwrap_or_default(),
            p.active_until.map(|d| d.to_string()).unwrap_or_default()
        ),
    }
}

#[derive(Template)]
#[template(path = "flow/point.html")]
struct DetailPage {
    c: Chrome,
    point: PointLine,
    lat: f64,
    lon: f64,
    rounds: Vec<RoundLine>,
    assigned: Vec<(i64, String)>,
    observations: Vec<ObservationRow>,
    can_manage: bool,
    can_record: bool,
    profile: ProfileInput,
    choices: ProfileChoices,
    problems: Vec<ProblemOut>,
    labels: String,
}

async fn detail_page(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    form: Option<ProfileInput>,
    problems: Vec<ProblemOut>,
) -> Result<DetailPage, AppError> {
    let point = state.store.flow_point(id).await?;
    ctx.require(Action::ViewFlowData, &Target::country(point.location.country))?;
    let c = Chrome::new(ctx, &format!("/flow/points/{id}"));
    let user = ctx.user()?;
    let subject = user.subject();
    let country = Target::country(point.location.country);
    let can_manage = subject.may(Action::ManageFlowPoints, &country);
    let assigned_here = state.store.is_assigned(user.id, id).await?;
    let rounds = state.store.profile_rounds(id).await?;
    let profile = form.unwrap_or_else(|| rounds.last().map(|r| r.profile.input()).unwrap_or_default());
    Ok(DetailPage {
        point: point_line(&c, &point),
        lat: point.location.position.lat,
        lon: point.location.position.lon,
        rounds: rounds.iter().rev().map(|r| round_line(&c.tr, r)).collect(),
        assigned: if can_manage {
            state.store.point_assignments(id).await?
        } else {
            Vec::new()
        },
        observations: state.store.recent_observations(id, 20).await?,
        can_manage,
        can_record: subject.may(
            Action::RecordFlowData {
                assigned: assigned_here,
            },
            &country,
        ),
        choices: profile_choices(&c.tr, &profile),
        profile,
        problems,
        labels: super::map::map_labels(&c),
        c,
    })
}

fn parse_id(raw: &str) -> Result<i64, AppError> {
    raw.parse()
        .map_err(|_| AppError::NotFound(format!("flow monitoring point {raw} does not exist")))
}

async fn detail(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> Result<Response, AppError> {
    render(&detail_page(&state, &ctx, parse_id(&id)?, None, Vec::new()).await?)
}

async fn save_profile(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    fields: Fields,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    let point = state.store.flow_point(id).await?;
    ctx.require(Action::ManageFlowPoints, &Target::country(point.location.country))?;
    let profile = profile_from(&fields);
    match state
        .store
        .record_profile(&ctx.actor(), id, &profile)
        .await
        .map_err(AppError::from)
    {
        Ok(_) => Ok(Redirect::to(&format!("/flow/points/{id}")).into_response()),
        Err(AppError::Rejected { problems, .. }) => {
            unprocessable(&detail_page(&state, &ctx, id, Some(profile), problems).await?)
        }
        Err(other) => Err(other),
    }
}

async fn assign(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    fields: Fields,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    let point = state.store.flow_point(id).await?;
    ctx.require(Action::ManageFlowPoints, &Target::country(point.location.country))?;
    let username = fields.get("username");
    let user_id = state
        .store
        .user_id_by_username(&username.to_lowercase())
        .await?
        .ok_or_else(|| AppError::Invalid(format!("no account has the username '{username}'")))?;
    let assigned = fields.get("assigned") != "0";
    state.store.set_assignment(&ctx.actor(), user_id, id, assigned).await?;
    Ok(Redirect::to(&format!("/flow/points/{id}")).into_response())
}

async fn delete_observation(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id: i64 = id
        .parse()
        .map_err(|_| AppError::NotFound(format!("observation {id} does not exist")))?;
    let groups = state.store.observation_groups(id).await?;
    let first = groups
        .first()
        .ok_or_else(|| AppError::NotFound(format!("observation {id} does not exist")))?;
    let point = state.store.flow_point(first.fmp_id).await?;
    ctx.require(Action::ManageFlowPoints, &Target::country(point.location.country))?;
    state.store.delete_observation(&ctx.actor(), id).await?;
    Ok(Redirect::to(&format!("/flow/points/{}", point.location.id)).into_response())
}
