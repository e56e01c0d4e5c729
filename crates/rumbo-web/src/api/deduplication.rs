//! De-duplication over the API: the review queue of possible duplicates (exact document
//! duplicates and the engine's probable matches), one pair side by side (an audited read; names
//! only of the sides the reader's organisation holds or is shared), decisions (confirm, reject,
//! undo), and pairs and resolved identities as CSV/HXL/XLSX. Runs of the linkage engine are in
//! `deduplication_runs`.

use axum::Json;
use axum::extract::State;
use axum::response::Response;
use rumbo_domain::Vocabulary;
use rumbo_io::tables::TableFormat;
use rumbo_store::Page;
use rumbo_store::deduplication::{Decision, PairQuery, PairRow};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::api::{Body, Id, Listing, Params};
use crate::auth::Ctx;
use crate::deduplication::{clusters_table, given, listed_countries, pair_view, pairs_table};
use crate::error::{AppError, ErrorBody};
use crate::flow_data::table_download;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_pairs))
        .routes(routes!(export))
        .routes(routes!(get_pair))
        .routes(routes!(decide))
}

#[derive(Debug, Deserialize, IntoParams)]
pub(crate) struct PairFilter {
    /// ISO3 code; every country the reader reviews when empty.
    pub country: Option<String>,
    /// A desk on either side.
    pub desk_id: Option<i64>,
    /// An organisation on either side.
    pub organisation_id: Option<i64>,
    /// At least this match probability, in percent (0-100).
    pub min_probability: Option<i64>,
    /// open (default), duplicate, not_duplicate or all.
    pub status: Option<String>,
    /// duplicate_document or probable_match.
    pub kind: Option<String>,
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

impl PairFilter {
    /// The store's query, restricted to the countries the user reviews.
    pub(crate) fn query(&self, ctx: &Ctx) -> Result<PairQuery, AppError> {
        let countries = listed_countries(ctx, &self.country)?;
        if let Some(p) = self.min_probability
            && !(0..=100).contains(&p)
        {
            return Err(AppError::Invalid(format!(
                "min_probability: {p} is not a percentage between 0 and 100"
            )));
        }
        let status = given(&self.status);
        if let Some(s) = &status
            && !matches!(s.as_str(), "open" | "duplicate" | "not_duplicate" | "erased" | "all")
        {
            return Err(AppError::Invalid(format!(
                "status: '{s}' is not open, duplicate, not_duplicate, erased or all"
            )));
        }
        let kind = given(&self.kind);
        if let Some(k) = &kind
            && !matches!(k.as_str(), "duplicate_document" | "probable_match")
        {
            return Err(AppError::Invalid(format!(
                "kind: '{k}' is not duplicate_document or probable_match"
            )));
        }
        Ok(PairQuery {
            countries,
            desk_id: self.desk_id,
            organisation_id: self.organisation_id,
            min_percent: self.min_probability,
            status,
            kind,
        })
    }
}

/// A possible duplicate as the queue lists it: pseudonymous codes only.
#[derive(Debug, Serialize, ToSchema)]
pub struct PairOut {
    pub id: i64,
    /// duplicate_document or probable_match.
    pub kind: String,
    /// open, duplicate (confirmed), not_duplicate (rejected), erased.
    pub status: String,
    /// The engine's match probability (0-1); none for an exact document duplicate.
    pub probability: Option<f64>,
    pub country: String,
    pub created_at: String,
    /// The later registration.
    #[schema(value_type = Object)]
    pub person: serde_json::Value,
    /// The earlier registration.
    #[schema(value_type = Object)]
    pub other: serde_json::Value,
}

impl TryFrom<PairRow> for PairOut {
    type Error = AppError;

    fn try_from(p: PairRow) -> Result<Self, AppError> {
        let json = |v| serde_json::to_value(v).map_err(|e| AppError::Internal(e.to_string()));
        Ok(PairOut {
            id: p.id,
            kind: p.kind,
            status: p.status,
            probability: p.probability,
            country: p.country.to_string(),
            created_at: p.created_at,
            person: json(&p.person)?,
            other: json(&p.other)?,
        })
    }
}

/// The review queue: possible duplicates in the countries where the reader reviews them, the
/// most probable first. IM officers of the country.
#[utoipa::path(get, path = "/registration/duplicates", tag = "deduplication", params(PairFilter),
    responses((status = 200, body = Listing<PairOut>), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn list_pairs(
    State(state): State<AppState>,
    ctx: Ctx,
    Params(filter): Params<PairFilter>,
) -> Result<Listing<PairOut>, AppError> {
    let query = filter.query(&ctx)?;
    let page = Page::new(filter.limit, filter.offset);
    let (pairs, total) = state.store.duplicate_pairs(&query, page).await?;
    Ok(Listing {
        items: pairs.into_iter().map(PairOut::try_from).collect::<Result<_, _>>()?,
        total,
        limit: page.limit,
        offset: page.offset,
    })
}

/// One possible duplicate side by side with the engine's per-field explanation and the
/// decisions taken. Names and documents of a side only when the reader's organisation holds
/// that record or is shared it; every view is audited.
#[utoipa::path(get, path = "/registration/duplicates/{id}", tag = "deduplication",
    responses((status = 200, body = Object), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get_pair(State(state): State<AppState>, ctx: Ctx, Id(id): Id) -> Result<Json<serde_json::Value>, AppError> {
    let view = pair_view(&state, &ctx, id).await?;
    Ok(Json(
        serde_json::to_value(view).map_err(|e| AppError::Internal(e.to_string()))?,
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct DecisionIn {
    /// confirm (the same person: merged into one identity, every record kept), reject (never
    /// suggested again) or undo (a confirmed merge taken back; the pair is open again).
    pub decision: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DecisionOut {
    pub id: i64,
    /// The pair's status now.
    pub status: String,
    /// The identity both people now share, when confirmed (a person code).
    pub identity: Option<String>,
}

/// Decides a possible duplicate. Audited.
#[utoipa::path(post, path = "/registration/duplicates/{id}/decision", tag = "deduplication", request_body = DecisionIn,
    responses((status = 200, body = DecisionOut), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
async fn decide(
    State(state): State<AppState>,
    ctx: Ctx,
    Id(id): Id,
    Body(body): Body<DecisionIn>,
) -> Result<Json<DecisionOut>, AppError> {
    let (pair, _) = crate::deduplication::pair_access(&state, &ctx, id).await?;
    let decision = Decision::parse(&body.decision)?;
    let status = state.store.decide_duplicate(&ctx.actor(), id, decision).await?;
    let identity = match pair.person.member_id {
        Some(member) => state.store.person_identity(member).await?,
        None => None,
    };
    Ok(Json(DecisionOut {
        id,
        status: status.to_owned(),
        identity: identity.map(|i| {
            rumbo_domain::registration::pseudonym::encode(rumbo_domain::registration::pseudonym::Kind::Person, i)
        }),
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
pub(crate) struct ExportQuery {
    /// pairs (default) or clusters (resolved identities).
    pub what: Option<String>,
    /// csv (default), hxl or xlsx.
    pub format: Option<String>,
    /// ISO3 code; every country the reader reviews when empty.
    pub country: Option<String>,
    pub desk_id: Option<i64>,
    pub organisation_id: Option<i64>,
    /// At least this match probability, in percent (pairs only).
    pub min_probability: Option<i64>,
    /// open (default), duplicate, not_duplicate or all (pairs only).
    pub status: Option<String>,
    pub kind: Option<String>,
}

impl ExportQuery {
    fn filter(&self) -> PairFilter {
        PairFilter {
            country: self.country.clone(),
            desk_id: self.desk_id,
            organisation_id: self.organisation_id,
            min_probability: self.min_probability,
            status: self.status.clone(),
            kind: self.kind.clone(),
            limit: None,
            offset: None,
        }
    }
}

/// The queue's pairs, or the resolved identities, as a file: pseudonymous codes, desks,
/// organisations and probabilities; no names. Audited as an export.
#[utoipa::path(get, path = "/registration/duplicates/export", tag = "deduplication", params(ExportQuery),
    responses((status = 200, description = "CSV, HXL or XLSX"), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn export(State(state): State<AppState>, ctx: Ctx, Params(q): Params<ExportQuery>) -> Result<Response, AppError> {
    export_file(&state, &ctx, &q).await
}

/// Shared by the API and the queue page's download links.
pub(crate) async fn export_file(state: &AppState, ctx: &Ctx, q: &ExportQuery) -> Result<Response, AppError> {
    let format = TableFormat::parse(q.format.as_deref()).map_err(AppError::Invalid)?;
    let query = q.filter().query(ctx)?;
    let table = match q.what.as_deref().map(str::trim).unwrap_or("pairs") {
        "" | "pairs" => {
            let all = Page::new(Some(Page::MAX_LIMIT), None);
            let mut pairs = Vec::new();
            let mut offset = 0;
            loop {
                let (mut chunk, total) = state.store.duplicate_pairs(&query, Page { offset, ..all }).await?;
                let done = chunk.is_empty() || offset + (chunk.len() as i64) >= total;
                offset += chunk.len() as i64;
                pairs.append(&mut chunk);
                if done {
                    break;
                }
            }
            pairs_table(&pairs)
        }
        "clusters" => clusters_table(&state.store.resolved_identities(query.countries.as_deref()).await?),
        other => {
            return Err(AppError::Invalid(format!("what: '{other}' is not pairs or clusters")));
        }
    };
    state
        .store
        .record_duplicate_export(&ctx.actor(), &table.name, table.rows.len())
        .await?;
    table_download(&table, format, None)
}
