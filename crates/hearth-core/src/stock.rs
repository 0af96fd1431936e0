//! Stock papers as people fill them in (库存单据): waybills (调拨单) and their receipt (签收),
//! handovers from a town station to a household (集中发放), adjustments (报损/盘盈) and stock
//! counts (盘点), the last two under maker-checker.
//!
//! Each form parses once into a profile, every refusal naming its field. What the goods are
//! worth, whether they are on hand and what a waybill's receipt writes off are the ledger's
//! rules ([`crate::ledger`]); the application adds who may act at which station.

pub mod returns;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::delivery::{DeliveryInput, Proxy};
use crate::household::{at, date, keep, optional_text, past_date, text};
use crate::ledger::movement::MAX_QUANTITY;
use crate::ledger::{AdjustmentCause, Location, ReceivedLine, Shortfall, WaybillLine};
use crate::need::item_code;
use crate::normalize::clean_code;
use crate::{AreaCode, Invalid};

/// Longest note on a stock paper.
pub(crate) const MAX_NOTE: usize = 500;

dictionary!(
    /// Which way an adjustment goes: written off (报损) or found (盘盈).
    Direction, "direction", "stock.direction" {
        Loss => "loss",
        Gain => "gain",
    }
);

dictionary!(
    /// Where an adjustment or a count stands under maker-checker.
    ReviewStatus, "status", "stock.status" {
        /// 待复核: recorded, not yet in the books.
        Pending => "pending",
        /// 已入账: checked by a second officer and posted.
        Approved => "approved",
        /// 已驳回: refused by the checker, with a reason; nothing posted.
        Rejected => "rejected",
    }
);

/// One row of a form's item table: an item code and a number, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct LineInput {
    pub item: String,
    pub quantity: String,
}

impl LineInput {
    /// Forms carry a few spare rows; a row with neither item nor number is not a line.
    fn is_blank(&self) -> bool {
        clean_code(&self.item).is_empty() && clean_code(&self.quantity).is_empty()
    }
}

pub(crate) fn number(field: &str, raw: &str, least: i64) -> Result<i64, Invalid> {
    let cleaned = clean_code(raw);
    if cleaned.is_empty() {
        return Err(Invalid::new(field, "field.required"));
    }
    match cleaned.parse::<i64>() {
        Ok(n) if (least..=MAX_QUANTITY).contains(&n) => Ok(n),
        _ => Err(Invalid::new(field, "stock.quantity")
            .arg("value", raw.trim())
            .arg("least", least)
            .arg("max", MAX_QUANTITY)),
    }
}

/// The item lines of a form: blank rows skipped, at least one line, each item once, each
/// quantity at least `least` (1 for goods moved, 0 for a count). Fields are `lines[i].item`
/// and `lines[i].quantity`, `i` counting the rows as typed.
pub fn parse_lines(rows: &[LineInput], least: i64) -> Result<Vec<WaybillLine>, Vec<Invalid>> {
    let mut errors = Vec::new();
    let mut lines: Vec<WaybillLine> = Vec::new();
    for (i, row) in rows.iter().enumerate().filter(|(_, r)| !r.is_blank()) {
        let field = |name: &str| format!("lines[{i}].{name}");
        let item = keep(&mut errors, item_code(&field("item"), &row.item));
        let quantity = keep(
            &mut errors,
            number(&field("quantity"), &row.quantity, least),
        );
        if let Some(item) = &item
            && lines.iter().any(|l| &l.item == item)
        {
            errors.push(Invalid::new(field("item"), "ledger.waybill.item_twice"));
        }
        if let (Some(item), Some(quantity)) = (item, quantity) {
            lines.push(WaybillLine { item, quantity });
        }
    }
    if rows.iter().all(LineInput::is_blank) {
        errors.push(Invalid::new("lines", "field.required"));
    }
    if errors.is_empty() {
        Ok(lines)
    } else {
        Err(errors)
    }
}

/// A warehouse or station named by its area code: the county or a town.
pub fn station(field: &str, raw: &str) -> Result<Location, Invalid> {
    let area = AreaCode::parse(raw).map_err(|e| at(field, e))?;
    Location::site(area).map_err(|e| at(field, e))
}

/// A day typed into a filter (`2024-12-20`, `2024年12月20日` …); blank is no day.
pub fn optional_day(field: &str, raw: &str) -> Result<Option<NaiveDate>, Invalid> {
    if clean_code(raw).is_empty() {
        return Ok(None);
    }
    date(field, raw).map(Some)
}

/// A station typed on a form, blank for none: the county (its warehouse) or a town.
pub fn optional_station(field: &str, raw: &str) -> Result<Option<AreaCode>, Invalid> {
    if clean_code(raw).is_empty() {
        return Ok(None);
    }
    match station(field, raw)? {
        Location::Site(area) => Ok(Some(area)),
        Location::Transit(_) => Err(Invalid::new(field, "ledger.movement.ends")),
    }
}

pub(crate) fn id(field: &str, raw: &str) -> Result<Option<Uuid>, Invalid> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    Uuid::parse_str(raw)
        .map(Some)
        .map_err(|_| Invalid::new(field, "stock.id").arg("value", raw))
}

pub(crate) fn campaign_ref(raw: &str) -> Result<String, Invalid> {
    text("campaign", raw, 64, true)
}

/// The waybill form (调拨单): from one station to another, the goods, the day sent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct WaybillInput {
    /// A campaign id or code.
    pub campaign: String,
    pub from: String,
    pub to: String,
    pub dispatched_on: String,
    pub note: String,
    pub lines: Vec<LineInput>,
}

/// A valid waybill form; [`crate::ledger::Waybill::new`] adds the rule that the two stations
/// differ.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaybillProfile {
    pub campaign: String,
    pub from: Location,
    pub to: Location,
    pub dispatched_on: NaiveDate,
    pub note: String,
    pub lines: Vec<WaybillLine>,
}

impl WaybillInput {
    pub fn parse(&self, today: NaiveDate) -> Result<WaybillProfile, Vec<Invalid>> {
        let mut errors = Vec::new();
        let campaign = keep(&mut errors, campaign_ref(&self.campaign));
        let from = keep(&mut errors, station("from", &self.from));
        let to = keep(&mut errors, station("to", &self.to));
        let day = keep(
            &mut errors,
            past_date("dispatched_on", &self.dispatched_on, today),
        );
        let note = keep(&mut errors, optional_text("note", &self.note, MAX_NOTE));
        let lines = parse_lines(&self.lines, 1).map_err(|mut e| errors.append(&mut e));
        match (campaign, from, to, day, note, lines) {
            (Some(campaign), Some(from), Some(to), Some(dispatched_on), Some(note), Ok(lines))
                if errors.is_empty() =>
            {
                Ok(WaybillProfile {
                    campaign,
                    from,
                    to,
                    dispatched_on,
                    note: note.unwrap_or_default(),
                    lines,
                })
            }
            _ => Err(errors),
        }
    }
}

/// One line of the receipt form: what arrived and, when less than was sent, why.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ReceivedInput {
    pub item: String,
    pub received: String,
    /// An [`AdjustmentCause`]: 短少, 损坏 … Blank when everything arrived.
    pub cause: String,
    pub note: String,
}

/// The receipt form (签收): the day and each line counted in.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ReceiptInput {
    pub received_on: String,
    pub note: String,
    pub lines: Vec<ReceivedInput>,
}

/// A valid receipt; [`crate::ledger::Waybill::receive`] checks it against the waybill.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    pub received_on: NaiveDate,
    pub note: String,
    pub lines: Vec<ReceivedLine>,
}

impl ReceivedInput {
    fn parse(&self, i: usize, errors: &mut Vec<Invalid>) -> Option<ReceivedLine> {
        let field = |name: &str| format!("lines[{i}].{name}");
        let item = keep(errors, item_code(&field("item"), &self.item));
        let received = keep(errors, number(&field("received"), &self.received, 0));
        let note = keep(errors, text(&field("note"), &self.note, MAX_NOTE, false));
        let shortfall = if clean_code(&self.cause).is_empty() {
            match &note {
                Some(note) if !note.is_empty() => {
                    errors.push(Invalid::new(field("cause"), "field.required"));
                    None
                }
                Some(_) => Some(None),
                None => None,
            }
        } else {
            let cause = AdjustmentCause::parse(&self.cause).map_err(|e| at(&field("cause"), e));
            keep(errors, cause).map(|cause| {
                Some(Shortfall {
                    cause,
                    note: note.clone().unwrap_or_default(),
                })
            })
        };
        Some(ReceivedLine {
            item: item?,
            received: received?,
            shortfall: shortfall?,
        })
    }
}

impl ReceiptInput {
    pub fn parse(&self, today: NaiveDate) -> Result<Receipt, Vec<Invalid>> {
        let mut errors = Vec::new();
        let day = keep(
            &mut errors,
            past_date("received_on", &self.received_on, today),
        );
        let note = keep(&mut errors, optional_text("note", &self.note, MAX_NOTE));
        let lines: Vec<ReceivedLine> = (self.lines.iter().enumerate())
            .filter_map(|(i, line)| line.parse(i, &mut errors))
            .collect();
        match (day, note) {
            (Some(received_on), Some(note)) if errors.is_empty() => Ok(Receipt {
                received_on,
                note: note.unwrap_or_default(),
                lines,
            }),
            _ => Err(errors),
        }
    }
}

/// The handover form (集中发放): which household, what, and who signed for it. The person
/// fields are a delivery's ([`DeliveryInput`]); its `quantity` and `cash` are not used, the
/// goods being the item lines.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DistributionInput {
    /// A campaign id or code: whose stock is handed over.
    pub campaign: String,
    pub household: String,
    /// An approved need of the household this answers, if any.
    pub need: String,
    /// A line of a pledge handed over through the town (集中发放) this delivers, if any.
    pub pledge_line: String,
    /// Where the goods leave from: blank for the station of the household's town, or the
    /// county's code for a handover straight from the county warehouse.
    pub station: String,
    pub lines: Vec<LineInput>,
    pub handover: DeliveryInput,
}

/// Who received, when, and who handed over, from a valid form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Handover {
    pub delivered_on: NaiveDate,
    /// `None` when the head of the household received it.
    pub proxy: Option<Proxy>,
    pub handler: String,
    pub signed_name: String,
    pub note: String,
}

/// A valid handover form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DistributionProfile {
    pub campaign: String,
    pub household: Uuid,
    pub need: Option<Uuid>,
    pub pledge_line: Option<Uuid>,
    /// `None`: the household's town station.
    pub station: Option<AreaCode>,
    pub lines: Vec<WaybillLine>,
    pub handover: Handover,
}

impl DistributionInput {
    pub fn parse(&self, today: NaiveDate) -> Result<DistributionProfile, Vec<Invalid>> {
        let mut errors = Vec::new();
        let campaign = keep(&mut errors, campaign_ref(&self.campaign));
        let household = match id("household", &self.household) {
            Ok(None) => {
                errors.push(Invalid::new("household", "field.required"));
                None
            }
            other => keep(&mut errors, other).flatten(),
        };
        let need = keep(&mut errors, id("need", &self.need));
        let pledge_line = keep(&mut errors, id("pledge_line", &self.pledge_line));
        if let (Some(Some(_)), Some(Some(_))) = (need, pledge_line) {
            errors.push(Invalid::new("need", "stock.need_and_pledge"));
        }
        let station = keep(&mut errors, optional_station("station", &self.station));
        let lines = parse_lines(&self.lines, 1).map_err(|mut e| errors.append(&mut e));
        // The goods are checked above; one unit stands in for them so the person fields are
        // checked exactly as a delivery's.
        let person = DeliveryInput {
            quantity: "1".to_owned(),
            cash: String::new(),
            ..self.handover.clone()
        };
        let handover = person.parse(today).map_err(|mut e| errors.append(&mut e));
        match (
            campaign,
            household,
            need,
            pledge_line,
            station,
            lines,
            handover,
        ) {
            (
                Some(campaign),
                Some(household),
                Some(need),
                Some(pledge_line),
                Some(station),
                Ok(lines),
                Ok(d),
            ) if errors.is_empty() => Ok(DistributionProfile {
                campaign,
                household,
                need,
                pledge_line,
                station,
                lines,
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

/// The adjustment form (报损/盘盈): one item at one station, which way, how many and why.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AdjustmentInput {
    pub campaign: String,
    pub station: String,
    pub item: String,
    /// `loss` (报损) or `gain` (盘盈).
    pub direction: String,
    pub quantity: String,
    pub cause: String,
    pub note: String,
    pub made_on: String,
}

/// A valid adjustment form, waiting for its checker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdjustmentProfile {
    pub campaign: String,
    pub station: Location,
    pub item: String,
    pub direction: Direction,
    pub quantity: i64,
    pub cause: AdjustmentCause,
    pub note: String,
    pub made_on: NaiveDate,
}

impl AdjustmentInput {
    pub fn parse(&self, today: NaiveDate) -> Result<AdjustmentProfile, Vec<Invalid>> {
        let mut errors = Vec::new();
        let campaign = keep(&mut errors, campaign_ref(&self.campaign));
        let station = keep(&mut errors, station("station", &self.station));
        let item = keep(&mut errors, item_code("item", &self.item));
        let direction = keep(&mut errors, Direction::parse(&self.direction));
        let quantity = keep(&mut errors, number("quantity", &self.quantity, 1));
        let cause = keep(&mut errors, AdjustmentCause::parse(&self.cause));
        if let (Some(Direction::Gain), Some(cause)) = (direction, cause)
            && !matches!(cause, AdjustmentCause::Miscount | AdjustmentCause::Other)
        {
            errors.push(Invalid::new("cause", "stock.gain_cause"));
        }
        let note = keep(&mut errors, text("note", &self.note, MAX_NOTE, true));
        let made_on = keep(&mut errors, past_date("made_on", &self.made_on, today));
        match (
            campaign, station, item, direction, quantity, cause, note, made_on,
        ) {
            (
                Some(campaign),
                Some(station),
                Some(item),
                Some(direction),
                Some(quantity),
                Some(cause),
                Some(note),
                Some(made_on),
            ) if errors.is_empty() => Ok(AdjustmentProfile {
                campaign,
                station,
                item,
                direction,
                quantity,
                cause,
                note,
                made_on,
            }),
            _ => Err(errors),
        }
    }
}

/// The count form (盘点): the quantities found at one station on one day.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CountInput {
    pub campaign: String,
    pub station: String,
    pub counted_on: String,
    /// Why and how it was counted (年终盘点 …); becomes the adjustments' note.
    pub note: String,
    /// `quantity` is the number counted, zero allowed.
    pub lines: Vec<LineInput>,
}

/// A valid count, waiting for its checker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CountProfile {
    pub campaign: String,
    pub station: Location,
    pub counted_on: NaiveDate,
    pub note: String,
    /// Item and quantity counted.
    pub lines: Vec<WaybillLine>,
}

impl CountInput {
    pub fn parse(&self, today: NaiveDate) -> Result<CountProfile, Vec<Invalid>> {
        let mut errors = Vec::new();
        let campaign = keep(&mut errors, campaign_ref(&self.campaign));
        let station = keep(&mut errors, station("station", &self.station));
        let counted_on = keep(
            &mut errors,
            past_date("counted_on", &self.counted_on, today),
        );
        let note = keep(&mut errors, text("note", &self.note, MAX_NOTE, true));
        let lines = parse_lines(&self.lines, 0).map_err(|mut e| errors.append(&mut e));
        match (campaign, station, counted_on, note, lines) {
            (Some(campaign), Some(station), Some(counted_on), Some(note), Ok(lines))
                if errors.is_empty() =>
            {
                Ok(CountProfile {
                    campaign,
                    station,
                    counted_on,
                    note,
                    lines,
                })
            }
            _ => Err(errors),
        }
    }
}

/// The checker's decision on a pending adjustment or count: the new status, or why not. The
/// maker never checks their own paper, and a paper is decided once; a refusal needs a reason.
pub fn review(
    status: ReviewStatus,
    maker: Uuid,
    checker: Uuid,
    approve: bool,
    reason: &str,
) -> Result<(ReviewStatus, String), Invalid> {
    if status != ReviewStatus::Pending {
        return Err(Invalid::new("status", "stock.reviewed_already").arg("status", status));
    }
    if maker == checker {
        return Err(Invalid::new("checker", "ledger.movement.checker_is_maker"));
    }
    if approve {
        return Ok((ReviewStatus::Approved, String::new()));
    }
    if clean_code(reason).is_empty() {
        return Err(Invalid::new("reason", "stock.reason_required"));
    }
    Ok((
        ReviewStatus::Rejected,
        text("reason", reason, MAX_NOTE, true)?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{Lang, text as message};

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2024, 12, 20).unwrap()
    }

    fn row(item: &str, quantity: &str) -> LineInput {
        LineInput {
            item: item.into(),
            quantity: quantity.into(),
        }
    }

    fn fields<T: std::fmt::Debug>(result: Result<T, Vec<Invalid>>) -> Vec<(String, &'static str)> {
        result
            .unwrap_err()
            .iter()
            .map(|e| (e.field().to_owned(), e.code()))
            .collect()
    }

    fn pair(field: &str, code: &'static str) -> (String, &'static str) {
        (field.to_owned(), code)
    }

    #[test]
    fn item_tables_skip_blank_rows_and_name_each_bad_cell() {
        let rows = [row(" Quilt ", "２０"), row("", ""), row("rice", "3")];
        let lines = parse_lines(&rows, 1).unwrap();
        assert_eq!(
            lines,
            [
                WaybillLine {
                    item: "quilt".into(),
                    quantity: 20
                },
                WaybillLine {
                    item: "rice".into(),
                    quantity: 3
                }
            ]
        );
        let bad = [
            row("quilt", "0"),
            row("", "2"),
            row("quilt", "x"),
            row("棉被", "1"),
        ];
        assert_eq!(
            fields(parse_lines(&bad, 1)),
            [
                pair("lines[0].quantity", "stock.quantity"),
                pair("lines[1].item", "field.required"),
                pair("lines[2].quantity", "stock.quantity"),
                pair("lines[3].item", "item.code"),
            ]
        );
        assert_eq!(
            fields(parse_lines(&[row("quilt", "1"), row("quilt", "2")], 1)),
            [pair("lines[1].item", "ledger.waybill.item_twice")]
        );
        assert_eq!(
            fields(parse_lines(&[row("", "")], 1)),
            [pair("lines", "field.required")]
        );
        assert_eq!(parse_lines(&[row("coal", "0")], 0).unwrap()[0].quantity, 0);
        assert_eq!(optional_day("from", " "), Ok(None));
        assert_eq!(
            optional_day("from", "2024年12月1日"),
            Ok(NaiveDate::from_ymd_opt(2024, 12, 1))
        );
        assert_eq!(optional_day("to", "12/1").unwrap_err().field(), "to");
    }

    #[test]
    fn a_waybill_goes_between_the_county_and_towns_only() {
        let input = WaybillInput {
            campaign: "NDXD-DEMO".into(),
            from: "340123".into(),
            to: "340123100".into(),
            dispatched_on: "2024年12月18日".into(),
            lines: vec![row("quilt", "20")],
            ..WaybillInput::default()
        };
        let profile = input.parse(today()).unwrap();
        assert_eq!(
            profile.to.town().map(AreaCode::as_str),
            Some("340123100000")
        );
        let wrong = WaybillInput {
            from: "340123100201".into(),
            to: "x".into(),
            dispatched_on: "2024-12-21".into(),
            ..input
        };
        assert_eq!(
            fields(wrong.parse(today())),
            [
                pair("from", "ledger.location.level"),
                pair("to", "area.code"),
                pair("dispatched_on", "household.date_in_future"),
            ]
        );
    }

    #[test]
    fn a_shortfall_needs_its_cause() {
        let line = |received: &str, cause: &str, note: &str| ReceivedInput {
            item: "quilt".into(),
            received: received.into(),
            cause: cause.into(),
            note: note.into(),
        };
        let receipt = ReceiptInput {
            received_on: "2024-12-20".into(),
            lines: vec![line("20", "", ""), line("18", "损坏", "两床受潮")],
            ..ReceiptInput::default()
        };
        let parsed = receipt.parse(today()).unwrap();
        assert_eq!(parsed.lines[0].shortfall, None);
        assert_eq!(
            parsed.lines[1].shortfall,
            Some(Shortfall {
                cause: AdjustmentCause::Damage,
                note: "两床受潮".into()
            })
        );
        let bad = ReceiptInput {
            lines: vec![line("-1", "", "少了"), line("1", "丢了", "")],
            ..receipt
        };
        assert_eq!(
            fields(bad.parse(today())),
            [
                pair("lines[0].received", "stock.quantity"),
                pair("lines[0].cause", "field.required"),
                pair("lines[1].cause", "dict.unknown"),
            ]
        );
    }

    fn handed() -> DistributionInput {
        DistributionInput {
            campaign: "NDXD-DEMO".into(),
            household: Uuid::from_u128(7).to_string(),
            lines: vec![row("quilt", "1"), row("rice", "2")],
            handover: DeliveryInput {
                delivered_on: "2024-12-20".into(),
                recipient: "代领".into(),
                proxy_name: "王小明".into(),
                proxy_relationship: "子女".into(),
                handler: "李经办".into(),
                signed_name: "王小明".into(),
                ..DeliveryInput::default()
            },
            ..DistributionInput::default()
        }
    }

    #[test]
    fn a_handover_names_the_household_goods_and_signer() {
        let profile = handed().parse(today()).unwrap();
        assert_eq!(profile.household, Uuid::from_u128(7));
        assert_eq!(profile.lines.len(), 2);
        assert_eq!(profile.handover.proxy.unwrap().name, "王小明");
        let wrong = DistributionInput {
            campaign: "NDXD-DEMO".into(),
            household: String::new(),
            need: Uuid::from_u128(1).to_string(),
            pledge_line: Uuid::from_u128(2).to_string(),
            station: "340123100201".into(),
            lines: vec![],
            handover: DeliveryInput {
                signed_name: String::new(),
                ..handed().handover
            },
        };
        assert_eq!(
            fields(wrong.parse(today())),
            [
                pair("household", "field.required"),
                pair("need", "stock.need_and_pledge"),
                pair("station", "ledger.location.level"),
                pair("lines", "field.required"),
                pair("signed_name", "field.required"),
            ]
        );
    }

    #[test]
    fn adjustments_and_counts_explain_themselves() {
        let loss = AdjustmentInput {
            campaign: "NDXD-DEMO".into(),
            station: "340123100000".into(),
            item: "rice".into(),
            direction: "报损".into(),
            quantity: "2".into(),
            cause: "过期变质".into(),
            note: "受潮发霉".into(),
            made_on: "2024-12-20".into(),
        };
        let parsed = loss.parse(today()).unwrap();
        assert_eq!(
            (parsed.direction, parsed.cause),
            (Direction::Loss, AdjustmentCause::Spoiled)
        );
        let odd_gain = AdjustmentInput {
            direction: "gain".into(),
            note: " ".into(),
            ..loss
        };
        assert_eq!(
            fields(odd_gain.parse(today())),
            [
                pair("cause", "stock.gain_cause"),
                pair("note", "field.required")
            ]
        );
        let count = CountInput {
            campaign: "NDXD-DEMO".into(),
            station: "340123".into(),
            counted_on: "2024-12-20".into(),
            note: "年终盘点".into(),
            lines: vec![row("quilt", "0"), row("rice", "12")],
        };
        assert_eq!(count.parse(today()).unwrap().lines[0].quantity, 0);
    }

    #[test]
    fn a_second_officer_decides_once() {
        let (maker, checker) = (Uuid::from_u128(1), Uuid::from_u128(2));
        let pending = ReviewStatus::Pending;
        assert_eq!(
            review(pending, maker, checker, true, ""),
            Ok((ReviewStatus::Approved, String::new()))
        );
        let code = |r: Result<_, Invalid>| r.unwrap_err().code();
        assert_eq!(
            code(review(pending, maker, maker, true, "")),
            "ledger.movement.checker_is_maker"
        );
        assert_eq!(
            code(review(pending, maker, checker, false, " ")),
            "stock.reason_required"
        );
        assert_eq!(
            code(review(
                ReviewStatus::Approved,
                maker,
                checker,
                false,
                "重复"
            )),
            "stock.reviewed_already"
        );
        assert_eq!(
            review(pending, maker, checker, false, " 数量不对 ")
                .unwrap()
                .1,
            "数量不对"
        );
    }

    #[test]
    fn every_code_and_label_has_both_languages() {
        let codes = [
            "stock.quantity",
            "stock.id",
            "stock.need_and_pledge",
            "stock.gain_cause",
            "stock.reviewed_already",
            "stock.reason_required",
        ];
        let labels = (Direction::ALL.iter().map(|d| d.label_key()))
            .chain(ReviewStatus::ALL.iter().map(|s| s.label_key()));
        for key in codes.into_iter().chain(labels) {
            assert_ne!(message(Lang::ZhCn, key), key);
            assert_ne!(message(Lang::En, key), key);
        }
    }
}
