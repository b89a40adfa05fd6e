//! Single sign-on's tables: `sso_states`, the sign-ins under way at an identity provider (single
//! use, bound to the browser that started them, short-lived), and `user_identities`, which user
//! a provider's subject is; and, on `sessions`, which provider opened a session and with what
//! ID token (for signing out there too).

use super::{Store, StoreError};
use crate::{clock::now, secret::SecretString};
use model::UserId;

/// A sign-in about to leave for the provider.
pub struct NewSsoState<'a> {
    /// SHA-256 of the `state` parameter.
    pub state_hash: Vec<u8>,
    pub provider: &'a str,
    /// SHA-256 of the browser's own cookie, which the callback must come back with.
    pub browser_hash: Vec<u8>,
    /// The nonce and the PKCE verifier, kept sealed.
    pub nonce: &'a SecretString,
    pub pkce_verifier: &'a SecretString,
    /// Where to go once signed in (a path of this service's).
    pub next: Option<&'a str>,
    pub expires_at: i64,
}

/// A sign-in taken back when the browser returns.
pub struct TakenSsoState {
    pub provider: String,
    pub browser_hash: Vec<u8>,
    pub nonce: SecretString,
    pub pkce_verifier: SecretString,
    pub next: Option<String>,
    pub expires_at: i64,
}

/// What a session's sealed ID token is bound to: this session, this provider.
fn id_token_aad(session_hash: &[u8], provider: &str) -> String {
    let session: String = session_hash.iter().map(|byte| format!("{byte:02x}")).collect();
    format!("sessions.sso_id_token|session={session}|provider={provider}")
}

/// What the sealed secrets are bound to: this state of this provider.
fn secrets_aad(state_hash: &[u8], provider: &str) -> String {
    let state: String = state_hash.iter().map(|byte| format!("{byte:02x}")).collect();
    format!("sso_states.secrets|state={state}|provider={provider}")
}

impl Store {
    /// Saves the sign-in under way (and forgets expired ones).
    pub async fn save_sso_state(&self, state: NewSsoState<'_>) -> Result<(), StoreError> {
        let aad = secrets_aad(&state.state_hash, state.provider);
        // Both are URL-safe tokens, without spaces.
        let secrets = format!("{} {}", state.nonce.expose(), state.pkce_verifier.expose());
        let sealed = self.cipher.seal(&secrets, &aad)?;
        let mut tx = self.write().await?;
        on_tx!(tx, db => sqlx::query("DELETE FROM sso_states WHERE expires_at <= $1").bind(now()).execute(db).await.map(|done| done.rows_affected()))?;
        on_tx!(tx, db => sqlx::query(
            "INSERT INTO sso_states (state_hash, provider, browser_hash, secrets, next, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&state.state_hash)
        .bind(state.provider)
        .bind(&state.browser_hash)
        .bind(sealed)
        .bind(state.next)
        .bind(now())
        .bind(state.expires_at)
        .execute(db)
        .await.map(|done| done.rows_affected()))?;
        tx.commit().await?;
        Ok(())
    }

    /// Takes the sign-in with this state hash: deleted in the same statement, so it is used once.
    pub async fn take_sso_state(&self, state_hash: &[u8]) -> Result<Option<TakenSsoState>, StoreError> {
        let row: Option<(String, Vec<u8>, Vec<u8>, Option<String>, i64)> = on_pool!(self, db => sqlx::query_as(
            "DELETE FROM sso_states WHERE state_hash = $1 RETURNING provider, browser_hash, secrets, next, expires_at",
        )
        .bind(state_hash)
        .fetch_optional(db)
        .await)?;
        let Some((provider, browser_hash, sealed, next, expires_at)) = row else { return Ok(None) };
        let aad = secrets_aad(state_hash, &provider);
        let secrets = self.cipher.open(&sealed, &aad, &aad).map_err(|source| StoreError::Unsealable {
            row: format!("sso_states.secrets (provider {provider})"),
            source,
        })?;
        let (nonce, verifier) = secrets
            .expose()
            .split_once(' ')
            .ok_or_else(|| StoreError::Inconsistent(format!("sso_states.secrets of {provider} lacks a part")))?;
        let (nonce, pkce_verifier) = (SecretString::new(nonce), SecretString::new(verifier));
        Ok(Some(TakenSsoState { provider, browser_hash, nonce, pkce_verifier, next, expires_at }))
    }

    /// Keeps with a session the provider that opened it and the ID token it signed in with.
    pub async fn keep_sso_sign_in(
        &self,
        session_hash: &[u8],
        provider: &str,
        id_token: &SecretString,
    ) -> Result<(), StoreError> {
        let sealed = self.cipher.seal(id_token.expose(), &id_token_aad(session_hash, provider))?;
        on_pool!(self, db => sqlx::query("UPDATE sessions SET sso_provider = $1, sso_id_token = $2 WHERE id_hash = $3")
            .bind(provider)
            .bind(sealed)
            .bind(session_hash)
            .execute(db)
            .await.map(|done| done.rows_affected()))?;
        Ok(())
    }

    /// The provider that opened this session and the ID token it signed in with, if one did.
    pub async fn sso_sign_in_of(&self, session_hash: &[u8]) -> Result<Option<(String, SecretString)>, StoreError> {
        let row: Option<(Option<String>, Option<Vec<u8>>)> = on_pool!(self, db => sqlx::query_as(
            "SELECT sso_provider, sso_id_token FROM sessions WHERE id_hash = $1",
        )
        .bind(session_hash)
        .fetch_optional(db)
        .await)?;
        let Some((Some(provider), Some(sealed))) = row else { return Ok(None) };
        let aad = id_token_aad(session_hash, &provider);
        let id_token = self.cipher.open(&sealed, &aad, &aad).map_err(|source| StoreError::Unsealable {
            row: format!("sessions.sso_id_token (provider {provider})"),
            source,
        })?;
        Ok(Some((provider, id_token)))
    }

    /// The user a provider's subject is linked to.
    pub async fn identity_user(&self, provider: &str, subject: &str) -> Result<Option<UserId>, StoreError> {
        let user: Option<i64> = on_pool!(self, db => sqlx::query_scalar(
            "SELECT user_id FROM user_identities WHERE provider = $1 AND subject = $2",
        )
        .bind(provider)
        .bind(subject)
        .fetch_optional(db)
        .await)?;
        Ok(user.map(UserId::new))
    }

    /// The one user with this e-mail address (compared without regard to case), if exactly one.
    pub async fn user_with_email(&self, email: &str) -> Result<Option<UserId>, StoreError> {
        let users: Vec<i64> = on_pool!(self, db => sqlx::query_scalar(
            "SELECT id FROM users WHERE LOWER(email) = LOWER($1) LIMIT 2",
        )
        .bind(email)
        .fetch_all(db)
        .await)?;
        Ok(match users.as_slice() {
            [user] => Some(UserId::new(*user)),
            _ => None,
        })
    }

    /// Links a provider's subject to `user` (a subject already linked stays as it was).
    pub async fn link_identity(&self, provider: &str, subject: &str, user: UserId) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        on_tx!(tx, db => sqlx::query(
            "INSERT INTO user_identities (provider, subject, user_id, created_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (provider, subject) DO NOTHING",
        )
        .bind(provider)
        .bind(subject)
        .bind(user.get())
        .bind(now())
        .execute(db)
        .await.map(|done| done.rows_affected()))?;
        tx.commit().await?;
        Ok(())
    }
}
