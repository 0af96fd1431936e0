//! A burst of writers: on SQLite they take turns inside the process, so none fails on the
//! database lock and, while they wait, readers still get connections.

use crate::fixtures::insert_user;
use hearth_store::testing::{TestDb, each_backend};
use hearth_store::users;
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
