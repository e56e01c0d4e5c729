//! Linking the filters of several organisations: for each pair of organisations, the candidate
//! pairs at or above the threshold, then one-to-one pairing (the same person is registered at
//! most once by each organisation, so a filter is matched to at most one filter of the other),
//! then the overlap — how many people both registered.
//!
//! The pairing is greedy, as in anonlink's solver: the best remaining candidate first, taken
//! when neither side is already taken. It is deterministic: ties go to the lower indices.

use super::Clk;
use super::compare::{Candidate, candidates};

/// One organisation's uploaded filters, with their pseudonyms in the same order.
#[derive(Debug, Clone, PartialEq)]
pub struct OrganisationSet {
    /// The organisation's code; only used to name it in results.
    pub organisation: String,
    pub pseudonyms: Vec<String>,
    pub clks: Vec<Clk>,
}

/// How many people two organisations both registered.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Overlap {
    /// Index into the linked sets.
    pub left: usize,
    pub right: usize,
    pub left_records: usize,
    pub right_records: usize,
    /// People registered by both: the one-to-one matched pairs.
    pub matched: usize,
}

/// One person found in two organisations' sets, by pseudonym index.
#[derive(Debug, Clone, PartialEq)]
pub struct MatchedPair {
    /// Index into the linked sets, and into that set's filters.
    pub left: usize,
    pub left_record: usize,
    pub right: usize,
    pub right_record: usize,
    pub dice: f64,
}

/// The result of linking several organisations' sets.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Linked {
    /// One per pair of organisations (left < right), in order.
    pub overlaps: Vec<Overlap>,
    /// Every matched pair, grouped by pair of organisations, best first within each.
    pub pairs: Vec<MatchedPair>,
    /// Dice coefficients computed.
    pub comparisons: u64,
}

/// One-to-one pairs from candidates, best first: each left and each right index at most once.
pub fn solve_greedy(mut found: Vec<Candidate>) -> Vec<Candidate> {
    found.sort_by(|a, b| {
        b.dice
            .total_cmp(&a.dice)
            .then(a.left.cmp(&b.left))
            .then(a.right.cmp(&b.right))
    });
    let mut left_taken = std::collections::HashSet::new();
    let mut right_taken = std::collections::HashSet::new();
    found
        .into_iter()
        .filter(|c| {
            if left_taken.contains(&c.left) || right_taken.contains(&c.right) {
                return false;
            }
            left_taken.insert(c.left);
            right_taken.insert(c.right);
            true
        })
        .collect()
}

/// Links every pair of sets at `threshold` (a Dice coefficient between 0 and 1).
pub fn link(sets: &[OrganisationSet], threshold: f64) -> Linked {
    let mut linked = Linked::default();
    for left in 0..sets.len() {
        for right in left + 1..sets.len() {
            let (a, b) = (&sets[left], &sets[right]);
            linked.comparisons += (a.clks.len() as u64) * (b.clks.len() as u64);
            let matched = solve_greedy(candidates(&a.clks, &b.clks, threshold));
            linked.overlaps.push(Overlap {
                left,
                right,
                left_records: a.clks.len(),
                right_records: b.clks.len(),
                matched: matched.len(),
            });
            linked.pairs.extend(matched.into_iter().map(|c| MatchedPair {
                left,
                left_record: c.left as usize,
                right,
                right_record: c.right as usize,
                dice: c.dice,
            }));
        }
    }
    linked
}
