//! The `webhook_endpoints` table: where each product's backend wants to hear about changes, and
//! the secret each delivery is signed with (sealed). Replaying an event re-queues its deliveries.

use super::{
    product,
    sealed::{open_endpoint_secret, seal_endpoint_secret},
    Store, StoreError,
};
use crate::{clock::now, secret::SecretString};
use model::Product;

/// An endpoint, as the command line lists it (never its secret).
#[derive(Debug)]
pub struct WebhookEndpoint {
    pub id: i64,
    pub product: Product,
    pub url: String,
    pub created_at: i64,
    /// Until then, the previous secret signs beside the current one.
    pub previous_until: Option<i64>,
}

impl Store {
    pub async fn add_endpoint(&self, product: Product, url: &str, secret: &SecretString) -> Result<i64, StoreError> {
        let mut tx = self.write().await?;
        let id: i64 = on_tx!(tx, db => sqlx::query_scalar(
            "INSERT INTO webhook_endpoints (product, url, secret, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(product.slug())
        .bind(url)
        // Sealed below, once the row id it is bound to is known.
        .bind(Vec::<u8>::new())
        .bind(now())
        .fetch_one(db)
        .await)?;
        let sealed = seal_endpoint_secret(&self.cipher, id, product, "secret", secret)?;
        on_tx!(tx, db => sqlx::query("UPDATE webhook_endpoints SET secret = $1 WHERE id = $2")
            .bind(sealed)
            .bind(id)
            .execute(db)
            .await.map(|done| done.rows_affected()))?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn endpoints(&self) -> Result<Vec<WebhookEndpoint>, StoreError> {
        let rows: Vec<(i64, String, String, i64, Option<i64>)> = on_pool!(self, db => sqlx::query_as(
            "SELECT id, product, url, created_at, previous_until FROM webhook_endpoints WHERE removed_at IS NULL ORDER BY id",
        )
        .fetch_all(db)
        .await)?;
        rows.into_iter()
            .map(|(id, slug, url, created_at, previous_until)| {
                Ok(WebhookEndpoint { id, product: product(&slug)?, url, created_at, previous_until })
            })
            .collect()
    }

    /// The live endpoint of `product` at `url`, with its current signing secret.
    pub async fn endpoint_at(&self, product: Product, url: &str) -> Result<Option<(i64, SecretString)>, StoreError> {
        let row: Option<(i64, Vec<u8>)> = on_pool!(self, db => sqlx::query_as(
            "SELECT id, secret FROM webhook_endpoints WHERE product = $1 AND url = $2 AND removed_at IS NULL ORDER BY id LIMIT 1",
        )
        .bind(product.slug())
        .bind(url)
        .fetch_optional(db)
        .await)?;
        row.map(|(id, sealed)| Ok((id, open_endpoint_secret(&self.cipher, id, product, "secret", &sealed)?)))
            .transpose()
    }

    /// Removes the endpoint; its pending deliveries are given up. Whether there was one.
    pub async fn remove_endpoint(&self, id: i64) -> Result<bool, StoreError> {
        let mut tx = self.write().await?;
        let removed = on_tx!(tx, db => sqlx::query("UPDATE webhook_endpoints SET removed_at = $1 WHERE id = $2 AND removed_at IS NULL")
            .bind(now())
            .bind(id)
            .execute(db)
            .await.map(|done| done.rows_affected()))?;
        on_tx!(tx, db => sqlx::query(
            "UPDATE deliveries SET status = 'failed', last_error = 'endpoint removed' WHERE endpoint_id = $1 AND status = 'pending'",
        )
        .bind(id)
        .execute(db)
        .await.map(|done| done.rows_affected()))?;
        tx.commit().await?;
        Ok(removed == 1)
    }

    /// Makes `secret` the endpoint's signing secret; the one it replaces keeps signing beside it
    /// until `previous_until`. Whether there was such an endpoint.
    pub async fn rotate_endpoint_secret(
        &self,
        id: i64,
        secret: &SecretString,
        previous_until: i64,
    ) -> Result<bool, StoreError> {
        let mut tx = self.write().await?;
        let row: Option<(String, Vec<u8>)> = on_tx!(tx, db => sqlx::query_as("SELECT product, secret FROM webhook_endpoints WHERE id = $1 AND removed_at IS NULL")
                .bind(id)
                .fetch_optional(db)
                .await)?;
        let Some((slug, sealed)) = row else { return Ok(false) };
        let product = product(&slug)?;
        let previous = open_endpoint_secret(&self.cipher, id, product, "secret", &sealed)?;
        on_tx!(tx, db => sqlx::query("UPDATE webhook_endpoints SET secret = $1, previous_secret = $2, previous_until = $3 WHERE id = $4")
            .bind(seal_endpoint_secret(&self.cipher, id, product, "secret", secret)?)
            .bind(seal_endpoint_secret(&self.cipher, id, product, "previous_secret", &previous)?)
            .bind(previous_until)
            .bind(id)
            .execute(db)
            .await.map(|done| done.rows_affected()))?;
        tx.commit().await?;
        Ok(true)
    }

    /// Re-seals, with the key ring's current key, every live endpoint's signing secrets that
    /// another key sealed; answers (re-sealed, rows that did not open). Conditional on the row
    /// being unchanged, like the tokens' rewrap.
    pub async fn rewrap_endpoint_secrets(&self) -> Result<(u64, Vec<String>), StoreError> {
        let rows: Vec<(i64, String, Vec<u8>, Option<Vec<u8>>)> = on_pool!(self, db => sqlx::query_as(
            "SELECT id, product, secret, previous_secret FROM webhook_endpoints WHERE removed_at IS NULL ORDER BY id",
        )
        .fetch_all(db)
        .await)?;
        let (mut rewrapped, mut unreadable) = (0, Vec::new());
        for (id, slug, secret, previous) in rows {
            let current = |sealed: &[u8]| self.cipher.is_current(sealed);
            if current(&secret) && previous.as_deref().is_none_or(current) {
                continue;
            }
            let product = product(&slug)?;
            let reseal = |column: &str, sealed: &[u8]| -> Result<Vec<u8>, StoreError> {
                let open = open_endpoint_secret(&self.cipher, id, product, column, sealed)?;
                seal_endpoint_secret(&self.cipher, id, product, column, &open)
            };
            let resealed = reseal("secret", &secret).and_then(|secret| {
                Ok((secret, previous.as_deref().map(|sealed| reseal("previous_secret", sealed)).transpose()?))
            });
            let (new_secret, new_previous) = match resealed {
                Ok(resealed) => resealed,
                Err(error) => {
                    unreadable.push(error.to_string());
                    continue;
                }
            };
            let mut tx = self.write().await?;
            rewrapped += on_tx!(tx, db => sqlx::query(
                "UPDATE webhook_endpoints SET secret = $1, previous_secret = $2 WHERE id = $3 AND secret = $4 AND previous_secret IS NOT DISTINCT FROM $5",
            )
            .bind(new_secret)
            .bind(new_previous)
            .bind(id)
            .bind(&secret)
            .bind(&previous)
            .execute(db)
            .await.map(|done| done.rows_affected()))?;
            tx.commit().await?;
        }
        Ok((rewrapped, unreadable))
    }

    /// Sends the event with this id again to every current endpoint of its product (a new
    /// attempt with the same event id); how many deliveries were queued, `None` for no such event.
    pub async fn replay_event(&self, public_id: &str) -> Result<Option<u64>, StoreError> {
        let mut tx = self.write().await?;
        let event: Option<(i64, String)> = on_tx!(tx, db => sqlx::query_as("SELECT id, product FROM events WHERE public_id = $1")
            .bind(public_id)
            .fetch_optional(db)
            .await)?;
        let Some((event, product)) = event else { return Ok(None) };
        let queued = on_tx!(tx, db => sqlx::query(
            "INSERT INTO deliveries (event_id, endpoint_id, status, next_attempt_at, created_at)
             SELECT $1, id, 'pending', $2, $2 FROM webhook_endpoints WHERE product = $3 AND removed_at IS NULL
             ON CONFLICT (event_id, endpoint_id) DO UPDATE SET status = 'pending', next_attempt_at = $2,
                 lease_until = NULL, created_at = $2",
        )
        .bind(event)
        .bind(now())
        .bind(product)
        .execute(db)
        .await.map(|done| done.rows_affected()))?;
        tx.commit().await?;
        Ok(Some(queued))
    }
}
