//! What UPS sends, as it sends it: a token response whose fields are all JSON strings (numbers
//! and blank strings are read too), and UPS's error body. Parsing only; no network.

use oauth2::{basic::BasicTokenType, AccessToken, RefreshToken, Scope, TokenResponse};
use serde::{Deserialize, Deserializer, Serialize};
use std::{fmt, time::Duration};

/// UPS's token response: every field is a JSON string, `expires_in` included.
#[derive(Debug, Deserialize, Serialize)]
pub struct UpsTokenResponse {
    access_token: AccessToken,
    #[serde(deserialize_with = "token_type")]
    token_type: BasicTokenType,
    #[serde(default)]
    refresh_token: Option<RefreshToken>,
    #[serde(default, deserialize_with = "lenient_u64")]
    expires_in: Option<u64>,
    #[serde(default, deserialize_with = "lenient_u64")]
    refresh_token_expires_in: Option<u64>,
    #[serde(default, deserialize_with = "lenient_u64")]
    issued_at: Option<u64>,
}

impl UpsTokenResponse {
    pub fn refresh_token_expires_in(&self) -> Option<Duration> {
        self.refresh_token_expires_in.map(Duration::from_secs)
    }

    /// When UPS says the token was issued, in Unix milliseconds.
    pub fn issued_at_millis(&self) -> Option<u64> {
        self.issued_at
    }
}

impl TokenResponse for UpsTokenResponse {
    type TokenType = BasicTokenType;

    fn access_token(&self) -> &AccessToken {
        &self.access_token
    }
    fn token_type(&self) -> &BasicTokenType {
        &self.token_type
    }
    fn expires_in(&self) -> Option<Duration> {
        self.expires_in.map(Duration::from_secs)
    }
    fn refresh_token(&self) -> Option<&RefreshToken> {
        self.refresh_token.as_ref()
    }
    fn scopes(&self) -> Option<&Vec<Scope>> {
        None
    }
}

/// Accepts `"14399"`, `14399` and `""` (as absent).
fn lenient_u64<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<u64>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum StringOrNumber {
        Number(u64),
        Text(String),
    }
    match Option::<StringOrNumber>::deserialize(deserializer)? {
        None => Ok(None),
        Some(StringOrNumber::Number(n)) => Ok(Some(n)),
        Some(StringOrNumber::Text(text)) if text.trim().is_empty() => Ok(None),
        Some(StringOrNumber::Text(text)) => text.trim().parse().map(Some).map_err(serde::de::Error::custom),
    }
}

fn token_type<'de, D: Deserializer<'de>>(deserializer: D) -> Result<BasicTokenType, D::Error> {
    let value = String::deserialize(deserializer)?;
    Ok(match value.to_ascii_lowercase().as_str() {
        "bearer" => BasicTokenType::Bearer,
        "mac" => BasicTokenType::Mac,
        _ => BasicTokenType::Extension(value),
    })
}

/// UPS's error body: `{"response":{"errors":[{"code":"10400","message":"Invalid Refresh Token"}]}}`.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
pub struct UpsErrorResponse {
    pub response: UpsErrors,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
pub struct UpsErrors {
    #[serde(default)]
    pub errors: Vec<UpsErrorItem>,
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
pub struct UpsErrorItem {
    pub code: String,
    pub message: String,
}

impl UpsErrorResponse {
    pub fn new(code: &str, message: &str) -> Self {
        Self { response: UpsErrors { errors: vec![UpsErrorItem { code: code.into(), message: message.into() }] } }
    }

    pub fn first(&self) -> Option<&UpsErrorItem> {
        self.response.errors.first()
    }
}

impl fmt::Display for UpsErrorResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.first() {
            Some(item) => write!(f, "{} {}", item.code, item.message),
            None => f.write_str("unspecified UPS error"),
        }
    }
}

impl oauth2::ErrorResponse for UpsErrorResponse {}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn body(expires_in: &str, extra: &str) -> String {
        format!(r#"{{"token_type":"Bearer","access_token":"a","expires_in":{expires_in}{extra}}}"#)
    }

    proptest! {
        /// `expires_in` as UPS sends it (a string), as a number, padded or blank: the same value,
        /// or none for blank.
        #[test]
        fn lifetimes_read_the_same_in_every_form(seconds in any::<u64>(), pad in " {0,3}") {
            for form in [format!("\"{pad}{seconds}{pad}\""), seconds.to_string()] {
                let response: UpsTokenResponse = serde_json::from_str(&body(&form, "")).unwrap();
                prop_assert_eq!(response.expires_in(), Some(Duration::from_secs(seconds)));
            }
            let blank: UpsTokenResponse = serde_json::from_str(&body(&format!("\"{pad}\""), "")).unwrap();
            prop_assert_eq!(blank.expires_in(), None);
        }

        /// Anything else in a number field is refused as malformed, never read as some number.
        #[test]
        fn non_numbers_are_refused(text in "[^0-9\"\\\\ ]{1,12}") {
            let quoted = format!("\"{text}\"");
            let read = serde_json::from_str::<UpsTokenResponse>(&body(&quoted, ""));
            prop_assert!(read.is_err());
        }

        /// Fields UPS adds, or leaves out, change nothing about what is read; arbitrary bodies
        /// are an error or a response, never a panic.
        #[test]
        fn unknown_fields_are_ignored_and_junk_is_an_error(key in "[a-z_]{1,12}", value in "\\PC{0,20}", junk in "\\PC{0,60}") {
            let extra = format!(r#","x_{key}":{}"#, serde_json::Value::String(value));
            let response: UpsTokenResponse = serde_json::from_str(&body("\"3600\"", &extra)).unwrap();
            prop_assert_eq!(response.expires_in(), Some(Duration::from_secs(3600)));
            let _ = serde_json::from_str::<UpsTokenResponse>(&junk);
            let _ = serde_json::from_str::<UpsErrorResponse>(&junk);
        }
    }
}
