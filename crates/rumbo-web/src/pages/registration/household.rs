//! A household's page: its members (named, or under pseudonymous codes), its score and why,
//! possible duplicates, the assistance it received, its consent and its history; and, for
//! those who may, the changes made from it: verify, consent, split, merge, move, erase.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use rumbo_domain::Vocabulary;
use rumbo_domain::access::Action;
use rumbo_domain::registration::consent::ConsentPurpose;
use rumbo_domain::registration::people::Relationship;
use rumbo_domain::registration::pseudonym::{Kind, decode};
use rumbo_store::registration::HouseholdView;
use serde::Deserialize;

use super::super::parts::{Choice, Fields};
use super::super::{Chrome, render};
use super::vocabulary_choices;
use crate::AppState;
use crate::auth::Ctx;
use crate::error::AppError;
use crate::registration::{household_access, household_for, member_for};

#[derive(Template)]
#[template(path = "registration/household.html")]
struct HouseholdPage {
    c: Chrome,
    h: HouseholdView,
    can_edit: bool,
    can_erase: bool,
    /// May open the de-duplication queue's pair pages (IM officers of the country).
    can_review: bool,
    relationships: Vec<Choice>,
    /// (question label, answer label)
    conditions: Vec<(String, String)>,
    notice: Option<String>,
    problem: Option<String>,
}

impl HouseholdPage {
    fn status_label(&self) -> String {
        self.c.tr.t(&format!("reg-status-{}", self.h.status))
    }

    /// "This person may already be registered at desk X (organisation Y)": a probable match.
    fn probable_note(&self, f: &rumbo_store::registration::FlagView) -> String {
        self.c.tr.with(
            "dedup-flag-probable",
            &[
                ("desk", f.other_desk.clone().unwrap_or_default()),
                ("organisation", f.other_organisation.clone().unwrap_or_default()),
                ("probability", format!("{:.0}%", f.probability.unwrap_or(0.0) * 100.0)),
            ],
        )
    }

    fn event_label(&self, kind: &str) -> String {
        self.c.tr.t(&format!("reg-event-{}", kind.replace('_', "-")))
    }
}

#[derive(Deserialize)]
pub(super) struct Flags {
    registered: Option<String>,
    flagged: Option<String>,
    saved: Option<String>,
    problem: Option<String>,
}

fn parse_id(raw: &str) -> Result<i64, AppError> {
    raw.parse()
        .map_err(|_| AppError::NotFound(format!("there is no record with the id '{raw}'")))
}

pub(super) async fn page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(flags): Query<Flags>,
) -> Result<Response, AppError> {
    let access = household_access(&state, &ctx, parse_id(&id)?).await?;
    let h = state
        .store
        .household(&ctx.actor(), access.key.id, access.disclosure)
        .await?;
    let subject = ctx.user()?.subject();
    let c = Chrome::new(&ctx, &format!("/registration/households/{}", h.id));
    let notice = if flags.flagged.is_some() {
        Some(c.tr.t("reg-registered-flagged"))
    } else if flags.registered.is_some() {
        Some(c.tr.t("reg-registered-done"))
    } else {
        flags.saved.map(|_| c.tr.t("reg-saved"))
    };
    let conditions = rumbo_domain::registration::conditions::QUESTIONS
        .iter()
        .enumerate()
        .filter_map(|(i, q)| {
            h.details.conditions.answer(i).map(|a| {
                (
                    c.tr.t(&format!("reg-question-{}", q.code)),
                    c.tr.t(&format!("reg-answer-{}-{}", q.code, a.replace('_', "-"))),
                )
            })
        })
        .collect();
    render(&HouseholdPage {
        can_edit: h.status == "active" && subject.may(Action::EditRegistrations, &access.target),
        can_erase: h.status != "erased" && subject.may(Action::EraseRegistrations, &access.target),
        can_review: subject.may(
            Action::ReviewDuplicates,
            &rumbo_domain::access::Target::country(h.country),
        ),
        relationships: vocabulary_choices::<Relationship>(&c.tr, ""),
        conditions,
        notice,
        problem: flags.problem.map(|p| c.tr.t(&format!("reg-problem-{p}"))),
        h,
        c,
    })
}

/// Where to go after an action: back to the household, with a problem code when it failed.
fn back(id: i64, result: Result<(), AppError>) -> Result<Response, AppError> {
    let to = match result {
        Ok(()) => format!("/registration/households/{id}?saved=1"),
        Err(AppError::Conflict(_)) => format!("/registration/households/{id}?problem=conflict"),
        Err(AppError::Invalid(_)) | Err(AppError::Rejected { .. }) => {
            format!("/registration/households/{id}?problem=invalid")
        }
        Err(AppError::NotFound(_)) => format!("/registration/households/{id}?problem=not-found"),
        Err(other) => return Err(other),
    };
    Ok(Redirect::to(&to).into_response())
}

fn household_code(raw: &str) -> Result<i64, AppError> {
    match raw.trim().parse::<i64>() {
        Ok(id) => Ok(id),
        Err(_) => Ok(decode(Kind::Household, raw)?),
    }
}

/// One form posts every change made from the household's page; `do` says which.
pub(super) async fn act(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    fields: Fields,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    let actor = ctx.actor();
    let store = &state.store;
    let result: Result<(), AppError> = match fields.get("do") {
        "verify" => {
            household_for(&state, &ctx, id, Action::EditRegistrations).await?;
            store.verify_household(&actor, id).await.map_err(Into::into)
        }
        "consent" => {
            household_for(&state, &ctx, id, Action::EditRegistrations).await?;
            match ConsentPurpose::parse(fields.get("purpose")) {
                Ok(purpose) => store
                    .set_consent(&actor, id, purpose, fields.get("given") == "1")
                    .await
                    .map_err(Into::into),
                Err(e) => Err(e.into()),
            }
        }
        "split" => {
            household_for(&state, &ctx, id, Action::EditRegistrations).await?;
            let members: Vec<i64> = fields.all("member").iter().filter_map(|m| m.parse().ok()).collect();
            match fields.get("head").parse::<i64>() {
                Ok(head) => store
                    .split_household(&actor, id, &members, head, fields.get("reason"))
                    .await
                    .map(|_| ())
                    .map_err(Into::into),
                Err(_) => Err(AppError::Invalid("choose the head of the new household".into())),
            }
        }
        "merge" => {
            household_for(&state, &ctx, id, Action::EditRegistrations).await?;
            let from = household_code(fields.get("from"))?;
            household_for(&state, &ctx, from, Action::EditRegistrations).await?;
            store
                .merge_households(&actor, id, from, fields.get("reason"))
                .await
                .map_err(Into::into)
        }
        "move" => {
            let member: i64 = fields
                .get("member")
                .parse()
                .map_err(|_| AppError::Invalid("choose a person".into()))?;
            member_for(&state, &ctx, member, Action::EditRegistrations).await?;
            let to = household_code(fields.get("to"))?;
            household_for(&state, &ctx, to, Action::EditRegistrations).await?;
            match Relationship::parse(fields.get("relationship")) {
                Ok(relationship) => store
                    .move_member(&actor, member, to, relationship, fields.get("reason"))
                    .await
                    .map_err(Into::into),
                Err(e) => Err(e.into()),
            }
        }
        "erase" => {
            household_for(&state, &ctx, id, Action::EraseRegistrations).await?;
            if fields.checked("confirm") {
                store.erase_household(&actor, id).await.map_err(Into::into)
            } else {
                Err(AppError::Invalid("tick the box to confirm the erasure".into()))
            }
        }
        "erase_member" => {
            let member: i64 = fields
                .get("member")
                .parse()
                .map_err(|_| AppError::Invalid("choose a person".into()))?;
            member_for(&state, &ctx, member, Action::EraseRegistrations).await?;
            if fields.checked("confirm") {
                store.erase_member(&actor, member).await.map_err(Into::into)
            } else {
                Err(AppError::Invalid("tick the box to confirm the erasure".into()))
            }
        }
        "review" => {
            household_for(&state, &ctx, id, Action::EditRegistrations).await?;
            let flag: i64 = fields
                .get("flag")
                .parse()
                .map_err(|_| AppError::Invalid("no such flag".into()))?;
            let (first, second) = store.flag_households(flag).await?;
            if first != id && second != Some(id) {
                return Err(AppError::NotFound("this flag is about other households".into()));
            }
            store
                .review_flag(&actor, flag, fields.get("outcome"))
                .await
                .map_err(Into::into)
        }
        _ => Err(AppError::BadRequest("unknown action".into())),
    };
    back(id, result)
}
