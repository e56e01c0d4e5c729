//! R4V information management over the API: 5W reports (partners' own; IM officers' country),
//! the information exchange protocol, population figures, planning, needs, dashboards and
//! overlaps; and, without signing in, the public consolidated figures and figures feed.

/// 5W reports: list, entry, correction with history, import, export, validation, error report.
mod activities;
/// Submissions of the information exchange protocol and their provenance.
mod exchange;
/// Targets, funding, needs, dashboards, overlaps, indicators.
mod planning;
/// Public outputs: consolidated figures and the population figures feed.
mod public;

use axum::response::Response;
use rumbo_io::r4v::write::{Table, to_csv, to_xlsx};
use utoipa_axum::router::OpenApiRouter;

use crate::AppState;
use crate::error::AppError;
use crate::files::download;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .merge(activities::router())
        .merge(exchange::router())
        .merge(planning::router())
        .merge(public::router())
}

/// How a table is sent: JSON (the default of most endpoints), CSV or XLSX with an HXL row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableFormat {
    Json,
    Csv,
    Xlsx,
}

impl TableFormat {
    pub fn parse(raw: Option<&str>, default: TableFormat) -> Result<TableFormat, AppError> {
        match raw.map(|f| f.trim().to_ascii_lowercase()).as_deref() {
            None | Some("") => Ok(default),
            Some("json") => Ok(TableFormat::Json),
            Some("csv") => Ok(TableFormat::Csv),
            Some("xlsx") => Ok(TableFormat::Xlsx),
            Some(other) => Err(AppError::Invalid(format!(
                "'{other}' is not a format: use json, csv or xlsx"
            ))),
        }
    }
}

/// A table as a CSV or XLSX download named `name` (without extension).
pub fn send_table(table: &Table, format: TableFormat, name: &str) -> Result<Response, AppError> {
    let internal = |e: rumbo_io::WriteError| AppError::Internal(e.to_string());
    match format {
        TableFormat::Xlsx => Ok(download(
            to_xlsx(table, "data").map_err(internal)?,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Some(&format!("{name}.xlsx")),
        )),
        _ => Ok(download(
            to_csv(table).map_err(internal)?,
            "text/csv; charset=utf-8",
            Some(&format!("{name}.csv")),
        )),
    }
}
