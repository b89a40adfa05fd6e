//! The background refresh worker: a pipeline, not batches. It keeps asking for the
//! authorizations whose access token is due (see `optin_core::lifecycle`), soonest first, and
//! starts each refresh as soon as one of its `concurrency` slots frees up; only when nothing is
//! due does it wait, for `interval`. With several instances, each takes what no other holds a
//! refresh lease on. When the process stops (`Core::stopping`) it starts nothing more and returns
//! once its refreshes are done.

use model::{CompanyId, Product};
use optin_core::{lifecycle, Core};
use std::{
    collections::HashMap,
    sync::Arc,
    time::{Duration, Instant},
};
use tokio::{sync::Semaphore, task::JoinSet};

/// How many due authorizations one look at the database returns.
const BATCH: u32 = 500;

/// One that was just tried is not tried again for this long, whatever the database says (a
/// refresh that failed and could not even record its backoff must not spin).
const RETRY_PAUSE: Duration = Duration::from_secs(1);

pub fn spawn(core: Core, interval: Duration, concurrency: usize) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let permits = Arc::new(Semaphore::new(concurrency.max(1)));
        let stopping = core.stopping.clone();
        // Under way or just tried, by authorization: when each was started.
        let mut started: HashMap<(CompanyId, Product), Instant> = HashMap::new();
        let mut running = JoinSet::new();
        while !stopping.is_cancelled() {
            let mut due = match lifecycle::due(&core, BATCH).await {
                Ok(due) => due,
                Err(error) => {
                    tracing::error!(%error, "cannot list the authorizations due for refresh");
                    Vec::new()
                }
            };
            // All of them are due; in another order than the other instances', which read the
            // same list, so that they rarely reach for the same one at once.
            rand::seq::SliceRandom::shuffle(due.as_mut_slice(), &mut rand::thread_rng());
            let mut began = 0;
            for key in due {
                started.retain(|_, at| at.elapsed() < RETRY_PAUSE);
                if started.contains_key(&key) {
                    continue;
                }
                let permit = tokio::select! {
                    permit = permits.clone().acquire_owned() => permit,
                    () = stopping.cancelled() => break,
                };
                let Ok(permit) = permit else { break };
                started.insert(key, Instant::now());
                let core = core.clone();
                let (company, product) = key;
                running.spawn(async move {
                    let _permit = permit;
                    if let Err(error) = lifecycle::refresh_if_due(&core, company, product).await {
                        tracing::error!(%error, %company, %product, "refresh failed");
                    }
                });
                began += 1;
                // Reap what finished, so the set stays as small as what is in flight.
                while running.try_join_next().is_some() {}
            }
            // Nothing new to start: wait for the interval, or (while refreshes are under way)
            // for a slot to free up, whichever comes first, then look again.
            if began == 0 {
                let pause = if running.is_empty() { interval } else { Duration::from_millis(50).min(interval) };
                tokio::select! {
                    () = tokio::time::sleep(pause) => {}
                    () = stopping.cancelled() => {}
                }
            }
        }
        // Those started finish even when stopping: each holds an answer UPS may have given.
        while running.join_next().await.is_some() {}
    })
}
