//! The ledger (资金与物资台账) in the database: posting entries and movements through the
//! journal's rules, reading the journal back, and verifying the stored chain.
//!
//! Replaying the whole chain on every post would cost O(n), so the app keeps the last journal it
//! built in memory ([`LedgerCache`]). That copy is never trusted on its own: it is used only when
//! its head (sequence number and digest) equals the head row read in the same transaction, and
//! the digest covers every record before it, so equal heads mean equal journals. When the
//! database is ahead (another server posted), the records after the cached head are replayed
//! onto it; when the cache is ahead or elsewhere (a post whose transaction rolled back, a
//! refusal part-way through a batch), it is rebuilt from the stored records. A post therefore
//! works on the journal itself and puts it back without waiting for the caller's commit: if
//! the commit fails, the next use sees a head that differs and rebuilds.

use std::sync::{Arc, Mutex, PoisonError};

use hearth_core::Invalid;
use hearth_core::i18n::Lang;
use hearth_core::ledger::{Broken, EntryDraft, Head, Journal, MovementDraft, Record, ValueGap};
use hearth_core::permission::Permission;
use hearth_store::{StoreError, Tx, ledger};
use serde::Serialize;

use crate::users::Operator;
use crate::{App, AppError, Result};

/// One record to append, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Draft {
    Entry(EntryDraft),
    Movement(MovementDraft),
}

/// The journal this app built last, shared by its clones; see the module notes. Readers share
/// it; a post takes it, copying it only when a reader still holds it.
#[derive(Clone, Default)]
pub(crate) struct LedgerCache(Arc<Mutex<Option<Arc<Journal>>>>);

impl std::fmt::Debug for LedgerCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LedgerCache")
    }
}

impl LedgerCache {
    fn get(&self) -> Option<Arc<Journal>> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn take(&self) -> Option<Journal> {
        let taken = self.0.lock().unwrap_or_else(PoisonError::into_inner).take();
        taken.map(Arc::unwrap_or_clone)
    }

    fn put(&self, journal: Arc<Journal>) {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner) = Some(journal);
    }
}

/// The outcome of `hearth ledger verify`: how far the chain holds, and where it breaks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LedgerVerification {
    /// Records that verify, from the first.
    pub records: i64,
    /// The head those records reach; the one to compare with the head published.
    pub head: Head,
    /// The first record that does not verify, if any.
    pub broken: Option<BrokenRecord>,
    /// Campaigns whose stock value in the accounts differs from their stock book, over a
    /// chain that verifies (every post books goods and their value together, so none).
    pub value_gaps: Vec<ValueGap>,
}

impl LedgerVerification {
    /// Every record verifies and the accounts agree with the stock book.
    pub fn is_sound(&self) -> bool {
        self.broken.is_none() && self.value_gaps.is_empty()
    }
}

/// A record that does not verify, at its position in the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BrokenRecord {
    pub seq: i64,
    #[serde(flatten)]
    pub problem: Problem,
}

/// Why a record does not verify.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum Problem {
    /// Its stored digest or sequence number is not what the chain gives: it, or a record before
    /// it, was altered, removed or reordered.
    Chain { expected: String, found: String },
    /// It breaks a rule of the ledger (negative stock, an unbalanced entry …).
    Refused {
        field: String,
        code: String,
        message_zh: String,
        message_en: String,
    },
    /// Its stored JSON no longer reads as a record.
    Unreadable { detail: String },
    /// The head row names another last record than the one the records reach (`reached`):
    /// records were cut off the end, or the head was moved.
    Head { stored: Head, reached: i64 },
}

impl Problem {
    fn refused(reason: &Invalid) -> Problem {
        Problem::Refused {
            field: reason.field().to_owned(),
            code: reason.code().to_owned(),
            message_zh: reason.message(Lang::ZhCn),
            message_en: reason.message(Lang::En),
        }
    }
}

impl App {
    /// Inside the caller's open WRITE transaction: locks the chain head, checks `drafts` in
    /// order through the journal (all or nothing; a refusal is [`AppError::Invalid`] naming the
    /// field, e.g. a stock shortfall with the quantity available), appends them with their
    /// digests and moves the head. Returns the records as appended.
    pub(crate) async fn post_to_ledger(
        &self,
        tx: &mut Tx,
        drafts: Vec<Draft>,
    ) -> Result<Vec<Record>> {
        self.post_to_ledger_with(tx, |_| Ok(drafts)).await
    }

    /// [`App::post_to_ledger`] for drafts that depend on what the ledger holds: `build` sees
    /// the journal at the locked head, so goods leaving a place carry their share of its value
    /// as it is now, not as it was before another post committed.
    pub(crate) async fn post_to_ledger_with(
        &self,
        tx: &mut Tx,
        build: impl FnOnce(&Journal) -> Result<Vec<Draft>>,
    ) -> Result<Vec<Record>> {
        let head = ledger::lock_head(tx).await?;
        let mut journal = self.journal_at(tx, &head).await?;
        let posted = build(&journal).and_then(|drafts| post_all(&mut journal, drafts));
        let appended = match posted {
            Ok(appended) => appended,
            Err(refusal) => {
                self.ledger.put(Arc::new(journal));
                return Err(refusal);
            }
        };
        ledger::append(tx, &appended).await?;
        ledger::set_head(tx, journal.head()).await?;
        self.ledger.put(Arc::new(journal));
        Ok(appended.into_iter().map(|(record, _)| record).collect())
    }

    /// The journal as committed (for stock on hand, balances, reconciliation).
    pub(crate) async fn journal(&self, tx: &mut Tx) -> Result<Arc<Journal>> {
        let head = ledger::head(tx).await?;
        if let Some(cached) = self.ledger.get().filter(|j| j.head() == &head) {
            return Ok(cached);
        }
        let journal = Arc::new(self.journal_at(tx, &head).await?);
        self.ledger.put(journal.clone());
        Ok(journal)
    }

    /// The journal at `head`: the cached one when it is at that head, brought forward when it
    /// is behind, rebuilt from the stored records otherwise.
    async fn journal_at(&self, tx: &mut Tx, head: &Head) -> Result<Journal> {
        if let Some(mut cached) = self.ledger.take() {
            if cached.head() == head {
                return Ok(cached);
            }
            if cached.head().seq < head.seq {
                let tail = ledger::records_between(tx, cached.head().seq, head.seq).await?;
                if cached.extend(tail).is_ok() && cached.head() == head {
                    return Ok(cached);
                }
            }
        }
        let stored = ledger::records_between(tx, 0, head.seq).await?;
        let journal = Journal::replay(stored).map_err(|broken| corrupt(&broken))?;
        if journal.head() != head {
            return Err(AppError::Store(StoreError::Corrupt(format!(
                "the ledger's head names record {} but the records reach {}; run `hearth ledger verify`",
                head.seq,
                journal.head().seq
            ))));
        }
        Ok(journal)
    }

    /// The head of the ledger's chain as committed; public, it is shown on the public page.
    pub async fn ledger_head(&self) -> Result<Head> {
        let mut tx = self.store().read().await?;
        Ok(ledger::head(&mut tx).await?)
    }

    /// Replays every stored record through the journal's rules and recomputes the chain; run
    /// from the console (`hearth ledger verify`) or by an auditor.
    pub async fn verify_ledger(&self, by: Operator<'_>) -> Result<LedgerVerification> {
        by.require(Permission::ReadAuditLog)?;
        let mut tx = self.store().read().await?;
        ledger::snapshot(&mut tx).await?;
        let rows = ledger::all_rows(&mut tx).await?;
        let stored_head = ledger::head(&mut tx).await?;
        Ok(verification(rows, stored_head))
    }
}

/// Posts every draft onto `journal`, in order; the records with their digests, or the first
/// refusal.
fn post_all(journal: &mut Journal, drafts: Vec<Draft>) -> Result<Vec<(Record, String)>> {
    drafts
        .into_iter()
        .map(|draft| match draft {
            Draft::Entry(draft) => journal
                .post(draft)
                .map(|(entry, digest)| (Record::Entry(entry), digest)),
            Draft::Movement(draft) => journal
                .move_stock(draft)
                .map(|(movement, digest)| (Record::Movement(movement), digest)),
        })
        .collect::<Result<_, Invalid>>()
        .map_err(AppError::from)
}

fn corrupt(broken: &Broken) -> AppError {
    let seq = match broken {
        Broken::Chain(mismatch) => mismatch.seq,
        Broken::Refused { seq, .. } => *seq,
    };
    AppError::Store(StoreError::Corrupt(format!(
        "ledger record {seq} does not verify; run `hearth ledger verify`"
    )))
}

/// Walks the stored rows: the records that read, replayed in order, then the head row.
fn verification(rows: Vec<ledger::LedgerRow>, stored_head: Head) -> LedgerVerification {
    let (stored, unreadable) = readable_prefix(rows);
    let digests: Vec<String> = stored.iter().map(|(_, digest)| digest.clone()).collect();
    let mut journal = Journal::new();
    let broken = match journal.extend(stored) {
        Err(broken) => Some(BrokenRecord::from(broken)),
        Ok(()) => unreadable.or_else(|| {
            let reached = journal.head().seq;
            (journal.head() != &stored_head).then(|| BrokenRecord {
                seq: head_broken_at(reached, stored_head.seq),
                problem: Problem::Head {
                    stored: stored_head,
                    reached,
                },
            })
        }),
    };
    match broken {
        // The records before the broken one verified, so their stored digests are the chain's.
        Some(broken) => LedgerVerification {
            records: broken.seq - 1,
            head: Head {
                seq: broken.seq - 1,
                digest: usize::try_from(broken.seq - 2)
                    .ok()
                    .and_then(|i| digests.get(i).cloned())
                    .unwrap_or_default(),
            },
            broken: Some(broken),
            value_gaps: Vec::new(),
        },
        None => LedgerVerification {
            records: journal.head().seq,
            head: journal.head().clone(),
            value_gaps: journal.value_gaps(),
            broken: None,
        },
    }
}

/// The records up to the first row whose JSON no longer reads, and that row as broken.
fn readable_prefix(rows: Vec<ledger::LedgerRow>) -> (Vec<(Record, String)>, Option<BrokenRecord>) {
    let mut stored = Vec::with_capacity(rows.len());
    for row in rows {
        match row.record() {
            Ok(record) => stored.push((record, row.digest)),
            Err(error) => {
                let unreadable = BrokenRecord {
                    seq: stored.len() as i64 + 1,
                    problem: Problem::Unreadable {
                        detail: error.to_string(),
                    },
                };
                return (stored, Some(unreadable));
            }
        }
    }
    (stored, None)
}

impl From<Broken> for BrokenRecord {
    fn from(broken: Broken) -> BrokenRecord {
        match broken {
            Broken::Chain(mismatch) => BrokenRecord {
                seq: mismatch.seq,
                problem: Problem::Chain {
                    expected: mismatch.expected,
                    found: mismatch.found,
                },
            },
            Broken::Refused { seq, reason } => BrokenRecord {
                seq,
                problem: Problem::refused(&reason),
            },
        }
    }
}

/// Where a head row that disagrees with the records breaks the chain: at the first record the
/// two do not share (a record missing, or one beyond the head), or at the head itself.
fn head_broken_at(reached: i64, named: i64) -> i64 {
    if reached == named {
        reached
    } else {
        reached.min(named) + 1
    }
}

#[cfg(test)]
mod tests;
