//! What the letters of two words say about their Jaro-Winkler similarity without aligning them:
//! most pairs of names a comparison asks about ("maria" and "yolanda") share too few letters,
//! or too short a beginning, for any threshold, and are told apart from a few bytes each.

/// How many times each letter occurs in a word (digits and anything else share the last slot),
/// its first four bytes and its length: two words can match no more letters than they have in
/// common, and Winkler's bonus counts only the beginning they share, which together bound their
/// Jaro-Winkler similarity (see [`may_reach`]). `None` for words too long to count in bytes.
///
/// 32 bytes, aligned: the comparisons read two of these for nearly every pair of names, from a
/// table far larger than the cache, and at 33 bytes most straddled two cache lines. One array
/// rather than three fields, so that [`Letters::common`] reads it as four numbers and takes
/// the smaller counts eight at a time: taken one by one, the 27 counts were most of the time
/// the comparisons spent telling names apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(C, align(32))]
pub(crate) struct Letters {
    /// How often each letter occurs (`COUNTS` slots), the word's first four bytes (`PREFIX`,
    /// zero past its end), its length (`LEN`).
    bytes: [u8; 32],
}

const _: () = assert!(std::mem::size_of::<Letters>() == 32);

/// Slots of the counts: a to z, then anything else.
const COUNTS: usize = 27;
/// Where the first four bytes begin.
const PREFIX: usize = COUNTS;
/// Where the length is.
const LEN: usize = PREFIX + 4;

/// Which bytes of [`Letters`] are counts.
const COUNTED: [u8; 32] = {
    let mut mask = [0u8; 32];
    let mut i = 0;
    while i < COUNTS {
        mask[i] = u8::MAX;
        i += 1;
    }
    mask
};

impl Letters {
    /// Words longer than this are not counted (their similarity is computed in full).
    pub const MAX_LEN: usize = 64;

    /// What a word not counted has: the empty word, or one too long.
    pub const UNCOUNTED: Letters = Letters { bytes: [0; 32] };

    /// The letters of `word`; `None` when it is longer than [`Letters::MAX_LEN`] or empty.
    pub fn of(word: &str) -> Option<Letters> {
        if word.is_empty() || word.len() > Self::MAX_LEN {
            return None;
        }
        let mut bytes = [0u8; 32];
        for b in word.bytes() {
            let slot = if b.is_ascii_lowercase() { b - b'a' } else { 26 };
            bytes[usize::from(slot)] += 1;
        }
        for (slot, b) in bytes[PREFIX..LEN].iter_mut().zip(word.bytes()) {
            *slot = b;
        }
        bytes[LEN] = word.len() as u8;
        Some(Letters { bytes })
    }

    pub fn len(&self) -> u32 {
        u32::from(self.bytes[LEN])
    }

    /// Whether the word was counted (see [`Letters::UNCOUNTED`]).
    pub fn counted(&self) -> bool {
        self.bytes[LEN] > 0
    }

    /// How many letters the two words have in common, counted with repeats.
    #[inline]
    pub fn common(&self, other: &Letters) -> u32 {
        // Eight counts at a time in a `u64`. Each count is below 128, so `p + 128 - q` borrows
        // nothing from the next byte and keeps its high bit exactly where `p >= q`: a mask that
        // picks the smaller count of each byte. At most 64 letters each: the smaller counts of
        // all slots add up to at most 64, so neither their sum by byte nor the final one
        // overflows a byte.
        const HIGH: u64 = 0x8080_8080_8080_8080;
        const ONES: u64 = 0x0101_0101_0101_0101;
        let mut sum = 0u64;
        for k in 0..4 {
            let (p, q) = (self.word(k), other.word(k));
            let smaller_q = ((((p | HIGH) - q) & HIGH) >> 7) * 0xFF;
            sum += (q & smaller_q) | (p & !smaller_q);
        }
        (sum.wrapping_mul(ONES) >> 56) as u32
    }

    /// Bytes `8k..8k+8` as a number, the counts alone (`COUNTED`: the beginning and the length
    /// left out).
    #[inline]
    fn word(&self, k: usize) -> u64 {
        let at = |i: usize| self.bytes[8 * k + i] & COUNTED[8 * k + i];
        u64::from_le_bytes(std::array::from_fn(at))
    }

    /// How long a beginning the two words share, up to the four letters Winkler counts. Two
    /// different words never share their whole length: past the shorter one's end, zero meets
    /// a letter.
    fn shared_prefix(&self, other: &Letters) -> u32 {
        let prefix = |l: &Letters| {
            u32::from_le_bytes([
                l.bytes[PREFIX],
                l.bytes[PREFIX + 1],
                l.bytes[PREFIX + 2],
                l.bytes[PREFIX + 3],
            ])
        };
        // The first byte that differs is the lowest set one of the difference.
        (prefix(self) ^ prefix(other)).trailing_zeros() / 8
    }
}

/// Whether two different words with these letters may reach Jaro-Winkler similarity `lowest`
/// (above 0.7, where Winkler's bonus starts): false only when it is sure to stay below.
///
/// Jaro matches pairs of equal letters, so it finds at most the `m` letters in common; with no
/// transpositions Jaro is at most `(m/la + m/lb + 1) / 3`. Winkler adds `0.1 p (1 - jaro)` for
/// a shared beginning of `p` letters (at most four), so reaching `lowest` needs Jaro at least
/// `(lowest - 0.1 p) / (1 - 0.1 p)`: 0.85 when the words begin differently, as most names
/// asked about do, where assuming four shared letters asked only 0.75. The comparison keeps a
/// little slack on the side of "may": a word too many is computed in full, never one too few.
#[inline]
pub(crate) fn may_reach(a: &Letters, b: &Letters, lowest: f64) -> bool {
    let (m, la, lb) = (f64::from(a.common(b)), f64::from(a.len()), f64::from(b.len()));
    // One arm for each length of the shared beginning, so that with `lowest` known the Jaro
    // needed is a constant rather than a division for every pair.
    let jaro = match a.shared_prefix(b) {
        0 => jaro_needed(lowest, 0),
        1 => jaro_needed(lowest, 1),
        2 => jaro_needed(lowest, 2),
        3 => jaro_needed(lowest, 3),
        _ => jaro_needed(lowest, 4),
    };
    m * (la + lb) + la * lb >= 3.0 * jaro * la * lb - 1e-6
}

/// The Jaro similarity two words sharing a beginning of `prefix` letters need to reach
/// Jaro-Winkler `lowest`.
#[inline(always)]
fn jaro_needed(lowest: f64, prefix: u32) -> f64 {
    let bonus = 0.1 * f64::from(prefix);
    (lowest - bonus) / (1.0 - bonus)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_letters_and_keeps_the_beginning() {
        let maria = Letters::of("maria").expect("counted");
        let mario = Letters::of("mario").expect("counted");
        assert_eq!(
            (maria.len(), maria.common(&mario), maria.shared_prefix(&mario)),
            (5, 4, 4)
        );
        let ana = Letters::of("ana").expect("counted");
        let an = Letters::of("an").expect("counted");
        assert_eq!((ana.common(&an), ana.shared_prefix(&an)), (2, 2));
        let spaced = Letters::of("ana 2").expect("counted");
        assert_eq!(spaced.common(&Letters::of("ana 9").expect("counted")), 5);
        assert!(Letters::of("").is_none() && Letters::of(&"a".repeat(65)).is_none());
    }

    proptest::proptest! {
        /// The counts taken eight at a time are those counted letter by letter, for any text
        /// (accented letters, digits and spaces share the last slot).
        #[test]
        fn common_letters_are_counted_one_by_one(a in "[a-eé0-9 ]{1,64}", b in "[a-z0-9 ]{1,64}") {
            let (a, b) = (truncated(&a), truncated(&b));
            let count = |w: &str, slot: u8| {
                w.bytes().filter(|c| if c.is_ascii_lowercase() { c - b'a' == slot } else { slot == 26 }).count()
            };
            let expected: usize = (0..27).map(|slot| count(a, slot).min(count(b, slot))).sum();
            let (x, y) = (Letters::of(a).expect("counted"), Letters::of(b).expect("counted"));
            proptest::prop_assert_eq!(x.common(&y) as usize, expected);
            proptest::prop_assert_eq!((x.len() as usize, y.len() as usize), (a.len(), b.len()));
        }
    }

    /// At most [`Letters::MAX_LEN`] bytes, cut at a character's boundary.
    fn truncated(word: &str) -> &str {
        let end = (0..=Letters::MAX_LEN.min(word.len()))
            .rev()
            .find(|i| word.is_char_boundary(*i))
            .unwrap_or(0);
        &word[..end]
    }

    /// Two names beginning alike may be similar where the same letters in another order at the
    /// start cannot: the bound follows Winkler's bonus.
    #[test]
    fn a_shared_beginning_raises_the_bound() {
        let of = |w: &str| Letters::of(w).expect("counted");
        assert!(may_reach(&of("yolanda"), &of("yolando"), 0.85));
        assert!(!may_reach(&of("maria"), &of("yolanda"), 0.85));
        // Four letters of six in common: Jaro at most 0.81, enough only with a shared start.
        assert!(may_reach(&of("abcdxy"), &of("abcdzw"), 0.85));
        assert!(!may_reach(&of("xyabcd"), &of("zwabcd"), 0.85));
    }
}
