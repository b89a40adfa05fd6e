//! The records server functions answer with: what a page needs, and never a token.

use crate::{
    ids::CompanyId,
    product::Product,
    status::{AuditAction, AuthorizationStatus, StatusKind, TokenStatus},
};
use serde::{Deserialize, Serialize};
use std::fmt;

/// Who is signed in, as the UI shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    pub sign_in_name: String,
    pub display_name: String,
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

/// What "Check now" found: the class of UPS's answer to one refresh of the authorization, or
/// that it was checked a moment ago.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CheckOutcome {
    Refreshed,
    DeadGrant,
    ApplicationRefused,
    RateLimited,
    Unavailable,
    Unreadable,
    /// Checked less than a minute ago: UPS was not asked again.
    TooSoon,
}

impl CheckOutcome {
    pub const ALL: [Self; 7] = [
        Self::Refreshed,
        Self::DeadGrant,
        Self::ApplicationRefused,
        Self::RateLimited,
        Self::Unavailable,
        Self::Unreadable,
        Self::TooSoon,
    ];

    /// The code in `?checked=` and in the Activity.
    pub fn code(self) -> &'static str {
        match self {
            Self::Refreshed => "refreshed",
            Self::DeadGrant => "dead_grant",
            Self::ApplicationRefused => "application_refused",
            Self::RateLimited => "rate_limited",
            Self::Unavailable => "unavailable",
            Self::Unreadable => "unreadable",
            Self::TooSoon => "too_soon",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|outcome| outcome.code() == code)
    }

    /// What it means for the admin, in words.
    pub fn message(self) -> &'static str {
        match self {
            Self::Refreshed => "Checked: UPS accepts this authorization and issued a new token just now.",
            Self::DeadGrant => "Checked: UPS no longer accepts this authorization (for example after a UPS.com password change). Authorize again.",
            Self::ApplicationRefused => "Checked: UPS is refusing this application itself, not your authorization. The service's operators have been told; nothing is needed from you.",
            Self::RateLimited => "Checked: UPS is rate limiting this application right now. Refreshes resume by themselves; nothing is needed from you.",
            Self::Unavailable => "Checked: UPS could not be reached. The service keeps trying by itself.",
            Self::Unreadable => "Checked: UPS answered something the service could not read. The service keeps trying by itself.",
            Self::TooSoon => "This authorization was checked less than a minute ago; try again shortly.",
        }
    }

    /// Whether the admin (or the company) has something to fix.
    pub fn is_error(self) -> bool {
        matches!(self, Self::DeadGrant)
    }
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
