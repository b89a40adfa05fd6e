//! The sign-in, sign-out and who-am-I server functions. Passwords, sessions and throttling
//! themselves are the core's (`optin_core::accounts`).

use crate::error::AppError;
use leptos::prelude::*;
use model::{Identity, SignInOptions};

/// A path on this site to return to after signing in; anything else (another host, `//evil`,
/// `/\t/evil`, which browsers read as `//evil` once they drop the tab) falls back to the home
/// page, so the sign-in page cannot be used as an open redirect.
pub fn safe_return_path(next: Option<&str>) -> String {
    match next {
        Some(path)
            if path.starts_with('/')
                && !path.starts_with("//")
                && !path.contains('\\')
                && !path.chars().any(char::is_control) =>
        {
            path.to_owned()
        }
        _ => "/".to_owned(),
    }
}

#[server(prefix = "/api", endpoint = "sign_in")]
pub async fn sign_in(sign_in_name: String, password: String, next: Option<String>) -> Result<(), AppError> {
    crate::web::with_status(ssr::sign_in(sign_in_name, password, next).await)
}

/// How this service signs people in: the identity providers, and whether passwords do.
#[server(prefix = "/api", endpoint = "load_sign_in_options")]
pub async fn load_sign_in_options() -> Result<SignInOptions, AppError> {
    crate::web::with_status(ssr::sign_in_options())
}

/// Who is signed in (for pages that show nothing else about the user).
#[server(prefix = "/api", endpoint = "load_identity")]
pub async fn load_identity() -> Result<Identity, AppError> {
    crate::web::with_status(crate::auth::session::current_user().map(|user| user.identity))
}

#[server(prefix = "/api", endpoint = "sign_out")]
pub async fn sign_out() -> Result<(), AppError> {
    crate::web::with_status(ssr::sign_out(false).await)
}

/// Ends every session of the signed-in user, on every device (after a lost laptop, say).
#[server(prefix = "/api", endpoint = "sign_out_everywhere")]
pub async fn sign_out_everywhere() -> Result<(), AppError> {
    crate::web::with_status(ssr::sign_out(true).await)
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use super::safe_return_path;
    use crate::{
        error::AppError,
        state::{app_state, AppState},
        web::{
            client_address, device_cookie_name, session_cookie, session_cookie_name, set_cookie, step_cookie_name,
            BrowserSigningIn,
        },
    };
    use http::header;
    use leptos::prelude::use_context;
    use optin_core::{
        accounts::{self, SignInOutcome},
        factors,
        secret::SecretString,
        sso,
        throttle::DEVICE_LIFETIME,
    };

    pub async fn sign_in(sign_in_name: String, password: String, next: Option<String>) -> Result<(), AppError> {
        let state = app_state()?;
        let parts = use_context::<http::request::Parts>().ok_or(AppError::Internal)?;
        let brings = BrowserSigningIn::read(&state.web, &parts.headers);
        let browser = brings.browser();
        let client = client_address(&parts, &state.web);
        let next = safe_return_path(next.as_deref());
        let signed_in = accounts::open_session(
            &state.core,
            &sign_in_name,
            SecretString::new(password),
            Some(&next),
            (client, browser),
        )
        .await?;
        match signed_in.outcome {
            SignInOutcome::Session { session, device } => {
                signed_in_here(&state, &session, &device)?;
                leptos_axum::redirect(&next);
            }
            SignInOutcome::SecondStep { step, .. } => {
                let options = use_context::<leptos_axum::ResponseOptions>().ok_or(AppError::Internal)?;
                let cookie = set_cookie(&state.web, step_cookie_name(&state.web), Some(&step), factors::STEP_LIFETIME);
                options.append_header(header::SET_COOKIE, cookie);
                leptos_axum::redirect("/sign-in/second-factor");
            }
        }
        Ok(())
    }

    /// Gives the browser its new session and device cookies.
    pub fn signed_in_here(state: &AppState, session: &SecretString, device: &SecretString) -> Result<(), AppError> {
        let options = use_context::<leptos_axum::ResponseOptions>().ok_or(AppError::Internal)?;
        let cookie =
            set_cookie(&state.web, session_cookie_name(&state.web), Some(session), state.core.lifetimes.session);
        options.append_header(header::SET_COOKIE, cookie);
        let device = set_cookie(&state.web, device_cookie_name(&state.web), Some(device), DEVICE_LIFETIME);
        options.append_header(header::SET_COOKIE, device);
        Ok(())
    }

    pub fn sign_in_options() -> Result<model::SignInOptions, AppError> {
        let state = app_state()?;
        let providers = state
            .core
            .sso
            .providers()
            .map(|provider| model::SignInProvider { id: provider.id.clone(), name: provider.name.clone() })
            .collect();
        Ok(model::SignInOptions { providers, passwords: state.core.sso.passwords() })
    }

    /// Ends this browser's session, or with `everywhere` every session of its user; a session an
    /// identity provider opened is then ended at the provider too, where it advertises how (the
    /// browser goes there, and comes back to the sign-in page).
    pub async fn sign_out(everywhere: bool) -> Result<(), AppError> {
        let state = app_state()?;
        let parts = use_context::<http::request::Parts>().ok_or(AppError::Internal)?;
        let mut next = "/sign-in".to_owned();
        if let Some(session) = session_cookie(&state.web, &parts.headers) {
            let back = state.web.public_base_url.join("/sign-in").map_err(|_| AppError::Internal)?;
            if let Some(provider) = sso::provider_sign_out(&state.core, &session, &back).await? {
                next = provider.to_string();
            }
            match everywhere {
                true => accounts::end_every_session(&state.core, &session).await?,
                false => accounts::end_session(&state.core, &session).await?,
            }
        }
        let options = use_context::<leptos_axum::ResponseOptions>().ok_or(AppError::Internal)?;
        let cookie = set_cookie(&state.web, session_cookie_name(&state.web), None, Default::default());
        options.append_header(header::SET_COOKIE, cookie);
        leptos_axum::redirect(&next);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::safe_return_path;

    proptest::proptest! {
        /// Whatever `?next=` holds, the sign-in page returns to a path on this site: the input
        /// itself only when it is one, else the home page.
        #[test]
        fn next_is_followed_only_to_local_paths(next in "\\PC{0,40}|/[/\\\\\t\n.a-z]{0,10}") {
            let target = safe_return_path(Some(&next));
            proptest::prop_assert!(target == "/" || target == next);
            proptest::prop_assert!(target.starts_with('/') && !target.starts_with("//"));
            proptest::prop_assert!(!target.contains('\\') && !target.chars().any(char::is_control));
        }
    }

    #[test]
    fn only_local_paths_are_returned_to() {
        assert_eq!(safe_return_path(Some("/reverse-logistics?company=2")), "/reverse-logistics?company=2");
        for bad in [
            "https://evil.example",
            "//evil.example",
            "/\\evil.example",
            "/\t/evil.example",
            "/\n",
            "/\r/x",
            "evil",
            "",
        ] {
            assert_eq!(safe_return_path(Some(bad)), "/", "{bad}");
        }
        assert_eq!(safe_return_path(None), "/");
    }
}
