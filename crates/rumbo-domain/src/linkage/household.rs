//! The family a person came with, as one more Fellegi–Sunter field. Partners register whole
//! households, each organisation under its own case number: two registrations of one family
//! share several members, while a child named like a child of another family does not share
//! that family. The names, dates and documents of a sparse registration (a child without
//! document or birth date) cannot tell the child from a namesake; the family can.
//!
//! After the first scoring, every matched pair links its two registrations' households. A
//! pair of records whose households both list someone else is then at one of three levels:
//! several other members of the two households matched, one did, or none did. The pair's own
//! match never counts as its own evidence, nor a match of either of its two records with
//! someone else (a sibling's namesake). A record without a household, or alone in it, gives
//! nothing to tell (`missing`).
//!
//! `m` is learnt from the first scoring's matches, `u` from the other candidate pairs: those
//! that share a blocking key, where the non-matches that the field must tell apart are
//! (siblings, who share surnames, and namesakes). Drawn at random, the non-matches would almost
//! never be in linked households, and the weight would be as large as the rarity of a family
//! registered twice, whoever the two records are.
//!
//! Two records of one household (same organisation, same case number) are never one person:
//! a household lists each of its people once.

use std::collections::{HashMap, HashSet};

use super::blocking::{Candidate, Candidates};
use super::compare::{IdHashState, NameCaches};
use super::model::{FieldModel, LevelModel, Scorer};
use super::{FieldComparison, PersonRecord, ScoredPair};

/// The field's name in explanations and in the stored model.
pub const HOUSEHOLD: &str = "household";

/// Its levels, best agreement first after `missing`.
pub const HOUSEHOLD_LEVELS: [&str; 4] = ["missing", "several_others_matched", "one_other_matched", "none_matched"];

const SEVERAL: usize = 1;
const ONE: usize = 2;
const NONE_MATCHED: usize = 3;

/// A record without a household.
const ALONE: u32 = u32::MAX;
/// More members than any registered family has (DTM and R4V households rarely pass twenty).
const LARGEST_FAMILY: usize = 40;
/// In [`Households::state`]: the record's household is linked to another.
const LINKED: u32 = 1 << 31;

/// The records' households, and which of them the matches linked.
pub(crate) struct Households {
    /// Per record: its household (organisation and case number), or [`ALONE`].
    group: Vec<u32>,
    /// Per household: its records.
    members: Vec<Vec<u32>>,
    /// Per household: linked to at least one other.
    linked: Vec<bool>,
    /// Per record, what [`Households::level`] reads first (one number, where most pairs are
    /// decided): [`ALONE`] when the record cannot be told by its household (none, or nobody
    /// else in it), else its household, with [`LINKED`] set when that is linked.
    state: Vec<u32>,
    /// Per pair of linked households (smaller id first, packed): the matched pairs across them,
    /// the record of the smaller household first.
    links: HashMap<u64, Vec<(u32, u32)>, IdHashState>,
}

impl Households {
    /// `None` when no record has a household: the engine then runs as without the field.
    pub fn of(records: &[PersonRecord]) -> Option<Households> {
        // Records by a hash of their organisation and case number, hashed on every core and
        // sorted: a household's records then lie together. A table of the strings, filled one
        // record at a time, took longer than the rest of the pass (a cache miss a record).
        let parts = crate::parallel::threads();
        let keyed = crate::parallel::map_indices(parts, 1, |k| {
            let range = records.len() * k / parts..records.len() * (k + 1) / parts;
            records[range.clone()]
                .iter()
                .zip(range)
                .filter_map(|(r, i)| Some((hash_of(&case_of(r)?), i as u32)))
                .collect::<Vec<_>>()
        });
        let mut keyed: Vec<(u64, u32)> = keyed.into_iter().flatten().collect();
        if keyed.is_empty() {
            return None;
        }
        crate::parallel::sort(&mut keyed);
        let mut group = vec![ALONE; records.len()];
        let mut members: Vec<Vec<u32>> = Vec::new();
        for run in keyed.chunk_by(|a, b| a.0 == b.0) {
            // One household, but for a collision of hashes: told apart by their strings.
            let first = members.len();
            for (_, i) in run {
                let case = case_of(&records[*i as usize]);
                let known = members[first..]
                    .iter()
                    .position(|m| case_of(&records[m[0] as usize]) == case);
                let g = known.map_or_else(
                    || {
                        members.push(Vec::new());
                        members.len() - 1
                    },
                    |k| first + k,
                );
                members[g].push(*i);
                // Numbered below `LINKED` (more households than records would not fit in memory).
                group[*i as usize] = u32::try_from(g).unwrap_or(ALONE).min(LINKED - 1);
            }
        }
        // A "household" far larger than any family is a number filled in for everyone (a
        // shelter, "0", "N/A"): it tells nobody apart, and taken at its word it would keep all
        // its records from ever being one person and pair every one of them with every one
        // of another such list.
        for family in members.iter().filter(|m| m.len() > LARGEST_FAMILY) {
            for i in family {
                group[*i as usize] = ALONE;
            }
        }
        let mut households = Households {
            linked: vec![false; members.len()],
            state: Vec::new(),
            group,
            members,
            links: HashMap::default(),
        };
        households.settle();
        Some(households)
    }

    /// [`Households::state`] from the households and their links.
    fn settle(&mut self) {
        self.state = self
            .group
            .iter()
            .map(|g| match *g {
                g if !self.with_others(g) => ALONE,
                g if self.linked[g as usize] => g | LINKED,
                g => g,
            })
            .collect();
    }

    fn of_record(&self, i: usize) -> u32 {
        self.group.get(i).copied().unwrap_or(ALONE)
    }

    /// Records `i` and `j` are listed in one household: two people.
    pub fn same(&self, i: usize, j: usize) -> bool {
        let g = self.of_record(i);
        g != ALONE && g == self.of_record(j)
    }

    /// Household `g` lists someone else too.
    fn with_others(&self, g: u32) -> bool {
        g != ALONE && self.members[g as usize].len() >= 2
    }

    fn key(a: u32, b: u32) -> u64 {
        (u64::from(a.min(b)) << 32) | u64::from(a.max(b))
    }

    /// Links the households of every matched pair `(i, j)`.
    pub fn link(&mut self, matches: impl Iterator<Item = (usize, usize)>) {
        for (i, j) in matches {
            let (gi, gj) = (self.of_record(i), self.of_record(j));
            if gi == ALONE || gj == ALONE || gi == gj {
                continue;
            }
            let pair = if gi < gj {
                (i as u32, j as u32)
            } else {
                (j as u32, i as u32)
            };
            self.links.entry(Self::key(gi, gj)).or_default().push(pair);
            self.linked[gi as usize] = true;
            self.linked[gj as usize] = true;
        }
        self.settle();
    }

    /// The level of records `i` and `j` (of two households).
    pub fn level(&self, i: usize, j: usize) -> usize {
        let state = |k: usize| self.state.get(k).copied().unwrap_or(ALONE);
        let (si, sj) = (state(i), state(j));
        if si == ALONE || sj == ALONE || si == sj {
            return 0;
        }
        if si & sj & LINKED == 0 {
            return NONE_MATCHED;
        }
        let (gi, gj) = (si & !LINKED, sj & !LINKED);
        let (i, j) = (i as u32, j as u32);
        let others = self.links.get(&Self::key(gi, gj)).map_or(0, |pairs| {
            pairs
                .iter()
                .filter(|(x, y)| ![i, j].contains(x) && ![i, j].contains(y))
                .count()
        });
        match others {
            0 => NONE_MATCHED,
            1 => ONE,
            _ => SEVERAL,
        }
    }

    /// The linked pairs of households, in order (packed as in `links`).
    fn linked_pairs(&self) -> Vec<u64> {
        let mut keys: Vec<u64> = self.links.keys().copied().collect();
        keys.sort_unstable();
        keys
    }

    /// Every pair of records across the linked households `key` (smaller record first): the
    /// pairs of a family, including those blocking never compared (a child whose name was
    /// written two ways and whose birth date is missing).
    fn across(&self, key: u64) -> impl Iterator<Item = (usize, usize)> + '_ {
        let (a, b) = ((key >> 32) as usize, (key & u64::from(u32::MAX)) as usize);
        self.members[a].iter().flat_map(move |x| {
            self.members[b].iter().map(move |y| {
                let (x, y) = (*x as usize, *y as usize);
                (x.min(y), x.max(y))
            })
        })
    }
}

/// A record's household: its organisation and case number (each organisation's own: the same
/// number at two is two households), or `None`.
fn case_of(r: &PersonRecord) -> Option<(&str, &str)> {
    let case = r.household.as_deref().map(str::trim).filter(|h| !h.is_empty())?;
    Some((r.source.as_str(), case))
}

/// A fixed hash (the same every run) of a household.
fn hash_of(case: &(&str, &str)) -> u64 {
    use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher};
    BuildHasherDefault::<DefaultHasher>::default().hash_one(case)
}

/// Household evidence over the first scoring's `pairs` (those at or above `threshold`, by
/// record): drops the pairs of one household, links households by the others, learns the
/// field, and weighs it into every pair; then adds the pairs of linked households that reach
/// the threshold with it (blocked or not). Returns the field as learnt and its weight a level.
pub(crate) fn evidence(
    households: &mut Households,
    pairs: &mut Vec<ScoredPair>,
    candidates: &Candidates,
    scorer: &Scorer,
    caches: &NameCaches,
    threshold: f64,
) -> (FieldModel, [f64; 4]) {
    pairs.retain(|p| !households.same(p.left, p.right));
    households.link(pairs.iter().map(|p| (p.left, p.right)));
    let households = &*households;
    let mut matches = [0.0; 4];
    for p in pairs.iter() {
        matches[households.level(p.left, p.right)] += 1.0;
    }
    // Every candidate's level, counted a run a thread: most are decided on their records'
    // households alone (none, alone in it, or linked to no other).
    let runs: Vec<&[Candidate]> = candidates.runs().iter().flat_map(|run| run.chunks(1 << 18)).collect();
    let mut compared = [0.0; 4];
    for counts in crate::parallel::map(&runs, 1, |run| {
        let mut counts = [0u64; 4];
        for (i, j, _) in *run {
            let (i, j) = (*i as usize, *j as usize);
            if !households.same(i, j) {
                counts[households.level(i, j)] += 1;
            }
        }
        counts
    }) {
        for (total, n) in compared.iter_mut().zip(counts) {
            *total += n as f64;
        }
    }
    // The matches are candidates too: the others are the rest.
    let others: [f64; 4] = std::array::from_fn(|l| (compared[l] - matches[l]).max(0.0));
    let field = estimate(&matches, &others);
    let weights = weights(&field);
    let model = scorer.model;
    let explained = |pair: &mut ScoredPair, l: usize| {
        pair.weight += weights[l];
        pair.probability = model.probability(pair.weight);
        pair.fields.push(FieldComparison {
            field: HOUSEHOLD,
            level: HOUSEHOLD_LEVELS[l],
            weight: weights[l],
        });
    };
    for pair in pairs.iter_mut() {
        explained(pair, households.level(pair.left, pair.right));
    }
    let reported: HashSet<(usize, usize), IdHashState> = pairs.iter().map(|p| (p.left, p.right)).collect();
    // The families' pairs, a part of the linked households a thread, each with its own name
    // cache; the pairs come back in the order of the households, however cut.
    let linked = households.linked_pairs();
    let parts = caches.parts();
    let found = crate::parallel::map_indices(parts, 1, |k| {
        let mut cache = caches.get(k);
        let mut found = Vec::new();
        for key in &linked[linked.len() * k / parts..linked.len() * (k + 1) / parts] {
            for (i, j) in households.across(*key) {
                let l = households.level(i, j);
                if weights[l] <= 0.0 || reported.contains(&(i, j)) {
                    continue;
                }
                let (pattern, weight) = scorer.weigh_with(i, j, &mut *cache);
                if model.probability(weight + weights[l]) >= threshold {
                    let mut pair = scorer.explain(i, j, pattern, i, j);
                    explained(&mut pair, l);
                    found.push(pair);
                }
            }
        }
        found
    });
    pairs.retain(|p| p.probability >= threshold);
    pairs.extend(found.into_iter().flatten());
    pairs.sort_unstable_by_key(|p| (p.left, p.right));
    (field, weights)
}

/// The field's `m` and `u` from how many pairs fall at each level among the matches and
/// among the other candidates. One pair more at every level (Laplace): a level no non-match
/// reached in this run is rare, not impossible, and its weight stays bounded by the counts.
pub(crate) fn estimate(matches: &[f64; 4], others: &[f64; 4]) -> FieldModel {
    let share = |counts: &[f64; 4], l: usize| {
        let total: f64 = counts[1..].iter().map(|c| c + 1.0).sum();
        (counts[l] + 1.0) / total
    };
    FieldModel {
        field: HOUSEHOLD.to_owned(),
        levels: HOUSEHOLD_LEVELS
            .iter()
            .enumerate()
            .map(|(l, name)| {
                let (m, u) = if l == 0 {
                    (1.0, 1.0)
                } else {
                    (share(matches, l), share(others, l))
                };
                LevelModel {
                    level: (*name).to_owned(),
                    m,
                    u,
                    weight: if l == 0 { 0.0 } else { (m / u).log2() },
                }
            })
            .collect(),
    }
}

/// The weight of each level, by its place in [`HOUSEHOLD_LEVELS`].
pub(crate) fn weights(field: &FieldModel) -> [f64; 4] {
    std::array::from_fn(|l| {
        field
            .levels
            .iter()
            .find(|x| x.level == HOUSEHOLD_LEVELS[l])
            .map_or(0.0, |x| if x.weight.is_finite() { x.weight } else { 0.0 })
    })
}
