//! De-duplication: the one review queue of possible duplicates (`review_flags`: exact document
//! duplicates flagged at registration, and probable matches the record-linkage engine finds),
//! the view of one pair side by side, decisions (confirm, reject, undo) kept as history, and
//! resolved identities — people confirmed to be one person — which counts of unique persons use.
//!
//! A pair's personal fields are opened only for the sides the caller says the access policy
//! allows, and every view of a pair is an audited read. Audit summaries name people by their
//! pseudonymous codes and never a value.

/// Confirm, reject, undo; identities rebuilt from the confirmed pairs; clusters.
mod decisions;
/// The engine over the store: training on a country's people, suggestions on each registration.
mod linkage;
/// The queue: lists, one pair side by side, exports.
mod queue;
/// Runs of the engine as jobs: queued, claimed by a worker, done or failed, one per country.
pub mod runs;

pub use decisions::{Cluster, Decision};
pub use linkage::{MatchSuggestion, RunSummary};
pub use queue::{DecisionView, FieldExplanation, PairQuery, PairRow, PairSide, PairView, PersonDetails};
pub use runs::{DeduplicationRun, RunQuery};

/// The kind of review flag the engine files; exact document duplicates are `duplicate_document`.
pub const PROBABLE_MATCH: &str = "probable_match";
