//! The incidents of a UPS application (`incidents`), for its operators: recorded in the
//! transaction that opens or closes the application's breaker, with one delivery per operators'
//! target (`incident_deliveries`), claimed with a lease and retried like the companies'
//! deliveries. No company is in an incident, so none of its admins hears of it.

use super::{product, unreadable, Store, StoreError, WriteTx};
use crate::{clock::now, events::IncidentNotice, secret::random_token, ups::AnswerClass};
use model::Product;
use strum::{IntoStaticStr, VariantNames};

/// Where an application's incidents go: the operators' webhook (when set) and inboxes.
#[derive(Clone, Debug, Default)]
pub struct IncidentTargets {
    pub webhook: bool,
    pub emails: Vec<String>,
}

/// What happened to the application, stored (and sent) as its name: `application.degraded`.
#[derive(Clone, Debug, IntoStaticStr, VariantNames)]
#[strum(prefix = "application.", serialize_all = "snake_case")]
pub enum IncidentKind {
    /// UPS throttles or refuses it: its breaker opened.
    Degraded { class: AnswerClass, reason: String },
    /// UPS accepts it again: the breaker, open since then (Unix seconds), closed.
    Recovered { class: AnswerClass, since: i64 },
}

impl IncidentKind {
    fn as_str(&self) -> &'static str {
        self.into()
    }

    /// The stored name, if it names a kind (an incident read back is a notice: its details are
    /// in the other columns).
    fn parse(value: &str) -> Option<&'static str> {
        Self::VARIANTS.iter().copied().find(|kind| *kind == value)
    }
}

/// An incident delivery's row id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IncidentDeliveryId(i64);

/// An incident delivery claimed for one attempt: to the operators' webhook, or to `email`.
#[derive(Debug)]
pub struct DueIncident {
    pub id: IncidentDeliveryId,
    /// Attempts made before this one.
    pub attempts: i64,
    pub created_at: i64,
    pub email: Option<String>,
    pub notice: IncidentNotice,
}

/// Records the incident, with a pending delivery for each of the operators' targets; counts and
/// logs it.
pub(super) async fn record_incident(
    tx: &mut WriteTx,
    product: Product,
    kind: IncidentKind,
    targets: &IncidentTargets,
) -> Result<(), StoreError> {
    let now = now();
    let (class, reason) = match &kind {
        IncidentKind::Degraded { class, reason } => (*class, reason.clone()),
        IncidentKind::Recovered { class, since } => {
            (*class, format!("UPS accepts the application again, after {} s.", (now - since).max(0)))
        }
    };
    let public_id = format!("inc_{}", &random_token().expose()[..24]);
    let incident: i64 = on_tx!(tx, db => sqlx::query_scalar(
        "INSERT INTO incidents (public_id, kind, product, class, reason, occurred_at) VALUES ($1, $2, $3, $4, $5, $6)
         RETURNING id",
    )
    .bind(&public_id)
    .bind(kind.as_str())
    .bind(product.slug())
    .bind(class.as_str())
    .bind(&reason)
    .bind(now)
    .fetch_one(db)
    .await)?;
    let emails = targets.emails.iter().map(|email| Some(email.as_str()));
    for email in targets.webhook.then_some(None).into_iter().chain(emails) {
        on_tx!(tx, db => sqlx::query(
            "INSERT INTO incident_deliveries (incident_id, email, status, next_attempt_at, created_at)
             VALUES ($1, $2, 'pending', $3, $3)",
        )
        .bind(incident)
        .bind(email)
        .bind(now)
        .execute(db)
        .await
        .map(|done| done.rows_affected()))?;
    }
    match &kind {
        IncidentKind::Degraded { .. } => {
            tracing::error!(%product, %class, %reason, incident = %public_id, "UPS pushes back on the application: refreshes stopped but for probes")
        }
        IncidentKind::Recovered { .. } => {
            tracing::warn!(%product, %class, %reason, incident = %public_id, "UPS accepts the application again")
        }
    }
    metrics::counter!("optin_application_incidents_total", "product" => product.slug(), "kind" => kind.as_str())
        .increment(1);
    Ok(())
}

/// Leases up to $3 due incident deliveries until $1 + $2.
const CLAIM: &str = "UPDATE incident_deliveries SET lease_until = $1 + $2 WHERE id IN
        (SELECT d.id FROM incident_deliveries d WHERE d.status = 'pending' AND d.next_attempt_at <= $1
             AND (d.lease_until IS NULL OR d.lease_until <= $1)
         ORDER BY d.next_attempt_at, d.id LIMIT $3 LOCK)
    RETURNING id";

#[derive(sqlx::FromRow)]
struct DueRow {
    id: i64,
    attempts: i64,
    created_at: i64,
    email: Option<String>,
    public_id: String,
    kind: String,
    product: String,
    class: Option<String>,
    reason: Option<String>,
    occurred_at: i64,
}

impl Store {
    /// Claims up to `limit` due incident deliveries for `lease_secs`.
    pub async fn claim_incident_deliveries(&self, limit: u32, lease_secs: i64) -> Result<Vec<DueIncident>, StoreError> {
        let now = now();
        // Most polls find nothing due: a plain read answers them without the write lock.
        let due: Option<i64> = on_pool!(self, db => sqlx::query_scalar(
            "SELECT id FROM incident_deliveries WHERE status = 'pending' AND next_attempt_at <= $1
                 AND (lease_until IS NULL OR lease_until <= $1) LIMIT 1",
        )
        .bind(now)
        .fetch_optional(db)
        .await)?;
        if due.is_none() {
            return Ok(Vec::new());
        }
        let claim = CLAIM.replace("LOCK", if self.is_postgres() { "FOR UPDATE OF d SKIP LOCKED" } else { "" });
        let mut tx = self.write().await?;
        let claimed: Vec<i64> = on_tx!(tx, db => sqlx::query_scalar(&claim)
            .bind(now)
            .bind(lease_secs)
            .bind(i64::from(limit))
            .fetch_all(db)
            .await)?;
        let mut rows: Vec<DueRow> = Vec::with_capacity(claimed.len());
        for id in claimed {
            rows.push(on_tx!(tx, db => sqlx::query_as(
                "SELECT d.id, d.attempts, d.created_at, d.email, i.public_id, i.kind, i.product, i.class, i.reason,
                        i.occurred_at
                 FROM incident_deliveries d JOIN incidents i ON i.id = d.incident_id WHERE d.id = $1",
            )
            .bind(id)
            .fetch_one(db)
            .await)?);
        }
        tx.commit().await?;
        rows.into_iter()
            .map(|row| {
                let kind = IncidentKind::parse(&row.kind).ok_or_else(|| unreadable("incident kind", &row.kind))?;
                Ok(DueIncident {
                    id: IncidentDeliveryId(row.id),
                    attempts: row.attempts,
                    created_at: row.created_at,
                    email: row.email,
                    notice: IncidentNotice {
                        id: row.public_id,
                        kind,
                        product: product(&row.product)?.slug(),
                        class: row.class,
                        reason: row.reason,
                        occurred_at: row.occurred_at,
                    },
                })
            })
            .collect()
    }

    /// The attempt succeeded.
    pub async fn incident_delivered(&self, delivery: &DueIncident) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        on_tx!(tx, db => sqlx::query(
            "UPDATE incident_deliveries SET status = 'delivered', attempts = attempts + 1, delivered_at = $1,
                 lease_until = NULL, last_error = NULL WHERE id = $2",
        )
        .bind(now())
        .bind(delivery.id.0)
        .execute(db)
        .await
        .map(|done| done.rows_affected()))?;
        tx.commit().await?;
        Ok(())
    }

    /// The attempt failed: tried again at `next_at`, or with `None` given up.
    pub async fn incident_delivery_failed(
        &self,
        delivery: &DueIncident,
        error: &str,
        next_at: Option<i64>,
    ) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        on_tx!(tx, db => sqlx::query(
            "UPDATE incident_deliveries SET attempts = attempts + 1, last_error = $1, lease_until = NULL,
                 status = CASE WHEN $2 IS NULL THEN 'failed' ELSE 'pending' END,
                 next_attempt_at = COALESCE($2, next_attempt_at)
             WHERE id = $3",
        )
        .bind(error)
        .bind(next_at)
        .bind(delivery.id.0)
        .execute(db)
        .await
        .map(|done| done.rows_affected()))?;
        tx.commit().await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_read_back_as_their_stored_names() {
        let degraded = IncidentKind::Degraded { class: AnswerClass::RateLimited, reason: String::new() };
        let recovered = IncidentKind::Recovered { class: AnswerClass::RateLimited, since: 0 };
        assert_eq!((degraded.as_str(), recovered.as_str()), ("application.degraded", "application.recovered"));
        assert_eq!(IncidentKind::parse("application.recovered"), Some("application.recovered"));
        assert_eq!(IncidentKind::parse("recovered"), None);
    }
}
