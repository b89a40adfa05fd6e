//! The background refresh worker: every `interval`, it refreshes the authorizations whose access
//! token is due (see `optin_core::lifecycle`), many at once but at most `concurrency` provider calls in
//! flight, and goes straight on to the next batch while there is a backlog. When the process
//! stops (`Core::stopping`) it claims nothing more and returns once its refreshes are done.

use optin_core::{lifecycle, Core};
use std::{sync::Arc, time::Duration};
use tokio::{sync::Semaphore, task::JoinSet};

const BATCH: u32 = 1_000;

pub fn spawn(core: Core, interval: Duration, concurrency: usize) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let permits = Arc::new(Semaphore::new(concurrency.max(1)));
        let stopping = core.stopping.clone();
        while !stopping.is_cancelled() {
            let due = match lifecycle::due(&core, BATCH).await {
                Ok(due) => due,
                Err(error) => {
                    tracing::error!(%error, "cannot list the authorizations due for refresh");
                    Vec::new()
                }
            };
            let backlog = due.len() == BATCH as usize;
            let mut running = JoinSet::new();
            for (company, product) in due {
                let permit = tokio::select! {
                    permit = permits.clone().acquire_owned() => permit,
                    () = stopping.cancelled() => break,
                };
                let Ok(permit) = permit else { break };
                let core = core.clone();
                running.spawn(async move {
                    let _permit = permit;
                    if let Err(error) = lifecycle::refresh_if_due(&core, company, product).await {
                        tracing::error!(%error, %company, %product, "refresh failed");
                    }
                });
            }
            // Those started finish even when stopping: each holds an answer UPS may have given.
            while running.join_next().await.is_some() {}
            // With a backlog, go on at once, but never spin: failed rows are rescheduled, and a
            // short pause keeps a stuck batch from monopolizing the database.
            let pause = if backlog { Duration::from_millis(50) } else { interval };
            tokio::select! {
                () = tokio::time::sleep(pause) => {}
                () = stopping.cancelled() => {}
            }
        }
    })
}
