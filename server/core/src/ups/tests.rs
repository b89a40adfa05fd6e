//! The UPS dialect: string fields, error bodies, lifetimes, what counts as a dead grant.

use super::*;
use oauth2::basic::BasicTokenType;

#[test]
fn reads_ups_string_fields() {
    let body = r#"{"token_type":"Bearer","issued_at":"1711987200000","client_id":"c",
        "access_token":"eyJ","refresh_token":"r1","scope":"","expires_in":"14399",
        "refresh_token_expires_in":"5183999","refresh_token_issued_at":"1711987200000",
        "refresh_token_status":"approved","refresh_count":"0","status":"approved"}"#;
    let response: UpsTokenResponse = serde_json::from_str(body).unwrap();
    assert_eq!(response.expires_in(), Some(Duration::from_secs(14399)));
    assert_eq!(response.refresh_token_expires_in(), Some(Duration::from_secs(5183999)));
    assert_eq!(response.issued_at_millis(), Some(1711987200000));
    assert_eq!(response.refresh_token().unwrap().secret(), "r1");
    assert_eq!(response.token_type(), &BasicTokenType::Bearer);
}

#[test]
fn reads_numbers_and_blank_strings_too() {
    let response: UpsTokenResponse =
        serde_json::from_str(r#"{"token_type":"bearer","access_token":"a","expires_in":3600,"issued_at":""}"#).unwrap();
    assert_eq!(response.expires_in(), Some(Duration::from_secs(3600)));
    assert_eq!(response.issued_at_millis(), None);
    assert!(serde_json::from_str::<UpsTokenResponse>(
        r#"{"token_type":"Bearer","access_token":"a","expires_in":"soon"}"#
    )
    .is_err());
}

#[test]
fn lifetimes_out_of_range_are_clamped() {
    let response: UpsTokenResponse =
        serde_json::from_str(r#"{"token_type":"Bearer","access_token":"a","expires_in":"18446744073709551615"}"#)
            .unwrap();
    assert_eq!(grant_from(response).unwrap().expires_in, MAX_LIFETIME);
    let response: UpsTokenResponse =
        serde_json::from_str(r#"{"token_type":"Bearer","access_token":"a","expires_in":"3600"}"#).unwrap();
    assert_eq!(grant_from(response).unwrap().expires_in, Duration::from_secs(3600));
}

proptest::proptest! {
    /// However long UPS says a token lives, what is stored is bounded, and a refresh is
    /// scheduled before it expires.
    #[test]
    fn any_lifetime_is_bounded_and_refreshed_in_time(seconds in proptest::prelude::any::<u64>()) {
        let response: UpsTokenResponse = serde_json::from_str(&format!(
            r#"{{"token_type":"Bearer","access_token":"a","expires_in":"{seconds}"}}"#
        ))
        .unwrap();
        let grant = grant_from(response).unwrap();
        proptest::prop_assert!(grant.expires_in <= MAX_LIFETIME);
        let lifetime = grant.expires_in.as_secs() as i64;
        proptest::prop_assert!((0..=lifetime.max(0)).contains(&grant.refresh_margin()));
    }
}

#[test]
fn only_a_refused_refresh_token_is_a_dead_grant() {
    let refused = |code: &str, message: &str| ProviderError::Rejected(UpsErrorResponse::new(code, message));
    assert!(refused("10400", "Invalid Refresh Token").is_dead_grant());
    assert!(refused("invalid_grant", "expired").is_dead_grant());
    assert!(!refused("10401", "ClientId is Invalid").is_dead_grant());
    assert!(!ProviderError::Unavailable("503".into()).is_dead_grant());
}

#[test]
fn answers_fall_into_their_classes() {
    let refused = |code: &str, message: &str| ProviderError::Rejected(UpsErrorResponse::new(code, message));
    let blocked =
        ProviderError::ApplicationRefused { status: 403, error: UpsErrorResponse::new("403", "Blocked Merchant") };
    assert_eq!(blocked.class(), AnswerClass::ApplicationRefused);
    assert_eq!(refused("10401", "ClientId is Invalid").class(), AnswerClass::ApplicationRefused);
    assert_eq!(refused("10400", "Invalid Authentication Header").class(), AnswerClass::ApplicationRefused);
    assert_eq!(refused("10400", "Invalid Refresh Token").class(), AnswerClass::DeadGrant);
    let throttled = ProviderError::RateLimited { retry_after: Some(Duration::from_secs(7)) };
    assert_eq!((throttled.class(), throttled.retry_after()), (AnswerClass::RateLimited, Some(Duration::from_secs(7))));
    assert_eq!(ProviderError::Unanswered("timeout".into()).class(), AnswerClass::Unavailable);
    assert_eq!(ProviderError::Malformed("junk".into()).class(), AnswerClass::Unreadable);
    for class in AnswerClass::ALL {
        assert_eq!(AnswerClass::parse(class.as_str()), Some(class));
    }
}

#[test]
fn retry_after_reads_seconds_and_dates() {
    let headers = |value: &str| {
        let mut headers = http::HeaderMap::new();
        headers.insert(http::header::RETRY_AFTER, value.parse().unwrap());
        headers
    };
    assert_eq!(retry_after(&headers("12")), Some(Duration::from_secs(12)));
    let in_a_minute = httpdate::fmt_http_date(std::time::SystemTime::now() + Duration::from_secs(60));
    let read = retry_after(&headers(&in_a_minute)).unwrap();
    assert!((Duration::from_secs(58)..=Duration::from_secs(60)).contains(&read), "{read:?}");
    assert_eq!(retry_after(&headers("soon")), None);
    assert_eq!(retry_after(&headers("999999999")), Some(Duration::from_secs(24 * 60 * 60)));
    assert_eq!(retry_after(&http::HeaderMap::new()), None);
}

#[test]
fn reads_ups_error_bodies() {
    let error: UpsErrorResponse =
        serde_json::from_str(r#"{"response":{"errors":[{"code":"10400","message":"Invalid Refresh Token"}]}}"#)
            .unwrap();
    assert_eq!(error.to_string(), "10400 Invalid Refresh Token");
}

#[test]
fn grants_do_not_print_tokens() {
    let grant = TokenGrant {
        access_token: SecretString::new("secret-access"),
        refresh_token: Some(SecretString::new("secret-refresh")),
        expires_in: Duration::from_secs(10),
        refresh_expires_in: None,
    };
    let printed = format!("{grant:?}");
    assert!(!printed.contains("secret-"), "{printed}");
}
