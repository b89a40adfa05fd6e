//! The embeddable widget: the opt-in inside each product's own portal, on another origin.
//!
//! A product's backend creates a single-use embed session with its API key (`server::embed_api`);
//! the portal's page frames `/embed/{product}?session=…`. Loading that page redeems the session
//! for a widget key that lives only in the page (no cookie, so third-party cookie blocking does
//! not matter) and that every form of the widget sends back ([`api`]). The page itself is
//! [`view`], server HTML; what its one island does in the browser (the consent window, forms
//! posted in place, messages to the host) is `browser`.

pub mod api;
#[cfg(feature = "hydrate")]
mod browser;
pub mod view;

/// The name the widget gives the consent window (one per widget page).
const CONSENT_WINDOW: &str = "ups-optin-consent";

/// The widget's element ids, shared by the server's page and its script: the widget (whose height
/// the host hears), the part that a form posted in place replaces, two hidden forms (UPS's
/// consent in its own window; the page again after it), and the script's sentences.
const WIDGET: &str = "widget";
const CONTENT: &str = "widget-content";
const SCRIPT_WORDS: &str = "widget-words";
const CONSENT_FORM: &str = "consent-popup";
const RELOAD_FORM: &str = "widget-reload";

/// The events the host page receives (`README`, "Embedding the widget"). The server decides
/// which a page announces; the script adds the frame's height and what only it sees (a blocked
/// or closed consent window).
#[allow(dead_code)]
pub mod event {
    pub const READY: &str = "optin:ready";
    pub const RESIZE: &str = "optin:resize";
    pub const AUTHORIZED: &str = "optin:authorized";
    pub const OPTED_OUT: &str = "optin:opted_out";
    pub const CLEARED: &str = "optin:cleared";
    pub const REAUTHORIZATION_REQUIRED: &str = "optin:reauthorization_required";
    pub const ERROR: &str = "optin:error";
    /// The browser refused to open the consent window; the widget offers to continue in the
    /// whole window.
    pub const POPUP_BLOCKED: &str = "optin:popup_blocked";
    /// The consent window closed without reporting an outcome (the person closed it).
    pub const WINDOW_CLOSED: &str = "optin:window_closed";

    /// Every event a host's `onEvent` hears: all but `RESIZE`, which the snippet keeps to itself.
    /// The host SDK's types (`/embed/v1/optin.d.ts`) list exactly these.
    pub const TO_HOST: [&str; 8] =
        [READY, AUTHORIZED, OPTED_OUT, CLEARED, REAUTHORIZATION_REQUIRED, ERROR, POPUP_BLOCKED, WINDOW_CLOSED];
}
