//! Cryptographic linkage keys (CLKs): linking the registrations of several organisations
//! without any of them sharing a name, a date of birth or a document number.
//!
//! Each organisation encodes its own registrations on its own machine ([`Encoder`]): the
//! normalised fields of a person are cut into q-grams (bigrams of names and documents, parts of
//! the birth date, the sex), and every q-gram sets a few bits of a 1,024-bit Bloom filter at
//! places chosen by HMAC-SHA256 under a secret the organisations share and Rumbo never sees.
//! Without the secret a filter cannot be tested for a guessed name; with it, two filters of the
//! same person written with small differences still share most of their bits. Rumbo compares
//! the filters of different organisations with the Dice coefficient ([`compare`]) and pairs
//! them one to one ([`link`]), so it can say how many people two organisations both registered
//! without ever learning who they are.

/// Dice coefficients of many filters against many, fast: the inner loop of linkage.
pub mod compare;
/// From a person's fields to q-grams, and from q-grams to a Bloom filter under the secret.
pub mod encode;
/// Linking the filters of several organisations: candidate pairs, one-to-one pairing, overlaps.
pub mod link;

pub use compare::{Candidate, candidates};
pub use encode::{Encoder, Identity, SecretError};
pub use link::{Linked, MatchedPair, OrganisationSet, Overlap, link};

/// The length of a filter in bits. Fixed, so every organisation's filters compare with every
/// other's; 1,024 bits is what anonlink and clkhash use for names, dates and documents.
pub const BITS: usize = 1024;
/// The filter's 64-bit words.
pub const WORDS: usize = BITS / 64;
/// The filter's bytes, as written in files (base64).
pub const BYTES: usize = BITS / 8;

/// One person's cryptographic linkage key: a Bloom filter of [`BITS`] bits.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Clk(pub [u64; WORDS]);

impl Clk {
    /// The filter with no bit set.
    pub const EMPTY: Clk = Clk([0; WORDS]);

    /// Sets bit `index` (taken modulo [`BITS`]).
    pub fn set(&mut self, index: usize) {
        let index = index % BITS;
        self.0[index / 64] |= 1 << (index % 64);
    }

    /// Whether bit `index` is set.
    pub fn get(&self, index: usize) -> bool {
        let index = index % BITS;
        self.0[index / 64] & (1 << (index % 64)) != 0
    }

    /// How many bits are set.
    pub fn count(&self) -> u32 {
        self.0.iter().map(|w| w.count_ones()).sum()
    }

    /// The Dice coefficient of two filters: twice the common bits over the sum of the bits,
    /// 1 for identical filters, 0 for disjoint ones (and for two empty ones).
    pub fn dice(&self, other: &Clk) -> f64 {
        let common: u32 = self.0.iter().zip(&other.0).map(|(a, b)| (a & b).count_ones()).sum();
        compare::dice(common, self.count() + other.count())
    }

    /// The bytes written in files: the words in order, each little-endian.
    pub fn to_bytes(&self) -> [u8; BYTES] {
        let mut out = [0u8; BYTES];
        for (chunk, word) in out.chunks_exact_mut(8).zip(&self.0) {
            chunk.copy_from_slice(&word.to_le_bytes());
        }
        out
    }

    /// The filter from the bytes of [`Clk::to_bytes`]; `None` unless exactly [`BYTES`] long.
    pub fn from_bytes(bytes: &[u8]) -> Option<Clk> {
        if bytes.len() != BYTES {
            return None;
        }
        let mut words = [0u64; WORDS];
        for (word, chunk) in words.iter_mut().zip(bytes.chunks_exact(8)) {
            let mut le = [0u8; 8];
            le.copy_from_slice(chunk);
            *word = u64::from_le_bytes(le);
        }
        Some(Clk(words))
    }
}

impl std::fmt::Debug for Clk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Clk({} bits set)", self.count())
    }
}

#[cfg(test)]
mod tests;
