//! The refresh of an authorization's token, as stored: the lease a refresh holds on the
//! authorization's row (so that instances sharing a database never refresh one twice), the
//! rotated pair UPS answers with, a grant found dead, the backoff after a failure, and what is
//! due. Every transition locks the authorization's row before its tokens.

use super::{
    audit, outbox, product,
    tokens::{insert, retire_active, Current, Retired},
    AuthorizationId, Store, StoreError,
};
use crate::{
    audit::{Entry, Event},
    clock::now,
    events::EventKind,
    secret::fingerprint,
    ups::TokenGrant,
};
use model::{CompanyId, Product};

/// UPS unreachable while the stored token expires within this many seconds is a degraded
/// incident (the token API hands out tokens valid for at least 60 s).
const DEGRADED_MARGIN_SECS: i64 = 60;

/// Whether a refresh may ask UPS now.
#[derive(Debug, PartialEq, Eq)]
pub enum Lease {
    /// This caller holds the authorization's refresh lease.
    Taken,
    /// A refresh is under way elsewhere (another task or instance).
    Held,
    /// The authorization changed since it was read (refreshed elsewhere, opted out, …).
    Superseded,
}

/// A refresh's answer, once stored.
pub enum Refreshed {
    /// Stored as the active token; it expires then.
    Stored { expires_at: i64 },
    /// The authorization changed while UPS was asked (opt-out, new opt-in): nothing was stored.
    Superseded,
}

impl Store {
    /// Takes the authorization's refresh lease for `lease_secs` and records that a refresh is
    /// about to ask UPS (keeping the start of an earlier one that never finished), committed
    /// before UPS is asked. One conditional `UPDATE`: of the callers on every instance, one
    /// takes it; a lease left by a stopped instance runs out and is taken over. Only while
    /// `current`'s token is still the active one: a refresh that finished elsewhere since it was
    /// read must not be repeated with the refresh token it replaced.
    pub async fn take_refresh_lease(&self, current: &Current, lease_secs: i64) -> Result<Lease, StoreError> {
        let authorization = current.authorization;
        let now = now();
        let mut tx = self.write().await?;
        let taken: Option<i64> = on_tx!(tx, db => sqlx::query_scalar(
            "UPDATE authorizations SET refresh_started_at = COALESCE(refresh_started_at, $1), refresh_lease_until = $1 + $2
             WHERE id = $3 AND status = 'authorized' AND (refresh_lease_until IS NULL OR refresh_lease_until <= $1)
             RETURNING id",
        )
        .bind(now)
        .bind(lease_secs)
        .bind(authorization.0)
        .fetch_optional(db)
        .await)?;
        if taken.is_some() {
            // A new statement sees whatever committed before the row was ours.
            let active: Option<i64> = on_tx!(tx, db => sqlx::query_scalar(
                "SELECT id FROM oauth_tokens WHERE authorization_id = $1 AND status = 'active'",
            )
            .bind(authorization.0)
            .fetch_optional(db)
            .await)?;
            if active != current.token {
                tx.rollback().await?;
                return Ok(Lease::Superseded);
            }
            tx.commit().await?;
            return Ok(Lease::Taken);
        }
        let status: Option<String> = on_tx!(tx, db => sqlx::query_scalar("SELECT status FROM authorizations WHERE id = $1")
            .bind(authorization.0)
            .fetch_optional(db)
            .await)?;
        tx.rollback().await?;
        Ok(match status.as_deref() {
            Some("authorized") => Lease::Held,
            _ => Lease::Superseded,
        })
    }

    /// Gives the lease back without a refresh (the process is stopping before UPS was asked).
    pub async fn release_refresh_lease(&self, authorization: AuthorizationId) -> Result<(), StoreError> {
        let mut tx = self.write_first().await?;
        on_tx!(tx, db => sqlx::query("UPDATE authorizations SET refresh_lease_until = NULL WHERE id = $1")
            .bind(authorization.0)
            .execute(db)
            .await
            .map(|done| done.rows_affected()))?;
        tx.commit().await?;
        Ok(())
    }

    /// Stores the rotated pair UPS just issued in one short transaction that also clears the
    /// record of the refresh under way; only if `current`'s token is still the active one.
    pub async fn store_refreshed(
        &self,
        current: &Current,
        company: CompanyId,
        product: Product,
        grant: &TokenGrant,
    ) -> Result<Refreshed, StoreError> {
        let authorization = current.authorization.0;
        let mut tx = self.write_first().await?;
        // The authorization's row first, then its tokens: every transition locks them in this
        // order, so two of them (on PostgreSQL) never wait on each other.
        let still_ours: Option<i64> = on_tx!(tx, db => sqlx::query_scalar(
            "UPDATE authorizations SET refresh_failures = 0, retry_at = NULL, refresh_started_at = NULL,
                 refresh_lease_until = NULL
             WHERE id = $1 AND status = 'authorized' RETURNING id",
        )
        .bind(authorization)
        .fetch_optional(db)
        .await)?;
        if still_ours.is_none() || retire_active(&mut tx, authorization, current.token, Retired::Refreshed).await? != 1
        {
            tx.rollback().await?;
            return Ok(Refreshed::Superseded);
        }
        let expires_at = insert(&mut tx, &self.cipher, current.owner, grant).await?;
        let event = Event::Refreshed { token: fingerprint(grant.access_token.expose()) };
        audit::record(&mut tx, Entry::service(company, product, event)).await?;
        outbox::end_degraded(&mut tx, authorization, company, product).await?;
        tx.commit().await?;
        Ok(Refreshed::Stored { expires_at })
    }

    /// The grant is dead: re-authorization required, tokens wiped. Only if `current`'s token is
    /// still the active one (an opt-in in the meantime has a grant of its own); returns whether
    /// it marked anything.
    pub async fn mark_dead(
        &self,
        current: &Current,
        company: CompanyId,
        product: Product,
        reason: String,
    ) -> Result<bool, StoreError> {
        let authorization = current.authorization.0;
        let mut tx = self.write_first().await?;
        // The authorization's row first, then its tokens (see `store_refreshed`).
        let marked = on_tx!(tx, db => sqlx::query(
            "UPDATE authorizations SET status = 'reauthorization_required', status_reason = $1, status_changed_at = $2,
                 refresh_failures = 0, retry_at = NULL, refresh_started_at = NULL, refresh_lease_until = NULL,
                 degraded_at = NULL
             WHERE id = $3 AND status = 'authorized'",
        )
        .bind(&reason)
        .bind(now())
        .bind(authorization)
        .execute(db)
        .await.map(|done| done.rows_affected()))?;
        if marked != 1 || retire_active(&mut tx, authorization, current.token, Retired::Cleared).await? != 1 {
            tx.rollback().await?;
            return Ok(false);
        }
        outbox::record_event(&mut tx, EventKind::ReauthorizationRequired, company, product, Some(&reason)).await?;
        audit::record(&mut tx, Entry::service(company, product, Event::ReauthorizationRequired { reason })).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Backs off after a failed refresh: one more consecutive failure, the next try `delay(n)`
    /// seconds away for the n-th; `settled` when UPS certainly did not act on it, so it no longer
    /// counts as under way.
    pub async fn schedule_retry(
        &self,
        authorization: AuthorizationId,
        company: CompanyId,
        product: Product,
        error: &str,
        settled: bool,
        delay: impl FnOnce(u32) -> i64,
    ) -> Result<(), StoreError> {
        let mut tx = self.write_first().await?;
        let failures: i64 = on_tx!(tx, db => sqlx::query_scalar(
            "UPDATE authorizations SET refresh_failures = refresh_failures + 1 WHERE id = $1 RETURNING refresh_failures",
        )
        .bind(authorization.0)
        .fetch_one(db)
        .await)?;
        let next_in_secs = delay(failures.clamp(1, 1_000) as u32);
        on_tx!(tx, db => sqlx::query(
            "UPDATE authorizations SET retry_at = $1, refresh_lease_until = NULL,
                 refresh_started_at = CASE WHEN $2 THEN NULL ELSE refresh_started_at END
             WHERE id = $3",
        )
        .bind(now() + next_in_secs)
        .bind(settled)
        .bind(authorization.0)
        .execute(db)
        .await.map(|done| done.rows_affected()))?;
        let event = Event::RefreshFailed { attempt: failures, next_in_secs, error: error.to_owned() };
        audit::record(&mut tx, Entry::service(company, product, event)).await?;
        outbox::start_degraded(&mut tx, authorization.0, company, product, DEGRADED_MARGIN_SECS).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Authorizations whose active token is due for refresh, not waiting out a backoff and not
    /// being refreshed (here or on another instance), soonest first.
    pub async fn due(&self, limit: u32) -> Result<Vec<(CompanyId, Product)>, StoreError> {
        let rows: Vec<(i64, String)> = on_pool!(self, db => sqlx::query_as(
            "SELECT a.company_id, a.product FROM oauth_tokens t JOIN authorizations a ON a.id = t.authorization_id
             WHERE t.status = 'active' AND t.refresh_at <= $1 AND a.status = 'authorized'
               AND (a.retry_at IS NULL OR a.retry_at <= $1)
               AND (a.refresh_lease_until IS NULL OR a.refresh_lease_until <= $1)
             ORDER BY t.refresh_at LIMIT $2",
        )
        .bind(now())
        .bind(i64::from(limit))
        .fetch_all(db)
        .await)?;
        rows.into_iter().map(|(company, slug)| Ok((CompanyId::new(company), product(&slug)?))).collect()
    }

    /// How many authorizations are due for refresh now (the worker's backlog).
    pub async fn due_count(&self) -> Result<i64, StoreError> {
        Ok(on_pool!(self, db => sqlx::query_scalar(
            "SELECT COUNT(*) FROM oauth_tokens t JOIN authorizations a ON a.id = t.authorization_id
             WHERE t.status = 'active' AND t.refresh_at <= $1 AND a.status = 'authorized'",
        )
        .bind(now())
        .fetch_one(db)
        .await)?)
    }

    /// Makes every active token of `product` (of every product, with `None`) due for refresh now:
    /// the workers then refresh them all, soonest first. How many were made due.
    pub async fn refresh_all_now(&self, product: Option<Product>) -> Result<u64, StoreError> {
        let mut tx = self.write().await?;
        let due = on_tx!(tx, db => sqlx::query(
            "UPDATE oauth_tokens SET refresh_at = $1 WHERE status = 'active' AND authorization_id IN
                 (SELECT id FROM authorizations WHERE status = 'authorized' AND ($2 IS NULL OR product = $2))",
        )
        .bind(now())
        .bind(product.map(Product::slug))
        .execute(db)
        .await
        .map(|done| done.rows_affected()))?;
        tx.commit().await?;
        Ok(due)
    }
}
