//! The audit log: who did what, when, to which company and product. Server-only; written in the
//! same transaction as the change it records, so the log never claims what did not happen.

use crate::{ids::CompanyId, ids::UserId, product::Product, state::now};
use sqlx::SqliteConnection;

/// Who did it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Actor {
    /// The service itself (refreshes, dead grants).
    Service,
    /// One of our users, signed in.
    User(UserId),
    /// A user of a product's own portal, acting through the embedded widget, as the portal named
    /// them.
    Portal(String),
}

impl Actor {
    fn user(&self) -> Option<i64> {
        match self {
            Self::User(user) => Some(user.get()),
            _ => None,
        }
    }

    /// The name recorded beside the action when the actor is not one of our users.
    pub fn label(&self) -> Option<&str> {
        match self {
            Self::Portal(label) => Some(label),
            _ => None,
        }
    }
}

pub struct Event {
    pub actor: Actor,
    pub company: Option<CompanyId>,
    pub product: Option<Product>,
    pub action: &'static str,
    pub detail: String,
}

pub async fn record(conn: &mut SqliteConnection, event: Event) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO audit_log (at, actor_id, actor_label, company_id, product, action, detail) VALUES (?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(now())
    .bind(event.actor.user())
    .bind(event.actor.label())
    .bind(event.company.map(CompanyId::get))
    .bind(event.product.map(Product::slug))
    .bind(event.action)
    .bind(event.detail)
    .execute(conn)
    .await?;
    Ok(())
}

/// Records what the service itself did to (company, product): refreshes, failures, dead grants.
pub async fn service_event(
    conn: &mut SqliteConnection,
    company: CompanyId,
    product: Product,
    action: &'static str,
    detail: String,
) -> Result<(), sqlx::Error> {
    record(conn, Event { actor: Actor::Service, company: Some(company), product: Some(product), action, detail }).await
}
