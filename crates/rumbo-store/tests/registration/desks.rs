//! Enumerators' desks: an enumerator's reach holds their desks' households and no other desk's
//! of the same organisation; assignments are the desk organisation's staff only, and audited.

use rumbo_domain::access::{Action, Grant};
use rumbo_domain::registration::consent::SharingPurpose;
use rumbo_store::Page;
use rumbo_store::StoreError;
use rumbo_store::locations::LocationInput;
use rumbo_store::registration::{Disclosure, HouseholdQuery};
use rumbo_store::users::NewUser;

use super::{World, cli, household, register, world};

async fn enumerator(w: &World, username: &str, organisation: i64) -> i64 {
    w.store
        .create_user(
            &cli(),
            &NewUser {
                username: username.into(),
                display_name: "Field enumerator".into(),
                organisation_id: organisation,
                password: "a long enough password".into(),
                grants: vec![Grant::parse("enumerator:COL").expect("grant")],
                ..Default::default()
            },
        )
        .await
        .expect("user")
        .id
}

/// The codes of the households `user_id` may list, as the web's lists ask the store.
async fn listed(w: &World, user_id: i64) -> Vec<String> {
    let user = w.store.user(user_id).await.expect("user");
    let reach = user.subject().registration_reach(Action::ViewRegistrations);
    let (rows, _) = w
        .store
        .households(
            &cli(),
            &HouseholdQuery::default(),
            &reach,
            SharingPurpose::CaseManagement,
            Disclosure::Pseudonymous,
            Page::default(),
        )
        .await
        .expect("list");
    rows.into_iter().map(|r| r.code).collect()
}

#[tokio::test]
async fn an_enumerator_lists_only_the_households_of_their_desks() {
    let w = world().await;
    let location = w
        .store
        .create_location(
            &cli(),
            &LocationInput {
                code: "COL-CUC-RDA2".into(),
                name: "Second desk of ORG-A".into(),
                kind: "registration_desk".into(),
                country: "COL".into(),
                lat: 7.9,
                lon: -72.5,
                organisation_id: Some(w.org_a),
                is_active: true,
                ..Default::default()
            },
        )
        .await
        .expect("desk");
    let desk_a2 = w.store.registration_desk(location.id).await.expect("a desk");
    let at_a = register(&w, &w.desk_a, &household("V-11.111.111")).await;
    let at_a2 = register(&w, &desk_a2, &household("V-22.222.222")).await;
    register(&w, &w.desk_b, &household("V-33.333.333")).await;
    let user = enumerator(&w, "enum.a", w.org_a).await;
    assert!(listed(&w, user).await.is_empty(), "no desk, no households");

    w.store
        .set_desk_assignment(&cli(), user, w.desk_a.id, true)
        .await
        .expect("assign");
    // Assigning twice changes nothing.
    w.store
        .set_desk_assignment(&cli(), user, w.desk_a.id, true)
        .await
        .expect("assign");
    assert_eq!(w.store.user(user).await.expect("user").desks, vec![w.desk_a.id]);
    assert_eq!(listed(&w, user).await, vec![at_a.code.clone()]);

    w.store
        .set_desk_assignment(&cli(), user, desk_a2.id, true)
        .await
        .expect("assign");
    w.store
        .set_desk_assignment(&cli(), user, w.desk_a.id, false)
        .await
        .expect("unassign");
    assert_eq!(listed(&w, user).await, vec![at_a2.code.clone()]);
    let assignees = w.store.desk_assignees(desk_a2.id).await.expect("assignees");
    assert_eq!(assignees.len(), 1);
    assert_eq!(assignees[0].username, "enum.a");

    let outsider = enumerator(&w, "enum.b", w.org_b).await;
    let refused = w.store.set_desk_assignment(&cli(), outsider, w.desk_a.id, true).await;
    assert!(matches!(refused, Err(StoreError::Conflict(_))), "{refused:?}");
    let audited: i64 =
        sqlx::query_scalar::<_, i64>("SELECT CAST(COUNT(*) AS BIGINT) FROM audit_log WHERE entity = 'desk_assignment'")
            .fetch_one(w.store.pool())
            .await
            .expect("count");
    assert_eq!(
        audited, 3,
        "two assignments and one unassignment; the repeated one changed nothing"
    );
}
