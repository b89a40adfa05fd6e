//! What the store seals, what each sealed value is bound to, and re-sealing stored tokens with
//! the key ring's current key (`server keys rewrap`).
//!
//! A token is bound to its table and column and to the row it belongs to: the authorization, its
//! company and its product. A ciphertext copied into another column, another authorization, or
//! an authorization re-pointed at another company does not open. A PKCE verifier is bound to its
//! state, company and product.

use super::{product, Store, StoreError};
use crate::{
    keyring::{KeyId, KeyRing, SealedBy},
    secret::SecretString,
};
use model::{CompanyId, Product};
use std::collections::BTreeMap;

/// A sealed column of `oauth_tokens`.
#[derive(Clone, Copy, Debug)]
pub(super) enum TokenColumn {
    Access,
    Refresh,
}

impl TokenColumn {
    fn name(self) -> &'static str {
        match self {
            Self::Access => "access_token",
            Self::Refresh => "refresh_token",
        }
    }

    /// The binding values sealed before key ids had: `{authorization}:access`.
    fn unlabelled(self) -> &'static str {
        match self {
            Self::Access => "access",
            Self::Refresh => "refresh",
        }
    }
}

/// The row a token is sealed for.
#[derive(Clone, Copy, Debug)]
pub(super) struct TokenOwner {
    pub authorization: i64,
    pub company: CompanyId,
    pub product: Product,
}

impl TokenOwner {
    fn aad(self, column: TokenColumn) -> String {
        format!(
            "oauth_tokens.{}|authorization={}|company={}|product={}",
            column.name(),
            self.authorization,
            self.company.get(),
            self.product.slug()
        )
    }

    pub fn seal(self, ring: &KeyRing, column: TokenColumn, plaintext: &SecretString) -> Result<Vec<u8>, StoreError> {
        Ok(ring.seal(plaintext.expose(), &self.aad(column))?)
    }

    /// Opens a sealed token; a failure names the row, so the log says which authorization needs
    /// its key back (or a new opt-in).
    pub fn open(self, ring: &KeyRing, column: TokenColumn, sealed: &[u8]) -> Result<SecretString, StoreError> {
        let unlabelled = format!("{}:{}", self.authorization, column.unlabelled());
        ring.open(sealed, &self.aad(column), &unlabelled).map_err(|source| StoreError::Unsealable {
            row: format!(
                "oauth_tokens.{} of authorization {} (company {}, {})",
                column.name(),
                self.authorization,
                self.company.get(),
                self.product.slug()
            ),
            source,
        })
    }
}

/// What a PKCE verifier is bound to: the state it belongs to.
pub(super) fn pkce_aad(state_hash: &[u8], company: CompanyId, product: Product) -> String {
    let state: String = state_hash.iter().map(|byte| format!("{byte:02x}")).collect();
    format!("oauth_states.pkce_verifier|state={state}|company={}|product={}", company.get(), product.slug())
}

/// The binding PKCE verifiers had before key ids.
pub(super) const PKCE_UNLABELLED_AAD: &str = "pkce";

/// How many stored token secrets each key seals.
#[derive(Debug, Default)]
pub struct KeyUsage {
    pub by_key: BTreeMap<KeyId, u64>,
    /// Sealed before key ids existed.
    pub unlabelled: u64,
}

/// One batch of a rewrap.
#[derive(Debug, Default)]
pub struct RewrapBatch {
    /// The last token row looked at; `None` when there were no more.
    pub last: Option<i64>,
    /// Tokens re-sealed with the current key.
    pub rewrapped: u64,
    /// Tokens that did not open, by row (they stay as they are).
    pub unreadable: Vec<String>,
}

#[derive(sqlx::FromRow)]
pub(super) struct SealedRow {
    pub id: i64,
    authorization: i64,
    company: i64,
    product: String,
    pub access: Option<Vec<u8>>,
    pub refresh: Option<Vec<u8>>,
}

impl SealedRow {
    /// What the row's tokens are bound to.
    pub fn owner(&self) -> Result<TokenOwner, StoreError> {
        Ok(TokenOwner {
            authorization: self.authorization,
            company: CompanyId::new(self.company),
            product: product(&self.product)?,
        })
    }
}

impl Store {
    /// Which keys seal the stored secrets (tokens, webhook signing secrets, second factors).
    pub async fn key_usage(&self) -> Result<KeyUsage, StoreError> {
        let sealed: Vec<Vec<u8>> = on_pool!(self, db => sqlx::query_scalar(
            "SELECT access_token FROM oauth_tokens WHERE access_token IS NOT NULL
             UNION ALL SELECT refresh_token FROM oauth_tokens WHERE refresh_token IS NOT NULL
             UNION ALL SELECT secret FROM webhook_endpoints WHERE removed_at IS NULL
             UNION ALL SELECT previous_secret FROM webhook_endpoints WHERE removed_at IS NULL AND previous_secret IS NOT NULL
             UNION ALL SELECT secret FROM second_factors",
        )
        .fetch_all(db)
        .await)?;
        let mut usage = KeyUsage::default();
        for value in sealed {
            match KeyRing::sealed_by(&value) {
                SealedBy::Key(id) => *usage.by_key.entry(id).or_default() += 1,
                SealedBy::Unlabelled => usage.unlabelled += 1,
            }
        }
        Ok(usage)
    }

    /// The token rows after row `after` that hold a sealed token (at most `limit`), in id order,
    /// as sealed, with what they are bound to.
    pub(super) async fn sealed_tokens_after(&self, after: i64, limit: u32) -> Result<Vec<SealedRow>, StoreError> {
        Ok(on_pool!(self, db => sqlx::query_as(
            "SELECT t.id, t.authorization_id AS authorization, a.company_id AS company, a.product,
                    t.access_token AS access, t.refresh_token AS refresh
             FROM oauth_tokens t JOIN authorizations a ON a.id = t.authorization_id
             WHERE t.id > $1 AND (t.access_token IS NOT NULL OR t.refresh_token IS NOT NULL)
             ORDER BY t.id LIMIT $2",
        )
        .bind(after)
        .bind(i64::from(limit))
        .fetch_all(db)
        .await)?)
    }

    /// Re-seals, with the current key, the tokens after row `after` (at most `limit` rows) that
    /// another key sealed. Each row is rewritten only if it still holds what was read, so a
    /// refresh or an opt-out meanwhile wins; safe while the service runs.
    pub async fn rewrap_tokens(&self, after: i64, limit: u32) -> Result<RewrapBatch, StoreError> {
        let rows = self.sealed_tokens_after(after, limit).await?;
        let mut batch = RewrapBatch { last: rows.last().map(|row| row.id), ..Default::default() };
        let current = |value: &Option<Vec<u8>>| value.as_deref().is_none_or(|sealed| self.cipher.is_current(sealed));
        let stale: Vec<&SealedRow> =
            rows.iter().filter(|row| !current(&row.access) || !current(&row.refresh)).collect();
        if stale.is_empty() {
            return Ok(batch);
        }
        let mut tx = self.write().await?;
        for row in stale {
            let owner = row.owner()?;
            let reseal = |column, value: &Option<Vec<u8>>| -> Result<Option<Vec<u8>>, StoreError> {
                value
                    .as_deref()
                    .map(|sealed| owner.seal(&self.cipher, column, &owner.open(&self.cipher, column, sealed)?))
                    .transpose()
            };
            let (access, refresh) =
                match (reseal(TokenColumn::Access, &row.access), reseal(TokenColumn::Refresh, &row.refresh)) {
                    (Ok(access), Ok(refresh)) => (access, refresh),
                    (Err(error), _) | (_, Err(error)) => {
                        batch.unreadable.push(error.to_string());
                        continue;
                    }
                };
            batch.rewrapped += on_tx!(tx, db => sqlx::query(
                "UPDATE oauth_tokens SET access_token = $1, refresh_token = $2
                 WHERE id = $3 AND access_token IS NOT DISTINCT FROM $4 AND refresh_token IS NOT DISTINCT FROM $5",
            )
            .bind(access)
            .bind(refresh)
            .bind(row.id)
            .bind(&row.access)
            .bind(&row.refresh)
            .execute(db)
            .await.map(|done| done.rows_affected()))?;
        }
        tx.commit().await?;
        Ok(batch)
    }
}

/// What a webhook endpoint's signing secret is bound to: its row and column.
fn endpoint_aad(endpoint: i64, product: Product, column: &str) -> String {
    format!("webhook_endpoints.{column}|endpoint={endpoint}|product={}", product.slug())
}

pub(super) fn seal_endpoint_secret(
    ring: &KeyRing,
    endpoint: i64,
    product: Product,
    column: &str,
    secret: &SecretString,
) -> Result<Vec<u8>, StoreError> {
    Ok(ring.seal(secret.expose(), &endpoint_aad(endpoint, product, column))?)
}

pub(super) fn open_endpoint_secret(
    ring: &KeyRing,
    endpoint: i64,
    product: Product,
    column: &str,
    sealed: &[u8],
) -> Result<SecretString, StoreError> {
    // Endpoint secrets were never sealed without a key id: nothing else opens them.
    ring.open(sealed, &endpoint_aad(endpoint, product, column), "\0").map_err(|source| StoreError::Unsealable {
        row: format!("webhook_endpoints.{column} of endpoint {endpoint}"),
        source,
    })
}
