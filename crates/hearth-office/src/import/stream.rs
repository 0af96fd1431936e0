//! A table read a part at a time: the header is found in the first rows, and the data rows
//! after it are read, and sorted from totals and signature lines, only as they are asked for.
//! A CSV file is never held decoded or as cells all at once, nor at all when it is on disk; nor
//! is an .xlsx sheet as cells (see [`super::sheet_stream`]); other workbooks are read whole.

use std::sync::mpsc::{Receiver, RecvError};

use super::ReadError;
use super::grid::{CsvRows, Grid, SheetRow};
use super::header::{ColumnSpec, HEADER_SEARCH_ROWS, Table};
use super::sheet_stream::{self, Event};
use super::skip::classify;
use super::source::ImportFile;

pub struct TableRows<'a> {
    table: Table,
    source: Source<'a>,
}

enum Source<'a> {
    /// A workbook's data rows, all read, and how many were handed out.
    Workbook { rows: Vec<SheetRow>, given: usize },
    /// An .xlsx sheet: the file (to read it again), the rows read with the header, the next
    /// event already taken from the reading thread, and the rest of them.
    Sheet {
        file: &'a ImportFile,
        ahead: std::vec::IntoIter<SheetRow>,
        taken: Option<Result<Event, RecvError>>,
        rest: Receiver<Event>,
    },
    /// A CSV file (to read it again), the rows read with the header, and the rest.
    Csv {
        file: &'a ImportFile,
        ahead: std::vec::IntoIter<SheetRow>,
        rest: Box<CsvRows<'a>>,
    },
}

impl<'a> TableRows<'a> {
    /// The table of a file, read as [`super::read_table`] reads it.
    pub fn open(
        file: &'a ImportFile,
        file_name: &str,
        specs: &[ColumnSpec],
    ) -> Result<TableRows<'a>, ReadError> {
        let head = file.head(4)?;
        if !head.is_empty() && super::grid::is_workbook(&head, file_name) {
            if head.starts_with(b"PK")
                && let Some(rows) = TableRows::streamed(file, specs)?
            {
                return Ok(rows);
            }
            let mut table = super::read_table(&file.whole()?, file_name, specs)?;
            let rows = std::mem::take(&mut table.rows);
            let source = Source::Workbook { rows, given: 0 };
            return Ok(TableRows { table, source });
        }
        let mut rest = Box::new(CsvRows::open(file)?);
        let head = rest
            .by_ref()
            .take(HEADER_SEARCH_ROWS)
            .collect::<Result<Vec<_>, _>>()?;
        let grid = Grid {
            sheet: String::new(),
            rows: head,
        };
        let mut table = Table::locate(vec![grid], specs)?;
        let ahead = std::mem::take(&mut table.rows).into_iter();
        let source = Source::Csv { file, ahead, rest };
        Ok(TableRows { table, source })
    }

    /// The table of an .xlsx workbook read by a thread: the first sheet with a header, as
    /// [`Table::locate`] finds it; `None` if the file is not .xlsx after all.
    fn streamed(
        file: &'a ImportFile,
        specs: &[ColumnSpec],
    ) -> Result<Option<TableRows<'a>>, ReadError> {
        let rest = sheet_stream::rows_of(file);
        let mut taken = rest.recv();
        loop {
            let sheet = match taken {
                Ok(Event::Sheet(name)) => name,
                Ok(Event::NotXlsx) => return Ok(None),
                Ok(Event::Failed(e)) => return Err(e),
                Ok(Event::Row(_)) | Err(_) => return Err(Table::not_found(specs)),
            };
            let mut rows = Vec::new();
            taken = rest.recv();
            while rows.len() < HEADER_SEARCH_ROWS {
                let Ok(Event::Row(row)) = taken else { break };
                rows.push(row);
                taken = rest.recv();
            }
            match Table::locate(vec![Grid { sheet, rows }], specs) {
                Ok(mut table) => {
                    let ahead = std::mem::take(&mut table.rows).into_iter();
                    let taken = Some(taken);
                    let source = Source::Sheet {
                        file,
                        ahead,
                        taken,
                        rest,
                    };
                    return Ok(Some(TableRows { table, source }));
                }
                Err(ReadError::NoHeader(_)) => {
                    while let Ok(Event::Row(_)) = taken {
                        taken = rest.recv();
                    }
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// The same table from its first data row again (a CSV file is read again; a workbook's
    /// rows are still at hand).
    pub fn rewind(self) -> Result<TableRows<'a>, ReadError> {
        match self.source {
            Source::Workbook { rows, .. } => Ok(TableRows {
                table: self.table,
                source: Source::Workbook { rows, given: 0 },
            }),
            Source::Csv { file, .. } | Source::Sheet { file, .. } => {
                let specs = self.table.specs().to_vec();
                TableRows::open(file, "", &specs)
            }
        }
    }

    /// The header and the rows left out so far (its `rows` stay empty).
    pub fn table(&self) -> &Table {
        &self.table
    }

    /// The next `size` data rows (fewer at the end of the file, none after it).
    pub fn next_rows(&mut self, size: usize) -> Result<Vec<SheetRow>, ReadError> {
        match &mut self.source {
            Source::Workbook { rows, given } => {
                let end = (*given + size).min(rows.len());
                let part = rows[*given..end].to_vec();
                *given = end;
                Ok(part)
            }
            Source::Sheet {
                ahead, taken, rest, ..
            } => {
                let mut part: Vec<SheetRow> = ahead.by_ref().take(size).collect();
                while part.len() < size {
                    // The sheet ends at the next sheet, or when the thread is done.
                    match taken.take().unwrap_or_else(|| rest.recv()) {
                        Ok(Event::Row(row)) => match classify(&row, &self.table) {
                            Some(skip) => self.table.skipped.push((row.number, skip)),
                            None => part.push(row),
                        },
                        Ok(Event::Failed(e)) => return Err(e),
                        Ok(Event::Sheet(_) | Event::NotXlsx) | Err(_) => {
                            *taken = Some(Err(RecvError));
                            break;
                        }
                    }
                }
                Ok(part)
            }
            Source::Csv { ahead, rest, .. } => {
                let mut part: Vec<SheetRow> = ahead.by_ref().take(size).collect();
                while part.len() < size {
                    let Some(row) = rest.next() else {
                        break;
                    };
                    let row = row?;
                    match classify(&row, &self.table) {
                        Some(skip) => self.table.skipped.push((row.number, skip)),
                        None => part.push(row),
                    }
                }
                Ok(part)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::households::COLUMNS;
    use super::*;

    #[test]
    fn a_csv_file_reads_in_parts_as_it_reads_whole() {
        let mut text = String::from("困难家庭名单\n户主姓名,身份证号,村（社区）\n");
        for n in 0..2_500 {
            text.push_str(&format!("张{n},3401231990030{n:05},示例村\n"));
        }
        text.push_str("合计,2500户\n填表人：王五\n");
        let whole = super::super::read_table(text.as_bytes(), "名单.csv", &COLUMNS).unwrap();
        let file = ImportFile::Held(text.clone().into_bytes());
        let mut parts = TableRows::open(&file, "名单.csv", &COLUMNS).unwrap();
        assert_eq!(all_rows(&mut parts), whole.rows);
        assert_eq!(parts.table().skipped, whole.skipped);
        assert_eq!(parts.table().header_row, 2);
        let mut again = parts.rewind().unwrap();
        assert_eq!(again.next_rows(3).unwrap(), whole.rows[..3]);
    }

    /// Every data row, asked for 700 at a time.
    fn all_rows(rows: &mut TableRows<'_>) -> Vec<SheetRow> {
        let mut read = Vec::new();
        loop {
            let part = rows.next_rows(700).unwrap();
            if part.is_empty() {
                return read;
            }
            read.extend(part);
        }
    }

    #[test]
    fn a_csv_file_on_disk_reads_as_the_same_rows_held_in_gbk_and_with_a_bom() {
        let mut text = String::from("困难家庭名单\n户主姓名,身份证号,村（社区）\n");
        for n in 0..3_000 {
            text.push_str(&format!("张{n}𠀾,3401231990030{n:05},示例村\n"));
        }
        let (gb18030, _, unmappable) = encoding_rs::GB18030.encode(&text);
        assert!(!unmappable);
        let with_bom = [super::super::decode::BOM, text.as_bytes()].concat();
        let dir = std::env::temp_dir().join(format!("hearth-stream-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        for (name, bytes) in [("gbk.csv", gb18030.to_vec()), ("bom.csv", with_bom)] {
            let path = dir.join(name);
            std::fs::write(&path, &bytes).unwrap();
            let whole = super::super::read_table(&bytes, name, &COLUMNS).unwrap();
            let on_disk = ImportFile::OnDisk(path);
            let mut rows = TableRows::open(&on_disk, name, &COLUMNS).unwrap();
            assert_eq!(rows.table().header_row, 2, "{name}");
            assert_eq!(all_rows(&mut rows), whole.rows, "{name}");
            assert_eq!(whole.rows.len(), 3_000);
            assert_eq!(whole.rows[2_999].cells[0].text, "张2999𠀾");
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// A workbook as offices send it: an instructions sheet first, then the list with a title
    /// row, numbers typed as numbers, a total row and a signature line.
    fn workbook(rows: u32) -> Vec<u8> {
        let mut book = rust_xlsxwriter::Workbook::new();
        let notes = book.add_worksheet().set_name("填表说明").unwrap();
        notes.write_string(0, 0, "请按模板填写").unwrap();
        let list = book.add_worksheet().set_name("名单").unwrap();
        list.write_string(0, 0, "困难家庭名单").unwrap();
        for (column, title) in ["户主姓名", "身份证号", "家庭人口", "村（社区）"]
            .iter()
            .enumerate()
        {
            list.write_string(2, column as u16, *title).unwrap();
        }
        for n in 0..rows {
            let at = n + 3;
            list.write_string(at, 0, format!("张{n}")).unwrap();
            list.write_string(at, 1, format!("3401231990030{n:05}"))
                .unwrap();
            list.write_number(at, 2, f64::from(n % 5 + 1)).unwrap();
            list.write_string(at, 3, "示例村").unwrap();
        }
        list.write_string(rows + 3, 0, "合计").unwrap();
        list.write_string(rows + 5, 1, "填表人：王五").unwrap();
        book.save_to_buffer().unwrap()
    }

    #[test]
    fn an_xlsx_sheet_streams_as_it_reads_whole_held_and_on_disk() {
        let bytes = workbook(3_000);
        let whole = super::super::read_table(&bytes, "名单.xlsx", &COLUMNS).unwrap();
        assert_eq!((whole.sheet.as_str(), whole.header_row), ("名单", 3));
        assert_eq!(whole.rows.len(), 3_000);
        let path = std::env::temp_dir().join(format!("hearth-sheet-{}.xlsx", std::process::id()));
        std::fs::write(&path, &bytes).unwrap();
        for file in [
            ImportFile::Held(bytes.clone()),
            ImportFile::OnDisk(path.clone()),
        ] {
            let mut rows = TableRows::open(&file, "名单.xlsx", &COLUMNS).unwrap();
            assert!(matches!(rows.source, Source::Sheet { .. }), "streamed");
            assert_eq!(rows.table().header_row, 3);
            assert_eq!(rows.table().sheet, "名单");
            let again = TableRows::open(&file, "名单.xlsx", &COLUMNS).unwrap();
            let mut first = again.rewind().unwrap();
            assert_eq!(first.next_rows(2).unwrap(), whole.rows[..2]);
            let read = all_rows(&mut rows);
            assert_eq!(read, whole.rows);
            assert_eq!(rows.table().skipped, whole.skipped);
            assert!(
                read[4].cells[2].numeric,
                "a number cell stays marked as one"
            );
        }
        std::fs::remove_file(&path).unwrap();
    }

    #[test]
    fn a_damaged_or_headerless_xlsx_is_refused_not_read() {
        let mut damaged = workbook(10);
        let cut = damaged.len() / 2;
        damaged.truncate(cut);
        let file = ImportFile::Held(damaged);
        assert!(matches!(
            TableRows::open(&file, "名单.xlsx", &COLUMNS),
            Err(ReadError::Workbook(_))
        ));
        let mut book = rust_xlsxwriter::Workbook::new();
        book.add_worksheet().write_string(0, 0, "没有表头").unwrap();
        let file = ImportFile::Held(book.save_to_buffer().unwrap());
        assert!(matches!(
            TableRows::open(&file, "名单.xlsx", &COLUMNS),
            Err(ReadError::NoHeader(_))
        ));
    }
}
