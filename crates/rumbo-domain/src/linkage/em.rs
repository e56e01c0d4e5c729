//! Fellegi–Sunter match weights learnt without labels. Each field's level is taken to be drawn,
//! independently of the other fields, from `m` when the two records are the same person and
//! from `u` when they are not; expectation maximisation finds `m`, `u` and the share of matches
//! among the candidate pairs that explain the comparison vectors best.
//!
//! `u` starts from pairs of records drawn at random (almost all of them different people), `m`
//! from "agreement is likely"; the vectors are counted first, so each iteration runs over the
//! few hundred distinct vectors, not the millions of pairs.

use std::collections::HashMap;

use super::compare::{FIELDS, LEVELS, Pattern, compare, level};
use super::prepare::PreparedSet;

/// Probabilities below this are taken as this: a level never seen among matches is rare, not
/// impossible, and its weight stays finite.
const FLOOR: f64 = 1e-6;

/// Per field, the probability of each level (index 0, `missing`, is unused and kept at 1).
pub(crate) type Levels = [Vec<f64>; 6];

#[derive(Debug, Clone)]
pub(crate) struct Estimate {
    /// The share of matches among the candidate pairs.
    pub prior: f64,
    pub m: Levels,
    pub u: Levels,
}

fn empty_levels() -> Levels {
    std::array::from_fn(|f| vec![0.0; LEVELS[f].len()])
}

/// Level frequencies among `samples` pairs of records drawn at random (deterministically, from
/// `seed`), or among all pairs when there are fewer. Pseudo-counts of one half keep levels that
/// never occur possible.
pub(crate) fn random_u(set: &PreparedSet, samples: usize, seed: u64) -> Levels {
    let n = set.records.len();
    let mut counts = empty_levels();
    let mut add = |p: Pattern| {
        for (f, c) in counts.iter_mut().enumerate() {
            c[level(p, f)] += 1.0;
        }
    };
    let all_pairs = n.saturating_mul(n.saturating_sub(1)) / 2;
    if all_pairs <= samples {
        for i in 0..n {
            for j in i + 1..n {
                add(compare(&set.records[i], &set.records[j], &set.words));
            }
        }
    } else {
        let seeds: Vec<u64> = (0..16u64)
            .map(|k| seed ^ (k + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15))
            .collect();
        let per = samples / seeds.len();
        let parts = crate::parallel::map(&seeds, 1, |s| {
            let mut state = *s;
            let mut part: HashMap<Pattern, u64> = HashMap::new();
            let mut drawn = 0;
            while drawn < per {
                let i = (next(&mut state) % n as u64) as usize;
                let j = (next(&mut state) % n as u64) as usize;
                if i == j {
                    continue;
                }
                *part
                    .entry(compare(&set.records[i], &set.records[j], &set.words))
                    .or_default() += 1;
                drawn += 1;
            }
            part
        });
        for part in parts {
            for (pattern, count) in part {
                for (f, c) in counts.iter_mut().enumerate() {
                    c[level(pattern, f)] += count as f64;
                }
            }
        }
    }
    normalise(counts, 0.5)
}

/// splitmix64: a small, well-mixed generator, so the sample is the same on every machine.
fn next(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Counts to probabilities over the levels other than `missing`.
fn normalise(mut counts: Levels, pseudo: f64) -> Levels {
    for c in counts.iter_mut() {
        let total: f64 = c[1..].iter().map(|x| x + pseudo).sum();
        c[0] = 1.0;
        for x in c[1..].iter_mut() {
            *x = ((*x + pseudo) / total).max(FLOOR);
        }
    }
    counts
}

/// Where `m` starts: the best level likely, `different` unlikely, the levels between sharing
/// the rest. Any start with agreement more likely under `m` than under `u` leads to the same
/// answer on data with real duplicates; this one gets there in few iterations.
fn initial_m() -> Levels {
    std::array::from_fn(|f| {
        let n = LEVELS[f].len();
        let mut m = vec![1.0; n];
        let between = n.saturating_sub(3);
        for (l, x) in m.iter_mut().enumerate().skip(1) {
            *x = if l == 1 {
                0.8
            } else if l == n - 1 {
                0.05
            } else {
                0.15 / between as f64
            };
        }
        if between == 0 {
            m[1] = 0.9;
            m[n - 1] = 0.1;
        }
        m
    })
}

/// Expectation maximisation over the distinct comparison vectors and how often each occurs,
/// from `u` (random pairs) and [`initial_m`]; stops after `iterations` or when the share of
/// matches moves by less than one in a million.
pub(crate) fn train(patterns: &[(Pattern, u64)], u: Levels, iterations: usize) -> Estimate {
    let mut estimate = Estimate {
        prior: 0.1,
        m: initial_m(),
        u,
    };
    if patterns.is_empty() {
        return estimate;
    }
    for _ in 0..iterations {
        let mut m_counts = empty_levels();
        let mut u_counts = empty_levels();
        let (mut matches, mut total) = (0.0, 0.0);
        for (pattern, count) in patterns {
            let p = posterior(&estimate, *pattern);
            let n = *count as f64;
            matches += n * p;
            total += n;
            for f in 0..FIELDS.len() {
                let l = level(*pattern, f);
                m_counts[f][l] += n * p;
                u_counts[f][l] += n * (1.0 - p);
            }
        }
        let prior = (matches / total).clamp(FLOOR, 1.0 - FLOOR);
        let moved = (prior - estimate.prior).abs();
        estimate = Estimate {
            prior,
            m: normalise(m_counts, 1e-3),
            u: normalise(u_counts, 1e-3),
        };
        if moved < 1e-6 {
            break;
        }
    }
    estimate
}

/// The probability that a pair with this vector is a match, under `estimate`.
pub(crate) fn posterior(estimate: &Estimate, pattern: Pattern) -> f64 {
    let (mut lm, mut lu) = (estimate.prior, 1.0 - estimate.prior);
    for f in 0..FIELDS.len() {
        let l = level(pattern, f);
        if l != 0 {
            lm *= estimate.m[f][l];
            lu *= estimate.u[f][l];
        }
    }
    if lm + lu > 0.0 { lm / (lm + lu) } else { 0.0 }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pattern(levels: [usize; 6]) -> Pattern {
        levels
            .iter()
            .enumerate()
            .fold(0, |acc, (f, l)| acc | ((*l as u32) << (4 * f)))
    }

    fn draw(state: &mut u64, probabilities: &[f64]) -> usize {
        let x = (next(state) >> 11) as f64 / (1u64 << 53) as f64;
        let mut acc = 0.0;
        for (l, p) in probabilities.iter().enumerate().skip(1) {
            acc += p;
            if x < acc {
                return l;
            }
        }
        probabilities.len() - 1
    }

    /// Simulated comparison vectors from known `m`, `u` and share of matches: the training must
    /// find them again without being told which pairs match.
    #[test]
    fn recovers_known_m_and_u_from_simulated_vectors() {
        let true_m: Levels = [
            vec![1.0, 0.80, 0.08, 0.06, 0.03, 0.03],
            vec![1.0, 0.75, 0.05, 0.06, 0.06, 0.04, 0.02, 0.02],
            vec![1.0, 0.82, 0.05, 0.05, 0.05, 0.03],
            vec![1.0, 0.97, 0.03],
            vec![1.0, 0.90, 0.07, 0.03],
            vec![1.0, 0.98, 0.02],
        ];
        let true_u: Levels = [
            vec![1.0, 0.02, 0.01, 0.02, 0.05, 0.90],
            vec![1.0, 0.01, 0.002, 0.003, 0.02, 0.05, 0.015, 0.90],
            vec![1.0, 0.001, 0.001, 0.002, 0.02, 0.976],
            vec![1.0, 0.50, 0.50],
            vec![1.0, 0.0005, 0.0015, 0.998],
            vec![1.0, 0.85, 0.15],
        ];
        let true_prior = 0.2;
        let mut state = 7u64;
        let mut counts: HashMap<Pattern, u64> = HashMap::new();
        for _ in 0..200_000 {
            let is_match = (next(&mut state) % 1000) < (true_prior * 1000.0) as u64;
            let source = if is_match { &true_m } else { &true_u };
            let levels: [usize; 6] = std::array::from_fn(|f| draw(&mut state, &source[f]));
            *counts.entry(pattern(levels)).or_default() += 1;
        }
        let patterns: Vec<(Pattern, u64)> = counts.into_iter().collect();
        // Start u off the truth (flattened towards uniform), as random pairs would roughly give.
        let start_u: Levels = std::array::from_fn(|f| {
            let n = true_u[f].len() - 1;
            let mut u: Vec<f64> = true_u[f].iter().map(|p| 0.5 * p + 0.5 / n as f64).collect();
            u[0] = 1.0;
            u
        });
        let estimate = train(&patterns, start_u, 200);
        assert!((estimate.prior - true_prior).abs() < 0.01, "prior {}", estimate.prior);
        for f in 0..6 {
            for l in 1..LEVELS[f].len() {
                let (m, u) = (estimate.m[f][l], estimate.u[f][l]);
                assert!(
                    (m - true_m[f][l]).abs() < 0.02,
                    "m {} {}: {m} vs {}",
                    FIELDS[f],
                    l,
                    true_m[f][l]
                );
                assert!(
                    (u - true_u[f][l]).abs() < 0.02,
                    "u {} {}: {u} vs {}",
                    FIELDS[f],
                    l,
                    true_u[f][l]
                );
            }
        }
        // And the posterior of a clear match and a clear non-match follows.
        assert!(posterior(&estimate, pattern([1, 1, 1, 1, 1, 1])) > 0.999);
        assert!(posterior(&estimate, pattern([5, 7, 5, 2, 3, 2])) < 0.001);
    }

    #[test]
    fn no_vectors_leave_the_start() {
        let estimate = train(&[], initial_m(), 10);
        assert!((estimate.prior - 0.1).abs() < 1e-12);
    }
}
