//! The embeddable widget's plain HTTP routes: `POST /api/v1/embed/sessions`, where a product's
//! backend creates a single-use embed session with its API key; `POST /embed/start`, where the
//! widget's consent window (or, when pop-ups are blocked, the whole portal page) sets off to UPS;
//! the answer a widget's callback gets (`answer`); and the host page's snippet,
//! `/embed/v1/optin.js`. The widget itself is `app::embed`.

use crate::token_api::{authenticate, error};
use app::{
    auth::ssr::cookie,
    authorization::{
        ssr::{begin, Initiator},
        Notice,
    },
    embed::{
        ssr::{create, EmbedMode, EmbedSession, NewEmbedSession},
        WidgetKey,
    },
    error::AppError,
    ids::CompanyId,
    secret::random_token,
    state::{now, AppState, WebConfig},
};
use axum::{
    body::Bytes,
    extract::State,
    http::{header, HeaderMap, HeaderValue, StatusCode},
    response::{Html, IntoResponse, Redirect, Response},
    Form, Json,
};
use serde::Deserialize;
use serde_json::json;
use url::Url;

/// The first-party cookie that ties a widget's consent window to the callback that ends it.
/// `__Host-` (when cookies are `Secure`) keeps a sibling subdomain or a plain-http page from
/// planting one.
pub fn consent_cookie_name(web: &WebConfig) -> &'static str {
    if web.secure_cookies {
        "__Host-optin_consent"
    } else {
        "optin_consent"
    }
}

pub const SNIPPET: &str = include_str!("embed/optin.js");

/// `GET /embed/v1/optin.js`: the host page's snippet.
pub async fn snippet() -> Response {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=300")],
        SNIPPET,
    )
        .into_response()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewSessionRequest {
    company: CompanyRef,
    user: PortalUser,
    /// The portal page's origin; may be left out when the product allows exactly one.
    origin: Option<String>,
    /// Where a full-page opt-in (pop-ups blocked) returns to; default: the origin's root.
    return_url: Option<String>,
}

/// A company id, as a number or a string.
#[derive(Deserialize)]
#[serde(untagged)]
enum CompanyRef {
    Number(i64),
    Text(String),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PortalUser {
    id: String,
    name: String,
}

fn invalid(message: &str) -> Response {
    error(StatusCode::BAD_REQUEST, "invalid_request", message)
}

/// 1 to `max` characters, no control characters.
fn text(value: &str, max: usize) -> Option<String> {
    let value = value.trim();
    (!value.is_empty() && value.chars().count() <= max && !value.chars().any(char::is_control))
        .then(|| value.to_owned())
}

/// `POST /api/v1/embed/sessions` with the product's API key and
/// `{"company": 12, "user": {"id": "…", "name": "…"}, "origin": "https://portal…", "return_url": "…"}`:
/// 201 with a single-use `embed_token` and the `widget_url` to frame.
pub async fn create_session(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let key = match authenticate(&state, &headers).await {
        Ok(key) => key,
        Err(refusal) => return refusal,
    };
    let request: NewSessionRequest = match serde_json::from_slice(&body) {
        Ok(request) => request,
        Err(failure) => return invalid(&format!("The body must be JSON as documented: {failure}.")),
    };
    let company = match request.company {
        CompanyRef::Number(id) if id > 0 => CompanyId::new(id),
        CompanyRef::Text(id) => match CompanyId::parse(&id) {
            Ok(company) => company,
            Err(failure) => return invalid(&failure.to_string()),
        },
        CompanyRef::Number(id) => return invalid(&format!("\"{id}\" is not a company number.")),
    };
    let (Some(user_id), Some(user_name)) = (text(&request.user.id, 200), text(&request.user.name, 100)) else {
        return invalid("`user.id` (1 to 200 characters) and `user.name` (1 to 100) are required.");
    };
    let allowed = state.web.embed_origins.get(&key.product).map(Vec::as_slice).unwrap_or_default();
    let origin = match (request.origin.as_deref(), allowed) {
        (_, []) => {
            return error(
                StatusCode::FORBIDDEN,
                "origin_not_allowed",
                &format!(
                    "No portal origin is configured for {}; set embed.{}.allowed_origins.",
                    key.product,
                    key.product.slug().replace('-', "_")
                ),
            )
        }
        (None, [only]) => only.clone(),
        (None, _) => return invalid("`origin` is required: this product allows several portal origins."),
        (Some(origin), allowed) => match allowed.iter().find(|allowed| **allowed == origin.trim_end_matches('/')) {
            Some(origin) => origin.clone(),
            None => {
                return error(
                    StatusCode::FORBIDDEN,
                    "origin_not_allowed",
                    &format!("{origin} is not allowed to embed {}.", key.product),
                )
            }
        },
    };
    let return_url = match request.return_url.as_deref().map(Url::parse) {
        None => format!("{origin}/"),
        Some(Ok(url)) if url.origin().ascii_serialization() == origin => url.to_string(),
        Some(_) => return invalid("`return_url` must be an absolute URL on `origin`."),
    };
    let known: Result<Option<(i64,)>, _> =
        sqlx::query_as("SELECT id FROM companies WHERE id = ?").bind(company.get()).fetch_optional(&state.db).await;
    match known {
        Ok(Some(_)) => {}
        Ok(None) => return error(StatusCode::NOT_FOUND, "unknown_company", "No such company."),
        Err(failure) => {
            tracing::error!(error = %failure, "company lookup failed");
            return error(StatusCode::INTERNAL_SERVER_ERROR, "internal", "Please try again.");
        }
    }
    let new = NewEmbedSession {
        api_key: key.id,
        product: key.product,
        company,
        portal_user_id: user_id,
        portal_user_name: user_name,
        host_origin: origin,
        return_url,
    };
    match create(&state.db, &state.web, new).await {
        Ok((token, redeem_by)) => {
            let mut widget_url = state.web.public_base_url.clone();
            widget_url.set_path(&format!("/embed/{}", key.product.slug()));
            widget_url.query_pairs_mut().append_pair("session", token.expose());
            (
                StatusCode::CREATED,
                [(header::CACHE_CONTROL, "no-store")],
                Json(json!({
                    "embed_token": token.expose(),
                    "widget_url": widget_url.as_str(),
                    "expires_at": redeem_by,
                    "expires_in": (redeem_by - now()).max(0),
                })),
            )
                .into_response()
        }
        Err(_) => error(StatusCode::INTERNAL_SERVER_ERROR, "internal", "Please try again."),
    }
}

#[derive(Deserialize)]
pub struct StartForm {
    key: String,
    mode: String,
}

/// `POST /embed/start` with the widget's key: sets the consent window's (or page's) own cookie,
/// binds a new state to it, and sends it to UPS.
pub async fn start(State(state): State<AppState>, headers: HeaderMap, Form(form): Form<StartForm>) -> Response {
    let Some(mode) = EmbedMode::parse(&form.mode) else {
        return (StatusCode::BAD_REQUEST, "Unknown mode.").into_response();
    };
    let session = match EmbedSession::by_key(&state.db, &WidgetKey::new(form.key)).await {
        Ok(session) => session,
        Err(failure) => {
            let status = StatusCode::from_u16(failure.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            // A consent window still tells its widget, which then finds its session over too.
            let report = (mode == EmbedMode::Popup).then_some(Notice::Failed);
            return (status, message_page(&state.web, "UPS OAuth", &failure.to_string(), report)).into_response();
        }
    };
    // One cookie per browser, so two widgets opting in at once do not undo each other.
    let browser =
        cookie(&headers, consent_cookie_name(&state.web)).unwrap_or_else(|| random_token().expose().to_owned());
    let initiator = Initiator::Portal { session: &session, browser: &browser, mode };
    match begin(&state, initiator, session.product, session.company.id).await {
        Ok(url) => {
            let mut response = Redirect::to(url.as_str()).into_response();
            if let Ok(value) = HeaderValue::from_str(&consent_cookie(&state.web, &browser)) {
                response.headers_mut().append(header::SET_COOKIE, value);
            }
            response
        }
        Err(failure) => {
            let notice = if failure == AppError::Forbidden { Notice::NotAllowed } else { Notice::Failed };
            answer(&state.web, mode, &session, notice)
        }
    }
}

fn consent_cookie(web: &WebConfig, value: &str) -> String {
    let secure = if web.secure_cookies { "; Secure" } else { "" };
    format!(
        "{}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{secure}",
        consent_cookie_name(web),
        web.state_lifetime.as_secs()
    )
}

/// How a widget's opt-in ended, told where it started: the consent window reports to the widget
/// that opened it and closes; a full-page opt-in returns to the portal page with
/// `optin_result=<outcome>`.
pub fn answer(web: &WebConfig, mode: EmbedMode, session: &EmbedSession, notice: Notice) -> Response {
    match mode {
        EmbedMode::Popup => {
            let title = if notice.is_error() { "Not authorized" } else { "Authorized" };
            message_page(web, title, &notice.message(session.product), Some(notice)).into_response()
        }
        EmbedMode::Page => match Url::parse(&session.return_url) {
            Ok(mut url) => {
                url.query_pairs_mut().append_pair("optin_result", notice.code());
                Redirect::to(url.as_str()).into_response()
            }
            Err(_) => message_page(web, "UPS OAuth", &notice.message(session.product), None).into_response(),
        },
    }
}

/// A small page of our own (no framing, one inline script allowed by its nonce). With a notice,
/// it reports the outcome to the window that opened it, on our own origin only, and closes.
fn message_page(web: &WebConfig, title: &str, message: &str, report: Option<Notice>) -> Response {
    let nonce = random_token().expose().to_owned();
    let script = report.map(|notice| {
        let message = json!({ "type": "optin:consent-result", "outcome": notice.code() });
        let origin = serde_json::Value::String(web.origin());
        format!(
            "<script nonce=\"{nonce}\">(function () {{ var opener = window.opener; if (!opener) return; \
             opener.postMessage({message}, {origin}); window.close(); }})();</script>"
        )
    });
    let page = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title}</title><style>body{{font:16px/1.5 system-ui,sans-serif;margin:2rem;color:#121212}}h1{{font-size:1.4rem}}</style></head>\
         <body><main><h1>{title}</h1><p role=\"status\">{message}</p><p>You can close this window.</p></main>{script}</body></html>",
        title = escape(title),
        message = escape(message),
        script = script.unwrap_or_default(),
    );
    let policy =
        format!("default-src 'none'; script-src 'nonce-{nonce}'; style-src 'unsafe-inline'; frame-ancestors 'none'");
    let mut response = Html(page).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Ok(policy) = HeaderValue::from_str(&policy) {
        headers.insert(header::CONTENT_SECURITY_POLICY, policy);
    }
    response
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}
