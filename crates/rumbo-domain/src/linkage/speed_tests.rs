//! The shortcuts taken for speed give the answer the plain way gives: scoring decides most
//! candidates from their comparison vector alone (`Scorer::most`), a bound that must never fall
//! below a pair's weight (nor may the bound without names, `Scorer::most_whatever_names`);
//! candidate pairs are kept in runs, each pair once however the work is cut.

use proptest::prelude::*;

use super::blocking::{Candidate, Candidates, Runs, candidates};
use super::compare::{NameCaches, compare};
use super::model::{SLACK, Scorer};
use super::prepare::{PreparedSet, prepare_all};
use super::tests::population;
use super::*;

/// The population's candidate pairs, and every pair among its first records (most share
/// little: vectors blocking seldom gives).
fn pairs(set: &PreparedSet) -> Vec<Candidate> {
    let settings = LinkageSettings::default();
    let found = candidates(set, &settings, &NameCaches::new(2));
    let mut all: Vec<Candidate> = found.iter().copied().collect();
    for i in 0..120u32 {
        for j in i + 1..120 {
            let p = compare(&set.records[i as usize], &set.records[j as usize], &set.words);
            all.push((i, j, p));
        }
    }
    all
}

fn assert_bounded(scorer: &Scorer, pairs: &[Candidate]) {
    for (i, j, p) in pairs {
        let weight: f64 = scorer.field_weights(*i as usize, *j as usize, *p).iter().sum();
        assert!(
            weight <= scorer.most(*p),
            "pair {i}, {j}: weight {weight} above the bound {}",
            scorer.most(*p)
        );
    }
}

#[test]
fn the_bound_holds_for_the_trained_model_and_decides_most_pairs() {
    let (records, _) = population();
    let linkage = link(&records, &LinkageSettings::default());
    let set = prepare_all(&records);
    let scorer = Scorer::new(&linkage.model, &set);
    let all = pairs(&set);
    assert_bounded(&scorer, &all);
    let decided = all
        .iter()
        .filter(|(_, _, p)| linkage.model.probability(scorer.most(*p) + SLACK) < 0.5)
        .count();
    assert!(
        decided * 2 > all.len(),
        "{decided} of {} decided by the bound",
        all.len()
    );
}

/// The bound without names (`Scorer::most_whatever_names`, which spares the households' stage
/// comparing a family's other members) is never below a pair's weight either, and tells apart
/// some pairs without reading a name.
#[test]
fn the_bound_whatever_names_holds_and_decides_pairs() {
    let (records, _) = population();
    let linkage = link(&records, &LinkageSettings::default());
    let set = prepare_all(&records);
    let scorer = Scorer::new(&linkage.model, &set);
    let all = pairs(&set);
    for (i, j, p) in &all {
        let weight: f64 = scorer.field_weights(*i as usize, *j as usize, *p).iter().sum();
        let most = scorer.most_whatever_names(*i as usize, *j as usize);
        assert!(weight <= most, "pair {i}, {j}: weight {weight} above the bound {most}");
    }
    let decided = all
        .iter()
        .filter(|(i, j, _)| {
            linkage
                .model
                .probability(scorer.most_whatever_names(*i as usize, *j as usize) + SLACK)
                < 0.5
        })
        .count();
    assert!(decided > 0, "none of {} decided without names", all.len());
}

/// Whatever the threshold, `link` reports exactly the candidates whose weights reach it.
#[test]
fn scoring_with_the_bound_keeps_what_the_weights_keep() {
    let (records, _) = population();
    let set = prepare_all(&records);
    let found = candidates(&set, &LinkageSettings::default(), &NameCaches::new(2));
    for threshold in [0.01, 0.5, 0.97] {
        let settings = LinkageSettings {
            report_threshold: threshold,
            ..LinkageSettings::default()
        };
        let linkage = link(&records, &settings);
        let scorer = Scorer::new(&linkage.model, &set);
        let mut expected: Vec<(usize, usize)> = found
            .runs()
            .iter()
            .flatten()
            .filter(|(i, j, p)| {
                let weight: f64 = scorer.field_weights(*i as usize, *j as usize, *p).iter().sum();
                linkage.model.probability(weight) >= threshold
            })
            .map(|(i, j, _)| (*i as usize, *j as usize))
            .collect();
        expected.sort_unstable();
        let got: Vec<(usize, usize)> = linkage.pairs.iter().map(|p| (p.left, p.right)).collect();
        assert!(!got.is_empty());
        assert_eq!(got, expected, "threshold {threshold}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Any weights and corrections, not only the trained ones: the bound never falls below a
    /// pair's weight.
    #[test]
    fn the_bound_holds_for_any_weights(
        weights in proptest::collection::vec(-12.0f64..12.0, 60),
        bits in proptest::collection::vec(-6.0f64..0.5, 2),
    ) {
        let (records, _) = population();
        let settings = LinkageSettings { random_pairs: 5_000, iterations: 5, ..LinkageSettings::default() };
        let mut model = link(&records, &settings).model;
        for (f, field) in model.fields.iter_mut().enumerate() {
            for (l, level) in field.levels.iter_mut().enumerate().skip(1) {
                level.weight = weights[f * 10 + l];
            }
        }
        model.corrections = vec![
            CorrectionModel { fields: [FIELDS[1].into(), FIELDS[2].into()], bits: bits[0] },
            CorrectionModel { fields: [FIELDS[0].into(), FIELDS[1].into()], bits: bits[1] },
        ];
        let set = prepare_all(&records);
        let scorer = Scorer::new(&model, &set);
        assert_bounded(&scorer, &pairs(&set));
    }
}

proptest! {
    /// The vectors that may reach the threshold, kept as bits, are those given and no other.
    #[test]
    fn a_set_of_vectors_as_bits_holds_exactly_them(
        kept in proptest::collection::hash_set(0u32..(1 << 24), 0..40),
        asked in proptest::collection::vec(0u32..(1 << 25), 40),
    ) {
        let bits = Bits::of(kept.iter().copied());
        for p in kept.iter().chain(&asked) {
            prop_assert_eq!(bits.contains(p), kept.contains(p));
        }
        prop_assert!(!bits.contains(&u32::MAX));
    }
}

/// Runs fill to their size and the next begins; nothing is lost or repeated at the seam.
#[test]
fn runs_hold_every_pair_in_order() {
    let mut runs = Runs::default();
    let n = Candidates::RUN as u32 + 5;
    for k in 0..n {
        runs.push((k, k + 1, 0));
    }
    let runs = runs.finish();
    assert_eq!(runs.iter().map(Vec::len).collect::<Vec<_>>(), [Candidates::RUN, 5]);
    assert!(runs.iter().flatten().enumerate().all(|(k, pair)| pair.0 == k as u32));
    assert!(Runs::default().finish().is_empty());
}

/// With small blocks most pairs are found by sorted window, by several threads at once: the
/// candidates are the same set however the work is cut, each pair once.
#[test]
fn windowed_candidates_do_not_depend_on_the_threads() {
    let (records, _) = population();
    let set = prepare_all(&records);
    let settings = LinkageSettings {
        max_block: 4,
        window: 3,
        ..LinkageSettings::default()
    };
    let sorted = |parts: usize| {
        let found = candidates(&set, &settings, &NameCaches::new(parts));
        let mut all: Vec<Candidate> = found.iter().copied().collect();
        assert_eq!(all.len(), found.len());
        all.sort_unstable();
        all
    };
    let whole = sorted(1);
    assert!(
        whole.windows(2).all(|w| (w[0].0, w[0].1) < (w[1].0, w[1].1)),
        "a pair twice"
    );
    for parts in [2, 3, 7] {
        assert_eq!(sorted(parts), whole, "{parts} parts");
    }
    let link_settings = LinkageSettings {
        random_pairs: 20_000,
        ..settings
    };
    let one = link_in_parts(&records, &link_settings, 1);
    let three = link_in_parts(&records, &link_settings, 3);
    assert_eq!(one.pairs, three.pairs);
    assert_eq!(one.clusters, three.clusters);
}
