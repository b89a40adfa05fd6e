//! Users, their passwords, and signing in with one: a session (`sessions`) when the password is
//! all it takes, else the sign-in's second step (`factors`). A session id is a random bearer
//! secret that only its browser holds; the store keeps its SHA-256. Sessions are written here
//! rather than taken from a crate (tower-sessions): they must hold across several instances on
//! one database (see `throttle`, which says the same of itself).

use crate::{
    clock::now,
    error::CoreError,
    factors,
    secret::{random_token, token_hash, SecretString},
    sessions::{start_session, Browser},
    store::{SessionUser, StoreError},
    throttle::{self, HashingQueue},
    Core,
};
use argon2::{
    password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString},
    Argon2,
};
use model::{Identity, StepPurpose, UserId};
use std::{net::IpAddr, sync::OnceLock};

/// Hashing new passwords (users created by the CLI or the demo seed, the sandbox's password
/// change): the service's own work, which waits its turn and is never shed. Checking a password
/// someone sent goes through the service's bounded queue ([`verify_password`]).
fn hashing() -> &'static HashingQueue {
    static QUEUE: OnceLock<HashingQueue> = OnceLock::new();
    QUEUE.get_or_init(HashingQueue::for_this_machine)
}

/// Argon2id with the crate's defaults (19 MiB, 2 passes), off the async threads.
pub async fn hash_password(password: SecretString) -> Result<String, CoreError> {
    hashing()
        .run_patiently(move || {
            let salt = SaltString::generate(&mut OsRng);
            Argon2::default().hash_password(password.expose().as_bytes(), &salt).map(|hash| hash.to_string())
        })
        .await?
        .map_err(|error| CoreError::Unexpected(format!("password hashing failed: {error}")))
}

/// Checks `password` against `hash`; with no hash (unknown user) it checks against a decoy, so
/// the answer takes as long as for a known user with a wrong password, and is always `false`.
/// `Err(Busy)` when `queue` is full.
pub async fn verify_password(
    queue: &HashingQueue,
    password: SecretString,
    hash: Option<String>,
) -> Result<bool, CoreError> {
    queue
        .run(move || {
            let known = hash.is_some();
            let hash = hash.unwrap_or_else(decoy_hash);
            let matches = PasswordHash::new(&hash)
                .map(|parsed| Argon2::default().verify_password(password.expose().as_bytes(), &parsed).is_ok())
                .unwrap_or(false);
            known && matches
        })
        .await
}

/// Computed once, on a blocking thread (the first unknown-name sign-in).
fn decoy_hash() -> String {
    static DECOY: OnceLock<String> = OnceLock::new();
    DECOY
        .get_or_init(|| {
            let salt = SaltString::generate(&mut OsRng);
            Argon2::default()
                .hash_password(random_token().expose().as_bytes(), &salt)
                .map(|hash| hash.to_string())
                .unwrap_or_default()
        })
        .clone()
}

#[tracing::instrument(skip(core, password))]
pub async fn create_user(
    core: &Core,
    sign_in_name: &str,
    display_name: &str,
    password: SecretString,
) -> Result<UserId, CoreError> {
    let sign_in_name = sign_in_name.trim();
    if sign_in_name.is_empty() || sign_in_name.chars().count() > 100 || sign_in_name.contains(char::is_whitespace) {
        return Err(CoreError::Invalid("A sign-in name needs 1 to 100 characters and no spaces.".into()));
    }
    check_password_rules(&password)?;
    let display_name = match display_name.trim() {
        "" => sign_in_name,
        name => name,
    };
    let hash = hash_password(password).await?;
    core.store.create_user(sign_in_name, display_name, &hash).await.map_err(|error| match error {
        StoreError::Duplicate => CoreError::Invalid(format!("The sign-in name \"{sign_in_name}\" is taken.")),
        error => error.into(),
    })
}

/// Whether anyone can sign in yet (a first start has no users).
pub async fn has_users(core: &Core) -> Result<bool, CoreError> {
    Ok(core.store.user_count().await? > 0)
}

pub async fn find_user(core: &Core, sign_in_name: &str) -> Result<UserId, CoreError> {
    core.store
        .find_user(sign_in_name.trim())
        .await?
        .ok_or_else(|| CoreError::NotFound(format!("User \"{sign_in_name}\"")))
}

/// Checks the credentials and opens a new session, keeping the client's address and User-Agent
/// for the user's list of sessions, or, for a user with a second factor (or without one where
/// they are required), the sign-in's second step instead (`factors`). The session the browser
/// already had is ended, so a session id planted before sign-in is worthless after it. The
/// attempt is reserved with the throttle before the password is hashed, so guesses sent at once
/// are counted as they arrive; a browser with a device cookie of this name's is not held by the
/// bound across addresses. A right password with a second step to go neither counts as a
/// failure nor clears the failures before it: the step's answer does.
#[tracing::instrument(skip(core, password, next, browser), fields(%client))]
pub async fn open_session(
    core: &Core,
    sign_in_name: &str,
    password: SecretString,
    next: Option<&str>,
    (client, browser): (IpAddr, Browser<'_>),
) -> Result<NewSession, CoreError> {
    if !core.sso.passwords() {
        return Err(CoreError::PasswordsOff);
    }
    let attempt =
        throttle::reserve(&core.store, sign_in_name, (client, browser.device), now()).await.inspect_err(|error| {
            if matches!(error, CoreError::TooManyAttempts | CoreError::SignInHeld) {
                tracing::info!("sign-in refused: too many attempts");
            }
        })?;
    let credentials = core.store.credentials(sign_in_name.trim()).await?;
    let (user, hash) = credentials.map(|found| (found.id, found.password_hash)).unzip();
    let verified = match verify_password(&core.password_checks, password, hash).await {
        Ok(verified) => verified,
        Err(busy) => {
            attempt.release().await?;
            return Err(busy);
        }
    };
    let user = match (user, verified) {
        (Some(user), true) => user,
        _ => {
            tracing::info!("sign-in refused");
            return Err(CoreError::InvalidCredentials);
        }
    };
    if let Some(purpose) = factors::step_needed(core, user).await? {
        attempt.release().await?;
        let step = factors::open_step(core, user, purpose, next, (client, browser)).await?;
        return Ok(NewSession { user, outcome: SignInOutcome::SecondStep { step, purpose } });
    }
    let device = attempt.succeeded(now()).await?;
    let session = start_session(core, user, (client, browser)).await?;
    Ok(NewSession { user, outcome: SignInOutcome::Session { session, device } })
}

/// A sign-in whose password was right: its user, and what the browser gets.
pub struct NewSession {
    pub user: UserId,
    pub outcome: SignInOutcome,
}

/// What a right password gives the browser (every secret here is for the browser only).
pub enum SignInOutcome {
    /// A session, and a new device cookie.
    Session { session: SecretString, device: SecretString },
    /// The sign-in's second step: a second factor to give, or a first one to add.
    SecondStep { step: SecretString, purpose: StepPurpose },
}

pub async fn end_session(core: &Core, session: &str) -> Result<(), CoreError> {
    Ok(core.store.end_session(&token_hash(session)).await?)
}

/// Ends every session of the user whose session this is, on every device.
#[tracing::instrument(skip_all)]
pub async fn end_every_session(core: &Core, session: &str) -> Result<(), CoreError> {
    let ended = core.store.end_sessions_of(&token_hash(session)).await?;
    tracing::info!(ended, "signed out everywhere");
    Ok(())
}

/// Gives `user` a new password and ends all of their sessions: whoever held one (the reason a
/// password is changed, often) is signed out.
#[tracing::instrument(skip(core, password), fields(user = %user.get()))]
pub async fn set_password(core: &Core, user: UserId, password: SecretString) -> Result<(), CoreError> {
    check_password_rules(&password)?;
    let hash = hash_password(password).await?;
    match core.store.set_password(user, &hash).await? {
        true => Ok(()),
        false => Err(CoreError::NotFound("User".into())),
    }
}

/// Where `user`'s notification emails go (re-authorization required); `None` stops them.
pub async fn set_email(core: &Core, user: UserId, email: Option<&str>) -> Result<(), CoreError> {
    let email = match email.map(str::trim).filter(|email| !email.is_empty()) {
        Some(email) => Some(
            email
                .parse::<lettre::Address>()
                .map_err(|_| CoreError::Invalid(format!("\"{email}\" is not an email address.")))?
                .to_string(),
        ),
        None => None,
    };
    match core.store.set_email(user, email.as_deref()).await? {
        true => Ok(()),
        false => Err(CoreError::NotFound("User".into())),
    }
}

fn check_password_rules(password: &SecretString) -> Result<(), CoreError> {
    match password.expose().chars().count() >= 12 {
        true => Ok(()),
        false => Err(CoreError::Invalid("A password needs at least 12 characters.".into())),
    }
}

/// A signed-in user, as resolved from their session id.
#[derive(Clone, Debug)]
pub struct SignedIn {
    pub id: UserId,
    pub identity: Identity,
    /// SHA-256 of the session id: what OAuth states are bound to.
    pub session_hash: Vec<u8>,
}

/// The user of a live session (one indexed query). Where second factors are required, a
/// session a password opened for a user who has none (opened before the requirement, or before
/// the factor was removed by an operator) ends here: the next sign-in enrols one.
pub async fn session_user(core: &Core, session: &str) -> Result<Option<SignedIn>, CoreError> {
    let session_hash = token_hash(session);
    let idle = core.lifetimes.session_idle.as_secs() as i64;
    let Some(SessionUser { id, identity, password_only }) = core.store.session_user(&session_hash, idle).await? else {
        return Ok(None);
    };
    if password_only && core.factors.required() {
        core.store.end_session(&session_hash).await?;
        tracing::info!(user = %id.get(), "a session without a second factor ended: one is required");
        return Ok(None);
    }
    Ok(Some(SignedIn { id, identity, session_hash }))
}
