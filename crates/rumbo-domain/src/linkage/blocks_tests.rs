//! The candidates of [`super::blocks`] held to those of the plain way they replaced: every block
//! walked with its records' keys, a pair compared in the first block of the list of keys that
//! holds it whole, and the pairs of oversize blocks' windows that no such block holds.

use std::collections::HashSet;

use super::blocking::{Candidate, KINDS, Keys, SLOTS, UNDATED, candidates, keys, sounds};
use super::compare::{NameCaches, compare};
use super::prepare::{NONE, Prepared, PreparedSet, prepare_all};
use super::tests::{date, person, population};
use super::*;

struct Member {
    index: u32,
    record: Prepared,
    keys: Keys,
    complete: u32,
}

/// The key that owns the pair `a`, `b` (`a` the lower index): the first complete key of `a`
/// that `b` carries too (key 6: one of them without a birth date).
fn owner(a: &Member, b: &Member) -> Option<u64> {
    let dated = a.record.birth != 0 && b.record.birth != 0;
    (0..SLOTS)
        .filter(|s| a.complete & (1 << s) != 0 && !(dated && s / 2 == UNDATED))
        .find(|s| {
            let kind = 2 * (s / 2);
            (kind..kind + 2).any(|o| b.complete & (1 << o) != 0 && b.keys[o] == a.keys[*s])
        })
        .map(|s| a.keys[s])
}

fn ordered<'a>(a: &'a Member, b: &'a Member) -> (&'a Member, &'a Member) {
    if a.index < b.index { (a, b) } else { (b, a) }
}

/// Every candidate pair the plain way, ascending.
fn by_owner(set: &PreparedSet, settings: &LinkageSettings) -> Vec<Candidate> {
    let sounds = sounds(set);
    let mut keys: Vec<Keys> = set.records.iter().map(|r| keys(r, &sounds, &set.words)).collect();
    let undated: HashSet<u64> = keys
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
    let entered = |k: &Keys, s: usize| k[s] != 0 && !(s % 2 == 1 && k[s - 1] == k[s]);
    let mut entries: Vec<(u64, u32)> = Vec::new();
    for (i, k) in keys.iter().enumerate() {
        entries.extend((0..SLOTS).filter(|s| entered(k, *s)).map(|s| (k[s], i as u32)));
    }
    entries.sort_unstable();
    let blocks: Vec<&[(u64, u32)]> = entries.chunk_by(|a, b| a.0 == b.0).filter(|b| b.len() >= 2).collect();
    let oversize: HashSet<u64> = blocks
        .iter()
        .filter(|b| b.len() > settings.max_block)
        .map(|b| b[0].0)
        .collect();
    let sound = |id: u32| if id == NONE { 0 } else { sounds[id as usize] };
    let mut pairs: Vec<Candidate> = Vec::new();
    let mut windowed: Vec<Candidate> = Vec::new();
    for block in blocks {
        let key = block[0].0;
        let mut members: Vec<Member> = block
            .iter()
            .map(|(_, r)| Member {
                index: *r,
                record: set.records[*r as usize],
                keys: keys[*r as usize],
                complete: (0..SLOTS)
                    .filter(|s| keys[*r as usize][*s] != 0 && !oversize.contains(&keys[*r as usize][*s]))
                    .fold(0, |acc, s| acc | (1 << s)),
            })
            .collect();
        let undated_kind = members[0]
            .keys
            .iter()
            .position(|k| *k == key)
            .is_some_and(|s| s / 2 == UNDATED);
        if block.len() > settings.max_block {
            members.sort_unstable_by_key(|m| {
                let p = &m.record;
                (sound(p.surnames[0]) ^ sound(p.surnames[1]), p.given, p.birth, m.index)
            });
            for (t, a) in members.iter().enumerate() {
                if undated_kind && a.record.birth != 0 {
                    continue;
                }
                let after = members.iter().skip(t + 1).take(settings.window);
                let before = members[t.saturating_sub(settings.window)..t]
                    .iter()
                    .filter(|b| undated_kind && b.record.birth != 0);
                for b in after.chain(before) {
                    let (x, y) = ordered(a, b);
                    if owner(x, y).is_none() {
                        windowed.push((x.index, y.index, compare(&x.record, &y.record, &set.words)));
                    }
                }
            }
            continue;
        }
        let pairing = if undated_kind {
            members.sort_unstable_by_key(|m| (m.record.birth != 0, m.index));
            members.iter().take_while(|m| m.record.birth == 0).count()
        } else {
            members.len()
        };
        for (t, a) in members[..pairing].iter().enumerate() {
            for b in &members[t + 1..] {
                let (x, y) = ordered(a, b);
                if owner(x, y) == Some(key) {
                    pairs.push((x.index, y.index, compare(&x.record, &y.record, &set.words)));
                }
            }
        }
    }
    windowed.sort_unstable();
    windowed.dedup();
    let owned: HashSet<Candidate> = pairs.iter().copied().collect();
    assert_eq!(owned.len(), pairs.len(), "a pair owned twice");
    assert!(windowed.iter().all(|p| !owned.contains(p)), "a pair owned and windowed");
    pairs.extend(windowed);
    pairs.sort_unstable();
    pairs
}

fn found(set: &PreparedSet, settings: &LinkageSettings, parts: usize) -> Vec<Candidate> {
    let mut all: Vec<Candidate> = candidates(set, settings, &NameCaches::new(parts))
        .iter()
        .copied()
        .collect();
    all.sort_unstable();
    all
}

/// The population, and the same with a third of the birth dates left out (key 6 pairs them
/// with namesakes) and crowds of one name (oversize blocks under every kind of key).
fn populations() -> Vec<Vec<PersonRecord>> {
    let (records, _) = population();
    let mut sparse = records.clone();
    for (k, r) in sparse.iter_mut().enumerate() {
        if k % 3 == 0 {
            r.birth_date = None;
        }
    }
    for k in 0..90usize {
        let birth = (k % 4 != 0).then(|| date(1980 + (k % 3) as i32, 1 + (k % 2) as u8, 1 + (k % 5) as u8));
        let document = format!("V-{}", 20_000_000 + k % 7);
        sparse.push(person(
            &format!("crowd-{k}"),
            "María",
            "González",
            "Pérez",
            birth,
            &document,
        ));
    }
    vec![records, sparse]
}

#[test]
fn the_candidates_are_those_of_the_first_key_that_holds_each_pair() {
    for records in populations() {
        let set = prepare_all(&records);
        for (max_block, window) in [(64, 12), (4, 3), (2, 1), (16, 5), (1_000, 12)] {
            let settings = LinkageSettings {
                max_block,
                window,
                ..LinkageSettings::default()
            };
            let expected = by_owner(&set, &settings);
            assert!(!expected.is_empty());
            for parts in [1, 2, 5] {
                let got = found(&set, &settings, parts);
                assert_eq!(got.len(), expected.len(), "max_block {max_block}, {parts} parts");
                assert!(got == expected, "max_block {max_block}, window {window}, {parts} parts");
            }
        }
    }
}

/// Every kind of key forms blocks in the populations above, so the test holds each.
#[test]
fn the_populations_exercise_every_kind_of_key() {
    for records in populations() {
        let set = prepare_all(&records);
        let sounds = sounds(&set);
        let keys: Vec<Keys> = set.records.iter().map(|r| keys(r, &sounds, &set.words)).collect();
        let shared = |kind: usize| {
            let mut seen = HashSet::new();
            keys.iter()
                .flat_map(|k| k[2 * kind..2 * kind + 2].iter().filter(|k| **k != 0))
                .any(|k| !seen.insert(*k))
        };
        assert!((0..KINDS).all(shared));
    }
}

/// A bucket of entries dealt into parts and sorted by key is in `sort_unstable`'s order: keys
/// shared by a few records and by a crowd (a part sorted by the library), keys that differ only
/// in their last bits, and records that are not in the order of the keys.
#[test]
fn a_bucket_sorts_as_sorting_everything_does() {
    use super::blocks::{Entry, sort_bucket};
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    // One bucket: the same leading bits (kind 3), the rest random, some keys drawn again.
    let mut keys: Vec<u64> = (0..400).map(|_| 3 << 60 | next() >> 12).collect();
    let near: Vec<u64> = keys[..40].iter().map(|k| k ^ 1).collect();
    keys.extend(near);
    let crowd = keys[7];
    // Each record once a key, the records ascending as they are placed.
    let mut bucket: Vec<Entry> = Vec::new();
    for record in 0..3_000u32 {
        let key = if record % 5 == 0 {
            crowd
        } else {
            keys[(next() % keys.len() as u64) as usize]
        };
        bucket.push((key, record, record % 3 == 0));
    }
    let mut expected = bucket.clone();
    expected.sort_unstable();
    sort_bucket(&mut bucket);
    assert!(bucket == expected);
    let mut few: Vec<Entry> = vec![(5, 2, false), (5, 9, true), (1, 4, false)];
    sort_bucket(&mut few);
    assert_eq!(few, [(1, 4, false), (5, 2, false), (5, 9, true)]);
}
