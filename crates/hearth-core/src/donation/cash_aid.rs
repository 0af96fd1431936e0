//! The cash aid form (现金发放): campaign money handed to one household, who received it (the
//! head, or a proxy with the relationship), the day, the handler and the name signed. It may be
//! paid from a designated donation's money (named by its number) and may answer an open cash
//! need of the household or a cash line of a pledge handed over through the town.
//!
//! Whether the funds hold enough, and whether a designation may pay for this household, are
//! the ledger's rules; the application adds who may hand out cash to which household.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::MAX_CASH_YUAN;
use crate::delivery::DeliveryInput;
use crate::household::{keep, optional_text};
use crate::stock::{Handover, campaign_ref, id};
use crate::{Fen, Invalid};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CashAidInput {
    /// A campaign id or code: whose funds pay.
    pub campaign: String,
    pub household: String,
    /// Yuan, as typed (`500`, `¥500.00`).
    pub amount: String,
    /// The number or id of a designated donation whose money pays; blank lets the ledger use
    /// the most specific funds that may pay for this household.
    pub donation: String,
    /// An open cash need of the household this meets, if any.
    pub need: String,
    /// A cash line of a pledge handed over through the town this delivers, if any.
    pub pledge_line: String,
    /// The person fields of a delivery; its `quantity` and `cash` are not used.
    pub handover: DeliveryInput,
}

/// A valid cash aid form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CashAidProfile {
    pub campaign: String,
    pub household: Uuid,
    pub amount: Fen,
    pub donation: Option<String>,
    pub need: Option<Uuid>,
    pub pledge_line: Option<Uuid>,
    pub handover: Handover,
}

fn amount(raw: &str) -> Result<Fen, Invalid> {
    let amount = Fen::parse_yuan(raw, "amount")?;
    if amount <= Fen::ZERO {
        return Err(Invalid::new("amount", "cash_aid.amount_zero"));
    }
    if amount > Fen::from_yuan(MAX_CASH_YUAN) {
        return Err(Invalid::new("amount", "cash_aid.amount_too_large").arg("max", MAX_CASH_YUAN));
    }
    Ok(amount)
}

impl CashAidInput {
    /// Checks every field, all refusals at once, each naming its field.
    pub fn parse(&self, today: NaiveDate) -> Result<CashAidProfile, Vec<Invalid>> {
        let mut errors = Vec::new();
        let campaign = keep(&mut errors, campaign_ref(&self.campaign));
        let household = match id("household", &self.household) {
            Ok(None) => {
                errors.push(Invalid::new("household", "field.required"));
                None
            }
            other => keep(&mut errors, other).flatten(),
        };
        let amount = keep(&mut errors, amount(&self.amount));
        let donation = keep(&mut errors, optional_text("donation", &self.donation, 64));
        let need = keep(&mut errors, id("need", &self.need));
        let pledge_line = keep(&mut errors, id("pledge_line", &self.pledge_line));
        if let (Some(Some(_)), Some(Some(_))) = (need, pledge_line) {
            errors.push(Invalid::new("need", "stock.need_and_pledge"));
        }
        // One unit stands in for the money so the person fields are checked as a delivery's.
        let person = DeliveryInput {
            quantity: "1".to_owned(),
            cash: String::new(),
            ..self.handover.clone()
        };
        let handover = person.parse(today).map_err(|mut e| errors.append(&mut e));
        match (
            campaign,
            household,
            amount,
            donation,
            need,
            pledge_line,
            handover,
        ) {
            (
                Some(campaign),
                Some(household),
                Some(amount),
                Some(donation),
                Some(need),
                Some(pledge_line),
                Ok(d),
            ) if errors.is_empty() => Ok(CashAidProfile {
                campaign,
                household,
                amount,
                donation,
                need,
                pledge_line,
                handover: Handover {
                    delivered_on: d.delivered_on,
                    proxy: d.proxy,
                    handler: d.handler,
                    signed_name: d.signed_name,
                    note: d.note,
                },
            }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2024, 12, 21).unwrap()
    }

    fn filled() -> CashAidInput {
        CashAidInput {
            campaign: "NDXD-DEMO".into(),
            household: Uuid::from_u128(3).to_string(),
            amount: "500".into(),
            handover: DeliveryInput {
                delivered_on: "2024-12-20".into(),
                recipient: "proxy".into(),
                proxy_name: "王某".into(),
                proxy_relationship: "child".into(),
                handler: "李经办".into(),
                signed_name: "王某".into(),
                ..DeliveryInput::default()
            },
            ..CashAidInput::default()
        }
    }

    #[test]
    fn cash_aid_keeps_the_amount_and_who_signed() {
        let profile = filled().parse(today()).unwrap();
        assert_eq!(profile.amount, Fen::from_yuan(500));
        assert_eq!(profile.donation, None);
        let proxy = profile.handover.proxy.unwrap();
        assert_eq!(proxy.name, "王某");
        let from_gift = CashAidInput {
            donation: " JZ-NDXD-DEMO-0002 ".into(),
            amount: "¥500.00".into(),
            ..filled()
        };
        let profile = from_gift.parse(today()).unwrap();
        assert_eq!(profile.donation.as_deref(), Some("JZ-NDXD-DEMO-0002"));
        assert_eq!(profile.amount, Fen::from_yuan(500));
    }

    #[test]
    fn cash_aid_refuses_every_wrong_field_at_once() {
        let wrong = CashAidInput {
            household: "x".into(),
            amount: "0".into(),
            need: Uuid::from_u128(1).to_string(),
            pledge_line: Uuid::from_u128(2).to_string(),
            handover: DeliveryInput {
                delivered_on: "2024-12-22".into(),
                recipient: "proxy".into(),
                handler: String::new(),
                signed_name: "王某".into(),
                ..DeliveryInput::default()
            },
            ..filled()
        };
        let fields: Vec<String> = wrong
            .parse(today())
            .unwrap_err()
            .iter()
            .map(|e| format!("{}:{}", e.field(), e.code()))
            .collect();
        assert_eq!(
            fields,
            [
                "household:stock.id",
                "amount:cash_aid.amount_zero",
                "need:stock.need_and_pledge",
                "delivered_on:household.date_in_future",
                "proxy_name:field.required",
                "proxy_relationship:field.required",
                "handler:field.required",
            ]
        );
    }
}
