//! What an entry or a movement is about, besides its amounts: the day, the campaign, whose
//! funds (the designation) and what it concerns. The same header is hashed with the record, so
//! none of it can change unnoticed, and reconciliations group by it.

use chrono::NaiveDate;
use uuid::Uuid;

use super::{Designation, SpendingTarget};
use crate::AreaCode;

/// The voucher header (凭证头) shared by entries and movements.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Header {
    /// The business day (记账日期), not the moment it was typed.
    pub date: NaiveDate,
    pub campaign: Uuid,
    /// Whose funds or goods this uses; a donation's own designation when it is received.
    pub designation: Designation,
    /// The town concerned: of the station, of the household, or the one a purchase is for.
    pub town: Option<AreaCode>,
    /// The donor organization of a donation, or the organization whose pledge is fulfilled.
    pub organization: Option<Uuid>,
    /// The pledge fulfilled, if any.
    pub pledge: Option<Uuid>,
    /// The household reached by cash aid, a distribution or a return.
    pub household: Option<Uuid>,
    /// The record booked: a donation, purchase, delivery, waybill, count or reallocation.
    pub source: Option<Uuid>,
    /// 摘要: a short description, as on a paper voucher.
    pub summary: String,
}

impl Header {
    /// A header for campaign funds at large, concerning nothing in particular yet.
    pub fn new(date: NaiveDate, campaign: Uuid) -> Header {
        Header {
            date,
            campaign,
            designation: Designation::Campaign,
            town: None,
            organization: None,
            pledge: None,
            household: None,
            source: None,
            summary: String::new(),
        }
    }

    /// What a spending under this header pays for, to check against the designation.
    pub fn target(&self) -> SpendingTarget {
        SpendingTarget {
            town: self.town.clone(),
            pledge: self.pledge,
            household: self.household,
        }
    }
}
