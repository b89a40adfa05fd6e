//! Rotating the keys that seal tokens at rest: which keys the stored tokens need, whether they
//! all open, and re-sealing them all with the current key in small batches while the service runs. Making a new key and
//! keeping the ring on disk is the command line's (`server keys`); the sealing itself is
//! [`crate::keyring`].

use crate::{error::CoreError, keyring::KeyId, store::Store, Core};

/// Rows per rewrap transaction: short writes, so refreshes never wait long behind one.
pub const REWRAP_BATCH: u32 = 200;

/// The ring and the stored tokens each of its keys (or a key it lacks) seals.
#[derive(Debug)]
pub struct KeyReport {
    pub current: KeyId,
    /// Every key of the ring with the number of stored secrets (tokens, webhook signing secrets)
    /// it seals, current first.
    pub ring: Vec<(KeyId, u64)>,
    /// Keys that seal stored secrets but are not in the ring: those secrets cannot be opened.
    pub missing: Vec<(KeyId, u64)>,
    /// Secrets sealed before key ids existed (any key of the ring may open them).
    pub unlabelled: u64,
}

/// The key that seals what is written now.
pub fn current(core: &Core) -> KeyId {
    core.store.keys().current()
}

pub async fn report(core: &Core) -> Result<KeyReport, CoreError> {
    let mut usage = core.store.key_usage().await?;
    let ids = core.store.keys().ids();
    let ring = ids.iter().map(|id| (*id, usage.by_key.remove(id).unwrap_or(0))).collect();
    Ok(KeyReport {
        current: core.store.keys().current(),
        ring,
        missing: usage.by_key.into_iter().collect(),
        unlabelled: usage.unlabelled,
    })
}

/// What opening every stored secret found.
#[derive(Debug, Default)]
pub struct Opened {
    pub opened: u64,
    /// Secrets that did not open (key missing, row tampered with or copied), by name.
    pub unreadable: Vec<String>,
}

/// Opens every stored token (batch by batch), webhook signing secret and second factor with the
/// ring, changing nothing: the check that a key ring can serve what the database holds.
pub async fn try_open_all(core: &Core) -> Result<Opened, CoreError> {
    try_open_all_in(&core.store).await
}

/// [`try_open_all`] on any store: the copy's target, say.
pub async fn try_open_all_in(store: &Store) -> Result<Opened, CoreError> {
    let mut done = Opened::default();
    let mut after = 0;
    loop {
        let batch = store.try_open_tokens(after, REWRAP_BATCH).await?;
        done.opened += batch.opened;
        done.unreadable.extend(batch.unreadable);
        match batch.last {
            Some(last) => after = last,
            None => break,
        }
    }
    for (opened, unreadable) in [store.try_open_endpoint_secrets().await?, store.try_open_second_factors().await?] {
        done.opened += opened;
        done.unreadable.extend(unreadable);
    }
    Ok(done)
}

/// What a rewrap did.
#[derive(Debug, Default)]
pub struct Rewrapped {
    pub rewrapped: u64,
    /// Rows that did not open with any key of the ring, by name; left as they are.
    pub unreadable: Vec<String>,
}

/// Re-seals every stored token (batch by batch), webhook signing secret and second factor that
/// another key sealed with the current key.
#[tracing::instrument(skip(core), fields(current = %core.store.keys().current()))]
pub async fn rewrap(core: &Core) -> Result<Rewrapped, CoreError> {
    let mut done = Rewrapped::default();
    let mut after = 0;
    loop {
        let batch = core.store.rewrap_tokens(after, REWRAP_BATCH).await?;
        done.rewrapped += batch.rewrapped;
        for row in batch.unreadable {
            tracing::error!(%row, "cannot rewrap a token that does not open");
            done.unreadable.push(row);
        }
        match batch.last {
            Some(last) => after = last,
            None => break,
        }
    }
    let (rewrapped, unreadable) = core.store.rewrap_endpoint_secrets().await?;
    done.rewrapped += rewrapped;
    for row in unreadable {
        tracing::error!(%row, "cannot rewrap a webhook secret that does not open");
        done.unreadable.push(row);
    }
    let (rewrapped, unreadable) = core.store.rewrap_second_factors().await?;
    done.rewrapped += rewrapped;
    for row in unreadable {
        tracing::error!(%row, "cannot rewrap a second factor that does not open");
        done.unreadable.push(row);
    }
    Ok(done)
}
