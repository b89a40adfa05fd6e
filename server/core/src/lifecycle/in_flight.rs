//! The refreshes under way in this process: a caller that needs the token of an authorization
//! being refreshed joins that refresh and gets its outcome, instead of claiming it again.

use super::Outcome;
use crate::store::AuthorizationId;
use std::{collections::HashMap, sync::Mutex};
use tokio::sync::watch;

/// The refreshes under way in this process, by authorization: whoever needs one of them joins it
/// instead of claiming the authorization again.
#[derive(Default)]
pub struct InFlight(Mutex<HashMap<AuthorizationId, watch::Receiver<Option<Outcome>>>>);

impl InFlight {
    pub(super) fn join(&self, authorization: AuthorizationId) -> Option<watch::Receiver<Option<Outcome>>> {
        self.lock().get(&authorization).cloned()
    }

    pub(super) fn start(&self, authorization: AuthorizationId) -> watch::Sender<Option<Outcome>> {
        let (sender, receiver) = watch::channel(None);
        self.lock().insert(authorization, receiver);
        sender
    }

    pub(super) fn finish(&self, authorization: AuthorizationId) {
        self.lock().remove(&authorization);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<AuthorizationId, watch::Receiver<Option<Outcome>>>> {
        self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// The outcome a joined refresh publishes (none if its task ended without one: not now).
pub(super) async fn joined(mut under_way: watch::Receiver<Option<Outcome>>) -> Outcome {
    match under_way.wait_for(Option::is_some).await {
        Ok(outcome) => outcome.clone().unwrap_or(Outcome::NotNow),
        Err(_) => Outcome::NotNow,
    }
}
