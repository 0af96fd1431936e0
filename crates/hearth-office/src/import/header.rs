//! Finding the header row under the title and instruction rows, and the columns in it by any of
//! the names offices give them (户主姓名, 姓名 or 户主; 身份证号, 身份证号码 or 公民身份号码 …).

use super::ReadError;
use super::grid::{Cell, Grid, SheetRow};
use super::skip::{Skip, classify};

/// One column an import understands.
#[derive(Debug, Clone, Copy)]
pub struct ColumnSpec {
    /// Stable name used by the code (`id_number`).
    pub key: &'static str,
    /// The header the template writes (without the `*`).
    pub title: &'static str,
    /// Other headers that mean the same, as offices write them.
    pub synonyms: &'static [&'static str],
    /// The column must be present and every row must fill it.
    pub required: bool,
}

/// How far down the header may be: below it are data, above it titles and instructions.
pub(crate) const HEADER_SEARCH_ROWS: usize = 30;

/// A header as compared: no spaces or required marks, ASCII brackets, no `(必填)`, lower case.
pub fn normalise_header(text: &str) -> String {
    let plain: String = text
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '*' | '＊' | '※' | '\u{FEFF}'))
        .map(|c| match c {
            '（' => '(',
            '）' => ')',
            c => c,
        })
        .collect::<String>()
        .to_lowercase();
    ["(必填)", "(选填)", "(必填项)"]
        .iter()
        .fold(plain, |acc, mark| acc.replace(mark, ""))
}

fn names(spec: &ColumnSpec) -> impl Iterator<Item = String> + '_ {
    std::iter::once(spec.title)
        .chain(spec.synonyms.iter().copied())
        .map(normalise_header)
}

/// The spec a header cell names: exactly, or once a trailing remark in brackets is dropped
/// (`身份证号码(18位)`).
fn match_header<'a>(text: &str, specs: &'a [ColumnSpec]) -> Option<&'a ColumnSpec> {
    let header = normalise_header(text);
    if header.is_empty() {
        return None;
    }
    let exact = |h: &str| specs.iter().find(|s| names(s).any(|n| n == h));
    exact(&header).or_else(|| {
        let cut = header
            .find('(')
            .filter(|&i| i > 0 && header.ends_with(')'))?;
        exact(&header[..cut])
    })
}

/// The columns of one row: (spec key, sheet column), each key once (the leftmost wins).
fn columns_of(row: &SheetRow, specs: &[ColumnSpec]) -> Vec<(&'static str, usize)> {
    let mut found: Vec<(&'static str, usize)> = Vec::new();
    for (i, cell) in row.cells.iter().enumerate() {
        if let Some(spec) = match_header(&cell.text, specs)
            && !found.iter().any(|(k, _)| *k == spec.key)
        {
            found.push((spec.key, i));
        }
    }
    found
}

/// The data of one sheet under its header row.
#[derive(Debug, Clone)]
pub struct Table {
    pub sheet: String,
    /// The header's row number as the spreadsheet shows it.
    pub header_row: u32,
    /// Every header cell as written, by sheet column (for the error file).
    pub headers: Vec<String>,
    columns: Vec<(&'static str, usize)>,
    specs: Vec<ColumnSpec>,
    /// Rows to import, in order.
    pub rows: Vec<SheetRow>,
    /// Rows left out and why (totals, signature lines, instructions).
    pub skipped: Vec<(u32, Skip)>,
}

impl Table {
    /// The first sheet with a header row naming at least two known columns, the row chosen
    /// being the one naming the most. Refuses a file without one, or without a required column.
    pub fn locate(grids: Vec<Grid>, specs: &[ColumnSpec]) -> Result<Table, ReadError> {
        for grid in grids {
            let best = grid
                .rows
                .iter()
                .take(HEADER_SEARCH_ROWS)
                .enumerate()
                .map(|(i, row)| (i, columns_of(row, specs)))
                .filter(|(_, cols)| cols.len() >= 2)
                .max_by_key(|(i, cols)| (cols.len(), std::cmp::Reverse(*i)));
            if let Some((at, columns)) = best {
                return Table::build(grid, at, columns, specs);
            }
        }
        Err(Table::not_found(specs))
    }

    /// The refusal of a file in which no sheet has a header row for `specs`.
    pub(crate) fn not_found(specs: &[ColumnSpec]) -> ReadError {
        ReadError::NoHeader(
            specs
                .iter()
                .filter(|s| s.required)
                .map(|s| s.title)
                .collect(),
        )
    }

    fn build(
        grid: Grid,
        at: usize,
        columns: Vec<(&'static str, usize)>,
        specs: &[ColumnSpec],
    ) -> Result<Table, ReadError> {
        let missing: Vec<&'static str> = specs
            .iter()
            .filter(|s| s.required && !columns.iter().any(|(k, _)| *k == s.key))
            .map(|s| s.title)
            .collect();
        if !missing.is_empty() {
            return Err(ReadError::MissingColumns(missing));
        }
        let mut rows = grid.rows.into_iter().skip(at);
        let header = rows.next().map(|r| (r.number, r.cells)).unwrap_or_default();
        let mut table = Table {
            sheet: grid.sheet,
            header_row: header.0,
            headers: header
                .1
                .into_iter()
                .map(|c| c.text.trim().to_owned())
                .collect(),
            columns,
            specs: specs.to_vec(),
            rows: Vec::new(),
            skipped: Vec::new(),
        };
        for row in rows {
            match classify(&row, &table) {
                Some(skip) => table.skipped.push((row.number, skip)),
                None => table.rows.push(row),
            }
        }
        Ok(table)
    }

    /// The columns it was located by.
    pub fn specs(&self) -> &[ColumnSpec] {
        &self.specs
    }

    /// The sheet column of a key, if the file has it.
    pub fn column(&self, key: &str) -> Option<usize> {
        self.columns
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, i)| *i)
    }

    /// The cell of `key` in `row`, if the file has that column.
    pub fn get<'a>(&self, row: &'a SheetRow, key: &str) -> Option<&'a Cell> {
        self.column(key).and_then(|i| row.cell(i))
    }

    /// The trimmed text of `key` in `row` ("" when absent).
    pub fn text<'a>(&self, row: &'a SheetRow, key: &str) -> &'a str {
        self.get(row, key).map(|c| c.text.trim()).unwrap_or("")
    }

    /// The header of `key` as the file writes it, or the template's when the file lacks it.
    pub fn header_of(&self, key: &str) -> String {
        self.column(key)
            .and_then(|i| self.headers.get(i))
            .cloned()
            .filter(|h| !h.is_empty())
            .or_else(|| {
                self.specs
                    .iter()
                    .find(|s| s.key == key)
                    .map(|s| s.title.to_owned())
            })
            .unwrap_or_else(|| key.to_owned())
    }

    /// Sheet columns that hold a known column, other than those of `keys`.
    pub(crate) fn known_columns_except(&self, keys: &[&str]) -> Vec<usize> {
        self.columns
            .iter()
            .filter(|(k, _)| !keys.contains(k))
            .map(|(_, i)| *i)
            .collect()
    }

    pub(crate) fn required_columns(&self) -> Vec<usize> {
        self.specs
            .iter()
            .filter(|s| s.required)
            .filter_map(|s| self.column(s.key))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPECS: [ColumnSpec; 3] = [
        ColumnSpec {
            key: "head",
            title: "户主姓名",
            synonyms: &["姓名", "户主"],
            required: true,
        },
        ColumnSpec {
            key: "id_number",
            title: "身份证号",
            synonyms: &["身份证号码", "公民身份号码"],
            required: true,
        },
        ColumnSpec {
            key: "village",
            title: "村（社区）",
            synonyms: &["村"],
            required: false,
        },
    ];

    fn row(number: u32, cells: &[&str]) -> SheetRow {
        SheetRow {
            number,
            cells: cells.iter().map(|c| Cell::text(*c)).collect(),
        }
    }

    #[test]
    fn headers_match_through_marks_brackets_and_remarks() {
        for header in [
            "户主姓名*",
            " 姓 名 ",
            "*户主",
            "身份证号码（18位）",
            "公民身份号码(必填)",
        ] {
            assert!(match_header(header, &SPECS).is_some(), "{header}");
        }
        assert_eq!(
            match_header("村(社区)", &SPECS).map(|s| s.key),
            Some("village")
        );
        assert!(match_header("备注", &SPECS).is_none());
        assert!(match_header("(姓名)", &SPECS).is_none());
    }

    #[test]
    fn finds_the_header_below_title_and_instructions() {
        let grid = Grid {
            sheet: "Sheet1".into(),
            rows: vec![
                row(1, &["上派镇困难家庭名单（姓名、身份证号须准确）"]),
                row(2, &["说明：带*为必填"]),
                row(4, &["序号", "姓名", "身份证号码", "村"]),
                row(5, &["1", "张三", "340123199003071234", "三岗村"]),
            ],
        };
        let table = Table::locate(vec![grid], &SPECS).unwrap();
        assert_eq!(table.header_row, 4);
        assert_eq!(table.column("id_number"), Some(2));
        assert_eq!(table.rows.len(), 1);
        assert_eq!(table.text(&table.rows[0], "head"), "张三");
        assert_eq!(table.header_of("head"), "姓名");
    }

    #[test]
    fn refuses_a_file_without_header_or_required_column() {
        let none = Grid {
            sheet: String::new(),
            rows: vec![row(1, &["a", "b"])],
        };
        assert!(matches!(
            Table::locate(vec![none], &SPECS),
            Err(ReadError::NoHeader(_))
        ));
        let partial = Grid {
            sheet: String::new(),
            rows: vec![row(1, &["姓名", "村"])],
        };
        match Table::locate(vec![partial], &SPECS) {
            Err(ReadError::MissingColumns(missing)) => assert_eq!(missing, vec!["身份证号"]),
            other => panic!("{other:?}"),
        }
    }
}
