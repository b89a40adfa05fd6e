//! The `audit_log` table: written inside the transaction of the change it records, read as a
//! company's Activity.

use super::WriteTx;
use super::{product, unreadable, Store, StoreError};
use crate::{audit::Entry, clock::now};
use model::{ActivityEntry, AuditAction, CompanyId, Product};

pub(super) async fn record(conn: &mut WriteTx, entry: Entry) -> Result<(), StoreError> {
    on_tx!(conn, db => sqlx::query(
        "INSERT INTO audit_log (at, actor_id, actor_label, company_id, product, action, detail) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(now())
    .bind(entry.actor.user().map(|user| user.get()))
    .bind(entry.actor.label())
    .bind(entry.company.map(CompanyId::get))
    .bind(entry.product.map(Product::slug))
    .bind(entry.event.action().as_str())
    .bind(entry.event.detail())
    .execute(db)
    .await.map(|done| done.rows_affected()))?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct ActivityRow {
    at: i64,
    actor: Option<String>,
    product: Option<String>,
    action: String,
    detail: String,
}

impl Store {
    /// Records something that changes nothing else (a refused consent, say).
    pub async fn record(&self, entry: Entry) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        record(&mut tx, entry).await?;
        Ok(tx.commit().await?)
    }

    /// The newest `limit` entries of the company's log.
    pub async fn activity(&self, company: CompanyId, limit: u32) -> Result<Vec<ActivityEntry>, StoreError> {
        let rows: Vec<ActivityRow> = on_pool!(self, db => sqlx::query_as(
            "SELECT l.at, COALESCE(u.display_name, l.actor_label) AS actor, l.product, l.action, l.detail
             FROM audit_log l LEFT JOIN users u ON u.id = l.actor_id
             WHERE l.company_id = $1 ORDER BY l.at DESC, l.id DESC LIMIT $2",
        )
        .bind(company.get())
        .bind(i64::from(limit))
        .fetch_all(db)
        .await)?;
        rows.into_iter()
            .map(|row| {
                Ok(ActivityEntry {
                    at: row.at,
                    actor: row.actor,
                    product: row.product.as_deref().map(product).transpose()?,
                    action: AuditAction::parse(&row.action).ok_or_else(|| unreadable("audit action", &row.action))?,
                    detail: row.detail,
                })
            })
            .collect()
    }
}
