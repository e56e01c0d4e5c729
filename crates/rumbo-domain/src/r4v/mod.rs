//! The R4V inter-agency platform's information management: official population figures with
//! their provenance, the HXL information exchange protocol, monthly 5W activity reports checked
//! by R4V's 19 quality rules, consolidation of people reached without double counting, RMRP
//! targets and funding, overlap detection and needs analysis. All of it pure: the store, the
//! web server and the benchmarks call these functions with data they have loaded.

/// Consolidating 5W reports into people reached: `sum` and `maxsector` across sectors.
pub mod consolidation;
/// Small counts in public, disaggregated tables are suppressed.
pub mod disclosure;
/// Text exported through the wrong encoding ("Nuevo LeÃ³n"): detected and repaired.
pub mod encoding;
/// Month and text helpers the 5W needs: months, yes/no, names compared without accents.
pub mod fields;
/// Official population figures: the current figure per country and labelled regional totals.
pub mod figures;
/// The information exchange protocol: HXL schemas per dataset type, checked cell by cell.
pub mod hxl;
/// People in need: imported, or computed with the multidimensional deprivation method.
pub mod needs;
/// RMRP planning: reached against target, funded against required, and overlaps.
pub mod planning;
/// The sectors and indicators of the RMRP, with their indicator types.
pub mod registry;
/// The 19 quality rules R4V applies to every 5W report.
pub mod rules;
/// Population types, age and gender groups, indicator types and the other closed lists.
pub mod vocab;

pub use fields::{Month, fold};
pub use rules::{Activity, Rule};
pub use vocab::{AgeGender, DatasetType, FigureType, IndicatorType, Method, PopulationType};
