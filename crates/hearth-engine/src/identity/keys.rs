//! Blocking keys: which records are worth comparing at all.
//!
//! A pass puts every record that has a value for it under one key; records that share a key in
//! some pass become a candidate pair. The engine defines what each key is made of (its
//! *material*, a string) but not how the material becomes a key: a [`BlockKeys`] source does
//! that. [`HashedKeys`] hashes the material with a caller's function — a fast in-memory hash for
//! a plain file, or an HMAC blind index in the registry, so that keys can be stored beside the
//! encrypted records and looked up without decrypting them. [`StoredKeys`] takes keys that were
//! computed earlier (from those stored blind indexes) as they are.

use rayon::prelude::*;
use std::fmt::Write as _;

use super::record::{IdState, NO_VILLAGE, Records};
use super::text;

/// How many [`Pass::IdMasked`] windows the 17 digits before the check character have.
const MASK_WINDOWS: u8 = 8;

/// One way of putting records side by side.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Pass {
    /// The ID number. Every ID key leaves out the check character: it repeats the other 17,
    /// so a typo in it still meets its twin here, and a first-generation number (which never
    /// had one) meets its 18-character form.
    Id,
    /// The ID number with three neighbouring digits masked, windows starting at every second
    /// digit (window `w` masks digits `2w`, `2w + 1` and `2w + 2`; `w` 0–7): a number with
    /// one mistyped digit, or with two neighbours swapped, shares one of these keys with its
    /// twin, since every pair of neighbours lies inside some window. Eight windows cover both
    /// kinds of typo where masked pairs took sixteen and single masks and swap keys 33, and
    /// fourteen known digits still keep unrelated numbers apart. Every key is stored for every
    /// household, so their number is most of what registering one writes.
    IdMasked(u8),
    Phone,
    /// Name characters and village.
    NameVillage,
    /// Name read as pinyin and village: homophones and variant characters meet.
    PinyinVillage,
    /// Name read as pinyin and birth date: for records whose village differs or is missing.
    PinyinBirth,
}

impl Pass {
    /// Every pass, in the order they run.
    pub fn all() -> Vec<Pass> {
        let mut passes = vec![Pass::Id];
        passes.extend((0..MASK_WINDOWS).map(Pass::IdMasked));
        passes.extend([
            Pass::Phone,
            Pass::NameVillage,
            Pass::PinyinVillage,
            Pass::PinyinBirth,
        ]);
        passes
    }

    /// The pass a [`Pass::kind`] names.
    pub fn from_kind(kind: &str) -> Option<Pass> {
        Pass::all().into_iter().find(|p| p.kind() == kind)
    }

    /// A stable small number for storing a pass beside its key (0 `Id`, 1–8 `IdMasked`, then
    /// `Phone`, `NameVillage`, `PinyinVillage`, `PinyinBirth` as 17–20).
    pub fn code(self) -> i64 {
        match self {
            Pass::Id => 0,
            Pass::IdMasked(at) => 1 + i64::from(at),
            Pass::Phone => 17,
            Pass::NameVillage => 18,
            Pass::PinyinVillage => 19,
            Pass::PinyinBirth => 20,
        }
    }

    /// The pass a [`Pass::code`] names.
    pub fn from_code(code: i64) -> Option<Pass> {
        Pass::all().into_iter().find(|p| p.code() == code)
    }

    /// A stable name, e.g. to separate the HMAC domains of blind indexes (`id_masked_3`).
    pub fn kind(self) -> String {
        match self {
            Pass::Id => "id".into(),
            Pass::IdMasked(at) => format!("id_masked_{at}"),
            Pass::Phone => "phone".into(),
            Pass::NameVillage => "name_village".into(),
            Pass::PinyinVillage => "pinyin_village".into(),
            Pass::PinyinBirth => "pinyin_birth".into(),
        }
    }
}

impl Records {
    /// Writes the material of record `i`'s key in `pass` into `out` (cleared first); false when
    /// the record has no key in that pass (the field is missing).
    pub fn key_material(&self, i: u32, pass: Pass, out: &mut String) -> bool {
        out.clear();
        let p = self.person(i);
        let has_id = p.id_state != IdState::Missing;
        let digits = &p.id[..17];
        match pass {
            Pass::Id if has_id => out.extend(digits.iter().map(|&b| char::from(b))),
            Pass::IdMasked(w) if has_id && w < MASK_WINDOWS => {
                let masked = 2 * w as usize..=2 * w as usize + 2;
                out.extend(digits.iter().enumerate().map(|(k, &b)| {
                    if masked.contains(&k) {
                        '*'
                    } else {
                        char::from(b)
                    }
                }));
            }
            Pass::Phone if p.phone != 0 => {
                let _ = write!(out, "{}", p.phone);
            }
            Pass::NameVillage if p.village != NO_VILLAGE && !self.name(p).is_empty() => {
                out.extend(self.name(p).iter().filter_map(|&c| char::from_u32(c)));
                out.push('|');
                out.push_str(self.village_name(p).unwrap_or(""));
            }
            Pass::PinyinVillage if p.village != NO_VILLAGE && !self.pinyin(p).is_empty() => {
                self.write_pinyin(p, out);
                out.push('|');
                out.push_str(self.village_name(p).unwrap_or(""));
            }
            Pass::PinyinBirth if p.birth != 0 && !self.pinyin(p).is_empty() => {
                self.write_pinyin(p, out);
                let _ = write!(out, "|{}", p.birth);
            }
            _ => return false,
        }
        true
    }

    fn write_pinyin(&self, p: &super::record::Person, out: &mut String) {
        for (k, &s) in self.pinyin(p).iter().enumerate() {
            if k > 0 {
                out.push(' ');
            }
            out.push_str(self.syllable(s));
        }
    }
}

/// Where the keys of a pass come from.
pub trait BlockKeys: Sync {
    /// Fills `out` (empty on entry) with `(key, record)` for every record that has a key in
    /// `pass`. Equal keys mean "compare these"; a collision only costs a comparison.
    fn keys(&self, records: &Records, pass: Pass, out: &mut Vec<(u64, u32)>);
}

/// Keys made by hashing each record's key material with a caller's function, e.g. an HMAC
/// blind index folded to 64 bits.
pub struct HashedKeys<F>(pub F);

impl<F: Fn(Pass, &str) -> u64 + Sync> BlockKeys for HashedKeys<F> {
    fn keys(&self, records: &Records, pass: Pass, out: &mut Vec<(u64, u32)>) {
        let n = u32::try_from(records.len()).unwrap_or(u32::MAX);
        out.par_extend(
            (0..n)
                .into_par_iter()
                .map_init(String::new, |buf, i| {
                    records
                        .key_material(i, pass, buf)
                        .then(|| ((self.0)(pass, buf), i))
                })
                .flatten_iter(),
        );
    }
}

/// Plain keys for files on one machine: a fast hash of the material.
pub fn plain_keys() -> HashedKeys<fn(Pass, &str) -> u64> {
    HashedKeys(|_, material| text::hash_str(material))
}

/// Keys computed earlier, e.g. read back from stored blind indexes: for each pass, the key of
/// each record that has one.
#[derive(Debug, Default)]
pub struct StoredKeys {
    pub by_pass: std::collections::BTreeMap<Pass, Vec<(u64, u32)>>,
}

impl BlockKeys for StoredKeys {
    fn keys(&self, _records: &Records, pass: Pass, out: &mut Vec<(u64, u32)>) {
        if let Some(keys) = self.by_pass.get(&pass) {
            out.extend_from_slice(keys);
        }
    }
}

/// Folds a hex blind index (or any string key) to the 64 bits the engine sorts by.
pub fn fold_key(key: &str) -> u64 {
    text::hash_str(key)
}
