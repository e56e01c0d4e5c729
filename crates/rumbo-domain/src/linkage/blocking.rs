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
//! several keys are compared once: a pair belongs to the first key of the list above that both
//! records carry (key 6: with one of them undated) and whose block is complete, and is skipped
//! under the others — decided from the records' own keys, without a set of seen pairs.

use std::collections::HashSet;
use std::hash::{Hash, Hasher};

use super::compare::{IdHashState, IdPairHasher, NameCaches, Pattern, compare_with};
use super::prepare::{NONE, Prepared, PreparedSet};
use super::{LinkageSettings, normalise};

/// Kinds of key, two slots each (one per surname).
const KINDS: usize = 10;
/// The kind whose pairs need a record without a birth date.
const UNDATED: usize = 6;
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
    if r.document != NONE && words.word(r.document).len() >= 4 {
        keys[0] = key(&[0, u64::from(r.document)]);
    }
    // Each half of the document, for a digit mistyped in the other half; with a surname and the
    // given name's initial, as the halves of numbers issued in sequence are shared by many.
    let initial = words.word(r.given_words[0]).bytes().next().map_or(0, u64::from);
    let halves = (r.document != NONE)
        .then(|| words.word(r.document).as_bytes())
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
    let mut keys: Vec<Keys> = crate::parallel::map(&set.records, 4096, |r| keys(r, &sounds, &set.words));
    // Key 6 pairs a dated record only with undated namesakes: where it has none, the dated
    // record's key 6 would fill a block that forms no pair, and is dropped.
    let undated: HashSet<u64, IdHashState> = keys
        .iter()
        .zip(&set.records)
        .filter(|(_, r)| r.birth == 0)
        .flat_map(|(k, _)| k[2 * UNDATED..2 * UNDATED + 2].iter().copied())
        .filter(|key| *key != 0)
        .collect();
    for (k, r) in keys.iter_mut().zip(&set.records) {
        if r.birth != 0 {
            for key in &mut k[2 * UNDATED..2 * UNDATED + 2] {
                if !undated.contains(key) {
                    *key = 0;
                }
            }
        }
    }

    // Both surnames the same ("García García"): one entry, not two.
    let entered = |k: &Keys, s: usize| k[s] != 0 && !(s % 2 == 1 && k[s - 1] == k[s]);
    // Counted first, so the vector is allocated once at its size.
    let count = keys.iter().map(|k| (0..SLOTS).filter(|s| entered(k, *s)).count()).sum();
    let mut entries: Vec<(u64, u32)> = Vec::with_capacity(count);
    for (i, k) in keys.iter().enumerate() {
        for s in 0..SLOTS {
            if entered(k, s) {
                entries.push((k[s], i as u32));
            }
        }
    }
    crate::parallel::sort(&mut entries);
    // A block has two entries at least: reserved at most once, and only what is used is touched.
    let mut blocks: Vec<(usize, usize)> = Vec::with_capacity(entries.len() / 2);
    let mut start = 0;
    for end in 1..=entries.len() {
        if end == entries.len() || entries[end].0 != entries[start].0 {
            if end - start >= 2 {
                blocks.push((start, end));
            }
            start = end;
        }
    }
    let oversize: HashSet<u64, IdHashState> = blocks
        .iter()
        .filter(|(s, e)| e - s > settings.max_block)
        .map(|(s, _)| entries[*s].0)
        .collect();
    // Per record, which of its keys lead to an oversize block: those do not own pairs.
    let complete: Vec<u32> = crate::parallel::map(&keys, 4096, |k| {
        k.iter()
            .enumerate()
            .filter(|(_, key)| **key != 0 && !oversize.contains(key))
            .fold(0u32, |acc, (s, _)| acc | (1 << s))
    });

    let sound = |id: u32| if id == NONE { 0 } else { sounds[id as usize] };
    // One part a thread, each with its own cache of how names relate: the blocks come in the
    // order of their keys' hashes, so the parts are alike in size and mix of names.
    let threads = caches.parts();
    let batches: Vec<&[(usize, usize)]> = blocks.chunks(blocks.len().div_ceil(threads).max(1)).collect();
    let parts = crate::parallel::map_indices(batches.len(), 1, |k| {
        let batch = batches[k];
        let mut cache = caches.get(k);
        let mut pairs = Runs::default();
        // At most `window` pairs a record of each oversize block: reserved once.
        let most: usize = batch
            .iter()
            .map(|(s, e)| e - s)
            .filter(|n| *n > settings.max_block)
            .map(|n| (0..n).map(|t| settings.window.min(n - 1 - t)).sum::<usize>())
            .sum();
        let mut windowed = Vec::with_capacity(most);
        // A block's records side by side: each is fetched from the whole set once, not once
        // per pair it is in (comparing was mostly waiting for memory).
        let mut members: Vec<Member> = Vec::new();
        for (s, e) in batch.iter() {
            let block = &entries[*s..*e];
            let key = block[0].0;
            members.clear();
            members.extend(block.iter().map(|(_, r)| Member {
                index: *r,
                record: set.records[*r as usize],
                keys: keys[*r as usize],
                complete: complete[*r as usize],
            }));
            // Which kind of key the block is of: key 6 pairs only records with a date and
            // without one.
            let undated_kind = members[0]
                .keys
                .iter()
                .position(|k| *k == key)
                .is_some_and(|s| s / 2 == UNDATED);
            if e - s > settings.max_block {
                // Neighbours share the most: both surnames (in either order), then the given
                // names, then the date — so a record without a date still meets its twin.
                members.sort_unstable_by_key(|m| {
                    let p = &m.record;
                    let surnames = sound(p.surnames[0]) ^ sound(p.surnames[1]);
                    (surnames, p.given, p.birth, m.index)
                });
                // Compared here, where the window's records are at hand; a pair that windows
                // of several oversize blocks meet is compared again and dropped below.
                let mut compare = |a: &Member, b: &Member| {
                    let (x, y) = if a.index < b.index { (a, b) } else { (b, a) };
                    if owner(x, y).is_none() {
                        let p = compare_with(&x.record, &y.record, &set.words, &mut *cache);
                        windowed.push((x.index, y.index, p));
                    }
                };
                for (t, a) in members.iter().enumerate() {
                    // Under key 6 only the window's pairs that have an undated record: from each
                    // undated one, every record after it and the dated ones before it (an
                    // undated one before it held the pair in its own window).
                    if undated_kind && a.record.birth != 0 {
                        continue;
                    }
                    for b in members.iter().skip(t + 1).take(settings.window) {
                        compare(a, b);
                    }
                    if undated_kind {
                        for b in &members[t.saturating_sub(settings.window)..t] {
                            if b.record.birth != 0 {
                                compare(a, b);
                            }
                        }
                    }
                }
                continue;
            }
            // Under key 6 the undated records first, each paired with every record after it.
            let pairing = if undated_kind {
                members.sort_unstable_by_key(|m| (m.record.birth != 0, m.index));
                members.iter().take_while(|m| m.record.birth == 0).count()
            } else {
                members.len()
            };
            for (t, a) in members[..pairing].iter().enumerate() {
                for b in &members[t + 1..] {
                    let (x, y) = if a.index < b.index { (a, b) } else { (b, a) };
                    if owner(x, y) == Some(key) {
                        let p = compare_with(&x.record, &y.record, &set.words, &mut *cache);
                        pairs.push((x.index, y.index, p));
                    }
                }
            }
        }
        (pairs, windowed)
    });
    let mut runs = Vec::new();
    let mut windowed = Vec::with_capacity(parts.len());
    for (p, w) in parts {
        runs.extend(p.finish());
        windowed.push(w);
    }
    runs.extend(once_each(windowed));
    Candidates { runs }
}

/// The windowed pairs of every part, each pair once: windows of several oversize blocks may
/// meet the same pair (a pair's vector is the same whoever compared it; no pair is both owned
/// and windowed). Each part is sorted and thinned in place — a pair an earlier part holds is
/// dropped from a later one — rather than all joined into one vector first.
pub(crate) fn once_each(mut parts: Vec<Vec<Candidate>>) -> Vec<Vec<Candidate>> {
    for part in &mut parts {
        crate::parallel::sort(part);
        part.dedup();
    }
    for k in 1..parts.len() {
        let (before, rest) = parts.split_at_mut(k);
        // Both sorted: one cursor per earlier part walks forward as the part is read.
        let mut cursors = vec![0usize; before.len()];
        rest[0].retain(|pair| {
            !before.iter().zip(&mut cursors).any(|(earlier, at)| {
                while *at < earlier.len() && earlier[*at] < *pair {
                    *at += 1;
                }
                earlier.get(*at) == Some(pair)
            })
        });
    }
    parts.retain(|part| !part.is_empty());
    parts
}

/// A record of a block, with what deciding and comparing its pairs reads.
struct Member {
    index: u32,
    record: Prepared,
    keys: Keys,
    /// Which of `keys` lead to blocks small enough to own pairs.
    complete: u32,
}

/// The key that owns the pair `a`, `b` (`a` the lower index): the first complete key of `a`
/// that `b` carries too (key 6: one of them without a birth date).
fn owner(a: &Member, b: &Member) -> Option<u64> {
    let (ca, cb) = (a.complete, b.complete);
    let dated = a.record.birth != 0 && b.record.birth != 0;
    for (s, key) in a.keys.iter().enumerate() {
        if ca & (1 << s) == 0 || (dated && s / 2 == UNDATED) {
            continue;
        }
        let kind = 2 * (s / 2);
        let shared = b.keys[kind..kind + 2]
            .iter()
            .enumerate()
            .any(|(o, other)| cb & (1 << (kind + o)) != 0 && other == key);
        if shared {
            return Some(*key);
        }
    }
    None
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
