//! The server function behind the Activity log.

use crate::error::AppError;
use leptos::prelude::*;
use model::{ActivityEntry, CompanyId};

#[server(prefix = "/api", endpoint = "company_activity")]
pub async fn company_activity(company: CompanyId) -> Result<Vec<ActivityEntry>, AppError> {
    crate::web::with_status(ssr::activity(company).await)
}

#[cfg(feature = "ssr")]
mod ssr {
    use crate::{auth::session::current_user, error::AppError, state::app_state};
    use model::{ActivityEntry, CompanyId};
    use optin_core::authorization;

    const SHOWN: u32 = 50;

    pub async fn activity(company: CompanyId) -> Result<Vec<ActivityEntry>, AppError> {
        let (state, user) = (app_state()?, current_user()?);
        Ok(authorization::activity(&state.core, user.id, company, SHOWN).await?)
    }
}
