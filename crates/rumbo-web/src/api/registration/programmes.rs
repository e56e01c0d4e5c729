//! Assistance programmes, their beneficiary lists (ranked by score, with tie-breaks and quotas)
//! and the assistance given; and the sharing agreements that let one organisation see, and
//! serve, another's registrations.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use rumbo_domain::Vocabulary;
use rumbo_domain::access::{Action, Target};
use rumbo_domain::registration::consent::SharingPurpose;
use rumbo_domain::registration::pseudonym::{Kind, decode};
use rumbo_io::registrations::{BeneficiaryRow, write_beneficiaries_csv};
use rumbo_store::registration::{
    AgreementInput, AgreementRecord, BeneficiaryListView, Disclosure, ProgrammeInput, ProgrammeRecord,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::api::{Body, Id, Params};
use crate::auth::Ctx;
use crate::error::{AppError, ErrorBody};
use crate::files::download;
use crate::registration::{export_purpose, purposes, statistics_countries};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_programmes, create_programme))
        .routes(routes!(get_programme))
        .routes(routes!(generate_list))
        .routes(routes!(get_list))
        .routes(routes!(export_list))
        .routes(routes!(record_assistance))
        .routes(routes!(list_agreements, create_agreement))
        .routes(routes!(revoke_agreement))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct QuotaOut {
    pub attribute: String,
    pub min_share: f64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProgrammeOut {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub country: String,
    pub organisation_id: i64,
    pub organisation: String,
    pub area: Option<String>,
    pub target_households: usize,
    pub quotas: Vec<QuotaOut>,
    pub tie_breaks: Vec<String>,
    pub exclude_assisted_elsewhere: bool,
    pub starts_on: Option<String>,
    pub ends_on: Option<String>,
    pub assisted: i64,
    pub latest_list: Option<i64>,
}

impl From<ProgrammeRecord> for ProgrammeOut {
    fn from(p: ProgrammeRecord) -> Self {
        ProgrammeOut {
            id: p.id,
            code: p.code,
            name: p.name,
            country: p.country.to_string(),
            organisation_id: p.organisation_id,
            organisation: p.organisation,
            area: p.area.map(|a| a.to_string()),
            target_households: p.rules.target,
            quotas: p
                .rules
                .quotas
                .iter()
                .map(|q| QuotaOut {
                    attribute: q.attribute.code().into(),
                    min_share: q.min_share,
                })
                .collect(),
            tie_breaks: p.rules.tie_breaks.iter().map(|t| t.code().to_owned()).collect(),
            exclude_assisted_elsewhere: p.rules.exclude_assisted_elsewhere,
            starts_on: p.starts_on,
            ends_on: p.ends_on,
            assisted: p.assisted,
            latest_list: p.latest_list,
        }
    }
}

/// Programmes of the countries the user works in.
#[utoipa::path(get, path = "/registration/programmes", tag = "registration",
    responses((status = 200, body = Vec<ProgrammeOut>), (status = 401, body = ErrorBody)))]
async fn list_programmes(State(state): State<AppState>, ctx: Ctx) -> Result<Json<Vec<ProgrammeOut>>, AppError> {
    let countries = statistics_countries(ctx.user()?);
    let programmes = state.store.programmes(countries.as_deref()).await?;
    Ok(Json(programmes.into_iter().map(Into::into).collect()))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct QuotaIn {
    /// female_headed, child_headed, disability, older_person, single_headed, specific_needs
    pub attribute: String,
    /// At least this percentage of the list.
    pub percent: f64,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ProgrammeIn {
    #[schema(example = "MPC-CUC-2026")]
    pub code: String,
    #[schema(example = "Multipurpose cash, Cúcuta")]
    pub name: String,
    pub country: String,
    /// The organisation running it; the user's own when absent.
    pub organisation_id: Option<i64>,
    /// A P-code: households living there only.
    pub area: Option<String>,
    pub target_households: usize,
    #[serde(default)]
    pub quotas: Vec<QuotaIn>,
    /// larger_household, more_children, more_specific_needs, earlier_registration, older_head
    #[serde(default)]
    pub tie_breaks: Vec<String>,
    #[serde(default)]
    pub exclude_assisted_elsewhere: bool,
    pub starts_on: Option<String>,
    pub ends_on: Option<String>,
}

/// Creates a programme.
#[utoipa::path(post, path = "/registration/programmes", tag = "registration", request_body = ProgrammeIn,
    responses((status = 201, body = ProgrammeOut), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
async fn create_programme(
    State(state): State<AppState>,
    ctx: Ctx,
    Body(body): Body<ProgrammeIn>,
) -> Result<(StatusCode, Json<ProgrammeOut>), AppError> {
    let user = ctx.require_somewhere(Action::ManageProgrammes)?;
    let organisation_id = body.organisation_id.unwrap_or(user.organisation_id);
    let country = rumbo_domain::country::Iso3::parse(&body.country)?;
    ctx.require(
        Action::ManageProgrammes,
        &Target::organisation(organisation_id, Some(country)),
    )?;
    let input = ProgrammeInput {
        code: body.code,
        name: body.name,
        country: body.country,
        organisation_id,
        area: body.area.unwrap_or_default(),
        target_households: body.target_households.to_string(),
        quotas: body
            .quotas
            .into_iter()
            .map(|q| (q.attribute, q.percent.to_string()))
            .collect(),
        tie_breaks: body.tie_breaks,
        exclude_assisted_elsewhere: body.exclude_assisted_elsewhere,
        starts_on: body.starts_on.unwrap_or_default(),
        ends_on: body.ends_on.unwrap_or_default(),
    };
    let programme = state.store.create_programme(&ctx.actor(), &input).await?;
    Ok((StatusCode::CREATED, Json(programme.into())))
}

fn programme_target(p: &ProgrammeRecord) -> Target {
    Target::organisation(p.organisation_id, Some(p.country))
}

/// One programme.
#[utoipa::path(get, path = "/registration/programmes/{id}", tag = "registration",
    responses((status = 200, body = ProgrammeOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get_programme(State(state): State<AppState>, ctx: Ctx, Id(id): Id) -> Result<Json<ProgrammeOut>, AppError> {
    let programme = state.store.programme(id).await?;
    ctx.require(Action::ViewRegistrationStatistics, &Target::country(programme.country))?;
    Ok(Json(programme.into()))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ListIdOut {
    pub list_id: i64,
}

/// Draws up a new beneficiary list from the scores of the model in force.
#[utoipa::path(post, path = "/registration/programmes/{id}/lists", tag = "registration",
    responses((status = 201, body = ListIdOut), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn generate_list(
    State(state): State<AppState>,
    ctx: Ctx,
    Id(id): Id,
) -> Result<(StatusCode, Json<ListIdOut>), AppError> {
    let programme = state.store.programme(id).await?;
    ctx.require(Action::ManageProgrammes, &programme_target(&programme))?;
    let list_id = state.store.generate_beneficiary_list(&ctx.actor(), id).await?;
    Ok((StatusCode::CREATED, Json(ListIdOut { list_id })))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EntryOut {
    pub rank: i64,
    pub household: String,
    pub household_id: i64,
    pub score: f64,
    pub reason: String,
    pub status: String,
    pub size: i64,
    pub desk: String,
    pub assisted_here: Vec<String>,
    /// Other programmes that assisted this household: so nobody is served twice unknowingly.
    pub assisted_elsewhere: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ListOut {
    pub id: i64,
    pub programme: String,
    pub model: String,
    pub generated_at: String,
    pub generated_by: Option<String>,
    pub eligible: i64,
    pub excluded_as_assisted: i64,
    pub shortfalls: Vec<String>,
    pub entries: Vec<EntryOut>,
}

impl From<BeneficiaryListView> for ListOut {
    fn from(l: BeneficiaryListView) -> Self {
        ListOut {
            id: l.id,
            programme: l.programme_code,
            model: l.model,
            generated_at: l.generated_at,
            generated_by: l.generated_by,
            eligible: l.eligible,
            excluded_as_assisted: l.excluded_as_assisted,
            shortfalls: l.shortfalls,
            entries: l
                .entries
                .into_iter()
                .map(|e| EntryOut {
                    rank: e.rank,
                    household: e.code,
                    household_id: e.household_id,
                    score: e.score,
                    reason: e.reason,
                    status: e.status,
                    size: e.size,
                    desk: e.desk_code,
                    assisted_here: e.assisted_here,
                    assisted_elsewhere: e.assisted_elsewhere,
                })
                .collect(),
        }
    }
}

/// The programme of a list, if the user may work on it (set it up or record its assistance).
pub(crate) async fn list_access(state: &AppState, ctx: &Ctx, list_id: i64) -> Result<ProgrammeRecord, AppError> {
    let programme = state
        .store
        .programme(state.store.list_programme(list_id).await?)
        .await?;
    let target = programme_target(&programme);
    let subject = ctx.user()?.subject();
    if subject.may(Action::ManageProgrammes, &target) || subject.may(Action::RecordAssistance, &target) {
        Ok(programme)
    } else {
        Err(AppError::Forbidden)
    }
}

/// A beneficiary list, under pseudonymous codes.
#[utoipa::path(get, path = "/registration/lists/{id}", tag = "registration",
    responses((status = 200, body = ListOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get_list(State(state): State<AppState>, ctx: Ctx, Id(id): Id) -> Result<Json<ListOut>, AppError> {
    list_access(&state, &ctx, id).await?;
    let list = state
        .store
        .beneficiary_list(&ctx.actor(), id, Disclosure::Pseudonymous)
        .await?;
    Ok(Json(list.into()))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct ListExportFilter {
    /// With a purpose (usually distribution), each head's name, document and phone.
    purpose: Option<String>,
}

/// Checks that the user may see the names of every household on a list, reached for assistance.
pub(crate) async fn require_names_of_list(state: &AppState, ctx: &Ctx, list_id: i64) -> Result<(), AppError> {
    let subject = ctx.user()?.subject();
    let mut refused = 0;
    for key in state.store.list_households(list_id).await? {
        let target = state.store.household_target(&key, SharingPurpose::Assistance).await?;
        if !subject.may(Action::ViewPersonalData, &target) {
            refused += 1;
        }
    }
    if refused > 0 {
        return Err(AppError::Invalid(format!(
            "your roles do not let you see the names of {refused} household(s) on this list; export it without a purpose (pseudonymised)"
        )));
    }
    Ok(())
}

/// Builds a beneficiary list file.
pub(crate) fn list_csv(list: &BeneficiaryListView) -> Result<Vec<u8>, AppError> {
    let rows: Vec<BeneficiaryRow> = list
        .entries
        .iter()
        .map(|e| BeneficiaryRow {
            rank: e.rank,
            household: e.code.clone(),
            score: e.score,
            reason: e.reason.clone(),
            size: e.size,
            desk: e.desk_code.clone(),
            area: e.adm2.clone().unwrap_or_default(),
            assisted_here: e.assisted_here.join(";"),
            assisted_elsewhere: e.assisted_elsewhere.join(";"),
            head_name: e.head_name.clone().unwrap_or_default(),
            head_document: e.head_document.clone().unwrap_or_default(),
            head_phone: e.head_phone.clone().unwrap_or_default(),
        })
        .collect();
    let mut out = Vec::new();
    write_beneficiaries_csv(&rows, list.personal, &mut out).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(out)
}

/// A beneficiary list as CSV for distribution. With a `purpose` (distribution...), the heads'
/// names, documents and phones — only if the user may see them for every household on it.
/// Audited with its purpose.
#[utoipa::path(get, path = "/registration/lists/{id}/export", tag = "registration", params(ListExportFilter),
    responses((status = 200, description = "The file", content_type = "text/csv"), (status = 403, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
async fn export_list(
    State(state): State<AppState>,
    ctx: Ctx,
    Id(id): Id,
    Params(filter): Params<ListExportFilter>,
) -> Result<Response, AppError> {
    let programme = list_access(&state, &ctx, id).await?;
    let purpose = export_purpose(filter.purpose.as_deref())
        .map_err(|_| AppError::Invalid(format!("the purpose is one of: {}", purposes())))?;
    let disclosure = match purpose {
        Some(_) => {
            require_names_of_list(&state, &ctx, id).await?;
            Disclosure::Personal
        }
        None => Disclosure::Pseudonymous,
    };
    let list = state.store.beneficiary_list(&ctx.actor(), id, disclosure).await?;
    let bytes = list_csv(&list)?;
    state
        .store
        .record_export(
            &ctx.actor(),
            rumbo_domain::audit::Entity::BeneficiaryList,
            &format!(
                "exported beneficiary list {id} of programme {} ({} households){}",
                programme.code,
                list.entries.len(),
                purpose.map_or(", pseudonymised".to_owned(), |p| format!(
                    " with names, for {}",
                    p.code()
                ))
            ),
        )
        .await?;
    Ok(download(
        bytes,
        "text/csv; charset=utf-8",
        Some(&format!("beneficiaries-{}-{id}.csv", programme.code)),
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct AssistanceIn {
    /// Household codes (or ids), each on one of the programme's lists.
    pub households: Vec<String>,
    #[schema(example = "2026-03-12")]
    pub assisted_on: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RecordedOut {
    /// Households newly recorded (a household recorded twice for a day counts once).
    pub recorded: usize,
}

/// Records that the programme assisted households on a date.
#[utoipa::path(post, path = "/registration/programmes/{id}/assistance", tag = "registration", request_body = AssistanceIn,
    responses((status = 200, body = RecordedOut), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn record_assistance(
    State(state): State<AppState>,
    ctx: Ctx,
    Id(id): Id,
    Body(body): Body<AssistanceIn>,
) -> Result<Json<RecordedOut>, AppError> {
    let programme = state.store.programme(id).await?;
    ctx.require(Action::RecordAssistance, &programme_target(&programme))?;
    let households = body
        .households
        .iter()
        .map(|h| h.trim().parse::<i64>().or_else(|_| decode(Kind::Household, h)))
        .collect::<Result<Vec<_>, _>>()?;
    let recorded = state
        .store
        .record_assistance(&ctx.actor(), id, &households, &body.assisted_on)
        .await?;
    Ok(Json(RecordedOut { recorded }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AgreementOut {
    pub id: i64,
    pub from_org: i64,
    pub from: String,
    pub to_org: i64,
    pub to: String,
    pub country: String,
    pub purposes: Vec<String>,
    pub reference: String,
    pub valid_from: String,
    pub valid_until: Option<String>,
    pub revoked_at: Option<String>,
    pub in_force: bool,
}

impl From<AgreementRecord> for AgreementOut {
    fn from(a: AgreementRecord) -> Self {
        AgreementOut {
            id: a.id,
            from_org: a.from_org,
            from: a.from,
            to_org: a.to_org,
            to: a.to,
            country: a.country.to_string(),
            purposes: a.purposes.iter().map(|p| p.code().to_owned()).collect(),
            reference: a.reference,
            valid_from: a.valid_from,
            valid_until: a.valid_until,
            revoked_at: a.revoked_at,
            in_force: a.in_force,
        }
    }
}

/// The countries whose agreements the user manages; `None` for all.
pub(crate) fn agreement_countries(ctx: &Ctx) -> Result<Option<Vec<rumbo_domain::country::Iso3>>, AppError> {
    let user = ctx.require_somewhere(Action::ManageSharingAgreements)?;
    let subject = user.subject();
    if subject.may(Action::ManageSharingAgreements, &Target::anywhere()) {
        return Ok(None);
    }
    Ok(Some(
        user.countries()
            .into_iter()
            .filter(|c| subject.may(Action::ManageSharingAgreements, &Target::country(*c)))
            .collect(),
    ))
}

/// Sharing agreements of the countries the user manages.
#[utoipa::path(get, path = "/registration/sharing-agreements", tag = "registration",
    responses((status = 200, body = Vec<AgreementOut>), (status = 403, body = ErrorBody)))]
async fn list_agreements(State(state): State<AppState>, ctx: Ctx) -> Result<Json<Vec<AgreementOut>>, AppError> {
    let countries = agreement_countries(&ctx)?;
    let agreements = state.store.sharing_agreements(countries.as_deref()).await?;
    Ok(Json(agreements.into_iter().map(Into::into).collect()))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct AgreementIn {
    /// The organisation whose registrations are shared.
    pub from_org: i64,
    /// The organisation that may see them.
    pub to_org: i64,
    pub country: String,
    /// case_management, assistance
    pub purposes: Vec<String>,
    pub reference: String,
    pub valid_from: String,
    pub valid_until: Option<String>,
}

/// Records a sharing agreement: `to_org` may see `from_org`'s registrations in the country, for
/// the purposes stated, of the households that consented to sharing.
#[utoipa::path(post, path = "/registration/sharing-agreements", tag = "registration", request_body = AgreementIn,
    responses((status = 201, body = AgreementOut), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_agreement(
    State(state): State<AppState>,
    ctx: Ctx,
    Body(body): Body<AgreementIn>,
) -> Result<(StatusCode, Json<AgreementOut>), AppError> {
    ctx.require_somewhere(Action::ManageSharingAgreements)?;
    let country = rumbo_domain::country::Iso3::parse(&body.country)?;
    ctx.require(Action::ManageSharingAgreements, &Target::country(country))?;
    let input = AgreementInput {
        from_org: body.from_org,
        to_org: body.to_org,
        country: body.country,
        purposes: body.purposes,
        reference: body.reference,
        valid_from: body.valid_from,
        valid_until: body.valid_until.unwrap_or_default(),
    };
    let agreement = state.store.create_sharing_agreement(&ctx.actor(), &input).await?;
    Ok((StatusCode::CREATED, Json(agreement.into())))
}

/// Revokes an agreement: from now on the partner no longer sees what it covered.
#[utoipa::path(post, path = "/registration/sharing-agreements/{id}/revoke", tag = "registration",
    responses((status = 200, body = AgreementOut), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn revoke_agreement(State(state): State<AppState>, ctx: Ctx, Id(id): Id) -> Result<Json<AgreementOut>, AppError> {
    let agreement = state.store.sharing_agreement(id).await?;
    ctx.require(Action::ManageSharingAgreements, &Target::country(agreement.country))?;
    Ok(Json(
        state.store.revoke_sharing_agreement(&ctx.actor(), id).await?.into(),
    ))
}
