//! Names written in each other's boxes: a desk that puts the surnames where the given names go
//! ("Moulton | Gabriel" for Gabriel Moulton, "González Pérez | María José" for María José
//! González Pérez). Compared box by box, such a pair disagrees on both names, and a record
//! with a wrong birth date beside it is then kept apart from the person for good. Compared
//! crosswise, the names agree: the pair gets a level of its own on each name field
//! (`swapped_with_surnames`, `swapped_with_given_names`), whose weights the training learns
//! like any other's.

use super::compare::{Agree, LEVELS, ONE_SURNAME_EACH_DIFFERENT, Relate, SURNAMES, agree};
use super::prepare::{Interner, NONE, Prepared};

/// Given names: the other record carries them as its surnames.
pub(crate) const GIVEN_IN_SURNAMES: u32 = 5;
/// Surnames: the other record carries them as its given names.
pub(crate) const SURNAMES_IN_GIVEN: u32 = 9;
/// Given names: `similar`, the first level past a form of the same name.
const SIMILAR_GIVEN: u32 = 4;
/// Surnames: `different`, always the last level.
const DIFFERENT_SURNAMES: u32 = LEVELS[SURNAMES].len() as u32 - 1;

/// The two name levels of `a` and `b`, `given` and `surnames` as compared box by box, or the
/// swapped levels when neither name agrees straight and each record's first given name is
/// among the other's surnames (a typo allowed, but one of the two found exactly).
pub(crate) fn name_levels(
    a: &Prepared,
    b: &Prepared,
    words: &Interner,
    relate: &mut impl Relate,
    (given, surnames): (u32, u32),
) -> (u32, u32) {
    // Only where both name fields disagree: given names similar at best, no surname alike.
    let straight_disagrees =
        given >= SIMILAR_GIVEN && (surnames == ONE_SURNAME_EACH_DIFFERENT as u32 || surnames == DIFFERENT_SURNAMES);
    if !straight_disagrees || !crossed(a, b, words, relate) {
        return (given, surnames);
    }
    (GIVEN_IN_SURNAMES, SURNAMES_IN_GIVEN)
}

fn crossed(a: &Prepared, b: &Prepared, words: &Interner, relate: &mut impl Relate) -> bool {
    let (x, y) = (a.given_words[0], b.given_words[0]);
    if x == NONE || y == NONE {
        return false;
    }
    // Two word comparisons decide nearly every pair: the crossing must hold exactly once.
    let exact = a.surnames.contains(&y) || b.surnames.contains(&x);
    exact && among(x, &b.surnames, words, relate) && among(y, &a.surnames, words, relate)
}

/// Whether `word` is one of `surnames`, or a typo away from one.
fn among(word: u32, surnames: &[u32; 2], words: &Interner, relate: &mut impl Relate) -> bool {
    surnames
        .iter()
        .any(|s| *s != NONE && matches!(agree(word, *s, words, relate), Agree::Equal | Agree::Close))
}

#[cfg(test)]
mod tests {
    use super::super::compare::{GIVEN, LEVELS, SURNAMES, compare, level};
    use super::super::prepare::prepare_all;
    use super::super::tests::{date, person};
    use super::super::{LinkageSettings, PersonRecord, link};

    fn levels(a: &PersonRecord, b: &PersonRecord) -> (&'static str, &'static str) {
        let set = prepare_all(&[a.clone(), b.clone()]);
        let p = compare(&set.records[0], &set.records[1], &set.words);
        (LEVELS[GIVEN][level(p, GIVEN)], LEVELS[SURNAMES][level(p, SURNAMES)])
    }

    const SWAPPED: (&str, &str) = ("swapped_with_surnames", "swapped_with_given_names");

    /// The levels are numbers in the packed vector: these must be the ones `LEVELS` names.
    #[test]
    fn the_level_numbers_are_the_named_levels() {
        let at = |f: usize, l: u32| LEVELS[f][l as usize];
        assert_eq!(
            (
                at(GIVEN, super::GIVEN_IN_SURNAMES),
                at(SURNAMES, super::SURNAMES_IN_GIVEN)
            ),
            SWAPPED
        );
        assert_eq!(at(GIVEN, super::SIMILAR_GIVEN), "similar");
        assert_eq!(at(SURNAMES, super::DIFFERENT_SURNAMES), "different");
    }

    #[test]
    fn names_in_each_others_boxes_agree_crosswise() {
        let birth = Some(date(1945, 6, 3));
        let gabriel = person("a", "Gabriel", "Moulton", "", birth, "");
        assert_eq!(
            levels(&gabriel, &person("b", "Moulton", "Gabriel", "", birth, "")),
            SWAPPED
        );
        // A typo on one side of the crossing, not on both.
        assert_eq!(
            levels(&gabriel, &person("b", "MOULTON", "Gabriell", "", birth, "")),
            SWAPPED
        );
        assert_ne!(
            levels(&gabriel, &person("b", "Moulten", "Gabriell", "", birth, "")),
            SWAPPED
        );
        // Two given names and two surnames, the whole name in the other box.
        let maria = person("a", "María José", "González", "Pérez", birth, "");
        let crossed = person("b", "GONZALEZ PEREZ", "MARIA JOSE", "", birth, "");
        assert_eq!(levels(&maria, &crossed), SWAPPED);
        // One crossing alone is a coincidence of names, not a swap.
        let rosa = person("a", "Rosa", "Cruz", "", birth, "");
        assert_eq!(
            levels(&rosa, &person("b", "Cruz", "Pérez", "", birth, "")),
            ("different", "one_surname_each_different")
        );
        // Names that agree straight keep their levels.
        assert_eq!(
            levels(&gabriel, &person("b", "Gabriel", "Moulton", "", birth, "")),
            ("exact", "exact_one_surname")
        );
    }

    /// Yorman José Rivas Pérez, registered in full, again with his names in each other's boxes,
    /// and again with a typo in his given name and the year of birth wrong: one person. Before,
    /// the swapped registration disagreed on both names with the third and the wrong year made
    /// three fields against: it stayed a person of its own.
    #[test]
    fn a_swapped_registration_joins_its_person() {
        let (mut records, _) = super::super::tests::population();
        let start = records.len();
        let birth = Some(date(1988, 11, 23));
        records.extend([
            person("y-0", "Yorman José", "Rivas", "Pérez", birth, "V-18.765.432"),
            person("y-1", "RIVAS PEREZ", "YORMAN JOSE", "", birth, "18765432"),
            person(
                "y-2",
                "Yormna José",
                "Rivas",
                "Pérez",
                Some(date(1983, 2, 7)),
                "V18765432",
            ),
        ]);
        let linkage = link(&records, &LinkageSettings::default());
        let cluster_of = |i: usize| linkage.clusters.iter().position(|c| c.contains(&i));
        assert_eq!(cluster_of(start), cluster_of(start + 1));
        assert_eq!(cluster_of(start), cluster_of(start + 2));
        let pair = linkage
            .pairs
            .iter()
            .find(|p| (p.left, p.right) == (start, start + 1))
            .expect("the swapped pair is reported");
        assert_eq!((pair.fields[GIVEN].level, pair.fields[SURNAMES].level), SWAPPED);
        assert!(
            pair.fields[GIVEN].weight > 0.0 && pair.fields[SURNAMES].weight > 0.0,
            "{pair:?}"
        );
    }

    /// A model stored before these levels existed weighs a swapped pair as it was trained to:
    /// both names `different`.
    #[test]
    fn a_model_stored_before_weighs_a_swap_as_different() {
        let mut model = link(&super::super::tests::population().0, &LinkageSettings::default()).model;
        let different = |model: &super::super::MatchModel, f: usize| {
            let levels = &model.fields[f].levels;
            levels
                .iter()
                .find(|l| l.level == "different")
                .expect("different")
                .weight
        };
        let expected = (different(&model, GIVEN), different(&model, SURNAMES));
        for field in &mut model.fields {
            field.levels.retain(|l| !l.level.starts_with("swapped_with_"));
        }
        let json = serde_json::to_string(&model).expect("json");
        let stored: super::super::MatchModel = serde_json::from_str(&json).expect("reads");
        let birth = Some(date(1945, 6, 3));
        let pair = stored.compare(
            &person("a", "Gabriel", "Moulton", "", birth, ""),
            &person("b", "Moulton", "Gabriel", "", birth, ""),
        );
        assert_eq!((pair.fields[GIVEN].level, pair.fields[SURNAMES].level), SWAPPED);
        // Through JSON: equal to the last bit or two.
        assert!((pair.fields[GIVEN].weight - expected.0).abs() < 1e-9, "{pair:?}");
        assert!((pair.fields[SURNAMES].weight - expected.1).abs() < 1e-9, "{pair:?}");
    }
}
