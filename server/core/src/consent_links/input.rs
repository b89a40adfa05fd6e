//! What a consent link is made out with, parsed at the boundary: its recipient's address and
//! the note for them.

use crate::error::CoreError;
use std::str::FromStr;

/// The email address a link is made out to: one `lettre` accepts, at most 254 characters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recipient(String);

impl Recipient {
    pub fn parse(value: &str) -> Result<Self, CoreError> {
        let value = value.trim();
        let invalid = || CoreError::Invalid(format!("\"{value}\" is not an email address."));
        if value.is_empty() || value.len() > 254 {
            return Err(invalid());
        }
        lettre::Address::from_str(value).map_err(|_| invalid())?;
        Ok(Self(value.to_owned()))
    }
}

impl AsRef<str> for Recipient {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// A note for the recipient: at most 500 characters, line breaks allowed, no other control
/// characters. Blank is none.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LinkMessage(String);

impl LinkMessage {
    pub fn parse(value: &str) -> Result<Option<Self>, CoreError> {
        let value = value.trim();
        if value.is_empty() {
            return Ok(None);
        }
        if value.chars().count() > 500 || value.chars().any(|c| c.is_control() && c != '\n' && c != '\r') {
            return Err(CoreError::Invalid(
                "The message may have at most 500 characters, and no control characters.".into(),
            ));
        }
        Ok(Some(Self(value.to_owned())))
    }
}

impl AsRef<str> for LinkMessage {
    fn as_ref(&self) -> &str {
        &self.0
    }
}
