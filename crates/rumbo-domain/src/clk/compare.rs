//! The Dice coefficient of every filter of one organisation against every filter of another,
//! keeping the pairs at or above a threshold.
//!
//! This is the hot loop of linkage (10,000 × 100,000 filters is a billion comparisons), so it
//! is written for the machine: filters are contiguous `[u64; 16]`, each filter's popcount is
//! computed once, the threshold is turned once into "the fewest common bits that pass" for each
//! possible sum of popcounts (so no division in the loop), and the loop is compiled several
//! times by `multiversion` — with AVX-512 VPOPCNTDQ (eight popcounts in one instruction), with
//! AVX2 + POPCNT, with POPCNT alone, and plain — the best one picked at run time from the CPU.
//! Rumbo therefore runs at full speed on a new server and still runs on an office's old laptop,
//! from the same binary and without `unsafe` in our code. Rows are spread over every core.

use multiversion::multiversion;

use super::{BITS, Clk, WORDS};
use crate::parallel;

/// A pair of filters whose Dice coefficient reached the threshold.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Candidate {
    /// Index into the left filters.
    pub left: u32,
    /// Index into the right filters.
    pub right: u32,
    pub dice: f64,
}

/// The Dice coefficient from the common bits and the sum of both filters' bits.
pub fn dice(common: u32, sum: u32) -> f64 {
    if sum == 0 {
        0.0
    } else {
        2.0 * f64::from(common) / f64::from(sum)
    }
}

/// Table size: a power of two above the largest sum of popcounts (2 × BITS), so that indexing
/// with a mask needs no bounds check in the loop.
const TABLE: usize = (2 * BITS + 1).next_power_of_two();

/// For each sum of popcounts, the fewest common bits whose Dice coefficient reaches
/// `threshold` (`u32::MAX` where none can, e.g. two empty filters).
fn fewest_common(threshold: f64) -> Vec<u32> {
    (0..TABLE)
        .map(|sum| {
            let sum = sum as u32;
            if sum == 0 || sum > 2 * BITS as u32 {
                return u32::MAX;
            }
            // The same formula as `dice`, so the table and the reported coefficient agree.
            (0..=sum / 2 + 1)
                .find(|&common| dice(common, sum) >= threshold)
                .unwrap_or(u32::MAX)
        })
        .collect()
}

/// One left filter against all right filters; appends the pairs that pass.
#[multiversion(targets(
    "x86_64+avx512f+avx512vpopcntdq+avx2+popcnt",
    "x86_64+avx2+popcnt",
    "x86_64+popcnt",
    "aarch64+neon"
))]
fn scan(
    row: u32,
    query: &Clk,
    query_count: u32,
    right: &[Clk],
    right_counts: &[u32],
    fewest: &[u32; TABLE],
    out: &mut Vec<Candidate>,
) {
    for (j, (filter, &count)) in right.iter().zip(right_counts).enumerate() {
        let mut common = 0u64;
        for w in 0..WORDS {
            common += u64::from((query.0[w] & filter.0[w]).count_ones());
        }
        let common = common as u32;
        let sum = query_count + count;
        if common >= fewest[sum as usize & (TABLE - 1)] {
            out.push(Candidate {
                left: row,
                right: j as u32,
                dice: dice(common, sum),
            });
        }
    }
}

/// Every pair (left, right) whose Dice coefficient is at least `threshold`, ordered by left
/// then right. Compares `left.len() × right.len()` pairs, on every core when that is large.
pub fn candidates(left: &[Clk], right: &[Clk], threshold: f64) -> Vec<Candidate> {
    let left_counts: Vec<u32> = left.iter().map(Clk::count).collect();
    let right_counts: Vec<u32> = right.iter().map(Clk::count).collect();
    let table = fewest_common(threshold);
    let mut fewest = [u32::MAX; TABLE];
    fewest.copy_from_slice(&table);
    // Rows in blocks, so that each thread's share is large and the blocks stay in order.
    const ROWS: usize = 64;
    let blocks: Vec<usize> = (0..left.len()).step_by(ROWS).collect();
    // Threads pay from a few million comparisons each.
    let per_thread = (4_000_000 / (ROWS * right.len().max(1))).max(1);
    let found = parallel::map(&blocks, per_thread, |&start| {
        let mut out = Vec::new();
        let end = (start + ROWS).min(left.len());
        for row in start..end {
            scan(
                row as u32,
                &left[row],
                left_counts[row],
                right,
                &right_counts,
                &fewest,
                &mut out,
            );
        }
        out
    });
    found.into_iter().flatten().collect()
}
