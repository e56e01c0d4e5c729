//! Rumbo's file formats: reference data in and out. Readers turn the bytes of a file into
//! domain values, or into the list of every [`Problem`](rumbo_domain::Problem) found, each with
//! where it is (line and byte, row and column, feature and property); writers turn domain values
//! into files that the readers accept again. Nothing here touches a database or the network.
//!
//! Accepted on import:
//! - COD-AB style GeoJSON boundaries, one admin level per file ([`boundaries`]);
//! - P-code lists as CSV, one area per row or one row per lowest area with its ancestors
//!   ([`pcodes`]);
//! - location lists as CSV ([`locations`]).
//!
//! CSV files may carry an HXL hashtag row under the header, may use `,` `;` or tab between
//! values, and must be UTF-8; column names are matched without regard to case.

/// COD-AB style GeoJSON boundaries in.
pub mod boundaries;
/// Privacy-preserving linkage: people to encode in, encodings in and out, overlaps and pairs out.
pub mod clk;
/// Admin areas and locations out: CSV with HXL hashtags, and GeoJSON.
pub mod export;
/// Reading a large file on every core.
pub mod file;
/// Count files of flow monitoring (CSV, or XLSX through [`sheet`]) in, read row by row.
pub mod flow_counts;
/// Profiles of flow monitoring points (CSV) in.
pub mod flow_points;
/// People to de-duplicate (CSV) in; matched pairs and clusters out.
pub mod linkage;
/// Location lists (CSV) in.
pub mod locations;
/// Official border movement tables in.
pub mod official;
/// P-code lists (CSV) in.
pub mod pcodes;
/// R4V: 5W reports, exchange datasets, targets, funding flows, and tables out.
pub mod r4v;
/// Registrations (CSV, one row per person) in and out; beneficiary lists out.
pub mod registrations;
/// Spreadsheets (XLSX) in, as CSV text.
pub mod sheet;
/// Reading a CSV table: header, optional HXL row, columns by name or by hashtag.
mod table;
/// Any table out as CSV, HXL or XLSX.
pub mod tables;
/// Bytes to UTF-8 text, and the problems collected while reading.
mod text;
/// Vulnerability models (criteria, or conjoint-analysis weights) in and out.
pub mod vulnerability;

use rumbo_domain::country::{Iso3, known_countries};

pub use text::{Rejected, utf8};

/// Why an export could not be written.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("could not write the file: {0}")]
    Io(#[from] std::io::Error),
    #[error("could not write the CSV file: {0}")]
    Csv(#[from] csv::Error),
    #[error("could not write the GeoJSON file: {0}")]
    Json(#[from] serde_json::Error),
}

/// A country named by ISO 3166-1 alpha-3 (`COL`) or alpha-2 (`CO`, as COD-AB's `ADM0_PCODE`
/// does), among the countries Rumbo knows.
pub fn country_from_code(raw: &str) -> Result<Iso3, String> {
    let code = raw.trim().to_ascii_uppercase();
    known_countries()
        .into_iter()
        .find(|c| c.iso3.as_str() == code || c.iso2 == code)
        .map(|c| c.iso3)
        .ok_or_else(|| {
            let known: Vec<String> = known_countries().iter().map(|c| c.iso3.to_string()).collect();
            format!(
                "'{}' is not a country Rumbo knows; use an ISO 3166 code such as COL or CO (one of {})",
                raw.trim(),
                known.join(", ")
            )
        })
}

/// The language in which a country names its admin areas, for a source that gives only one
/// name without saying which language it is in (COD-AB's `ADM1_REF`, or `ADM1_NAME`).
pub(crate) fn local_language(country: Iso3) -> rumbo_domain::language::Language {
    use rumbo_domain::language::Language;
    match country.as_str() {
        "BRA" => Language::Pt,
        // Aruba and Curaçao name places in Papiamento and Dutch; English is the closest of ours.
        "GUY" | "TTO" | "ABW" | "CUW" => Language::En,
        _ => Language::Es,
    }
}

/// Puts `name` in the slot of `language`.
pub(crate) fn set_name(
    names: &mut rumbo_domain::language::Names,
    language: rumbo_domain::language::Language,
    name: String,
) {
    use rumbo_domain::language::Language;
    match language {
        Language::Es => names.es = Some(name),
        Language::En => names.en = Some(name),
        Language::Pt => names.pt = Some(name),
    }
}

/// Longest name accepted for an admin area or a location, in characters.
pub(crate) const MAX_NAME: usize = 200;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn countries_by_iso2_or_iso3() {
        assert_eq!(country_from_code(" co ").map(|c| c.to_string()), Ok("COL".into()));
        assert_eq!(country_from_code("per").map(|c| c.to_string()), Ok("PER".into()));
        let err = country_from_code("XX").expect_err("unknown");
        assert!(err.contains("'XX'") && err.contains("COL"), "{err}");
    }
}
