//! Import templates (下载模板) in the county habit: a title row, a red instructions row, the
//! header with `*` on required columns, ID number and phone columns formatted as text (so Excel
//! and WPS never turn them into numbers), dropdowns for town, village, category and item, and a
//! hidden version cell so a file can be traced to the template it came from.

use crate::OfficeError;
use crate::import::households::{COLUMNS, STARRED};
use hearth_core::Lang;
use hearth_core::area::AreaLevel;
use hearth_core::household::Category;
use hearth_core::i18n::text;
use hearth_core::need::Item;
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

fn width(key: &str) -> f64 {
    match key {
        "index" | "size" | "quantity" => 8.0,
        "id_number" => 22.0,
        "phone" => 15.0,
        "address" | "note" => 26.0,
        "categories" | "causes" => 20.0,
        _ => 14.0,
    }
}

/// The household template for the areas and items the officer may use.
pub fn households(lang: Lang, areas: &[Area], items: &[Item]) -> Result<Vec<u8>, OfficeError> {
    let mut book = Workbook::new();
    let main = book.add_worksheet();
    main.set_name(text(lang, "import.template_sheet"))?;
    write_heading(main, lang)?;
    let lists = Lists::new(areas, items);
    add_dropdowns(main, &lists)?;
    let hidden = book.add_worksheet();
    hidden.set_name(LISTS)?;
    lists.write(hidden)?;
    hidden.set_hidden(true);
    Ok(book.save_to_buffer()?)
}

fn write_heading(sheet: &mut Worksheet, lang: Lang) -> Result<(), OfficeError> {
    let last = (COLUMNS.len() - 1) as u16;
    let title = Format::new()
        .set_bold()
        .set_font_size(16)
        .set_align(FormatAlign::Center);
    sheet.merge_range(0, 0, 0, last, text(lang, "import.template_title"), &title)?;
    sheet.set_row_height(0, 30)?;
    let instructions = Format::new()
        .set_font_color(Color::Red)
        .set_text_wrap()
        .set_align(FormatAlign::Top);
    sheet.merge_range(
        1,
        0,
        1,
        last,
        text(lang, "import.template_instructions"),
        &instructions,
    )?;
    sheet.set_row_height(1, 75)?;
    let header = Format::new()
        .set_bold()
        .set_border(FormatBorder::Thin)
        .set_background_color("#DDEBF7")
        .set_align(FormatAlign::Center);
    let as_text = Format::new().set_num_format("@");
    for (i, spec) in COLUMNS.iter().enumerate() {
        let col = i as u16;
        let star = if STARRED.contains(&spec.key) { "*" } else { "" };
        sheet.write_string_with_format(2, col, format!("{star}{}", spec.title), &header)?;
        sheet.set_column_width(col, width(spec.key))?;
        if matches!(spec.key, "id_number" | "phone") {
            sheet.set_column_format(col, &as_text)?;
        }
    }
    sheet.set_freeze_panes(FIRST_DATA_ROW, 0)?;
    Ok(())
}

/// The dropdown lists, one column each in the hidden sheet.
struct Lists {
    columns: Vec<(&'static str, Vec<String>)>,
}

impl Lists {
    fn new(areas: &[Area], items: &[Item]) -> Lists {
        let names = |level| {
            areas
                .iter()
                .filter(|a| a.level == level)
                .map(|a| a.name.clone())
                .collect()
        };
        let categories = Category::ALL
            .iter()
            .map(|c| text(Lang::ZhCn, c.label_key()).to_owned())
            .collect();
        Lists {
            columns: vec![
                ("town", names(AreaLevel::Town)),
                ("village", names(AreaLevel::Village)),
                ("categories", categories),
                ("item", items.iter().map(|i| i.name.clone()).collect()),
            ],
        }
    }

    fn write(&self, sheet: &mut Worksheet) -> Result<(), OfficeError> {
        for (i, (key, values)) in self.columns.iter().enumerate() {
            sheet.write_string(0, i as u16, *key)?;
            for (r, value) in values.iter().enumerate() {
                sheet.write_string(r as u32 + 1, i as u16, value)?;
            }
        }
        sheet.write_string(0, self.columns.len() as u16 + 1, HOUSEHOLDS_VERSION)?;
        Ok(())
    }

    /// `='字典'!$B$2:$B$41` for the list of `key`, or `None` when it is empty.
    fn range(&self, key: &str) -> Option<String> {
        let (i, (_, values)) = self
            .columns
            .iter()
            .enumerate()
            .find(|(_, (k, _))| *k == key)?;
        let letter = char::from(b'A' + i as u8);
        (!values.is_empty())
            .then(|| format!("='{LISTS}'!${letter}$2:${letter}${}", values.len() + 1))
    }
}

fn add_dropdowns(sheet: &mut Worksheet, lists: &Lists) -> Result<(), OfficeError> {
    for (i, spec) in COLUMNS.iter().enumerate() {
        let Some(range) = lists.range(spec.key) else {
            continue;
        };
        // Several categories may be typed joined by 、, and a village missing from the list
        // may be typed: the dropdown offers, the import decides.
        let style = if matches!(spec.key, "categories" | "village" | "item") {
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
