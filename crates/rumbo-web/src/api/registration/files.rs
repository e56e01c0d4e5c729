//! Registration files in and out, and figures. An import is whole or nothing, with every
//! problem by row and column. An export with names needs a stated purpose and holds only the
//! households whose names the user may see; every export is audited.

use axum::Json;
use axum::extract::Multipart;
use axum::extract::State;
use axum::extract::multipart::MultipartRejection;
use axum::response::Response;
use rumbo_domain::Vocabulary;
use rumbo_domain::access::Action;
use rumbo_domain::country::Iso3;
use rumbo_domain::registration::statistics::{Shown, bracket_label, shown};
use rumbo_store::registration::{ImportSummary, RegistrationFigures};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::api::Params;
use crate::auth::Ctx;
use crate::error::{AppError, ErrorBody};
use crate::files::{download, read_upload};
use crate::registration::{export_csv, export_purpose, import_upload, list_reach, statistics_countries};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(import_registrations))
        .routes(routes!(export_registrations))
        .routes(routes!(figures))
}

/// The form of a registration import.
#[derive(ToSchema)]
#[allow(dead_code)] // documents the multipart form; the handler reads it field by field
struct RegistrationImportForm {
    /// CSV (UTF-8), one row per person: household, desk, relationship, given_names,
    /// first_surname, second_surname, sex, birth_date or estimated_age, nationality, and
    /// optionally phone, needs, document_type, document_number, document_expiry, wg_*,
    /// population_group, arrival_date, residence_area, consent_registration, consent_sharing,
    /// consent_referral, child_headed and the living conditions. An HXL row may follow the header.
    #[schema(content_media_type = "application/octet-stream")]
    file: Vec<u8>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ImportOut {
    pub households: usize,
    pub people: usize,
    pub documents: usize,
    /// Possible duplicates flagged for review.
    pub flagged: usize,
    pub scored: usize,
}

impl From<ImportSummary> for ImportOut {
    fn from(s: ImportSummary) -> Self {
        ImportOut {
            households: s.households,
            people: s.people,
            documents: s.documents,
            flagged: s.flagged,
            scored: s.scored,
        }
    }
}

/// Imports registrations: all households or none, every problem by row and column.
#[utoipa::path(post, path = "/registration/import", tag = "registration",
    request_body(content = inline(RegistrationImportForm), content_type = "multipart/form-data"),
    responses((status = 200, body = ImportOut), (status = 403, body = ErrorBody), (status = 413, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
async fn import_registrations(
    State(state): State<AppState>,
    ctx: Ctx,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Json<ImportOut>, AppError> {
    ctx.require_somewhere(Action::RegisterHouseholds)?;
    let upload = read_upload(multipart).await?;
    Ok(Json(import_upload(&state, &ctx, &upload).await?.into()))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct ExportFilter {
    /// ISO3 of one country; every country the user may see when absent.
    country: Option<String>,
    /// Why names leave Rumbo: distribution, case_management, referral, verification or
    /// subject_access_request. Without it the export is pseudonymised.
    purpose: Option<String>,
}

/// Registrations as CSV, one row per person, with an HXL row. With a `purpose`, names,
/// documents and phones of the households the user may see them of (the file imports again);
/// without, pseudonymous codes only. Audited with its purpose.
#[utoipa::path(get, path = "/registration/export", tag = "registration", params(ExportFilter),
    responses((status = 200, description = "The file", content_type = "text/csv"), (status = 403, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
async fn export_registrations(
    State(state): State<AppState>,
    ctx: Ctx,
    Params(filter): Params<ExportFilter>,
) -> Result<Response, AppError> {
    let (reach, _) = list_reach(ctx.user()?);
    if reach.is_empty() {
        return Err(AppError::Forbidden);
    }
    let country = filter
        .country
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(Iso3::parse)
        .transpose()?;
    let purpose = export_purpose(filter.purpose.as_deref())?;
    let bytes = export_csv(&state, &ctx, country, purpose).await?;
    let name = format!(
        "registrations-{}-{}.csv",
        country.map_or_else(|| "all".to_owned(), |c| c.to_string()),
        if purpose.is_some() { "personal" } else { "pseudonymised" }
    );
    Ok(download(bytes, "text/csv; charset=utf-8", Some(&name)))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct FigureFilter {
    country: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CountOut {
    /// The count, or null when it is below 5 and suppressed (see `fewer_than`).
    pub value: Option<i64>,
    pub fewer_than: Option<i64>,
}

impl From<Shown> for CountOut {
    fn from(s: Shown) -> Self {
        match s {
            Shown::Exact(n) => CountOut {
                value: Some(n),
                fewer_than: None,
            },
            Shown::FewerThan(n) => CountOut {
                value: None,
                fewer_than: Some(n),
            },
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BracketOut {
    pub ages: String,
    pub female: CountOut,
    pub male: CountOut,
    pub other: CountOut,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FiguresOut {
    pub households: i64,
    /// Unique persons: people confirmed to be registered more than once count once.
    pub people: i64,
    /// Registrations of people, duplicates included.
    pub person_records: i64,
    pub by_age: Vec<BracketOut>,
    pub needs: Vec<(String, CountOut)>,
    pub verified: i64,
    pub scored: i64,
    pub eligible: i64,
    pub erased_households: i64,
    pub open_flags: i64,
    /// Small counts (1 to 4) are suppressed (shown as "fewer than 5") for everyone but administrators.
    pub exact: bool,
}

/// Turns figures into what a reader may see: small counts suppressed unless `exact`.
pub(crate) fn figures_out(f: RegistrationFigures, exact: bool) -> FiguresOut {
    FiguresOut {
        households: f.households,
        people: f.people,
        person_records: f.person_records,
        by_age: (0..5)
            .map(|b| BracketOut {
                ages: bracket_label(b),
                female: shown(f.by_sex_and_age[0][b], exact).into(),
                male: shown(f.by_sex_and_age[1][b], exact).into(),
                other: shown(f.by_sex_and_age[2][b], exact).into(),
            })
            .collect(),
        needs: f
            .needs
            .iter()
            .map(|(n, c)| (n.code().to_owned(), shown(*c, exact).into()))
            .collect(),
        verified: f.verified,
        scored: f.scored,
        eligible: f.eligible,
        erased_households: f.erased_households,
        open_flags: f.open_flags,
        exact,
    }
}

/// Registration figures of the countries the user works in (every organisation's registrations,
/// erased people included, merged households once).
#[utoipa::path(get, path = "/registration/figures", tag = "registration", params(FigureFilter),
    responses((status = 200, body = FiguresOut), (status = 403, body = ErrorBody)))]
async fn figures(
    State(state): State<AppState>,
    ctx: Ctx,
    Params(filter): Params<FigureFilter>,
) -> Result<Json<FiguresOut>, AppError> {
    let user = ctx.user()?;
    let mut countries = statistics_countries(user);
    if let Some(country) = filter.country.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        let country = Iso3::parse(country)?;
        ctx.require(
            Action::ViewRegistrationStatistics,
            &rumbo_domain::access::Target::country(country),
        )?;
        countries = Some(vec![country]);
    }
    if countries.as_ref().is_some_and(Vec::is_empty) {
        return Err(AppError::Forbidden);
    }
    let figures = state.store.registration_figures(countries.as_deref()).await?;
    Ok(Json(figures_out(figures, user.subject().is_admin())))
}
