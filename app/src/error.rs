//! The one error type that crosses the wire between server functions and the UI.
//!
//! Each variant says what a person can do about it; internal causes (database, provider transport)
//! are logged on the server with their cause chain and reach the browser only as `Internal`.

use crate::{i18n::Locale, t};
use leptos::server_fn::{self, codec::JsonEncoding, error::FromServerFnError, ServerFnError};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// 401: there is no valid session; the UI sends the person to the sign-in page.
    #[error("Please sign in to continue.")]
    Unauthenticated,
    /// 401: the sign-in name or password is wrong (which one is deliberately not said).
    #[error("The sign-in name or password is incorrect.")]
    InvalidCredentials,
    /// 429: too many failed sign-ins for this name from this address (or from this address at
    /// all); the wait grows with every further failure and ends within 15 minutes.
    #[error("Too many failed sign-in attempts. Please wait a few minutes and try again.")]
    TooManyAttempts,
    /// 429: many sign-ins for this name failed lately from elsewhere; a browser that has not
    /// signed in as the name before first gives a recovery code (`/sign-in/unlock`).
    #[error("Many sign-ins for this name failed lately from elsewhere. A browser new to it must first confirm with a recovery code.")]
    SignInHeld,
    /// 403: password sign-in is turned off here; the sign-in page offers the identity providers.
    #[error("Sign-in with a password is turned off here. Sign in with your organization's account.")]
    PasswordsOff,
    /// 401: the second factor's code is wrong, expired or already used.
    #[error("That code is not right, has expired, or was used already. Try the newest code.")]
    WrongCode,
    /// 401: the passkey's answer did not check out.
    #[error("That passkey was not accepted. Try again, or use a code.")]
    PasskeyRefused,
    /// 401: the sign-in's second step is over (expired, finished, or too many wrong answers).
    #[error("This sign-in has expired. Please sign in again.")]
    SignInStepOver,
    /// 503: the server is shedding sign-ins (too many password checks waiting); trying again in a
    /// moment works.
    #[error("The service is busy. Please try again in a moment.")]
    Busy,
    /// 401: an embedded widget's session is unknown, already used, expired, or its API key was
    /// revoked; the portal page mints a new one when it is reloaded.
    #[error("This session has expired or was already used. Reload the page to continue.")]
    EmbedSessionInvalid,
    /// 403: signed in, but not an administrator of the company asked about.
    #[error("You are not allowed to manage this company.")]
    Forbidden,
    /// 403: a viewer of the company asked to change it.
    #[error("You can view this company's authorizations; only its admins can change them.")]
    ViewOnly,
    /// 404: the thing asked for does not exist (the payload names it).
    #[error("{0} was not found.")]
    NotFound(String),
    /// 400: the input was malformed; the payload says what to fix.
    #[error("{0}")]
    Invalid(String),
    /// 500: something failed on our side; the cause is in the server log only.
    #[error("Something went wrong on our side. Please try again.")]
    Internal,
    /// The request never reached the server function or its answer could not be read.
    #[error("The request could not be completed ({0}). Please try again.")]
    Request(String),
}

impl AppError {
    /// What the page says, in the page's language.
    pub fn message(&self) -> String {
        self.message_in(crate::i18n::locale())
    }

    /// What a page in `locale` says.
    pub fn message_in(&self, locale: Locale) -> String {
        match self {
            Self::Unauthenticated => t!(locale => "error-unauthenticated"),
            Self::InvalidCredentials => t!(locale => "error-invalid-credentials"),
            Self::TooManyAttempts => t!(locale => "error-too-many-attempts"),
            Self::SignInHeld => t!(locale => "error-sign-in-held"),
            Self::PasswordsOff => t!(locale => "error-passwords-off"),
            Self::WrongCode => t!(locale => "error-wrong-code"),
            Self::PasskeyRefused => t!(locale => "error-passkey-refused"),
            Self::SignInStepOver => t!(locale => "error-sign-in-step-over"),
            Self::Busy => t!(locale => "error-busy"),
            Self::EmbedSessionInvalid => t!(locale => "error-embed-session-invalid"),
            Self::Forbidden => t!(locale => "error-forbidden"),
            Self::ViewOnly => t!(locale => "error-view-only"),
            Self::NotFound(what) => t!(locale => "error-not-found", what = what.as_str()),
            // What to fix, in the words of the check that refused it.
            Self::Invalid(message) => message.clone(),
            Self::Internal => t!(locale => "error-internal"),
            Self::Request(detail) => t!(locale => "error-request", detail = detail.as_str()),
        }
    }

    pub fn status(&self) -> u16 {
        match self {
            Self::Unauthenticated
            | Self::InvalidCredentials
            | Self::EmbedSessionInvalid
            | Self::WrongCode
            | Self::PasskeyRefused
            | Self::SignInStepOver => 401,
            Self::Forbidden | Self::ViewOnly | Self::PasswordsOff => 403,
            Self::TooManyAttempts | Self::SignInHeld => 429,
            Self::NotFound(_) => 404,
            Self::Invalid(_) | Self::Request(_) => 400,
            Self::Internal => 500,
            Self::Busy => 503,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: server_fn::error::ServerFnErrorErr) -> Self {
        Self::Request(value.to_string())
    }
}

impl From<ServerFnError> for AppError {
    fn from(value: ServerFnError) -> Self {
        Self::Request(value.to_string())
    }
}

impl From<model::InvalidCompanyId> for AppError {
    fn from(error: model::InvalidCompanyId) -> Self {
        Self::Invalid(error.to_string())
    }
}

impl From<model::UnknownProduct> for AppError {
    fn from(error: model::UnknownProduct) -> Self {
        Self::NotFound(format!("Product \"{}\"", error.0))
    }
}

#[cfg(feature = "ssr")]
pub mod ssr {
    //! Conversions from the core's errors (a server function's HTTP status is `web::with_status`'s).
    use super::AppError;

    use optin_core::CoreError;

    /// The core's refusals become what a person can act on; its own failures are logged here,
    /// once, with their cause chain, and reach the browser as `Internal`.
    impl From<CoreError> for AppError {
        fn from(error: CoreError) -> Self {
            match error {
                CoreError::InvalidCredentials => Self::InvalidCredentials,
                CoreError::TooManyAttempts => Self::TooManyAttempts,
                CoreError::SignInHeld => Self::SignInHeld,
                CoreError::PasswordsOff => Self::PasswordsOff,
                CoreError::Busy => Self::Busy,
                CoreError::WrongCode => Self::WrongCode,
                CoreError::PasskeyRefused => Self::PasskeyRefused,
                CoreError::SignInStepOver => Self::SignInStepOver,
                CoreError::EmbedSessionInvalid => Self::EmbedSessionInvalid,
                CoreError::Forbidden => Self::Forbidden,
                CoreError::ViewOnly => Self::ViewOnly,
                CoreError::NotFound(what) => Self::NotFound(what),
                CoreError::Invalid(message) => Self::Invalid(message),
                error @ (CoreError::Store(_) | CoreError::Unexpected(_)) => {
                    tracing::error!(error = %error, cause = ?std::error::Error::source(&error), "internal error");
                    Self::Internal
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    //! English is the errors' own English (`Display`, which logs and the JSON errors use).
    use super::AppError;
    use crate::i18n::Locale;

    #[test]
    fn english_is_the_errors_own_wording() {
        for each in [
            AppError::Unauthenticated,
            AppError::InvalidCredentials,
            AppError::TooManyAttempts,
            AppError::SignInHeld,
            AppError::PasswordsOff,
            AppError::WrongCode,
            AppError::PasskeyRefused,
            AppError::SignInStepOver,
            AppError::Busy,
            AppError::EmbedSessionInvalid,
            AppError::Forbidden,
            AppError::ViewOnly,
            AppError::NotFound("Company".into()),
            AppError::Invalid("Enter an email address.".into()),
            AppError::Internal,
            AppError::Request("timed out".into()),
        ] {
            assert_eq!(each.message_in(Locale::En), each.to_string());
        }
    }
}
