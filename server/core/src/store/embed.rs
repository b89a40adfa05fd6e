//! The `embed_sessions` table: a widget's single-use session token (kept as its hash) and, once
//! redeemed, the widget key it was exchanged for.

use super::{product, role, ApiKeyId, Store, StoreError};
use crate::clock::now;
use model::{CompanyId, CompanySummary, Locale, Product, Role};
use std::fmt;

/// An embed session's row id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EmbedSessionId(i64);

impl EmbedSessionId {
    pub(super) fn new(id: i64) -> Self {
        Self(id)
    }

    pub(super) fn get(self) -> i64 {
        self.0
    }
}

impl fmt::Display for EmbedSessionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// An embed session: the company and product it serves, its portal user, and where it
/// answers.
#[derive(Clone, Debug)]
pub struct EmbedSession {
    pub id: EmbedSessionId,
    /// Its product's API key is not revoked.
    pub live: bool,
    pub product: Product,
    pub company: CompanySummary,
    pub portal_user_id: String,
    pub portal_user_name: String,
    /// What the portal says its user may do.
    pub role: Role,
    pub host_origin: String,
    pub return_url: String,
    /// The language the backend asked for; none: the browser's decides.
    pub locale: Option<Locale>,
}

/// What a product's backend asks for, already checked.
pub struct NewEmbedSession {
    pub api_key: ApiKeyId,
    pub product: Product,
    pub company: CompanyId,
    pub portal_user_id: String,
    pub portal_user_name: String,
    pub role: Role,
    pub host_origin: String,
    pub return_url: String,
    pub locale: Option<Locale>,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    live: bool,
    product: String,
    company_id: i64,
    company_name: String,
    portal_user_id: String,
    portal_user_name: String,
    role: String,
    parent_origin: String,
    return_url: String,
    locale: Option<String>,
}

impl Row {
    fn decode(self) -> Result<EmbedSession, StoreError> {
        Ok(EmbedSession {
            id: EmbedSessionId(self.id),
            live: self.live,
            product: product(&self.product)?,
            company: CompanySummary { id: CompanyId::new(self.company_id), name: self.company_name },
            portal_user_id: self.portal_user_id,
            portal_user_name: self.portal_user_name,
            role: role(&self.role)?,
            host_origin: self.parent_origin,
            return_url: self.return_url,
            locale: self.locale.as_deref().and_then(Locale::from_tag),
        })
    }
}

const SELECT: &str = "SELECT e.id, k.revoked_at IS NULL AS live, e.product, e.company_id, c.name AS company_name,
        e.portal_user_id, e.portal_user_name, e.role, e.parent_origin, e.return_url, e.locale
    FROM embed_sessions e
    JOIN companies c ON c.id = e.company_id
    JOIN api_keys k ON k.id = e.api_key_id";

impl Store {
    /// Stores a new session under its token's hash, to be redeemed by `redeem_by`; sessions a day
    /// past their end go (and their pending states with them).
    pub async fn create_embed_session(
        &self,
        new: &NewEmbedSession,
        token_hash: &[u8],
        redeem_by: i64,
    ) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        on_tx!(tx, db => sqlx::query("DELETE FROM embed_sessions WHERE COALESCE(expires_at, redeem_by) <= $1")
            .bind(now() - 24 * 60 * 60)
            .execute(db)
            .await.map(|done| done.rows_affected()))?;
        on_tx!(tx, db => sqlx::query(
            "INSERT INTO embed_sessions (token_hash, api_key_id, product, company_id, portal_user_id, portal_user_name,
                 role, parent_origin, return_url, created_at, redeem_by, locale)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(token_hash)
        .bind(new.api_key.get())
        .bind(new.product.slug())
        .bind(new.company.get())
        .bind(&new.portal_user_id)
        .bind(&new.portal_user_name)
        .bind(new.role.slug())
        .bind(&new.host_origin)
        .bind(&new.return_url)
        .bind(now())
        .bind(redeem_by)
        .bind(new.locale.map(Locale::tag))
        .execute(db)
        .await.map(|done| done.rows_affected()))?;
        tx.commit().await?;
        Ok(())
    }

    /// Exchanges an unredeemed, unexpired session token of `product` for a widget key (its hash),
    /// in one statement: of two loads of the same session, exactly one gets it.
    pub async fn redeem_embed_session(
        &self,
        token_hash: &[u8],
        product: Product,
        key_hash: &[u8],
        expires_at: i64,
    ) -> Result<Option<EmbedSessionId>, StoreError> {
        let id: Option<i64> = on_pool!(self, db => sqlx::query_scalar(
            "UPDATE embed_sessions SET redeemed_at = $1, key_hash = $2, expires_at = $3
             WHERE token_hash = $4 AND product = $5 AND redeemed_at IS NULL AND redeem_by > $1
             RETURNING id",
        )
        .bind(now())
        .bind(key_hash)
        .bind(expires_at)
        .bind(token_hash)
        .bind(product.slug())
        .fetch_optional(db)
        .await)?;
        Ok(id.map(EmbedSessionId))
    }

    pub async fn embed_session(&self, id: EmbedSessionId) -> Result<Option<EmbedSession>, StoreError> {
        let row: Option<Row> = on_pool!(self, db => sqlx::query_as(&format!("{SELECT} WHERE e.id = $1")).bind(id.0).fetch_optional(db).await)?;
        row.map(Row::decode).transpose()
    }

    /// The session of a live widget key (unexpired, its API key not revoked).
    pub async fn embed_session_by_key(&self, key_hash: &[u8]) -> Result<Option<EmbedSession>, StoreError> {
        let row: Option<Row> = on_pool!(self, db => sqlx::query_as(&format!("{SELECT} WHERE e.key_hash = $1 AND e.expires_at > $2 AND k.revoked_at IS NULL"))
                .bind(key_hash)
                .bind(now())
                .fetch_optional(db)
                .await)?;
        row.map(Row::decode).transpose()
    }
}
