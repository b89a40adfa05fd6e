//! Where a widget's consent sets off and how it ends: `POST /embed/start`, from the widget's
//! consent window (or, when pop-ups are blocked, the whole portal page), and the answer a
//! widget's callback gets: a small page that reports to the widget and closes, or a redirect
//! back to the portal page.

use app::{
    embed::api::WidgetPost,
    error::AppError,
    i18n::{from_headers, words},
    state::{AppState, WebConfig},
    t,
    web::{consent_cookie_name, cookie, set_cookie},
};
use axum::{
    extract::State,
    http::{header, HeaderMap, HeaderValue, StatusCode},
    response::{IntoResponse, Redirect, Response},
    Form,
};
use maud::{html, PreEscaped, DOCTYPE};
use model::{EmbedMode, Locale, Notice, WidgetField};
use optin_core::{
    authorization::{begin, CallbackFailure, Initiator},
    embed::{self, EmbedSession},
    secret::{random_token, SecretString},
    CoreError,
};
use serde_json::json;
use url::Url;

/// `POST /embed/start` with the widget's key: sets the consent window's (or page's) own cookie,
/// binds a new state to it, and sends it to UPS.
pub async fn start(State(state): State<AppState>, headers: HeaderMap, Form(form): Form<WidgetPost>) -> Response {
    let asked = from_headers(&headers);
    let Some(mode) = form.field(WidgetField::Mode).and_then(EmbedMode::parse) else {
        return (StatusCode::BAD_REQUEST, t!(asked => "consent-window-unknown-mode")).into_response();
    };
    let key = match form.key() {
        Ok(key) => key,
        Err(error) => return (StatusCode::BAD_REQUEST, error.message_in(asked)).into_response(),
    };
    // A consent window still tells its widget, which then finds out why too.
    let refuse = |failure: CoreError, notice: Notice, locale: Locale| {
        let failure = AppError::from(failure);
        let status = StatusCode::from_u16(failure.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let report = (mode == EmbedMode::Popup).then_some(notice);
        let message = failure.message_in(locale);
        (status, message_page(&state.web, locale, "UPS OAuth", &message, report)).into_response()
    };
    let session = match embed::session(&state.core, &key).await {
        Ok(session) => session,
        Err(failure) => return refuse(failure, Notice::Failed, asked),
    };
    let locale = session.locale.unwrap_or(asked);
    // One cookie per browser, so two widgets opting in at once do not undo each other.
    let browser =
        cookie(&headers, consent_cookie_name(&state.web)).unwrap_or_else(|| random_token().expose().to_owned());
    let initiator = Initiator::Portal { session: &session, browser: &browser, mode };
    match begin(&state.core, initiator, session.product, session.company.id).await {
        Ok(url) => {
            let mut response = Redirect::to(url.as_str()).into_response();
            let lifetime = state.core.lifetimes.state;
            let browser = SecretString::new(browser);
            let value = set_cookie(&state.web, consent_cookie_name(&state.web), Some(&browser), lifetime);
            response.headers_mut().append(header::SET_COOKIE, value);
            response
        }
        // A viewer's widget offers no Opt-In; one posted anyway is refused before UPS is involved.
        Err(failure @ CoreError::ViewOnly) => refuse(failure, Notice::NotAllowed, locale),
        Err(failure) => tell_widget(&state.web, locale, mode, &session, CallbackFailure::from(failure).notice),
    }
}

/// How a widget's opt-in ended, told where it started, in `locale`: the consent window reports
/// to the widget that opened it and closes; a full-page opt-in returns to the portal page with
/// `optin_result=<outcome>`.
pub fn tell_widget(
    web: &WebConfig,
    locale: Locale,
    mode: EmbedMode,
    session: &EmbedSession,
    notice: Notice,
) -> Response {
    let message = || words::notice(locale, notice, session.product);
    match mode {
        EmbedMode::Popup => {
            let title = if notice.is_error() {
                t!(locale => "consent-not-authorized")
            } else {
                t!(locale => "consent-authorized")
            };
            message_page(web, locale, &title, &message(), Some(notice)).into_response()
        }
        EmbedMode::Page => match Url::parse(&session.return_url) {
            Ok(mut url) => {
                url.query_pairs_mut().append_pair("optin_result", notice.code());
                Redirect::to(url.as_str()).into_response()
            }
            Err(_) => message_page(web, locale, "UPS OAuth", &message(), None).into_response(),
        },
    }
}

/// A small page of our own, in `locale` (no framing, one inline script allowed by its nonce).
/// With a notice, it reports the outcome to the window that opened it, on our own origin only,
/// and closes.
fn message_page(web: &WebConfig, locale: Locale, title: &str, message: &str, report: Option<Notice>) -> Response {
    let nonce = random_token().expose().to_owned();
    // Script, not HTML: the values are JSON (a fixed code, our own origin), which the template
    // must not escape.
    let script = report.map(|notice| {
        let message = json!({ "type": "optin:consent-result", "outcome": notice.code() });
        let origin = serde_json::Value::String(web.origin());
        PreEscaped(format!(
            "(function () {{ var opener = window.opener; if (!opener) return; \
             opener.postMessage({message}, {origin}); window.close(); }})();"
        ))
    });
    let page = html! {
        (DOCTYPE)
        html lang=(locale.tag()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) }
                style { (PreEscaped("body{font:16px/1.5 system-ui,sans-serif;margin:2rem;color:#121212}h1{font-size:1.4rem}")) }
            }
            body {
                main {
                    h1 { (title) }
                    p role="status" { (message) }
                    p { (t!(locale => "consent-window-close")) }
                }
                @if let Some(script) = script {
                    script nonce=(nonce) { (script) }
                }
            }
        }
    };
    let policy =
        format!("default-src 'none'; script-src 'nonce-{nonce}'; style-src 'unsafe-inline'; frame-ancestors 'none'");
    let mut response = page.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Ok(policy) = HeaderValue::from_str(&policy) {
        headers.insert(header::CONTENT_SECURITY_POLICY, policy);
    }
    response
}
