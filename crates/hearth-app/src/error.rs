//! The one error type of the use cases.

use chrono::{DateTime, Utc};
use hearth_core::Invalid;
use hearth_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The input was refused; each entry names a field and the reason.
    #[error("invalid input: {}", .0.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("; "))]
    Invalid(Vec<Invalid>),
    /// The request clashes with what is stored (a duplicate, a stale edit).
    #[error("conflict: {0}")]
    Conflict(Invalid),
    #[error("not signed in")]
    Unauthenticated,
    #[error("wrong user name or password")]
    BadCredentials,
    #[error("the account is locked until {0}")]
    Locked(DateTime<Utc>),
    #[error("the account is disabled")]
    Disabled,
    #[error("not permitted")]
    Forbidden,
    #[error("not found")]
    NotFound,
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The server runs without its key file, so personal data can be neither stored nor read.
    #[error("no key file is loaded; start the server with --key-file")]
    KeysMissing,
    /// A stored value did not open under the key file (wrong or damaged key file, altered data).
    #[error("protected data could not be opened: {0}")]
    Crypto(#[from] hearth_store::crypto::CryptoError),
}

impl From<Invalid> for AppError {
    fn from(e: Invalid) -> Self {
        AppError::Invalid(vec![e])
    }
}
