//! The built-in UPS sandbox: a provider that behaves like UPS's OAuth service as
//! shared/UPS-OAUTH.md describes it (authorize redirect, the two-step "lasso" sign-in with the
//! Technology Agreement, token and refresh endpoints with Basic auth, all-string JSON, UPS's error
//! bodies, single-use expiring codes, rotating refresh tokens), plus the one UPS.com operation the
//! project depends on: a password change that kills every grant the user made.
//!
//! The application's OAuth client talks to it over real HTTP, exactly as it talks to UPS.

mod consent;
mod faults;
mod pages;
mod tokens;

pub use faults::Fault;

use crate::{routes::Declared, settings::SandboxSettings};
use axum::{
    http::StatusCode,
    response::{IntoResponse, Response},
};
use model::Product;
use optin_core::{
    accounts::hash_password,
    secret::SecretString,
    store::{Store, StoreError},
    throttle::HashingQueue,
    ups::ProductRegistration,
    CoreError,
};
use serde::Deserialize;
use std::{collections::HashMap, sync::Arc};

/// The UPS.com users every fresh sandbox has (documented in the README).
pub const SEED_USERS: &[(&str, &str, &str)] = &[
    ("shipper.one", "shipper.one@example.com", "Sandbox-Pass-1"),
    ("shipper.two", "shipper.two@example.com", "Sandbox-Pass-2"),
];

#[derive(Clone)]
pub struct Sandbox {
    store: Store,
    clients: Arc<HashMap<String, SandboxClient>>,
    lifetimes: SandboxSettings,
    /// Checking the passwords its sign-in page receives shares the service's bounded queue.
    password_checks: Arc<HashingQueue>,
    /// How its token endpoints misbehave, when tests or benchmarks ask (`sandbox.faults`).
    faults: Arc<faults::Faults>,
}

struct SandboxClient {
    secret: SecretString,
    redirect_uri: String,
    product: Product,
}

impl Sandbox {
    /// The sandbox knows the same client registrations the application uses, as UPS would.
    pub fn new(
        store: Store,
        registrations: &HashMap<Product, ProductRegistration>,
        lifetimes: SandboxSettings,
        password_checks: Arc<HashingQueue>,
    ) -> Self {
        let clients = registrations
            .iter()
            .map(|(product, registration)| {
                (
                    registration.client_id.clone(),
                    SandboxClient {
                        secret: registration.client_secret.clone(),
                        redirect_uri: registration.redirect_uri.to_string(),
                        product: *product,
                    },
                )
            })
            .collect();
        Self { store, clients: Arc::new(clients), lifetimes, password_checks, faults: Default::default() }
    }

    pub fn router<S: Clone + Send + Sync + 'static>(self) -> Declared<S> {
        let routes = match self.lifetimes.faults {
            true => Declared::default()
                .get("/security/sandbox/faults", faults::show)
                .post("/security/sandbox/faults", faults::switch),
            false => Declared::default(),
        };
        routes
            .get("/security/v1/oauth/authorize", consent::authorize)
            .post("/security/v1/oauth/token", tokens::token)
            .post("/security/v1/oauth/refresh", tokens::refresh)
            .get("/security/sandbox/sign-in", consent::sign_in_page)
            .post("/security/sandbox/sign-in", consent::sign_in_step)
            .get("/security/sandbox/password", consent::password_page)
            .post("/security/sandbox/password", consent::password_change)
            .with_state(self)
    }
}

/// Creates the seed users when the sandbox has none.
pub async fn seed(store: &Store) -> Result<(), CoreError> {
    if store.sandbox_user_count().await? > 0 {
        return Ok(());
    }
    for (username, email, password) in SEED_USERS {
        let hash = hash_password(SecretString::new(*password)).await?;
        store.sandbox_add_user(username, email, &hash).await?;
    }
    Ok(())
}

/// Sets a sandbox user's password and revokes every grant they made, as a UPS.com password change
/// does. Returns how many grants died.
pub async fn set_password(store: &Store, username: &str, password: SecretString) -> Result<u64, SandboxError> {
    let hash = hash_password(password).await.map_err(|_| SandboxError::Internal)?;
    store.sandbox_set_password(username.trim(), &hash).await?.ok_or(SandboxError::UnknownUser)
}

/// The authorization request, carried from page to page in hidden fields.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(default)]
pub(super) struct AuthorizeRequest {
    pub client_id: String,
    pub redirect_uri: String,
    pub response_type: String,
    pub state: String,
    pub scope: String,
    pub code_challenge: String,
    pub code_challenge_method: String,
}

#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    #[error("no sandbox user has that username")]
    UnknownUser,
    #[error("sandbox storage failed")]
    Internal,
}

impl From<StoreError> for SandboxError {
    fn from(error: StoreError) -> Self {
        tracing::error!(%error, "sandbox database error");
        Self::Internal
    }
}

impl IntoResponse for SandboxError {
    fn into_response(self) -> Response {
        let status = match self {
            Self::UnknownUser => StatusCode::NOT_FOUND,
            Self::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        };
        (status, pages::page("UPS", pages::alert(self.to_string()))).into_response()
    }
}
