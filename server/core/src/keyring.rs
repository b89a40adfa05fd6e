//! The key ring that seals what the store keeps secret (OAuth tokens, PKCE verifiers): one
//! current key that seals, older keys that only open, so the key can be rotated while the service
//! runs. Server-only; the store is its only user.
//!
//! A sealed value is `MAGIC ‖ key id (8) ‖ nonce (24) ‖ XChaCha20-Poly1305 ciphertext`. The key id
//! is derived from the key itself, so a ring cannot mislabel a key, and a value sealed with a key
//! that is no longer in the ring says which key it needs instead of failing as "tampered". The
//! associated data, chosen by the store, binds each value to its table, column and row (company,
//! product, authorization), so a value copied into another row or column does not open.
//!
//! Values written before key ids existed (nonce ‖ ciphertext, bound to the authorization id only)
//! still open with any key of the ring and their old binding; `server keys rewrap` re-seals them.

use crate::secret::{random_token, SecretString};
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine as _};
use chacha20poly1305::{
    aead::{Aead, KeyInit, Payload},
    XChaCha20Poly1305, XNonce,
};
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::fmt;

/// Marks a value sealed with a key id (format 1).
const MAGIC: &[u8; 4] = b"oik1";
const ID_LEN: usize = 8;
const NONCE_LEN: usize = 24;
const HEADER_LEN: usize = MAGIC.len() + ID_LEN + NONCE_LEN;

/// A key's public name: the first 8 bytes of a SHA-256 over the key, in hex. Safe to log.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KeyId([u8; ID_LEN]);

impl KeyId {
    fn of(key: &[u8]) -> Self {
        let digest = Sha256::new().chain_update(b"optin key id\0").chain_update(key).finalize();
        let mut id = [0u8; ID_LEN];
        id.copy_from_slice(&digest[..ID_LEN]);
        Self(id)
    }
}

impl fmt::Display for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.iter().try_for_each(|byte| write!(f, "{byte:02x}"))
    }
}

impl fmt::Debug for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KeyId({self})")
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CipherError {
    #[error("a secret key must be 32 bytes, base64url encoded")]
    BadKey,
    #[error("a stored secret could not be decrypted: it was tampered with, or copied from another row")]
    Decrypt,
    /// Sealing failed (the cipher refuses only a plaintext too long to count in its blocks).
    #[error("a secret could not be encrypted")]
    Encrypt,
    /// The value names the key that sealed it, and the ring does not have that key.
    #[error("a stored secret was sealed with key {0}, which is not in the key ring")]
    UnknownKey(KeyId),
}

/// Which key sealed a stored value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SealedBy {
    Key(KeyId),
    /// Written before key ids existed: any key of the ring may open it.
    Unlabelled,
}

struct Key {
    id: KeyId,
    aead: XChaCha20Poly1305,
}

impl Key {
    fn from_base64(key: &SecretString) -> Result<Self, CipherError> {
        let text = key.expose().trim().trim_end_matches('=');
        let bytes = URL_SAFE_NO_PAD.decode(text).map_err(|_| CipherError::BadKey)?;
        let aead = XChaCha20Poly1305::new_from_slice(&bytes).map_err(|_| CipherError::BadKey)?;
        Ok(Self { id: KeyId::of(&bytes), aead })
    }

    fn open(&self, nonce: &[u8], body: &[u8], aad: &str) -> Result<SecretString, CipherError> {
        let plain = self
            .aead
            .decrypt(XNonce::from_slice(nonce), Payload { msg: body, aad: aad.as_bytes() })
            .map_err(|_| CipherError::Decrypt)?;
        String::from_utf8(plain).map(SecretString::new).map_err(|_| CipherError::Decrypt)
    }
}

/// The current key and the older ones. `Debug` names the keys by id only.
#[derive(Clone)]
pub struct KeyRing {
    keys: std::sync::Arc<[Key]>,
}

impl fmt::Debug for KeyRing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyRing").field("current", &self.current()).field("older", &&self.ids()[1..]).finish()
    }
}

impl KeyRing {
    /// A ring whose `current` key seals and whose `older` keys only open (duplicates dropped).
    pub fn new(current: &SecretString, older: &[SecretString]) -> Result<Self, CipherError> {
        let mut keys = vec![Key::from_base64(current)?];
        for key in older {
            let key = Key::from_base64(key)?;
            if keys.iter().all(|known| known.id != key.id) {
                keys.push(key);
            }
        }
        Ok(Self { keys: keys.into() })
    }

    /// A fresh key, base64url encoded.
    pub fn generate_key() -> SecretString {
        random_token()
    }

    /// The id of a key given as base64url.
    pub fn id_of(key: &SecretString) -> Result<KeyId, CipherError> {
        Key::from_base64(key).map(|key| key.id)
    }

    /// The key that seals.
    pub fn current(&self) -> KeyId {
        self.keys[0].id
    }

    /// Every key's id, the current one first.
    pub fn ids(&self) -> Vec<KeyId> {
        self.keys.iter().map(|key| key.id).collect()
    }

    /// Seals `plaintext` with the current key, bound to `aad`.
    pub fn seal(&self, plaintext: &str, aad: &str) -> Result<Vec<u8>, CipherError> {
        let key = &self.keys[0];
        let mut nonce = [0u8; NONCE_LEN];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let body = key
            .aead
            .encrypt(XNonce::from_slice(&nonce), Payload { msg: plaintext.as_bytes(), aad: aad.as_bytes() })
            .map_err(|_| CipherError::Encrypt)?;
        let mut out = Vec::with_capacity(HEADER_LEN + body.len());
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&key.id.0);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&body);
        Ok(out)
    }

    /// Which key sealed `sealed`, read from its header.
    pub fn sealed_by(sealed: &[u8]) -> SealedBy {
        match sealed.strip_prefix(MAGIC.as_slice()) {
            Some(rest) if sealed.len() > HEADER_LEN => {
                let mut id = [0u8; ID_LEN];
                id.copy_from_slice(&rest[..ID_LEN]);
                SealedBy::Key(KeyId(id))
            }
            _ => SealedBy::Unlabelled,
        }
    }

    /// Opens `sealed`, which must be bound to `aad`; a value without a key id is tried with every
    /// key and the binding it was written with, `unlabelled_aad`.
    pub fn open(&self, sealed: &[u8], aad: &str, unlabelled_aad: &str) -> Result<SecretString, CipherError> {
        if let SealedBy::Key(id) = Self::sealed_by(sealed) {
            let (nonce, body) = sealed[MAGIC.len() + ID_LEN..].split_at(NONCE_LEN);
            match self.keys.iter().find(|key| key.id == id) {
                Some(key) => match key.open(nonce, body, aad) {
                    Ok(plain) => return Ok(plain),
                    // One unlabelled value in 2^32 starts with the magic by chance: try it as such.
                    Err(error) => return self.open_unlabelled(sealed, unlabelled_aad).map_err(|_| error),
                },
                None => return self.open_unlabelled(sealed, unlabelled_aad).map_err(|_| CipherError::UnknownKey(id)),
            }
        }
        self.open_unlabelled(sealed, unlabelled_aad)
    }

    fn open_unlabelled(&self, sealed: &[u8], aad: &str) -> Result<SecretString, CipherError> {
        if sealed.len() <= NONCE_LEN {
            return Err(CipherError::Decrypt);
        }
        let (nonce, body) = sealed.split_at(NONCE_LEN);
        self.keys.iter().find_map(|key| key.open(nonce, body, aad).ok()).ok_or(CipherError::Decrypt)
    }

    /// Whether `sealed` is already sealed with the current key (nothing to rewrap).
    pub fn is_current(&self, sealed: &[u8]) -> bool {
        Self::sealed_by(sealed) == SealedBy::Key(self.current())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> SecretString {
        KeyRing::generate_key()
    }

    /// What the format before key ids wrote: nonce ‖ ciphertext.
    fn unlabelled(key: &SecretString, plaintext: &str, aad: &str) -> Vec<u8> {
        let key = Key::from_base64(key).unwrap();
        let nonce = [7u8; NONCE_LEN];
        let body =
            key.aead.encrypt(XNonce::from_slice(&nonce), Payload { msg: plaintext.as_bytes(), aad: aad.as_bytes() });
        [nonce.as_slice(), &body.unwrap()].concat()
    }

    #[test]
    fn a_value_opens_only_with_its_binding() {
        let ring = KeyRing::new(&key(), &[]).unwrap();
        let sealed = ring.seal("access-token", "t/access/company=1").unwrap();
        assert_eq!(ring.open(&sealed, "t/access/company=1", "-").unwrap().expose(), "access-token");
        assert!(matches!(ring.open(&sealed, "t/access/company=2", "-"), Err(CipherError::Decrypt)));
        assert!(matches!(ring.open(&sealed, "t/refresh/company=1", "-"), Err(CipherError::Decrypt)));
    }

    #[test]
    fn older_keys_open_and_only_the_current_one_seals() {
        let (old, new) = (key(), key());
        let before = KeyRing::new(&old, &[]).unwrap();
        let sealed = before.seal("refresh-token", "aad").unwrap();
        let after = KeyRing::new(&new, std::slice::from_ref(&old)).unwrap();
        assert_eq!(after.open(&sealed, "aad", "-").unwrap().expose(), "refresh-token");
        assert!(!after.is_current(&sealed));
        assert!(after.is_current(&after.seal("x", "aad").unwrap()));
        assert_eq!(KeyRing::sealed_by(&sealed), SealedBy::Key(before.current()));
    }

    #[test]
    fn a_value_sealed_with_a_key_no_longer_in_the_ring_names_that_key() {
        let old = key();
        let sealed = KeyRing::new(&old, &[]).unwrap().seal("token", "aad").unwrap();
        let ring = KeyRing::new(&key(), &[]).unwrap();
        match ring.open(&sealed, "aad", "-") {
            Err(CipherError::UnknownKey(id)) => assert_eq!(id, KeyRing::id_of(&old).unwrap()),
            other => panic!("expected UnknownKey, got {:?}", other.map(|_| ())),
        }
    }

    #[test]
    fn values_written_before_key_ids_still_open_with_their_old_binding() {
        let (old, new) = (key(), key());
        let sealed = unlabelled(&old, "legacy", "7:access");
        let ring = KeyRing::new(&new, &[old]).unwrap();
        assert_eq!(KeyRing::sealed_by(&sealed), SealedBy::Unlabelled);
        assert_eq!(ring.open(&sealed, "new binding", "7:access").unwrap().expose(), "legacy");
        assert!(ring.open(&sealed, "new binding", "8:access").is_err());
    }

    #[test]
    fn ids_are_stable_and_keys_of_the_wrong_length_are_refused() {
        let key = key();
        assert_eq!(KeyRing::id_of(&key).unwrap(), KeyRing::id_of(&key).unwrap());
        assert_eq!(KeyRing::id_of(&key).unwrap().to_string().len(), 16);
        assert!(KeyRing::new(&SecretString::new("c2hvcnQ"), &[]).is_err());
        let ring = KeyRing::new(&key, &[key.clone()]).unwrap();
        assert_eq!(ring.ids().len(), 1, "a duplicate older key is dropped");
        assert!(!format!("{ring:?}").contains(key.expose()));
    }
}
