//! Keeping authorizations alive (server-only): a fresh access token on demand for the products'
//! backends, the refresh the background worker runs before tokens expire, and what happens when
//! UPS refuses a refresh (the grant is dead: re-authorization required) or cannot be reached (keep
//! everything, retry later with backoff and jitter).
//!
//! At most one refresh per authorization is in flight: callers serialize on a per-authorization
//! lock, and whoever waited re-reads the stored token instead of refreshing again, because UPS
//! rotates refresh tokens and a second refresh with the old one would kill the grant.
//!
//! UPS's answer to a refresh is the only copy of the new pair, so a refresh is recorded as under
//! way (committed) before UPS is asked, and its answer is stored in one short transaction straight
//! after. A refresh found still recorded as under way was interrupted (the process died, or the
//! answer never arrived); if UPS then refuses the old refresh token, the authorization says the
//! grant was lost to that interruption rather than to a UPS.com password change. Refreshes run in
//! tasks of the state's tracker, so a stopping process lets them finish (`AppState::stopping`).

use crate::{
    audit,
    authorization::ssr::{insert_token, retire_active_token, Retired},
    error::AppError,
    ids::CompanyId,
    product::Product,
    secret::{fingerprint, SecretString},
    state::{now, AppState},
};
use rand::Rng;
use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

/// A usable access token and when it expires (Unix seconds).
pub struct FreshToken {
    pub access_token: SecretString,
    pub expires_at: i64,
}

#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("the company does not exist")]
    UnknownCompany,
    #[error("the company has never authorized this product")]
    NotAuthorized,
    #[error("the company opted out")]
    OptedOut,
    #[error("the authorization was cleared")]
    Cleared,
    #[error("the UPS grant is no longer valid; an admin must authorize again")]
    ReauthorizationRequired,
    #[error("UPS is unavailable and the stored token has expired")]
    Unavailable,
    #[error(transparent)]
    App(#[from] AppError),
}

impl From<sqlx::Error> for TokenError {
    fn from(error: sqlx::Error) -> Self {
        Self::App(error.into())
    }
}

/// One lock per authorization, created on first use.
#[derive(Default)]
pub struct RefreshLocks(Mutex<HashMap<i64, Arc<tokio::sync::Mutex<()>>>>);

impl RefreshLocks {
    fn lock_for(&self, authorization: i64) -> Arc<tokio::sync::Mutex<()>> {
        let mut locks = self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if locks.len() > 4_096 {
            // Drop the locks nobody holds or waits for.
            locks.retain(|_, lock| Arc::strong_count(lock) > 1);
        }
        locks.entry(authorization).or_default().clone()
    }
}

/// The authorization of (company, product) and its active token, as stored.
struct Current {
    authorization: i64,
    status: String,
    reason: Option<String>,
    /// The active token's row: every write after a provider call is conditional on it still being
    /// the active one, so an opt-out or a new opt-in in the meantime wins.
    token: Option<i64>,
    access: Option<Vec<u8>>,
    refresh: Option<Vec<u8>>,
    expires_at: i64,
    refresh_at: i64,
    /// Waiting out a backoff after an outage until then.
    retry_at: Option<i64>,
    /// A refresh recorded as under way whose answer was never stored: when it started.
    interrupted_refresh: Option<i64>,
}

type CurrentRow = (
    Option<i64>,
    Option<String>,
    Option<String>,
    Option<i64>,
    Option<Vec<u8>>,
    Option<Vec<u8>>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
);

async fn current(state: &AppState, company: CompanyId, product: Product) -> Result<Current, TokenError> {
    let row: Option<CurrentRow> = sqlx::query_as(
        "SELECT a.id, a.status, a.status_reason, t.id, t.access_token, t.refresh_token, t.expires_at, t.refresh_at, a.retry_at,
                a.refresh_started_at
         FROM companies c
         LEFT JOIN authorizations a ON a.company_id = c.id AND a.product = ?
         LEFT JOIN oauth_tokens t ON t.authorization_id = a.id AND t.status = 'active'
         WHERE c.id = ?",
    )
    .bind(product.slug())
    .bind(company.get())
    .fetch_optional(&state.db)
    .await?;
    let (authorization, status, reason, token, access, refresh, expires_at, refresh_at, retry_at, interrupted_refresh) =
        row.ok_or(TokenError::UnknownCompany)?;
    let (Some(authorization), Some(status)) = (authorization, status) else { return Err(TokenError::NotAuthorized) };
    Ok(Current {
        authorization,
        status,
        reason,
        token,
        access,
        refresh,
        expires_at: expires_at.unwrap_or_default(),
        refresh_at: refresh_at.unwrap_or_default(),
        retry_at,
        interrupted_refresh,
    })
}

impl Current {
    fn usable(&self) -> Result<(), TokenError> {
        match (self.status.as_str(), self.reason.as_deref()) {
            ("authorized", _) => Ok(()),
            ("reauthorization_required", _) => Err(TokenError::ReauthorizationRequired),
            ("revoked", Some("cleared")) => Err(TokenError::Cleared),
            _ => Err(TokenError::OptedOut),
        }
    }

    fn token_valid_for(&self, state: &AppState, seconds: i64) -> Result<Option<FreshToken>, TokenError> {
        match &self.access {
            Some(sealed) if self.expires_at > now() + seconds => Ok(Some(FreshToken {
                access_token: state
                    .cipher
                    .decrypt(sealed, &format!("{}:access", self.authorization))
                    .map_err(AppError::from)?,
                expires_at: self.expires_at,
            })),
            _ => Ok(None),
        }
    }
}

/// A token valid for at least `min_validity` seconds, refreshing first if needed.
pub async fn fresh_token(
    state: &AppState,
    company: CompanyId,
    product: Product,
    min_validity: i64,
) -> Result<FreshToken, TokenError> {
    let stored = current(state, company, product).await?;
    stored.usable()?;
    if let Some(token) = stored.token_valid_for(state, min_validity)? {
        return Ok(token);
    }
    let guard = state.refresh_locks.lock_for(stored.authorization).lock_owned().await;
    // Whoever held the lock before us may have refreshed already: read again.
    let stored = current(state, company, product).await?;
    stored.usable()?;
    if let Some(token) = stored.token_valid_for(state, min_validity)? {
        return Ok(token);
    }
    // During a backoff, UPS is not asked again for every caller: what is stored is the answer.
    if stored.retry_at.is_some_and(|retry_at| retry_at > now()) {
        return stored.token_valid_for(state, 0)?.ok_or(TokenError::Unavailable);
    }
    match refresh_detached(state, stored, company, product, guard).await {
        Ok(token) => Ok(token),
        Err(Failure::Dead) => Err(TokenError::ReauthorizationRequired),
        // UPS is down (or we are stopping): a token that has not yet expired beats none.
        Err(Failure::Transient | Failure::Superseded | Failure::Stopping) => {
            let stored = current(state, company, product).await?;
            stored.usable()?;
            stored.token_valid_for(state, 0)?.ok_or(TokenError::Unavailable)
        }
        Err(Failure::App(error)) => Err(error.into()),
    }
}

/// What the worker does for one due authorization. Returns whether a refresh happened.
pub async fn refresh_if_due(state: &AppState, company: CompanyId, product: Product) -> Result<bool, TokenError> {
    let stored = current(state, company, product).await?;
    let guard = state.refresh_locks.lock_for(stored.authorization).lock_owned().await;
    let stored = current(state, company, product).await?;
    if stored.usable().is_err() || stored.access.is_none() || stored.refresh_at > now() {
        return Ok(false);
    }
    let authorization = stored.authorization;
    match refresh_detached(state, stored, company, product, guard).await {
        Ok(_) => Ok(true),
        Err(Failure::Dead | Failure::Transient | Failure::Superseded | Failure::Stopping) => Ok(false),
        Err(Failure::App(error)) => {
            // Whatever broke (a key change, the disk), back off rather than retry every pass.
            let _ = schedule_retry(state, authorization, company, product, &error.to_string(), false).await;
            Err(error.into())
        }
    }
}

/// Runs the refresh in a task of its own that holds the authorization's lock: if the caller goes
/// away (a client disconnects), the refresh still stores the rotated pair UPS has already issued,
/// and no second refresh can start meanwhile. The task is tracked, so a stopping process waits
/// for it.
async fn refresh_detached(
    state: &AppState,
    stored: Current,
    company: CompanyId,
    product: Product,
    guard: tokio::sync::OwnedMutexGuard<()>,
) -> Result<FreshToken, Failure> {
    let state = state.clone();
    let tracker = state.refreshes.clone();
    tracker
        .spawn(async move {
            let _held = guard;
            refresh_locked(&state, &stored, company, product).await
        })
        .await
        .map_err(|_| Failure::App(AppError::Internal))?
}

enum Failure {
    Dead,
    Transient,
    /// The authorization changed while UPS was asked (opt-out, new opt-in): nothing was stored.
    Superseded,
    /// The process is stopping: no new refresh starts.
    Stopping,
    App(AppError),
}

impl From<sqlx::Error> for Failure {
    fn from(error: sqlx::Error) -> Self {
        Self::App(error.into())
    }
}

/// Refreshes with the stored refresh token; the caller holds the authorization's lock.
async fn refresh_locked(
    state: &AppState,
    stored: &Current,
    company: CompanyId,
    product: Product,
) -> Result<FreshToken, Failure> {
    let authorization = stored.authorization;
    let Some(sealed) = &stored.refresh else {
        return match mark_dead(
            state,
            authorization,
            stored.token,
            company,
            product,
            "UPS issued no refresh token".into(),
        )
        .await?
        {
            true => Err(Failure::Dead),
            false => Err(Failure::Superseded),
        };
    };
    if state.stopping.is_cancelled() {
        return Err(Failure::Stopping);
    }
    let refresh_token = state
        .cipher
        .decrypt(sealed, &format!("{authorization}:refresh"))
        .map_err(|error| Failure::App(error.into()))?;
    if !record_refresh_started(state, authorization).await? {
        return Err(Failure::Superseded);
    }
    match state.ups.refresh(product, &refresh_token).await {
        Ok(mut grant) => {
            // UPS rotates refresh tokens; should it ever not, the old one stays in use.
            grant.refresh_token.get_or_insert(refresh_token);
            store_refreshed(state, stored, company, product, grant).await
        }
        Err(error) if error.is_dead_grant() => {
            let reason = match stored.interrupted_refresh {
                Some(started) => {
                    tracing::warn!(%error, %product, %company, authorization, started,
                        "UPS refused the refresh after an interrupted refresh: re-authorization required");
                    format!(
                        "A refresh started at {} was interrupted before UPS's answer could be stored (the service \
                         stopped, or the answer never arrived), and UPS no longer accepts the refresh token it \
                         replaced ({error}).",
                        crate::ui::format_utc(started)
                    )
                }
                None => {
                    tracing::warn!(%error, %product, %company, authorization,
                        "UPS refused the refresh: re-authorization required");
                    format!(
                        "UPS refused to refresh the token ({error}). The UPS.com password of the user who opted in may have changed."
                    )
                }
            };
            match mark_dead(state, authorization, stored.token, company, product, reason).await? {
                true => Err(Failure::Dead),
                false => Err(Failure::Superseded),
            }
        }
        Err(error) => {
            // Only an answer (or no connection at all) proves UPS did not rotate; after a timeout
            // or an unreadable answer the refresh stays recorded as interrupted.
            let settled = !error.may_have_acted() && stored.interrupted_refresh.is_none();
            tracing::warn!(%error, %product, %company, authorization, settled, "refresh failed; will retry");
            schedule_retry(state, authorization, company, product, &error.to_string(), settled).await?;
            Err(Failure::Transient)
        }
    }
}

/// Records that a refresh of `authorization` is about to ask UPS (keeping the start of an earlier
/// one that never finished); false when the authorization is no longer authorized.
async fn record_refresh_started(state: &AppState, authorization: i64) -> Result<bool, Failure> {
    // Through `write_transaction`, as every write: a bare statement can fail at once under
    // concurrent writers instead of waiting for the lock.
    let mut tx = crate::state::write_transaction(&state.db).await?;
    let recorded = sqlx::query(
        "UPDATE authorizations SET refresh_started_at = COALESCE(refresh_started_at, ?)
         WHERE id = ? AND status = 'authorized'",
    )
    .bind(now())
    .bind(authorization)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    tx.commit().await?;
    Ok(recorded == 1)
}

/// Stores the rotated pair UPS just issued, first and in one short transaction: until it commits,
/// UPS's answer is the only copy of the new refresh token.
async fn store_refreshed(
    state: &AppState,
    stored: &Current,
    company: CompanyId,
    product: Product,
    grant: crate::ups::TokenGrant,
) -> Result<FreshToken, Failure> {
    let authorization = stored.authorization;
    let mut tx = crate::state::write_transaction(&state.db).await?;
    let still_ours: Option<(i64,)> =
        sqlx::query_as("SELECT id FROM authorizations WHERE id = ? AND status = 'authorized'")
            .bind(authorization)
            .fetch_optional(&mut *tx)
            .await?;
    if still_ours.is_none() || retire_active_token(&mut tx, authorization, stored.token, Retired::Refreshed).await? != 1
    {
        tx.rollback().await?;
        return Err(Failure::Superseded);
    }
    let expires_at = insert_token(&mut tx, &state.cipher, authorization, &grant).await.map_err(Failure::App)?;
    sqlx::query(
        "UPDATE authorizations SET refresh_failures = 0, retry_at = NULL, refresh_started_at = NULL WHERE id = ?",
    )
    .bind(authorization)
    .execute(&mut *tx)
    .await?;
    audit::service_event(
        &mut tx,
        company,
        product,
        "refreshed",
        format!("token {}", fingerprint(grant.access_token.expose())),
    )
    .await?;
    tx.commit().await?;
    Ok(FreshToken { access_token: grant.access_token, expires_at })
}

/// The grant is dead: the authorization needs an admin again, and its tokens are useless. Only if
/// `token` is still the active one (an opt-in in the meantime has a grant of its own); returns
/// whether it marked anything.
async fn mark_dead(
    state: &AppState,
    authorization: i64,
    token: Option<i64>,
    company: CompanyId,
    product: Product,
    reason: String,
) -> Result<bool, Failure> {
    let mut tx = crate::state::write_transaction(&state.db).await?;
    if retire_active_token(&mut tx, authorization, token, Retired::Cleared).await? != 1 {
        tx.rollback().await?;
        return Ok(false);
    }
    let marked = sqlx::query(
        "UPDATE authorizations SET status = 'reauthorization_required', status_reason = ?, status_changed_at = ?,
             refresh_failures = 0, retry_at = NULL, refresh_started_at = NULL
         WHERE id = ? AND status = 'authorized'",
    )
    .bind(&reason)
    .bind(now())
    .bind(authorization)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if marked != 1 {
        tx.rollback().await?;
        return Ok(false);
    }
    audit::service_event(&mut tx, company, product, "reauthorization_required", reason).await?;
    tx.commit().await?;
    Ok(true)
}

/// Backoff for the n-th consecutive failure: 30 s doubling to at most 30 min, ±25 % jitter so
/// that many authorizations failing together do not retry together.
pub fn retry_delay(failures: u32) -> i64 {
    let base = 30_i64.saturating_mul(1 << failures.saturating_sub(1).min(6)).min(30 * 60);
    let jitter = rand::thread_rng().gen_range(-(base / 4)..=base / 4);
    (base + jitter).max(1)
}

/// Backs off after a failed refresh; `settled` when UPS certainly did not act on it, so it no
/// longer counts as under way.
async fn schedule_retry(
    state: &AppState,
    authorization: i64,
    company: CompanyId,
    product: Product,
    error: &str,
    settled: bool,
) -> Result<(), Failure> {
    let mut tx = crate::state::write_transaction(&state.db).await?;
    let (failures,): (i64,) = sqlx::query_as(
        "UPDATE authorizations SET refresh_failures = refresh_failures + 1 WHERE id = ? RETURNING refresh_failures",
    )
    .bind(authorization)
    .fetch_one(&mut *tx)
    .await?;
    let delay = retry_delay(failures.clamp(1, 1_000) as u32);
    sqlx::query(
        "UPDATE authorizations SET retry_at = ?,
             refresh_started_at = CASE WHEN ? THEN NULL ELSE refresh_started_at END
         WHERE id = ?",
    )
    .bind(now() + delay)
    .bind(settled)
    .bind(authorization)
    .execute(&mut *tx)
    .await?;
    audit::service_event(
        &mut tx,
        company,
        product,
        "refresh_failed",
        format!("attempt {failures}, next in {delay} s: {error}"),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Authorizations whose active token is due for refresh and not waiting out a backoff.
pub async fn due(state: &AppState, limit: i64) -> Result<Vec<(CompanyId, Product)>, AppError> {
    let rows: Vec<(i64, String)> = sqlx::query_as(
        "SELECT a.company_id, a.product FROM oauth_tokens t JOIN authorizations a ON a.id = t.authorization_id
         WHERE t.status = 'active' AND t.refresh_at <= ?1 AND a.status = 'authorized'
           AND (a.retry_at IS NULL OR a.retry_at <= ?1)
         ORDER BY t.refresh_at LIMIT ?2",
    )
    .bind(now())
    .bind(limit)
    .fetch_all(&state.db)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(company, product)| Some((CompanyId::new(company), Product::parse(&product).ok()?)))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::retry_delay;

    #[test]
    fn backoff_grows_with_jitter_and_is_capped() {
        for _ in 0..100 {
            let first = retry_delay(1);
            assert!((23..=38).contains(&first), "{first}");
            let third = retry_delay(3);
            assert!((90..=150).contains(&third), "{third}");
            assert!(retry_delay(50) <= 30 * 60 + 30 * 60 / 4);
        }
    }
}
