//! The token API for the products' backends: `GET /api/v1/companies/{company}/products/{product}/token`
//! with `Authorization: Bearer <API key>` answers a currently valid UPS access token, refreshing
//! first when it is about to expire. Keys belong to one product (`optin_core::api_keys`); they
//! are created and revoked from the command line. The OpenAPI document is at
//! `/api/v1/openapi.json`.

use crate::{
    api::{authenticate, ApiError},
    routes::Declared,
};
use app::state::AppState;
use axum::{
    extract::{Path, State},
    http::{header, HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use model::{CompanyId, Product};
use optin_core::{api_keys, clock::now, lifecycle::fresh_token};
use serde_json::json;

/// A token handed out is valid for at least this long; a shorter-lived one is refreshed first.
const MIN_VALIDITY_SECS: i64 = 60;

pub const OPENAPI: &str = include_str!("openapi.json");

/// The token API and its OpenAPI document.
pub fn routes() -> Declared<AppState> {
    Declared::default()
        .get("/api/v1/companies/{company}/products/{product}/token", token)
        .get("/api/v1/openapi.json", openapi)
}

pub async fn openapi() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI).into_response()
}

pub async fn token(
    State(state): State<AppState>,
    Path((company, product)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let started = std::time::Instant::now();
    let answer = serve_token(&state, &company, &product, &headers).await;
    let outcome = match &answer {
        Ok(_) => "ok",
        Err(error) => error.code(),
    };
    metrics::histogram!("optin_token_api_seconds", "outcome" => outcome).record(started.elapsed().as_secs_f64());
    answer
}

async fn serve_token(
    state: &AppState,
    company: &str,
    product: &str,
    headers: &HeaderMap,
) -> Result<Response, ApiError> {
    let key = authenticate(&state.core, headers).await?;
    let product = Product::parse(product).map_err(|_| ApiError::UnknownProduct)?;
    if key.product != product {
        return Err(ApiError::WrongProduct);
    }
    let company = CompanyId::parse(company).map_err(|_| ApiError::UnknownCompany)?;
    api_keys::require_reach(&state.core, &key, company).await?;
    let token = fresh_token(&state.core, company, product, MIN_VALIDITY_SECS).await?;
    Ok((
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
        .into_response())
}
