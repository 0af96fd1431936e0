//! Identity keys (migration 0026): each key is stored once, by key, and a household's own keys
//! in its state row; replacing or dropping a household's keys must leave nothing that a lookup
//! by key would still find.

use crate::households::registry;
use hearth_store::identity::{self, KeyState, StoredKey};
use hearth_store::testing::{TestDb, each_backend};
use hearth_store::{Backend, StoreError};
use uuid::Uuid;

fn state(household: Uuid, version: i64) -> KeyState {
    KeyState {
        household_id: household,
        version,
        key_id: "k1".to_owned(),
    }
}

/// `(household, pass, key)` of each key, sorted.
fn rows(household: Uuid, keys: &[StoredKey]) -> Vec<(Uuid, i64, i64)> {
    keys.iter().map(|&(p, k)| (household, p, k)).collect()
}

fn sorted(mut rows: Vec<(Uuid, i64, i64)>) -> Vec<(Uuid, i64, i64)> {
    rows.sort();
    rows
}

/// The keys of the households sharing one of `keys`, sorted.
async fn sharing(db: &TestDb, keys: &[i64], max_block: i64) -> Vec<(Uuid, i64, i64)> {
    let mut tx = db.store.read().await.unwrap();
    sorted(
        identity::keys_of_households_sharing(&mut tx, keys, max_block)
            .await
            .unwrap(),
    )
}

async fn all_keys(db: &TestDb) -> Result<Vec<(Uuid, i64, i64)>, StoreError> {
    let mut tx = db.store.read().await.unwrap();
    identity::all_keys(&mut tx).await.map(sorted)
}

async fn stored_rows(db: &TestDb) -> String {
    db.texts("SELECT CAST(COUNT(*) AS TEXT) FROM identity_key")
        .await
        .unwrap()
        .remove(0)
}

#[tokio::test]
async fn replaced_and_dropped_keys_are_no_longer_found() {
    each_backend(async |db: &TestDb| {
        let ids = registry(db, &[&["张建国"], &["张建果"], &["王芳"]]).await;
        let [zhang, twin, wang] = [ids[0], ids[1], ids[2]];
        // Key 100 is shared, as two heads whose names sound alike in one village share a key.
        let (zhang_keys, twin_keys, wang_keys) = (
            vec![(0, 1), (19, 100)],
            vec![(0, 2), (19, 100)],
            vec![(0, 3), (17, -7)],
        );
        let mut tx = db.store.write().await.unwrap();
        identity::insert_keys_of(
            &mut tx,
            &[
                (state(zhang, 1), zhang_keys.clone()),
                (state(twin, 1), twin_keys.clone()),
                (state(wang, 1), wang_keys.clone()),
            ],
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(sharing(db, &[1], 10).await, rows(zhang, &zhang_keys));
        assert_eq!(
            sharing(db, &[100], 10).await,
            sorted([rows(zhang, &zhang_keys), rows(twin, &twin_keys)].concat())
        );
        assert!(
            sharing(db, &[100], 1).await.is_empty(),
            "a block above the limit is not followed"
        );
        // More keys than one statement takes, most of them held by nobody; negative ones too.
        let many: Vec<i64> = (-300..300).chain([-7, 100]).collect();
        let everyone = sorted(
            [
                rows(zhang, &zhang_keys),
                rows(twin, &twin_keys),
                rows(wang, &wang_keys),
            ]
            .concat(),
        );
        assert_eq!(sharing(db, &many, 10).await, everyone);
        assert_eq!(
            sharing(db, &many, 1).await,
            everyone,
            "keys 1, 2 and 3 are each one household's, so all three are found without key 100"
        );

        let edited = vec![(0, 4), (17, 5)];
        let mut tx = db.store.write().await.unwrap();
        identity::replace_keys_of(&mut tx, &[(state(zhang, 2), edited.clone())])
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert!(
            sharing(db, &[1], 10).await.is_empty(),
            "the old key is gone"
        );
        assert_eq!(sharing(db, &[100], 1).await, rows(twin, &twin_keys));
        assert_eq!(sharing(db, &[4, 5], 10).await, rows(zhang, &edited));

        let mut tx = db.store.write().await.unwrap();
        identity::drop_keys(&mut tx, twin).await.unwrap();
        let states = identity::key_states(&mut tx).await.unwrap();
        tx.commit().await.unwrap();
        assert!(sharing(db, &[2, 100], 10).await.is_empty());
        let left = sorted([rows(zhang, &edited), rows(wang, &wang_keys)].concat());
        assert_eq!(all_keys(db).await.unwrap(), left);
        assert_eq!(
            stored_rows(db).await,
            left.len().to_string(),
            "no row left behind"
        );
        let mut versions: Vec<(Uuid, i64)> =
            states.iter().map(|s| (s.household_id, s.version)).collect();
        versions.sort();
        assert_eq!(versions, [(zhang, 2), (wang, 1)]);
    })
    .await;
}

#[tokio::test]
async fn a_state_row_whose_keys_do_not_parse_is_reported() {
    each_backend(async |db: &TestDb| {
        let ids = registry(db, &[&["张建国"]]).await;
        let mut tx = db.store.write().await.unwrap();
        identity::insert_keys_of(&mut tx, &[(state(ids[0], 1), vec![(0, 1)])])
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let cut = match db.backend {
            Backend::Sqlite => "UPDATE identity_key_state SET keys = x'0001'",
            Backend::Postgres => "UPDATE identity_key_state SET keys = '\\x0001'",
        };
        db.execute(cut).await.unwrap();
        assert!(matches!(all_keys(db).await, Err(StoreError::Corrupt(_))));
    })
    .await;
}
