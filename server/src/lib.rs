//! The axum server: configuration, start-up and the one application state, the routes that are
//! not server functions (OAuth start and callback, consent links, the token and embed APIs, the built-in UPS
//! sandbox, the static files), the demo host portals, the command-line administration,
//! `server check`, which reports what the settings would do without changing anything, and the
//! OpenTelemetry traces the service exports when told where.

pub mod api;
pub mod assets;
pub mod check;
pub mod cli;
pub mod consent_links;
pub mod core_setup;
pub mod delivery;
pub mod demo_portal;
pub mod embed_api;
pub mod factors;
pub mod keyfile;
pub mod oauth;
pub mod operations;
pub mod policy;
pub mod pruning;
pub mod routes;
pub mod sandbox;
pub mod serve;
pub mod settings;
pub mod sso;
pub mod startup;
pub mod telemetry;
pub mod token_api;
pub mod worker;
