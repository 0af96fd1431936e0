//! Sign-in, sessions, lockout and personal API tokens.
//!
//! Cookie values and API tokens are 256-bit random strings; only their SHA-256 is stored.
//! Every sign-in, failed or not, is written to the audit log.

use crate::{App, AppError, Caller, Result, password};
use base64::Engine;
use chrono::Duration;
use hearth_core::Invalid;
use hearth_core::permission::Permission;
use hearth_core::user::{User, UserStatus};
use hearth_store::api_tokens::{self, ApiToken};
use hearth_store::audit::{self, Actor, NewEvent};
use hearth_store::sessions::{self, Session};
use hearth_store::{Tx, users};
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

impl App {
    /// Checks the password and opens a session, or counts the failure and locks the account
    /// after too many in a row.
    pub async fn sign_in(&self, username: &str, password: &str) -> Result<SignedIn> {
        let now = hearth_store::now();
        let mut tx = self.store().write().await?;
        let Some((mut user, stored)) = users::by_username_for_update(&mut tx, username).await?
        else {
            password::verify(password, decoy_hash());
            let typed: String = username.trim().chars().take(64).collect();
            log(
                &mut tx,
                &Actor {
                    id: None,
                    name: typed,
                    role: String::new(),
                },
                "sign_in_failed",
                String::new(),
                serde_json::json!({"reason": "unknown_user"}),
            )
            .await?;
            tx.commit().await?;
            return Err(AppError::BadCredentials);
        };
        let actor = Caller::new(user.clone()).actor();
        if let Some(until) = user.locked_until.filter(|until| *until > now) {
            log(
                &mut tx,
                &actor,
                "sign_in_failed",
                user.id.to_string(),
                serde_json::json!({"reason": "locked"}),
            )
            .await?;
            tx.commit().await?;
            return Err(AppError::Locked(until));
        }
        if !password::verify(password, &stored) {
            user.failed_logins += 1;
            let locked = user.failed_logins >= self.policy().max_failed_logins;
            if locked {
                user.locked_until = Some(now + span(self.policy().lockout));
                user.failed_logins = 0;
            }
            user.updated_at = now;
            users::update(&mut tx, &user).await?;
            let detail = serde_json::json!({"reason": "wrong_password", "locked": locked});
            log(
                &mut tx,
                &actor,
                "sign_in_failed",
                user.id.to_string(),
                detail,
            )
            .await?;
            tx.commit().await?;
            return Err(match user.locked_until {
                Some(until) if locked => AppError::Locked(until),
                _ => AppError::BadCredentials,
            });
        }
        if user.status == UserStatus::Disabled {
            log(
                &mut tx,
                &actor,
                "sign_in_failed",
                user.id.to_string(),
                serde_json::json!({"reason": "disabled"}),
            )
            .await?;
            tx.commit().await?;
            return Err(AppError::Disabled);
        }
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
            &actor,
            "sign_in",
            user.id.to_string(),
            serde_json::json!({}),
        )
        .await?;
        tx.commit().await?;
        Ok(SignedIn {
            token,
            csrf_token: session.csrf_token,
            user,
        })
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
