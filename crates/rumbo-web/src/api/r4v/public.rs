//! Public outputs: no sign-in. Consolidated people reached (counts from 1 to 4 suppressed in
//! every cell) and the population figures feed. Neither holds personal data.

use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use rumbo_domain::Vocabulary;
use rumbo_domain::access::Action;
use rumbo_domain::country::Iso3;
use rumbo_domain::r4v::{FigureType, Method, Month};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{TableFormat, send_table};
use crate::AppState;
use crate::api::Params;
use crate::auth::Ctx;
use crate::error::{AppError, ErrorBody};
use crate::r4v::outputs::{
    ConsolidatedOut, Consolidation, FiguresFeed, consolidated, consolidated_table, figures_feed, figures_table,
    output_out,
};
use crate::r4v::scope::countries_for;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(public_consolidated))
        .routes(routes!(internal_consolidated))
        .routes(routes!(public_figures))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct ConsolidationFilter {
    /// sum or maxsector (default): how sectors are combined; recorded on every output.
    method: Option<String>,
    /// ISO3 country code.
    country: Option<String>,
    /// A year: one figure for its twelve months (unique people reached in the year).
    year: Option<i64>,
    /// First month, YYYY-MM.
    from: Option<String>,
    /// Last month, YYYY-MM.
    to: Option<String>,
    /// region, platform, country or admin1: only outputs at this level.
    level: Option<String>,
    /// A sector code, or `intersector`.
    sector: Option<String>,
    /// json (default), csv or xlsx (with HXL hashtags).
    format: Option<String>,
}

impl ConsolidationFilter {
    fn params(&self) -> Result<Consolidation, AppError> {
        let month = |raw: &Option<String>| {
            raw.as_deref()
                .filter(|m| !m.trim().is_empty())
                .map(Month::parse)
                .transpose()
        };
        let (mut from, mut to) = (month(&self.from)?, month(&self.to)?);
        if let Some(year) = self.year {
            from = Some(Month::new(year, 1)?);
            to = Some(Month::new(year, 12)?);
        }
        Ok(Consolidation {
            method: match self.method.as_deref().filter(|m| !m.trim().is_empty()) {
                Some(m) => Method::parse(m)?,
                None => Method::MaxSector,
            },
            countries: self
                .country
                .as_deref()
                .filter(|c| !c.trim().is_empty())
                .map(|c| Iso3::parse(c).map(|c| vec![c]))
                .transpose()?,
            from,
            to,
            whole_span: self.year.is_some(),
        })
    }

    fn keep(&self, o: &ConsolidatedOut) -> bool {
        self.level.as_deref().is_none_or(|l| l.is_empty() || l == o.level)
            && self.sector.as_deref().is_none_or(|s| s.is_empty() || s == o.sector)
    }
}

async fn respond(
    state: &AppState,
    filter: &ConsolidationFilter,
    params: Consolidation,
    public: bool,
) -> Result<Response, AppError> {
    let format = TableFormat::parse(filter.format.as_deref(), TableFormat::Json)?;
    let outputs: Vec<ConsolidatedOut> = consolidated(&state.store, &params)
        .await?
        .iter()
        .map(|o| output_out(o, public))
        .filter(|o| filter.keep(o))
        .collect();
    match format {
        TableFormat::Json => Ok(Json(outputs).into_response()),
        other => send_table(
            &consolidated_table(&outputs),
            other,
            &format!("r4v-consolidated-{}", params.method.code()),
        ),
    }
}

/// People reached, consolidated without double counting: new beneficiaries only (the monthly
/// total is shown per month, never added across months), by population type and by age and
/// gender, per sector and intersector with the method given, at admin-1, country, platform
/// (national and sub-regional: the sum of their countries) and region level. Public: no sign-in; every count from 1 to 4 is suppressed (null).
#[utoipa::path(get, path = "/r4v/public/consolidated", tag = "r4v-public", params(ConsolidationFilter), security(()),
    responses((status = 200, body = Vec<ConsolidatedOut>), (status = 422, body = ErrorBody)))]
async fn public_consolidated(
    State(state): State<AppState>,
    Params(filter): Params<ConsolidationFilter>,
) -> Result<Response, AppError> {
    let params = filter.params()?;
    respond(&state, &filter, params, true).await
}

/// The same figures without suppression, for IM officers of the countries they cover.
#[utoipa::path(get, path = "/r4v/consolidated", tag = "r4v", params(ConsolidationFilter),
    responses((status = 200, body = Vec<ConsolidatedOut>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn internal_consolidated(
    State(state): State<AppState>,
    ctx: Ctx,
    Params(filter): Params<ConsolidationFilter>,
) -> Result<Response, AppError> {
    let mut params = filter.params()?;
    let allowed = countries_for(&ctx, Action::ViewCoordination)?;
    if allowed.is_empty() {
        return Err(AppError::Forbidden);
    }
    params.countries = Some(match params.countries.take() {
        Some(asked) if asked.iter().all(|c| allowed.contains(c)) => asked,
        Some(_) => return Err(AppError::Forbidden),
        None => allowed,
    });
    respond(&state, &filter, params, false).await
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct FiguresFilter {
    /// ISO3 country code.
    country: Option<String>,
    /// refugees_migrants, asylum_claims or regular_stays.
    figure_type: Option<String>,
    /// Include every publication (the history), not only the current figures.
    #[serde(default)]
    history: bool,
    /// json (default), csv or xlsx: the files are in the exchange format and import again.
    format: Option<String>,
}

#[derive(Serialize, ToSchema)]
#[allow(dead_code)] // documents the JSON answer
struct FiguresFeedDoc(FiguresFeed);

/// Official population figures: the current (latest official) figure per country and type,
/// regional totals labelled with the dates they combine, and with `history` every
/// publication. Public: no sign-in.
#[utoipa::path(get, path = "/r4v/public/figures", tag = "r4v-public", params(FiguresFilter), security(()),
    responses((status = 200, body = FiguresFeed), (status = 422, body = ErrorBody)))]
async fn public_figures(
    State(state): State<AppState>,
    Params(filter): Params<FiguresFilter>,
) -> Result<Response, AppError> {
    let country = filter
        .country
        .as_deref()
        .filter(|c| !c.trim().is_empty())
        .map(Iso3::parse)
        .transpose()?;
    let kind = filter
        .figure_type
        .as_deref()
        .filter(|c| !c.trim().is_empty())
        .map(FigureType::parse)
        .transpose()?;
    let stored = state.store.population_figures(country, kind).await?;
    let feed = figures_feed(&stored, filter.history);
    match TableFormat::parse(filter.format.as_deref(), TableFormat::Json)? {
        TableFormat::Json => Ok(Json(feed).into_response()),
        format => {
            let rows = if filter.history { &feed.history } else { &feed.current };
            send_table(&figures_table(rows), format, "r4v-population-figures")
        }
    }
}
