//! The axum server: configuration, start-up and the one application state, the routes that are
//! not server functions (OAuth start and callback, the built-in UPS sandbox), and the
//! command-line administration.

pub mod cli;
pub mod oauth;
pub mod sandbox;
pub mod settings;
pub mod startup;
pub mod token_api;
pub mod worker;
