//! Opting a company in to a product and out again, on the admin pages: the overview and opt-out
//! server functions ([`api`]) and the authorization card ([`view`]). The flow with UPS itself is
//! the core's (`optin_core::authorization`); its two routes are the server's (`server::oauth`).

pub mod api;
pub mod view;
