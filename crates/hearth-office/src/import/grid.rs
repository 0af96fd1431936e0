//! A spreadsheet as rows of cells, whatever it came as: .xlsx, .xls (and .ods) through calamine,
//! .csv in UTF-8 (with or without a byte-order mark) or GBK/GB18030, as WPS and old Excel save it.
//!
//! A cell keeps whether it was a number in the workbook: an identity number that Excel stored as
//! a number has already lost its last digits, and only the cell type says so for sure.

use super::ReadError;
use super::source::ImportFile;
use calamine::{Data, Reader};
use std::io::{Cursor, Read};

/// One cell as the reader found it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Cell {
    /// The value as text: numbers without a trailing `.0`, dates as `YYYY-MM-DD`.
    pub text: String,
    /// The workbook stored a number here (never true for CSV, which has no types).
    pub numeric: bool,
}

impl Cell {
    pub fn text(text: impl Into<String>) -> Cell {
        Cell {
            text: text.into(),
            numeric: false,
        }
    }

    pub fn is_blank(&self) -> bool {
        self.text.trim().is_empty()
    }
}

/// One row with the number the spreadsheet shows beside it (1-based).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SheetRow {
    pub number: u32,
    pub cells: Vec<Cell>,
}

impl SheetRow {
    pub fn cell(&self, column: usize) -> Option<&Cell> {
        self.cells.get(column)
    }

    pub fn is_blank(&self) -> bool {
        self.cells.iter().all(Cell::is_blank)
    }
}

/// One sheet: its name and its non-empty rows in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grid {
    pub sheet: String,
    pub rows: Vec<SheetRow>,
}

/// What kind of file the bytes are, by name and by their first bytes.
pub fn is_workbook(bytes: &[u8], file_name: &str) -> bool {
    let name = file_name.to_ascii_lowercase();
    if name.ends_with(".csv") || name.ends_with(".txt") {
        return false;
    }
    // Zip (xlsx, ods) and OLE2 (xls) signatures.
    bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0])
}

/// Every visible sheet of a workbook, or the one table of a CSV file.
pub fn read(bytes: &[u8], file_name: &str) -> Result<Vec<Grid>, ReadError> {
    if bytes.is_empty() {
        return Err(ReadError::Empty);
    }
    if is_workbook(bytes, file_name) {
        read_workbook(bytes)
    } else {
        let rows = CsvRows::new(bytes)?.collect::<Result<Vec<_>, _>>()?;
        Ok(vec![Grid {
            sheet: String::new(),
            rows,
        }])
    }
}

/// Reads a workbook through calamine. A damaged file can make calamine itself panic (found by
/// fuzzing: a cell reference of ten letters overflows its column arithmetic where overflow is
/// checked, as in debug and test builds), and an uploaded file must never take a request down,
/// so such a panic is the file being unreadable. Only owned values cross the boundary, so
/// nothing half-built is seen after it.
fn read_workbook(bytes: &[u8]) -> Result<Vec<Grid>, ReadError> {
    std::panic::catch_unwind(|| read_workbook_unguarded(bytes)).unwrap_or_else(|p| Err(damaged(p)))
}

/// A panic inside calamine, as the refusal of the file.
pub(super) fn damaged(panic: Box<dyn std::any::Any + Send>) -> ReadError {
    let detail = panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_default();
    ReadError::Workbook(format!("damaged workbook: {detail}"))
}

/// The names of the sheets a person opening the workbook sees.
pub(super) fn visible_sheets(metadata: &[calamine::Sheet]) -> Vec<String> {
    metadata
        .iter()
        .filter(|s| s.visible == calamine::SheetVisible::Visible)
        .map(|s| s.name.clone())
        .collect()
}

fn read_workbook_unguarded(bytes: &[u8]) -> Result<Vec<Grid>, ReadError> {
    let mut book = calamine::open_workbook_auto_from_rs(Cursor::new(bytes))
        .map_err(|e| ReadError::Workbook(e.to_string()))?;
    let sheets = visible_sheets(book.sheets_metadata());
    let mut grids = Vec::with_capacity(sheets.len());
    for sheet in sheets {
        let range = book
            .worksheet_range(&sheet)
            .map_err(|e| ReadError::Workbook(e.to_string()))?;
        let (first_row, first_col) = range.start().unwrap_or((0, 0));
        let rows = range
            .rows()
            .enumerate()
            .map(|(i, cells)| SheetRow {
                number: first_row + i as u32 + 1,
                cells: std::iter::repeat_n(Cell::default(), first_col as usize)
                    .chain(cells.iter().map(cell))
                    .collect(),
            })
            .filter(|row| !row.is_blank())
            .collect();
        grids.push(Grid { sheet, rows });
    }
    Ok(grids)
}

pub(super) fn cell(data: &Data) -> Cell {
    match data {
        Data::Int(i) => numeric(i.to_string()),
        Data::Float(f) => numeric(float_text(*f)),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => Cell::text(s.clone()),
        Data::Bool(b) => Cell::text(if *b { "TRUE" } else { "FALSE" }),
        Data::DateTime(dt) => Cell::text(excel_date(dt.as_f64())),
        Data::Error(_) | Data::Empty => Cell::default(),
    }
}

fn numeric(text: String) -> Cell {
    Cell {
        text,
        numeric: true,
    }
}

/// Whole numbers without `.0` (a phone or a quantity typed as a number reads as typed); others
/// as Rust prints them, which is what someone would read off the cell.
fn float_text(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        format!("{f}")
    }
}

/// An Excel date serial (days since 1899-12-30) as `YYYY-MM-DD`.
fn excel_date(serial: f64) -> String {
    let base = chrono::NaiveDate::from_ymd_opt(1899, 12, 30).unwrap_or_default();
    base.checked_add_signed(chrono::Duration::days(serial.floor() as i64))
        .map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_else(|| float_text(serial))
}

/// The non-blank rows of a CSV file, read as they are needed: the text is decoded a block at a
/// time (GB18030 when the bytes are not UTF-8), so a large file is never held decoded, and a
/// file on disk is never held at all.
pub struct CsvRows<'a> {
    reader: csv::Reader<Utf8Stream<'a>>,
    record: csv::StringRecord,
}

impl<'a> CsvRows<'a> {
    /// The rows of `bytes` in the encoding [`super::decode::decoder_of`] picks.
    pub fn new(bytes: &'a [u8]) -> Result<CsvRows<'a>, ReadError> {
        if bytes.is_empty() {
            return Err(ReadError::Empty);
        }
        let decoder = super::decode::decoder_of(bytes)?;
        Ok(CsvRows::over(Box::new(bytes), decoder))
    }

    /// The rows of a file, read through once for its encoding first.
    pub fn open(file: &'a ImportFile) -> Result<CsvRows<'a>, ReadError> {
        if file.head(1)?.is_empty() {
            return Err(ReadError::Empty);
        }
        let decoder = super::decode::decoder_of(file.reader()?)?;
        Ok(CsvRows::over(file.reader()?, decoder))
    }

    fn over(
        source: Box<dyn Read + Send + 'a>,
        decoder: Option<encoding_rs::Decoder>,
    ) -> CsvRows<'a> {
        CsvRows {
            reader: csv::ReaderBuilder::new()
                .has_headers(false)
                .flexible(true)
                .from_reader(Utf8Stream::new(source, decoder)),
            record: csv::StringRecord::new(),
        }
    }
}

impl Iterator for CsvRows<'_> {
    type Item = Result<SheetRow, ReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            match self.reader.read_record(&mut self.record) {
                Ok(false) => return None,
                Err(e) => {
                    let stream = self.reader.get_ref();
                    let e = match (&stream.unreadable, stream.failed) {
                        (Some(detail), _) => ReadError::Io(detail.clone()),
                        (None, true) => ReadError::Encoding,
                        (None, false) => ReadError::Csv(e.to_string()),
                    };
                    return Some(Err(e));
                }
                Ok(true) => {}
            }
            // Where the parser began, before the blank lines it skipped without counting.
            let began = self.record.position().map_or(0, |p| p.byte());
            let number = self.reader.get_mut().line_at(began);
            let row = SheetRow {
                number,
                cells: self.record.iter().map(Cell::text).collect(),
            };
            if !row.is_blank() {
                return Some(Ok(row));
            }
        }
    }
}

/// CSV bytes as UTF-8, decoded a block at a time, remembering where the recent non-blank lines
/// start so a record's line number is the one a spreadsheet opening the file shows.
struct Utf8Stream<'a> {
    source: Box<dyn Read + Send + 'a>,
    /// Bytes read from the source and not decoded yet.
    raw: Vec<u8>,
    /// The source has no more bytes.
    drained: bool,
    /// Nothing was handed out yet (a byte-order mark is still to be dropped).
    fresh: bool,
    /// `None`: the bytes are UTF-8 already.
    decoder: Option<encoding_rs::Decoder>,
    block: Vec<u8>,
    taken: usize,
    /// Bytes handed out so far.
    emitted: u64,
    /// The line the next byte is on, and whether it is the first byte of that line.
    line: u32,
    line_start: bool,
    /// (offset, line) of non-blank line starts the parser has not passed yet.
    starts: std::collections::VecDeque<(u64, u32)>,
    /// The bytes are in neither encoding.
    failed: bool,
    /// The source could not be read, and why.
    unreadable: Option<String>,
}

const BLOCK: usize = 64 * 1024;

impl<'a> Utf8Stream<'a> {
    fn new(
        source: Box<dyn Read + Send + 'a>,
        decoder: Option<encoding_rs::Decoder>,
    ) -> Utf8Stream<'a> {
        Utf8Stream {
            source,
            raw: Vec::with_capacity(BLOCK),
            drained: false,
            fresh: true,
            decoder,
            block: Vec::new(),
            taken: 0,
            emitted: 0,
            line: 1,
            line_start: true,
            starts: std::collections::VecDeque::new(),
            failed: false,
            unreadable: None,
        }
    }

    /// The line of the first non-blank line starting at or after `offset`.
    fn line_at(&mut self, offset: u64) -> u32 {
        while self.starts.front().is_some_and(|&(at, _)| at < offset) {
            self.starts.pop_front();
        }
        self.starts.front().map_or(self.line, |&(_, line)| line)
    }

    /// Reads from the source until a block's worth of bytes waits or the source is drained;
    /// false if it could not be read.
    fn read_raw(&mut self) -> bool {
        while !self.drained && self.raw.len() < BLOCK {
            let had = self.raw.len();
            self.raw.resize(BLOCK, 0);
            let read = self.source.read(&mut self.raw[had..]);
            self.raw.truncate(had + *read.as_ref().unwrap_or(&0));
            match read {
                Ok(0) => self.drained = true,
                Ok(_) => {}
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => {
                    self.unreadable = Some(e.to_string());
                    return false;
                }
            }
        }
        if std::mem::take(&mut self.fresh) && self.raw.starts_with(super::decode::BOM) {
            self.raw.drain(..super::decode::BOM.len());
        }
        true
    }

    /// The next block of UTF-8 (possibly empty); false at the end, on bytes in no encoding, or
    /// when the source could not be read.
    fn refill(&mut self) -> bool {
        self.block.clear();
        self.taken = 0;
        if !self.read_raw() {
            return false;
        }
        let last = self.drained;
        match &mut self.decoder {
            None => {
                // Never split a character: the whole file was checked as UTF-8.
                let end = if last {
                    self.raw.len()
                } else {
                    whole_characters(&self.raw)
                };
                self.block.extend(self.raw.drain(..end));
            }
            Some(decoder) => {
                let room = decoder
                    .max_utf8_buffer_length_without_replacement(self.raw.len())
                    .unwrap_or(self.raw.len() * 3 + 16);
                let mut text = String::with_capacity(room);
                let (result, read) =
                    decoder.decode_to_string_without_replacement(&self.raw, &mut text, last);
                if let encoding_rs::DecoderResult::Malformed(_, _) = result {
                    self.failed = true;
                    return false;
                }
                self.raw.drain(..read);
                self.block = text.into_bytes();
                if last && self.raw.is_empty() {
                    // A finished decoder must not be called again; nothing is left to decode.
                    self.decoder = None;
                }
            }
        }
        self.note_lines();
        !(self.block.is_empty() && self.raw.is_empty() && self.drained)
    }

    fn note_lines(&mut self) {
        for (i, &b) in self.block.iter().enumerate() {
            if self.line_start && b != b'\n' && b != b'\r' {
                self.starts.push_back((self.emitted + i as u64, self.line));
            }
            self.line_start = b == b'\n';
            if b == b'\n' {
                self.line += 1;
            }
        }
    }
}

/// How many leading bytes of valid UTF-8 `bytes` end on a character boundary: all but the
/// first bytes of a character cut off at the end.
fn whole_characters(bytes: &[u8]) -> usize {
    let len = bytes.len();
    for back in 1..=len.min(4) {
        let b = bytes[len - back];
        if b & 0xC0 != 0x80 {
            let width = match b {
                0x00..=0x7F => 1,
                0xC0..=0xDF => 2,
                0xE0..=0xEF => 3,
                _ => 4,
            };
            return if back >= width { len } else { len - back };
        }
    }
    len
}

impl Read for Utf8Stream<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.taken == self.block.len() {
            if self.refill() {
                continue;
            }
            if let Some(detail) = &self.unreadable {
                return Err(std::io::Error::other(detail.clone()));
            }
            return match self.failed {
                true => Err(std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    "neither UTF-8 nor GB18030",
                )),
                false => Ok(0),
            };
        }
        let n = buf.len().min(self.block.len() - self.taken);
        buf[..n].copy_from_slice(&self.block[self.taken..self.taken + n]);
        self.taken += n;
        self.emitted += n as u64;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_rows_keep_their_line_numbers_and_skip_blank_lines() {
        let text = "标题\r\n\r\n姓名,身份证号\n\"张三\n（户主）\",1\n\n\n李四,2";
        let rows: Vec<SheetRow> = CsvRows::new(text.as_bytes())
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let numbers: Vec<u32> = rows.iter().map(|r| r.number).collect();
        assert_eq!(numbers, vec![1, 3, 4, 8]);
        assert_eq!(rows[2].cells[0].text, "张三\n（户主）");
    }

    #[test]
    fn gbk_csv_is_decoded_a_block_at_a_time() {
        let line = "张三,340123199003071234,上派镇\n";
        let text = line.repeat(20_000);
        let (gbk, _, _) = encoding_rs::GBK.encode(&text);
        let rows: Vec<SheetRow> = CsvRows::new(&gbk)
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(rows.len(), 20_000);
        assert_eq!(rows[19_999].number, 20_000);
        assert_eq!(rows[19_999].cells[2].text, "上派镇");
    }

    /// A one-sheet .xlsx whose sheet holds `cells` (`<c>` elements) in its first row.
    fn xlsx_with(cells: &str) -> Vec<u8> {
        use std::io::Write;
        use zip::write::SimpleFileOptions;
        const RELS: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
        let parts = [
            (
                "[Content_Types].xml",
                "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
                 <Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>\
                 <Default Extension=\"xml\" ContentType=\"application/xml\"/></Types>"
                    .to_owned(),
            ),
            (
                "_rels/.rels",
                format!(
                    "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
                     <Relationship Id=\"rId1\" Type=\"{RELS}/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>"
                ),
            ),
            (
                "xl/workbook.xml",
                format!(
                    "<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" xmlns:r=\"{RELS}\">\
                     <sheets><sheet name=\"名单\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>"
                ),
            ),
            (
                "xl/_rels/workbook.xml.rels",
                format!(
                    "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
                     <Relationship Id=\"rId1\" Type=\"{RELS}/worksheet\" Target=\"worksheets/sheet1.xml\"/></Relationships>"
                ),
            ),
            (
                "xl/worksheets/sheet1.xml",
                format!(
                    "<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">\
                     <sheetData><row r=\"1\">{cells}</row></sheetData></worksheet>"
                ),
            ),
        ];
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for (name, text) in parts {
            zip.start_file(name, SimpleFileOptions::default()).unwrap();
            zip.write_all(text.as_bytes()).unwrap();
        }
        zip.finish().unwrap().into_inner()
    }

    #[test]
    fn a_damaged_cell_reference_refuses_the_file_rather_than_panicking() {
        let good = xlsx_with("<c r=\"A1\" t=\"inlineStr\"><is><t>户主姓名</t></is></c>");
        let grids = read(&good, "名单.xlsx").unwrap();
        assert_eq!(grids[0].rows[0].cells[0].text, "户主姓名");

        // The fuzzer's find: ten letters of column overflow calamine's arithmetic.
        let damaged =
            xlsx_with("<c r=\"Bmlformats.org\" t=\"inlineStr\"><is><t>户主姓名</t></is></c>");
        match read(&damaged, "名单.xlsx") {
            Err(ReadError::Workbook(_)) => {}
            other => panic!("a damaged workbook is refused as unreadable: {other:?}"),
        }
    }

    #[test]
    fn numbers_read_as_typed() {
        assert_eq!(float_text(13912345678.0), "13912345678");
        assert_eq!(float_text(3.0), "3");
        assert_eq!(float_text(2.5), "2.5");
        assert_eq!(excel_date(45646.0), "2024-12-20");
    }
}
