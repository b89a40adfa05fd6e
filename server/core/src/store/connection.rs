//! Where the store keeps its data and how it gets there: the database URL read as SQLite or
//! PostgreSQL, the pool, the migrations applied at start, readiness, and closing.

use super::{
    changes::{announce_changes, listen_for_changes, Changes},
    Db, Store, StoreError,
};
use crate::keyring::KeyRing;
use sqlx::{
    postgres::{PgConnectOptions, PgPoolOptions},
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous},
};
use std::{
    path::{Path, PathBuf},
    sync::Arc,
    time::Duration,
};

/// The schema of each database, embedded at build time and applied at start.
pub(super) static SQLITE_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations/sqlite");
pub(super) static POSTGRES_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations/postgres");

/// Where the store keeps its data: an SQLite file, or a PostgreSQL database.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Database {
    Sqlite(PathBuf),
    Postgres(String),
}

/// The SQLite file, or the PostgreSQL server and database without the user and password: what
/// may be printed of a database URL.
impl std::fmt::Display for Database {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Sqlite(path) => write!(f, "SQLite {}", path.display()),
            Self::Postgres(url) => match url::Url::parse(url) {
                Ok(url) => write!(
                    f,
                    "PostgreSQL {}:{}{}",
                    url.host_str().unwrap_or("localhost"),
                    url.port().unwrap_or(5432),
                    url.path()
                ),
                Err(_) => write!(f, "PostgreSQL"),
            },
        }
    }
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
            // Whatever precedes an `@` may be a password.
            return Err(StoreError::UnknownDatabaseUrl {
                url: url.split('@').next_back().unwrap_or_default().to_owned(),
            });
        }
        Ok(Self::Sqlite(PathBuf::from(path)))
    }
}

/// A pool of at most `connections` on `database` (an SQLite file is created if missing), with
/// this build's migrations applied.
pub(super) async fn migrated(database: &Database, connections: u32) -> Result<Db, StoreError> {
    let connections = connections.max(2);
    Ok(match database {
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
    })
}

impl Store {
    /// Opens (creating if needed) the SQLite database with WAL and foreign keys, and migrates it.
    pub async fn open(path: &Path, cipher: KeyRing) -> Result<Self, StoreError> {
        Self::connect(&Database::Sqlite(path.to_owned()), cipher, 8).await
    }

    /// Connects to `database` with at most `connections` connections and migrates it. On
    /// PostgreSQL it also listens for the other instances' writes.
    pub async fn connect(database: &Database, cipher: KeyRing, connections: u32) -> Result<Self, StoreError> {
        let db = migrated(database, connections).await?;
        let mut store = Self::on(db, cipher);
        if let Db::Postgres(pool) = &store.db {
            tokio::spawn(listen_for_changes(pool.clone(), store.generation.clone(), store.changes_seen.clone()));
            let changes = Arc::new(Changes::default());
            tokio::spawn(announce_changes(pool.clone(), changes.clone()));
            store.changes = Some(changes);
        }
        store.answers = Some(super::settle::spawn(store.clone()));
        Ok(store)
    }

    /// A store on `db`, with nothing running beside it yet.
    pub(super) fn on(db: Db, cipher: KeyRing) -> Self {
        Self {
            db,
            cipher,
            generation: Default::default(),
            changes_seen: Default::default(),
            writer: Default::default(),
            statements: Default::default(),
            ordinary: Default::default(),
            changes: None,
            answers: None,
            shares: Default::default(),
        }
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

    /// SQLite: writes a consistent copy of the database into the new file `target`
    /// (`VACUUM INTO`, one read transaction); `false` on PostgreSQL, which has tools of its own.
    pub async fn back_up_into(&self, target: &str) -> Result<bool, StoreError> {
        let Db::Sqlite(pool) = &self.db else { return Ok(false) };
        self.statements.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        sqlx::query("VACUUM INTO $1").bind(target).execute(pool).await?;
        Ok(true)
    }

    /// Closes every connection, after the writes under way.
    pub async fn close(&self) {
        match &self.db {
            Db::Sqlite(pool) => pool.close().await,
            Db::Postgres(pool) => pool.close().await,
        }
    }
}
