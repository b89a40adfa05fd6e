//! The built-in UPS sandbox's tables (`sandbox_users`, `sandbox_grants`, `sandbox_codes`,
//! `sandbox_tokens`): its own users, grants, codes and tokens, kept apart from the service's
//! tables exactly as UPS's would be. Only the sandbox (`server::sandbox`) uses these.

use super::WriteTx;
use super::{Store, StoreError};
use crate::clock::now;

/// A sandbox UPS.com user, found by username or email.
#[derive(Debug, sqlx::FromRow)]
pub struct SandboxUser {
    pub username: String,
    pub password_hash: String,
}

/// An authorization code, taken (and so deleted) at the exchange.
#[derive(Debug, sqlx::FromRow)]
pub struct SandboxCode {
    pub grant_id: i64,
    pub redirect_uri: String,
    pub code_challenge: Option<String>,
    pub expires_at: i64,
    pub client_id: String,
    pub grant_revoked: bool,
}

/// A token the sandbox issues: the hash it keeps, and when it expires.
pub struct SandboxToken<'a> {
    pub hash: &'a [u8],
    pub expires_at: i64,
}

impl Store {
    /// How many refresh tokens the sandbox has issued (one per exchange, one per refresh).
    pub async fn sandbox_refresh_tokens(&self) -> Result<i64, StoreError> {
        Ok(on_pool!(self, db => sqlx::query_scalar("SELECT COUNT(*) FROM sandbox_tokens WHERE kind = 'refresh'")
            .fetch_one(db)
            .await)?)
    }

    pub async fn sandbox_user_count(&self) -> Result<i64, StoreError> {
        Ok(on_pool!(self, db => sqlx::query_scalar("SELECT COUNT(*) FROM sandbox_users").fetch_one(db).await)?)
    }

    pub async fn sandbox_add_user(&self, username: &str, email: &str, password_hash: &str) -> Result<(), StoreError> {
        on_pool!(self, db => sqlx::query(
            "INSERT INTO sandbox_users (username, email, password_hash, password_changed_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(username)
        .bind(email)
        .bind(password_hash)
        .bind(now())
        .execute(db)
        .await.map(|done| done.rows_affected()))?;
        Ok(())
    }

    /// Sets a user's password and revokes every grant they made, in one transaction, as a
    /// UPS.com password change does; how many grants died, or `None` for an unknown user.
    pub async fn sandbox_set_password(&self, username: &str, password_hash: &str) -> Result<Option<u64>, StoreError> {
        let mut tx = self.write().await?;
        let updated = on_tx!(tx, db => sqlx::query("UPDATE sandbox_users SET password_hash = $1, password_changed_at = $2 WHERE username = $3")
                .bind(password_hash)
                .bind(now())
                .bind(username)
                .execute(db)
                .await.map(|done| done.rows_affected()))?;
        if updated == 0 {
            return Ok(None);
        }
        let revoked = on_tx!(tx, db => sqlx::query("UPDATE sandbox_grants SET revoked_at = $1 WHERE username = $2 AND revoked_at IS NULL")
            .bind(now())
            .bind(username)
            .execute(db)
            .await.map(|done| done.rows_affected()))?;
        tx.commit().await?;
        Ok(Some(revoked))
    }

    /// A user by username or email.
    pub async fn sandbox_user(&self, name: &str) -> Result<Option<SandboxUser>, StoreError> {
        Ok(
            on_pool!(self, db => sqlx::query_as("SELECT username, password_hash FROM sandbox_users WHERE username = $1 OR email = $1")
            .bind(name)
            .fetch_optional(db)
            .await)?,
        )
    }

    /// A new grant of `username` to `client_id`, and its single-use code, in one transaction.
    pub async fn sandbox_issue_code(
        &self,
        client_id: &str,
        username: &str,
        code_hash: &[u8],
        redirect_uri: &str,
        code_challenge: Option<&str>,
        expires_at: i64,
    ) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        let grant: i64 = on_tx!(tx, db => sqlx::query_scalar("INSERT INTO sandbox_grants (client_id, username, created_at) VALUES ($1, $2, $3) RETURNING id")
            .bind(client_id)
            .bind(username)
            .bind(now())
            .fetch_one(db)
            .await)?;
        on_tx!(tx, db => sqlx::query(
            "INSERT INTO sandbox_codes (code_hash, grant_id, redirect_uri, code_challenge, expires_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(code_hash)
        .bind(grant)
        .bind(redirect_uri)
        .bind(code_challenge)
        .bind(expires_at)
        .execute(db)
        .await.map(|done| done.rows_affected()))?;
        tx.commit().await?;
        Ok(())
    }

    /// Takes the code with this hash: deleting it is what makes a code single-use, whatever
    /// happens next.
    pub async fn sandbox_take_code(&self, code_hash: &[u8]) -> Result<Option<SandboxCode>, StoreError> {
        let mut tx = self.write().await?;
        let code = on_tx!(tx, db => sqlx::query_as(
            "DELETE FROM sandbox_codes WHERE code_hash = $1
             RETURNING grant_id, redirect_uri, code_challenge, expires_at,
                 (SELECT client_id FROM sandbox_grants g WHERE g.id = grant_id) AS client_id,
                 (SELECT revoked_at IS NOT NULL FROM sandbox_grants g WHERE g.id = grant_id) AS grant_revoked",
        )
        .bind(code_hash)
        .fetch_optional(db)
        .await)?;
        tx.commit().await?;
        Ok(code)
    }

    /// Records a new access and refresh token of `grant`.
    pub async fn sandbox_issue_tokens(
        &self,
        grant: i64,
        access: SandboxToken<'_>,
        refresh: SandboxToken<'_>,
    ) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        insert_pair(&mut tx, grant, access, refresh).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Rotates a refresh token, in one transaction: the old one is revoked with a conditional
    /// update (so of two concurrent refreshes with the same token exactly one wins), the grant's
    /// access tokens go, and the new pair is recorded. Answers how many refresh tokens the grant
    /// had, or `None` when the old token is unknown, used, expired, of another client or of a
    /// revoked grant.
    pub async fn sandbox_rotate(
        &self,
        refresh_hash: &[u8],
        client_id: &str,
        access: SandboxToken<'_>,
        refresh: SandboxToken<'_>,
    ) -> Result<Option<i64>, StoreError> {
        let mut tx = self.write().await?;
        let grant: Option<i64> = on_tx!(tx, db => sqlx::query_scalar(
            "UPDATE sandbox_tokens SET revoked_at = $1
             WHERE token_hash = $2 AND kind = 'refresh' AND revoked_at IS NULL AND expires_at > $1
               AND EXISTS (SELECT 1 FROM sandbox_grants g
                           WHERE g.id = sandbox_tokens.grant_id AND g.client_id = $3 AND g.revoked_at IS NULL)
             RETURNING grant_id",
        )
        .bind(now())
        .bind(refresh_hash)
        .bind(client_id)
        .fetch_optional(db)
        .await)?;
        let Some(grant) = grant else { return Ok(None) };
        on_tx!(tx, db => sqlx::query(
            "UPDATE sandbox_tokens SET revoked_at = $1 WHERE grant_id = $2 AND kind = 'access' AND revoked_at IS NULL",
        )
        .bind(now())
        .bind(grant)
        .execute(db)
        .await.map(|done| done.rows_affected()))?;
        let refreshes: i64 = on_tx!(tx, db => sqlx::query_scalar("SELECT COUNT(*) FROM sandbox_tokens WHERE grant_id = $1 AND kind = 'refresh'")
                .bind(grant)
                .fetch_one(db)
                .await)?;
        insert_pair(&mut tx, grant, access, refresh).await?;
        tx.commit().await?;
        Ok(Some(refreshes))
    }
}

async fn insert_pair(
    conn: &mut WriteTx,
    grant: i64,
    access: SandboxToken<'_>,
    refresh: SandboxToken<'_>,
) -> Result<(), StoreError> {
    for (token, kind) in [(access, "access"), (refresh, "refresh")] {
        on_tx!(conn, db => sqlx::query("INSERT INTO sandbox_tokens (token_hash, grant_id, kind, expires_at) VALUES ($1, $2, $3, $4)")
            .bind(token.hash)
            .bind(grant)
            .bind(kind)
            .bind(token.expires_at)
            .execute(db)
            .await.map(|done| done.rows_affected()))?;
    }
    Ok(())
}
