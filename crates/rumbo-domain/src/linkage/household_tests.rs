//! Household evidence: the family a person came with tells apart what names cannot.

use super::household::{Households, estimate, key_of, weights};
use super::tests::{date, person, population};
use super::*;

fn in_household(r: PersonRecord, source: &str, case: &str) -> PersonRecord {
    PersonRecord {
        source: source.into(),
        household: Some(case.into()),
        ..r
    }
}

/// Six records: household "1" of ORG (0, 1, 2) and household "1" of OTHER (3, 4, 5): the same
/// case number, two organisations, two households.
fn two_households() -> Households {
    let records: Vec<PersonRecord> = (0..6)
        .map(|k| {
            let source = if k < 3 { "ORG" } else { "OTHER" };
            in_household(person(&k.to_string(), "Ana", "Pérez", "", None, ""), source, "1")
        })
        .collect();
    Households::of(&records).expect("households")
}

#[test]
fn a_pair_is_not_its_own_evidence() {
    let mut h = two_households();
    assert!(h.same(0, 2) && !h.same(0, 3));
    h.link([(0, 3)].into_iter());
    let level = |h: &Households, i, j| HOUSEHOLD_LEVELS[h.level(i, j)];
    // 0 and 3 matched, and nobody else: their households are linked by them alone.
    assert_eq!(level(&h, 0, 3), "none_matched");
    assert_eq!(level(&h, 1, 4), "one_other_matched");
    h.link([(1, 4)].into_iter());
    assert_eq!(level(&h, 0, 3), "one_other_matched");
    assert_eq!(level(&h, 2, 5), "several_others_matched");
    // A match of either record with someone else is not evidence for the pair: 0 with 4 has
    // (0, 3) and (1, 4) across the households, each holding one of them.
    assert_eq!(level(&h, 0, 4), "none_matched");
}

/// Household "1" of ORG (0, 1, 2) matched both "1" of OTHER (3, 4, 5) and "1" of THIRD (6, 7,
/// 8): each pair of households is told by its own matches, and the two it links to ORG's are
/// not linked to each other.
#[test]
fn a_household_linked_to_two_others_is_told_by_each() {
    let records: Vec<PersonRecord> = (0..9)
        .map(|k| {
            let source = ["ORG", "OTHER", "THIRD"][k / 3];
            in_household(person(&k.to_string(), "Ana", "Pérez", "", None, ""), source, "1")
        })
        .collect();
    let mut h = Households::of(&records).expect("households");
    h.link([(0, 3), (1, 4), (6, 0)].into_iter());
    let level = |i, j| HOUSEHOLD_LEVELS[h.level(i, j)];
    assert_eq!(level(2, 5), "several_others_matched");
    assert_eq!(level(1, 7), "one_other_matched");
    assert_eq!(level(8, 2), "one_other_matched");
    assert_eq!(level(0, 7), "none_matched", "its own record's match only");
    assert_eq!(level(4, 7), "none_matched", "OTHER's and THIRD's are not linked");
    assert_eq!(level(5, 8), "none_matched");
}

/// Records of many households: case numbers written with spaces around, the same numbers at
/// two organisations, and one number filled in for more people than any family has.
fn many_households() -> Vec<PersonRecord> {
    (0..1_200)
        .map(|k: usize| {
            let source = ["ORG", "OTHER", "THIRD"][k % 3];
            let case = match k % 7 {
                0 => format!(" {} ", k % 97),
                1 => "0".to_owned(),
                _ => (k % 97).to_string(),
            };
            in_household(person(&k.to_string(), "Ana", "Pérez", "", None, ""), source, &case)
        })
        .collect()
}

/// Told apart by the key alone, the households are the ones their organisations and trimmed
/// case numbers make, whichever half of the key two of them share: no pair of records is in
/// one household that the strings put in two, nor the reverse.
#[test]
fn households_are_their_strings_whichever_half_of_the_key_collides() {
    let records = many_households();
    let case = |i: usize| {
        let r = &records[i];
        (
            r.source.clone(),
            r.household.as_deref().map(str::trim).map(str::to_owned),
        )
    };
    let filled = |source: &str| {
        (0..records.len())
            .filter(|i| case(*i) == (source.to_owned(), Some("0".to_owned())))
            .count()
    };
    assert!(
        filled("ORG") > 40 && filled("THIRD") > 40,
        "a number filled in for everyone"
    );
    let strings = |i: usize, j: usize| case(i) == case(j) && case(i).1.as_deref() != Some("0");
    type KeyOf = fn(&(&str, &str)) -> (u64, u64);
    let keys: [(&str, KeyOf); 3] = [
        ("the key", key_of),
        ("the low half", |c| (0, key_of(c).1)),
        ("the high half", |c| (key_of(c).0, 0)),
    ];
    for (name, key) in keys {
        let h = Households::grouped(&records, key).expect("households");
        for i in 0..records.len() {
            for j in i + 1..records.len() {
                assert_eq!(h.same(i, j), strings(i, j), "{name}: records {i} and {j}");
            }
        }
    }
    // The key is all that tells households apart: with one for all, six records of six
    // households are one.
    let h = Households::grouped(&records[..6], |_| (0, 0)).expect("households");
    assert!(!strings(2, 4) && h.same(2, 4));
    let (a, b) = key_of(&("ORG", "12"));
    assert_ne!(a, b, "two halves");
    assert_eq!(key_of(&("ORG", "12")), (a, b), "the same every time");
    assert_ne!(key_of(&("ORG", "12")), key_of(&("OTHER", "12")));
}

#[test]
fn no_household_or_alone_in_it_tells_nothing() {
    let records = vec![
        in_household(person("a", "Ana", "Pérez", "", None, ""), "ORG", "7"),
        in_household(person("b", "Ana", "Pérez", "", None, ""), "OTHER", "8"),
        in_household(person("c", "Rosa", "Pérez", "", None, ""), "OTHER", "8"),
        person("d", "Ana", "Pérez", "", None, ""),
    ];
    let mut h = Households::of(&records).expect("households");
    h.link([(0, 1)].into_iter());
    assert_eq!(h.level(0, 1), 0, "alone in household 7 of ORG");
    assert_eq!(h.level(1, 3), 0, "d has no household");
    assert!(Households::of(&[person("d", "Ana", "Pérez", "", None, "")]).is_none());
}

#[test]
fn the_weights_follow_the_counts() {
    // Among matches mostly linked households; among the other candidates mostly not.
    let field = estimate(&[0.0, 600.0, 200.0, 200.0], &[0.0, 50.0, 150.0, 9_800.0]);
    let w = weights(&field);
    assert_eq!(w[0], 0.0);
    assert!(w[1] > w[2] && w[2] > 0.0 && w[3] < 0.0, "{w:?}");
    // Nothing seen: no evidence either way.
    let w = weights(&estimate(&[0.0; 4], &[0.0; 4]));
    assert!(w.iter().all(|x| x.abs() < 1e-12), "{w:?}");
}

/// Syllables for surnames no other test uses: one family, one pair of surnames.
fn family_surname(k: usize) -> String {
    const SYLLABLES: [&str; 8] = ["ara", "be", "cu", "do", "fe", "gi", "lo", "mu"];
    let name = format!(
        "{}{}{}",
        SYLLABLES[k % 8],
        SYLLABLES[(k / 8) % 8],
        SYLLABLES[(k / 64 + 3) % 8]
    );
    let mut letters = name.chars();
    letters
        .next()
        .map_or(String::new(), |c| c.to_uppercase().chain(letters).collect())
}

/// The population of `tests` (no households) and forty families: father and mother with
/// documents, a daughter and a son without document or birth date. Families 0..30 were
/// registered by ORG and again by OTHER (each time under its own case number); families 30..40
/// by ORG alone, and their daughters are namesakes of those of families 0..10 (same given
/// names, surnames and sex; other parents, a brother of another name). Returns the records and the indices of family 0's
/// daughter (ORG, OTHER) and of her namesake in family 30.
fn families() -> (Vec<PersonRecord>, [usize; 3]) {
    // The population's people three to a household, as each desk registered them (key
    // "person-copy"): unrelated families, whose many candidate pairs are the non-matches of
    // households no match links.
    let (mut records, _) = population();
    for r in &mut records {
        let (person, copy) = r.key.split_once('-').expect("key");
        let person: usize = person.parse().expect("number");
        r.household = Some(format!("P{}-{copy}", person / 3));
    }
    let mut anas = [0; 3];
    for f in 0..40 {
        let named = if f < 30 { f } else { f - 30 };
        let (s1, s2) = (family_surname(2 * named), family_surname(2 * named + 1));
        let father = PersonRecord {
            sex: Some(Sex::Male),
            ..person(
                "",
                "Carlos",
                &s1,
                &family_surname(200 + f),
                Some(date(1960 + f as i32, 1 + (f % 12) as u8, 3)),
                &format!("V-{}", 2_000_000 + f),
            )
        };
        let mother = person(
            "",
            if f < 30 { "Rosa" } else { "Carmen" },
            &s2,
            &family_surname(300 + f),
            Some(date(1962 + f as i32, 1 + (f % 12) as u8, 9)),
            &format!("V-{}", 3_000_000 + f),
        );
        let daughter = person("", "Ana", &s1, &s2, None, "");
        let son = PersonRecord {
            sex: Some(Sex::Male),
            ..person("", if f < 30 { "José" } else { "Pedro" }, &s1, &s2, None, "")
        };
        let times: &[&str] = if f < 30 { &["ORG", "OTHER"] } else { &["ORG"] };
        for (t, source) in times.iter().enumerate() {
            for (k, member) in [&father, &mother, &daughter, &son].into_iter().enumerate() {
                if k == 2 && f % 30 == 0 {
                    anas[if f == 30 { 2 } else { t }] = records.len();
                }
                records.push(PersonRecord {
                    key: format!("f{f}-{source}-{k}"),
                    ..in_household(member.clone(), source, &format!("{source}-{f}"))
                });
            }
        }
    }
    (records, anas)
}

/// Family 0's daughter was registered twice; family 30 has a namesake daughter. Names cannot
/// tell the three records apart; the family can: her two records are one person, with the
/// household field saying why, and the namesake is less probable than she is.
#[test]
fn a_child_is_found_by_her_family_and_not_by_her_namesake() {
    let (records, [ana, again, namesake]) = families();
    let linkage = link(&records, &LinkageSettings::default());
    let pair = |i: usize, j: usize| linkage.pairs.iter().find(|p| (p.left, p.right) == (i.min(j), i.max(j)));
    let found = pair(ana, again).expect("the daughter's two registrations are a pair");
    let household = found.fields.last().expect("fields");
    assert_eq!(household.field, HOUSEHOLD);
    assert_eq!(household.level, "several_others_matched");
    // What the households say for her, against what they say for her namesake (whose family
    // matched nobody's): learnt from this population, where siblings across the two
    // registrations of a family are most of the non-matches of linked households.
    let learnt = linkage
        .model
        .fields
        .iter()
        .find(|f| f.field == HOUSEHOLD)
        .expect("stored");
    assert_eq!(learnt.levels.len(), HOUSEHOLD_LEVELS.len());
    let none = learnt.levels.iter().find(|l| l.level == "none_matched").expect("level");
    assert!(household.weight > none.weight + 2.0, "{learnt:?}");
    let sum: f64 = found.fields.iter().map(|f| f.weight).sum();
    assert!((sum - found.weight).abs() < 1e-9);
    // Every pair says what the household said, even if nothing; the families' pairs are among
    // the others in order, each once.
    assert!(linkage.pairs.iter().all(|p| p.fields.len() == FIELDS.len() + 1));
    assert!(
        linkage
            .pairs
            .windows(2)
            .all(|w| (w[0].left, w[0].right) < (w[1].left, w[1].right))
    );
    for other in [ana, again] {
        let other = pair(other, namesake);
        assert!(
            other.is_none_or(|p| p.probability < found.probability),
            "{other:?} {learnt:?}"
        );
    }
    let cluster = |i: usize| linkage.clusters.iter().find(|c| c.contains(&i)).expect("clustered");
    assert!(cluster(ana).contains(&again));
    // Her namesake may still join them here: among a few hundred records the prior odds
    // are high and the field learns little (at a million records, bench/dedup, it decides).
    assert!(linkage.stats.household_seconds > 0.0);
}

/// Without households the field does not exist: the same pairs, clusters and model as before
/// it, whoever calls.
#[test]
fn without_households_nothing_changes() {
    let (records, _) = families();
    let without: Vec<PersonRecord> = records
        .into_iter()
        .map(|r| PersonRecord { household: None, ..r })
        .collect();
    let linkage = link(&without, &LinkageSettings::default());
    assert!(linkage.pairs.iter().all(|p| p.fields.len() == FIELDS.len()));
    assert!(linkage.model.fields.iter().all(|f| f.field != HOUSEHOLD));
}

/// A household lists each of its people once: two records of one household, identical as they
/// are, are two people (twins given one name by a hurried desk), never a pair, never one
/// cluster.
#[test]
fn one_household_never_holds_one_person_twice() {
    let (mut records, _) = population();
    let twin = in_household(
        person("t1", "Wilmer", "Arreaza", "Urdaneta", Some(date(2015, 4, 2)), ""),
        "ORG",
        "77",
    );
    records.push(twin.clone());
    records.push(PersonRecord {
        key: "t2".into(),
        ..twin
    });
    let (a, b) = (records.len() - 2, records.len() - 1);
    let linkage = link(&records, &LinkageSettings::default());
    assert!(!linkage.pairs.iter().any(|p| (p.left, p.right) == (a, b)));
    assert!(linkage.clusters.iter().all(|c| !(c.contains(&a) && c.contains(&b))));
    // Without the household the two are one person.
    let alone: Vec<PersonRecord> = records
        .into_iter()
        .map(|r| PersonRecord { household: None, ..r })
        .collect();
    let linkage = link(&alone, &LinkageSettings::default());
    assert!(linkage.pairs.iter().any(|p| (p.left, p.right) == (a, b)));
}

/// A case number filled in for everyone ("0" for a whole organisation's list) is no family:
/// its records are neither kept apart nor paired wholesale with another such list — the run is
/// the one without households.
#[test]
fn a_number_filled_in_for_everyone_is_no_household() {
    let (records, _) = population();
    let filled: Vec<PersonRecord> = records
        .iter()
        .map(|r| PersonRecord {
            household: Some("0".into()),
            ..r.clone()
        })
        .collect();
    assert!(filled.len() > 200);
    let h = Households::of(&filled).expect("households");
    assert!(!h.same(0, 1));
    let without = link(&records, &LinkageSettings::default());
    let with = link(&filled, &LinkageSettings::default());
    assert_eq!(with.clusters, without.clusters);
    let pairs = |l: &Linkage| l.pairs.iter().map(|p| (p.left, p.right)).collect::<Vec<_>>();
    assert_eq!(pairs(&with), pairs(&without));
}

/// A model stored with the household field is read back and scores as before (the field is
/// not used on one pair: a single registration has no matched family yet); one stored before
/// the field is read too.
#[test]
fn a_model_with_or_without_the_field_is_read_back() {
    let (records, [ana, again, _]) = families();
    let model = link(&records, &LinkageSettings::default()).model;
    let json = serde_json::to_string(&model).expect("json");
    let read: MatchModel = serde_json::from_str(&json).expect("read back");
    let pair = read.compare(&records[ana], &records[again]);
    assert_eq!(pair.fields.len(), FIELDS.len());
    let mut older = model.clone();
    older.fields.retain(|f| f.field != HOUSEHOLD);
    let json = serde_json::to_string(&older).expect("json");
    let read: MatchModel = serde_json::from_str(&json).expect("read back");
    assert_eq!(read.compare(&records[ana], &records[again]), pair);
}
