//! The `consent_links` table: links an admin or a product's backend makes out to the holder of a
//! company's UPS.com user. Only the token's hash is kept. A link is pending until it is used (in
//! the same transaction as the grant it brought), revoked, or past its time; the first browser to
//! go on to UPS with it is the only one that can after that.

use super::{audit, product, ApiKeyId, Store, StoreError, WriteTx};
use crate::{
    audit::{Actor, Entry, Event},
    clock::now,
};
use model::{CompanyId, CompanySummary, ConsentLinkId, LinkOpened, PendingConsentLink, Product, UserId};
use strum::{EnumString, IntoStaticStr};

/// Where a link stands, as stored (`expired` is not a status: it is `pending` past its time).
#[derive(Clone, Copy, Debug, PartialEq, Eq, IntoStaticStr, EnumString)]
#[strum(serialize_all = "snake_case")]
pub enum LinkStatus {
    Pending,
    Used,
    Revoked,
}

/// A link about to be handed out.
pub struct NewConsentLink<'a> {
    pub token_hash: Vec<u8>,
    pub company: CompanyId,
    pub product: Product,
    pub recipient: &'a str,
    pub message: Option<&'a str>,
    /// Who asks: one of our users, a product's backend (`Actor::Backend`, with `sent_by_key`),
    /// or an operator (`Actor::Service`).
    pub sent_by: &'a Actor,
    pub sent_by_key: Option<ApiKeyId>,
    /// How the sender is named to the recipient and on the product page.
    pub sent_by_label: &'a str,
    pub expires_at: i64,
}

/// A link, as its page and the callback read it.
#[derive(Clone, Debug)]
pub struct ConsentLink {
    pub id: ConsentLinkId,
    pub company: CompanySummary,
    pub product: Product,
    pub recipient: String,
    pub message: Option<String>,
    pub sent_by: Option<UserId>,
    pub sent_by_key: Option<ApiKeyId>,
    pub sent_by_label: String,
    pub status: LinkStatus,
    pub browser_hash: Option<Vec<u8>>,
    pub expires_at: i64,
    pub opened_at: Option<i64>,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    company_id: i64,
    company_name: String,
    product: String,
    recipient: String,
    message: Option<String>,
    sent_by_id: Option<i64>,
    sent_by_key_id: Option<i64>,
    sent_by_label: String,
    status: String,
    browser_hash: Option<Vec<u8>>,
    expires_at: i64,
    opened_at: Option<i64>,
}

impl Row {
    fn decode(self) -> Result<ConsentLink, StoreError> {
        Ok(ConsentLink {
            id: ConsentLinkId::new(self.id),
            company: CompanySummary { id: CompanyId::new(self.company_id), name: self.company_name },
            product: product(&self.product)?,
            recipient: self.recipient,
            message: self.message,
            sent_by: self.sent_by_id.map(UserId::new),
            sent_by_key: self.sent_by_key_id.map(ApiKeyId::new),
            sent_by_label: self.sent_by_label,
            status: self.status.parse().map_err(|_| super::unreadable("consent link status", &self.status))?,
            browser_hash: self.browser_hash,
            expires_at: self.expires_at,
            opened_at: self.opened_at,
        })
    }
}

#[derive(sqlx::FromRow)]
struct PendingRow {
    id: i64,
    recipient: String,
    sent_by_label: String,
    created_at: i64,
    expires_at: i64,
    opened_at: Option<i64>,
    opened_address: Option<String>,
}

const SELECT: &str = "SELECT l.id, l.company_id, c.name AS company_name, l.product, l.recipient, l.message,
        l.sent_by_id, l.sent_by_key_id, l.sent_by_label, l.status, l.browser_hash, l.expires_at, l.opened_at
     FROM consent_links l JOIN companies c ON c.id = l.company_id";

impl Store {
    /// Keeps a new link with its Activity entry, in one transaction.
    pub async fn create_consent_link(
        &self,
        link: NewConsentLink<'_>,
        event: Event,
    ) -> Result<ConsentLinkId, StoreError> {
        let mut tx = self.write().await?;
        let id: i64 = on_tx!(tx, db => sqlx::query_scalar(
            "INSERT INTO consent_links (token_hash, company_id, product, recipient, message, sent_by_id, sent_by_key_id, sent_by_label, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
        )
        .bind(&link.token_hash)
        .bind(link.company.get())
        .bind(link.product.slug())
        .bind(link.recipient)
        .bind(link.message)
        .bind(link.sent_by.user().map(UserId::get))
        .bind(link.sent_by_key.map(ApiKeyId::get))
        .bind(link.sent_by_label)
        .bind(now())
        .bind(link.expires_at)
        .fetch_one(db)
        .await)?;
        audit::record(&mut tx, Entry::by(link.sent_by, link.company, link.product, event)).await?;
        tx.commit().await?;
        Ok(ConsentLinkId::new(id))
    }

    /// The link whose token has this hash, whatever its status.
    pub async fn consent_link_by_token(&self, token_hash: &[u8]) -> Result<Option<ConsentLink>, StoreError> {
        let sql = format!("{SELECT} WHERE l.token_hash = $1");
        let row: Option<Row> = on_pool!(self, db => sqlx::query_as(&sql).bind(token_hash).fetch_optional(db).await)?;
        row.map(Row::decode).transpose()
    }

    /// The link with this number, whatever its status.
    pub async fn consent_link(&self, id: ConsentLinkId) -> Result<Option<ConsentLink>, StoreError> {
        let sql = format!("{SELECT} WHERE l.id = $1");
        let row: Option<Row> = on_pool!(self, db => sqlx::query_as(&sql).bind(id.get()).fetch_optional(db).await)?;
        row.map(Row::decode).transpose()
    }

    /// Notes the first opening of a link (from where, with what browser) in the link and in the
    /// company's Activity; later openings change nothing.
    pub async fn consent_link_opened(
        &self,
        link: &ConsentLink,
        address: &str,
        browser: &str,
    ) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        let first = on_tx!(tx, db => sqlx::query(
            "UPDATE consent_links SET opened_at = $1, opened_address = $2, opened_browser = $3
             WHERE id = $4 AND opened_at IS NULL",
        )
        .bind(now())
        .bind(address)
        .bind(browser)
        .bind(link.id.get())
        .execute(db)
        .await
        .map(|done| done.rows_affected()))?;
        if first == 1 {
            let actor = Actor::Recipient(link.recipient.clone());
            let event = Event::ConsentLinkOpened {
                to: link.recipient.clone(),
                address: address.to_owned(),
                browser: browser.to_owned(),
            };
            audit::record(&mut tx, Entry::by(&actor, link.company.id, link.product, event)).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Binds a pending, unexpired link to the browser going on to UPS with it: true when it is
    /// now (or already was) this browser's, false when it is another's or no longer pending.
    pub async fn claim_consent_link(&self, id: ConsentLinkId, browser_hash: &[u8]) -> Result<bool, StoreError> {
        let claimed = on_pool!(self, db => sqlx::query(
            "UPDATE consent_links SET browser_hash = $1
             WHERE id = $2 AND status = 'pending' AND expires_at > $3 AND (browser_hash IS NULL OR browser_hash = $1)",
        )
        .bind(browser_hash)
        .bind(id.get())
        .bind(now())
        .execute(db)
        .await
        .map(|done| done.rows_affected()))?;
        Ok(claimed == 1)
    }

    /// The company's links for `product` still waiting for their recipient, newest first.
    pub async fn pending_consent_links(
        &self,
        company: CompanyId,
        product: Product,
    ) -> Result<Vec<PendingConsentLink>, StoreError> {
        let rows: Vec<PendingRow> = on_pool!(self, db => sqlx::query_as(
            "SELECT id, recipient, sent_by_label, created_at, expires_at, opened_at, opened_address
             FROM consent_links WHERE company_id = $1 AND product = $2 AND status = 'pending' AND expires_at > $3
             ORDER BY id DESC LIMIT 50",
        )
        .bind(company.get())
        .bind(product.slug())
        .bind(now())
        .fetch_all(db)
        .await)?;
        Ok(rows
            .into_iter()
            .map(|row| PendingConsentLink {
                id: ConsentLinkId::new(row.id),
                recipient: row.recipient,
                sent_by: row.sent_by_label,
                created_at: row.created_at,
                expires_at: row.expires_at,
                opened: row.opened_at.map(|at| LinkOpened { at, address: row.opened_address.unwrap_or_default() }),
            })
            .collect())
    }

    /// Revokes a pending link of (company, product), with its Activity entry: false when there
    /// is no such pending link.
    pub async fn revoke_consent_link(
        &self,
        actor: &Actor,
        id: ConsentLinkId,
        company: CompanyId,
        product: Product,
    ) -> Result<bool, StoreError> {
        let mut tx = self.write().await?;
        let recipient: Option<String> = on_tx!(tx, db => sqlx::query_scalar(
            "UPDATE consent_links SET status = 'revoked', finished_at = $1
             WHERE id = $2 AND company_id = $3 AND product = $4 AND status = 'pending' RETURNING recipient",
        )
        .bind(now())
        .bind(id.get())
        .bind(company.get())
        .bind(product.slug())
        .fetch_optional(db)
        .await)?;
        let Some(to) = recipient else {
            tx.rollback().await?;
            return Ok(false);
        };
        audit::record(&mut tx, Entry::by(actor, company, product, Event::ConsentLinkRevoked { to })).await?;
        tx.commit().await?;
        Ok(true)
    }
}

/// Uses up a pending link inside the transaction that stores the grant it brought:
/// `ConsentLinkGone` when it was used or revoked meanwhile, so the grant is not kept.
pub(super) async fn spend(tx: &mut WriteTx, id: ConsentLinkId) -> Result<(), StoreError> {
    let spent = on_tx!(tx, db => sqlx::query(
        "UPDATE consent_links SET status = 'used', finished_at = $1 WHERE id = $2 AND status = 'pending'",
    )
    .bind(now())
    .bind(id.get())
    .execute(db)
    .await
    .map(|done| done.rows_affected()))?;
    if spent == 1 {
        Ok(())
    } else {
        Err(StoreError::ConsentLinkGone)
    }
}
