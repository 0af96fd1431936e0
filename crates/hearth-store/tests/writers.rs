//! A burst of writers: on SQLite they take turns inside the process, so none fails on the
//! database lock and, while they wait, readers still get connections.

use crate::fixtures::insert_user;
use hearth_store::testing::{TestDb, each_backend};
use hearth_store::{Tx, users};
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

/// An import's transaction journals in memory with a large cache (see `Store::write_bulk`),
/// and every connection goes back to the pool as it was: a later page's sort or temporary
/// table must not stay in memory because an import ran on its connection.
#[tokio::test]
async fn a_bulk_write_gives_its_connection_back_as_it_was() {
    let db = TestDb::sqlite().await;
    let mut bulk = db.store.write_bulk().await.unwrap();
    assert_eq!(pragma(&mut bulk, "temp_store").await, 2, "in memory");
    assert_eq!(pragma(&mut bulk, "cache_size").await, -131_072);
    bulk.end_bulk().await.unwrap();
    bulk.commit().await.unwrap();
    // Hold every connection of the pool at once, so the import's is among them.
    let mut reads = Vec::new();
    for _ in 0..8 {
        reads.push(db.store.read().await.unwrap());
    }
    for read in &mut reads {
        assert_eq!(pragma(read, "temp_store").await, 0, "the default again");
        assert_eq!(pragma(read, "cache_size").await, -8_192);
    }
    drop(reads);
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
