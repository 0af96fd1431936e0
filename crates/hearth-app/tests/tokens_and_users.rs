//! Personal API tokens, and account management by the system administrator only.

use crate::common::{caller, demo, demo_with_summary};
use hearth_app::AppError;
use hearth_app::auth::{API_TOKEN_PREFIX, token_hash};
use hearth_app::demo::{DEMO_PASSWORD, DEMO_USERS};
use hearth_app::users::{NewUser, Operator};
use hearth_core::user::UserStatus;
use hearth_store::api_tokens::{self, ApiToken};
use hearth_store::testing::{TestDb, each_backend};

#[tokio::test]
async fn an_api_token_stands_for_its_user_until_revoked() {
    each_backend(async |db: &TestDb| {
        let app = demo(db).await;
        let town = caller(&app, "town").await;
        let (token, raw) = app
            .create_api_token(&town, " 数据同步脚本 ", Some(30))
            .await
            .unwrap();
        assert!(raw.starts_with(API_TOKEN_PREFIX), "{raw}");
        assert_eq!(token.name, "数据同步脚本");
        assert!(
            token
                .expires_at
                .is_some_and(|at| at > hearth_store::now() + chrono::Duration::days(29))
        );

        let via_token = app.api_token_caller(&raw).await.unwrap();
        assert_eq!(via_token.user.id, town.user.id);
        assert_eq!(via_token.user.role, town.user.role);
        let listed = app.api_tokens(&town).await.unwrap();
        assert_eq!(listed.iter().map(|t| t.id).collect::<Vec<_>>(), [token.id]);
        assert!(listed[0].last_used_at.is_some(), "use is recorded");
        assert!(matches!(
            app.api_token_caller("hth_madeup").await,
            Err(AppError::Unauthenticated)
        ));

        // Only its owner can revoke it.
        let county = caller(&app, "county").await;
        assert!(matches!(
            app.revoke_api_token(&county, token.id).await,
            Err(AppError::NotFound)
        ));
        assert!(app.api_token_caller(&raw).await.is_ok());
        app.revoke_api_token(&town, token.id).await.unwrap();
        assert!(matches!(
            app.api_token_caller(&raw).await,
            Err(AppError::Unauthenticated)
        ));
        assert!(matches!(
            app.revoke_api_token(&town, token.id).await,
            Err(AppError::NotFound)
        ));

        // A token past its end date is refused.
        let expired_raw = format!("{API_TOKEN_PREFIX}expired-for-the-test");
        let now = hearth_store::now();
        let expired = ApiToken {
            id: uuid::Uuid::now_v7(),
            user_id: town.user.id,
            name: "过期".into(),
            token_hash: token_hash(&expired_raw),
            created_at: now - chrono::Duration::days(31),
            last_used_at: None,
            expires_at: Some(now - chrono::Duration::days(1)),
            revoked_at: None,
        };
        let mut tx = db.store.write().await.unwrap();
        api_tokens::insert(&mut tx, &expired).await.unwrap();
        tx.commit().await.unwrap();
        assert!(matches!(
            app.api_token_caller(&expired_raw).await,
            Err(AppError::Unauthenticated)
        ));

        for (name, days) in [("", None), ("x", Some(0)), ("x", Some(367))] {
            let refused = app.create_api_token(&town, name, days).await;
            assert!(
                matches!(refused, Err(AppError::Invalid(_))),
                "{name:?} {days:?}: {refused:?}"
            );
        }
    })
    .await;
}

fn new_user(username: &str) -> NewUser {
    NewUser {
        username: username.to_owned(),
        display_name: "新同事".to_owned(),
        role: "town_officer".to_owned(),
        area_code: "340123101000".to_owned(),
        organization: String::new(),
        password: "Warm-Winter-2024".to_owned(),
    }
}

#[tokio::test]
async fn only_the_system_administrator_and_the_console_manage_accounts() {
    each_backend(async |db: &TestDb| {
        let (app, summary) = demo_with_summary(db).await;
        for (username, _, _) in DEMO_USERS.iter().filter(|(u, _, _)| *u != "sysadmin") {
            let who = caller(&app, username).await;
            let by = || Operator::User(&who);
            assert!(
                matches!(
                    app.add_user(by(), &new_user("intruder")).await,
                    Err(AppError::Forbidden)
                ),
                "{username}"
            );
            assert!(
                matches!(app.users(by()).await, Err(AppError::Forbidden)),
                "{username}"
            );
            assert!(
                matches!(
                    app.set_user_status(by(), "county", UserStatus::Disabled)
                        .await,
                    Err(AppError::Forbidden)
                ),
                "{username}"
            );
            assert!(
                matches!(
                    app.reset_password(by(), "county", "Another-Pass-99").await,
                    Err(AppError::Forbidden)
                ),
                "{username}"
            );
        }
        assert!(
            app.sign_in("county", DEMO_PASSWORD).await.is_ok(),
            "nothing was changed"
        );
        assert!(
            !app.users(Operator::Console)
                .await
                .unwrap()
                .iter()
                .any(|u| u.username.as_str() == "intruder")
        );

        let sysadmin = caller(&app, "sysadmin").await;
        let added = app
            .add_user(Operator::User(&sysadmin), &new_user("sanhe.officer"))
            .await
            .unwrap();
        assert_eq!(
            added.area_code.as_ref().map(|a| a.as_str()),
            Some("340123101000")
        );
        assert_eq!(
            app.users(Operator::User(&sysadmin)).await.unwrap().len(),
            summary.users + 1
        );
        let signed = app
            .sign_in("sanhe.officer", "Warm-Winter-2024")
            .await
            .unwrap();
        assert_eq!(signed.user.id, added.id);

        app.add_user(Operator::Console, &new_user("from.console"))
            .await
            .unwrap();
        assert!(matches!(
            app.add_user(Operator::Console, &new_user("from.console"))
                .await,
            Err(AppError::Conflict(_))
        ));
        let weak = NewUser {
            password: "hearth-demo".into(),
            ..new_user("weak.password")
        };
        assert!(matches!(
            app.add_user(Operator::Console, &weak).await,
            Err(AppError::Invalid(_))
        ));

        // A system administrator cannot lock themselves out.
        let own = app
            .set_user_status(Operator::User(&sysadmin), "sysadmin", UserStatus::Disabled)
            .await;
        assert!(matches!(own, Err(AppError::Invalid(_))), "{own:?}");

        // A reset ends the user's sessions and unlocks; the old password stops working.
        let session = app
            .sign_in("sanhe.officer", "Warm-Winter-2024")
            .await
            .unwrap();
        app.reset_password(
            Operator::User(&sysadmin),
            "sanhe.officer",
            "Fresh-Start-2025",
        )
        .await
        .unwrap();
        assert!(matches!(
            app.session(&session.token).await,
            Err(AppError::Unauthenticated)
        ));
        assert!(matches!(
            app.sign_in("sanhe.officer", "Warm-Winter-2024").await,
            Err(AppError::BadCredentials)
        ));
        let again = app
            .sign_in("sanhe.officer", "Fresh-Start-2025")
            .await
            .unwrap();
        assert!(again.user.must_change_password);
    })
    .await;
}
