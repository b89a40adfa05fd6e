//! `server db copy`: the configured database copied into another, empty one, reported one line
//! per table, then the sealed secrets opened there.

use super::CliError;
use optin_core::{backups, store::Database, Core};

/// `db copy`: one line per table, then the secrets opened on the target.
pub async fn copy(core: &Core, to: &str) -> Result<String, CliError> {
    let target = Database::parse(to).map_err(|e| CliError::Refused(e.to_string()))?;
    let named = target.to_string();
    let copied =
        backups::copy(core, &target).await.map_err(|e| CliError::Report(format!("Nothing copied to {named}: {e}")))?;
    let mut lines: Vec<String> =
        copied.tables.iter().map(|copied| format!("{:<20} {:>8} row(s)", copied.table, copied.rows)).collect();
    let rows: u64 = copied.tables.iter().map(|copied| copied.rows).sum();
    lines.push(format!("Copied {rows} row(s) in {} tables to {named}.", copied.tables.len()));
    match copied.secrets.unreadable.is_empty() {
        true => {
            lines.push(format!(
                "All {} sealed secret(s) open there with this key ring. Point the service at it (database_url) and \
                 restart it.",
                copied.secrets.opened
            ));
            Ok(lines.join("\n"))
        }
        false => {
            lines.push(format!(
                "{} sealed secret(s) do not open there with this key ring:\n{}",
                copied.secrets.unreadable.len(),
                copied.secrets.unreadable.join("\n")
            ));
            Err(CliError::Report(lines.join("\n")))
        }
    }
}
