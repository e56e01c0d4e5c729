//! The map: admin boundaries of a country and level, and locations as markers coloured by
//! type. Drawn in the browser by `static/map.js` with the vendored Leaflet, from the API's
//! GeoJSON layers; there is no tile server (Rumbo runs offline), so polygons lie on a plain
//! background.

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use rumbo_domain::Vocabulary;
use rumbo_domain::access::{Action, Target};
use rumbo_domain::country::Iso3;
use rumbo_domain::geography::AdminLevel;
use rumbo_domain::location::LocationKind;
use serde::Deserialize;

use super::{Chrome, render};
use crate::AppState;
use crate::auth::Ctx;
use crate::error::AppError;

pub fn router() -> Router<AppState> {
    Router::new().route("/map", get(map))
}

/// The words the map script shows (legend, popups, messages), in the reader's language, as the
/// JSON of a `data-labels` attribute: scripts cannot reach the message catalogue.
pub(super) fn map_labels(c: &Chrome) -> String {
    let kinds: serde_json::Map<String, serde_json::Value> = LocationKind::ALL
        .iter()
        .map(|k| (k.code().to_owned(), c.tr.label(*k).into()))
        .collect();
    serde_json::json!({
        "kinds": kinds,
        "legend": c.tr.t("map-legend"),
        "open": c.tr.t("map-open"),
        "code": c.tr.t("loc-code"),
        "type": c.tr.t("loc-kind"),
        "pcode": c.tr.t("geo-pcode"),
        "areas": c.tr.t("loc-admin-areas"),
        "failed": c.tr.t("map-failed"),
        "empty": c.tr.t("map-empty"),
    })
    .to_string()
}

#[derive(Deserialize)]
struct MapQuery {
    country: Option<String>,
    level: Option<String>,
    kind: Option<String>,
}

#[derive(Template)]
#[template(path = "map.html")]
struct MapPage {
    c: Chrome,
    countries: Vec<(String, String)>,
    kinds: Vec<(String, String)>,
    country: String,
    level: u8,
    kind: String,
    areas_url: String,
    locations_url: String,
    labels: String,
}

async fn map(State(state): State<AppState>, ctx: Ctx, Query(query): Query<MapQuery>) -> Result<Response, AppError> {
    let user = ctx.require(Action::ViewReferenceData, &Target::anywhere())?;
    let c = Chrome::new(&ctx, "/map");
    // Without a choice, a user who works in one country sees it; others see the region.
    let country = match query.country.as_deref().map(str::trim) {
        Some("") => None,
        Some(raw) => Iso3::parse(raw).ok(),
        None => match user.countries().as_slice() {
            [only] => Some(*only),
            _ => None,
        },
    };
    let level = query
        .level
        .as_deref()
        .and_then(|l| l.parse::<i64>().ok())
        .and_then(|l| AdminLevel::new(l).ok())
        .unwrap_or(AdminLevel::ONE);
    let kind = query.kind.as_deref().and_then(|k| LocationKind::parse(k).ok());
    let mut countries: Vec<(String, String)> = state
        .store
        .countries()
        .await?
        .iter()
        .map(|country| (country.iso3.to_string(), c.tr.name(&country.names).to_owned()))
        .collect();
    countries.sort_by(|a, b| a.1.cmp(&b.1));
    let country_param = country.map(|c| format!("country={c}"));
    let kind_param = kind.map(|k| format!("kind={}", k.code()));
    let query = |params: Vec<Option<String>>| params.into_iter().flatten().collect::<Vec<_>>().join("&");
    render(&MapPage {
        areas_url: format!(
            "/api/v1/admin-areas/geojson?{}",
            query(vec![country_param.clone(), Some(format!("level={level}"))])
        ),
        locations_url: format!("/api/v1/locations/geojson?{}", query(vec![country_param, kind_param])),
        kinds: LocationKind::ALL
            .iter()
            .map(|k| (k.code().to_owned(), c.tr.label(*k)))
            .collect(),
        country: country.map(|c| c.to_string()).unwrap_or_default(),
        level: level.get(),
        kind: kind.map(|k| k.code().to_owned()).unwrap_or_default(),
        labels: map_labels(&c),
        countries,
        c,
    })
}
