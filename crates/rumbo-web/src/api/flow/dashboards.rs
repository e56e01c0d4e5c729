//! The dashboards through the API: inflow, outflow and net by day, week or month; people by
//! breakdown; any dashboard table as CSV, HXL or XLSX; the main corridors as GeoJSON lines. All
//! from the daily rollups, for anyone with a role in the countries asked about.

use axum::Json;
use axum::extract::State;
use axum::response::Response;
use rumbo_domain::Vocabulary;
use rumbo_domain::access::Action;
use rumbo_domain::flow::counts::Dimension;
use rumbo_domain::flow::series::series;
use rumbo_io::tables::TableFormat;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::api::Params;
use crate::auth::Ctx;
use crate::error::{AppError, ErrorBody};
use crate::flow_data::{FlowQuery, flow_table, reach, table_download};

pub(super) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(flow_series))
        .routes(routes!(flow_breakdown))
        .routes(routes!(export_table))
        .routes(routes!(corridors))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PeriodOut {
    /// First day of the period.
    pub start: String,
    pub incoming: i64,
    pub outgoing: i64,
    pub transit: i64,
    pub net: i64,
    /// Hours of observation behind these counts: they are observed volumes, not totals.
    pub hours_observed: i64,
}

/// Inflow, outflow and net by day, week or month, over the points and dates chosen.
#[utoipa::path(get, path = "/flow/series", tag = "flow", params(FlowQuery),
    responses((status = 200, body = Vec<PeriodOut>), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn flow_series(
    State(state): State<AppState>,
    ctx: Ctx,
    Params(query): Params<FlowQuery>,
) -> Result<Json<Vec<PeriodOut>>, AppError> {
    let user = ctx.require_somewhere(Action::ViewFlowData)?;
    let (filter, interval) = query.filter(reach(user, Action::ViewFlowData))?;
    let periods = series(&state.store.flow_days(&filter).await?, interval);
    Ok(Json(
        periods
            .into_iter()
            .map(|p| PeriodOut {
                start: p.start.map(|d| d.to_string()).unwrap_or_default(),
                incoming: p.incoming,
                outgoing: p.outgoing,
                transit: p.transit,
                net: p.net,
                hours_observed: p.hours,
            })
            .collect(),
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct BreakdownQuery {
    /// nationality, transport, previous_point, next_destination, final_destination or corridor.
    dimension: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BreakdownOut {
    /// The value ('' when not stated); corridors as `previous|next`.
    pub value: String,
    pub incoming: i64,
    pub outgoing: i64,
    pub transit: i64,
    pub total: i64,
}

/// People by nationality, transport, previous point, next or final destination, or corridor.
#[utoipa::path(get, path = "/flow/breakdown", tag = "flow", params(BreakdownQuery, FlowQuery),
    responses((status = 200, body = Vec<BreakdownOut>), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn flow_breakdown(
    State(state): State<AppState>,
    ctx: Ctx,
    Params(query): Params<BreakdownQuery>,
    Params(filter): Params<FlowQuery>,
) -> Result<Json<Vec<BreakdownOut>>, AppError> {
    let user = ctx.require_somewhere(Action::ViewFlowData)?;
    let dimension = Dimension::parse(&query.dimension)?;
    let (filter, _) = filter.filter(reach(user, Action::ViewFlowData))?;
    let rows = state.store.flow_breakdown(&filter, dimension, 500).await?;
    Ok(Json(
        rows.into_iter()
            .map(|r| BreakdownOut {
                value: r.value,
                incoming: r.incoming,
                outgoing: r.outgoing,
                transit: r.transit,
                total: r.total,
            })
            .collect(),
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct ExportQuery {
    /// series, sex_age, nationality, transport, previous_point, next_destination,
    /// final_destination, corridor or points.
    table: String,
    /// csv (default), hxl (CSV with an HXL row) or xlsx.
    format: Option<String>,
}

/// Any dashboard table as CSV, HXL or XLSX. Recorded in the audit log.
#[utoipa::path(get, path = "/flow/export", tag = "flow", params(ExportQuery, FlowQuery),
    responses((status = 200, description = "The file", content((String = "text/csv"), (String = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
              (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn export_table(
    State(state): State<AppState>,
    ctx: Ctx,
    Params(query): Params<ExportQuery>,
    Params(filter): Params<FlowQuery>,
) -> Result<Response, AppError> {
    let user = ctx.require_somewhere(Action::ViewFlowData)?;
    let format = TableFormat::parse(query.format.as_deref()).map_err(AppError::Invalid)?;
    let (filter, interval) = filter.filter(reach(user, Action::ViewFlowData))?;
    let table = flow_table(&state.store, &query.table, &filter, interval).await?;
    state
        .store
        .record_export(
            &ctx.actor(),
            rumbo_domain::audit::Entity::FlowCount,
            &format!(
                "exported the {} table ({} rows) as {}",
                query.table,
                table.rows.len(),
                format.extension()
            ),
        )
        .await?;
    table_download(&table, format, None)
}

/// The main corridors (previous point → next destination) as GeoJSON lines, for the places
/// Rumbo can put on a map: a previous point or destination given as a location's code or name.
/// Each line carries the people counted on it.
#[utoipa::path(get, path = "/flow/corridors", tag = "flow", params(FlowQuery),
    responses((status = 200, description = "FeatureCollection of LineStrings", body = String, content_type = "application/geo+json"),
              (status = 401, body = ErrorBody)))]
async fn corridors(
    State(state): State<AppState>,
    ctx: Ctx,
    Params(query): Params<FlowQuery>,
) -> Result<Response, AppError> {
    let user = ctx.require_somewhere(Action::ViewFlowData)?;
    let (filter, _) = query.filter(reach(user, Action::ViewFlowData))?;
    let rows = state.store.flow_breakdown(&filter, Dimension::Corridor, 40).await?;
    let (locations, _) = state
        .store
        .locations(&Default::default(), crate::transfer::everything())
        .await?;
    let mut places = std::collections::HashMap::new();
    for l in &locations {
        places.insert(l.code.to_lowercase(), [l.position.lon, l.position.lat]);
        places.insert(l.name.to_lowercase(), [l.position.lon, l.position.lat]);
    }
    let features: Vec<serde_json::Value> = rows
        .iter()
        .filter_map(|r| {
            let (from, to) = r.value.split_once('|')?;
            let a = places.get(&from.trim().to_lowercase())?;
            let b = places.get(&to.trim().to_lowercase())?;
            Some(serde_json::json!({
                "type": "Feature",
                "geometry": {"type": "LineString", "coordinates": [a, b]},
                "properties": {"from": from, "to": to, "people": r.total},
            }))
        })
        .collect();
    let body = serde_json::json!({"type": "FeatureCollection", "features": features});
    Ok(crate::files::download(
        body.to_string().into_bytes(),
        "application/geo+json",
        None,
    ))
}
