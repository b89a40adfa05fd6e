//! Second factors: what a local account proves besides its password (a passkey, or a code from
//! an authenticator app, with single-use recovery codes beside them), and the sign-in step that
//! asks for one.

use serde::{Deserialize, Serialize};
use strum::{EnumString, IntoStaticStr, VariantArray};

/// A kind of second factor.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, IntoStaticStr, EnumString, VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum FactorKind {
    /// A WebAuthn credential: the device's lock (fingerprint, face, PIN) or a security key.
    Passkey,
    /// An authenticator app's six-digit codes (RFC 6238).
    Totp,
}

impl FactorKind {
    /// The stored name: `passkey`, `totp`.
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// The stored name read back; `None` for a name this version does not know.
    pub fn parse(name: &str) -> Option<Self> {
        name.parse().ok()
    }

    /// What a person calls it.
    pub fn describe(self) -> &'static str {
        match self {
            Self::Passkey => "Passkey",
            Self::Totp => "Authenticator app",
        }
    }
}

/// Why a sign-in waits after its password.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, IntoStaticStr, EnumString, VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum StepPurpose {
    /// The user has a second factor: one of them, or a recovery code, finishes the sign-in.
    Verify,
    /// Second factors are required here and the user has none yet: adding one finishes it.
    Enrol,
}

impl StepPurpose {
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    pub fn parse(name: &str) -> Option<Self> {
        name.parse().ok()
    }
}

/// A second factor of the signed-in user's, as "Sign-in security" lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecondFactor {
    pub id: i64,
    pub kind: FactorKind,
    /// The name the user gave it ("Work laptop").
    pub label: String,
    pub added_at: i64,
    pub last_used_at: Option<i64>,
}

/// The signed-in user's second factors and what is left of their recovery codes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecondFactors {
    pub factors: Vec<SecondFactor>,
    pub recovery_codes_left: u32,
    /// Whether this service requires a second factor of every admin (then the last one cannot
    /// be removed).
    pub required: bool,
    /// Whether passkeys work here (they need the service on a domain name, not an IP address).
    pub passkeys_available: bool,
}

/// What the second step of a sign-in offers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignInStep {
    pub purpose: StepPurpose,
    /// The user's display name, so they know whose sign-in this is.
    pub display_name: String,
    pub passkey: bool,
    pub totp: bool,
    pub passkeys_available: bool,
}

/// An authenticator app being added: the key to type in or the link to scan, until the first
/// code confirms it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TotpEnrolment {
    pub factor: i64,
    /// The key in base32, grouped by four for typing.
    pub key: String,
    /// The `otpauth://` link an app reads.
    pub link: String,
}

/// A second factor added: with the recovery codes when these are the user's first (shown once).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FactorAdded {
    pub recovery_codes: Vec<String>,
    /// Where to go now: the page the sign-in was for, when the factor finished a sign-in.
    pub next: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_and_purposes_read_back_from_their_stored_names() {
        for &kind in FactorKind::VARIANTS {
            assert_eq!(FactorKind::parse(kind.as_str()), Some(kind));
        }
        for &purpose in StepPurpose::VARIANTS {
            assert_eq!(StepPurpose::parse(purpose.as_str()), Some(purpose));
        }
        assert_eq!((FactorKind::Passkey.as_str(), FactorKind::Totp.as_str()), ("passkey", "totp"));
        assert_eq!((StepPurpose::Verify.as_str(), StepPurpose::Enrol.as_str()), ("verify", "enrol"));
        assert_eq!(FactorKind::parse("TOTP"), None);
    }
}
