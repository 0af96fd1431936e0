//! Donations (捐赠): cash and goods given to a campaign, as the bureau records them. Hearth
//! records money; it never takes payments.
//!
//! A donation names its donor (an organization of the registry, another organization typed by
//! name, a person, or no one), whether the donor may be named in public, the day it arrived, the
//! receipt (公益事业捐赠票据号) if one was issued, and the donor's designation (定向): the campaign
//! at large, a town, a pledge or a household. Cash has an amount and a channel; goods have lines
//! of catalogue items with quantity, valuation and condition, received into a stock location.
//!
//! - [`code`]: the verification code printed on the acknowledgement (捐赠回执).
//! - [`reach`]: how much of a donation has reached households, read from the ledger.
//!
//! Everything here is pure: the application looks up the campaign, organization, town, pledge,
//! household, station and items, and books the donation in the ledger.

pub mod cash_aid;
pub mod code;
pub mod correction;
pub mod reach;
pub mod reallocation;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::household::{keep, optional_text, past_date, text};
use crate::need::item_code;
use crate::normalize::clean_code;
use crate::{AreaCode, AreaLevel, Fen, Invalid};

pub use code::VerificationCode;

/// The largest cash gift one record may carry, in yuan (一亿元): above it, a typo.
pub const MAX_CASH_YUAN: i64 = 100_000_000;
/// Most lines of goods on one donation.
pub const MAX_LINES: usize = 30;
/// Most units on one line.
pub const MAX_QUANTITY: u32 = 100_000;
/// Most yuan one unit of donated or bought goods may be valued at.
pub const MAX_UNIT_YUAN: i64 = 100_000;
/// Longest donor name.
const MAX_NAME: usize = 60;
/// Longest receipt number (票据代码 and 票据号码 together fit).
const MAX_RECEIPT: usize = 40;
/// Longest note.
const MAX_NOTE: usize = 500;

dictionary!(
    /// Money or goods.
    DonationKind, "kind", "donation.kind" {
        Cash => "cash",
        InKind => "in_kind",
    }
);

dictionary!(
    /// Who gave: an organization (registered or not), a person, or someone unnamed (匿名).
    DonorKind, "donor_kind", "donation.donor_kind" {
        Organization => "organization",
        Person => "person",
        Anonymous => "anonymous",
    }
);

dictionary!(
    /// How cash reached the bureau's account (到账方式).
    Channel, "channel", "donation.channel" {
        BankTransfer => "bank_transfer",
        Wechat => "wechat",
        Alipay => "alipay",
        Cheque => "cheque",
        Cash => "cash",
        Other => "other",
    }
);

dictionary!(
    /// The state of donated goods (物品状况).
    Condition, "condition", "donation.condition" {
        New => "new",
        Good => "good",
        Used => "used",
    }
);

dictionary!(
    /// What a designation names (定向).
    DesignationKind, "designation", "donation.designation" {
        Campaign => "campaign",
        Town => "town",
        Pledge => "pledge",
        Household => "household",
    }
);

/// A designation as typed, before the application finds what it names: a town by code or
/// name, a pledge by number or id, a household by id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum DesignationRequest {
    Campaign,
    Town(String),
    Pledge(String),
    Household(Uuid),
}

impl DesignationRequest {
    pub fn kind(&self) -> DesignationKind {
        match self {
            DesignationRequest::Campaign => DesignationKind::Campaign,
            DesignationRequest::Town(_) => DesignationKind::Town,
            DesignationRequest::Pledge(_) => DesignationKind::Pledge,
            DesignationRequest::Household(_) => DesignationKind::Household,
        }
    }
}

/// Reads `designation` (blank: the campaign at large) and `designated_to` (the town, pledge or
/// household it names, required unless the campaign).
pub fn designation(kind: &str, to: &str) -> Result<DesignationRequest, Invalid> {
    let kind = if kind.trim().is_empty() {
        DesignationKind::Campaign
    } else {
        DesignationKind::parse(kind)?
    };
    let to = to.trim();
    if kind == DesignationKind::Campaign {
        if !to.is_empty() {
            return Err(Invalid::new(
                "designated_to",
                "donation.designated_to_unused",
            ));
        }
        return Ok(DesignationRequest::Campaign);
    }
    let named = text("designated_to", to, MAX_NAME, true)?;
    match kind {
        DesignationKind::Town => Ok(DesignationRequest::Town(named)),
        DesignationKind::Pledge => Ok(DesignationRequest::Pledge(named)),
        _ => Uuid::parse_str(&named)
            .map(DesignationRequest::Household)
            .map_err(|_| {
                Invalid::new("designated_to", "donation.household_id").arg("value", named)
            }),
    }
}

/// A stock location as typed: the area code of the county (its warehouse) or of a town (its
/// station); blank is `None`, the caller's own.
pub fn station(raw: &str) -> Result<Option<AreaCode>, Invalid> {
    let cleaned = clean_code(raw);
    if cleaned.is_empty() {
        return Ok(None);
    }
    let refuse = || Invalid::new("station", "donation.station").arg("value", raw.trim());
    let code = AreaCode::parse(&cleaned).map_err(|_| refuse())?;
    match code.level() {
        AreaLevel::County | AreaLevel::Town => Ok(Some(code)),
        _ => Err(refuse()),
    }
}

/// A positive number of units, at most [`MAX_QUANTITY`].
pub(crate) fn quantity(field: &str, raw: &str) -> Result<u32, Invalid> {
    let cleaned = clean_code(raw);
    if cleaned.is_empty() {
        return Err(Invalid::new(field, "field.required"));
    }
    match cleaned.parse::<u32>() {
        Ok(n) if (1..=MAX_QUANTITY).contains(&n) => Ok(n),
        _ => Err(Invalid::new(field, "donation.quantity")
            .arg("value", raw.trim())
            .arg("max", MAX_QUANTITY)),
    }
}

/// An amount in yuan above zero and at most `max` yuan.
pub(crate) fn positive_yuan(field: &str, raw: &str, max: i64) -> Result<Fen, Invalid> {
    if clean_code(raw).is_empty() {
        return Err(Invalid::new(field, "field.required"));
    }
    let amount = Fen::parse_yuan(raw, field)?;
    if amount <= Fen::ZERO {
        return Err(Invalid::new(field, "donation.amount_zero"));
    }
    if amount > Fen::from_yuan(max) {
        return Err(Invalid::new(field, "donation.amount_too_large")
            .arg("value", raw.trim())
            .arg("max", max));
    }
    Ok(amount)
}

/// `quantity` units at `unit` each; quantities and prices are bounded, so this cannot overflow.
pub fn line_value(quantity: u32, unit: Fen) -> Fen {
    Fen::new(unit.fen().saturating_mul(i64::from(quantity)))
}

/// One line of goods as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct GiftLineInput {
    /// The catalogue code (`quilt`, `rice` …).
    pub item: String,
    pub quantity: String,
    /// Yuan per unit; blank takes the catalogue's reference value.
    pub unit_value: String,
    /// `new`, `good` or `used` (全新, 完好, 旧物可用); blank is new.
    pub condition: String,
}

impl GiftLineInput {
    fn is_blank(&self) -> bool {
        [
            &self.item,
            &self.quantity,
            &self.unit_value,
            &self.condition,
        ]
        .iter()
        .all(|v| v.trim().is_empty())
    }
}

/// The donation form as typed in a browser or sent over the API.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DonationInput {
    /// The campaign's id or code.
    pub campaign: String,
    /// `cash` or `in_kind` (现金, 物资).
    pub kind: String,
    /// `organization`, `person` or `anonymous` (单位, 个人, 匿名).
    pub donor_kind: String,
    /// For an organization of the registry: its id.
    pub organization: String,
    /// For a person, or an organization outside the registry: the name.
    pub donor_name: String,
    /// `yes` when the donor agreed to be named in public; blank is no.
    pub public_name: String,
    /// For cash: yuan, as typed, and the channel.
    pub amount: String,
    pub channel: String,
    pub received_on: String,
    /// 公益事业捐赠票据号, if a receipt was issued.
    pub receipt_number: String,
    /// `campaign`, `town`, `pledge` or `household`, and what it names.
    pub designation: String,
    pub designated_to: String,
    /// For goods: the stock location received into (area code); blank is the recorder's own.
    pub station: String,
    pub lines: Vec<GiftLineInput>,
    pub note: String,
}

/// Who gave.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Donor {
    /// An organization of the registry; its name is taken from there.
    Registered(Uuid),
    /// An organization outside the registry (a company, a school …), by name.
    Organization(String),
    Person(String),
    Anonymous,
}

impl Donor {
    pub fn kind(&self) -> DonorKind {
        match self {
            Donor::Registered(_) | Donor::Organization(_) => DonorKind::Organization,
            Donor::Person(_) => DonorKind::Person,
            Donor::Anonymous => DonorKind::Anonymous,
        }
    }
}

/// One line of donated goods; the unit value is the catalogue's when none was typed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GiftLine {
    pub item: String,
    pub quantity: u32,
    pub unit_value: Option<Fen>,
    pub condition: Condition,
}

/// What was given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Gift {
    Cash {
        amount: Fen,
        channel: Channel,
    },
    InKind {
        station: Option<AreaCode>,
        lines: Vec<GiftLine>,
    },
}

impl Gift {
    pub fn kind(&self) -> DonationKind {
        match self {
            Gift::Cash { .. } => DonationKind::Cash,
            Gift::InKind { .. } => DonationKind::InKind,
        }
    }
}

/// A valid donation, from [`DonationInput::parse`]; nothing is looked up yet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DonationProfile {
    pub campaign: String,
    pub donor: Donor,
    pub public_name: bool,
    pub gift: Gift,
    pub received_on: NaiveDate,
    pub receipt_number: Option<String>,
    pub designation: DesignationRequest,
    pub note: String,
}

/// `yes`/`no` as people answer it; blank is no.
pub(crate) fn yes_no(field: &str, raw: &str) -> Result<bool, Invalid> {
    match raw.trim().to_ascii_lowercase().as_str() {
        "" | "no" | "false" | "0" | "否" | "不同意" => Ok(false),
        "yes" | "true" | "1" | "on" | "是" | "同意" => Ok(true),
        other => Err(Invalid::new(field, "donation.yes_no").arg("value", other)),
    }
}

impl DonationInput {
    /// Checks every field, returning all refusals at once, each naming its field (`lines.0.item`
    /// inside a line of goods). The day received is not after `today`.
    pub fn parse(&self, today: NaiveDate) -> Result<DonationProfile, Vec<Invalid>> {
        let mut errors = Vec::new();
        let campaign = keep(&mut errors, text("campaign", &self.campaign, 40, true));
        let donor = self.donor(&mut errors);
        let public_name = keep(&mut errors, yes_no("public_name", &self.public_name));
        let anonymous = DonorKind::parse(&self.donor_kind) == Ok(DonorKind::Anonymous);
        if public_name == Some(true) && anonymous {
            errors.push(Invalid::new("public_name", "donation.anonymous_named"));
        }
        let gift = self.gift(&mut errors);
        let received_on = keep(
            &mut errors,
            past_date("received_on", &self.received_on, today),
        );
        let receipt_number = keep(
            &mut errors,
            optional_text(
                "receipt_number",
                &clean_receipt(&self.receipt_number),
                MAX_RECEIPT,
            ),
        );
        let designation = keep(
            &mut errors,
            designation(&self.designation, &self.designated_to),
        );
        let note = keep(&mut errors, optional_text("note", &self.note, MAX_NOTE));
        match (
            campaign,
            donor,
            public_name,
            gift,
            received_on,
            receipt_number,
            designation,
            note,
        ) {
            (
                Some(campaign),
                Some(donor),
                Some(public_name),
                Some(gift),
                Some(received_on),
                Some(receipt_number),
                Some(designation),
                Some(note),
            ) if errors.is_empty() => Ok(DonationProfile {
                campaign,
                donor,
                public_name,
                gift,
                received_on,
                receipt_number,
                designation,
                note: note.unwrap_or_default(),
            }),
            _ => Err(errors),
        }
    }

    fn donor(&self, errors: &mut Vec<Invalid>) -> Option<Donor> {
        if self.donor_kind.trim().is_empty() {
            errors.push(Invalid::new("donor_kind", "field.required"));
            return None;
        }
        let kind = keep(errors, DonorKind::parse(&self.donor_kind))?;
        let organization = self.organization.trim();
        let name = self.donor_name.trim();
        match kind {
            DonorKind::Organization if !organization.is_empty() => {
                if !name.is_empty() {
                    errors.push(Invalid::new("donor_name", "donation.name_and_organization"));
                }
                let id = Uuid::parse_str(organization).map_err(|_| {
                    Invalid::new("organization", "donation.organization_id")
                        .arg("value", organization)
                });
                keep(errors, id).map(Donor::Registered)
            }
            DonorKind::Organization => {
                keep(errors, text("donor_name", name, MAX_NAME, true)).map(Donor::Organization)
            }
            DonorKind::Person | DonorKind::Anonymous if !organization.is_empty() => {
                errors.push(Invalid::new("organization", "donation.organization_unused"));
                None
            }
            DonorKind::Person => {
                keep(errors, text("donor_name", name, MAX_NAME, true)).map(Donor::Person)
            }
            DonorKind::Anonymous if !name.is_empty() => {
                errors.push(Invalid::new("donor_name", "donation.anonymous_named"));
                None
            }
            DonorKind::Anonymous => Some(Donor::Anonymous),
        }
    }

    fn gift(&self, errors: &mut Vec<Invalid>) -> Option<Gift> {
        if self.kind.trim().is_empty() {
            errors.push(Invalid::new("kind", "field.required"));
            return None;
        }
        let kind = keep(errors, DonationKind::parse(&self.kind))?;
        let lines: Vec<&GiftLineInput> = self.lines.iter().filter(|l| !l.is_blank()).collect();
        match kind {
            DonationKind::Cash => {
                if !lines.is_empty() {
                    errors.push(Invalid::new("lines", "donation.lines_for_cash"));
                }
                if !clean_code(&self.station).is_empty() {
                    errors.push(Invalid::new("station", "donation.station_for_cash"));
                }
                let amount = keep(errors, positive_yuan("amount", &self.amount, MAX_CASH_YUAN));
                let channel = if self.channel.trim().is_empty() {
                    errors.push(Invalid::new("channel", "field.required"));
                    None
                } else {
                    keep(errors, Channel::parse(&self.channel))
                };
                Some(Gift::Cash {
                    amount: amount?,
                    channel: channel?,
                })
            }
            DonationKind::InKind => {
                for (field, value) in [("amount", &self.amount), ("channel", &self.channel)] {
                    if !value.trim().is_empty() {
                        errors.push(Invalid::new(field, "donation.cash_field_for_goods"));
                    }
                }
                let station = keep(errors, station(&self.station));
                let parsed = gift_lines(errors, &self.lines);
                Some(Gift::InKind {
                    station: station?,
                    lines: parsed?,
                })
            }
        }
    }
}

/// The typed lines of goods that are not blank, each refusal naming its line (`lines.2.item`);
/// at least one and at most [`MAX_LINES`].
fn gift_lines(errors: &mut Vec<Invalid>, typed: &[GiftLineInput]) -> Option<Vec<GiftLine>> {
    let before = errors.len();
    let mut lines = Vec::new();
    for (i, line) in typed.iter().enumerate().filter(|(_, l)| !l.is_blank()) {
        let within = |e: Invalid| e.within(&format!("lines.{i}"));
        let item = item_code("item", &line.item).map_err(within);
        let quantity = quantity("quantity", &line.quantity).map_err(within);
        let unit_value = if clean_code(&line.unit_value).is_empty() {
            Ok(None)
        } else {
            positive_yuan("unit_value", &line.unit_value, MAX_UNIT_YUAN)
                .map(Some)
                .map_err(within)
        };
        let condition = if line.condition.trim().is_empty() {
            Ok(Condition::New)
        } else {
            Condition::parse(&line.condition).map_err(within)
        };
        if let (Some(item), Some(quantity), Some(unit_value), Some(condition)) = (
            keep(errors, item),
            keep(errors, quantity),
            keep(errors, unit_value),
            keep(errors, condition),
        ) {
            lines.push(GiftLine {
                item,
                quantity,
                unit_value,
                condition,
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

/// A receipt number without the spaces people put between its groups.
fn clean_receipt(raw: &str) -> String {
    raw.split_whitespace().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{Lang, text as message};

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2024, 12, 20).unwrap()
    }

    fn cash() -> DonationInput {
        DonationInput {
            campaign: "NDXD-DEMO".into(),
            kind: "现金".into(),
            donor_kind: "个人".into(),
            donor_name: " 张明（测试） ".into(),
            public_name: "是".into(),
            amount: "￥5,000.50".into(),
            channel: "银行转账".into(),
            received_on: "2024年12月18日".into(),
            receipt_number: " 3400 1234 5678 ".into(),
            designation: "定向乡镇".into(),
            designated_to: "上派镇".into(),
            ..DonationInput::default()
        }
    }

    fn goods() -> DonationInput {
        DonationInput {
            campaign: "NDXD-DEMO".into(),
            kind: "in_kind".into(),
            donor_kind: "organization".into(),
            organization: "01930000-0000-7000-8000-0000000000aa".into(),
            received_on: "2024-12-20".into(),
            station: "340123".into(),
            lines: vec![
                GiftLineInput {
                    item: "Quilt".into(),
                    quantity: "20".into(),
                    unit_value: "150".into(),
                    condition: "全新".into(),
                },
                GiftLineInput::default(),
                GiftLineInput {
                    item: "rice".into(),
                    quantity: "10".into(),
                    ..GiftLineInput::default()
                },
            ],
            ..DonationInput::default()
        }
    }

    fn errors(input: &DonationInput) -> Vec<(String, &'static str)> {
        input
            .parse(today())
            .unwrap_err()
            .iter()
            .map(|e| (e.field().to_owned(), e.code()))
            .collect()
    }

    #[test]
    fn a_cash_gift_from_a_person_designated_to_a_town() {
        let d = cash().parse(today()).unwrap();
        assert_eq!(d.donor, Donor::Person("张明（测试）".into()));
        assert!(d.public_name);
        assert_eq!(
            d.gift,
            Gift::Cash {
                amount: Fen::new(500_050),
                channel: Channel::BankTransfer
            }
        );
        assert_eq!(
            d.received_on,
            NaiveDate::from_ymd_opt(2024, 12, 18).unwrap()
        );
        assert_eq!(d.receipt_number.as_deref(), Some("340012345678"));
        assert_eq!(d.designation, DesignationRequest::Town("上派镇".into()));
    }

    #[test]
    fn goods_from_a_registered_organization_skip_blank_lines() {
        let d = goods().parse(today()).unwrap();
        assert_eq!(
            d.donor,
            Donor::Registered(Uuid::parse_str("01930000-0000-7000-8000-0000000000aa").unwrap())
        );
        assert!(!d.public_name);
        assert_eq!(d.designation, DesignationRequest::Campaign);
        let Gift::InKind { station, lines } = d.gift else {
            panic!("goods")
        };
        assert_eq!(station, Some(AreaCode::parse("340123").unwrap()));
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].item, "quilt");
        assert_eq!(lines[0].unit_value, Some(Fen::from_yuan(150)));
        assert_eq!(lines[1].unit_value, None, "the catalogue's value, later");
        assert_eq!(lines[1].condition, Condition::New);
        assert_eq!(line_value(20, Fen::from_yuan(150)), Fen::from_yuan(3_000));
    }

    #[test]
    fn every_field_error_is_named_with_a_message_in_both_languages() {
        let got = errors(&DonationInput::default());
        for field in ["campaign", "donor_kind", "kind", "received_on"] {
            assert!(got.iter().any(|(f, _)| f == field), "{field} in {got:?}");
        }
        let mut wrong = cash();
        wrong.amount = "0".into();
        wrong.channel = "信鸽".into();
        wrong.received_on = "2024-12-21".into();
        wrong.designation = "household".into();
        wrong.designated_to = "张三家".into();
        wrong.station = "340123100".into();
        wrong.lines = vec![GiftLineInput {
            item: "quilt".into(),
            ..GiftLineInput::default()
        }];
        let got = errors(&wrong);
        assert_eq!(
            got,
            vec![
                ("lines".to_owned(), "donation.lines_for_cash"),
                ("station".to_owned(), "donation.station_for_cash"),
                ("amount".to_owned(), "donation.amount_zero"),
                ("channel".to_owned(), "dict.unknown"),
                ("received_on".to_owned(), "household.date_in_future"),
                ("designated_to".to_owned(), "donation.household_id"),
            ]
        );
        let mut all = got;
        all.extend(errors(&DonationInput::default()));
        for (_, code) in all {
            assert_ne!(message(Lang::ZhCn, code), code);
            assert_ne!(message(Lang::En, code), code);
        }
    }

    #[test]
    fn the_donor_fields_fit_the_kind_of_donor() {
        let mut unnamed = cash();
        unnamed.donor_kind = "匿名".into();
        assert_eq!(
            errors(&unnamed),
            vec![
                ("donor_name".to_owned(), "donation.anonymous_named"),
                ("public_name".to_owned(), "donation.anonymous_named"),
            ]
        );
        unnamed.donor_name.clear();
        unnamed.public_name.clear();
        assert_eq!(unnamed.parse(today()).unwrap().donor, Donor::Anonymous);

        let mut company = cash();
        company.donor_kind = "organization".into();
        company.donor_name = "肥西示例商贸有限公司（测试）".into();
        assert_eq!(
            company.parse(today()).unwrap().donor,
            Donor::Organization("肥西示例商贸有限公司（测试）".into())
        );
        company.organization = "not-an-id".into();
        assert_eq!(
            errors(&company),
            vec![
                ("donor_name".to_owned(), "donation.name_and_organization"),
                ("organization".to_owned(), "donation.organization_id"),
            ]
        );
        let mut nobody = cash();
        nobody.donor_name.clear();
        assert_eq!(
            errors(&nobody),
            vec![("donor_name".to_owned(), "field.required")]
        );
    }

    #[test]
    fn goods_lines_are_named_and_bounded() {
        let mut input = goods();
        input.amount = "100".into();
        input.station = "340123100200".into();
        input.lines[0].quantity = "0".into();
        input.lines[0].unit_value = "-5".into();
        input.lines[2].item = "大米".into();
        input.lines[2].condition = "破损".into();
        assert_eq!(
            errors(&input),
            vec![
                ("amount".to_owned(), "donation.cash_field_for_goods"),
                ("station".to_owned(), "donation.station"),
                ("lines.0.quantity".to_owned(), "donation.quantity"),
                ("lines.0.unit_value".to_owned(), "money.negative"),
                ("lines.2.item".to_owned(), "item.code"),
                ("lines.2.condition".to_owned(), "dict.unknown"),
            ]
        );
        input.lines.clear();
        input.amount.clear();
        input.station.clear();
        assert_eq!(
            errors(&input),
            vec![("lines".to_owned(), "donation.lines_required")]
        );
        input.lines = vec![goods().lines[0].clone(); MAX_LINES + 1];
        assert_eq!(
            errors(&input),
            vec![("lines".to_owned(), "donation.too_many_lines")]
        );
    }

    #[test]
    fn designations_as_typed() {
        assert_eq!(designation("", ""), Ok(DesignationRequest::Campaign));
        assert_eq!(
            designation("pledge", " NDXD-DEMO-P0001 "),
            Ok(DesignationRequest::Pledge("NDXD-DEMO-P0001".into()))
        );
        let id = Uuid::from_u128(9);
        assert_eq!(
            designation("定向家庭", &id.to_string()),
            Ok(DesignationRequest::Household(id))
        );
        let refusal = |k, t| designation(k, t).map_err(|e| (e.field().to_owned(), e.code()));
        assert_eq!(
            refusal("campaign", "上派镇"),
            Err(("designated_to".into(), "donation.designated_to_unused"))
        );
        assert_eq!(
            refusal("town", " "),
            Err(("designated_to".into(), "field.required"))
        );
        assert_eq!(
            refusal("county", ""),
            Err(("designation".into(), "dict.unknown"))
        );
    }
}
