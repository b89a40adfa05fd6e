//! The breaker of each UPS application, on its budget's row (`provider_budgets`): an
//! application-wide answer (a rate limit, a refusal of the application) opens it and records an
//! incident for the application's operators in the same transaction, once; a probe answered as
//! UPS answers an application it accepts closes it, with the recovered incident.

use super::{
    budgets::{BudgetRow, SELECT},
    incidents::{record_incident, IncidentKind, IncidentTargets},
    Claim, Store, StoreError,
};
use crate::{
    clock::{now, now_millis},
    ups::AnswerClass,
};
use model::Product;
use rand::Rng;
use std::time::Duration;

/// An application's breaker, as the product pages and operators see it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Breaker {
    Closed,
    Open { class: AnswerClass, reason: String, since: i64 },
}

/// The wait before probe `n + 1` of an open breaker: UPS's `Retry-After` when it gave one, else a
/// second doubling to 5 s while UPS throttles (a throttle lifts by itself: finding out soon
/// matters more than a probe every few seconds) and to a minute while it refuses the application
/// (someone must fix its settings first); each ±20 % so instances and applications do not probe
/// in step.
fn probe_delay_ms(probes: i64, retry_after: Option<Duration>, class: AnswerClass) -> i64 {
    let cap = match class {
        AnswerClass::RateLimited => 5_000,
        _ => 60_000,
    };
    let base = match retry_after {
        Some(wait) => wait.as_millis() as i64,
        None => (1_000_i64 << probes.clamp(0, 6)).min(cap),
    };
    let jitter = rand::thread_rng().gen_range(-(base / 5)..=base / 5);
    (base + jitter).max(250)
}

impl Store {
    /// UPS answered `claim`'s refresh for the whole application (it throttles or refuses it):
    /// the lease is given back with nothing counted against the authorization (UPS did not act on
    /// the request), and the application's breaker opens — once, with an incident for the
    /// operators — or, for a probe, stays open until the next probe. Answers whether it opened.
    pub async fn application_pushed_back(
        &self,
        claim: &Claim,
        class: AnswerClass,
        reason: &str,
        retry_after: Option<Duration>,
        targets: &IncidentTargets,
    ) -> Result<bool, StoreError> {
        let now_ms = now_millis();
        self.shares.forget(claim.product());
        let mut tx = self.write_first().await?;
        on_tx!(tx, db => sqlx::query(
            "UPDATE authorizations SET refresh_lease_until = NULL,
                 refresh_started_at = CASE WHEN $1 THEN NULL ELSE refresh_started_at END
             WHERE id = $2",
        )
        .bind(claim.interrupted_refresh.is_none())
        .bind(claim.authorization.0)
        .execute(db)
        .await
        .map(|done| done.rows_affected()))?;
        let Some(row) = self.budgets_locked(&mut tx, Some(claim.product())).await?.pop() else {
            tx.commit().await?;
            return Ok(false);
        };
        let opened = !row.is_open();
        if opened {
            on_tx!(tx, db => sqlx::query(
                "UPDATE provider_budgets SET breaker = 'open', class = $1, reason = $2, opened_at = $3, probes = 0,
                     probe_at = $4, probe_until = NULL
                 WHERE product = $5",
            )
            .bind(class.as_str())
            .bind(reason)
            .bind(now_ms / 1000)
            .bind(now_ms + probe_delay_ms(0, retry_after, class))
            .bind(&row.product)
            .execute(db)
            .await
            .map(|done| done.rows_affected()))?;
            let incident = IncidentKind::Degraded { class, reason: reason.to_owned() };
            record_incident(&mut tx, claim.product(), incident, targets).await?;
        } else if claim.probe {
            // The probe was answered the same: the next one waits longer (or as UPS asked).
            on_tx!(tx, db => sqlx::query(
                "UPDATE provider_budgets SET class = $1, reason = $2, probes = probes + 1, probe_at = $3,
                     probe_until = NULL
                 WHERE product = $4",
            )
            .bind(class.as_str())
            .bind(reason)
            .bind(now_ms + probe_delay_ms(row.probes + 1, retry_after, class))
            .bind(&row.product)
            .execute(db)
            .await
            .map(|done| done.rows_affected()))?;
        } else if let Some(wait) = retry_after {
            // A refresh that left before the breaker opened: UPS's wait, if longer, holds.
            on_tx!(tx, db => sqlx::query(
                "UPDATE provider_budgets SET probe_at = $1 WHERE product = $2 AND (probe_at IS NULL OR probe_at < $1)",
            )
            .bind(now_ms + wait.as_millis() as i64)
            .bind(&row.product)
            .execute(db)
            .await
            .map(|done| done.rows_affected()))?;
        }
        tx.commit().await?;
        Ok(opened)
    }

    /// A probe found UPS unavailable (not refusing): the breaker stays open and the next probe
    /// waits longer. The authorization's own retry is `schedule_retry`'s.
    pub async fn probe_unanswered(&self, product: Product) -> Result<(), StoreError> {
        let mut tx = self.write_first().await?;
        let Some(row) = self.budgets_locked(&mut tx, Some(product)).await?.pop() else {
            tx.rollback().await?;
            return Ok(());
        };
        on_tx!(tx, db => sqlx::query(
            "UPDATE provider_budgets SET probes = probes + 1, probe_at = $1, probe_until = NULL WHERE product = $2",
        )
        .bind(now_millis() + probe_delay_ms(row.probes + 1, None, row.class()))
        .bind(&row.product)
        .execute(db)
        .await
        .map(|done| done.rows_affected()))?;
        tx.commit().await?;
        Ok(())
    }

    /// A probe was answered as UPS answers an application it accepts (a new pair, or a verdict on
    /// the refresh token): the breaker closes, with a recovered incident, and the allowance starts
    /// from empty so the backlog leaves at the budget's rate. Answers whether it closed.
    pub async fn application_answered(&self, product: Product, targets: &IncidentTargets) -> Result<bool, StoreError> {
        let now_ms = now_millis();
        let mut tx = self.write_first().await?;
        let open = self.budgets_locked(&mut tx, Some(product)).await?.pop().filter(BudgetRow::is_open);
        let Some(row) = open else {
            tx.rollback().await?;
            return Ok(false);
        };
        on_tx!(tx, db => sqlx::query(
            "UPDATE provider_budgets SET breaker = 'closed', class = NULL, reason = NULL, opened_at = NULL, probes = 0,
                 probe_at = NULL, probe_until = NULL, allowance = 0, refilled_at = $1
             WHERE product = $2",
        )
        .bind(now_ms)
        .bind(&row.product)
        .execute(db)
        .await
        .map(|done| done.rows_affected()))?;
        let since = row.opened_at.unwrap_or(now_ms / 1000);
        record_incident(&mut tx, product, IncidentKind::Recovered { class: row.class(), since }, targets).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// The breaker of `product`'s application.
    pub async fn breaker(&self, product: Product) -> Result<Breaker, StoreError> {
        let row: Option<BudgetRow> = on_pool!(self, db => sqlx::query_as(&format!("{SELECT} WHERE product = $1"))
            .bind(product.slug())
            .fetch_optional(db)
            .await)?;
        Ok(match row.filter(BudgetRow::is_open) {
            Some(row) => Breaker::Open {
                class: row.class(),
                reason: row.reason.clone().unwrap_or_default(),
                since: row.opened_at.unwrap_or_else(now),
            },
            None => Breaker::Closed,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::probe_delay_ms;
    use crate::ups::AnswerClass;
    use std::time::Duration;

    #[test]
    fn probes_back_off_to_their_class_cap_or_wait_as_ups_asked() {
        for _ in 0..100 {
            assert!((800..=1_200).contains(&probe_delay_ms(0, None, AnswerClass::RateLimited)));
            assert!((4_000..=6_000).contains(&probe_delay_ms(9, None, AnswerClass::RateLimited)));
            assert!((48_000..=72_000).contains(&probe_delay_ms(9, None, AnswerClass::ApplicationRefused)));
            let asked = probe_delay_ms(9, Some(Duration::from_secs(30)), AnswerClass::RateLimited);
            assert!((24_000..=36_000).contains(&asked), "{asked}");
        }
    }
}
