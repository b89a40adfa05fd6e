//! Secrets that never print, random tokens, and the cipher that keeps OAuth tokens encrypted at
//! rest. Server-only.

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine as _};
use chacha20poly1305::{
    aead::{Aead, KeyInit, Payload},
    XChaCha20Poly1305, XNonce,
};
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::fmt;

/// A string whose value is reached only through [`SecretString::expose`]; `Debug` and `Display`
/// show `[redacted]`, so it cannot leak into logs or error messages by accident.
#[derive(Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(transparent)]
pub struct SecretString(String);

impl SecretString {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl fmt::Display for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// 32 random bytes from the OS generator, base64url without padding (43 characters).
pub fn random_token() -> SecretString {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    SecretString(URL_SAFE_NO_PAD.encode(bytes))
}

/// What the database keeps of a bearer secret (session id, OAuth state, code): its SHA-256, so a
/// copy of the database does not hand out live sessions.
pub fn token_hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// A short, non-reversible label that tells tokens apart in the UI and logs.
pub fn fingerprint(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    digest[..6].iter().map(|byte| format!("{byte:02x}")).collect()
}

#[derive(Debug, thiserror::Error)]
pub enum CipherError {
    #[error("the secret key must be 32 bytes, base64url encoded")]
    BadKey,
    #[error("a stored secret could not be decrypted (wrong key or tampered row)")]
    Decrypt,
}

/// XChaCha20-Poly1305 with a random 24-byte nonce per value. The associated data binds a
/// ciphertext to the row it belongs to, so a token copied into another company's row fails to
/// decrypt instead of being used for the wrong company.
#[derive(Clone)]
pub struct TokenCipher {
    aead: XChaCha20Poly1305,
}

impl fmt::Debug for TokenCipher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TokenCipher([redacted])")
    }
}

impl TokenCipher {
    pub fn from_base64(key: &SecretString) -> Result<Self, CipherError> {
        let bytes =
            URL_SAFE_NO_PAD.decode(key.expose().trim().trim_end_matches('=')).map_err(|_| CipherError::BadKey)?;
        let aead = XChaCha20Poly1305::new_from_slice(&bytes).map_err(|_| CipherError::BadKey)?;
        Ok(Self { aead })
    }

    /// A fresh key, base64url encoded, for a first start.
    pub fn generate_key() -> SecretString {
        random_token()
    }

    pub fn encrypt(&self, plaintext: &str, context: &str) -> Result<Vec<u8>, CipherError> {
        let mut nonce = [0u8; 24];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let sealed = self
            .aead
            .encrypt(XNonce::from_slice(&nonce), Payload { msg: plaintext.as_bytes(), aad: context.as_bytes() })
            .map_err(|_| CipherError::Decrypt)?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        Ok(out)
    }

    pub fn decrypt(&self, sealed: &[u8], context: &str) -> Result<SecretString, CipherError> {
        if sealed.len() < 24 {
            return Err(CipherError::Decrypt);
        }
        let (nonce, body) = sealed.split_at(24);
        let plain = self
            .aead
            .decrypt(XNonce::from_slice(nonce), Payload { msg: body, aad: context.as_bytes() })
            .map_err(|_| CipherError::Decrypt)?;
        String::from_utf8(plain).map(SecretString).map_err(|_| CipherError::Decrypt)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_do_not_print() {
        let secret = SecretString::new("hunter2");
        assert_eq!(format!("{secret:?} {secret}"), "[redacted] [redacted]");
    }

    #[test]
    fn ciphertext_is_bound_to_its_context() {
        let cipher = TokenCipher::from_base64(&TokenCipher::generate_key()).unwrap();
        let sealed = cipher.encrypt("access-token", "7:access").unwrap();
        assert_eq!(cipher.decrypt(&sealed, "7:access").unwrap().expose(), "access-token");
        assert!(cipher.decrypt(&sealed, "8:access").is_err());
        let other = TokenCipher::from_base64(&TokenCipher::generate_key()).unwrap();
        assert!(other.decrypt(&sealed, "7:access").is_err());
    }

    #[test]
    fn keys_of_the_wrong_length_are_refused() {
        assert!(TokenCipher::from_base64(&SecretString::new("c2hvcnQ")).is_err());
    }
}
