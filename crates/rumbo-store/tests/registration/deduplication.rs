//! De-duplication on both backends: the one review queue, decisions kept as history, resolved
//! identities counted once, pairs shown with names only where allowed, every step audited.

use rumbo_domain::audit::Entity;
use rumbo_store::Page;
use rumbo_store::StoreError;
use rumbo_store::audit::AuditQuery;
use rumbo_store::deduplication::{Decision, PairQuery};
use sqlx::Row;

use super::{cli, household, iso, register, world};

fn in_colombia(status: Option<&str>) -> PairQuery {
    PairQuery {
        countries: Some(vec![iso("COL")]),
        status: status.map(str::to_owned),
        ..PairQuery::default()
    }
}

async fn summaries(store: &rumbo_store::Store) -> Vec<String> {
    let query = AuditQuery {
        entity: Some(Entity::ReviewFlag),
        ..AuditQuery::default()
    };
    let (entries, _) = store.audit_entries(&query, Page::default()).await.expect("audit");
    entries.into_iter().map(|e| e.summary).collect()
}

#[tokio::test]
async fn confirming_merges_identities_for_counts_and_undo_and_reject_keep_history() {
    let w = world().await;
    let first = register(&w, &w.desk_a, &household("V-12.345.678")).await;
    let second = register(&w, &w.desk_b, &household("v12345678")).await;
    assert_eq!(second.possible_duplicates, std::slice::from_ref(&first.code));

    let (pairs, total) = w.store.duplicate_pairs(&in_colombia(None), Page::default()).await.expect("queue");
    assert_eq!(total, 1);
    let pair = &pairs[0];
    assert_eq!(pair.kind, "duplicate_document");
    assert_eq!(pair.probability, None);
    assert_eq!(pair.person.household_id, second.household_id);
    assert_eq!(pair.other.household_id, first.household_id);
    let elsewhere = PairQuery {
        countries: Some(vec![iso("PER")]),
        ..PairQuery::default()
    };
    assert_eq!(w.store.duplicate_pairs(&elsewhere, Page::default()).await.expect("queue").1, 0);
    let by_desk = PairQuery {
        desk_id: Some(w.desk_b.id),
        min_percent: Some(90),
        ..in_colombia(None)
    };
    assert_eq!(w.store.duplicate_pairs(&by_desk, Page::default()).await.expect("queue").1, 1);

    let before = w.store.registration_figures(None).await.expect("figures");
    assert_eq!((before.people, before.person_records), (4, 4));

    assert_eq!(
        w.store.decide_duplicate(&cli(), pair.id, Decision::Confirm).await.expect("confirm"),
        "duplicate"
    );
    let merged = w.store.registration_figures(None).await.expect("figures");
    assert_eq!((merged.people, merged.person_records), (3, 4), "the mother counts once");
    let identities = w.store.resolved_identities(Some(&[iso("COL")])).await.expect("identities");
    assert_eq!(identities.len(), 1);
    assert_eq!(identities[0].people.len(), 2);
    let members = sqlx::query("SELECT COUNT(*) AS n FROM household_members")
        .fetch_one(w.store.pool())
        .await
        .expect("count");
    assert_eq!(members.try_get::<i64, _>("n").expect("n"), 4, "nothing deleted");
    assert!(matches!(
        w.store.decide_duplicate(&cli(), pair.id, Decision::Confirm).await,
        Err(StoreError::Conflict(_))
    ));

    assert_eq!(w.store.decide_duplicate(&cli(), pair.id, Decision::Undo).await.expect("undo"), "open");
    let undone = w.store.registration_figures(None).await.expect("figures");
    assert_eq!(undone.people, 4);
    assert!(w.store.resolved_identities(None).await.expect("identities").is_empty());

    assert_eq!(
        w.store.decide_duplicate(&cli(), pair.id, Decision::Reject).await.expect("reject"),
        "not_duplicate"
    );
    assert_eq!(w.store.duplicate_pairs(&in_colombia(None), Page::default()).await.expect("queue").1, 0);
    assert_eq!(
        w.store.duplicate_pairs(&in_colombia(Some("all")), Page::default()).await.expect("queue").1,
        1
    );
    assert!(matches!(
        w.store.decide_duplicate(&cli(), pair.id, Decision::Undo).await,
        Err(StoreError::Conflict(_))
    ));

    let view = w.store.duplicate_pair(&cli(), pair.id, (true, false)).await.expect("view");
    let decisions: Vec<&str> = view.decisions.iter().map(|d| d.decision.as_str()).collect();
    assert_eq!(decisions, ["duplicate", "undone", "not_duplicate"]);
    let shown = view.person.details.as_ref().expect("own side shown");
    assert_eq!(shown.given_names, "Yolanda Esperanza");
    assert_eq!(shown.documents[0].1, "V12345678");
    assert!(view.other.details.is_none(), "the other side is withheld");
    assert_eq!(view.other.end.organisation, "ORG-A");

    let audit = summaries(&w.store).await;
    assert_eq!(audit.iter().filter(|s| s.starts_with("reviewed possible duplicate")).count(), 3);
    assert!(audit.iter().any(|s| s.contains("personal data of 1 of 2 sides")), "{audit:?}");
    assert!(audit.iter().all(|s| !s.contains("Yolanda") && !s.contains("12345678")));
}

#[tokio::test]
async fn confirmations_chain_into_one_identity_and_undo_splits_it_again() {
    let w = world().await;
    let a = register(&w, &w.desk_a, &household("V-20.111.222")).await;
    let _b = register(&w, &w.desk_b, &household("V20111222")).await;
    let _c = register(&w, &w.desk_a, &household("v-20.111.222")).await;
    let (pairs, total) = w.store.duplicate_pairs(&in_colombia(None), Page::default()).await.expect("queue");
    assert_eq!(total, 3, "each later registration is flagged against each earlier one");
    for pair in &pairs[..2] {
        w.store.decide_duplicate(&cli(), pair.id, Decision::Confirm).await.expect("confirm");
    }
    let identities = w.store.resolved_identities(None).await.expect("identities");
    assert_eq!(identities.len(), 1);
    assert_eq!(identities[0].people.len(), 3);
    let figures = w.store.registration_figures(None).await.expect("figures");
    assert_eq!((figures.people, figures.person_records), (4, 6));
    let head = sqlx::query("SELECT MIN(id) AS id FROM household_members WHERE household_id = $1")
        .bind(a.household_id)
        .fetch_one(w.store.pool())
        .await
        .expect("head")
        .try_get::<i64, _>("id")
        .expect("id");
    assert_eq!(w.store.person_identity(head).await.expect("identity"), Some(head));

    w.store.decide_duplicate(&cli(), pairs[0].id, Decision::Undo).await.expect("undo");
    let figures = w.store.registration_figures(None).await.expect("figures");
    assert_eq!(figures.people, 5, "the third registration is still the first's: one merge left");
    let rest = w.store.resolved_identities(None).await.expect("identities");
    assert_eq!(rest.len(), 1);
    assert_eq!(rest[0].people.len(), 2);
}
