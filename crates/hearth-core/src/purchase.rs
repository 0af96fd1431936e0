//! Purchases (采购) paid from campaign funds: the supplier, the invoice (发票号码), the day, the
//! stock location that received the goods, whose funds paid (a designation: the campaign at
//! large, a town or a pledge) and the lines bought at their unit prices.
//!
//! Everything here is pure. The application finds the campaign, the station and the items, and
//! books one `purchase` entry with a `purchase` movement per line; the ledger refuses a purchase
//! the designation's cash does not cover, or one the designation may not pay for (a town's money
//! buys only for that town).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::donation::{
    DesignationRequest, MAX_UNIT_YUAN, designation, line_value, positive_yuan, quantity, station,
};
use crate::household::{keep, optional_text, past_date, text};
use crate::need::item_code;
use crate::{AreaCode, Fen, Invalid};

/// Most lines on one purchase.
pub const MAX_LINES: usize = 30;
/// Longest supplier name.
const MAX_SUPPLIER: usize = 60;
/// Longest invoice number (a fully digital invoice has 20 digits).
const MAX_INVOICE: usize = 40;
/// Longest note.
const MAX_NOTE: usize = 500;

/// One line as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PurchaseLineInput {
    /// The catalogue code.
    pub item: String,
    pub quantity: String,
    /// Yuan per unit, as on the invoice.
    pub unit_price: String,
}

impl PurchaseLineInput {
    fn is_blank(&self) -> bool {
        [&self.item, &self.quantity, &self.unit_price]
            .iter()
            .all(|v| v.trim().is_empty())
    }
}

/// The purchase form as typed in a browser or sent over the API.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PurchaseInput {
    /// The campaign's id or code.
    pub campaign: String,
    pub supplier: String,
    pub invoice_number: String,
    pub purchased_on: String,
    /// The stock location receiving the goods (area code); blank is the county warehouse.
    pub station: String,
    /// Whose funds: `campaign`, `town` or `pledge`, and what it names.
    pub designation: String,
    pub designated_to: String,
    pub lines: Vec<PurchaseLineInput>,
    pub note: String,
}

/// One line bought.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PurchaseLine {
    pub item: String,
    pub quantity: u32,
    pub unit_price: Fen,
}

impl PurchaseLine {
    pub fn value(&self) -> Fen {
        line_value(self.quantity, self.unit_price)
    }
}

/// What the lines cost together.
pub fn total<'a>(lines: impl IntoIterator<Item = &'a PurchaseLine>) -> Fen {
    lines.into_iter().map(PurchaseLine::value).sum()
}

/// A valid purchase, from [`PurchaseInput::parse`]; nothing is looked up yet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PurchaseProfile {
    pub campaign: String,
    pub supplier: String,
    pub invoice_number: String,
    pub purchased_on: NaiveDate,
    pub station: Option<AreaCode>,
    pub designation: DesignationRequest,
    pub lines: Vec<PurchaseLine>,
    pub note: String,
}

impl PurchaseInput {
    /// Checks every field, returning all refusals at once, each naming its field (`lines.1.unit_price`
    /// inside a line). The day of purchase is not after `today`.
    pub fn parse(&self, today: NaiveDate) -> Result<PurchaseProfile, Vec<Invalid>> {
        let mut errors = Vec::new();
        let campaign = keep(&mut errors, text("campaign", &self.campaign, 40, true));
        let supplier = keep(
            &mut errors,
            text("supplier", &self.supplier, MAX_SUPPLIER, true),
        );
        let invoice: String = self.invoice_number.split_whitespace().collect();
        let invoice_number = keep(
            &mut errors,
            text("invoice_number", &invoice, MAX_INVOICE, true),
        );
        let purchased_on = keep(
            &mut errors,
            past_date("purchased_on", &self.purchased_on, today),
        );
        let station = keep(&mut errors, station(&self.station));
        let designation = match designation(&self.designation, &self.designated_to) {
            Ok(DesignationRequest::Household(_)) => {
                errors.push(Invalid::new("designation", "purchase.household_funds"));
                None
            }
            other => keep(&mut errors, other),
        };
        let lines = purchase_lines(&mut errors, &self.lines);
        let note = keep(&mut errors, optional_text("note", &self.note, MAX_NOTE));
        match (
            campaign,
            supplier,
            invoice_number,
            purchased_on,
            station,
            designation,
            lines,
            note,
        ) {
            (
                Some(campaign),
                Some(supplier),
                Some(invoice_number),
                Some(purchased_on),
                Some(station),
                Some(designation),
                Some(lines),
                Some(note),
            ) if errors.is_empty() => Ok(PurchaseProfile {
                campaign,
                supplier,
                invoice_number,
                purchased_on,
                station,
                designation,
                lines,
                note: note.unwrap_or_default(),
            }),
            _ => Err(errors),
        }
    }
}

/// The lines that are not blank, each refusal naming its line; at least one, at most [`MAX_LINES`].
fn purchase_lines(
    errors: &mut Vec<Invalid>,
    typed: &[PurchaseLineInput],
) -> Option<Vec<PurchaseLine>> {
    let before = errors.len();
    let mut lines = Vec::new();
    for (i, line) in typed.iter().enumerate().filter(|(_, l)| !l.is_blank()) {
        let within = |e: Invalid| e.within(&format!("lines.{i}"));
        let item = keep(errors, item_code("item", &line.item).map_err(within));
        let quantity = keep(errors, quantity("quantity", &line.quantity).map_err(within));
        let unit_price = keep(
            errors,
            positive_yuan("unit_price", &line.unit_price, MAX_UNIT_YUAN).map_err(within),
        );
        if let (Some(item), Some(quantity), Some(unit_price)) = (item, quantity, unit_price) {
            lines.push(PurchaseLine {
                item,
                quantity,
                unit_price,
            });
        }
    }
    let typed_lines = typed.iter().filter(|l| !l.is_blank()).count();
    if typed_lines == 0 {
        errors.push(Invalid::new("lines", "donation.lines_required"));
    } else if typed_lines > MAX_LINES {
        errors.push(Invalid::new("lines", "donation.too_many_lines").arg("max", MAX_LINES));
    }
    (errors.len() == before).then_some(lines)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{Lang, text as message};

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2024, 12, 20).unwrap()
    }

    fn valid() -> PurchaseInput {
        PurchaseInput {
            campaign: "NDXD-DEMO".into(),
            supplier: "肥西示例百货有限公司（测试）".into(),
            invoice_number: "2434 2000 0000 1234 5678".into(),
            purchased_on: "2024-12-19".into(),
            station: "340123100".into(),
            designation: "town".into(),
            designated_to: "340123100".into(),
            lines: vec![
                PurchaseLineInput {
                    item: "quilt".into(),
                    quantity: "30".into(),
                    unit_price: "148.50".into(),
                },
                PurchaseLineInput::default(),
                PurchaseLineInput {
                    item: "oil".into(),
                    quantity: "12".into(),
                    unit_price: "65".into(),
                },
            ],
            ..PurchaseInput::default()
        }
    }

    fn errors(input: &PurchaseInput) -> Vec<(String, &'static str)> {
        input
            .parse(today())
            .unwrap_err()
            .iter()
            .map(|e| (e.field().to_owned(), e.code()))
            .collect()
    }

    #[test]
    fn a_purchase_for_a_town_station_from_the_town_s_funds() {
        let p = valid().parse(today()).unwrap();
        assert_eq!(p.invoice_number, "24342000000012345678");
        assert_eq!(p.station, Some(AreaCode::parse("340123100").unwrap()));
        assert_eq!(p.designation, DesignationRequest::Town("340123100".into()));
        assert_eq!(p.lines.len(), 2);
        assert_eq!(p.lines[0].value(), Fen::new(445_500));
        assert_eq!(total(&p.lines), Fen::new(445_500 + 78_000));
    }

    #[test]
    fn every_field_error_is_named() {
        let got = errors(&PurchaseInput::default());
        for field in [
            "campaign",
            "supplier",
            "invoice_number",
            "purchased_on",
            "lines",
        ] {
            assert!(got.iter().any(|(f, _)| f == field), "{field} in {got:?}");
        }
        let mut wrong = valid();
        wrong.designation = "household".into();
        wrong.designated_to = uuid::Uuid::from_u128(3).to_string();
        wrong.station = "340123100200".into();
        wrong.purchased_on = "2025-01-01".into();
        wrong.lines[0].unit_price = "0".into();
        wrong.lines[2].quantity = "100001".into();
        let got = errors(&wrong);
        assert_eq!(
            got,
            vec![
                ("purchased_on".to_owned(), "household.date_in_future"),
                ("station".to_owned(), "donation.station"),
                ("designation".to_owned(), "purchase.household_funds"),
                ("lines.0.unit_price".to_owned(), "donation.amount_zero"),
                ("lines.2.quantity".to_owned(), "donation.quantity"),
            ]
        );
        for (_, code) in got {
            assert_ne!(message(Lang::ZhCn, code), code);
            assert_ne!(message(Lang::En, code), code);
        }
    }
}
