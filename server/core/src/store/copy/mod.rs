//! Copying the whole database into another, empty one (`server db copy`): SQLite to PostgreSQL
//! when a service grows to several instances, and back. Every table in dependency order, in
//! batches, from one consistent snapshot of the source (the service may keep running); ids kept,
//! PostgreSQL's identity sequences set past them; sealed values copied byte for byte, so the
//! target opens with the same key ring. The target is written in one transaction: a copy that
//! fails leaves it as empty as it was. Opening the copied secrets is the caller's check (the
//! core's `backups::copy`), on the committed target.
//!
//! The two schemas are this build's migrations on each database; the copy reads the column
//! names and types from each database's catalog and converts only where the two spell a type
//! differently (SQLite's 0/1 for PostgreSQL's booleans).

mod schema;

use super::{connection, Database, Db, Store, StoreError, Tx};
use schema::{columns, tables, Column, Kind, Value};
use std::collections::BTreeSet;

/// Every table, each after those it refers to. A table this list lacks (a migration added it)
/// makes the copy refuse rather than leave it behind.
const TABLES: &[&str] = &[
    "users",
    "companies",
    "memberships",
    "sessions",
    "authorizations",
    "oauth_tokens",
    "audit_log",
    "sandbox_users",
    "sandbox_grants",
    "sandbox_codes",
    "sandbox_tokens",
    "api_keys",
    "api_key_companies",
    "embed_sessions",
    "consent_links",
    "oauth_states",
    "sso_states",
    "user_identities",
    "second_factors",
    "recovery_codes",
    "sign_in_steps",
    "passkey_ceremonies",
    "events",
    "webhook_endpoints",
    "deliveries",
    "sign_in_attempts",
    "sign_in_locks",
    "sign_in_devices",
    "provider_budgets",
    "incidents",
    "incident_deliveries",
];

/// The tables the migrations fill (one row per product): on the target they are replaced by the
/// source's rows, and they do not make a target count as holding data.
const SEEDED: &[&str] = &["provider_budgets"];

/// Parameters per insert statement: under both databases' limits (SQLite 32,766; PostgreSQL 65,535).
const PARAMETERS_PER_INSERT: usize = 8_000;

/// Rows read from the source at a time.
const ROWS_PER_READ: usize = 1_000;

/// One table copied: its rows, counted on the source's snapshot and on the target before commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopiedTable {
    pub table: &'static str,
    pub rows: u64,
}

/// Runs `$body` with `$db` bound to the transaction's connection, whichever database it is on.
macro_rules! on_conn {
    ($tx:expr, $db:ident => $body:expr) => {
        match $tx {
            Tx::Sqlite(tx) => {
                let $db = &mut **tx;
                $body
            }
            Tx::Postgres(tx) => {
                let $db = &mut **tx;
                $body
            }
        }
    };
}

impl Store {
    /// Copies every row of this database into `target`, which must hold none (its migrations are
    /// applied first if it is new). Answers each table with its rows.
    pub async fn copy_into(&self, target: &Database) -> Result<Vec<CopiedTable>, StoreError> {
        let mut source = self.snapshot().await?;
        let target_db = connection::migrated(target, 2).await?;
        let result = copy_all(&mut source, &target_db).await;
        // Dropping the snapshot rolls it back: it wrote nothing.
        drop(source);
        match &target_db {
            Db::Sqlite(pool) => pool.close().await,
            Db::Postgres(pool) => pool.close().await,
        }
        result
    }

    /// A read-only transaction that sees the database as it was at its first read: every
    /// table of the copy from the same moment, whatever the running service writes meanwhile.
    async fn snapshot(&self) -> Result<Tx, StoreError> {
        Ok(match &self.db {
            Db::Sqlite(pool) => Tx::Sqlite(pool.begin().await?),
            Db::Postgres(pool) => {
                let mut tx = pool.begin().await?;
                sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY").execute(&mut *tx).await?;
                Tx::Postgres(tx)
            }
        })
    }
}

async fn copy_all(source: &mut Tx, target: &Db) -> Result<Vec<CopiedTable>, StoreError> {
    let expected: BTreeSet<&str> = TABLES.iter().copied().collect();
    let found = tables(source).await?;
    let found: BTreeSet<&str> = found.iter().map(String::as_str).collect();
    if found != expected {
        let unknown: Vec<&&str> = found.difference(&expected).collect();
        let missing: Vec<&&str> = expected.difference(&found).collect();
        return Err(StoreError::CopyMismatch(format!(
            "the source's tables are not this version's (unknown to it: {unknown:?}; missing: {missing:?}): run this \
             version's server once on the source first"
        )));
    }
    let mut target = match target {
        Db::Sqlite(pool) => Tx::Sqlite(pool.begin().await?),
        Db::Postgres(pool) => Tx::Postgres(pool.begin().await?),
    };
    for table in TABLES.iter().filter(|table| !SEEDED.contains(table)) {
        let holds: bool = on_conn!(&mut target, db => sqlx::query_scalar(&format!("SELECT EXISTS (SELECT 1 FROM {table})"))
                .fetch_one(db)
                .await)?;
        if holds {
            return Err(StoreError::TargetNotEmpty(table));
        }
    }
    let mut copied = Vec::with_capacity(TABLES.len());
    for table in TABLES {
        let rows = copy_table(source, &mut target, table).await?;
        copied.push(CopiedTable { table, rows });
    }
    match target {
        Tx::Sqlite(tx) => tx.commit().await?,
        Tx::Postgres(tx) => tx.commit().await?,
    }
    Ok(copied)
}

/// Copies one table, batch by batch, and checks that the target then holds as many rows as the
/// source's snapshot.
async fn copy_table(source: &mut Tx, target: &mut Tx, table: &'static str) -> Result<u64, StoreError> {
    let from = columns(source, table).await?;
    let to = columns(target, table).await?;
    let names = |columns: &[Column]| columns.iter().map(|column| column.name.clone()).collect::<BTreeSet<_>>();
    if names(&from) != names(&to) {
        return Err(StoreError::CopyMismatch(format!(
            "{table}: the source's columns {:?} are not the target's {:?}",
            names(&from),
            names(&to)
        )));
    }
    let mut key: Vec<&Column> = from.iter().filter(|column| column.key > 0).collect();
    key.sort_by_key(|column| column.key);
    if key.is_empty() {
        return Err(StoreError::CopyMismatch(format!("{table} has no primary key to copy it in order by")));
    }
    let quoted = |column: &Column| format!("\"{}\"", column.name);
    let select = format!(
        "SELECT {} FROM {table} ORDER BY {} LIMIT $1 OFFSET $2",
        from.iter().map(quoted).collect::<Vec<_>>().join(", "),
        key.iter().map(|column| quoted(column)).collect::<Vec<_>>().join(", "),
    );
    // The target's kind of each of the source's columns, in the source's order.
    let target_kinds: Vec<Kind> = from
        .iter()
        .map(|column| to.iter().find(|other| other.name == column.name).map(|other| other.kind))
        .collect::<Option<_>>()
        .ok_or_else(|| StoreError::CopyMismatch(format!("{table}: a column vanished")))?;
    if SEEDED.contains(&table) {
        on_conn!(&mut *target, db => sqlx::query(&format!("DELETE FROM {table}")).execute(db).await.map(drop))?;
    }
    let per_insert = (PARAMETERS_PER_INSERT / from.len()).max(1);
    let mut copied = 0u64;
    loop {
        let rows = read_rows(source, &select, &from, copied).await?;
        let read = rows.len();
        let mut converted = Vec::with_capacity(read);
        for row in rows {
            let mut values = Vec::with_capacity(row.len());
            for ((value, kind), column) in row.into_iter().zip(&target_kinds).zip(&from) {
                let value = value.into_kind(*kind).ok_or_else(|| {
                    StoreError::CopyMismatch(format!(
                        "{table}.{}: a {:?} column on the source, {kind:?} on the target",
                        column.name, column.kind
                    ))
                })?;
                values.push(value);
            }
            converted.push(values);
        }
        for batch in converted.chunks_mut(per_insert) {
            insert_rows(target, table, &from, batch).await?;
        }
        copied += read as u64;
        if read < ROWS_PER_READ {
            break;
        }
    }
    let (on_source, on_target) = (count(source, table).await?, count(target, table).await?);
    if on_source as u64 != copied || on_target != on_source {
        return Err(StoreError::CopyMismatch(format!(
            "{table}: {on_source} rows on the source, {copied} read, {on_target} on the target"
        )));
    }
    if let (Tx::Postgres(tx), true) = (target, to.iter().any(|column| column.name == "id")) {
        // An identity column continues after the copied ids, not from 1.
        sqlx::query(&format!(
            "SELECT setval(pg_get_serial_sequence('{table}', 'id'), MAX(id)) FROM {table} HAVING COUNT(*) > 0"
        ))
        .execute(&mut **tx)
        .await?;
    }
    Ok(copied)
}

async fn count(tx: &mut Tx, table: &str) -> Result<i64, StoreError> {
    let sql = format!("SELECT COUNT(*) FROM {table}");
    Ok(on_conn!(tx, db => sqlx::query_scalar::<_, i64>(&sql).fetch_one(db).await)?)
}

/// The source's next rows from `offset`, each value as its column keeps it.
async fn read_rows(
    source: &mut Tx,
    select: &str,
    columns: &[Column],
    offset: u64,
) -> Result<Vec<Vec<Value>>, StoreError> {
    use sqlx::Row;
    on_conn!(source, db => {
        let rows = sqlx::query(select).bind(ROWS_PER_READ as i64).bind(offset as i64).fetch_all(db).await?;
        let mut read = Vec::with_capacity(rows.len());
        for row in &rows {
            let mut values = Vec::with_capacity(columns.len());
            for (index, column) in columns.iter().enumerate() {
                values.push(match column.kind {
                    Kind::Integer => Value::Integer(row.try_get(index)?),
                    Kind::Real => Value::Real(row.try_get(index)?),
                    Kind::Text => Value::Text(row.try_get(index)?),
                    Kind::Bytes => Value::Bytes(row.try_get(index)?),
                    Kind::Boolean => Value::Boolean(row.try_get(index)?),
                });
            }
            read.push(values);
        }
        Ok(read)
    })
}

/// Inserts `rows` (values in `columns`' order) with one statement.
async fn insert_rows(
    target: &mut Tx,
    table: &str,
    columns: &[Column],
    rows: &mut [Vec<Value>],
) -> Result<(), StoreError> {
    let width = columns.len();
    let tuples: Vec<String> = (0..rows.len())
        .map(|row| {
            let places: Vec<String> = (1..=width).map(|column| format!("${}", row * width + column)).collect();
            format!("({})", places.join(", "))
        })
        .collect();
    let sql = format!(
        "INSERT INTO {table} ({}) VALUES {}",
        columns.iter().map(|column| format!("\"{}\"", column.name)).collect::<Vec<_>>().join(", "),
        tuples.join(", ")
    );
    on_conn!(target, db => {
        let mut insert = sqlx::query(&sql);
        for value in rows.iter_mut().flat_map(|row| row.drain(..)) {
            insert = match value {
                Value::Integer(value) => insert.bind(value),
                Value::Real(value) => insert.bind(value),
                Value::Text(value) => insert.bind(value),
                Value::Bytes(value) => insert.bind(value),
                Value::Boolean(value) => insert.bind(value),
            };
        }
        insert.execute(db).await?;
    });
    Ok(())
}
