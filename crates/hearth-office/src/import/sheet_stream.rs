//! The rows of an .xlsx workbook as a stream: a thread walks each visible sheet's XML with
//! calamine's cell reader and hands the rows over through a small bounded channel, so a large
//! sheet is never held as cells all at once. (The workbook's shared strings are held: the
//! format keeps them in one part, read before any sheet.) Other workbooks (.xls, .ods) are
//! read whole, as [`super::grid::read`] reads them.

use std::io::{Cursor, Read, Seek};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

use calamine::{Data, Reader, Xlsx};

use super::ReadError;
use super::grid::{Cell, SheetRow, cell, damaged, visible_sheets};
use super::source::ImportFile;

/// Rows the reading thread may run ahead of the import.
const AHEAD: usize = 1_024;

pub(super) enum Event {
    /// The rows after this are the named sheet's.
    Sheet(String),
    /// A non-blank row of the current sheet.
    Row(SheetRow),
    /// Not an .xlsx workbook: read it whole instead.
    NotXlsx,
    Failed(ReadError),
}

/// The rows of the visible sheets of `file`, sheet after sheet; the channel closes after the
/// last.
pub(super) fn rows_of(file: &ImportFile) -> Receiver<Event> {
    let (send, receive) = sync_channel(AHEAD);
    let file = file.clone();
    std::thread::spawn(move || {
        // A damaged file can make calamine panic (see `grid::read_workbook`): that is the file
        // being unreadable, not the import failing.
        let guarded = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| match &file {
            ImportFile::Held(bytes) => walk(Cursor::new(bytes.as_slice()), &send),
            ImportFile::OnDisk(path) => match std::fs::File::open(path) {
                Ok(opened) => walk(std::io::BufReader::new(opened), &send),
                Err(e) => Err(ReadError::Io(e.to_string())),
            },
        }));
        let failed = match guarded {
            Ok(Ok(())) => return,
            Ok(Err(e)) => e,
            Err(panic) => damaged(panic),
        };
        let _ = send.send(Event::Failed(failed));
    });
    receive
}

/// Sends every sheet's rows; stops early, without an error, when the reader hung up.
fn walk<R: Read + Seek>(source: R, send: &SyncSender<Event>) -> Result<(), ReadError> {
    let Ok(mut book) = Xlsx::new(source) else {
        let _ = send.send(Event::NotXlsx);
        return Ok(());
    };
    let sheets = visible_sheets(book.sheets_metadata());
    for sheet in sheets {
        if send.send(Event::Sheet(sheet.clone())).is_err() {
            return Ok(());
        }
        let mut cells = book
            .worksheet_cells_reader(&sheet)
            .map_err(|e| ReadError::Workbook(e.to_string()))?;
        let mut row = SheetRow {
            number: 0,
            cells: Vec::new(),
        };
        while let Some(found) = cells
            .next_cell()
            .map_err(|e| ReadError::Workbook(e.to_string()))?
        {
            let (at, column) = found.get_position();
            if at + 1 != row.number {
                let done = std::mem::replace(
                    &mut row,
                    SheetRow {
                        number: at + 1,
                        cells: Vec::new(),
                    },
                );
                if !done.is_blank() && send.send(Event::Row(done)).is_err() {
                    return Ok(());
                }
            }
            let column = column as usize;
            if row.cells.len() <= column {
                row.cells.resize(column + 1, Cell::default());
            }
            row.cells[column] = cell(&Data::from(found.get_value().clone()));
        }
        if !row.is_blank() && send.send(Event::Row(row)).is_err() {
            return Ok(());
        }
    }
    Ok(())
}
