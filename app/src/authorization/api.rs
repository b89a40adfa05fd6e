//! The product pages' server functions: the overview (the admin's companies, their status, the
//! selected company's authorization) and Opt-Out / Clear.

use crate::error::AppError;
use leptos::prelude::*;
use model::{CompanyId, Product, ProductOverview};

#[server(prefix = "/api", endpoint = "load_overview")]
pub async fn load_overview(product: Product, company: Option<CompanyId>) -> Result<ProductOverview, AppError> {
    crate::error::ssr::with_status(ssr::overview(product, company).await)
}

/// Opt-Out (Reverse Logistics, Pickup Manager) and Clear (Data Management): the authorization
/// ends and its tokens are deleted at once.
#[server(prefix = "/api", endpoint = "opt_out")]
pub async fn opt_out(product: Product, company: CompanyId) -> Result<(), AppError> {
    crate::error::ssr::with_status(ssr::opt_out(product, company).await)
}

#[cfg(feature = "ssr")]
mod ssr {
    use crate::{auth::session::current_user, error::AppError, state::app_state, web::after_form_post};
    use model::{CompanyId, Notice, Product, ProductOverview};
    use optin_core::authorization;

    pub async fn overview(product: Product, company: Option<CompanyId>) -> Result<ProductOverview, AppError> {
        let (state, user) = (app_state()?, current_user()?);
        Ok(authorization::overview(&state.core, &user, product, company).await?)
    }

    pub async fn opt_out(product: Product, company: CompanyId) -> Result<(), AppError> {
        let (state, user) = (app_state()?, current_user()?);
        authorization::revoke_as_admin(&state.core, user.id, company, product).await?;
        // Posted without a script: back to the product page, which says what happened.
        after_form_post(&format!("{}{}", product.authorization_path(), Notice::Revoked.query(Some(company))));
        Ok(())
    }
}
