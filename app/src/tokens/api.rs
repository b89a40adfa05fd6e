//! The server function behind the Token Manager grid on the admin page.

use crate::error::AppError;
use leptos::prelude::*;
use model::{CompanyId, Product, TokenPage};

#[server(prefix = "/api", endpoint = "token_history")]
pub async fn token_history(product: Product, company: CompanyId, page: u32) -> Result<TokenPage, AppError> {
    crate::error::ssr::with_status(ssr::history(product, company, page).await)
}

#[cfg(feature = "ssr")]
mod ssr {
    use crate::{auth::session::current_user, error::AppError, state::app_state};
    use model::{CompanyId, Product, TokenPage};
    use optin_core::authorization;

    pub async fn history(product: Product, company: CompanyId, page: u32) -> Result<TokenPage, AppError> {
        let (state, user) = (app_state()?, current_user()?);
        Ok(authorization::token_history(&state.core, user.id, company, product, page).await?)
    }
}
