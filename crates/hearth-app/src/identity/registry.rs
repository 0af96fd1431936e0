//! The registry as identity resolution sees it: plain columns (head's name, village, address,
//! members' names and birth years) and the blind keys of the sealed ones (ID number, phone),
//! kept in `identity_key`: computed when a household is written, and again at each run for
//! any household whose keys are older than the row or made under a retired key.

use crate::Result;
use crate::households::unseal;
use hearth_core::household::HouseholdProfile;
use hearth_engine::identity::{self, Pass, Record, Records, SealedFields, StoredKeys};
use hearth_store::Tx;
use hearth_store::crypto::FieldCipher;
use hearth_store::households::{self, HouseholdRow};
use hearth_store::identity::{self as store, KeyState, StoredKey};
use std::collections::HashMap;
use uuid::Uuid;

/// One household's fields as the engine takes them; the ID number and phone only when the
/// caller holds them in clear (an incoming spreadsheet row, or a profile opened to compute keys).
pub(crate) struct Plain<'a> {
    pub name: &'a str,
    pub id_number: &'a str,
    pub phone: &'a str,
    pub village: &'a str,
    pub address: &'a str,
}

impl<'a> Plain<'a> {
    /// A profile's fields in clear, as an incoming row or a household just built holds them.
    pub fn of(profile: &'a HouseholdProfile) -> Plain<'a> {
        let head = profile.head();
        Plain {
            name: &head.name,
            id_number: head.id_number.as_str(),
            phone: profile.phone().map_or("", |p| p.as_str()),
            village: profile.village().as_str(),
            address: profile.address(),
        }
    }
}

/// The blind keys of a household's fields: each pass's key material under its own HMAC domain,
/// so a key of one pass never equals a key of another.
pub(crate) fn blind_keys(cipher: &FieldCipher, plain: &Plain<'_>) -> Vec<(Pass, i64)> {
    let record = Record {
        name: plain.name,
        id_number: plain.id_number,
        phone: plain.phone,
        village: plain.village,
        address: plain.address,
        ..Default::default()
    };
    identity::key_materials(&record)
        .into_iter()
        .map(|(pass, material)| {
            let key = cipher.blind_key(&format!("identity_{}", pass.kind()), &material);
            (pass, key)
        })
        .collect()
}

/// Keys as the store keeps them.
pub(crate) fn stored(keys: &[(Pass, i64)]) -> Vec<StoredKey> {
    keys.iter().map(|&(pass, key)| (pass.code(), key)).collect()
}

/// Keys as the engine blocks on them.
pub(crate) fn folded(keys: &[(Pass, i64)]) -> Vec<(Pass, u64)> {
    keys.iter().map(|&(pass, key)| (pass, key as u64)).collect()
}

/// Computes the keys of every household whose keys are missing, older than the household or
/// made under a retired key; drops those of anonymised households. Returns how many changed.
pub(crate) async fn sync_keys(tx: &mut Tx, cipher: &FieldCipher) -> Result<usize> {
    let key_id = cipher.current_key_id().to_owned();
    let stale = households::with_stale_identity_keys(tx, &key_id).await?;
    // A few hundred households' keys a statement batch, so memory stays bounded.
    for part in stale.chunks(500) {
        let mut batch = Vec::with_capacity(part.len());
        for row in part {
            if row.anonymised_at.is_some() {
                store::drop_keys(tx, row.id).await?;
                continue;
            }
            let state = KeyState {
                household_id: row.id,
                version: row.version,
                key_id: key_id.clone(),
            };
            batch.push((state, stored(&keys_of_row(cipher, row)?)));
        }
        store::replace_keys_of(tx, &batch).await?;
    }
    Ok(stale.len())
}

/// Computes households' keys as they are written (registered, edited, imported), so the
/// next check at import and the next run meet them at once; [`sync_keys`] remains for households
/// written before and keys made under a retired key.
pub(crate) async fn refresh_keys<'a>(
    tx: &mut Tx,
    cipher: &FieldCipher,
    rows: impl IntoIterator<Item = &'a HouseholdRow>,
) -> Result<()> {
    let key_id = cipher.current_key_id();
    let mut batch = Vec::new();
    for row in rows {
        let state = KeyState {
            household_id: row.id,
            version: row.version,
            key_id: key_id.to_owned(),
        };
        batch.push((state, stored(&keys_of_row(cipher, row)?)));
    }
    store::replace_keys_of(tx, &batch).await?;
    Ok(())
}

/// The keys of a household built just now from a profile in clear (an import's new rows),
/// without opening what was just sealed; stored with `identity::insert_keys_of`.
pub(crate) fn keys_of_new(
    cipher: &FieldCipher,
    row: &HouseholdRow,
    profile: &HouseholdProfile,
) -> (KeyState, Vec<StoredKey>) {
    let state = KeyState {
        household_id: row.id,
        version: row.version,
        key_id: cipher.current_key_id().to_owned(),
    };
    (state, stored(&blind_keys(cipher, &Plain::of(profile))))
}

fn keys_of_row(cipher: &FieldCipher, row: &HouseholdRow) -> Result<Vec<(Pass, i64)>> {
    let input = unseal(cipher, row)?;
    let head = input.members.first();
    Ok(blind_keys(
        cipher,
        &Plain {
            name: &row.head_name,
            id_number: head.map_or("", |m| m.id_number.as_str()),
            phone: &input.phone,
            village: row.village.as_str(),
            address: &row.address,
        },
    ))
}

/// Households loaded for resolution, addressed by their position in `records`.
pub(crate) struct Registry {
    pub ids: Vec<Uuid>,
    pub records: Records,
    pub sealed: Vec<SealedFields>,
    pub keys: StoredKeys,
}

impl Registry {
    pub fn empty() -> Registry {
        Registry {
            ids: Vec::new(),
            records: Records::new(),
            sealed: Vec::new(),
            keys: StoredKeys::default(),
        }
    }

    /// Every household that is not anonymised, with its members and stored keys.
    pub async fn load(tx: &mut Tx) -> Result<Registry> {
        let rows: Vec<HouseholdRow> = households::all(tx, false).await?;
        let mut members: HashMap<Uuid, Vec<String>> = HashMap::new();
        for (household, position, name, year) in store::all_members(tx).await? {
            // The head is the household's own name; the others say who lives there.
            if position > 0 {
                members
                    .entry(household)
                    .or_default()
                    .push(format!("{name}|{year}"));
            }
        }
        let mut keys_of: HashMap<Uuid, Vec<(Pass, u64)>> = HashMap::new();
        for (household, pass, key) in store::all_keys(tx).await? {
            if let Some(pass) = Pass::from_code(pass) {
                keys_of
                    .entry(household)
                    .or_default()
                    .push((pass, key as u64));
            }
        }
        let mut registry = Registry::empty();
        for row in &rows {
            let member_keys = members.remove(&row.id).unwrap_or_default();
            let keys = keys_of.remove(&row.id).unwrap_or_default();
            registry.push(row, &member_keys, keys);
        }
        Ok(registry)
    }

    /// Adds one record: plain fields in clear, sealed ones by their keys only.
    pub fn push(&mut self, row: &HouseholdRow, members: &[String], keys: Vec<(Pass, u64)>) {
        let member_refs: Vec<&str> = members.iter().map(String::as_str).collect();
        self.push_plain(
            row.id,
            &Record {
                name: &row.head_name,
                village: row.village.as_str(),
                address: &row.address,
                members: &member_refs,
                ..Default::default()
            },
            keys,
        );
    }

    /// Adds a record whose ID number and phone are left out of `record` and given as keys.
    pub fn push_plain(&mut self, id: Uuid, record: &Record<'_>, keys: Vec<(Pass, u64)>) {
        let index = u32::try_from(self.ids.len()).unwrap_or(u32::MAX);
        self.ids.push(id);
        self.records.push(record);
        for &(pass, key) in &keys {
            self.keys
                .by_pass
                .entry(pass)
                .or_default()
                .push((key, index));
        }
        self.sealed.push(SealedFields::from_keys(keys));
    }
}
