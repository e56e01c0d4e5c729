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

use std::sync::atomic::{AtomicU32, Ordering};

use super::blocking::{Candidate, Candidates};
use super::compare::NameCaches;
use super::model::{FieldModel, LevelModel, SLACK, Scorer};
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
/// A household linked to another: which, and where the matched pairs across them lie in
/// [`Households::matched`].
#[derive(Clone, Copy)]
struct Partner {
    household: u32,
    from: u32,
    to: u32,
}

/// The records' households, and which of them the matches linked.
pub(crate) struct Households {
    /// Per record: its household (organisation and case number), or [`ALONE`].
    group: Vec<u32>,
    /// The records of every household, household after household, each by record.
    members: Vec<u32>,
    /// Per household: where its records begin in `members`; then where the last ends.
    starts: Vec<u32>,
    /// The households each household is linked to, household after household: one or a few,
    /// read in one place (a hash table of the pairs of households cost a look-up a pair).
    partners: Vec<Partner>,
    /// Per household: where its partners begin in `partners`; then where the last ends.
    partner_starts: Vec<u32>,
    /// Per record, what [`Households::level`] reads first (one number, where most pairs are
    /// decided): [`ALONE`] when the record cannot be told by its household (none, or nobody
    /// else in it), else its household, with [`LINKED`] set when that is linked.
    state: Vec<u32>,
    /// The matched pairs across linked households, the record of the smaller household first,
    /// a pair of households after another.
    matched: Vec<(u32, u32)>,
}

/// A household's key: a hash of its organisation and case number, in two independent halves.
type Key = (u64, u64);

impl Households {
    /// `None` when no record has a household: the engine then runs as without the field.
    pub fn of(records: &[PersonRecord]) -> Option<Households> {
        Households::grouped(records, key_of)
    }

    /// [`Households::of`], the households told apart by `key` alone (a test gives one whose
    /// halves collide).
    pub(super) fn grouped(records: &[PersonRecord], key: impl Fn(&(&str, &str)) -> Key + Sync) -> Option<Households> {
        // Records by the key of their household, hashed and sorted a part a core, the parts
        // then merged: a household's records come together, in the order of the records. A
        // table of the strings, filled one record at a time, took longer than the rest of the
        // pass (a cache miss a record), and so did reading the strings again to tell apart
        // households whose 64-bit hashes collided: the 128-bit key needs neither (see
        // `key_of`).
        let parts = crate::parallel::threads();
        let keyed = crate::parallel::map_indices(parts, 1, |k| {
            let range = records.len() * k / parts..records.len() * (k + 1) / parts;
            let mut keyed: Vec<(u64, u64, u32)> = records[range.clone()]
                .iter()
                .zip(range)
                .filter_map(|(r, i)| {
                    let (high, low) = key(&case_of(r)?);
                    Some((high, low, i as u32))
                })
                .collect();
            keyed.sort_unstable();
            keyed
        });
        let total: usize = keyed.iter().map(Vec::len).sum();
        if total == 0 {
            return None;
        }
        // Then merged a range of keys a core: a household's records share its key, so fall in
        // one range, and the ranges in order are the merge of the whole (the same households,
        // numbered alike). The first halves are uniform, so the ranges are alike in size.
        let cut = |run: &[(u64, u64, u32)], k: usize| {
            if k >= parts {
                return run.len();
            }
            let bound = ((1u128 << 64) * k as u128 / parts as u128) as u64;
            run.partition_point(|x| x.0 < bound)
        };
        let merged = crate::parallel::map_indices(parts, 1, |k| {
            let mut heads: Vec<&[(u64, u64, u32)]> =
                keyed.iter().map(|run| &run[cut(run, k)..cut(run, k + 1)]).collect();
            let mut members = Vec::with_capacity(heads.iter().map(|h| h.len()).sum());
            let mut next = || {
                let (h, _) = heads
                    .iter()
                    .enumerate()
                    .filter_map(|(h, head)| Some((h, head.first()?)))
                    .min_by_key(|(_, x)| **x)?;
                let (first, rest) = heads[h].split_first()?;
                heads[h] = rest;
                Some(*first)
            };
            // Where each household's records end in `members`.
            let mut ends = Vec::new();
            let mut family = next();
            while let Some((high, low, i)) = family {
                members.push(i);
                family = next();
                while let Some(other) = family.filter(|x| (x.0, x.1) == (high, low)) {
                    members.push(other.2);
                    family = next();
                }
                ends.push(members.len() as u32);
            }
            (members, ends)
        });
        drop(keyed);
        let mut members = Vec::with_capacity(total);
        let mut starts = vec![0];
        for (part, ends) in &merged {
            let at = members.len() as u32;
            starts.extend(ends.iter().map(|end| at + end));
            members.extend_from_slice(part);
        }
        drop(merged);
        // Each record's household written a range of households a core (each record is in
        // one): a write anywhere in a million records a record was a serial pass of cache misses.
        let group: Vec<AtomicU32> = (0..records.len()).map(|_| AtomicU32::new(ALONE)).collect();
        let households = starts.len() - 1;
        crate::parallel::map_indices(parts, 1, |k| {
            for g in households * k / parts..households * (k + 1) / parts {
                let family = &members[starts[g] as usize..starts[g + 1] as usize];
                // Numbered below `LINKED` (more households than records would not fit in memory).
                let id = u32::try_from(g).unwrap_or(ALONE).min(LINKED - 1);
                // A "household" far larger than any family is a number filled in for everyone
                // (a shelter, "0", "N/A"): it tells nobody apart, and taken at its word it would
                // keep all its records from ever being one person and pair every one of them
                // with every one of another such list.
                let id = if family.len() > LARGEST_FAMILY { ALONE } else { id };
                for i in family {
                    group[*i as usize].store(id, Ordering::Relaxed);
                }
            }
        });
        let group: Vec<u32> = group.into_iter().map(AtomicU32::into_inner).collect();
        let mut households = Households {
            partners: Vec::new(),
            partner_starts: vec![0; starts.len()],
            state: Vec::new(),
            group,
            members,
            starts,
            matched: Vec::new(),
        };
        households.settle();
        Some(households)
    }

    /// [`Households::state`] from the households and their links, a run of records a core:
    /// each record looks its household up anywhere in the tables, a cache miss or two apiece.
    fn settle(&mut self) {
        let runs: Vec<&[u32]> = self.group.chunks(1 << 16).collect();
        self.state = crate::parallel::map(&runs, 1, |run| {
            run.iter()
                .map(|g| match *g {
                    g if !self.with_others(g) => ALONE,
                    g if !self.partners_of(g).is_empty() => g | LINKED,
                    g => g,
                })
                .collect::<Vec<u32>>()
        })
        .concat();
    }

    fn of_record(&self, i: usize) -> u32 {
        self.group.get(i).copied().unwrap_or(ALONE)
    }

    /// Records `i` and `j` are listed in one household: two people.
    pub fn same(&self, i: usize, j: usize) -> bool {
        let g = self.of_record(i);
        g != ALONE && g == self.of_record(j)
    }

    /// The records of household `g`.
    fn members_of(&self, g: u32) -> &[u32] {
        let g = g as usize;
        match (self.starts.get(g), self.starts.get(g + 1)) {
            (Some(from), Some(to)) => &self.members[*from as usize..*to as usize],
            _ => &[],
        }
    }

    /// Household `g` lists someone else too.
    fn with_others(&self, g: u32) -> bool {
        g != ALONE && self.members_of(g).len() >= 2
    }

    fn key(a: u32, b: u32) -> u64 {
        (u64::from(a.min(b)) << 32) | u64::from(a.max(b))
    }

    /// The households linked to household `g`.
    fn partners_of(&self, g: u32) -> &[Partner] {
        let g = g as usize;
        match (self.partner_starts.get(g), self.partner_starts.get(g + 1)) {
            (Some(from), Some(to)) => &self.partners[*from as usize..*to as usize],
            _ => &[],
        }
    }

    /// The matched pairs across households `gi` and `gj`.
    fn matched_across(&self, gi: u32, gj: u32) -> &[(u32, u32)] {
        self.partners_of(gi)
            .iter()
            .find(|p| p.household == gj)
            .map_or(&[], |p| &self.matched[p.from as usize..p.to as usize])
    }

    /// Links the households of every matched pair `(i, j)`.
    pub fn link(&mut self, matches: impl Iterator<Item = (usize, usize)>) {
        // Those linked before and these, gathered and sorted by pair of households, then cut
        // where the pair changes: a growing list a pair of households cost an allocation each.
        let mut across: Vec<(u64, u32, u32)> = Vec::with_capacity(self.matched.len());
        for a in 0..self.partner_starts.len().saturating_sub(1) as u32 {
            for p in self.partners_of(a).iter().filter(|p| p.household > a) {
                let key = Self::key(a, p.household);
                across.extend(
                    self.matched[p.from as usize..p.to as usize]
                        .iter()
                        .map(|(x, y)| (key, *x, *y)),
                );
            }
        }
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
            across.push((Self::key(gi, gj), pair.0, pair.1));
        }
        crate::parallel::sort(&mut across);
        self.matched.clear();
        // Each pair of households given to both, counted first to lay out `partners`.
        let mut linked: Vec<(u32, u32, Partner)> = Vec::new();
        for pairs in across.chunk_by(|a, b| a.0 == b.0) {
            let from = self.matched.len() as u32;
            self.matched.extend(pairs.iter().map(|(_, x, y)| (*x, *y)));
            let key = pairs[0].0;
            let (a, b) = ((key >> 32) as u32, (key & u64::from(u32::MAX)) as u32);
            let to = self.matched.len() as u32;
            linked.push((a, b, Partner { household: b, from, to }));
        }
        let mut counts = vec![0u32; self.partner_starts.len()];
        for (a, b, _) in &linked {
            counts[*a as usize] += 1;
            counts[*b as usize] += 1;
        }
        let mut at = 0;
        for (start, count) in self.partner_starts.iter_mut().zip(&counts) {
            *start = at;
            at += count;
        }
        let mut next = self.partner_starts.clone();
        self.partners = vec![
            Partner {
                household: 0,
                from: 0,
                to: 0
            };
            at as usize
        ];
        for (a, b, p) in linked {
            for (g, other) in [(a, b), (b, a)] {
                let slot = &mut next[g as usize];
                self.partners[*slot as usize] = Partner { household: other, ..p };
                *slot += 1;
            }
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
        level_among(self.matched_across(gi, gj), i, j)
    }

    /// The linked pairs of households, in order (smaller id first, packed).
    fn linked_pairs(&self) -> Vec<u64> {
        (0..self.partner_starts.len().saturating_sub(1) as u32)
            .flat_map(|a| {
                self.partners_of(a)
                    .iter()
                    .filter(move |p| p.household > a)
                    .map(move |p| Self::key(a, p.household))
            })
            .collect()
    }
}

/// The level of records `i` and `j` of two linked households, each listing someone else too,
/// from the matched pairs across them (`matched`): the others that matched, neither of the
/// two records among them.
fn level_among(matched: &[(u32, u32)], i: usize, j: usize) -> usize {
    let (i, j) = (i as u32, j as u32);
    let others = matched
        .iter()
        .filter(|(x, y)| ![i, j].contains(x) && ![i, j].contains(y))
        .count();
    match others {
        0 => NONE_MATCHED,
        1 => ONE,
        _ => SEVERAL,
    }
}

/// A record's household: its organisation and case number (each organisation's own: the same
/// number at two is two households), or `None`.
fn case_of(r: &PersonRecord) -> Option<(&str, &str)> {
    let case = r.household.as_deref().map(str::trim).filter(|h| !h.is_empty())?;
    Some((r.source.as_str(), case))
}

/// A fixed key (the same every run) of a household: two 64-bit SipHash values of it, the
/// second over the household and one byte more, as independent as two random numbers.
/// Two households share a key with probability 2⁻¹²⁸ a pair: among a million households
/// (5·10¹¹ pairs) about 1.5·10⁻²⁷ — the strings need not be read again to tell apart what a
/// 64-bit hash alone would have merged (10⁶ households: 3·10⁻⁸ a run).
pub(super) fn key_of(case: &(&str, &str)) -> Key {
    use std::hash::{DefaultHasher, Hash, Hasher};
    let mut hasher = DefaultHasher::new();
    case.hash(&mut hasher);
    let high = hasher.finish();
    // The second goes on from the first's state (`finish` leaves it as it was): the strings
    // are read and mixed once.
    1u8.hash(&mut hasher);
    (high, hasher.finish())
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
    // The reported pairs' levels on every core: each reads two records' states anywhere.
    let chunks: Vec<&[ScoredPair]> = pairs.chunks(1 << 15).collect();
    let levels: Vec<u8> = crate::parallel::map(&chunks, 1, |chunk| {
        chunk
            .iter()
            .map(|p| households.level(p.left, p.right) as u8)
            .collect::<Vec<u8>>()
    })
    .concat();
    let mut matches = [0.0; 4];
    for l in &levels {
        matches[usize::from(*l)] += 1.0;
    }
    // Every candidate's level, counted a run a thread: most are decided on their records'
    // households alone (none, alone in it, or linked to no other). Two records of one
    // household are at `missing` there, which the estimate does not read.
    let runs: Vec<&[Candidate]> = candidates.runs().iter().flat_map(|run| run.chunks(1 << 18)).collect();
    let mut compared = [0.0; 4];
    for counts in crate::parallel::map(&runs, 1, |run| {
        let mut counts = [0u64; 4];
        for (i, j, _) in *run {
            counts[households.level(*i as usize, *j as usize)] += 1;
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
    for (pair, l) in pairs.iter_mut().zip(levels) {
        explained(pair, usize::from(l));
    }
    // The families' pairs, a part of the linked households a thread, each with its own name
    // cache; the pairs come back in the order of the households, however cut.
    let linked = households.linked_pairs();
    let parts = caches.parts();
    let found = crate::parallel::map_indices(parts, 1, |k| {
        let mut cache = caches.get(k);
        let mut found = Vec::new();
        for key in &linked[linked.len() * k / parts..linked.len() * (k + 1) / parts] {
            let (a, b) = ((key >> 32) as u32, (key & u64::from(u32::MAX)) as u32);
            // Both households linked: a pair across them is `missing` (weighing nothing) only
            // when one lists nobody else.
            if !households.with_others(a) || !households.with_others(b) {
                continue;
            }
            let matched = households.matched_across(a, b);
            // Every pair of records across them (smaller record first): the pairs of a family,
            // including those blocking never compared (a child whose name was written two ways
            // and whose birth date is missing).
            for x in households.members_of(a) {
                for y in households.members_of(b) {
                    let l = level_among(matched, *x as usize, *y as usize);
                    // Every reported pair linked its two households: those across these two
                    // are their matched pairs, already weighed.
                    if weights[l] <= 0.0 || matched.contains(&(*x, *y)) {
                        continue;
                    }
                    let (i, j) = (*x.min(y) as usize, *x.max(y) as usize);
                    // Most of the other members are plainly someone else (another age, sex,
                    // document): told without reading their names.
                    if model.probability(scorer.most_whatever_names(i, j) + SLACK + weights[l]) < threshold {
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
        }
        found
    });
    let mut found: Vec<ScoredPair> = found.into_iter().flatten().collect();
    found.sort_unstable_by_key(|p| (p.left, p.right));
    pairs.retain(|p| p.probability >= threshold);
    pairs.extend(found);
    // Two runs sorted by record, the reported pairs and the families' (never the same pair):
    // the stable sort finds them and merges them in one pass, where sorting all again took
    // tens of milliseconds.
    pairs.sort_by_key(|p| (p.left, p.right));
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
