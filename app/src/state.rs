//! The one application state, built by the server and reached by server functions through
//! [`app_state`]: the core, and what the web layer needs to know about how it is deployed.
//! Server-only.

use crate::error::AppError;
use axum::extract::FromRef;
use leptos::prelude::{use_context, LeptosOptions};
use model::Product;
use optin_core::Core;
use std::{collections::HashMap, sync::Arc};
use url::Url;

#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub core: Core,
    pub web: Arc<WebConfig>,
}

/// What the web layer needs to know about how it is deployed.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// The origin admins reach us on; POSTs from any other origin are refused.
    pub public_base_url: Url,
    /// `Secure` on cookies: on everywhere except a deliberate plain-HTTP development setup.
    pub secure_cookies: bool,
    /// The origins allowed to frame each product's widget (`scheme://host[:port]`).
    pub embed_origins: HashMap<Product, Vec<String>>,
    /// Behind a reverse proxy: the header it puts the client's address in (its last entry is
    /// taken), so sign-in throttling sees clients rather than the proxy.
    pub client_ip_header: Option<http::HeaderName>,
}

impl WebConfig {
    /// `scheme://host[:port]`, as browsers send it in `Origin`.
    pub fn origin(&self) -> String {
        self.public_base_url.origin().ascii_serialization()
    }
}

/// The state, for the server function being run.
pub fn app_state() -> Result<AppState, AppError> {
    use_context::<AppState>().ok_or_else(|| {
        tracing::error!("AppState missing from the server function context");
        AppError::Internal
    })
}
