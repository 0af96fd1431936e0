//! The audit log is a hash chain: intact it verifies; altered, rewritten or cut it names the
//! first event that no longer follows; and the database itself refuses updates and deletes.

use hearth_store::audit::{self, Actor, AuditEvent, NewEvent};
use hearth_store::testing::{TestDb, each_backend};
use hearth_store::{Backend, Store};

async fn append_events(store: &Store, n: usize) {
    let actor = Actor {
        id: Some(uuid::Uuid::now_v7()),
        name: "county".to_owned(),
        role: "county_admin".to_owned(),
    };
    for i in 0..n {
        let mut tx = store.write().await.unwrap();
        audit::append(
            &mut tx,
            NewEvent {
                actor: &actor,
                action: "organization_updated",
                record_type: "organization",
                record_id: format!("org-{i}"),
                detail: serde_json::json!({"changed": {"name": ["旧", format!("新{i}")]}}),
                reason: String::new(),
            },
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
    }
}

async fn verify(store: &Store) -> audit::Verification {
    let mut tx = store.read().await.unwrap();
    audit::verify(&mut tx).await.unwrap()
}

async fn event(store: &Store, seq: i64) -> AuditEvent {
    let mut tx = store.read().await.unwrap();
    let (events, _) = audit::recent(&mut tx, 1000, 0).await.unwrap();
    events.into_iter().find(|e| e.seq == seq).unwrap()
}

/// What an attacker with database access does first.
async fn drop_triggers(db: &TestDb) {
    match db.backend {
        Backend::Sqlite => {
            db.execute("DROP TRIGGER audit_event_no_update")
                .await
                .unwrap();
            db.execute("DROP TRIGGER audit_event_no_delete")
                .await
                .unwrap();
        }
        Backend::Postgres => {
            db.execute("DROP TRIGGER audit_event_no_update ON audit_event")
                .await
                .unwrap();
        }
    }
}

#[tokio::test]
async fn an_intact_chain_verifies() {
    each_backend(async |db: &TestDb| {
        let empty = verify(&db.store).await;
        assert_eq!((empty.events, empty.first_broken), (0, None));
        append_events(&db.store, 5).await;
        let v = verify(&db.store).await;
        assert_eq!(v.events, 5);
        assert_eq!(v.first_broken, None);
        let last = event(&db.store, 5).await;
        assert_eq!(v.head_hash, last.hash);
        // Each event names its predecessor's hash; the first names none.
        assert_eq!(event(&db.store, 1).await.prev_hash, "");
        assert_eq!(last.prev_hash, event(&db.store, 4).await.hash);
        assert_eq!(last.detail, r#"{"changed":{"name":["旧","新4"]}}"#);
    })
    .await;
}

#[tokio::test]
async fn the_database_refuses_to_update_or_delete_events() {
    each_backend(async |db: &TestDb| {
        append_events(&db.store, 3).await;
        let update = db
            .execute("UPDATE audit_event SET detail = '{}' WHERE seq = 2")
            .await
            .expect_err("an UPDATE of the audit log must be refused");
        assert!(update.to_string().contains("append-only"), "{update}");
        let delete = db
            .execute("DELETE FROM audit_event WHERE seq = 3")
            .await
            .expect_err("a DELETE from the audit log must be refused");
        assert!(delete.to_string().contains("append-only"), "{delete}");
        let v = verify(&db.store).await;
        assert_eq!((v.events, v.first_broken), (3, None));
    })
    .await;
}

#[tokio::test]
async fn an_altered_detail_breaks_the_chain_at_that_event() {
    each_backend(async |db: &TestDb| {
        append_events(&db.store, 5).await;
        drop_triggers(db).await;
        let touched = db
            .execute(r#"UPDATE audit_event SET detail = '{"changed":{}}' WHERE seq = 3"#)
            .await
            .unwrap();
        assert_eq!(touched, 1);
        let v = verify(&db.store).await;
        let broken = v.first_broken.expect("an altered event must be reported");
        assert_eq!(broken.seq, 3, "{broken:?}");
        assert!(broken.reason.contains("altered"), "{broken:?}");
        assert_eq!(v.events, 2, "events before the break");
    })
    .await;
}

#[tokio::test]
async fn an_altered_actor_breaks_the_chain_at_that_event() {
    each_backend(async |db: &TestDb| {
        append_events(&db.store, 4).await;
        drop_triggers(db).await;
        db.execute("UPDATE audit_event SET actor_name = 'someone_else' WHERE seq = 2")
            .await
            .unwrap();
        let broken = verify(&db.store).await.first_broken.unwrap();
        assert_eq!(broken.seq, 2, "{broken:?}");
    })
    .await;
}

#[tokio::test]
async fn an_event_rewritten_with_a_fresh_hash_is_caught_at_the_next_event() {
    each_backend(async |db: &TestDb| {
        append_events(&db.store, 4).await;
        drop_triggers(db).await;
        let mut forged = event(&db.store, 2).await;
        forged.reason = "tidied up".to_owned();
        forged.hash = forged.expected_hash();
        db.execute(&format!(
            "UPDATE audit_event SET reason = 'tidied up', hash = '{}' WHERE seq = 2",
            forged.hash
        ))
        .await
        .unwrap();
        assert_eq!(event(&db.store, 2).await, forged);
        let broken = verify(&db.store).await.first_broken.unwrap();
        assert_eq!(broken.seq, 3, "{broken:?}");
        assert!(
            broken.reason.contains("hash of the event before"),
            "{broken:?}"
        );
    })
    .await;
}

#[tokio::test]
async fn a_deleted_event_is_reported() {
    each_backend(async |db: &TestDb| {
        append_events(&db.store, 5).await;
        drop_triggers(db).await;
        db.execute("DELETE FROM audit_event WHERE seq = 3")
            .await
            .unwrap();
        let v = verify(&db.store).await;
        let broken = v.first_broken.expect("a deleted event must be reported");
        assert!(broken.reason.contains("event 3 is missing"), "{broken:?}");
        assert_eq!(
            broken.seq, 4,
            "the first event that no longer follows: {broken:?}"
        );
        assert_eq!(v.events, 2);
    })
    .await;
}

#[tokio::test]
async fn a_deleted_last_event_is_reported_by_the_head() {
    each_backend(async |db: &TestDb| {
        append_events(&db.store, 3).await;
        drop_triggers(db).await;
        db.execute("DELETE FROM audit_event WHERE seq = 3")
            .await
            .unwrap();
        let v = verify(&db.store).await;
        let broken = v.first_broken.expect("a cut-off tail must be reported");
        assert_eq!(broken.seq, 3, "{broken:?}");
        assert_eq!(v.events, 2);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_appends_keep_the_chain_valid() {
    const TASKS: usize = 6;
    const EACH: usize = 8;
    each_backend(async |db: &TestDb| {
        let tasks: Vec<_> = (0..TASKS)
            .map(|_| {
                let store = db.store.clone();
                tokio::spawn(async move { append_events(&store, EACH).await })
            })
            .collect();
        for task in tasks {
            task.await.expect("an append task failed");
        }
        let v = verify(&db.store).await;
        assert_eq!(v.first_broken, None);
        assert_eq!(v.events, (TASKS * EACH) as i64);
    })
    .await;
}

#[tokio::test]
async fn verification_reads_past_its_first_batch() {
    each_backend(async |db: &TestDb| {
        // More events than one verification batch (2000), appended in one transaction.
        let actor = Actor::system("import");
        let mut tx = db.store.write().await.unwrap();
        for i in 0..2003 {
            let event = NewEvent {
                actor: &actor,
                action: "row_imported",
                record_type: "household",
                record_id: i.to_string(),
                detail: serde_json::json!({"row": i}),
                reason: String::new(),
            };
            audit::append(&mut tx, event).await.unwrap();
        }
        tx.commit().await.unwrap();
        let v = verify(&db.store).await;
        assert_eq!((v.events, v.first_broken), (2003, None));

        drop_triggers(db).await;
        db.execute(r#"UPDATE audit_event SET detail = '{"row":0}' WHERE seq = 2002"#)
            .await
            .unwrap();
        let broken = verify(&db.store).await.first_broken.unwrap();
        assert_eq!(broken.seq, 2002, "{broken:?}");
    })
    .await;
}
