//! The `oauth_states` table: authorization requests under way. Single use (taken, and so
//! deleted, when the callback arrives), bound to the browser that started them, short-lived.

use super::{
    audit, product,
    sealed::{pkce_aad, PKCE_UNLABELLED_AAD},
    unreadable, EmbedSessionId, Store, StoreError,
};
use crate::{audit::Entry, clock::now, secret::SecretString};
use model::{CompanyId, ConsentLinkId, EmbedMode, Product};

/// A request about to be sent to UPS.
pub struct NewState<'a> {
    /// SHA-256 of the `state` parameter.
    pub state_hash: Vec<u8>,
    /// SHA-256 of what the callback must come back with: the admin's session, or the consent
    /// window's own cookie.
    pub binding: Vec<u8>,
    /// For a widget: its embed session, and where its consent answers.
    pub embed: Option<(EmbedSessionId, EmbedMode)>,
    /// For a consent link: the link, which the grant uses up.
    pub link: Option<ConsentLinkId>,
    pub company: CompanyId,
    pub product: Product,
    /// Kept sealed beside the state.
    pub pkce_verifier: &'a SecretString,
    pub expires_at: i64,
}

/// A request taken back at the callback.
pub struct PendingState {
    pub binding: Vec<u8>,
    pub embed: Option<(EmbedSessionId, EmbedMode)>,
    pub link: Option<ConsentLinkId>,
    pub company: CompanyId,
    pub product: Product,
    pub pkce_verifier: SecretString,
    pub expires_at: i64,
}

impl Store {
    /// Saves the request (and forgets expired ones) with its audit entry, in one transaction.
    pub async fn save_state(&self, state: NewState<'_>, entry: Entry) -> Result<(), StoreError> {
        let aad = pkce_aad(&state.state_hash, state.company, state.product);
        let sealed = self.cipher.seal(state.pkce_verifier.expose(), &aad)?;
        let mut tx = self.write().await?;
        on_tx!(tx, db => sqlx::query("DELETE FROM oauth_states WHERE expires_at <= $1").bind(now()).execute(db).await.map(|done| done.rows_affected()))?;
        on_tx!(tx, db => sqlx::query(
            "INSERT INTO oauth_states (state_hash, session_hash, embed_session_id, embed_mode, company_id, product, pkce_verifier, created_at, expires_at, consent_link_id)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(&state.state_hash)
        .bind(&state.binding)
        .bind(state.embed.map(|(session, _)| session.get()))
        .bind(state.embed.map(|(_, mode)| mode.as_str()))
        .bind(state.company.get())
        .bind(state.product.slug())
        .bind(sealed)
        .bind(now())
        .bind(state.expires_at)
        .bind(state.link.map(ConsentLinkId::get))
        .execute(db)
        .await.map(|done| done.rows_affected()))?;
        audit::record(&mut tx, entry).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Takes the request with this state hash: deleted in the same statement, so a state can be
    /// used once, whatever happens next.
    pub async fn take_state(&self, state_hash: &[u8]) -> Result<Option<PendingState>, StoreError> {
        type Taken = (Vec<u8>, Option<i64>, Option<String>, i64, String, Vec<u8>, i64, Option<i64>);
        let row: Option<Taken> = on_pool!(self, db => sqlx::query_as(
            "DELETE FROM oauth_states WHERE state_hash = $1
                 RETURNING session_hash, embed_session_id, embed_mode, company_id, product, pkce_verifier, expires_at, consent_link_id",
        )
        .bind(state_hash)
        .fetch_optional(db)
        .await)?;
        let Some((binding, embed, mode, company, product_slug, sealed, expires_at, link)) = row else {
            return Ok(None);
        };
        let embed = match (embed, mode) {
            (Some(session), Some(mode)) => Some((
                EmbedSessionId::new(session),
                EmbedMode::parse(&mode).ok_or_else(|| unreadable("embed mode", &mode))?,
            )),
            _ => None,
        };
        let (company, product) = (CompanyId::new(company), product(&product_slug)?);
        let aad = pkce_aad(state_hash, company, product);
        let pkce_verifier = self.cipher.open(&sealed, &aad, PKCE_UNLABELLED_AAD).map_err(|source| {
            StoreError::Unsealable { row: format!("oauth_states.pkce_verifier (company {company}, {product})"), source }
        })?;
        let link = link.map(ConsentLinkId::new);
        Ok(Some(PendingState { binding, embed, link, company, product, pkce_verifier, expires_at }))
    }
}
