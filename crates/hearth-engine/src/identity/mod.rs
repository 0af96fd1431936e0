//! Identity resolution (issue 9): which records describe one household.
//!
//! The same family arrives from the village list, a town's sheet, an organization's own list and
//! last winter's campaign, spelled differently and with a mistyped ID number. Resolution runs in
//! three phases, each in its own module:
//!
//! 1. [`blocking`]: records that share a key in some [`Pass`] become candidate pairs (the ID
//!    number without its check character, the same with three neighbouring digits masked
//!    so that one mistyped digit or one swap still meets its twin, the phone, name and village,
//!    pinyin and village, pinyin and birth date). Oversize blocks are
//!    skipped so the work stays near linear. Keys come from a [`BlockKeys`] source, so the
//!    registry can feed HMAC blind indexes instead of plaintext.
//! 2. [`score`]: each candidate pair gets a score from per-field agreement ([`Weights`]); pairs
//!    scoring at least [`Config::accept`] are links.
//! 3. [`cluster`]: union-find over the links, strongest first, refusing merges that would join
//!    two different valid ID numbers or grow a cluster past [`Config::max_cluster`].
//!
//! Everything is deterministic: the same records in the same order give the same clusters.

pub mod blocking;
pub mod cluster;
pub mod keys;
pub mod record;
pub mod score;
pub mod sealed;
mod text;

use rayon::prelude::*;
use std::time::{Duration, Instant};

pub use blocking::BlockingStats;
pub use cluster::Link;
pub use keys::{BlockKeys, HashedKeys, Pass, StoredKeys, fold_key, plain_keys};
pub use record::{IdState, Record, Records};
pub use score::{Agreement, Evidence, IdAgreement, NameAgreement, Weights};
pub use sealed::{SealedFields, explain_sealed, resolve_sealed};

/// The thresholds of resolution. Defaults suit county registries (a few thousand to a few
/// million records); see `bench/identity/README.md` for how they were checked.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Config {
    /// Blocks with more records than this are skipped (see [`blocking`]).
    pub max_block: usize,
    /// A pair scoring at least this is taken for one household.
    pub accept: f32,
    /// No cluster grows beyond this many records (see [`cluster`]).
    pub max_cluster: usize,
    pub weights: Weights,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            max_block: 64,
            accept: 8.0,
            max_cluster: 24,
            weights: Weights::default(),
        }
    }
}

/// How long each phase took.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Timings {
    pub blocking: Duration,
    pub scoring: Duration,
    pub clustering: Duration,
}

#[derive(Debug, Clone)]
pub struct Resolution {
    /// Clusters of two or more records (indexes into [`Records`]), each sorted, ordered by their
    /// first record.
    pub clusters: Vec<Vec<u32>>,
    /// The accepted pairs, strongest first.
    pub links: Vec<Link>,
    pub blocking: BlockingStats,
    /// Accepted pairs that clustering refused to follow.
    pub refused_links: usize,
    pub timings: Timings,
}

/// Resolves `records` into households.
pub fn resolve(records: &Records, keys: &dyn BlockKeys, config: &Config) -> Resolution {
    let start = Instant::now();
    let (pairs, blocking) =
        blocking::candidate_pairs(records, keys, &Pass::all(), config.max_block);
    let blocked = Instant::now();
    let freq = score::Frequencies::count(records);
    let mut links: Vec<Link> = pairs
        .par_iter()
        .filter_map(|&p| {
            let (a, b) = blocking::unpair(p);
            let ev = score::compare(records, &freq, &config.weights, a, b);
            (ev.score >= config.accept).then_some(Link {
                a,
                b,
                score: ev.score,
            })
        })
        .collect();
    drop(pairs);
    let scored = Instant::now();
    let (clusters, refused_links) = cluster::cluster(records, &mut links, config.max_cluster);
    Resolution {
        clusters,
        links,
        blocking,
        refused_links,
        timings: Timings {
            blocking: blocked - start,
            scoring: scored - blocked,
            clustering: scored.elapsed(),
        },
    }
}

/// The evidence for one pair, for a reviewer (recomputes the name and phone frequencies: call
/// it for a handful of pairs, not for all).
pub fn explain(records: &Records, a: u32, b: u32, weights: &Weights) -> Evidence {
    let freq = score::Frequencies::count(records);
    score::compare(records, &freq, weights, a, b)
}

/// The key material of one record in every pass where it has a key, e.g. to store its blind
/// indexes when the record is written so that later imports find it without decrypting.
pub fn key_materials(record: &Record<'_>) -> Vec<(Pass, String)> {
    let mut one = Records::new();
    one.push(record);
    let mut out = Vec::new();
    let mut buf = String::new();
    for pass in Pass::all() {
        if one.key_material(0, pass, &mut buf) {
            out.push((pass, buf.clone()));
        }
    }
    out
}
