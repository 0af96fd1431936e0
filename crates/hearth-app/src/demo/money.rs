//! Demo money and materials (演示捐赠与物资), at the scale of the Feixi case that started Hearth:
//! every one of the 21 organizations gives cash, 131,800 yuan in all (one gift designated to
//! 上派镇, two donors not to be named), and eight of them give goods — 392 items valued at
//! 88,180 yuan — received into the county warehouse; the bureau then buys heaters from
//! campaign funds and sends a waybill to 上派镇, whose station receives it (one quilt arrived
//! damaged) and hands goods over to approved households, pays cash aid (现金发放) to three
//! more — one through a proxy — and takes back one down jacket handed over twice. All of it is
//! recorded through the use cases and booked in the ledger; names and signatures are synthetic.

use super::DEMO_CAMPAIGN;
use super::pledges::Cast;
use crate::{App, Result};
use chrono::Days;
use hearth_core::delivery::DeliveryInput;
use hearth_core::donation::cash_aid::CashAidInput;
use hearth_core::donation::{DonationInput, GiftLineInput};
use hearth_core::organization::Organization;
use hearth_core::purchase::{PurchaseInput, PurchaseLineInput};
use hearth_core::stock::returns::ReturnInput;
use hearth_core::stock::{DistributionInput, LineInput, ReceiptInput, ReceivedInput, WaybillInput};
use hearth_store::organizations::PageRequest;

/// 上派镇, whose station the demo's town officer keeps.
const TOWN: &str = "340123100000";
/// What the county sends to 上派镇: item, quantity.
const SENT: [(&str, u32); 3] = [("quilt", 30), ("down_jacket", 40), ("heater", 20)];

/// Cash per organization, in the registry's order (yuan).
const CASH: [&str; 21] = [
    "20000", "15000", "12000", "10000", "10000", "8000", "8000", "6000", "6000", "5000", "5000",
    "5000", "4000", "3000", "3000", "3000", "2000", "2000", "2000", "1800", "1000",
];

/// A donated line: item, quantity, unit value (yuan).
type Gift = (&'static str, u32, &'static str);

/// Goods: which organization (registry position), and its lines.
const GOODS: [(usize, &[Gift]); 8] = [
    (0, &[("down_jacket", 40, "320")]),
    (1, &[("down_jacket", 60, "320"), ("quilt", 20, "150")]),
    (2, &[("quilt", 50, "150")]),
    (3, &[("heater", 40, "220"), ("electric_blanket", 12, "90")]),
    (4, &[("down_jacket", 60, "320")]),
    (6, &[("quilt", 30, "150"), ("cotton_coat", 40, "120")]),
    (8, &[("heater", 30, "220")]),
    (10, &[("cooking_oil", 10, "70")]),
];

fn cash_gift(n: usize, org: &Organization, amount: &str) -> DonationInput {
    let day = crate::today() - Days::new(6 - (n as u64 % 6));
    DonationInput {
        campaign: DEMO_CAMPAIGN.to_owned(),
        kind: "cash".into(),
        donor_kind: "organization".into(),
        organization: org.id.to_string(),
        public_name: if n % 10 == 9 { "no" } else { "yes" }.into(),
        amount: amount.to_owned(),
        channel: "bank_transfer".into(),
        received_on: day.to_string(),
        receipt_number: format!("DEMO-PJ-{:04}", n + 1),
        designation: if n == 5 { "town" } else { "campaign" }.into(),
        designated_to: if n == 5 { "340123100000" } else { "" }.into(),
        note: "演示数据".into(),
        ..DonationInput::default()
    }
}

fn goods_gift(n: usize, org: &Organization, lines: &[Gift]) -> DonationInput {
    DonationInput {
        campaign: DEMO_CAMPAIGN.to_owned(),
        kind: "in_kind".into(),
        donor_kind: "organization".into(),
        organization: org.id.to_string(),
        public_name: "yes".into(),
        received_on: (crate::today() - Days::new(5 - (n as u64 % 5))).to_string(),
        designation: "campaign".into(),
        lines: lines
            .iter()
            .map(|(item, quantity, value)| GiftLineInput {
                item: (*item).to_owned(),
                quantity: quantity.to_string(),
                unit_value: (*value).to_owned(),
                condition: "new".into(),
            })
            .collect(),
        note: "演示数据".into(),
        ..DonationInput::default()
    }
}

fn heaters() -> PurchaseInput {
    PurchaseInput {
        campaign: DEMO_CAMPAIGN.to_owned(),
        supplier: "示例家电商行（演示）".into(),
        invoice_number: "DEMO-FP-0001".into(),
        purchased_on: (crate::today() - Days::new(2)).to_string(),
        designation: "campaign".into(),
        lines: vec![PurchaseLineInput {
            item: "heater".into(),
            quantity: "50".into(),
            unit_price: "180".into(),
        }],
        note: "用活动资金采购取暖器（演示）".into(),
        ..PurchaseInput::default()
    }
}

fn lines(list: &[(&str, u32)]) -> Vec<LineInput> {
    list.iter()
        .map(|(item, quantity)| LineInput {
            item: (*item).to_owned(),
            quantity: quantity.to_string(),
        })
        .collect()
}

fn waybill() -> WaybillInput {
    WaybillInput {
        campaign: DEMO_CAMPAIGN.to_owned(),
        from: "340123000000".into(),
        to: TOWN.into(),
        dispatched_on: (crate::today() - Days::new(2)).to_string(),
        note: "县仓库调拨上派镇（演示）".into(),
        lines: lines(&SENT),
    }
}

/// Everything arrived but one quilt, damaged on the way.
fn receipt() -> ReceiptInput {
    ReceiptInput {
        received_on: (crate::today() - Days::new(1)).to_string(),
        note: "验收入库（演示）".into(),
        lines: SENT
            .iter()
            .map(|(item, quantity)| {
                let damaged = *item == "quilt";
                ReceivedInput {
                    item: (*item).to_owned(),
                    received: (quantity - u32::from(damaged)).to_string(),
                    cause: if damaged { "damage" } else { "" }.into(),
                    note: if damaged {
                        "外包装破损受潮（演示）"
                    } else {
                        ""
                    }
                    .into(),
                }
            })
            .collect(),
    }
}

fn handover(household: uuid::Uuid, n: usize) -> DistributionInput {
    DistributionInput {
        campaign: DEMO_CAMPAIGN.to_owned(),
        household: household.to_string(),
        lines: lines(&[("quilt", 1), ("down_jacket", 1 + (n % 2) as u32)]),
        handover: DeliveryInput {
            delivered_on: crate::today().to_string(),
            handler: "上派镇民政办（演示）".into(),
            signed_name: "（演示签名）".into(),
            ..DeliveryInput::default()
        },
        ..DistributionInput::default()
    }
}

/// Cash aid to the households after those handed goods (yuan); the second is collected by a
/// proxy.
const CASH_AID: [&str; 3] = ["500", "800", "300"];

fn cash_aid(household: uuid::Uuid, n: usize, amount: &str) -> CashAidInput {
    let by_proxy = n == 1;
    CashAidInput {
        campaign: DEMO_CAMPAIGN.to_owned(),
        household: household.to_string(),
        amount: amount.to_owned(),
        handover: DeliveryInput {
            delivered_on: crate::today().to_string(),
            recipient: if by_proxy { "proxy" } else { "head" }.into(),
            proxy_name: if by_proxy {
                "户主之子（演示）"
            } else {
                ""
            }
            .into(),
            proxy_relationship: if by_proxy { "child" } else { "" }.into(),
            handler: "上派镇民政办（演示）".into(),
            signed_name: "（演示签名）".into(),
            note: "临时生活困难救助（演示）".into(),
            ..DeliveryInput::default()
        },
        ..CashAidInput::default()
    }
}

/// The second household was handed two down jackets where one was meant: one comes back.
fn jacket_back(household: uuid::Uuid) -> ReturnInput {
    ReturnInput {
        campaign: DEMO_CAMPAIGN.to_owned(),
        household: household.to_string(),
        item: "down_jacket".into(),
        quantity: "1".into(),
        returned_on: crate::today().to_string(),
        reason: "多发一件，退回站点（演示）".into(),
        handler: "上派镇民政办（演示）".into(),
        ..ReturnInput::default()
    }
}

impl App {
    /// Adds the demo's money and materials to a database [`App::seed_demo`] filled: donations,
    /// a purchase, a waybill and handovers. Kept apart so tests of the books start from empty
    /// books on the same demo; `hearth demo` runs both. Returns how many donations.
    pub async fn seed_demo_money(&self) -> Result<usize> {
        let Some(cast) = Cast::load(self).await? else {
            return Ok(0);
        };
        let orgs = {
            let mut tx = self.store().read().await?;
            let (orgs, _) = hearth_store::organizations::search(
                &mut tx,
                &hearth_store::organizations::OrgFilter::default(),
                PageRequest::all(),
            )
            .await?;
            orgs
        };
        self.seed_money(&cast, &orgs).await
    }

    async fn seed_money(&self, cast: &Cast, orgs: &[Organization]) -> Result<usize> {
        let mut count = 0;
        for (n, (org, amount)) in orgs.iter().zip(CASH).enumerate() {
            self.record_donation(&cast.county, &cash_gift(n, org, amount))
                .await?;
            count += 1;
        }
        for (n, (position, lines)) in GOODS.iter().enumerate() {
            if let Some(org) = orgs.get(*position) {
                self.record_donation(&cast.county, &goods_gift(n, org, lines))
                    .await?;
                count += 1;
            }
        }
        self.record_purchase(&cast.county, &heaters()).await?;
        let sent = self.dispatch_waybill(&cast.county, &waybill()).await?;
        self.receive_waybill(&cast.town, sent.id, &receipt())
            .await?;
        let approved = crate::households::HouseholdQuery {
            status: Some("approved".into()),
            ..Default::default()
        };
        let (households, _) = self
            .households(&cast.town, &approved, PageRequest::new(None, Some(10)))
            .await?;
        for (n, household) in households.iter().take(3).enumerate() {
            self.record_distribution(&cast.town, &handover(household.id, n))
                .await?;
        }
        if let Some(twice) = households.get(1) {
            self.record_return(&cast.town, &jacket_back(twice.id))
                .await?;
        }
        for (n, (household, amount)) in households.iter().skip(3).zip(CASH_AID).enumerate() {
            self.record_cash_aid(&cast.town, &cash_aid(household.id, n, amount))
                .await?;
        }
        Ok(count)
    }
}
