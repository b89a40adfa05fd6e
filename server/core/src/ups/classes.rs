//! The classes of UPS's answers to a refresh, and so who acts on each: a company's admins (a
//! dead grant), the application's operators (a refusal of the application), or nobody but time
//! (a rate limit, an outage).

use super::{ProviderError, UpsErrorResponse};
use std::{fmt, time::Duration};

/// What UPS's answer to a refresh means, and so who acts on it: the classes of
/// `optin_refreshes_total`, of Activity, of the token API's errors and of the webhooks' reasons.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AnswerClass {
    /// A new pair.
    Refreshed,
    /// The grant is dead (revoked, expired, or the UPS.com password changed): one company's
    /// admins must authorize again.
    DeadGrant,
    /// UPS refuses the application itself: its operators must act; no company can.
    ApplicationRefused,
    /// UPS throttles the application: fewer requests, later.
    RateLimited,
    /// UPS is down or did not answer in time: later.
    Unavailable,
    /// An answer we cannot read.
    Unreadable,
}

impl AnswerClass {
    pub const ALL: [Self; 6] = [
        Self::Refreshed,
        Self::DeadGrant,
        Self::ApplicationRefused,
        Self::RateLimited,
        Self::Unavailable,
        Self::Unreadable,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Refreshed => "refreshed",
            Self::DeadGrant => "dead_grant",
            Self::ApplicationRefused => "application_refused",
            Self::RateLimited => "rate_limited",
            Self::Unavailable => "unavailable",
            Self::Unreadable => "unreadable",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|class| class.as_str() == value)
    }

    /// Whether the answer concerns every authorization of the application (its budget's
    /// breaker opens), not one.
    pub fn is_application_wide(self) -> bool {
        matches!(self, Self::ApplicationRefused | Self::RateLimited)
    }
}

impl fmt::Display for AnswerClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl ProviderError {
    /// Whether UPS may have carried the request out although we hold no answer: after a refresh,
    /// the stored refresh token may then be dead.
    pub fn may_have_acted(&self) -> bool {
        matches!(self, Self::Unanswered(_) | Self::Malformed(_))
    }

    /// The class of this failed refresh. A refusal is a dead grant only when it is about the
    /// refresh token; any other refusal of a refresh (which carries nothing but the refresh token
    /// and the application's credentials) is about the application, as are 401, 403 and
    /// `10401`: one answer for every authorization, not a dead grant each.
    pub fn class(&self) -> AnswerClass {
        match self {
            Self::Rejected(body) if refuses_refresh_token(body) => AnswerClass::DeadGrant,
            // Not registered: our settings refuse the application before UPS can.
            Self::Rejected(_) | Self::ApplicationRefused { .. } | Self::NotRegistered(_) => {
                AnswerClass::ApplicationRefused
            }
            Self::RateLimited { .. } => AnswerClass::RateLimited,
            Self::Unavailable(_) | Self::Unanswered(_) => AnswerClass::Unavailable,
            Self::Malformed(_) => AnswerClass::Unreadable,
        }
    }

    /// UPS answered and refused the refresh token: the grant is dead, and retrying the same
    /// refresh token cannot help.
    pub fn is_dead_grant(&self) -> bool {
        self.class() == AnswerClass::DeadGrant
    }

    /// How long UPS asked us to wait, when it said.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::RateLimited { retry_after } => *retry_after,
            _ => None,
        }
    }
}

fn refuses_refresh_token(body: &UpsErrorResponse) -> bool {
    body.response.errors.iter().any(|error| {
        let message = error.message.to_ascii_lowercase();
        error.code != "10401"
            && (message.contains("refresh token") || message.contains("invalid_grant") || error.code == "invalid_grant")
    })
}
