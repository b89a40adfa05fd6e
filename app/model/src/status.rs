//! What an authorization, a token and an audit entry can be, as enums. The store keeps them as
//! text and reads them back through `parse`, which refuses what it does not know. The names are
//! derived from the variants (`strum`), so each is written once.

use crate::ids::CompanyId;
use crate::product::{Product, Revocation};
use serde::{Deserialize, Serialize};
use strum::{EnumString, IntoStaticStr, VariantArray};

/// Where a company's authorization of a product stands, as stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, IntoStaticStr, EnumString, VariantArray)]
#[strum(serialize_all = "snake_case")]
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
    /// The stored name: `opted_out`.
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    pub fn parse(value: &str) -> Option<Self> {
        value.parse().ok()
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
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, IntoStaticStr)]
#[strum(serialize_all = "snake_case")]
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
        self.into()
    }
}

/// A company's status for a product, in a word.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, IntoStaticStr, EnumString, VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum StatusKind {
    NotAuthorized,
    Authorized,
    ReauthorizationRequired,
}

impl StatusKind {
    /// The status with this [`code`](Self::code).
    pub fn parse(code: &str) -> Option<Self> {
        code.parse().ok()
    }

    /// The code the host page's events, the token API and webhooks use: `not_authorized`.
    pub fn code(self) -> &'static str {
        self.into()
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
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, IntoStaticStr, EnumString, VariantArray)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
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
    /// A consent link was made out to someone (and emailed, or shown once to copy).
    ConsentLinkSent,
    /// Someone opened a consent link (the first time): from where, with what browser.
    ConsentLinkOpened,
    /// A consent link was revoked before it was used.
    ConsentLinkRevoked,
}

impl AuditAction {
    /// The stored name: `opt_in_started`.
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    pub fn parse(value: &str) -> Option<Self> {
        value.parse().ok()
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
            Self::ConsentLinkSent => "Consent link sent",
            Self::ConsentLinkOpened => "Consent link opened",
            Self::ConsentLinkRevoked => "Consent link revoked",
        }
    }
}

/// What the callback reports back to the product page, as `?outcome=` or `?error=`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, IntoStaticStr, EnumString, VariantArray)]
#[strum(serialize_all = "kebab-case")]
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
    /// A consent link was revoked by a form posted without a script.
    LinkRevoked,
}

impl Notice {
    /// The code in the query string: `consent-denied`.
    pub fn code(self) -> &'static str {
        self.into()
    }

    pub fn parse(code: &str) -> Option<Self> {
        code.parse().ok()
    }

    pub fn is_error(self) -> bool {
        !matches!(self, Self::Authorized | Self::Revoked | Self::LinkRevoked)
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
            Self::LinkRevoked => "The consent link was revoked: it no longer opens.".into(),
        }
    }
}

/// Where a widget's consent answers: its consent window, or (when that was blocked) the portal
/// page the widget sits in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, IntoStaticStr, EnumString)]
#[strum(serialize_all = "snake_case")]
pub enum EmbedMode {
    Popup,
    Page,
}

impl EmbedMode {
    /// The code in the widget's form: `popup`.
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    pub fn parse(value: &str) -> Option<Self> {
        value.parse().ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_names_round_trip_and_unknown_names_are_refused() {
        for &notice in Notice::VARIANTS {
            assert_eq!(Notice::parse(notice.code()), Some(notice));
        }
        for &state in AuthorizationState::VARIANTS {
            assert_eq!(AuthorizationState::parse(state.as_str()), Some(state));
        }
        for &action in AuditAction::VARIANTS {
            assert_eq!(AuditAction::parse(action.as_str()), Some(action));
        }
        for &status in StatusKind::VARIANTS {
            assert_eq!(StatusKind::parse(status.code()), Some(status));
        }
        assert_eq!(Notice::parse("<script>"), None);
        assert_eq!(AuthorizationState::parse("revoked"), None);
        assert_eq!(AuditAction::parse("other"), None);
        // Only the stored name: not the variant's own name, nor another case.
        assert_eq!(AuditAction::parse("OptInStarted"), None);
        assert_eq!(Notice::parse("consent_denied"), None);
        assert_eq!(EmbedMode::parse("Popup"), None);
    }

    /// The exact names, as the database, the host page's events and the query strings hold them.
    #[test]
    fn names_are_the_stored_ones() {
        assert_eq!(AuthorizationState::ReauthorizationRequired.as_str(), "reauthorization_required");
        assert_eq!(AuditAction::OptInStarted.as_str(), "opt_in_started");
        assert_eq!(StatusKind::NotAuthorized.code(), "not_authorized");
        assert_eq!(
            AuthorizationStatus::ReauthorizationRequired { reason: String::new(), since: 0 }.code(),
            "reauthorization_required"
        );
        assert_eq!(Notice::ProviderUnavailable.code(), "provider-unavailable");
        assert_eq!((EmbedMode::Popup.as_str(), EmbedMode::Page.as_str()), ("popup", "page"));
    }
}
