//! Single sign-on's two routes: the sign-in page's "Sign in with …" form, which sends the
//! browser to the identity provider, and the redirect URI the provider sends it back to. The
//! flow is the core's (`optin_core::sso`); these routes read the request, set the cookies and
//! word the refusals.

use crate::routes::Declared;
use app::{
    auth::api::safe_return_path,
    i18n::{from_headers, Locale},
    state::AppState,
    t,
    web::{client_address, cookie, session_cookie_name, set_cookie, sso_cookie_name, BrowserSigningIn},
};
use axum::{
    extract::{Path, Query, Request, State},
    http::{header, HeaderMap, StatusCode},
    response::{Html, IntoResponse, Redirect, Response},
    Form,
};
use maud::{html, DOCTYPE};
use optin_core::sso::{self, SignOnError, SsoError};
use serde::Deserialize;
use url::Url;

/// Single sign-on's start and the providers' redirect URI.
pub fn routes() -> Declared<AppState> {
    Declared::default().post("/sso/{provider}/start", start).get("/sso/{provider}/callback", callback)
}

/// Where provider `id` sends browsers back to: the redirect URI to register with it.
fn redirect_uri(state: &AppState, id: &str) -> Option<Url> {
    state.web.public_base_url.join(&format!("/sso/{id}/callback")).ok()
}

#[derive(Deserialize)]
pub struct StartForm {
    next: Option<String>,
}

/// `POST /sso/{provider}/start` (the sign-in page's form, same-origin): 303 to the provider.
pub async fn start(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Form(form): Form<StartForm>,
) -> Response {
    let locale = from_headers(&headers);
    let Some(redirect) = redirect_uri(&state, &id) else {
        return refused(StatusCode::NOT_FOUND, locale, &t!(locale => "auth-sso-no-such"));
    };
    let next = safe_return_path(form.next.as_deref());
    match sso::begin(&state.core, &id, &redirect, Some(&next)).await {
        Ok(started) => {
            let lifetime = state.core.lifetimes.state;
            let bound = set_cookie(&state.web, sso_cookie_name(&state.web), Some(&started.browser), lifetime);
            ([(header::SET_COOKIE, bound)], Redirect::to(started.url.as_str())).into_response()
        }
        Err(error) => refusal(&error, locale),
    }
}

#[derive(Deserialize)]
pub struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
}

/// `GET /sso/{provider}/callback?code=…&state=…`: signed in (303 to where the sign-in was
/// going), or a page that says why not.
pub async fn callback(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(query): Query<CallbackQuery>,
    request: Request,
) -> Response {
    let (parts, _) = request.into_parts();
    let locale = from_headers(&parts.headers);
    let Some(redirect) = redirect_uri(&state, &id) else {
        return refused(StatusCode::NOT_FOUND, locale, &t!(locale => "auth-sso-no-such"));
    };
    let (Some(code), Some(returned_state)) = (query.code.as_deref(), query.state.as_deref()) else {
        let said = query.error_description.or(query.error).unwrap_or_else(|| "no answer".into());
        tracing::info!(provider = %id, %said, "single sign-on refused by the provider");
        return refused(StatusCode::FORBIDDEN, locale, &t!(locale => "auth-sso-provider-refused"));
    };
    let bound = cookie(&parts.headers, sso_cookie_name(&state.web));
    let brings = BrowserSigningIn::read(&state.web, &parts.headers);
    let browser = brings.browser();
    let client = client_address(&parts, &state.web);
    let signed_on =
        sso::complete(&state.core, &id, &redirect, (code, returned_state), bound.as_deref(), (client, browser)).await;
    let unbound = set_cookie(&state.web, sso_cookie_name(&state.web), None, Default::default());
    match signed_on {
        Ok(signed_on) => {
            let lifetime = state.core.lifetimes.session;
            let session = set_cookie(&state.web, session_cookie_name(&state.web), Some(&signed_on.session), lifetime);
            let next = safe_return_path(signed_on.next.as_deref());
            ([(header::SET_COOKIE, unbound), (header::SET_COOKIE, session)], Redirect::to(&next)).into_response()
        }
        Err(error) => ([(header::SET_COOKIE, unbound)], refusal(&error, locale)).into_response(),
    }
}

/// The page for a sign-in that did not work: what the person can do about it, in their language.
fn refusal(error: &SignOnError, locale: Locale) -> Response {
    let (status, message) = match error {
        SignOnError::Provider(SsoError::UnknownProvider(_)) => {
            (StatusCode::NOT_FOUND, t!(locale => "auth-sso-no-such"))
        }
        SignOnError::StateUnknown => (StatusCode::BAD_REQUEST, t!(locale => "auth-sso-state-unknown")),
        SignOnError::UnknownUser { provider } => {
            (StatusCode::FORBIDDEN, t!(locale => "auth-sso-unknown-user", provider = provider.as_str()))
        }
        SignOnError::SecondFactorAccount { provider } => {
            (StatusCode::FORBIDDEN, t!(locale => "auth-sso-second-factor-account", provider = provider.as_str()))
        }
        SignOnError::Provider(provider) => {
            tracing::warn!(error = %provider, "single sign-on failed");
            (StatusCode::BAD_GATEWAY, t!(locale => "auth-sso-provider-failed"))
        }
        SignOnError::Core(core) => {
            tracing::error!(error = %core, "single sign-on failed");
            (StatusCode::INTERNAL_SERVER_ERROR, t!(locale => "auth-sso-internal"))
        }
    };
    refused(status, locale, &message)
}

fn refused(status: StatusCode, locale: Locale, message: &str) -> Response {
    let title = t!(locale => "auth-sso-not-completed");
    let page = html! {
        (DOCTYPE)
        html lang=(locale.tag()) {
            head { meta charset="utf-8"; title { (title) } }
            body {
                main {
                    h1 { (title) }
                    p role="alert" { (message) }
                    p { a href="/sign-in" { (t!(locale => "auth-sso-back")) } }
                }
            }
        }
    };
    (status, Html(page.into_string())).into_response()
}
