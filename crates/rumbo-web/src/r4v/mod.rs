//! R4V information management between the HTTP edge and the store, shared by the API and the
//! pages so that a 5W file, an exchange dataset or an export behaves the same through each:
//! what a user may see (`scope`), files in (`intake`), and consolidated and public
//! outputs (`outputs`). Access decisions are `rumbo_domain::access`'s; these modules ask it.

/// Reached against target, funded against required; overlaps.
pub mod dashboard;
/// A 5W report from named fields, for forms and API bodies.
pub mod form;
/// Files in: 5W reports, exchange datasets, targets, funding flows, people in need.
pub mod intake;
/// Consolidated figures, the population figures feed, and exports.
pub mod outputs;
/// Planning files in: targets, FTS funding, people in need from a survey.
pub mod planning_intake;
/// Which 5W reports and countries a user may see.
pub mod scope;
