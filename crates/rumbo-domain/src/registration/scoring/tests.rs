use proptest::prelude::*;

use super::*;
use crate::registration::facts::FACT_COUNT;
use crate::registration::needs::SpecificNeed;
use crate::registration::profiles::Profiles;

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
                let compiled = Compiled { fact: 0, low, high, outside, points: 1.0, group: FREE, bit: 0 };
                prop_assert_eq!(compiled.holds(fact), op.holds(fact, value), "{:?} {} {}", op, fact, value);
            }
        }
    }
}

/// Households drawn at random: relationship, sex, age, needs, Washington Group answers and
/// documents (of every type, expired, in force or without expiry) of each member.
mod households {
    use proptest::prelude::*;
    use time::{Date, Duration, Month};

    use crate::Vocabulary;
    use crate::registration::conditions::Conditions;
    use crate::registration::documents::DocumentType;
    use crate::registration::facts::{MemberProfile, Profile};
    use crate::registration::needs::{Difficulty, NeedSet, SpecificNeed, WashingtonGroup};
    use crate::registration::people::{PopulationGroup, Sex};

    pub const TODAY: Date = match Date::from_calendar_date(2026, Month::June, 30) {
        Ok(d) => d,
        Err(_) => Date::MIN,
    };

    fn pick<T: Vocabulary>(i: usize) -> T {
        T::ALL[i % T::ALL.len()]
    }

    fn member() -> impl Strategy<Value = MemberProfile> {
        (
            (0usize..8, 0usize..3, 0i64..32_000, any::<u16>()),
            proptest::collection::vec(proptest::option::of(0usize..4), 6),
            proptest::collection::vec((0usize..16, proptest::option::of(-400i64..400)), 0..3),
        )
            .prop_map(|((relationship, sex, days, needs), answers, documents)| {
                let mut set = NeedSet::default();
                for (i, need) in SpecificNeed::ALL.iter().enumerate() {
                    if needs & (1 << (i % 16)) != 0 && i % 3 == 0 {
                        set.insert(*need);
                    }
                }
                let mut washington = [None; 6];
                for (w, a) in washington.iter_mut().zip(&answers) {
                    *w = a.map(pick::<Difficulty>);
                }
                MemberProfile {
                    relationship: pick(relationship),
                    sex: pick::<Sex>(sex),
                    birth_date: TODAY - Duration::days(days),
                    needs: set,
                    washington: WashingtonGroup(washington),
                    documents: documents
                        .into_iter()
                        .map(|(kind, expiry)| (pick::<DocumentType>(kind), expiry.map(|d| TODAY + Duration::days(d))))
                        .collect(),
                }
            })
    }

    pub fn household() -> impl Strategy<Value = Profile> {
        (
            0usize..8,
            proptest::option::of(0i64..400),
            proptest::collection::vec(proptest::option::of(0u8..3), 10),
            proptest::collection::vec(member(), 1..9),
        )
            .prop_map(|(group, arrived, answers, members)| {
                let mut conditions = Conditions::default();
                for (c, a) in conditions.0.iter_mut().zip(answers) {
                    *c = a;
                }
                Profile {
                    population_group: pick::<PopulationGroup>(group),
                    arrival_date: arrived.map(|d| TODAY - Duration::days(d)),
                    conditions,
                    members,
                }
            })
    }
}

/// A model of many criteria over every fact, more than 64 of them (the second word of the
/// bit set), in capped groups and in none.
fn wide_model(thresholds: &[f64]) -> Model {
    use crate::registration::facts::Fact;
    let facts = Fact::all();
    let criteria = thresholds
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let fact = facts[i % facts.len()];
            let op = [Op::Ge, Op::Lt, Op::Eq, Op::Ne, Op::Le, Op::Gt][i % 6];
            let group = [None, Some("a"), Some("b"), Some("c")][i % 4];
            let value = match fact.value(&t.floor().to_string()) {
                Ok(_) => t.floor().to_string(),
                Err(_) => "yes".into(),
            };
            criterion(&format!("c{i}"), fact, op, &value, 1.0 + (i % 7) as f64 * 1.3, group)
        })
        .filter(|c| c.fact.value(&c.value).is_ok())
        .collect();
    Model::new(Definition {
        criteria,
        caps: vec![
            Cap {
                group: "a".into(),
                max_points: 12.5,
            },
            Cap {
                group: "c".into(),
                max_points: 20.0,
            },
        ],
        max_score: Some(80.0),
        threshold: 25.0,
    })
    .expect("valid model")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Scoring a country block by block gives every household the score it gets alone.
    #[test]
    fn scoring_all_households_equals_scoring_each(
        households in proptest::collection::vec(households::household(), 1..200),
        thresholds in proptest::collection::vec(0.0f64..6.0, 70..110),
    ) {
        let model = wide_model(&thresholds);
        let profiles: Profiles = households.iter().collect();
        let all = model.score_all(&profiles, households::TODAY);
        prop_assert_eq!(all.len(), households.len());
        for (h, score) in all.iter().enumerate() {
            prop_assert_eq!(*score, model.score(&profiles.facts(h, households::TODAY)), "household {}", h);
        }
    }

    /// The documents and disabilities the profiles keep per member count as the documents and
    /// answers themselves say.
    #[test]
    fn members_without_documents_and_with_disabilities_count_from_their_records(
        household in households::household(),
    ) {
        let facts = Profiles::from_iter([&household]).facts(0, households::TODAY);
        let undocumented = household.members.iter().filter(|m| !m.documented_on(households::TODAY)).count();
        let disabled = household.members.iter().filter(|m| m.has_disability()).count();
        prop_assert_eq!(facts.get(Fact::MembersWithoutDocuments), undocumented as f64);
        prop_assert_eq!(facts.get(Fact::MembersWithDisability), disabled as f64);
    }
}

/// Enough households for every core: the blocks come back in their order.
#[test]
fn scoring_on_every_core_keeps_the_households_order() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let strategy = households::household();
    let drawn: Vec<_> = (0..700)
        .map(|_| strategy.new_tree(&mut runner).expect("household").current())
        .collect();
    // 700 households over and over: a block or a thread's part out of place would not line up.
    let households: Vec<_> = drawn.iter().cycle().take(45_000).collect();
    let profiles: Profiles = households.iter().copied().collect();
    let model = wide_model(&(0..90).map(|i| f64::from(i % 6)).collect::<Vec<_>>());
    let all = model.score_all(&profiles, households::TODAY);
    assert_eq!(all.len(), households.len());
    for (h, score) in all.iter().enumerate().step_by(7) {
        assert_eq!(
            *score,
            model.score(&profiles.facts(h, households::TODAY)),
            "household {h}"
        );
    }
    assert!(
        all.iter().any(|s| s.matched >> 64 != 0),
        "criteria beyond the 64th matched"
    );
}
