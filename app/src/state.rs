//! The one application state, built by the server and reached by server functions through
//! [`app_state`]: the core, and what the web layer needs to know about how it is deployed.
//! Server-only.

use crate::error::AppError;
use axum::extract::FromRef;
use leptos::prelude::{use_context, LeptosOptions};
use model::Product;
use optin_core::Core;
use std::{collections::HashMap, ops::Deref, sync::Arc};
use url::Url;

/// A handle on [`AppStateParts`]. Every middleware and handler of every request takes the state
/// by value, so a clone is one reference count, not one per field of the core and of Leptos's
/// options (which cost `/healthz` two thirds of its throughput under load).
#[derive(Clone)]
pub struct AppState(Arc<AppStateParts>);

pub struct AppStateParts {
    pub leptos_options: LeptosOptions,
    pub core: Core,
    pub web: Arc<WebConfig>,
}

impl AppState {
    pub fn new(leptos_options: LeptosOptions, core: Core, web: Arc<WebConfig>) -> Self {
        Self(Arc::new(AppStateParts { leptos_options, core, web }))
    }
}

impl Deref for AppState {
    type Target = AppStateParts;

    fn deref(&self) -> &AppStateParts {
        &self.0
    }
}

/// What leptos_axum's page handlers take from the state.
impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
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
