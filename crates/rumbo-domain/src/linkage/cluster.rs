//! Matched pairs into persons. Connected components would chain: if Ana's record matches a
//! sloppy record that also matches her sister Ada's, all three become one person. Here pairs
//! are merged strongest first, and two groups of records become one person only when the
//! records of one match those of the other *as a whole*: every pair across the two groups is
//! scored (not only the pairs blocking found), and the merge happens only if their mean
//! probability reaches the threshold and none of them is a confident non-match (below the
//! floor, with a field that differs outright). A weak link to one member is then not enough to
//! pull a group in. A pair below the floor only for want of evidence — a sparse registration
//! without birth date or document, a lone surname — does not veto: it shares too little with
//! that member to be sure, not something that tells them apart, and another member may carry
//! what it lacks.
//!
//! Groups are small (a person is registered a handful of times), so scoring every pair across
//! two groups is cheap; two groups whose product of sizes exceeds [`MAX_CROSS`] are left
//! apart rather than merged unchecked.

/// The most pairs scored to decide one merge.
pub const MAX_CROSS: usize = 10_000;

/// Records `0..n` grouped: `edges` are `(i, j, probability)`; `score(i, j)` scores any pair:
/// its probability and whether some field speaks against it. Every record is in exactly one
/// group; members ascending, groups by first member.
pub(crate) fn cluster(
    n: usize,
    edges: &[(usize, usize, f64)],
    threshold: f64,
    floor: f64,
    mut score: impl FnMut(usize, usize) -> (f64, bool),
) -> Vec<Vec<usize>> {
    // Strongest first, ties by records. The edges are copied, not pointed to: a sorted list of
    // references would be read in a random order, a cache miss an edge.
    let mut order: Vec<(f64, usize, usize)> = edges
        .iter()
        .filter(|(_, _, p)| *p >= threshold)
        .map(|(i, j, p)| (*p, *i, *j))
        .collect();
    order.sort_unstable_by(|x, y| y.0.total_cmp(&x.0).then((x.1, x.2).cmp(&(y.1, y.2))));
    let mut group: Vec<usize> = (0..n).collect();
    let mut members: Vec<Vec<usize>> = (0..n).map(|i| vec![i]).collect();
    for (_, i, j) in &order {
        let (gi, gj) = (group[*i], group[*j]);
        if gi == gj || members[gi].len() * members[gj].len() > MAX_CROSS {
            continue;
        }
        let mut sum = 0.0;
        let mut vetoed = false;
        for x in &members[gi] {
            for y in &members[gj] {
                let (p, against) = if (x, y) == (i, j) { (1.0, false) } else { score(*x, *y) };
                sum += p;
                vetoed |= p < floor && against;
            }
        }
        let mean = sum / (members[gi].len() * members[gj].len()) as f64;
        if vetoed || mean < threshold {
            continue;
        }
        let (keep, gone) = if members[gi].len() >= members[gj].len() {
            (gi, gj)
        } else {
            (gj, gi)
        };
        let moved = std::mem::take(&mut members[gone]);
        for m in &moved {
            group[*m] = keep;
        }
        members[keep].extend(moved);
    }
    // Groups by first member without sorting them: record by record, a group is taken at its
    // smallest member, the first of them met.
    let mut out: Vec<Vec<usize>> = Vec::new();
    for g in group {
        let mut m = std::mem::take(&mut members[g]);
        if !m.is_empty() {
            m.sort_unstable();
            out.push(m);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Scores from a table; every pair has a field that speaks against it.
    fn table(pairs: &[(usize, usize, f64)]) -> impl Fn(usize, usize) -> (f64, bool) + '_ {
        move |a, b| {
            let p = pairs
                .iter()
                .find(|(x, y, _)| (*x, *y) == (a, b) || (*x, *y) == (b, a))
                .map_or(0.0, |(_, _, p)| *p);
            (p, true)
        }
    }

    /// Ana (0) and Ada (2) are sisters; record 1 is sloppy and matches both. Connected
    /// components would make one person of the three; here 1 joins the stronger side only.
    #[test]
    fn one_weak_record_does_not_chain_two_people() {
        let scores = [(0, 1, 0.99), (1, 2, 0.97), (0, 2, 0.001)];
        let groups = cluster(3, &scores, 0.5, 0.05, table(&scores));
        assert_eq!(groups, vec![vec![0, 1], vec![2]]);
    }

    #[test]
    fn a_chain_of_strong_links_across_many_records_is_cut_where_it_is_weak() {
        // 0-1-2 is one person, 3-4 another; 2-3 match on their own, but 3 and 4 match nobody
        // of 0, 1, 2 as a whole.
        let scores = [
            (0, 1, 0.99),
            (1, 2, 0.99),
            (0, 2, 0.95),
            (2, 3, 0.9),
            (3, 4, 0.99),
            (1, 3, 0.02),
            (0, 3, 0.01),
        ];
        let groups = cluster(5, &scores, 0.5, 0.05, table(&scores));
        assert_eq!(groups, vec![vec![0, 1, 2], vec![3, 4]]);
    }

    #[test]
    fn a_person_registered_three_times_with_different_errors_is_one() {
        // 0-2 is weaker (each carries its own error) but not a non-match.
        let scores = [(0, 1, 0.99), (1, 2, 0.98), (0, 2, 0.6)];
        let groups = cluster(4, &scores, 0.5, 0.05, table(&scores));
        assert_eq!(groups, vec![vec![0, 1, 2], vec![3]]);
    }

    #[test]
    fn every_record_is_in_exactly_one_group() {
        let scores = [(5, 1, 0.9), (3, 4, 0.4)];
        let groups = cluster(6, &scores, 0.5, 0.05, table(&scores));
        assert_eq!(groups, vec![vec![0], vec![1, 5], vec![2], vec![3], vec![4]]);
        assert!(cluster(0, &[], 0.5, 0.05, |_, _| (0.0, true)).is_empty());
    }

    /// Registered three times: 0 in full, 1 with a document and the date swapped, 2 sparse (no
    /// date, no document, one surname). 2 matches 0 well and 1 poorly for want of evidence,
    /// not for a field that differs: 2 joins them. Had 1 and 2 differed outright (twins'
    /// given names), 2 would stay apart.
    #[test]
    fn a_sparse_registration_is_not_vetoed_by_what_it_lacks() {
        let scores = [(0, 1, 0.99), (0, 2, 0.9), (1, 2, 0.01)];
        let sparse = |a: usize, b: usize| (table(&scores)(a, b).0, false);
        assert_eq!(cluster(3, &scores, 0.5, 0.05, sparse), vec![vec![0, 1, 2]]);
        assert_eq!(
            cluster(3, &scores, 0.5, 0.05, table(&scores)),
            vec![vec![0, 1], vec![2]]
        );
    }
}
