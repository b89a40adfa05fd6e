//! The store: the one place in the workspace that holds SQL. Every state transition and every
//! query the service makes is one method here, in the file of the table it is about; rows are
//! decoded into named structs, and stored statuses are read back as enums (a value this version
//! does not know is an error, never a fallback). Transactions, and SQLite's write-lock choice,
//! live here too. It runs on SQLite (the embedded default) or PostgreSQL (several instances on
//! one database): the same SQL on both, with the few statements that differ chosen here, so a
//! feature never knows which one it is on.
//!
//! Tokens and PKCE verifiers are sealed with the store's key ring ([`sealed`]) on the way in and opened on the
//! way out: nothing outside the store sees a ciphertext, and nothing can write a token in clear.

/// Runs `$body` (one statement) with `$db` bound to the store's pool, whichever database it is.
macro_rules! on_pool {
    ($store:expr, $db:ident => $body:expr) => {{
        $store.statements.fetch_add(1, ::std::sync::atomic::Ordering::Relaxed);
        match &$store.db {
            $crate::store::Db::Sqlite($db) => $body,
            $crate::store::Db::Postgres($db) => $body,
        }
    }};
}

/// Runs `$body` (one statement) with `$db` bound to the write transaction's connection.
macro_rules! on_tx {
    ($tx:expr, $db:ident => $body:expr) => {{
        $tx.statements.fetch_add(1, ::std::sync::atomic::Ordering::Relaxed);
        match &mut $tx.tx {
            $crate::store::Tx::Sqlite(tx) => {
                let $db = &mut **tx;
                $body
            }
            $crate::store::Tx::Postgres(tx) => {
                let $db = &mut **tx;
                $body
            }
        }
    }};
}

mod accounts;
mod api_keys;
mod audit;
mod authorizations;
mod breakers;
mod budgets;
mod changes;
mod companies;
mod connection;
mod consent_links;
mod copy;
mod embed;
mod factors;
mod incidents;
mod inspect;
mod outbox;
mod refreshes;
mod retention;
mod sandbox;
mod sealed;
mod settle;
mod sign_in_steps;
mod sso;
mod states;
mod throttle;
mod tokens;
mod webhooks;

pub use accounts::{Credentials, SessionRecord, SessionUser};
pub use api_keys::{ApiKey, ApiKeyId};
pub use authorizations::AuthorizationRecord;
pub use breakers::Breaker;
pub use budgets::{Budget, ClaimedDue, Held};
pub use companies::{CompanyStatusRow, Membership};
pub use consent_links::{ConsentLink, LinkStatus, NewConsentLink};
pub use copy::CopiedTable;
pub use embed::{EmbedSession, EmbedSessionId, NewEmbedSession};
pub use factors::{OpenedFactor, Removal};
pub use incidents::{DueIncident, IncidentDeliveryId, IncidentKind, IncidentTargets};
pub use inspect::{MigrationStatus, OpenedBatch};
pub use outbox::{DeliveryId, DueDelivery, Target};
pub use refreshes::Claim;
pub use retention::{Pruned, Retention};
pub use sandbox::{SandboxCode, SandboxToken, SandboxUser};
pub use sealed::{KeyUsage, RewrapBatch};
pub use settle::Refreshed;
pub use sign_in_steps::{NewSignInStep, SignInStepRecord};
pub use sso::{NewSsoState, TakenSsoState};
pub use states::{NewState, PendingState};
pub use throttle::{Device, RecentAttempts, SignInDevices};
pub use tokens::{AuthorizationId, Current, Lookup};
pub use webhooks::WebhookEndpoint;

use crate::keyring::{CipherError, KeyRing};
use changes::Changes;
pub use connection::Database;
use model::{AuthorizationState, Product, Role};
use sqlx::{PgPool, Postgres, Sqlite, SqlitePool, Transaction};
use std::{
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc,
    },
    time::Duration,
};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database failed or could not be reached (a 500, logged with its cause).
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("database migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A row holds a value this version does not know (a 500: the data or the code is wrong).
    #[error("unreadable row: {0}")]
    Unreadable(String),
    /// Rows contradict what the schema and the statement that read them guarantee together
    /// (a 500: the data was changed behind the store's back, or the code is wrong).
    #[error("inconsistent rows: {0}")]
    Inconsistent(String),
    /// The database URL names no database this build can open (start-up and the CLI report it).
    #[error("database URL {url:?}: expected postgres://…, sqlite://path or a file path")]
    UnknownDatabaseUrl { url: String },
    /// A secret could not be sealed (a 500).
    #[error(transparent)]
    Cipher(#[from] CipherError),
    /// A stored secret did not open: its key is not in the ring, or the row was tampered with
    /// (a 500; `row` names the table, column and row, so the log says what needs attention).
    #[error("{row}: {source}")]
    Unsealable { row: String, source: CipherError },
    /// The transaction that stored several refreshes' answers together failed: each of them
    /// gets this (a 500; the cause is logged once, by the task that stores them).
    #[error("storing refreshed tokens failed: {0}")]
    Settling(String),
    /// A consent link was used or revoked while its recipient was at UPS: the grant it brought
    /// is not kept.
    #[error("the consent link was used or revoked meanwhile")]
    ConsentLinkGone,
    /// A unique constraint refused the write: the thing already exists.
    #[error("already exists")]
    Duplicate,
    /// A foreign key refused the write: what it refers to does not exist.
    #[error("refers to something that does not exist")]
    MissingReference,
    /// A copy's target holds rows already (in the named table): nothing was copied.
    #[error("the target database is not empty ({0} has rows): copy into a new, empty database")]
    TargetNotEmpty(&'static str),
    /// A copy's source and target differ in their tables or columns, or in the rows each holds
    /// once copied: nothing was copied.
    #[error("copy: {0}")]
    CopyMismatch(String),
}

/// The one place where a constraint violation becomes a typed error the layers above can word.
fn on_constraint(error: sqlx::Error) -> StoreError {
    match &error {
        sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Duplicate,
        sqlx::Error::Database(db) if db.is_foreign_key_violation() => StoreError::MissingReference,
        _ => StoreError::Database(error),
    }
}

fn unreadable(what: &str, value: &str) -> StoreError {
    StoreError::Unreadable(format!("{what} {value:?}"))
}

/// A stored product slug, read back.
fn product(slug: &str) -> Result<Product, StoreError> {
    Product::parse(slug).map_err(|_| unreadable("product", slug))
}

fn role(slug: &str) -> Result<Role, StoreError> {
    Role::parse(slug).map_err(|_| unreadable("role", slug))
}

/// The stored status column holds `authorized`, `reauthorization_required` or `revoked`; a
/// revoked row's reason says whether it was opted out or cleared (a dead grant's says why it
/// died, see [`model::GrantLoss`], and is not needed here).
fn state(status: &str, reason: Option<&str>) -> Result<AuthorizationState, StoreError> {
    match (status, reason) {
        ("authorized", _) => Ok(AuthorizationState::Authorized),
        ("reauthorization_required", _) => Ok(AuthorizationState::ReauthorizationRequired),
        ("revoked", Some("opted_out")) => Ok(AuthorizationState::OptedOut),
        ("revoked", Some("cleared")) => Ok(AuthorizationState::Cleared),
        (status, reason) => Err(unreadable("authorization status", &format!("{status}/{reason:?}"))),
    }
}

/// The database behind the store. Every method is written once, in SQL both databases accept,
/// and runs on either through [`on_pool!`] and [`on_tx!`]; the few statements that differ pick
/// their text with [`Store::is_postgres`].
#[derive(Clone, Debug)]
pub(crate) enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

pub(crate) enum Tx {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

/// A write transaction: the connection it holds, and `commit`, which also counts the write (see
/// `Store::generation`).
struct WriteTx {
    tx: Tx,
    generation: Arc<AtomicU64>,
    changes_seen: Arc<tokio::sync::Notify>,
    /// The store's count of statements, `BEGIN` and `COMMIT` included (`Store::statements`).
    statements: Arc<AtomicU64>,
    /// On SQLite, this process's turn to write (see `Store::write`).
    _turn: Option<tokio::sync::OwnedMutexGuard<()>>,
    /// On PostgreSQL, tells the other instances once this commits.
    changes: Option<Arc<Changes>>,
}

impl WriteTx {
    async fn commit(self) -> Result<(), sqlx::Error> {
        self.statements.fetch_add(1, Ordering::Relaxed);
        match self.tx {
            Tx::Sqlite(tx) => tx.commit().await?,
            Tx::Postgres(tx) => tx.commit().await?,
        }
        self.generation.fetch_add(1, Ordering::AcqRel);
        self.changes_seen.notify_waiters();
        if let Some(changes) = &self.changes {
            changes.happened();
        }
        Ok(())
    }

    async fn rollback(self) -> Result<(), sqlx::Error> {
        self.statements.fetch_add(1, Ordering::Relaxed);
        match self.tx {
            Tx::Sqlite(tx) => tx.rollback().await,
            Tx::Postgres(tx) => tx.rollback().await,
        }
    }
}

/// The database and the key ring that seals what it keeps.
#[derive(Clone, Debug)]
pub struct Store {
    db: Db,
    cipher: KeyRing,
    /// Counts the writes that change what the token API answers (this process's, and on
    /// PostgreSQL every instance's), so answers kept in memory are dropped at once
    /// (`crate::cache`).
    generation: Arc<AtomicU64>,
    /// Woken whenever `generation` moves (`Store::changed_since`).
    changes_seen: Arc<tokio::sync::Notify>,
    /// SQLite takes one writer at a time: this process's write transactions take turns here
    /// rather than in SQLite's busy handler, which sleeps in steps of milliseconds and, under
    /// many concurrent refreshes, would leave the database idle most of the time.
    writer: Arc<tokio::sync::Mutex<()>>,
    /// How many statements this process has sent, `BEGIN` and `COMMIT` included
    /// (`optin_store_statements_total`, and the benchmark's statements per refresh).
    statements: Arc<AtomicU64>,
    /// SQLite: ordinary writers pass here one at a time before they queue for `writer`, so a
    /// write that stores UPS's answer (`Store::write_first`) waits behind at most one of them.
    ordinary: Arc<tokio::sync::Mutex<()>>,
    /// PostgreSQL: writes to announce to the other instances.
    changes: Option<Arc<Changes>>,
    /// Where refreshes hand UPS's answers to be stored together (`settle`).
    answers: settle::Answers,
    /// This process's shares of the applications' refresh budgets (`budgets`).
    shares: Arc<budgets::Shares>,
}

impl Store {
    /// The database's name as OpenTelemetry's `db.system.name` spells it (store spans carry it).
    fn system(&self) -> &'static str {
        match self.db {
            Db::Sqlite(_) => "sqlite",
            Db::Postgres(_) => "postgresql",
        }
    }

    /// Whether this store is on PostgreSQL (for the few statements whose text differs).
    fn is_postgres(&self) -> bool {
        matches!(self.db, Db::Postgres(_))
    }

    /// How many writes that change what the token API answers have been seen.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// How many statements this process has sent so far, `BEGIN` and `COMMIT` included.
    pub fn statements(&self) -> u64 {
        self.statements.load(Ordering::Relaxed)
    }

    /// Something outside this process changed the database (a manual fix, a test standing in for
    /// time passing): drops what is kept in memory now instead of within `CACHE_TTL`.
    pub fn external_change(&self) {
        self.changed();
    }

    /// Marks such a write (before and after its commit, so nothing read in between is kept).
    fn changed(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
        self.changes_seen.notify_waiters();
    }

    /// Waits until a write has been counted since `generation` was `seen` (one of this process's,
    /// or on PostgreSQL one another instance announced), or for `at_most`.
    pub async fn changed_since(&self, seen: u64, at_most: Duration) {
        let changed = self.changes_seen.notified();
        tokio::pin!(changed);
        changed.as_mut().enable();
        if self.generation() == seen {
            let _ = tokio::time::timeout(at_most, changed).await;
        }
    }

    /// The key ring's current key and the older ones.
    pub fn keys(&self) -> &KeyRing {
        &self.cipher
    }

    /// A write transaction. On SQLite, `BEGIN IMMEDIATE` takes the write lock up front (waiting
    /// up to the busy timeout); a deferred `BEGIN` that reads and then writes fails at once with
    /// "database is locked" whenever another writer committed in between, since its snapshot
    /// cannot be upgraded, and under many concurrent refreshes most of them would. This
    /// process's writers take turns first (`writer`). On PostgreSQL, rows are locked by the
    /// statements themselves (every transition is a conditional `UPDATE`, the authorization's row
    /// first), and the other instances are told once it commits (`announce_changes`).
    async fn write(&self) -> Result<WriteTx, StoreError> {
        let queued = match &self.db {
            Db::Sqlite(_) => Some(self.ordinary.lock().await),
            Db::Postgres(_) => None,
        };
        let turn = self.write_first().await;
        drop(queued);
        turn
    }

    /// A write transaction that goes ahead of the ordinary ones on SQLite: for the writes that
    /// settle a refresh. UPS's answer is the only copy of the rotated pair until it commits, so
    /// under many concurrent refreshes it must not wait behind every refresh about to start.
    async fn write_first(&self) -> Result<WriteTx, StoreError> {
        let tx = match &self.db {
            Db::Sqlite(pool) => {
                let turn = self.writer.clone().lock_owned().await;
                (Tx::Sqlite(pool.begin_with("BEGIN IMMEDIATE").await?), Some(turn))
            }
            Db::Postgres(pool) => (Tx::Postgres(pool.begin().await?), None),
        };
        let (tx, turn) = tx;
        self.statements.fetch_add(1, Ordering::Relaxed);
        // Counted when it starts and again once it commits: whatever a reader read while it
        // was under way is never kept past it.
        self.changed();
        Ok(WriteTx {
            tx,
            generation: self.generation.clone(),
            changes_seen: self.changes_seen.clone(),
            statements: self.statements.clone(),
            _turn: turn,
            changes: self.changes.clone(),
        })
    }
}
