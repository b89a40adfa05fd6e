//! The `oauth_tokens` table: an authorization's active token and its history, sealed, and what
//! is stored for (company, product) as the token API reads it. Refreshing it is in `refreshes`.

use super::{
    sealed::{TokenColumn, TokenOwner},
    state, unreadable, Store, StoreError, WriteTx,
};
use crate::{
    clock::now,
    keyring::KeyRing,
    secret::{fingerprint, SecretString},
    ups::TokenGrant,
};
use model::{AuthorizationState, CompanyId, Product, TokenPage, TokenRow, TokenStatus};
use std::fmt;

/// An authorization's row id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct AuthorizationId(pub(super) i64);

impl fmt::Display for AuthorizationId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// Why an active token stops being the one in use; its name is the token's status from then on.
#[derive(Clone, Copy, strum::IntoStaticStr)]
#[strum(serialize_all = "snake_case")]
pub(super) enum Retired {
    /// A refresh issued its successor.
    Refreshed,
    /// A new opt-in issued its successor.
    Replaced,
    /// Opt-Out, Clear, or a dead grant: nothing succeeds it.
    Cleared,
}

impl Retired {
    /// The token's status from then on.
    pub(super) fn status(self) -> &'static str {
        self.into()
    }
}

/// Wipes the secrets of the authorization's active token (only if it is still `token`, when
/// given) and records why; returns how many tokens it retired (0 or 1).
pub(super) async fn retire_active(
    conn: &mut WriteTx,
    authorization: i64,
    token: Option<i64>,
    why: Retired,
) -> Result<u64, StoreError> {
    let status = why.status();
    let retired = on_tx!(conn, db => sqlx::query(
        "UPDATE oauth_tokens SET status = $1, access_token = NULL, refresh_token = NULL
         WHERE authorization_id = $2 AND status = 'active' AND ($3 IS NULL OR id = $3)",
    )
    .bind(status)
    .bind(authorization)
    .bind(token)
    .execute(db)
    .await.map(|done| done.rows_affected()))?;
    Ok(retired)
}

/// The margin plus up to half as much again at random: tokens issued together (a storm of
/// refreshes, a batch of opt-ins) come due spread out, so the next round is flatter.
fn refresh_margin_with_jitter(margin: i64) -> i64 {
    margin + rand::Rng::gen_range(&mut rand::thread_rng(), 0..=margin / 2)
}

/// When a pair issued now expires, and when its authorization is due to refresh it.
#[derive(Clone, Copy)]
pub(super) struct Schedule {
    pub issued_at: i64,
    pub expires_at: i64,
    pub refresh_at: i64,
}

impl Schedule {
    pub fn of(grant: &TokenGrant) -> Self {
        let issued_at = now();
        let expires_at = issued_at + grant.expires_in.as_secs() as i64;
        Self { issued_at, expires_at, refresh_at: expires_at - refresh_margin_with_jitter(grant.refresh_margin()) }
    }
}

/// Stores `grant` as the authorization's active token, sealed, issued as `schedule` says (its
/// authorization keeps when it is due: `schedule.refresh_at`).
pub(super) async fn insert(
    conn: &mut WriteTx,
    cipher: &KeyRing,
    owner: TokenOwner,
    grant: &TokenGrant,
    schedule: Schedule,
) -> Result<(), StoreError> {
    insert_all(conn, cipher, &[(owner, grant, schedule)]).await
}

/// [`insert`] for several authorizations at once: one statement.
pub(super) async fn insert_all(
    conn: &mut WriteTx,
    cipher: &KeyRing,
    tokens: &[(TokenOwner, &TokenGrant, Schedule)],
) -> Result<(), StoreError> {
    struct Row {
        authorization: i64,
        fingerprint: String,
        access: Vec<u8>,
        refresh: Option<Vec<u8>>,
        schedule: Schedule,
        refresh_expires_at: Option<i64>,
    }
    let rows = tokens
        .iter()
        .map(|(owner, grant, schedule)| {
            Ok(Row {
                authorization: owner.authorization,
                fingerprint: fingerprint(grant.access_token.expose()),
                access: owner.seal(cipher, TokenColumn::Access, &grant.access_token)?,
                refresh: grant
                    .refresh_token
                    .as_ref()
                    .map(|token| owner.seal(cipher, TokenColumn::Refresh, token))
                    .transpose()?,
                schedule: *schedule,
                refresh_expires_at: grant
                    .refresh_expires_in
                    .map(|lifetime| schedule.issued_at + lifetime.as_secs() as i64),
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    on_tx!(conn, db => {
        let mut insert = sqlx::QueryBuilder::new(
            "INSERT INTO oauth_tokens (authorization_id, status, fingerprint, access_token, refresh_token, issued_at, expires_at, refresh_expires_at) ",
        );
        insert.push_values(&rows, |mut values, row| {
            values
                .push_bind(row.authorization)
                .push("'active'")
                .push_bind(&row.fingerprint)
                .push_bind(&row.access)
                .push_bind(&row.refresh)
                .push_bind(row.schedule.issued_at)
                .push_bind(row.schedule.expires_at)
                .push_bind(row.refresh_expires_at);
        });
        insert.build().execute(db).await.map(|done| done.rows_affected())
    })?;
    Ok(())
}

/// An authorization and its active token, as stored.
pub struct Current {
    pub authorization: AuthorizationId,
    pub(super) owner: TokenOwner,
    pub state: AuthorizationState,
    /// The active token's row: every write after a provider call is conditional on it still being
    /// the active one, so an opt-out or a new opt-in in the meantime wins.
    pub(super) token: Option<i64>,
    access: Option<Vec<u8>>,
    refresh: Option<Vec<u8>>,
    pub issued_at: i64,
    pub expires_at: i64,
    pub refresh_at: i64,
    /// Waiting out a backoff after an outage until then.
    pub retry_at: Option<i64>,
    /// A refresh recorded as under way whose answer was never stored: when it started.
    pub interrupted_refresh: Option<i64>,
    /// A refresh under way (here or on another instance) holds the authorization until then.
    pub lease_until: Option<i64>,
}

impl Current {
    pub fn company(&self) -> CompanyId {
        self.owner.company
    }

    pub fn product(&self) -> Product {
        self.owner.product
    }

    pub fn has_access_token(&self) -> bool {
        self.access.is_some()
    }

    pub fn has_refresh_token(&self) -> bool {
        self.refresh.is_some()
    }

    /// Whether `other` holds a different active token than this one (a refresh or a new opt-in
    /// stored one since this was read).
    pub fn token_changed(&self, other: &Current) -> bool {
        self.token != other.token
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
    pub(super) token: Option<i64>,
    access: Option<Vec<u8>>,
    refresh: Option<Vec<u8>>,
    issued_at: Option<i64>,
    expires_at: Option<i64>,
    refresh_at: Option<i64>,
    retry_at: Option<i64>,
    refresh_started_at: Option<i64>,
    lease_until: Option<i64>,
}

impl Store {
    #[tracing::instrument(name = "store.current", skip_all, fields(db.system.name = self.system()))]
    pub async fn current(&self, company: CompanyId, product: Product) -> Result<Lookup, StoreError> {
        let row: Option<CurrentRow> = on_pool!(self, db => sqlx::query_as(
            "SELECT a.id AS authorization, a.status, a.status_reason AS reason, t.id AS token, t.access_token AS access,
                    t.refresh_token AS refresh, t.issued_at, t.expires_at, a.refresh_at, a.retry_at, a.refresh_started_at,
                    a.refresh_lease_until AS lease_until
             FROM companies c
             LEFT JOIN authorizations a ON a.company_id = c.id AND a.product = $1
             LEFT JOIN oauth_tokens t ON t.authorization_id = a.id AND t.status = 'active'
             WHERE c.id = $2",
        )
        .bind(product.slug())
        .bind(company.get())
        .fetch_optional(db)
        .await)?;
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
            lease_until: row.lease_until,
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

    /// One page of (company, product)'s token history, newest first; metadata only.
    pub async fn token_page(&self, company: CompanyId, product: Product, page: u32) -> Result<TokenPage, StoreError> {
        let total: i64 = on_pool!(self, db => sqlx::query_scalar(
            "SELECT COUNT(*) FROM oauth_tokens t JOIN authorizations a ON a.id = t.authorization_id
             WHERE a.company_id = $1 AND a.product = $2",
        )
        .bind(company.get())
        .bind(product.slug())
        .fetch_one(db)
        .await)?;
        let pages = (total as u32).div_ceil(TokenPage::SIZE).max(1);
        let page = page.clamp(1, pages);
        let rows: Vec<(String, i64, i64, String)> = on_pool!(self, db => sqlx::query_as(
            "SELECT t.fingerprint, t.issued_at, t.expires_at, t.status FROM oauth_tokens t
             JOIN authorizations a ON a.id = t.authorization_id
             WHERE a.company_id = $1 AND a.product = $2
             ORDER BY t.issued_at DESC, t.id DESC LIMIT $3 OFFSET $4",
        )
        .bind(company.get())
        .bind(product.slug())
        .bind(i64::from(TokenPage::SIZE))
        .bind(i64::from((page - 1) * TokenPage::SIZE))
        .fetch_all(db)
        .await)?;
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
