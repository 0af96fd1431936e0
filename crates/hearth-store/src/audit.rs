//! The audit log: append-only and hash-chained, written in the same transaction as the change.
//!
//! Each event's hash covers the previous hash and every field of the event, so altering,
//! removing or reordering a stored event breaks the chain at that event. The head row
//! (`audit_head`) serialises appends on both engines.

use crate::{Backend, Result, Tx};
use chrono::{DateTime, SecondsFormat, Utc};
use sea_query::{Expr, ExprTrait, Order, Query};
use serde::Serialize;
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// Who did something, as the audit log records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Actor {
    pub id: Option<Uuid>,
    pub name: String,
    pub role: String,
}

impl Actor {
    /// The command line or the system itself (migrations, demo seeding).
    pub fn system(what: &str) -> Actor {
        Actor {
            id: None,
            name: what.to_owned(),
            role: "system".to_owned(),
        }
    }
}

/// An event to append.
#[derive(Debug, Clone)]
pub struct NewEvent<'a> {
    pub actor: &'a Actor,
    pub action: &'a str,
    pub record_type: &'a str,
    pub record_id: String,
    /// Which fields changed, or other facts about the event (JSON object).
    pub detail: serde_json::Value,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct AuditEvent {
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub actor_id: Option<Uuid>,
    pub actor_name: String,
    pub role: String,
    pub action: String,
    pub record_type: String,
    pub record_id: String,
    pub detail: String,
    pub reason: String,
    pub prev_hash: String,
    pub hash: String,
}

const COLUMNS: [&str; 12] = [
    "seq",
    "at",
    "actor_id",
    "actor_name",
    "role",
    "action",
    "record_type",
    "record_id",
    "detail",
    "reason",
    "prev_hash",
    "hash",
];

impl AuditEvent {
    /// The hash this event must carry given the one before it.
    pub fn expected_hash(&self) -> String {
        let canonical = serde_json::json!([
            self.prev_hash,
            self.seq,
            self.at.to_rfc3339_opts(SecondsFormat::Micros, true),
            self.actor_id.map(|id| id.to_string()).unwrap_or_default(),
            self.actor_name,
            self.role,
            self.action,
            self.record_type,
            self.record_id,
            self.detail,
            self.reason,
        ]);
        hex::encode(Sha256::digest(canonical.to_string().as_bytes()))
    }
}

/// The head of the chain as committed: the last event's sequence number and hash. Every
/// audited change moves it, so a reader can tell whether anything changed since it last looked.
pub async fn head(tx: &mut Tx) -> Result<(i64, String)> {
    tx.fetch_one(
        Query::select()
            .columns(["seq", "hash"])
            .from("audit_head")
            .and_where(Expr::col("id").eq(1)),
    )
    .await
}

/// Appends one event after the current head; returns its sequence number.
pub async fn append(tx: &mut Tx, event: NewEvent<'_>) -> Result<i64> {
    let mut head = Query::select();
    head.columns(["seq", "hash"])
        .from("audit_head")
        .and_where(Expr::col("id").eq(1));
    if tx.backend() == Backend::Postgres {
        head.lock_exclusive();
    }
    let (last_seq, last_hash): (i64, String) = tx.fetch_one(&head).await?;
    let mut stored = AuditEvent {
        seq: last_seq + 1,
        at: crate::now(),
        actor_id: event.actor.id,
        actor_name: event.actor.name.clone(),
        role: event.actor.role.clone(),
        action: event.action.to_owned(),
        record_type: event.record_type.to_owned(),
        record_id: event.record_id,
        detail: event.detail.to_string(),
        reason: event.reason,
        prev_hash: last_hash,
        hash: String::new(),
    };
    stored.hash = stored.expected_hash();
    tx.execute(
        Query::insert()
            .into_table("audit_event")
            .columns(COLUMNS)
            .values_panic([
                stored.seq.into(),
                stored.at.into(),
                stored.actor_id.into(),
                stored.actor_name.clone().into(),
                stored.role.clone().into(),
                stored.action.clone().into(),
                stored.record_type.clone().into(),
                stored.record_id.clone().into(),
                stored.detail.clone().into(),
                stored.reason.clone().into(),
                stored.prev_hash.clone().into(),
                stored.hash.clone().into(),
            ]),
    )
    .await?;
    tx.execute(
        Query::update()
            .table("audit_head")
            .value("seq", stored.seq)
            .value("hash", stored.hash.clone())
            .and_where(Expr::col("id").eq(1)),
    )
    .await?;
    Ok(stored.seq)
}

/// The outcome of walking the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verification {
    pub events: i64,
    pub head_hash: String,
    pub first_broken: Option<BrokenLink>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BrokenLink {
    pub seq: i64,
    pub reason: String,
}

const VERIFY_BATCH: u64 = 2000;

/// Walks every event in order and reports the first one that does not follow from its
/// predecessor, and whether the head agrees with the last event.
pub async fn verify(tx: &mut Tx) -> Result<Verification> {
    let mut expected_seq = 1;
    let mut prev_hash = String::new();
    loop {
        let batch: Vec<AuditEvent> = tx
            .fetch_all(
                Query::select()
                    .columns(COLUMNS)
                    .from("audit_event")
                    .and_where(Expr::col("seq").gte(expected_seq))
                    .order_by("seq", Order::Asc)
                    .limit(VERIFY_BATCH),
            )
            .await?;
        let done = (batch.len() as u64) < VERIFY_BATCH;
        for event in batch {
            if let Some(reason) = broken(&event, expected_seq, &prev_hash) {
                return Ok(Verification {
                    events: expected_seq - 1,
                    head_hash: prev_hash,
                    first_broken: Some(BrokenLink {
                        seq: event.seq,
                        reason,
                    }),
                });
            }
            expected_seq += 1;
            prev_hash = event.hash;
        }
        if done {
            break;
        }
    }
    let (head_seq, head_hash): (i64, String) = tx
        .fetch_one(
            Query::select()
                .columns(["seq", "hash"])
                .from("audit_head")
                .and_where(Expr::col("id").eq(1)),
        )
        .await?;
    let first_broken =
        (head_seq != expected_seq - 1 || head_hash != prev_hash).then(|| BrokenLink {
            seq: head_seq,
            reason: format!(
                "the head names event {head_seq} but the log ends at event {}",
                expected_seq - 1
            ),
        });
    Ok(Verification {
        events: expected_seq - 1,
        head_hash: prev_hash,
        first_broken,
    })
}

fn broken(event: &AuditEvent, expected_seq: i64, prev_hash: &str) -> Option<String> {
    if event.seq != expected_seq {
        Some(format!("event {expected_seq} is missing"))
    } else if event.prev_hash != prev_hash {
        Some("it does not name the hash of the event before it".to_owned())
    } else if event.hash != event.expected_hash() {
        Some("its content no longer matches its hash (altered)".to_owned())
    } else {
        None
    }
}

/// The history of one record, oldest first.
pub async fn for_record(
    tx: &mut Tx,
    record_type: &str,
    record_id: &str,
) -> Result<Vec<AuditEvent>> {
    tx.fetch_all(
        Query::select()
            .columns(COLUMNS)
            .from("audit_event")
            .and_where(Expr::col("record_type").eq(record_type))
            .and_where(Expr::col("record_id").eq(record_id))
            .order_by("seq", Order::Asc),
    )
    .await
}

/// The most recent events, newest first, for the audit administrator's page.
pub async fn recent(tx: &mut Tx, limit: u64, offset: u64) -> Result<(Vec<AuditEvent>, i64)> {
    let total = tx
        .count(
            Query::select()
                .expr(Expr::col("seq").count())
                .from("audit_event"),
        )
        .await?;
    let events = tx
        .fetch_all(
            Query::select()
                .columns(COLUMNS)
                .from("audit_event")
                .order_by("seq", Order::Desc)
                .limit(limit)
                .offset(offset),
        )
        .await?;
    Ok((events, total))
}
