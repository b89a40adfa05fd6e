//! The `authorizations` table: one row per (company, product), whose status says where the
//! company's opt-in stands. Opting in, opting out or clearing each change it in one transaction
//! with the tokens and the audit entry.

use super::{audit, outbox, product, sealed, state, tokens, unreadable, Store, StoreError};
use crate::{
    audit::{Actor, Entry, Event},
    clock::now,
    events::EventKind,
    secret::fingerprint,
    ups::TokenGrant,
};
use model::{AuthorizationState, CompanyId, ConsentLinkId, GrantLoss, LostGrant, Product, Revocation};

/// An authorization as stored, with the name of who authorized it.
#[derive(Debug)]
pub struct AuthorizationRecord {
    pub state: AuthorizationState,
    /// Why UPS no longer accepts the grant (re-authorization required).
    pub lost: Option<LostGrant>,
    pub changed_at: i64,
    pub authorized_at: Option<i64>,
    /// Our user's display name, or the portal user as the portal named them.
    pub authorized_by: Option<String>,
}

#[derive(sqlx::FromRow)]
struct AuthorizationRow {
    status: String,
    reason: Option<String>,
    detail: Option<String>,
    interrupted_refresh_at: Option<i64>,
    changed_at: i64,
    authorized_at: Option<i64>,
    authorized_by: Option<String>,
}

impl AuthorizationRow {
    fn record(self) -> Result<AuthorizationRecord, StoreError> {
        let state = state(&self.status, self.reason.as_deref())?;
        let lost = match (state, self.reason) {
            (AuthorizationState::ReauthorizationRequired, Some(code)) => {
                let cause = GrantLoss::from_stored(&code, self.interrupted_refresh_at)
                    .ok_or_else(|| unreadable("grant loss", &code))?;
                Some(LostGrant { cause, provider_said: self.detail })
            }
            _ => None,
        };
        Ok(AuthorizationRecord {
            state,
            lost,
            changed_at: self.changed_at,
            authorized_at: self.authorized_at,
            authorized_by: self.authorized_by,
        })
    }
}

impl Store {
    /// Records that `authorization` is being checked with UPS now, unless it was within
    /// `every_secs`: whether it may be (one conditional statement, so two clicks or two
    /// instances check once).
    pub async fn mark_checked(
        &self,
        authorization: tokens::AuthorizationId,
        every_secs: i64,
    ) -> Result<bool, StoreError> {
        let now = now();
        let mut tx = self.write().await?;
        let marked = on_tx!(tx, db => sqlx::query(
            "UPDATE authorizations SET checked_at = $1 WHERE id = $2 AND (checked_at IS NULL OR checked_at <= $1 - $3)",
        )
        .bind(now)
        .bind(authorization.0)
        .bind(every_secs)
        .execute(db)
        .await
        .map(|done| done.rows_affected()))?;
        tx.commit().await?;
        Ok(marked == 1)
    }

    pub async fn authorization(
        &self,
        company: CompanyId,
        product: Product,
    ) -> Result<Option<AuthorizationRecord>, StoreError> {
        let row: Option<AuthorizationRow> = on_pool!(self, db => sqlx::query_as(
            "SELECT a.status, a.status_reason AS reason, a.status_detail AS detail, a.interrupted_refresh_at,
                    a.status_changed_at AS changed_at, a.authorized_at, COALESCE(u.display_name, a.authorized_via) AS authorized_by
             FROM authorizations a LEFT JOIN users u ON u.id = a.authorized_by
             WHERE a.company_id = $1 AND a.product = $2",
        )
        .bind(company.get())
        .bind(product.slug())
        .fetch_optional(db)
        .await)?;
        row.map(AuthorizationRow::record).transpose()
    }

    /// Stores a fresh grant as the authorization's one active token pair, in one transaction:
    /// the authorization is (again) authorized, any earlier token is retired, and the audit log
    /// says who did it.
    pub async fn store_grant(
        &self,
        actor: &Actor,
        company: CompanyId,
        product: Product,
        grant: &TokenGrant,
        link: Option<ConsentLinkId>,
    ) -> Result<(), StoreError> {
        let schedule = tokens::Schedule::of(grant);
        let mut tx = self.write().await?;
        if let Some(link) = link {
            if let Err(error) = super::consent_links::spend(&mut tx, link).await {
                tx.rollback().await?;
                return Err(error);
            }
        }
        let authorization: i64 = on_tx!(tx, db => sqlx::query_scalar(
            "INSERT INTO authorizations (company_id, product, status, status_reason, status_changed_at, authorized_by, authorized_via, authorized_at, refresh_at)
             VALUES ($1, $2, 'authorized', NULL, $3, $4, $5, $6, $7)
             ON CONFLICT (company_id, product) DO UPDATE SET status = 'authorized', status_reason = NULL,
                 status_detail = NULL, interrupted_refresh_at = NULL,
                 status_changed_at = excluded.status_changed_at, authorized_by = excluded.authorized_by,
                 authorized_via = excluded.authorized_via, authorized_at = excluded.authorized_at,
                 refresh_at = excluded.refresh_at, refresh_failures = 0, retry_at = NULL, refresh_started_at = NULL,
                 refresh_lease_until = NULL, degraded_at = NULL
             RETURNING id",
        )
        .bind(company.get())
        .bind(product.slug())
        .bind(now())
        .bind(actor.user().map(|user| user.get()))
        .bind(actor.label())
        .bind(now())
        .bind(schedule.refresh_at)
        .fetch_one(db)
        .await)?;
        tokens::retire_active(&mut tx, authorization, None, tokens::Retired::Replaced).await?;
        let owner = sealed::TokenOwner { authorization, company, product };
        tokens::insert(&mut tx, &self.cipher, owner, grant, schedule).await?;
        let event = Event::Authorized { token: fingerprint(grant.access_token.expose()) };
        audit::record(&mut tx, Entry::by(actor, company, product, event)).await?;
        outbox::record_event(&mut tx, EventKind::Authorized, company, product, None).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Ends the authorization at once: tokens wiped, status opted out or cleared, in one
    /// transaction. An authorization already ended stays as it is.
    pub async fn revoke(
        &self,
        actor: &Actor,
        company: CompanyId,
        product: Product,
        revocation: Revocation,
    ) -> Result<(), StoreError> {
        let reason = AuthorizationState::revoked(revocation).as_str();
        let mut tx = self.write().await?;
        let revoked: Option<i64> = on_tx!(tx, db => sqlx::query_scalar(
            "UPDATE authorizations SET status = 'revoked', status_reason = $1, status_detail = NULL,
                 interrupted_refresh_at = NULL, status_changed_at = $2, degraded_at = NULL, refresh_at = NULL
             WHERE company_id = $3 AND product = $4 AND status != 'revoked' RETURNING id",
        )
        .bind(reason)
        .bind(now())
        .bind(company.get())
        .bind(product.slug())
        .fetch_optional(db)
        .await)?;
        if let Some(authorization) = revoked {
            let tokens_deleted = tokens::retire_active(&mut tx, authorization, None, tokens::Retired::Cleared).await?;
            let (event, kind) = match revocation {
                Revocation::OptOut => (Event::OptedOut { tokens_deleted }, EventKind::OptedOut),
                Revocation::Clear => (Event::Cleared { tokens_deleted }, EventKind::Cleared),
            };
            audit::record(&mut tx, Entry::by(actor, company, product, event)).await?;
            outbox::record_event(&mut tx, kind, company, product, None).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// How many authorizations there are in each state, for every product.
    pub async fn authorization_counts(&self) -> Result<Vec<(Product, AuthorizationState, i64)>, StoreError> {
        // An ended authorization's reason says which state it is in; a dead grant's, why it died.
        let rows: Vec<(String, String, Option<String>, i64)> = on_pool!(self, db => sqlx::query_as(
            "SELECT product, status, ended, COUNT(*) FROM
                 (SELECT product, status, CASE WHEN status = 'revoked' THEN status_reason END AS ended FROM authorizations) a
             GROUP BY product, status, ended ORDER BY product, status, ended",
        )
        .fetch_all(db)
        .await)?;
        rows.into_iter()
            .map(|(slug, status, ended, count)| Ok((product(&slug)?, state(&status, ended.as_deref())?, count)))
            .collect()
    }
}
