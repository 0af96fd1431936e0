//! Reallocations (变更用途): designated cash moved to another designation with the donor's
//! consent. The money moves in the ledger (two `reallocation` entries from `first_seq`); this
//! row keeps who agreed, how and when.

use crate::{Result, Tx, parsed};
use chrono::{DateTime, Utc};
use hearth_core::Fen;
use hearth_core::ledger::{Designation, DonorConsent};
use sea_query::{Cond, Expr, ExprTrait, Order, Query};
use serde::Serialize;
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReallocationRow {
    pub id: Uuid,
    /// 变更单号, e.g. `BG-NDXD-DEMO-0001`.
    pub number: String,
    pub campaign_id: Uuid,
    /// The designated donation concerned, when one was named.
    pub donation_id: Option<Uuid>,
    pub from: Designation,
    pub to: Designation,
    pub amount: Fen,
    pub consent: DonorConsent,
    pub note: String,
    pub first_seq: i64,
    pub recorded_by: Uuid,
    pub created_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: Uuid,
    number: String,
    campaign_id: Uuid,
    donation_id: Option<Uuid>,
    from_designation: String,
    to_designation: String,
    amount_fen: i64,
    consent_who: String,
    consent_how: String,
    consent_on: String,
    note: String,
    first_seq: i64,
    recorded_by: Uuid,
    created_at: DateTime<Utc>,
}

const COLUMNS: [&str; 14] = [
    "id",
    "number",
    "campaign_id",
    "donation_id",
    "from_designation",
    "to_designation",
    "amount_fen",
    "consent_who",
    "consent_how",
    "consent_on",
    "note",
    "first_seq",
    "recorded_by",
    "created_at",
];

impl Row {
    fn into_row(self) -> Result<ReallocationRow> {
        Ok(ReallocationRow {
            id: self.id,
            number: self.number,
            campaign_id: self.campaign_id,
            donation_id: self.donation_id,
            from: parsed(
                "reallocation.from_designation",
                self.from_designation.parse(),
            )?,
            to: parsed("reallocation.to_designation", self.to_designation.parse())?,
            amount: Fen::new(self.amount_fen),
            consent: DonorConsent {
                who: self.consent_who,
                how: self.consent_how,
                on: parsed("reallocation.consent_on", self.consent_on.parse())?,
            },
            note: self.note,
            first_seq: self.first_seq,
            recorded_by: self.recorded_by,
            created_at: self.created_at,
        })
    }
}

pub async fn insert(tx: &mut Tx, r: &ReallocationRow) -> Result<()> {
    tx.execute(
        Query::insert()
            .into_table("reallocation")
            .columns(COLUMNS)
            .values_panic([
                r.id.into(),
                r.number.clone().into(),
                r.campaign_id.into(),
                r.donation_id.into(),
                r.from.to_string().into(),
                r.to.to_string().into(),
                r.amount.fen().into(),
                r.consent.who.clone().into(),
                r.consent.how.clone().into(),
                r.consent.on.to_string().into(),
                r.note.clone().into(),
                r.first_seq.into(),
                r.recorded_by.into(),
                r.created_at.into(),
            ]),
    )
    .await?;
    Ok(())
}

/// The reallocations of a campaign, or those touching one designation, oldest first.
pub async fn list(
    tx: &mut Tx,
    campaign: Option<Uuid>,
    touching: Option<&Designation>,
) -> Result<Vec<ReallocationRow>> {
    let mut all = Cond::all();
    if let Some(campaign) = campaign {
        all = all.add(Expr::col("campaign_id").eq(campaign));
    }
    if let Some(designation) = touching {
        let text = designation.to_string();
        all = all.add(
            Cond::any()
                .add(Expr::col("from_designation").eq(text.clone()))
                .add(Expr::col("to_designation").eq(text)),
        );
    }
    let rows: Vec<Row> = tx
        .fetch_all(
            Query::select()
                .columns(COLUMNS)
                .from("reallocation")
                .cond_where(all)
                .order_by("created_at", Order::Asc),
        )
        .await?;
    rows.into_iter().map(Row::into_row).collect()
}

/// The next free number in a campaign: `BG-<code>-<n>`.
pub async fn next_number(tx: &mut Tx, campaign: Uuid, code: &str) -> Result<String> {
    crate::numbers::numbered(tx, "reallocation", campaign, &format!("BG-{code}-")).await
}
