//! Two prepared records compared field by field into discrete agreement levels, the comparison
//! vector of Fellegi and Sunter. The levels are the errors registration desks make: a second
//! given name left off, surnames written in the other order or one of them missing, day and
//! month swapped, the year off by one, one digit of a document mistyped.
//!
//! A comparison vector is packed into one `u32`, four bits a field, so a million candidate
//! pairs need a few megabytes and the training sees only the few hundred distinct vectors.

use super::prepare::{Interner, NONE, Prepared};

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
    &["missing", "exact", "short_form", "close", "similar", "different"],
    &[
        "missing",
        "exact",
        "swapped",
        "close",
        "one_missing",
        "one_shared",
        "similar",
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
#[cfg(test)]
pub(crate) const BIRTH: usize = 2;
#[cfg(test)]
pub(crate) const SEX: usize = 3;
#[cfg(test)]
pub(crate) const DOCUMENT: usize = 4;
#[cfg(test)]
pub(crate) const NATIONALITY: usize = 5;

/// A comparison vector: the level of field `f` in bits `4f..4f+4`.
pub(crate) type Pattern = u32;

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

pub(crate) fn compare(a: &Prepared, b: &Prepared, words: &Interner) -> Pattern {
    pack([
        given(a, b, words),
        surnames(a, b, words),
        birth(a, b),
        if a.sex == 0 || b.sex == 0 {
            0
        } else if a.sex == b.sex {
            1
        } else {
            2
        },
        document(a.document, b.document, words),
        if a.nationality == NONE || b.nationality == NONE {
            0
        } else if a.nationality == b.nationality {
            1
        } else {
            2
        },
    ])
}

fn given(a: &Prepared, b: &Prepared, words: &Interner) -> u32 {
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
    let full = similarity(a.given, b.given, words);
    // "Maria Jose" against "Mraia": the first names a typo apart, one of them cut short.
    let cut_short = a.given_count() != b.given_count()
        && within_one_edit(
            words.word(a.given_words[0]).as_bytes(),
            words.word(b.given_words[0]).as_bytes(),
        );
    if full >= CLOSE || cut_short {
        3
    } else if full >= SIMILAR {
        4
    } else {
        5
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Agree {
    Equal,
    Close,
    Different,
    Missing,
}

fn agree(x: u32, y: u32, words: &Interner) -> Agree {
    if x == NONE || y == NONE {
        Agree::Missing
    } else if x == y {
        Agree::Equal
    } else if similarity(x, y, words) >= SURNAME_CLOSE {
        Agree::Close
    } else {
        Agree::Different
    }
}

fn surnames(a: &Prepared, b: &Prepared, words: &Interner) -> u32 {
    use Agree::*;
    let (na, nb) = (a.surname_count(), b.surname_count());
    if na == 0 || nb == 0 {
        return 0;
    }
    let first = |p: &Prepared| {
        if p.surnames[0] != NONE {
            p.surnames[0]
        } else {
            p.surnames[1]
        }
    };
    if na == 1 && nb == 1 {
        return match agree(first(a), first(b), words) {
            Equal => 1,
            Close => 6,
            _ => 7,
        };
    }
    if na == 1 || nb == 1 {
        let (single, both) = if na == 1 { (first(a), b) } else { (first(b), a) };
        let found = [
            agree(single, both.surnames[0], words),
            agree(single, both.surnames[1], words),
        ];
        return if found.contains(&Equal) {
            4
        } else if found.contains(&Close) {
            6
        } else {
            7
        };
    }
    let straight = [
        agree(a.surnames[0], b.surnames[0], words),
        agree(a.surnames[1], b.surnames[1], words),
    ];
    let swapped = [
        agree(a.surnames[0], b.surnames[1], words),
        agree(a.surnames[1], b.surnames[0], words),
    ];
    let rank = |s: [Agree; 2]| {
        let equal = s.iter().filter(|x| **x == Equal).count();
        let close = s.iter().filter(|x| **x == Close).count();
        equal * 3 + close
    };
    let (best, is_swapped) = if rank(swapped) > rank(straight) {
        (swapped, true)
    } else {
        (straight, false)
    };
    let equal = best.iter().filter(|x| **x == Equal).count();
    let close = best.iter().filter(|x| **x == Close).count();
    match (equal, close) {
        (2, _) if is_swapped => 2,
        (2, _) => 1,
        (1, 1) => 3,
        (1, _) => 5,
        (0, 2) => 6,
        _ => 7,
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

fn document(a: u32, b: u32, words: &Interner) -> u32 {
    if a == NONE || b == NONE {
        return 0;
    }
    if a == b {
        return 1;
    }
    let (x, y) = (words.word(a).as_bytes(), words.word(b).as_bytes());
    if x.len().min(y.len()) >= 5 && within_one_edit(x, y) {
        2
    } else {
        3
    }
}

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
    let mut a_flags = [false; 64];
    let mut b_flags = [false; 64];
    let mut matches = 0usize;
    for (i, x) in a.iter().enumerate() {
        let lo = i.saturating_sub(range);
        let hi = lb.min(i + range + 1);
        for j in lo..hi {
            if !b_flags[j] && b[j] == *x {
                a_flags[i] = true;
                b_flags[j] = true;
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
    for i in 0..la {
        if !a_flags[i] {
            continue;
        }
        while !b_flags[j] {
            j += 1;
        }
        if a[i] != b[j] {
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
