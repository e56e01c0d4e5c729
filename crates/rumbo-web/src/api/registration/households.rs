//! Households: list (within what the user may see), register, read (pseudonymous or with names,
//! audited either way), correct, verify, record consent, erase; and review possible duplicates.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use rumbo_domain::Vocabulary;
use rumbo_domain::access::Action;
use rumbo_domain::country::Iso3;
use rumbo_domain::geography::Pcode;
use rumbo_domain::registration::conditions::QUESTIONS;
use rumbo_domain::registration::consent::{ConsentPurpose, SharingPurpose};
use rumbo_domain::registration::needs::WASHINGTON_DOMAINS;
use rumbo_domain::registration::people::format_date;
use rumbo_store::Page;
use rumbo_store::registration::{HouseholdQuery, HouseholdRow, HouseholdView, MemberView, RegistrationOutcome};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{DetailsIn, HouseholdIn};
use crate::AppState;
use crate::api::{Body, Id, Listing, Params};
use crate::auth::Ctx;
use crate::error::{AppError, ErrorBody};
use crate::registration::{desk_target, household_access, household_for, list_reach};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_households, register_household))
        .routes(routes!(get_household, edit_household))
        .routes(routes!(verify_household))
        .routes(routes!(set_consent))
        .routes(routes!(erase_household))
        .routes(routes!(review_flag))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct HouseholdRowOut {
    pub id: i64,
    #[schema(example = "H-7K3M-9Q2D")]
    pub code: String,
    pub country: String,
    pub desk: String,
    pub organisation: String,
    pub status: String,
    pub size: i64,
    pub head_sex: Option<String>,
    pub head_age: Option<u32>,
    pub registered_at: String,
    pub verified: bool,
    pub score: Option<f64>,
    pub eligible: Option<bool>,
    pub open_flags: i64,
    /// Only for those who may see names.
    pub head_name: Option<String>,
}

impl From<HouseholdRow> for HouseholdRowOut {
    fn from(r: HouseholdRow) -> Self {
        HouseholdRowOut {
            id: r.id,
            code: r.code,
            country: r.country.to_string(),
            desk: r.desk_code,
            organisation: r.organisation,
            status: r.status,
            size: r.size,
            head_sex: r.head_sex.map(|s| s.code().to_owned()),
            head_age: r.head_age,
            registered_at: r.registered_at,
            verified: r.verified,
            score: r.score,
            eligible: r.eligible,
            open_flags: r.open_flags,
            head_name: r.head_name,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct HouseholdFilter {
    country: Option<String>,
    desk_id: Option<i64>,
    /// A P-code: households living there (level 1 or 2).
    area: Option<String>,
    /// active (default), merged or erased.
    status: Option<String>,
    /// A household or person code; for those who may see names, a document number too.
    q: Option<String>,
    #[serde(default)]
    flagged: bool,
    #[serde(default)]
    eligible: bool,
    limit: Option<i64>,
    offset: Option<i64>,
}

/// Households the user may see, newest first: their organisation's, and those shared with it.
#[utoipa::path(get, path = "/registration/households", tag = "registration", params(HouseholdFilter),
    responses((status = 200, body = Listing<HouseholdRowOut>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn list_households(
    State(state): State<AppState>,
    ctx: Ctx,
    Params(filter): Params<HouseholdFilter>,
) -> Result<Listing<HouseholdRowOut>, AppError> {
    let user = ctx.user()?;
    let (reach, disclosure) = list_reach(user);
    // An enumerator without a desk is refused nothing: their list is empty until they get one.
    if reach.is_empty() && !crate::registration::without_desk(user) {
        return Err(AppError::Forbidden);
    }
    let optional = |v: &Option<String>| v.as_deref().map(str::trim).filter(|v| !v.is_empty()).map(str::to_owned);
    let query = HouseholdQuery {
        country: optional(&filter.country).as_deref().map(Iso3::parse).transpose()?,
        desk_id: filter.desk_id,
        organisation_id: None,
        area: optional(&filter.area).as_deref().map(Pcode::parse).transpose()?,
        status: optional(&filter.status),
        search: optional(&filter.q),
        flagged_only: filter.flagged,
        eligible_only: filter.eligible,
    };
    let page = Page::new(filter.limit, filter.offset);
    let (items, total) = state
        .store
        .households(
            &ctx.actor(),
            &query,
            &reach,
            SharingPurpose::CaseManagement,
            disclosure,
            page,
        )
        .await?;
    Ok(Listing {
        items: items.into_iter().map(Into::into).collect(),
        total,
        limit: page.limit,
        offset: page.offset,
    })
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RegisteredOut {
    pub id: i64,
    pub code: String,
    /// Households in which a document of this one is registered too: flagged for review.
    pub possible_duplicates: Vec<String>,
    /// People of this household who may already be registered elsewhere ("at desk X"), with
    /// the probability; filed in the de-duplication queue.
    #[schema(value_type = Vec<Object>)]
    pub probable_matches: Vec<rumbo_store::deduplication::MatchSuggestion>,
}

impl From<RegistrationOutcome> for RegisteredOut {
    fn from(o: RegistrationOutcome) -> Self {
        RegisteredOut {
            id: o.household_id,
            code: o.code,
            possible_duplicates: o.possible_duplicates,
            probable_matches: o.probable_matches,
        }
    }
}

/// Registers a household at a desk. Refused, with every problem by member and field, when
/// anything is wrong (a date of birth in the future, a malformed document number, a child head
/// not confirmed, no consent to register). A document registered before is flagged, not refused.
#[utoipa::path(post, path = "/registration/households", tag = "registration", request_body = HouseholdIn,
    responses((status = 201, body = RegisteredOut), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn register_household(
    State(state): State<AppState>,
    ctx: Ctx,
    Body(body): Body<HouseholdIn>,
) -> Result<(StatusCode, Json<RegisteredOut>), AppError> {
    ctx.require_somewhere(Action::RegisterHouseholds)?;
    let desk = state.store.registration_desk(body.desk_id).await?;
    ctx.require(Action::RegisterHouseholds, &desk_target(&desk))?;
    let outcome = state
        .store
        .register_household(&ctx.actor(), &desk, &body.input()?)
        .await?;
    Ok((StatusCode::CREATED, Json(outcome.into())))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DocumentOut {
    pub doc_type: String,
    /// Only for those who may see names.
    pub number: Option<String>,
    pub expiry: Option<String>,
    pub in_force: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MemberOut {
    pub id: i64,
    #[schema(example = "P-4FQ2-8ZKD")]
    pub code: String,
    pub relationship: String,
    pub sex: String,
    pub birth_date: String,
    pub birth_date_estimated: bool,
    pub age: u32,
    pub nationality: String,
    pub needs: Vec<String>,
    pub disability: bool,
    pub washington: BTreeMap<String, String>,
    pub documents: Vec<DocumentOut>,
    pub given_names: Option<String>,
    pub first_surname: Option<String>,
    pub second_surname: Option<String>,
    pub phone: Option<String>,
    /// active or erased.
    pub status: String,
}

impl From<MemberView> for MemberOut {
    fn from(m: MemberView) -> Self {
        MemberOut {
            id: m.id,
            code: m.code,
            relationship: m.relationship.code().into(),
            sex: m.sex.code().into(),
            birth_date: format_date(m.birth.date),
            birth_date_estimated: m.birth.estimated,
            age: m.age,
            nationality: m.nationality.to_string(),
            needs: m.needs.iter().map(|n| n.code().to_owned()).collect(),
            disability: m.disability,
            washington: WASHINGTON_DOMAINS
                .iter()
                .zip(m.washington.0)
                .filter_map(|(d, a)| a.map(|a| ((*d).to_owned(), a.code().to_owned())))
                .collect(),
            documents: m
                .documents
                .into_iter()
                .map(|d| DocumentOut {
                    doc_type: d.doc_type.code().into(),
                    number: d.number,
                    expiry: d.expiry.map(format_date),
                    in_force: d.in_force,
                })
                .collect(),
            given_names: m.name.as_ref().map(|n| n.given_names.clone()),
            first_surname: m.name.as_ref().map(|n| n.first_surname.clone()),
            second_surname: m.name.and_then(|n| n.second_surname),
            phone: m.phone,
            status: m.status,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ContributionOut {
    pub id: String,
    pub label: String,
    pub group: Option<String>,
    pub points: f64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ScoreOut {
    pub model_id: i64,
    pub model: String,
    pub version: i64,
    pub score: f64,
    pub threshold: f64,
    pub eligible: bool,
    /// The criteria that gave the score its points.
    pub contributions: Vec<ContributionOut>,
    /// Groups whose points were capped.
    pub capped: Vec<String>,
    pub computed_at: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FlagOut {
    pub id: i64,
    pub kind: String,
    pub person: Option<String>,
    pub other_household: Option<String>,
    pub status: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EventOut {
    pub at: String,
    pub user: Option<String>,
    pub kind: String,
    pub person: Option<String>,
    pub fields: Vec<String>,
    /// Only for those who may see names: reasons and earlier values may name people.
    pub reason: Option<String>,
    pub before: Option<String>,
    pub related_household: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AssistanceOut {
    pub programme: String,
    pub organisation: String,
    pub assisted_on: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct HouseholdOut {
    pub id: i64,
    pub code: String,
    pub country: String,
    pub desk: String,
    pub organisation: String,
    pub status: String,
    pub merged_into: Option<String>,
    pub population_group: String,
    pub arrival_date: Option<String>,
    pub previous_country: Option<String>,
    pub previous_area: Option<String>,
    pub adm1: Option<String>,
    pub adm2: Option<String>,
    /// Only for those who may see names.
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub child_headed: bool,
    pub conditions: BTreeMap<String, String>,
    pub consent_registration: bool,
    pub consent_sharing: bool,
    pub consent_referral: bool,
    pub registered_at: String,
    pub registered_by: Option<String>,
    pub verified_at: Option<String>,
    pub verified_by: Option<String>,
    /// Whether names and documents are shown.
    pub personal: bool,
    pub members: Vec<MemberOut>,
    pub score: Option<ScoreOut>,
    pub flags: Vec<FlagOut>,
    pub assistance: Vec<AssistanceOut>,
    pub history: Vec<EventOut>,
}

impl From<HouseholdView> for HouseholdOut {
    fn from(v: HouseholdView) -> Self {
        let d = &v.details;
        HouseholdOut {
            id: v.id,
            code: v.code,
            country: v.country.to_string(),
            desk: v.desk_code,
            organisation: v.organisation,
            status: v.status,
            merged_into: v.merged_into,
            population_group: d.population_group.code().into(),
            arrival_date: d.arrival_date.map(format_date),
            previous_country: d.previous_country.map(|c| c.to_string()),
            previous_area: d.previous_area.as_ref().map(|p| p.to_string()),
            adm1: v.adm1.map(|p| p.to_string()),
            adm2: v.adm2.map(|p| p.to_string()),
            lat: d.position.map(|p| p.lat),
            lon: d.position.map(|p| p.lon),
            child_headed: d.child_headed,
            conditions: QUESTIONS
                .iter()
                .enumerate()
                .filter_map(|(i, q)| d.conditions.answer(i).map(|a| (q.code.to_owned(), a.to_owned())))
                .collect(),
            consent_registration: v.consent.registration,
            consent_sharing: v.consent.sharing,
            consent_referral: v.consent.referral,
            registered_at: v.registered_at,
            registered_by: v.registered_by,
            verified_at: v.verified_at,
            verified_by: v.verified_by,
            personal: v.personal,
            members: v.members.into_iter().map(Into::into).collect(),
            score: v.score.map(|s| ScoreOut {
                model_id: s.model_id,
                model: s.model_name,
                version: s.model_version,
                score: s.explanation.score,
                threshold: s.explanation.threshold,
                eligible: s.explanation.eligible,
                contributions: s
                    .explanation
                    .contributions
                    .into_iter()
                    .map(|c| ContributionOut {
                        id: c.id,
                        label: c.label,
                        group: c.group,
                        points: c.points,
                    })
                    .collect(),
                capped: s.explanation.capped.into_iter().map(|c| c.group).collect(),
                computed_at: s.computed_at,
            }),
            flags: v
                .flags
                .into_iter()
                .map(|f| FlagOut {
                    id: f.id,
                    kind: f.kind,
                    person: f.member_code,
                    other_household: f.other_household,
                    status: f.status,
                })
                .collect(),
            assistance: v
                .assistance
                .into_iter()
                .map(|a| AssistanceOut {
                    programme: a.programme_code,
                    organisation: a.organisation,
                    assisted_on: a.assisted_on,
                })
                .collect(),
            history: v
                .history
                .into_iter()
                .map(|e| EventOut {
                    at: e.at,
                    user: e.user,
                    kind: e.kind,
                    person: e.member_code,
                    fields: e.fields,
                    reason: e.reason,
                    before: e.before,
                    related_household: e.related_household,
                })
                .collect(),
        }
    }
}

/// One household. Names, documents, phones and the position only for those with need to know
/// (caseworkers of the country, registration staff of the desk's organisation); pseudonymous
/// codes for everyone else who may see it. Every view is audited.
#[utoipa::path(get, path = "/registration/households/{id}", tag = "registration",
    responses((status = 200, body = HouseholdOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get_household(State(state): State<AppState>, ctx: Ctx, Id(id): Id) -> Result<Json<HouseholdOut>, AppError> {
    let access = household_access(&state, &ctx, id).await?;
    let view = state
        .store
        .household(&ctx.actor(), access.key.id, access.disclosure)
        .await?;
    Ok(Json(view.into()))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct EditIn {
    #[serde(flatten)]
    pub details: DetailsIn,
    pub reason: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ChangedOut {
    /// The fields the change touched.
    pub changed: Vec<String>,
}

/// Corrects the household's own fields. The reason and the earlier values are kept in its history.
#[utoipa::path(put, path = "/registration/households/{id}", tag = "registration", request_body = EditIn,
    responses((status = 200, body = ChangedOut), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn edit_household(
    State(state): State<AppState>,
    ctx: Ctx,
    Id(id): Id,
    Body(body): Body<EditIn>,
) -> Result<Json<ChangedOut>, AppError> {
    let key = household_for(&state, &ctx, id, Action::EditRegistrations).await?;
    let changed = state
        .store
        .edit_household(&ctx.actor(), key.id, &body.details.input()?, &body.reason)
        .await?;
    Ok(Json(ChangedOut {
        changed: changed.into_iter().map(str::to_owned).collect(),
    }))
}

/// Marks the household verified: documents seen, members met.
#[utoipa::path(post, path = "/registration/households/{id}/verify", tag = "registration",
    responses((status = 204), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn verify_household(State(state): State<AppState>, ctx: Ctx, Id(id): Id) -> Result<StatusCode, AppError> {
    let key = household_for(&state, &ctx, id, Action::EditRegistrations).await?;
    state.store.verify_household(&ctx.actor(), key.id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ConsentChangeIn {
    /// registration, sharing or referral. Consent to registration is withdrawn by erasure.
    pub purpose: String,
    pub given: bool,
}

/// Records consent given or withdrawn for one purpose, with who recorded it and when.
#[utoipa::path(post, path = "/registration/households/{id}/consent", tag = "registration", request_body = ConsentChangeIn,
    responses((status = 204), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn set_consent(
    State(state): State<AppState>,
    ctx: Ctx,
    Id(id): Id,
    Body(body): Body<ConsentChangeIn>,
) -> Result<StatusCode, AppError> {
    let key = household_for(&state, &ctx, id, Action::EditRegistrations).await?;
    let purpose = ConsentPurpose::parse(&body.purpose)?;
    state
        .store
        .set_consent(&ctx.actor(), key.id, purpose, body.given)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Erases the personal data of the whole household on request; it stays in the figures.
#[utoipa::path(post, path = "/registration/households/{id}/erase", tag = "registration",
    responses((status = 204), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn erase_household(State(state): State<AppState>, ctx: Ctx, Id(id): Id) -> Result<StatusCode, AppError> {
    let key = household_for(&state, &ctx, id, Action::EraseRegistrations).await?;
    state.store.erase_household(&ctx.actor(), key.id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ReviewIn {
    /// duplicate (the same person registered twice) or not_duplicate.
    pub outcome: String,
}

/// Closes a possible duplicate. The reviewer must be able to edit one of the two households.
#[utoipa::path(post, path = "/registration/flags/{id}/review", tag = "registration", request_body = ReviewIn,
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn review_flag(
    State(state): State<AppState>,
    ctx: Ctx,
    Id(id): Id,
    Body(body): Body<ReviewIn>,
) -> Result<StatusCode, AppError> {
    let (first, second) = state.store.flag_households(id).await?;
    let mut allowed = household_for(&state, &ctx, first, Action::EditRegistrations)
        .await
        .is_ok();
    if let (false, Some(second)) = (allowed, second) {
        allowed = household_for(&state, &ctx, second, Action::EditRegistrations)
            .await
            .is_ok();
    }
    if !allowed {
        return Err(AppError::Forbidden);
    }
    state.store.review_flag(&ctx.actor(), id, &body.outcome).await?;
    Ok(StatusCode::NO_CONTENT)
}
