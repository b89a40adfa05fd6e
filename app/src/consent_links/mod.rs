//! Consent links on the product pages: the form that makes one out to the holder of the
//! company's UPS.com user, and the list of those still waiting, each with Revoke. Making one is
//! a plain form posted to the server's `/consent-links/{product}` route, which answers with a
//! page of its own (the link is shown there once); the link's own page is the server's too.

pub mod api;
pub mod view;
