//! The background delivery worker: every `poll`, it claims the webhook and email deliveries that
//! are due (`optin_core::outbox`) and starts an attempt for each. Attempts run on their own, so a
//! slow endpoint holds up nothing else; with several instances, leases keep each delivery with
//! one of them at a time. Stopping leaves nothing to finish: an attempt cut off is retried when
//! its lease runs out.

use optin_core::{
    outbox::{self, Senders},
    Core,
};
use std::{sync::Arc, time::Duration};

pub fn spawn(core: Core, senders: Arc<Senders>, poll: Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let stopping = core.stopping.clone();
        while !stopping.is_cancelled() {
            let pause = match outbox::deliver_due(&core, &senders).await {
                // Started some: there may be more due right away.
                Ok(started) if started > 0 => Duration::from_millis(20),
                Ok(_) => poll,
                Err(error) => {
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
