//! The consent links API for a product's backend, with its API key:
//! `POST /api/v1/companies/{company}/consent-links` makes one out (emailed when SMTP is
//! configured, unless `"send_email": false`; otherwise its `url` is in the answer, this once),
//! `GET` on the same path lists those still waiting, and `DELETE …/consent-links/{id}` revokes
//! one. The key's product is the link's.

use crate::{
    api::{authenticate, ApiError},
    routes::Declared,
};
use app::state::AppState;
use axum::{
    body::Bytes,
    extract::{Path, State},
    http::{header, HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use model::{CompanyId, ConsentLinkId};
use optin_core::consent_links::{self, Caller, Delivery, LinkMessage, LinkRequest, Recipient};
use serde::Deserialize;
use serde_json::json;
use std::time::Duration;

pub fn routes() -> Declared<AppState> {
    Declared::default()
        .post("/api/v1/companies/{company}/consent-links", create)
        .get("/api/v1/companies/{company}/consent-links", list)
        .delete("/api/v1/companies/{company}/consent-links/{link}", revoke)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewLinkRequest {
    /// Whom the link is for: an email address.
    recipient: String,
    /// A note shown to them with the link.
    message: Option<String>,
    /// How long the link works, in seconds (1 to 30 days); the service's setting by default.
    expires_in: Option<u64>,
    /// Email the link when SMTP is configured (the default); `false` hands it back to deliver
    /// yourself.
    send_email: Option<bool>,
}

fn company_of(company: &str) -> Result<CompanyId, ApiError> {
    CompanyId::parse(company).map_err(|_| ApiError::UnknownCompany)
}

/// `POST /api/v1/companies/{company}/consent-links` with
/// `{"recipient": "…", "message": "…", "expires_in": 86400, "send_email": false}`: 201 with the
/// link's `id`, `expires_at`, how it was delivered and, unless emailed, its `url`.
pub async fn create(
    State(state): State<AppState>,
    Path(company): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let key = authenticate(&state.core, &headers).await?;
    let company = company_of(&company)?;
    let request: NewLinkRequest = serde_json::from_slice(&body)
        .map_err(|failure| ApiError::InvalidRequest(format!("The body must be JSON as documented: {failure}.")))?;
    let recipient = Recipient::parse(&request.recipient)?;
    let link = LinkRequest {
        company,
        product: key.product,
        recipient: recipient.clone(),
        message: LinkMessage::parse(request.message.as_deref().unwrap_or_default())?,
        lifetime: request.expires_in.map(Duration::from_secs),
        email: request.send_email.unwrap_or(true),
    };
    let created = consent_links::create(&state.core, Caller::Backend(&key), link).await?;
    let body = json!({
        "id": created.id,
        "company": company,
        "product": key.product.slug(),
        "recipient": recipient.as_ref(),
        "expires_at": created.expires_at,
        "delivery": created.delivery.code(),
        "url": match &created.delivery {
            Delivery::Handed { url, .. } => Some(url.expose()),
            Delivery::Emailed => None,
        },
    });
    Ok((StatusCode::CREATED, [(header::CACHE_CONTROL, "no-store")], Json(body)).into_response())
}

/// `GET /api/v1/companies/{company}/consent-links`: the key's product's links for the company
/// still waiting, newest first.
pub async fn list(
    State(state): State<AppState>,
    Path(company): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let key = authenticate(&state.core, &headers).await?;
    let company = company_of(&company)?;
    let links = consent_links::pending(&state.core, Caller::Backend(&key), company, key.product).await?;
    let links: Vec<_> = links
        .into_iter()
        .map(|link| {
            json!({
                "id": link.id,
                "recipient": link.recipient,
                "sent_by": link.sent_by,
                "created_at": link.created_at,
                "expires_at": link.expires_at,
                "opened_at": link.opened.as_ref().map(|opened| opened.at),
            })
        })
        .collect();
    Ok((StatusCode::OK, [(header::CACHE_CONTROL, "no-store")], Json(json!({ "links": links }))).into_response())
}

/// `DELETE /api/v1/companies/{company}/consent-links/{id}`: 204; 404 when no such link is
/// waiting.
pub async fn revoke(
    State(state): State<AppState>,
    Path((company, link)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let key = authenticate(&state.core, &headers).await?;
    let company = company_of(&company)?;
    let link = ConsentLinkId::parse(&link).ok_or(ApiError::UnknownConsentLink)?;
    match consent_links::revoke(&state.core, Caller::Backend(&key), company, key.product, link).await? {
        true => Ok(StatusCode::NO_CONTENT.into_response()),
        false => Err(ApiError::UnknownConsentLink),
    }
}
