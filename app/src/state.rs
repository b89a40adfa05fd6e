//! The one application state, built by the server and reached by server functions through
//! [`app_state`]. Server-only.

use crate::{
    error::AppError,
    lifecycle::RefreshLocks,
    product::Product,
    secret::TokenCipher,
    throttle::{HashingQueue, SignInThrottle},
    ups::UpsOAuth,
};
use axum::extract::FromRef;
use leptos::prelude::{use_context, LeptosOptions};
use sqlx::SqlitePool;
use std::{collections::HashMap, sync::Arc, time::Duration};
use tokio_util::{sync::CancellationToken, task::TaskTracker};
use url::Url;

#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub db: SqlitePool,
    pub ups: Arc<UpsOAuth>,
    pub cipher: TokenCipher,
    pub web: Arc<WebConfig>,
    pub sign_in_throttle: Arc<SignInThrottle>,
    /// Password checks for sign-ins: bounded, shed with 503 beyond that.
    pub password_checks: Arc<HashingQueue>,
    pub refresh_locks: Arc<RefreshLocks>,
    /// Cancelled when the process starts to stop: no new refresh starts after that.
    pub stopping: CancellationToken,
    /// Every refresh under way, so a stopping process waits for their answers to be stored.
    pub refreshes: TaskTracker,
}

/// What the web layer needs to know about how it is deployed.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// The origin admins reach us on; POSTs from any other origin are refused.
    pub public_base_url: Url,
    /// `Secure` on cookies: on everywhere except a deliberate plain-HTTP development setup.
    pub secure_cookies: bool,
    pub session_lifetime: Duration,
    pub state_lifetime: Duration,
    /// The origins allowed to frame each product's widget (`scheme://host[:port]`).
    pub embed_origins: HashMap<Product, Vec<String>>,
    /// How long a product's backend has to hand an embed session to its page.
    pub embed_token_lifetime: Duration,
    /// How long a widget works once opened.
    pub embed_session_lifetime: Duration,
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

pub fn app_state() -> Result<AppState, AppError> {
    use_context::<AppState>().ok_or_else(|| {
        tracing::error!("AppState missing from the server function context");
        AppError::Internal
    })
}

/// A write transaction. `BEGIN IMMEDIATE` takes SQLite's write lock up front (waiting up to the
/// busy timeout); a deferred `BEGIN` that reads and then writes fails at once with "database is
/// locked" whenever another writer committed in between, since its snapshot cannot be upgraded,
/// and under many concurrent refreshes most of them would.
pub async fn write_transaction(db: &SqlitePool) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>, sqlx::Error> {
    db.begin_with("BEGIN IMMEDIATE").await
}

/// Unix seconds now.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|elapsed| elapsed.as_secs() as i64)
        .unwrap_or_default()
}
