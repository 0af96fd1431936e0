//! Sign-in, sessions, lockout and personal API tokens.
//!
//! Cookie values and API tokens are 256-bit random strings; only their SHA-256 is stored.
//! Every sign-in, failed or not, is written to the audit log.

use crate::users::Operator;
use crate::{App, AppError, Caller, Result, password, totp};
use base64::Engine;
use chrono::Duration;
use hearth_core::Invalid;
use hearth_core::permission::Permission;
use hearth_core::user::{User, UserStatus};
use hearth_store::api_tokens::{self, ApiToken};
use hearth_store::audit::{self, Actor, NewEvent};
use hearth_store::crypto::Slot;
use hearth_store::sessions::{self, Session};
use hearth_store::{Tx, sign_in_guard, users};
use rand::RngCore;
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// The prefix that marks a Hearth API token, so a leaked one is recognisable.
pub const API_TOKEN_PREFIX: &str = "hth_";

/// A new browser session: the cookie value (shown once, never stored) and its CSRF token.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub token: String,
    pub csrf_token: String,
    pub user: User,
}

pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

fn span(d: std::time::Duration) -> Duration {
    Duration::from_std(d).unwrap_or(Duration::MAX)
}

/// Verified against when the user name is unknown, so the answer takes as long either way.
fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| password::hash("decoy password never matches"))
}

/// Administrators and the county, city and province heads, who must use a second factor
/// where the deployment requires it.
fn needs_second_factor(user: &User) -> bool {
    use hearth_core::role::Role::{CityAdmin, CountyAdmin, ProvinceAdmin};
    user.role.is_administrator() || matches!(user.role, CountyAdmin | CityAdmin | ProvinceAdmin)
}

fn totp_slot(row: &str) -> Slot<'_> {
    Slot {
        table: "user_totp",
        row,
        field: "secret",
    }
}

/// A refused sign-in of a known account, in the audit log.
async fn refuse(tx: &mut Tx, actor: &Actor, user: &User, reason: &str) -> Result<()> {
    let detail = serde_json::json!({ "reason": reason });
    log(tx, actor, "sign_in_failed", user.id.to_string(), detail).await
}

async fn log(
    tx: &mut Tx,
    actor: &Actor,
    action: &str,
    user_id: String,
    detail: serde_json::Value,
) -> Result<()> {
    audit::append(
        tx,
        NewEvent {
            actor,
            action,
            record_type: "user",
            record_id: user_id,
            detail,
            reason: String::new(),
        },
    )
    .await?;
    Ok(())
}

/// What a person typed to sign in; `totp_code` only when their account has a second factor.
#[derive(Debug, Clone, Copy, Default)]
pub struct SignInAttempt<'a> {
    pub username: &'a str,
    pub password: &'a str,
    pub totp_code: Option<&'a str>,
}

/// Whether a client address may try to sign in now (see [`App::sign_in_throttle`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Throttle {
    Allowed,
    Refused { retry_after: std::time::Duration },
}

/// The outcome of the second-factor check.
enum SecondFactor {
    Passed,
    Missing,
    Wrong,
    NotEnrolled,
}

/// A new second factor: the secret to type into an authenticator app, once.
#[derive(Debug, Clone)]
pub struct TotpEnrolment {
    pub secret_base32: String,
    pub uri: String,
}

impl TotpEnrolment {
    pub(crate) fn of(username: &str, secret: &[u8]) -> TotpEnrolment {
        TotpEnrolment {
            secret_base32: totp::base32(secret),
            uri: totp::otpauth_uri("Hearth", username, secret),
        }
    }
}

/// Where a browser sign-in stands after a step.
#[derive(Debug, Clone)]
pub enum SignInStep {
    Done(Box<SignedIn>),
    /// The password was right; a one-time code comes next, sent with this sealed token. See
    /// [`App::pending_sign_in`] for what the step shows.
    CodeNeeded {
        pending: String,
    },
}

/// What has been proven before the second factor.
#[derive(Clone, Copy)]
enum Proof<'a> {
    Password(&'a str),
    /// The password, earlier in this sign-in (a pending token says so).
    Pending,
}

enum Outcome {
    Done(SignedIn),
    CodeNeeded(User),
    EnrolmentNeeded(User),
}

impl App {
    /// Checks the password and opens a session, or counts the failure and locks the account
    /// after too many in a row.
    pub async fn sign_in(&self, username: &str, password: &str) -> Result<SignedIn> {
        self.sign_in_with(SignInAttempt {
            username,
            password,
            totp_code: None,
        })
        .await
    }

    /// [`App::sign_in`] with a one-time code, for accounts that have a second factor.
    pub async fn sign_in_with(&self, attempt: SignInAttempt<'_>) -> Result<SignedIn> {
        let outcome = self
            .attempt_sign_in(
                attempt.username,
                Proof::Password(attempt.password),
                attempt.totp_code,
                None,
            )
            .await?;
        match outcome {
            Outcome::Done(signed_in) => Ok(signed_in),
            Outcome::CodeNeeded(_) => Err(Invalid::new("totp_code", "totp.required").into()),
            Outcome::EnrolmentNeeded(_) => {
                Err(Invalid::new("totp_code", "totp.enrolment_required").into())
            }
        }
    }

    /// The first step of a sign-in in the browser: the password. An account with a second
    /// factor goes on to a code step; an administrator who must have one and has none sets one
    /// up there and then. The step between carries a sealed, short-lived token.
    pub async fn sign_in_step(&self, username: &str, password: &str) -> Result<SignInStep> {
        let outcome = self
            .attempt_sign_in(username, Proof::Password(password), None, None)
            .await?;
        self.next_step(outcome, None)
    }

    /// The code step of a browser sign-in, with the token [`App::sign_in_step`] gave.
    pub async fn finish_sign_in(&self, pending: &str, code: &str) -> Result<SignInStep> {
        let opened = self.open_pending_sign_in(pending)?;
        let outcome = self
            .attempt_sign_in(
                &opened.username,
                Proof::Pending,
                Some(code),
                opened.enrolling.as_deref(),
            )
            .await?;
        self.next_step(outcome, opened.enrolling)
    }

    fn next_step(&self, outcome: Outcome, enrolling: Option<Vec<u8>>) -> Result<SignInStep> {
        Ok(match outcome {
            Outcome::Done(signed_in) => SignInStep::Done(Box::new(signed_in)),
            Outcome::CodeNeeded(user) => SignInStep::CodeNeeded {
                pending: self.seal_pending_sign_in(&user, enrolling.as_deref())?,
            },
            Outcome::EnrolmentNeeded(user) => {
                let secret = enrolling.unwrap_or_else(totp::new_secret);
                SignInStep::CodeNeeded {
                    pending: self.seal_pending_sign_in(&user, Some(&secret))?,
                }
            }
        })
    }

    /// Checks who is signing in, then their second factor, and opens a session when both pass.
    /// `enrolling` is a secret being set up in this very sign-in, stored once a code matches.
    async fn attempt_sign_in(
        &self,
        username: &str,
        proof: Proof<'_>,
        code: Option<&str>,
        enrolling: Option<&[u8]>,
    ) -> Result<Outcome> {
        let now = hearth_store::now();
        let mut tx = self.store().write().await?;
        let Some((user, stored)) = users::by_username_for_update(&mut tx, username).await? else {
            if let Proof::Password(typed) = proof {
                password::verify(typed, decoy_hash());
            }
            let typed: String = username.trim().chars().take(64).collect();
            let nobody = Actor {
                id: None,
                name: typed,
                role: String::new(),
            };
            let detail = serde_json::json!({"reason": "unknown_user"});
            log(&mut tx, &nobody, "sign_in_failed", String::new(), detail).await?;
            tx.commit().await?;
            return Err(AppError::BadCredentials);
        };
        let actor = Caller::new(user.clone()).actor();
        if let Some(until) = user.locked_until.filter(|until| *until > now) {
            refuse(&mut tx, &actor, &user, "locked").await?;
            tx.commit().await?;
            return Err(AppError::Locked(until));
        }
        if let Proof::Password(typed) = proof
            && !password::verify(typed, &stored)
        {
            return self
                .count_failure(tx, &actor, user, "wrong_password", now)
                .await
                .map(Outcome::Done);
        }
        if user.status == UserStatus::Disabled {
            refuse(&mut tx, &actor, &user, "disabled").await?;
            tx.commit().await?;
            return Err(AppError::Disabled);
        }
        let factor = self
            .second_factor(&mut tx, &user, code, now, enrolling)
            .await?;
        let outcome = match factor {
            SecondFactor::Passed => return self.open_session(tx, &actor, user, now).await,
            SecondFactor::Wrong => {
                return self
                    .count_failure(tx, &actor, user, "wrong_totp", now)
                    .await
                    .map(Outcome::Done);
            }
            SecondFactor::Missing => {
                refuse(&mut tx, &actor, &user, "totp_missing").await?;
                Outcome::CodeNeeded(user)
            }
            SecondFactor::NotEnrolled => {
                refuse(&mut tx, &actor, &user, "totp_not_enrolled").await?;
                Outcome::EnrolmentNeeded(user)
            }
        };
        tx.commit().await?;
        Ok(outcome)
    }

    async fn open_session(
        &self,
        mut tx: Tx,
        actor: &Actor,
        mut user: User,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<Outcome> {
        user.failed_logins = 0;
        user.locked_until = None;
        user.last_login_at = Some(now);
        user.updated_at = now;
        users::update(&mut tx, &user).await?;
        let token = random_token();
        let session = Session {
            token_hash: token_hash(&token),
            user_id: user.id,
            csrf_token: random_token(),
            created_at: now,
            last_seen_at: now,
            expires_at: now + span(self.policy().session_absolute),
        };
        sessions::insert(&mut tx, &session).await?;
        log(
            &mut tx,
            actor,
            "sign_in",
            user.id.to_string(),
            serde_json::json!({}),
        )
        .await?;
        tx.commit().await?;
        Ok(Outcome::Done(SignedIn {
            token,
            csrf_token: session.csrf_token,
            user,
        }))
    }

    /// One more failure in a row for the account, which locks it at the policy's limit.
    async fn count_failure(
        &self,
        mut tx: Tx,
        actor: &Actor,
        mut user: User,
        reason: &str,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<SignedIn> {
        user.failed_logins += 1;
        let locked = user.failed_logins >= self.policy().max_failed_logins;
        if locked {
            user.locked_until = Some(now + span(self.policy().lockout));
            user.failed_logins = 0;
        }
        user.updated_at = now;
        users::update(&mut tx, &user).await?;
        let detail = serde_json::json!({"reason": reason, "locked": locked});
        log(
            &mut tx,
            actor,
            "sign_in_failed",
            user.id.to_string(),
            detail,
        )
        .await?;
        tx.commit().await?;
        Err(match user.locked_until {
            Some(until) if locked => AppError::Locked(until),
            _ if reason == "wrong_totp" => Invalid::new("totp_code", "totp.wrong").into(),
            _ => AppError::BadCredentials,
        })
    }

    async fn second_factor(
        &self,
        tx: &mut Tx,
        user: &User,
        code: Option<&str>,
        now: chrono::DateTime<chrono::Utc>,
        enrolling: Option<&[u8]>,
    ) -> Result<SecondFactor> {
        let stored = sign_in_guard::totp(tx, user.id).await?;
        let secret = match (&stored, enrolling) {
            (Some(stored), _) => self.totp_secret(stored)?,
            (None, Some(secret)) => secret.to_vec(),
            (None, None) => {
                let required = self.policy().require_totp_for_admins && needs_second_factor(user);
                return Ok(if required {
                    SecondFactor::NotEnrolled
                } else {
                    SecondFactor::Passed
                });
            }
        };
        let Some(code) = code.filter(|c| !c.trim().is_empty()) else {
            return Ok(SecondFactor::Missing);
        };
        let Some(step) = totp::matching_step(&secret, code, now.timestamp()) else {
            return Ok(SecondFactor::Wrong);
        };
        if stored.is_none() {
            let actor = Caller::new(user.clone()).actor();
            self.store_totp(tx, &actor, user.id, &secret, Some((now, step)))
                .await?;
            return Ok(SecondFactor::Passed);
        }
        Ok(if sign_in_guard::use_step(tx, user.id, step, now).await? {
            SecondFactor::Passed
        } else {
            SecondFactor::Wrong
        })
    }

    fn totp_secret(&self, stored: &sign_in_guard::Totp) -> Result<Vec<u8>> {
        let row = stored.user_id.to_string();
        let opened = self.cipher()?.open(totp_slot(&row), &stored.secret)?;
        hex::decode(opened)
            .map_err(|e| AppError::Store(hearth_store::StoreError::Corrupt(e.to_string())))
    }

    /// Gives the account a new second factor (replacing any old one); from the console, by an
    /// operator who hands the secret to its owner. Needs the key file, which seals the secret.
    pub async fn enrol_totp(&self, by: Operator<'_>, username: &str) -> Result<TotpEnrolment> {
        by.require(Permission::ManageUsers)?;
        let secret = totp::new_secret();
        let mut tx = self.store().write().await?;
        let (user, _) = users::by_username(&mut tx, username)
            .await?
            .ok_or(AppError::NotFound)?;
        self.store_totp(&mut tx, &by.actor(), user.id, &secret, None)
            .await?;
        tx.commit().await?;
        Ok(TotpEnrolment::of(user.username.as_str(), &secret))
    }

    /// Seals and stores a user's second factor, replacing any old one. `confirmed` is the
    /// moment and step of the code that proved the owner's app has it, when there was one.
    pub(crate) async fn store_totp(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        user_id: Uuid,
        secret: &[u8],
        confirmed: Option<(chrono::DateTime<chrono::Utc>, i64)>,
    ) -> Result<()> {
        let row = user_id.to_string();
        let stored = sign_in_guard::Totp {
            user_id,
            secret: self.cipher()?.seal(totp_slot(&row), &hex::encode(secret)),
            confirmed_at: confirmed.map(|(at, _)| at),
            last_step: confirmed.map_or(0, |(_, step)| step),
            created_at: hearth_store::now(),
        };
        sign_in_guard::put_totp(tx, &stored).await?;
        log(tx, actor, "totp_enrolled", row, serde_json::json!({})).await
    }

    /// Whether `client` (an IP address) may try to sign in: refused for the rest of the window
    /// once it has failed [`Policy::client_failures`] times within it, on any server.
    pub async fn sign_in_throttle(&self, client: &str) -> Result<Throttle> {
        let now = hearth_store::now();
        let window = span(self.policy().client_window);
        let mut tx = self.store().read().await?;
        let failures = sign_in_guard::failures_since(&mut tx, client, now - window).await?;
        if failures < self.policy().client_failures {
            return Ok(Throttle::Allowed);
        }
        let oldest = sign_in_guard::oldest_failure_since(&mut tx, client, now - window)
            .await?
            .unwrap_or(now);
        let wait = (oldest + window - now).to_std().unwrap_or_default();
        Ok(Throttle::Refused {
            retry_after: wait.max(std::time::Duration::from_secs(1)),
        })
    }

    /// Counts a failed sign-in from `client`, and forgets failures too old to count.
    pub async fn note_sign_in_failure(&self, client: &str) -> Result<()> {
        let now = hearth_store::now();
        let mut tx = self.store().write().await?;
        sign_in_guard::record_failure(&mut tx, client, now).await?;
        sign_in_guard::forget_failures(&mut tx, now - span(self.policy().client_window)).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The caller behind a session cookie, if the session is live and the account active.
    pub async fn session(&self, token: &str) -> Result<(Caller, Session)> {
        let now = hearth_store::now();
        let hash = token_hash(token);
        let mut tx = self.store().read().await?;
        let session = sessions::get(&mut tx, &hash)
            .await?
            .ok_or(AppError::Unauthenticated)?;
        let idle_deadline = session.last_seen_at + span(self.policy().session_idle);
        if session.expires_at <= now || idle_deadline <= now {
            drop(tx);
            self.end_session(token).await?;
            return Err(AppError::Unauthenticated);
        }
        let user = users::get(&mut tx, session.user_id)
            .await?
            .ok_or(AppError::Unauthenticated)?;
        drop(tx);
        if user.status != UserStatus::Active {
            return Err(AppError::Unauthenticated);
        }
        // Refresh the idle clock at most once a minute: a page view need not be a write.
        if now - session.last_seen_at > Duration::seconds(60) {
            let mut tx = self.store().write().await?;
            sessions::touch(&mut tx, &hash, now).await?;
            tx.commit().await?;
        }
        Ok((Caller::new(user), session))
    }

    async fn end_session(&self, token: &str) -> Result<()> {
        let mut tx = self.store().write().await?;
        sessions::delete(&mut tx, &token_hash(token)).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn sign_out(&self, caller: &Caller, token: &str) -> Result<()> {
        let mut tx = self.store().write().await?;
        sessions::delete(&mut tx, &token_hash(token)).await?;
        log(
            &mut tx,
            &caller.actor(),
            "sign_out",
            caller.user.id.to_string(),
            serde_json::json!({}),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The caller behind an `Authorization: Bearer hth_…` header.
    pub async fn api_token_caller(&self, token: &str) -> Result<Caller> {
        let now = hearth_store::now();
        let mut tx = self.store().read().await?;
        let stored = api_tokens::by_hash(&mut tx, &token_hash(token))
            .await?
            .ok_or(AppError::Unauthenticated)?;
        let live = stored.revoked_at.is_none() && stored.expires_at.is_none_or(|at| at > now);
        let user = users::get(&mut tx, stored.user_id)
            .await?
            .ok_or(AppError::Unauthenticated)?;
        drop(tx);
        if !live || user.status != UserStatus::Active {
            return Err(AppError::Unauthenticated);
        }
        if stored
            .last_used_at
            .is_none_or(|at| now - at > Duration::seconds(60))
        {
            let mut tx = self.store().write().await?;
            api_tokens::touch(&mut tx, stored.id, now).await?;
            tx.commit().await?;
        }
        Ok(Caller::new(user))
    }

    /// Creates a personal token; the returned string is shown once and never again.
    pub async fn create_api_token(
        &self,
        caller: &Caller,
        name: &str,
        valid_days: Option<u32>,
    ) -> Result<(ApiToken, String)> {
        caller.require(Permission::UseApiTokens)?;
        let name = name.trim();
        if name.is_empty() {
            return Err(Invalid::new("name", "field.required").into());
        }
        if name.chars().count() > 50 {
            return Err(Invalid::new("name", "field.too_long")
                .arg("max", 50)
                .arg("len", name.chars().count())
                .into());
        }
        if valid_days.is_some_and(|d| d == 0 || d > 366) {
            return Err(Invalid::new("valid_days", "token.valid_days").into());
        }
        let now = hearth_store::now();
        let raw = format!("{API_TOKEN_PREFIX}{}", random_token());
        let token = ApiToken {
            id: Uuid::now_v7(),
            user_id: caller.user.id,
            name: name.to_owned(),
            token_hash: token_hash(&raw),
            created_at: now,
            last_used_at: None,
            expires_at: valid_days.map(|d| now + Duration::days(d.into())),
            revoked_at: None,
        };
        let mut tx = self.store().write().await?;
        api_tokens::insert(&mut tx, &token).await?;
        let detail = serde_json::json!({"token": token.id.to_string(), "name": token.name});
        log(
            &mut tx,
            &caller.actor(),
            "api_token_created",
            caller.user.id.to_string(),
            detail,
        )
        .await?;
        tx.commit().await?;
        Ok((token, raw))
    }

    pub async fn api_tokens(&self, caller: &Caller) -> Result<Vec<ApiToken>> {
        let mut tx = self.store().read().await?;
        Ok(api_tokens::for_user(&mut tx, caller.user.id).await?)
    }

    pub async fn revoke_api_token(&self, caller: &Caller, id: Uuid) -> Result<()> {
        let mut tx = self.store().write().await?;
        if !api_tokens::revoke(&mut tx, caller.user.id, id, hearth_store::now()).await? {
            return Err(AppError::NotFound);
        }
        let detail = serde_json::json!({"token": id.to_string()});
        log(
            &mut tx,
            &caller.actor(),
            "api_token_revoked",
            caller.user.id.to_string(),
            detail,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The user changes their own password; all their sessions end, this one included, so they
    /// sign in again with the new password.
    pub async fn change_password(&self, caller: &Caller, current: &str, new: &str) -> Result<()> {
        hearth_core::user::check_password(new, caller.user.username.as_str())?;
        let mut tx = self.store().write().await?;
        let (_, stored) = users::by_username(&mut tx, caller.user.username.as_str())
            .await?
            .ok_or(AppError::NotFound)?;
        if !password::verify(current, &stored) {
            return Err(Invalid::new("current_password", "user.password_wrong").into());
        }
        users::set_password(&mut tx, caller.user.id, &password::hash(new), false).await?;
        sessions::delete_for_user(&mut tx, caller.user.id).await?;
        log(
            &mut tx,
            &caller.actor(),
            "password_changed",
            caller.user.id.to_string(),
            serde_json::json!({}),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
