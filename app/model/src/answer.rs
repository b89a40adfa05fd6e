//! What UPS answered: the class of its answer to a refresh (who acts on it), and what "Check now"
//! found, which is one of those classes or "checked a moment ago".

use serde::{Deserialize, Serialize};
use strum::{Display, EnumString, IntoStaticStr};

/// What UPS's answer to a refresh means, and so who acts on it: the classes of
/// `optin_refreshes_total`, of Activity, of the token API's errors and of the webhooks' reasons.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, IntoStaticStr, EnumString, Display)]
#[strum(serialize_all = "snake_case")]
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

    /// The class's name (also its `Display`): `dead_grant`.
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    pub fn parse(value: &str) -> Option<Self> {
        value.parse().ok()
    }
}

/// What "Check now" found: the class of UPS's answer to one refresh of the authorization, or
/// that it was checked a moment ago (UPS was not asked again).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CheckOutcome {
    Answered(AnswerClass),
    TooSoon,
}

impl CheckOutcome {
    /// The code in `?checked=` and in the Activity: the class's, or `too_soon`.
    pub fn code(self) -> &'static str {
        match self {
            Self::Answered(class) => class.as_str(),
            Self::TooSoon => "too_soon",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        match code {
            "too_soon" => Some(Self::TooSoon),
            code => AnswerClass::parse(code).map(Self::Answered),
        }
    }

    /// What it means for the admin, in words.
    pub fn message(self) -> &'static str {
        match self {
            Self::Answered(AnswerClass::Refreshed) => "Checked: UPS accepts this authorization and issued a new token just now.",
            Self::Answered(AnswerClass::DeadGrant) => "Checked: UPS no longer accepts this authorization (for example after a UPS.com password change). Authorize again.",
            Self::Answered(AnswerClass::ApplicationRefused) => "Checked: UPS is refusing this application itself, not your authorization. The service's operators have been told; nothing is needed from you.",
            Self::Answered(AnswerClass::RateLimited) => "Checked: UPS is rate limiting this application right now. Refreshes resume by themselves; nothing is needed from you.",
            Self::Answered(AnswerClass::Unavailable) => "Checked: UPS could not be reached. The service keeps trying by itself.",
            Self::Answered(AnswerClass::Unreadable) => "Checked: UPS answered something the service could not read. The service keeps trying by itself.",
            Self::TooSoon => "This authorization was checked less than a minute ago; try again shortly.",
        }
    }

    /// Whether the admin (or the company) has something to fix.
    pub fn is_error(self) -> bool {
        self == Self::Answered(AnswerClass::DeadGrant)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_read_back() {
        for class in AnswerClass::ALL {
            assert_eq!(AnswerClass::parse(class.as_str()), Some(class));
            assert_eq!(CheckOutcome::parse(CheckOutcome::Answered(class).code()), Some(CheckOutcome::Answered(class)));
        }
        assert_eq!(CheckOutcome::parse("too_soon"), Some(CheckOutcome::TooSoon));
        assert_eq!(AnswerClass::ApplicationRefused.as_str(), "application_refused");
        assert_eq!(AnswerClass::DeadGrant.to_string(), "dead_grant");
        assert_eq!(CheckOutcome::parse("<script>"), None);
    }
}
