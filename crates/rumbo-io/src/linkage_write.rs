//! What the linkage writers copy rather than compute again a row: numbers kept formatted, the
//! records' ids side by side, fields quoted as the csv crate quotes them.

use std::io::Write;

use rumbo_domain::linkage::PersonRecord;

/// Numbers formatted to a fixed precision, each kept by its bits once met: formatting a float
/// costs far more than finding it again.
pub(super) struct Formatted {
    precision: usize,
    /// `SLOTS` of them, by a hash of the bits; a new number takes its slot's place.
    slots: Vec<(u64, Vec<u8>)>,
}

/// Numbers a [`Formatted`] keeps (a power of two).
const SLOTS: usize = 1024;

impl Formatted {
    pub(super) fn new(precision: usize) -> Formatted {
        Formatted {
            precision,
            slots: vec![(f64::NAN.to_bits(), Vec::new()); SLOTS],
        }
    }

    /// `value` as `format!("{value:.precision$}")` writes it.
    pub(super) fn of(&mut self, value: f64) -> &[u8] {
        let bits = value.to_bits();
        let slot = &mut self.slots[(bits.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 54) as usize % SLOTS];
        if slot.0 != bits || slot.1.is_empty() {
            slot.0 = bits;
            slot.1.clear();
            // Writing into a vector cannot fail.
            let _ = write!(slot.1, "{value:.*}", self.precision);
        }
        &slot.1
    }
}

/// The records' ids side by side, read once in order on every core: the writers look ids up out
/// of order (a pair's right record, a cluster's name), and a million ids each behind its own
/// record cost a cache miss or two apiece, where a slot here is one, and many asked together
/// overlap.
pub(super) struct Ids {
    runs: Vec<IdRun>,
    /// Some record has a household (the pairs' last column), found in the same pass.
    pub(super) households: bool,
}

/// An id in 16 bytes: up to 15 and its length in the last; a longer one is kept apart ([`LONG`]
/// in the last byte, its place among its run's long ids in the first eight).
pub(super) type Slot = [u8; 16];

/// The last byte of the slot of an id longer than 15 bytes.
const LONG: u8 = u8::MAX;

/// The ids of [`IDS_PER_RUN`] records.
struct IdRun {
    slots: Vec<Slot>,
    long: Vec<String>,
}

/// Records a run of [`Ids`] holds.
const IDS_PER_RUN: usize = 16_384;

/// Rows whose ids looked up out of order are fetched together.
pub(super) const FETCHED: usize = 32;

impl Ids {
    pub(super) fn of(records: &[PersonRecord]) -> Ids {
        let runs: Vec<&[PersonRecord]> = records.chunks(IDS_PER_RUN).collect();
        let runs = rumbo_domain::parallel::map(&runs, 1, |run| {
            let mut ids = IdRun {
                slots: Vec::with_capacity(run.len()),
                long: Vec::new(),
            };
            let mut households = false;
            for record in *run {
                let key = record.key.as_bytes();
                let mut slot = [0; 16];
                if key.len() < 16 {
                    slot[..key.len()].copy_from_slice(key);
                    slot[15] = key.len() as u8;
                } else {
                    slot[..8].copy_from_slice(&(ids.long.len() as u64).to_le_bytes());
                    slot[15] = LONG;
                    ids.long.push(record.key.clone());
                }
                ids.slots.push(slot);
                households |= record.household.is_some();
            }
            (ids, households)
        });
        Ids {
            households: runs.iter().any(|run| run.1),
            runs: runs.into_iter().map(|(ids, _)| ids).collect(),
        }
    }

    /// The slot of record `i`, copied (empty past the last record): slots asked for one after
    /// the other, before any is used, are fetched from memory at once.
    pub(super) fn slot(&self, i: usize) -> Slot {
        self.runs
            .get(i / IDS_PER_RUN)
            .and_then(|run| run.slots.get(i % IDS_PER_RUN))
            .copied()
            .unwrap_or_default()
    }

    /// The id of record `i`, whose slot is `slot`: its bytes, as the rows copy them (cut from a
    /// whole id, they need no check that they are UTF-8, which cost a pass over each).
    pub(super) fn text<'a>(&'a self, i: usize, slot: &'a Slot) -> &'a [u8] {
        match slot[15] {
            LONG => {
                let mut at = [0; 8];
                at.copy_from_slice(&slot[..8]);
                self.runs
                    .get(i / IDS_PER_RUN)
                    .and_then(|run| run.long.get(u64::from_le_bytes(at) as usize))
                    .map_or(&[], String::as_bytes)
            }
            len => slot.get(..usize::from(len)).unwrap_or(&[]),
        }
    }

    /// The id of record `i`; empty past the last record.
    pub(super) fn get(&self, i: usize) -> &[u8] {
        match self
            .runs
            .get(i / IDS_PER_RUN)
            .and_then(|run| run.slots.get(i % IDS_PER_RUN))
        {
            Some(slot) => self.text(i, slot),
            None => &[],
        }
    }
}

/// `value` appended as the csv crate writes a field: in quotes when it holds a comma, a quote or
/// a line break, its quotes doubled. Rows built here skip the csv writer's state machine, a
/// call and a check a field; the file is the same.
pub(super) fn push_field(out: &mut Vec<u8>, bytes: &[u8]) {
    if bytes.iter().any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r')) {
        out.push(b'"');
        for b in bytes {
            if *b == b'"' {
                out.push(b'"');
            }
            out.push(*b);
        }
        out.push(b'"');
    } else {
        out.extend_from_slice(bytes);
    }
}
