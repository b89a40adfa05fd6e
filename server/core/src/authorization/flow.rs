//! The authorization-code flow with UPS: starting it (a single-use state bound to the browser,
//! PKCE) for an admin, a widget or a consent link's holder, and completing it at the callback
//! (the state consumed first, whatever happens next; the code exchanged; the grant stored, using
//! up the consent link it came from).

use crate::{
    accounts::SignedIn,
    audit::{Actor, Entry, Event},
    clock::now,
    companies::require_admin,
    error::CoreError,
    secret::{random_token, token_hash, SecretString},
    store::{ConsentLink, EmbedSession, NewState, PendingState, StoreError},
    ups::ProviderError,
    Core,
};
use model::{CompanyId, EmbedMode, Notice, Product};
use oauth2::PkceCodeVerifier;
use serde::Deserialize;
use url::Url;

/// Who starts an authorization, and what the callback checks to know it returns to the same
/// browser.
pub enum Initiator<'a> {
    /// A signed-in admin: the state is bound to their session.
    Admin(&'a SignedIn),
    /// A portal user in a product's widget: the state is bound to the consent window's own
    /// first-party cookie (`browser` is its value), and to the embed session.
    Portal { session: &'a EmbedSession, browser: &'a str, mode: EmbedMode },
    /// Whoever holds a consent link, with no account here: the state is bound to their
    /// browser's own consent cookie (`browser`), which the link was claimed by.
    Link { link: &'a ConsentLink, browser: &'a str },
}

/// Starts the authorization-code flow: a single-use state bound to this browser, company and
/// product, a PKCE verifier kept sealed beside it, and the UPS URL to send the person to.
#[tracing::instrument(skip(core, initiator))]
pub async fn begin(
    core: &Core,
    initiator: Initiator<'_>,
    product: Product,
    company: CompanyId,
) -> Result<Url, CoreError> {
    let (binding, embed, actor, link) = match &initiator {
        Initiator::Admin(user) => {
            require_admin(core, user.id, company).await?;
            (user.session_hash.clone(), None, Actor::User(user.id), None)
        }
        Initiator::Link { link, browser } => {
            if link.company.id != company || link.product != product {
                return Err(CoreError::Forbidden);
            }
            (token_hash(browser), None, Actor::Recipient(link.recipient.clone()), Some(link.id))
        }
        Initiator::Portal { session, browser, mode } => {
            if session.company.id != company || session.product != product {
                return Err(CoreError::Forbidden);
            }
            session.require_admin()?;
            (token_hash(browser), Some((session.id, *mode)), session.actor(), None)
        }
    };
    let token = random_token();
    let (url, verifier) = core
        .ups
        .authorize_url(product, &token)
        .map_err(|error| CoreError::Unexpected(format!("cannot build the UPS authorize URL: {error}")))?;
    let verifier = SecretString::new(verifier.secret());
    let state = NewState {
        state_hash: token_hash(token.expose()),
        binding,
        embed,
        link,
        company,
        product,
        pkce_verifier: &verifier,
        expires_at: now() + core.lifetimes.state.as_secs() as i64,
    };
    core.store.save_state(state, Entry::by(&actor, company, product, Event::OptInStarted)).await?;
    Ok(url)
}

/// What UPS sends back to the redirect URI.
#[derive(Debug, Default, Deserialize)]
pub struct CallbackQuery {
    pub code: Option<String>,
    pub state: Option<String>,
    pub error: Option<String>,
}

/// A callback that did not end in an authorization: which company it was for, when known, and
/// what to tell the person.
#[derive(Debug)]
pub struct CallbackFailure {
    pub company: Option<CompanyId>,
    pub notice: Notice,
}

impl From<CoreError> for CallbackFailure {
    fn from(error: CoreError) -> Self {
        let notice = match error {
            CoreError::Forbidden | CoreError::ViewOnly => Notice::NotAllowed,
            error => {
                if error.is_internal() {
                    tracing::error!(error = %error, "the callback failed");
                }
                Notice::Failed
            }
        };
        Self { company: None, notice }
    }
}

/// Where a callback's answer goes: back to the admin pages, to the widget that opened the
/// consent window (or to the portal page, when the window could not be opened), or to a page of
/// the consent link it came from.
#[derive(Debug)]
pub enum Answer {
    Admin,
    Widget { mode: EmbedMode, session: EmbedSession },
    Link(Box<ConsentLink>),
}

/// How a callback ended, and where to say so.
pub struct Completion {
    pub answer: Answer,
    pub result: Result<CompanyId, CallbackFailure>,
}

/// Completes the flow. The state is consumed first, whatever happens next, so it can never be
/// replayed; every failure leaves the company's authorization as it was. `user` is the
/// signed-in admin, if any; `browser` the consent window's cookie, if any.
#[tracing::instrument(skip_all, fields(%product))]
pub async fn complete(
    core: &Core,
    product: Product,
    query: CallbackQuery,
    user: Option<&SignedIn>,
    browser: Option<&str>,
) -> Completion {
    let admin = |result| Completion { answer: Answer::Admin, result };
    let unknown = CallbackFailure { company: None, notice: Notice::StateUnknown };
    let Some(state_token) = query.state.clone().filter(|value| !value.is_empty()) else {
        return admin(Err(unknown));
    };
    let pending = match core.store.take_state(&token_hash(&state_token)).await {
        Ok(Some(pending)) => pending,
        Ok(None) => {
            tracing::warn!("callback with an unknown or replayed state");
            return admin(Err(unknown));
        }
        Err(error) => return admin(Err(CoreError::from(error).into())),
    };
    let company = pending.company;
    let fail = |notice| CallbackFailure { company: Some(company), notice };
    // Where to answer is decided by the stored state, never by the request.
    let widget = match pending.embed {
        Some((embed, mode)) => match core.store.embed_session(embed).await {
            Ok(Some(session)) => Some((mode, session)),
            Ok(None) => return admin(Err(fail(Notice::NotAllowed))),
            Err(error) => return admin(Err(CoreError::from(error).into())),
        },
        None => None,
    };
    if let Some(link) = pending.link {
        let link = match core.store.consent_link(link).await {
            Ok(Some(link)) => link,
            Ok(None) => return admin(Err(fail(Notice::StateUnknown))),
            Err(error) => return admin(Err(CoreError::from(error).into())),
        };
        let result = complete_link(core, product, &link, pending, query, browser).await;
        if result.is_ok() {
            // Its email must not hold up the holder's page.
            let (core, told) = (core.clone(), link.clone());
            tokio::spawn(async move { crate::consent_links::tell_sender(&core, &told).await });
        }
        return Completion { answer: Answer::Link(Box::new(link)), result };
    }
    let result = async {
        if pending.product != product {
            tracing::warn!("callback with a state from another product");
            return Err(unknown);
        }
        let actor = match (&widget, user) {
            (Some((_, session)), _) if browser.map(token_hash).as_ref() == Some(&pending.binding) => session.actor(),
            (None, Some(user)) if user.session_hash == pending.binding => Actor::User(user.id),
            _ => {
                tracing::warn!("callback in another session or browser than the one that started it");
                return Err(unknown);
            }
        };
        if pending.expires_at <= now() {
            return Err(fail(Notice::StateExpired));
        }
        let allowed = match (&widget, &actor) {
            // The product's API key was revoked while its user was at UPS.
            (Some((_, session)), _) => session.live,
            (None, Actor::User(user)) => require_admin(core, *user, company).await.is_ok(),
            _ => false,
        };
        if !allowed {
            return Err(fail(Notice::NotAllowed));
        }
        finish(core, &actor, pending, query).await
    }
    .await;
    match widget {
        Some((mode, session)) => Completion { answer: Answer::Widget { mode, session }, result },
        None => admin(result),
    }
}

/// The callback of a consent started from a link: the same browser, in time, for the link's
/// product; the grant uses the link up (or is not kept, when the link was revoked meanwhile).
async fn complete_link(
    core: &Core,
    product: Product,
    link: &ConsentLink,
    pending: PendingState,
    query: CallbackQuery,
    browser: Option<&str>,
) -> Result<CompanyId, CallbackFailure> {
    let fail = |notice| CallbackFailure { company: Some(pending.company), notice };
    if pending.product != product || browser.map(token_hash).as_ref() != Some(&pending.binding) {
        tracing::warn!(link = %link.id, "a consent link's callback in another browser, or for another product");
        return Err(fail(Notice::StateUnknown));
    }
    if pending.expires_at <= now() {
        return Err(fail(Notice::StateExpired));
    }
    // Before the code is exchanged: a link revoked, used, or whose sender may no longer ask, is
    // not worth a grant that would be thrown away.
    if !crate::consent_links::still_usable(core, link).await? {
        return Err(fail(Notice::NotAllowed));
    }
    finish(core, &Actor::Recipient(link.recipient.clone()), pending, query).await
}

/// A consumed, unexpired state whose browser and rights have been checked: UPS's answer.
async fn finish(
    core: &Core,
    actor: &Actor,
    pending: PendingState,
    query: CallbackQuery,
) -> Result<CompanyId, CallbackFailure> {
    let PendingState { company, product, pkce_verifier, link, .. } = pending;
    let fail = |notice| CallbackFailure { company: Some(company), notice };
    if let Some(error) = query.error {
        core.store
            .record(Entry::by(actor, company, product, Event::ConsentDenied { error }))
            .await
            .map_err(CoreError::from)?;
        return Err(fail(Notice::ConsentDenied));
    }
    let Some(code) = query.code.filter(|code| !code.is_empty()) else { return Err(fail(Notice::ProviderRejected)) };
    let verifier = PkceCodeVerifier::new(pkce_verifier.expose().to_owned());
    let grant = core.ups.exchange_code(product, code, verifier).await.map_err(|error| {
        tracing::warn!(%error, %company, "code exchange failed");
        fail(match error {
            ProviderError::Rejected(_) | ProviderError::ApplicationRefused { .. } => Notice::ProviderRejected,
            ProviderError::Unavailable(_) | ProviderError::Unanswered(_) | ProviderError::RateLimited { .. } => {
                Notice::ProviderUnavailable
            }
            ProviderError::Malformed(_) | ProviderError::NotRegistered(_) => Notice::Failed,
        })
    })?;
    core.store.store_grant(actor, company, product, &grant, link).await.map_err(|error| match error {
        StoreError::ConsentLinkGone => {
            tracing::warn!(%company, "a consent link was used or revoked while its holder was at UPS");
            fail(Notice::NotAllowed)
        }
        error => {
            tracing::error!(%error, %company, "storing the grant failed");
            fail(Notice::Failed)
        }
    })?;
    Ok(company)
}
