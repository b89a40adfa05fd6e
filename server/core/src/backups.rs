//! Backups of the embedded database while the service runs: SQLite's `VACUUM INTO` writes a
//! consistent copy (one read transaction: every refresh committed before it, none after) into a
//! new file, without stopping the writers for longer than a read. Tokens stay sealed in the copy:
//! it opens only with the same key ring. On PostgreSQL, `pg_dump` is the tool (see the README).
//!
//! And copies of the whole database into another, empty one (`server db copy`): SQLite to
//! PostgreSQL when the service grows to several instances, or back; then every sealed secret is
//! opened on the target with the key ring, so a copy that the service could not serve is known
//! before the service moves.

use crate::{
    error::CoreError,
    keys::{self, Opened},
    store::{CopiedTable, Database, Store},
    Core,
};
use std::path::Path;

/// What a copy wrote, and what opening its secrets on the target found.
#[derive(Debug)]
pub struct Copied {
    pub tables: Vec<CopiedTable>,
    pub secrets: Opened,
}

/// Copies every row into `target`, which must be empty (a new SQLite file, or a PostgreSQL
/// database without this service's rows), then opens every sealed secret there with this
/// store's key ring.
pub async fn copy(core: &Core, target: &Database) -> Result<Copied, CoreError> {
    let tables = core.store.copy_into(target).await?;
    let copy = Store::inspect(target, core.store.keys().clone()).await?;
    let secrets = keys::try_open_all_in(&copy).await;
    copy.close().await;
    Ok(Copied { tables, secrets: secrets? })
}

/// Writes a consistent copy of the database to `file`, which must not exist; answers its size.
pub async fn back_up(core: &Core, file: &Path) -> Result<u64, CoreError> {
    if file.exists() {
        return Err(CoreError::Invalid(format!("{} exists already: choose a new file", file.display())));
    }
    let target = file.to_str().ok_or_else(|| CoreError::Invalid(format!("{} is not a UTF-8 path", file.display())))?;
    if !core.store.back_up_into(target).await? {
        return Err(CoreError::Invalid(
            "the database is PostgreSQL: back it up with pg_dump (see the README, Operations)".into(),
        ));
    }
    std::fs::metadata(file).map(|written| written.len()).map_err(|error| CoreError::Unexpected(error.to_string()))
}
