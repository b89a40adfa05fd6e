//! The product pages' server functions: the overview (the admin's companies, their status, the
//! selected company's authorization), Check now, and Opt-Out / Clear.

use crate::error::AppError;
use leptos::prelude::*;
use model::{CheckOutcome, CompanyId, Product, ProductOverview};

#[server(prefix = "/api", endpoint = "load_overview")]
pub async fn load_overview(product: Product, company: Option<CompanyId>) -> Result<ProductOverview, AppError> {
    crate::web::with_status(ssr::overview(product, company).await)
}

/// Opt-Out (Reverse Logistics, Pickup Manager) and Clear (Data Management): the authorization
/// ends and its tokens are deleted at once.
#[server(prefix = "/api", endpoint = "opt_out")]
pub async fn opt_out(product: Product, company: CompanyId) -> Result<(), AppError> {
    crate::web::with_status(ssr::opt_out(product, company).await)
}

/// Check now: UPS is asked to refresh the authorization once (at most once a minute), and the
/// page says how it answered.
#[server(prefix = "/api", endpoint = "check_authorization")]
pub async fn check_authorization(product: Product, company: CompanyId) -> Result<CheckOutcome, AppError> {
    crate::web::with_status(ssr::check(product, company).await)
}

#[cfg(feature = "ssr")]
mod ssr {
    use crate::{auth::session::current_user, error::AppError, state::app_state, web::after_form_post};
    use model::{CheckOutcome, CompanyId, Notice, Product, ProductOverview};
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

    pub async fn check(product: Product, company: CompanyId) -> Result<CheckOutcome, AppError> {
        let (state, user) = (app_state()?, current_user()?);
        let outcome = authorization::check_as_admin(&state.core, user.id, company, product).await?;
        // Posted without a script: back to the product page, which says what UPS answered.
        after_form_post(&format!("{}?company={company}&checked={}", product.authorization_path(), outcome.code()));
        Ok(outcome)
    }
}
