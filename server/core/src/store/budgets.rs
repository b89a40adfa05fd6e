//! One budget per UPS application (a product of this deployment), shared by every instance
//! through its row in `provider_budgets`: the refresh rate UPS may see from us (a token bucket)
//! and whether its breaker lets refreshes leave (see `breakers`). Claims for refreshes take from
//! it in their own transaction, the row locked first, so two instances never spend the same
//! allowance, and while the breaker is open only one probe at a time is claimed.

use super::{
    product,
    refreshes::{claim_rows, Pick},
    Claim, Current, Store, StoreError, WriteTx,
};
use crate::{clock::now_millis, ups::AnswerClass};
use model::Product;
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

/// While a probe is under way, how often the worker looks whether it closed the breaker.
const PROBE_WATCH_MS: i64 = 200;

/// How long a share of an application's allowance, taken ahead by a claim, may be spent from
/// memory by this process's next claims.
const SHARE_MS: i64 = 100;

/// This process's shares of the applications' allowances (see [`Store::claim_due`]).
#[derive(Debug, Default)]
pub(super) struct Shares(std::sync::Mutex<std::collections::HashMap<Product, Share>>);

/// One application's share, until a moment (Unix milliseconds).
#[derive(Clone, Copy, Debug)]
enum Share {
    /// Refreshes taken ahead from the budget, left to spend.
    Left { refreshes: i64, until: i64 },
    /// Nothing more was due a moment ago: the next claims need not read the budget for it.
    Quiet { until: i64 },
}

impl Share {
    fn until(self) -> i64 {
        match self {
            Self::Left { until, .. } | Self::Quiet { until } => until,
        }
    }
}

impl Shares {
    fn lock(&self) -> std::sync::MutexGuard<'_, std::collections::HashMap<Product, Share>> {
        self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// `None` when `product` has no live share (the budget rows decide); else up to `room`
    /// refreshes taken from it (none while it is quiet). A share spent to the last is gone.
    fn take(&self, product: Product, room: i64, now_ms: i64) -> Option<i64> {
        let mut shares = self.lock();
        let share = *shares.get(&product).filter(|share| share.until() > now_ms)?;
        let Share::Left { refreshes, until } = share else { return Some(0) };
        let granted = refreshes.min(room).max(0);
        match refreshes - granted {
            0 => shares.remove(&product),
            left => shares.insert(product, Share::Left { refreshes: left, until }),
        };
        Some(granted)
    }

    /// Refreshes taken with `take` that nothing was due for.
    fn give_back(&self, product: Product, unused: i64, until: i64) {
        if unused <= 0 {
            return;
        }
        let mut shares = self.lock();
        // A share keeps its own end; one spent to the last (gone) comes back with `until`.
        let (refreshes, until) = match shares.get(&product) {
            Some(Share::Left { refreshes, until }) => (refreshes + unused, *until),
            _ => (unused, until),
        };
        shares.insert(product, Share::Left { refreshes, until });
    }

    fn live(&self, product: Product, now_ms: i64) -> bool {
        self.lock().get(&product).is_some_and(|share| share.until() > now_ms)
    }

    fn keep(&self, product: Product, share: Share) {
        self.lock().insert(product, share);
    }

    /// UPS pushes back on `product`'s application: nothing more leaves from memory.
    pub(super) fn forget(&self, product: Product) {
        self.lock().remove(&product);
    }
}

/// What a worker's claim took, and what it should know until its next one.
pub struct ClaimedDue {
    pub claims: Vec<Claim>,
    /// The applications whose breaker is open, when the claim read the budgets.
    pub open: Option<Vec<Product>>,
    /// When what the budgets held back (an allowance spent, a probe not yet due) may be claimed:
    /// the worker looks again then rather than after its whole interval.
    pub wake_in: Option<Duration>,
}

/// Why a refresh may not leave now, and for how long at least.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Held {
    /// `RateLimited` (UPS throttles, or our own budget is spent) or `ApplicationRefused`.
    pub class: AnswerClass,
    pub retry_after: Duration,
}

#[derive(sqlx::FromRow)]
pub(super) struct BudgetRow {
    pub(super) product: String,
    pub(super) allowance: f64,
    pub(super) refilled_at: i64,
    pub(super) breaker: String,
    pub(super) class: Option<String>,
    pub(super) reason: Option<String>,
    pub(super) opened_at: Option<i64>,
    pub(super) probe_at: Option<i64>,
    pub(super) probe_until: Option<i64>,
    pub(super) probes: i64,
}

impl BudgetRow {
    /// The allowance now, refilled at the budget's rate since it was last spent.
    fn allowance(&self, now_ms: i64, budget: &Budget) -> f64 {
        let refilled = (now_ms - self.refilled_at).max(0) as f64 * budget.per_second / 1000.0;
        (self.allowance + refilled).min(budget.burst)
    }

    pub(super) fn is_open(&self) -> bool {
        self.breaker == "open"
    }

    pub(super) fn class(&self) -> AnswerClass {
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

pub(super) const SELECT: &str =
    "SELECT product, allowance, refilled_at, breaker, class, reason, opened_at, probe_at, probe_until,
        probes FROM provider_budgets";

impl Store {
    /// Every budget row, locked for this transaction on PostgreSQL (SQLite's write transaction
    /// holds the whole database already).
    pub(super) async fn budgets_locked(
        &self,
        tx: &mut WriteTx,
        product: Option<Product>,
    ) -> Result<Vec<BudgetRow>, StoreError> {
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
    /// No other task or instance refreshes them meanwhile.
    ///
    /// While refreshes keep leaving, the budget rows are not read for every claim: a claim that
    /// finds more due than it may take takes a share of the allowance ahead (`SHARE_MS` of the
    /// rate), which the next claims of this process spend from memory. What a share holds was
    /// taken from the row like any other refresh, so the instances together still stay within
    /// the budget; a share unspent when it runs out is dropped.
    pub async fn claim_due(&self, limit: u32, lease_secs: i64, budget: &Budget) -> Result<ClaimedDue, StoreError> {
        let now_ms = now_millis();
        let mut tx = self.write().await?;
        let mut claims = Vec::new();
        let mut room = i64::from(limit);
        // First what this process's shares allow, without the budget rows.
        let mut spent_out = false;
        for product in Product::ALL {
            let until = now_ms + SHARE_MS;
            let Some(granted) = self.shares.take(product, room, now_ms) else {
                spent_out = true;
                continue;
            };
            if granted == 0 {
                continue;
            }
            let pick = Pick::Due { limit: granted, product };
            let claimed = claim_rows(self, &mut tx, pick, lease_secs, now_ms / 1000).await?;
            self.shares.give_back(product, granted - claimed.len() as i64, until);
            spent_out |= claimed.len() as i64 == granted;
            room -= claimed.len() as i64;
            claims.extend(claimed);
        }
        let (mut open, mut wake_in_ms) = (None, None);
        if spent_out && room > 0 {
            let rows = self.budgets_locked(&mut tx, None).await?;
            let mut wake_in = |ms: i64| wake_in_ms = Some(wake_in_ms.map_or(ms, |known: i64| known.min(ms)).max(1));
            let mut breakers_open = Vec::new();
            for row in &rows {
                let product = product(&row.product)?;
                if row.is_open() {
                    breakers_open.push(product);
                    self.shares.forget(product);
                }
                if room <= 0 || self.shares.live(product, now_ms) {
                    continue;
                }
                let allowance = row.allowance(now_ms, budget);
                // Up to the room, or a share's worth beyond it for the claims to come.
                let share = (budget.per_second * SHARE_MS as f64 / 1000.0).floor() as i64;
                let (wanted, probe) = match row.is_open() {
                    false => ((allowance.floor() as i64).min(room), false),
                    true if row.probe_due(now_ms) && allowance >= 1.0 => {
                        // Should the probe close the breaker, the backlog goes at once.
                        wake_in(PROBE_WATCH_MS);
                        (1, true)
                    }
                    true => {
                        // While a probe is under way, soon (it may close the breaker); else at
                        // the next probe's time, once the allowance holds one.
                        let under_way = row.probe_until.is_some_and(|until| until > now_ms);
                        let refill_ms = ((1.0 - allowance.fract()) * 1000.0 / budget.per_second).ceil() as i64;
                        wake_in(match under_way {
                            true => PROBE_WATCH_MS,
                            false => (row.probe_at.unwrap_or(now_ms) - now_ms).max(refill_ms),
                        });
                        (0, false)
                    }
                };
                // What the allowance holds back comes due as it refills.
                let refill_ms = ((1.0 - allowance.fract()) * 1000.0 / budget.per_second).ceil() as i64;
                if wanted <= 0 {
                    if !row.is_open() {
                        wake_in(refill_ms);
                    }
                    continue;
                }
                let pick = Pick::Due { limit: wanted, product };
                let mut claimed = claim_rows(self, &mut tx, pick, lease_secs, now_ms / 1000).await?;
                let taken = claimed.len() as i64;
                let mut ahead = 0;
                if !row.is_open() && taken == wanted {
                    // Perhaps more due than this claim could take: a share for the next ones.
                    ahead = ((allowance.floor() as i64) - taken).clamp(0, share);
                    if ahead > 0 {
                        self.shares.keep(product, Share::Left { refreshes: ahead, until: now_ms + SHARE_MS });
                    }
                    if taken < room {
                        wake_in(refill_ms);
                    }
                } else if !row.is_open() {
                    // Nothing more due: the next claims need not look for a moment.
                    self.shares.keep(product, Share::Quiet { until: now_ms + SHARE_MS });
                }
                if taken == 0 && ahead == 0 {
                    continue;
                }
                room -= taken;
                let probe_until = probe.then(|| now_ms + lease_secs * 1000);
                self.spend(&mut tx, row, allowance - (taken + ahead) as f64, now_ms, probe_until).await?;
                for claim in &mut claimed {
                    claim.probe = probe;
                }
                claims.append(&mut claimed);
            }
            open = Some(breakers_open);
        }
        match claims.is_empty() {
            true => tx.rollback().await?,
            false => tx.commit().await?,
        }
        let wake_in = wake_in_ms.map(|ms| Duration::from_millis(ms as u64));
        Ok(ClaimedDue { claims, open, wake_in })
    }

    /// Claims `current`'s authorization for `lease_secs`, only while its token is still the
    /// active one and nobody holds the lease, and within its application's budget: `Ok(None)`
    /// when the authorization has changed (a refresh under way or finished elsewhere, an
    /// opt-out, …), `Err(held)` when the budget lets no refresh leave now.
    #[tracing::instrument(name = "store.claim", skip_all, fields(db.system.name = self.system()))]
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
}
