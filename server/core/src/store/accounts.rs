//! The `users` and `sessions` tables.

use super::{audit, on_constraint, Store, StoreError};
use crate::{
    audit::{Actor, Entry, Event},
    clock::now,
};
use model::{Identity, UserId};

/// What a sign-in is checked against.
#[derive(Debug)]
pub struct Credentials {
    pub id: UserId,
    pub password_hash: String,
}

/// A live session as its user's list shows it.
#[derive(Debug)]
pub struct SessionRecord {
    pub id_hash: Vec<u8>,
    pub user_agent: String,
    pub address: String,
    pub created_at: i64,
    pub last_seen_at: i64,
}

/// The user a live session belongs to.
#[derive(Debug, Clone)]
pub struct SessionUser {
    pub id: UserId,
    pub identity: Identity,
    /// The session was opened by a password (no identity provider) and the user has no second
    /// factor: not enough where second factors are required.
    pub password_only: bool,
}

impl Store {
    /// A new user; `Duplicate` when the sign-in name is taken (names compare case-insensitively).
    pub async fn create_user(
        &self,
        sign_in_name: &str,
        display_name: &str,
        password_hash: &str,
    ) -> Result<UserId, StoreError> {
        let id: i64 = on_pool!(self, db => sqlx::query_scalar(
            "INSERT INTO users (sign_in_name, display_name, password_hash, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(sign_in_name)
        .bind(display_name)
        .bind(password_hash)
        .bind(now())
        .fetch_one(db)
        .await)
        .map_err(on_constraint)?;
        Ok(UserId::new(id))
    }

    pub async fn find_user(&self, sign_in_name: &str) -> Result<Option<UserId>, StoreError> {
        let id: Option<i64> = on_pool!(self, db => sqlx::query_scalar("SELECT id FROM users WHERE sign_in_name = $1")
            .bind(sign_in_name)
            .fetch_optional(db)
            .await)?;
        Ok(id.map(UserId::new))
    }

    /// The names of a user (`None` when there is no such user).
    pub async fn user_identity(&self, user: UserId) -> Result<Option<Identity>, StoreError> {
        let row: Option<(String, String)> = on_pool!(self, db => sqlx::query_as("SELECT sign_in_name, display_name FROM users WHERE id = $1")
            .bind(user.get())
            .fetch_optional(db)
            .await)?;
        Ok(row.map(|(sign_in_name, display_name)| Identity { sign_in_name, display_name }))
    }

    pub async fn credentials(&self, sign_in_name: &str) -> Result<Option<Credentials>, StoreError> {
        let row: Option<(i64, String)> = on_pool!(self, db => sqlx::query_as("SELECT id, password_hash FROM users WHERE sign_in_name = $1")
            .bind(sign_in_name)
            .fetch_optional(db)
            .await)?;
        Ok(row.map(|(id, password_hash)| Credentials { id: UserId::new(id), password_hash }))
    }

    pub async fn user_count(&self) -> Result<i64, StoreError> {
        Ok(on_pool!(self, db => sqlx::query_scalar("SELECT COUNT(*) FROM users").fetch_one(db).await)?)
    }

    /// Opens a session (the id's hash is stored, never the id) and ends `previous`, the one the
    /// browser had, in the same transaction; expired sessions go too.
    pub async fn open_session(
        &self,
        user: UserId,
        id_hash: &[u8],
        previous_hash: Option<&[u8]>,
        expires_at: i64,
        (user_agent, address): (&str, &str),
    ) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        if let Some(previous) = previous_hash {
            on_tx!(tx, db => sqlx::query("DELETE FROM sessions WHERE id_hash = $1").bind(previous).execute(db).await.map(|done| done.rows_affected()))?;
        }
        on_tx!(tx, db => sqlx::query("DELETE FROM sessions WHERE expires_at <= $1").bind(now()).execute(db).await.map(|done| done.rows_affected()))?;
        on_tx!(tx, db => sqlx::query(
            "INSERT INTO sessions (id_hash, user_id, created_at, expires_at, last_seen_at, user_agent, address)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(id_hash)
        .bind(user.get())
        .bind(now())
        .bind(expires_at)
        .bind(now())
        .bind(user_agent)
        .bind(address)
        .execute(db)
        .await.map(|done| done.rows_affected()))?;
        let entry = Entry { actor: Actor::User(user), company: None, product: None, event: Event::SignedIn };
        audit::record(&mut tx, entry).await?;
        tx.commit().await?;
        Ok(())
    }

    /// `user`'s sessions that are neither expired nor idle for `idle` seconds, the most recently
    /// used first.
    pub async fn sessions_of(&self, user: UserId, idle: i64) -> Result<Vec<SessionRecord>, StoreError> {
        let now = now();
        let rows: Vec<(Vec<u8>, String, String, i64, i64)> = on_pool!(self, db => sqlx::query_as(
            "SELECT id_hash, user_agent, address, created_at, last_seen_at FROM sessions
             WHERE user_id = $1 AND expires_at > $2 AND last_seen_at > $3 ORDER BY last_seen_at DESC, created_at DESC",
        )
        .bind(user.get())
        .bind(now)
        .bind(now - idle)
        .fetch_all(db)
        .await)?;
        Ok(rows
            .into_iter()
            .map(|(id_hash, user_agent, address, created_at, last_seen_at)| SessionRecord {
                id_hash,
                user_agent,
                address,
                created_at,
                last_seen_at,
            })
            .collect())
    }

    /// Ends the session with this id hash if it is `user`'s; whether there was one.
    pub async fn end_session_of(&self, user: UserId, id_hash: &[u8]) -> Result<bool, StoreError> {
        let ended = on_pool!(self, db => sqlx::query("DELETE FROM sessions WHERE id_hash = $1 AND user_id = $2")
            .bind(id_hash)
            .bind(user.get())
            .execute(db)
            .await
            .map(|done| done.rows_affected()))?;
        Ok(ended == 1)
    }

    /// Ends every session of `user` that a password opened (not an identity provider) but the
    /// one with the hash `keep` (when there is one).
    pub async fn end_other_password_sessions(&self, user: UserId, keep: Option<&[u8]>) -> Result<u64, StoreError> {
        let ended = on_pool!(self, db => sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND sso_provider IS NULL AND ($2 IS NULL OR id_hash <> $2)")
            .bind(user.get())
            .bind(keep)
            .execute(db)
            .await
            .map(|done| done.rows_affected()))?;
        Ok(ended)
    }

    pub async fn end_session(&self, id_hash: &[u8]) -> Result<(), StoreError> {
        on_pool!(self, db => sqlx::query("DELETE FROM sessions WHERE id_hash = $1").bind(id_hash).execute(db).await.map(|done| done.rows_affected()))?;
        Ok(())
    }

    /// The address the user's notification emails go to, if they gave one.
    pub async fn user_email(&self, user: UserId) -> Result<Option<String>, StoreError> {
        let email: Option<Option<String>> = on_pool!(self, db => sqlx::query_scalar("SELECT email FROM users WHERE id = $1")
            .bind(user.get())
            .fetch_optional(db)
            .await)?;
        Ok(email.flatten())
    }

    /// The address the user's notification emails go to (`None`: no emails); whether there is
    /// such a user.
    pub async fn set_email(&self, user: UserId, email: Option<&str>) -> Result<bool, StoreError> {
        let changed = on_pool!(self, db => sqlx::query("UPDATE users SET email = $1 WHERE id = $2")
            .bind(email)
            .bind(user.get())
            .execute(db)
            .await.map(|done| done.rows_affected()))?;
        Ok(changed == 1)
    }

    /// Ends every session of the user whose session this is (sign out everywhere).
    pub async fn end_sessions_of(&self, id_hash: &[u8]) -> Result<u64, StoreError> {
        let mut tx = self.write().await?;
        // Sign-ins waiting for their second step go too: what ends the sessions ends those.
        on_tx!(tx, db => sqlx::query("DELETE FROM sign_in_steps WHERE user_id = (SELECT user_id FROM sessions WHERE id_hash = $1)")
            .bind(id_hash)
            .execute(db)
            .await.map(|done| done.rows_affected()))?;
        let ended = on_tx!(tx, db => sqlx::query("DELETE FROM sessions WHERE user_id = (SELECT user_id FROM sessions WHERE id_hash = $1)")
                .bind(id_hash)
                .execute(db)
                .await.map(|done| done.rows_affected()))?;
        tx.commit().await?;
        Ok(ended)
    }

    /// A new password hash for `user`, and every session of the user ended (and every sign-in
    /// waiting for its second step), in one transaction;
    /// false when there is no such user.
    pub async fn set_password(&self, user: UserId, password_hash: &str) -> Result<bool, StoreError> {
        let mut tx = self.write().await?;
        let changed = on_tx!(tx, db => sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
            .bind(password_hash)
            .bind(user.get())
            .execute(db)
            .await.map(|done| done.rows_affected()))?;
        for statement in ["DELETE FROM sessions WHERE user_id = $1", "DELETE FROM sign_in_steps WHERE user_id = $1"] {
            on_tx!(tx, db => sqlx::query(statement).bind(user.get()).execute(db).await.map(|done| done.rows_affected()))?;
        }
        tx.commit().await?;
        Ok(changed == 1)
    }

    /// The user of the session with this id hash, unless it expired or went unused for `idle`
    /// seconds (one indexed query). A session in use is marked seen at most once a minute (or
    /// half its idle time, if shorter), so a busy page costs no write per request.
    pub async fn session_user(&self, id_hash: &[u8], idle: i64) -> Result<Option<SessionUser>, StoreError> {
        let now = now();
        let row: Option<(i64, String, String, i64, bool)> = on_pool!(self, db => sqlx::query_as(
            "SELECT u.id, u.sign_in_name, u.display_name, s.last_seen_at,
                    s.sso_provider IS NULL AND NOT EXISTS (
                        SELECT 1 FROM second_factors f WHERE f.user_id = u.id AND f.confirmed_at IS NOT NULL)
             FROM sessions s JOIN users u ON u.id = s.user_id
             WHERE s.id_hash = $1 AND s.expires_at > $2 AND s.last_seen_at > $3",
        )
        .bind(id_hash)
        .bind(now)
        .bind(now - idle)
        .fetch_optional(db)
        .await)?;
        let Some((id, sign_in_name, display_name, last_seen_at, password_only)) = row else { return Ok(None) };
        if last_seen_at <= now - (idle / 2).min(60) {
            let mut tx = self.write().await?;
            on_tx!(tx, db => sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id_hash = $2")
                .bind(now)
                .bind(id_hash)
                .execute(db)
                .await.map(|done| done.rows_affected()))?;
            tx.commit().await?;
        }
        Ok(Some(SessionUser { id: UserId::new(id), identity: Identity { sign_in_name, display_name }, password_only }))
    }
}
