//! Storing UPS's answers to refreshes together. Each answer is the only copy of a rotated pair
//! until it commits, and under many refreshes at once the cost of a refresh is mostly its round
//! trips to the database. So the answers that arrive while one transaction commits are stored by
//! the next one, all at once: a handful of statements for the lot (multi-row inserts), instead of
//! six for each. A lone answer is stored at once; only while answers keep coming (the last
//! transaction stored several) does the next one wait a moment (`LINGER`) for more.
//!
//! One task per store does it ([`settle_answers`]); a refresh hands it its answer and waits for
//! the outcome. Should the rows of some answer have changed meanwhile (an opt-out, a new opt-in),
//! the shared transaction is rolled back and each answer is stored on its own, so each gets its
//! own outcome.

use super::{
    audit, outbox,
    sealed::TokenOwner,
    tokens::{insert_all, Retired, Schedule},
    Store, StoreError,
};
use crate::{
    audit::{Entry, Event},
    events::EventKind,
    secret::fingerprint,
    ups::TokenGrant,
};
use std::collections::BTreeSet;
use tokio::sync::{mpsc, oneshot};

/// A refresh's answer, once stored.
pub enum Refreshed {
    /// Stored as the active token; it expires then.
    Stored { expires_at: i64 },
    /// The authorization changed while UPS was asked (opt-out, new opt-in): nothing was stored.
    Superseded,
}

/// At most this many answers in one transaction.
const MOST_AT_ONCE: usize = 64;

/// While answers keep coming, how long the next transaction waits for more: a few milliseconds
/// of a refresh's time for a fraction of its round trips to the database.
const LINGER: std::time::Duration = std::time::Duration::from_millis(3);

/// What storing an answer needs of its claim.
#[derive(Clone, Copy)]
pub(super) struct Settling {
    pub owner: TokenOwner,
    /// The active token the refresh was claimed for.
    pub token: i64,
    /// A degraded incident is open: storing the answer ends it.
    pub degraded: bool,
}

/// An answer handed to the task, and where its outcome goes.
pub(super) struct Answer {
    settling: Settling,
    grant: TokenGrant,
    outcome: oneshot::Sender<Result<Refreshed, StoreError>>,
}

/// The store's way to the task: `None` in the task's own store.
pub(super) type Answers = Option<mpsc::UnboundedSender<Answer>>;

/// Starts the task for `store` (a store without a task of its own, so the task ends when the
/// last handle on the store is dropped); answers the sender the store hands answers to.
pub(super) fn spawn(store: Store) -> mpsc::UnboundedSender<Answer> {
    let (sender, receiver) = mpsc::unbounded_channel();
    tokio::spawn(settle_answers(store, receiver));
    sender
}

/// Stores what arrives, all that is waiting at once.
async fn settle_answers(store: Store, mut answers: mpsc::UnboundedReceiver<Answer>) {
    let mut batch = Vec::with_capacity(MOST_AT_ONCE);
    let mut busy = false;
    while answers.recv_many(&mut batch, MOST_AT_ONCE).await > 0 {
        if busy || batch.len() > 1 {
            let lingering = tokio::time::sleep(LINGER);
            tokio::pin!(lingering);
            while batch.len() < MOST_AT_ONCE {
                let room = MOST_AT_ONCE - batch.len();
                tokio::select! {
                    () = &mut lingering => break,
                    more = answers.recv_many(&mut batch, room) => if more == 0 { break },
                }
            }
        }
        busy = batch.len() > 1;
        let outcomes = match store.settle_together(&batch).await {
            Ok(Some(outcomes)) => outcomes.into_iter().map(Ok).collect(),
            Ok(None) => {
                let mut outcomes = Vec::with_capacity(batch.len());
                for answer in &batch {
                    outcomes.push(store.settle_alone(answer.settling, &answer.grant).await);
                }
                outcomes
            }
            Err(error) => {
                tracing::error!(%error, answers = batch.len(), "cannot store refreshed tokens");
                batch.iter().map(|_| Err(StoreError::Settling(error.to_string()))).collect()
            }
        };
        for (answer, outcome) in batch.drain(..).zip(outcomes) {
            let _ = answer.outcome.send(outcome);
        }
    }
}

impl Store {
    /// Stores one answer (see [`Store::store_refreshed`]): handed to the task, or on its own
    /// without one.
    pub(super) async fn settle_answer(&self, settling: Settling, grant: TokenGrant) -> Result<Refreshed, StoreError> {
        let Some(answers) = &self.answers else { return self.settle_alone(settling, &grant).await };
        let (outcome, receiver) = oneshot::channel();
        if let Err(unsent) = answers.send(Answer { settling, grant, outcome }) {
            let Answer { settling, grant, .. } = unsent.0;
            return self.settle_alone(settling, &grant).await;
        }
        receiver.await.unwrap_or_else(|_| Err(StoreError::Settling("the task storing them stopped".into())))
    }

    /// One answer in a transaction of its own.
    async fn settle_alone(&self, settling: Settling, grant: &TokenGrant) -> Result<Refreshed, StoreError> {
        Ok(match self.settle(&[(settling, grant)], true).await? {
            Some(mut outcomes) => outcomes.pop().unwrap_or(Refreshed::Superseded),
            None => Refreshed::Superseded,
        })
    }

    /// The answers in one transaction; `None` when some row changed meanwhile (then nothing was
    /// stored, and each must be stored alone).
    async fn settle_together(&self, batch: &[Answer]) -> Result<Option<Vec<Refreshed>>, StoreError> {
        let answers: Vec<(Settling, &TokenGrant)> =
            batch.iter().map(|answer| (answer.settling, &answer.grant)).collect();
        self.settle(&answers, batch.len() == 1).await
    }

    /// Stores `answers`: the authorizations' rows first (locked in that order by every
    /// transition), then their tokens, the new pairs and the Activity entries, each one statement
    /// for all. `alone`: a single answer, whose rows having changed is its outcome (superseded)
    /// rather than a reason to try again alone.
    async fn settle(
        &self,
        answers: &[(Settling, &TokenGrant)],
        alone: bool,
    ) -> Result<Option<Vec<Refreshed>>, StoreError> {
        let schedules: Vec<Schedule> = answers.iter().map(|(_, grant)| Schedule::of(grant)).collect();
        let mut tx = self.write_first().await?;
        let still_ours: Vec<i64> = on_tx!(tx, db => {
            let mut update = sqlx::QueryBuilder::new(
                "UPDATE authorizations SET refresh_at = answer.column2, refresh_failures = 0, retry_at = NULL,
                     refresh_started_at = NULL, refresh_lease_until = NULL, degraded_at = NULL
                 FROM (",
            );
            update.push_values(answers.iter().zip(&schedules), |mut values, ((settling, _), schedule)| {
                values.push_bind(settling.owner.authorization).push_bind(schedule.refresh_at).push_bind(settling.token);
            });
            update.push(
                ") AS answer WHERE authorizations.id = answer.column1 AND authorizations.status = 'authorized'
                     AND EXISTS (SELECT 1 FROM oauth_tokens t WHERE t.id = answer.column3 AND t.status = 'active')
                 RETURNING authorizations.id",
            );
            update.build_query_scalar().fetch_all(db).await
        })?;
        let retired: Vec<i64> = if still_ours.is_empty() {
            Vec::new()
        } else {
            on_tx!(tx, db => {
                let mut retire = sqlx::QueryBuilder::new("UPDATE oauth_tokens SET status = ");
                retire.push_bind(Retired::Refreshed.status());
                // By authorization too: the lookup then takes the index of active tokens by
                // authorization, rather than filtering every active token by id.
                retire.push(", access_token = NULL, refresh_token = NULL WHERE status = 'active' AND authorization_id IN (");
                let mut ids = retire.separated(", ");
                for authorization in &still_ours {
                    ids.push_bind(*authorization);
                }
                retire.push(") AND id IN (");
                let mut ids = retire.separated(", ");
                for (settling, _) in answers.iter().filter(|(settling, _)| still_ours.contains(&settling.owner.authorization)) {
                    ids.push_bind(settling.token);
                }
                retire.push(") RETURNING authorization_id");
                retire.build_query_scalar().fetch_all(db).await
            })?
        };
        let ours: BTreeSet<i64> = retired.into_iter().collect();
        if ours.len() != still_ours.len() || (!alone && ours.len() != answers.len()) {
            tx.rollback().await?;
            return Ok(if alone { Some(vec![Refreshed::Superseded]) } else { None });
        }
        if ours.is_empty() {
            tx.rollback().await?;
            return Ok(Some(vec![Refreshed::Superseded]));
        }
        let tokens: Vec<(TokenOwner, &TokenGrant, Schedule)> = answers
            .iter()
            .zip(&schedules)
            .map(|((settling, grant), schedule)| (settling.owner, *grant, *schedule))
            .collect();
        insert_all(&mut tx, &self.cipher, &tokens).await?;
        let entries = answers
            .iter()
            .map(|(settling, grant)| {
                let event = Event::Refreshed { token: fingerprint(grant.access_token.expose()) };
                Entry::service(settling.owner.company, settling.owner.product, event)
            })
            .collect();
        audit::record_all(&mut tx, entries).await?;
        for (settling, _) in answers.iter().filter(|(settling, _)| settling.degraded) {
            let (company, product) = (settling.owner.company, settling.owner.product);
            outbox::record_event(&mut tx, EventKind::RefreshRecovered, company, product, None).await?;
        }
        tx.commit().await?;
        Ok(Some(schedules.iter().map(|schedule| Refreshed::Stored { expires_at: schedule.expires_at }).collect()))
    }
}
