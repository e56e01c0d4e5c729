use proptest::prelude::*;

use super::*;

const THRESHOLD: f64 = 0.5;
const FLOOR: f64 = 0.05;

/// All the work in one part.
fn whole(
    n: usize,
    edges: &[(usize, usize, f64)],
    score: impl Fn(usize, usize) -> (f64, bool) + Sync,
) -> Vec<Vec<usize>> {
    cluster(n, edges, THRESHOLD, FLOOR, 1, |_| &score)
}

/// Grouping as it was done before records were cut into components: every record at once, on
/// one thread, a vector of members a group. What `cluster` must give however cut.
fn at_once(
    n: usize,
    edges: &[(usize, usize, f64)],
    mut score: impl FnMut(usize, usize) -> (f64, bool),
) -> Vec<Vec<usize>> {
    let mut order: Vec<(f64, usize, usize)> = edges
        .iter()
        .filter(|(_, _, p)| *p >= THRESHOLD)
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
                vetoed |= p < FLOOR && against;
            }
        }
        let mean = sum / (members[gi].len() * members[gj].len()) as f64;
        if vetoed || mean < THRESHOLD {
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

/// A score for every ordered pair, from a seed: `(a, b)` and `(b, a)` differ, so a pair asked
/// the other way round shows. Probabilities from a few values (ties, means right at the
/// threshold) and from anywhere (sums whose order shows in the last bit).
fn scores_of(seed: u64) -> impl Fn(usize, usize) -> (f64, bool) + Sync {
    move |a, b| {
        let h = (seed ^ (a as u64) << 32 ^ b as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        let h = (h ^ h >> 29).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        let p = match h % 4 {
            0 => [0.0, 0.01, 0.5, 0.75, 1.0][(h >> 8) as usize % 5],
            _ => (h >> 11) as f64 / (1u64 << 53) as f64,
        };
        (p, h >> 7 & 1 == 1)
    }
}

proptest! {
    /// Cut into components, in any number of parts, the groups are those of grouping every
    /// record at once: the same merges in the same order, the same sums, the groups in order.
    #[test]
    fn components_group_as_all_records_at_once(
        n in 1usize..80,
        raw in prop::collection::vec((0usize..80, 0usize..80, 0usize..6, 0.0f64..1.0), 0..160),
        seed in any::<u64>(),
    ) {
        // Edges as the engine gives them: left before right, each pair once.
        let mut edges: Vec<(usize, usize, f64)> = Vec::new();
        for (a, b, kind, p) in raw {
            let (i, j) = (a.min(b) % n, a.max(b) % n);
            if i < j && !edges.iter().any(|e| (e.0, e.1) == (i, j)) {
                let p = [0.5f64, 0.9, 0.99, 0.3][kind % 4].min(if kind >= 4 { p } else { 1.0 });
                edges.push((i, j, p));
            }
        }
        let score = scores_of(seed);
        let expected = at_once(n, &edges, &score);
        for parts in [1, 2, 3, 7] {
            let asked = std::sync::Mutex::new(Vec::new());
            let groups = cluster(n, &edges, THRESHOLD, FLOOR, parts, |k| {
                asked.lock().expect("not poisoned").push(k);
                &score
            });
            prop_assert_eq!(&groups, &expected, "{} parts", parts);
            prop_assert!(asked.lock().expect("not poisoned").iter().all(|k| *k < parts));
        }
    }
}

/// Two people whose records interleave (0 and 3, 1 and 2) among records no pair joins: each
/// component is grouped apart, and the groups come out by first member, not by component.
#[test]
fn groups_of_interleaved_components_come_by_first_member() {
    let edges = [(0, 3, 0.9), (1, 2, 0.95), (2, 5, 0.8), (1, 5, 0.01)];
    let score = table(&edges);
    let expected = vec![vec![0, 3], vec![1, 2], vec![4], vec![5], vec![6]];
    assert_eq!(at_once(7, &edges, &score), expected);
    for parts in [1, 2, 3] {
        assert_eq!(cluster(7, &edges, THRESHOLD, FLOOR, parts, |_| &score), expected);
    }
}

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
    let groups = whole(3, &scores, table(&scores));
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
    let groups = whole(5, &scores, table(&scores));
    assert_eq!(groups, vec![vec![0, 1, 2], vec![3, 4]]);
}

#[test]
fn a_person_registered_three_times_with_different_errors_is_one() {
    // 0-2 is weaker (each carries its own error) but not a non-match.
    let scores = [(0, 1, 0.99), (1, 2, 0.98), (0, 2, 0.6)];
    let groups = whole(4, &scores, table(&scores));
    assert_eq!(groups, vec![vec![0, 1, 2], vec![3]]);
}

#[test]
fn every_record_is_in_exactly_one_group() {
    let scores = [(5, 1, 0.9), (3, 4, 0.4)];
    let groups = whole(6, &scores, table(&scores));
    assert_eq!(groups, vec![vec![0], vec![1, 5], vec![2], vec![3], vec![4]]);
    assert!(whole(0, &[], |_, _| (0.0, true)).is_empty());
}

/// Registered three times: 0 in full, 1 with a document and the date swapped, 2 sparse (no
/// date, no document, one surname). 2 matches 0 well and 1 poorly for want of evidence,
/// not for a field that differs: 2 joins them. Had 1 and 2 differed outright (twins'
/// given names), 2 would stay apart.
#[test]
fn a_sparse_registration_is_not_vetoed_by_what_it_lacks() {
    let scores = [(0, 1, 0.99), (0, 2, 0.9), (1, 2, 0.01)];
    let sparse = |a: usize, b: usize| (table(&scores)(a, b).0, false);
    assert_eq!(whole(3, &scores, sparse), vec![vec![0, 1, 2]]);
    assert_eq!(whole(3, &scores, table(&scores)), vec![vec![0, 1], vec![2]]);
}
