//! The comparison asks how two words relate only when the answer can change a level: held here
//! against the comparison as first written, which asked every question, on look-alike names
//! that make each level and each shortcut occur.

use proptest::prelude::*;

use super::super::prepare::{Interner, NONE, Prepared, prepare_all};
use super::super::tests::person;
use super::{Agree, Direct, ONE_SURNAME, ONE_SURNAME_EACH_DIFFERENT, Relate, agree, first_names_one_edit};

/// The given names' level asking every question.
fn given_asking_all(a: &Prepared, b: &Prepared, words: &Interner, relate: &mut impl Relate) -> u32 {
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
    let typo = full.one_edit()
        || first_names_one_edit(a.given_words[0], b.given_words[0], words, relate)
            && (a.given_count() != b.given_count() || a.given_words[1] == b.given_words[1]);
    if full.close() || typo {
        3
    } else if full.similar() {
        4
    } else {
        6
    }
}

/// The surnames' level asking every question.
fn surnames_asking_all(a: &Prepared, b: &Prepared, words: &Interner, relate: &mut impl Relate) -> u32 {
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
        return match agree(first(a), first(b), words, relate) {
            Equal => ONE_SURNAME as u32,
            Close => 6,
            _ => ONE_SURNAME_EACH_DIFFERENT as u32,
        };
    }
    if na == 1 || nb == 1 {
        let (single, both) = if na == 1 { (first(a), b) } else { (first(b), a) };
        let found = [
            agree(single, both.surnames[0], words, relate),
            agree(single, both.surnames[1], words, relate),
        ];
        return if found.contains(&Equal) {
            4
        } else if found.contains(&Close) {
            6
        } else {
            10
        };
    }
    let straight = [
        agree(a.surnames[0], b.surnames[0], words, relate),
        agree(a.surnames[1], b.surnames[1], words, relate),
    ];
    let swapped = [
        agree(a.surnames[0], b.surnames[1], words, relate),
        agree(a.surnames[1], b.surnames[0], words, relate),
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
        _ => 10,
    }
}

proptest! {
    /// Names from few letters, so that equal, close (one edit, four letters or more) and
    /// different words, one or two surnames, in either order, all occur.
    #[test]
    fn name_levels_equal_those_asking_every_question(
        names in proptest::collection::vec(
            ("(abab|abba|aab|ab)( (abab|baba|ab))?( (ab|b))?", "(abcd|abdc|abce|bacd|ab)?", "(abcd|abdc|abce|bacd|ab)?"),
            2..8,
        ),
    ) {
        let records: Vec<_> = names
            .iter()
            .enumerate()
            .map(|(k, (g, s1, s2))| person(&k.to_string(), g, s1, s2, None, ""))
            .collect();
        let set = prepare_all(&records);
        let words = &set.words;
        for a in &set.records {
            for b in &set.records {
                prop_assert_eq!(super::given(a, b, words, &mut Direct), given_asking_all(a, b, words, &mut Direct));
                prop_assert_eq!(
                    super::surnames(a, b, words, &mut Direct),
                    surnames_asking_all(a, b, words, &mut Direct)
                );
            }
        }
    }
}
