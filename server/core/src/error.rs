//! The core's error: what an operation refuses, in terms the layers above turn into their own
//! answers (a server function's `AppError`, a route's JSON or page). Each variant says the HTTP
//! status it usually becomes. Internal causes keep their source, so they are logged once, with
//! their cause chain, where they are turned into a 500.

use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    /// 401: the sign-in name or password is wrong (which one is deliberately not said).
    #[error("the sign-in name or password is incorrect")]
    InvalidCredentials,
    /// 429: too many failed sign-ins for this name from this address, or from this address.
    #[error("too many failed sign-in attempts")]
    TooManyAttempts,
    /// 429: many sign-ins for this name failed lately from elsewhere: a browser new to the name
    /// first confirms with a recovery code (`factors::unlock_browser`).
    #[error("sign-ins for this name are held for new browsers")]
    SignInHeld,
    /// 403: the settings turned password sign-in off; admins sign in through an identity provider.
    #[error("password sign-in is turned off")]
    PasswordsOff,
    /// 401: the second factor's code is wrong, expired or already used (the sign-in step lives on).
    #[error("the code is wrong, expired or already used")]
    WrongCode,
    /// 401: the passkey's answer did not check out.
    #[error("the passkey was not accepted")]
    PasskeyRefused,
    /// 401: the sign-in's second step is unknown, expired, finished, or ended by wrong answers;
    /// the password must be entered again.
    #[error("the sign-in step is over")]
    SignInStepOver,
    /// 503: too many password checks are waiting; trying again in a moment works.
    #[error("too many password checks are waiting")]
    Busy,
    /// 401: an embed session or widget key is unknown, used, expired, or its API key revoked.
    #[error("the embed session is unknown, used, expired or revoked")]
    EmbedSessionInvalid,
    /// 403: not an administrator of the company asked about (or of any such company).
    #[error("not allowed to manage this company")]
    Forbidden,
    /// 403: a viewer of the company asked to change it; only its admins may.
    #[error("a viewer may not change this company's authorizations")]
    ViewOnly,
    /// 404: the thing asked for does not exist; the payload names it.
    #[error("{0} was not found")]
    NotFound(String),
    /// 400: the input was malformed; the payload says what to fix.
    #[error("{0}")]
    Invalid(String),
    /// 500: the store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// 500: something no request can fix (a worker thread died, a configured URL is unusable).
    #[error("{0}")]
    Unexpected(String),
}

impl CoreError {
    /// Whether this is the service's own failure (logged, shown as "something went wrong").
    pub fn is_internal(&self) -> bool {
        matches!(self, Self::Store(_) | Self::Unexpected(_))
    }
}

impl From<crate::keyring::CipherError> for CoreError {
    fn from(error: crate::keyring::CipherError) -> Self {
        Self::Store(error.into())
    }
}
