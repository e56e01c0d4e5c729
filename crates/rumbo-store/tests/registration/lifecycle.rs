//! A registration's life: verification, corrections with their history, consent, members
//! added, split off, moved and merged, and erasure on request.

use rumbo_domain::registration::consent::ConsentPurpose;
use rumbo_domain::registration::people::Relationship;
use rumbo_store::audit::AuditQuery;
use rumbo_store::registration::Disclosure;
use rumbo_store::{Page, StoreError};
use sqlx::Row;

use super::{cli, everything_stored, household, member, register, world};

#[tokio::test]
async fn edits_keep_who_changed_what_and_why() {
    let w = world().await;
    let outcome = register(&w, &w.desk_a, &household("V-12.345.678")).await;
    let id = outcome.household_id;
    w.store.verify_household(&cli(), id).await.expect("verified");
    let view = w.store.household(&cli(), id, Disclosure::Personal).await.expect("view");
    let head_id = view.head().expect("head").id;
    let mut corrected = household("V-12.345.678").members.remove(0);
    corrected.given_names = "Yolanda Esperanza del Carmen".into();
    let fields = w
        .store
        .edit_member(&cli(), head_id, &corrected, "the cédula shows a third given name")
        .await
        .expect("edited");
    assert_eq!(fields, ["given_names"]);
    let err = w
        .store
        .edit_member(&cli(), head_id, &corrected, "  ")
        .await
        .expect_err("no reason");
    assert!(err.to_string().contains("reason"), "{err}");

    let personal = w.store.household(&cli(), id, Disclosure::Personal).await.expect("view");
    assert!(personal.verified_at.is_some());
    let edit = personal
        .history
        .iter()
        .find(|e| e.kind == "member_edited")
        .expect("edit in history");
    assert_eq!(edit.fields, ["given_names"]);
    assert_eq!(edit.reason.as_deref(), Some("the cédula shows a third given name"));
    assert_eq!(edit.before.as_deref(), Some("given_names: Yolanda Esperanza"));
    let kinds: Vec<&str> = personal.history.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds, ["registered", "verified", "member_edited"]);

    let pseudonymous = w
        .store
        .household(&cli(), id, Disclosure::Pseudonymous)
        .await
        .expect("view");
    let edit = pseudonymous
        .history
        .iter()
        .find(|e| e.kind == "member_edited")
        .expect("edit");
    assert!(
        edit.reason.is_none() && edit.before.is_none(),
        "reasons and earlier values are personal"
    );

    let audit = w
        .store
        .audit_entries(&AuditQuery::default(), Page::default())
        .await
        .expect("audit")
        .0;
    let summaries: Vec<String> = audit.iter().map(|e| e.summary.clone()).collect();
    assert!(
        summaries.iter().any(|s| s.contains("changed given_names")),
        "{summaries:?}"
    );
    let stored = everything_stored(&w.store).await;
    assert!(!stored.contains("del Carmen") && !stored.contains("third given name"));

    w.store
        .set_consent(&cli(), id, ConsentPurpose::Sharing, false)
        .await
        .expect("consent withdrawn");
    let err = w
        .store
        .set_consent(&cli(), id, ConsentPurpose::Registration, false)
        .await
        .expect_err("erasure instead");
    assert!(err.to_string().contains("erase"), "{err}");
    let key = w.store.household_key(id).await.expect("key");
    assert!(!key.consent_sharing);
}

#[tokio::test]
async fn a_second_head_or_an_unacknowledged_child_head_is_refused_on_edit() {
    let w = world().await;
    let id = register(&w, &w.desk_a, &household("V-12.345.678")).await.household_id;
    let view = w.store.household(&cli(), id, Disclosure::Personal).await.expect("view");
    let son = view
        .members
        .iter()
        .find(|m| m.relationship == Relationship::Child)
        .expect("son");
    let mut second_head = member("head", "Thiago", "male", "2019-09-01");
    second_head.needs = vec!["SM".into()];
    let err = w
        .store
        .edit_member(&cli(), son.id, &second_head, "typo")
        .await
        .expect_err("two heads");
    let StoreError::Rejected { problems, .. } = err else {
        panic!("rejected")
    };
    assert!(problems[0].problem.contains("exactly one head"), "{problems:?}");
    let added = w
        .store
        .add_member(
            &cli(),
            id,
            &member("grandparent", "Aurora", "female", "1950-03-03"),
            "joined from Maracaibo",
        )
        .await
        .expect("added");
    assert!(added.starts_with("P-"));
    assert_eq!(
        w.store
            .household(&cli(), id, Disclosure::Pseudonymous)
            .await
            .expect("view")
            .members
            .len(),
        3
    );
}

#[tokio::test]
async fn households_split_merge_and_people_move_between_them() {
    let w = world().await;
    let mut input = household("V-12.345.678");
    input.members.push(member("spouse", "Ramón", "male", "1985-01-20"));
    input.members.push(member("child", "Valeria", "female", "2008-05-05"));
    let id = register(&w, &w.desk_a, &input).await.household_id;
    let view = w.store.household(&cli(), id, Disclosure::Personal).await.expect("view");
    let by_name = |name: &str| {
        view.members
            .iter()
            .find(|m| m.name.as_ref().is_some_and(|n| n.given_names == name))
            .map(|m| m.id)
            .expect("member")
    };
    let (ramon, valeria, yolanda) = (by_name("Ramón"), by_name("Valeria"), by_name("Yolanda Esperanza"));
    let err = w
        .store
        .split_household(&cli(), id, &[yolanda], yolanda, "x")
        .await
        .expect_err("head stays");
    assert!(matches!(err, StoreError::Rejected { .. }), "{err}");
    let new_code = w
        .store
        .split_household(&cli(), id, &[ramon, valeria], ramon, "the couple separated")
        .await
        .expect("split");
    let new_id = w
        .store
        .household_key_by_code(&new_code)
        .await
        .expect("new household")
        .id;
    let split = w
        .store
        .household(&cli(), new_id, Disclosure::Personal)
        .await
        .expect("view");
    assert_eq!(split.members.len(), 2);
    assert_eq!(split.head().map(|h| h.id), Some(ramon));
    assert_eq!(
        split
            .history
            .iter()
            .find(|e| e.kind == "split_from")
            .and_then(|e| e.related_household.clone()),
        Some(view.code.clone())
    );

    w.store
        .move_member(&cli(), valeria, id, Relationship::Child, "went back to her mother")
        .await
        .expect("moved");
    let original = w
        .store
        .household(&cli(), id, Disclosure::Pseudonymous)
        .await
        .expect("view");
    assert_eq!(original.members.len(), 3);
    assert!(original.history.iter().any(|e| e.kind == "member_moved_in"));

    w.store
        .merge_households(&cli(), id, new_id, "reconciled")
        .await
        .expect("merged");
    let merged = w.store.household_key(new_id).await.expect("key");
    assert_eq!(merged.status, "merged");
    let whole = w
        .store
        .household(&cli(), id, Disclosure::Pseudonymous)
        .await
        .expect("view");
    assert_eq!(whole.members.len(), 4);
    assert_eq!(
        whole
            .members
            .iter()
            .filter(|m| m.relationship == Relationship::Head)
            .count(),
        1
    );
    let err = w
        .store
        .verify_household(&cli(), new_id)
        .await
        .expect_err("merged is closed");
    assert!(matches!(err, StoreError::Conflict(_)), "{err}");
}

#[tokio::test]
async fn erasure_removes_personal_data_and_keeps_the_figures() {
    let w = world().await;
    let mut input = household("V-12.345.678");
    input.members.push(member("spouse", "Ramón", "male", "1985-01-20"));
    let first = register(&w, &w.desk_a, &input).await.household_id;
    let second = register(&w, &w.desk_b, &household("V-12.345.678")).await.household_id;
    let before = w.store.registration_figures(None).await.expect("figures");
    assert_eq!((before.households, before.people, before.open_flags), (2, 5, 1));

    let view = w
        .store
        .household(&cli(), first, Disclosure::Personal)
        .await
        .expect("view");
    let ramon = view
        .members
        .iter()
        .find(|m| m.relationship == Relationship::Spouse)
        .expect("spouse")
        .id;
    let head = view.head().expect("head").id;
    let err = w
        .store
        .erase_member(&cli(), head)
        .await
        .expect_err("the head goes with the household");
    assert!(matches!(err, StoreError::Conflict(_)), "{err}");
    w.store.erase_member(&cli(), ramon).await.expect("member erased");
    w.store.erase_household(&cli(), second).await.expect("household erased");

    let after = w.store.registration_figures(None).await.expect("figures");
    assert_eq!((after.households, after.people), (before.households, before.people));
    assert_eq!(after.by_sex_and_age, before.by_sex_and_age);
    assert_eq!(after.needs, before.needs);
    assert_eq!(after.erased_households, 1);
    assert_eq!(after.open_flags, 0, "a flag with an erased household is closed");

    let erased = w
        .store
        .household(&cli(), second, Disclosure::Personal)
        .await
        .expect("view");
    assert_eq!(erased.status, "erased");
    assert!(
        erased
            .members
            .iter()
            .all(|m| m.name.is_none() && m.phone.is_none() && m.status == "erased")
    );
    assert!(
        erased
            .members
            .iter()
            .flat_map(|m| &m.documents)
            .all(|d| d.number.is_none())
    );
    let blinds: i64 = sqlx::query(
        "SELECT COUNT(*) AS n FROM member_documents d JOIN household_members m ON m.id = d.member_id
         WHERE m.household_id = $1 AND (d.number_blind IS NOT NULL OR d.number_enc IS NOT NULL)",
    )
    .bind(second)
    .fetch_one(w.store.pool())
    .await
    .expect("count")
    .try_get("n")
    .expect("n");
    assert_eq!(blinds, 0, "numbers and blind indexes are gone");
    let spouse = w
        .store
        .household(&cli(), first, Disclosure::Personal)
        .await
        .expect("view");
    let spouse = spouse.members.iter().find(|m| m.id == ramon).expect("still counted");
    assert!(spouse.name.is_none() && spouse.status == "erased");
    let err = w.store.erase_household(&cli(), second).await.expect_err("once");
    assert!(matches!(err, StoreError::Conflict(_)));
}
