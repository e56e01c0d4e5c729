use proptest::prelude::*;

use super::*;

fn candidate(id: i64, score: f64, female: bool) -> Candidate {
    Candidate {
        household_id: id,
        score,
        eligible: true,
        attributes: if female { QuotaAttribute::FemaleHeaded.bit() } else { 0 },
        size: 3,
        children: 1,
        specific_needs: 0,
        registered_at: format!("2026-01-{:02}T00:00:00Z", (id % 28) + 1),
        head_age: 40,
        assisted_elsewhere: false,
    }
}

fn ids(selection: &Selection) -> Vec<i64> {
    selection.selected.iter().map(|s| s.household_id).collect()
}

#[test]
fn higher_scores_first_and_ineligible_households_never() {
    let mut candidates = vec![
        candidate(1, 40.0, false),
        candidate(2, 80.0, false),
        candidate(3, 60.0, false),
    ];
    candidates.push(Candidate {
        eligible: false,
        ..candidate(4, 99.0, false)
    });
    let selection = rank(
        &candidates,
        &Rules {
            target: 2,
            ..Default::default()
        },
    );
    assert_eq!(ids(&selection), [2, 3]);
    assert_eq!(selection.eligible, 3);
    assert_eq!(selection.selected[0].rank, 1);
}

#[test]
fn ties_are_broken_by_the_programme_rules_then_by_id() {
    let mut big = candidate(5, 50.0, false);
    big.size = 7;
    let mut early = candidate(6, 50.0, false);
    early.registered_at = "2025-01-01T00:00:00Z".into();
    let candidates = vec![candidate(3, 50.0, false), big, early];
    let larger_first = rank(
        &candidates,
        &Rules {
            target: 3,
            tie_breaks: vec![TieBreak::LargerHousehold, TieBreak::EarlierRegistration],
            ..Default::default()
        },
    );
    assert_eq!(ids(&larger_first), [5, 6, 3]);
    let earlier_first = rank(
        &candidates,
        &Rules {
            target: 3,
            tie_breaks: vec![TieBreak::EarlierRegistration],
            ..Default::default()
        },
    );
    assert_eq!(ids(&earlier_first), [6, 3, 5]);
    let by_id = rank(
        &candidates,
        &Rules {
            target: 3,
            ..Default::default()
        },
    );
    assert_eq!(ids(&by_id), [3, 5, 6]);
}

#[test]
fn a_quota_brings_in_the_best_ranked_households_it_counts() {
    // Ten households scoring 100..91, only the last three female-headed; a list of five with
    // at least 40% female-headed takes the two best of them instead of the two lowest others.
    let candidates: Vec<Candidate> = (0..10).map(|i| candidate(i, 100.0 - i as f64, i >= 7)).collect();
    let selection = rank(
        &candidates,
        &Rules {
            target: 5,
            quotas: vec![Quota::new(QuotaAttribute::FemaleHeaded, 0.4).expect("quota")],
            ..Default::default()
        },
    );
    assert_eq!(ids(&selection), [0, 1, 2, 7, 8]);
    assert_eq!(
        selection.selected[3].reason,
        Reason::Quota(QuotaAttribute::FemaleHeaded)
    );
    assert!(selection.shortfalls.is_empty());
}

#[test]
fn a_quota_that_cannot_be_met_is_reported() {
    let candidates: Vec<Candidate> = (0..10).map(|i| candidate(i, 50.0, i == 0)).collect();
    let selection = rank(
        &candidates,
        &Rules {
            target: 10,
            quotas: vec![Quota::new(QuotaAttribute::FemaleHeaded, 0.3).expect("quota")],
            ..Default::default()
        },
    );
    assert_eq!(selection.selected.len(), 10);
    assert_eq!(
        selection.shortfalls,
        [Shortfall {
            attribute: QuotaAttribute::FemaleHeaded,
            needed: 3,
            selected: 1
        }]
    );
    assert!(Quota::new(QuotaAttribute::FemaleHeaded, 1.5).is_err());
}

#[test]
fn households_assisted_elsewhere_are_listed_or_left_out_as_the_programme_says() {
    let mut assisted = candidate(1, 90.0, false);
    assisted.assisted_elsewhere = true;
    let candidates = vec![assisted, candidate(2, 50.0, false)];
    let kept = rank(
        &candidates,
        &Rules {
            target: 1,
            ..Default::default()
        },
    );
    assert_eq!(ids(&kept), [1]);
    let left_out = rank(
        &candidates,
        &Rules {
            target: 1,
            exclude_assisted_elsewhere: true,
            ..Default::default()
        },
    );
    assert_eq!(ids(&left_out), [2]);
    assert_eq!(left_out.excluded_as_assisted, 1);
}

#[test]
fn a_later_quota_does_not_undo_an_earlier_one() {
    // Female-headed households are scarce at the top; households with older people are
    // scarce too. Both quotas hold in the end.
    let mut candidates: Vec<Candidate> = (0..20).map(|i| candidate(i, 100.0 - i as f64, i >= 15)).collect();
    for c in candidates
        .iter_mut()
        .filter(|c| c.household_id >= 12 && c.household_id < 15)
    {
        c.attributes |= QuotaAttribute::OlderPerson.bit();
    }
    let selection = rank(
        &candidates,
        &Rules {
            target: 10,
            quotas: vec![
                Quota::new(QuotaAttribute::FemaleHeaded, 0.3).expect("quota"),
                Quota::new(QuotaAttribute::OlderPerson, 0.2).expect("quota"),
            ],
            ..Default::default()
        },
    );
    let chosen: Vec<&Candidate> = ids(&selection).iter().map(|id| &candidates[*id as usize]).collect();
    assert!(chosen.iter().filter(|c| c.has(QuotaAttribute::FemaleHeaded)).count() >= 3);
    assert!(chosen.iter().filter(|c| c.has(QuotaAttribute::OlderPerson)).count() >= 2);
    assert!(selection.shortfalls.is_empty());
}

fn candidates_strategy() -> impl Strategy<Value = Vec<Candidate>> {
    proptest::collection::vec((0u32..50, any::<bool>(), any::<bool>(), 1u32..9), 0..60).prop_map(|rows| {
        rows.into_iter()
            .enumerate()
            .map(|(i, (score, female, eligible, size))| Candidate {
                eligible,
                size,
                ..candidate(i as i64, f64::from(score), female)
            })
            .collect()
    })
}

proptest! {
    #[test]
    fn lists_are_as_long_as_they_can_be_and_hold_eligible_households_once(
        candidates in candidates_strategy(), target in 0usize..40, share in 0.0f64..1.0
    ) {
        let rules = Rules {
            target,
            quotas: vec![Quota::new(QuotaAttribute::FemaleHeaded, share).expect("quota")],
            tie_breaks: vec![TieBreak::LargerHousehold],
            exclude_assisted_elsewhere: false,
        };
        let selection = rank(&candidates, &rules);
        let eligible = candidates.iter().filter(|c| c.eligible).count();
        prop_assert_eq!(selection.selected.len(), target.min(eligible));
        let mut seen = std::collections::HashSet::new();
        for s in &selection.selected {
            prop_assert!(seen.insert(s.household_id));
            prop_assert!(candidates[s.household_id as usize].eligible);
        }
        let female = selection.selected.iter().filter(|s| candidates[s.household_id as usize].has(QuotaAttribute::FemaleHeaded)).count();
        let available = candidates.iter().filter(|c| c.eligible && c.has(QuotaAttribute::FemaleHeaded)).count();
        let needed = rules.quotas[0].needed(selection.selected.len());
        prop_assert!(female >= needed.min(available), "quota kept when it can be");
        // Ranks run 1..n in order of score.
        for pair in selection.selected.windows(2) {
            prop_assert!(pair[0].rank + 1 == pair[1].rank);
        }
        // The same households in another order give the same list.
        let mut reversed = candidates.clone();
        reversed.reverse();
        prop_assert_eq!(rank(&reversed, &rules), selection);
    }

    #[test]
    fn without_quotas_nobody_left_out_outranks_anybody_listed(candidates in candidates_strategy(), target in 0usize..40) {
        let selection = rank(&candidates, &Rules { target, ..Default::default() });
        let lowest = selection.selected.last().map(|s| s.score);
        if let Some(lowest) = lowest {
            let listed: std::collections::HashSet<i64> = selection.selected.iter().map(|s| s.household_id).collect();
            for c in candidates.iter().filter(|c| c.eligible && !listed.contains(&c.household_id)) {
                prop_assert!(c.score <= lowest);
            }
        }
    }
}
