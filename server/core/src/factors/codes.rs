//! One-time codes: an authenticator app's (RFC 6238, `totp-rs`: the key sealed, each time step
//! accepted once) and the recovery codes (ten at a time, kept as hashes, each used once), which
//! also let a new browser past the throttle's hold on a name under attack.

use super::{enroller_attempt, enroller_user, keep_factor, step_failed, Added, Enroller, ISSUER};
use crate::{
    clock::now,
    error::CoreError,
    secret::{token_hash, SecretString},
    sessions::Browser,
    store::{OpenedFactor, StoreError},
    throttle::{self, Hold},
    Core,
};
use model::{TotpEnrolment, UserId};
use rand::Rng;
use std::net::IpAddr;

/// Recovery codes handed out at a time.
pub const RECOVERY_CODES: usize = 10;

/// A code found right for a user and not yet spent: checking and spending are apart, so that
/// the sign-in step is taken in between and a code is never spent on a step that is over.
pub(super) enum RightCode {
    /// An authenticator app's code of this time step.
    App { factor: i64, step: i64 },
    /// A recovery code (its hash).
    Recovery { hash: Vec<u8> },
}

/// Whether `code` is right for `user`, spending nothing. A six-digit code is an authenticator
/// app's; anything else is tried as a recovery code.
pub(super) async fn check(core: &Core, user: UserId, code: &str) -> Result<Option<RightCode>, CoreError> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() == 6 && code.chars().all(|c| c.is_ascii_digit()) {
        for factor in core.store.totp_factors(user, false).await? {
            if let Some(step) = app_step(&factor, &code)? {
                return Ok(Some(RightCode::App { factor: factor.id, step }));
            }
        }
        return Ok(None);
    }
    let Some(code) = normalize_recovery_code(&code) else { return Ok(None) };
    let hash = token_hash(&code);
    Ok(core.store.has_recovery_code(user, &hash).await?.then_some(RightCode::Recovery { hash }))
}

/// Spends a right code: false when another request spent it first.
pub(super) async fn spend(core: &Core, user: UserId, code: RightCode) -> Result<bool, CoreError> {
    Ok(match code {
        RightCode::App { factor, step } => core.store.use_totp_step(factor, step).await?,
        RightCode::Recovery { hash } => core.store.use_recovery_code(user, &hash).await?,
    })
}

/// The time step `code` is the factor's code for: now, or one step either side (for clocks a
/// little apart), and later than the last step used, so a code works once.
fn app_step(factor: &OpenedFactor, code: &str) -> Result<Option<i64>, CoreError> {
    let totp = totp_of(&factor.secret, "")?;
    let step = totp.check(code, now().max(0) as u64).map(|step| step as i64);
    Ok(step.filter(|step| factor.last_step.is_none_or(|last| *step > last)))
}

/// Starts adding an authenticator app: a new key, shown to the user until their first code
/// confirms it.
pub async fn begin_totp(core: &Core, enroller: Enroller<'_>) -> Result<TotpEnrolment, CoreError> {
    let (user, _) = enroller_user(core, enroller).await?;
    let identity = core.store.user_identity(user).await?.ok_or_else(|| CoreError::NotFound("User".into()))?;
    let mut bytes = [0u8; 20];
    rand::rngs::OsRng.fill(&mut bytes);
    let key = SecretString::new(totp_rs::Secret::from(bytes).to_base32());
    let factor = core.store.add_totp_factor(user, "Authenticator app", &key).await?;
    let link = totp_of(&key, &identity.sign_in_name.replace(':', " "))?
        .to_url()
        .map_err(|error| CoreError::Unexpected(format!("an otpauth link could not be written: {error}")))?;
    let grouped =
        key.expose().as_bytes().chunks(4).map(|chunk| String::from_utf8_lossy(chunk)).collect::<Vec<_>>().join(" ");
    Ok(TotpEnrolment { factor, key: grouped, link })
}

/// Confirms an authenticator app with its first code.
pub async fn confirm_totp(
    core: &Core,
    enroller: Enroller<'_>,
    code: &str,
    (client, browser): (IpAddr, Browser<'_>),
) -> Result<Added, CoreError> {
    let (user, attempt) = enroller_attempt(core, enroller, (client, browser)).await?;
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    let pending = core.store.totp_factors(user, true).await?;
    let mut right = None;
    for factor in &pending {
        if let Some(step) = app_step(factor, &code)? {
            right = Some((factor.id, step));
        }
    }
    let Some((factor, step)) = right else {
        return Err(match enroller {
            Enroller::Step { token } => step_failed(core, token).await?,
            Enroller::Session { .. } if pending.is_empty() => {
                CoreError::Invalid("Start again: the key shown has expired or was replaced.".into())
            }
            Enroller::Session { .. } => CoreError::WrongCode,
        });
    };
    let keep = async || match core.store.use_totp_step(factor, step).await? {
        true => Ok(()),
        false => Err(CoreError::Invalid("Start again: the key shown has expired or was replaced.".into())),
    };
    keep_factor(core, (user, enroller, attempt), keep, (client, browser)).await
}

/// A new set of recovery codes for `user` (the old ones stop working); shown once.
pub async fn new_recovery_codes(core: &Core, user: UserId) -> Result<Vec<String>, CoreError> {
    if core.store.second_factors_of(user).await?.is_empty() {
        return Err(CoreError::Invalid("Add a passkey or an authenticator app first.".into()));
    }
    let codes: Vec<String> = (0..RECOVERY_CODES).map(|_| recovery_code()).collect();
    let hashes: Vec<Vec<u8>> =
        codes.iter().map(|code| token_hash(&normalize_recovery_code(code).unwrap_or_default())).collect();
    core.store.replace_recovery_codes(user, &hashes).await?;
    Ok(codes)
}

/// Lets a browser new to `sign_in_name` past the bound across addresses (`throttle`) while the
/// name is held: one of the user's recovery codes, spent, makes it a browser the name knows for
/// one password check (its device cookie, answered; see `throttle::Reservation::let_through`).
/// The password and the second factor are then asked as usual. A
/// wrong code counts against the throttle like a wrong password, the backoff and the address's
/// limit included; only the bound across addresses is waived, as nobody guesses a recovery code.
#[tracing::instrument(skip_all, fields(%client))]
pub async fn unlock_browser(
    core: &Core,
    sign_in_name: &str,
    code: &str,
    (client, device): (IpAddr, Option<&str>),
) -> Result<SecretString, CoreError> {
    let attempt = throttle::reserve_with(&core.store, sign_in_name, (client, device), now(), Hold::Waived).await?;
    // The same statement runs whether or not the name exists, or the code could be one.
    let code = normalize_recovery_code(code).unwrap_or_else(|| code.to_owned());
    let Some(user) = core.store.use_recovery_code_of(sign_in_name.trim(), &token_hash(&code)).await? else {
        tracing::info!("browser not let through: not a recovery code of the name's");
        drop(attempt); // counts as a failure
        return Err(CoreError::WrongCode);
    };
    tracing::info!(user = user.get(), "browser let through the hold with a recovery code");
    attempt.let_through(now()).await
}

/// Ten characters from an alphabet without look-alikes (50 bits), written `abcde-fghij`.
fn recovery_code() -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut rng = rand::rngs::OsRng;
    let chars: String = (0..10).map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char).collect();
    format!("{}-{}", &chars[..5], &chars[5..])
}

/// A recovery code as typed (any case, with or without its dash or spaces) in the form its hash
/// was taken of; `None` for anything that cannot be one.
fn normalize_recovery_code(code: &str) -> Option<String> {
    let code: String = code.chars().filter(|c| *c != '-' && !c.is_whitespace()).collect::<String>().to_lowercase();
    (code.len() == 10 && code.chars().all(|c| c.is_ascii_alphanumeric()))
        .then(|| format!("{}-{}", &code[..5], &code[5..]))
}

fn totp_of(key: &SecretString, account: &str) -> Result<totp_rs::Totp, CoreError> {
    let secret = totp_rs::Secret::try_from_base32(key.expose())
        .map_err(|error| CoreError::Store(StoreError::Unreadable(format!("a TOTP key: {error}"))))?;
    totp_rs::Builder::new()
        .with_secret(secret)
        .with_issuer(Some(ISSUER))
        .with_account_name(account)
        .build()
        .map_err(|error| CoreError::Unexpected(format!("a TOTP key: {error}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovery_codes_read_back_however_they_are_typed() {
        let code = recovery_code();
        assert_eq!(code.len(), 11);
        assert_eq!(normalize_recovery_code(&code).as_deref(), Some(code.as_str()));
        assert_eq!(normalize_recovery_code(&code.to_uppercase()).as_deref(), Some(code.as_str()));
        assert_eq!(normalize_recovery_code(&code.replace('-', " ")).as_deref(), Some(code.as_str()));
        assert_eq!(normalize_recovery_code("123456"), None);
        assert_eq!(normalize_recovery_code("abcde-fghi!"), None);
    }
}
