use proptest::prelude::*;
use time::macros::date;

use super::compare::{Candidate, candidates};
use super::encode::{document_digits, name_words};
use super::link::{OrganisationSet, solve_greedy};
use super::*;
use crate::registration::people::Sex;

const SECRET: &[u8] = b"a passphrase the organisations share\n";

fn maria() -> Identity {
    Identity {
        given_names: "María José".into(),
        first_surname: "González".into(),
        second_surname: Some("Pérez".into()),
        birth_date: Some(date!(1987 - 03 - 05)),
        sex: Some(Sex::Female),
        document: Some("V-12.345.678".into()),
    }
}

fn encoder() -> Encoder {
    Encoder::new(SECRET).expect("a long secret")
}

#[test]
fn the_same_person_written_differently_scores_high() {
    let e = encoder();
    let original = e.encode(&maria());
    let variants = [
        // Accents and case dropped, document without prefix and dots.
        Identity {
            given_names: "MARIA JOSE".into(),
            first_surname: "GONZALEZ".into(),
            second_surname: Some("PEREZ".into()),
            document: Some("12345678".into()),
            ..maria()
        },
        // Surnames in the other order, compound given name cut short.
        Identity {
            given_names: "Maria".into(),
            first_surname: "Pérez".into(),
            second_surname: Some("González".into()),
            ..maria()
        },
        // A typo, one surname missing, day and month swapped.
        Identity {
            given_names: "Maria Jose".into(),
            first_surname: "Gonzales".into(),
            second_surname: None,
            birth_date: Some(date!(1987 - 05 - 03)),
            ..maria()
        },
        // A mistyped document digit and a year off by one.
        Identity {
            birth_date: Some(date!(1988 - 03 - 05)),
            document: Some("V12345679".into()),
            ..maria()
        },
    ];
    for variant in &variants {
        let score = original.dice(&e.encode(variant));
        assert!(score >= 0.8, "{variant:?} scored {score}");
    }
    assert_eq!(original.dice(&original), 1.0);
}

#[test]
fn different_people_score_low() {
    let e = encoder();
    let other = Identity {
        given_names: "Luis Alberto".into(),
        first_surname: "Ramírez".into(),
        second_surname: Some("Castillo".into()),
        birth_date: Some(date!(1992 - 11 - 02)),
        sex: Some(Sex::Male),
        document: Some("V-20.987.654".into()),
    };
    let score = e.encode(&maria()).dice(&e.encode(&other));
    assert!(score < 0.6, "scored {score}");
    // Sisters share surnames and little else.
    let sister = Identity {
        given_names: "Carmen".into(),
        birth_date: Some(date!(1990 - 07 - 25)),
        document: Some("V-14.222.901".into()),
        ..maria()
    };
    let score = e.encode(&maria()).dice(&e.encode(&sister));
    assert!(score < 0.8, "sister scored {score}");
}

#[test]
fn the_secret_matters() {
    let ours = encoder();
    let theirs = Encoder::new(b"another passphrase, not shared").expect("long");
    let score = ours.encode(&maria()).dice(&theirs.encode(&maria()));
    assert!(score < 0.6, "different secrets scored {score}");
    assert_ne!(ours.pseudonym("P-1"), theirs.pseudonym("P-1"));
    assert_eq!(ours.pseudonym("P-1"), encoder().pseudonym(" P-1 "));
    assert_eq!(ours.pseudonym("P-1").len(), 32);
    assert_eq!(Encoder::new(b"  short \n").map(|_| ()), Err(SecretError::TooShort(5)));
}

#[test]
fn filters_are_about_half_full_and_round_trip_as_bytes() {
    let clk = encoder().encode(&maria());
    let share = f64::from(clk.count()) / BITS as f64;
    assert!((0.25..0.65).contains(&share), "{share}");
    assert_eq!(Clk::from_bytes(&clk.to_bytes()), Some(clk));
    assert_eq!(Clk::from_bytes(&[0; 12]), None);
    assert_eq!(encoder().encode(&Identity::default()), Clk::EMPTY);
    assert_eq!(Clk::EMPTY.dice(&Clk::EMPTY), 0.0);
}

#[test]
fn normalisation_of_names_and_documents() {
    assert_eq!(name_words("María  de la Cruz"), ["maria", "cruz"]);
    assert_eq!(name_words("DEL VALLE"), ["valle"]);
    assert_eq!(document_digits("V-12.345.678"), "12345678");
    assert_eq!(document_digits("e 8.123.456"), "8123456");
    assert_eq!(document_digits("PA1234"), "pa1234");
    assert_eq!(document_digits("V"), "v");
}

fn random_clks(seed: u64, n: usize) -> Vec<Clk> {
    let mut x = seed | 1;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    // Sparse-ish filters, so that some pairs pass middling thresholds.
    (0..n).map(|_| Clk(std::array::from_fn(|_| next() & next()))).collect()
}

proptest! {
    #[test]
    fn candidates_are_exactly_the_pairs_at_or_above_the_threshold(
        seed in 1u64..u64::MAX, n in 0usize..40, m in 0usize..300, threshold in 0.0f64..1.0,
    ) {
        let left = random_clks(seed, n);
        let mut right = random_clks(seed.rotate_left(17), m);
        if let (Some(first), Some(slot)) = (left.first(), right.get_mut(0)) {
            *slot = *first;
        }
        let mut expected = Vec::new();
        for (i, a) in left.iter().enumerate() {
            for (j, b) in right.iter().enumerate() {
                let dice = a.dice(b);
                if dice >= threshold && (a.count() + b.count()) > 0 {
                    expected.push(Candidate { left: i as u32, right: j as u32, dice });
                }
            }
        }
        prop_assert_eq!(candidates(&left, &right, threshold), expected);
    }
}

#[test]
fn candidates_use_every_core_and_keep_the_order() {
    let left = random_clks(7, 700);
    let right = random_clks(11, 3_000);
    let found = candidates(&left, &right, 0.3);
    assert!(!found.is_empty());
    assert!(
        found
            .windows(2)
            .all(|w| (w[0].left, w[0].right) < (w[1].left, w[1].right))
    );
}

#[test]
fn greedy_pairs_one_to_one_best_first() {
    let c = |left, right, dice| Candidate { left, right, dice };
    let solved = solve_greedy(vec![c(0, 0, 0.9), c(0, 1, 0.95), c(1, 1, 0.92), c(1, 0, 0.85)]);
    assert_eq!(solved, vec![c(0, 1, 0.95), c(1, 0, 0.85)]);
}

#[test]
fn linking_counts_the_people_two_organisations_share() {
    let e = encoder();
    let people: Vec<Identity> = (0..30)
        .map(|i| Identity {
            given_names: ["Ana", "Luis", "Carmen", "José", "Yusmary"][i % 5].into(),
            first_surname: ["Rojas", "Pérez", "Silva", "Mendoza", "Torres", "Rivas"][i / 5].into(),
            second_surname: None,
            birth_date: time::Date::from_ordinal_date(1960 + i as i32, 1 + (i as u16 * 7)).ok(),
            sex: Some(if i % 2 == 0 { Sex::Female } else { Sex::Male }),
            document: Some(format!("V-{}", 10_000_000 + i * 7919)),
        })
        .collect();
    let set = |name: &str, range: std::ops::Range<usize>| OrganisationSet {
        organisation: name.into(),
        pseudonyms: range.clone().map(|i| e.pseudonym(&format!("{name}-{i}"))).collect(),
        clks: range.map(|i| e.encode(&people[i])).collect(),
    };
    // A: 0..20, B: 10..30, C: 25..30 → A∩B 10, A∩C 0, B∩C 5.
    let sets = [set("A", 0..20), set("B", 10..30), set("C", 25..30)];
    let linked = link(&sets, 0.8);
    let matched: Vec<_> = linked.overlaps.iter().map(|o| (o.left, o.right, o.matched)).collect();
    assert_eq!(matched, [(0, 1, 10), (0, 2, 0), (1, 2, 5)]);
    assert_eq!(linked.comparisons, 20 * 20 + 20 * 5 + 20 * 5);
    for pair in &linked.pairs {
        let person = |set: usize, record: usize| record + [0, 10, 25][set];
        assert_eq!(
            person(pair.left, pair.left_record),
            person(pair.right, pair.right_record)
        );
    }
    assert_eq!(linked.pairs.len(), 15);
}
