//! Sessions, API tokens and accounts round-trip through the store.

use crate::fixtures::insert_user;
use chrono::Duration;
use hearth_core::user::UserStatus;
use hearth_store::api_tokens::{self, ApiToken};
use hearth_store::sessions::{self, Session};
use hearth_store::testing::{TestDb, each_backend};
use hearth_store::users;
use uuid::Uuid;

fn session(user_id: Uuid, hash: &str, age: Duration, idle: Duration) -> Session {
    let now = hearth_store::now();
    Session {
        token_hash: hash.to_owned(),
        user_id,
        csrf_token: format!("csrf-{hash}"),
        created_at: now - age,
        last_seen_at: now - idle,
        expires_at: now - age + Duration::hours(12),
    }
}

#[tokio::test]
async fn sessions_round_trip_and_expire() {
    each_backend(async |db: &TestDb| {
        let alice = insert_user(&db.store, "alice").await;
        let bob = insert_user(&db.store, "bob").await;
        let live = session(alice.id, "live", Duration::minutes(5), Duration::minutes(1));
        let idle = session(alice.id, "idle", Duration::hours(1), Duration::minutes(45));
        let old = session(bob.id, "old", Duration::hours(13), Duration::minutes(1));
        let mut tx = db.store.write().await.unwrap();
        for s in [&live, &idle, &old] {
            sessions::insert(&mut tx, s).await.unwrap();
        }
        tx.commit().await.unwrap();

        let mut tx = db.store.write().await.unwrap();
        assert_eq!(
            sessions::get(&mut tx, "live").await.unwrap().as_ref(),
            Some(&live)
        );
        assert_eq!(sessions::get(&mut tx, "nope").await.unwrap(), None);
        let seen = hearth_store::now();
        sessions::touch(&mut tx, "live", seen).await.unwrap();
        assert_eq!(
            sessions::get(&mut tx, "live")
                .await
                .unwrap()
                .unwrap()
                .last_seen_at,
            seen
        );

        // Idle for more than 30 minutes or past the absolute end: both go, the live one stays.
        let now = hearth_store::now();
        let removed = sessions::delete_expired(&mut tx, now - Duration::minutes(30), now)
            .await
            .unwrap();
        assert_eq!(removed, 2);
        assert!(sessions::get(&mut tx, "idle").await.unwrap().is_none());
        assert!(sessions::get(&mut tx, "old").await.unwrap().is_none());
        assert!(sessions::get(&mut tx, "live").await.unwrap().is_some());

        sessions::insert(
            &mut tx,
            &session(alice.id, "second", Duration::zero(), Duration::zero()),
        )
        .await
        .unwrap();
        sessions::insert(
            &mut tx,
            &session(bob.id, "bobs", Duration::zero(), Duration::zero()),
        )
        .await
        .unwrap();
        sessions::delete_for_user(&mut tx, alice.id).await.unwrap();
        assert!(sessions::get(&mut tx, "live").await.unwrap().is_none());
        assert!(sessions::get(&mut tx, "second").await.unwrap().is_none());
        assert!(
            sessions::get(&mut tx, "bobs").await.unwrap().is_some(),
            "another user's session stays"
        );
        sessions::delete(&mut tx, "bobs").await.unwrap();
        assert!(sessions::get(&mut tx, "bobs").await.unwrap().is_none());
        tx.commit().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn api_tokens_round_trip_and_revoke_once() {
    each_backend(async |db: &TestDb| {
        let alice = insert_user(&db.store, "alice").await;
        let bob = insert_user(&db.store, "bob").await;
        let now = hearth_store::now();
        let token = |name: &str, hash: &str, created: chrono::DateTime<chrono::Utc>| ApiToken {
            id: Uuid::now_v7(),
            user_id: alice.id,
            name: name.to_owned(),
            token_hash: hash.to_owned(),
            created_at: created,
            last_used_at: None,
            expires_at: Some(created + Duration::days(30)),
            revoked_at: None,
        };
        let older = token("导出脚本", "h1", now - Duration::days(2));
        let newer = token("备份脚本", "h2", now);
        let mut tx = db.store.write().await.unwrap();
        api_tokens::insert(&mut tx, &older).await.unwrap();
        api_tokens::insert(&mut tx, &newer).await.unwrap();
        assert_eq!(
            api_tokens::by_hash(&mut tx, "h1").await.unwrap().as_ref(),
            Some(&older)
        );
        assert_eq!(api_tokens::by_hash(&mut tx, "h3").await.unwrap(), None);
        assert_eq!(
            api_tokens::for_user(&mut tx, alice.id).await.unwrap(),
            vec![newer.clone(), older.clone()]
        );
        assert!(
            api_tokens::for_user(&mut tx, bob.id)
                .await
                .unwrap()
                .is_empty()
        );

        let used = hearth_store::now();
        api_tokens::touch(&mut tx, older.id, used).await.unwrap();
        assert_eq!(
            api_tokens::by_hash(&mut tx, "h1")
                .await
                .unwrap()
                .unwrap()
                .last_used_at,
            Some(used)
        );

        assert!(
            !api_tokens::revoke(&mut tx, bob.id, older.id, used)
                .await
                .unwrap(),
            "not bob's token"
        );
        assert!(
            api_tokens::revoke(&mut tx, alice.id, older.id, used)
                .await
                .unwrap()
        );
        assert!(
            !api_tokens::revoke(&mut tx, alice.id, older.id, used)
                .await
                .unwrap(),
            "already revoked"
        );
        assert_eq!(
            api_tokens::by_hash(&mut tx, "h1")
                .await
                .unwrap()
                .unwrap()
                .revoked_at,
            Some(used)
        );
        assert_eq!(
            api_tokens::by_hash(&mut tx, "h2")
                .await
                .unwrap()
                .unwrap()
                .revoked_at,
            None
        );

        // A second token with the same hash is refused.
        let clash = token("重复", "h2", now);
        assert!(
            api_tokens::insert(&mut tx, &clash)
                .await
                .unwrap_err()
                .is_unique_violation()
        );
    })
    .await;
}

#[tokio::test]
async fn accounts_round_trip_and_password_reset_unlocks() {
    each_backend(async |db: &TestDb| {
        let alice = insert_user(&db.store, "alice").await;
        let mut tx = db.store.write().await.unwrap();
        let (found, hash) = users::by_username(&mut tx, " ALICE ")
            .await
            .unwrap()
            .unwrap();
        assert_eq!((&found, hash.as_str()), (&alice, "not-a-real-hash"));
        assert_eq!(
            users::get(&mut tx, alice.id).await.unwrap().as_ref(),
            Some(&alice)
        );

        let mut locked = alice.clone();
        locked.failed_logins = 3;
        locked.locked_until = Some(hearth_store::now() + Duration::minutes(15));
        locked.status = UserStatus::Disabled;
        users::update(&mut tx, &locked).await.unwrap();
        assert_eq!(
            users::get(&mut tx, alice.id).await.unwrap().as_ref(),
            Some(&locked)
        );

        users::set_password(&mut tx, alice.id, "new-hash", true)
            .await
            .unwrap();
        let (after, hash) = users::by_username(&mut tx, "alice").await.unwrap().unwrap();
        assert_eq!(hash, "new-hash");
        assert_eq!(
            (
                after.failed_logins,
                after.locked_until,
                after.must_change_password
            ),
            (0, None, true)
        );
        assert_eq!(users::list(&mut tx).await.unwrap().len(), 1);

        // User names are unique.
        let mut twin = alice.clone();
        twin.id = Uuid::now_v7();
        assert!(
            users::insert(&mut tx, &twin, "x")
                .await
                .unwrap_err()
                .is_unique_violation()
        );
    })
    .await;
}
