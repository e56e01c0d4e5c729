//! The relations of the pairs of words last asked about, in front of everything else a
//! [`super::compare::NameCache`] does: names repeat within a run of records ("maría" against
//! "mariela", "gonzález" against "gonzales"), and one look-up in a table small enough to stay in
//! the core's cache answers them, where telling them apart from their letters read two rows of a
//! larger table and the remembered pairs a larger one still.

use super::compare::Relation;

/// Slots: 32,768 pairs in 512 KB, within a core's cache.
const BITS: u32 = 15;

/// Each pair of word ids has one slot, which the last pair there holds: a pair is answered only
/// when it is the one held, so what is forgotten is computed again, never answered wrongly.
#[derive(Default)]
pub(crate) struct Recent(Vec<(u64, Option<Relation>)>);

fn slot(pair: u64) -> usize {
    (pair.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - BITS)) as usize
}

impl Recent {
    /// The relation of `pair` (two word ids, the smaller first), if held.
    pub fn get(&self, pair: u64) -> Option<Relation> {
        self.0
            .get(slot(pair))
            .filter(|(held, _)| *held == pair)
            .and_then(|(_, r)| *r)
    }

    pub fn put(&mut self, pair: u64, relation: Relation) {
        // Allocated at the first pair: most caches of a short run are never asked.
        if self.0.is_empty() {
            self.0 = vec![(0, None); 1 << BITS];
        }
        self.0[slot(pair)] = (pair, Some(relation));
    }
}

#[cfg(test)]
mod tests {
    use super::super::compare::{Direct, NameCache, Relate};
    use super::super::prepare::Interner;
    use super::*;

    /// Far more pairs than slots, asked twice over in another order: every answer the one
    /// computed afresh, whichever pair held the slot before.
    #[test]
    fn answers_only_the_pair_it_holds() {
        let mut words = Interner::default();
        let names = [
            "maria",
            "mariela",
            "marielena",
            "gonzalez",
            "gonzales",
            "ana",
            "aña",
            "jose",
        ];
        let mut ids: Vec<u32> = (0..420)
            .map(|k| words.intern(&format!("{}{}", names[k % names.len()], k / names.len())))
            .collect();
        ids.extend(names.iter().map(|n| words.intern(n)));
        assert_eq!(words.len(), ids.len(), "every word another");
        let mut cache = NameCache::default();
        for round in 0..2 {
            for (k, x) in ids.iter().enumerate() {
                for y in &ids[k + 1..] {
                    let (p, q) = if round == 0 { (*x, *y) } else { (*y, *x) };
                    assert_eq!(cache.relation(p, q, &words), Direct.relation(p, q, &words));
                }
            }
        }
        let mut recent = Recent::default();
        assert_eq!(recent.get(7), None);
        recent.put(7, Direct.relation(ids[0], ids[1], &words));
        assert_eq!(recent.get(7), Some(Direct.relation(ids[0], ids[1], &words)));
        assert_eq!(recent.get(0), None);
    }
}
