//! The background delivery worker: every `poll`, it claims the webhook and email deliveries that
//! are due (`optin_core::outbox`), and the operators' incident deliveries
//! (`optin_core::incidents`), and starts an attempt for each. Attempts run on their own, so a
//! slow endpoint holds up nothing else; with several instances, leases keep each delivery with
//! one of them at a time. Every `expiring_check` it also records `authorization.expiring` for
//! the refresh tokens nearing their end. Stopping leaves nothing to finish: an attempt cut off is
//! retried when its lease runs out.

use optin_core::{
    incidents, lifecycle,
    outbox::{self, Senders},
    Core,
};
use std::{sync::Arc, time::Duration};

/// What the worker sends with, and how often it looks.
pub struct Deliveries {
    pub senders: Arc<Senders>,
    pub poll: Duration,
    pub expiring_check: Duration,
}

pub fn spawn(core: Core, deliveries: Deliveries) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let Deliveries { senders, poll, expiring_check } = deliveries;
        let stopping = core.stopping.clone();
        let mut next_expiring_check = tokio::time::Instant::now();
        while !stopping.is_cancelled() {
            if tokio::time::Instant::now() >= next_expiring_check {
                next_expiring_check += expiring_check;
                if let Err(error) = lifecycle::announce_expiring(&core).await {
                    tracing::error!(%error, "cannot look for refresh tokens nearing their end");
                }
            }
            let companies = outbox::deliver_due(&core, &senders).await;
            let operators = incidents::deliver_due(&core, &senders).await;
            let pause = match (companies, operators) {
                // Started some: there may be more due right away.
                (Ok(started), Ok(more)) if started + more > 0 => Duration::from_millis(20),
                (Ok(_), Ok(_)) => poll,
                (Err(error), _) | (_, Err(error)) => {
                    tracing::error!(%error, "cannot claim the deliveries due");
                    poll
                }
            };
            tokio::select! {
                () = tokio::time::sleep(pause) => {}
                () = stopping.cancelled() => {}
            }
        }
    })
}
