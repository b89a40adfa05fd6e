//! The `sign_in_attempts` table: recent password guesses, by sign-in name and client address,
//! shared by every instance on the database. An attempt is reserved in one short transaction
//! that holds the client address's row in `sign_in_locks`, so guesses sent at once (to one
//! instance or several) are counted one after another, before any password is hashed.

use super::{Store, StoreError};

/// What is on record for a client when it asks to guess again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RecentAttempts {
    /// Attempts from the address, for any name.
    pub from_address: i64,
    /// Attempts from the address for this name…
    pub for_name: i64,
    /// …and when the latest of them was made.
    pub latest_for_name: Option<i64>,
}

impl Store {
    /// Reserves an attempt for (`name_key`, `address`) at `now` if `allow` agrees with what is on
    /// record since `since`; the attempt's id, or `None` when refused. Older attempts of the
    /// address are forgotten on the way.
    pub async fn reserve_sign_in_attempt(
        &self,
        name_key: &str,
        address: &str,
        now: i64,
        since: i64,
        allow: impl FnOnce(RecentAttempts) -> bool,
    ) -> Result<Option<i64>, StoreError> {
        let mut tx = self.write().await?;
        on_tx!(tx, db => sqlx::query(
            "INSERT INTO sign_in_locks (address) VALUES ($1) ON CONFLICT (address) DO UPDATE SET address = excluded.address",
        )
        .bind(address)
        .execute(db)
        .await
        .map(|done| done.rows_affected()))?;
        on_tx!(tx, db => sqlx::query("DELETE FROM sign_in_attempts WHERE address = $1 AND at <= $2")
            .bind(address)
            .bind(since)
            .execute(db)
            .await
            .map(|done| done.rows_affected()))?;
        let (from_address, for_name, latest_for_name): (i64, i64, Option<i64>) = on_tx!(tx, db => sqlx::query_as(
            "SELECT COUNT(*), COUNT(CASE WHEN name_key = $2 THEN 1 END), MAX(CASE WHEN name_key = $2 THEN at END)
             FROM sign_in_attempts WHERE address = $1",
        )
        .bind(address)
        .bind(name_key)
        .fetch_one(db)
        .await)?;
        if !allow(RecentAttempts { from_address, for_name, latest_for_name }) {
            tx.commit().await?;
            return Ok(None);
        }
        let id: i64 = on_tx!(tx, db => sqlx::query_scalar(
            "INSERT INTO sign_in_attempts (name_key, address, at) VALUES ($1, $2, $3) RETURNING id",
        )
        .bind(name_key)
        .bind(address)
        .bind(now)
        .fetch_one(db)
        .await)?;
        tx.commit().await?;
        Ok(Some(id))
    }

    /// Forgets one attempt (it never got to check a password).
    pub async fn forget_sign_in_attempt(&self, id: i64) -> Result<(), StoreError> {
        on_pool!(self, db => sqlx::query("DELETE FROM sign_in_attempts WHERE id = $1")
            .bind(id)
            .execute(db)
            .await
            .map(|done| done.rows_affected()))?;
        Ok(())
    }

    /// Forgets every attempt for the name from the address (the password was right).
    pub async fn forget_sign_in_attempts(&self, name_key: &str, address: &str) -> Result<(), StoreError> {
        on_pool!(self, db => sqlx::query("DELETE FROM sign_in_attempts WHERE name_key = $1 AND address = $2")
            .bind(name_key)
            .bind(address)
            .execute(db)
            .await
            .map(|done| done.rows_affected()))?;
        Ok(())
    }
}
