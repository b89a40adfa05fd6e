//! The `companies` and `memberships` tables: who administers what.

use super::{on_constraint, Store, StoreError};
use crate::clock::now;
use model::{AuthorizationState, CompanyId, CompanySummary, Product, UserId};

/// A company the user administers, and where its authorization of one product stands.
#[derive(Debug)]
pub struct CompanyStatusRow {
    pub company: CompanySummary,
    /// `None`: never authorized.
    pub state: Option<AuthorizationState>,
}

impl Store {
    /// The company's name, if `user` administers it.
    pub async fn administered_company(&self, user: UserId, company: CompanyId) -> Result<Option<String>, StoreError> {
        Ok(on_pool!(self, db => sqlx::query_scalar(
            "SELECT c.name FROM companies c JOIN memberships m ON m.company_id = c.id
             WHERE m.user_id = $1 AND c.id = $2 AND m.role = 'admin'",
        )
        .bind(user.get())
        .bind(company.get())
        .fetch_optional(db)
        .await)?)
    }

    /// A new company; `Duplicate` when the name is taken.
    pub async fn create_company(&self, name: &str) -> Result<CompanyId, StoreError> {
        let id: i64 = on_pool!(self, db => sqlx::query_scalar("INSERT INTO companies (name, created_at) VALUES ($1, $2) RETURNING id")
            .bind(name)
            .bind(now())
            .fetch_one(db)
            .await)
            .map_err(on_constraint)?;
        Ok(CompanyId::new(id))
    }

    /// Makes `user` an admin of `company` (again is fine); `MissingReference` when either is
    /// unknown.
    pub async fn add_admin(&self, user: UserId, company: CompanyId) -> Result<(), StoreError> {
        on_pool!(self, db => sqlx::query(
            "INSERT INTO memberships (user_id, company_id, role, created_at) VALUES ($1, $2, 'admin', $3)
             ON CONFLICT (user_id, company_id) DO NOTHING",
        )
        .bind(user.get())
        .bind(company.get())
        .bind(now())
        .execute(db)
        .await.map(|done| done.rows_affected()))
        .map_err(on_constraint)?;
        Ok(())
    }

    pub async fn find_company(&self, name: &str) -> Result<Option<CompanyId>, StoreError> {
        let id: Option<i64> = on_pool!(self, db => sqlx::query_scalar("SELECT id FROM companies WHERE name = $1").bind(name).fetch_optional(db).await)?;
        Ok(id.map(CompanyId::new))
    }

    pub async fn company_exists(&self, company: CompanyId) -> Result<bool, StoreError> {
        let found: Option<i64> = on_pool!(self, db => sqlx::query_scalar("SELECT id FROM companies WHERE id = $1")
            .bind(company.get())
            .fetch_optional(db)
            .await)?;
        Ok(found.is_some())
    }

    /// The companies `user` administers, by name, each with its state for `product`, in one query.
    pub async fn companies_of(&self, user: UserId, product: Product) -> Result<Vec<CompanyStatusRow>, StoreError> {
        let rows: Vec<(i64, String, Option<String>, Option<String>)> = on_pool!(self, db => sqlx::query_as(
            "SELECT c.id, c.name, a.status, a.status_reason FROM companies c
             JOIN memberships m ON m.company_id = c.id AND m.user_id = $1 AND m.role = 'admin'
             LEFT JOIN authorizations a ON a.company_id = c.id AND a.product = $2
             ORDER BY c.name",
        )
        .bind(user.get())
        .bind(product.slug())
        .fetch_all(db)
        .await)?;
        rows.into_iter()
            .map(|(id, name, status, reason)| {
                let state = match status {
                    Some(status) => Some(super::state(&status, reason.as_deref())?),
                    None => None,
                };
                Ok(CompanyStatusRow { company: CompanySummary { id: CompanyId::new(id), name }, state })
            })
            .collect()
    }
}
