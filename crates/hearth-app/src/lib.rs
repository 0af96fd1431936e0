//! Hearth's use cases. Each one checks the caller's permission and scope, applies the domain
//! rules and runs in one store transaction that also appends to the audit log. The web pages,
//! the JSON API and the command line call only this crate.
//!
//! Error policy: every use case returns [`AppError`]; the web layer maps it to HTTP in one place
//! and the CLI prints it. Invalid input is never stored in part.

pub mod areas;
pub mod attachments;
pub mod audit_log;
pub mod auth;
pub mod campaigns;
pub mod cash_aid;
pub mod catalogue;
pub mod corrections;
pub mod cultivation;
pub mod dashboard;
pub mod deliveries;
pub mod demo;
pub mod distributions;
pub mod donations;
pub mod error;
pub mod exports;
pub mod handover_files;
pub mod households;
pub mod identity;
pub mod imports;
pub mod ledger;
pub mod matching;
pub mod needs;
pub mod organizations;
pub mod pledges;
pub mod purchases;
pub mod reallocations;
pub mod reconciliation;
pub mod returns;
pub mod stock;
pub mod todo;
pub mod users;
pub mod visits;
pub mod waybills;

mod caller;
mod password;
pub mod totp;
pub mod totp_enrolment;

pub use caller::Caller;
pub use error::AppError;
pub use hearth_store::Store;
use hearth_store::crypto::FieldCipher;
use hearth_store::keys::KeyRing;

use std::time::Duration;

pub type Result<T, E = AppError> = std::result::Result<T, E>;

/// Security settings of a deployment (MLPS 2.0 defaults).
#[derive(Debug, Clone)]
pub struct Policy {
    /// A session unused this long ends.
    pub session_idle: Duration,
    /// A session ends this long after sign-in, used or not.
    pub session_absolute: Duration,
    /// Failed sign-ins in a row that lock the account.
    pub max_failed_logins: i64,
    /// How long a locked account stays locked.
    pub lockout: Duration,
    /// Years a household record is kept after its last change before `hearth purge` anonymises it.
    pub retention_years: u32,
    /// Administrators (the three and the county's) must sign in with a one-time code as well.
    pub require_totp_for_admins: bool,
    /// Failed sign-ins from one client address, within [`Policy::client_window`], after which
    /// that address is refused until the window has passed.
    pub client_failures: i64,
    pub client_window: Duration,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            session_idle: Duration::from_secs(30 * 60),
            session_absolute: Duration::from_secs(12 * 60 * 60),
            max_failed_logins: 5,
            lockout: Duration::from_secs(15 * 60),
            retention_years: 3,
            require_totp_for_admins: false,
            client_failures: 20,
            client_window: Duration::from_secs(15 * 60),
        }
    }
}

/// The application: the store, the policy it runs under, and the keys that protect personal data.
#[derive(Debug, Clone)]
pub struct App {
    store: Store,
    policy: Policy,
    cipher: Option<FieldCipher>,
    /// The last ledger journal built, trusted only at the database's head (see [`ledger`]).
    ledger: ledger::LedgerCache,
    /// The dashboards' counts at the database's latest heads (see [`dashboard::counts`]).
    counts: dashboard::counts::CountsCache,
}

impl App {
    pub fn new(store: Store, policy: Policy) -> App {
        App {
            store,
            policy,
            cipher: None,
            ledger: ledger::LedgerCache::default(),
            counts: dashboard::counts::CountsCache::default(),
        }
    }

    /// Enables the use cases that store personal data, under these keys.
    pub fn with_keys(mut self, keys: KeyRing) -> App {
        self.cipher = Some(FieldCipher::new(keys));
        self
    }

    /// The keys, or a clear refusal when the server was started without them.
    pub(crate) fn cipher(&self) -> Result<&FieldCipher> {
        self.cipher.as_ref().ok_or(AppError::KeysMissing)
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn policy(&self) -> &Policy {
        &self.policy
    }
}

/// Today's date where the county is (forms and ages use the local calendar).
pub fn today() -> chrono::NaiveDate {
    chrono::Utc::now()
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .date_naive()
}
