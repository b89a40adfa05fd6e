//! One-time codes: an authenticator app's (RFC 6238, `totp-rs`: the key sealed, each time step
//! accepted once) and the recovery codes (ten at a time, kept as hashes, each used once).

use super::{added, enroller_user, step_failed, Added, Enroller, ISSUER};
use crate::{
    clock::now,
    error::CoreError,
    secret::{token_hash, SecretString},
    sessions::Browser,
    store::{OpenedFactor, StoreError},
    Core,
};
use model::{TotpEnrolment, UserId};
use rand::Rng;
use std::net::IpAddr;

/// Recovery codes handed out at a time.
pub const RECOVERY_CODES: usize = 10;

/// A six-digit code is an authenticator app's; anything else is tried as a recovery code.
pub(super) async fn accepted(core: &Core, user: UserId, code: &str) -> Result<bool, CoreError> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() == 6 && code.chars().all(|c| c.is_ascii_digit()) {
        for factor in core.store.totp_factors(user, false).await? {
            if totp_step_accepted(core, &factor, &code).await? {
                return Ok(true);
            }
        }
        return Ok(false);
    }
    match normalize_recovery_code(&code) {
        Some(code) => Ok(core.store.use_recovery_code(user, &token_hash(&code)).await?),
        None => Ok(false),
    }
}

/// Whether `code` is the factor's for now (one step either side, for clocks a little apart)
/// and its step was not used before; the step is recorded, so the code works once.
async fn totp_step_accepted(core: &Core, factor: &OpenedFactor, code: &str) -> Result<bool, CoreError> {
    let totp = totp_of(&factor.secret, "")?;
    let Some(step) = totp.check(code, now().max(0) as u64) else { return Ok(false) };
    let step = step as i64;
    if factor.last_step.is_some_and(|last| step <= last) {
        return Ok(false);
    }
    Ok(core.store.use_totp_step(factor.id, step).await?)
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
    let (user, _) = enroller_user(core, enroller).await?;
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    let pending = core.store.totp_factors(user, true).await?;
    let mut confirmed = false;
    for factor in &pending {
        confirmed |= totp_step_accepted(core, factor, &code).await?;
    }
    if !confirmed {
        return Err(match enroller {
            Enroller::Step { token } => step_failed(core, token).await?,
            Enroller::Session { .. } if pending.is_empty() => {
                CoreError::Invalid("Start again: the key shown has expired or was replaced.".into())
            }
            Enroller::Session { .. } => CoreError::WrongCode,
        });
    }
    added(core, user, enroller, (client, browser)).await
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
