//! Identity resolution's tables (migration 0015): the blind keys households are blocked on, the
//! candidate pairs with what reviewers decided, and the aid rows the duplicate-aid report reads.

use crate::{Result, StoreError, Tx};
use chrono::{DateTime, Utc};
use sea_query::{Cond, Expr, ExprTrait, OnConflict, Order, Query};
use serde::Serialize;
use uuid::Uuid;

/// For which household version, under which key, a household's keys were computed.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct KeyState {
    pub household_id: Uuid,
    pub version: i64,
    pub key_id: String,
}

pub async fn key_states(tx: &mut Tx) -> Result<Vec<KeyState>> {
    tx.fetch_all(
        Query::select()
            .columns(["household_id", "version", "key_id"])
            .from("identity_key_state"),
    )
    .await
}

/// A blocking key as stored: the pass's number (hearth-engine `Pass::code`) and the key, the
/// first 64 bits of the pass's blind index.
pub type StoredKey = (i64, i64);

/// Bytes a key takes in `identity_key_state.keys` (migration 0026): the pass's number, then the
/// key little-endian.
const KEY_BYTES: usize = 9;

/// A household's keys as its state row keeps them, so its keys are found without an index on
/// `identity_key` by household.
fn encode_keys(keys: &[StoredKey]) -> Result<Vec<u8>> {
    let mut blob = Vec::with_capacity(keys.len() * KEY_BYTES);
    for &(pass, key) in keys {
        let pass = u8::try_from(pass)
            .map_err(|_| StoreError::Unstorable(format!("identity key of pass {pass}")))?;
        blob.push(pass);
        blob.extend_from_slice(&key.to_le_bytes());
    }
    Ok(blob)
}

fn decode_keys(blob: &[u8]) -> Result<Vec<StoredKey>> {
    if !blob.len().is_multiple_of(KEY_BYTES) {
        return Err(StoreError::Corrupt(format!(
            "identity_key_state.keys: {} bytes are not whole keys",
            blob.len()
        )));
    }
    Ok(blob
        .chunks_exact(KEY_BYTES)
        .map(|k| {
            let mut key = [0; 8];
            key.copy_from_slice(&k[1..]);
            (i64::from(k[0]), i64::from_le_bytes(key))
        })
        .collect())
}

/// Replaces households' keys and records the version and key they belong to, in a few bounded
/// statements per fifty households rather than several per household.
pub async fn replace_keys_of(tx: &mut Tx, households: &[(KeyState, Vec<StoredKey>)]) -> Result<()> {
    let ids: Vec<Uuid> = households.iter().map(|(s, _)| s.household_id).collect();
    forget(tx, &ids).await?;
    insert_keys_of(tx, households).await
}

/// The keys of households that have none yet (created just now): each key one row of
/// `identity_key`, the household's list in its state row.
pub async fn insert_keys_of(tx: &mut Tx, households: &[(KeyState, Vec<StoredKey>)]) -> Result<()> {
    let mut keys: Vec<(Uuid, StoredKey)> = households
        .iter()
        .flat_map(|(s, keys)| keys.iter().map(move |&k| (s.household_id, k)))
        .collect();
    // In key order, consecutive rows land on the same pages of the table clustered by key.
    keys.sort_unstable_by_key(|&(_, (_, key))| key);
    // Three bound values a row: well under both engines' caps.
    for part in keys.chunks(3000) {
        let mut insert = Query::insert();
        insert
            .into_table("identity_key")
            .columns(["key", "household_id", "pass"]);
        for (id, (pass, key)) in part {
            insert.values_panic([(*key).into(), (*id).into(), (*pass).into()]);
        }
        tx.execute(&insert).await?;
    }
    for chunk in households.chunks(3000) {
        let mut states = Query::insert();
        states.into_table("identity_key_state").columns([
            "household_id",
            "version",
            "key_id",
            "keys",
        ]);
        for (state, keys) in chunk {
            states.values_panic([
                state.household_id.into(),
                state.version.into(),
                state.key_id.clone().into(),
                encode_keys(keys)?.into(),
            ]);
        }
        tx.execute(&states).await?;
    }
    Ok(())
}

/// Forgets a household's keys (an anonymised household is never matched again).
pub async fn drop_keys(tx: &mut Tx, household: Uuid) -> Result<()> {
    forget(tx, &[household]).await
}

/// Deletes households' keys and states. Fifty households a statement: the OR of one term per
/// household stays far below SQLite's expression depth, the bound values below both engines' caps.
async fn forget(tx: &mut Tx, households: &[Uuid]) -> Result<()> {
    for chunk in households.chunks(50) {
        let mut held = Cond::any();
        for (household, keys) in stored_keys_of(tx, chunk).await? {
            if !keys.is_empty() {
                // One term per household: with `key IN … AND household_id IN …` SQLite would
                // seek every key with every household.
                held = held.add(
                    Expr::col("household_id")
                        .eq(household)
                        .and(Expr::col("key").is_in(keys.into_iter().map(|(_, key)| key))),
                );
            }
        }
        if !held.is_empty() {
            tx.execute(Query::delete().from_table("identity_key").cond_where(held))
                .await?;
        }
        tx.execute(
            Query::delete()
                .from_table("identity_key_state")
                .and_where(Expr::col("household_id").is_in(chunk.iter().copied())),
        )
        .await?;
    }
    Ok(())
}

/// The keys the state rows of `households` hold (at most a few hundred households).
async fn stored_keys_of(tx: &mut Tx, households: &[Uuid]) -> Result<Vec<(Uuid, Vec<StoredKey>)>> {
    let mut query = select_stored_keys();
    query.and_where(Expr::col("household_id").is_in(households.iter().copied()));
    decoded(tx.fetch_all(&query).await?)
}

/// Households with the keys their state rows hold.
fn select_stored_keys() -> sea_query::SelectStatement {
    Query::select()
        .columns(["household_id", "keys"])
        .from("identity_key_state")
        .to_owned()
}

fn decoded(rows: Vec<(Uuid, Vec<u8>)>) -> Result<Vec<(Uuid, Vec<StoredKey>)>> {
    rows.into_iter()
        .map(|(household, blob)| Ok((household, decode_keys(&blob)?)))
        .collect()
}

fn flattened(households: Vec<(Uuid, Vec<StoredKey>)>) -> Vec<(Uuid, i64, i64)> {
    households
        .into_iter()
        .flat_map(|(household, keys)| keys.into_iter().map(move |(p, k)| (household, p, k)))
        .collect()
}

/// Every stored key: `(household, pass, key)`.
pub async fn all_keys(tx: &mut Tx) -> Result<Vec<(Uuid, i64, i64)>> {
    let mut query = select_stored_keys();
    query.order_by("household_id", Order::Asc);
    Ok(flattened(decoded(tx.fetch_all(&query).await?)?))
}

/// The keys of the households that share at least one of `keys`, e.g. the registry's possible
/// twins of an incoming spreadsheet row. A key held by more than `max_block` households is left
/// out, as resolution skips an oversize block: a pinyin or a birth date that many share says
/// little, and following it would load a large part of the registry for every row.
pub async fn keys_of_households_sharing(
    tx: &mut Tx,
    keys: &[i64],
    max_block: i64,
) -> Result<Vec<(Uuid, i64, i64)>> {
    let mut found: Vec<Uuid> = Vec::new();
    // Bounded statements: SQLite and PostgreSQL both cap the number of bound values.
    for chunk in keys.chunks(500) {
        let narrow: Vec<(i64,)> = tx
            .fetch_all(
                Query::select()
                    .column("key")
                    .from("identity_key")
                    .and_where(Expr::col("key").is_in(chunk.iter().copied()))
                    .group_by_col("key")
                    .and_having(Expr::col("key").count().lte(max_block)),
            )
            .await?;
        if narrow.is_empty() {
            continue;
        }
        let rows: Vec<(Uuid,)> = tx
            .fetch_all(
                Query::select()
                    .distinct()
                    .column("household_id")
                    .from("identity_key")
                    .and_where(Expr::col("key").is_in(narrow.into_iter().map(|(k,)| k))),
            )
            .await?;
        found.extend(rows.into_iter().map(|(id,)| id));
    }
    found.sort_unstable();
    found.dedup();
    let mut out = Vec::new();
    for chunk in found.chunks(500) {
        out.extend(flattened(stored_keys_of(tx, chunk).await?));
    }
    Ok(out)
}

/// A candidate pair and what became of it (see the migration for the statuses).
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct PairRow {
    pub id: Uuid,
    pub first_id: Uuid,
    pub second_id: Uuid,
    /// The score × 1000, so both engines store it exactly.
    pub score_milli: i64,
    /// The engine's per-field evidence as JSON (agreement levels, nothing personal).
    pub evidence: String,
    pub status: String,
    pub note: String,
    pub proposed_by: Option<Uuid>,
    pub proposed_at: Option<DateTime<Utc>>,
    pub approved_by: Option<Uuid>,
    pub decided_by: Option<Uuid>,
    pub decided_at: Option<DateTime<Utc>>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
}

const PAIR_COLUMNS: [&str; 14] = [
    "id",
    "first_id",
    "second_id",
    "score_milli",
    "evidence",
    "status",
    "note",
    "proposed_by",
    "proposed_at",
    "approved_by",
    "decided_by",
    "decided_at",
    "version",
    "created_at",
];

fn pair_select() -> sea_query::SelectStatement {
    Query::select()
        .columns(PAIR_COLUMNS)
        .from("identity_pair")
        .to_owned()
}

/// Stores a new candidate pair; a pair already known (whatever its status) is left as it is,
/// so a "not the same" decision is never undone by a later run. True when it was new.
pub async fn insert_pair(tx: &mut Tx, p: &PairRow) -> Result<bool> {
    let n = tx
        .execute(
            Query::insert()
                .into_table("identity_pair")
                .columns(PAIR_COLUMNS)
                .values_panic([
                    p.id.into(),
                    p.first_id.into(),
                    p.second_id.into(),
                    p.score_milli.into(),
                    p.evidence.clone().into(),
                    p.status.clone().into(),
                    p.note.clone().into(),
                    p.proposed_by.into(),
                    p.proposed_at.into(),
                    p.approved_by.into(),
                    p.decided_by.into(),
                    p.decided_at.into(),
                    p.version.into(),
                    p.created_at.into(),
                ])
                .on_conflict(
                    OnConflict::columns(["first_id", "second_id"])
                        .do_nothing()
                        .to_owned(),
                ),
        )
        .await?;
    Ok(n > 0)
}

pub async fn get_pair(tx: &mut Tx, id: Uuid) -> Result<Option<PairRow>> {
    tx.fetch_optional(pair_select().and_where(Expr::col("id").eq(id)))
        .await
}

/// Pairs in any of `statuses` (all when empty), highest score first.
pub async fn pairs(tx: &mut Tx, statuses: &[&str]) -> Result<Vec<PairRow>> {
    let mut q = pair_select();
    if !statuses.is_empty() {
        q.and_where(Expr::col("status").is_in(statuses.iter().map(|s| s.to_string())));
    }
    q.order_by("score_milli", Order::Desc)
        .order_by("created_at", Order::Asc);
    tx.fetch_all(&q).await
}

/// Writes a decision; false when someone else changed the pair since it was read.
pub async fn update_pair(tx: &mut Tx, p: &PairRow) -> Result<bool> {
    let n = tx
        .execute(
            Query::update()
                .table("identity_pair")
                .values([
                    ("status", p.status.clone().into()),
                    ("note", p.note.clone().into()),
                    ("proposed_by", p.proposed_by.into()),
                    ("proposed_at", p.proposed_at.into()),
                    ("approved_by", p.approved_by.into()),
                    ("decided_by", p.decided_by.into()),
                    ("decided_at", p.decided_at.into()),
                    ("version", (p.version + 1).into()),
                ])
                .and_where(Expr::col("id").eq(p.id))
                .and_where(Expr::col("version").eq(p.version)),
        )
        .await?;
    Ok(n == 1)
}

/// One piece of aid a household received or was pledged in a campaign: `category` is `cash`,
/// `service` or `item:<code>`; `source` is `org:<id>`, `station:<code>` or `county`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, sqlx::FromRow)]
pub struct AidRow {
    pub household_id: Uuid,
    pub category: String,
    pub source: String,
    /// `delivery`, `distribution`, `cash_aid` or `pledge`.
    pub paper: String,
    /// Its number (pledge number for pledges).
    pub number: String,
}

/// Every delivery, station handover, cash aid and signed pledge of the campaign, by household.
/// Handovers and cash aid that carried an organization's delivery are that delivery, so they
/// are left out here.
pub async fn aid_rows(tx: &mut Tx, campaign: Uuid) -> Result<Vec<AidRow>> {
    let mut out = Vec::new();
    out.extend(deliveries(tx, campaign).await?);
    out.extend(handovers(tx, campaign).await?);
    out.extend(cash_aid(tx, campaign).await?);
    out.extend(pledged(tx, campaign).await?);
    out.sort();
    Ok(out)
}

fn category(kind: &str, item: Option<String>) -> String {
    match item {
        Some(code) if kind == "item" => format!("item:{code}"),
        _ => kind.to_owned(),
    }
}

async fn deliveries(tx: &mut Tx, campaign: Uuid) -> Result<Vec<AidRow>> {
    let rows: Vec<(Uuid, Uuid, String, Option<String>, String)> = tx
        .fetch_all(
            Query::select()
                .column(("delivery", "household_id"))
                .column(("delivery", "organization_id"))
                .column(("pledge_line", "kind"))
                .column(("pledge_line", "item_code"))
                .column(("delivery", "number"))
                .from("delivery")
                .inner_join(
                    "pledge_line",
                    Expr::col(("pledge_line", "id")).equals(("delivery", "line_id")),
                )
                .and_where(Expr::col(("delivery", "campaign_id")).eq(campaign)),
        )
        .await?;
    Ok(rows
        .into_iter()
        .map(|(household_id, org, kind, item, number)| AidRow {
            household_id,
            category: category(&kind, item),
            source: format!("org:{org}"),
            paper: "delivery".into(),
            number,
        })
        .collect())
}

async fn handovers(tx: &mut Tx, campaign: Uuid) -> Result<Vec<AidRow>> {
    let rows: Vec<(Uuid, String, Option<String>, String, String)> = tx
        .fetch_all(
            Query::select()
                .column(("distribution", "household_id"))
                .column(("distribution", "town_code"))
                .column(("distribution", "station_code"))
                .column(("distribution_line", "item_code"))
                .column(("distribution", "number"))
                .from("distribution")
                .inner_join(
                    "distribution_line",
                    Expr::col(("distribution_line", "distribution_id"))
                        .equals(("distribution", "id")),
                )
                .and_where(Expr::col(("distribution", "campaign_id")).eq(campaign))
                .and_where(Expr::col(("distribution", "delivery_id")).is_null()),
        )
        .await?;
    Ok(rows
        .into_iter()
        .map(|(household_id, town, station, item, number)| AidRow {
            household_id,
            category: format!("item:{item}"),
            source: format!("station:{}", station.unwrap_or(town)),
            paper: "distribution".into(),
            number,
        })
        .collect())
}

async fn cash_aid(tx: &mut Tx, campaign: Uuid) -> Result<Vec<AidRow>> {
    let rows: Vec<(Uuid, String)> = tx
        .fetch_all(
            Query::select()
                .columns(["household_id", "number"])
                .from("cash_aid")
                .and_where(Expr::col("campaign_id").eq(campaign))
                .and_where(Expr::col("delivery_id").is_null()),
        )
        .await?;
    Ok(rows
        .into_iter()
        .map(|(household_id, number)| AidRow {
            household_id,
            category: "cash".into(),
            source: "county".into(),
            paper: "cash_aid".into(),
            number,
        })
        .collect())
}

async fn pledged(tx: &mut Tx, campaign: Uuid) -> Result<Vec<AidRow>> {
    let rows: Vec<(Uuid, Uuid, String, Option<String>, String)> = tx
        .fetch_all(
            Query::select()
                .column(("pledge_household", "household_id"))
                .column(("pledge", "organization_id"))
                .column(("pledge_line", "kind"))
                .column(("pledge_line", "item_code"))
                .column(("pledge", "number"))
                .from("pledge_household")
                .inner_join(
                    "pledge",
                    Expr::col(("pledge", "id")).equals(("pledge_household", "pledge_id")),
                )
                .inner_join(
                    "pledge_line",
                    Expr::col(("pledge_line", "pledge_id")).equals(("pledge", "id")),
                )
                .and_where(Expr::col(("pledge", "campaign_id")).eq(campaign))
                .and_where(Expr::col(("pledge", "signed_at")).is_not_null())
                .and_where(Expr::col(("pledge", "cancelled_at")).is_null()),
        )
        .await?;
    Ok(rows
        .into_iter()
        .map(|(household_id, org, kind, item, number)| AidRow {
            household_id,
            category: category(&kind, item),
            source: format!("org:{org}"),
            paper: "pledge".into(),
            number,
        })
        .collect())
}

/// Approved, not anonymised households with a need in the campaign that was not cancelled.
pub async fn households_in_need(tx: &mut Tx, campaign: Uuid) -> Result<Vec<Uuid>> {
    let rows: Vec<(Uuid,)> = tx
        .fetch_all(
            Query::select()
                .distinct()
                .column(("household", "id"))
                .from("household")
                .inner_join(
                    "need",
                    Expr::col(("need", "household_id")).equals(("household", "id")),
                )
                .and_where(Expr::col(("need", "campaign_id")).eq(campaign))
                .and_where(Expr::col(("need", "status")).ne("cancelled"))
                .and_where(Expr::col(("household", "status")).eq("approved"))
                .and_where(Expr::col(("household", "anonymised_at")).is_null())
                .order_by(("household", "id"), Order::Asc),
        )
        .await?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

/// Every household member's plain columns: `(household, position, name, birth year)`, for
/// comparing households by the members they share.
pub async fn all_members(tx: &mut Tx) -> Result<Vec<(Uuid, i64, String, i64)>> {
    tx.fetch_all(
        Query::select()
            .columns(["household_id", "position", "name", "birth_year"])
            .from("household_member")
            .order_by("household_id", Order::Asc)
            .order_by("position", Order::Asc),
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_read_back_as_they_were_written() {
        let keys = vec![
            (0, i64::MIN),
            (20, -1),
            (255, i64::MAX),
            (7, 0x0102_0304_0506_0708),
        ];
        let blob = encode_keys(&keys).unwrap();
        assert_eq!(blob.len(), 4 * KEY_BYTES);
        assert_eq!(
            blob[27..],
            [7, 8, 7, 6, 5, 4, 3, 2, 1],
            "pass, then little-endian"
        );
        assert_eq!(decode_keys(&blob).unwrap(), keys);
        assert!(decode_keys(&[]).unwrap().is_empty());
    }

    #[test]
    fn a_blob_of_broken_keys_is_corrupt() {
        let blob = encode_keys(&[(3, 42), (4, 43)]).unwrap();
        for cut in [1, 8, 10, 17] {
            assert!(
                matches!(decode_keys(&blob[..cut]), Err(StoreError::Corrupt(_))),
                "{cut} bytes"
            );
        }
    }

    #[test]
    fn a_pass_beyond_one_byte_is_refused() {
        for pass in [-1, 256] {
            assert!(matches!(
                encode_keys(&[(pass, 1)]),
                Err(StoreError::Unstorable(_))
            ));
        }
    }
}
