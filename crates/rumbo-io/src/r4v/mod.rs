//! R4V's files: 5W activity reports in R4V's template (Spanish or English labels, or HXL
//! hashtags), the datasets of the information exchange protocol (population figures, needs,
//! flow counts), partners' targets and OCHA FTS funding flows in; 5W reports, figures and
//! consolidated outputs out as CSV or XLSX with an HXL hashtag row. Double-encoded UTF-8 text
//! is repaired and every repair reported with its row and column.

/// Schema-driven tables: exchange datasets, targets, funding flows.
pub mod dataset;
/// 5W reports in R4V's template.
pub mod five_w;
/// Household surveys for the multidimensional deprivation method.
pub mod households;
/// Reading a CSV or XLSX file into rows of text cells.
pub mod sheet;
/// Tables out, as CSV or XLSX, with an HXL row.
pub mod write;

use serde::Serialize;

/// A cell whose double-encoded text was repaired.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Repair {
    /// `row 4, column Admin1`.
    #[serde(rename = "where")]
    pub location: String,
    pub before: String,
    pub after: String,
}
