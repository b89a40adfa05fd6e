//! Backups of the embedded database while the service runs: SQLite's `VACUUM INTO` writes a
//! consistent copy (one read transaction: every refresh committed before it, none after) into a
//! new file, without stopping the writers for longer than a read. Tokens stay sealed in the copy:
//! it opens only with the same key ring. On PostgreSQL, `pg_dump` is the tool (see the README).

use crate::{error::CoreError, Core};
use std::path::Path;

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
