//! Single sign-on: an admin signs in through an OpenID Connect identity provider instead of with
//! a password of this service's.
//!
//! [`begin`] keeps the sign-in under way (single use, bound to a cookie of the browser's own,
//! short-lived) and answers where to send the browser; [`complete`] takes it back when the
//! browser returns, has the provider's answer checked ([`provider`]), finds which user the
//! identity is, and opens a session. A provider's subject is a user here once linked; the first
//! time, a user whose e-mail address is the one the provider verified is linked (not one with a
//! second factor here: the address alone would skip it), or, when the provider's settings say
//! so, a user is created. The groups claim, when the settings map it,
//! makes the user an admin of the companies its groups stand for.

mod provider;

pub use provider::{IdentityProvider, Pending, Sso, SsoError, VerifiedIdentity};

use crate::{
    accounts,
    clock::now,
    companies,
    error::CoreError,
    secret::{random_token, token_hash, SecretString},
    sessions::{self, Browser},
    store::{NewSsoState, StoreError},
    Core,
};
use model::UserId;
use std::net::IpAddr;
use url::Url;

/// Why a single sign-on signed nobody in.
#[derive(Debug, thiserror::Error)]
pub enum SignOnError {
    /// The provider refused, or its answer failed a check: the sign-in page says so.
    #[error(transparent)]
    Provider(#[from] SsoError),
    /// The state is unknown, used, expired, for another provider, or from another browser.
    #[error("this sign-in expired or was already used; start again")]
    StateUnknown,
    /// The provider knows the person; nobody here is them, and the settings create nobody.
    #[error("{provider} signed you in, but no admin here is linked to that account")]
    UnknownUser { provider: String },
    /// The provider's verified e-mail address is that of a user here who signs in with a second
    /// factor: linking by address alone would skip it, so the user signs in with it instead.
    #[error("{provider} signed you in, but the admin here with that e-mail address signs in with a password and a second factor")]
    SecondFactorAccount { provider: String },
    /// Our own failure (a 500).
    #[error(transparent)]
    Core(#[from] CoreError),
}

impl From<StoreError> for SignOnError {
    fn from(error: StoreError) -> Self {
        Self::Core(error.into())
    }
}

/// A sign-in sent to the provider: where the browser goes, and the cookie value that binds the
/// sign-in to it (for the browser only).
pub struct Started {
    pub url: Url,
    pub browser: SecretString,
}

/// Starts signing in with provider `id`; the provider sends the browser back to `redirect`, and
/// once signed in it goes to `next`.
pub async fn begin(core: &Core, id: &str, redirect: &Url, next: Option<&str>) -> Result<Started, SignOnError> {
    let (url, pending) = core.sso.begin(id, redirect).await?;
    let browser = random_token();
    let state = NewSsoState {
        state_hash: token_hash(pending.state.expose()),
        provider: id,
        browser_hash: token_hash(browser.expose()),
        nonce: &pending.nonce,
        pkce_verifier: &pending.pkce_verifier,
        next,
        expires_at: now() + core.lifetimes.state.as_secs() as i64,
    };
    core.store.save_sso_state(state).await?;
    Ok(Started { url, browser })
}

/// A single sign-on that worked: the user, the session's id (for the browser only) and where to
/// go next.
pub struct SignedOn {
    pub user: UserId,
    pub session: SecretString,
    pub next: Option<String>,
}

/// The browser came back from provider `id` with `code` and `state`, carrying the cookie
/// `bound` (if it still has it).
pub async fn complete(
    core: &Core,
    id: &str,
    redirect: &Url,
    (code, state): (&str, &str),
    bound: Option<&str>,
    (client, browser): (IpAddr, Browser<'_>),
) -> Result<SignedOn, SignOnError> {
    let taken = core.store.take_sso_state(&token_hash(state)).await?.ok_or(SignOnError::StateUnknown)?;
    let same_browser = bound.is_some_and(|bound| token_hash(bound) == taken.browser_hash);
    if taken.provider != id || taken.expires_at <= now() || !same_browser {
        return Err(SignOnError::StateUnknown);
    }
    let pending = Pending { state: SecretString::new(state), nonce: taken.nonce, pkce_verifier: taken.pkce_verifier };
    let identity = core.sso.verified_identity(id, redirect, code, &pending).await?;
    let provider = core.sso.provider(id)?;
    let user = user_of(core, provider, &identity).await?;
    for group in &identity.groups {
        let Some(name) = provider.companies.get(group) else { continue };
        // A group mapped to a company nobody added here is the settings' mistake, not the
        // person's: they sign in without it, and the log says which.
        let Some(company) = core.store.find_company(name.trim()).await? else {
            tracing::warn!(provider = id, %group, company = %name, "sso.providers maps a group to a company that does not exist");
            continue;
        };
        if core.store.membership(user, company).await?.is_none() {
            companies::add_admin(core, user, company).await?;
        }
    }
    tracing::info!(provider = id, user = user.get(), "signed in through the identity provider");
    let session = sessions::start_session(core, user, (client, browser)).await?;
    core.store.keep_sso_sign_in(&token_hash(session.expose()), id, &identity.id_token).await?;
    Ok(SignedOn { user, session, next: taken.next })
}

/// Where to send a browser signing out of `session` so that the identity provider that opened
/// it ends its session too, coming `back` here: `None` for a session no provider opened, or a
/// provider that advertises no sign-out (the local session ends either way). A provider that
/// cannot be reached is logged and skipped: signing out here must not wait on it.
pub async fn provider_sign_out(core: &Core, session: &str, back: &Url) -> Result<Option<Url>, CoreError> {
    let Some((provider, id_token)) = core.store.sso_sign_in_of(&token_hash(session)).await? else { return Ok(None) };
    match core.sso.sign_out_url(&provider, &id_token, back).await {
        Ok(url) => Ok(url),
        Err(error) => {
            tracing::warn!(%provider, %error, "the identity provider's sign-out is skipped");
            Ok(None)
        }
    }
}

/// The user `identity` is: linked before, or linked now by the e-mail address the provider
/// verified, or created when the provider's settings say so.
async fn user_of(core: &Core, provider: &IdentityProvider, identity: &VerifiedIdentity) -> Result<UserId, SignOnError> {
    if let Some(user) = core.store.identity_user(&provider.id, &identity.subject).await? {
        return Ok(user);
    }
    let by_email = match &identity.verified_email {
        Some(email) => core.store.user_with_email(email).await?,
        None => None,
    };
    let user = match (by_email, provider.create_users) {
        (Some(user), _) if !core.store.second_factors_of(user).await?.is_empty() => {
            tracing::info!(provider = %provider.id, user = %user.get(), "single sign-on refused: the e-mail address is a second-factor account's");
            return Err(SignOnError::SecondFactorAccount { provider: provider.name.clone() });
        }
        (Some(user), _) => user,
        (None, true) => {
            let sign_in_name =
                identity.verified_email.clone().unwrap_or_else(|| format!("{}:{}", provider.id, identity.subject));
            let display_name = identity.name.clone().unwrap_or_else(|| sign_in_name.clone());
            // Nobody knows this password: the user signs in through the provider.
            let user = accounts::create_user(core, &sign_in_name, &display_name, random_token()).await?;
            if let Some(email) = &identity.verified_email {
                accounts::set_email(core, user, Some(email)).await?;
            }
            user
        }
        (None, false) => {
            tracing::info!(provider = %provider.id, "single sign-on refused: no user here is linked to the identity");
            return Err(SignOnError::UnknownUser { provider: provider.name.clone() });
        }
    };
    core.store.link_identity(&provider.id, &identity.subject, user).await?;
    Ok(user)
}
