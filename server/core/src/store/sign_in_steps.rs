//! The sign-in's second step: `sign_in_steps` (a sign-in whose password was right, waiting for
//! its second factor, or for its first one where they are required) and `passkey_ceremonies` (a
//! WebAuthn ceremony between its two halves, sealed, taken once).

use super::{Store, StoreError};
use crate::{clock::now, secret::SecretString};
use model::{StepPurpose, UserId};

/// What a ceremony's sealed state is bound to: its owner and kind.
fn ceremony_aad(owner_hash: &[u8], kind: &str) -> String {
    let owner: String = owner_hash.iter().map(|byte| format!("{byte:02x}")).collect();
    format!("passkey_ceremonies.state|owner={owner}|kind={kind}")
}

/// A sign-in waiting for its second step.
#[derive(Clone, Debug)]
pub struct SignInStepRecord {
    pub user: UserId,
    pub purpose: StepPurpose,
    pub next: Option<String>,
    pub user_agent: String,
    pub address: String,
    pub failures: i64,
}

/// A sign-in step about to be opened.
pub struct NewSignInStep<'a> {
    pub id_hash: &'a [u8],
    pub user: UserId,
    pub purpose: StepPurpose,
    pub next: Option<&'a str>,
    pub user_agent: &'a str,
    pub address: &'a str,
    pub expires_at: i64,
}

impl Store {
    /// Opens a sign-in step (and forgets expired ones).
    pub async fn open_sign_in_step(&self, step: NewSignInStep<'_>) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        on_tx!(tx, db => sqlx::query("DELETE FROM sign_in_steps WHERE expires_at <= $1").bind(now()).execute(db).await.map(|done| done.rows_affected()))?;
        on_tx!(tx, db => sqlx::query(
            "INSERT INTO sign_in_steps (id_hash, user_id, purpose, next, user_agent, address, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(step.id_hash)
        .bind(step.user.get())
        .bind(step.purpose.as_str())
        .bind(step.next)
        .bind(step.user_agent)
        .bind(step.address)
        .bind(now())
        .bind(step.expires_at)
        .execute(db)
        .await.map(|done| done.rows_affected()))?;
        tx.commit().await?;
        Ok(())
    }

    /// The live sign-in step with this hash.
    pub async fn sign_in_step(&self, id_hash: &[u8]) -> Result<Option<SignInStepRecord>, StoreError> {
        let row: Option<(i64, String, Option<String>, String, String, i64)> = on_pool!(self, db => sqlx::query_as(
            "SELECT user_id, purpose, next, user_agent, address, failures FROM sign_in_steps WHERE id_hash = $1 AND expires_at > $2",
        )
        .bind(id_hash)
        .bind(now())
        .fetch_optional(db)
        .await)?;
        row.map(step_record).transpose()
    }

    /// Counts a wrong answer against the step; at `limit` wrong answers the step ends (the
    /// password must be entered again). True while the step lives on.
    pub async fn fail_sign_in_step(&self, id_hash: &[u8], limit: i64) -> Result<bool, StoreError> {
        let mut tx = self.write().await?;
        let failures: Option<i64> = on_tx!(tx, db => sqlx::query_scalar(
            "UPDATE sign_in_steps SET failures = failures + 1 WHERE id_hash = $1 RETURNING failures",
        )
        .bind(id_hash)
        .fetch_optional(db)
        .await)?;
        let lives = failures.is_some_and(|failures| failures < limit);
        if !lives {
            on_tx!(tx, db => sqlx::query("DELETE FROM sign_in_steps WHERE id_hash = $1").bind(id_hash).execute(db).await.map(|done| done.rows_affected()))?;
        }
        tx.commit().await?;
        Ok(lives)
    }

    /// Takes the live step with this hash: deleted in the same statement, so it finishes once.
    pub async fn take_sign_in_step(&self, id_hash: &[u8]) -> Result<Option<SignInStepRecord>, StoreError> {
        let row: Option<(i64, String, Option<String>, String, String, i64, i64)> = on_pool!(self, db => sqlx::query_as(
            "DELETE FROM sign_in_steps WHERE id_hash = $1
             RETURNING user_id, purpose, next, user_agent, address, failures, expires_at",
        )
        .bind(id_hash)
        .fetch_optional(db)
        .await)?;
        let live = row.filter(|row| row.6 > now());
        live.map(|(user, purpose, next, agent, address, failures, _)| {
            step_record((user, purpose, next, agent, address, failures))
        })
        .transpose()
    }

    /// Keeps a passkey ceremony's state until its second half (replacing the owner's earlier one).
    pub async fn save_passkey_ceremony(
        &self,
        owner_hash: &[u8],
        user: UserId,
        kind: &str,
        state: &SecretString,
        expires_at: i64,
    ) -> Result<(), StoreError> {
        let sealed = self.cipher.seal(state.expose(), &ceremony_aad(owner_hash, kind))?;
        let mut tx = self.write().await?;
        on_tx!(tx, db => sqlx::query("DELETE FROM passkey_ceremonies WHERE owner_hash = $1 OR expires_at <= $2")
            .bind(owner_hash).bind(now()).execute(db).await.map(|done| done.rows_affected()))?;
        on_tx!(tx, db => sqlx::query(
            "INSERT INTO passkey_ceremonies (owner_hash, user_id, kind, state, expires_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(owner_hash)
        .bind(user.get())
        .bind(kind)
        .bind(sealed)
        .bind(expires_at)
        .execute(db)
        .await.map(|done| done.rows_affected()))?;
        tx.commit().await?;
        Ok(())
    }

    /// Takes the owner's live ceremony of this kind, once: its user and state.
    pub async fn take_passkey_ceremony(
        &self,
        owner_hash: &[u8],
        kind: &str,
    ) -> Result<Option<(UserId, SecretString)>, StoreError> {
        let row: Option<(i64, Vec<u8>, i64)> = on_pool!(self, db => sqlx::query_as(
            "DELETE FROM passkey_ceremonies WHERE owner_hash = $1 AND kind = $2 RETURNING user_id, state, expires_at",
        )
        .bind(owner_hash)
        .bind(kind)
        .fetch_optional(db)
        .await)?;
        let Some((user, sealed, _)) = row.filter(|(_, _, expires_at)| *expires_at > now()) else { return Ok(None) };
        let aad = ceremony_aad(owner_hash, kind);
        let state = self.cipher.open(&sealed, &aad, &aad).map_err(|source| StoreError::Unsealable {
            row: format!("passkey_ceremonies.state (user {user})"),
            source,
        })?;
        Ok(Some((UserId::new(user), state)))
    }
}

fn step_record(
    (user, purpose, next, user_agent, address, failures): (i64, String, Option<String>, String, String, i64),
) -> Result<SignInStepRecord, StoreError> {
    let purpose = StepPurpose::parse(&purpose)
        .ok_or_else(|| StoreError::Unreadable(format!("sign_in_steps.purpose \"{purpose}\"")))?;
    Ok(SignInStepRecord { user: UserId::new(user), purpose, next, user_agent, address, failures })
}
