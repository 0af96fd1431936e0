//! Password hashing with argon2id (PHC strings, parameters stored with each hash).

use argon2::{Argon2, PasswordHash, PasswordHasher, PasswordVerifier};

/// An empty string only if the system's random source fails, which no password then matches.
pub(crate) fn hash(password: &str) -> String {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .unwrap_or_default()
}

pub(crate) fn verify(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored).is_ok_and(|parsed| {
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
}
