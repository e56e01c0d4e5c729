//! Scoring a country's households, block by block: each criterion is tested on the facts of
//! [`BLOCK`] households in one loop, which the compiler turns into vector instructions, where
//! one household at a time spent most of its time moving a criterion's bit into place.

use super::{Model, Score};
use crate::registration::profiles::{BLOCK, FactBlock, Profiles};

impl Model {
    /// The scores of many households (a country's, when its model changes), in their order,
    /// on every core when there are enough of them. Each is the score [`Model::score`] gives
    /// the household's facts.
    pub fn score_all(&self, profiles: &Profiles, today: time::Date) -> Vec<Score> {
        let mut scores = profiles
            .map_blocks(today, |block| self.score_block(block))
            .into_flattened();
        scores.truncate(profiles.len());
        scores
    }

    /// The scores of a block's households; the lanes after its last household score nothing
    /// anyone reads.
    fn score_block(&self, block: &FactBlock) -> [Score; BLOCK] {
        // Criteria beyond the 64th set their bit in the second word.
        let (mut low_bits, mut high_bits) = ([0u64; BLOCK], [0u64; BLOCK]);
        let mut total = [0.0f64; BLOCK];
        let mut capped = [0u32; BLOCK];
        let (spans, free) = self.spans.split_at(self.caps.len());
        // The same additions in the same order as `score`: the free criteria first, then each
        // group, capped.
        for (g, span) in free.iter().chain(spans).enumerate() {
            let mut sum = [0.0f64; BLOCK];
            for c in &self.compiled[span.clone()] {
                let facts = block.column(c.fact);
                let (low, high) = if c.bit < 64 {
                    (1u64 << c.bit, 0)
                } else {
                    (0, 1u64 << (c.bit - 64))
                };
                for lane in 0..BLOCK {
                    let holds = c.holds(facts[lane]);
                    let mask = u64::from(holds).wrapping_neg();
                    low_bits[lane] |= low & mask;
                    high_bits[lane] |= high & mask;
                    sum[lane] += c.points * f64::from(u8::from(holds));
                }
            }
            match g.checked_sub(free.len()).map(|g| (g, self.caps[g])) {
                None => total.iter_mut().zip(&sum).for_each(|(t, s)| *t += s),
                Some((g, cap)) => {
                    for lane in 0..BLOCK {
                        let over = sum[lane] > cap;
                        capped[lane] |= u32::from(over) << g;
                        total[lane] += if over { cap } else { sum[lane] };
                    }
                }
            }
        }
        std::array::from_fn(|lane| {
            let matched = u128::from(high_bits[lane]) << 64 | u128::from(low_bits[lane]);
            self.finish(total[lane], matched, capped[lane])
        })
    }
}
