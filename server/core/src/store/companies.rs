//! The `companies` and `memberships` tables: who is a member of what, in which role.

use super::{on_constraint, role, Store, StoreError};
use crate::clock::now;
use model::{AuthorizationState, CompanyId, CompanySummary, Product, Role, UserId};

/// A company the user is a member of, in which role, and where its authorization of one product
/// stands.
#[derive(Debug)]
pub struct CompanyStatusRow {
    pub company: CompanySummary,
    pub role: Role,
    /// `None`: never authorized.
    pub state: Option<AuthorizationState>,
}

/// A user's membership of one company.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Membership {
    pub company: CompanySummary,
    pub role: Role,
}

impl Store {
    /// The company and `user`'s role in it, if they are a member.
    pub async fn membership(&self, user: UserId, company: CompanyId) -> Result<Option<Membership>, StoreError> {
        let row: Option<(String, String)> = on_pool!(self, db => sqlx::query_as(
            "SELECT c.name, m.role FROM companies c JOIN memberships m ON m.company_id = c.id
             WHERE m.user_id = $1 AND c.id = $2",
        )
        .bind(user.get())
        .bind(company.get())
        .fetch_optional(db)
        .await)?;
        row.map(|(name, slug)| Ok(Membership { company: CompanySummary { id: company, name }, role: role(&slug)? }))
            .transpose()
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

    /// Makes `user` a member of `company` in `role` (again, or in another role, is fine: the
    /// role is what was asked last); `MissingReference` when either is unknown.
    pub async fn set_membership(&self, user: UserId, company: CompanyId, role: Role) -> Result<(), StoreError> {
        on_pool!(self, db => sqlx::query(
            "INSERT INTO memberships (user_id, company_id, role, created_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (user_id, company_id) DO UPDATE SET role = excluded.role",
        )
        .bind(user.get())
        .bind(company.get())
        .bind(role.slug())
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

    /// The company's name, when it exists.
    pub async fn company_name(&self, company: CompanyId) -> Result<Option<String>, StoreError> {
        Ok(on_pool!(self, db => sqlx::query_scalar("SELECT name FROM companies WHERE id = $1")
            .bind(company.get())
            .fetch_optional(db)
            .await)?)
    }

    /// The companies `user` is a member of, by name, each with their role and its state for
    /// `product`, in one query.
    pub async fn companies_of(&self, user: UserId, product: Product) -> Result<Vec<CompanyStatusRow>, StoreError> {
        let rows: Vec<(i64, String, String, Option<String>, Option<String>)> = on_pool!(self, db => sqlx::query_as(
            "SELECT c.id, c.name, m.role, a.status, a.status_reason FROM companies c
             JOIN memberships m ON m.company_id = c.id AND m.user_id = $1
             LEFT JOIN authorizations a ON a.company_id = c.id AND a.product = $2
             ORDER BY c.name",
        )
        .bind(user.get())
        .bind(product.slug())
        .fetch_all(db)
        .await)?;
        rows.into_iter()
            .map(|(id, name, slug, status, reason)| {
                let state = match status {
                    Some(status) => Some(super::state(&status, reason.as_deref())?),
                    None => None,
                };
                Ok(CompanyStatusRow {
                    company: CompanySummary { id: CompanyId::new(id), name },
                    role: role(&slug)?,
                    state,
                })
            })
            .collect()
    }
}
