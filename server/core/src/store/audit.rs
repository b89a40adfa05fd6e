//! The `audit_log` table: written inside the transaction of the change it records, read as a
//! company's Activity.

use super::WriteTx;
use super::{product, unreadable, Store, StoreError};
use crate::{audit::Entry, clock::now};
use model::{ActivityEntry, AuditAction, CompanyId, Product};

pub(super) async fn record(conn: &mut WriteTx, entry: Entry) -> Result<(), StoreError> {
    record_all(conn, vec![entry]).await
}

/// [`record`] for several entries at once: one statement.
pub(super) async fn record_all(conn: &mut WriteTx, entries: Vec<Entry>) -> Result<(), StoreError> {
    let at = now();
    on_tx!(conn, db => {
        let mut insert =
            sqlx::QueryBuilder::new("INSERT INTO audit_log (at, actor_id, actor_label, company_id, product, action, detail) ");
        insert.push_values(&entries, |mut values, entry| {
            values
                .push_bind(at)
                .push_bind(entry.actor.user().map(|user| user.get()))
                .push_bind(entry.actor.label())
                .push_bind(entry.company.map(CompanyId::get))
                .push_bind(entry.product.map(Product::slug))
                .push_bind(entry.event.action().as_str())
                .push_bind(entry.event.detail());
        });
        insert.build().execute(db).await.map(|done| done.rows_affected())
    })?;
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
