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

/// Runs `$body` with `$db` bound to the store's pool, whichever database it is.
macro_rules! on_pool {
    ($store:expr, $db:ident => $body:expr) => {
        match &$store.db {
            $crate::store::Db::Sqlite($db) => $body,
            $crate::store::Db::Postgres($db) => $body,
        }
    };
}

/// Runs `$body` with `$db` bound to the write transaction's connection.
macro_rules! on_tx {
    ($tx:expr, $db:ident => $body:expr) => {
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
    };
}

mod accounts;
mod api_keys;
mod audit;
mod authorizations;
mod changes;
mod companies;
mod embed;
mod outbox;
mod refreshes;
mod retention;
mod sandbox;
mod sealed;
mod states;
mod throttle;
mod tokens;
mod webhooks;

pub use accounts::{Credentials, SessionUser};
pub use api_keys::{ApiKey, ApiKeyId};
pub use authorizations::AuthorizationRecord;
pub use companies::CompanyStatusRow;
pub use embed::{EmbedSession, EmbedSessionId, NewEmbedSession};
pub use outbox::{DeliveryId, DueDelivery, Target};
pub use refreshes::{Lease, Refreshed};
pub use retention::{Pruned, Retention};
pub use sandbox::{SandboxCode, SandboxToken, SandboxUser};
pub use sealed::{KeyUsage, RewrapBatch};
pub use states::{NewState, PendingState};
pub use throttle::RecentAttempts;
pub use tokens::{AuthorizationId, Current, Lookup};
pub use webhooks::WebhookEndpoint;

use crate::keyring::{CipherError, KeyRing};
use changes::{announce_changes, listen_for_changes, Changes};
use model::{AuthorizationState, Product};
use sqlx::{
    postgres::{PgConnectOptions, PgPoolOptions},
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous},
    PgPool, Postgres, Sqlite, SqlitePool, Transaction,
};
use std::{
    path::{Path, PathBuf},
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

/// The schema of each database, embedded at build time and applied at start.
static SQLITE_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations/sqlite");
static POSTGRES_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations/postgres");

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
    /// On SQLite, this process's turn to write (see `Store::write`).
    _turn: Option<tokio::sync::OwnedMutexGuard<()>>,
    /// On PostgreSQL, tells the other instances once this commits.
    changes: Option<Arc<Changes>>,
}

impl WriteTx {
    async fn commit(self) -> Result<(), sqlx::Error> {
        match self.tx {
            Tx::Sqlite(tx) => tx.commit().await?,
            Tx::Postgres(tx) => tx.commit().await?,
        }
        self.generation.fetch_add(1, Ordering::AcqRel);
        if let Some(changes) = &self.changes {
            changes.happened();
        }
        Ok(())
    }

    async fn rollback(self) -> Result<(), sqlx::Error> {
        match self.tx {
            Tx::Sqlite(tx) => tx.rollback().await,
            Tx::Postgres(tx) => tx.rollback().await,
        }
    }
}

/// Where the store keeps its data: an SQLite file, or a PostgreSQL database.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Database {
    Sqlite(PathBuf),
    Postgres(String),
}

impl Database {
    /// `postgres://…` / `postgresql://…`, `sqlite://path` (or `sqlite:path`), or a bare file path.
    pub fn parse(url: &str) -> Result<Self, StoreError> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(Self::Postgres(url.to_owned()));
        }
        let path = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")).unwrap_or(url);
        let path = path.split('?').next().unwrap_or_default();
        if path.is_empty() || url.contains("://") && !url.starts_with("sqlite:") {
            return Err(StoreError::Unreadable(format!(
                "database URL {:?}: expected postgres://…, sqlite://path or a file path",
                url.split('@').next_back().unwrap_or_default()
            )));
        }
        Ok(Self::Sqlite(PathBuf::from(path)))
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
    /// SQLite takes one writer at a time: this process's write transactions take turns here
    /// rather than in SQLite's busy handler, which sleeps in steps of milliseconds and, under
    /// many concurrent refreshes, would leave the database idle most of the time.
    writer: Arc<tokio::sync::Mutex<()>>,
    /// SQLite: ordinary writers pass here one at a time before they queue for `writer`, so a
    /// write that stores UPS's answer (`Store::write_first`) waits behind at most one of them.
    ordinary: Arc<tokio::sync::Mutex<()>>,
    /// PostgreSQL: writes to announce to the other instances.
    changes: Option<Arc<Changes>>,
}

impl Store {
    /// Opens (creating if needed) the SQLite database with WAL and foreign keys, and migrates it.
    pub async fn open(path: &Path, cipher: KeyRing) -> Result<Self, StoreError> {
        Self::connect(&Database::Sqlite(path.to_owned()), cipher, 8).await
    }

    /// Connects to `database` with at most `connections` connections and migrates it. On
    /// PostgreSQL it also listens for the other instances' writes.
    pub async fn connect(database: &Database, cipher: KeyRing, connections: u32) -> Result<Self, StoreError> {
        let connections = connections.max(2);
        let db = match database {
            Database::Sqlite(path) => {
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
                let pool = SqlitePoolOptions::new().max_connections(connections).connect_with(options).await?;
                SQLITE_MIGRATOR.run(&pool).await?;
                Db::Sqlite(pool)
            }
            Database::Postgres(url) => {
                let options: PgConnectOptions = url.parse()?;
                let pool = PgPoolOptions::new()
                    .max_connections(connections)
                    .acquire_timeout(Duration::from_secs(10))
                    .connect_with(options)
                    .await?;
                POSTGRES_MIGRATOR.run(&pool).await?;
                Db::Postgres(pool)
            }
        };
        let mut store = Self {
            db,
            cipher,
            generation: Default::default(),
            writer: Default::default(),
            ordinary: Default::default(),
            changes: None,
        };
        if let Db::Postgres(pool) = &store.db {
            tokio::spawn(listen_for_changes(pool.clone(), store.generation.clone()));
            let changes = Arc::new(Changes::default());
            tokio::spawn(announce_changes(pool.clone(), changes.clone()));
            store.changes = Some(changes);
        }
        Ok(store)
    }

    /// Whether this store is on PostgreSQL (for the few statements whose text differs).
    fn is_postgres(&self) -> bool {
        matches!(self.db, Db::Postgres(_))
    }

    /// Whether the database answers and has every migration this build knows applied.
    pub async fn ready(&self) -> Result<bool, StoreError> {
        let applied: i64 = on_pool!(self, db => sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations WHERE success")
            .fetch_one(db)
            .await)?;
        let known = match self.db {
            Db::Sqlite(_) => SQLITE_MIGRATOR.migrations.len(),
            Db::Postgres(_) => POSTGRES_MIGRATOR.migrations.len(),
        };
        Ok(applied as usize >= known)
    }

    /// How many writes that change what the token API answers have been seen.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// Something outside this process changed the database (a manual fix, a test standing in for
    /// time passing): drops what is kept in memory now instead of within `CACHE_TTL`.
    pub fn external_change(&self) {
        self.changed();
    }

    /// Marks such a write (before and after its commit, so nothing read in between is kept).
    fn changed(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
    }

    /// The key ring's current key and the older ones.
    pub fn keys(&self) -> &KeyRing {
        &self.cipher
    }

    /// Closes every connection, after the writes under way.
    pub async fn close(&self) {
        match &self.db {
            Db::Sqlite(pool) => pool.close().await,
            Db::Postgres(pool) => pool.close().await,
        }
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
        // Counted when it starts and again once it commits: whatever a reader read while it
        // was under way is never kept past it.
        self.changed();
        Ok(WriteTx { tx, generation: self.generation.clone(), _turn: turn, changes: self.changes.clone() })
    }
}
