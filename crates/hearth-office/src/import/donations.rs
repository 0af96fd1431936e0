//! The donation sheet a station keeps (捐赠登记表): one donation a row into the chosen campaign
//! — cash with its amount and channel, or goods (one item a row) with quantity and value; the
//! donor as a registered organization (by credit code), an organization or person by name, or
//! anonymous.

use super::SheetRow;
use super::header::{ColumnSpec, Table};
use super::places::is_blank;
use super::records::{Errors, RecordKind, col, in_columns, renamed};
use chrono::NaiveDate;
use hearth_core::Invalid;
use hearth_core::donation::{DonationInput, DonationProfile, GiftLineInput};
use hearth_core::need::Item;
use hearth_core::uscc::Uscc;
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// The columns of the donation sheet, in the template's order.
pub const COLUMNS: [ColumnSpec; 14] = [
    col("kind", "捐赠类型", &["类型", "捐赠方式"], true),
    col(
        "donor_kind",
        "捐赠方类型",
        &["捐赠人类型", "捐赠者类型"],
        true,
    ),
    col(
        "donor_name",
        "捐赠方名称",
        &["捐赠人", "捐赠单位", "捐赠方", "捐赠人姓名", "捐赠者"],
        false,
    ),
    col(
        "uscc",
        "统一社会信用代码",
        &["信用代码", "社会信用代码", "组织信用代码"],
        false,
    ),
    col(
        "public_name",
        "是否公开署名",
        &["公开署名", "同意公开"],
        false,
    ),
    col(
        "amount",
        "金额（元）",
        &["金额", "捐款金额", "捐赠金额"],
        false,
    ),
    col(
        "channel",
        "收款方式",
        &["渠道", "支付方式", "收款渠道"],
        false,
    ),
    col(
        "received_on",
        "接收日期",
        &["日期", "捐赠日期", "收到日期"],
        true,
    ),
    col(
        "receipt_number",
        "票据号",
        &["捐赠票据号", "收据号", "票据编号"],
        false,
    ),
    col("item", "物资", &["物资名称", "品名", "捐赠物资"], false),
    col("quantity", "数量", &["物资数量"], false),
    col("unit_value", "单价（元）", &["单价", "单位价值"], false),
    col("condition", "新旧程度", &["成色", "物资状况"], false),
    col("note", "备注", &["说明"], false),
];

/// A registered organization a row may name by its credit code.
#[derive(Debug, Clone)]
pub struct KnownOrg {
    pub uscc: String,
    pub id: Uuid,
}

/// What donation rows are checked against.
pub struct DonationContext<'a> {
    /// The campaign's code: every row is recorded in it.
    pub campaign: String,
    pub organizations: &'a [KnownOrg],
    pub items: &'a [Item],
    pub today: NaiveDate,
}

/// One donation row, parsed.
#[derive(Debug, Clone)]
pub struct DonationRow {
    pub input: DonationInput,
    pub profile: DonationProfile,
}

pub struct Donations;

fn column_of(field: &str) -> &'static str {
    match field {
        f if f.starts_with("lines") && f.ends_with("quantity") => "quantity",
        f if f.starts_with("lines") && f.ends_with("unit_value") => "unit_value",
        f if f.starts_with("lines") && f.ends_with("condition") => "condition",
        f if f.starts_with("lines") => "item",
        "organization" => "uscc",
        "campaign" | "designation" | "designated_to" | "station" => "note",
        other => COLUMNS
            .iter()
            .map(|c| c.key)
            .find(|k| *k == other)
            .unwrap_or("note"),
    }
}

/// The registry's organization of a credit code, as its id.
fn registered(typed: &str, known: &[KnownOrg]) -> Result<String, Invalid> {
    if is_blank(typed) {
        return Ok(String::new());
    }
    let uscc = Uscc::parse(typed).map_err(|e| renamed(e, "uscc"))?;
    known
        .iter()
        .find(|o| o.uscc == uscc.as_str())
        .map(|o| o.id.to_string())
        .ok_or_else(|| Invalid::new("uscc", "import_kinds.org_unregistered").arg("value", typed))
}

/// The item a name or code means, as its catalogue code.
fn item_code(typed: &str, items: &[Item]) -> Result<String, Invalid> {
    if is_blank(typed) {
        return Ok(String::new());
    }
    super::values::needs(typed, "1", items)
        .map_err(|e| renamed(e, "item"))
        .and_then(|found| match found.as_slice() {
            [(code, _)] => Ok(code.clone()),
            _ => Err(Invalid::new("item", "import_kinds.one_item")),
        })
}

impl RecordKind for Donations {
    type Value = DonationRow;
    type Context<'a> = DonationContext<'a>;
    const COLUMNS: &'static [ColumnSpec] = &COLUMNS;
    /// Two rows alike in every value are the same donation typed twice.
    const KEY: &'static str = "received_on";

    fn read_row(
        table: &Table,
        row: &SheetRow,
        ctx: &DonationContext<'_>,
    ) -> Result<(DonationRow, String), Errors> {
        let text = |key| table.text(row, key).to_owned();
        let mut errors: Errors = Vec::new();
        let organization = registered(&text("uscc"), ctx.organizations)
            .map_err(|e| errors.push(("uscc", e)))
            .unwrap_or_default();
        let item = item_code(&text("item"), ctx.items)
            .map_err(|e| errors.push(("item", e)))
            .unwrap_or_default();
        let mut donor_name = text("donor_name");
        if !organization.is_empty() {
            // The registry names a registered organization; the typed name only confirms it.
            donor_name.clear();
        }
        let lines = if is_blank(&item) && is_blank(&text("quantity")) {
            Vec::new()
        } else {
            vec![GiftLineInput {
                item,
                quantity: text("quantity"),
                unit_value: text("unit_value"),
                condition: text("condition"),
            }]
        };
        let input = DonationInput {
            campaign: ctx.campaign.clone(),
            kind: text("kind"),
            donor_kind: text("donor_kind"),
            organization,
            donor_name,
            public_name: text("public_name"),
            amount: text("amount"),
            channel: text("channel"),
            received_on: text("received_on"),
            receipt_number: text("receipt_number"),
            lines,
            note: text("note"),
            ..DonationInput::default()
        };
        match input.parse(ctx.today) {
            Ok(profile) if errors.is_empty() => {
                let key = fingerprint(&profile);
                Ok((DonationRow { input, profile }, key))
            }
            Ok(_) => Err(errors),
            Err(found) => {
                let said: Vec<&str> = errors.iter().map(|(k, _)| *k).collect();
                let rest = in_columns(found, column_of)
                    .into_iter()
                    .filter(|(k, _)| !said.contains(k));
                errors.extend(rest);
                Err(errors)
            }
        }
    }
}

/// What makes a donation the same one when a file is sent twice: every value it was recorded
/// with, hashed (the campaign, donor, gift, day, receipt and note).
pub fn fingerprint(profile: &DonationProfile) -> String {
    let json = serde_json::to_string(profile).unwrap_or_default();
    hex::encode(Sha256::digest(json.as_bytes()))
}
