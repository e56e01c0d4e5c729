//! Two prepared records compared field by field into discrete agreement levels, the comparison
//! vector of Fellegi and Sunter. The levels are the errors registration desks make: a second
//! given name left off, surnames written in the other order or one of them missing, day and
//! month swapped, the year off by one, one digit of a document mistyped.
//!
//! A comparison vector is packed into one `u32`, four bits a field, so a million candidate
//! pairs need a few megabytes and the training sees only the few hundred distinct vectors.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::{Mutex, MutexGuard, PoisonError};

use super::letters::may_reach;
use super::prepare::{Interner, NONE, Prepared};

#[cfg(test)]
mod shortcut_tests;
/// The surnames' level, asking only what can change it.
mod surnames;
use surnames::surnames;

/// The compared fields, in the order of the packed vector and of every explanation.
pub const FIELDS: [&str; 6] = [
    "given_names",
    "surnames",
    "birth_date",
    "sex",
    "document",
    "nationality",
];

/// The levels of each field, best agreement first after `missing`; the last is `different`.
/// Level 0 is always `missing`: either record lacks the field, and it weighs nothing.
pub const LEVELS: [&[&str]; 6] = [
    &[
        "missing",
        "exact",
        "short_form",
        "close",
        "similar",
        "swapped_with_surnames",
        "different",
    ],
    &[
        "missing",
        "exact",
        "swapped",
        "close",
        "one_missing",
        "one_shared",
        "similar",
        "exact_one_surname",
        "one_surname_each_different",
        "swapped_with_given_names",
        "different",
    ],
    &[
        "missing",
        "exact",
        "swapped_day_month",
        "year_off_by_one",
        "one_part_differs",
        "different",
    ],
    &["missing", "exact", "different"],
    &["missing", "exact", "close", "different"],
    &["missing", "exact", "different"],
];

pub(crate) const GIVEN: usize = 0;
pub(crate) const SURNAMES: usize = 1;
pub(crate) const BIRTH: usize = 2;
#[cfg(test)]
pub(crate) const SEX: usize = 3;
pub(crate) const DOCUMENT: usize = 4;
/// Surnames: each record carries one surname, and it is the same. Two registrations agreeing
/// on "Pérez" alone say far less than two agreeing on "Pérez González" (one registration in
/// thirty is a Pérez, one in a thousand a Pérez González); under one `exact` level the single
/// surname borrowed the weight of both.
pub(crate) const ONE_SURNAME: usize = 7;
/// Surnames: each record carries one surname, and they differ. A desk that writes one of two
/// surnames writes either ("Paredes" for Luis Paredes Caraballo, "Caraballo" at the next desk):
/// two lone surnames disagreeing say less against the same person than two full names do.
pub(crate) const ONE_SURNAME_EACH_DIFFERENT: usize = 8;
#[cfg(test)]
pub(crate) const NATIONALITY: usize = 5;

/// A comparison vector: the level of field `f` in bits `4f..4f+4`.
pub(crate) type Pattern = u32;

/// Whether `level` of `field` is agreement: exact, or for names a form of the same name.
pub(crate) fn agrees(field: usize, level: usize) -> bool {
    match field {
        GIVEN => (1..=3).contains(&level),
        SURNAMES => (1..=3).contains(&level) || level == ONE_SURNAME,
        _ => level == 1,
    }
}

/// Whether `level` of `field` is exact agreement (for surnames, on two or on one).
pub(crate) fn exact(field: usize, level: usize) -> bool {
    level == 1 || field == SURNAMES && level == ONE_SURNAME
}

pub(crate) fn level(pattern: Pattern, field: usize) -> usize {
    ((pattern >> (4 * field)) & 15) as usize
}

fn pack(levels: [u32; 6]) -> Pattern {
    levels.iter().enumerate().fold(0, |acc, (f, l)| acc | (l << (4 * f)))
}

/// Given names at least this similar (Jaro-Winkler) are a typo apart.
const CLOSE: f64 = 0.92;
/// ... and at least this, perhaps the same name spelt another way.
const SIMILAR: f64 = 0.85;
/// Surnames at least this similar are a typo apart.
const SURNAME_CLOSE: f64 = 0.9;

/// How two different words relate, as the comparisons ask it: Jaro-Winkler against the
/// thresholds above, and whether they are one edit apart. [`Direct`] computes it each time;
/// [`NameCache`] once per distinct pair of words, since names repeat massively ("maría",
/// "gonzález") and most of the comparison's cost was string similarity on the same pairs.
pub(crate) trait Relate {
    fn relation(&mut self, x: u32, y: u32, words: &Interner) -> Relation;
}

/// The answers about one pair of words, one bit each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Relation(u8);

impl Relation {
    const CLOSE: u8 = 1;
    const SURNAME_CLOSE: u8 = 2;
    const SIMILAR: u8 = 4;
    const ONE_EDIT: u8 = 8;

    fn of(x: u32, y: u32, words: &Interner) -> Relation {
        from_letters(x, y, words).unwrap_or_else(|| Relation::full(x, y, words))
    }

    /// Computed in full, without the shortcut from letters.
    pub(crate) fn full(x: u32, y: u32, words: &Interner) -> Relation {
        let jw = similarity(x, y, words);
        let mut bits = 0;
        for (threshold, bit) in [
            (CLOSE, Self::CLOSE),
            (SURNAME_CLOSE, Self::SURNAME_CLOSE),
            (SIMILAR, Self::SIMILAR),
        ] {
            if jw >= threshold {
                bits |= bit;
            }
        }
        if within_one_edit(words.word(x).as_bytes(), words.word(y).as_bytes()) {
            bits |= Self::ONE_EDIT;
        }
        Relation(bits)
    }
    fn close(self) -> bool {
        self.0 & Self::CLOSE != 0
    }
    fn surname_close(self) -> bool {
        self.0 & Self::SURNAME_CLOSE != 0
    }
    fn similar(self) -> bool {
        self.0 & Self::SIMILAR != 0
    }
    fn one_edit(self) -> bool {
        self.0 & Self::ONE_EDIT != 0
    }
}

/// Every relation computed afresh: for one-off comparisons and the random sample.
pub(crate) struct Direct;

impl Relate for Direct {
    fn relation(&mut self, x: u32, y: u32, words: &Interner) -> Relation {
        Relation::of(x, y, words)
    }
}

/// Relations remembered by pair of word ids, for one thread's share of the candidate pairs of
/// one prepared set (ids mean nothing across sets). Holds at most [`NameCache::LIMIT`] pairs
/// so memory stays bounded; past that, new pairs are computed directly.
#[derive(Default)]
pub(crate) struct NameCache {
    known: HashMap<u64, Relation, IdHashState>,
}

impl NameCache {
    const LIMIT: usize = 4_000_000;
}

/// One [`NameCache`] per thread of [`crate::parallel::map`], kept for the whole run: blocking,
/// the random sample for `u` and clustering ask about the same common names, so what one stage
/// learnt the next one reuses. Part `k` of a split uses cache `k`; the locks are never
/// contended, they only let the parts borrow their cache mutably from shared threads.
pub(crate) struct NameCaches(Vec<Mutex<NameCache>>);

impl NameCaches {
    /// `parts` caches: the number of threads, or any other for a test.
    pub fn new(parts: usize) -> NameCaches {
        NameCaches((0..parts.max(1)).map(|_| Mutex::default()).collect())
    }

    /// How many parts a stage splits its work into: one per cache.
    pub fn parts(&self) -> usize {
        self.0.len()
    }

    /// The cache of part `k` (any `k`: parts beyond the threads share).
    pub fn get(&self, k: usize) -> MutexGuard<'_, NameCache> {
        // A part that panicked left a bug, not a wrong cache: its entries stay true.
        self.0[k % self.0.len()].lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Relate for NameCache {
    fn relation(&mut self, x: u32, y: u32, words: &Interner) -> Relation {
        // Most names asked about share too few letters to be similar: answered from their letter
        // counts, without a look-up in a large table.
        if let Some(relation) = from_letters(x, y, words) {
            return relation;
        }
        // The relation is symmetric: one entry per unordered pair.
        let key = u64::from(x.min(y)) << 32 | u64::from(x.max(y));
        if let Some(known) = self.known.get(&key) {
            return *known;
        }
        let relation = Relation::full(x, y, words);
        if self.known.len() < Self::LIMIT {
            self.known.insert(key, relation);
        }
        relation
    }
}

/// A multiplicative hash: the keys are pairs of small ids, comparison vectors, blocking keys or
/// the words of one file, and SipHash's resistance to chosen keys buys nothing here at several
/// times the cost (no answer depends on the order of a hashed table).
#[derive(Default)]
pub(crate) struct IdPairHasher(u64);

/// Hash maps and sets keyed by ids, comparison vectors or blocking keys use [`IdPairHasher`].
pub(crate) type IdHashState = BuildHasherDefault<IdPairHasher>;

impl Hasher for IdPairHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    /// Words, eight bytes at a time.
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.write_u64(u64::from_le_bytes(word));
        }
    }
    fn write_u32(&mut self, n: u32) {
        self.write_u64(u64::from(n));
    }
    fn write_u64(&mut self, n: u64) {
        let h = (self.0 ^ n).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        self.0 = h ^ (h >> 29);
    }
}

pub(crate) fn compare(a: &Prepared, b: &Prepared, words: &Interner) -> Pattern {
    compare_with(a, b, words, &mut Direct)
}

/// [`compare`], asking `relate` how words relate.
pub(crate) fn compare_with(a: &Prepared, b: &Prepared, words: &Interner, relate: &mut impl Relate) -> Pattern {
    let straight = (given(a, b, words, relate), surnames(a, b, words, relate));
    let (given, surnames) = super::swap::name_levels(a, b, words, relate, straight);
    pack([
        given,
        surnames,
        birth(a, b),
        if a.sex == 0 || b.sex == 0 {
            0
        } else if a.sex == b.sex {
            1
        } else {
            2
        },
        document(a, b, words),
        if a.nationality == NONE || b.nationality == NONE {
            0
        } else if a.nationality == b.nationality {
            1
        } else {
            2
        },
    ])
}

fn given(a: &Prepared, b: &Prepared, words: &Interner, relate: &mut impl Relate) -> u32 {
    if a.given == NONE || b.given == NONE {
        return 0;
    }
    if a.given == b.given {
        return 1;
    }
    let within = |x: &Prepared, y: &Prepared| {
        x.given_words
            .iter()
            .filter(|w| **w != NONE)
            .all(|w| y.given_words.contains(w))
    };
    if within(a, b) || within(b, a) {
        return 2;
    }
    let full = relate.relation(a.given, b.given, words);
    // "Ana" against "Aa", "Maria Jose" against "Mraia": a typo in a short name, or in the first
    // name of one cut short, is a typo all the same. The first names are asked about only when
    // the answer counts, and not when they are the whole names, just asked about.
    if full.close()
        || full.one_edit()
        || (a.given_count() != b.given_count() || a.given_words[1] == b.given_words[1])
            && (a.given != a.given_words[0] || b.given != b.given_words[0])
            && first_names_one_edit(a.given_words[0], b.given_words[0], words, relate)
    {
        3
    } else if full.similar() {
        4
    } else {
        6
    }
}

/// Whether the first given names are at most one edit apart (the same word is).
fn first_names_one_edit(x: u32, y: u32, words: &Interner, relate: &mut impl Relate) -> bool {
    if x == y {
        return true;
    }
    if x == NONE || y == NONE {
        // An empty word against a word of one letter is one edit apart.
        return within_one_edit(words.word(x).as_bytes(), words.word(y).as_bytes());
    }
    relate.relation(x, y, words).one_edit()
}

#[derive(Clone, Copy, PartialEq)]
pub(crate) enum Agree {
    Equal,
    Close,
    Different,
    Missing,
}

pub(crate) fn agree(x: u32, y: u32, words: &Interner, relate: &mut impl Relate) -> Agree {
    if x == NONE || y == NONE {
        return Agree::Missing;
    }
    if x == y {
        return Agree::Equal;
    }
    let relation = relate.relation(x, y, words);
    if relation.surname_close() || relation.one_edit() && words.word(x).len().min(words.word(y).len()) >= 4 {
        Agree::Close
    } else {
        Agree::Different
    }
}

fn birth(a: &Prepared, b: &Prepared) -> u32 {
    if a.birth == 0 || b.birth == 0 {
        return 0;
    }
    if a.birth == b.birth {
        return 1;
    }
    let (ya, ma, da) = (a.year(), a.month(), a.day());
    let (yb, mb, db) = (b.year(), b.month(), b.day());
    if ya == yb && da == mb && ma == db {
        2
    } else if da == db && ma == mb && ya.abs_diff(yb) == 1 {
        3
    } else if u32::from(ya == yb) + u32::from(ma == mb) + u32::from(da == db) == 2 {
        4
    } else {
        5
    }
}

fn document(a: &Prepared, b: &Prepared, words: &Interner) -> u32 {
    if a.document == NONE || b.document == NONE {
        return 0;
    }
    if a.document == b.document {
        return 1;
    }
    let (x, y) = (a.document_text(words), b.document_text(words));
    if x.len().min(y.len()) >= 5 && within_one_edit(x, y) {
        2
    } else {
        3
    }
}

/// Whether words `x` and `y` may reach the lowest similarity threshold: false only when their
/// Jaro-Winkler similarity is sure to be below it (see [`may_reach`]). A property test holds it
/// against the full computation.
#[cfg(test)]
pub(crate) fn may_be_similar(x: u32, y: u32, words: &Interner) -> bool {
    (words.letters(x).zip(words.letters(y))).is_none_or(|(a, b)| may_reach(a, b, LOWEST))
}

/// The relation of two words told from their letters alone, when they are too far apart for
/// any threshold; `None` when the full computation is needed. One edit apart needs lengths at
/// most one apart and all letters but one in common (a substitution or an insertion leaves
/// one letter out, a swap none).
fn from_letters(x: u32, y: u32, words: &Interner) -> Option<Relation> {
    let (a, b) = (words.letters(x)?, words.letters(y)?);
    if may_reach(a, b, LOWEST) {
        return None;
    }
    let (m, la, lb) = (a.common(b), a.len(), b.len());
    let edit = la.abs_diff(lb) <= 1
        && m + 1 >= la.max(lb)
        && within_one_edit(words.word(x).as_bytes(), words.word(y).as_bytes());
    Some(Relation(if edit { Relation::ONE_EDIT } else { 0 }))
}

/// Reads, before `a` is compared with `partners`, the letters of the names most comparisons
/// read to tell two names apart (see [`from_letters`]): `a`'s own, and the partners' that
/// differ from them. They lie all over a table far larger than the cache; read together, their
/// waits overlap rather than come one after another, and `a`'s are read once for all its
/// partners. `black_box` keeps the unused answers from being optimised away.
pub(crate) fn warm_letters(a: &Prepared, partners: &[Prepared], words: &Interner) {
    let names = |p: &Prepared| [p.given, p.surnames[0], p.surnames[1]];
    let warm = |id: u32| std::hint::black_box(words.letters(id).map(|l| l.len()));
    names(a).into_iter().for_each(|id| {
        warm(id);
    });
    for b in partners {
        let differ = |id: &u32| *id != a.given && !a.surnames.contains(id);
        names(b).into_iter().filter(differ).for_each(|id| {
            warm(id);
        });
    }
}

/// The lowest of the similarity thresholds (above 0.7, where Winkler's bonus starts).
const LOWEST: f64 = if SIMILAR < SURNAME_CLOSE {
    SIMILAR
} else {
    SURNAME_CLOSE
};

/// Jaro-Winkler similarity of two words, taken in a fixed order: the measure is not exactly
/// symmetric, and a comparison must not depend on which record comes first.
fn similarity(x: u32, y: u32, words: &Interner) -> f64 {
    let (x, y) = (words.word(x).as_bytes(), words.word(y).as_bytes());
    if x <= y { jaro_winkler(x, y) } else { jaro_winkler(y, x) }
}

/// Jaro-Winkler similarity of two byte strings, as `strsim::jaro_winkler` computes it for the
/// same ASCII text (a property test holds the two together), without its allocation: words
/// up to 64 bytes are flagged on the stack. Longer text goes to strsim.
pub(crate) fn jaro_winkler(a: &[u8], b: &[u8]) -> f64 {
    if a.len() > 64 || b.len() > 64 {
        let (a, b) = (String::from_utf8_lossy(a), String::from_utf8_lossy(b));
        return strsim::jaro_winkler(&a, &b);
    }
    let (la, lb) = (a.len(), b.len());
    if la == 0 && lb == 0 {
        return 1.0;
    }
    if la == 0 || lb == 0 {
        return 0.0;
    }
    let range = (la.max(lb) / 2).saturating_sub(1);
    // One bit a position: flags for words up to 64 bytes in two registers.
    let (mut a_flags, mut b_flags) = (0u64, 0u64);
    let mut matches = 0usize;
    for (i, x) in a.iter().enumerate() {
        let lo = i.saturating_sub(range);
        let hi = lb.min(i + range + 1);
        for (j, y) in b.iter().enumerate().take(hi).skip(lo) {
            if b_flags & (1 << j) == 0 && y == x {
                a_flags |= 1 << i;
                b_flags |= 1 << j;
                matches += 1;
                break;
            }
        }
    }
    if matches == 0 {
        return 0.0;
    }
    let mut transpositions = 0usize;
    let mut j = 0usize;
    for (i, x) in a.iter().enumerate() {
        if a_flags & (1 << i) == 0 {
            continue;
        }
        while b_flags & (1 << j) == 0 {
            j += 1;
        }
        if *x != b[j] {
            transpositions += 1;
        }
        j += 1;
    }
    let m = matches as f64;
    let jaro = (m / la as f64 + m / lb as f64 + (matches - transpositions / 2) as f64 / m) / 3.0;
    if jaro > 0.7 {
        let prefix = a.iter().zip(b).take(4).take_while(|(x, y)| x == y).count();
        jaro + 0.1 * prefix as f64 * (1.0 - jaro)
    } else {
        jaro
    }
}

/// Whether `a` becomes `b` by at most one insertion, deletion, substitution or swap of two
/// neighbours (optimal string alignment distance ≤ 1): one mistyped digit of a document.
pub(crate) fn within_one_edit(a: &[u8], b: &[u8]) -> bool {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    match long.len() - short.len() {
        0 => {
            let mut first = None;
            let mut count = 0;
            for i in 0..short.len() {
                if short[i] != long[i] {
                    count += 1;
                    if first.is_none() {
                        first = Some(i);
                    }
                    if count > 2 {
                        return false;
                    }
                }
            }
            match (count, first) {
                (0 | 1, _) => true,
                (2, Some(i)) => i + 1 < short.len() && short[i] == long[i + 1] && short[i + 1] == long[i],
                _ => false,
            }
        }
        1 => {
            let skip = short.iter().zip(long).take_while(|(x, y)| x == y).count();
            short[skip..] == long[skip + 1..]
        }
        _ => false,
    }
}
