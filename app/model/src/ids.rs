//! Identifiers that mean something: a company id is never confused with a user id.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A company's number: a positive integer, however it arrives (a URL, a form, JSON).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "i64", into = "i64")]
pub struct CompanyId(i64);

impl TryFrom<i64> for CompanyId {
    type Error = InvalidCompanyId;

    /// Only a positive integer is a company number, deserialized or parsed.
    fn try_from(value: i64) -> Result<Self, Self::Error> {
        match value > 0 {
            true => Ok(Self(value)),
            false => Err(InvalidCompanyId(value.to_string())),
        }
    }
}

impl From<CompanyId> for i64 {
    fn from(id: CompanyId) -> Self {
        id.0
    }
}

impl CompanyId {
    pub fn new(value: i64) -> Self {
        Self(value)
    }

    pub fn get(self) -> i64 {
        self.0
    }

    /// Parses a company id as it arrives in a URL or a form.
    pub fn parse(value: &str) -> Result<Self, InvalidCompanyId> {
        value
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|id| *id > 0)
            .map(Self)
            .ok_or_else(|| InvalidCompanyId(value.to_owned()))
    }
}

impl fmt::Display for CompanyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// A company id that is not one: what was given, for the message.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("\"{0}\" is not a company number.")]
pub struct InvalidCompanyId(pub String);

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct UserId(i64);

impl UserId {
    pub fn new(value: i64) -> Self {
        Self(value)
    }

    pub fn get(self) -> i64 {
        self.0
    }
}

/// A consent link's number: what its sender sees and revokes it by (the link's token is secret
/// and kept only as a hash).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ConsentLinkId(i64);

impl ConsentLinkId {
    pub fn new(value: i64) -> Self {
        Self(value)
    }

    pub fn get(self) -> i64 {
        self.0
    }

    /// A link number from a form or a URL: a positive integer.
    pub fn parse(value: &str) -> Option<Self> {
        value.trim().parse::<i64>().ok().filter(|id| *id > 0).map(Self)
    }
}

impl std::fmt::Display for ConsentLinkId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// Whatever arrives in a URL or a form: a company id comes out only for a positive
        /// integer (spaces around it aside), and it is that integer.
        #[test]
        fn company_ids_parse_exactly_the_positive_integers(input in "\\PC{0,24}|[ 0-9+-]{1,24}") {
            let trimmed = input.trim();
            let expected = trimmed.parse::<i64>().ok().filter(|id| *id > 0);
            proptest::prop_assert_eq!(CompanyId::parse(&input).ok().map(CompanyId::get), expected);
        }

        #[test]
        fn every_positive_id_round_trips(id in 1..i64::MAX) {
            proptest::prop_assert_eq!(CompanyId::parse(&CompanyId::new(id).to_string()), Ok(CompanyId::new(id)));
        }
    }

    #[test]
    fn company_ids_deserialize_only_positive_integers() {
        assert_eq!(serde_json::from_str::<CompanyId>("42").unwrap(), CompanyId::new(42));
        for bad in ["0", "-3", "\"\"", "1.5"] {
            assert!(serde_json::from_str::<CompanyId>(bad).is_err(), "{bad} should be refused");
        }
        assert_eq!(serde_json::to_string(&CompanyId::new(7)).unwrap(), "7");
    }

    #[test]
    fn company_ids_parse_only_positive_integers() {
        assert_eq!(CompanyId::parse(" 42 "), Ok(CompanyId::new(42)));
        for bad in ["", "0", "-1", "4x", "1e3", "99999999999999999999"] {
            assert!(CompanyId::parse(bad).is_err(), "{bad:?} should be refused");
        }
    }
}
