//! 待办: what waits for the signed-in person, counted in their own scope — records returned to
//! a village, deliveries a village is to confirm, reviews waiting for a town, needs an
//! organization could claim, letters to sign, pledges due within a week or past their deadline,
//! waybills on the road to a station the person keeps, applications waiting for the bureau.
//! Each count comes from the same use case the list behind it uses, so the number on the home
//! page is the number of rows the person finds when they click it.
//!
//! A village's "deliveries to confirm" are the signed pledges to its households with lines
//! still open (签署、履行中 or 逾期): each line is a delivery to come (the data model's
//! delivery is one line of one pledge, needs or free lines alike). Villages do not record
//! deliveries themselves (organizations and town stations do, with the recipient's signature
//! on the record, so a recorded delivery has nothing left to confirm); the village witnesses
//! the letter and confirms with the family that the help arrives and is signed for. When the
//! last line is delivered the pledge is fulfilled and leaves the count.

use crate::households::HouseholdQuery;
use crate::needs::{NeedQuery, SheetQuery};
use crate::waybills::WaybillQuery;
use crate::{App, Caller, Result};
use chrono::NaiveDate;
use hearth_core::campaign::{CampaignStatus, EnrolmentStatus};
use hearth_core::permission::Permission;
use hearth_core::pledge::{PledgeStatus, awaits_delivery};
use hearth_store::organizations::PageRequest;
use serde::Serialize;

/// One kind of waiting work.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TodoKind {
    HouseholdsReturned,
    HouseholdsToReview,
    NeedsReturned,
    DeliveriesToConfirm,
    NeedsToReview,
    NeedsToClaim,
    ClaimsWithoutLetter,
    PledgesToSign,
    PledgesOverdue,
    PledgesDueSoon,
    VisitsDueSoon,
    VisitsOverdue,
    WaybillsToReceive,
    ApplicationsToDecide,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Todo {
    pub kind: TodoKind,
    pub count: i64,
}

fn one() -> PageRequest {
    PageRequest::new(Some(1), Some(10))
}

impl App {
    /// The caller's waiting work on `today`, only kinds with something waiting.
    pub async fn todo(&self, caller: &Caller, today: NaiveDate) -> Result<Vec<Todo>> {
        let mut list = Vec::new();
        let mut push = |kind, count: i64| {
            if count > 0 {
                list.push(Todo { kind, count });
            }
        };
        let households = |status: &str| HouseholdQuery {
            status: Some(status.to_owned()),
            ..HouseholdQuery::default()
        };
        let needs = |status: &str| NeedQuery {
            status: Some(status.to_owned()),
            ..NeedQuery::default()
        };
        if caller.can(Permission::RegisterHouseholds) {
            let (_, n) = self
                .households(caller, &households("returned"), one())
                .await?;
            push(TodoKind::HouseholdsReturned, n);
        }
        if caller.can(Permission::ReviewHouseholds) {
            let (_, n) = self
                .households(caller, &households("submitted"), one())
                .await?;
            push(TodoKind::HouseholdsToReview, n);
        }
        if caller.can(Permission::RecordNeeds) {
            let (_, n) = self.needs(caller, &needs("returned"), one()).await?;
            push(TodoKind::NeedsReturned, n);
        }
        if caller.can(Permission::ReviewNeeds) {
            let (_, n) = self.needs(caller, &needs("submitted"), one()).await?;
            push(TodoKind::NeedsToReview, n);
        }
        if caller.can(Permission::ClaimNeeds) {
            let sheet = self
                .claim_sheet(caller, &SheetQuery::default(), one())
                .await?;
            push(TodoKind::NeedsToClaim, sheet.total);
        }
        if caller.can(Permission::ReadPledges) {
            let pledges = self.pledges_on(caller, today).await?;
            if caller.can(Permission::MakePledges) {
                let in_letters: Vec<_> = pledges
                    .iter()
                    .filter(|p| p.status != PledgeStatus::Cancelled)
                    .flat_map(|p| p.lines.iter().filter_map(|l| l.need_id))
                    .collect();
                let mine = SheetQuery {
                    mine: true,
                    ..SheetQuery::default()
                };
                let claimed = self
                    .claim_sheet(caller, &mine, PageRequest::all())
                    .await?
                    .rows
                    .iter()
                    .filter(|r| {
                        r.status == hearth_core::need::NeedStatus::Claimed
                            && !in_letters.contains(&r.id)
                    })
                    .count();
                push(TodoKind::ClaimsWithoutLetter, claimed as i64);
                let drafts = pledges.iter().filter(|p| p.status == PledgeStatus::Draft);
                push(TodoKind::PledgesToSign, drafts.count() as i64);
                let due_soon = pledges.iter().filter(|p| p.due_soon).count();
                push(TodoKind::PledgesDueSoon, due_soon as i64);
            }
            let overdue = pledges.iter().filter(|p| p.overdue).count();
            push(TodoKind::PledgesOverdue, overdue as i64);
            // Who records needs but hands nothing over: the village officer.
            if caller.can(Permission::RecordNeeds) && !caller.can(Permission::RecordDeliveries) {
                let open = pledges.iter().filter(|p| awaits_delivery(p.status));
                push(TodoKind::DeliveriesToConfirm, open.count() as i64);
            }
        }
        if caller.can(Permission::RecordVisits) {
            let (due_soon, overdue) = self.visit_todo(caller, today).await?;
            push(TodoKind::VisitsDueSoon, due_soon);
            push(TodoKind::VisitsOverdue, overdue);
        }
        if caller.can(Permission::ManageStock) {
            let on_road = WaybillQuery {
                campaign: None,
                status: Some("dispatched".to_owned()),
            };
            let (waybills, _) = self.waybills(caller, &on_road, PageRequest::all()).await?;
            let to_receive = waybills.iter().filter(|w| w.can_receive).count();
            push(TodoKind::WaybillsToReceive, to_receive as i64);
        }
        if caller.can(Permission::ManageCampaigns) {
            let mut waiting = 0;
            for c in self.campaigns(caller).await? {
                if c.status == CampaignStatus::Launched || c.status == CampaignStatus::Planned {
                    let (_, enrolments) = self.campaign(caller, &c.id.to_string()).await?;
                    waiting += enrolments
                        .iter()
                        .filter(|e| e.status == EnrolmentStatus::Applied)
                        .count() as i64;
                }
            }
            push(TodoKind::ApplicationsToDecide, waiting);
        }
        Ok(list)
    }
}
