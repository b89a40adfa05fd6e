//! The audit log: who did what, when, to which company and product. Server-only; written in the
//! same transaction as the change it records, so the log never claims what did not happen.

use crate::{ids::CompanyId, ids::UserId, product::Product, state::now};
use sqlx::SqliteConnection;

pub struct Event {
    pub actor: Option<UserId>,
    pub company: Option<CompanyId>,
    pub product: Option<Product>,
    pub action: &'static str,
    pub detail: String,
}

pub async fn record(conn: &mut SqliteConnection, event: Event) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO audit_log (at, actor_id, company_id, product, action, detail) VALUES (?, ?, ?, ?, ?, ?)")
        .bind(now())
        .bind(event.actor.map(UserId::get))
        .bind(event.company.map(CompanyId::get))
        .bind(event.product.map(Product::slug))
        .bind(event.action)
        .bind(event.detail)
        .execute(conn)
        .await?;
    Ok(())
}
