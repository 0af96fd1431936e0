//! Field encryption and blind indexes: the one interface behind which the algorithms live, so a
//! deployment that must use SM4/SM3 (国密) changes this file and nothing else.
//!
//! A sealed value is `v1.<key id>.<nonce>.<ciphertext>` (base64url): AES-256-GCM under the named
//! key, with associated data binding it to its table, row and field, so a value copied into
//! another row or field does not open. A blind index is HMAC-SHA256 under a key derived from the
//! current key: equal inputs give equal indexes (exact search, uniqueness) without storing them.

use crate::keys::{Key, KeyRing};
use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CryptoError {
    #[error("the stored value is not in the sealed format")]
    Format,
    #[error("the value was sealed with key `{0}`, which the key file no longer holds")]
    UnknownKey(String),
    #[error("the value does not open: altered, moved to another record, or the wrong key file")]
    Open,
}

/// Where a sealed value belongs; part of the associated data.
#[derive(Debug, Clone, Copy)]
pub struct Slot<'a> {
    pub table: &'a str,
    pub row: &'a str,
    pub field: &'a str,
}

impl Slot<'_> {
    fn aad(&self) -> String {
        format!("hearth:{}:{}:{}", self.table, self.row, self.field)
    }
}

#[derive(Clone)]
pub struct FieldCipher {
    ring: KeyRing,
    /// HMAC under the blind-index key with its key schedule done once: every index clones it.
    index_mac: Hmac<Sha256>,
}

impl std::fmt::Debug for FieldCipher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "FieldCipher(current key {})", self.ring.current().id)
    }
}

fn derive_index_key(key: &Key) -> [u8; 32] {
    let mut mac = <Hmac<Sha256>>::new_from_slice(&key.bytes)
        .unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
    mac.update(b"hearth blind index v1");
    mac.finalize().into_bytes().into()
}

impl FieldCipher {
    pub fn new(ring: KeyRing) -> FieldCipher {
        let index_mac = <Hmac<Sha256>>::new_from_slice(&derive_index_key(ring.current()))
            .unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
        FieldCipher { ring, index_mac }
    }

    pub fn current_key_id(&self) -> &str {
        &self.ring.current().id
    }

    pub fn seal(&self, slot: Slot<'_>, plaintext: &str) -> String {
        let key = self.ring.current();
        let cipher = Aes256Gcm::new(&key.bytes.into());
        let mut nonce = [0u8; 12];
        rand::rng().fill_bytes(&mut nonce);
        let aad = slot.aad();
        // Encryption fails only for inputs beyond GCM's 64 GiB limit, far above any field.
        let sealed = cipher
            .encrypt(
                &Nonce::from(nonce),
                Payload {
                    msg: plaintext.as_bytes(),
                    aad: aad.as_bytes(),
                },
            )
            .unwrap_or_else(|_| unreachable!("a field is far below the AES-GCM size limit"));
        format!("v1.{}.{}.{}", key.id, B64.encode(nonce), B64.encode(sealed))
    }

    pub fn open(&self, slot: Slot<'_>, sealed: &str) -> Result<String, CryptoError> {
        let mut parts = sealed.split('.');
        let (Some("v1"), Some(key_id), Some(nonce), Some(body), None) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        ) else {
            return Err(CryptoError::Format);
        };
        let key = self
            .ring
            .keys
            .iter()
            .find(|k| k.id == key_id)
            .ok_or_else(|| CryptoError::UnknownKey(key_id.to_owned()))?;
        let nonce: [u8; 12] = B64
            .decode(nonce)
            .ok()
            .and_then(|n| n.try_into().ok())
            .ok_or(CryptoError::Format)?;
        let body = B64.decode(body).map_err(|_| CryptoError::Format)?;
        let aad = slot.aad();
        let plain = Aes256Gcm::new(&key.bytes.into())
            .decrypt(
                &Nonce::from(nonce),
                Payload {
                    msg: &body,
                    aad: aad.as_bytes(),
                },
            )
            .map_err(|_| CryptoError::Open)?;
        String::from_utf8(plain).map_err(|_| CryptoError::Open)
    }

    /// The key id a sealed value names, to find values still under a retired key.
    pub fn key_of(sealed: &str) -> Option<&str> {
        sealed.strip_prefix("v1.")?.split('.').next()
    }

    /// An exact-match index of `value` for the kind of value (`id_number`, `phone` …).
    pub fn blind_index(&self, kind: &str, value: &str) -> String {
        hex::encode(self.index_mac_of(kind, value))
    }

    /// A blind index cut to its first 64 bits, for keys that are many per record and only
    /// narrow a search (identity resolution's blocking keys): a collision costs a comparison.
    pub fn blind_key(&self, kind: &str, value: &str) -> i64 {
        let mac = self.index_mac_of(kind, value);
        let mut first = [0u8; 8];
        first.copy_from_slice(&mac[..8]);
        i64::from_be_bytes(first)
    }

    fn index_mac_of(&self, kind: &str, value: &str) -> [u8; 32] {
        let mut mac = self.index_mac.clone();
        mac.update(kind.as_bytes());
        mac.update(&[0]);
        mac.update(value.as_bytes());
        mac.finalize().into_bytes().into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ring(ids: &[(&str, u8)]) -> KeyRing {
        KeyRing {
            keys: ids
                .iter()
                .map(|(id, b)| Key {
                    id: (*id).to_owned(),
                    bytes: [*b; 32],
                })
                .collect(),
        }
    }

    const SLOT: Slot<'static> = Slot {
        table: "household",
        row: "r1",
        field: "id_number",
    };

    #[test]
    fn sealed_values_open_only_in_their_slot() {
        let cipher = FieldCipher::new(ring(&[("k1", 7)]));
        let sealed = cipher.seal(SLOT, "340123199003071234");
        assert!(!sealed.contains("340123199003071234"));
        assert_eq!(
            cipher.open(SLOT, &sealed).as_deref(),
            Ok("340123199003071234")
        );
        let elsewhere = Slot { row: "r2", ..SLOT };
        assert_eq!(cipher.open(elsewhere, &sealed), Err(CryptoError::Open));
        assert_ne!(
            cipher.seal(SLOT, "same"),
            cipher.seal(SLOT, "same"),
            "a fresh nonce each time"
        );
    }

    #[test]
    fn old_keys_still_open_after_rotation_and_unknown_keys_are_named() {
        let old = FieldCipher::new(ring(&[("k1", 7)]));
        let sealed = old.seal(SLOT, "13800138000");
        let rotated = FieldCipher::new(ring(&[("k1", 7), ("k2", 9)]));
        assert_eq!(rotated.current_key_id(), "k2");
        assert_eq!(rotated.open(SLOT, &sealed).as_deref(), Ok("13800138000"));
        let retired = FieldCipher::new(ring(&[("k2", 9)]));
        assert_eq!(
            retired.open(SLOT, &sealed),
            Err(CryptoError::UnknownKey("k1".into()))
        );
        assert_eq!(retired.open(SLOT, "garbage"), Err(CryptoError::Format));
    }

    #[test]
    fn blind_indexes_match_equal_values_only() {
        let cipher = FieldCipher::new(ring(&[("k1", 7)]));
        assert_eq!(
            cipher.blind_index("id_number", "a"),
            cipher.blind_index("id_number", "a")
        );
        assert_ne!(
            cipher.blind_index("id_number", "a"),
            cipher.blind_index("phone", "a")
        );
        assert_ne!(
            cipher.blind_index("id_number", "a"),
            cipher.blind_index("id_number", "b")
        );
    }
}
