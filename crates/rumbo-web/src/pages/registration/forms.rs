//! The registration form (a household and its members, on one page), the correction of a
//! household's fields, and the member form (to correct a person or add one). Every problem is
//! shown beside its field, in the reader's language, and what was typed is kept.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use rumbo_domain::Vocabulary;
use rumbo_domain::access::Action;
use rumbo_domain::registration::consent::Consent;
use rumbo_domain::registration::household::HouseholdInput;
use rumbo_domain::registration::people::PopulationGroup;
use serde::Deserialize;

use super::super::parts::{Choice, Fields};
use super::super::{Chrome, render};
use super::fields::{DetailsForm, MemberChoices, MemberForm, condition_choices, form_problems, store_problems};
use super::{Problems, field_message, vocabulary_choices};
use crate::AppState;
use crate::auth::Ctx;
use crate::error::AppError;
use crate::registration::{desk_target, desks_for, household_for, member_for};

#[derive(Template)]
#[template(path = "registration/new.html")]
struct NewPage {
    c: Chrome,
    desks: Vec<Choice>,
    groups: Vec<Choice>,
    details: DetailsForm,
    consent: Consent,
    members: Vec<MemberForm>,
    choices: MemberChoices,
    errors: Problems,
    more: usize,
}

#[derive(Deserialize)]
pub(super) struct NewQuery {
    members: Option<usize>,
}

async fn desk_choices(state: &AppState, ctx: &Ctx, selected: &str) -> Result<Vec<Choice>, AppError> {
    Ok(desks_for(state, ctx.user()?)
        .await?
        .into_iter()
        .map(|d| {
            Choice::new(
                d.id.to_string(),
                format!("{} — {}", d.code, d.name),
                d.id.to_string() == selected,
            )
        })
        .collect())
}

pub(super) async fn new_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(query): Query<NewQuery>,
) -> Result<Response, AppError> {
    ctx.require_somewhere(Action::RegisterHouseholds)?;
    let c = Chrome::new(&ctx, "/registration/households/new");
    let count = query.members.unwrap_or(4).clamp(1, 20);
    render(&NewPage {
        desks: desk_choices(&state, &ctx, "").await?,
        groups: vocabulary_choices::<PopulationGroup>(&c.tr, "in_destination"),
        details: DetailsForm {
            conditions: condition_choices(&c.tr, |_| String::new()),
            ..Default::default()
        },
        consent: Consent::default(),
        members: (0..count).map(MemberForm::blank).collect(),
        choices: MemberChoices::new(&c.tr),
        errors: Problems::default(),
        more: (count + 4).min(20),
        c,
    })
}

pub(super) async fn register(State(state): State<AppState>, ctx: Ctx, fields: Fields) -> Result<Response, AppError> {
    ctx.require_somewhere(Action::RegisterHouseholds)?;
    let c = Chrome::new(&ctx, "/registration/households/new");
    let count: usize = fields.get("member_count").parse().unwrap_or(4).clamp(1, 20);
    let forms: Vec<MemberForm> = (0..count).map(|i| MemberForm::read(&fields, i)).collect();
    let used: Vec<usize> = forms.iter().filter(|m| !m.is_blank()).map(|m| m.index).collect();
    let details = DetailsForm::read(&fields, &c.tr);
    let consent = Consent {
        registration: fields.checked("consent_registration"),
        sharing: fields.checked("consent_sharing"),
        referral: fields.checked("consent_referral"),
    };
    let input = HouseholdInput {
        details: details.input(),
        consent,
        members: used.iter().map(|i| forms[*i].input()).collect(),
    };
    let desk_id = fields.get("desk").to_owned();
    let mut errors = match input.validate(rumbo_store::registration::today()) {
        Ok(_) => Problems::default(),
        Err(problems) => form_problems(&c.tr, &problems, &used),
    };
    if errors.is_empty() {
        let desk = match desk_id.parse::<i64>() {
            Ok(id) => Some(state.store.registration_desk(id).await?),
            Err(_) => None,
        };
        match desk {
            None => errors.add("desk", c.tr.t("field-choose")),
            Some(desk) => {
                ctx.require(Action::RegisterHouseholds, &desk_target(&desk))?;
                match state.store.register_household(&ctx.actor(), &desk, &input).await {
                    Ok(outcome) => {
                        let flagged = if outcome.possible_duplicates.is_empty() {
                            ""
                        } else {
                            "&flagged=1"
                        };
                        return Ok(Redirect::to(&format!(
                            "/registration/households/{}?registered=1{flagged}",
                            outcome.household_id
                        ))
                        .into_response());
                    }
                    Err(e) => store_problems(&c.tr, e.into(), &used, &mut errors)?,
                }
            }
        }
    }
    let page = NewPage {
        desks: desk_choices(&state, &ctx, &desk_id).await?,
        groups: vocabulary_choices::<PopulationGroup>(&c.tr, &details.population_group),
        details,
        consent,
        members: forms,
        choices: MemberChoices::new(&c.tr),
        errors,
        more: (count + 4).min(20),
        c,
    };
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
}

#[derive(Template)]
#[template(path = "registration/edit.html")]
struct EditPage {
    c: Chrome,
    id: i64,
    code: String,
    groups: Vec<Choice>,
    details: DetailsForm,
    reason: String,
    errors: Problems,
}

fn parse_id(raw: &str) -> Result<i64, AppError> {
    raw.parse()
        .map_err(|_| AppError::NotFound(format!("there is no record with the id '{raw}'")))
}

pub(super) async fn edit_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let key = household_for(&state, &ctx, parse_id(&id)?, Action::EditRegistrations).await?;
    let view = state
        .store
        .household(&ctx.actor(), key.id, rumbo_store::registration::Disclosure::Personal)
        .await?;
    let c = Chrome::new(&ctx, &format!("/registration/households/{}/edit", key.id));
    render(&EditPage {
        groups: vocabulary_choices::<PopulationGroup>(&c.tr, view.details.population_group.code()),
        details: DetailsForm::of(&view, &c.tr),
        id: key.id,
        code: key.code,
        reason: String::new(),
        errors: Problems::default(),
        c,
    })
}

pub(super) async fn edit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    fields: Fields,
) -> Result<Response, AppError> {
    let key = household_for(&state, &ctx, parse_id(&id)?, Action::EditRegistrations).await?;
    let c = Chrome::new(&ctx, &format!("/registration/households/{}/edit", key.id));
    let details = DetailsForm::read(&fields, &c.tr);
    let reason = fields.get("reason").to_owned();
    let mut errors = Problems::default();
    match details.input().validate(rumbo_store::registration::today()) {
        Err(problems) => errors = form_problems(&c.tr, &problems, &[]),
        Ok(_) => match state
            .store
            .edit_household(&ctx.actor(), key.id, &details.input(), &reason)
            .await
        {
            Ok(_) => return Ok(Redirect::to(&format!("/registration/households/{}?saved=1", key.id)).into_response()),
            Err(rumbo_store::StoreError::Invalid(e)) => errors.add("reason", field_message(&c.tr, "reason", &e)),
            Err(e) => store_problems(&c.tr, e.into(), &[], &mut errors)?,
        },
    }
    let page = EditPage {
        groups: vocabulary_choices::<PopulationGroup>(&c.tr, &details.population_group),
        details,
        id: key.id,
        code: key.code,
        reason,
        errors,
        c,
    };
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
}

#[derive(Template)]
#[template(path = "registration/member.html")]
struct MemberPage {
    c: Chrome,
    action: String,
    household_id: i64,
    household_code: String,
    title: String,
    members: Vec<MemberForm>,
    choices: MemberChoices,
    reason: String,
    errors: Problems,
}

pub(super) async fn member_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let member_id = parse_id(&id)?;
    let key = member_for(&state, &ctx, member_id, Action::EditRegistrations).await?;
    let view = state
        .store
        .household(&ctx.actor(), key.id, rumbo_store::registration::Disclosure::Personal)
        .await?;
    let member = view
        .members
        .iter()
        .find(|m| m.id == member_id)
        .ok_or_else(|| AppError::NotFound("no such person".into()))?;
    let c = Chrome::new(&ctx, &format!("/registration/members/{member_id}/edit"));
    render(&MemberPage {
        action: format!("/registration/members/{member_id}/edit"),
        household_id: key.id,
        household_code: key.code,
        title: member.code.clone(),
        members: vec![MemberForm::of(member, 0)],
        choices: MemberChoices::new(&c.tr),
        reason: String::new(),
        errors: Problems::default(),
        c,
    })
}

/// Saves a member form (a correction, or a new member): shared by both posts.
async fn save_member(
    state: &AppState,
    ctx: &Ctx,
    page: MemberPage,
    member_id: Option<i64>,
    fields: &Fields,
) -> Result<Response, AppError> {
    let form = MemberForm::read(fields, 0);
    let reason = fields.get("reason").to_owned();
    let mut errors = Problems::default();
    match form.input().validate(rumbo_store::registration::today()) {
        Err(problems) => errors = form_problems(&page.c.tr, &problems, &[0]),
        Ok(_) => {
            let saved = match member_id {
                Some(id) => state
                    .store
                    .edit_member(&ctx.actor(), id, &form.input(), &reason)
                    .await
                    .map(|_| ()),
                None => state
                    .store
                    .add_member(&ctx.actor(), page.household_id, &form.input(), &reason)
                    .await
                    .map(|_| ()),
            };
            match saved {
                Ok(()) => {
                    return Ok(
                        Redirect::to(&format!("/registration/households/{}?saved=1", page.household_id))
                            .into_response(),
                    );
                }
                Err(rumbo_store::StoreError::Invalid(e)) => {
                    errors.add("reason", field_message(&page.c.tr, "reason", &e))
                }
                Err(e) => store_problems(&page.c.tr, e.into(), &[0], &mut errors)?,
            }
        }
    }
    let page = MemberPage {
        members: vec![form],
        reason,
        errors,
        ..page
    };
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
}

pub(super) async fn edit_member(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    fields: Fields,
) -> Result<Response, AppError> {
    let member_id = parse_id(&id)?;
    let key = member_for(&state, &ctx, member_id, Action::EditRegistrations).await?;
    let c = Chrome::new(&ctx, &format!("/registration/members/{member_id}/edit"));
    let page = MemberPage {
        action: format!("/registration/members/{member_id}/edit"),
        household_id: key.id,
        household_code: key.code,
        title: rumbo_domain::registration::pseudonym::encode(
            rumbo_domain::registration::pseudonym::Kind::Person,
            member_id,
        ),
        members: vec![],
        choices: MemberChoices::new(&c.tr),
        reason: String::new(),
        errors: Problems::default(),
        c,
    };
    save_member(&state, &ctx, page, Some(member_id), &fields).await
}

fn add_page(ctx: &Ctx, key: &rumbo_store::registration::HouseholdKey) -> MemberPage {
    let c = Chrome::new(ctx, &format!("/registration/households/{}/members/new", key.id));
    MemberPage {
        action: format!("/registration/households/{}/members/new", key.id),
        household_id: key.id,
        household_code: key.code.clone(),
        title: c.tr.t("reg-add-member"),
        members: vec![MemberForm::blank(0)],
        choices: MemberChoices::new(&c.tr),
        reason: String::new(),
        errors: Problems::default(),
        c,
    }
}

pub(super) async fn add_member_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let key = household_for(&state, &ctx, parse_id(&id)?, Action::EditRegistrations).await?;
    render(&add_page(&ctx, &key))
}

pub(super) async fn add_member(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    fields: Fields,
) -> Result<Response, AppError> {
    let key = household_for(&state, &ctx, parse_id(&id)?, Action::EditRegistrations).await?;
    let page = add_page(&ctx, &key);
    save_member(&state, &ctx, page, None, &fields).await
}
