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

/// The user a live session belongs to.
#[derive(Debug, Clone)]
pub struct SessionUser {
    pub id: UserId,
    pub identity: Identity,
}

impl Store {
    /// A new user; `Duplicate` when the sign-in name is taken (names compare case-insensitively).
    pub async fn create_user(
        &self,
        sign_in_name: &str,
        display_name: &str,
        password_hash: &str,
    ) -> Result<UserId, StoreError> {
        let result = sqlx::query(
            "INSERT INTO users (sign_in_name, display_name, password_hash, created_at) VALUES (?, ?, ?, ?)",
        )
        .bind(sign_in_name)
        .bind(display_name)
        .bind(password_hash)
        .bind(now())
        .execute(&self.pool)
        .await
        .map_err(on_constraint)?;
        Ok(UserId::new(result.last_insert_rowid()))
    }

    pub async fn find_user(&self, sign_in_name: &str) -> Result<Option<UserId>, StoreError> {
        let id: Option<i64> = sqlx::query_scalar("SELECT id FROM users WHERE sign_in_name = ?")
            .bind(sign_in_name)
            .fetch_optional(&self.pool)
            .await?;
        Ok(id.map(UserId::new))
    }

    pub async fn credentials(&self, sign_in_name: &str) -> Result<Option<Credentials>, StoreError> {
        let row: Option<(i64, String)> = sqlx::query_as("SELECT id, password_hash FROM users WHERE sign_in_name = ?")
            .bind(sign_in_name)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|(id, password_hash)| Credentials { id: UserId::new(id), password_hash }))
    }

    pub async fn user_count(&self) -> Result<i64, StoreError> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM users").fetch_one(&self.pool).await?)
    }

    /// Opens a session (the id's hash is stored, never the id) and ends `previous`, the one the
    /// browser had, in the same transaction; expired sessions go too.
    pub async fn open_session(
        &self,
        user: UserId,
        id_hash: &[u8],
        previous_hash: Option<&[u8]>,
        expires_at: i64,
    ) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        if let Some(previous) = previous_hash {
            sqlx::query("DELETE FROM sessions WHERE id_hash = ?").bind(previous).execute(&mut *tx).await?;
        }
        sqlx::query("DELETE FROM sessions WHERE expires_at <= ?").bind(now()).execute(&mut *tx).await?;
        sqlx::query(
            "INSERT INTO sessions (id_hash, user_id, created_at, expires_at, last_seen_at) VALUES (?, ?, ?, ?, ?)",
        )
        .bind(id_hash)
        .bind(user.get())
        .bind(now())
        .bind(expires_at)
        .bind(now())
        .execute(&mut *tx)
        .await?;
        let entry = Entry { actor: Actor::User(user), company: None, product: None, event: Event::SignedIn };
        audit::record(&mut tx, entry).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn end_session(&self, id_hash: &[u8]) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sessions WHERE id_hash = ?").bind(id_hash).execute(&self.pool).await?;
        Ok(())
    }

    /// The address the user's notification emails go to (`None`: no emails); whether there is
    /// such a user.
    pub async fn set_email(&self, user: UserId, email: Option<&str>) -> Result<bool, StoreError> {
        let changed = sqlx::query("UPDATE users SET email = ? WHERE id = ?")
            .bind(email)
            .bind(user.get())
            .execute(&self.pool)
            .await?
            .rows_affected();
        Ok(changed == 1)
    }

    /// Ends every session of the user whose session this is (sign out everywhere).
    pub async fn end_sessions_of(&self, id_hash: &[u8]) -> Result<u64, StoreError> {
        let ended =
            sqlx::query("DELETE FROM sessions WHERE user_id = (SELECT user_id FROM sessions WHERE id_hash = ?)")
                .bind(id_hash)
                .execute(&self.pool)
                .await?
                .rows_affected();
        Ok(ended)
    }

    /// A new password hash for `user`, and every session of the user ended, in one transaction;
    /// false when there is no such user.
    pub async fn set_password(&self, user: UserId, password_hash: &str) -> Result<bool, StoreError> {
        let mut tx = self.write().await?;
        let changed = sqlx::query("UPDATE users SET password_hash = ? WHERE id = ?")
            .bind(password_hash)
            .bind(user.get())
            .execute(&mut *tx)
            .await?
            .rows_affected();
        sqlx::query("DELETE FROM sessions WHERE user_id = ?").bind(user.get()).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(changed == 1)
    }

    /// The user of the session with this id hash, unless it expired or went unused for `idle`
    /// seconds (one indexed query). A session in use is marked seen at most once a minute (or
    /// half its idle time, if shorter), so a busy page costs no write per request.
    pub async fn session_user(&self, id_hash: &[u8], idle: i64) -> Result<Option<SessionUser>, StoreError> {
        let now = now();
        let row: Option<(i64, String, String, i64)> = sqlx::query_as(
            "SELECT u.id, u.sign_in_name, u.display_name, s.last_seen_at FROM sessions s JOIN users u ON u.id = s.user_id
             WHERE s.id_hash = ? AND s.expires_at > ? AND s.last_seen_at > ?",
        )
        .bind(id_hash)
        .bind(now)
        .bind(now - idle)
        .fetch_optional(&self.pool)
        .await?;
        let Some((id, sign_in_name, display_name, last_seen_at)) = row else { return Ok(None) };
        if last_seen_at <= now - (idle / 2).min(60) {
            let mut tx = self.write().await?;
            sqlx::query("UPDATE sessions SET last_seen_at = ? WHERE id_hash = ?")
                .bind(now)
                .bind(id_hash)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
        }
        Ok(Some(SessionUser { id: UserId::new(id), identity: Identity { sign_in_name, display_name } }))
    }
}
