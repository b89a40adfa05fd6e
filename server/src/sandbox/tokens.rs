//! The token and refresh endpoints (server to server): client authentication with HTTP Basic,
//! the authorization-code exchange with PKCE, and refresh-token rotation, answering UPS's
//! all-string JSON and UPS's error bodies.

use super::{Sandbox, SandboxClient, SandboxError};
use axum::{
    extract::State,
    http::{header, HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    Form, Json,
};
use base64::{
    engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD},
    Engine as _,
};
use optin_core::{
    clock::now,
    secret::{random_token, token_hash},
    store::SandboxToken,
    ups::UpsErrorResponse,
};
use serde::Deserialize;
use sha2::{Digest, Sha256};

fn ups_error(status: StatusCode, code: &str, message: &str) -> Response {
    (status, Json(UpsErrorResponse::new(code, message))).into_response()
}

impl Sandbox {
    /// HTTP Basic `client_id:client_secret` (each form-urlencoded, as RFC 6749 §2.3.1 allows), and
    /// the grant type the endpoint serves.
    fn authenticate(
        &self,
        headers: &HeaderMap,
        form: &TokenForm,
        grant_type: &str,
    ) -> Result<(&str, &SandboxClient), Response> {
        let client = self.client_of(headers)?;
        if form.grant_type != grant_type {
            return Err(ups_error(StatusCode::BAD_REQUEST, "10400", "Invalid grant_type"));
        }
        Ok(client)
    }

    fn client_of(&self, headers: &HeaderMap) -> Result<(&str, &SandboxClient), Response> {
        let invalid = || ups_error(StatusCode::UNAUTHORIZED, "10401", "ClientId is Invalid");
        let encoded = headers
            .get(header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.strip_prefix("Basic "))
            .ok_or_else(|| ups_error(StatusCode::BAD_REQUEST, "10400", "Invalid Authentication Header"))?;
        let decoded =
            STANDARD.decode(encoded.trim()).ok().and_then(|bytes| String::from_utf8(bytes).ok()).ok_or_else(invalid)?;
        let (id, secret) = decoded.split_once(':').ok_or_else(invalid)?;
        let decode = |part: &str| {
            url::form_urlencoded::parse(format!("x={part}").as_bytes())
                .next()
                .map(|(_, v)| v.into_owned())
                .unwrap_or_default()
        };
        let (id, secret) = (decode(id), decode(secret));
        let (id, client) = self.clients.get_key_value(&id).ok_or_else(invalid)?;
        if !constant_time_eq(client.secret.expose().as_bytes(), secret.as_bytes()) {
            return Err(invalid());
        }
        Ok((id.as_str(), client))
    }

    /// What the store keeps of a pair: its hashes and when each expires.
    fn lifetimes_of<'a>(
        &self,
        pair: &Pair,
        access: &'a [u8],
        refresh: &'a [u8],
    ) -> (SandboxToken<'a>, SandboxToken<'a>) {
        (
            SandboxToken { hash: access, expires_at: pair.issued + self.lifetimes.access_token_lifetime_secs as i64 },
            SandboxToken { hash: refresh, expires_at: pair.issued + self.lifetimes.refresh_token_lifetime_secs as i64 },
        )
    }

    /// A new access/refresh pair, issued now.
    fn new_pair(&self) -> Pair {
        Pair { access: random_token(), refresh: random_token(), issued: now() }
    }

    /// The pair as UPS answers it: all-string JSON.
    fn pair_response(&self, client_id: &str, pair: &Pair, refresh_count: i64) -> Response {
        let millis = (pair.issued * 1000).to_string();
        let body = serde_json::json!({
            "token_type": "Bearer",
            "issued_at": millis,
            "client_id": client_id,
            "access_token": pair.access.expose(),
            "refresh_token": pair.refresh.expose(),
            "scope": "",
            "expires_in": self.lifetimes.access_token_lifetime_secs.to_string(),
            "refresh_token_expires_in": self.lifetimes.refresh_token_lifetime_secs.to_string(),
            "refresh_token_issued_at": millis,
            "refresh_token_status": "approved",
            "refresh_count": refresh_count.to_string(),
            "status": "approved",
        });
        (StatusCode::OK, [(header::CACHE_CONTROL, "no-store")], Json(body)).into_response()
    }
}

/// A pair about to be issued, and the hashes the store keeps of it.
struct Pair {
    access: optin_core::secret::SecretString,
    refresh: optin_core::secret::SecretString,
    issued: i64,
}

impl Pair {
    fn hashes(&self) -> (Vec<u8>, Vec<u8>) {
        (token_hash(self.access.expose()), token_hash(self.refresh.expose()))
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct TokenForm {
    grant_type: String,
    code: String,
    redirect_uri: String,
    code_verifier: String,
    refresh_token: String,
}

/// `POST /security/v1/oauth/token`: the authorization-code exchange.
pub(super) async fn token(State(sandbox): State<Sandbox>, headers: HeaderMap, Form(form): Form<TokenForm>) -> Response {
    if let Some(fault) = sandbox.faults.injected_response().await {
        return fault;
    }
    let (client_id, client) = match sandbox.authenticate(&headers, &form, "authorization_code") {
        Ok(client) => client,
        Err(response) => return response,
    };
    let invalid_code = || ups_error(StatusCode::BAD_REQUEST, "10400", "Invalid authorization code");
    let result: Result<Response, SandboxError> = async {
        let Some(code) = sandbox.store.sandbox_take_code(&token_hash(&form.code)).await? else {
            return Ok(invalid_code());
        };
        if code.client_id != client_id || code.expires_at <= now() || code.grant_revoked {
            return Ok(invalid_code());
        }
        if form.redirect_uri != code.redirect_uri || code.redirect_uri != client.redirect_uri {
            return Ok(ups_error(StatusCode::UNAUTHORIZED, "10401", "Invalid redirect_uri"));
        }
        if let Some(challenge) = code.code_challenge {
            let computed = URL_SAFE_NO_PAD.encode(Sha256::digest(form.code_verifier.as_bytes()));
            if form.code_verifier.is_empty() || !constant_time_eq(computed.as_bytes(), challenge.as_bytes()) {
                return Ok(ups_error(StatusCode::BAD_REQUEST, "10400", "Invalid code_verifier"));
            }
        }
        let pair = sandbox.new_pair();
        let (access, refresh) = pair.hashes();
        let (access, refresh) = sandbox.lifetimes_of(&pair, &access, &refresh);
        sandbox.store.sandbox_issue_tokens(code.grant_id, access, refresh).await?;
        Ok(sandbox.pair_response(client_id, &pair, 0))
    }
    .await;
    result.unwrap_or_else(|_| ups_error(StatusCode::INTERNAL_SERVER_ERROR, "10500", "Internal Server Error"))
}

/// `POST /security/v1/oauth/refresh`: rotates the pair. The old refresh token is revoked with a
/// conditional update, so of two concurrent refreshes with the same token exactly one wins and the
/// other gets "Invalid Refresh Token", as at UPS.
pub(super) async fn refresh(
    State(sandbox): State<Sandbox>,
    headers: HeaderMap,
    Form(form): Form<TokenForm>,
) -> Response {
    if let Some(fault) = sandbox.faults.injected_response().await {
        return fault;
    }
    let (client_id, _) = match sandbox.authenticate(&headers, &form, "refresh_token") {
        Ok(client) => client,
        Err(response) => return response,
    };
    let invalid = || ups_error(StatusCode::BAD_REQUEST, "10400", "Invalid Refresh Token");
    let result: Result<Response, SandboxError> = async {
        let pair = sandbox.new_pair();
        let (access, refresh) = pair.hashes();
        let (access, refresh) = sandbox.lifetimes_of(&pair, &access, &refresh);
        match sandbox.store.sandbox_rotate(&token_hash(&form.refresh_token), client_id, access, refresh).await? {
            Some(refreshes) => Ok(sandbox.pair_response(client_id, &pair, refreshes)),
            None => Ok(invalid()),
        }
    }
    .await;
    result.unwrap_or_else(|_| ups_error(StatusCode::INTERNAL_SERVER_ERROR, "10500", "Internal Server Error"))
}

#[cfg(test)]
mod tests {
    use super::constant_time_eq;

    #[test]
    fn compares_secrets_without_shortcuts() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"abcd"));
    }
}
