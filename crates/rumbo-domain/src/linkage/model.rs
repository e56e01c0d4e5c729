//! The trained model: per field and level the probabilities `m` (among the same person) and `u`
//! (among different people), their match weights `log2(m/u)`, and how often each given name
//! and surname occurs. Sharing a surname that one registration in a hundred carries ("Pérez")
//! says less than sharing one carried by one in a hundred thousand ("Arreaza"): the weight of
//! agreement on a name is moved by `log2(Σtf² / tf(name))` — the chance that two records agree
//! on *some* name over the chance they agree on *this* one — within ±[`TF_LIMIT`] bits.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::compare::{
    FIELDS, GIVEN, LEVELS, ONE_SURNAME, ONE_SURNAME_EACH_DIFFERENT, Pattern, Relate, SURNAMES, agrees, compare,
    compare_with, level,
};
use super::em::Estimate;
use super::prepare::{NONE, Prepared, PreparedSet};
use super::{FieldComparison, ScoredPair};

/// The most a name's frequency moves a weight, in bits (a factor of 16). Unbounded, sharing a
/// surname found twice in a million records would outweigh a different birth date and given
/// name: siblings with a rare surname would look like one person.
pub const TF_LIMIT: f64 = 4.0;

/// The trained Fellegi–Sunter model, reusable to score new records against existing ones.
/// Stored as JSON and read back (serde) to match new registrations without training again.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MatchModel {
    /// The probability that two records drawn at random are the same person: the prior odds
    /// that every pair's weight moves.
    pub prior: f64,
    /// Pairs at or above this probability are reported.
    pub report_threshold: f64,
    pub fields: Vec<FieldModel>,
    /// Agreement on two fields at once that is commoner among different people than the
    /// fields' weights assume (twins: surnames and birth date): added to the second field's
    /// weight when both agree.
    #[serde(default)]
    pub corrections: Vec<CorrectionModel>,
    /// Full given names ("maria jose"), normalised.
    pub given_names: TermFrequencies,
    /// Surnames, word by word, normalised.
    pub surnames: TermFrequencies,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FieldModel {
    pub field: String,
    pub levels: Vec<LevelModel>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LevelModel {
    pub level: String,
    /// P(level | same person).
    pub m: f64,
    /// P(level | different people).
    pub u: f64,
    /// `log2(m/u)`; 0 for `missing`.
    pub weight: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CorrectionModel {
    pub fields: [String; 2],
    /// Bits added (≤ 0).
    pub bits: f64,
}

/// How often each normalised name occurs among the records trained on.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct TermFrequencies {
    /// Names counted.
    pub total: u64,
    /// Σ tf²: the chance that two names drawn at random are the same.
    pub sum_of_squares: f64,
    /// Names seen at least twice, with their count; the others count once.
    pub counts: BTreeMap<String, u32>,
}

impl TermFrequencies {
    /// Counts by word id (from the records' interner) into frequencies by word.
    pub(crate) fn from_counts(counts: &[u32], set: &PreparedSet) -> TermFrequencies {
        let total: u64 = counts.iter().map(|c| u64::from(*c)).sum();
        if total == 0 {
            return TermFrequencies::default();
        }
        let t = total as f64;
        let sum_of_squares = counts.iter().map(|c| (f64::from(*c) / t).powi(2)).sum();
        let counts = counts
            .iter()
            .enumerate()
            .filter(|(_, c)| **c >= 2)
            .map(|(id, c)| (set.words.word(id as u32).to_owned(), *c))
            .collect();
        TermFrequencies {
            total,
            sum_of_squares,
            counts,
        }
    }

    /// Bits added to the weight of agreeing on `word`.
    pub fn adjustment(&self, word: &str) -> f64 {
        if self.total == 0 || self.sum_of_squares <= 0.0 {
            return 0.0;
        }
        let count = self.counts.get(word).copied().unwrap_or(1);
        let tf = f64::from(count) / self.total as f64;
        (self.sum_of_squares / tf).log2().clamp(-TF_LIMIT, TF_LIMIT)
    }
}

impl MatchModel {
    pub(crate) fn new(estimate: &Estimate, report_threshold: f64, set: &PreparedSet) -> MatchModel {
        let fields = FIELDS
            .iter()
            .enumerate()
            .map(|(f, field)| FieldModel {
                field: (*field).to_owned(),
                levels: LEVELS[f]
                    .iter()
                    .enumerate()
                    .map(|(l, name)| {
                        let (m, u) = (estimate.m[f][l], estimate.u[f][l]);
                        LevelModel {
                            level: (*name).to_owned(),
                            m,
                            u,
                            weight: if l == 0 {
                                0.0
                            } else if f == SURNAMES && l == ONE_SURNAME_EACH_DIFFERENT {
                                // Where lone surnames are rare, so is their disagreement among
                                // different people: it may weaken the case against one person,
                                // never make one.
                                (m / u).log2().min(0.0)
                            } else {
                                (m / u).log2()
                            },
                        }
                    })
                    .collect(),
            })
            .collect();
        let mut given = vec![0u32; set.words.len()];
        let mut surnames = vec![0u32; set.words.len()];
        for r in &set.records {
            if r.given != NONE {
                given[r.given as usize] += 1;
            }
            for s in r.surnames.iter().filter(|s| **s != NONE) {
                surnames[*s as usize] += 1;
            }
        }
        MatchModel {
            prior: estimate.prior,
            report_threshold,
            fields,
            corrections: estimate
                .corrections
                .iter()
                .map(|c| CorrectionModel {
                    fields: c.fields.map(|f| FIELDS[f].to_owned()),
                    bits: c.bits,
                })
                .collect(),
            given_names: TermFrequencies::from_counts(&given, set),
            surnames: TermFrequencies::from_counts(&surnames, set),
        }
    }

    /// Probability from a total weight, with the model's prior odds.
    pub fn probability(&self, weight: f64) -> f64 {
        let prior = self.prior.clamp(1e-9, 1.0 - 1e-9);
        let logit = (prior / (1.0 - prior)).log2() + weight;
        1.0 / (1.0 + (-logit).exp2())
    }
}

/// A model bound to one prepared set of records: weights in a flat table and the name
/// adjustments looked up once per word id, so that scoring a pair reads only numbers.
pub(crate) struct Scorer<'a> {
    pub model: &'a MatchModel,
    pub set: &'a PreparedSet,
    weights: [[f64; 11]; 6],
    corrections: Vec<([usize; 2], f64)>,
    given_adjustment: Vec<f32>,
    surname_adjustment: Vec<f32>,
    /// The largest of `given_adjustment` and of `surname_adjustment` (0 if larger), for
    /// [`Scorer::most`].
    most_given: f64,
    most_surname: f64,
    /// The best a name field can weigh, for [`Scorer::most_whatever_names`].
    best_names: BestNames,
}

/// Per name field, its best weight among the levels that earn no rarity and among those that
/// earn the names' (both at least `missing`'s 0); and the most the corrections can add.
struct BestNames {
    given: (f64, f64),
    surnames: (f64, f64),
    corrections: f64,
}

/// Bits added to [`Scorer::most`] before it is compared with a threshold: the bound and a
/// pair's weight add the same terms in another order, and rounding must not let a pair the
/// exact sum keeps fall out (weights are tens of bits; rounding moves them by ~1e-14).
pub(crate) const SLACK: f64 = 1e-6;

/// Levels added after countries' models were first stored, each with the level the engine gave
/// the same pairs before: one surname on each side, the same or not, was `exact` or `different`;
/// names written in each other's boxes were `different` on both.
/// A stored model keeps scoring those pairs as it was trained to until a run retrains it.
const EARLIER_LEVELS: [(&str, &str); 4] = [
    ("exact_one_surname", "exact"),
    ("one_surname_each_different", "different"),
    ("swapped_with_surnames", "different"),
    ("swapped_with_given_names", "different"),
];

impl<'a> Scorer<'a> {
    pub fn new(model: &'a MatchModel, set: &'a PreparedSet) -> Scorer<'a> {
        // By name, so that a model read back from JSON is used as written; a level it was
        // trained before is weighed as the level the engine gave such pairs then, and a field
        // or level unknown to it weighs nothing.
        let mut weights = [[0.0; 11]; 6];
        for (f, name) in FIELDS.iter().enumerate() {
            let Some(field) = model.fields.iter().find(|x| x.field == *name) else {
                continue;
            };
            let stored = |level: &str| field.levels.iter().find(|x| x.level == level);
            for (l, level_name) in LEVELS[f].iter().enumerate().skip(1) {
                let earlier = EARLIER_LEVELS
                    .iter()
                    .find(|(now, _)| now == level_name)
                    .and_then(|(_, then)| stored(then));
                if let Some(lm) = stored(level_name).or(earlier)
                    && lm.weight.is_finite()
                {
                    weights[f][l] = lm.weight;
                }
            }
        }
        let index = |name: &str| FIELDS.iter().position(|f| *f == name);
        let corrections = model
            .corrections
            .iter()
            .filter_map(|c| Some(([index(&c.fields[0])?, index(&c.fields[1])?], c.bits)))
            .filter(|(_, bits)| bits.is_finite())
            .collect();
        // The words the records use as given names and as surnames, then each one's adjustment
        // (a look-up by its text) on every core: a word at a time over a million records was a
        // serial pass of a few tens of milliseconds.
        let (mut given_used, mut surname_used) = (vec![false; set.words.len()], vec![false; set.words.len()]);
        for r in &set.records {
            if r.given != NONE {
                given_used[r.given as usize] = true;
            }
            for s in r.surnames.iter().filter(|s| **s != NONE) {
                surname_used[*s as usize] = true;
            }
        }
        const RUN: usize = 1 << 14;
        let adjustments = |used: &[bool], frequencies: &TermFrequencies| {
            let runs: Vec<(usize, &[bool])> = used.chunks(RUN).enumerate().collect();
            crate::parallel::map(&runs, 1, |(k, run)| {
                run.iter()
                    .enumerate()
                    .map(|(at, used)| {
                        let id = k * RUN + at;
                        if *used {
                            frequencies.adjustment(set.words.word(id as u32)) as f32
                        } else {
                            f32::NAN
                        }
                    })
                    .collect::<Vec<f32>>()
            })
            .concat()
        };
        let given_adjustment = adjustments(&given_used, &model.given_names);
        let surname_adjustment = adjustments(&surname_used, &model.surnames);
        let best = |f: usize, rare: &dyn Fn(usize) -> bool| {
            let of = |wanted: bool| {
                (0..weights[f].len())
                    .filter(|l| *l == 0 || rare(*l) == wanted)
                    .fold(0.0f64, |best, l| best.max(weights[f][l]))
            };
            (of(false), of(true))
        };
        let best_names = BestNames {
            given: best(GIVEN, &given_is_rare),
            surnames: best(SURNAMES, &surnames_are_rare),
            corrections: model
                .corrections
                .iter()
                .map(|c| c.bits)
                .filter(|bits| bits.is_finite())
                .map(|bits| bits.max(0.0))
                .sum(),
        };
        let most = |adjustments: &[f32]| {
            adjustments
                .iter()
                .filter(|x| !x.is_nan())
                .fold(0.0f64, |most, x| most.max(f64::from(*x)))
        };
        Scorer {
            model,
            set,
            weights,
            corrections,
            most_given: most(&given_adjustment),
            most_surname: most(&surname_adjustment),
            given_adjustment,
            surname_adjustment,
            best_names,
        }
    }

    /// The most any pair of records compared into `pattern` can weigh: [`Scorer::field_weights`]
    /// with the largest name adjustments any record has (two shared surnames at most). The
    /// levels and corrections depend on the vector alone; only the names' rarity on the records.
    pub fn most(&self, pattern: Pattern) -> f64 {
        let mut out: [f64; 6] = std::array::from_fn(|f| self.weights[f][level(pattern, f)]);
        if given_is_rare(level(pattern, GIVEN)) {
            out[GIVEN] += self.most_given;
        }
        let family = self.correct(pattern, &mut out);
        if surnames_are_rare(level(pattern, SURNAMES)) {
            // None, one or two shared surnames, each adding at most `most_surname` (≥ 0).
            let adjustment = 2.0 * self.most_surname;
            out[SURNAMES] += if family { adjustment.min(0.0) } else { adjustment };
        }
        out.iter().sum()
    }

    /// Each field's weight for records `i` and `j` whose comparison vector is `pattern`.
    pub fn field_weights(&self, i: usize, j: usize, pattern: Pattern) -> [f64; 6] {
        let (a, b) = (&self.set.records[i], &self.set.records[j]);
        let mut out: [f64; 6] = std::array::from_fn(|f| self.weights[f][level(pattern, f)]);
        out[GIVEN] += match level(pattern, GIVEN) {
            1 => self.given(a.given),
            // "María José" and "María": as telling as the shorter name is rare.
            2 => self.given(if a.given_count() <= b.given_count() {
                a.given
            } else {
                b.given
            }),
            _ => 0.0,
        };
        let family = self.correct(pattern, &mut out);
        if surnames_are_rare(level(pattern, SURNAMES)) {
            let adjustment: f64 = shared_surnames(a, b).map(|s| self.surname(s)).sum();
            // Twins and siblings share a rare surname no less often than a common one: when the
            // surnames agree along with the birth date, rarity earns nothing.
            out[SURNAMES] += if family { adjustment.min(0.0) } else { adjustment };
        }
        out
    }

    /// The most records `i` and `j` can weigh whatever their names: their other fields
    /// compared (no name read, and names are most of a comparison's work), each name field at
    /// its best level with the records' own names' rarity, the corrections at their largest.
    /// A pair that cannot reach a threshold with it need not be compared.
    pub fn most_whatever_names(&self, i: usize, j: usize) -> f64 {
        let (a, b) = (&self.set.records[i], &self.set.records[j]);
        let nameless = |r: &Prepared| {
            let mut r = *r;
            r.given = NONE;
            r.given_words = [NONE; 3];
            r.surnames = [NONE; 2];
            r
        };
        let pattern = compare(&nameless(a), &nameless(b), &self.set.words);
        let others: f64 = (0..FIELDS.len())
            .filter(|f| ![GIVEN, SURNAMES].contains(f))
            .map(|f| self.weights[f][level(pattern, f)])
            .sum();
        let best = &self.best_names;
        // Agreeing given names are weighed by `a`'s or `b`'s rarity; shared surnames by the sum
        // of theirs, each at most what `a`'s own surnames earn.
        let given = best
            .given
            .0
            .max(best.given.1 + self.given(a.given).max(self.given(b.given)));
        let rarity: f64 = a
            .surnames
            .iter()
            .enumerate()
            .filter(|(k, s)| **s != NONE && !(*k == 1 && a.surnames[0] == **s))
            .map(|(_, s)| self.surname(*s).max(0.0))
            .sum();
        let surnames = best.surnames.0.max(best.surnames.1 + rarity);
        others + given + surnames + best.corrections
    }

    /// Takes back, from `out`, what fields agreeing together counted twice (the corrections
    /// of the vector, which [`Scorer::most`] and [`Scorer::field_weights`] must apply alike);
    /// true when surnames are among them (a family's agreement: rarity earns nothing).
    fn correct(&self, pattern: Pattern, out: &mut [f64; 6]) -> bool {
        let mut family = false;
        for ([x, y], bits) in &self.corrections {
            if agrees(*x, level(pattern, *x)) && agrees(*y, level(pattern, *y)) {
                out[*y] += bits;
                family |= *x == SURNAMES || *y == SURNAMES;
            }
        }
        family
    }

    fn given(&self, id: u32) -> f64 {
        self.given_adjustment.get(id as usize).map_or(0.0, |x| f64::from(*x))
    }

    fn surname(&self, id: u32) -> f64 {
        self.surname_adjustment.get(id as usize).map_or(0.0, |x| f64::from(*x))
    }

    /// Records `i` and `j` compared: their vector and total weight.
    pub fn weigh(&self, i: usize, j: usize) -> (Pattern, f64) {
        let pattern = compare(&self.set.records[i], &self.set.records[j], &self.set.words);
        (pattern, self.field_weights(i, j, pattern).iter().sum())
    }

    /// [`Scorer::weigh`], asking `relate` how names relate.
    pub fn weigh_with(&self, i: usize, j: usize, relate: &mut impl Relate) -> (Pattern, f64) {
        let (pattern, weights) = self.weights_with(i, j, relate);
        (pattern, weights.iter().sum())
    }

    /// Records `i` and `j` compared, asking `relate` how names relate: their vector and each
    /// field's weight.
    pub fn weights_with(&self, i: usize, j: usize, relate: &mut impl Relate) -> (Pattern, [f64; 6]) {
        let pattern = compare_with(&self.set.records[i], &self.set.records[j], &self.set.words, relate);
        (pattern, self.field_weights(i, j, pattern))
    }

    /// The full, explained score of records `i` and `j`, reported as `left` and `right`.
    pub fn explain(&self, i: usize, j: usize, pattern: Pattern, left: usize, right: usize) -> ScoredPair {
        let weights = self.field_weights(i, j, pattern);
        let weight: f64 = weights.iter().sum();
        // Room for the household field too, which `household::evidence` adds to every pair
        // when the records have households: pushed into a full vector, it moved each.
        let mut fields = Vec::with_capacity(FIELDS.len() + 1);
        fields.extend(FIELDS.iter().enumerate().map(|(f, field)| FieldComparison {
            field,
            level: LEVELS[f][level(pattern, f).min(LEVELS[f].len() - 1)],
            weight: weights[f],
        }));
        ScoredPair {
            left,
            right,
            probability: self.model.probability(weight),
            weight,
            fields,
        }
    }
}

/// Given names at this level are weighed by their rarity too: the same, or one a short form.
fn given_is_rare(level: usize) -> bool {
    matches!(level, 1 | 2)
}

/// Surnames at this level are weighed by the rarity of those shared too.
fn surnames_are_rare(level: usize) -> bool {
    (1..=5).contains(&level) || level == ONE_SURNAME
}

/// The surnames of `a` that `b` carries too (each once).
fn shared_surnames<'r>(a: &'r Prepared, b: &'r Prepared) -> impl Iterator<Item = u32> + 'r {
    a.surnames
        .iter()
        .enumerate()
        .filter(move |(k, s)| **s != NONE && b.surnames.contains(s) && !(*k == 1 && a.surnames[0] == **s))
        .map(|(_, s)| *s)
}
