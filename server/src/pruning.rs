//! The retention task: every `interval_secs`, prunes what `RetentionSettings` no longer keeps
//! (see `optin_core::operations::Retention`). Every instance runs it; deleting what another instance
//! already deleted costs nothing.

use crate::settings::RetentionSettings;
use optin_core::{
    clock::now,
    operations::{self, Retention},
    Core,
};
use std::time::Duration;

const DAY_SECS: i64 = 24 * 60 * 60;

pub fn spawn(core: Core, settings: RetentionSettings) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let stopping = core.stopping.clone();
        loop {
            let now = now();
            let retention = Retention {
                tokens_before: now - i64::from(settings.token_history_days) * DAY_SECS,
                tokens_per_authorization: i64::from(settings.token_history_per_authorization),
                audit_before: now - i64::from(settings.audit_days) * DAY_SECS,
            };
            match operations::prune(&core, retention, now).await {
                Ok(pruned) if pruned.total() > 0 => tracing::info!(?pruned, "pruned what is no longer kept"),
                Ok(_) => {}
                Err(error) => tracing::error!(%error, "cannot prune"),
            }
            tokio::select! {
                () = tokio::time::sleep(Duration::from_secs(settings.interval_secs.max(1))) => {}
                () = stopping.cancelled() => return,
            }
        }
    })
}
