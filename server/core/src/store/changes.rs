//! Telling the other instances on a PostgreSQL database about writes, and hearing about
//! theirs: every instance listens on one channel and drops what its token API keeps in memory
//! when anything is written (`crate::cache`); its own writes are announced by one notification
//! for all that committed since the last, sent outside their transactions.

use sqlx::{postgres::PgListener, PgPool};
use std::{
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc,
    },
    time::Duration,
};

/// The PostgreSQL channel the instances announce their writes on; each one's listener then
/// drops what it keeps in memory (`crate::cache`), so a revoke on one is seen on all.
const CHANGES_CHANNEL: &str = "optin_changes";

/// Writes committed since the last announcement.
#[derive(Default)]
pub(super) struct Changes {
    pending: std::sync::atomic::AtomicBool,
    wake: tokio::sync::Notify,
}

impl Changes {
    pub(super) fn happened(&self) {
        self.pending.store(true, Ordering::Release);
        self.wake.notify_one();
    }
}

impl std::fmt::Debug for Changes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Changes")
    }
}

/// Announces this instance's writes on `CHANGES_CHANNEL`, one notification for all that
/// committed since the last one. Outside the writes' own transactions: PostgreSQL serializes the
/// commits of transactions that notify, and refreshes must not queue behind each other for it.
pub(super) async fn announce_changes(pool: PgPool, changes: Arc<Changes>) {
    loop {
        changes.wake.notified().await;
        if pool.is_closed() {
            return;
        }
        if changes.pending.swap(false, Ordering::AcqRel) {
            if let Err(error) = sqlx::query("SELECT pg_notify($1, '')").bind(CHANGES_CHANNEL).execute(&pool).await {
                tracing::warn!(%error, "cannot tell the other instances about a change");
            }
        }
    }
}

/// Counts every write another instance commits (and, after a lost connection, assumes one).
pub(super) async fn listen_for_changes(pool: PgPool, generation: Arc<AtomicU64>, seen: Arc<tokio::sync::Notify>) {
    let count = || {
        generation.fetch_add(1, Ordering::AcqRel);
        seen.notify_waiters();
    };
    loop {
        match PgListener::connect_with(&pool).await {
            Ok(mut listener) => {
                if let Err(error) = listener.listen(CHANGES_CHANNEL).await {
                    tracing::warn!(%error, "cannot listen for other instances' changes");
                } else {
                    count();
                    loop {
                        match listener.try_recv().await {
                            Ok(Some(_)) => {
                                count();
                            }
                            // The connection was lost (and is re-established): anything may
                            // have changed meanwhile.
                            Ok(None) => {
                                count();
                            }
                            Err(error) => {
                                tracing::warn!(%error, "lost the change notifications; reconnecting");
                                break;
                            }
                        }
                    }
                }
            }
            Err(error) if pool.is_closed() => {
                tracing::debug!(%error, "the store is closed; no more change notifications");
                return;
            }
            Err(error) => tracing::warn!(%error, "cannot listen for other instances' changes"),
        }
        count();
        if pool.is_closed() {
            return;
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}
