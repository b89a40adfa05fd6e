//! The token API for the products' backends: `GET /api/v1/companies/{company}/products/{product}/token`
//! with `Authorization: Bearer <API key>` answers a currently valid UPS access token, refreshing
//! first when it is about to expire. Keys belong to one product and are stored as SHA-256; they are
//! created and revoked from the command line. The OpenAPI document is at `/api/v1/openapi.json`.

use app::{
    ids::CompanyId,
    lifecycle::{fresh_token, TokenError},
    product::Product,
    secret::{random_token, token_hash, SecretString},
    state::{now, AppState},
};
use axum::{
    extract::{Path, State},
    http::{header, HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use serde_json::json;
use sqlx::SqlitePool;

/// A token handed out is valid for at least this long; a shorter-lived one is refreshed first.
const MIN_VALIDITY_SECS: i64 = 60;

pub const OPENAPI: &str = include_str!("openapi.json");

pub async fn openapi() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI).into_response()
}

pub fn error(status: StatusCode, code: &str, message: &str) -> Response {
    (status, [(header::CACHE_CONTROL, "no-store")], Json(json!({ "error": code, "message": message }))).into_response()
}

/// A product backend's API key, once checked.
pub struct ApiKey {
    pub id: i64,
    pub product: Product,
}

/// Checks `Authorization: Bearer <key>`: one indexed lookup of the key's SHA-256, no slow hash.
pub async fn authenticate(state: &AppState, headers: &HeaderMap) -> Result<ApiKey, Response> {
    let key = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        .map(str::trim);
    let Some(key) = key else {
        return Err(error(
            StatusCode::UNAUTHORIZED,
            "invalid_api_key",
            "Send an API key as `Authorization: Bearer <key>`.",
        ));
    };
    let row: Option<(i64, String)> =
        sqlx::query_as("SELECT id, product FROM api_keys WHERE key_hash = ? AND revoked_at IS NULL")
            .bind(token_hash(key))
            .fetch_optional(&state.db)
            .await
            .map_err(|failure| {
                tracing::error!(error = %failure, "API key lookup failed");
                error(StatusCode::INTERNAL_SERVER_ERROR, "internal", "Please try again.")
            })?;
    match row.map(|(id, product)| (id, Product::parse(&product))) {
        Some((id, Ok(product))) => Ok(ApiKey { id, product }),
        _ => Err(error(StatusCode::UNAUTHORIZED, "invalid_api_key", "The API key is unknown or revoked.")),
    }
}

pub async fn token(
    State(state): State<AppState>,
    Path((company, product)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let key = match authenticate(&state, &headers).await {
        Ok(key) => key,
        Err(refusal) => return refusal,
    };
    let Ok(product) = Product::parse(&product) else {
        return error(StatusCode::NOT_FOUND, "unknown_product", "No such product.");
    };
    if key.product != product {
        return error(StatusCode::FORBIDDEN, "wrong_product", "This API key belongs to another product.");
    }
    let Ok(company) = CompanyId::parse(&company) else {
        return error(StatusCode::NOT_FOUND, "unknown_company", "No such company.");
    };
    match fresh_token(&state, company, product, MIN_VALIDITY_SECS).await {
        Ok(token) => (
            StatusCode::OK,
            [(header::CACHE_CONTROL, "no-store")],
            Json(json!({
                "access_token": token.access_token.expose(),
                "token_type": "Bearer",
                "expires_at": token.expires_at,
                "expires_in": (token.expires_at - now()).max(0),
                "status": "authorized",
            })),
        )
            .into_response(),
        Err(TokenError::UnknownCompany) => error(StatusCode::NOT_FOUND, "unknown_company", "No such company."),
        Err(TokenError::NotAuthorized) => {
            error(StatusCode::CONFLICT, "not_authorized", "No admin of this company has opted in to this product.")
        }
        Err(TokenError::OptedOut) => error(StatusCode::CONFLICT, "opted_out", "An admin of this company opted out."),
        Err(TokenError::Cleared) => error(StatusCode::CONFLICT, "cleared", "An admin of this company cleared the authorization."),
        Err(TokenError::ReauthorizationRequired) => error(
            StatusCode::CONFLICT,
            "reauthorization_required",
            "UPS no longer accepts this authorization (for example after a UPS.com password change); an admin must authorize again.",
        ),
        Err(TokenError::Unavailable) => {
            error(StatusCode::SERVICE_UNAVAILABLE, "provider_unavailable", "UPS is unavailable; retry later.")
        }
        Err(TokenError::App(_)) => error(StatusCode::INTERNAL_SERVER_ERROR, "internal", "Please try again."),
    }
}

/// Creates a key for `product`: returns its public prefix and the key itself (shown once).
pub async fn create_key(db: &SqlitePool, product: Product, label: &str) -> Result<(String, SecretString), sqlx::Error> {
    let secret = random_token();
    let key = SecretString::new(format!("optin_{}", secret.expose()));
    let prefix = key.expose()[..14].to_owned();
    sqlx::query("INSERT INTO api_keys (product, label, prefix, key_hash, created_at) VALUES (?, ?, ?, ?, ?)")
        .bind(product.slug())
        .bind(label.trim())
        .bind(&prefix)
        .bind(token_hash(key.expose()))
        .bind(now())
        .execute(db)
        .await?;
    Ok((prefix, key))
}

/// Revokes the key with this prefix; returns whether one was revoked.
pub async fn revoke_key(db: &SqlitePool, prefix: &str) -> Result<bool, sqlx::Error> {
    let revoked = sqlx::query("UPDATE api_keys SET revoked_at = ? WHERE prefix = ? AND revoked_at IS NULL")
        .bind(now())
        .bind(prefix.trim())
        .execute(db)
        .await?
        .rows_affected();
    Ok(revoked > 0)
}
