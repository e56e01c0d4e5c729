//! Sharing between organisations, vulnerability models and scores, beneficiary lists with
//! quotas, assistance seen across programmes, and key rotation.

use rumbo_domain::access::{Action, Grant, RegistrationReach, Subject};
use rumbo_domain::registration::consent::SharingPurpose;
use rumbo_domain::registration::facts::Fact;
use rumbo_domain::registration::scoring::{Criterion, Definition, Op};
use rumbo_store::registration::{AgreementInput, Disclosure, HouseholdQuery, ProgrammeInput};
use rumbo_store::vault::DataKeys;
use rumbo_store::{Page, Store};

use super::{World, cli, household, iso, member, register, world, world_with};

fn protection_of(organisation_id: i64) -> Subject {
    Subject {
        user_id: 99,
        organisation_id,
        grants: vec![Grant::parse("protection_officer:COL").expect("grant")],
        desks: vec![],
    }
}

async fn visible_to(w: &World, organisation: i64) -> Vec<String> {
    let reach = protection_of(organisation).registration_reach(Action::ViewPersonalData);
    w.store
        .households(
            &cli(),
            &HouseholdQuery::default(),
            &reach,
            SharingPurpose::CaseManagement,
            Disclosure::Pseudonymous,
            Page::default(),
        )
        .await
        .expect("list")
        .0
        .into_iter()
        .map(|r| r.code)
        .collect()
}

#[tokio::test]
async fn organisation_b_sees_organisation_a_only_under_an_agreement_and_with_consent() {
    let w = world().await;
    let shared = register(&w, &w.desk_a, &household("V-11.111.111")).await;
    let mut private = household("V-22.222.222");
    private.consent.sharing = false;
    let private = register(&w, &w.desk_a, &private).await;
    assert!(visible_to(&w, w.org_b).await.is_empty(), "no agreement, nothing seen");
    let key = w.store.household_key(shared.household_id).await.expect("key");
    let target = w
        .store
        .household_target(&key, SharingPurpose::CaseManagement)
        .await
        .expect("target");
    assert!(!protection_of(w.org_b).may(Action::ViewPersonalData, &target));

    let agreement = w
        .store
        .create_sharing_agreement(
            &cli(),
            &AgreementInput {
                from_org: w.org_a,
                to_org: w.org_b,
                country: "COL".into(),
                purposes: vec!["case_management".into()],
                reference: "MoU ORG-A/ORG-B 2026-014".into(),
                valid_from: "2026-01-01".into(),
                valid_until: String::new(),
            },
        )
        .await
        .expect("agreement");
    assert!(agreement.in_force);
    assert_eq!(
        visible_to(&w, w.org_b).await,
        std::slice::from_ref(&shared.code),
        "the household without consent stays hidden"
    );
    let target = w
        .store
        .household_target(&key, SharingPurpose::CaseManagement)
        .await
        .expect("target");
    assert!(protection_of(w.org_b).may(Action::ViewPersonalData, &target));
    let for_assistance = w
        .store
        .household_target(&key, SharingPurpose::Assistance)
        .await
        .expect("target");
    assert!(
        !protection_of(w.org_b).may(Action::ViewPersonalData, &for_assistance),
        "the agreement states its purposes"
    );
    let private_key = w.store.household_key(private.household_id).await.expect("key");
    let private_target = w
        .store
        .household_target(&private_key, SharingPurpose::CaseManagement)
        .await
        .expect("target");
    assert!(!protection_of(w.org_b).may(Action::ViewPersonalData, &private_target));

    w.store
        .revoke_sharing_agreement(&cli(), agreement.id)
        .await
        .expect("revoked");
    assert!(visible_to(&w, w.org_b).await.is_empty());
    let err = w
        .store
        .create_sharing_agreement(
            &cli(),
            &AgreementInput {
                from_org: w.org_a,
                to_org: w.org_a,
                country: "COL".into(),
                purposes: vec!["gossip".into()],
                valid_from: "2026-13-01".into(),
                ..Default::default()
            },
        )
        .await
        .expect_err("bad agreement");
    let rumbo_store::StoreError::Rejected { problems, .. } = err else {
        panic!("rejected")
    };
    let fields: Vec<&str> = problems.iter().map(|p| p.location.as_str()).collect();
    assert_eq!(fields, ["purposes", "to_org", "reference", "valid_from"]);
}

fn criterion(id: &str, fact: Fact, value: &str, points: f64) -> Criterion {
    Criterion {
        id: id.into(),
        label: id.into(),
        fact,
        op: if fact == Fact::HouseholdSize { Op::Ge } else { Op::Eq },
        value: value.into(),
        points,
        group: None,
    }
}

fn model(threshold: f64) -> Definition {
    Definition {
        criteria: vec![
            criterion("female-head", Fact::FemaleHeaded, "yes", 20.0),
            criterion("large", Fact::HouseholdSize, "3", 15.0),
            criterion("one-meal", Fact::Condition(0), "one_or_less", 25.0),
        ],
        caps: vec![],
        max_score: None,
        threshold,
    }
}

#[tokio::test]
async fn scores_name_their_model_and_follow_a_new_version() {
    let w = world().await;
    let id = register(&w, &w.desk_a, &household("V-11.111.111")).await.household_id;
    let v1 = w
        .store
        .save_vulnerability_model(&cli(), iso("COL"), "Colombia 2026", model(40.0), "test", true)
        .await
        .expect("model");
    assert_eq!((v1.summary.version, v1.summary.is_active), (1, true));
    let view = w
        .store
        .household(&cli(), id, Disclosure::Pseudonymous)
        .await
        .expect("view");
    let score = view.score.expect("scored when the model came in force");
    assert_eq!(
        (score.model_version, score.explanation.score, score.explanation.eligible),
        (1, 45.0, true)
    );
    let ids: Vec<&str> = score.explanation.contributions.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, ["female-head", "one-meal"]);

    let registered_later = register(&w, &w.desk_a, &household("V-22.222.222")).await.household_id;
    let later = w
        .store
        .household(&cli(), registered_later, Disclosure::Pseudonymous)
        .await
        .expect("view");
    assert_eq!(
        later.score.map(|s| s.model_id),
        Some(v1.summary.id),
        "new registrations are scored at once"
    );

    let v2 = w
        .store
        .save_vulnerability_model(&cli(), iso("COL"), "Colombia 2026", model(50.0), "test", true)
        .await
        .expect("model");
    let view = w
        .store
        .household(&cli(), id, Disclosure::Pseudonymous)
        .await
        .expect("view");
    let score = view.score.expect("scored again");
    assert_eq!(
        (score.model_id, score.model_version, score.explanation.eligible),
        (v2.summary.id, 2, false)
    );
    let versions = w.store.vulnerability_models(Some(iso("COL"))).await.expect("versions");
    assert_eq!(versions.iter().filter(|m| m.is_active).count(), 1);
    let bad = w
        .store
        .save_vulnerability_model(
            &cli(),
            iso("COL"),
            "x",
            Definition {
                criteria: vec![],
                ..model(1.0)
            },
            "t",
            false,
        )
        .await;
    assert!(matches!(bad, Err(rumbo_store::StoreError::Rejected { .. })));
}

#[tokio::test]
async fn lists_rank_with_quotas_and_assistance_shows_in_other_programmes() {
    let w = world().await;
    // Six households of organisation A: the male-headed ones score higher.
    let mut ids = Vec::new();
    for i in 0..6 {
        let mut input = household(&format!("V-3{i}.000.000"));
        if i < 4 {
            let mut head = member("head", "Luis", "male", "1980-01-01");
            head.documents = input.members[0].documents.clone();
            input.members[0] = head;
            input.members.push(member("spouse", "Ana", "female", "1982-01-01"));
        } else {
            input.details.conditions = vec![];
        }
        ids.push(register(&w, &w.desk_a, &input).await.household_id);
    }
    w.store
        .save_vulnerability_model(&cli(), iso("COL"), "m", model(10.0), "test", true)
        .await
        .expect("model");
    let programme = |code: &str, org: i64| ProgrammeInput {
        code: code.into(),
        name: format!("Multipurpose cash {code}"),
        country: "COL".into(),
        organisation_id: org,
        area: "CO54001".into(),
        target_households: "3".into(),
        quotas: vec![("female_headed".into(), "30".into())],
        tie_breaks: vec!["larger_household".into()],
        ..Default::default()
    };
    let cash = w
        .store
        .create_programme(&cli(), &programme("MPC-CUC-1", w.org_a))
        .await
        .expect("programme");
    let list_id = w.store.generate_beneficiary_list(&cli(), cash.id).await.expect("list");
    let list = w
        .store
        .beneficiary_list(&cli(), list_id, Disclosure::Pseudonymous)
        .await
        .expect("list");
    assert_eq!(list.entries.len(), 3);
    assert_eq!(list.eligible, 6);
    let quota = list
        .entries
        .iter()
        .filter(|e| e.reason == "quota:female_headed")
        .count();
    assert_eq!(quota, 1, "one female-headed household brought in: {:?}", list.entries);
    assert!(list.entries.iter().all(|e| e.head_name.is_none()));

    let personal = w
        .store
        .beneficiary_list(&cli(), list_id, Disclosure::Personal)
        .await
        .expect("list");
    assert!(
        personal
            .entries
            .iter()
            .all(|e| e.head_name.is_some() && e.head_document.is_some())
    );

    let first = list.entries[0].household_id;
    assert_eq!(
        w.store
            .record_assistance(&cli(), cash.id, &[first], "2026-01-15")
            .await
            .expect("recorded"),
        1
    );
    assert_eq!(
        w.store
            .record_assistance(&cli(), cash.id, &[first], "2026-01-15")
            .await
            .expect("again"),
        0
    );
    let off_list = ids
        .iter()
        .copied()
        .find(|id| list.entries.iter().all(|e| e.household_id != *id))
        .expect("one off the list");
    assert!(
        w.store
            .record_assistance(&cli(), cash.id, &[off_list], "2026-01-15")
            .await
            .is_err()
    );

    // A second programme of the same organisation sees the first one's assistance.
    let food = w
        .store
        .create_programme(&cli(), &programme("FOOD-CUC-1", w.org_a))
        .await
        .expect("programme");
    let second = w.store.generate_beneficiary_list(&cli(), food.id).await.expect("list");
    let second = w
        .store
        .beneficiary_list(&cli(), second, Disclosure::Pseudonymous)
        .await
        .expect("list");
    let marked = second
        .entries
        .iter()
        .find(|e| e.household_id == first)
        .expect("still listed");
    assert_eq!(marked.assisted_elsewhere, ["MPC-CUC-1"]);
    let view = w
        .store
        .household(&cli(), first, Disclosure::Pseudonymous)
        .await
        .expect("view");
    assert_eq!(view.assistance[0].programme_code, "MPC-CUC-1");

    // Organisation B's programme sees nothing of A's without an agreement for assistance.
    let other = w
        .store
        .create_programme(&cli(), &programme("MPC-B-1", w.org_b))
        .await
        .expect("programme");
    let empty = w.store.generate_beneficiary_list(&cli(), other.id).await.expect("list");
    assert!(
        w.store
            .beneficiary_list(&cli(), empty, Disclosure::Pseudonymous)
            .await
            .expect("list")
            .entries
            .is_empty()
    );
    let duplicate = w.store.create_programme(&cli(), &programme("MPC-CUC-1", w.org_a)).await;
    assert!(matches!(duplicate, Err(rumbo_store::StoreError::Conflict(_))));
}

#[tokio::test]
async fn keys_rotate_and_every_value_is_sealed_again_under_the_new_one() {
    let keys = DataKeys::generate().expect("keys");
    let w = world_with(keys.clone()).await;
    let id = register(&w, &w.desk_a, &household("V-12.345.678")).await.household_id;
    let view = w.store.household(&cli(), id, Disclosure::Personal).await.expect("view");
    let mut corrected = household("V-12.345.678").members.remove(0);
    corrected.given_names = "Yolanda".into();
    w.store
        .edit_member(&cli(), view.head().expect("head").id, &corrected, "one given name only")
        .await
        .expect("edited");
    let usage = w.store.data_key_usage().await.expect("usage");
    assert_eq!(usage.by_key.keys().copied().collect::<Vec<_>>(), [1]);

    let other = Store::connect(&w.db.url)
        .await
        .expect("connect")
        .with_data_keys(DataKeys::generate().expect("keys"))
        .expect("vault");
    let err = other
        .household(&cli(), id, Disclosure::Personal)
        .await
        .expect_err("another key set opens nothing");
    assert!(!err.to_string().contains("Yolanda"), "{err}");

    let rotated = keys.rotated().expect("rotated");
    let store = Store::connect(&w.db.url)
        .await
        .expect("connect")
        .with_data_keys(rotated.clone())
        .expect("vault");
    let resealed = store.reencrypt_personal_data(&cli()).await.expect("re-encrypted");
    assert!(
        resealed >= 7,
        "names, phone, document, position, reason, before: {resealed}"
    );
    let usage = store.data_key_usage().await.expect("usage");
    assert_eq!(usage.by_key.keys().copied().collect::<Vec<_>>(), [2]);
    assert_eq!(store.reencrypt_personal_data(&cli()).await.expect("nothing left"), 0);

    // Key 1 can now be dropped from the set.
    let without_old: String = rotated
        .to_text()
        .lines()
        .filter(|l| !l.starts_with("key.1"))
        .collect::<Vec<_>>()
        .join("\n");
    let store = Store::connect(&w.db.url)
        .await
        .expect("connect")
        .with_data_keys(DataKeys::parse(&without_old).expect("keys"))
        .expect("vault");
    let view = store
        .household(&cli(), id, Disclosure::Personal)
        .await
        .expect("opens with key 2 alone");
    assert_eq!(
        view.head()
            .and_then(|h| h.name.as_ref())
            .map(|n| n.given_names.as_str()),
        Some("Yolanda")
    );
    let found = store
        .households(
            &cli(),
            &HouseholdQuery {
                search: Some("V12345678".into()),
                ..Default::default()
            },
            &RegistrationReach::All,
            SharingPurpose::CaseManagement,
            Disclosure::Personal,
            Page::default(),
        )
        .await
        .expect("search");
    assert_eq!(found.1, 1, "blind indexes do not change with a rotation");
}
