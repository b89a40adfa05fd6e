//! Single sign-on's two routes: the sign-in page's "Sign in with …" form, which sends the
//! browser to the identity provider, and the redirect URI the provider sends it back to. The
//! flow is the core's (`optin_core::sso`); these routes read the request, set the cookies and
//! word the refusals.

use crate::routes::Declared;
use app::{
    auth::api::safe_return_path,
    state::AppState,
    web::{client_address, cookie, session_cookie_name, set_cookie, sso_cookie_name, BrowserSigningIn},
};
use axum::{
    extract::{Path, Query, Request, State},
    http::{header, StatusCode},
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
pub async fn start(State(state): State<AppState>, Path(id): Path<String>, Form(form): Form<StartForm>) -> Response {
    let Some(redirect) = redirect_uri(&state, &id) else { return refused(StatusCode::NOT_FOUND, "No such sign-in.") };
    let next = safe_return_path(form.next.as_deref());
    match sso::begin(&state.core, &id, &redirect, Some(&next)).await {
        Ok(started) => {
            let lifetime = state.core.lifetimes.state;
            let bound = set_cookie(&state.web, sso_cookie_name(&state.web), Some(&started.browser), lifetime);
            ([(header::SET_COOKIE, bound)], Redirect::to(started.url.as_str())).into_response()
        }
        Err(error) => refusal(&error),
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
    let Some(redirect) = redirect_uri(&state, &id) else { return refused(StatusCode::NOT_FOUND, "No such sign-in.") };
    let (Some(code), Some(returned_state)) = (query.code.as_deref(), query.state.as_deref()) else {
        let said = query.error_description.or(query.error).unwrap_or_else(|| "no answer".into());
        tracing::info!(provider = %id, %said, "single sign-on refused by the provider");
        return refused(
            StatusCode::FORBIDDEN,
            "The identity provider did not sign you in. Try again, or ask your administrator.",
        );
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
        Err(error) => ([(header::SET_COOKIE, unbound)], refusal(&error)).into_response(),
    }
}

/// The page for a sign-in that did not work: what the person can do about it.
fn refusal(error: &SignOnError) -> Response {
    match error {
        SignOnError::Provider(SsoError::UnknownProvider(_)) => refused(StatusCode::NOT_FOUND, "No such sign-in."),
        SignOnError::StateUnknown => refused(StatusCode::BAD_REQUEST, &error.to_string()),
        SignOnError::UnknownUser { .. } => refused(
            StatusCode::FORBIDDEN,
            &format!("{error}. Ask an administrator of the OAuth Opt-In service to add you, then sign in again."),
        ),
        SignOnError::SecondFactorAccount { .. } => {
            refused(StatusCode::FORBIDDEN, &format!("{error}. Sign in with your password and second factor instead."))
        }
        SignOnError::Provider(provider) => {
            tracing::warn!(error = %provider, "single sign-on failed");
            refused(StatusCode::BAD_GATEWAY, "The sign-in through your identity provider did not work. Try again.")
        }
        SignOnError::Core(core) => {
            tracing::error!(error = %core, "single sign-on failed");
            refused(StatusCode::INTERNAL_SERVER_ERROR, "Something went wrong on our side. Try again.")
        }
    }
}

fn refused(status: StatusCode, message: &str) -> Response {
    let page = html! {
        (DOCTYPE)
        html lang="en" {
            head { meta charset="utf-8"; title { "Sign-in not completed" } }
            body {
                main {
                    h1 { "Sign-in not completed" }
                    p role="alert" { (message) }
                    p { a href="/sign-in" { "Back to sign-in" } }
                }
            }
        }
    };
    (status, Html(page.into_string())).into_response()
}
