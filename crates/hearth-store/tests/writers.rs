//! A burst of writers: on SQLite they take turns inside the process, so none fails on the
//! database lock and, while they wait, readers still get connections.

use crate::fixtures::insert_user;
use hearth_store::testing::{TestDb, each_backend};
use hearth_store::{Tx, areas, users};
use std::time::Duration;

#[tokio::test]
async fn waiting_writers_leave_connections_for_readers() {
    each_backend(async |db: &TestDb| {
        let first = db.store.write().await.unwrap();
        let waiting: Vec<_> = (0..12)
            .map(|n| {
                let store = db.store.clone();
                tokio::spawn(async move { insert_user(&store, &format!("writer{n}")).await })
            })
            .collect();
        tokio::time::sleep(Duration::from_millis(300)).await;
        // Twelve writers are waiting behind `first`, more than the pool has connections.
        let mut read = tokio::time::timeout(Duration::from_secs(3), db.store.read())
            .await
            .expect("a reader waited for a connection behind queued writers")
            .unwrap();
        users::list(&mut read).await.unwrap();
        drop(read);
        first.commit().await.unwrap();
        for writer in waiting {
            writer.await.unwrap();
        }
        let mut read = db.store.read().await.unwrap();
        assert_eq!(users::list(&mut read).await.unwrap().len(), 12);
    })
    .await;
}

/// An import's transaction runs on a connection of its own (see `Store::write_bulk`): a large
/// cache, journals in memory, foreign keys not enforced; every connection of the pool stays as
/// it was, so a later page's sort stays on disk and every other write has its references checked.
#[tokio::test]
async fn a_bulk_write_leaves_the_pool_as_it_was() {
    let db = TestDb::sqlite().await;
    let mut bulk = db.store.write_bulk().await.unwrap();
    assert_eq!(pragma(&mut bulk, "temp_store").await, 2, "in memory");
    assert_eq!(pragma(&mut bulk, "cache_size").await, -262_144);
    assert_eq!(pragma(&mut bulk, "foreign_keys").await, 0);
    bulk.commit().await.unwrap();
    // Hold every connection of the pool at once.
    let mut reads = Vec::new();
    for _ in 0..8 {
        reads.push(db.store.read().await.unwrap());
    }
    for read in &mut reads {
        assert_eq!(pragma(read, "temp_store").await, 0, "the default again");
        assert_eq!(pragma(read, "cache_size").await, -8_192);
        assert_eq!(pragma(read, "foreign_keys").await, 1);
    }
    drop(reads);
    db.finish().await;
}

/// A bulk insert that fails part-way (`INSERT OR FAIL` keeps the statement's earlier rows)
/// leaves nothing once its transaction is dropped, and the next bulk write starts clean.
#[tokio::test]
async fn a_failed_bulk_insert_leaves_nothing() {
    let db = TestDb::sqlite().await;
    let before = areas::count(&mut db.store.read().await.unwrap())
        .await
        .unwrap();
    let mut bulk = db.store.write_bulk().await.unwrap();
    let mut insert = sea_query::Query::insert();
    insert.into_table("area").columns(["code", "name", "level"]);
    for name in ["甲村", "乙村"] {
        insert.values_panic(["340123999001".into(), name.into(), "village".into()]);
    }
    assert!(
        bulk.execute(&insert).await.is_err(),
        "the second row repeats the code"
    );
    assert_eq!(
        areas::count(&mut bulk).await.unwrap(),
        before + 1,
        "the first row stays"
    );
    drop(bulk);
    let after = areas::count(&mut db.store.read().await.unwrap())
        .await
        .unwrap();
    assert_eq!(after, before);
    db.store.write_bulk().await.unwrap().commit().await.unwrap();
    db.finish().await;
}

async fn pragma(tx: &mut Tx, name: &str) -> i64 {
    let Tx::Sqlite(tx, _) = tx else {
        panic!("SQLite only");
    };
    let sql = format!("PRAGMA {name}");
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
        .fetch_one(&mut **tx)
        .await
        .unwrap()
}
