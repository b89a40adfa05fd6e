//! What an authorization, a token and an audit entry can be, as enums. The store keeps them as
//! text and reads them back through `parse`, which refuses what it does not know.

use crate::ids::CompanyId;
use crate::product::{Product, Revocation};
use serde::{Deserialize, Serialize};

/// Where a company's authorization of a product stands, as stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum AuthorizationState {
    /// A grant is held and kept fresh.
    Authorized,
    /// An admin opted out: the tokens were deleted.
    OptedOut,
    /// An admin cleared the authorization (Data Management): the tokens were deleted.
    Cleared,
    /// UPS no longer accepts the grant (a UPS.com password change, say): an admin must opt in
    /// again.
    ReauthorizationRequired,
}

impl AuthorizationState {
    pub const ALL: [Self; 4] = [Self::Authorized, Self::OptedOut, Self::Cleared, Self::ReauthorizationRequired];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Authorized => "authorized",
            Self::OptedOut => "opted_out",
            Self::Cleared => "cleared",
            Self::ReauthorizationRequired => "reauthorization_required",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|state| state.as_str() == value)
    }

    /// The state a revocation leaves behind.
    pub fn revoked(revocation: Revocation) -> Self {
        match revocation {
            Revocation::OptOut => Self::OptedOut,
            Revocation::Clear => Self::Cleared,
        }
    }

    /// The status in a word, as the company lists show it.
    pub fn kind(self) -> StatusKind {
        match self {
            Self::Authorized => StatusKind::Authorized,
            Self::ReauthorizationRequired => StatusKind::ReauthorizationRequired,
            Self::OptedOut | Self::Cleared => StatusKind::NotAuthorized,
        }
    }
}

/// An authorization as its page shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum AuthorizationStatus {
    NotAuthorized,
    /// `at` and `since` are Unix seconds, shown in the admin's own time zone.
    Authorized {
        by: Option<String>,
        at: i64,
    },
    ReauthorizationRequired {
        reason: String,
        since: i64,
    },
}

impl AuthorizationStatus {
    /// The code the host page's events and the token API use.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotAuthorized => "not_authorized",
            Self::Authorized { .. } => "authorized",
            Self::ReauthorizationRequired { .. } => "reauthorization_required",
        }
    }
}

/// A company's status for a product, in a word.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum StatusKind {
    NotAuthorized,
    Authorized,
    ReauthorizationRequired,
}

impl StatusKind {
    pub const ALL: [StatusKind; 3] = [Self::NotAuthorized, Self::Authorized, Self::ReauthorizationRequired];

    /// The status with this [`code`](Self::code).
    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|status| status.code() == code)
    }

    /// The code the host page's events, the token API and webhooks use.
    pub fn code(self) -> &'static str {
        match self {
            Self::NotAuthorized => "not_authorized",
            Self::Authorized => "authorized",
            Self::ReauthorizationRequired => "reauthorization_required",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::NotAuthorized => "Not authorized",
            Self::Authorized => "Authorized",
            Self::ReauthorizationRequired => "Re-authorization required",
        }
    }
}

/// A token in an authorization's history, as the Token Manager shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum TokenStatus {
    Active,
    Expired,
    Refreshed,
    Replaced,
    Cleared,
}

impl TokenStatus {
    pub fn label(self) -> &'static str {
        match self {
            Self::Active => "Active",
            Self::Expired => "Expired",
            Self::Refreshed => "Refreshed",
            Self::Replaced => "Replaced",
            Self::Cleared => "Cleared",
        }
    }
}

/// What the audit log records, as stored and as the Activity log words it. On the wire it is
/// its stored name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditAction {
    SignedIn,
    OptInStarted,
    Authorized,
    ConsentDenied,
    OptedOut,
    Cleared,
    Refreshed,
    RefreshFailed,
    ReauthorizationRequired,
    WebhookDelivered,
    WebhookFailed,
    EmailSent,
    EmailFailed,
    /// The refresh token ends soon and UPS has issued no newer one.
    Expiring,
    /// An admin asked UPS to refresh now, to see how it answers.
    Checked,
}

impl AuditAction {
    pub const ALL: [Self; 15] = [
        Self::SignedIn,
        Self::OptInStarted,
        Self::Authorized,
        Self::ConsentDenied,
        Self::OptedOut,
        Self::Cleared,
        Self::Refreshed,
        Self::RefreshFailed,
        Self::ReauthorizationRequired,
        Self::WebhookDelivered,
        Self::WebhookFailed,
        Self::EmailSent,
        Self::EmailFailed,
        Self::Expiring,
        Self::Checked,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::SignedIn => "signed_in",
            Self::OptInStarted => "opt_in_started",
            Self::Authorized => "authorized",
            Self::ConsentDenied => "consent_denied",
            Self::OptedOut => "opted_out",
            Self::Cleared => "cleared",
            Self::Refreshed => "refreshed",
            Self::RefreshFailed => "refresh_failed",
            Self::ReauthorizationRequired => "reauthorization_required",
            Self::WebhookDelivered => "webhook_delivered",
            Self::WebhookFailed => "webhook_failed",
            Self::EmailSent => "email_sent",
            Self::EmailFailed => "email_failed",
            Self::Expiring => "expiring",
            Self::Checked => "checked",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|action| action.as_str() == value)
    }

    /// What it means, in words.
    pub fn describe(self) -> &'static str {
        match self {
            Self::SignedIn => "Signed in",
            Self::OptInStarted => "Opt-in started",
            Self::Authorized => "Authorized",
            Self::ConsentDenied => "Consent denied on UPS.com",
            Self::OptedOut => "Opted out",
            Self::Cleared => "Authorization cleared",
            Self::Refreshed => "Token refreshed",
            Self::RefreshFailed => "Refresh failed, will retry",
            Self::ReauthorizationRequired => "Re-authorization required",
            Self::WebhookDelivered => "Webhook delivered",
            Self::WebhookFailed => "Webhook delivery failed",
            Self::EmailSent => "Email sent",
            Self::EmailFailed => "Email failed",
            Self::Expiring => "UPS authorization ends soon",
            Self::Checked => "Authorization checked with UPS",
        }
    }
}

/// What the callback reports back to the product page, as `?outcome=` or `?error=`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Notice {
    Authorized,
    /// Opted out (or cleared) by a form posted without a script: the page says so on its return.
    Revoked,
    ConsentDenied,
    StateUnknown,
    StateExpired,
    NotAllowed,
    ProviderRejected,
    ProviderUnavailable,
    Failed,
}

impl Notice {
    pub const ALL: [Notice; 9] = [
        Self::Authorized,
        Self::Revoked,
        Self::ConsentDenied,
        Self::StateUnknown,
        Self::StateExpired,
        Self::NotAllowed,
        Self::ProviderRejected,
        Self::ProviderUnavailable,
        Self::Failed,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::Authorized => "authorized",
            Self::Revoked => "revoked",
            Self::ConsentDenied => "consent-denied",
            Self::StateUnknown => "state-unknown",
            Self::StateExpired => "state-expired",
            Self::NotAllowed => "not-allowed",
            Self::ProviderRejected => "provider-rejected",
            Self::ProviderUnavailable => "provider-unavailable",
            Self::Failed => "failed",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|notice| notice.code() == code)
    }

    pub fn is_error(self) -> bool {
        !matches!(self, Self::Authorized | Self::Revoked)
    }

    /// The query string that carries this notice back to a product page.
    pub fn query(self, company: Option<CompanyId>) -> String {
        let key = if self.is_error() { "error" } else { "outcome" };
        match company {
            Some(company) => format!("?company={company}&{key}={}", self.code()),
            None => format!("?{key}={}", self.code()),
        }
    }

    pub fn message(self, product: Product) -> String {
        let retry = product.wording().opt_in;
        match self {
            Self::Authorized => format!("{} {}", product.short_name(), product.wording().authorized),
            Self::Revoked => format!("{} {}", product.short_name(), product.wording().revoked),
            Self::ConsentDenied => format!("UPS.com consent was not given, so nothing changed. Choose {retry} to try again."),
            Self::StateUnknown => "That authorization link is not valid (it was already used, or was started in another session). Nothing changed; please start again.".into(),
            Self::StateExpired => "The authorization took too long and expired. Nothing changed; please start again.".into(),
            Self::NotAllowed => "You are not allowed to manage this company.".into(),
            Self::ProviderRejected => "UPS did not accept the authorization. Nothing changed; please start again.".into(),
            Self::ProviderUnavailable => "UPS could not be reached. Nothing changed; please try again in a few minutes.".into(),
            Self::Failed => "The authorization could not be completed. Nothing changed; please try again.".into(),
        }
    }
}

/// Where a widget's consent answers: its consent window, or (when that was blocked) the portal
/// page the widget sits in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum EmbedMode {
    Popup,
    Page,
}

impl EmbedMode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Popup => "popup",
            Self::Page => "page",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        [Self::Popup, Self::Page].into_iter().find(|mode| mode.as_str() == value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_names_round_trip_and_unknown_names_are_refused() {
        for notice in Notice::ALL {
            assert_eq!(Notice::parse(notice.code()), Some(notice));
        }
        for state in AuthorizationState::ALL {
            assert_eq!(AuthorizationState::parse(state.as_str()), Some(state));
        }
        for action in AuditAction::ALL {
            assert_eq!(AuditAction::parse(action.as_str()), Some(action));
        }
        assert_eq!(Notice::parse("<script>"), None);
        assert_eq!(AuthorizationState::parse("revoked"), None);
        assert_eq!(AuditAction::parse("other"), None);
    }
}
