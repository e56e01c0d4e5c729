//! The blocks of [`super::blocking`] turned into, for each record, the records after it that it
//! shares a block with — so that each candidate pair is compared once, by its first record,
//! whichever keys and windows found it.
//!
//! Blocks were walked one by one, each record of a block copied in with its twenty keys, and a
//! pair compared in the first block of the list of keys that held it: a pair of duplicates sits
//! in most of its records' blocks, so half the pairs met were skipped there after their keys
//! were read, and the copies (all records' keys, from all over memory) cost more than comparing.
//! Here a block is its records' numbers, ascending, written once; a record finds the records
//! after it in each of its blocks as the tail of the block past its own place (held in place
//! when it is one or two records, as most are), and those its oversize blocks' windows gave;
//! sorted, each is compared once. The pairs are those the list
//! of keys gave: a pair shares a block small enough to compare whole (under key 6, one of them
//! without a birth date), or a window meets it.

use super::LinkageSettings;
use super::blocking::{KINDS, Keys, SLOTS, UNDATED, keys};
use super::prepare::{NONE, PreparedSet};

/// One record's key of one kind: the kind in the leading bits and the key below them (keys of
/// different kinds never meet; the key's hash loses its last bits to the kind), the record, and
/// whether it has no birth date. Sorted, the runs of equal keys are the blocks, each with its
/// records ascending.
pub(crate) type Entry = (u64, u32, bool);

const KIND_BITS: u32 = 4;
const _: () = assert!(KINDS <= 1 << KIND_BITS);
/// Buckets of [`crate::parallel::gather_sorted`]: by kind and the key's leading bits, some
/// twenty thousand entries each at a million records, a bucket and its copy still sorted in the
/// core's cache (see [`sort_bucket`]). With four times as many, placing the entries wrote to
/// more places at once (a room in every bucket), likely more pages than the processor keeps at
/// hand, and gathering them took about a fifth longer.
const BUCKET_BITS: u32 = 10;
/// The key's bits after a bucket's that cut it into parts, a few entries each.
const PART_BITS: u32 = 11;
/// Above this many entries a part (a block of thousands: one name shared by a crowd) is sorted
/// by the library, whose time grows with the entries' logarithm rather than their square.
const FEW: usize = 32;

/// Every record's keys as entries, sorted.
pub(crate) fn entries(set: &PreparedSet, sounds: &[u64]) -> Vec<Entry> {
    crate::parallel::gather_sorted(
        set.records.len(),
        1 << BUCKET_BITS,
        |e: &Entry| (e.0 >> (64 - BUCKET_BITS)) as usize,
        |i, out| {
            let r = &set.records[i];
            let k: Keys = keys(r, sounds, &set.words);
            for s in 0..SLOTS {
                // Both surnames the same ("García García"): one entry, not two.
                if k[s] != 0 && !(s % 2 == 1 && k[s - 1] == k[s]) {
                    let kind = (s / 2) as u64;
                    out.push((kind << (64 - KIND_BITS) | k[s] >> KIND_BITS, i as u32, r.birth == 0));
                }
            }
        },
        sort_bucket,
    )
}

/// One bucket of entries, placed in the order of their records, sorted as `sort_unstable` sorts
/// them. Sorting thousands of entries by comparing them was most of the time taken to gather
/// them: here they are dealt by the key's next bits into parts of a few each, in order, and each
/// part sorted by key alone with insertions, which keep entries of one key in the order of their
/// records — the order of the whole entry, as a record has one entry a key.
pub(crate) fn sort_bucket(bucket: &mut [Entry]) {
    const SHIFT: u32 = 64 - BUCKET_BITS - PART_BITS;
    let part = |e: &Entry| (e.0 >> SHIFT) as usize & ((1 << PART_BITS) - 1);
    let mut starts = [0usize; (1 << PART_BITS) + 1];
    for e in bucket.iter() {
        starts[part(e) + 1] += 1;
    }
    for p in 0..1 << PART_BITS {
        starts[p + 1] += starts[p];
    }
    let mut dealt = vec![Entry::default(); bucket.len()];
    let mut at = starts;
    for e in bucket.iter() {
        let slot = &mut at[part(e)];
        dealt[*slot] = *e;
        *slot += 1;
    }
    for p in 0..1 << PART_BITS {
        let part = &mut dealt[starts[p]..starts[p + 1]];
        if part.len() > FEW {
            part.sort_by_key(|e| e.0);
            continue;
        }
        for k in 1..part.len() {
            let e = part[k];
            let mut j = k;
            while j > 0 && part[j - 1].0 > e.0 {
                part[j] = part[j - 1];
                j -= 1;
            }
            part[j] = e;
        }
    }
    bucket.copy_from_slice(&dealt);
}

/// Whom each record is compared with.
pub(crate) struct Blocks {
    /// The records of each block whose tails are not all held in place (see [`Tail`]),
    /// ascending; under key 6 followed by its records without a birth date again, which its
    /// dated records are paired with.
    members: Vec<u32>,
    /// Record `i`'s tails are `tails[starts[i]..starts[i + 1]]`: the records after `i` in each
    /// of its blocks that it is paired with.
    starts: Vec<u32>,
    tails: Vec<Tail>,
    /// Pairs that windows over oversize blocks meet, `i << 32 | j` with `i < j`, ascending,
    /// each once.
    windowed: Vec<u64>,
}

impl Blocks {
    /// From the sorted entries.
    pub fn new(set: &PreparedSet, entries: &[Entry], sounds: &[u64], settings: &LinkageSettings) -> Blocks {
        let n = set.records.len();
        // The entries cut between blocks into a run a thread, each run scanned on its own: the
        // scan counts each record's ranges in a table of all records, and those counts, one
        // record after another from all over the table, were most of its time on one core.
        let threads = crate::parallel::threads();
        let mut cuts = vec![0];
        for k in 1..threads {
            let last = cuts.last().copied().unwrap_or(0);
            let mut at = (entries.len() * k / threads).max(last);
            while at > 0 && at < entries.len() && entries[at].0 == entries[at - 1].0 {
                at += 1;
            }
            cuts.push(at);
        }
        cuts.push(entries.len());
        let runs: Vec<&[Entry]> = cuts.windows(2).map(|w| &entries[w[0]..w[1]]).collect();
        let scanned = crate::parallel::map(&runs, 1, |run| scan(run, n, settings));
        let mut counts = vec![0u32; n];
        for run in &scanned {
            for (count, more) in counts.iter_mut().zip(&run.counts) {
                *count += more;
            }
        }
        let mut starts = Vec::with_capacity(n + 1);
        starts.push(0u32);
        for c in &counts {
            let last = starts.last().copied().unwrap_or(0);
            starts.push(last + c);
        }
        let mut members: Vec<u32> = Vec::with_capacity(scanned.iter().map(|run| run.members.len()).sum());
        // The runs' members one after another, as one scan would have written them.
        let mut bases = Vec::with_capacity(scanned.len());
        let mut oversize: Vec<(&[Entry], bool)> = Vec::new();
        for run in &scanned {
            bases.push(members.len() as u32);
            members.extend_from_slice(&run.members);
            oversize.extend(run.oversize.iter().copied());
        }
        // Each record's tails put in place, the records cut into a range a thread with about as
        // many tails each: one after another from all over the table, on one core, they took as
        // long as the scan.
        let total = scanned.iter().map(|run| run.found.len()).sum();
        let mut tails = vec![Tail(0, 0); total];
        let mut parts: Vec<(std::ops::Range<u32>, &mut [Tail])> = Vec::with_capacity(threads);
        let mut rest: &mut [Tail] = &mut tails;
        let mut first = 0u32;
        for k in 1..=threads {
            let last = if k == threads {
                n as u32
            } else {
                let middle = starts.partition_point(|s| (*s as usize) < total * k / threads);
                middle.clamp(first as usize, n) as u32
            };
            let size = (starts[last as usize] - starts[first as usize]) as usize;
            let (here, after) = std::mem::take(&mut rest).split_at_mut(size);
            parts.push((first..last, here));
            rest = after;
            first = last;
        }
        crate::parallel::on_threads(parts, |(records, here)| {
            let offset = starts[records.start as usize];
            let mut at: Vec<u32> = starts[records.start as usize..records.end as usize].to_vec();
            for (run, base) in scanned.iter().zip(&bases) {
                for (record, tail) in &run.found {
                    if records.contains(record) {
                        let slot = &mut at[(record - records.start) as usize];
                        here[(*slot - offset) as usize] = tail.moved(*base);
                        *slot += 1;
                    }
                }
            }
        });
        let windowed = windows(set, &oversize, sounds, settings);
        Blocks {
            members,
            starts,
            tails,
            windowed,
        }
    }

    /// The records `i` is compared with, all after it, into `out` (cleared), ascending, each once.
    /// `w` is where `i`'s windowed pairs start (see [`Blocks::windowed_from`]), moved past them.
    pub fn partners(&self, i: usize, w: &mut usize, out: &mut Vec<u32>) {
        out.clear();
        let (from, to) = (self.starts[i] as usize, self.starts[i + 1] as usize);
        for tail in &self.tails[from..to] {
            tail.extend(&self.members, out);
        }
        while let Some(pair) = self.windowed.get(*w).filter(|p| **p >> 32 == i as u64) {
            out.push(*pair as u32);
            *w += 1;
        }
        out.sort_unstable();
        out.dedup();
    }

    /// Where the windowed pairs of record `i` and those after it start.
    pub fn windowed_from(&self, i: usize) -> usize {
        self.windowed.partition_point(|p| *p >> 32 < i as u64)
    }
}

/// The records after one record in one of its blocks that it is paired with. Most are one or
/// two records (most blocks are a pair or three of one person's registrations), held here:
/// read from the block's members, each was a wait on memory far from the last, and those
/// waits were most of the time taken to list a record's partners. So `Tail(a, b)` is
/// `members[a..b]` when `a < b`, the one record `a` when `a == b`, and the two records `b` and
/// `a` when `a > b`.
#[derive(Clone, Copy)]
struct Tail(u32, u32);

impl Tail {
    /// The tail `members[from..to]` (not empty), held in place when it is one or two records.
    fn of(members: &[u32], from: u32, to: u32) -> Tail {
        match &members[from as usize..to as usize] {
            [one] => Tail(*one, *one),
            [first, second] => Tail(*second, *first),
            _ => Tail(from, to),
        }
    }

    /// Whether it reads the block's members.
    fn in_members(self) -> bool {
        self.0 < self.1
    }

    /// The same tail once the members it reads are moved `by` further on.
    fn moved(self, by: u32) -> Tail {
        if self.in_members() {
            Tail(self.0 + by, self.1 + by)
        } else {
            self
        }
    }

    fn extend(self, members: &[u32], out: &mut Vec<u32>) {
        let Tail(a, b) = self;
        match a.cmp(&b) {
            std::cmp::Ordering::Less => out.extend_from_slice(&members[a as usize..b as usize]),
            std::cmp::Ordering::Equal => out.push(a),
            std::cmp::Ordering::Greater => out.extend_from_slice(&[b, a]),
        }
    }
}

/// One run of whole blocks, scanned: their members (as [`Blocks`] keeps them, from this run's
/// start), each record's tails as `(record, tail)`, how many tails each of the `n` records has,
/// and the oversize blocks.
struct Scanned<'a> {
    members: Vec<u32>,
    found: Vec<(u32, Tail)>,
    counts: Vec<u32>,
    oversize: Vec<(&'a [Entry], bool)>,
}

fn scan<'a>(entries: &'a [Entry], n: usize, settings: &LinkageSettings) -> Scanned<'a> {
    // Room for all at once, at most one of each an entry (and under key 6 the undated records
    // again): tens of millions grown by doubling were copied over and over, each time into
    // fresh pages. Room never written costs no memory.
    let mut members: Vec<u32> = Vec::with_capacity(entries.len());
    let mut found: Vec<(u32, Tail)> = Vec::with_capacity(entries.len());
    let mut counts = vec![0u32; n];
    let mut oversize: Vec<(&[Entry], bool)> = Vec::new();
    let mut start = 0;
    while start < entries.len() {
        let key = entries[start].0;
        let end = start + entries[start..].iter().take_while(|e| e.0 == key).count();
        let block = &entries[start..end];
        start = end;
        let undated_kind = key >> (64 - KIND_BITS) == UNDATED as u64;
        // Key 6 pairs a dated record only with undated namesakes: without one, no pair.
        if block.len() < 2 || undated_kind && !block.iter().any(|e| e.2) {
            continue;
        }
        if block.len() > settings.max_block {
            oversize.push((block, undated_kind));
            continue;
        }
        let base = members.len() as u32;
        let all = base + block.len() as u32;
        members.extend(block.iter().map(|e| e.1));
        if undated_kind {
            members.extend(block.iter().filter(|e| e.2).map(|e| e.1));
        }
        // Whether a tail of this block reads its members, which are kept only then.
        let mut read = false;
        let mut add = |record: u32, from: u32, to: u32| {
            if from < to {
                let tail = Tail::of(&members, from, to);
                read |= tail.in_members();
                found.push((record, tail));
                counts[record as usize] += 1;
            }
        };
        if undated_kind {
            // An undated record is paired with every record after it, a dated one with the
            // undated records after it.
            let undated_end = members.len() as u32;
            let mut undated_before = all;
            for (q, (_, record, undated)) in block.iter().enumerate() {
                if *undated {
                    add(*record, base + q as u32 + 1, all);
                    undated_before += 1;
                } else {
                    add(*record, undated_before, undated_end);
                }
            }
        } else {
            for (q, (_, record, _)) in block.iter().enumerate() {
                add(*record, base + q as u32 + 1, all);
            }
        }
        if !read {
            members.truncate(base as usize);
        }
    }
    Scanned {
        members,
        found,
        counts,
        oversize,
    }
}

/// The pairs of oversize blocks: their records are sorted so that neighbours share the most —
/// both surnames (in either order), then the given names, then the date, so a record without a
/// date still meets its twin — and each is paired with the next `window` (under key 6, only the
/// pairs with an undated record: from each undated one, every record after it and the dated
/// ones before it; an undated one before it held the pair in its own window).
fn windows(set: &PreparedSet, oversize: &[(&[Entry], bool)], sounds: &[u64], settings: &LinkageSettings) -> Vec<u64> {
    let sound = |id: u32| if id == NONE { 0 } else { sounds[id as usize] };
    let window = settings.window;
    let parts = crate::parallel::map(oversize, 1, |(block, undated_kind)| {
        let mut members: Vec<(u64, u32, u32, u32)> = block
            .iter()
            .map(|(_, i, _)| {
                let p = &set.records[*i as usize];
                (sound(p.surnames[0]) ^ sound(p.surnames[1]), p.given, p.birth, *i)
            })
            .collect();
        members.sort_unstable();
        let pair = |a: u32, b: u32| u64::from(a.min(b)) << 32 | u64::from(a.max(b));
        let mut pairs = Vec::with_capacity(members.len() * window);
        for (t, (_, _, birth, a)) in members.iter().enumerate() {
            if *undated_kind && *birth != 0 {
                continue;
            }
            for (_, _, _, b) in members.iter().skip(t + 1).take(window) {
                pairs.push(pair(*a, *b));
            }
            if *undated_kind {
                for (_, _, birth, b) in &members[t.saturating_sub(window)..t] {
                    if *birth != 0 {
                        pairs.push(pair(*a, *b));
                    }
                }
            }
        }
        pairs
    });
    let mut all: Vec<u64> = Vec::with_capacity(parts.iter().map(Vec::len).sum());
    for part in parts {
        all.extend(part);
    }
    crate::parallel::sort(&mut all);
    all.dedup();
    all
}
