use proptest::prelude::*;

use super::*;
use crate::registration::facts::FACT_COUNT;
use crate::registration::needs::SpecificNeed;

fn criterion(id: &str, fact: Fact, op: Op, value: &str, points: f64, group: Option<&str>) -> Criterion {
    Criterion {
        id: id.into(),
        label: format!("{id} label"),
        fact,
        op,
        value: value.into(),
        points,
        group: group.map(Into::into),
    }
}

fn model() -> Model {
    Model::new(Definition {
        criteria: vec![
            criterion("female-head", Fact::FemaleHeaded, Op::Eq, "yes", 10.0, None),
            criterion("large", Fact::HouseholdSize, Op::Ge, "5", 8.0, Some("composition")),
            criterion("children", Fact::Children, Op::Ge, "3", 7.0, Some("composition")),
            criterion(
                "disability",
                Fact::Need(SpecificNeed::Disability),
                Op::Ge,
                "1",
                15.0,
                Some("needs"),
            ),
            criterion("unsafe", Fact::Condition(7), Op::Eq, "unsafe", 25.8, Some("needs")),
            criterion("two-meals", Fact::Condition(0), Op::Eq, "two_or_more", -18.2, None),
        ],
        caps: vec![Cap {
            group: "needs".into(),
            max_points: 30.0,
        }],
        max_score: Some(100.0),
        threshold: 30.0,
    })
    .expect("valid model")
}

fn facts(values: &[(Fact, f64)]) -> Facts {
    let mut f = [f64::NAN; FACT_COUNT];
    for (fact, v) in values {
        f[fact.index()] = *v;
    }
    Facts(f)
}

#[test]
fn scores_add_points_cap_groups_and_explain_themselves() {
    let model = model();
    let household = facts(&[
        (Fact::FemaleHeaded, 1.0),
        (Fact::HouseholdSize, 6.0),
        (Fact::Children, 2.0),
        (Fact::Need(SpecificNeed::Disability), 1.0),
        (Fact::Condition(7), 1.0),
        (Fact::Condition(0), 1.0),
    ]);
    let score = model.score(&household);
    // 10 + 8 + min(15 + 25.8, 30) - 18.2
    assert_eq!(score.value, 29.8);
    assert!(!score.eligible, "29.8 is below the threshold of 30");
    let explanation = model.explain(&score);
    let ids: Vec<&str> = explanation.contributions.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, ["female-head", "large", "disability", "unsafe", "two-meals"]);
    assert_eq!(explanation.capped.len(), 1);
    assert_eq!(explanation.capped[0].group, "needs");
    assert!((explanation.capped[0].raw_points - 40.8).abs() < 1e-9);
}

#[test]
fn unknown_facts_match_no_criterion() {
    let score = model().score(&facts(&[]));
    assert_eq!((score.value, score.matched), (0.0, 0));
}

#[test]
fn bad_models_are_refused_with_every_problem() {
    let problems = Model::new(Definition {
        criteria: vec![
            criterion("a", Fact::HouseholdSize, Op::Ge, "five", 1.0, None),
            criterion("a", Fact::Condition(7), Op::Eq, "scared", 1.0, None),
            criterion("b c", Fact::FemaleHeaded, Op::Eq, "yes", f64::NAN, None),
        ],
        caps: vec![Cap {
            group: "nowhere".into(),
            max_points: 5.0,
        }],
        max_score: None,
        threshold: 10.0,
    })
    .expect_err("invalid");
    let listed: Vec<String> = problems.iter().map(ToString::to_string).collect();
    assert_eq!(listed.len(), 6, "{listed:#?}");
    assert!(
        listed[0].contains("household_size is compared with a number"),
        "{listed:#?}"
    );
    assert!(listed.iter().any(|p| p.contains("used by an earlier criterion")));
    assert!(listed.iter().any(|p| p.contains("cap of nowhere")));
    assert!(
        Model::new(Definition {
            criteria: vec![],
            caps: vec![],
            max_score: None,
            threshold: 0.0
        })
        .is_err()
    );
}

#[test]
fn slugs() {
    assert_eq!(
        slug("wellbeing.Safety: not feeling safe"),
        "wellbeing.safety-not-feeling-safe"
    );
    assert_eq!(slug("  Días  "), "d-as");
}

#[test]
fn ops_parse_symbols() {
    assert_eq!(Op::parse(">="), Ok(Op::Ge));
    assert_eq!(Op::parse("ne"), Ok(Op::Ne));
    assert!(Op::parse("~").is_err());
}

proptest! {
    /// Whatever the facts, the score is what the explanation adds up to, and eligibility is
    /// the threshold test.
    #[test]
    fn explanations_add_up(values in proptest::collection::vec(0.0f64..8.0, 6)) {
        let model = model();
        let household = facts(&[
            (Fact::FemaleHeaded, (values[0] as i64 % 2) as f64),
            (Fact::HouseholdSize, values[1].floor()),
            (Fact::Children, values[2].floor()),
            (Fact::Need(SpecificNeed::Disability), (values[3] as i64 % 2) as f64),
            (Fact::Condition(7), (values[4] as i64 % 2) as f64),
            (Fact::Condition(0), (values[5] as i64 % 2) as f64),
        ]);
        let score = model.score(&household);
        let explanation = model.explain(&score);
        let mut total: f64 = explanation.contributions.iter().map(|c| c.points).sum();
        for capped in &explanation.capped {
            total += capped.counted - capped.raw_points;
        }
        let total = total.min(100.0);
        prop_assert!((total - score.value).abs() < 1e-3, "{total} vs {}", score.value);
        prop_assert_eq!(score.eligible, score.value >= 30.0);
    }

    /// Matching one more criterion with positive points never lowers a score.
    #[test]
    fn more_vulnerability_never_scores_less(size in 1.0f64..12.0, female in 0u8..2) {
        let model = model();
        let without = model.score(&facts(&[(Fact::HouseholdSize, size), (Fact::FemaleHeaded, f64::from(female))]));
        let with = model.score(&facts(&[
            (Fact::HouseholdSize, size),
            (Fact::FemaleHeaded, f64::from(female)),
            (Fact::Need(SpecificNeed::Disability), 1.0),
        ]));
        prop_assert!(with.value >= without.value);
    }
}

proptest! {
    /// The compiled bounds hold exactly when the comparison does, at the value, beside it, far
    /// from it, at infinity and for facts that are not known.
    #[test]
    fn compiled_bounds_agree_with_the_comparison(value in -1e6f64..1e6, offset in -3i32..=3, far in any::<f64>()) {
        let near = [value, value.next_up(), value.next_down(), value + f64::from(offset)];
        let facts = near.into_iter().chain([far, f64::INFINITY, f64::NEG_INFINITY, f64::NAN]);
        for fact in facts {
            for op in Op::ALL {
                let (low, high, outside) = Compiled::bounds(*op, value);
                let compiled = Compiled { fact: 0, low, high, outside, points: 1.0, group: FREE };
                prop_assert_eq!(compiled.holds(fact), op.holds(fact, value), "{:?} {} {}", op, fact, value);
            }
        }
    }
}
