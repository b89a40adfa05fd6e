//! Policies every request passes through: who may frame which page, refusing cross-site writes,
//! and turning a server function's unreadable input into the client error it is; and [`layers`],
//! the whole stack they run in. Routes and server functions themselves live elsewhere.

use crate::telemetry;
use app::{
    auth::session::{load_session, SignedInUser},
    error::AppError,
    state::AppState,
};
use axum::{
    body::Body,
    extract::{Request, State},
    http::{header, HeaderValue, Method, StatusCode},
    middleware::{self, Next},
    response::{IntoResponse, Response},
    Router,
};
use model::Product;
use std::time::Duration;
use tower_http::{
    compression::CompressionLayer,
    limit::RequestBodyLimitLayer,
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer},
    set_header::SetResponseHeaderLayer,
    timeout::TimeoutLayer,
    trace::TraceLayer,
};

/// The largest request body accepted anywhere (forms, server-function arguments, the embed API):
/// every legitimate one is a few hundred bytes. Larger ones are answered 413.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// Every route's layers, the last added the first a request meets: a request id, its span, the
/// `timeout`, compression, the headers every answer carries unless it set its own, the body
/// limit, then the policies of this module, the session, and private answers for signed-in pages.
pub fn layers(router: Router<AppState>, state: &AppState, timeout: Duration) -> Router<AppState> {
    router
        .layer(middleware::from_fn(private_responses))
        .layer(middleware::from_fn_with_state(state.clone(), load_session))
        .layer(middleware::from_fn(server_fn_input_errors))
        .layer(middleware::from_fn_with_state(state.clone(), same_origin_writes))
        .layer(middleware::from_fn_with_state(state.clone(), framing_policy))
        .layer(middleware::from_fn_with_state(state.clone(), browser_isolation))
        .layer(middleware::from_fn(language_varies))
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        .layer(SetResponseHeaderLayer::if_not_present(header::REFERRER_POLICY, HeaderValue::from_static("same-origin")))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        // Pages and anything else that did not say: kept, but asked about again before use.
        .layer(SetResponseHeaderLayer::if_not_present(header::CACHE_CONTROL, HeaderValue::from_static("no-cache")))
        .layer(CompressionLayer::new())
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, timeout))
        .layer(TraceLayer::new_for_http().make_span_with(telemetry::request_span).on_response(telemetry::record_status))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
}

/// Who may frame what: a product's widget page only that product's configured portal origins
/// (nobody when none is configured), every other page nobody at all. A page that set its own
/// policy keeps it. When the browser says which page frames the widget (`Referer`), the policy
/// names that portal alone, or nobody if it is not one: the list of portals is not handed to
/// whoever asks.
pub async fn framing_policy(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let widget = request.uri().path().strip_prefix("/embed/").and_then(|slug| Product::parse(slug).ok());
    // A navigation inside the frame comes from our own page: that says nothing about the portal.
    let framed_by = app::web::referer_origin(request.headers()).filter(|origin| *origin != state.web.origin());
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    match widget {
        Some(product) => {
            let allowed = state.web.embed_origins.get(&product).map(Vec::as_slice).unwrap_or_default();
            let origins = match &framed_by {
                Some(origin) if allowed.contains(origin) => origin.clone(),
                None if !allowed.is_empty() => allowed.join(" "),
                _ => "'none'".to_owned(),
            };
            if let Ok(policy) = HeaderValue::from_str(&format!("frame-ancestors {origins}")) {
                headers.insert(header::CONTENT_SECURITY_POLICY, policy);
            }
            // The page holds its widget key: never cached.
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        }
        None => {
            headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
            headers
                .entry(header::CONTENT_SECURITY_POLICY)
                .or_insert(HeaderValue::from_static("frame-ancestors 'none'"));
        }
    }
    response
}

/// Refuses state-changing requests that a browser says come from another site. Together with
/// `SameSite=Lax` session cookies this closes cross-site request forgery; requests without
/// `Origin` (server-to-server, like the token endpoint) pass.
pub async fn same_origin_writes(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let writes = !matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if writes {
        let headers = request.headers();
        // Every `Origin` counts, not the first: a second one is not ours to ignore.
        let ours = state.web.origin();
        let foreign = headers.get_all(header::ORIGIN).iter().any(|origin| origin.as_bytes() != ours.as_bytes());
        let origin = headers.get(header::ORIGIN).and_then(|value| value.to_str().ok());
        let cross_site = headers.get("sec-fetch-site").and_then(|value| value.to_str().ok()) == Some("cross-site");
        if foreign || cross_site {
            let path = crate::consent_links::loggable_path(request.uri().path());
            tracing::warn!(?origin, %path, "cross-origin write refused");
            return (StatusCode::FORBIDDEN, "Cross-origin requests are not allowed.").into_response();
        }
    }
    next.run(request).await
}

/// What a signed-in person sees, and what server functions answer, is theirs alone: `no-store`, so
/// no shared cache or back button on a shared machine keeps it. (Widget pages are `no-store`
/// already; static assets pass untouched.)
pub async fn private_responses(request: Request, next: Next) -> Response {
    let private = request.extensions().get::<SignedInUser>().is_some() || request.uri().path().starts_with("/api/");
    let mut response = next.run(request).await;
    if private {
        response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// A page's words follow the browser's `Accept-Language` (`app::i18n`): `Vary` says so, so no
/// cache hands one reader's language to another.
pub async fn language_varies(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let html =
        response.headers().get(header::CONTENT_TYPE).is_some_and(|kind| kind.as_bytes().starts_with(b"text/html"));
    if html {
        response.headers_mut().append(header::VARY, HeaderValue::from_static("accept-language"));
    }
    response
}

/// Browser isolation: HSTS when the service is reached over HTTPS (browsers then never try plain
/// HTTP again), and `Cross-Origin-Opener-Policy: same-origin` on the admin pages, so no other
/// site's window keeps a handle on them. The consent flow is left out: a widget's consent window
/// reports to the window that opened it (`window.opener`), which COOP would sever.
pub async fn browser_isolation(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let path = request.uri().path();
    let consent_flow = ["/embed", "/oauth/", "/security/"].iter().any(|prefix| path.starts_with(prefix));
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    if state.web.public_base_url.scheme() == "https" {
        headers.insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=31536000"));
    }
    if !consent_flow {
        headers.insert("cross-origin-opener-policy", HeaderValue::from_static("same-origin"));
    }
    response
}

/// A server function whose arguments cannot be decoded answers 500 with the decoder's message,
/// though the mistake is the client's: it becomes 400 with a short message (413 when the body was
/// too large), logged below ERROR, and nothing of the decoder's internals reaches the client.
pub async fn server_fn_input_errors(request: Request, next: Next) -> Response {
    let path = request.uri().path();
    let server_fn = path.starts_with("/api/") && !path.starts_with("/api/v1/");
    let response = next.run(request).await;
    if !server_fn
        || response.status() != StatusCode::INTERNAL_SERVER_ERROR
        || !response.headers().contains_key("serverfnerror")
    {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_BODY_BYTES).await else {
        return (StatusCode::INTERNAL_SERVER_ERROR, "").into_response();
    };
    let Ok(AppError::Request(cause)) = serde_json::from_slice::<AppError>(&bytes) else {
        return Response::from_parts(parts, Body::from(bytes));
    };
    let too_large = cause.contains("length limit");
    // The decoder's message may quote the input (a key, a password): only which function is logged
    // (server functions name themselves in this header).
    let function = parts.headers.get("serverfnerror").and_then(|path| path.to_str().ok()).unwrap_or_default();
    tracing::info!(function, too_large, "server function input refused");
    parts.status = if too_large { StatusCode::PAYLOAD_TOO_LARGE } else { StatusCode::BAD_REQUEST };
    let message = if too_large { "the request is too large" } else { "its arguments could not be read" };
    let body = serde_json::to_vec(&AppError::Request(message.into())).unwrap_or_default();
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(body))
}
