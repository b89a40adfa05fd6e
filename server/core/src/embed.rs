//! The embeddable widget's sessions. A product's backend creates a single-use embed session with
//! its API key; the widget page redeems it, once, for a widget key that only that page holds and
//! sends with every call. What a widget can then do is what the portal's user may do for that one
//! company and product: an admin's everything, or a viewer's looking.

use crate::{
    audit::Actor,
    authorization,
    clock::now,
    error::CoreError,
    secret::{random_token, token_hash, SecretString},
    Core,
};
use model::{AuthorizationView, Product, TokenPage, WidgetKey};

pub use crate::store::{EmbedSession, NewEmbedSession};

impl EmbedSession {
    /// Who acts when this widget opts in or out.
    pub fn actor(&self) -> Actor {
        Actor::Portal(format!("{} (portal user {})", self.portal_user_name, self.portal_user_id))
    }

    /// Refuses a change asked by a portal user whom the portal made a viewer.
    pub fn require_admin(&self) -> Result<(), CoreError> {
        match self.role.manages() {
            true => Ok(()),
            false => Err(CoreError::ViewOnly),
        }
    }
}

/// Stores a new embed session; answers its single-use token and when it must be redeemed by.
/// The request has been checked by the API (its key, origin and user); the company must exist.
#[tracing::instrument(skip(core, new), fields(company = %new.company, product = %new.product))]
pub async fn create(core: &Core, new: NewEmbedSession) -> Result<(SecretString, i64), CoreError> {
    if core.store.company_name(new.company).await?.is_none() {
        return Err(CoreError::NotFound("Company".into()));
    }
    let token = random_token();
    let redeem_by = now() + core.lifetimes.embed_token.as_secs() as i64;
    core.store.create_embed_session(&new, &token_hash(token.expose()), redeem_by).await?;
    Ok((token, redeem_by))
}

/// Exchanges the single-use token for a widget key, atomically: of two loads of the same
/// session, exactly one gets a key.
#[tracing::instrument(skip(core, token))]
pub async fn redeem(core: &Core, product: Product, token: &str) -> Result<(EmbedSession, WidgetKey), CoreError> {
    let key = WidgetKey::new(random_token().expose());
    let expires_at = now() + core.lifetimes.embed_session.as_secs() as i64;
    let redeemed =
        core.store.redeem_embed_session(&token_hash(token), product, &token_hash(key.expose()), expires_at).await?;
    let Some(id) = redeemed else {
        tracing::info!("embed session refused: unknown, used, expired or for another product");
        return Err(CoreError::EmbedSessionInvalid);
    };
    let session = core.store.embed_session(id).await?.filter(|session| session.live);
    Ok((session.ok_or(CoreError::EmbedSessionInvalid)?, key))
}

/// The session of a live widget key.
pub async fn session(core: &Core, key: &WidgetKey) -> Result<EmbedSession, CoreError> {
    core.store.embed_session_by_key(&token_hash(key.expose())).await?.ok_or(CoreError::EmbedSessionInvalid)
}

/// Opt-Out or Clear from the widget of a live `session` (see [`session`]); answers the
/// authorization as it now stands.
#[tracing::instrument(skip_all)]
pub async fn revoke(core: &Core, session: &EmbedSession) -> Result<AuthorizationView, CoreError> {
    session.require_admin()?;
    authorization::revoke(core, &session.actor(), session.company.id, session.product).await?;
    view(core, session).await
}

/// The widget's authorization, as its portal user may see it.
pub async fn view(core: &Core, session: &EmbedSession) -> Result<AuthorizationView, CoreError> {
    authorization::view(core, session.company.clone(), session.product, session.role).await
}

/// Data Management's token grid, in its widget.
pub async fn token_history(core: &Core, key: &WidgetKey, page: u32) -> Result<TokenPage, CoreError> {
    let session = session(core, key).await?;
    if session.product != Product::DataManagement {
        return Err(CoreError::Forbidden);
    }
    Ok(core.store.token_page(session.company.id, session.product, page).await?)
}
