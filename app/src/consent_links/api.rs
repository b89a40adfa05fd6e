//! The server functions behind the consent links card: the links still waiting, and Revoke.

use crate::error::AppError;
use leptos::prelude::*;
use model::{CompanyId, ConsentLinkId, PendingConsentLink, Product};

/// The company's links for `product` that are still waiting for their recipient (for its
/// members: a viewer sees them too; only an admin makes and revokes them).
#[server(prefix = "/api", endpoint = "pending_consent_links")]
pub async fn pending_consent_links(product: Product, company: CompanyId) -> Result<Vec<PendingConsentLink>, AppError> {
    crate::web::with_status(ssr::pending(product, company).await)
}

/// Revokes a waiting link: it no longer opens.
#[server(prefix = "/api", endpoint = "revoke_consent_link")]
pub async fn revoke_consent_link(product: Product, company: CompanyId, link: ConsentLinkId) -> Result<(), AppError> {
    crate::web::with_status(ssr::revoke(product, company, link).await)
}

#[cfg(feature = "ssr")]
mod ssr {
    use crate::{auth::session::current_user, error::AppError, state::app_state, web::after_form_post};
    use model::{CompanyId, ConsentLinkId, Notice, PendingConsentLink, Product};
    use optin_core::consent_links::{self, Caller};

    pub async fn pending(product: Product, company: CompanyId) -> Result<Vec<PendingConsentLink>, AppError> {
        let (state, user) = (app_state()?, current_user()?);
        Ok(consent_links::pending(&state.core, Caller::User(&user), company, product).await?)
    }

    pub async fn revoke(product: Product, company: CompanyId, link: ConsentLinkId) -> Result<(), AppError> {
        let (state, user) = (app_state()?, current_user()?);
        if !consent_links::revoke(&state.core, Caller::User(&user), company, product, link).await? {
            return Err(AppError::NotFound("That consent link is no longer waiting".into()));
        }
        // Posted without a script: back to the product page, which says so.
        after_form_post(&format!("{}{}", product.authorization_path(), Notice::LinkRevoked.query(Some(company))));
        Ok(())
    }
}
