//! Signing in: sessions, wrong passwords and lockout, disabled accounts, timeouts, and the
//! audit trail every attempt leaves.

use crate::common::{audit_log, caller, demo};
use chrono::Duration as Span;
use hearth_app::auth::token_hash;
use hearth_app::demo::DEMO_PASSWORD;
use hearth_app::users::Operator;
use hearth_app::{App, AppError, Policy};
use hearth_core::user::UserStatus;
use hearth_store::sessions;
use hearth_store::testing::{TestDb, each_backend};
use std::time::Duration;

#[tokio::test]
async fn signing_in_opens_a_session_that_the_cookie_resolves() {
    each_backend(async |db: &TestDb| {
        let app = demo(db).await;
        let signed = app.sign_in(" County ", DEMO_PASSWORD).await.unwrap();
        assert_eq!(signed.user.username.as_str(), "county");
        assert!(signed.user.last_login_at.is_some());
        let (caller, session) = app.session(&signed.token).await.unwrap();
        assert_eq!(caller.user.id, signed.user.id);
        assert_eq!(session.csrf_token, signed.csrf_token);
        assert_eq!(session.user_id, signed.user.id);

        // Only a hash of the cookie is stored.
        let mut tx = db.store.read().await.unwrap();
        assert!(
            sessions::get(&mut tx, &signed.token)
                .await
                .unwrap()
                .is_none()
        );
        assert!(
            sessions::get(&mut tx, &token_hash(&signed.token))
                .await
                .unwrap()
                .is_some()
        );
        drop(tx);

        // Another sign-in is another session; a made-up cookie is nobody.
        let second = app.sign_in("county", DEMO_PASSWORD).await.unwrap();
        assert_ne!(second.token, signed.token);
        assert!(matches!(
            app.session("not-a-cookie").await,
            Err(AppError::Unauthenticated)
        ));

        app.sign_out(&caller, &signed.token).await.unwrap();
        assert!(matches!(
            app.session(&signed.token).await,
            Err(AppError::Unauthenticated)
        ));
        assert!(
            app.session(&second.token).await.is_ok(),
            "signing out ends only that session"
        );
    })
    .await;
}

#[tokio::test]
async fn wrong_passwords_lock_the_account_even_for_the_right_one() {
    each_backend(async |db: &TestDb| {
        let app = demo(db).await;
        let max = app.policy().max_failed_logins;
        for attempt in 1..max {
            let err = app.sign_in("town", "wrong-password").await.unwrap_err();
            assert!(matches!(err, AppError::BadCredentials), "attempt {attempt}: {err:?}");
        }
        let before = hearth_store::now();
        let until = match app.sign_in("town", "wrong-password").await {
            Err(AppError::Locked(until)) => until,
            other => panic!("attempt {max} should lock the account: {other:?}"),
        };
        let lockout = Span::from_std(app.policy().lockout).unwrap();
        assert!(until >= before + lockout && until <= hearth_store::now() + lockout, "{until}");
        assert!(matches!(app.sign_in("town", DEMO_PASSWORD).await, Err(AppError::Locked(u)) if u == until));
        // Others are not affected.
        assert!(app.sign_in("village", DEMO_PASSWORD).await.is_ok());
    })
    .await;
}

#[tokio::test]
async fn a_lock_ends_after_the_lockout_and_success_resets_the_count() {
    each_backend(async |db: &TestDb| {
        demo(db).await;
        let policy = Policy {
            max_failed_logins: 2,
            lockout: Duration::from_millis(800),
            ..Policy::default()
        };
        let app = App::new(db.store.clone(), policy);
        assert!(matches!(
            app.sign_in("org", "nope").await,
            Err(AppError::BadCredentials)
        ));
        assert!(matches!(
            app.sign_in("org", "nope").await,
            Err(AppError::Locked(_))
        ));
        assert!(matches!(
            app.sign_in("org", DEMO_PASSWORD).await,
            Err(AppError::Locked(_))
        ));
        tokio::time::sleep(Duration::from_millis(1000)).await;
        assert!(
            app.sign_in("org", DEMO_PASSWORD).await.is_ok(),
            "the lock has run out"
        );
        // The count starts again from zero after a success.
        assert!(matches!(
            app.sign_in("org", "nope").await,
            Err(AppError::BadCredentials)
        ));
        assert!(app.sign_in("org", DEMO_PASSWORD).await.is_ok());
        assert!(matches!(
            app.sign_in("org", "nope").await,
            Err(AppError::BadCredentials)
        ));
    })
    .await;
}

#[tokio::test]
async fn an_unknown_user_gets_the_same_answer_as_a_wrong_password() {
    each_backend(async |db: &TestDb| {
        let app = demo(db).await;
        assert!(matches!(
            app.sign_in("nobody", DEMO_PASSWORD).await,
            Err(AppError::BadCredentials)
        ));
        assert!(matches!(
            app.sign_in("", "").await,
            Err(AppError::BadCredentials)
        ));
    })
    .await;
}

#[tokio::test]
async fn a_disabled_user_cannot_sign_in_and_loses_open_sessions() {
    each_backend(async |db: &TestDb| {
        let app = demo(db).await;
        let signed = app.sign_in("village", DEMO_PASSWORD).await.unwrap();
        let token = app
            .create_api_token(&app.session(&signed.token).await.unwrap().0, "脚本", None)
            .await
            .unwrap()
            .1;
        app.set_user_status(Operator::Console, "village", UserStatus::Disabled)
            .await
            .unwrap();

        assert!(matches!(
            app.session(&signed.token).await,
            Err(AppError::Unauthenticated)
        ));
        let mut tx = db.store.read().await.unwrap();
        assert!(
            sessions::get(&mut tx, &token_hash(&signed.token))
                .await
                .unwrap()
                .is_none(),
            "the session row is gone"
        );
        drop(tx);
        assert!(matches!(
            app.api_token_caller(&token).await,
            Err(AppError::Unauthenticated)
        ));
        assert!(matches!(
            app.sign_in("village", DEMO_PASSWORD).await,
            Err(AppError::Disabled)
        ));
        // A wrong password does not reveal that the account exists but is disabled.
        assert!(matches!(
            app.sign_in("village", "guess").await,
            Err(AppError::BadCredentials)
        ));

        app.set_user_status(Operator::Console, "village", UserStatus::Active)
            .await
            .unwrap();
        assert!(app.sign_in("village", DEMO_PASSWORD).await.is_ok());
    })
    .await;
}

#[tokio::test]
async fn an_idle_session_ends() {
    each_backend(async |db: &TestDb| {
        let patient = demo(db).await;
        let strict = App::new(
            db.store.clone(),
            Policy {
                session_idle: Duration::from_millis(700),
                ..Policy::default()
            },
        );
        let signed = strict.sign_in("county", DEMO_PASSWORD).await.unwrap();
        assert!(patient.session(&signed.token).await.is_ok());
        tokio::time::sleep(Duration::from_millis(900)).await;
        assert!(
            patient.session(&signed.token).await.is_ok(),
            "30 minutes have not passed"
        );
        assert!(matches!(
            strict.session(&signed.token).await,
            Err(AppError::Unauthenticated)
        ));
        // The expired session was removed, not just refused.
        assert!(matches!(
            patient.session(&signed.token).await,
            Err(AppError::Unauthenticated)
        ));
    })
    .await;
}

#[tokio::test]
async fn using_a_session_keeps_it_alive() {
    each_backend(async |db: &TestDb| {
        let app = demo(db).await;
        let signed = app.sign_in("county", DEMO_PASSWORD).await.unwrap();
        let hash = token_hash(&signed.token);
        // Last seen 29 minutes ago: still inside the 30-minute idle limit.
        let long_ago = hearth_store::now() - Span::minutes(29);
        let mut tx = db.store.write().await.unwrap();
        sessions::touch(&mut tx, &hash, long_ago).await.unwrap();
        tx.commit().await.unwrap();
        assert!(app.session(&signed.token).await.is_ok());
        let mut tx = db.store.read().await.unwrap();
        let seen = sessions::get(&mut tx, &hash)
            .await
            .unwrap()
            .unwrap()
            .last_seen_at;
        assert!(
            seen > hearth_store::now() - Span::minutes(1),
            "the idle clock restarted: {seen}"
        );
        drop(tx);

        // Last seen 31 minutes ago: over.
        let mut tx = db.store.write().await.unwrap();
        sessions::touch(&mut tx, &hash, hearth_store::now() - Span::minutes(31))
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert!(matches!(
            app.session(&signed.token).await,
            Err(AppError::Unauthenticated)
        ));
    })
    .await;
}

#[tokio::test]
async fn a_session_ends_at_its_absolute_limit_however_busy() {
    each_backend(async |db: &TestDb| {
        demo(db).await;
        let absolute = Duration::from_millis(900);
        let app = App::new(
            db.store.clone(),
            Policy {
                session_absolute: absolute,
                ..Policy::default()
            },
        );
        let signed = app.sign_in("auditor", DEMO_PASSWORD).await.unwrap();
        let mut tx = db.store.read().await.unwrap();
        let stored = sessions::get(&mut tx, &token_hash(&signed.token))
            .await
            .unwrap()
            .unwrap();
        drop(tx);
        assert_eq!(
            stored.expires_at - stored.created_at,
            Span::from_std(absolute).unwrap()
        );
        tokio::time::sleep(Duration::from_millis(1100)).await;
        // Not idle (30 minutes allowed) but past the absolute end.
        assert!(matches!(
            app.session(&signed.token).await,
            Err(AppError::Unauthenticated)
        ));
        let patient = App::new(db.store.clone(), Policy::default());
        assert!(matches!(
            patient.session(&signed.token).await,
            Err(AppError::Unauthenticated)
        ));
    })
    .await;
}

#[tokio::test]
async fn every_sign_in_attempt_is_in_the_audit_log_and_the_chain_verifies() {
    each_backend(async |db: &TestDb| {
        let app = demo(db).await;
        let town = caller(&app, "town").await;
        let before = audit_log(db).await.len();
        app.sign_in("county", DEMO_PASSWORD).await.unwrap();
        let _ = app.sign_in("county", "wrong").await;
        let _ = app.sign_in("ghost", "whatever").await;
        app.set_user_status(Operator::Console, "org", UserStatus::Disabled)
            .await
            .unwrap();
        let _ = app.sign_in("org", DEMO_PASSWORD).await;

        let events = audit_log(db).await;
        let attempts: Vec<(String, String, String, String)> = events[before..]
            .iter()
            .filter(|e| e.action.starts_with("sign_in"))
            .map(|e| {
                let detail: serde_json::Value = serde_json::from_str(&e.detail).unwrap();
                let reason = detail["reason"].as_str().unwrap_or("").to_owned();
                (
                    e.action.clone(),
                    e.actor_name.clone(),
                    e.record_type.clone(),
                    reason,
                )
            })
            .collect();
        let expected = [
            ("sign_in", "county", "user", ""),
            ("sign_in_failed", "county", "user", "wrong_password"),
            ("sign_in_failed", "ghost", "user", "unknown_user"),
            ("sign_in_failed", "org", "user", "disabled"),
        ]
        .map(|(a, b, c, d)| (a.to_owned(), b.to_owned(), c.to_owned(), d.to_owned()));
        assert_eq!(attempts, expected);
        // The town officer's own sign-in before is there too, naming the account.
        assert!(
            events[..before]
                .iter()
                .any(|e| e.action == "sign_in" && e.record_id == town.user.id.to_string())
        );

        let verified = app
            .verify_audit_log(hearth_app::users::Operator::Console)
            .await
            .unwrap();
        assert_eq!(verified.first_broken, None);
        assert_eq!(verified.events, events.len() as i64);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn wrong_passwords_tried_in_parallel_still_lock_the_account() {
    each_backend(async |db: &TestDb| {
        let app = demo(db).await;
        let max = app.policy().max_failed_logins as usize;
        let attempts: Vec<_> = (0..max)
            .map(|_| {
                let app = app.clone();
                tokio::spawn(async move { app.sign_in("county", "guessing-in-parallel").await })
            })
            .collect();
        let mut locked = 0;
        for attempt in attempts {
            match attempt.await.unwrap() {
                Err(AppError::Locked(_)) => locked += 1,
                Err(AppError::BadCredentials) => {}
                other => panic!("{other:?}"),
            }
        }
        assert_eq!(locked, 1, "exactly the {max}th failure locks");
        assert!(
            matches!(
                app.sign_in("county", DEMO_PASSWORD).await,
                Err(AppError::Locked(_))
            ),
            "{max} wrong passwords at once must lock the account as surely as one after another"
        );
    })
    .await;
}
