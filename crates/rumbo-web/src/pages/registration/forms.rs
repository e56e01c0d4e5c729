//! The registration form (a household and its members, on one page), the correction of a
//! household's fields, and the member form (to correct a person or add one). Every problem is
//! shown beside its field, in the reader's language, and what was typed is kept.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use rumbo_domain::Vocabulary;
use rumbo_domain::access::Action;
use rumbo_domain::registration::conditions::QUESTIONS;
use rumbo_domain::registration::consent::Consent;
use rumbo_domain::registration::documents::DocumentType;
use rumbo_domain::registration::household::{
    DetailsInput, DocumentInput, FieldProblem, HouseholdInput, MemberInput, WASHINGTON_FIELDS,
};
use rumbo_domain::registration::needs::{Difficulty, SpecificNeed};
use rumbo_domain::registration::people::{PopulationGroup, Relationship, Sex, format_date};
use rumbo_store::registration::{HouseholdView, MemberView};
use serde::Deserialize;

use super::super::parts::{Choice, Fields};
use super::super::{Chrome, render};
use super::{Problems, field_message, vocabulary_choices};
use crate::AppState;
use crate::auth::Ctx;
use crate::error::AppError;
use crate::i18n::Tr;
use crate::registration::{desk_target, desks_for, household_for, member_for, require_anywhere};

/// The choices every member block offers.
pub(super) struct MemberChoices {
    relationships: Vec<Choice>,
    sexes: Vec<Choice>,
    documents: Vec<Choice>,
    needs: Vec<Choice>,
    difficulties: Vec<Choice>,
    /// (field name, label) of the Washington Group questions.
    washington: Vec<(String, String)>,
}

impl MemberChoices {
    fn new(tr: &Tr) -> MemberChoices {
        MemberChoices {
            relationships: vocabulary_choices::<Relationship>(tr, ""),
            sexes: vocabulary_choices::<Sex>(tr, ""),
            documents: vocabulary_choices::<DocumentType>(tr, ""),
            needs: SpecificNeed::ALL
                .iter()
                .map(|n| Choice::new(n.code(), format!("{} ({})", tr.label(*n), n.short_code()), false))
                .collect(),
            difficulties: vocabulary_choices::<Difficulty>(tr, ""),
            washington: WASHINGTON_FIELDS
                .iter()
                .map(|f| ((*f).to_owned(), tr.t(&format!("reg-{}", f.replace('_', "-")))))
                .collect(),
        }
    }
}

/// One member block as typed.
#[derive(Debug, Clone, Default)]
pub(super) struct MemberForm {
    pub index: usize,
    pub code: String,
    pub relationship: String,
    pub given_names: String,
    pub first_surname: String,
    pub second_surname: String,
    pub sex: String,
    pub birth_date: String,
    pub estimated_age: String,
    pub nationality: String,
    pub phone: String,
    pub document_type: String,
    pub document_number: String,
    pub document_expiry: String,
    pub needs: Vec<String>,
    pub wg: Vec<String>,
}

impl MemberForm {
    fn blank(index: usize) -> MemberForm {
        MemberForm {
            index,
            nationality: "VEN".into(),
            wg: vec![String::new(); 6],
            ..Default::default()
        }
    }

    fn read(fields: &Fields, index: usize) -> MemberForm {
        let f = |name: &str| fields.get(&format!("m{index}_{name}")).to_owned();
        MemberForm {
            index,
            code: String::new(),
            relationship: f("relationship"),
            given_names: f("given_names"),
            first_surname: f("first_surname"),
            second_surname: f("second_surname"),
            sex: f("sex"),
            birth_date: f("birth_date"),
            estimated_age: f("estimated_age"),
            nationality: f("nationality"),
            phone: f("phone"),
            document_type: f("document_type"),
            document_number: f("document_number"),
            document_expiry: f("document_expiry"),
            needs: fields
                .all(&format!("m{index}_needs"))
                .into_iter()
                .map(str::to_owned)
                .collect(),
            wg: WASHINGTON_FIELDS.iter().map(|w| f(w)).collect(),
        }
    }

    fn of(m: &MemberView, index: usize) -> MemberForm {
        let name = m.name.clone();
        let document = m.documents.first();
        MemberForm {
            index,
            code: m.code.clone(),
            relationship: m.relationship.code().into(),
            given_names: name.as_ref().map(|n| n.given_names.clone()).unwrap_or_default(),
            first_surname: name.as_ref().map(|n| n.first_surname.clone()).unwrap_or_default(),
            second_surname: name.and_then(|n| n.second_surname).unwrap_or_default(),
            sex: m.sex.code().into(),
            birth_date: if m.birth.estimated {
                String::new()
            } else {
                format_date(m.birth.date)
            },
            estimated_age: if m.birth.estimated {
                m.age.to_string()
            } else {
                String::new()
            },
            nationality: m.nationality.to_string(),
            phone: m.phone.clone().unwrap_or_default(),
            document_type: document.map(|d| d.doc_type.code().to_owned()).unwrap_or_default(),
            document_number: document.and_then(|d| d.number.clone()).unwrap_or_default(),
            document_expiry: document.and_then(|d| d.expiry).map(format_date).unwrap_or_default(),
            needs: m.needs.iter().map(|n| n.code().to_owned()).collect(),
            wg: m
                .washington
                .0
                .iter()
                .map(|d| d.map(|d| d.code().to_owned()).unwrap_or_default())
                .collect(),
        }
    }

    /// Whether the block was left blank (it is then no member).
    fn is_blank(&self) -> bool {
        [
            &self.relationship,
            &self.given_names,
            &self.first_surname,
            &self.birth_date,
            &self.estimated_age,
        ]
        .iter()
        .all(|v| v.is_empty())
    }

    pub fn has_need(&self, code: &str) -> bool {
        self.needs.iter().any(|n| n == code)
    }

    pub fn wg_answer(&self, i: &usize) -> &str {
        self.wg.get(*i).map_or("", String::as_str)
    }

    fn input(&self) -> MemberInput {
        MemberInput {
            relationship: self.relationship.clone(),
            given_names: self.given_names.clone(),
            first_surname: self.first_surname.clone(),
            second_surname: self.second_surname.clone(),
            sex: self.sex.clone(),
            birth_date: self.birth_date.clone(),
            estimated_age: self.estimated_age.clone(),
            nationality: self.nationality.clone(),
            phone: self.phone.clone(),
            needs: self.needs.clone(),
            washington: std::array::from_fn(|i| self.wg.get(i).cloned().unwrap_or_default()),
            documents: vec![DocumentInput {
                doc_type: self.document_type.clone(),
                number: self.document_number.clone(),
                expiry: self.document_expiry.clone(),
            }],
        }
    }
}

/// The household's own fields as typed.
#[derive(Debug, Clone, Default)]
pub(super) struct DetailsForm {
    pub population_group: String,
    pub arrival_date: String,
    pub previous_country: String,
    pub previous_area: String,
    pub residence_area: String,
    pub lat: String,
    pub lon: String,
    pub child_headed: bool,
    /// (question code, label, answers as choices with the one given selected)
    pub conditions: Vec<(String, String, Vec<Choice>)>,
}

impl DetailsForm {
    fn read(fields: &Fields, tr: &Tr) -> DetailsForm {
        DetailsForm {
            population_group: fields.get("population_group").into(),
            arrival_date: fields.get("arrival_date").into(),
            previous_country: fields.get("previous_country").into(),
            previous_area: fields.get("previous_area").into(),
            residence_area: fields.get("residence_area").into(),
            lat: fields.get("lat").into(),
            lon: fields.get("lon").into(),
            child_headed: fields.checked("child_headed"),
            conditions: condition_choices(tr, |q| fields.get(q).to_owned()),
        }
    }

    fn of(view: &HouseholdView, tr: &Tr) -> DetailsForm {
        let d = &view.details;
        DetailsForm {
            population_group: d.population_group.code().into(),
            arrival_date: d.arrival_date.map(format_date).unwrap_or_default(),
            previous_country: d.previous_country.map(|c| c.to_string()).unwrap_or_default(),
            previous_area: d.previous_area.as_ref().map(|p| p.to_string()).unwrap_or_default(),
            residence_area: view
                .adm2
                .as_ref()
                .or(view.adm1.as_ref())
                .map(|p| p.to_string())
                .unwrap_or_default(),
            lat: d.position.map(|p| p.lat.to_string()).unwrap_or_default(),
            lon: d.position.map(|p| p.lon.to_string()).unwrap_or_default(),
            child_headed: d.child_headed,
            conditions: condition_choices(tr, |q| {
                QUESTIONS
                    .iter()
                    .position(|x| x.code == q)
                    .and_then(|i| d.conditions.answer(i))
                    .unwrap_or("")
                    .to_owned()
            }),
        }
    }

    fn input(&self) -> DetailsInput {
        DetailsInput {
            population_group: self.population_group.clone(),
            arrival_date: self.arrival_date.clone(),
            previous_country: self.previous_country.clone(),
            previous_area: self.previous_area.clone(),
            residence_area: self.residence_area.clone(),
            lat: self.lat.clone(),
            lon: self.lon.clone(),
            child_headed: self.child_headed,
            conditions: self
                .conditions
                .iter()
                .map(|(_, _, choices)| {
                    choices
                        .iter()
                        .find(|c| c.selected)
                        .map(|c| c.value.clone())
                        .unwrap_or_default()
                })
                .collect(),
        }
    }
}

fn condition_choices(tr: &Tr, given: impl Fn(&str) -> String) -> Vec<(String, String, Vec<Choice>)> {
    QUESTIONS
        .iter()
        .map(|q| {
            let value = given(q.code);
            let choices = q
                .answers
                .iter()
                .map(|a| {
                    Choice::new(
                        *a,
                        tr.t(&format!("reg-answer-{}-{}", q.code, a.replace('_', "-"))),
                        *a == value,
                    )
                })
                .collect();
            (q.code.to_owned(), tr.t(&format!("reg-question-{}", q.code)), choices)
        })
        .collect()
}

/// Problems found by the domain's rules, keyed as the form names its fields.
fn form_problems(tr: &Tr, problems: &[FieldProblem], members: &[usize]) -> Problems {
    let mut out = Problems::default();
    for p in problems {
        let key = match p.member.and_then(|m| members.get(m)) {
            Some(index) => format!("m{index}_{}", p.field),
            None => p.field.to_owned(),
        };
        out.add(key, field_message(tr, p.field, &p.error));
    }
    out
}

/// Store refusals with places (`residence_area`, `member 2, birth_date`), keyed as the form names them.
fn store_problems(tr: &Tr, error: AppError, members: &[usize], problems: &mut Problems) -> Result<(), AppError> {
    match error {
        AppError::Rejected { problems: found, .. } => {
            for p in found {
                let (key, field) = match p
                    .location
                    .strip_prefix("member ")
                    .and_then(|rest| rest.split_once(", "))
                {
                    Some((n, field)) => {
                        let index = n
                            .parse::<usize>()
                            .ok()
                            .and_then(|n| members.get(n.saturating_sub(1)))
                            .copied()
                            .unwrap_or(0);
                        (format!("m{index}_{field}"), field.to_owned())
                    }
                    None => (p.location.clone(), p.location.clone()),
                };
                problems.add(
                    key,
                    field_message(tr, &field, &rumbo_domain::DomainError::Invalid(p.problem)),
                );
            }
            Ok(())
        }
        other => Err(other),
    }
}

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
    require_anywhere(&ctx, Action::RegisterHouseholds)?;
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
    require_anywhere(&ctx, Action::RegisterHouseholds)?;
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
