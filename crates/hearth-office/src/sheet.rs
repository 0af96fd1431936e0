//! The county's sheet habit: a title row, a header row, text cells for codes, frozen header.

use crate::OfficeError;
use hearth_core::Lang;
use hearth_core::i18n::text;
use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook, Worksheet};

pub(crate) struct Sheet {
    pub workbook: Workbook,
    header: Format,
    cell: Format,
    next_row: u32,
}

impl Sheet {
    /// A workbook with one sheet whose first row is the title spanning every column.
    pub fn new(lang: Lang, title: &str, columns: &[(&str, f64)]) -> Result<Sheet, OfficeError> {
        let mut workbook = Workbook::new();
        let title_format = Format::new()
            .set_bold()
            .set_font_size(16)
            .set_align(FormatAlign::Center);
        let header = Format::new()
            .set_bold()
            .set_border(FormatBorder::Thin)
            .set_background_color("#DDEBF7")
            .set_align(FormatAlign::Center);
        let cell = Format::new()
            .set_border(FormatBorder::Thin)
            .set_num_format("@");
        let sheet = workbook.add_worksheet();
        sheet.set_name(title.chars().take(31).collect::<String>())?;
        let last = (columns.len().max(1) - 1) as u16;
        sheet.merge_range(0, 0, 0, last, title, &title_format)?;
        sheet.set_row_height(0, 30)?;
        for (i, (key, width)) in columns.iter().enumerate() {
            sheet.write_string_with_format(1, i as u16, text(lang, key), &header)?;
            sheet.set_column_width(i as u16, *width)?;
        }
        sheet.set_freeze_panes(2, 0)?;
        Ok(Sheet {
            workbook,
            header,
            cell,
            next_row: 2,
        })
    }

    fn worksheet(&mut self) -> Result<&mut Worksheet, OfficeError> {
        Ok(self.workbook.worksheet_from_index(0)?)
    }

    /// Writes one row of text cells (codes stay text, so WPS never turns them into numbers).
    pub fn row(&mut self, values: &[String]) -> Result<(), OfficeError> {
        let row = self.next_row;
        let cell = self.cell.clone();
        let sheet = self.worksheet()?;
        for (i, value) in values.iter().enumerate() {
            sheet.write_string_with_format(row, i as u16, value, &cell)?;
        }
        self.next_row += 1;
        Ok(())
    }

    /// A closing line under the table: who exported, when, and the row count.
    pub fn footer(&mut self, note: &str) -> Result<(), OfficeError> {
        let row = self.next_row + 1;
        let header = self
            .header
            .clone()
            .set_background_color("#FFFFFF")
            .set_border(FormatBorder::None);
        self.worksheet()?
            .write_string_with_format(row, 0, note, &header)?;
        Ok(())
    }

    pub fn save(mut self) -> Result<Vec<u8>, OfficeError> {
        Ok(self.workbook.save_to_buffer()?)
    }
}
