//! The import-time check: rows of a household sheet that likely describe a household already
//! in the registry under another ID number (a typo) are reported, before anything is created.
//! Only the rows' own blind keys are looked up; no registered profile is opened.

use super::queue::HouseholdRef;
use super::registry::{Plain, Registry, blind_keys, folded};
use crate::Result;
use hearth_core::household::HouseholdProfile;
use hearth_engine::identity::Pass;
use hearth_engine::identity::{self, Config, IdAgreement, Record};
use hearth_store::Tx;
use hearth_store::crypto::FieldCipher;
use hearth_store::households;
use hearth_store::identity as store;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use uuid::Uuid;

/// A sheet row that likely matches a registered household.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LikelyMatch {
    /// The sheet row (1-based, as the import report counts).
    pub row: u32,
    pub household_id: Uuid,
    /// The registered household's head, masked (`张*`).
    pub head_name: String,
    /// `340123********1234`.
    pub head_id: String,
    pub village_code: String,
    /// The pair's score × 1000.
    pub score_milli: i64,
    /// Why: field → how the row and the household agree, as the review queue keeps it
    /// (`{"id_number": "typo", "name": "same", …}`), so the result page can say it in words.
    /// Reports kept before this field have none.
    #[serde(default)]
    pub evidence: serde_json::Value,
}

/// Rows (`(row number, profile)`) likely matching a registered household with a different ID
/// number. Rows whose ID is already registered are the importer's own business (a repeat).
/// The registry's keys must be current ([`super::registry::sync_keys`]); a caller checking a
/// file part by part syncs once, not per part. With `county` (its 6-digit code), households of
/// other counties are left out: an officer learns nothing of another county's registry.
pub(crate) async fn likely_matches(
    tx: &mut Tx,
    cipher: &FieldCipher,
    county: Option<&str>,
    rows: &[(u32, &HouseholdProfile)],
) -> Result<Vec<LikelyMatch>> {
    let row_keys: Vec<Vec<(Pass, i64)>> = rows
        .iter()
        .map(|(_, p)| blind_keys(cipher, &Plain::of(p)))
        .collect();
    let mut wanted: Vec<i64> = row_keys.iter().flatten().map(|&(_, key)| key).collect();
    wanted.sort_unstable();
    wanted.dedup();
    let mut keys_of: HashMap<Uuid, Vec<(Pass, i64)>> = HashMap::new();
    let config = Config::default();
    let max_block = i64::try_from(config.max_block).unwrap_or(i64::MAX);
    for (household, pass, key) in store::keys_of_households_sharing(tx, &wanted, max_block).await? {
        if let Some(pass) = Pass::from_code(pass) {
            keys_of.entry(household).or_default().push((pass, key));
        }
    }
    // The found households and their members in two statements, not two a household: a part
    // of a sheet can share keys with thousands of them.
    let mut found: Vec<Uuid> = keys_of.keys().copied().collect();
    found.sort_unstable();
    let mut members_of: HashMap<Uuid, Vec<String>> = HashMap::new();
    for m in households::members_of(tx, &found).await? {
        if m.position > 0 {
            let members = members_of.entry(m.household_id).or_default();
            members.push(format!("{}|{}", m.name, m.birth_year));
        }
    }
    let mut registry = Registry::empty();
    let mut registered = HashMap::new();
    for row in households::get_many(tx, &found).await? {
        let elsewhere = county.is_some_and(|c| !row.village.as_str().starts_with(c));
        if row.anonymised_at.is_some() || elsewhere {
            continue;
        }
        let members = members_of.remove(&row.id).unwrap_or_default();
        registry.push(&row, &members, folded(&keys_of[&row.id]));
        registered.insert(row.id, row);
    }
    let first_incoming = registry.ids.len() as u32;
    for ((_, profile), keys) in rows.iter().zip(&row_keys) {
        let members: Vec<String> = profile.members()[1..]
            .iter()
            .map(|m| format!("{}|{}", m.name, m.id_number.birth_year()))
            .collect();
        let member_refs: Vec<&str> = members.iter().map(String::as_str).collect();
        let p = Plain::of(profile);
        registry.push_plain(
            Uuid::nil(),
            &Record {
                name: p.name,
                village: p.village,
                address: p.address,
                members: &member_refs,
                ..Default::default()
            },
            folded(keys),
        );
    }
    let pairs = sharing_pairs(
        &registry.ids[..first_incoming as usize],
        &keys_of,
        &row_keys,
    );
    let evidence =
        identity::explain_sealed(&registry.records, &registry.sealed, &pairs, &config.weights);
    let mut out = Vec::new();
    for (&(r, h), ev) in pairs.iter().zip(&evidence) {
        if ev.score < config.accept || ev.id_number == IdAgreement::Same {
            continue;
        }
        let row = &registered[&registry.ids[h as usize]];
        let found = HouseholdRef::of(row);
        out.push(LikelyMatch {
            row: rows[(r - first_incoming) as usize].0,
            household_id: found.id,
            head_name: found.head_name,
            head_id: found.head_id,
            village_code: found.village_code,
            score_milli: (f64::from(ev.score) * 1000.0).round() as i64,
            evidence: serde_json::to_value(ev).unwrap_or_default(),
        });
    }
    out.sort_by(|a, b| a.row.cmp(&b.row).then(b.score_milli.cmp(&a.score_milli)));
    Ok(out)
}

/// Pairs (incoming index, registered index) of rows and households that share a blind key:
/// only those can be likely matches, and scoring every row against every found household
/// would grow with the square of the file.
fn sharing_pairs(
    registered: &[Uuid],
    keys_of: &HashMap<Uuid, Vec<(Pass, i64)>>,
    row_keys: &[Vec<(Pass, i64)>],
) -> Vec<(u32, u32)> {
    let mut holders: HashMap<i64, Vec<u32>> = HashMap::new();
    for (index, id) in registered.iter().enumerate() {
        for &(_, key) in keys_of.get(id).into_iter().flatten() {
            holders.entry(key).or_default().push(index as u32);
        }
    }
    let first_incoming = registered.len() as u32;
    let mut pairs = Vec::new();
    for (r, keys) in row_keys.iter().enumerate() {
        let mut found: Vec<u32> = keys
            .iter()
            .filter_map(|(_, key)| holders.get(key))
            .flatten()
            .copied()
            .collect();
        found.sort_unstable();
        found.dedup();
        pairs.extend(found.into_iter().map(|h| (first_incoming + r as u32, h)));
    }
    pairs
}
