//! The `sign_in_attempts` table: recent password guesses, by sign-in name and client address,
//! shared by every instance on the database. An attempt is reserved in one short transaction
//! that holds the client address's row in `sign_in_locks`, then the name's (`name:…`), so guesses
//! sent at once (to one instance or several, from one address or many) are counted one after
//! another, before any password is hashed. And `sign_in_devices`: the browsers that have signed
//! in as a name (their device cookie's hash).

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
    /// Attempts for this name from every address.
    pub for_name_everywhere: i64,
    /// Whether the browser asking has signed in as this name before (a known device cookie).
    pub known_device: bool,
}

/// A browser that signed in as a name: its new device cookie's hash, the one it replaces (the
/// cookie the browser sent, if any), and how old a name's devices may be before they are forgotten.
#[derive(Clone, Copy, Debug)]
pub struct SignInDevices<'a> {
    pub name_key: &'a str,
    pub new: &'a [u8],
    pub replaced: Option<&'a [u8]>,
    pub forget_before: i64,
    /// `None` for a browser that finished a sign-in; for one a recovery code let past the hold,
    /// the password checks it may make as a known browser.
    pub passes: Option<i64>,
}

/// The browser asking, as far as the throttle knows it: its device cookie's hash, and since
/// when a device counts as known.
#[derive(Clone, Copy, Debug)]
pub struct Device<'a> {
    pub token_hash: &'a [u8],
    pub known_since: i64,
    /// Whether an attempt let through as this device uses up one of its passes (if it has any).
    pub spends_pass: bool,
}

impl Store {
    /// Reserves an attempt for (`name_key`, `address`) at `now` if `allow` agrees with what is on
    /// record since `since`; the attempt's id, or `None` when refused. Older attempts of the
    /// address are forgotten on the way.
    pub async fn reserve_sign_in_attempt(
        &self,
        (name_key, address, device): (&str, &str, Option<Device<'_>>),
        now: i64,
        since: i64,
        allow: impl FnOnce(RecentAttempts) -> bool,
    ) -> Result<Option<i64>, StoreError> {
        let mut tx = self.write().await?;
        // The address first, then the name: every reservation takes them in this order.
        for lock in [address.to_owned(), format!("name:{name_key}")] {
            on_tx!(tx, db => sqlx::query(
                "INSERT INTO sign_in_locks (address) VALUES ($1) ON CONFLICT (address) DO UPDATE SET address = excluded.address",
            )
            .bind(&lock)
            .execute(db)
            .await
            .map(|done| done.rows_affected()))?;
        }
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
        let for_name_everywhere: i64 = on_tx!(tx, db => sqlx::query_scalar(
            "SELECT COUNT(*) FROM sign_in_attempts WHERE name_key = $1 AND at > $2",
        )
        .bind(name_key)
        .bind(since)
        .fetch_one(db)
        .await)?;
        let passes: Option<Option<i64>> = match device {
            None => None,
            Some(device) => on_tx!(tx, db => sqlx::query_scalar(
                "SELECT passes FROM sign_in_devices WHERE token_hash = $1 AND name_key = $2 AND created_at > $3",
            )
            .bind(device.token_hash)
            .bind(name_key)
            .bind(device.known_since)
            .fetch_optional(db)
            .await)?,
        };
        let known_device = passes.is_some_and(|passes| passes.is_none_or(|left| left > 0));
        let recent = RecentAttempts { from_address, for_name, latest_for_name, for_name_everywhere, known_device };
        if !allow(recent) {
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
        if let Some(device) = device.filter(|device| device.spends_pass && matches!(passes, Some(Some(_)))) {
            on_tx!(tx, db => sqlx::query("UPDATE sign_in_devices SET passes = passes - 1 WHERE token_hash = $1")
                .bind(device.token_hash)
                .execute(db)
                .await
                .map(|done| done.rows_affected()))?;
        }
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

    /// Remembers a browser that signed in as the name (its new device cookie's hash) in place of
    /// the cookie it sent, forgetting the name's devices older than `forget_before`.
    pub async fn remember_sign_in_device(&self, devices: SignInDevices<'_>, now: i64) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        on_tx!(tx, db => sqlx::query(
            "DELETE FROM sign_in_devices WHERE token_hash = $3 OR (name_key = $1 AND created_at <= $2)",
        )
            .bind(devices.name_key)
            .bind(devices.forget_before)
            .bind(devices.replaced)
            .execute(db)
            .await
            .map(|done| done.rows_affected()))?;
        on_tx!(tx, db => sqlx::query("INSERT INTO sign_in_devices (token_hash, name_key, created_at, passes) VALUES ($1, $2, $3, $4)")
            .bind(devices.new)
            .bind(devices.name_key)
            .bind(now)
            .bind(devices.passes)
            .execute(db)
            .await
            .map(|done| done.rows_affected()))?;
        tx.commit().await?;
        Ok(())
    }
}
