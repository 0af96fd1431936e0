//! A table read a part at a time: the header is found in the first rows, and the data rows
//! after it are read, and sorted from totals and signature lines, only as they are asked for.
//! A CSV file is never held decoded or as cells all at once, nor at all when it is on disk; a
//! workbook is (the zip format needs its whole sheet).

use super::ReadError;
use super::grid::{CsvRows, Grid, SheetRow};
use super::header::{ColumnSpec, HEADER_SEARCH_ROWS, Table};
use super::skip::classify;
use super::source::ImportFile;

pub struct TableRows<'a> {
    table: Table,
    source: Source<'a>,
}

enum Source<'a> {
    /// A workbook's data rows, all read, and how many were handed out.
    Workbook { rows: Vec<SheetRow>, given: usize },
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

    /// The same table from its first data row again (a CSV file is read again; a workbook's
    /// rows are still at hand).
    pub fn rewind(self) -> Result<TableRows<'a>, ReadError> {
        match self.source {
            Source::Workbook { rows, .. } => Ok(TableRows {
                table: self.table,
                source: Source::Workbook { rows, given: 0 },
            }),
            Source::Csv { file, .. } => {
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
        let mut read = Vec::new();
        loop {
            let rows = parts.next_rows(1_000).unwrap();
            if rows.is_empty() {
                break;
            }
            read.extend(rows);
        }
        assert_eq!(read, whole.rows);
        assert_eq!(parts.table().skipped, whole.skipped);
        assert_eq!(parts.table().header_row, 2);
        let mut again = parts.rewind().unwrap();
        assert_eq!(again.next_rows(3).unwrap(), whole.rows[..3]);
    }

    fn all_rows(mut rows: TableRows<'_>) -> Vec<SheetRow> {
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
            let rows = TableRows::open(&on_disk, name, &COLUMNS).unwrap();
            assert_eq!(rows.table().header_row, 2, "{name}");
            assert_eq!(all_rows(rows), whole.rows, "{name}");
            assert_eq!(whole.rows.len(), 3_000);
            assert_eq!(whole.rows[2_999].cells[0].text, "张2999𠀾");
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
