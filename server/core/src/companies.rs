//! Companies and who administers them. Every operation on a company's data on behalf of a user
//! goes through [`require_admin`].

use crate::{error::CoreError, store::StoreError, Core};
use model::{CompanyId, CompanySummary, UserId};

/// The company, if `user` administers it. A company that does not exist and one that exists but
/// is not the user's answer the same, so ids cannot be probed.
pub async fn require_admin(core: &Core, user: UserId, company: CompanyId) -> Result<CompanySummary, CoreError> {
    match core.store.administered_company(user, company).await? {
        Some(name) => Ok(CompanySummary { id: company, name }),
        None => Err(CoreError::Forbidden),
    }
}

pub async fn create_company(core: &Core, name: &str) -> Result<CompanyId, CoreError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(CoreError::Invalid("A company name needs 1 to 200 characters.".into()));
    }
    core.store.create_company(name).await.map_err(|error| match error {
        StoreError::Duplicate => CoreError::Invalid(format!("A company named \"{name}\" already exists.")),
        error => error.into(),
    })
}

pub async fn add_admin(core: &Core, user: UserId, company: CompanyId) -> Result<(), CoreError> {
    core.store.add_admin(user, company).await.map_err(|error| match error {
        StoreError::MissingReference => CoreError::Invalid("No such user or company.".into()),
        error => error.into(),
    })
}

pub async fn find_company(core: &Core, name: &str) -> Result<CompanyId, CoreError> {
    core.store.find_company(name.trim()).await?.ok_or_else(|| CoreError::NotFound(format!("Company \"{name}\"")))
}
