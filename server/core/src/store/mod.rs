//! The store: the one place in the workspace that holds SQL. Every state transition and every
//! query the service makes is one method here, in the file of the table it is about; rows are
//! decoded into named structs, and stored statuses are read back as enums (a value this version
//! does not know is an error, never a fallback). Transactions, and SQLite's write-lock choice,
//! live here too, so a second database is a second implementation of this module and nothing
//! else.
//!
//! Tokens and PKCE verifiers are sealed with the store's key ring ([`sealed`]) on the way in and opened on the
//! way out: nothing outside the store sees a ciphertext, and nothing can write a token in clear.

mod accounts;
mod api_keys;
mod audit;
mod authorizations;
mod companies;
mod embed;
mod outbox;
mod sandbox;
mod sealed;
mod states;
mod tokens;
mod webhooks;

pub use accounts::{Credentials, SessionUser};
pub use api_keys::{ApiKey, ApiKeyId};
pub use authorizations::AuthorizationRecord;
pub use companies::CompanyStatusRow;
pub use embed::{EmbedSession, EmbedSessionId, NewEmbedSession};
pub use outbox::{DeliveryId, DueDelivery, Target};
pub use sandbox::{SandboxCode, SandboxToken, SandboxUser};
pub use sealed::{KeyUsage, RewrapBatch};
pub use states::{NewState, PendingState};
pub use tokens::{AuthorizationId, Current, Lookup, Refreshed};
pub use webhooks::WebhookEndpoint;

use crate::keyring::{CipherError, KeyRing};
use model::{AuthorizationState, Product};
use sqlx::{
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous},
    Sqlite, SqlitePool, Transaction,
};
use std::{path::Path, time::Duration};

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
    /// A secret could not be sealed (a 500).
    #[error(transparent)]
    Cipher(#[from] CipherError),
    /// A stored secret did not open: its key is not in the ring, or the row was tampered with
    /// (a 500; `row` names the table, column and row, so the log says what needs attention).
    #[error("{row}: {source}")]
    Unsealable { row: String, source: CipherError },
    /// A unique constraint refused the write: the thing already exists.
    #[error("already exists")]
    Duplicate,
    /// A foreign key refused the write: what it refers to does not exist.
    #[error("refers to something that does not exist")]
    MissingReference,
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

/// The stored status column holds `authorized`, `reauthorization_required` or `revoked`; a
/// revoked row's reason says whether it was opted out or cleared.
fn state(status: &str, reason: Option<&str>) -> Result<AuthorizationState, StoreError> {
    match (status, reason) {
        ("authorized", _) => Ok(AuthorizationState::Authorized),
        ("reauthorization_required", _) => Ok(AuthorizationState::ReauthorizationRequired),
        ("revoked", Some("opted_out")) => Ok(AuthorizationState::OptedOut),
        ("revoked", Some("cleared")) => Ok(AuthorizationState::Cleared),
        (status, reason) => Err(unreadable("authorization status", &format!("{status}/{reason:?}"))),
    }
}

/// The schema, embedded at build time and applied at start.
static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations");

/// A write transaction: the connection it holds, and `commit`, which also counts the write (see
/// `Store::generation`).
struct WriteTx {
    tx: Transaction<'static, Sqlite>,
    generation: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

impl std::ops::Deref for WriteTx {
    type Target = sqlx::SqliteConnection;

    fn deref(&self) -> &Self::Target {
        &self.tx
    }
}

impl std::ops::DerefMut for WriteTx {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.tx
    }
}

impl WriteTx {
    async fn commit(self) -> Result<(), sqlx::Error> {
        self.tx.commit().await?;
        self.generation.fetch_add(1, std::sync::atomic::Ordering::AcqRel);
        Ok(())
    }

    async fn rollback(self) -> Result<(), sqlx::Error> {
        self.tx.rollback().await
    }
}

/// The database and the key ring that seals what it keeps.
#[derive(Clone, Debug)]
pub struct Store {
    pool: SqlitePool,
    cipher: KeyRing,
    /// Counts this process's writes that change what the token API answers (authorizations,
    /// tokens, API keys), so answers kept in memory are dropped at once (`crate::cache`).
    generation: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

impl Store {
    /// Opens (creating if needed) the SQLite database with WAL and foreign keys, and migrates it.
    pub async fn open(path: &Path, cipher: KeyRing) -> Result<Self, StoreError> {
        if let Some(parent) = path.parent().filter(|parent| !parent.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|error| StoreError::Database(sqlx::Error::Io(error)))?;
        }
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(5));
        let pool = SqlitePoolOptions::new().max_connections(8).connect_with(options).await?;
        MIGRATOR.run(&pool).await?;
        Ok(Self { pool, cipher, generation: Default::default() })
    }

    /// Whether the database answers and has every migration this build knows applied.
    pub async fn ready(&self) -> Result<bool, StoreError> {
        let applied: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations WHERE success").fetch_one(&self.pool).await?;
        Ok(applied as usize >= MIGRATOR.migrations.len())
    }

    /// How many writes that change what the token API answers this process has made.
    pub fn generation(&self) -> u64 {
        self.generation.load(std::sync::atomic::Ordering::Acquire)
    }

    /// Something outside this process changed the database (a manual fix, a test standing in for
    /// time passing): drops what is kept in memory now instead of within `CACHE_TTL`.
    pub fn external_change(&self) {
        self.changed();
    }

    /// Marks such a write (before and after its commit, so nothing read in between is kept).
    fn changed(&self) {
        self.generation.fetch_add(1, std::sync::atomic::Ordering::AcqRel);
    }

    /// The key ring's current key and the older ones.
    pub fn keys(&self) -> &KeyRing {
        &self.cipher
    }

    /// Closes every connection, after the writes under way.
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// A write transaction. `BEGIN IMMEDIATE` takes SQLite's write lock up front (waiting up to
    /// the busy timeout); a deferred `BEGIN` that reads and then writes fails at once with
    /// "database is locked" whenever another writer committed in between, since its snapshot
    /// cannot be upgraded, and under many concurrent refreshes most of them would.
    async fn write(&self) -> Result<WriteTx, StoreError> {
        let tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        // Counted when it starts and again once it commits: whatever a reader read while it
        // was under way is never kept past it.
        self.changed();
        Ok(WriteTx { tx, generation: self.generation.clone() })
    }
}
