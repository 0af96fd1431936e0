//! The hash chain over entries and movements, in the audit log's style (`hearth-store`'s
//! `audit.rs`): canonical JSON, SHA-256, lower-case hex.
//!
//! Entries and movements share one sequence, starting at 1. Each record's digest is
//! `hex(sha256(prev_digest ‖ canonical))`, the first record's `prev_digest` being empty, so
//! changing, removing or reordering a stored record breaks the chain at that record. Cutting
//! records off the end is caught by comparing the head with the one published.
//!
//! The canonical form is a JSON array (no spaces, as `serde_json` writes it), fen and
//! quantities as integers, dates as ISO `YYYY-MM-DD`, absent values as `""` (or `null` for a
//! sequence number or an adjustment):
//!
//! ```text
//! header   = date, campaign, designation, town, organization, pledge, household, source, summary
//! entry    = ["entry", seq, header…, kind, [[account, amount], …], reverses]
//! movement = ["movement", seq, header…, kind, from, to, item, quantity, value,
//!             [cause, note, maker, checker] or null, reverses]
//! ```

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::{Entry, Header, Movement};

/// One line of the ledger's journal, in chain order.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "record", rename_all = "snake_case")]
pub enum Record {
    Entry(Entry),
    Movement(Movement),
}

impl Record {
    pub fn seq(&self) -> i64 {
        match self {
            Record::Entry(entry) => entry.seq,
            Record::Movement(movement) => movement.seq,
        }
    }
}

/// The last record of the chain and its digest; the empty chain has `seq` 0 and digest `""`.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Head {
    pub seq: i64,
    pub digest: String,
}

/// The first record whose stored digest is not the one its content and predecessor give, or
/// that does not carry the next sequence number; `seq` is its position in the chain.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FirstMismatch {
    pub seq: i64,
    pub expected: String,
    pub found: String,
}

fn text(value: Option<impl ToString>) -> Value {
    Value::String(value.map(|v| v.to_string()).unwrap_or_default())
}

fn header_fields(header: &Header) -> [Value; 9] {
    [
        json!(header.date.format("%Y-%m-%d").to_string()),
        json!(header.campaign.to_string()),
        json!(header.designation.to_string()),
        text(header.town.as_ref()),
        text(header.organization),
        text(header.pledge),
        text(header.household),
        text(header.source),
        json!(header.summary),
    ]
}

/// The canonical text of a record, as documented above.
pub fn canonical(record: &Record) -> String {
    let mut fields = Vec::new();
    match record {
        Record::Entry(Entry { seq, draft }) => {
            fields.extend([json!("entry"), json!(seq)]);
            fields.extend(header_fields(&draft.header));
            let postings: Vec<Value> = draft
                .postings
                .iter()
                .map(|p| json!([p.account.as_str(), p.amount.fen()]))
                .collect();
            fields.extend([
                json!(draft.kind.as_str()),
                Value::Array(postings),
                json!(draft.reverses),
            ]);
        }
        Record::Movement(Movement { seq, draft }) => {
            fields.extend([json!("movement"), json!(seq)]);
            fields.extend(header_fields(&draft.header));
            let adjustment = draft.adjustment.as_ref().map(|a| {
                json!([
                    a.cause.as_str(),
                    a.note,
                    a.maker.to_string(),
                    text(a.checker)
                ])
            });
            fields.extend([
                json!(draft.kind.as_str()),
                text(draft.from.as_ref()),
                text(draft.to.as_ref()),
                json!(draft.item),
                json!(draft.quantity),
                json!(draft.value.fen()),
                json!(adjustment),
                json!(draft.reverses),
            ]);
        }
    }
    Value::Array(fields).to_string()
}

/// The digest a record must carry after `prev`.
pub fn digest(prev: &str, record: &Record) -> String {
    let mut hasher = Sha256::new();
    hasher.update(prev.as_bytes());
    hasher.update(canonical(record).as_bytes());
    hex::encode(hasher.finalize())
}

/// Walks stored records with their stored digests in chain order; the head they reach, or the
/// first record that does not match. A missing record shows as a mismatch at its position.
pub fn verify<'a>(
    stored: impl IntoIterator<Item = (&'a Record, &'a str)>,
) -> Result<Head, FirstMismatch> {
    let mut head = Head::default();
    for (record, found) in stored {
        let expected = digest(&head.digest, record);
        let seq = head.seq + 1;
        if expected != found || record.seq() != seq {
            return Err(FirstMismatch {
                seq,
                expected,
                found: found.to_owned(),
            });
        }
        head = Head {
            seq,
            digest: expected,
        };
    }
    Ok(head)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::{Designation, EntryDraft, Location, MovementDraft, MovementKind};
    use crate::{AreaCode, Fen};
    use chrono::NaiveDate;
    use uuid::Uuid;

    fn header() -> Header {
        let mut header = Header::new(
            NaiveDate::from_ymd_opt(2024, 12, 20).unwrap(),
            Uuid::from_u128(1),
        );
        header.designation = Designation::Town(AreaCode::parse("340123101").unwrap());
        header.summary = "爱心企业捐款\"暖冬\"".into();
        header
    }

    fn chain() -> Vec<(Record, String)> {
        let station = Location::site(AreaCode::parse("340123101").unwrap()).unwrap();
        let records = [
            Record::Entry(Entry {
                seq: 1,
                draft: EntryDraft::donation_cash(header(), Fen::new(13_000_050)),
            }),
            Record::Movement(Movement {
                seq: 2,
                draft: MovementDraft::inbound(
                    header(),
                    MovementKind::Receipt,
                    station,
                    "quilt",
                    20,
                    Fen::new(300_000),
                ),
            }),
        ];
        let mut prev = String::new();
        records
            .into_iter()
            .map(|record| {
                prev = digest(&prev, &record);
                (record, prev.clone())
            })
            .collect()
    }

    #[test]
    fn the_canonical_form_is_fixed() {
        let (entry, _) = &chain()[0];
        assert_eq!(
            canonical(entry),
            concat!(
                r#"["entry",1,"2024-12-20","00000000-0000-0000-0000-000000000001","#,
                r#""town:340123101000","#,
                r#""","","","","","爱心企业捐款\"暖冬\"","donation_cash","#,
                r#"[["cash_at_bank",13000050],["donations_cash",-13000050]],null]"#
            )
        );
        let (movement, _) = &chain()[1];
        assert!(
            canonical(movement)
                .ends_with(r#""receipt","","site:340123101000","quilt",20,300000,null,null]"#)
        );
    }

    #[test]
    fn verify_reaches_the_head_or_names_the_first_broken_record() {
        let stored = chain();
        let walk =
            |stored: &[(Record, String)]| verify(stored.iter().map(|(r, d)| (r, d.as_str())));
        let head = walk(&stored).unwrap();
        assert_eq!((head.seq, head.digest.len()), (2, 64));
        assert_eq!(head.digest, stored[1].1);
        assert_eq!(walk(&[]), Ok(Head::default()));

        let mut changed = stored.clone();
        if let Record::Entry(entry) = &mut changed[0].0 {
            entry.draft.header.summary.push('!');
        }
        let broken = walk(&changed).unwrap_err();
        assert_eq!(
            (broken.seq, broken.found.as_str()),
            (1, stored[0].1.as_str())
        );

        let without_first = &stored[1..];
        assert_eq!(walk(without_first).unwrap_err().seq, 1);
    }
}
