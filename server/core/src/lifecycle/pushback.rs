//! When UPS pushes back on a whole application: a refresh's answer that opens (or keeps open)
//! its breaker, a probe's answer that closes it, the class error a caller whose token has
//! expired gets meanwhile, and "Check now", which asks UPS once to see which class it answers.

use super::{current, refreshed, usable, Outcome, TokenError};
use crate::{
    store::{Breaker, Claim, Held},
    ups::{AnswerClass, ProviderError},
    Core,
};
use model::{CompanyId, Product};
use std::time::Duration;

/// Refreshes (company, product)'s authorization now, whatever its token's validity, to see how
/// UPS answers: the class of the answer, or `None` when it was checked within `every_secs` (UPS
/// is not asked again). While UPS pushes back on the whole application, that is the answer and
/// UPS is not asked.
pub async fn check(
    core: &Core,
    company: CompanyId,
    product: Product,
    every_secs: i64,
) -> Result<Option<AnswerClass>, TokenError> {
    let stored = current(core, company, product).await?;
    usable(&stored)?;
    if !core.store.mark_checked(stored.authorization, every_secs).await? {
        return Ok(None);
    }
    if let Breaker::Open { class, .. } = core.store.breaker(product).await? {
        return Ok(Some(class));
    }
    Ok(Some(match refreshed(core, stored).await? {
        Outcome::Refreshed(_) => AnswerClass::Refreshed,
        Outcome::Dead => AnswerClass::DeadGrant,
        Outcome::Held(held) => held.class,
        Outcome::Failed(class) => class,
        // Changed meanwhile, or stopping: nothing was learnt from UPS.
        Outcome::NotNow => AnswerClass::Unavailable,
    }))
}

/// UPS throttles or refuses the whole application: the breaker opens (or, for a probe, stays
/// open a while longer) and the authorization is left as it was, due again once UPS accepts.
pub(super) async fn pushed_back(
    core: &Core,
    claim: &Claim,
    class: AnswerClass,
    error: &ProviderError,
) -> Result<Outcome, TokenError> {
    let reason = match class {
        AnswerClass::RateLimited => format!("UPS is rate limiting the {} application.", claim.product().name()),
        _ => format!(
            "UPS refuses the {} application ({error}); its settings at UPS need attention.",
            claim.product().name()
        ),
    };
    let retry_after = error.retry_after();
    let opened =
        core.store.application_pushed_back(claim, class, &reason, retry_after, &core.policy.incident_targets).await?;
    if opened {
        tracing::warn!(product = %claim.product(), %class, "the application's breaker opened");
    }
    let retry_after = retry_after.unwrap_or(Duration::from_secs(1)).max(Duration::from_secs(1));
    Ok(Outcome::Held(Held { class, retry_after }))
}

/// A probe of an open breaker was answered as UPS answers an application it accepts: the
/// breaker closes.
pub(super) async fn probe_answered(core: &Core, claim: &Claim) -> Result<(), TokenError> {
    if claim.probe && core.store.application_answered(claim.product(), &core.policy.incident_targets).await? {
        tracing::info!(product = %claim.product(), "the application's breaker closed");
    }
    Ok(())
}

pub(super) fn held_error(held: Held) -> TokenError {
    match held.class {
        AnswerClass::ApplicationRefused => TokenError::ApplicationRefused { retry_after: held.retry_after },
        _ => TokenError::RateLimited { retry_after: held.retry_after },
    }
}
