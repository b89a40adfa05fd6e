//! Looking at a database without changing it (`server check`): a connection that neither
//! creates, migrates nor writes (SQLite opened read-only, PostgreSQL in read-only transactions);
//! how the migrations applied to it compare with those this build embeds; and whether every
//! stored secret opens with the key ring. Applying the migrations is `Store::connect`'s
//! (`connection`); re-sealing is `sealed`'s.

use super::{
    connection::{POSTGRES_MIGRATOR, SQLITE_MIGRATOR},
    product,
    sealed::{open_endpoint_secret, TokenColumn},
    Database, Db, Store, StoreError,
};
use crate::keyring::KeyRing;
use sqlx::{
    postgres::{PgConnectOptions, PgPoolOptions},
    sqlite::{SqliteConnectOptions, SqlitePoolOptions},
    ConnectOptions, Connection,
};
use std::time::Duration;

/// How long connecting may take before the database counts as unreachable.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// How the database's migrations compare with this build's. Each entry is `version description`.
#[derive(Debug, Default)]
pub struct MigrationStatus {
    /// The migrations this build embeds.
    pub known: usize,
    /// Those applied, successfully and with the SQL this build has.
    pub applied: usize,
    /// Embedded but not applied yet: the next start applies them.
    pub pending: Vec<String>,
    /// Applied with SQL other than this build's (a migration edited afterwards): a start refuses.
    pub altered: Vec<String>,
    /// Started and never finished: a start refuses until someone repairs the database.
    pub failed: Vec<String>,
    /// Applied, but unknown to this build (a newer version ran on this database): a start refuses.
    pub unknown: Vec<i64>,
}

impl MigrationStatus {
    /// Whether the database has exactly the schema this build expects.
    pub fn complete(&self) -> bool {
        self.pending.is_empty() && self.altered.is_empty() && self.failed.is_empty() && self.unknown.is_empty()
    }
}

/// One batch of opening the stored tokens.
#[derive(Debug, Default)]
pub struct OpenedBatch {
    /// The last token row looked at; `None` when there were no more.
    pub last: Option<i64>,
    /// Sealed values that opened.
    pub opened: u64,
    /// Those that did not, by row and reason.
    pub unreadable: Vec<String>,
}

#[derive(sqlx::FromRow)]
struct AppliedMigration {
    version: i64,
    success: bool,
    checksum: Vec<u8>,
}

impl Store {
    /// Opens `database` to look at it only: an SQLite file must exist already and is opened
    /// read-only; on PostgreSQL every transaction is read-only. Nothing is migrated and nothing
    /// runs beside it (no change listener, no settling task): for a one-off inspection, never for
    /// serving.
    pub async fn inspect(database: &Database, cipher: KeyRing) -> Result<Self, StoreError> {
        let db = match database {
            Database::Sqlite(path) => {
                let options = SqliteConnectOptions::new()
                    .filename(path)
                    .read_only(true)
                    .create_if_missing(false)
                    .busy_timeout(CONNECT_TIMEOUT);
                let pool = SqlitePoolOptions::new().max_connections(2).acquire_timeout(CONNECT_TIMEOUT);
                Db::Sqlite(pool.connect_with(options).await?)
            }
            Database::Postgres(url) => {
                let options: PgConnectOptions = url.parse()?;
                let options = options.options([("default_transaction_read_only", "on")]);
                // One connection first, so a server that refuses says so at once: the pool would
                // retry a refused connection until its timeout and then only say it timed out.
                let probe = tokio::time::timeout(CONNECT_TIMEOUT, options.connect()).await.map_err(|_| {
                    sqlx::Error::Io(std::io::Error::new(
                        std::io::ErrorKind::TimedOut,
                        format!("no answer within {}s", CONNECT_TIMEOUT.as_secs()),
                    ))
                })??;
                probe.close().await?;
                let pool = PgPoolOptions::new().max_connections(2).acquire_timeout(CONNECT_TIMEOUT);
                Db::Postgres(pool.connect_with(options).await?)
            }
        };
        Ok(Self::on(db, cipher))
    }

    /// The migrations applied to the database, against those this build embeds.
    pub async fn migration_status(&self) -> Result<MigrationStatus, StoreError> {
        let table = match self.is_postgres() {
            true => {
                "SELECT COUNT(*) FROM information_schema.tables
                     WHERE table_schema = current_schema() AND table_name = '_sqlx_migrations'"
            }
            false => "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'",
        };
        let tables: i64 = on_pool!(self, db => sqlx::query_scalar(table).fetch_one(db).await)?;
        let applied: Vec<AppliedMigration> = match tables {
            0 => Vec::new(),
            _ => on_pool!(self, db => sqlx::query_as(
                "SELECT version, success, checksum FROM _sqlx_migrations ORDER BY version",
            )
            .fetch_all(db)
            .await)?,
        };
        let migrator = if self.is_postgres() { &POSTGRES_MIGRATOR } else { &SQLITE_MIGRATOR };
        let known: Vec<_> = migrator.iter().filter(|migration| !migration.migration_type.is_down_migration()).collect();
        let mut status = MigrationStatus { known: known.len(), ..Default::default() };
        for migration in &known {
            let name = format!("{} {}", migration.version, migration.description);
            match applied.iter().find(|row| row.version == migration.version) {
                None => status.pending.push(name),
                Some(row) if !row.success => status.failed.push(name),
                Some(row) if row.checksum[..] != migration.checksum[..] => status.altered.push(name),
                Some(_) => status.applied += 1,
            }
        }
        status.unknown = applied
            .iter()
            .filter(|row| known.iter().all(|migration| migration.version != row.version))
            .map(|row| row.version)
            .collect();
        Ok(status)
    }

    /// Opens the tokens after row `after` (at most `limit` rows) with the ring, each with the
    /// binding it was sealed with, and keeps nothing of what opened.
    pub async fn try_open_tokens(&self, after: i64, limit: u32) -> Result<OpenedBatch, StoreError> {
        let rows = self.sealed_tokens_after(after, limit).await?;
        let mut batch = OpenedBatch { last: rows.last().map(|row| row.id), ..Default::default() };
        for row in rows {
            let owner = row.owner()?;
            for (column, sealed) in [(TokenColumn::Access, &row.access), (TokenColumn::Refresh, &row.refresh)] {
                let Some(sealed) = sealed else { continue };
                match owner.open(&self.cipher, column, sealed) {
                    Ok(_) => batch.opened += 1,
                    Err(error) => batch.unreadable.push(error.to_string()),
                }
            }
        }
        Ok(batch)
    }

    /// Opens every live webhook endpoint's signing secrets (current and previous) with the ring:
    /// how many opened, and those that did not.
    pub async fn try_open_endpoint_secrets(&self) -> Result<(u64, Vec<String>), StoreError> {
        let rows: Vec<(i64, String, Vec<u8>, Option<Vec<u8>>)> = on_pool!(self, db => sqlx::query_as(
            "SELECT id, product, secret, previous_secret FROM webhook_endpoints WHERE removed_at IS NULL ORDER BY id",
        )
        .fetch_all(db)
        .await)?;
        let (mut opened, mut unreadable) = (0, Vec::new());
        for (id, slug, secret, previous) in rows {
            let product = product(&slug)?;
            for (column, sealed) in [("secret", Some(secret)), ("previous_secret", previous)] {
                let Some(sealed) = sealed else { continue };
                match open_endpoint_secret(&self.cipher, id, product, column, &sealed) {
                    Ok(_) => opened += 1,
                    Err(error) => unreadable.push(error.to_string()),
                }
            }
        }
        Ok((opened, unreadable))
    }
}
