//! Fellegi–Sunter match weights learnt without labels. Each field's level is taken to be drawn,
//! independently of the other fields, from `m` when the two records are the same person and
//! from `u` when they are not.
//!
//! `u` comes from pairs of records drawn at random: almost all are different people. `m` is
//! learnt by expectation maximisation — but not over all candidate pairs at once: blocking made
//! their non-matches agree on the blocked fields (same birth date, same surname), and one
//! mixture over them learns "shares a birth date" instead of "is the same person". As Splink
//! does, the training runs once per rule — pairs agreeing exactly on the document; on given
//! names and birth date; on given names and surnames; on surnames and birth date — and learns
//! `m` only for the fields the rule leaves free, where its non-matches are as random as any;
//! each field's `m` is the median over the rules that leave it free (see [`median_m`]). The
//! share of matches each rule finds, divided by how often matches pass that rule, estimates how
//! many pairs match in all: the prior for two records drawn at random.
//!
//! Independence fails where fields go together among different people: twins share surnames
//! and birth date (measured by the rules), a son may carry his father's given names and
//! surnames (measured on all the records: blocking pairs namesakes only where the dates allow,
//! so the candidates hold few of them), a given name says the sex (measured on the random
//! pairs); a [`Correction`] takes back what the product of the two counted twice.
//!
//! Vectors are counted first, so each iteration runs over the few thousand distinct vectors,
//! not the millions of pairs.

use std::collections::HashMap;

use super::compare::{
    BIRTH, DOCUMENT, FIELDS, GIVEN, IdHashState, LEVELS, NameCaches, Pattern, SURNAMES, agrees, compare_with, exact,
    level,
};
use super::prepare::PreparedSet;

mod median;
use median::median_m;
mod namesakes;
use namesakes::namesakes;

/// Probabilities below this are taken as this: a level never seen among matches is rare, not
/// impossible, and its weight stays finite.
const FLOOR: f64 = 1e-6;

/// Per field, the probability of each level (index 0, `missing`, is unused and kept at 1).
pub(crate) type Levels = [Vec<f64>; 6];

#[derive(Debug, Clone)]
pub(crate) struct Estimate {
    /// The share of matches among the pairs trained on.
    pub prior: f64,
    pub m: Levels,
    pub u: Levels,
    /// Pairs of fields whose agreement together is less rare among different people than
    /// their `u` multiplied says, with the bits to add when both agree (see [`Correction`]).
    pub corrections: Vec<Correction>,
}

/// Agreement on two fields at once among different people, against independence. Twins share
/// surnames *and* birth date; siblings share surnames and, often, nationality: the product of
/// each field's `u` makes such a pair look far rarer among non-matches than it is. The rule
/// over those two fields counts its non-matches, which gives their joint `u`; `bits` is
/// `log2(u₁·u₂ / u₁₂)`, never above 0.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Correction {
    pub fields: [usize; 2],
    pub bits: f64,
}

/// The most a correction takes away, in bits.
const MAX_CORRECTION: f64 = 8.0;

/// Among matches, no level of a field is taken as rarer than this: real registrations hold
/// errors a synthetic or small training set never showed (a wrong sex, another nationality).
const M_FLOOR: f64 = 1e-3;

fn empty_levels() -> Levels {
    std::array::from_fn(|f| vec![0.0; LEVELS[f].len()])
}

/// What pairs drawn at random look like: `u`, how often each field is missing, and how many
/// pairs there are in all.
#[derive(Debug, Clone)]
pub(crate) struct Sample {
    pub u: Levels,
    /// Share of pairs where either record lacks the field.
    pub missing: [f64; 6],
    pub all_pairs: f64,
    /// For fields `f < g`, `joint[f][g]`: pairs where both records carry both fields, and among
    /// them how many agree on `f`, on `g`, and on both (see [`sample_corrections`]).
    pub joint: [[[f64; 4]; 6]; 6],
    /// Pairs of records with the same given names and surnames, counted from the records:
    /// blocking pairs namesakes only where a date part allows (see `blocking`), so the
    /// candidates no longer hold them all.
    pub namesakes: f64,
}

/// Level frequencies among `samples` pairs of records drawn at random (deterministically, from
/// `seed`), or among all pairs when there are fewer. Pseudo-counts of one half keep levels that
/// never occur possible. The draws come from 16 fixed streams whatever the number of threads;
/// each thread takes a share of the streams with its own name cache.
pub(crate) fn random_sample(set: &PreparedSet, samples: usize, seed: u64, caches: &NameCaches) -> Sample {
    let n = set.records.len();
    let mut counts = empty_levels();
    let mut joint = [[[0.0; 4]; 6]; 6];
    let mut add = |p: Pattern, times: f64| {
        for (f, c) in counts.iter_mut().enumerate() {
            c[level(p, f)] += times;
        }
        for (f, row) in joint.iter_mut().enumerate() {
            let lf = level(p, f);
            if lf == 0 {
                continue;
            }
            for (g, cell) in row.iter_mut().enumerate().skip(f + 1) {
                let lg = level(p, g);
                if lg == 0 {
                    continue;
                }
                let (af, ag) = (agrees(f, lf), agrees(g, lg));
                cell[0] += times;
                cell[1] += if af { times } else { 0.0 };
                cell[2] += if ag { times } else { 0.0 };
                cell[3] += if af && ag { times } else { 0.0 };
            }
        }
    };
    let all_pairs = n.saturating_mul(n.saturating_sub(1)) / 2;
    if all_pairs <= samples {
        let mut cache = caches.get(0);
        for i in 0..n {
            for j in i + 1..n {
                add(
                    compare_with(&set.records[i], &set.records[j], &set.words, &mut *cache),
                    1.0,
                );
            }
        }
    } else {
        let seeds: Vec<u64> = (0..16u64)
            .map(|k| seed ^ (k + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15))
            .collect();
        let per = samples / seeds.len();
        let shares: Vec<&[u64]> = seeds.chunks(seeds.len().div_ceil(caches.parts())).collect();
        let parts = crate::parallel::map_indices(shares.len(), 1, |k| {
            let mut cache = caches.get(k);
            let mut part: HashMap<Pattern, u64, IdHashState> = HashMap::default();
            for s in shares[k] {
                let mut state = *s;
                let mut drawn = 0;
                while drawn < per {
                    let i = (next(&mut state) % n as u64) as usize;
                    let j = (next(&mut state) % n as u64) as usize;
                    if i == j {
                        continue;
                    }
                    let pattern = compare_with(&set.records[i], &set.records[j], &set.words, &mut *cache);
                    *part.entry(pattern).or_default() += 1;
                    drawn += 1;
                }
            }
            part
        });
        for part in parts {
            for (pattern, count) in part {
                add(pattern, count as f64);
            }
        }
    }
    let missing = std::array::from_fn(|f| {
        let total: f64 = counts[f].iter().sum();
        if total > 0.0 { counts[f][0] / total } else { 0.0 }
    });
    Sample {
        u: normalise(counts, 0.5),
        missing,
        all_pairs: all_pairs as f64,
        joint,
        namesakes: namesakes(set),
    }
}

/// Pairs agreeing on both fields that the random sample must hold before their dependence is
/// trusted: fewer, and the ratio below is noise.
const MIN_JOINT: f64 = 100.0;

/// Agreement on two fields at once among pairs drawn at random — different people, nearly all
/// — against the product of each field's agreement. Spanish and Portuguese given names say the
/// sex: two records agreeing on "María" agree on sex as surely as any two women do, so
/// counting the sex's agreement on top of the name's counts one fact twice (about one bit,
/// enough to make a namesake look like the same person). The same [`Correction`] as the
/// rules' makes up for it. Surnames, birth dates and documents agree too rarely among random
/// pairs to be counted here: their dependence is the rules' to measure, among blocked pairs.
fn sample_corrections(sample: &Sample) -> Vec<Correction> {
    let mut out = Vec::new();
    for f in 0..FIELDS.len() {
        for g in f + 1..FIELDS.len() {
            if [f, g].iter().any(|x| [SURNAMES, BIRTH, DOCUMENT].contains(x)) {
                continue;
            }
            let [n, a, b, both] = sample.joint[f][g];
            if both < MIN_JOINT {
                continue;
            }
            let bits = (a * b / (both * n)).log2().clamp(-MAX_CORRECTION, 0.0);
            if bits < 0.0 {
                out.push(Correction { fields: [f, g], bits });
            }
        }
    }
    out
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

/// The training rules: pairs agreeing exactly on these fields (see the module's comment).
const RULES: [&[usize]; 4] = [&[DOCUMENT], &[GIVEN, BIRTH], &[GIVEN, SURNAMES], &[SURNAMES, BIRTH]];

/// `m` by rule, `u` from the random sample, and the prior for two records drawn at random.
pub(crate) fn train_by_rules(patterns: &[(Pattern, u64)], sample: &Sample, iterations: usize) -> Estimate {
    // Each field's `m` as every rule that leaves it free learnt it.
    let mut learnt: [Vec<Vec<f64>>; 6] = Default::default();
    let mut found: Vec<(&[usize], f64, f64)> = Vec::new();
    for rule in RULES {
        let subset: Vec<(Pattern, u64)> = patterns
            .iter()
            .filter(|(p, _)| rule.iter().all(|f| exact(*f, level(*p, *f))))
            .copied()
            .collect();
        let pairs: u64 = subset.iter().map(|(_, n)| n).sum();
        if pairs < 20 {
            continue;
        }
        let free: [bool; 6] = std::array::from_fn(|f| !rule.contains(&f));
        let start = Estimate {
            prior: 0.5,
            m: initial_m(),
            u: sample.u.clone(),
            corrections: Vec::new(),
        };
        let estimate = expectation_maximisation(&subset, start, free, false, iterations);
        for f in (0..FIELDS.len()).filter(|f| free[*f]) {
            learnt[f].push(estimate.m[f].clone());
        }
        found.push((rule, estimate.prior, pairs as f64));
    }
    let start = initial_m();
    let m: Levels = std::array::from_fn(|f| {
        let mut m: Vec<f64> = if learnt[f].is_empty() {
            start[f].clone()
        } else {
            median_m(&learnt[f])
        };
        let total: f64 = m[1..].iter().map(|x| x.max(M_FLOOR)).sum();
        for x in m[1..].iter_mut() {
            *x = x.max(M_FLOOR) / total;
        }
        m[0] = 1.0;
        m
    });
    // Matches in all, as each rule sees them: its matches over the share of matches it catches.
    let mut log_matches = Vec::new();
    let mut corrections = Vec::new();
    for (rule, prior, pairs) in found {
        if let [a, b] = rule
            && sample.all_pairs >= 1.0
        {
            // Non-matches agreeing on both; namesakes counted from the records, as the
            // candidates hold only some.
            let agreeing = if rule == [GIVEN, SURNAMES] && sample.namesakes > 0.0 {
                (sample.namesakes - prior * pairs).max(0.0)
            } else {
                (1.0 - prior) * pairs
            };
            let joint = (agreeing / sample.all_pairs).max(FLOOR * FLOOR);
            let independent = exact_share(&sample.u, *a) * exact_share(&sample.u, *b);
            let bits = (independent / joint).log2().clamp(-MAX_CORRECTION, 0.0);
            if bits < 0.0 {
                corrections.push(Correction { fields: [*a, *b], bits });
            }
        }
        let caught: f64 = rule
            .iter()
            .map(|f| (1.0 - sample.missing[*f]) * exact_share(&m, *f))
            .product();
        if caught > 0.0 && prior * pairs >= 1.0 {
            log_matches.push((prior * pairs / caught).ln());
        }
    }
    corrections.extend(sample_corrections(sample));
    let prior = if log_matches.is_empty() || sample.all_pairs < 1.0 {
        // Too few pairs to learn from (a small desk's first registrations): assume one record in
        // ten is a second registration, as in the field, rather than a fixed rate per pair that
        // would silence every suggestion in a small population.
        let records = (1.0 + (1.0 + 8.0 * sample.all_pairs).sqrt()) / 2.0;
        (0.1 * records / sample.all_pairs.max(1.0)).clamp(1e-12, 0.5)
    } else {
        let mean = log_matches.iter().sum::<f64>() / log_matches.len() as f64;
        (mean.exp() / sample.all_pairs).clamp(1e-12, 0.5)
    };
    Estimate {
        prior,
        m,
        u: sample.u.clone(),
        corrections,
    }
}

/// The probability of exact agreement on `field` (for surnames, on two or on one).
fn exact_share(levels: &Levels, field: usize) -> f64 {
    levels[field]
        .iter()
        .enumerate()
        .skip(1)
        .filter(|(l, _)| exact(field, *l))
        .map(|(_, p)| p)
        .sum()
}

/// Expectation maximisation with `m` and `u` both free, over every field: the textbook
/// mixture, kept to check the mechanics on vectors simulated from a known model.
#[cfg(test)]
pub(crate) fn train(patterns: &[(Pattern, u64)], u: Levels, iterations: usize) -> Estimate {
    let start = Estimate {
        prior: 0.1,
        m: initial_m(),
        u,
        corrections: Vec::new(),
    };
    expectation_maximisation(patterns, start, [true; 6], true, iterations)
}

/// Expectation maximisation over the distinct comparison vectors and how often each occurs:
/// only the `free` fields take part; `u` is learnt too when `update_u`. Stops after
/// `iterations` or when the share of matches moves by less than one in a million.
fn expectation_maximisation(
    patterns: &[(Pattern, u64)],
    mut estimate: Estimate,
    free: [bool; 6],
    update_u: bool,
    iterations: usize,
) -> Estimate {
    if patterns.is_empty() {
        return estimate;
    }
    for _ in 0..iterations {
        let mut m_counts = empty_levels();
        let mut u_counts = empty_levels();
        let (mut matches, mut total) = (0.0, 0.0);
        for (pattern, count) in patterns {
            let p = posterior_over(&estimate, *pattern, free);
            let n = *count as f64;
            matches += n * p;
            total += n;
            for f in (0..FIELDS.len()).filter(|f| free[*f]) {
                let l = level(*pattern, f);
                m_counts[f][l] += n * p;
                u_counts[f][l] += n * (1.0 - p);
            }
        }
        let prior = (matches / total).clamp(FLOOR, 1.0 - FLOOR);
        let moved = (prior - estimate.prior).abs();
        let m = normalise(m_counts, 1e-3);
        estimate.prior = prior;
        for f in (0..FIELDS.len()).filter(|f| free[*f]) {
            estimate.m[f] = m[f].clone();
        }
        if update_u {
            let u = normalise(u_counts, 1e-3);
            for f in (0..FIELDS.len()).filter(|f| free[*f]) {
                estimate.u[f] = u[f].clone();
            }
        }
        if moved < 1e-7 {
            break;
        }
    }
    estimate
}

/// The probability that a pair with this vector is a match, under `estimate`.
#[cfg(test)]
pub(crate) fn posterior(estimate: &Estimate, pattern: Pattern) -> f64 {
    posterior_over(estimate, pattern, [true; 6])
}

fn posterior_over(estimate: &Estimate, pattern: Pattern, free: [bool; 6]) -> f64 {
    let (mut lm, mut lu) = (estimate.prior, 1.0 - estimate.prior);
    for f in (0..FIELDS.len()).filter(|f| free[*f]) {
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
            vec![1.0, 0.80, 0.08, 0.06, 0.03, 0.01, 0.02],
            vec![1.0, 0.75, 0.05, 0.06, 0.06, 0.03, 0.02, 0.01, 0.01, 0.005, 0.005],
            vec![1.0, 0.82, 0.05, 0.05, 0.05, 0.03],
            vec![1.0, 0.97, 0.03],
            vec![1.0, 0.90, 0.07, 0.03],
            vec![1.0, 0.98, 0.02],
        ];
        let true_u: Levels = [
            vec![1.0, 0.02, 0.01, 0.02, 0.05, 0.001, 0.899],
            vec![1.0, 0.01, 0.002, 0.003, 0.02, 0.05, 0.015, 0.01, 0.03, 0.001, 0.859],
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
        assert!(posterior(&estimate, pattern([6, 10, 5, 2, 3, 2])) < 0.001);
    }

    /// Training over the histogram of distinct vectors is training over every pair: the same
    /// prior, `m` and `u` as when each pair is listed on its own, to rounding.
    #[test]
    fn pattern_histogram_trains_as_the_raw_vectors_do() {
        let mut state = 11u64;
        let mut raw: Vec<(Pattern, u64)> = Vec::new();
        let mut counts: HashMap<Pattern, u64> = HashMap::new();
        for _ in 0..20_000 {
            let agreeing = next(&mut state).is_multiple_of(5);
            let levels: [usize; 6] = std::array::from_fn(|f| {
                let n = LEVELS[f].len() as u64;
                let roll = next(&mut state) % 10;
                if roll >= 8 {
                    (next(&mut state) % n) as usize
                } else if agreeing {
                    1
                } else {
                    n as usize - 1
                }
            });
            raw.push((pattern(levels), 1));
            *counts.entry(pattern(levels)).or_default() += 1;
        }
        let histogram: Vec<(Pattern, u64)> = counts.into_iter().collect();
        assert!(histogram.len() < raw.len() / 4, "{} distinct", histogram.len());
        let start_u: Levels = std::array::from_fn(|f| {
            let mut u = vec![1.0 / (LEVELS[f].len() - 1) as f64; LEVELS[f].len()];
            u[0] = 1.0;
            u
        });
        let by_histogram = train(&histogram, start_u.clone(), 50);
        let by_pair = train(&raw, start_u, 50);
        assert!((by_histogram.prior - by_pair.prior).abs() < 1e-9);
        for (f, levels) in LEVELS.iter().enumerate() {
            for l in 1..levels.len() {
                assert!((by_histogram.m[f][l] - by_pair.m[f][l]).abs() < 1e-9, "m {f} {l}");
                assert!((by_histogram.u[f][l] - by_pair.u[f][l]).abs() < 1e-9, "u {f} {l}");
            }
        }
    }

    #[test]
    fn no_vectors_leave_the_start() {
        let estimate = train(&[], initial_m(), 10);
        assert!((estimate.prior - 0.1).abs() < 1e-12);
    }
}
