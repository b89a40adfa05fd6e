//! Companies and who administers them. Every server function that touches a company's data goes
//! through [`ssr::require_admin`].

use crate::ids::CompanyId;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompanySummary {
    pub id: CompanyId,
    pub name: String,
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use super::CompanySummary;
    use crate::{error::AppError, ids::CompanyId, ids::UserId, state::now};
    use sqlx::SqlitePool;

    /// The company, if `user` administers it. A company that does not exist and one that exists
    /// but is not the user's answer the same, so ids cannot be probed.
    pub async fn require_admin(db: &SqlitePool, user: UserId, company: CompanyId) -> Result<CompanySummary, AppError> {
        let row: Option<(String,)> = sqlx::query_as(
            "SELECT c.name FROM companies c JOIN memberships m ON m.company_id = c.id
             WHERE m.user_id = ? AND c.id = ? AND m.role = 'admin'",
        )
        .bind(user.get())
        .bind(company.get())
        .fetch_optional(db)
        .await?;
        row.map(|(name,)| CompanySummary { id: company, name }).ok_or(AppError::Forbidden)
    }

    pub async fn create_company(db: &SqlitePool, name: &str) -> Result<CompanyId, AppError> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 200 {
            return Err(AppError::Invalid("A company name needs 1 to 200 characters.".into()));
        }
        let result = sqlx::query("INSERT INTO companies (name, created_at) VALUES (?, ?)")
            .bind(name)
            .bind(now())
            .execute(db)
            .await
            .map_err(|e| on_constraint(e, format!("A company named \"{name}\" already exists.")))?;
        Ok(CompanyId::new(result.last_insert_rowid()))
    }

    pub async fn add_admin(db: &SqlitePool, user: UserId, company: CompanyId) -> Result<(), AppError> {
        sqlx::query(
            "INSERT OR IGNORE INTO memberships (user_id, company_id, role, created_at) VALUES (?, ?, 'admin', ?)",
        )
        .bind(user.get())
        .bind(company.get())
        .bind(now())
        .execute(db)
        .await
        .map_err(|e| on_constraint(e, "No such user or company.".into()))?;
        Ok(())
    }

    pub async fn find_company(db: &SqlitePool, name: &str) -> Result<CompanyId, AppError> {
        let row: Option<(i64,)> =
            sqlx::query_as("SELECT id FROM companies WHERE name = ?").bind(name.trim()).fetch_optional(db).await?;
        row.map(|(id,)| CompanyId::new(id)).ok_or_else(|| AppError::NotFound(format!("Company \"{name}\"")))
    }

    /// The one place where a constraint violation becomes a message a person can act on.
    pub fn on_constraint(error: sqlx::Error, message: String) -> AppError {
        match &error {
            sqlx::Error::Database(db) if db.is_unique_violation() || db.is_foreign_key_violation() => {
                AppError::Invalid(message)
            }
            _ => error.into(),
        }
    }
}
