//! API keys for the products' backends: 256-bit random secrets, shown once, kept as SHA-256
//! beside a short public prefix, each for one product and either every company or the companies
//! it was given. Created and revoked from the command line.

use crate::store::StoreError;
use crate::{
    error::CoreError,
    secret::{random_token, token_hash, SecretString},
    Core,
};
use model::{CompanyId, Product};

pub use crate::store::{ApiKey, ApiKeyId};

/// Creates a key for `product`, limited to `companies` when any are given: its public prefix and
/// the key itself (shown once).
pub async fn create(
    core: &Core,
    product: Product,
    label: &str,
    companies: &[CompanyId],
) -> Result<(String, SecretString), CoreError> {
    let key = SecretString::new(format!("optin_{}", random_token().expose()));
    let prefix = key.expose()[..14].to_owned();
    let stored = core.store.create_api_key(product, label.trim(), &prefix, &token_hash(key.expose()), companies).await;
    stored.map_err(|error| match error {
        StoreError::MissingReference => CoreError::Invalid("No such company.".into()),
        error => error.into(),
    })?;
    Ok((prefix, key))
}

/// Whether `key` may act for `company`. A company outside a restricted key's list answers as if it
/// did not exist (`NotFound`), so the key cannot tell which other companies there are.
pub async fn require_reach(core: &Core, key: &ApiKey, company: CompanyId) -> Result<(), CoreError> {
    if !key.restricted {
        return Ok(());
    }
    let entry = (key.id, company);
    let cached = core.caches.reach.get(&entry, core.store.generation());
    let reaches = match cached {
        Some(reaches) => reaches,
        None => {
            let _turn = core.caches.reach.loading(&entry).await;
            let generation = core.store.generation();
            match core.caches.reach.get(&entry, generation) {
                Some(reaches) => reaches,
                None => {
                    let reaches = core.store.api_key_reaches(key.id, company).await?;
                    core.caches.reach.insert(entry, reaches, generation);
                    reaches
                }
            }
        }
    };
    match reaches {
        true => Ok(()),
        false => Err(CoreError::NotFound("Company".into())),
    }
}

/// Revokes the key with this prefix; whether one was revoked.
pub async fn revoke(core: &Core, prefix: &str) -> Result<bool, CoreError> {
    Ok(core.store.revoke_api_key(prefix.trim()).await?)
}

/// Revokes every key of `product` with this label (the demo portals' keys, at each start).
pub async fn revoke_labelled(core: &Core, product: Product, label: &str) -> Result<(), CoreError> {
    Ok(core.store.revoke_api_keys_labelled(product, label).await?)
}

/// The live key a bearer presents: one indexed lookup of its SHA-256, no slow hash; kept for a
/// moment (a revocation by this process counts at once, by another within `CACHE_TTL`).
pub async fn authenticate(core: &Core, presented: &str) -> Result<Option<ApiKey>, CoreError> {
    let hash = token_hash(presented);
    if let Some(key) = core.caches.api_keys.get(&hash, core.store.generation()) {
        return Ok(Some(key));
    }
    let _turn = core.caches.api_keys.loading(&hash).await;
    let generation = core.store.generation();
    if let Some(key) = core.caches.api_keys.get(&hash, generation) {
        return Ok(Some(key));
    }
    let key = core.store.api_key(&hash).await?;
    if let Some(key) = key {
        core.caches.api_keys.insert(hash, key, generation);
    }
    Ok(key)
}
