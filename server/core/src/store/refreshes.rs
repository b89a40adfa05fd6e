//! The refresh of an authorization's token, as stored: claiming authorizations for a refresh
//! (the lease that keeps instances sharing a database from refreshing one twice, taken in the
//! same statement that reads what the refresh needs), the rotated pair UPS answers with, a grant
//! found dead, the backoff after a failure, and what is due. Every transition locks the
//! authorization's row before its tokens.

use super::{
    audit, outbox, product,
    sealed::{TokenColumn, TokenOwner},
    settle::{Refreshed, Settling},
    tokens::{retire_active, Retired},
    AuthorizationId, Store, StoreError,
};
use crate::{
    audit::{Entry, Event},
    clock::now,
    events::EventKind,
    secret::SecretString,
    ups::TokenGrant,
};
use model::{CompanyId, LostGrant, Product};

/// UPS unreachable while the stored token expires within this many seconds is a degraded
/// incident (the token API hands out tokens valid for at least 60 s).
const DEGRADED_MARGIN_SECS: i64 = 60;

/// Takes the lease on the authorizations `PICK` names (`$1` now, `$2` the lease's length) and
/// records that a refresh is about to ask UPS (keeping the start of an earlier one that never
/// finished), answering what the refresh needs: one statement, committed before UPS is asked.
/// A lease left by a stopped instance has run out and is taken over.
const CLAIM: &str = "UPDATE authorizations SET refresh_started_at = COALESCE(refresh_started_at, $1),
        refresh_lease_until = $1 + $2
    WHERE id IN (PICK)
    RETURNING id, company_id AS company, product, refresh_started_at AS started_at, refresh_failures AS failures,
        degraded_at IS NOT NULL AS degraded,
        (SELECT t.id FROM oauth_tokens t WHERE t.authorization_id = authorizations.id AND t.status = 'active') AS token,
        (SELECT t.refresh_token FROM oauth_tokens t WHERE t.authorization_id = authorizations.id AND t.status = 'active') AS refresh";

/// The worker's pick: up to `$3` authorizations of product `$4` that are due, not waiting out a
/// backoff and not leased, soonest first (in the order of the `authorizations_due` index).
const DUE: &str = "SELECT a.id FROM authorizations a
    WHERE a.status = 'authorized' AND a.refresh_at <= $1 AND (a.retry_at IS NULL OR a.retry_at <= $1)
        AND (a.refresh_lease_until IS NULL OR a.refresh_lease_until <= $1) AND a.product = $4
    ORDER BY a.refresh_at LIMIT $3";

/// A caller's pick: authorization `$3`, while `$4` is still its active token and nobody holds the
/// lease.
const ONE: &str = "SELECT a.id FROM authorizations a
    WHERE a.id = $3 AND a.status = 'authorized' AND (a.refresh_lease_until IS NULL OR a.refresh_lease_until <= $1)
        AND EXISTS (SELECT 1 FROM oauth_tokens t WHERE t.id = $4 AND t.authorization_id = a.id AND t.status = 'active')";

/// On PostgreSQL the pick locks the rows as it reads them, skipping rows another transaction
/// holds; the lock re-reads each row as last committed and checks the pick again. A refresh
/// stored or an opt-in made since the statement began moved the row's due time (or its status),
/// so it is not claimed with the token it replaced. (Only a new token due the moment it was
/// issued could slip through; its refresh would then be refused as superseded, and UPS refuses
/// the replaced refresh token without harm to the new grant.)
const PG_LOCK: &str = " FOR UPDATE OF a SKIP LOCKED";

/// Which authorizations a claim picks: the pick's own parameters (`$3`, …).
#[derive(Clone, Copy)]
pub(super) enum Pick {
    Due { limit: i64, product: Product },
    One { authorization: i64, token: i64 },
}

/// What a refresh needs, read in the statement that took its lease.
pub struct Claim {
    pub authorization: AuthorizationId,
    owner: TokenOwner,
    /// The active token the lease was taken for: storing the answer is conditional on it, so an
    /// opt-out or a new opt-in meanwhile wins.
    token: i64,
    refresh: Option<Vec<u8>>,
    /// A refresh recorded as under way before this one whose answer was never stored: when it
    /// started (the service stopped, or UPS's answer never arrived).
    pub interrupted_refresh: Option<i64>,
    /// Consecutive failed refreshes before this one.
    pub failures: i64,
    /// A degraded incident is open: a stored refresh ends it.
    degraded: bool,
    /// The one refresh its application's open breaker lets through, to learn whether UPS
    /// accepts the application again.
    pub probe: bool,
}

impl Claim {
    /// What storing the refresh's answer needs.
    pub(super) fn settling(&self) -> Settling {
        Settling { owner: self.owner, token: self.token, degraded: self.degraded }
    }

    pub fn company(&self) -> CompanyId {
        self.owner.company
    }

    pub fn product(&self) -> Product {
        self.owner.product
    }
}

#[derive(sqlx::FromRow)]
struct ClaimRow {
    id: i64,
    company: i64,
    product: String,
    started_at: Option<i64>,
    failures: i64,
    degraded: bool,
    token: Option<i64>,
    refresh: Option<Vec<u8>>,
}

impl ClaimRow {
    fn into_claim(self, now: i64) -> Result<Claim, StoreError> {
        let company = CompanyId::new(self.company);
        Ok(Claim {
            authorization: AuthorizationId(self.id),
            owner: TokenOwner { authorization: self.id, company, product: product(&self.product)? },
            // Picked for its active token, and locked with it: it has one.
            token: self
                .token
                .ok_or_else(|| StoreError::Inconsistent(format!("authorization {} lost its token", self.id)))?,
            refresh: self.refresh,
            // Taken now unless an earlier refresh's start was kept: that one never finished.
            interrupted_refresh: self.started_at.filter(|started| *started < now),
            failures: self.failures,
            degraded: self.degraded,
            probe: false,
        })
    }
}

/// Runs the claim statement of `pick` in `tx`: the claims it took.
pub(super) async fn claim_rows(
    store: &Store,
    tx: &mut super::WriteTx,
    pick: Pick,
    lease_secs: i64,
    now: i64,
) -> Result<Vec<Claim>, StoreError> {
    let sql = match (pick, store.is_postgres()) {
        (Pick::Due { .. }, false) => CLAIM_DUE.as_str(),
        (Pick::Due { .. }, true) => CLAIM_DUE_PG.as_str(),
        (Pick::One { .. }, false) => CLAIM_ONE.as_str(),
        (Pick::One { .. }, true) => CLAIM_ONE_PG.as_str(),
    };
    let rows: Vec<ClaimRow> = on_tx!(tx, db => {
        let query = sqlx::query_as(sql).bind(now).bind(lease_secs);
        let query = match pick {
            Pick::Due { limit, product } => query.bind(limit).bind(product.slug()),
            Pick::One { authorization, token } => query.bind(authorization).bind(token),
        };
        query.fetch_all(db).await
    })?;
    rows.into_iter().map(|row| row.into_claim(now)).collect()
}

impl Store {
    /// The claimed authorization's refresh token, opened.
    pub fn claimed_refresh_token(&self, claim: &Claim) -> Result<Option<SecretString>, StoreError> {
        claim.refresh.as_deref().map(|sealed| claim.owner.open(&self.cipher, TokenColumn::Refresh, sealed)).transpose()
    }

    /// Gives the lease back without a refresh (the process is stopping before UPS was asked).
    pub async fn release_claim(&self, claim: &Claim) -> Result<(), StoreError> {
        let mut tx = self.write_first().await?;
        on_tx!(tx, db => sqlx::query("UPDATE authorizations SET refresh_lease_until = NULL WHERE id = $1")
            .bind(claim.authorization.0)
            .execute(db)
            .await
            .map(|done| done.rows_affected()))?;
        tx.commit().await?;
        Ok(())
    }

    /// Stores the rotated pair UPS just issued for `claim`, in one short transaction (shared with
    /// the answers that arrive meanwhile, see `settle`) that also clears the record of the
    /// refresh under way; only if the claimed token is still the active one.
    #[tracing::instrument(name = "store.store_refreshed", skip_all, fields(db.system.name = self.system()))]
    pub async fn store_refreshed(&self, claim: &Claim, grant: TokenGrant) -> Result<Refreshed, StoreError> {
        self.settle_answer(claim.settling(), grant).await
    }

    /// The grant is dead: re-authorization required, tokens wiped. Only if the claimed token is
    /// still the active one (an opt-in in the meantime has a grant of its own); returns whether
    /// it marked anything.
    pub async fn mark_dead(&self, claim: &Claim, lost: &LostGrant) -> Result<bool, StoreError> {
        let authorization = claim.authorization.0;
        let (company, product) = (claim.company(), claim.product());
        let mut tx = self.write_first().await?;
        // The authorization's row first, then its tokens (see `store_refreshed`).
        let marked = on_tx!(tx, db => sqlx::query(
            "UPDATE authorizations SET status = 'reauthorization_required', status_reason = $1, status_detail = $2,
                 interrupted_refresh_at = $3, status_changed_at = $4, refresh_at = NULL, refresh_failures = 0,
                 retry_at = NULL, refresh_started_at = NULL, refresh_lease_until = NULL, degraded_at = NULL
             WHERE id = $5 AND status = 'authorized'",
        )
        .bind(lost.cause.code())
        .bind(lost.provider_said.as_deref())
        .bind(lost.cause.interrupted_at())
        .bind(now())
        .bind(authorization)
        .execute(db)
        .await.map(|done| done.rows_affected()))?;
        if marked != 1 || retire_active(&mut tx, authorization, Some(claim.token), Retired::Cleared).await? != 1 {
            tx.rollback().await?;
            return Ok(false);
        }
        let reason = lost.explain();
        outbox::record_event(&mut tx, EventKind::ReauthorizationRequired, company, product, Some(&reason)).await?;
        audit::record(&mut tx, Entry::service(company, product, Event::ReauthorizationRequired { reason })).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Backs off after a failed refresh: one more consecutive failure, the next try
    /// `next_in_secs` away; `settled` when UPS certainly did not act on it, so it no longer
    /// counts as under way.
    pub async fn schedule_retry(
        &self,
        claim: &Claim,
        error: &str,
        settled: bool,
        next_in_secs: i64,
    ) -> Result<(), StoreError> {
        let (company, product) = (claim.company(), claim.product());
        let attempt = claim.failures + 1;
        let mut tx = self.write_first().await?;
        on_tx!(tx, db => sqlx::query(
            "UPDATE authorizations SET refresh_failures = $1, retry_at = $2, refresh_lease_until = NULL,
                 refresh_started_at = CASE WHEN $3 THEN NULL ELSE refresh_started_at END
             WHERE id = $4",
        )
        .bind(attempt)
        .bind(now() + next_in_secs)
        .bind(settled)
        .bind(claim.authorization.0)
        .execute(db)
        .await.map(|done| done.rows_affected()))?;
        let event = Event::RefreshFailed { attempt, next_in_secs, error: error.to_owned() };
        audit::record(&mut tx, Entry::service(company, product, event)).await?;
        if !claim.degraded {
            outbox::start_degraded(&mut tx, claim.authorization.0, company, product, DEGRADED_MARGIN_SECS).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// `authorization.expiring` for each active token whose refresh token ends within
    /// `lead_secs` and has not been announced: marked and recorded in one transaction, so each
    /// is announced once whichever instance looks. Answers how many.
    pub async fn announce_expiring(&self, lead_secs: i64) -> Result<u64, StoreError> {
        let now = now();
        let mut tx = self.write().await?;
        let ending: Vec<(i64, String, i64)> = on_tx!(tx, db => sqlx::query_as(
            "UPDATE oauth_tokens SET expiring_notified_at = $1
             WHERE status = 'active' AND expiring_notified_at IS NULL AND refresh_expires_at IS NOT NULL
                 AND refresh_expires_at <= $1 + $2
             RETURNING (SELECT a.company_id FROM authorizations a WHERE a.id = authorization_id),
                 (SELECT a.product FROM authorizations a WHERE a.id = authorization_id), refresh_expires_at",
        )
        .bind(now)
        .bind(lead_secs)
        .fetch_all(db)
        .await)?;
        for (company, slug, ends_at) in &ending {
            let (company, product) = (CompanyId::new(*company), product(slug)?);
            let reason = format!(
                "The UPS authorization ends at {} (UPS's refresh tokens live about 60 days) and UPS has issued no \
                 newer one. An admin should authorize again before then.",
                model::time::format_utc(*ends_at)
            );
            outbox::record_event(&mut tx, EventKind::Expiring, company, product, Some(&reason)).await?;
            audit::record(&mut tx, Entry::service(company, product, Event::Expiring { ends_at: *ends_at })).await?;
        }
        tx.commit().await?;
        Ok(ending.len() as u64)
    }

    /// How many authorizations are due for refresh now (the worker's backlog).
    pub async fn due_count(&self) -> Result<i64, StoreError> {
        Ok(on_pool!(self, db => sqlx::query_scalar(
            "SELECT COUNT(*) FROM authorizations WHERE status = 'authorized' AND refresh_at <= $1",
        )
        .bind(now())
        .fetch_one(db)
        .await)?)
    }

    /// Makes every authorized authorization of `product` (of every product, with `None`) due for
    /// refresh now:
    /// the workers then refresh them all, soonest first. How many were made due.
    pub async fn refresh_all_now(&self, product: Option<Product>) -> Result<u64, StoreError> {
        let mut tx = self.write().await?;
        let due = on_tx!(tx, db => sqlx::query(
            "UPDATE authorizations SET refresh_at = $1 WHERE status = 'authorized' AND ($2 IS NULL OR product = $2)",
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

/// The claim statements, with their pick and (on PostgreSQL) its lock written in once.
static CLAIM_DUE: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| CLAIM.replace("PICK", DUE));
static CLAIM_DUE_PG: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| CLAIM.replace("PICK", &format!("{DUE}{PG_LOCK}")));
static CLAIM_ONE: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| CLAIM.replace("PICK", ONE));
static CLAIM_ONE_PG: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| CLAIM.replace("PICK", &format!("{ONE}{PG_LOCK}")));
