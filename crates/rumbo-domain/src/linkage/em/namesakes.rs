//! Namesakes counted over all the records, for the rule on given names and surnames.

use crate::linkage::prepare::{NONE, Prepared, PreparedSet};

/// Pairs of records agreeing exactly on given names and on surnames (both, or the one each
/// carries), as [`compare`](super::super::compare) levels them. The records' names gathered
/// sorted on every core and counted by run: a table of a million names filled one record at a
/// time was a serial pass of the training, a cache miss a record. The counts are whole
/// numbers, so their sum is the same in any order.
pub(super) fn namesakes(set: &PreparedSet) -> f64 {
    let records = &set.records;
    let words = set.words.len().max(1);
    let buckets = (records.len() / 1024).clamp(1, 4096);
    let names = crate::parallel::gather_sorted(
        records.len(),
        buckets,
        // Ids below `words`: the buckets follow the given names' order.
        |(given, _, _): &(u32, u32, u32)| *given as usize * buckets / words,
        |i, out| out.extend(name(&records[i])),
        |bucket| bucket.sort_unstable(),
    );
    let pairs: u64 = names
        .chunk_by(|a, b| a == b)
        .map(|run| {
            let n = run.len() as u64;
            n * (n - 1) / 2
        })
        .sum();
    pairs as f64
}

/// A record's given names and surnames (a lone surname first), `None` without both.
fn name(r: &Prepared) -> Option<(u32, u32, u32)> {
    let surnames = match r.surnames {
        [NONE, NONE] => return None,
        [NONE, one] | [one, NONE] => (one, NONE),
        [first, second] => (first, second),
    };
    (r.given != NONE).then_some((r.given, surnames.0, surnames.1))
}
