//! Which pairs are compared at all. Comparing every pair of a million records is half a
//! trillion comparisons; a pair is compared only when the two records share a blocking key:
//!
//! 0. the document number;
//! 1. a surname's sound and the birth date (day and month in either order);
//! 2. a surname's sound, the first given name's sound and the birth day and month (in either
//!    order), whatever the year;
//! 3. either given name's sound and the birth date (day and month in either order);
//! 4. a surname's sound, the first given name's sound, the birth year and the month;
//! 5. both surnames' sounds (in either order) and the birth day and month, whatever the year
//!    and the given names;
//! 6. a surname's sound and the first given name's sound, for a pair of which one record has
//!    no birth date: such a record meets every namesake, whatever their dates;
//! 7. a surname's sound, the first given name's sound, the birth year and the day;
//! 8. a surname's sound, the given name's initial and the first half of the document number;
//! 9. a surname's sound, the given name's initial and the second half of the document number.
//!
//! Each key survives the errors that break another: a typo in the surname (keys 0, 3), a
//! swapped date (0–5), the year off by one (0, 2, 5), a typo in the day (0, 4) or in the month
//! (0, 7), no date at all (0, 6, 8, 9), surnames in the other order or one missing (each
//! surname gives its own keys), no document (1–7), a digit of the document mistyped (1–9), a
//! typo in the given name (0, 1, 5, 8, 9) — and key 5 alone holds a typo in the given name
//! together with the year off by one, keys 8 and 9 a typo in the given name (past its initial)
//! or a wrong date together with a mistyped document, which desks make independently of each
//! other.
//!
//! Keys 2, 4, 6 and 7 take the place of one key of surname and given name whatever the date,
//! which made four pairs in five among the many "José González" of a large file and found
//! almost nothing the others miss: two namesakes whose dates differ in more than one part are
//! two people unless two mistakes were made. A mistyping — the year off by one, a digit of the
//! day or of the month — leaves two parts of the date whole, and the namesakes share the key
//! of those two (2, 4 or 7). A record without a date can be told from no namesake by its date,
//! so it meets them all (key 6): that costs the undated records times the block, not the block
//! squared, and pairs of two dated records are never formed under key 6.
//!
//! A block of more than `max_block` records ("maría gonzález") would cost its size squared: its
//! records are sorted by surnames, given names and birth date and each is compared with the
//! next `window` only (under key 6, only the pairs with an undated record). Pairs found under
//! several keys or windows are compared once, by their first record (see [`super::blocks`]).

use std::hash::{Hash, Hasher};

use super::blocks::{self, Blocks};
use super::compare::{IdPairHasher, NameCaches, Pattern, compare_with};
use super::prepare::{NONE, Prepared, PreparedSet};
use super::{LinkageSettings, normalise};

/// Kinds of key, two slots each (one per surname).
pub(crate) const KINDS: usize = 10;
/// The kind whose pairs need a record without a birth date.
pub(crate) const UNDATED: usize = 6;
pub(crate) const SLOTS: usize = 2 * KINDS;
pub(crate) type Keys = [u64; SLOTS];

fn hash(parts: &[u64]) -> u64 {
    let mut h = std::hash::DefaultHasher::new();
    parts.hash(&mut h);
    // 0 marks "no key".
    h.finish().max(1)
}

/// A blocking key from its kind and parts. Only equality of keys matters (blocks are runs of
/// equal keys), so the quick hash serves; sounds keep [`hash`], whose values order the
/// records of an oversize block.
fn key(parts: &[u64]) -> u64 {
    let mut h = IdPairHasher::default();
    for part in parts {
        h.write_u64(*part);
    }
    h.finish().max(1)
}

/// Sound keys of every word, by word id, computed once.
pub(crate) fn sounds(set: &PreparedSet) -> Vec<u64> {
    let mut out = vec![0u64; set.words.len()];
    for r in &set.records {
        for id in r.surnames.iter().chain(&r.given_words[..2]) {
            if *id != NONE && out[*id as usize] == 0 {
                out[*id as usize] = hash(&[phonetic_bits(set.words.word(*id))]);
            }
        }
    }
    out
}

fn phonetic_bits(word: &str) -> u64 {
    normalise::phonetic(word)
        .bytes()
        .fold(0u64, |acc, b| (acc << 8) | u64::from(b))
}

/// The blocking keys of one record.
pub(crate) fn keys(r: &Prepared, sounds: &[u64], words: &super::prepare::Interner) -> Keys {
    let mut keys = [0u64; SLOTS];
    let sound = |id: u32| {
        if id == NONE {
            0
        } else {
            sounds.get(id as usize).copied().unwrap_or(0)
        }
    };
    if r.document != NONE && r.document_text(words).len() >= 4 {
        keys[0] = key(&[0, u64::from(r.document)]);
    }
    // Each half of the document, for a digit mistyped in the other half; with a surname and the
    // given name's initial, as the halves of numbers issued in sequence are shared by many.
    let initial = words.word(r.given_words[0]).bytes().next().map_or(0, u64::from);
    let halves = (r.document != NONE)
        .then(|| r.document_text(words))
        .filter(|document| document.len() >= 6)
        .map(|document| {
            let (front, back) = document.split_at(document.len() / 2);
            let bits = |part: &[u8]| {
                part.iter()
                    .fold(document.len() as u64, |acc, b| acc << 8 | u64::from(*b))
            };
            (bits(front), bits(back))
        });
    let given = sound(r.given_words[0]);
    // Day and month in either order, alone (the year off by one is among the commonest
    // errors) and with the year.
    let day_month = (r.birth != 0).then(|| {
        let (d, m) = (r.day(), r.month());
        u64::from(d.min(m)) << 8 | u64::from(d.max(m))
    });
    let date = day_month.map(|day_month| u64::from(r.year()) << 16 | day_month);
    for (slot, surname) in r.surnames.iter().enumerate() {
        if *surname == NONE {
            continue;
        }
        let s = sound(*surname);
        if let Some(date) = date {
            keys[2 + slot] = key(&[1, s, date]);
        }
        if let Some((front, back)) = halves {
            keys[16 + slot] = key(&[8, s, initial, front]);
            keys[18 + slot] = key(&[9, s, initial, back]);
        }
        if given != 0 {
            if let Some(day_month) = day_month {
                keys[4 + slot] = key(&[2, s, given, day_month]);
            }
            if r.birth != 0 {
                let year = u64::from(r.year());
                keys[8 + slot] = key(&[4, s, given, year, u64::from(r.month())]);
                keys[14 + slot] = key(&[7, s, given, year, u64::from(r.day())]);
            }
            keys[2 * UNDATED + slot] = key(&[6, s, given]);
        }
    }
    // Both surnames with the day and month: a person's two surnames together are shared by
    // their siblings and few others, and siblings are rarely born on the same day and month
    // (twins share key 1 anyway), so the block stays small while neither the given names nor
    // the year need be right. One slot: the surnames' order does not matter.
    if let (Some(day_month), [first, second]) = (day_month, r.surnames)
        && first != NONE
        && second != NONE
    {
        let (a, b) = (sound(first), sound(second));
        keys[10] = key(&[5, a.min(b), a.max(b), day_month]);
    }
    // Both given names, each with the date: "Ana Rosalba" is "Rosalba" at another desk.
    if let Some(date) = date {
        for (slot, word) in r.given_words[..2].iter().enumerate() {
            let sound = sound(*word);
            if sound != 0 {
                keys[6 + slot] = key(&[3, sound, date]);
            }
        }
    }
    keys
}

/// One candidate pair `(i, j)`, `i < j`, with its comparison vector.
pub(crate) type Candidate = (u32, u32, Pattern);

/// Every candidate pair, in runs of at most [`Candidates::RUN`] and in no particular order
/// (each pair once). Kept as runs where they were made rather than joined into one vector:
/// tens of millions of pairs grown by doubling, then copied together, cost more in fresh
/// pages the system zeroes and in copies than comparing them did; a run is allocated once at
/// its full size and read in place by whoever counts and scores the pairs.
pub(crate) struct Candidates {
    runs: Vec<Vec<Candidate>>,
}

impl Candidates {
    /// Pairs a run holds: 12 MB.
    pub const RUN: usize = 1 << 20;

    pub fn len(&self) -> usize {
        self.runs.iter().map(Vec::len).sum()
    }

    pub fn runs(&self) -> &[Vec<Candidate>] {
        &self.runs
    }

    /// Every pair, run after run.
    #[cfg(test)]
    pub fn iter(&self) -> impl Iterator<Item = &Candidate> {
        self.runs.iter().flatten()
    }
}

/// Where one thread's pairs go: full runs, and the one being filled.
#[derive(Default)]
pub(crate) struct Runs {
    done: Vec<Vec<Candidate>>,
    filling: Vec<Candidate>,
}

impl Runs {
    pub fn push(&mut self, pair: Candidate) {
        if self.filling.len() == self.filling.capacity() {
            let full = std::mem::replace(&mut self.filling, Vec::with_capacity(Candidates::RUN));
            if !full.is_empty() {
                self.done.push(full);
            }
        }
        self.filling.push(pair);
    }

    pub fn finish(mut self) -> Vec<Vec<Candidate>> {
        if !self.filling.is_empty() {
            self.done.push(self.filling);
        }
        self.done
    }
}

/// Every candidate pair `(i, j)`, `i < j`, with its comparison vector.
pub(crate) fn candidates(set: &PreparedSet, settings: &LinkageSettings, caches: &NameCaches) -> Candidates {
    let sounds = sounds(set);
    let entries = blocks::entries(set, &sounds);
    let blocks = Blocks::new(set, &entries, &sounds, settings);
    drop(entries);
    // Each record compared with its partners by one thread with its own cache of how names
    // relate. The records in runs dealt in turn: a record is paired with those after it, so the
    // first records have the most pairs, and halves would leave one thread idle.
    const RUN: usize = 4096;
    let n = set.records.len();
    let threads = caches.parts();
    let runs = n.div_ceil(RUN);
    let parts = crate::parallel::map_indices(threads, 1, |t| {
        let mut cache = caches.get(t);
        let mut pairs = Runs::default();
        let mut partners: Vec<u32> = Vec::new();
        let mut fetched: Vec<Prepared> = Vec::new();
        for run in (t..runs).step_by(threads) {
            let (first, last) = (run * RUN, ((run + 1) * RUN).min(n));
            let mut w = blocks.windowed_from(first);
            for i in first..last {
                blocks.partners(i, &mut w, &mut partners);
                // The partners lie all over memory: fetched first, all at once, rather than each
                // when its comparison asks, one wait after another (a record is one cache line,
                // its document's text in it).
                fetched.clear();
                fetched.extend(partners.iter().map(|j| set.records[*j as usize]));
                let a = &set.records[i];
                super::compare::warm_letters(a, &fetched, &set.words);
                for (j, b) in partners.iter().zip(&fetched) {
                    pairs.push((i as u32, *j, compare_with(a, b, &set.words, &mut *cache)));
                }
            }
        }
        pairs
    });
    Candidates {
        runs: parts.into_iter().flat_map(Runs::finish).collect(),
    }
}

/// The records before `new` that share a key with it (for matching one new registration):
/// `keys` and `records` side by side.
pub(crate) fn sharing_a_key(new: usize, keys: &[Keys], records: &[Prepared]) -> Vec<usize> {
    let (key, dated) = (&keys[new], records[new].birth != 0);
    keys[..new]
        .iter()
        .zip(records)
        .enumerate()
        .filter(|(_, (k, r))| {
            (0..KINDS)
                .filter(|kind| *kind != UNDATED || !dated || r.birth == 0)
                .any(|kind| {
                    (2 * kind..2 * kind + 2).any(|s| key[s] != 0 && (2 * kind..2 * kind + 2).any(|t| k[t] == key[s]))
                })
        })
        .map(|(i, _)| i)
        .collect()
}
