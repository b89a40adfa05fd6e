//! The session middleware: resolves the session cookie once per request and leaves the user in
//! the request's extensions, where server functions and routes find it. Server-only.

use crate::{error::AppError, state::AppState, web::session_cookie};
use axum::{extract::State, http::Request, middleware::Next, response::Response};
use leptos::prelude::use_context;
use optin_core::accounts;

/// The signed-in user of the current request, put into the request's extensions by
/// [`load_session`].
pub use optin_core::accounts::SignedIn as SignedInUser;

/// Resolves the session cookie (one indexed query) and leaves the user in the request's
/// extensions for every handler and server function after it.
pub async fn load_session(
    State(state): State<AppState>,
    mut request: Request<axum::body::Body>,
    next: Next,
) -> Response {
    // Static assets and the sandbox (which stands in for another site) never need the user.
    let path = request.uri().path();
    let needs_user = !(path.starts_with("/pkg/") || path.starts_with("/security/") || path == "/favicon.png");
    if let Some(session) = session_cookie(&state.web, request.headers()).filter(|_| needs_user) {
        match accounts::session_user(&state.core, &session).await {
            Ok(Some(user)) => {
                request.extensions_mut().insert(user);
            }
            Ok(None) => {}
            Err(error) => tracing::error!(%error, "session lookup failed"),
        }
    }
    next.run(request).await
}

/// The signed-in user of the server function being run.
pub fn current_user() -> Result<SignedInUser, AppError> {
    use_context::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<SignedInUser>().cloned())
        .ok_or(AppError::Unauthenticated)
}
