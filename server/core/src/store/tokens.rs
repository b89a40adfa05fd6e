//! The `oauth_tokens` table, and the columns of `authorizations` that keep a grant alive:
//! refreshes, retries and the record of a refresh under way.

use super::{
    audit, outbox, product,
    sealed::{TokenColumn, TokenOwner},
    state, unreadable, Store, StoreError,
};
use crate::{
    audit::{Entry, Event},
    clock::now,
    events::EventKind,
    keyring::KeyRing,
    secret::{fingerprint, SecretString},
    ups::TokenGrant,
};
use model::{AuthorizationState, CompanyId, Product, TokenPage, TokenRow, TokenStatus};
use sqlx::SqliteConnection;
use std::fmt;

/// UPS unreachable while the stored token expires within this many seconds is a degraded
/// incident (the token API hands out tokens valid for at least 60 s).
const DEGRADED_MARGIN_SECS: i64 = 60;

/// An authorization's row id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct AuthorizationId(i64);

impl fmt::Display for AuthorizationId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// Why an active token stops being the one in use.
#[derive(Clone, Copy)]
pub(super) enum Retired {
    /// A refresh issued its successor.
    Refreshed,
    /// A new opt-in issued its successor.
    Replaced,
    /// Opt-Out, Clear, or a dead grant: nothing succeeds it.
    Cleared,
}

/// Wipes the secrets of the authorization's active token (only if it is still `token`, when
/// given) and records why; returns how many tokens it retired (0 or 1).
pub(super) async fn retire_active(
    conn: &mut SqliteConnection,
    authorization: i64,
    token: Option<i64>,
    why: Retired,
) -> Result<u64, StoreError> {
    let status = match why {
        Retired::Refreshed => "refreshed",
        Retired::Replaced => "replaced",
        Retired::Cleared => "cleared",
    };
    let retired = sqlx::query(
        "UPDATE oauth_tokens SET status = ?1, access_token = NULL, refresh_token = NULL
         WHERE authorization_id = ?2 AND status = 'active' AND (?3 IS NULL OR id = ?3)",
    )
    .bind(status)
    .bind(authorization)
    .bind(token)
    .execute(conn)
    .await?
    .rows_affected();
    Ok(retired)
}

/// Stores `grant` as the authorization's active token, sealed; returns when it expires.
pub(super) async fn insert(
    conn: &mut SqliteConnection,
    cipher: &KeyRing,
    owner: TokenOwner,
    grant: &TokenGrant,
) -> Result<i64, StoreError> {
    let issued = now();
    let authorization = owner.authorization;
    let access = owner.seal(cipher, TokenColumn::Access, &grant.access_token)?;
    let refresh =
        grant.refresh_token.as_ref().map(|token| owner.seal(cipher, TokenColumn::Refresh, token)).transpose()?;
    let lifetime = grant.expires_in.as_secs() as i64;
    sqlx::query(
        "INSERT INTO oauth_tokens (authorization_id, status, fingerprint, access_token, refresh_token, issued_at, expires_at, refresh_expires_at, refresh_at)
         VALUES (?, 'active', ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(authorization)
    .bind(fingerprint(grant.access_token.expose()))
    .bind(access)
    .bind(refresh)
    .bind(issued)
    .bind(issued + lifetime)
    .bind(grant.refresh_expires_in.map(|lifetime| issued + lifetime.as_secs() as i64))
    .bind(issued + lifetime - grant.refresh_margin())
    .execute(conn)
    .await?;
    Ok(issued + lifetime)
}

/// An authorization and its active token, as stored.
pub struct Current {
    pub authorization: AuthorizationId,
    owner: TokenOwner,
    pub state: AuthorizationState,
    /// The active token's row: every write after a provider call is conditional on it still being
    /// the active one, so an opt-out or a new opt-in in the meantime wins.
    token: Option<i64>,
    access: Option<Vec<u8>>,
    refresh: Option<Vec<u8>>,
    pub issued_at: i64,
    pub expires_at: i64,
    pub refresh_at: i64,
    /// Waiting out a backoff after an outage until then.
    pub retry_at: Option<i64>,
    /// A refresh recorded as under way whose answer was never stored: when it started.
    pub interrupted_refresh: Option<i64>,
}

impl Current {
    pub fn has_access_token(&self) -> bool {
        self.access.is_some()
    }

    pub fn has_refresh_token(&self) -> bool {
        self.refresh.is_some()
    }
}

/// What is stored for (company, product).
pub enum Lookup {
    UnknownCompany,
    /// The company has never authorized the product.
    NotAuthorized,
    Found(Current),
}

#[derive(sqlx::FromRow)]
struct CurrentRow {
    authorization: Option<i64>,
    status: Option<String>,
    reason: Option<String>,
    token: Option<i64>,
    access: Option<Vec<u8>>,
    refresh: Option<Vec<u8>>,
    issued_at: Option<i64>,
    expires_at: Option<i64>,
    refresh_at: Option<i64>,
    retry_at: Option<i64>,
    refresh_started_at: Option<i64>,
}

/// A refresh's answer, once stored.
pub enum Refreshed {
    /// Stored as the active token; it expires then.
    Stored { expires_at: i64 },
    /// The authorization changed while UPS was asked (opt-out, new opt-in): nothing was stored.
    Superseded,
}

impl Store {
    pub async fn current(&self, company: CompanyId, product: Product) -> Result<Lookup, StoreError> {
        let row: Option<CurrentRow> = sqlx::query_as(
            "SELECT a.id AS authorization, a.status, a.status_reason AS reason, t.id AS token, t.access_token AS access,
                    t.refresh_token AS refresh, t.issued_at, t.expires_at, t.refresh_at, a.retry_at, a.refresh_started_at
             FROM companies c
             LEFT JOIN authorizations a ON a.company_id = c.id AND a.product = ?
             LEFT JOIN oauth_tokens t ON t.authorization_id = a.id AND t.status = 'active'
             WHERE c.id = ?",
        )
        .bind(product.slug())
        .bind(company.get())
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(Lookup::UnknownCompany) };
        let (Some(authorization), Some(status)) = (row.authorization, row.status) else {
            return Ok(Lookup::NotAuthorized);
        };
        Ok(Lookup::Found(Current {
            authorization: AuthorizationId(authorization),
            owner: TokenOwner { authorization, company, product },
            state: state(&status, row.reason.as_deref())?,
            token: row.token,
            access: row.access,
            refresh: row.refresh,
            issued_at: row.issued_at.unwrap_or_default(),
            expires_at: row.expires_at.unwrap_or_default(),
            refresh_at: row.refresh_at.unwrap_or_default(),
            retry_at: row.retry_at,
            interrupted_refresh: row.refresh_started_at,
        }))
    }

    /// The active access token, opened.
    pub fn access_token(&self, current: &Current) -> Result<Option<SecretString>, StoreError> {
        self.unseal(current, current.access.as_deref(), TokenColumn::Access)
    }

    /// The active refresh token, opened.
    pub fn refresh_token(&self, current: &Current) -> Result<Option<SecretString>, StoreError> {
        self.unseal(current, current.refresh.as_deref(), TokenColumn::Refresh)
    }

    fn unseal(
        &self,
        current: &Current,
        sealed: Option<&[u8]>,
        column: TokenColumn,
    ) -> Result<Option<SecretString>, StoreError> {
        sealed.map(|sealed| current.owner.open(&self.cipher, column, sealed)).transpose()
    }

    /// Records that a refresh is about to ask UPS (keeping the start of an earlier one that never
    /// finished), committed before UPS is asked; false when the authorization is no longer
    /// authorized.
    pub async fn record_refresh_started(&self, authorization: AuthorizationId) -> Result<bool, StoreError> {
        let mut tx = self.write().await?;
        let recorded = sqlx::query(
            "UPDATE authorizations SET refresh_started_at = COALESCE(refresh_started_at, ?)
             WHERE id = ? AND status = 'authorized'",
        )
        .bind(now())
        .bind(authorization.0)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        tx.commit().await?;
        Ok(recorded == 1)
    }

    /// Stores the rotated pair UPS just issued in one short transaction that also clears the
    /// record of the refresh under way; only if `current`'s token is still the active one.
    pub async fn store_refreshed(
        &self,
        current: &Current,
        company: CompanyId,
        product: Product,
        grant: &TokenGrant,
    ) -> Result<Refreshed, StoreError> {
        let authorization = current.authorization.0;
        let mut tx = self.write().await?;
        let still_ours: Option<i64> =
            sqlx::query_scalar("SELECT id FROM authorizations WHERE id = ? AND status = 'authorized'")
                .bind(authorization)
                .fetch_optional(&mut *tx)
                .await?;
        if still_ours.is_none() || retire_active(&mut tx, authorization, current.token, Retired::Refreshed).await? != 1
        {
            tx.rollback().await?;
            return Ok(Refreshed::Superseded);
        }
        let expires_at = insert(&mut tx, &self.cipher, current.owner, grant).await?;
        sqlx::query(
            "UPDATE authorizations SET refresh_failures = 0, retry_at = NULL, refresh_started_at = NULL WHERE id = ?",
        )
        .bind(authorization)
        .execute(&mut *tx)
        .await?;
        let event = Event::Refreshed { token: fingerprint(grant.access_token.expose()) };
        audit::record(&mut tx, Entry::service(company, product, event)).await?;
        outbox::end_degraded(&mut tx, authorization, company, product).await?;
        tx.commit().await?;
        Ok(Refreshed::Stored { expires_at })
    }

    /// The grant is dead: re-authorization required, tokens wiped. Only if `current`'s token is
    /// still the active one (an opt-in in the meantime has a grant of its own); returns whether
    /// it marked anything.
    pub async fn mark_dead(
        &self,
        current: &Current,
        company: CompanyId,
        product: Product,
        reason: String,
    ) -> Result<bool, StoreError> {
        let authorization = current.authorization.0;
        let mut tx = self.write().await?;
        if retire_active(&mut tx, authorization, current.token, Retired::Cleared).await? != 1 {
            tx.rollback().await?;
            return Ok(false);
        }
        let marked = sqlx::query(
            "UPDATE authorizations SET status = 'reauthorization_required', status_reason = ?, status_changed_at = ?,
                 refresh_failures = 0, retry_at = NULL, refresh_started_at = NULL, degraded_at = NULL
             WHERE id = ? AND status = 'authorized'",
        )
        .bind(&reason)
        .bind(now())
        .bind(authorization)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if marked != 1 {
            tx.rollback().await?;
            return Ok(false);
        }
        outbox::record_event(&mut tx, EventKind::ReauthorizationRequired, company, product, Some(&reason)).await?;
        audit::record(&mut tx, Entry::service(company, product, Event::ReauthorizationRequired { reason })).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Backs off after a failed refresh: one more consecutive failure, the next try `delay(n)`
    /// seconds away for the n-th; `settled` when UPS certainly did not act on it, so it no longer
    /// counts as under way.
    pub async fn schedule_retry(
        &self,
        authorization: AuthorizationId,
        company: CompanyId,
        product: Product,
        error: &str,
        settled: bool,
        delay: impl FnOnce(u32) -> i64,
    ) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        let failures: i64 = sqlx::query_scalar(
            "UPDATE authorizations SET refresh_failures = refresh_failures + 1 WHERE id = ? RETURNING refresh_failures",
        )
        .bind(authorization.0)
        .fetch_one(&mut *tx)
        .await?;
        let next_in_secs = delay(failures.clamp(1, 1_000) as u32);
        sqlx::query(
            "UPDATE authorizations SET retry_at = ?,
                 refresh_started_at = CASE WHEN ? THEN NULL ELSE refresh_started_at END
             WHERE id = ?",
        )
        .bind(now() + next_in_secs)
        .bind(settled)
        .bind(authorization.0)
        .execute(&mut *tx)
        .await?;
        let event = Event::RefreshFailed { attempt: failures, next_in_secs, error: error.to_owned() };
        audit::record(&mut tx, Entry::service(company, product, event)).await?;
        outbox::start_degraded(&mut tx, authorization.0, company, product, DEGRADED_MARGIN_SECS).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Authorizations whose active token is due for refresh and not waiting out a backoff,
    /// soonest first.
    pub async fn due(&self, limit: u32) -> Result<Vec<(CompanyId, Product)>, StoreError> {
        let rows: Vec<(i64, String)> = sqlx::query_as(
            "SELECT a.company_id, a.product FROM oauth_tokens t JOIN authorizations a ON a.id = t.authorization_id
             WHERE t.status = 'active' AND t.refresh_at <= ?1 AND a.status = 'authorized'
               AND (a.retry_at IS NULL OR a.retry_at <= ?1)
             ORDER BY t.refresh_at LIMIT ?2",
        )
        .bind(now())
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(|(company, slug)| Ok((CompanyId::new(company), product(&slug)?))).collect()
    }

    /// One page of (company, product)'s token history, newest first; metadata only.
    pub async fn token_page(&self, company: CompanyId, product: Product, page: u32) -> Result<TokenPage, StoreError> {
        let total: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM oauth_tokens t JOIN authorizations a ON a.id = t.authorization_id
             WHERE a.company_id = ? AND a.product = ?",
        )
        .bind(company.get())
        .bind(product.slug())
        .fetch_one(&self.pool)
        .await?;
        let pages = (total as u32).div_ceil(TokenPage::SIZE).max(1);
        let page = page.clamp(1, pages);
        let rows: Vec<(String, i64, i64, String)> = sqlx::query_as(
            "SELECT t.fingerprint, t.issued_at, t.expires_at, t.status FROM oauth_tokens t
             JOIN authorizations a ON a.id = t.authorization_id
             WHERE a.company_id = ? AND a.product = ?
             ORDER BY t.issued_at DESC, t.id DESC LIMIT ? OFFSET ?",
        )
        .bind(company.get())
        .bind(product.slug())
        .bind(TokenPage::SIZE)
        .bind((page - 1) * TokenPage::SIZE)
        .fetch_all(&self.pool)
        .await?;
        let now = now();
        let rows = rows
            .into_iter()
            .map(|(fingerprint, issued_at, expires_at, status)| {
                let status = match status.as_str() {
                    "active" if expires_at <= now => TokenStatus::Expired,
                    "active" => TokenStatus::Active,
                    "refreshed" => TokenStatus::Refreshed,
                    "replaced" => TokenStatus::Replaced,
                    "cleared" => TokenStatus::Cleared,
                    other => return Err(unreadable("token status", other)),
                };
                Ok(TokenRow { fingerprint, issued_at, expires_at, status })
            })
            .collect::<Result<_, StoreError>>()?;
        Ok(TokenPage { rows, page, pages, total: total as u32 })
    }
}
