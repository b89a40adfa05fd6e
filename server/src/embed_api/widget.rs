//! `POST /embed/{product}`: the forms a widget posts back to its own page (Opt-Out / Clear,
//! another page of the token grid, the status after the consent window). The server acts on the
//! form first, then renders the widget page with the result, so the same page answers a plain
//! form post (no script) and the widget's script, which puts the new content in place.

use app::{
    embed::api::{resume, EmbedLoad, PreparedEmbed, WidgetPost},
    shell,
    state::AppState,
};
use axum::{
    body::Body,
    extract::{Path, Request, State},
    http::{request::Parts, StatusCode},
    response::Response,
    Form,
};
use leptos::prelude::provide_context;

/// Acts on the posted form, then renders the widget page with what it now shows. A widget that
/// cannot go on (its session is over, the form was not the widget's) answers with the error's
/// status, and its page still says why.
pub async fn post(
    State(state): State<AppState>,
    Path(product): Path<String>,
    parts: Parts,
    Form(form): Form<WidgetPost>,
) -> Response {
    // The widget's frame navigating (`iframe`), or its script posting in place (`empty`); never a
    // page of its own. `empty` is any script's fetch: it is the widget's only because
    // `policy::same_origin_writes` has already refused every write from another origin.
    let framed = parts
        .headers
        .get("sec-fetch-dest")
        .is_some_and(|destination| matches!(destination.as_bytes(), b"iframe" | b"empty"));
    let load = resume(&state, &product, form, framed, app::i18n::from_headers(&parts.headers)).await;
    let status = match &load {
        EmbedLoad::Refused { error, .. } => StatusCode::from_u16(error.status()).unwrap_or(StatusCode::BAD_REQUEST),
        EmbedLoad::Open(_) => StatusCode::OK,
    };
    let prepared = PreparedEmbed(load);
    let options = state.leptos_options.clone();
    let render = leptos_axum::render_app_async_with_context(
        move || {
            provide_context(state.clone());
            provide_context(prepared.clone());
        },
        move || shell(options.clone()),
    );
    let mut response = render(Request::from_parts(parts, Body::empty())).await;
    *response.status_mut() = status;
    response
}
