//! Work a server process does in the background, off the requests: the de-duplication worker.
//! It marks failed the runs a stopped server left running, then claims queued runs one at a
//! time and runs them (the store puts the engine on a blocking thread, so requests keep being
//! served). It wakes when a run is asked for on this instance, and polls for those asked for on
//! another instance sharing the database.

use std::sync::Arc;
use std::time::Duration;

use rumbo_domain::linkage::LinkageSettings;
use rumbo_store::Store;
use tokio::sync::Notify;

/// How often the worker looks for runs asked for elsewhere and for stale runs.
const POLL: Duration = Duration::from_secs(5);

pub(crate) async fn deduplication_worker(store: Store, waiting: Arc<Notify>) {
    let settings = LinkageSettings::default();
    loop {
        match store.recover_deduplication_runs().await {
            Ok(0) => {}
            Ok(n) => tracing::warn!(
                runs = n,
                "de-duplication runs left running by a stopped server marked failed"
            ),
            Err(e) => tracing::warn!(error = %e, "could not look for stale de-duplication runs"),
        }
        // Without the data keys no run can read the people: leave the queue to an instance
        // that has them (asking for a run on this one is refused for the same reason).
        while store.has_data_keys() {
            match store.run_next_deduplication(&settings).await {
                Ok(Some(run)) => {
                    tracing::info!(run = run.id, country = %run.country, status = %run.status, "de-duplication run ended");
                }
                Ok(None) => break,
                Err(e) => {
                    tracing::warn!(error = %e, "could not claim a queued de-duplication run");
                    break;
                }
            }
        }
        tokio::select! {
            () = waiting.notified() => {}
            () = tokio::time::sleep(POLL) => {}
        }
    }
}
