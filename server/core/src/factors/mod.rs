//! Second factors for the service's own accounts: passkeys (WebAuthn, `webauthn-rs`) and
//! authenticator apps (one-time codes, RFC 6238, `totp-rs`), with single-use recovery codes.
//!
//! A password that is right for a user with a second factor opens no session: it opens a
//! *sign-in step* (`sign_in_steps`), bound to a cookie of its own, which only the second-factor
//! functions here read. A code, a passkey or a recovery code finishes the step into a session.
//! When the settings require a second factor and the user has none, the step is an enrolment:
//! adding a factor finishes it. Wrong codes count against the sign-in throttle like wrong
//! passwords (and end the step after [`STEP_FAILURES`]), so knowing the password buys no more
//! guesses at the code than at the password. Identity-provider sign-ins are the provider's
//! business and open a session as before.
//!
//! Factor secrets are sealed with the key ring (and rewrapped with it); a TOTP code is accepted
//! once (its time step is recorded); recovery codes are kept as hashes and used once.

mod codes;
mod passkeys;

pub use codes::{begin_totp, confirm_totp, new_recovery_codes, unlock_browser, RECOVERY_CODES};
pub use passkeys::{
    begin_passkey_registration, begin_passkey_sign_in, finish_passkey_registration, finish_passkey_sign_in,
};

use crate::{
    clock::now,
    error::CoreError,
    secret::{random_token, token_hash, SecretString},
    sessions::{self, Browser},
    store::{NewSignInStep, Removal, SignInStepRecord},
    throttle::{self, Reservation},
    Core,
};
use model::{FactorKind, SecondFactors, SignInStep, StepPurpose, UserId};
use std::{net::IpAddr, time::Duration};
use url::Url;
use webauthn_rs::prelude::{Webauthn, WebauthnBuilder};

/// How long a sign-in waits for its second step.
pub const STEP_LIFETIME: Duration = Duration::from_secs(10 * 60);
/// Wrong answers a step takes before it ends (the password must be entered again).
pub const STEP_FAILURES: i64 = 5;
/// The name authenticator apps and passkey prompts show for this service.
const ISSUER: &str = "UPS Customer Solutions";

/// How this service treats second factors: whether every admin must have one, and the WebAuthn
/// relying party (absent when the service is not on a domain name: passkeys need one).
pub struct Factors {
    required: bool,
    webauthn: Option<Webauthn>,
}

impl Factors {
    /// No requirement, no passkeys (the core's default until the settings say more).
    pub fn off() -> Self {
        Self { required: false, webauthn: None }
    }

    /// The relying party is the public URL's host, and its origin the only one accepted. An IP
    /// address cannot be a relying party: passkeys are then unavailable and codes still work.
    pub fn new(public_base_url: &Url, required: bool) -> Self {
        let webauthn = match public_base_url.host() {
            Some(url::Host::Domain(host)) => WebauthnBuilder::new(host, public_base_url)
                .and_then(|builder| builder.rp_name(ISSUER).build())
                .inspect_err(|error| tracing::warn!(%error, "passkeys are unavailable"))
                .ok(),
            _ => {
                tracing::info!("passkeys need the service on a domain name (public_base_url); codes still work");
                None
            }
        };
        Self { required, webauthn }
    }

    pub fn required(&self) -> bool {
        self.required
    }

    pub fn passkeys_available(&self) -> bool {
        self.webauthn.is_some()
    }

    fn webauthn(&self) -> Result<&Webauthn, CoreError> {
        self.webauthn.as_ref().ok_or_else(|| CoreError::Invalid("Passkeys are not available on this service.".into()))
    }
}

/// Who is adding a factor: a signed-in user on their security page, or a sign-in that must enrol
/// one before it opens a session.
#[derive(Clone, Copy, Debug)]
pub enum Enroller<'a> {
    Session { user: UserId, session_hash: &'a [u8] },
    Step { token: &'a str },
}

/// A sign-in finished by its second step: the session, the browser's new device cookie, where to go.
pub struct Finished {
    pub session: SecretString,
    pub device: SecretString,
    pub next: Option<String>,
}

/// What adding a factor did: the recovery codes when these are the user's first (shown once),
/// and the finished sign-in when it was an enrolment's.
pub struct Added {
    pub recovery_codes: Vec<String>,
    pub finished: Option<Finished>,
}

/// Whether the password's sign-in needs a second step, and which.
pub(crate) async fn step_needed(core: &Core, user: UserId) -> Result<Option<StepPurpose>, CoreError> {
    if !core.store.second_factors_of(user).await?.is_empty() {
        return Ok(Some(StepPurpose::Verify));
    }
    Ok(core.factors.required().then_some(StepPurpose::Enrol))
}

/// Opens the sign-in step after a right password: its token, for the browser only.
pub(crate) async fn open_step(
    core: &Core,
    user: UserId,
    purpose: StepPurpose,
    next: Option<&str>,
    (client, browser): (IpAddr, Browser<'_>),
) -> Result<SecretString, CoreError> {
    let token = random_token();
    let user_agent: String = browser.user_agent.chars().take(sessions::USER_AGENT_KEPT).collect();
    let address = client.to_string();
    let step = NewSignInStep {
        id_hash: &token_hash(token.expose()),
        user,
        purpose,
        next,
        user_agent: &user_agent,
        address: &address,
        expires_at: now() + STEP_LIFETIME.as_secs() as i64,
    };
    core.store.open_sign_in_step(step).await?;
    tracing::info!(user = %user.get(), purpose = purpose.as_str(), "password accepted, second step opened");
    Ok(token)
}

async fn live_step(core: &Core, token: &str) -> Result<SignInStepRecord, CoreError> {
    core.store.sign_in_step(&token_hash(token)).await?.ok_or(CoreError::SignInStepOver)
}

/// What the step's page offers.
pub async fn describe_step(core: &Core, token: &str) -> Result<SignInStep, CoreError> {
    let step = live_step(core, token).await?;
    let identity = core.store.user_identity(step.user).await?.ok_or(CoreError::SignInStepOver)?;
    let factors = core.store.second_factors_of(step.user).await?;
    Ok(SignInStep {
        purpose: step.purpose,
        display_name: identity.display_name,
        passkey: factors.iter().any(|factor| factor.kind == FactorKind::Passkey),
        totp: factors.iter().any(|factor| factor.kind == FactorKind::Totp),
        passkeys_available: core.factors.passkeys_available(),
    })
}

/// Finishes a `verify` step with a code from an authenticator app or a recovery code. A wrong
/// one counts against the throttle and the step. The step is taken before the code is spent, so
/// a code sent twice, or to a step that is over, is not used up for nothing.
#[tracing::instrument(skip_all, fields(%client))]
pub async fn verify_code(
    core: &Core,
    token: &str,
    code: &str,
    (client, browser): (IpAddr, Browser<'_>),
) -> Result<Finished, CoreError> {
    let step = live_step(core, token).await?;
    if step.purpose != StepPurpose::Verify {
        return Err(CoreError::SignInStepOver);
    }
    let attempt = reserve(core, step.user, (client, browser)).await?;
    let Some(right) = codes::check(core, step.user, code).await? else {
        tracing::info!("second factor refused");
        return Err(step_failed(core, token).await?);
    };
    let (step, attempt) = take_step(core, token, attempt).await?;
    if !codes::spend(core, step.user, right).await? {
        tracing::info!("second factor refused: the code was spent meanwhile");
        attempt.release().await?;
        return Err(CoreError::SignInStepOver);
    }
    open_session(core, step, attempt, (client, browser)).await
}

/// Counts a wrong answer against the step: the refusal to give (`WrongCode`, or
/// `SignInStepOver` once the step has ended).
async fn step_failed(core: &Core, token: &str) -> Result<CoreError, CoreError> {
    Ok(match core.store.fail_sign_in_step(&token_hash(token), STEP_FAILURES).await? {
        true => CoreError::WrongCode,
        false => CoreError::SignInStepOver,
    })
}

/// Reserves the throttle's slot for an answer to `user`'s step: asked before the answer is
/// checked, so a wrong one counts like a wrong password. The bound across addresses is waived:
/// the step exists because its password passed that bound already, and holds five answers.
async fn reserve(
    core: &Core,
    user: UserId,
    (client, browser): (IpAddr, Browser<'_>),
) -> Result<Reservation, CoreError> {
    let identity = core.store.user_identity(user).await?.ok_or(CoreError::SignInStepOver)?;
    let asking = (client, browser.device);
    throttle::reserve_with(&core.store, &identity.sign_in_name, asking, now(), throttle::Hold::Waived).await
}

/// Takes the step (once), after its answer was found right and before anything is spent or
/// kept for it; when it is over, the attempt does not count.
async fn take_step(
    core: &Core,
    token: &str,
    attempt: Reservation,
) -> Result<(SignInStepRecord, Reservation), CoreError> {
    match core.store.take_sign_in_step(&token_hash(token)).await? {
        Some(step) => Ok((step, attempt)),
        None => {
            attempt.release().await?;
            Err(CoreError::SignInStepOver)
        }
    }
}

/// Opens the session of a step that was taken: the browser also gets its device cookie.
async fn open_session(
    core: &Core,
    step: SignInStepRecord,
    attempt: Reservation,
    (client, browser): (IpAddr, Browser<'_>),
) -> Result<Finished, CoreError> {
    let device = attempt.succeeded(now()).await?;
    let session = sessions::start_session(core, step.user, (client, browser)).await?;
    tracing::info!(user = %step.user.get(), "second step passed, signed in");
    Ok(Finished { session, device, next: step.next })
}

/// The user adding a factor, and what their passkey ceremonies are bound to.
async fn enroller_user(core: &Core, enroller: Enroller<'_>) -> Result<(UserId, Vec<u8>), CoreError> {
    match enroller {
        Enroller::Session { user, session_hash } => Ok((user, session_hash.to_vec())),
        Enroller::Step { token } => {
            let step = live_step(core, token).await?;
            // An enrolment is for a user with no factor yet: once they have one (added from
            // another browser meanwhile), the step must verify it instead.
            let enrolling =
                step.purpose == StepPurpose::Enrol && core.store.second_factors_of(step.user).await?.is_empty();
            match enrolling {
                true => Ok((step.user, token_hash(token))),
                false => Err(CoreError::SignInStepOver),
            }
        }
    }
}

/// The user adding a factor, and for an enrolment the throttle's slot for its answer.
async fn enroller_attempt(
    core: &Core,
    enroller: Enroller<'_>,
    (client, browser): (IpAddr, Browser<'_>),
) -> Result<(UserId, Option<Reservation>), CoreError> {
    let (user, _) = enroller_user(core, enroller).await?;
    let attempt = match enroller {
        Enroller::Step { .. } => Some(reserve(core, user, (client, browser)).await?),
        Enroller::Session { .. } => None,
    };
    Ok((user, attempt))
}

/// Keeps a factor whose answer was found right (`keep` stores it). An enrolment's step is taken
/// first, so a step that is over keeps nothing. A first factor comes with recovery codes (shown
/// once) and ends the user's other sessions, which a password alone opened; an enrolment then
/// opens its session.
async fn keep_factor(
    core: &Core,
    (user, enroller, attempt): (UserId, Enroller<'_>, Option<Reservation>),
    keep: impl AsyncFnOnce() -> Result<(), CoreError>,
    (client, browser): (IpAddr, Browser<'_>),
) -> Result<Added, CoreError> {
    let taken = match (enroller, attempt) {
        (Enroller::Step { token }, Some(attempt)) => Some(take_step(core, token, attempt).await?),
        _ => None,
    };
    let first = core.store.second_factors_of(user).await?.is_empty();
    if let Err(refused) = keep().await {
        // The answer was right, so it does not count; the step is over either way.
        if let Some((_, attempt)) = taken {
            attempt.release().await?;
        }
        return Err(refused);
    }
    let recovery_codes = match core.store.recovery_codes_left(user).await? {
        0 => new_recovery_codes(core, user).await?,
        _ => Vec::new(),
    };
    if first {
        let current = match enroller {
            Enroller::Session { session_hash, .. } => Some(session_hash),
            Enroller::Step { .. } => None,
        };
        let ended = core.store.end_other_password_sessions(user, current).await?;
        tracing::info!(user = %user.get(), ended, "first second factor added; password-only sessions ended");
    }
    let finished = match taken {
        Some((step, attempt)) => Some(open_session(core, step, attempt, (client, browser)).await?),
        None => None,
    };
    Ok(Added { recovery_codes, finished })
}

fn json(value: &impl serde::Serialize) -> Result<String, CoreError> {
    serde_json::to_string(value).map_err(|error| CoreError::Unexpected(format!("JSON: {error}")))
}

/// The user's second factors and recovery codes, for their security page.
pub async fn list(core: &Core, user: UserId) -> Result<SecondFactors, CoreError> {
    Ok(SecondFactors {
        factors: core.store.second_factors_of(user).await?,
        recovery_codes_left: core.store.recovery_codes_left(user).await?.max(0) as u32,
        required: core.factors.required(),
        passkeys_available: core.factors.passkeys_available(),
    })
}

/// Removes one of the user's factors; not the last one where second factors are required.
pub async fn remove(core: &Core, user: UserId, factor: i64) -> Result<(), CoreError> {
    match core.store.remove_second_factor(user, factor, core.factors.required()).await? {
        Removal::Removed => {
            tracing::info!(user = %user.get(), factor, "second factor removed");
            Ok(())
        }
        Removal::NoSuchFactor => Err(CoreError::NotFound("That second factor".into())),
        Removal::LastOne => {
            Err(CoreError::Invalid("A second factor is required here: add another before removing this one.".into()))
        }
    }
}

/// Removes every second factor and recovery code of `user` (who lost them all: an operator's
/// command) and ends their sessions. Answers how many factors went.
#[tracing::instrument(skip(core), fields(user = %user.get()))]
pub async fn reset(core: &Core, user: UserId) -> Result<u64, CoreError> {
    let removed = core.store.reset_second_factors(user).await?;
    tracing::info!(removed, "second factors reset");
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passkeys_need_a_domain_name() {
        let on_ip = Factors::new(&Url::parse("http://127.0.0.1:3000").unwrap(), false);
        assert!(!on_ip.passkeys_available());
        let on_name = Factors::new(&Url::parse("https://optin.example.com").unwrap(), true);
        assert!(on_name.passkeys_available() && on_name.required());
        assert!(Factors::new(&Url::parse("http://localhost:3000").unwrap(), false).passkeys_available());
    }
}
