//! Companies and their members. Every read of a company's data on behalf of a user goes through
//! [`require_member`], and every change through [`require_admin`].

use crate::{error::CoreError, store::StoreError, Core};
use model::{CompanyId, CompanySummary, Role, UserId};

pub use crate::store::Membership;

/// The company and `user`'s role in it, if they are a member (an admin or a viewer). A company
/// that does not exist and one that exists but is not the user's answer the same, so ids cannot
/// be probed.
pub async fn require_member(core: &Core, user: UserId, company: CompanyId) -> Result<Membership, CoreError> {
    core.store.membership(user, company).await?.ok_or(CoreError::Forbidden)
}

/// The company, if `user` administers it: a viewer is refused with [`CoreError::ViewOnly`].
pub async fn require_admin(core: &Core, user: UserId, company: CompanyId) -> Result<CompanySummary, CoreError> {
    let membership = require_member(core, user, company).await?;
    match membership.role.manages() {
        true => Ok(membership.company),
        false => Err(CoreError::ViewOnly),
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

/// Makes `user` an admin of `company` (see [`set_role`]).
pub async fn add_admin(core: &Core, user: UserId, company: CompanyId) -> Result<(), CoreError> {
    set_role(core, user, company, Role::Admin).await
}

/// Makes `user` a member of `company` in `role`, or changes their role there.
pub async fn set_role(core: &Core, user: UserId, company: CompanyId, role: Role) -> Result<(), CoreError> {
    core.store.set_membership(user, company, role).await.map_err(|error| match error {
        StoreError::MissingReference => CoreError::Invalid("No such user or company.".into()),
        error => error.into(),
    })
}

pub async fn find_company(core: &Core, name: &str) -> Result<CompanyId, CoreError> {
    core.store.find_company(name.trim()).await?.ok_or_else(|| CoreError::NotFound(format!("Company \"{name}\"")))
}
