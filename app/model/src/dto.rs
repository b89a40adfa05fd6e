//! The records server functions answer with: what a page needs, and never a token.

use crate::{
    ids::CompanyId,
    product::Product,
    role::Role,
    status::{AuditAction, AuthorizationStatus, StatusKind, TokenStatus},
};
use serde::{Deserialize, Serialize};
use std::fmt;

/// How the sign-in page offers to sign in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignInOptions {
    /// "Sign in with {name}", each posting to `/sso/{id}/start`.
    pub providers: Vec<SignInProvider>,
    /// Whether the sign-in name and password form is offered.
    pub passwords: bool,
}

/// An identity provider as the sign-in page offers it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignInProvider {
    pub id: String,
    pub name: String,
}

/// Who is signed in, as the UI shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    pub sign_in_name: String,
    pub display_name: String,
}

/// Names one of a user's own sign-in sessions in a request to end it: the SHA-256 of its id, in
/// hex. The id itself is only ever in its browser's cookie, and cannot be had from this.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SessionHandle(String);

impl SessionHandle {
    pub fn new(hex: impl Into<String>) -> Self {
        Self(hex.into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// One of the signed-in user's sessions, as "Where you're signed in" lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignInSession {
    pub handle: SessionHandle,
    /// The browser and system, as its User-Agent says ("Chrome 156 on Linux").
    pub browser: String,
    /// The address it signed in from (empty for sessions older than the list).
    pub address: String,
    pub started_at: i64,
    pub last_active_at: i64,
    /// The session of the browser asking.
    pub current: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompanySummary {
    pub id: CompanyId,
    pub name: String,
}

/// A company's authorization of a product, as its page shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthorizationView {
    pub company: CompanySummary,
    pub product: Product,
    pub status: AuthorizationStatus,
    /// Whether UPS answers the product's application at all: when it does not, no company can
    /// do anything about it, and the page says so.
    pub application: ApplicationHealth,
    /// What the person looking may do: a viewer's page offers no change.
    pub role: Role,
}

/// Whether UPS answers a product's application, as its pages say it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ApplicationHealth {
    Answering,
    /// UPS throttles or refuses the application (its breaker is open) since then (Unix seconds).
    NotAnswering {
        since: i64,
    },
}

/// A company the admin administers, with its status for the product in a word.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompanyStatus {
    pub company: CompanySummary,
    pub status: StatusKind,
}

/// Everything a product page needs: who is signed in, the companies they administer with their
/// status, and the selected company's authorization (`None` when they administer none).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductOverview {
    pub identity: Identity,
    pub companies: Vec<CompanyStatus>,
    pub selected: Option<AuthorizationView>,
}

/// One token of an authorization's history: metadata only.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenRow {
    pub fingerprint: String,
    pub issued_at: i64,
    pub expires_at: i64,
    pub status: TokenStatus,
}

/// One page of the history, newest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenPage {
    pub rows: Vec<TokenRow>,
    /// 1-based.
    pub page: u32,
    pub pages: u32,
    pub total: u32,
}

impl TokenPage {
    pub const SIZE: u32 = 10;
}

/// A consent link still waiting for its recipient, as the product page lists it to admins.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingConsentLink {
    pub id: crate::ConsentLinkId,
    /// The email address it was made out to.
    pub recipient: String,
    /// Who asked: an admin's name, or a product's backend.
    pub sent_by: String,
    pub created_at: i64,
    pub expires_at: i64,
    /// When someone first opened it, and from where.
    pub opened: Option<LinkOpened>,
}

/// Where a consent link was first opened (its browser is in the Activity log).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkOpened {
    pub at: i64,
    pub address: String,
}

/// One entry of a company's activity.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityEntry {
    pub at: i64,
    /// Who did it; `None` for the service itself (refreshes).
    pub actor: Option<String>,
    pub product: Option<Product>,
    pub action: AuditAction,
    pub detail: String,
}

/// The widget's credential: issued when the embed session is redeemed, held only by the widget
/// page, and sent with each of its calls. Never printed.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct WidgetKey(String);

impl WidgetKey {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for WidgetKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("WidgetKey([redacted])")
    }
}
