//! Telling operators when UPS pushes back on a whole application: the `application.degraded`
//! and `application.recovered` incidents (recorded by the store when an application's breaker
//! opens or closes, see `store::budgets`) delivered to the operators' webhook, signed like the
//! products' webhooks, and to their inboxes; at least once, retried with backoff like the
//! companies' deliveries. No company admin is told: none of them can fix the application.

use crate::{
    clock::now,
    error::CoreError,
    outbox::{post_signed, retry_delay, start_each, Senders},
    store::DueIncident,
    Core,
};
use std::sync::Arc;

/// Claims the incident deliveries that are due and attempts each; answers how many started.
pub async fn deliver_due(core: &Core, senders: &Arc<Senders>) -> Result<usize, CoreError> {
    let Some(room) = senders.room() else { return Ok(0) };
    let due = core.store.claim_incident_deliveries(room, senders.lease_secs()).await?;
    Ok(start_each(
        core,
        senders,
        due,
        |core, senders, delivery| async move { attempt(&core, &senders, delivery).await },
    ))
}

#[tracing::instrument(skip_all, fields(incident = %delivery.notice.id, kind = delivery.notice.kind))]
async fn attempt(core: &Core, senders: &Senders, delivery: DueIncident) {
    let outcome = match (&delivery.email, &senders.operators_webhook, &senders.mailer) {
        (Some(to), _, Some(mailer)) => mailer.send_incident(&delivery.notice, to).await,
        (Some(_), _, None) => Err("email is off: no SMTP host is configured".to_owned()),
        (None, Some(webhook), _) => match serde_json::to_string(&delivery.notice) {
            Ok(body) => {
                let secrets = std::slice::from_ref(&webhook.secret);
                post_signed(senders, webhook.url.as_str(), &delivery.notice.id, body, secrets).await
            }
            Err(error) => Err(error.to_string()),
        },
        (None, None, _) => Err("the operators' webhook is no longer configured".to_owned()),
    };
    let recorded = match outcome {
        Ok(()) => core.store.incident_delivered(&delivery).await,
        Err(error) => {
            let expired = now() - delivery.created_at >= senders.give_up_after.as_secs() as i64;
            let next_at = (!expired).then(|| now() + retry_delay(delivery.attempts + 1, senders.retry_base));
            tracing::warn!(%error, retry = next_at.is_some(), "incident delivery failed");
            core.store.incident_delivery_failed(&delivery, &error, next_at).await
        }
    };
    if let Err(error) = recorded {
        tracing::error!(%error, "could not record an incident delivery's outcome");
    }
}
