//! The household list as an .xlsx file (导出), masked exactly as the list on screen shows it to
//! the person exporting: the caller builds the rows from what the use case returned, so this
//! module never sees more than the screen does.

use crate::{OfficeError, sheet::Sheet};
use chrono::{DateTime, Utc};
use hearth_core::Lang;
use hearth_core::i18n::{render, text};

const COLUMNS: [(&str, f64); 11] = [
    ("common.index", 6.0),
    ("hh_page.head", 12.0),
    ("hh_page.id_number", 22.0),
    ("hh_page.town", 18.0),
    ("hh_page.village", 20.0),
    ("hh_page.main_category", 22.0),
    ("hh_page.tags", 30.0),
    ("hh_page.members", 8.0),
    ("hh_page.score", 8.0),
    ("hh_page.consent", 12.0),
    ("common.status", 8.0),
];

/// One household as the list shows it, every value already masked and translated.
#[derive(Debug, Clone, Default)]
pub struct HouseholdRow {
    /// 户主: in full or `张*`, as the caller's role sees it.
    pub head: String,
    /// `340123********1234`, or empty for roles that see no ID.
    pub id_number: String,
    pub town: String,
    pub village: String,
    pub main_category: String,
    /// The other category labels, joined.
    pub tags: String,
    pub members: i64,
    pub score: i64,
    pub consent: String,
    pub status: String,
}

/// The rows the caller was allowed to list, in list order.
pub fn export(
    lang: Lang,
    rows: &[HouseholdRow],
    exported_by: &str,
    at: DateTime<Utc>,
) -> Result<Vec<u8>, OfficeError> {
    let mut sheet = Sheet::new(lang, text(lang, "hh_page.export_title"), &COLUMNS)?;
    for (i, row) in rows.iter().enumerate() {
        sheet.row(&[
            (i + 1).to_string(),
            row.head.clone(),
            row.id_number.clone(),
            row.town.clone(),
            row.village.clone(),
            row.main_category.clone(),
            row.tags.clone(),
            row.members.to_string(),
            row.score.to_string(),
            row.consent.clone(),
            row.status.clone(),
        ])?;
    }
    let local = at
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .format("%Y-%m-%d %H:%M")
        .to_string();
    let args = [
        ("user", exported_by.to_owned()),
        ("at", local),
        ("count", rows.len().to_string()),
    ];
    let footer = format!(
        "{}　{}",
        render(lang, "export.footer", &args),
        text(lang, "hh_page.export_notice")
    );
    sheet.footer(&footer)?;
    sheet.save()
}
