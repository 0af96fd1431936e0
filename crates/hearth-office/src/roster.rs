//! The distribution roster (发放签收表, domain.md §5) as an .xlsx file: one town, one campaign
//! and batch; per handover the household's name, address, masked ID and phone, what was handed
//! over and its value or the cash handed over (现金发放), a blank cell tall enough to sign or press a thumbprint (领取人签字（按手印）),
//! the proxy and relationship, the day and the handler; under the table the totals and the
//! town's stamp block. The caller passes values already masked as the paper given out needs.

use crate::{OfficeError, sheet::Sheet};
use hearth_core::Lang;
use hearth_core::i18n::{render, text};
use rust_xlsxwriter::{Format, FormatAlign};

const COLUMNS: [(&str, f64); 13] = [
    ("common.index", 6.0),
    ("roster.village", 14.0),
    ("roster.head", 10.0),
    ("roster.address", 24.0),
    ("roster.id_number", 21.0),
    ("roster.phone", 13.0),
    ("roster.items", 20.0),
    ("roster.amount", 10.0),
    ("money_form.roster_cash", 10.0),
    ("roster.signature", 18.0),
    ("roster.proxy", 14.0),
    ("roster.date", 12.0),
    ("roster.handler", 10.0),
];

/// Row height (points) that leaves room for a signature or a thumbprint.
const SIGNING_HEIGHT: f64 = 36.0;
/// The sheet's first data row, under the title and the header.
const FIRST_ROW: u32 = 2;

/// One handover on the roster, every value already masked and translated.
#[derive(Debug, Clone, Default)]
pub struct RosterRow {
    pub village: String,
    pub head: String,
    pub address: String,
    /// `340123********1234`.
    pub id_number: String,
    /// `*******1234`.
    pub phone: String,
    /// `棉被 2床、大米 1袋`.
    pub items: String,
    /// The goods' value: yuan with two decimals, empty for cash aid.
    pub amount: String,
    /// The cash handed over: yuan with two decimals, empty for goods.
    pub cash: String,
    /// `王小明（子女）`, or empty when the head received.
    pub proxy: String,
    pub date: String,
    pub handler: String,
}

/// The roster of one town and batch.
#[derive(Debug, Clone, Default)]
pub struct RosterSheet {
    /// `上派镇 2024年暖冬行动 发放签收表`.
    pub title: String,
    pub rows: Vec<RosterRow>,
    /// Households reached.
    pub households: usize,
    /// `棉被 12床、大米 5袋`.
    pub items: String,
    /// The goods' value, yuan with two decimals.
    pub amount: String,
    /// The cash handed over, yuan with two decimals.
    pub cash: String,
}

/// The roster as a workbook: title, header, one tall row per handover, the totals row and the
/// stamp block.
pub fn export(lang: Lang, roster: &RosterSheet) -> Result<Vec<u8>, OfficeError> {
    let mut sheet = Sheet::new(lang, &roster.title, &COLUMNS)?;
    for (i, row) in roster.rows.iter().enumerate() {
        sheet.row(&[
            (i + 1).to_string(),
            row.village.clone(),
            row.head.clone(),
            row.address.clone(),
            row.id_number.clone(),
            row.phone.clone(),
            row.items.clone(),
            row.amount.clone(),
            row.cash.clone(),
            String::new(),
            row.proxy.clone(),
            row.date.clone(),
            row.handler.clone(),
        ])?;
        sheet
            .workbook
            .worksheet_from_index(0)?
            .set_row_height(FIRST_ROW + i as u32, SIGNING_HEIGHT)?;
    }
    let households = render(
        lang,
        "roster.households",
        &[("count", roster.households.to_string())],
    );
    let mut total = vec![String::new(); COLUMNS.len()];
    total[1] = text(lang, "roster.total").to_owned();
    total[2] = households;
    total[6] = roster.items.clone();
    total[7] = roster.amount.clone();
    total[8] = roster.cash.clone();
    sheet.row(&total)?;
    // One empty row between the totals and the stamp block.
    let below = FIRST_ROW + roster.rows.len() as u32 + 2;
    stamp_block(&mut sheet, lang, below)?;
    sheet.save()
}

/// Under the table: the town's stamp (乡镇（园区）盖章), who checked, and the date.
fn stamp_block(sheet: &mut Sheet, lang: Lang, first: u32) -> Result<(), OfficeError> {
    let format = Format::new().set_align(FormatAlign::Left);
    let last = (COLUMNS.len() - 1) as u16;
    let worksheet = sheet.workbook.worksheet_from_index(0)?;
    for (offset, key) in ["roster.stamp", "roster.checked_by", "roster.stamp_date"]
        .into_iter()
        .enumerate()
    {
        let row = first + offset as u32;
        worksheet.merge_range(row, 0, row, last, text(lang, key), &format)?;
        worksheet.set_row_height(row, 24)?;
    }
    Ok(())
}
