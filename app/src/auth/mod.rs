//! Signing in: the sign-in page and button ([`view`]), the server functions behind them
//! ([`api`]), and the middleware that tells every request who is signed in ([`session`]).

pub mod api;
#[cfg(feature = "ssr")]
pub mod session;
pub mod view;
