//! What the letters of two words say about their Jaro-Winkler similarity without aligning them:
//! most pairs of names a comparison asks about ("maria" and "yolanda") share too few letters,
//! or too short a beginning, for any threshold, and are told apart from a few bytes each.

/// How many times each letter occurs in a word (digits and anything else share the last slot),
/// its first four bytes and its length: two words can match no more letters than they have in
/// common, and Winkler's bonus counts only the beginning they share, which together bound their
/// Jaro-Winkler similarity (see [`may_reach`]). `None` for words too long to count in bytes.
///
/// 32 bytes, aligned: the comparisons read two of these for nearly every pair of names, from a
/// table far larger than the cache, and at 33 bytes most straddled two cache lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(C, align(32))]
pub(crate) struct Letters {
    counts: [u8; 27],
    /// The word's first four bytes, zero past its end.
    prefix: [u8; 4],
    len: u8,
}

const _: () = assert!(std::mem::size_of::<Letters>() == 32);

impl Letters {
    /// Words longer than this are not counted (their similarity is computed in full).
    pub const MAX_LEN: usize = 64;

    /// What a word not counted has: the empty word, or one too long.
    pub const UNCOUNTED: Letters = Letters {
        counts: [0; 27],
        prefix: [0; 4],
        len: 0,
    };

    /// The letters of `word`; `None` when it is longer than [`Letters::MAX_LEN`] or empty.
    pub fn of(word: &str) -> Option<Letters> {
        if word.is_empty() || word.len() > Self::MAX_LEN {
            return None;
        }
        let mut counts = [0u8; 27];
        for b in word.bytes() {
            let slot = if b.is_ascii_lowercase() { b - b'a' } else { 26 };
            counts[usize::from(slot)] += 1;
        }
        let mut prefix = [0u8; 4];
        for (slot, b) in prefix.iter_mut().zip(word.bytes()) {
            *slot = b;
        }
        Some(Letters {
            counts,
            prefix,
            len: word.len() as u8,
        })
    }

    pub fn len(&self) -> u32 {
        u32::from(self.len)
    }

    /// Whether the word was counted (see [`Letters::UNCOUNTED`]).
    pub fn counted(&self) -> bool {
        self.len > 0
    }

    /// How many letters the two words have in common, counted with repeats.
    pub fn common(&self, other: &Letters) -> u32 {
        // At most 64 letters each: the sum of the smaller counts fits in a byte.
        let common = (self.counts.iter().zip(&other.counts)).fold(0u8, |sum, (p, q)| sum.wrapping_add(*p.min(q)));
        u32::from(common)
    }

    /// How long a beginning the two words share, up to the four letters Winkler counts. Two
    /// different words never share their whole length: past the shorter one's end, zero meets
    /// a letter.
    fn shared_prefix(&self, other: &Letters) -> u32 {
        (self.prefix.iter().zip(&other.prefix))
            .take_while(|(p, q)| p == q)
            .count() as u32
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
pub(crate) fn may_reach(a: &Letters, b: &Letters, lowest: f64) -> bool {
    let (m, la, lb) = (f64::from(a.common(b)), f64::from(a.len), f64::from(b.len));
    let bonus = 0.1 * f64::from(a.shared_prefix(b));
    let jaro = (lowest - bonus) / (1.0 - bonus);
    m * (la + lb) + la * lb >= 3.0 * jaro * la * lb - 1e-6
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
