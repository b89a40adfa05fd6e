//! The widget's server functions: opening it (redeeming the single-use embed session, only when
//! the page is loaded in a frame), its status, Opt-Out / Clear, and the token grid. Every call
//! after the first carries the widget key the page was given.

use crate::error::AppError;
use leptos::prelude::*;
use model::{AuthorizationView, TokenPage, WidgetKey};
use serde::{Deserialize, Serialize};

/// An open widget: its key, what it shows, and the one origin it reports to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmbedContext {
    pub key: WidgetKey,
    pub view: AuthorizationView,
    /// The portal's origin: the only target of the widget's messages.
    pub host_origin: String,
    /// The portal user, as the portal named them.
    pub portal_user: String,
}

/// What the widget page shows: the widget, or why not, and which origins may hear about it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum EmbedLoad {
    Open(EmbedContext),
    Refused { error: AppError, host_origins: Vec<String> },
}

/// Redeems the single-use embed session `session` for a widget key. A second call with the same
/// session is refused.
#[server(prefix = "/api", endpoint = "open_embed")]
pub async fn open_embed(product: String, session: String) -> Result<EmbedLoad, AppError> {
    crate::error::ssr::with_status(ssr::open(&product, &session).await)
}

#[server(prefix = "/api", endpoint = "embed_status")]
pub async fn embed_status(key: WidgetKey) -> Result<AuthorizationView, AppError> {
    crate::error::ssr::with_status(ssr::status(&key).await)
}

/// Opt-Out or Clear from the widget; answers the authorization as it now stands.
#[server(prefix = "/api", endpoint = "embed_opt_out")]
pub async fn embed_opt_out(key: WidgetKey) -> Result<AuthorizationView, AppError> {
    crate::error::ssr::with_status(ssr::opt_out(&key).await)
}

/// Data Management's token grid, in the widget.
#[server(prefix = "/api", endpoint = "embed_token_history")]
pub async fn embed_token_history(key: WidgetKey, page: u32) -> Result<TokenPage, AppError> {
    crate::error::ssr::with_status(ssr::token_history(&key, page).await)
}

#[cfg(feature = "ssr")]
mod ssr {
    use super::{EmbedContext, EmbedLoad};
    use crate::{error::AppError, state::app_state};
    use model::{AuthorizationView, Product, TokenPage, WidgetKey};
    use optin_core::{authorization, embed, CoreError};

    pub async fn open(product: &str, session: &str) -> Result<EmbedLoad, AppError> {
        let state = app_state()?;
        let product = Product::parse(product)?;
        // The page framing the widget, when the browser says (its `Referer` is that page, or
        // its origin). A refusal is told to that page only if it is one of the product's portals:
        // the list of portals itself is never sent.
        let allowed = state.web.embed_origins.get(&product).cloned().unwrap_or_default();
        // A navigation inside the frame comes from our own page: that says nothing of the portal.
        let framing = framing_origin().filter(|origin| *origin != state.web.origin());
        let framed_by = framing.clone().filter(|origin| allowed.contains(origin));
        let refused = |error| EmbedLoad::Refused { error, host_origins: framed_by.iter().cloned().collect() };
        if framing.is_some() && framed_by.is_none() {
            tracing::info!(%product, "embed session refused: framed by a page that is not one of the product's portals");
            return Ok(refused(AppError::Invalid("This page works only inside your portal.".into())));
        }
        // Framing is what limits a widget to its portal: a session link opened as a page (sent to
        // someone else, say, to consent with their UPS.com account) is refused, and stays unused.
        if !loaded_in_frame() {
            tracing::info!(%product, "embed session refused: not loaded in a frame");
            return Ok(refused(AppError::Invalid("This page works only inside your portal.".into())));
        }
        let (session, key) = match embed::redeem(&state.core, product, session).await {
            Ok(opened) => opened,
            Err(CoreError::EmbedSessionInvalid) => return Ok(refused(AppError::EmbedSessionInvalid)),
            Err(error) => return Err(error.into()),
        };
        let view = authorization::view(&state.core, session.company.clone(), product).await?;
        Ok(EmbedLoad::Open(EmbedContext {
            key,
            view,
            host_origin: session.host_origin,
            portal_user: session.portal_user_name,
        }))
    }

    /// Whether this is the widget page itself, loaded into a frame: the browser says so with
    /// `Sec-Fetch-Dest: iframe`. A page opened on its own, a client that does not say it frames
    /// the page, and the server function called directly (`/api/open_embed`) are all refused.
    fn loaded_in_frame() -> bool {
        leptos::prelude::use_context::<http::request::Parts>().is_some_and(|parts| {
            !parts.uri.path().starts_with("/api/")
                && parts.headers.get("sec-fetch-dest").is_some_and(|destination| destination.as_bytes() == b"iframe")
        })
    }

    /// The origin of the page that framed this one, when the browser says.
    fn framing_origin() -> Option<String> {
        crate::web::referer_origin(&leptos::prelude::use_context::<http::request::Parts>()?.headers)
    }

    pub async fn status(key: &WidgetKey) -> Result<AuthorizationView, AppError> {
        Ok(embed::status(&app_state()?.core, key).await?)
    }

    pub async fn opt_out(key: &WidgetKey) -> Result<AuthorizationView, AppError> {
        Ok(embed::revoke(&app_state()?.core, key).await?)
    }

    pub async fn token_history(key: &WidgetKey, page: u32) -> Result<TokenPage, AppError> {
        Ok(embed::token_history(&app_state()?.core, key, page).await?)
    }
}
