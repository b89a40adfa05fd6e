//! The server functions behind the Token Manager grid: on the admin page (by the admin's
//! session) and in Data Management's widget (by the widget's key).

use crate::error::AppError;
use leptos::prelude::*;
use model::{CompanyId, Product, TokenPage, WidgetKey};

#[server(prefix = "/api", endpoint = "token_history")]
pub async fn token_history(product: Product, company: CompanyId, page: u32) -> Result<TokenPage, AppError> {
    crate::web::with_status(ssr::history(product, company, page).await)
}

/// Data Management's token grid, in the widget.
#[server(prefix = "/api", endpoint = "embed_token_history")]
pub async fn embed_token_history(key: WidgetKey, page: u32) -> Result<TokenPage, AppError> {
    crate::web::with_status(ssr::widget_history(&key, page).await)
}

#[cfg(feature = "ssr")]
mod ssr {
    use crate::{auth::session::current_user, error::AppError, state::app_state};
    use model::{CompanyId, Product, TokenPage, WidgetKey};
    use optin_core::{authorization, embed};

    pub async fn history(product: Product, company: CompanyId, page: u32) -> Result<TokenPage, AppError> {
        let (state, user) = (app_state()?, current_user()?);
        Ok(authorization::token_history(&state.core, user.id, company, product, page).await?)
    }

    pub async fn widget_history(key: &WidgetKey, page: u32) -> Result<TokenPage, AppError> {
        Ok(embed::token_history(&app_state()?.core, key, page).await?)
    }
}
