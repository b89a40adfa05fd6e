//! Signing in: the sign-in page and button ([`view`]), the server functions behind them
//! ([`api`]), the middleware that tells every request who is signed in ([`session`]), and the
//! user's own list of sessions ([`sessions`]), and second factors ([`factors`]).

pub mod api;
pub mod factors;
#[cfg(feature = "ssr")]
pub mod session;
pub mod sessions;
pub mod view;
