//! Setting up a second factor from the browser, and the code step of a browser sign-in.
//!
//! Nothing is stored until a code from the person's app matches: the new secret travels
//! between the two requests sealed (AES-GCM under the deployment key, bound to its purpose
//! and owner, with an expiry), so an abandoned set-up leaves no half-enrolled account.

use crate::auth::TotpEnrolment;
use crate::{App, AppError, Caller, Result, totp};
use hearth_core::Invalid;
use hearth_core::user::User;
use hearth_store::crypto::Slot;
use hearth_store::sign_in_guard;
use serde::{Deserialize, Serialize};

/// How long a code step or a set-up page stays usable.
const PENDING_SECS: i64 = 10 * 60;

/// What a sealed token holds: whose it is, until when, and a secret being set up.
#[derive(Serialize, Deserialize)]
struct Sealed {
    user: String,
    expires: i64,
    secret: Option<String>,
}

/// A browser sign-in between its password and its code.
pub(crate) struct PendingSignIn {
    pub username: String,
    pub enrolling: Option<Vec<u8>>,
}

/// What the code step of a sign-in shows: a new secret to add to an app, when the account
/// must set one up now.
#[derive(Debug, Clone)]
pub struct CodeStep {
    pub username: String,
    pub enrolment: Option<TotpEnrolment>,
}

/// A set-up begun on the account page: the token to send back with the first code.
#[derive(Debug, Clone)]
pub struct PendingTotp {
    pub token: String,
    pub enrolment: TotpEnrolment,
}

const SIGN_IN_SLOT: Slot<'static> = Slot {
    table: "sign_in",
    row: "pending",
    field: "step",
};

fn enrolment_slot(user_id: &str) -> Slot<'_> {
    Slot {
        table: "user_totp",
        row: user_id,
        field: "pending",
    }
}

fn expired() -> AppError {
    Invalid::new("totp_code", "totp_web.expired").into()
}

impl App {
    fn seal_step(&self, slot: Slot<'_>, user: &str, secret: Option<&[u8]>) -> Result<String> {
        let sealed = Sealed {
            user: user.to_owned(),
            expires: hearth_store::now().timestamp() + PENDING_SECS,
            secret: secret.map(hex::encode),
        };
        let text = serde_json::to_string(&sealed).map_err(|_| expired())?;
        Ok(self.cipher()?.seal(slot, &text))
    }

    /// Opens a token sealed for `slot`; a forged, altered or expired one is refused alike.
    fn open_step(&self, slot: Slot<'_>, token: &str) -> Result<(String, Option<Vec<u8>>)> {
        let text = self.cipher()?.open(slot, token).map_err(|_| expired())?;
        let sealed: Sealed = serde_json::from_str(&text).map_err(|_| expired())?;
        if sealed.expires <= hearth_store::now().timestamp() {
            return Err(expired());
        }
        let secret = match sealed.secret {
            Some(hex_secret) => Some(hex::decode(hex_secret).map_err(|_| expired())?),
            None => None,
        };
        Ok((sealed.user, secret))
    }

    pub(crate) fn seal_pending_sign_in(
        &self,
        user: &User,
        secret: Option<&[u8]>,
    ) -> Result<String> {
        self.seal_step(SIGN_IN_SLOT, user.username.as_str(), secret)
    }

    pub(crate) fn open_pending_sign_in(&self, pending: &str) -> Result<PendingSignIn> {
        let (username, enrolling) = self.open_step(SIGN_IN_SLOT, pending)?;
        Ok(PendingSignIn {
            username,
            enrolling,
        })
    }

    /// What the code step of a sign-in shows, from its token.
    pub fn pending_sign_in(&self, pending: &str) -> Result<CodeStep> {
        let opened = self.open_pending_sign_in(pending)?;
        let enrolment = opened
            .enrolling
            .map(|secret| TotpEnrolment::of(&opened.username, &secret));
        Ok(CodeStep {
            username: opened.username,
            enrolment,
        })
    }

    /// Whether the caller's account asks for a one-time code at sign-in.
    pub async fn has_second_factor(&self, caller: &Caller) -> Result<bool> {
        let mut tx = self.store().read().await?;
        Ok(sign_in_guard::totp(&mut tx, caller.user.id)
            .await?
            .is_some())
    }

    /// A new secret for the caller's own authenticator app; stored only once confirmed.
    pub fn start_totp_enrolment(&self, caller: &Caller) -> Result<PendingTotp> {
        let secret = totp::new_secret();
        let row = caller.user.id.to_string();
        let token = self.seal_step(enrolment_slot(&row), &row, Some(&secret))?;
        Ok(PendingTotp {
            token,
            enrolment: TotpEnrolment::of(caller.user.username.as_str(), &secret),
        })
    }

    /// The secret of a set-up under way, to show again after a wrong code.
    pub fn totp_enrolment_in(&self, caller: &Caller, token: &str) -> Result<TotpEnrolment> {
        let secret = self.pending_secret(caller, token)?;
        Ok(TotpEnrolment::of(caller.user.username.as_str(), &secret))
    }

    fn pending_secret(&self, caller: &Caller, token: &str) -> Result<Vec<u8>> {
        let row = caller.user.id.to_string();
        match self.open_step(enrolment_slot(&row), token)? {
            (owner, Some(secret)) if owner == row => Ok(secret),
            _ => Err(expired()),
        }
    }

    /// Stores the set-up's secret once a code from the app matches it, replacing any older
    /// second factor; from then on sign-in asks for a code.
    pub async fn confirm_totp_enrolment(
        &self,
        caller: &Caller,
        token: &str,
        code: &str,
    ) -> Result<()> {
        let secret = self.pending_secret(caller, token)?;
        if code.trim().is_empty() {
            return Err(Invalid::new("totp_code", "totp.required").into());
        }
        let now = hearth_store::now();
        let step = totp::matching_step(&secret, code, now.timestamp())
            .ok_or_else(|| AppError::from(Invalid::new("totp_code", "totp.wrong")))?;
        let mut tx = self.store().write().await?;
        self.store_totp(
            &mut tx,
            &caller.actor(),
            caller.user.id,
            &secret,
            Some((now, step)),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
