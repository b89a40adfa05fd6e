//! Passkeys (WebAuthn, `webauthn-rs`): registering one, and the sign-in's second step with one.
//! The ceremony's state waits in the store between its two halves (sealed, taken once, bound to
//! the session or sign-in step that began it), so any instance finishes what another began.

use super::{
    enroller_attempt, enroller_user, json, keep_factor, live_step, open_session, reserve, step_failed, take_step,
    Added, Enroller, Finished,
};
use crate::{
    clock::now,
    error::CoreError,
    secret::{token_hash, SecretString},
    sessions::Browser,
    store::StoreError,
    Core,
};
use model::{StepPurpose, UserId};
use std::net::IpAddr;
use webauthn_rs::prelude::{
    Passkey, PasskeyAuthentication, PasskeyRegistration, PublicKeyCredential, RegisterPublicKeyCredential, Uuid,
};

/// How long a passkey ceremony waits for the browser's authenticator.
const CEREMONY_LIFETIME: i64 = 5 * 60;

/// Starts registering a passkey: the options for `navigator.credentials.create`, as JSON.
pub async fn begin_passkey_registration(core: &Core, enroller: Enroller<'_>) -> Result<String, CoreError> {
    let webauthn = core.factors.webauthn()?;
    let (user, owner) = enroller_user(core, enroller).await?;
    let identity = core.store.user_identity(user).await?.ok_or_else(|| CoreError::NotFound("User".into()))?;
    let existing = passkeys_of(core, user).await?;
    let exclude = Some(existing.iter().map(|(_, passkey)| passkey.cred_id().clone()).collect());
    let (options, state) = webauthn
        .start_passkey_registration(user_handle(user), &identity.sign_in_name, &identity.display_name, exclude)
        .map_err(|error| CoreError::Unexpected(format!("a passkey registration could not start: {error}")))?;
    save_ceremony(core, &owner, user, "register", &state).await?;
    json(&options)
}

/// Finishes registering a passkey with what the browser's authenticator answered.
pub async fn finish_passkey_registration(
    core: &Core,
    enroller: Enroller<'_>,
    label: &str,
    credential: &str,
    (client, browser): (IpAddr, Browser<'_>),
) -> Result<Added, CoreError> {
    let webauthn = core.factors.webauthn()?;
    let (user, owner) = enroller_user(core, enroller).await?;
    let label = label_of(label)?;
    let state: PasskeyRegistration = take_ceremony(core, &owner, user, "register").await?;
    let (_, attempt) = enroller_attempt(core, enroller, (client, browser)).await?;
    let credential: RegisterPublicKeyCredential = serde_json::from_str(credential)
        .map_err(|_| CoreError::Invalid("The browser's answer was not a passkey.".into()))?;
    let passkey = webauthn.finish_passkey_registration(&credential, &state).map_err(|error| {
        tracing::info!(%error, "passkey registration refused");
        CoreError::PasskeyRefused
    })?;
    let keep = async || {
        let stored = SecretString::new(json(&passkey)?);
        match core.store.add_passkey(user, &label, passkey.cred_id().as_ref(), &stored).await {
            Ok(_) => Ok(tracing::info!(user = %user.get(), "passkey added")),
            Err(StoreError::Duplicate) => Err(CoreError::Invalid("This passkey is registered already.".into())),
            Err(error) => Err(error.into()),
        }
    };
    keep_factor(core, (user, enroller, attempt), keep, (client, browser)).await
}

/// Starts a `verify` step's passkey check: the options for `navigator.credentials.get`, as JSON.
pub async fn begin_passkey_sign_in(core: &Core, token: &str) -> Result<String, CoreError> {
    let webauthn = core.factors.webauthn()?;
    let step = live_step(core, token).await?;
    let passkeys: Vec<Passkey> = passkeys_of(core, step.user).await?.into_iter().map(|(_, passkey)| passkey).collect();
    if passkeys.is_empty() || step.purpose != StepPurpose::Verify {
        return Err(CoreError::Invalid("You have no passkey here: use a code instead.".into()));
    }
    let (options, state) = webauthn
        .start_passkey_authentication(&passkeys)
        .map_err(|error| CoreError::Unexpected(format!("a passkey sign-in could not start: {error}")))?;
    save_ceremony(core, &token_hash(token), step.user, "authenticate", &state).await?;
    json(&options)
}

/// Finishes a `verify` step with the browser's passkey answer. The ceremony is taken before the
/// throttle is asked, and the step before the passkey's use is recorded.
#[tracing::instrument(skip_all, fields(%client))]
pub async fn finish_passkey_sign_in(
    core: &Core,
    token: &str,
    credential: &str,
    (client, browser): (IpAddr, Browser<'_>),
) -> Result<Finished, CoreError> {
    let webauthn = core.factors.webauthn()?;
    let step = live_step(core, token).await?;
    let state: PasskeyAuthentication = take_ceremony(core, &token_hash(token), step.user, "authenticate").await?;
    let attempt = reserve(core, step.user, (client, browser)).await?;
    let checked = serde_json::from_str::<PublicKeyCredential>(credential).ok().and_then(|credential| {
        webauthn
            .finish_passkey_authentication(&credential, &state)
            .inspect_err(|error| tracing::info!(%error, "passkey refused"))
            .ok()
    });
    let Some(result) = checked else {
        return Err(step_failed(core, token).await?);
    };
    let (step, attempt) = take_step(core, token, attempt).await?;
    for (id, mut passkey) in passkeys_of(core, step.user).await? {
        if passkey.cred_id() == result.cred_id() {
            let updated = passkey.update_credential(&result).unwrap_or(false);
            let stored = updated.then(|| json(&passkey).map(SecretString::new)).transpose()?;
            core.store.passkey_used(step.user, id, stored.as_ref()).await?;
        }
    }
    open_session(core, step, attempt, (client, browser)).await
}

/// The user's passkeys, read back.
async fn passkeys_of(core: &Core, user: UserId) -> Result<Vec<(i64, Passkey)>, CoreError> {
    core.store
        .passkeys(user)
        .await?
        .into_iter()
        .map(|factor| {
            let passkey = serde_json::from_str(factor.secret.expose())
                .map_err(|error| StoreError::Unreadable(format!("passkey {}: {error}", factor.id)))?;
            Ok((factor.id, passkey))
        })
        .collect()
}

/// The WebAuthn user handle: stable per user, and no more than the user's number here.
fn user_handle(user: UserId) -> Uuid {
    Uuid::from_u64_pair(0x6f70_7469_6e2d_7573, user.get() as u64)
}

async fn save_ceremony(
    core: &Core,
    owner: &[u8],
    user: UserId,
    kind: &str,
    state: &impl serde::Serialize,
) -> Result<(), CoreError> {
    let state = SecretString::new(json(state)?);
    Ok(core.store.save_passkey_ceremony(owner, user, kind, &state, now() + CEREMONY_LIFETIME).await?)
}

async fn take_ceremony<T: serde::de::DeserializeOwned>(
    core: &Core,
    owner: &[u8],
    user: UserId,
    kind: &str,
) -> Result<T, CoreError> {
    let expired = || CoreError::Invalid("The passkey request has expired: try again.".into());
    let (owner_user, state) = core.store.take_passkey_ceremony(owner, kind).await?.ok_or_else(expired)?;
    if owner_user != user {
        return Err(expired());
    }
    serde_json::from_str(state.expose())
        .map_err(|error| StoreError::Unreadable(format!("a passkey ceremony: {error}")).into())
}

/// A factor's name as given: 1 to 60 characters, "Passkey" when left empty.
fn label_of(label: &str) -> Result<String, CoreError> {
    match label.trim() {
        "" => Ok("Passkey".into()),
        label if label.chars().count() <= 60 && !label.chars().any(char::is_control) => Ok(label.into()),
        _ => Err(CoreError::Invalid("A passkey's name needs at most 60 characters.".into())),
    }
}
