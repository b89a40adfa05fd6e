//! Second factors: the sign-in's second step (`/sign-in/second-factor`: a passkey, a code from an
//! authenticator app, or a recovery code; or, where one is required, adding a first factor) and
//! the signed-in user's own "Sign-in security" page (`/second-factors`), and the way past the
//! throttle's hold on a name under attack for a browser new to it (`/sign-in/unlock`: a recovery
//! code). The ceremonies are the
//! core's (`optin_core::factors`); the server functions are here, the pages in [`view`].
//!
//! The pages are served without islands: a code is a plain form, and what must run in the
//! browser (WebAuthn, showing a new key and the recovery codes) is the small script
//! `/factors.js`, loaded by these two pages only, which calls the server functions below. The
//! widget's bundle stays as it was.

pub mod view;

use crate::error::AppError;
use leptos::prelude::*;
use model::{FactorAdded, SecondFactors, SignInStep, TotpEnrolment};

/// What the sign-in's second step offers (its cookie alone, no session).
#[server(prefix = "/api", endpoint = "load_sign_in_step")]
pub async fn load_sign_in_step() -> Result<SignInStep, AppError> {
    crate::web::with_status(ssr::describe_step().await)
}

/// Finishes the second step with an authenticator app's code or a recovery code.
#[server(prefix = "/api", endpoint = "verify_second_factor")]
pub async fn verify_second_factor(code: String) -> Result<(), AppError> {
    crate::web::with_status(ssr::verify_code(code).await)
}

/// The options for the browser's `navigator.credentials.get`, as JSON.
#[server(prefix = "/api", endpoint = "begin_passkey_sign_in")]
pub async fn begin_passkey_sign_in() -> Result<String, AppError> {
    crate::web::with_status(ssr::begin_passkey_sign_in().await)
}

/// Finishes the second step with the passkey's answer (JSON); answers where to go.
#[server(prefix = "/api", endpoint = "finish_passkey_sign_in")]
pub async fn finish_passkey_sign_in(credential: String) -> Result<String, AppError> {
    crate::web::with_status(ssr::finish_passkey_sign_in(credential).await)
}

/// A new authenticator-app key for the signed-in user, or for a sign-in that must add a factor.
#[server(prefix = "/api", endpoint = "begin_totp_enrolment")]
pub async fn begin_totp_enrolment() -> Result<TotpEnrolment, AppError> {
    crate::web::with_status(ssr::begin_totp().await)
}

/// Confirms the new key with its first code.
#[server(prefix = "/api", endpoint = "confirm_totp_enrolment")]
pub async fn confirm_totp_enrolment(code: String) -> Result<FactorAdded, AppError> {
    crate::web::with_status(ssr::confirm_totp(code).await)
}

/// The options for the browser's `navigator.credentials.create`, as JSON.
#[server(prefix = "/api", endpoint = "begin_passkey_registration")]
pub async fn begin_passkey_registration() -> Result<String, AppError> {
    crate::web::with_status(ssr::begin_passkey_registration().await)
}

/// Adds the passkey the browser's authenticator made (its answer, JSON), under `label`.
#[server(prefix = "/api", endpoint = "finish_passkey_registration")]
pub async fn finish_passkey_registration(label: String, credential: String) -> Result<FactorAdded, AppError> {
    crate::web::with_status(ssr::finish_passkey_registration(label, credential).await)
}

/// The signed-in user's second factors.
#[server(prefix = "/api", endpoint = "load_second_factors")]
pub async fn load_second_factors() -> Result<SecondFactors, AppError> {
    crate::web::with_status(ssr::list().await)
}

/// Removes one of the signed-in user's second factors.
#[server(prefix = "/api", endpoint = "remove_second_factor")]
pub async fn remove_second_factor(factor: i64) -> Result<(), AppError> {
    crate::web::with_status(ssr::remove(factor).await)
}

/// A new set of recovery codes (the old ones stop working), shown once.
#[server(prefix = "/api", endpoint = "new_recovery_codes")]
pub async fn new_recovery_codes() -> Result<Vec<String>, AppError> {
    crate::web::with_status(ssr::new_recovery_codes().await)
}

/// Lets this browser past the hold on a name under attack with one of its recovery codes: the
/// browser becomes one the name knows, then signs in as usual (no session yet).
#[server(prefix = "/api", endpoint = "unlock_sign_in")]
pub async fn unlock_sign_in(sign_in_name: String, code: String) -> Result<(), AppError> {
    crate::web::with_status(ssr::unlock(sign_in_name, code).await)
}

#[cfg(feature = "ssr")]
mod ssr {
    use crate::{
        auth::{api::safe_return_path, api::ssr::signed_in_here, session::current_user},
        error::AppError,
        state::{app_state, AppState},
        web::{
            after_form_post, client_address, cookie, device_cookie_name, set_cookie, step_cookie_name, BrowserSigningIn,
        },
    };
    use http::{header, request::Parts};
    use leptos::prelude::use_context;
    use model::{FactorAdded, SecondFactors, SignInStep, TotpEnrolment};
    use optin_core::{
        factors::{self, Enroller, Finished},
        sessions::Browser,
        throttle::DEVICE_LIFETIME,
    };

    /// The request's parts and what the browser brings (for sessions and the throttle).
    struct Asking {
        parts: Parts,
        brings: BrowserSigningIn,
    }

    impl Asking {
        fn new(state: &AppState) -> Result<Self, AppError> {
            let parts = use_context::<Parts>().ok_or(AppError::Internal)?;
            let brings = BrowserSigningIn::read(&state.web, &parts.headers);
            Ok(Self { parts, brings })
        }

        fn browser(&self) -> Browser<'_> {
            self.brings.browser()
        }

        fn step(&self, state: &AppState) -> Result<String, AppError> {
            cookie(&self.parts.headers, step_cookie_name(&state.web)).ok_or(AppError::SignInStepOver)
        }
    }

    /// The step's cookie goes, and the session's and the device's come.
    fn finished_here(state: &AppState, finished: &Finished) -> Result<String, AppError> {
        signed_in_here(state, &finished.session, &finished.device)?;
        let options = use_context::<leptos_axum::ResponseOptions>().ok_or(AppError::Internal)?;
        options.append_header(
            header::SET_COOKIE,
            set_cookie(&state.web, step_cookie_name(&state.web), None, Default::default()),
        );
        Ok(safe_return_path(finished.next.as_deref()))
    }

    pub async fn describe_step() -> Result<SignInStep, AppError> {
        let state = app_state()?;
        let asking = Asking::new(&state)?;
        Ok(factors::describe_step(&state.core, &asking.step(&state)?).await?)
    }

    pub async fn verify_code(code: String) -> Result<(), AppError> {
        let state = app_state()?;
        let asking = Asking::new(&state)?;
        let client = client_address(&asking.parts, &state.web);
        let finished =
            factors::verify_code(&state.core, &asking.step(&state)?, &code, (client, asking.browser())).await?;
        let next = finished_here(&state, &finished)?;
        leptos_axum::redirect(&next);
        Ok(())
    }

    pub async fn begin_passkey_sign_in() -> Result<String, AppError> {
        let state = app_state()?;
        let asking = Asking::new(&state)?;
        Ok(factors::begin_passkey_sign_in(&state.core, &asking.step(&state)?).await?)
    }

    pub async fn finish_passkey_sign_in(credential: String) -> Result<String, AppError> {
        let state = app_state()?;
        let asking = Asking::new(&state)?;
        let client = client_address(&asking.parts, &state.web);
        let step = asking.step(&state)?;
        let finished =
            factors::finish_passkey_sign_in(&state.core, &step, &credential, (client, asking.browser())).await?;
        finished_here(&state, &finished)
    }

    /// Runs `add` as the sign-in that must add a factor, or else as the signed-in user.
    async fn as_enroller<T>(
        state: &AppState,
        asking: &Asking,
        add: impl AsyncFnOnce(Enroller<'_>) -> Result<T, optin_core::CoreError>,
    ) -> Result<T, AppError> {
        // The sign-in under way wins over a session the browser still has (another admin's, or a
        // planted one): the factor is for whoever just gave their password here.
        match (asking.step(state), current_user()) {
            (Ok(token), _) => Ok(add(Enroller::Step { token: &token }).await?),
            (Err(_), Ok(user)) => Ok(add(Enroller::Session { user: user.id, session_hash: &user.session_hash }).await?),
            (Err(no_step), Err(_)) => Err(no_step),
        }
    }

    /// The answer to a factor added: its recovery codes, and the finished sign-in's way on.
    fn factor_added(state: &AppState, added: factors::Added) -> Result<FactorAdded, AppError> {
        let next = added.finished.as_ref().map(|finished| finished_here(state, finished)).transpose()?;
        Ok(FactorAdded { recovery_codes: added.recovery_codes, next })
    }

    pub async fn begin_totp() -> Result<TotpEnrolment, AppError> {
        let state = app_state()?;
        let asking = Asking::new(&state)?;
        as_enroller(&state, &asking, async |enroller| factors::begin_totp(&state.core, enroller).await).await
    }

    pub async fn confirm_totp(code: String) -> Result<FactorAdded, AppError> {
        let state = app_state()?;
        let asking = Asking::new(&state)?;
        let client = client_address(&asking.parts, &state.web);
        let browser = asking.browser();
        let added = as_enroller(&state, &asking, async |enroller| {
            factors::confirm_totp(&state.core, enroller, &code, (client, browser)).await
        })
        .await?;
        factor_added(&state, added)
    }

    pub async fn begin_passkey_registration() -> Result<String, AppError> {
        let state = app_state()?;
        let asking = Asking::new(&state)?;
        as_enroller(&state, &asking, async |enroller| factors::begin_passkey_registration(&state.core, enroller).await)
            .await
    }

    pub async fn finish_passkey_registration(label: String, credential: String) -> Result<FactorAdded, AppError> {
        let state = app_state()?;
        let asking = Asking::new(&state)?;
        let client = client_address(&asking.parts, &state.web);
        let browser = asking.browser();
        let added = as_enroller(&state, &asking, async |enroller| {
            factors::finish_passkey_registration(&state.core, enroller, &label, &credential, (client, browser)).await
        })
        .await?;
        factor_added(&state, added)
    }

    pub async fn unlock(sign_in_name: String, code: String) -> Result<(), AppError> {
        let state = app_state()?;
        let asking = Asking::new(&state)?;
        let client = client_address(&asking.parts, &state.web);
        let device =
            factors::unlock_browser(&state.core, &sign_in_name, &code, (client, asking.browser().device)).await?;
        let options = use_context::<leptos_axum::ResponseOptions>().ok_or(AppError::Internal)?;
        let cookie = set_cookie(&state.web, device_cookie_name(&state.web), Some(&device), DEVICE_LIFETIME);
        options.append_header(header::SET_COOKIE, cookie);
        leptos_axum::redirect("/sign-in?unlocked=1");
        Ok(())
    }

    pub async fn list() -> Result<SecondFactors, AppError> {
        let (state, user) = (app_state()?, current_user()?);
        Ok(factors::list(&state.core, user.id).await?)
    }

    pub async fn remove(factor: i64) -> Result<(), AppError> {
        let (state, user) = (app_state()?, current_user()?);
        factors::remove(&state.core, user.id, factor).await?;
        after_form_post("/second-factors?removed=1");
        Ok(())
    }

    pub async fn new_recovery_codes() -> Result<Vec<String>, AppError> {
        let (state, user) = (app_state()?, current_user()?);
        Ok(factors::new_recovery_codes(&state.core, user.id).await?)
    }
}
