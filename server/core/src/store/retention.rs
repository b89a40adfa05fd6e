//! Pruning what is kept only for a while: retired tokens (the history Data Management's grid
//! shows; their secrets were wiped when they retired), the audit log, finished deliveries, the
//! events nothing refers to any more, consent links long past their time, and the sandbox's
//! spent tokens. Deletes go in batches, each
//! its own short transaction, so a large backlog never holds the database for long. Active
//! tokens, pending deliveries and anything an authorization needs are never touched.

use super::{Store, StoreError};

/// Rows deleted per statement.
const BATCH: i64 = 2_000;

/// What to keep. Times are Unix seconds: rows from before them go.
#[derive(Clone, Copy, Debug)]
pub struct Retention {
    /// Retired tokens issued before this go…
    pub tokens_before: i64,
    /// …and so do all but this many of an authorization's newest retired tokens.
    pub tokens_per_authorization: i64,
    /// Audit entries, finished deliveries and the events they carried, from before this.
    pub audit_before: i64,
}

/// How many rows one pass deleted, by kind.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Pruned {
    pub tokens: u64,
    pub audit_entries: u64,
    pub deliveries: u64,
    pub events: u64,
    pub sandbox_tokens: u64,
    pub sign_in_attempts: u64,
    pub consent_links: u64,
}

impl Pruned {
    pub fn total(&self) -> u64 {
        self.tokens
            + self.audit_entries
            + self.deliveries
            + self.events
            + self.sandbox_tokens
            + self.sign_in_attempts
            + self.consent_links
    }
}

const OLD_TOKENS: &str = "DELETE FROM oauth_tokens WHERE id IN
    (SELECT id FROM oauth_tokens WHERE status <> 'active' AND issued_at < $1 LIMIT $2)";
const SURPLUS_TOKENS: &str = "DELETE FROM oauth_tokens WHERE id IN
    (SELECT id FROM (SELECT id, ROW_NUMBER() OVER (PARTITION BY authorization_id ORDER BY id DESC) AS newer
                     FROM oauth_tokens WHERE status <> 'active') ranked
     WHERE newer > $1 LIMIT $2)";
const OLD_AUDIT: &str = "DELETE FROM audit_log WHERE id IN (SELECT id FROM audit_log WHERE at < $1 LIMIT $2)";
const OLD_DELIVERIES: &str = "DELETE FROM deliveries WHERE id IN
    (SELECT id FROM deliveries WHERE status <> 'pending' AND created_at < $1 LIMIT $2)";
const OLD_EVENTS: &str = "DELETE FROM events WHERE id IN
    (SELECT e.id FROM events e WHERE e.occurred_at < $1
         AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.event_id = e.id) LIMIT $2)";
const OLD_SIGN_IN_ATTEMPTS: &str = "DELETE FROM sign_in_attempts WHERE id IN
    (SELECT id FROM sign_in_attempts WHERE at < $1 LIMIT $2)";
const IDLE_SIGN_IN_LOCKS: &str = "DELETE FROM sign_in_locks WHERE address IN
    (SELECT l.address FROM sign_in_locks l
     WHERE $1 = $1 -- no bound: every lock without attempts goes
         AND NOT EXISTS (SELECT 1 FROM sign_in_attempts a WHERE a.address = l.address) LIMIT $2)";
const OLD_CONSENT_LINKS: &str = "DELETE FROM consent_links WHERE id IN
    (SELECT id FROM consent_links WHERE expires_at < $1 LIMIT $2)";
const SPENT_SANDBOX_TOKENS: &str = "DELETE FROM sandbox_tokens WHERE token_hash IN
    (SELECT token_hash FROM sandbox_tokens WHERE expires_at < $1 OR revoked_at < $1 LIMIT $2)";

impl Store {
    /// One pass over everything `retention` lets go.
    pub async fn prune(&self, retention: Retention, now: i64) -> Result<Pruned, StoreError> {
        Ok(Pruned {
            tokens: self.delete_all(OLD_TOKENS, retention.tokens_before).await?
                + self.delete_all(SURPLUS_TOKENS, retention.tokens_per_authorization.max(0)).await?,
            audit_entries: self.delete_all(OLD_AUDIT, retention.audit_before).await?,
            deliveries: self.delete_all(OLD_DELIVERIES, retention.audit_before).await?,
            events: self.delete_all(OLD_EVENTS, retention.audit_before).await?,
            // The sandbox's tokens are worth nothing once spent; a day's grace for its own checks.
            sandbox_tokens: self.delete_all(SPENT_SANDBOX_TOKENS, now - 24 * 60 * 60).await?,
            // The throttle forgets after minutes; what an address left a day ago goes.
            sign_in_attempts: self.delete_all(OLD_SIGN_IN_ATTEMPTS, now - 24 * 60 * 60).await?
                + self.delete_all(IDLE_SIGN_IN_LOCKS, 0).await?,
            // A link's story is in the Activity log; the link itself goes with it.
            consent_links: self.delete_all(OLD_CONSENT_LINKS, retention.audit_before).await?,
        })
    }

    /// Runs `statement` (bound to `bound` and a batch size) until it deletes nothing more.
    async fn delete_all(&self, statement: &str, bound: i64) -> Result<u64, StoreError> {
        let mut deleted = 0;
        loop {
            let mut tx = self.write().await?;
            let batch = on_tx!(tx, db => sqlx::query(statement)
                .bind(bound)
                .bind(BATCH)
                .execute(db)
                .await
                .map(|done| done.rows_affected()))?;
            tx.commit().await?;
            deleted += batch;
            if batch < BATCH as u64 {
                return Ok(deleted);
            }
        }
    }
}
