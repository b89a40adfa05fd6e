//! The embeddable widget's plain HTTP routes: the embed API where a product's backend creates a
//! session ([`sessions`]), where a widget's consent starts and how it ends ([`consent`]), the
//! forms a widget posts back to its own page ([`widget`]), and the host page's snippet,
//! `/embed/v1/optin.js`. The widget itself is `app::embed`.

pub mod consent;
pub mod sessions;
pub mod widget;

use crate::routes::Declared;
use app::state::AppState;
use axum::{
    http::header,
    response::{IntoResponse, Response},
};

pub const SNIPPET: &str = include_str!("../embed/optin.js");

/// The snippet as an ES module: the same script, whose `mount` it also exports.
pub const SNIPPET_MODULE: &str = concat!(
    include_str!("../embed/optin.js"),
    "\nexport const mount = window.UpsOptIn.mount;\nexport default window.UpsOptIn;\n"
);

/// The SDK's TypeScript types, for both forms of the snippet.
pub const SNIPPET_TYPES: &str = include_str!("../embed/optin.d.ts");

/// The embed API, the consent window's start, the widget's own posts, and the snippet.
pub fn routes() -> Declared<AppState> {
    Declared::default()
        .post("/api/v1/embed/sessions", sessions::create_session)
        .post("/embed/start", consent::start)
        .post("/embed/{product}", widget::post)
        .get("/embed/v1/optin.js", snippet)
        .get("/embed/v1/optin.mjs", snippet_module)
        .get("/embed/v1/optin.d.ts", snippet_types)
}

/// `GET /embed/v1/optin.js`: the host page's snippet.
pub async fn snippet() -> Response {
    sdk_file("text/javascript; charset=utf-8", SNIPPET)
}

/// `GET /embed/v1/optin.mjs`: the snippet as an ES module.
pub async fn snippet_module() -> Response {
    sdk_file("text/javascript; charset=utf-8", SNIPPET_MODULE)
}

/// `GET /embed/v1/optin.d.ts`: the SDK's TypeScript types.
pub async fn snippet_types() -> Response {
    sdk_file("application/typescript; charset=utf-8", SNIPPET_TYPES)
}

/// One of the host SDK's files, cached for five minutes. Any origin may read it: a portal's page
/// loads a module from another origin in CORS mode, and the files are public and carry no
/// credentials.
fn sdk_file(content_type: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "public, max-age=300"),
            (header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"),
        ],
        body,
    )
        .into_response()
}
