//! The background refresh worker: a pipeline, not rounds. It claims authorizations whose access
//! token is due (see `optin_core::lifecycle`), soonest first, as many at once as it has free
//! slots of its `concurrency`, with one statement, and starts each refresh at once; only when
//! nothing is due does it wait, for `interval`. A claim is a lease: with several instances, each
//! claims what no other holds, and a slot is never claimed ahead of time (a claimed
//! authorization waiting for a slot would let its lease run out). Each application's budget
//! decides how many of its due authorizations a claim may take; what it holds back is claimed as
//! soon as it allows, not an interval later. When the process stops
//! (`Core::stopping`) it claims nothing more and returns once its refreshes are done.

use optin_core::{lifecycle, Core};
use std::{sync::Arc, time::Duration};
use tokio::{sync::Semaphore, task::JoinSet};

/// While authorizations are due, how long a free slot waits for others to free up (up to half of
/// them), so that one claim serves several refreshes.
const BATCH_WAIT: Duration = Duration::from_millis(5);

pub fn spawn(core: Core, interval: Duration, concurrency: usize) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let concurrency = concurrency.max(1);
        let slots = Arc::new(Semaphore::new(concurrency));
        let stopping = core.stopping.clone();
        let mut running = JoinSet::new();
        let mut busy = false;
        while !stopping.is_cancelled() {
            // One free slot at least, then every slot free by then: claims come in batches.
            let first = tokio::select! {
                slot = slots.clone().acquire_owned() => slot,
                () = stopping.cancelled() => break,
            };
            let Ok(first) = first else { break };
            if busy {
                let waited = tokio::time::Instant::now() + BATCH_WAIT;
                while slots.available_permits() + 1 < concurrency / 2 && tokio::time::Instant::now() < waited {
                    tokio::time::sleep(Duration::from_millis(1)).await;
                }
            }
            let mut taken = vec![first];
            while let Ok(slot) = slots.clone().try_acquire_owned() {
                taken.push(slot);
            }
            let (claims, wake_in) = match lifecycle::claim_due(&core, taken.len() as u32).await {
                Ok(claimed) => claimed,
                Err(error) => {
                    tracing::error!(%error, "cannot claim the authorizations due for refresh");
                    (Vec::new(), None)
                }
            };
            let (asked, began) = (taken.len(), claims.len());
            for (claim, slot) in claims.into_iter().zip(taken.drain(..)) {
                let core = core.clone();
                running.spawn(async move {
                    let _slot = slot;
                    let (company, product) = (claim.company(), claim.product());
                    if let Err(error) = lifecycle::refresh_claimed(&core, claim).await {
                        tracing::error!(%error, %company, %product, "refresh failed");
                    }
                });
            }
            drop(taken);
            // Reap what finished, so the set stays as small as what is in flight.
            while running.try_join_next().is_some() {}
            // Fewer due than free slots: everything due now is under way, or held back by its
            // application's budget. Look again after the interval (what comes due meanwhile
            // waits at most that long), or as soon as the budget lets more leave.
            busy = began == asked;
            if !busy {
                let pause = wake_in.map_or(interval, |wake_in| wake_in.min(interval));
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
