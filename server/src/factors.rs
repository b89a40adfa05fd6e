//! `GET /factors.js`: the script of the second-factor pages (`app::auth::factors`), which runs
//! the passkey ceremonies in the browser and shows a new key and the recovery codes. It is the
//! same for everyone and holds nothing secret; the pages load it with their nonce.

use crate::routes::Declared;
use app::state::AppState;
use axum::{
    http::header,
    response::{IntoResponse, Response},
};

const SCRIPT: &str = include_str!("factors.js");

pub fn routes() -> Declared<AppState> {
    Declared::default().get("/factors.js", script)
}

async fn script() -> Response {
    ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8"), (header::CACHE_CONTROL, "no-cache")], SCRIPT)
        .into_response()
}
