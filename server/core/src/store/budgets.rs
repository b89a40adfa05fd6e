//! One budget per UPS application (a product of this deployment), shared by every instance
//! through its row in `provider_budgets`: the refresh rate UPS may see from us (a token bucket)
//! and the breaker that stops refreshes while UPS throttles or refuses the application. Claims
//! for refreshes take from it in their own transaction, the row locked first, so two instances
//! never spend the same allowance; an application-wide answer opens the breaker, and an
//! incident for the application's operators is recorded in the same transaction, once.

use super::{
    incidents::{record_incident, IncidentKind, IncidentTargets},
    product,
    refreshes::{claim_rows, Pick},
    Claim, Current, Store, StoreError, WriteTx,
};
use crate::{
    clock::{now, now_millis},
    ups::AnswerClass,
};
use model::Product;
use rand::Rng;
use std::time::Duration;

/// How fast refreshes may leave for one application, whichever instance sends them.
#[derive(Clone, Copy, Debug)]
pub struct Budget {
    /// Refreshes per second, on average.
    pub per_second: f64,
    /// At most this many at once after a quiet moment.
    pub burst: f64,
}

impl Budget {
    pub fn per_second(per_second: f64) -> Self {
        let per_second = per_second.max(0.01);
        Self { per_second, burst: per_second.max(1.0) }
    }
}

/// Why a refresh may not leave now, and for how long at least.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Held {
    /// `RateLimited` (UPS throttles, or our own budget is spent) or `ApplicationRefused`.
    pub class: AnswerClass,
    pub retry_after: Duration,
}

/// An application's breaker, as the product pages and operators see it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Breaker {
    Closed,
    Open { class: AnswerClass, reason: String, since: i64 },
}

#[derive(sqlx::FromRow)]
struct BudgetRow {
    product: String,
    allowance: f64,
    refilled_at: i64,
    breaker: String,
    class: Option<String>,
    reason: Option<String>,
    opened_at: Option<i64>,
    probe_at: Option<i64>,
    probe_until: Option<i64>,
    probes: i64,
}

impl BudgetRow {
    /// The allowance now, refilled at the budget's rate since it was last spent.
    fn allowance(&self, now_ms: i64, budget: &Budget) -> f64 {
        let refilled = (now_ms - self.refilled_at).max(0) as f64 * budget.per_second / 1000.0;
        (self.allowance + refilled).min(budget.burst)
    }

    fn is_open(&self) -> bool {
        self.breaker == "open"
    }

    fn class(&self) -> AnswerClass {
        self.class.as_deref().and_then(AnswerClass::parse).unwrap_or(AnswerClass::RateLimited)
    }

    /// While open: whether a probe may start now (its time has come, none is under way).
    fn probe_due(&self, now_ms: i64) -> bool {
        self.probe_at.is_none_or(|at| at <= now_ms) && self.probe_until.is_none_or(|until| until <= now_ms)
    }

    /// Why nothing may leave now, if so, and until when at least.
    fn held(&self, now_ms: i64, budget: &Budget) -> Option<Held> {
        let wait = |until_ms: i64| Duration::from_millis((until_ms - now_ms).max(1) as u64);
        if self.is_open() {
            let until = self.probe_at.unwrap_or(now_ms).max(self.probe_until.unwrap_or(now_ms));
            return Some(Held { class: self.class(), retry_after: wait(until).max(Duration::from_secs(1)) });
        }
        let allowance = self.allowance(now_ms, budget);
        (allowance < 1.0).then(|| Held {
            class: AnswerClass::RateLimited,
            retry_after: wait(now_ms + ((1.0 - allowance) * 1000.0 / budget.per_second).ceil() as i64),
        })
    }
}

const SELECT: &str = "SELECT product, allowance, refilled_at, breaker, class, reason, opened_at, probe_at, probe_until,
        probes FROM provider_budgets";

/// The wait before probe `n + 1` of an open breaker: UPS's `Retry-After` when it gave one, else
/// a second doubling to 16, each ±20 % so instances and applications do not probe in step.
fn probe_delay_ms(probes: i64, retry_after: Option<Duration>) -> i64 {
    let base = match retry_after {
        Some(wait) => wait.as_millis() as i64,
        None => 1_000_i64 << probes.clamp(0, 4),
    };
    let jitter = rand::thread_rng().gen_range(-(base / 5)..=base / 5);
    (base + jitter).max(250)
}

impl Store {
    /// Every budget row, locked for this transaction on PostgreSQL (SQLite's write transaction
    /// holds the whole database already).
    async fn budgets_locked(&self, tx: &mut WriteTx, product: Option<Product>) -> Result<Vec<BudgetRow>, StoreError> {
        let lock = if self.is_postgres() { " FOR UPDATE" } else { "" };
        let sql = format!("{SELECT} WHERE ($1 IS NULL OR product = $1) ORDER BY product{lock}");
        Ok(on_tx!(tx, db => sqlx::query_as(&sql).bind(product.map(Product::slug)).fetch_all(db).await)?)
    }

    async fn spend(
        &self,
        tx: &mut WriteTx,
        row: &BudgetRow,
        allowance: f64,
        now_ms: i64,
        probe_until: Option<i64>,
    ) -> Result<(), StoreError> {
        on_tx!(tx, db => sqlx::query(
            "UPDATE provider_budgets SET allowance = $1, refilled_at = $2, probe_until = COALESCE($3, probe_until)
             WHERE product = $4",
        )
        .bind(allowance)
        .bind(now_ms)
        .bind(probe_until)
        .bind(&row.product)
        .execute(db)
        .await
        .map(|done| done.rows_affected()))?;
        Ok(())
    }

    /// Claims up to `limit` authorizations that are due for a refresh (soonest first, in one
    /// statement per application) for `lease_secs`, within each application's budget: as many as
    /// its allowance holds while its breaker is closed, one probe at a time while it is open.
    /// No other task or instance refreshes them meanwhile. Also answers which breakers are open.
    pub async fn claim_due(
        &self,
        limit: u32,
        lease_secs: i64,
        budget: &Budget,
    ) -> Result<(Vec<Claim>, Vec<Product>), StoreError> {
        let now_ms = now_millis();
        let mut tx = self.write().await?;
        let rows = self.budgets_locked(&mut tx, None).await?;
        let mut claims = Vec::new();
        let mut open = Vec::new();
        let mut room = i64::from(limit);
        for row in &rows {
            if row.is_open() {
                open.push(product(&row.product)?);
            }
            let allowance = row.allowance(now_ms, budget);
            let (wanted, probe) = match row.is_open() {
                false => ((allowance.floor() as i64).min(room), false),
                true if row.probe_due(now_ms) && allowance >= 1.0 && room > 0 => (1, true),
                true => (0, false),
            };
            if wanted <= 0 {
                continue;
            }
            let pick = Pick::Due { limit: wanted, product: product(&row.product)? };
            let mut claimed = claim_rows(self, &mut tx, pick, lease_secs, now_ms / 1000).await?;
            if claimed.is_empty() {
                continue;
            }
            room -= claimed.len() as i64;
            let probe_until = probe.then(|| now_ms + lease_secs * 1000);
            self.spend(&mut tx, row, allowance - claimed.len() as f64, now_ms, probe_until).await?;
            for claim in &mut claimed {
                claim.probe = probe;
            }
            claims.append(&mut claimed);
        }
        match claims.is_empty() {
            true => tx.rollback().await?,
            false => tx.commit().await?,
        }
        Ok((claims, open))
    }

    /// Claims `current`'s authorization for `lease_secs`, only while its token is still the
    /// active one and nobody holds the lease, and within its application's budget: `Ok(None)`
    /// when the authorization has changed (a refresh under way or finished elsewhere, an
    /// opt-out, …), `Err(held)` when the budget lets no refresh leave now.
    pub async fn claim(
        &self,
        current: &Current,
        lease_secs: i64,
        budget: &Budget,
    ) -> Result<Result<Option<Claim>, Held>, StoreError> {
        let Some(token) = current.token else { return Ok(Ok(None)) };
        let pick = Pick::One { authorization: current.authorization.0, token };
        self.claim_one_within(pick, lease_secs, budget, current.product()).await
    }

    /// Claims one authorization for a caller that needs its token refreshed (see
    /// [`Store::claim`]), within its application's budget: `Err(held)` while the breaker is
    /// open or the allowance is spent.
    async fn claim_one_within(
        &self,
        pick: Pick,
        lease_secs: i64,
        budget: &Budget,
        product: Product,
    ) -> Result<Result<Option<Claim>, Held>, StoreError> {
        let now_ms = now_millis();
        let mut tx = self.write().await?;
        let row = self.budgets_locked(&mut tx, Some(product)).await?.pop();
        if let Some(held) = row.as_ref().and_then(|row| row.held(now_ms, budget)) {
            tx.rollback().await?;
            return Ok(Err(held));
        }
        let claimed = claim_rows(self, &mut tx, pick, lease_secs, now_ms / 1000).await?.pop();
        match (&claimed, &row) {
            (Some(_), Some(row)) => {
                self.spend(&mut tx, row, row.allowance(now_ms, budget) - 1.0, now_ms, None).await?;
                tx.commit().await?;
            }
            (Some(_), None) => tx.commit().await?,
            (None, _) => tx.rollback().await?,
        }
        Ok(Ok(claimed))
    }

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
            .bind(now_ms + probe_delay_ms(0, retry_after))
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
            .bind(now_ms + probe_delay_ms(row.probes + 1, retry_after))
            .bind(&row.product)
            .execute(db)
            .await
            .map(|done| done.rows_affected()))?;
        } else if let Some(wait) = retry_after {
            // A refresh that left before the breaker opened: UPS's wait, if longer, holds.
            on_tx!(tx, db => sqlx::query("UPDATE provider_budgets SET probe_at = MAX_OF(COALESCE(probe_at, 0), $1) WHERE product = $2"
                .replace("MAX_OF", if self.is_postgres() { "GREATEST" } else { "MAX" }).as_str())
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
        .bind(now_millis() + probe_delay_ms(row.probes + 1, None))
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
