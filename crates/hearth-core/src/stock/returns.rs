//! The return form (退回): one item a household gives back to a station, how many, the day,
//! why and who took it back. Whether the household had received that many is the ledger's rule
//! (returns never exceed what was handed over, net of earlier returns).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{MAX_NOTE, campaign_ref, id, number, optional_station};
use crate::household::{keep, past_date, text};
use crate::need::item_code;
use crate::{AreaCode, Invalid};

/// Longest name of whoever took the goods back.
const MAX_NAME: usize = 40;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ReturnInput {
    /// A campaign id or code: whose goods come back.
    pub campaign: String,
    pub household: String,
    /// Blank for the station of the household's town, or the county's code for its warehouse.
    pub station: String,
    pub item: String,
    pub quantity: String,
    pub returned_on: String,
    /// Why the goods came back (多发、重复领取、物品不适用 …).
    pub reason: String,
    /// 经办人.
    pub handler: String,
}

/// A valid return form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReturnProfile {
    pub campaign: String,
    pub household: Uuid,
    pub station: Option<AreaCode>,
    pub item: String,
    pub quantity: i64,
    pub returned_on: NaiveDate,
    pub reason: String,
    pub handler: String,
}

impl ReturnInput {
    /// Checks every field, all refusals at once, each naming its field.
    pub fn parse(&self, today: NaiveDate) -> Result<ReturnProfile, Vec<Invalid>> {
        let mut errors = Vec::new();
        let campaign = keep(&mut errors, campaign_ref(&self.campaign));
        let household = match id("household", &self.household) {
            Ok(None) => {
                errors.push(Invalid::new("household", "field.required"));
                None
            }
            other => keep(&mut errors, other).flatten(),
        };
        let station = keep(&mut errors, optional_station("station", &self.station));
        let item = keep(&mut errors, item_code("item", &self.item));
        let quantity = keep(&mut errors, number("quantity", &self.quantity, 1));
        let returned_on = keep(
            &mut errors,
            past_date("returned_on", &self.returned_on, today),
        );
        let reason = keep(&mut errors, text("reason", &self.reason, MAX_NOTE, true));
        let handler = keep(&mut errors, text("handler", &self.handler, MAX_NAME, true));
        match (
            campaign,
            household,
            station,
            item,
            quantity,
            returned_on,
            reason,
            handler,
        ) {
            (
                Some(campaign),
                Some(household),
                Some(station),
                Some(item),
                Some(quantity),
                Some(returned_on),
                Some(reason),
                Some(handler),
            ) if errors.is_empty() => Ok(ReturnProfile {
                campaign,
                household,
                station,
                item,
                quantity,
                returned_on,
                reason,
                handler,
            }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2024, 12, d).unwrap()
    }

    #[test]
    fn a_return_names_the_goods_the_reason_and_who_took_them_back() {
        let input = ReturnInput {
            campaign: "NDXD-DEMO".into(),
            household: Uuid::from_u128(4).to_string(),
            item: "quilt".into(),
            quantity: "1".into(),
            returned_on: "2024-12-20".into(),
            reason: "重复领取".into(),
            handler: "李经办".into(),
            ..ReturnInput::default()
        };
        let profile = input.parse(day(21)).unwrap();
        assert_eq!((profile.quantity, profile.station), (1, None));
        let county = ReturnInput {
            station: "340123".into(),
            ..input.clone()
        };
        assert_eq!(
            county
                .parse(day(21))
                .unwrap()
                .station
                .map(|s| s.to_string()),
            Some("340123000000".into())
        );
        let wrong = ReturnInput {
            household: String::new(),
            station: "340123100201".into(),
            quantity: "0".into(),
            returned_on: "2024-12-22".into(),
            reason: " ".into(),
            ..input
        };
        let fields: Vec<String> = wrong
            .parse(day(21))
            .unwrap_err()
            .iter()
            .map(|e| format!("{}:{}", e.field(), e.code()))
            .collect();
        assert_eq!(
            fields,
            [
                "household:field.required",
                "station:ledger.location.level",
                "quantity:stock.quantity",
                "returned_on:household.date_in_future",
                "reason:field.required",
            ]
        );
    }
}
