//! Rumbo's domain: the rules of displacement tracking and inter-agency coordination, as plain
//! Rust with no database, HTTP or file IO. Everything here is tested fast and directly, and can
//! be called from the store, the web server, the command line and the benchmarks alike.
//!
//! Values enter the domain once, through parsing constructors (`Iso3::parse`, `Pcode::parse`,
//! ...), so the rest of the system never holds an invalid country code, P-code or role.

/// Who may do what, where: roles scoped to countries and the one table of permissions.
pub mod access;
/// Audit vocabulary: actions, entities and the actor who performed them.
pub mod audit;
/// Countries (ISO 3166-1 alpha-3) and the 17 countries of the R4V response.
pub mod country;
/// Errors raised when raw input does not make a valid domain value.
pub mod error;
/// Flow monitoring: points, counts, age brackets, daily rollups, small-count suppression.
pub mod flow;
/// Flow monitoring surveys: interviews, risk rules, indicator tables.
pub mod fms;
/// Admin areas, P-codes and resolving a point to the admin areas that contain it.
pub mod geography;
/// The interface languages and names given in each of them.
pub mod language;
/// Record linkage: finding the same person registered twice (Fellegi–Sunter, EM, clustering).
pub mod linkage;
/// Locations: flow monitoring points, sites, registration desks, border crossings...
pub mod location;
/// Organisations, their types, and the national and sub-regional platforms they belong to.
pub mod organisation;
/// Pure work over many items on every core.
pub mod parallel;
/// R4V information management: population figures, HXL exchange, 5W, consolidation, planning.
pub mod r4v;
/// Households and individuals, specific needs, consent, vulnerability scoring, beneficiary lists.
pub mod registration;
/// Closed lists of codes (location types, roles...) and how they parse.
pub mod vocabulary;

pub use error::{DomainError, Problem};
pub use vocabulary::Vocabulary;
