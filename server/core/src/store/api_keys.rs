//! The `api_keys` table: the products' backends' keys, kept as SHA-256 (they are 256-bit random
//! secrets, so a fast hash is safe) beside a short public prefix.

use super::{on_constraint, product, Store, StoreError};
use crate::clock::now;
use model::{CompanyId, Product};

/// An API key's row id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ApiKeyId(i64);

impl ApiKeyId {
    pub(super) fn new(id: i64) -> Self {
        Self(id)
    }

    pub(super) fn get(self) -> i64 {
        self.0
    }
}

/// The key's number, as `api-key list` shows it.
impl std::fmt::Display for ApiKeyId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// A live API key: which product it belongs to, and whether it is limited to some companies.
#[derive(Clone, Copy, Debug)]
pub struct ApiKey {
    pub id: ApiKeyId,
    pub product: Product,
    pub restricted: bool,
}

impl Store {
    /// A new key; limited to `companies` when there are any, else for every company.
    pub async fn create_api_key(
        &self,
        product: Product,
        label: &str,
        prefix: &str,
        key_hash: &[u8],
        companies: &[CompanyId],
    ) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        let id: i64 = on_tx!(tx, db => sqlx::query_scalar(
            "INSERT INTO api_keys (product, label, prefix, key_hash, created_at, restricted) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(product.slug())
        .bind(label)
        .bind(prefix)
        .bind(key_hash)
        .bind(now())
        .bind(!companies.is_empty())
        .fetch_one(db)
        .await)
        .map_err(on_constraint)?;
        for company in companies {
            on_tx!(tx, db => sqlx::query("INSERT INTO api_key_companies (api_key_id, company_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
                .bind(id)
                .bind(company.get())
                .execute(db)
                .await.map(|done| done.rows_affected()))
                .map_err(on_constraint)?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Whether a restricted key was given `company`.
    pub async fn api_key_reaches(&self, key: ApiKeyId, company: CompanyId) -> Result<bool, StoreError> {
        let found: Option<i64> = on_pool!(self, db => sqlx::query_scalar("SELECT api_key_id FROM api_key_companies WHERE api_key_id = $1 AND company_id = $2")
                .bind(key.0)
                .bind(company.get())
                .fetch_optional(db)
                .await)?;
        Ok(found.is_some())
    }

    /// Whether the key is still live and reaches `company` (a key limited to no company reaches
    /// every one): what a consent link it made needs to keep working.
    pub async fn api_key_live_for(&self, key: ApiKeyId, company: CompanyId) -> Result<bool, StoreError> {
        let found: Option<i64> = on_pool!(self, db => sqlx::query_scalar(
            "SELECT k.id FROM api_keys k WHERE k.id = $1 AND k.revoked_at IS NULL
                 AND (NOT EXISTS (SELECT 1 FROM api_key_companies c WHERE c.api_key_id = k.id)
                      OR EXISTS (SELECT 1 FROM api_key_companies c WHERE c.api_key_id = k.id AND c.company_id = $2))",
        )
        .bind(key.0)
        .bind(company.get())
        .fetch_optional(db)
        .await)?;
        Ok(found.is_some())
    }

    /// Revokes the live key with this prefix; whether there was one.
    pub async fn revoke_api_key(&self, prefix: &str) -> Result<bool, StoreError> {
        let revoked = on_pool!(self, db => sqlx::query("UPDATE api_keys SET revoked_at = $1 WHERE prefix = $2 AND revoked_at IS NULL")
            .bind(now())
            .bind(prefix)
            .execute(db)
            .await.map(|done| done.rows_affected()))?;
        self.changed();
        Ok(revoked > 0)
    }

    /// Revokes every live key of `product` with this label.
    pub async fn revoke_api_keys_labelled(&self, product: Product, label: &str) -> Result<(), StoreError> {
        on_pool!(self, db => sqlx::query("UPDATE api_keys SET revoked_at = $1 WHERE label = $2 AND product = $3 AND revoked_at IS NULL")
            .bind(now())
            .bind(label)
            .bind(product.slug())
            .execute(db)
            .await.map(|done| done.rows_affected()))?;
        self.changed();
        Ok(())
    }

    /// The live key with this hash (one indexed lookup).
    pub async fn api_key(&self, key_hash: &[u8]) -> Result<Option<ApiKey>, StoreError> {
        let row: Option<(i64, String, bool)> = on_pool!(self, db => sqlx::query_as("SELECT id, product, restricted FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL")
                .bind(key_hash)
                .fetch_optional(db)
                .await)?;
        row.map(|(id, slug, restricted)| Ok(ApiKey { id: ApiKeyId(id), product: product(&slug)?, restricted }))
            .transpose()
    }
}
