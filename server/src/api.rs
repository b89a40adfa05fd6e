//! What the JSON APIs for the products' backends share (the token API and the embed API): the
//! bearer API key, and the error answer: a status, a stable `error` code a program can match, and
//! a `message` a person can read. Internal causes are logged here and never echoed.

use axum::{
    http::{header, HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use optin_core::{api_keys, lifecycle::TokenError, store::StoreError, Core, CoreError};
use serde_json::json;

/// Why an API request was refused.
#[derive(Debug)]
pub enum ApiError {
    /// 401: no `Authorization: Bearer` header.
    MissingApiKey,
    /// 401: the key is unknown or revoked.
    InvalidApiKey,
    /// 404: the path names no product.
    UnknownProduct,
    /// 403: the key belongs to another product.
    WrongProduct,
    /// 404: no such company.
    UnknownCompany,
    /// 404: no consent link of the company's with this number is waiting (used, revoked, expired
    /// or never made).
    UnknownConsentLink,
    /// 409: no admin of the company has opted in to the product.
    NotAuthorized,
    /// 409: an admin opted out.
    OptedOut,
    /// 409: an admin cleared the authorization.
    Cleared,
    /// 409: UPS no longer accepts the grant; an admin must authorize again.
    ReauthorizationRequired,
    /// 503: UPS is unavailable and the stored token has expired.
    ProviderUnavailable,
    /// 503 with `Retry-After`: UPS throttles the application (or its refresh budget is spent)
    /// and the stored token has expired.
    ProviderRateLimited { retry_after_secs: u64 },
    /// 503 with `Retry-After`: UPS refuses the application itself, and the stored token has
    /// expired; the service's operators have been told.
    ApplicationRefused { retry_after_secs: u64 },
    /// 400: the request is malformed; the message says what to fix.
    InvalidRequest(String),
    /// 403: the portal origin may not embed the product; the message says why.
    OriginNotAllowed(String),
    /// 500: the stored token does not open with the service's keys (its key was removed from the
    /// ring, or the row was tampered with); logged with the row, and the admin pages say so.
    TokenUnreadable,
    /// 500: our failure, logged where it was turned into this.
    Internal,
}

impl ApiError {
    /// The stable `error` code of the answer.
    pub fn code(&self) -> &'static str {
        self.parts().1
    }

    fn parts(&self) -> (StatusCode, &'static str, &str) {
        match self {
            Self::MissingApiKey => {
                (StatusCode::UNAUTHORIZED, "invalid_api_key", "Send an API key as `Authorization: Bearer <key>`.")
            }
            Self::InvalidApiKey => (StatusCode::UNAUTHORIZED, "invalid_api_key", "The API key is unknown or revoked."),
            Self::UnknownProduct => (StatusCode::NOT_FOUND, "unknown_product", "No such product."),
            Self::WrongProduct => (StatusCode::FORBIDDEN, "wrong_product", "This API key belongs to another product."),
            Self::UnknownCompany => (StatusCode::NOT_FOUND, "unknown_company", "No such company."),
            Self::UnknownConsentLink => {
                (StatusCode::NOT_FOUND, "unknown_consent_link", "No such consent link of this company is waiting.")
            }
            Self::NotAuthorized => {
                (StatusCode::CONFLICT, "not_authorized", "No admin of this company has opted in to this product.")
            }
            Self::OptedOut => (StatusCode::CONFLICT, "opted_out", "An admin of this company opted out."),
            Self::Cleared => (StatusCode::CONFLICT, "cleared", "An admin of this company cleared the authorization."),
            Self::ReauthorizationRequired => (
                StatusCode::CONFLICT,
                "reauthorization_required",
                "UPS no longer accepts this authorization (for example after a UPS.com password change); an admin must authorize again.",
            ),
            Self::ProviderUnavailable => {
                (StatusCode::SERVICE_UNAVAILABLE, "provider_unavailable", "UPS is unavailable; retry later.")
            }
            Self::ProviderRateLimited { .. } => (
                StatusCode::SERVICE_UNAVAILABLE,
                "provider_rate_limited",
                "UPS is rate limiting this application; retry after the time Retry-After gives.",
            ),
            Self::ApplicationRefused { .. } => (
                StatusCode::SERVICE_UNAVAILABLE,
                "application_refused",
                "UPS refuses this application (its registration or credentials at UPS); the service's operators have been told. Retry later.",
            ),
            Self::InvalidRequest(message) => (StatusCode::BAD_REQUEST, "invalid_request", message),
            Self::OriginNotAllowed(message) => (StatusCode::FORBIDDEN, "origin_not_allowed", message),
            Self::TokenUnreadable => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "token_unreadable",
                "The stored token cannot be decrypted with the service's keys. The service's operator must restore the key that sealed it; otherwise an admin must authorize again.",
            ),
            Self::Internal => (StatusCode::INTERNAL_SERVER_ERROR, "internal", "Please try again."),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code, message) = self.parts();
        let body = Json(json!({ "error": code, "message": message }));
        let mut response = (status, [(header::CACHE_CONTROL, "no-store")], body).into_response();
        if let Self::ProviderRateLimited { retry_after_secs } | Self::ApplicationRefused { retry_after_secs } = self {
            response.headers_mut().insert(header::RETRY_AFTER, retry_after_secs.max(1).into());
        }
        response
    }
}

impl From<CoreError> for ApiError {
    fn from(error: CoreError) -> Self {
        match error {
            CoreError::NotFound(_) => Self::UnknownCompany,
            CoreError::Invalid(message) => Self::InvalidRequest(message),
            error => {
                tracing::error!(error = %error, cause = ?std::error::Error::source(&error), "API request failed");
                Self::Internal
            }
        }
    }
}

impl From<TokenError> for ApiError {
    fn from(error: TokenError) -> Self {
        match error {
            TokenError::UnknownCompany => Self::UnknownCompany,
            TokenError::NotAuthorized => Self::NotAuthorized,
            TokenError::OptedOut => Self::OptedOut,
            TokenError::Cleared => Self::Cleared,
            TokenError::ReauthorizationRequired => Self::ReauthorizationRequired,
            TokenError::Unavailable => Self::ProviderUnavailable,
            TokenError::RateLimited { retry_after } => {
                Self::ProviderRateLimited { retry_after_secs: retry_after.as_secs_f64().ceil() as u64 }
            }
            TokenError::ApplicationRefused { retry_after } => {
                Self::ApplicationRefused { retry_after_secs: retry_after.as_secs_f64().ceil() as u64 }
            }
            TokenError::Store(error @ StoreError::Unsealable { .. }) => {
                tracing::error!(error = %error, "the stored token does not open");
                Self::TokenUnreadable
            }
            error @ (TokenError::Store(_) | TokenError::RefreshTask(_)) => {
                tracing::error!(error = %error, "token request failed");
                Self::Internal
            }
        }
    }
}

/// Checks `Authorization: Bearer <key>`: one indexed lookup of the key's SHA-256, no slow hash.
pub async fn authenticate(core: &Core, headers: &HeaderMap) -> Result<api_keys::ApiKey, ApiError> {
    let key = bearer(headers).ok_or(ApiError::MissingApiKey)?;
    api_keys::authenticate(core, key).await?.ok_or(ApiError::InvalidApiKey)
}

/// The credential of `Authorization: Bearer <credential>`.
pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        .map(str::trim)
}
