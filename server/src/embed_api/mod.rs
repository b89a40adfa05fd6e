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

/// The embed API, the consent window's start, the widget's own posts, and the snippet.
pub fn routes() -> Declared<AppState> {
    Declared::default()
        .post("/api/v1/embed/sessions", sessions::create_session)
        .post("/embed/start", consent::start)
        .post("/embed/{product}", widget::post)
        .get("/embed/v1/optin.js", snippet)
}

/// `GET /embed/v1/optin.js`: the host page's snippet.
pub async fn snippet() -> Response {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=300")],
        SNIPPET,
    )
        .into_response()
}
