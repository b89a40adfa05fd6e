//! Second factors' tables: `second_factors` (passkeys and authenticator apps, sealed with the
//! key ring) and `recovery_codes` (hashes, each used once). The sign-in's second step is
//! `sign_in_steps`'.

use super::{Store, StoreError};
use crate::{clock::now, secret::SecretString};
use model::{FactorKind, SecondFactor, UserId};

/// What a factor's sealed secret is bound to: this user's factor of this kind.
fn secret_aad(user: UserId, kind: FactorKind) -> String {
    format!("second_factors.secret|user={}|kind={}", user.get(), kind.as_str())
}

/// A factor's secret, opened: the TOTP key in base32, or the passkey as webauthn-rs keeps it.
pub struct OpenedFactor {
    pub id: i64,
    pub secret: SecretString,
    pub last_step: Option<i64>,
}

/// What asking to remove a factor did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Removal {
    Removed,
    NoSuchFactor,
    /// It is the user's last and one must stay.
    LastOne,
}

type FactorRow = (i64, String, String, i64, Option<i64>);

impl Store {
    /// Adds an authenticator app's key, unconfirmed until its first code (any earlier unconfirmed
    /// one of the user's goes).
    pub async fn add_totp_factor(&self, user: UserId, label: &str, key: &SecretString) -> Result<i64, StoreError> {
        let sealed = self.cipher.seal(key.expose(), &secret_aad(user, FactorKind::Totp))?;
        let mut tx = self.write().await?;
        on_tx!(tx, db => sqlx::query("DELETE FROM second_factors WHERE user_id = $1 AND kind = 'totp' AND confirmed_at IS NULL")
            .bind(user.get()).execute(db).await.map(|done| done.rows_affected()))?;
        let id: i64 = on_tx!(tx, db => sqlx::query_scalar(
            "INSERT INTO second_factors (user_id, kind, label, secret, created_at) VALUES ($1, 'totp', $2, $3, $4) RETURNING id",
        )
        .bind(user.get())
        .bind(label)
        .bind(sealed)
        .bind(now())
        .fetch_one(db)
        .await)?;
        tx.commit().await?;
        Ok(id)
    }

    /// The user's authenticator apps, opened: the confirmed ones, or with `unconfirmed` only the
    /// one waiting for its first code.
    pub async fn totp_factors(&self, user: UserId, unconfirmed: bool) -> Result<Vec<OpenedFactor>, StoreError> {
        let rows: Vec<(i64, Vec<u8>, Option<i64>)> = on_pool!(self, db => sqlx::query_as(
            "SELECT id, secret, last_step FROM second_factors
             WHERE user_id = $1 AND kind = 'totp' AND (confirmed_at IS NULL) = $2 ORDER BY id",
        )
        .bind(user.get())
        .bind(unconfirmed)
        .fetch_all(db)
        .await)?;
        let aad = secret_aad(user, FactorKind::Totp);
        rows.into_iter()
            .map(|(id, sealed, last_step)| {
                let secret = self.cipher.open(&sealed, &aad, &aad).map_err(|source| StoreError::Unsealable {
                    row: format!("second_factors.secret (factor {id})"),
                    source,
                })?;
                Ok(OpenedFactor { id, secret, last_step })
            })
            .collect()
    }

    /// Records that a code of `step` was accepted for the factor (confirming it, when it was
    /// waiting): false when that step or a later one was already used, so a code works once, on
    /// every instance.
    pub async fn use_totp_step(&self, factor: i64, step: i64) -> Result<bool, StoreError> {
        let at = now();
        let used = on_pool!(self, db => sqlx::query(
            "UPDATE second_factors SET last_step = $1, last_used_at = $2, confirmed_at = COALESCE(confirmed_at, $2)
             WHERE id = $3 AND kind = 'totp' AND (last_step IS NULL OR last_step < $1)",
        )
        .bind(step)
        .bind(at)
        .bind(factor)
        .execute(db)
        .await.map(|done| done.rows_affected()))?;
        Ok(used == 1)
    }

    /// Adds a passkey; `Duplicate` when its credential is registered already.
    pub async fn add_passkey(
        &self,
        user: UserId,
        label: &str,
        credential_id: &[u8],
        passkey: &SecretString,
    ) -> Result<i64, StoreError> {
        let sealed = self.cipher.seal(passkey.expose(), &secret_aad(user, FactorKind::Passkey))?;
        let at = now();
        let id: i64 = on_pool!(self, db => sqlx::query_scalar(
            "INSERT INTO second_factors (user_id, kind, label, secret, credential_id, confirmed_at, created_at)
             VALUES ($1, 'passkey', $2, $3, $4, $5, $5) RETURNING id",
        )
        .bind(user.get())
        .bind(label)
        .bind(sealed)
        .bind(credential_id)
        .bind(at)
        .fetch_one(db)
        .await)?;
        Ok(id)
    }

    /// The user's passkeys, opened.
    pub async fn passkeys(&self, user: UserId) -> Result<Vec<OpenedFactor>, StoreError> {
        let rows: Vec<(i64, Vec<u8>)> = on_pool!(self, db => sqlx::query_as(
            "SELECT id, secret FROM second_factors WHERE user_id = $1 AND kind = 'passkey' ORDER BY id",
        )
        .bind(user.get())
        .fetch_all(db)
        .await)?;
        let aad = secret_aad(user, FactorKind::Passkey);
        rows.into_iter()
            .map(|(id, sealed)| {
                let secret = self.cipher.open(&sealed, &aad, &aad).map_err(|source| StoreError::Unsealable {
                    row: format!("second_factors.secret (factor {id})"),
                    source,
                })?;
                Ok(OpenedFactor { id, secret, last_step: None })
            })
            .collect()
    }

    /// Records a passkey's use, with what the authenticator reported (its counter) when it changed.
    pub async fn passkey_used(
        &self,
        user: UserId,
        factor: i64,
        updated: Option<&SecretString>,
    ) -> Result<(), StoreError> {
        let sealed = updated
            .map(|passkey| self.cipher.seal(passkey.expose(), &secret_aad(user, FactorKind::Passkey)))
            .transpose()?;
        on_pool!(self, db => sqlx::query(
            "UPDATE second_factors SET last_used_at = $1, secret = COALESCE($2, secret) WHERE id = $3 AND user_id = $4",
        )
        .bind(now())
        .bind(sealed)
        .bind(factor)
        .bind(user.get())
        .execute(db)
        .await.map(|done| done.rows_affected()))?;
        Ok(())
    }

    /// The user's second factors that count (confirmed), oldest first.
    pub async fn second_factors_of(&self, user: UserId) -> Result<Vec<SecondFactor>, StoreError> {
        let rows: Vec<FactorRow> = on_pool!(self, db => sqlx::query_as(
            "SELECT id, kind, label, created_at, last_used_at FROM second_factors
             WHERE user_id = $1 AND confirmed_at IS NOT NULL ORDER BY id",
        )
        .bind(user.get())
        .fetch_all(db)
        .await)?;
        rows.into_iter()
            .map(|(id, kind, label, added_at, last_used_at)| {
                let kind = FactorKind::parse(&kind)
                    .ok_or_else(|| StoreError::Unreadable(format!("second_factors.kind \"{kind}\"")))?;
                Ok(SecondFactor { id, kind, label, added_at, last_used_at })
            })
            .collect()
    }

    /// Removes one of the user's factors (only theirs), unless `keep_one` and it is their last:
    /// counted and removed in one transaction that holds the user, so two removals at once
    /// cannot both see another factor left. When it was the last, their recovery codes go too.
    pub async fn remove_second_factor(&self, user: UserId, factor: i64, keep_one: bool) -> Result<Removal, StoreError> {
        let mut tx = self.write().await?;
        if self.is_postgres() {
            on_tx!(tx, db => sqlx::query_scalar::<_, i64>("SELECT id FROM users WHERE id = $1 FOR UPDATE")
                .bind(user.get()).fetch_optional(db).await)?;
        }
        let (mine, confirmed): (i64, i64) = on_tx!(tx, db => sqlx::query_as(
            "SELECT COUNT(*) FILTER (WHERE id = $2 AND confirmed_at IS NOT NULL), COUNT(*) FILTER (WHERE confirmed_at IS NOT NULL)
             FROM second_factors WHERE user_id = $1",
        )
        .bind(user.get())
        .bind(factor)
        .fetch_one(db)
        .await)?;
        let refused = match (mine, confirmed) {
            (0, _) => Some(Removal::NoSuchFactor),
            (_, ..=1) if keep_one => Some(Removal::LastOne),
            _ => None,
        };
        if let Some(refused) = refused {
            tx.rollback().await?;
            return Ok(refused);
        }
        on_tx!(tx, db => sqlx::query("DELETE FROM second_factors WHERE id = $1 AND user_id = $2")
            .bind(factor).bind(user.get()).execute(db).await.map(|done| done.rows_affected()))?;
        if confirmed <= 1 {
            on_tx!(tx, db => sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
                .bind(user.get()).execute(db).await.map(|done| done.rows_affected()))?;
        }
        tx.commit().await?;
        Ok(Removal::Removed)
    }

    /// Removes every factor, recovery code and sign-in step of the user, and ends their
    /// sessions; answers how many factors there were.
    pub async fn reset_second_factors(&self, user: UserId) -> Result<u64, StoreError> {
        let mut tx = self.write().await?;
        let removed = on_tx!(tx, db => sqlx::query("DELETE FROM second_factors WHERE user_id = $1 AND confirmed_at IS NOT NULL")
            .bind(user.get()).execute(db).await.map(|done| done.rows_affected()))?;
        for table in ["second_factors", "recovery_codes", "sign_in_steps", "sessions"] {
            let statement = format!("DELETE FROM {table} WHERE user_id = $1");
            on_tx!(tx, db => sqlx::query(&statement).bind(user.get()).execute(db).await.map(|done| done.rows_affected()))?;
        }
        tx.commit().await?;
        Ok(removed)
    }

    /// Replaces the user's recovery codes with these (their hashes).
    pub async fn replace_recovery_codes(&self, user: UserId, hashes: &[Vec<u8>]) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        on_tx!(tx, db => sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
            .bind(user.get()).execute(db).await.map(|done| done.rows_affected()))?;
        for hash in hashes {
            on_tx!(tx, db => sqlx::query("INSERT INTO recovery_codes (user_id, code_hash) VALUES ($1, $2)")
                .bind(user.get()).bind(hash).execute(db).await.map(|done| done.rows_affected()))?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Uses one of the user's recovery codes: true once, false ever after (or for no such code).
    pub async fn use_recovery_code(&self, user: UserId, hash: &[u8]) -> Result<bool, StoreError> {
        let used = on_pool!(self, db => sqlx::query(
            "UPDATE recovery_codes SET used_at = $1 WHERE user_id = $2 AND code_hash = $3 AND used_at IS NULL",
        )
        .bind(now())
        .bind(user.get())
        .bind(hash)
        .execute(db)
        .await.map(|done| done.rows_affected()))?;
        Ok(used == 1)
    }

    /// Spends an unused recovery code of the user with this sign-in name: whose it was. One
    /// statement whether or not the name exists, so the answer's timing does not say.
    pub async fn use_recovery_code_of(&self, sign_in_name: &str, hash: &[u8]) -> Result<Option<UserId>, StoreError> {
        let user: Option<i64> = on_pool!(self, db => sqlx::query_scalar(
            "UPDATE recovery_codes SET used_at = $1
             WHERE user_id = (SELECT id FROM users WHERE sign_in_name = $2) AND code_hash = $3 AND used_at IS NULL
             RETURNING user_id",
        )
        .bind(now())
        .bind(sign_in_name)
        .bind(hash)
        .fetch_optional(db)
        .await)?;
        Ok(user.map(UserId::new))
    }

    /// Whether the user has this recovery code unused (nothing is spent: `use_recovery_code` does).
    pub async fn has_recovery_code(&self, user: UserId, hash: &[u8]) -> Result<bool, StoreError> {
        let found: Option<i64> = on_pool!(self, db => sqlx::query_scalar(
            "SELECT user_id FROM recovery_codes WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL",
        )
        .bind(user.get())
        .bind(hash)
        .fetch_optional(db)
        .await)?;
        Ok(found.is_some())
    }

    /// How many of the user's recovery codes are still unused.
    pub async fn recovery_codes_left(&self, user: UserId) -> Result<i64, StoreError> {
        Ok(
            on_pool!(self, db => sqlx::query_scalar("SELECT COUNT(*) FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL")
            .bind(user.get()).fetch_one(db).await)?,
        )
    }

    /// Re-seals with the current key every factor's secret another key sealed; answers
    /// (re-sealed, rows that did not open). Conditional on the row being unchanged.
    pub async fn rewrap_second_factors(&self) -> Result<(u64, Vec<String>), StoreError> {
        let rows: Vec<(i64, i64, String, Vec<u8>)> = on_pool!(self, db => sqlx::query_as(
            "SELECT id, user_id, kind, secret FROM second_factors ORDER BY id",
        )
        .fetch_all(db)
        .await)?;
        let (mut rewrapped, mut unreadable) = (0, Vec::new());
        for (id, user, kind, sealed) in rows.into_iter().filter(|row| !self.cipher.is_current(&row.3)) {
            let opened = match self.open_factor_secret(id, UserId::new(user), &kind, &sealed) {
                Ok(opened) => opened,
                Err(error) => {
                    unreadable.push(error.to_string());
                    continue;
                }
            };
            let kind = FactorKind::parse(&kind)
                .ok_or_else(|| StoreError::Unreadable(format!("second_factors.kind \"{kind}\"")))?;
            let resealed = self.cipher.seal(opened.expose(), &secret_aad(UserId::new(user), kind))?;
            rewrapped += on_pool!(self, db => sqlx::query("UPDATE second_factors SET secret = $1 WHERE id = $2 AND secret = $3")
                .bind(resealed).bind(id).bind(&sealed).execute(db).await.map(|done| done.rows_affected()))?;
        }
        Ok((rewrapped, unreadable))
    }

    /// Opens every factor's secret with the key ring, as `server check` and a copy's check do:
    /// (opened, rows that did not open).
    pub async fn try_open_second_factors(&self) -> Result<(u64, Vec<String>), StoreError> {
        let rows: Vec<(i64, i64, String, Vec<u8>)> = on_pool!(self, db => sqlx::query_as(
            "SELECT id, user_id, kind, secret FROM second_factors ORDER BY id",
        )
        .fetch_all(db)
        .await)?;
        let (mut opened, mut unreadable) = (0, Vec::new());
        for (id, user, kind, sealed) in rows {
            match self.open_factor_secret(id, UserId::new(user), &kind, &sealed) {
                Ok(_) => opened += 1,
                Err(error) => unreadable.push(error.to_string()),
            }
        }
        Ok((opened, unreadable))
    }

    fn open_factor_secret(&self, id: i64, user: UserId, kind: &str, sealed: &[u8]) -> Result<SecretString, StoreError> {
        let kind =
            FactorKind::parse(kind).ok_or_else(|| StoreError::Unreadable(format!("second_factors.kind \"{kind}\"")))?;
        let aad = secret_aad(user, kind);
        self.cipher
            .open(sealed, &aad, &aad)
            .map_err(|source| StoreError::Unsealable { row: format!("second_factors.secret (factor {id})"), source })
    }
}
