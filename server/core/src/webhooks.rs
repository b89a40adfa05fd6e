//! Webhook endpoints, which each product's backend registers to hear about its companies'
//! authorizations: adding, listing, removing, rotating the signing secret (the old one keeps
//! signing beside the new one for a day), replaying an event; and signing a delivery the
//! Standard Webhooks way (`webhook-id`, `webhook-timestamp`, `webhook-signature`: HMAC-SHA256
//! over `id.timestamp.body`, with the `standardwebhooks` crate).

use crate::{clock::now, error::CoreError, secret::SecretString, Core};
use base64::{engine::general_purpose::STANDARD, Engine as _};
use model::Product;
use rand::RngCore;

pub use crate::store::WebhookEndpoint;

/// How long a rotated-out secret keeps signing beside the new one.
pub const ROTATION_GRACE_SECS: i64 = 24 * 60 * 60;

/// A fresh signing secret, `whsec_` and 32 random bytes in base64, as Standard Webhooks has it.
fn new_secret() -> SecretString {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    SecretString::new(format!("whsec_{}", STANDARD.encode(bytes)))
}

/// An endpoint URL: http or https with a host, no credentials in it.
pub fn check_url(url: &str) -> Result<url::Url, CoreError> {
    let parsed = url::Url::parse(url.trim()).map_err(|_| CoreError::Invalid(format!("\"{url}\" is not a URL.")))?;
    let usable = matches!(parsed.scheme(), "http" | "https") && parsed.has_host() && parsed.username().is_empty();
    match usable && parsed.password().is_none() {
        true => Ok(parsed),
        false => Err(CoreError::Invalid(format!("\"{url}\" is not an http(s) URL without credentials."))),
    }
}

/// A signing secret as Standard Webhooks has it: `whsec_` and base64.
pub fn check_secret(secret: &SecretString) -> Result<(), CoreError> {
    standardwebhooks::Webhook::new(secret.expose())
        .map(|_| ())
        .map_err(|_| CoreError::Invalid("the signing secret is not a whsec_… secret".into()))
}

/// Registers `url` for `product`'s events; answers its id and its signing secret (shown once).
pub async fn add(core: &Core, product: Product, url: &str) -> Result<(i64, SecretString), CoreError> {
    let url = check_url(url)?;
    let secret = new_secret();
    let id = core.store.add_endpoint(product, url.as_str(), &secret).await?;
    Ok((id, secret))
}

/// Makes sure `product`'s events go to `url`, signed with `secret` (an endpoint from the settings
/// file): added when missing, its secret rotated when it differs (the old one signs beside it for
/// a day), left alone otherwise.
pub async fn ensure(core: &Core, product: Product, url: &str, secret: &SecretString) -> Result<i64, CoreError> {
    let url = check_url(url)?;
    check_secret(secret)
        .map_err(|_| CoreError::Invalid(format!("the secret for {url} is not a whsec_… signing secret")))?;
    match core.store.endpoint_at(product, url.as_str()).await? {
        None => Ok(core.store.add_endpoint(product, url.as_str(), secret).await?),
        Some((id, current)) if current == *secret => Ok(id),
        Some((id, _)) => {
            core.store.rotate_endpoint_secret(id, secret, now() + ROTATION_GRACE_SECS).await?;
            Ok(id)
        }
    }
}

pub async fn list(core: &Core) -> Result<Vec<WebhookEndpoint>, CoreError> {
    Ok(core.store.endpoints().await?)
}

pub async fn remove(core: &Core, id: i64) -> Result<(), CoreError> {
    match core.store.remove_endpoint(id).await? {
        true => Ok(()),
        false => Err(CoreError::NotFound(format!("Webhook endpoint {id}"))),
    }
}

/// A new signing secret for the endpoint (shown once); the old one signs too for a day.
pub async fn rotate_secret(core: &Core, id: i64) -> Result<SecretString, CoreError> {
    let secret = new_secret();
    match core.store.rotate_endpoint_secret(id, &secret, now() + ROTATION_GRACE_SECS).await? {
        true => Ok(secret),
        false => Err(CoreError::NotFound(format!("Webhook endpoint {id}"))),
    }
}

/// Queues the event again for every current endpoint of its product; how many.
pub async fn replay(core: &Core, event_id: &str) -> Result<u64, CoreError> {
    core.store.replay_event(event_id.trim()).await?.ok_or_else(|| CoreError::NotFound(format!("Event {event_id}")))
}

/// The Standard Webhooks headers for `body`: the event id, the time, and one signature per
/// secret (space-separated, so a receiver holding either secret verifies it).
pub fn signed_headers(
    id: &str,
    body: &str,
    secrets: &[SecretString],
    timestamp: i64,
) -> Result<[(&'static str, String); 3], CoreError> {
    let mut signatures = Vec::new();
    for secret in secrets {
        let webhook = standardwebhooks::Webhook::new(secret.expose())
            .map_err(|error| CoreError::Unexpected(format!("a webhook secret is unusable: {error}")))?;
        let signature = webhook
            .sign(id, timestamp, body.as_bytes())
            .map_err(|error| CoreError::Unexpected(format!("signing failed: {error}")))?;
        signatures.push(signature);
    }
    Ok([
        (standardwebhooks::HEADER_WEBHOOK_ID, id.to_owned()),
        (standardwebhooks::HEADER_WEBHOOK_TIMESTAMP, timestamp.to_string()),
        (standardwebhooks::HEADER_WEBHOOK_SIGNATURE, signatures.join(" ")),
    ])
}

/// The operators' webhook: its URL and its `whsec_…` signing secret.
#[derive(Clone, Debug)]
pub struct OperatorsWebhook {
    pub url: url::Url,
    pub secret: SecretString,
}

impl OperatorsWebhook {
    /// The webhook at `url` (http or https, no credentials in it), signed with `secret`.
    pub fn new(url: &str, secret: SecretString) -> Result<Self, CoreError> {
        let url = check_url(url)?;
        check_secret(&secret)
            .map_err(|_| CoreError::Invalid("the operators' webhook secret is not a whsec_… signing secret".into()))?;
        Ok(Self { url, secret })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_verifies_with_either_secret_during_a_rotation_and_not_after_tampering() {
        let (old, new) = (new_secret(), new_secret());
        let body = r#"{"id":"evt_1","type":"authorization.authorized"}"#;
        let headers = signed_headers("evt_1", body, &[new.clone(), old.clone()], now()).unwrap();
        let mut map = http::HeaderMap::new();
        for (name, value) in headers {
            map.insert(name, value.parse().unwrap());
        }
        for secret in [&old, &new] {
            let receiver = standardwebhooks::Webhook::new(secret.expose()).unwrap();
            assert!(receiver.verify(body.as_bytes(), &map).is_ok());
            assert!(receiver.verify(br#"{"id":"evt_1","type":"authorization.cleared"}"#, &map).is_err());
        }
        assert!(standardwebhooks::Webhook::new(new_secret().expose()).unwrap().verify(body.as_bytes(), &map).is_err());
    }

    #[test]
    fn endpoint_urls_are_plain_http_or_https() {
        assert!(check_url("https://backend.example.com/hooks/optin").is_ok());
        for bad in ["ftp://x.example", "https://user:pw@x.example/", "not a url", "javascript:alert(1)"] {
            assert!(check_url(bad).is_err(), "{bad}");
        }
    }
}
