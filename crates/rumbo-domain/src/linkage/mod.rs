//! Finding the same person registered twice: probabilistic record linkage after Fellegi and
//! Sunter, trained without labels.
//!
//! 1. [`normalise`]: names, documents and dates in one form (accents, particles, prefixes).
//! 2. Blocking: only pairs sharing a key (document, surname sound + birth date, ...) are
//!    compared, so the work grows with the records, not their square.
//! 3. Comparison: each field of a pair falls into an agreement level (exact, surnames swapped,
//!    day and month swapped, a typo apart...).
//! 4. Expectation maximisation learns how likely each level is among matches and non-matches;
//!    agreement on a rare name counts for more than on a common one.
//! 5. Pairs above the threshold are grouped into persons without chaining through weak links.
//!
//! [`link`] does it all over a batch; [`MatchModel::candidates_for`] scores one new
//! registration against existing ones with a trained model.

mod blocking;
mod blocks;
#[cfg(test)]
mod blocks_tests;
mod cluster;
mod compare;
mod em;
/// The family a person came with, as evidence: matches among the other members.
mod household;
#[cfg(test)]
mod household_tests;
mod letters;
mod model;
pub mod normalise;
mod prepare;
#[cfg(test)]
mod quality_tests;
#[cfg(test)]
mod speed_tests;
mod swap;
#[cfg(test)]
mod tests;

use std::time::Instant;

use serde::{Deserialize, Serialize};
use time::Date;

use crate::registration::people::Sex;

pub use compare::{FIELDS, LEVELS};
pub use household::{HOUSEHOLD, HOUSEHOLD_LEVELS};
pub use model::{CorrectionModel, FieldModel, LevelModel, MatchModel, TF_LIMIT, TermFrequencies};

use compare::Pattern;
use model::Scorer;
use prepare::PreparedSet;

/// One registration of one person, as the engine sees it. Built by the caller from the store
/// or a CSV.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PersonRecord {
    /// The caller's identifier (person id in the store, `id` column in a CSV).
    pub key: String,
    /// Who registered it: organisation code.
    pub source: String,
    /// As written.
    pub given_names: String,
    /// As written; may be empty.
    pub first_surname: String,
    pub second_surname: Option<String>,
    pub birth_date: Option<Date>,
    pub sex: Option<Sex>,
    /// As written, e.g. "V-12.345.678".
    pub document: Option<String>,
    /// ISO 3166 alpha-3.
    pub nationality: Option<String>,
    /// The organisation's own household (case) number: the people registered together. Means
    /// something only with `source` (two organisations' numbers are unrelated).
    #[serde(default)]
    pub household: Option<String>,
}

/// How the engine runs. [`Default`] gives the tuned values.
#[derive(Debug, Clone, PartialEq)]
pub struct LinkageSettings {
    /// Pairs at or above this probability are reported.
    pub report_threshold: f64,
    /// Two groups of records merge into one person when the mean probability of the pairs
    /// across them reaches this ...
    pub cluster_threshold: f64,
    /// ... and none of those pairs is below this.
    pub cluster_floor: f64,
    /// A blocking key shared by more records than this is compared by sorted window instead.
    pub max_block: usize,
    /// How many neighbours each record of an oversize block is compared with.
    pub window: usize,
    /// Pairs drawn at random to start the non-match probabilities from.
    pub random_pairs: usize,
    /// The most rounds of expectation maximisation.
    pub iterations: usize,
    /// Seed of the random pairs: the same records give the same model.
    pub seed: u64,
}

impl Default for LinkageSettings {
    fn default() -> Self {
        LinkageSettings {
            report_threshold: 0.5,
            cluster_threshold: 0.5,
            cluster_floor: 0.05,
            max_block: 64,
            window: 12,
            random_pairs: 400_000,
            iterations: 100,
            seed: 0x5EED,
        }
    }
}

/// A field whose weight is this far below zero (bits) speaks against two records being one
/// person — a given name, a date, a document that differs outright — where a field missing, a
/// lone surname, a short form never does (see `cluster`).
const AGAINST: f64 = 3.0;

/// The result of [`link`].
#[derive(Debug, Clone, Serialize)]
pub struct Linkage {
    /// The trained model: reusable for incremental matching.
    pub model: MatchModel,
    /// Pairs with probability ≥ `report_threshold`, `left < right`, by `left` then `right`.
    pub pairs: Vec<ScoredPair>,
    /// Indices into the records; every record in exactly one cluster (singletons too).
    pub clusters: Vec<Vec<usize>>,
    /// How much work each stage did, and how long it took.
    pub stats: LinkageStats,
}

/// Counts and timings of one run, for the command line and benchmarks.
#[derive(Debug, Clone, Default, Serialize)]
pub struct LinkageStats {
    pub records: usize,
    /// Candidate pairs from blocking, each compared once.
    pub candidates: usize,
    /// Distinct comparison vectors the training saw.
    pub patterns: usize,
    pub prepare_seconds: f64,
    pub blocking_seconds: f64,
    pub training_seconds: f64,
    pub scoring_seconds: f64,
    /// Household evidence: linking households, learning the field, scoring again (0 without
    /// households).
    pub household_seconds: f64,
    pub clustering_seconds: f64,
}

impl LinkageStats {
    /// The engine's stages and their seconds, as the command line prints them: "prepare 0.28,
    /// blocking and comparison 1.24, ..., clustering 0.16".
    pub fn stage_seconds(&self) -> String {
        format!(
            "prepare {:.2}, blocking and comparison {:.2}, training {:.2}, scoring {:.2}, households {:.2}, \
             clustering {:.2}",
            self.prepare_seconds,
            self.blocking_seconds,
            self.training_seconds,
            self.scoring_seconds,
            self.household_seconds,
            self.clustering_seconds,
        )
    }
}

/// One scored pair of records, with the explanation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScoredPair {
    /// Index into the records.
    pub left: usize,
    pub right: usize,
    /// 0..=1.
    pub probability: f64,
    /// Total match weight: the log2 Bayes factor, the sum of the fields' weights.
    pub weight: f64,
    /// One per compared field, in the order of [`FIELDS`], then [`HOUSEHOLD`] when the records
    /// have households.
    pub fields: Vec<FieldComparison>,
}

/// One field's part of the explanation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldComparison {
    /// One of [`FIELDS`], or [`HOUSEHOLD`].
    pub field: &'static str,
    /// One of the field's [`LEVELS`] (or [`HOUSEHOLD_LEVELS`]), e.g. "exact", "missing".
    pub level: &'static str,
    /// This field's contribution, log2.
    pub weight: f64,
}

/// Trains the model without labels on the records and scores every candidate pair from
/// blocking; then groups the matches into persons.
pub fn link(records: &[PersonRecord], settings: &LinkageSettings) -> Linkage {
    link_in_parts(records, settings, crate::parallel::threads())
}

/// [`link`], handing the reported pairs to `scored` as soon as they are scored, on a thread of
/// its own while the matches are grouped into persons (on one core: the other is free); what
/// `scored` returns comes back with the linkage. The command line writes the pairs out there.
pub fn link_with<R: Send>(
    records: &[PersonRecord],
    settings: &LinkageSettings,
    scored: impl FnOnce(&[ScoredPair]) -> R + Send,
) -> (Linkage, R) {
    link_parts_with(records, settings, crate::parallel::threads(), scored)
}

/// [`link`] with its work cut into `parts` (one name cache each): the answer must not depend
/// on it, which a test checks by cutting the same work differently.
fn link_in_parts(records: &[PersonRecord], settings: &LinkageSettings, parts: usize) -> Linkage {
    link_parts_with(records, settings, parts, |_| ()).0
}

fn link_parts_with<R: Send>(
    records: &[PersonRecord],
    settings: &LinkageSettings,
    parts: usize,
    scored: impl FnOnce(&[ScoredPair]) -> R + Send,
) -> (Linkage, R) {
    let mut stats = LinkageStats {
        records: records.len(),
        ..LinkageStats::default()
    };
    let clock = Instant::now();
    let set = prepare::prepare_in_parts(records, parts);
    stats.prepare_seconds = clock.elapsed().as_secs_f64();

    let clock = Instant::now();
    let caches = compare::NameCaches::new(parts);
    let candidates = blocking::candidates(&set, settings, &caches);
    stats.candidates = candidates.len();
    stats.blocking_seconds = clock.elapsed().as_secs_f64();

    let clock = Instant::now();
    type Counts = std::collections::HashMap<u32, u64, compare::IdHashState>;
    // Counted a run a thread, then added up: sums, so the same however cut.
    let runs: Vec<&[blocking::Candidate]> = candidates.runs().iter().flat_map(|run| run.chunks(1 << 18)).collect();
    let mut counts = Counts::default();
    for run in crate::parallel::map(&runs, 1, |run| {
        let mut counts = Counts::default();
        for (_, _, p) in *run {
            *counts.entry(*p).or_default() += 1;
        }
        counts
    }) {
        for (p, n) in run {
            *counts.entry(p).or_default() += n;
        }
    }
    let mut patterns: Vec<(u32, u64)> = counts.into_iter().collect();
    patterns.sort_unstable();
    stats.patterns = patterns.len();
    let sample = em::random_sample(&set, settings.random_pairs, settings.seed, &caches);
    let estimate = em::train_by_rules(&patterns, &sample, settings.iterations);
    let model = MatchModel::new(&estimate, settings.report_threshold, &set);
    stats.training_seconds = clock.elapsed().as_secs_f64();

    let clock = Instant::now();
    let scorer = Scorer::new(&model, &set);
    // Nearly every candidate falls short of the threshold whatever names it shares: a vector
    // whose most favourable weight (see `Scorer::most`) does not reach it decides its pairs
    // without reading their records. The others are weighed pair by pair, as before.
    let may_reach = Bits::of(
        patterns
            .iter()
            .map(|(p, _)| *p)
            .filter(|p| model.probability(scorer.most(*p) + model::SLACK) >= settings.report_threshold),
    );
    let batches: Vec<&[blocking::Candidate]> = candidates.runs().iter().flat_map(|run| run.chunks(16_384)).collect();
    let kept = crate::parallel::map(&batches, 1, |batch| {
        batch
            .iter()
            .filter(|(_, _, p)| may_reach.contains(p))
            .filter_map(|(i, j, p)| {
                let (i, j) = (*i as usize, *j as usize);
                let weight: f64 = scorer.field_weights(i, j, *p).iter().sum();
                (model.probability(weight) >= settings.report_threshold).then(|| scorer.explain(i, j, *p, i, j))
            })
            .collect::<Vec<_>>()
    });
    let mut pairs: Vec<ScoredPair> = Vec::with_capacity(kept.iter().map(Vec::len).sum());
    for batch in kept {
        pairs.extend(batch);
    }
    // Each thread's candidates come by record, and each record's partners in order: the pairs
    // are a run sorted by record a thread. The stable sort finds the runs and merges them in
    // one pass, where the unstable one sorted all again (no two pairs share a key: the same
    // order).
    pairs.sort_by_key(|p| (p.left, p.right));
    stats.scoring_seconds = clock.elapsed().as_secs_f64();

    let clock = Instant::now();
    let households = household::Households::of(records).map(|mut households| {
        let evidence = household::evidence(
            &mut households,
            &mut pairs,
            &candidates,
            &scorer,
            &caches,
            settings.report_threshold,
        );
        (households, evidence)
    });
    drop(candidates);
    stats.household_seconds = clock.elapsed().as_secs_f64();

    let clock = Instant::now();
    let household_weight = |i: usize, j: usize| {
        households
            .as_ref()
            .map_or(0.0, |(h, (_, weights))| weights[h.level(i, j)])
    };
    let edges: Vec<(usize, usize, f64)> = pairs.iter().map(|p| (p.left, p.right, p.probability)).collect();
    // Any pair's probability, and whether some field speaks against it.
    let score = |cache: &mut compare::NameCache, i: usize, j: usize| {
        if households.as_ref().is_some_and(|(h, _)| h.same(i, j)) {
            return (0.0, true);
        }
        // The weights once, for the sum and the veto both.
        let (_, weights) = scorer.weights_with(i, j, cache);
        let weight: f64 = weights.iter().sum();
        let against = weights.iter().any(|w| *w <= -AGAINST);
        (model.probability(weight + household_weight(i, j)), against)
    };
    let reported = &pairs;
    let (clusters, answer) = std::thread::scope(|scope| {
        let handed = scope.spawn(move || scored(reported));
        // Part k of the grouping asks cache k.
        let clusters = cluster::cluster(
            records.len(),
            &edges,
            settings.cluster_threshold,
            settings.cluster_floor,
            caches.parts(),
            |k| {
                let mut cache = caches.get(k);
                move |i, j| score(&mut cache, i, j)
            },
        );
        (clusters, handed.join())
    });
    // A panic of `scored` is the caller's: passed on as it came.
    let answer = answer.unwrap_or_else(|panic| std::panic::resume_unwind(panic));
    stats.clustering_seconds = clock.elapsed().as_secs_f64();
    drop(scorer);
    let mut model = model;
    if let Some((_, (field, _))) = households {
        model.fields.push(field);
    }
    let linkage = Linkage {
        model,
        pairs,
        clusters,
        stats,
    };
    (linkage, answer)
}

/// A set of comparison vectors as one bit each: asked about every candidate, it answers from
/// one word of a small table (vectors are a few bits a field) where a hash set hashed and
/// probed.
struct Bits(Vec<u64>);

impl Bits {
    fn of(patterns: impl Iterator<Item = Pattern>) -> Bits {
        let mut bits = Vec::new();
        for p in patterns {
            let word = p as usize / 64;
            if word >= bits.len() {
                bits.resize(word + 1, 0);
            }
            bits[word] |= 1 << (p % 64);
        }
        Bits(bits)
    }

    fn contains(&self, p: &Pattern) -> bool {
        self.0.get(*p as usize / 64).is_some_and(|w| w >> (p % 64) & 1 == 1)
    }
}

impl MatchModel {
    /// Incremental: scores one new record against existing ones (candidate blocking done
    /// inside) and returns the pairs at or above the model's threshold, `left` the index into
    /// `existing`, `right` = `usize::MAX` for the new record; most probable first.
    pub fn candidates_for(&self, new: &PersonRecord, existing: &[PersonRecord]) -> Vec<ScoredPair> {
        let mut all: Vec<PersonRecord> = Vec::with_capacity(existing.len() + 1);
        all.extend_from_slice(existing);
        all.push(new.clone());
        let set = prepare::prepare_all(&all);
        let sounds = blocking::sounds(&set);
        let keys: Vec<blocking::Keys> = set
            .records
            .iter()
            .map(|r| blocking::keys(r, &sounds, &set.words))
            .collect();
        let last = existing.len();
        let scorer = Scorer::new(self, &set);
        let mut out: Vec<ScoredPair> = blocking::sharing_a_key(last, &keys, &set.records)
            .into_iter()
            .filter_map(|i| {
                let (pattern, weight) = scorer.weigh(i, last);
                (self.probability(weight) >= self.report_threshold)
                    .then(|| scorer.explain(i, last, pattern, i, usize::MAX))
            })
            .collect();
        out.sort_by(|a, b| b.probability.total_cmp(&a.probability).then(a.left.cmp(&b.left)));
        out
    }

    /// Scores one given pair (to explain a stored suggestion again): `left` 0, `right` 1.
    pub fn compare(&self, a: &PersonRecord, b: &PersonRecord) -> ScoredPair {
        let set: PreparedSet = prepare::prepare_all(&[a.clone(), b.clone()]);
        let scorer = Scorer::new(self, &set);
        let (pattern, _) = scorer.weigh(0, 1);
        scorer.explain(0, 1, pattern, 0, 1)
    }
}
