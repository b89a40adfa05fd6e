//! Delivering the outbox: claim what is due, attempt each delivery on its own (a slow or dead
//! endpoint delays no other one, and never a token call), and record the outcome. At least once:
//! a failure is retried with exponential backoff and jitter for about a day, then given up and
//! shown in the company's Activity; the event id is the receiver's idempotency key.

use crate::{
    clock::now,
    email::Mailer,
    error::CoreError,
    store::{DueDelivery, Target},
    webhooks::signed_headers,
    Core,
};
use rand::Rng;
use std::{sync::Arc, time::Duration};
use tokio::sync::Semaphore;

/// How deliveries are sent and retried.
pub struct Senders {
    pub(crate) http: reqwest::Client,
    pub(crate) mailer: Option<Mailer>,
    /// The first retry's delay; each next one doubles, up to an hour.
    pub(crate) retry_base: Duration,
    /// After this long since the event, a failing delivery is given up.
    pub(crate) give_up_after: Duration,
    pub(crate) timeout: Duration,
    pub(crate) in_flight: Arc<Semaphore>,
    /// Where the applications' incidents go, besides the operators' inboxes.
    pub(crate) operators_webhook: Option<crate::webhooks::OperatorsWebhook>,
}

impl Senders {
    pub fn new(
        mailer: Option<Mailer>,
        timeout: Duration,
        retry_base: Duration,
        give_up_after: Duration,
        max_in_flight: usize,
    ) -> Result<Self, CoreError> {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(timeout)
            .user_agent("ups-optin-webhooks/1")
            .build()
            .map_err(|error| CoreError::Unexpected(format!("the webhook client: {error}")))?;
        let in_flight = Arc::new(Semaphore::new(max_in_flight.max(1)));
        Ok(Self { http, mailer, retry_base, give_up_after, timeout, in_flight, operators_webhook: None })
    }

    /// These senders, with the operators' webhook for the applications' incidents.
    pub fn with_operators_webhook(mut self, webhook: Option<crate::webhooks::OperatorsWebhook>) -> Self {
        self.operators_webhook = webhook;
        self
    }
}

/// Claims what is due (as many as there is room for) and starts an attempt for each; answers how
/// many started. The attempts run on their own tasks.
pub async fn deliver_due(core: &Core, senders: &Arc<Senders>) -> Result<usize, CoreError> {
    let Some(room) = senders.room() else { return Ok(0) };
    let due = core.store.claim_deliveries(room, senders.lease_secs()).await?;
    Ok(start_each(
        core,
        senders,
        due,
        |core, senders, delivery| async move { attempt(&core, &senders, delivery).await },
    ))
}

impl Senders {
    /// How many more attempts may start now, if any.
    pub(crate) fn room(&self) -> Option<u32> {
        u32::try_from(self.in_flight.available_permits()).ok().filter(|room| *room > 0)
    }

    /// How long a claimed delivery is held: longer than an attempt, so no other worker starts
    /// the same one meanwhile.
    pub(crate) fn lease_secs(&self) -> i64 {
        self.timeout.as_secs() as i64 * 2 + 30
    }
}

/// Starts `attempt` for each of `due` on a task of its own, each holding one of the senders'
/// slots; answers how many were claimed.
pub(crate) fn start_each<T, A, F>(core: &Core, senders: &Arc<Senders>, due: Vec<T>, attempt: A) -> usize
where
    T: Send + 'static,
    A: Fn(Core, Arc<Senders>, T) -> F + Copy + Send + 'static,
    F: std::future::Future<Output = ()> + Send + 'static,
{
    let claimed = due.len();
    for delivery in due {
        let Ok(permit) = senders.in_flight.clone().try_acquire_owned() else { break };
        let (core, senders) = (core.clone(), senders.clone());
        tokio::spawn(async move {
            attempt(core, senders, delivery).await;
            drop(permit);
        });
    }
    claimed
}

#[tracing::instrument(skip_all, fields(event = %delivery.notification.id, kind = delivery.notification.kind, attempt = delivery.attempts + 1))]
async fn attempt(core: &Core, senders: &Senders, delivery: DueDelivery) {
    let outcome = match &delivery.target {
        Target::Webhook { url, secrets } => post(senders, url, &delivery, secrets).await,
        Target::Email { to } => match &senders.mailer {
            Some(mailer) => mailer.send(&delivery.notification, to).await,
            None => Err("email is off: no SMTP host is configured".to_owned()),
        },
    };
    let recorded = match outcome {
        Ok(()) => core.store.delivered(&delivery).await,
        Err(error) => {
            let expired = now() - delivery.created_at >= senders.give_up_after.as_secs() as i64;
            // With email off, retrying cannot help.
            let email_off = matches!((&delivery.target, &senders.mailer), (Target::Email { .. }, None));
            let next_at =
                (!expired && !email_off).then(|| now() + retry_delay(delivery.attempts + 1, senders.retry_base));
            tracing::warn!(%error, retry = next_at.is_some(), "delivery failed");
            core.store.delivery_failed(&delivery, &error, next_at).await
        }
    };
    if let Err(error) = recorded {
        // The lease runs out and the delivery is attempted again: at least once.
        tracing::error!(%error, "could not record a delivery's outcome");
    }
}

async fn post(
    senders: &Senders,
    url: &str,
    delivery: &DueDelivery,
    secrets: &[crate::secret::SecretString],
) -> Result<(), String> {
    let body = serde_json::to_string(&delivery.notification).map_err(|error| error.to_string())?;
    post_signed(senders, url, &delivery.notification.id, body, secrets).await
}

/// POSTs `body` to `url`, signed the Standard Webhooks way with `secrets` under message id `id`.
pub(crate) async fn post_signed(
    senders: &Senders,
    url: &str,
    id: &str,
    body: String,
    secrets: &[crate::secret::SecretString],
) -> Result<(), String> {
    let headers = signed_headers(id, &body, secrets, now()).map_err(|error| error.to_string())?;
    let mut request = senders.http.post(url).header(reqwest::header::CONTENT_TYPE, "application/json");
    for (name, value) in headers {
        request = request.header(name, value);
    }
    match request.body(body).send().await {
        Ok(response) if response.status().is_success() => Ok(()),
        Ok(response) => Err(format!("the endpoint answered {}", response.status())),
        Err(error) if error.is_timeout() => Err(format!("no answer within {} s", senders.timeout.as_secs())),
        Err(error) if error.is_connect() => Err("the endpoint could not be reached".to_owned()),
        Err(_) => Err("the request failed".to_owned()),
    }
}

/// The wait before attempt `n + 1`: `base` doubling to at most an hour, ±20 % jitter so that
/// deliveries failing together do not retry together.
pub fn retry_delay(attempts: i64, base: Duration) -> i64 {
    let base = base.as_secs().max(1) as i64;
    let delay = base.saturating_mul(1 << (attempts.clamp(1, 20) - 1)).min(3_600.max(base));
    let jitter = rand::thread_rng().gen_range(-(delay / 5)..=delay / 5);
    (delay + jitter).max(1)
}

#[cfg(test)]
mod tests {
    use super::retry_delay;
    use std::time::Duration;

    #[test]
    fn retries_back_off_with_jitter_up_to_an_hour() {
        for _ in 0..100 {
            let first = retry_delay(1, Duration::from_secs(30));
            assert!((24..=36).contains(&first), "{first}");
            assert!((96..=144).contains(&retry_delay(3, Duration::from_secs(30))));
            assert!(retry_delay(40, Duration::from_secs(30)) <= 3_600 + 720);
        }
    }
}
