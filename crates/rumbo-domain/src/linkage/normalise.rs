//! Names, documents and dates as registration desks across Latin America write them, brought to
//! one form before they are compared: "María José DE LA Cruz" and "maria jose cruz" are the
//! same words; "V-12.345.678", "v12345678" and "12 345 678" the same cédula.
//!
//! Everything here is ASCII out: accents and case are folded away (ñ becomes n, as many forms
//! and keyboards write it anyway), so the comparisons that follow work on bytes.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::{canonical_combining_class, is_combining_mark};

/// Words that join the parts of a Hispanic or Lusophone name and are written or left out at
/// will: "de la Cruz" / "Cruz", "dos Santos" / "Santos", "Ortega y Gasset".
pub const PARTICLES: &[&str] = &[
    "de", "del", "la", "las", "los", "lo", "da", "das", "do", "dos", "di", "y", "e", "van", "von",
];

/// Lower case, accents dropped, anything but letters and digits turned into a single space.
pub fn fold(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    fold_into(raw, &mut out);
    out
}

/// [`fold`], appended to `out` (cleared first): for callers that fold many names into one
/// buffer. ASCII text, most of what desks type, skips the Unicode decomposition it would not
/// change.
pub fn fold_into(raw: &str, out: &mut String) {
    if raw.is_ascii() {
        push_folded(raw.chars(), out);
        return;
    }
    // Nearly every other name has only Latin letters with accents (á, ñ, ç): each looked up,
    // folded already, rather than decomposed and its marks classified one by one.
    let table = latin();
    let folded = |c: char| table.get(c as usize).copied().unwrap_or(UNKNOWN);
    if raw.chars().all(|c| folded(c) != UNKNOWN) {
        let letters = raw.chars().map(folded).filter(|b| *b != NOTHING).map(char::from);
        push_folded(letters, out);
    } else {
        fold_unicode(raw, out);
    }
}

fn fold_unicode(raw: &str, out: &mut String) {
    push_folded(letters(raw), out);
}

/// The characters of `raw` decomposed, without their marks, a few letters that do not
/// decompose taken to their plain one.
fn letters(raw: &str) -> impl Iterator<Item = char> {
    raw.nfd().filter(|c| !is_combining_mark(*c)).map(|c| match c {
        'ß' => 's',
        'æ' | 'Æ' => 'a',
        'ø' | 'Ø' => 'o',
        'đ' | 'Đ' => 'd',
        'ł' | 'Ł' => 'l',
        other => other,
    })
}

/// Characters below this (ASCII, Latin-1, Latin Extended-A and B) are folded by [`latin`].
const LATIN_END: usize = 0x250;
/// In [`latin`]: a character that leaves nothing (a mark).
const NOTHING: u8 = 0;
/// In [`latin`]: a character folded only with its neighbours (see there).
const UNKNOWN: u8 = 0xFF;

/// What [`letters`] makes of each character below [`LATIN_END`], as [`push_folded`] then
/// reads it: a lower-case ASCII letter or digit, a space for anything else, [`NOTHING`], or
/// [`UNKNOWN`] when it leaves more than one character or one that canonical ordering could
/// move. Made by [`letters`] itself, so it cannot disagree with it: a string decomposes
/// character by character, and ordering moves only characters of a nonzero combining class,
/// which here are all dropped.
fn latin() -> &'static [u8; LATIN_END] {
    static TABLE: std::sync::LazyLock<[u8; LATIN_END]> = std::sync::LazyLock::new(|| {
        std::array::from_fn(|code| {
            let Some(c) = u32::try_from(code).ok().and_then(char::from_u32) else {
                return UNKNOWN;
            };
            let mut left = letters(c.encode_utf8(&mut [0; 4])).collect::<Vec<char>>().into_iter();
            match (left.next(), left.next()) {
                (None, _) => NOTHING,
                (Some(l), None) if canonical_combining_class(l) == 0 => {
                    if l.is_ascii_alphanumeric() {
                        l.to_ascii_lowercase() as u8
                    } else {
                        b' '
                    }
                }
                _ => UNKNOWN,
            }
        })
    });
    &TABLE
}

/// `out` cleared, then the ASCII letters and digits of `chars` in lower case, every run of
/// anything else one space, none at either end.
fn push_folded(chars: impl Iterator<Item = char>, out: &mut String) {
    out.clear();
    let mut space = true;
    for c in chars {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
            space = false;
        } else if !space {
            out.push(' ');
            space = true;
        }
    }
    if out.ends_with(' ') {
        out.pop();
    }
}

/// The words of a folded name without particles, as [`name_tokens`] gives them, as slices of
/// `folded`: no string of its own per word, nor a vector to hold them (a million records
/// would allocate three each).
pub fn name_words(folded: &str) -> impl Iterator<Item = &str> {
    let particle = |t: &str| PARTICLES.contains(&t);
    // Asked only at the first particle: most names have none, and are then read once.
    let mut only_particles = None;
    folded.split(' ').filter(move |t| {
        !t.is_empty()
            && (!particle(t)
                || *only_particles.get_or_insert_with(|| folded.split(' ').all(|t| t.is_empty() || particle(t))))
    })
}

/// The words of a name, folded, without particles. A name made only of particles ("De") keeps
/// them, rather than vanish.
pub fn name_tokens(raw: &str) -> Vec<String> {
    let folded = fold(raw);
    let all: Vec<&str> = folded.split(' ').filter(|t| !t.is_empty()).collect();
    let kept: Vec<String> = all
        .iter()
        .filter(|t| !PARTICLES.contains(t))
        .map(|t| (*t).to_owned())
        .collect();
    if kept.is_empty() {
        all.into_iter().map(str::to_owned).collect()
    } else {
        kept
    }
}

/// A name folded and without particles, words joined by one space: "María  DE LOS Ángeles"
/// becomes "maria angeles".
pub fn name(raw: &str) -> String {
    name_tokens(raw).join(" ")
}

/// Type prefixes written before a document number: Venezuelan cédulas (V- for nationals,
/// E- for foreigners), Colombian (CC, CE, TI), Peruvian (DNI), passports (P, PP).
const DOCUMENT_PREFIXES: &[&str] = &["dni", "cc", "ce", "ci", "ti", "pp", "v", "e", "p"];

/// A document number without its type prefix, dots, dashes and spaces, in upper case; a
/// number made only of digits loses its leading zeros. Empty when nothing is left.
pub fn document(raw: &str) -> String {
    let mut out = String::new();
    document_into(raw, &mut out);
    out
}

/// [`document`], into `out` (cleared first): a million documents prepared through one buffer,
/// not three strings each.
pub fn document_into(raw: &str, out: &mut String) {
    fold_into(raw, out);
    out.retain(|c| c != ' ');
    let prefix = DOCUMENT_PREFIXES.iter().find(|prefix| {
        out.strip_prefix(**prefix)
            .is_some_and(|tail| tail.starts_with(|c: char| c.is_ascii_digit()))
    });
    out.drain(..prefix.map_or(0, |p| p.len()));
    if out.bytes().all(|b| b.is_ascii_digit()) {
        let zeros = out.len() - out.trim_start_matches('0').len();
        out.drain(..zeros);
    } else {
        out.make_ascii_uppercase();
    }
}

/// A date as `YYYYMMDD`, the form encodings and keys use.
pub fn date(date: time::Date) -> String {
    format!("{:04}{:02}{:02}", date.year(), u8::from(date.month()), date.day())
}

/// A short sound key for one folded word, tuned to Spanish spelling: b/v/w sound alike, z/s and
/// soft c too, h is silent, ll/y and soft g/j merge, "qu" is k, doubled letters count once,
/// vowels after the first letter are dropped; at most five symbols. "Yorbelis" and "Llorbelys",
/// "Wilmer" and "Vilmer", "Jiménez" and "Gimenes" share one.
pub fn phonetic(word: &str) -> String {
    let b = word.as_bytes();
    let mut out = String::with_capacity(5);
    let mut last = 0u8;
    let mut i = 0;
    while i < b.len() && out.len() < 5 {
        let c = b[i];
        let next = b.get(i + 1).copied().unwrap_or(0);
        let soft = matches!(next, b'e' | b'i' | b'y');
        let (code, skip) = match c {
            b'a' | b'e' | b'i' | b'o' | b'u' => (if out.is_empty() { b'a' } else { 0 }, 0),
            b'y' if is_vowel(next) => (b'y', 0),
            b'y' => (if out.is_empty() { b'a' } else { 0 }, 0),
            b'b' | b'v' | b'w' => (b'b', 0),
            b'c' if next == b'h' => (b'x', 1),
            b'c' if soft => (b's', 0),
            b'c' | b'k' => (b'k', 0),
            b'q' if next == b'u' => (b'k', 1),
            b'q' => (b'k', 0),
            b's' | b'z' => (b's', 0),
            b'g' if soft => (b'j', 0),
            b'j' => (b'j', 0),
            b'h' => (0, 0),
            b'l' if next == b'l' => (b'y', 1),
            b'r' | b'd' | b't' | b'f' | b'g' | b'l' | b'm' | b'n' | b'p' | b'x' => (c, 0),
            digit if digit.is_ascii_digit() => (digit, 0),
            _ => (0, 0),
        };
        if code != 0 && code != last {
            out.push(char::from(code));
        }
        // A vowel between two equal consonants still separates them ("Anana"); silence does not.
        if code != 0 || is_vowel(c) {
            last = code;
        }
        i += 1 + skip;
    }
    out
}

fn is_vowel(b: u8) -> bool {
    matches!(b, b'a' | b'e' | b'i' | b'o' | b'u')
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn accents_case_and_punctuation_fold_away() {
        assert_eq!(fold("  María-José  PÉREZ "), "maria jose perez");
        assert_eq!(fold("Núñez"), "nunez");
        assert_eq!(fold("Gonçalves d'Ávila"), "goncalves d avila");
        assert_eq!(fold(""), "");
        assert_eq!(fold("¿?"), "");
    }

    /// Every character the Latin table holds, alone, between letters and before a mark.
    #[test]
    fn each_latin_character_folds_as_unicode_does() {
        let mut folded = 0;
        for c in (0..LATIN_END as u32).filter_map(char::from_u32) {
            for raw in [
                format!("{c}"),
                format!("a{c}b"),
                format!("{c}\u{301}x"),
                format!("1 {c}{c} "),
            ] {
                let mut unicode = String::new();
                fold_unicode(&raw, &mut unicode);
                assert_eq!(fold(&raw), unicode, "{:?}", raw);
            }
            folded += usize::from(latin()[c as usize] != UNKNOWN);
        }
        // The table is used: the accented letters are all in it.
        assert!(folded > 500, "{folded}");
        assert_eq!(fold("ÁÉÍÓÚÜÑáéíóúüñÇçÃõ"), "aeiouunaeiouunccao");
    }

    #[test]
    fn particles_are_dropped_unless_they_are_the_whole_name() {
        assert_eq!(name("De La Cruz"), "cruz");
        assert_eq!(name("del Valle"), "valle");
        assert_eq!(name("de los Ángeles"), "angeles");
        assert_eq!(name("dos Santos"), "santos");
        assert_eq!(name("da Silva e Souza"), "silva souza");
        assert_eq!(name("De"), "de");
        assert_eq!(name_tokens("María José"), vec!["maria", "jose"]);
    }

    #[test]
    fn documents_lose_prefixes_dots_dashes_spaces_and_leading_zeros() {
        for raw in ["V-12.345.678", "v12345678", "12 345 678", "V 012345678", "12-345-678"] {
            assert_eq!(document(raw), "12345678", "{raw}");
        }
        assert_eq!(document("E-84.123.456"), "84123456");
        assert_eq!(document("CC 1.020.304.050"), "1020304050");
        // A letter before letters is part of the number, not a type prefix.
        assert_eq!(document("P-AB123456"), "PAB123456");
        assert_eq!(document("pasaporte 123"), "PASAPORTE123");
        assert_eq!(document("V-"), "V");
        assert_eq!(document(""), "");
    }

    #[test]
    fn dates_are_written_compactly() {
        let d = time::Date::from_calendar_date(1990, time::Month::March, 5).expect("valid");
        assert_eq!(date(d), "19900305");
    }

    #[test]
    fn spanish_spellings_share_a_sound_key() {
        let same = [
            ("yorbelis", "llorbelys"),
            ("wilmer", "vilmer"),
            ("jimenez", "gimenes"),
            ("gonzalez", "gonsales"),
            ("cecilia", "sesilia"),
            ("quintero", "kintero"),
            ("hernandez", "ernandes"),
            ("chavez", "chabes"),
        ];
        for (a, b) in same {
            assert_eq!(phonetic(a), phonetic(b), "{a} / {b}");
        }
        assert_ne!(phonetic("perez"), phonetic("gomez"));
        assert_ne!(phonetic("garcia"), phonetic("marcia"));
        assert!(phonetic("rodriguez").len() <= 5);
        assert_eq!(phonetic(""), "");
    }

    proptest! {
        #[test]
        fn folding_is_idempotent_and_ascii(raw in "\\PC{0,30}") {
            let once = fold(&raw);
            prop_assert!(once.is_ascii());
            prop_assert_eq!(fold(&once), once.clone());
            prop_assert_eq!(document(&document(&raw)), document(&raw));
            prop_assert!(phonetic(&once).len() <= 5);
            let words: Vec<&str> = name_words(&once).collect();
            prop_assert_eq!(words, name_tokens(&raw));
        }

        /// The ASCII shortcut folds as the Unicode path does.
        #[test]
        fn ascii_folds_as_unicode_does(raw in "[ -~]{0,30}") {
            let mut unicode = String::new();
            fold_unicode(&raw, &mut unicode);
            prop_assert_eq!(fold(&raw), unicode);
        }

        /// So does the Latin table, among marks and characters outside it.
        #[test]
        fn latin_folds_as_unicode_does(raw in "[ -~\u{80}-\u{24f}\u{300}-\u{36f}]{0,30}") {
            let mut unicode = String::new();
            fold_unicode(&raw, &mut unicode);
            prop_assert_eq!(fold(&raw), unicode);
        }
    }
}
