//! Keeping authorizations alive (server-only): a fresh access token on demand for the products'
//! backends, the refresh the background worker runs before tokens expire, and what happens when
//! UPS refuses a refresh (the grant is dead: re-authorization required) or cannot be reached (keep
//! everything, retry later with backoff and jitter).
//!
//! At most one refresh per authorization is in flight: callers in one process serialize on a
//! per-authorization lock, and whoever waited re-reads the stored token instead of refreshing
//! again, because UPS rotates refresh tokens and a second refresh with the old one would kill the
//! grant. Across instances, the refresh takes a lease on the authorization's row first; a caller
//! on another instance waits on the row and reads the token stored for it, and a lease left by an
//! instance that died runs out and is taken over.
//!
//! UPS's answer to a refresh is the only copy of the new pair, so a refresh is recorded as under
//! way (committed) before UPS is asked, and its answer is stored in one short transaction straight
//! after. A refresh found still recorded as under way was interrupted (the process died, or the
//! answer never arrived); if UPS then refuses the old refresh token, the authorization says the
//! grant was lost to that interruption rather than to a UPS.com password change. Refreshes run in
//! tasks of the state's tracker, so a stopping process lets them finish (`Core::stopping`).

use crate::{
    clock::now,
    error::CoreError,
    secret::SecretString,
    store::{AuthorizationId, Current, Lease, Lookup, Refreshed, StoreError},
    ups::TokenGrant,
    Core,
};
use model::{time::format_utc, AuthorizationState, CompanyId, Product};
use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

/// A usable access token and when it expires (Unix seconds).
#[derive(Clone)]
pub struct FreshToken {
    pub access_token: SecretString,
    pub expires_at: i64,
}

/// Why there is no token to hand out; each says what the product's backend can do about it.
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
    /// Our own failure (a 500, logged with its cause).
    #[error(transparent)]
    Store(#[from] StoreError),
}

mod backoff;
pub use backoff::retry_delay;

/// One lock per authorization, created on first use.
#[derive(Default)]
pub struct RefreshLocks(Mutex<HashMap<AuthorizationId, Arc<tokio::sync::Mutex<()>>>>);

impl RefreshLocks {
    fn lock_for(&self, authorization: AuthorizationId) -> Arc<tokio::sync::Mutex<()>> {
        let mut locks = self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if locks.len() > 4_096 {
            // Drop the locks nobody holds or waits for.
            locks.retain(|_, lock| Arc::strong_count(lock) > 1);
        }
        locks.entry(authorization).or_default().clone()
    }
}

/// The authorization of (company, product) and its active token, as stored.
async fn current(core: &Core, company: CompanyId, product: Product) -> Result<Current, TokenError> {
    match core.store.current(company, product).await? {
        Lookup::UnknownCompany => Err(TokenError::UnknownCompany),
        Lookup::NotAuthorized => Err(TokenError::NotAuthorized),
        Lookup::Found(current) => Ok(current),
    }
}

/// Whether the stored authorization can hand out tokens at all.
fn usable(current: &Current) -> Result<(), TokenError> {
    match current.state {
        AuthorizationState::Authorized => Ok(()),
        AuthorizationState::ReauthorizationRequired => Err(TokenError::ReauthorizationRequired),
        AuthorizationState::Cleared => Err(TokenError::Cleared),
        AuthorizationState::OptedOut => Err(TokenError::OptedOut),
    }
}

/// The stored access token, if it is valid for at least `seconds` more, or for half its
/// lifetime when UPS issues tokens that live less than twice that: a token can never outlive its
/// lifetime, and asking more would refresh on every call (one refresh per token, whatever
/// tokens live).
fn valid_for(core: &Core, current: &Current, seconds: i64) -> Result<Option<FreshToken>, TokenError> {
    if current.expires_at <= now() + required_validity(current, seconds) {
        return Ok(None);
    }
    Ok(core
        .store
        .access_token(current)?
        .map(|access_token| FreshToken { access_token, expires_at: current.expires_at }))
}

fn required_validity(current: &Current, seconds: i64) -> i64 {
    seconds.min((current.expires_at - current.issued_at) / 2)
}

/// A token valid for at least `min_validity` seconds, refreshing first if needed. One just read
/// is kept for a moment ([`crate::cache`]), so repeated calls cost no database round trip.
#[tracing::instrument(skip(core), fields(%company, %product))]
pub async fn fresh_token(
    core: &Core,
    company: CompanyId,
    product: Product,
    min_validity: i64,
) -> Result<FreshToken, TokenError> {
    let key = (company, product, min_validity);
    let cached = |generation| core.caches.tokens.get(&key, generation).filter(|(_, until)| *until > now());
    if let Some((token, _)) = cached(core.store.generation()) {
        return Ok(token);
    }
    // The callers that missed it together read it once (see `crate::cache`).
    let turn = core.caches.tokens.loading(&key).await;
    let generation = core.store.generation();
    if let Some((token, _)) = cached(generation) {
        return Ok(token);
    }
    let stored = current(core, company, product).await?;
    usable(&stored)?;
    if let Some(token) = valid_for(core, &stored, min_validity)? {
        let usable_until = stored.expires_at - required_validity(&stored, min_validity);
        core.caches.tokens.insert(key, (token.clone(), usable_until), generation);
        return Ok(token);
    }
    drop(turn);
    let guard = core.refresh_locks.lock_for(stored.authorization).lock_owned().await;
    // Whoever held the lock before us may have refreshed already: read again.
    let stored = current(core, company, product).await?;
    usable(&stored)?;
    if let Some(token) = valid_for(core, &stored, min_validity)? {
        return Ok(token);
    }
    // During a backoff, UPS is not asked again for every caller: what is stored is the answer.
    if stored.retry_at.is_some_and(|retry_at| retry_at > now()) {
        return valid_for(core, &stored, 0)?.ok_or(TokenError::Unavailable);
    }
    match refresh_detached(core, stored, company, product, guard, Elsewhere::Wait).await {
        Ok(token) => Ok(token),
        Err(Failure::Dead) => Err(TokenError::ReauthorizationRequired),
        // UPS is down (or we are stopping): a token that has not yet expired beats none.
        Err(Failure::Transient | Failure::Superseded | Failure::Stopping | Failure::Elsewhere) => {
            let stored = current(core, company, product).await?;
            usable(&stored)?;
            valid_for(core, &stored, 0)?.ok_or(TokenError::Unavailable)
        }
        Err(Failure::Store(error)) => Err(error.into()),
    }
}

/// What the worker does for one due authorization. Returns whether a refresh happened.
#[tracing::instrument(skip(core), fields(%company, %product))]
pub async fn refresh_if_due(core: &Core, company: CompanyId, product: Product) -> Result<bool, TokenError> {
    let stored = current(core, company, product).await?;
    let guard = core.refresh_locks.lock_for(stored.authorization).lock_owned().await;
    let stored = current(core, company, product).await?;
    if usable(&stored).is_err() || !stored.has_access_token() || stored.refresh_at > now() {
        return Ok(false);
    }
    let authorization = stored.authorization;
    match refresh_detached(core, stored, company, product, guard, Elsewhere::Skip).await {
        Ok(_) => Ok(true),
        Err(Failure::Dead | Failure::Transient | Failure::Superseded | Failure::Stopping | Failure::Elsewhere) => {
            Ok(false)
        }
        Err(Failure::Store(error)) => {
            // Whatever broke (a key change, the disk), back off rather than retry every pass.
            let _ = core
                .store
                .schedule_retry(authorization, company, product, &error.to_string(), false, retry_delay)
                .await;
            Err(error.into())
        }
    }
}

/// Runs the refresh in a task of its own that holds the authorization's lock: if the caller goes
/// away (a client disconnects), the refresh still stores the rotated pair UPS has already issued,
/// and no second refresh can start meanwhile. The task is tracked, so a stopping process waits
/// for it.
async fn refresh_detached(
    core: &Core,
    stored: Current,
    company: CompanyId,
    product: Product,
    guard: tokio::sync::OwnedMutexGuard<()>,
    elsewhere: Elsewhere,
) -> Result<FreshToken, Failure> {
    let core = core.clone();
    let tracker = core.refreshes.clone();
    tracker
        .spawn(async move {
            let _held = guard;
            refresh_locked(&core, &stored, company, product, elsewhere).await
        })
        .await
        .map_err(|error| Failure::Store(StoreError::Unreadable(format!("the refresh task failed: {error}"))))?
}

/// What to do when another instance is refreshing the authorization already.
#[derive(Clone, Copy)]
enum Elsewhere {
    /// Wait for its answer (a caller that needs the token).
    Wait,
    /// Leave it to that instance (the worker).
    Skip,
}

enum Failure {
    Dead,
    /// Another instance is refreshing it (and the caller did not wait).
    Elsewhere,
    Transient,
    /// The authorization changed while UPS was asked (opt-out, new opt-in): nothing was stored.
    Superseded,
    /// The process is stopping: no new refresh starts.
    Stopping,
    Store(StoreError),
}

impl From<StoreError> for Failure {
    fn from(error: StoreError) -> Self {
        Self::Store(error)
    }
}

/// Marks the grant dead, unless the authorization changed meanwhile.
async fn dead(
    core: &Core,
    stored: &Current,
    company: CompanyId,
    product: Product,
    reason: String,
) -> Result<FreshToken, Failure> {
    match core.store.mark_dead(stored, company, product, reason).await? {
        true => Err(Failure::Dead),
        false => Err(Failure::Superseded),
    }
}

/// Refreshes with the stored refresh token; the caller holds the authorization's lock.
async fn refresh_locked(
    core: &Core,
    stored: &Current,
    company: CompanyId,
    product: Product,
    elsewhere: Elsewhere,
) -> Result<FreshToken, Failure> {
    let authorization = stored.authorization;
    let Some(refresh_token) = core.store.refresh_token(stored)? else {
        return dead(core, stored, company, product, "UPS issued no refresh token".into()).await;
    };
    if core.stopping.is_cancelled() {
        return Err(Failure::Stopping);
    }
    let lease = core.lifetimes.refresh_lease.as_secs().max(1) as i64;
    match core.store.take_refresh_lease(stored, lease).await? {
        Lease::Taken => {}
        Lease::Superseded => return Err(Failure::Superseded),
        Lease::Held => {
            return match elsewhere {
                Elsewhere::Wait => Box::pin(refreshed_elsewhere(core, stored, company, product)).await,
                Elsewhere::Skip => Err(Failure::Elsewhere),
            }
        }
    }
    if core.stopping.is_cancelled() {
        core.store.release_refresh_lease(authorization).await?;
        return Err(Failure::Stopping);
    }
    match core.ups.refresh(product, &refresh_token).await {
        Ok(mut grant) => {
            // UPS rotates refresh tokens; should it ever not, the old one stays in use.
            grant.refresh_token.get_or_insert(refresh_token);
            let stored = store_refreshed(core, stored, company, product, grant).await;
            count_refresh(if stored.is_ok() { "refreshed" } else { "superseded" });
            stored
        }
        Err(error) if error.is_dead_grant() => {
            let reason = match stored.interrupted_refresh {
                Some(started) => {
                    tracing::warn!(%error, %authorization, started,
                        "UPS refused the refresh after an interrupted refresh: re-authorization required");
                    format!(
                        "A refresh started at {} was interrupted before UPS's answer could be stored (the service \
                         stopped, or the answer never arrived), and UPS no longer accepts the refresh token it \
                         replaced ({error}).",
                        format_utc(started)
                    )
                }
                None => {
                    tracing::warn!(%error, %authorization, "UPS refused the refresh: re-authorization required");
                    format!(
                        "UPS refused to refresh the token ({error}). The UPS.com password of the user who opted in may have changed."
                    )
                }
            };
            count_refresh("dead");
            dead(core, stored, company, product, reason).await
        }
        Err(error) => {
            count_refresh("failed");
            // Only an answer (or no connection at all) proves UPS did not rotate; after a timeout
            // or an unreadable answer the refresh stays recorded as interrupted.
            let settled = !error.may_have_acted() && stored.interrupted_refresh.is_none();
            tracing::warn!(%error, %authorization, settled, "refresh failed; will retry");
            core.store
                .schedule_retry(authorization, company, product, &error.to_string(), settled, retry_delay)
                .await?;
            Err(Failure::Transient)
        }
    }
}

/// Another instance holds the refresh lease: waits on the row for the token it stores. Should its
/// lease run out with nothing stored (that instance died), this caller takes over.
async fn refreshed_elsewhere(
    core: &Core,
    stored: &Current,
    company: CompanyId,
    product: Product,
) -> Result<FreshToken, Failure> {
    let give_up = tokio::time::Instant::now() + core.lifetimes.refresh_lease + std::time::Duration::from_secs(1);
    loop {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        let Lookup::Found(now_stored) = core.store.current(company, product).await? else {
            return Err(Failure::Superseded);
        };
        if usable(&now_stored).is_err() {
            return Err(Failure::Superseded);
        }
        if stored.token_changed(&now_stored) {
            return match core.store.access_token(&now_stored)? {
                Some(access_token) => Ok(FreshToken { access_token, expires_at: now_stored.expires_at }),
                None => Err(Failure::Superseded),
            };
        }
        // The other refresh failed and is backing off: its answer (none) is ours too.
        if now_stored.retry_at.is_some_and(|retry_at| retry_at > now()) {
            return Err(Failure::Transient);
        }
        if now_stored.lease_until.is_none_or(|until| until <= now()) {
            return refresh_locked(core, &now_stored, company, product, Elsewhere::Wait).await;
        }
        if tokio::time::Instant::now() > give_up {
            return Err(Failure::Transient);
        }
    }
}

/// Stores the rotated pair UPS just issued, first and in one short transaction: until it commits,
/// UPS's answer is the only copy of the new refresh token.
async fn store_refreshed(
    core: &Core,
    stored: &Current,
    company: CompanyId,
    product: Product,
    grant: TokenGrant,
) -> Result<FreshToken, Failure> {
    match core.store.store_refreshed(stored, company, product, &grant).await? {
        Refreshed::Stored { expires_at } => Ok(FreshToken { access_token: grant.access_token, expires_at }),
        Refreshed::Superseded => Err(Failure::Superseded),
    }
}

/// One refresh UPS answered (or did not), by outcome: `optin_refreshes_total`.
fn count_refresh(outcome: &'static str) {
    metrics::counter!("optin_refreshes_total", "outcome" => outcome).increment(1);
}

/// Authorizations whose active token is due for refresh and not waiting out a backoff.
pub async fn due(core: &Core, limit: u32) -> Result<Vec<(CompanyId, Product)>, CoreError> {
    Ok(core.store.due(limit).await?)
}
