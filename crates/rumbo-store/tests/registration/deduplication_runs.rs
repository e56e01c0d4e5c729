//! De-duplication runs as jobs, on both backends: asked for and queued at once, one per
//! country whichever instance is asked, run by a worker to done or failed with a message an IM
//! officer can act on, stale runs of a stopped server recovered, and the command line's run
//! recorded the same way.

use rumbo_domain::audit::Actor;
use rumbo_domain::linkage::LinkageSettings;
use rumbo_store::deduplication::runs::{INTERRUPTED, NOTHING_TO_COMPARE, STALE_AFTER};
use rumbo_store::deduplication::{PairQuery, RunQuery};
use rumbo_store::{Page, Store, StoreError, timestamp};

use super::{cli, household, iso, register, world};

fn officer() -> Actor {
    Actor::system("api")
}

async fn runs_in(store: &Store, country: &str) -> Vec<rumbo_store::deduplication::DeduplicationRun> {
    let query = RunQuery {
        countries: Some(vec![iso(country)]),
        status: None,
    };
    store.deduplication_runs(&query, Page::default()).await.expect("runs").0
}

#[tokio::test]
async fn a_requested_run_is_queued_once_then_run_by_a_worker_and_files_its_pairs() {
    let w = world().await;
    register(&w, &w.desk_a, &household("V-12.345.678")).await;
    register(&w, &w.desk_b, &household("V-20.111.222")).await;
    let settings = LinkageSettings::default();

    let (run, new) = w
        .store
        .request_deduplication_run(&officer(), iso("COL"))
        .await
        .expect("request");
    assert!(new);
    assert_eq!((run.status.as_str(), run.stage.as_str()), ("queued", "queued"));
    assert_eq!(run.channel, "api");
    let (again, new) = w
        .store
        .request_deduplication_run(&officer(), iso("COL"))
        .await
        .expect("request again");
    assert!(!new, "the queued run is returned, not a second one");
    assert_eq!(again.id, run.id);
    let refused = w.store.run_deduplication(&cli(), iso("COL"), &settings).await;
    assert!(matches!(refused, Err(StoreError::Conflict(m)) if m.contains(&format!("run {}", run.id))));

    let done = w
        .store
        .run_next_deduplication(&settings)
        .await
        .expect("worker")
        .expect("a queued run");
    assert_eq!(done.id, run.id);
    assert_eq!((done.status.as_str(), done.stage.as_str()), ("done", "done"));
    assert_eq!(done.people, Some(4));
    assert!(done.candidate_pairs.is_some() && done.persons.is_some());
    assert!(done.started_at.is_some() && done.finished_at.is_some());
    assert_eq!(done.failure, None);
    assert!(
        w.store
            .run_next_deduplication(&settings)
            .await
            .expect("worker")
            .is_none(),
        "nothing left to run"
    );
    let (_, queued) = w
        .store
        .duplicate_pairs(&PairQuery::default(), Page::default())
        .await
        .expect("queue");
    assert!(queued >= done.suggested.unwrap_or(0));

    // Finished, so the next request queues a new run; the command line's runs are recorded too.
    let (next, new) = w
        .store
        .request_deduplication_run(&officer(), iso("COL"))
        .await
        .expect("request");
    assert!(new && next.id > run.id);
    w.store.run_next_deduplication(&settings).await.expect("worker");
    let summary = w
        .store
        .run_deduplication(&cli(), iso("COL"), &settings)
        .await
        .expect("cli run");
    let runs = runs_in(&w.store, "COL").await;
    assert_eq!(runs.len(), 3);
    assert_eq!(runs[0].id, summary.run_id, "the latest first");
    assert_eq!(runs[0].channel, "cli");
    assert!(runs.iter().all(|r| r.status == "done"));
}

#[tokio::test]
async fn two_instances_asked_at_once_queue_one_run() {
    let w = world().await;
    let other = Store::connect(&w.db.url)
        .await
        .expect("second pool")
        .with_data_keys(rumbo_store::vault::DataKeys::generate().expect("keys"))
        .expect("keys");
    let mut asks = Vec::new();
    for i in 0..8 {
        let store = if i % 2 == 0 { w.store.clone() } else { other.clone() };
        asks.push(tokio::spawn(async move {
            store.request_deduplication_run(&officer(), iso("COL")).await
        }));
    }
    let mut ids = Vec::new();
    let mut new = 0;
    for ask in asks {
        let (run, created) = ask.await.expect("task").expect("request");
        ids.push(run.id);
        new += usize::from(created);
    }
    ids.dedup();
    assert_eq!(ids.len(), 1, "every request got the same run");
    assert_eq!(new, 1);
    assert_eq!(runs_in(&w.store, "COL").await.len(), 1);
}

#[tokio::test]
async fn a_country_with_nobody_to_compare_fails_with_a_message_and_frees_the_country() {
    let w = world().await;
    let settings = LinkageSettings::default();
    w.store
        .request_deduplication_run(&officer(), iso("PER"))
        .await
        .expect("request");
    let failed = w
        .store
        .run_next_deduplication(&settings)
        .await
        .expect("worker")
        .expect("a run");
    assert_eq!(failed.status, "failed");
    assert_eq!(failed.failure.as_deref(), Some(NOTHING_TO_COMPARE));
    assert!(
        failed
            .message
            .as_deref()
            .is_some_and(|m| m.contains("nothing to compare")),
        "{failed:?}"
    );
    let (_, new) = w
        .store
        .request_deduplication_run(&officer(), iso("PER"))
        .await
        .expect("request");
    assert!(new, "a failed run does not hold the country");
}

#[tokio::test]
async fn a_run_left_running_by_a_stopped_server_is_marked_failed() {
    let w = world().await;
    register(&w, &w.desk_a, &household("V-12.345.678")).await;
    let (run, _) = w
        .store
        .request_deduplication_run(&officer(), iso("COL"))
        .await
        .expect("request");
    let long_ago = timestamp(time::OffsetDateTime::now_utc() - STALE_AFTER * 3);
    // What a server that stopped mid-run leaves behind: running, its heartbeat long silent.
    sqlx::query("UPDATE deduplication_runs SET status = 'running', stage = 'linking', heartbeat_at = $1 WHERE id = $2")
        .bind(&long_ago)
        .bind(run.id)
        .execute(w.store.pool())
        .await
        .expect("stale");
    let (still, new) = w
        .store
        .request_deduplication_run(&officer(), iso("COL"))
        .await
        .expect("request");
    assert!(!new && still.id == run.id, "running until someone notices");
    assert_eq!(w.store.recover_deduplication_runs().await.expect("recover"), 1);
    let recovered = w.store.deduplication_run(run.id).await.expect("run");
    assert_eq!(recovered.status, "failed");
    assert_eq!(recovered.stage, "linking", "the stage it stopped at stays");
    assert_eq!(recovered.failure.as_deref(), Some(INTERRUPTED));
    assert!(
        recovered
            .message
            .as_deref()
            .is_some_and(|m| m.contains("ask for a new run"))
    );

    // A run whose heartbeat is fresh belongs to a live server: left alone.
    let (live, _) = w
        .store
        .request_deduplication_run(&officer(), iso("COL"))
        .await
        .expect("request");
    sqlx::query("UPDATE deduplication_runs SET status = 'running', heartbeat_at = $1 WHERE id = $2")
        .bind(rumbo_store::now())
        .bind(live.id)
        .execute(w.store.pool())
        .await
        .expect("live");
    assert_eq!(w.store.recover_deduplication_runs().await.expect("recover"), 0);
    assert_eq!(w.store.deduplication_run(live.id).await.expect("run").status, "running");
}
