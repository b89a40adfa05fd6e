//! Keeping authorizations alive (server-only): a fresh access token on demand for the products'
//! backends, the refreshes the background worker runs before tokens expire, and what happens
//! when UPS refuses a refresh (the grant is dead: re-authorization required) or cannot be
//! reached (keep everything, retry later with backoff and jitter).
//!
//! A refresh is one straight path: claim the authorization (one statement takes its lease and
//! reads what the refresh needs), ask UPS, store the answer. At most one refresh per
//! authorization is in flight, because UPS rotates refresh tokens and a second refresh with the
//! old one would kill the grant: the lease keeps every other task and instance out, a caller in
//! this process that needs the token meanwhile joins the refresh under way ([`InFlight`]), and
//! a caller elsewhere waits for the token the holder stores. A lease left by an instance that
//! died runs out and is taken over.
//!
//! UPS's answer to a refresh is the only copy of the new pair, so a refresh is recorded as under
//! way (committed, by the claim) before UPS is asked, and its answer is stored in one short
//! transaction straight after. A refresh found still recorded as under way was interrupted (the
//! process died, or the answer never arrived); if UPS then refuses the old refresh token, the
//! authorization says the grant was lost to that interruption rather than to a UPS.com password
//! change. Refreshes run in tasks of the core's tracker, so a stopping process lets them finish
//! (`Core::stopping`).
//!
//! UPS's answers fall into classes ([`AnswerClass`]). A dead grant or an outage concerns one
//! authorization. A rate limit or a refusal of the application concerns all of its
//! authorizations at once: the application's budget (`store::budgets`) opens its breaker, no
//! refresh leaves any instance but one probe at a time, the operators hear of it once, and only
//! a caller whose token has expired gets the class as its error.

use crate::{
    clock::now,
    secret::SecretString,
    store::{Claim, Current, Held, Lookup, Refreshed, StoreError},
    ups::AnswerClass,
    Core,
};
use model::{AuthorizationState, CompanyId, GrantLoss, LostGrant, Product};
use std::time::Duration;
use tracing::Instrument;

mod backoff;
mod counts;
mod in_flight;
mod pushback;

pub use backoff::retry_delay;
use counts::{breaker_gauge, count_refresh, RefreshCount};
use in_flight::joined;
pub use in_flight::InFlight;
pub use pushback::check;
use pushback::{held_error, probe_answered, pushed_back};

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
    /// UPS throttles the application (or its refresh budget is spent), and the stored token has
    /// expired: retry after this long.
    #[error("UPS is rate limiting this application and the stored token has expired")]
    RateLimited { retry_after: Duration },
    /// UPS refuses the application itself (its credentials, a blocked merchant): its operators
    /// must act; no admin of the company can.
    #[error("UPS refuses this application and the stored token has expired")]
    ApplicationRefused { retry_after: Duration },
    /// Our own failure (a 500, logged with its cause).
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The task that ran the refresh ended without an answer (it panicked): a 500.
    #[error("the refresh task failed: {0}")]
    RefreshTask(String),
}

/// How a refresh ended, as every caller that waited for it sees it.
#[derive(Clone)]
pub enum Outcome {
    /// UPS issued a new pair, stored now.
    Refreshed(FreshToken),
    /// UPS refused the refresh token: re-authorization required.
    Dead,
    /// UPS pushes back on the whole application (or its budget is spent): not now, and why.
    Held(Held),
    /// UPS could not be reached or answered unreadably: retried later with backoff.
    Failed(AnswerClass),
    /// Nothing new for now (UPS unavailable, the authorization changed meanwhile, the process
    /// stopping, our own failure): what is stored is the answer.
    NotNow,
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
    // During a backoff, UPS is not asked again for every caller: what is stored is the answer.
    if stored.retry_at.is_none_or(|retry_at| retry_at <= now()) {
        match refreshed(core, stored).await? {
            Outcome::Refreshed(token) => return Ok(token),
            Outcome::Dead => return Err(TokenError::ReauthorizationRequired),
            Outcome::Held(held) => return still_valid(core, company, product, held_error(held)).await,
            Outcome::Failed(_) | Outcome::NotNow => {}
        }
    }
    still_valid(core, company, product, TokenError::Unavailable).await
}

/// UPS is down, or pushes back, or the authorization changed, or we are stopping: a token that
/// has not yet expired beats none; without one, `otherwise`.
async fn still_valid(
    core: &Core,
    company: CompanyId,
    product: Product,
    otherwise: TokenError,
) -> Result<FreshToken, TokenError> {
    let stored = current(core, company, product).await?;
    usable(&stored)?;
    valid_for(core, &stored, 0)?.ok_or(otherwise)
}

/// The refresh a caller needs: the one under way in this process, or one it claims itself, or
/// the token the instance holding the lease stores (waiting for it, and taking over should that
/// lease run out with nothing stored).
async fn refreshed(core: &Core, mut stored: Current) -> Result<Outcome, TokenError> {
    let (company, product) = (stored.company(), stored.product());
    let give_up = tokio::time::Instant::now() + core.lifetimes.refresh_lease + Duration::from_secs(1);
    loop {
        if let Some(under_way) = core.in_flight.join(stored.authorization) {
            return Ok(joined(under_way).await);
        }
        match core.store.claim(&stored, lease_secs(core), &core.policy.budget).await? {
            Ok(Some(claim)) => return refresh_claimed(core, claim).await,
            Ok(None) => {}
            Err(held) => return Ok(Outcome::Held(held)),
        }
        // Held elsewhere, or changed since it was read: what is stored now says which.
        let seen = core.store.generation();
        let now_stored = current(core, company, product).await?;
        if usable(&now_stored).is_err() {
            return Ok(Outcome::NotNow);
        }
        if stored.token_changed(&now_stored) {
            return Ok(match core.store.access_token(&now_stored)? {
                Some(access_token) => {
                    Outcome::Refreshed(FreshToken { access_token, expires_at: now_stored.expires_at })
                }
                None => Outcome::NotNow,
            });
        }
        // The other refresh failed and is backing off: its answer (none) is ours too.
        if now_stored.retry_at.is_some_and(|retry_at| retry_at > now()) || tokio::time::Instant::now() > give_up {
            return Ok(Outcome::NotNow);
        }
        // Until the next write committed here (or, on PostgreSQL, announced by another
        // instance), or a moment.
        core.store.changed_since(seen, Duration::from_millis(50)).await;
        stored = now_stored;
    }
}

fn lease_secs(core: &Core) -> i64 {
    core.lifetimes.refresh_lease.as_secs().max(1) as i64
}

/// Claims up to `limit` authorizations that are due for a refresh, soonest first, within their
/// applications' budgets: each is the caller's to refresh with [`refresh_claimed`] straight
/// away, before its lease runs out.
/// Also answers when what the budgets held back may be claimed, if they held any back.
pub async fn claim_due(core: &Core, limit: u32) -> Result<(Vec<Claim>, Option<Duration>), TokenError> {
    let due = core.store.claim_due(limit, lease_secs(core), &core.policy.budget).await?;
    if let Some(open) = &due.open {
        breaker_gauge(open);
    }
    Ok((due.claims, due.wake_in))
}

/// Refreshes a claimed authorization: asks UPS and stores its answer. It runs in a task of the
/// core's tracker that holds the claim: a caller that goes away (a client disconnects) does not
/// cut it short, and a stopping process waits for it. Callers in this process that need the same
/// authorization meanwhile join it.
pub async fn refresh_claimed(core: &Core, claim: Claim) -> Result<Outcome, TokenError> {
    let authorization = claim.authorization;
    let published = core.in_flight.start(authorization);
    let task = core.clone();
    let result = core
        .refreshes
        .spawn(
            async move {
                let result = ask_and_store(&task, &claim).await;
                if let Err(TokenError::Store(error)) = &result {
                    // Whatever broke (a key change, the disk), back off rather than retry as soon as
                    // the lease runs out; the refresh stays recorded as under way.
                    let delay = retry_delay(claim.failures.clamp(0, 1_000) as u32 + 1);
                    let _ = task.store.schedule_retry(&claim, &error.to_string(), false, delay).await;
                }
                task.in_flight.finish(authorization);
                published.send_replace(Some(result.as_ref().map_or(Outcome::NotNow, Clone::clone)));
                result
            }
            .in_current_span(),
        )
        .await;
    result.unwrap_or_else(|error| Err(TokenError::RefreshTask(error.to_string())))
}

/// Asks UPS with the claimed refresh token and stores what it answers.
async fn ask_and_store(core: &Core, claim: &Claim) -> Result<Outcome, TokenError> {
    let Some(refresh_token) = core.store.claimed_refresh_token(claim)? else {
        return dead(core, claim, LostGrant { cause: GrantLoss::NoRefreshToken, provider_said: None }).await;
    };
    if core.stopping.is_cancelled() {
        core.store.release_claim(claim).await?;
        return Ok(Outcome::NotNow);
    }
    let authorization = claim.authorization;
    let error = match core.ups.refresh(claim.product(), &refresh_token).await {
        Ok(mut grant) => {
            // UPS rotates refresh tokens; should it ever not, the old one stays in use.
            grant.refresh_token.get_or_insert(refresh_token);
            let access_token = grant.access_token.clone();
            let outcome = match core.store.store_refreshed(claim, grant).await? {
                Refreshed::Stored { expires_at } => {
                    count_refresh(RefreshCount::Answered(AnswerClass::Refreshed));
                    Outcome::Refreshed(FreshToken { access_token, expires_at })
                }
                Refreshed::Superseded => {
                    count_refresh(RefreshCount::Superseded);
                    Outcome::NotNow
                }
            };
            probe_answered(core, claim).await?;
            return Ok(outcome);
        }
        Err(error) => error,
    };
    let class = error.class();
    count_refresh(RefreshCount::Answered(class));
    match class {
        AnswerClass::DeadGrant => {
            let cause = match claim.interrupted_refresh {
                Some(started) => {
                    tracing::warn!(%error, %authorization, started,
                        "UPS refused the refresh after an interrupted refresh: re-authorization required");
                    GrantLoss::RefreshInterrupted { started }
                }
                None => {
                    tracing::warn!(%error, %authorization, "UPS refused the refresh: re-authorization required");
                    GrantLoss::RefreshRefused
                }
            };
            // UPS read the refresh token: it accepts the application.
            probe_answered(core, claim).await?;
            dead(core, claim, LostGrant { cause, provider_said: Some(error.to_string()) }).await
        }
        AnswerClass::RateLimited | AnswerClass::ApplicationRefused => pushed_back(core, claim, class, &error).await,
        AnswerClass::Unavailable | AnswerClass::Unreadable | AnswerClass::Refreshed => {
            // Only an answer (or no connection at all) proves UPS did not rotate; after a timeout
            // or an unreadable answer the refresh stays recorded as interrupted.
            let settled = !error.may_have_acted() && claim.interrupted_refresh.is_none();
            tracing::warn!(%error, %authorization, settled, %class, "refresh failed; will retry");
            let delay = retry_delay(claim.failures.clamp(0, 1_000) as u32 + 1);
            core.store.schedule_retry(claim, &error.to_string(), settled, delay).await?;
            if claim.probe {
                core.store.probe_unanswered(claim.product()).await?;
            }
            Ok(Outcome::Failed(class))
        }
    }
}

/// Records `authorization.expiring` (to the product's webhooks and the company's admins) for
/// every active grant whose refresh token ends within the policy's lead time, once per refresh
/// token; answers how many.
pub async fn announce_expiring(core: &Core) -> Result<u64, TokenError> {
    Ok(core.store.announce_expiring(core.policy.expiring_lead.as_secs() as i64).await?)
}

/// Marks the grant dead, unless the authorization changed meanwhile.
async fn dead(core: &Core, claim: &Claim, lost: LostGrant) -> Result<Outcome, TokenError> {
    Ok(match core.store.mark_dead(claim, &lost).await? {
        true => Outcome::Dead,
        false => Outcome::NotNow,
    })
}
