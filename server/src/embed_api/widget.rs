//! `POST /embed/{product}`: the forms a widget posts back to its own page (Opt-Out / Clear,
//! another page of the token grid, the status after the consent window). The server acts on the
//! form first, then renders the widget page with the result, so the same page answers a plain
//! form post (no script) and the widget's script, which puts the new content in place.

use app::{
    embed::api::{resume, PreparedEmbed, WidgetPost},
    shell,
    state::AppState,
};
use axum::{
    body::Body,
    extract::{Path, Request, State},
    http::request::Parts,
    response::Response,
    Form,
};
use leptos::prelude::provide_context;

pub async fn post(
    State(state): State<AppState>,
    Path(product): Path<String>,
    parts: Parts,
    Form(form): Form<WidgetPost>,
) -> Response {
    // The widget's frame navigating (`iframe`), or its script posting in place (`empty`); never a
    // page of its own.
    let framed = parts
        .headers
        .get("sec-fetch-dest")
        .is_some_and(|destination| matches!(destination.as_bytes(), b"iframe" | b"empty"));
    let prepared = PreparedEmbed(resume(&state, &product, form, framed).await);
    let options = state.leptos_options.clone();
    let render = leptos_axum::render_app_async_with_context(
        move || {
            provide_context(state.clone());
            provide_context(prepared.clone());
        },
        move || shell(options.clone()),
    );
    render(Request::from_parts(parts, Body::empty())).await
}
