//! Import templates (下载模板) in the county habit: a title row, a red instructions row, the
//! header with `*` on required columns, ID number, credit code and phone columns formatted as
//! text (so Excel and WPS never turn them into numbers), dropdowns for towns, villages,
//! categories, items, kinds and roles, and a hidden version cell so a file can be traced to the
//! template it came from.

use crate::OfficeError;
use crate::import::header::ColumnSpec;
use crate::import::{donations, households, items, organizations, users};
use hearth_core::Lang;
use hearth_core::area::AreaLevel;
use hearth_core::donation::{Channel, Condition, DonationKind, DonorKind};
use hearth_core::household::Category;
use hearth_core::i18n::text;
use hearth_core::need::Item;
use hearth_core::organization::{OrgKind, ServiceField};
use hearth_core::role::Role;
use hearth_store::areas::Area;
use rust_xlsxwriter::{
    Color, DataValidation, DataValidationErrorStyle, Format, FormatAlign, FormatBorder, Formula,
    Workbook, Worksheet,
};

/// Written into the hidden sheet; bump when the columns change.
pub const HOUSEHOLDS_VERSION: &str = "hearth-template:households:v1";
/// The hidden sheet with the dropdown lists and the version.
const LISTS: &str = "字典";
/// Rows of the sheet that get the dropdowns and text formats.
const ROWS: u32 = 2000;
const FIRST_DATA_ROW: u32 = 3;

/// One template: its columns, which are starred and typed as text, and its dropdowns.
struct Layout {
    /// `households`, `organizations` …: the locale keys and the version cell name it.
    kind: &'static str,
    columns: &'static [ColumnSpec],
    starred: Vec<&'static str>,
    as_text: &'static [&'static str],
    /// Dropdowns that only offer (several values joined by 、 may be typed, or a name missing
    /// from the list); the others refuse anything else.
    offering: &'static [&'static str],
    lists: Lists,
}

fn width(key: &str) -> f64 {
    match key {
        "index" | "size" | "quantity" | "unit" | "rating" | "active" => 8.0,
        "id_number" | "uscc" | "organization" => 22.0,
        "phone" | "contact_phone" | "received_on" | "amount" => 15.0,
        "address" | "note" | "name" | "donor_name" | "service_areas" => 26.0,
        "categories" | "causes" | "service_fields" => 20.0,
        _ => 14.0,
    }
}

fn names_at(areas: &[Area], level: AreaLevel) -> Vec<String> {
    areas
        .iter()
        .filter(|a| a.level == level)
        .map(|a| a.name.clone())
        .collect()
}

fn labels(keys: impl IntoIterator<Item = String>) -> Vec<String> {
    keys.into_iter()
        .map(|k| text(Lang::ZhCn, &k).to_owned())
        .collect()
}

fn starred(columns: &[ColumnSpec]) -> Vec<&'static str> {
    columns
        .iter()
        .filter(|c| c.required)
        .map(|c| c.key)
        .collect()
}

/// The household template for the areas and items the officer may use.
pub fn households(lang: Lang, areas: &[Area], items: &[Item]) -> Result<Vec<u8>, OfficeError> {
    let categories = labels(Category::ALL.iter().map(|c| c.label_key().to_owned()));
    write(
        lang,
        Layout {
            kind: "households",
            columns: &households::COLUMNS,
            starred: households::STARRED.to_vec(),
            as_text: &["id_number", "phone"],
            offering: &["categories", "village", "item"],
            lists: Lists(vec![
                ("town", names_at(areas, AreaLevel::Town)),
                ("village", names_at(areas, AreaLevel::Village)),
                ("categories", categories),
                ("item", items.iter().map(|i| i.name.clone()).collect()),
            ]),
        },
    )
}

/// The organization template: kinds, service fields and the county's towns as dropdowns.
pub fn organizations(lang: Lang, areas: &[Area]) -> Result<Vec<u8>, OfficeError> {
    let mut places = names_at(areas, AreaLevel::County);
    places.extend(names_at(areas, AreaLevel::Town));
    write(
        lang,
        Layout {
            kind: "organizations",
            columns: &organizations::COLUMNS,
            starred: starred(&organizations::COLUMNS),
            as_text: &["uscc", "contact_phone"],
            offering: &["service_fields", "service_areas"],
            lists: Lists(vec![
                (
                    "kind",
                    labels(OrgKind::ALL.iter().map(|k| k.label_key().to_owned())),
                ),
                (
                    "service_fields",
                    labels(ServiceField::ALL.iter().map(|k| k.label_key().to_owned())),
                ),
                ("service_areas", places),
                (
                    "rating",
                    ["5A", "4A", "3A", "2A", "1A"].map(String::from).to_vec(),
                ),
            ]),
        },
    )
}

/// The catalogue template.
pub fn items(lang: Lang) -> Result<Vec<u8>, OfficeError> {
    write(
        lang,
        Layout {
            kind: "items",
            columns: &items::COLUMNS,
            starred: starred(&items::COLUMNS),
            as_text: &["code"],
            offering: &[],
            lists: Lists(vec![("active", vec!["是".to_owned(), "否".to_owned()])]),
        },
    )
}

/// The account template: roles and the county's areas as dropdowns.
pub fn users(lang: Lang, areas: &[Area]) -> Result<Vec<u8>, OfficeError> {
    let mut places = names_at(areas, AreaLevel::County);
    places.extend(names_at(areas, AreaLevel::Town));
    places.extend(names_at(areas, AreaLevel::Village));
    write(
        lang,
        Layout {
            kind: "users",
            columns: &users::COLUMNS,
            starred: starred(&users::COLUMNS),
            as_text: &["username", "organization", "password"],
            offering: &[],
            lists: Lists(vec![
                ("role", labels(Role::ALL.iter().map(|r| r.label_key()))),
                ("area", places),
            ]),
        },
    )
}

/// The donation template: kinds, channels, conditions and the catalogue as dropdowns.
pub fn donations(lang: Lang, items: &[Item]) -> Result<Vec<u8>, OfficeError> {
    write(
        lang,
        Layout {
            kind: "donations",
            columns: &donations::COLUMNS,
            starred: starred(&donations::COLUMNS),
            as_text: &["uscc", "receipt_number"],
            offering: &["item"],
            lists: Lists(vec![
                (
                    "kind",
                    labels(DonationKind::ALL.iter().map(|k| k.label_key().to_owned())),
                ),
                (
                    "donor_kind",
                    labels(DonorKind::ALL.iter().map(|k| k.label_key().to_owned())),
                ),
                ("public_name", vec!["是".to_owned(), "否".to_owned()]),
                (
                    "channel",
                    labels(Channel::ALL.iter().map(|k| k.label_key().to_owned())),
                ),
                ("item", items.iter().map(|i| i.name.clone()).collect()),
                (
                    "condition",
                    labels(Condition::ALL.iter().map(|k| k.label_key().to_owned())),
                ),
            ]),
        },
    )
}

fn write(lang: Lang, layout: Layout) -> Result<Vec<u8>, OfficeError> {
    let mut book = Workbook::new();
    let main = book.add_worksheet();
    main.set_name(text(lang, &format!("import_kinds.{}_sheet", layout.kind)))?;
    write_heading(main, lang, &layout)?;
    add_dropdowns(main, &layout)?;
    let hidden = book.add_worksheet();
    hidden.set_name(LISTS)?;
    layout.lists.write(hidden, layout.kind)?;
    hidden.set_hidden(true);
    Ok(book.save_to_buffer()?)
}

/// The locale key of a template text: the household ones predate the other kinds.
fn key(kind: &str, what: &str) -> String {
    match kind {
        "households" => format!("import.template_{what}"),
        _ => format!("import_kinds.{kind}_{what}"),
    }
}

fn write_heading(sheet: &mut Worksheet, lang: Lang, layout: &Layout) -> Result<(), OfficeError> {
    let last = (layout.columns.len() - 1) as u16;
    let title = Format::new()
        .set_bold()
        .set_font_size(16)
        .set_align(FormatAlign::Center);
    sheet.merge_range(
        0,
        0,
        0,
        last,
        text(lang, &key(layout.kind, "title")),
        &title,
    )?;
    sheet.set_row_height(0, 30)?;
    let instructions = Format::new()
        .set_font_color(Color::Red)
        .set_text_wrap()
        .set_align(FormatAlign::Top);
    let said = text(lang, &key(layout.kind, "instructions"));
    sheet.merge_range(1, 0, 1, last, said, &instructions)?;
    sheet.set_row_height(1, 75)?;
    let header = Format::new()
        .set_bold()
        .set_border(FormatBorder::Thin)
        .set_background_color("#DDEBF7")
        .set_align(FormatAlign::Center);
    let as_text = Format::new().set_num_format("@");
    for (i, spec) in layout.columns.iter().enumerate() {
        let col = i as u16;
        let star = if layout.starred.contains(&spec.key) {
            "*"
        } else {
            ""
        };
        sheet.write_string_with_format(2, col, format!("{star}{}", spec.title), &header)?;
        sheet.set_column_width(col, width(spec.key))?;
        if layout.as_text.contains(&spec.key) {
            sheet.set_column_format(col, &as_text)?;
        }
    }
    sheet.set_freeze_panes(FIRST_DATA_ROW, 0)?;
    Ok(())
}

/// The dropdown lists, one column each in the hidden sheet: (column key, values).
struct Lists(Vec<(&'static str, Vec<String>)>);

impl Lists {
    fn write(&self, sheet: &mut Worksheet, kind: &str) -> Result<(), OfficeError> {
        for (i, (key, values)) in self.0.iter().enumerate() {
            sheet.write_string(0, i as u16, *key)?;
            for (r, value) in values.iter().enumerate() {
                sheet.write_string(r as u32 + 1, i as u16, value)?;
            }
        }
        let version = match kind {
            "households" => HOUSEHOLDS_VERSION.to_owned(),
            other => format!("hearth-template:{other}:v1"),
        };
        sheet.write_string(0, self.0.len() as u16 + 1, version)?;
        Ok(())
    }

    /// `='字典'!$B$2:$B$41` for the list of `key`, or `None` when it is empty.
    fn range(&self, key: &str) -> Option<String> {
        let (i, (_, values)) = self.0.iter().enumerate().find(|(_, (k, _))| *k == key)?;
        let letter = char::from(b'A' + i as u8);
        (!values.is_empty())
            .then(|| format!("='{LISTS}'!${letter}$2:${letter}${}", values.len() + 1))
    }
}

fn add_dropdowns(sheet: &mut Worksheet, layout: &Layout) -> Result<(), OfficeError> {
    for (i, spec) in layout.columns.iter().enumerate() {
        let Some(range) = layout.lists.range(spec.key) else {
            continue;
        };
        let style = if layout.offering.contains(&spec.key) {
            DataValidationErrorStyle::Information
        } else {
            DataValidationErrorStyle::Stop
        };
        let validation = DataValidation::new()
            .allow_list_formula(Formula::new(range))
            .set_error_style(style);
        let col = i as u16;
        sheet.add_data_validation(
            FIRST_DATA_ROW,
            col,
            FIRST_DATA_ROW + ROWS - 1,
            col,
            &validation,
        )?;
    }
    Ok(())
}
