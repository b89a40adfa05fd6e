//! Why UPS no longer accepts a company's grant. The store keeps the cause as a code in
//! `authorizations.status_reason` (as it keeps an ended authorization's "opted out" or
//! "cleared"), and UPS's own words beside it, so a count or a rule reads the code and a person
//! reads the sentence.

use crate::time::format_utc;

/// What the service saw when the grant died.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GrantLoss {
    /// UPS refused the refresh token: most often, the UPS.com password of the user who opted in
    /// changed.
    RefreshRefused,
    /// A refresh started at `started` (Unix seconds) was interrupted before UPS's answer could be
    /// stored, and UPS no longer accepts the refresh token that answer replaced.
    RefreshInterrupted { started: i64 },
    /// UPS's grant came without a refresh token, so there was nothing to refresh with.
    NoRefreshToken,
}

impl GrantLoss {
    /// The code stored in `status_reason`.
    pub fn code(self) -> &'static str {
        match self {
            Self::RefreshRefused => "refresh_refused",
            Self::RefreshInterrupted { .. } => "refresh_interrupted",
            Self::NoRefreshToken => "no_refresh_token",
        }
    }

    /// When the interrupted refresh started, stored beside the code.
    pub fn interrupted_at(self) -> Option<i64> {
        match self {
            Self::RefreshInterrupted { started } => Some(started),
            Self::RefreshRefused | Self::NoRefreshToken => None,
        }
    }

    /// The cause stored as `code` (and, for an interrupted refresh, when it started); `None` for
    /// a code this version does not know, or an interrupted refresh without its start.
    pub fn from_stored(code: &str, interrupted_at: Option<i64>) -> Option<Self> {
        match (code, interrupted_at) {
            ("refresh_refused", _) => Some(Self::RefreshRefused),
            ("refresh_interrupted", Some(started)) => Some(Self::RefreshInterrupted { started }),
            ("no_refresh_token", _) => Some(Self::NoRefreshToken),
            _ => None,
        }
    }
}

/// A dead grant: its cause, and what UPS said when it refused (its error, as the UPS client
/// reports it), when it said anything.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LostGrant {
    pub cause: GrantLoss,
    pub provider_said: Option<String>,
}

impl LostGrant {
    /// The sentence an admin reads on the page, in the e-mail and in the webhook.
    pub fn explain(&self) -> String {
        let said = self.provider_said.as_deref().map(|said| format!(" ({said})")).unwrap_or_default();
        match self.cause {
            GrantLoss::RefreshRefused => format!(
                "UPS refused to refresh the token{said}. The UPS.com password of the user who opted in may have changed."
            ),
            GrantLoss::RefreshInterrupted { started } => format!(
                "A refresh started at {} was interrupted before UPS's answer could be stored (the service stopped, or \
                 the answer never arrived), and UPS no longer accepts the refresh token it replaced{said}.",
                format_utc(started)
            ),
            GrantLoss::NoRefreshToken => format!("UPS issued no refresh token{said}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_cause_reads_back_from_what_is_stored() {
        for cause in [
            GrantLoss::RefreshRefused,
            GrantLoss::RefreshInterrupted { started: 1_764_000_000 },
            GrantLoss::NoRefreshToken,
        ] {
            assert_eq!(GrantLoss::from_stored(cause.code(), cause.interrupted_at()), Some(cause));
        }
        assert_eq!(GrantLoss::from_stored("refresh_interrupted", None), None);
        assert_eq!(GrantLoss::from_stored("password_changed", None), None);
    }

    #[test]
    fn the_sentences_read_as_they_always_have() {
        let refused = LostGrant { cause: GrantLoss::RefreshRefused, provider_said: Some("invalid_grant".into()) };
        assert_eq!(
            refused.explain(),
            "UPS refused to refresh the token (invalid_grant). The UPS.com password of the user who opted in may have changed."
        );
        let interrupted = LostGrant {
            cause: GrantLoss::RefreshInterrupted { started: 1_764_000_000 },
            provider_said: Some("x".into()),
        };
        assert!(interrupted.explain().starts_with("A refresh started at 2025-11-24 16:00 UTC was interrupted"));
        assert!(interrupted.explain().ends_with("it replaced (x)."));
        assert_eq!(
            LostGrant { cause: GrantLoss::NoRefreshToken, provider_said: None }.explain(),
            "UPS issued no refresh token"
        );
    }
}
