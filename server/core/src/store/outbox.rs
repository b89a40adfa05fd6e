//! The outbox: `events`, written inside the transaction of the change they report, and the
//! `deliveries` that carry each one to a webhook endpoint or an admin's inbox. Workers claim due
//! deliveries with a lease (one conditional `UPDATE … RETURNING`), so with several instances a
//! delivery is attempted by one of them at a time, and a lease left by a stopped instance simply
//! runs out. Each endpoint (and inbox) gets its events in order: a delivery waits while an
//! earlier one to the same place is pending; other endpoints are not held up.

use super::WriteTx;
use super::{audit, product, sealed, unreadable, Store, StoreError};
use crate::{
    audit::{Entry, Event},
    clock::now,
    events::{EventKind, Notification},
    secret::{random_token, SecretString},
};
use model::{CompanyId, Product};

/// A delivery's row id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DeliveryId(i64);

/// Where a delivery goes.
#[derive(Debug)]
pub enum Target {
    /// The endpoint's URL and the secrets to sign with (the current one first; a rotated-out one
    /// beside it during its grace period).
    Webhook {
        url: String,
        secrets: Vec<SecretString>,
    },
    Email {
        to: String,
    },
}

/// A delivery claimed for one attempt.
#[derive(Debug)]
pub struct DueDelivery {
    pub id: DeliveryId,
    /// Attempts made before this one.
    pub attempts: i64,
    pub created_at: i64,
    pub target: Target,
    pub notification: Notification,
    pub company: CompanyId,
    pub product: Product,
}

/// Records `kind` for (company, product), with one pending delivery per webhook endpoint of the
/// product, and when admins must (or soon must) authorize again one per admin of the company with
/// an email address.
pub(super) async fn record_event(
    conn: &mut WriteTx,
    kind: EventKind,
    company: CompanyId,
    product: Product,
    reason: Option<&str>,
) -> Result<(), StoreError> {
    let now = now();
    let public_id = format!("evt_{}", &random_token().expose()[..24]);
    let event: i64 = on_tx!(conn, db => sqlx::query_scalar(
        "INSERT INTO events (public_id, kind, company_id, product, status, reason, occurred_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(&public_id)
    .bind(kind.as_str())
    .bind(company.get())
    .bind(product.slug())
    .bind(kind.status().code())
    .bind(reason)
    .bind(now)
    .fetch_one(db)
    .await)?;
    on_tx!(conn, db => sqlx::query(
        "INSERT INTO deliveries (event_id, endpoint_id, status, next_attempt_at, created_at)
         SELECT $1, id, 'pending', $2, $2 FROM webhook_endpoints WHERE product = $3 AND removed_at IS NULL",
    )
    .bind(event)
    .bind(now)
    .bind(product.slug())
    .execute(db)
    .await.map(|done| done.rows_affected()))?;
    if kind.emails_admins() {
        on_tx!(conn, db => sqlx::query(
            "INSERT INTO deliveries (event_id, email, status, next_attempt_at, created_at)
             SELECT DISTINCT $1, u.email, 'pending', $2, $2 FROM memberships m JOIN users u ON u.id = m.user_id
             WHERE m.company_id = $3 AND u.email IS NOT NULL",
        )
        .bind(event)
        .bind(now)
        .bind(company.get())
        .execute(db)
        .await.map(|done| done.rows_affected()))?;
    }
    Ok(())
}

/// Starts a degraded incident when the authorization's stored token has expired or expires
/// within `margin` seconds and none is under way; records `refresh_degraded` once.
pub(super) async fn start_degraded(
    conn: &mut WriteTx,
    authorization: i64,
    company: CompanyId,
    product: Product,
    margin: i64,
) -> Result<(), StoreError> {
    let started: Option<i64> = on_tx!(conn, db => sqlx::query_scalar(
        "UPDATE authorizations SET degraded_at = $1 WHERE id = $2 AND degraded_at IS NULL AND EXISTS
             (SELECT 1 FROM oauth_tokens WHERE authorization_id = $2 AND status = 'active' AND expires_at <= $1 + $3)
         RETURNING id",
    )
    .bind(now())
    .bind(authorization)
    .bind(margin)
    .fetch_optional(db)
    .await)?;
    if started.is_some() {
        let reason = "UPS cannot be reached, and the stored access token has expired or is about to.";
        record_event(conn, EventKind::RefreshDegraded, company, product, Some(reason)).await?;
    }
    Ok(())
}

/// Leases up to $3 due deliveries until $1 + $2: only the earliest pending delivery of each
/// endpoint or inbox is due.
const CLAIM: &str = "UPDATE deliveries SET lease_until = $1 + $2 WHERE id IN
        (SELECT d.id FROM deliveries d WHERE d.status = 'pending' AND d.next_attempt_at <= $1
             AND (d.lease_until IS NULL OR d.lease_until <= $1)
             AND NOT EXISTS (SELECT 1 FROM deliveries earlier WHERE earlier.status = 'pending'
                 AND earlier.id < d.id AND earlier.endpoint_id IS NOT DISTINCT FROM d.endpoint_id
                 AND earlier.email IS NOT DISTINCT FROM d.email)
         ORDER BY d.next_attempt_at, d.id LIMIT $3)
    RETURNING id";

#[derive(sqlx::FromRow)]
struct DueRow {
    id: i64,
    attempts: i64,
    created_at: i64,
    email: Option<String>,
    endpoint: Option<i64>,
    url: Option<String>,
    secret: Option<Vec<u8>>,
    previous_secret: Option<Vec<u8>>,
    previous_until: Option<i64>,
    public_id: String,
    kind: String,
    company: i64,
    company_name: String,
    product: String,
    reason: Option<String>,
    occurred_at: i64,
}

impl Store {
    /// Claims up to `limit` due deliveries for `lease_secs`: no other worker attempts them
    /// meanwhile. Only the earliest pending delivery of each endpoint or inbox is due.
    pub async fn claim_deliveries(&self, limit: u32, lease_secs: i64) -> Result<Vec<DueDelivery>, StoreError> {
        let now = now();
        // Most polls find nothing due: a plain read answers them without taking the write lock,
        // which would otherwise hold up every other writer (the command line among them) on
        // every poll.
        let due: Option<i64> = on_pool!(self, db => sqlx::query_scalar(
            "SELECT id FROM deliveries WHERE status = 'pending' AND next_attempt_at <= $1
                 AND (lease_until IS NULL OR lease_until <= $1) LIMIT 1",
        )
        .bind(now)
        .fetch_optional(db)
        .await)?;
        if due.is_none() {
            return Ok(Vec::new());
        }
        // On PostgreSQL the candidates are locked as they are picked, skipping those another
        // instance is claiming right now; otherwise two claims could both take a row.
        let claim = if self.is_postgres() {
            CLAIM.replace("LIMIT $3", "LIMIT $3 FOR UPDATE OF d SKIP LOCKED")
        } else {
            CLAIM.to_owned()
        };
        let mut tx = self.write().await?;
        let mut claimed: Vec<i64> = on_tx!(tx, db => sqlx::query_scalar(&claim)
        .bind(now)
        .bind(lease_secs)
        .bind(i64::from(limit))
        .fetch_all(db)
        .await)?;
        if claimed.is_empty() {
            tx.rollback().await?;
            return Ok(Vec::new());
        }
        claimed.sort_unstable();
        let mut rows = Vec::with_capacity(claimed.len());
        for id in claimed {
            let row: DueRow = on_tx!(tx, db => sqlx::query_as(
                "SELECT d.id, d.attempts, d.created_at, d.email, w.id AS endpoint, w.url, w.secret, w.previous_secret,
                        w.previous_until, e.public_id, e.kind, e.company_id AS company, c.name AS company_name, e.product,
                        e.reason, e.occurred_at
                 FROM deliveries d JOIN events e ON e.id = d.event_id JOIN companies c ON c.id = e.company_id
                 LEFT JOIN webhook_endpoints w ON w.id = d.endpoint_id
                 WHERE d.id = $1",
            )
            .bind(id)
            .fetch_one(db)
            .await)?;
            rows.push(row);
        }
        tx.commit().await?;
        // A delivery that cannot be prepared (its endpoint's secret does not open) waits out its
        // lease and is tried again; it holds up no other.
        let mut due = Vec::new();
        for row in rows {
            let id = row.id;
            match self.due_delivery(row, now) {
                Ok(delivery) => due.push(delivery),
                Err(error) => tracing::error!(%error, delivery = id, "a delivery cannot be prepared"),
            }
        }
        Ok(due)
    }

    fn due_delivery(&self, row: DueRow, now: i64) -> Result<DueDelivery, StoreError> {
        let kind = EventKind::parse(&row.kind).ok_or_else(|| unreadable("event kind", &row.kind))?;
        let (company, product) = (CompanyId::new(row.company), product(&row.product)?);
        let target = match (row.email, row.endpoint, row.url, row.secret) {
            (Some(to), ..) => Target::Email { to },
            (None, Some(endpoint), Some(url), Some(secret)) => {
                let open = |column, sealed: &[u8]| {
                    sealed::open_endpoint_secret(&self.cipher, endpoint, product, column, sealed)
                };
                let mut secrets = vec![open("secret", &secret)?];
                if let (Some(previous), Some(until)) = (row.previous_secret, row.previous_until) {
                    if until > now {
                        secrets.push(open("previous_secret", &previous)?);
                    }
                }
                Target::Webhook { url, secrets }
            }
            _ => return Err(unreadable("delivery", &row.id.to_string())),
        };
        let notification =
            Notification::new(row.public_id, kind, (company, row.company_name), product, row.reason, row.occurred_at);
        Ok(DueDelivery {
            id: DeliveryId(row.id),
            attempts: row.attempts,
            created_at: row.created_at,
            target,
            notification,
            company,
            product,
        })
    }

    /// The attempt succeeded: delivered, with its entry in the company's Activity.
    pub async fn delivered(&self, delivery: &DueDelivery) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        on_tx!(tx, db => sqlx::query(
            "UPDATE deliveries SET status = 'delivered', attempts = attempts + 1, delivered_at = $1, lease_until = NULL,
                 last_error = NULL WHERE id = $2",
        )
        .bind(now())
        .bind(delivery.id.0)
        .execute(db)
        .await.map(|done| done.rows_affected()))?;
        let kind = delivery.notification.kind.to_owned();
        let event = match &delivery.target {
            Target::Webhook { url, .. } => {
                Event::WebhookDelivered { kind, url: url.clone(), attempt: delivery.attempts + 1 }
            }
            Target::Email { to } => Event::EmailSent { kind, to: to.clone() },
        };
        audit::record(&mut tx, Entry::service(delivery.company, delivery.product, event)).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The attempt failed: tried again at `next_at`, or with `None` given up (failed, and
    /// visible in the company's Activity).
    pub async fn delivery_failed(
        &self,
        delivery: &DueDelivery,
        error: &str,
        next_at: Option<i64>,
    ) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        on_tx!(tx, db => sqlx::query(
            "UPDATE deliveries SET attempts = attempts + 1, last_error = $1, lease_until = NULL,
                 status = CASE WHEN $2 IS NULL THEN 'failed' ELSE 'pending' END,
                 next_attempt_at = COALESCE($2, next_attempt_at)
             WHERE id = $3",
        )
        .bind(error)
        .bind(next_at)
        .bind(delivery.id.0)
        .execute(db)
        .await.map(|done| done.rows_affected()))?;
        let (kind, error) = (delivery.notification.kind.to_owned(), error.to_owned());
        let next_in_secs = next_at.map(|at| at - now());
        let event = match &delivery.target {
            Target::Webhook { url, .. } => {
                Event::WebhookFailed { kind, url: url.clone(), attempt: delivery.attempts + 1, error, next_in_secs }
            }
            Target::Email { to } => Event::EmailFailed { kind, to: to.clone(), error, next_in_secs },
        };
        audit::record(&mut tx, Entry::service(delivery.company, delivery.product, event)).await?;
        tx.commit().await?;
        Ok(())
    }
}
