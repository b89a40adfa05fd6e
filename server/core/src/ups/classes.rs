//! The classes of UPS's answers to a refresh, and so who acts on each: a company's admins (a
//! dead grant), the application's operators (a refusal of the application), or nobody but time
//! (a rate limit, an outage).

use super::{ProviderError, UpsErrorResponse};
pub use model::AnswerClass;
use std::time::Duration;

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
