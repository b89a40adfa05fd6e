//! Identifiers that mean something: a company id is never confused with a user id.

use crate::error::AppError;
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CompanyId(i64);

impl CompanyId {
    pub fn new(value: i64) -> Self {
        Self(value)
    }

    pub fn get(self) -> i64 {
        self.0
    }

    /// Parses a company id as it arrives in a URL or a form.
    pub fn parse(value: &str) -> Result<Self, AppError> {
        value
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|id| *id > 0)
            .map(Self)
            .ok_or_else(|| AppError::Invalid(format!("\"{value}\" is not a company number.")))
    }
}

impl fmt::Display for CompanyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn company_ids_parse_only_positive_integers() {
        assert_eq!(CompanyId::parse(" 42 "), Ok(CompanyId::new(42)));
        for bad in ["", "0", "-1", "4x", "1e3", "99999999999999999999"] {
            assert!(CompanyId::parse(bad).is_err(), "{bad:?} should be refused");
        }
    }
}
