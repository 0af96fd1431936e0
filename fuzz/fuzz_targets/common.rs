//! What every sheet target does with a file: read it as each kind of sheet and check every row,
//! so a panic anywhere in header detection, skipping or row checks is found. Every refused row
//! must carry a reason and name its column as the file (or the template) names it.

use chrono::NaiveDate;
use hearth_core::area::{AreaCode, AreaLevel};
use hearth_office::import::header::ColumnSpec;
use hearth_office::import::households::{COLUMNS, HouseholdContext, HouseholdSheet};
use hearth_office::import::items::{self, Items};
use hearth_office::import::records::Sheet;
use hearth_office::import::{Places, read_table};
use hearth_store::areas::Area;

fn area(code: &str, name: &str, level: AreaLevel) -> Area {
    let code = AreaCode::parse(code).expect("a valid code");
    Area {
        parent: code.parent(),
        code,
        name: name.into(),
        level,
        short_name: String::new(),
        is_example: true,
        note: String::new(),
    }
}

/// Puts back the standard panic hook. libfuzzer-sys installs one that aborts on every panic,
/// even one the reader catches on purpose (calamine can panic on a damaged workbook, and the
/// reader turns that into "unreadable"); a panic that escapes still aborts, through
/// libfuzzer-sys's own `catch_unwind` around the target.
pub fn init() {
    drop(std::panic::take_hook());
}

pub fn sheet(bytes: &[u8], file_name: &str) {
    let areas = vec![
        area("340123100000", "上派镇", AreaLevel::Town),
        area("340123100201", "三岗村", AreaLevel::Village),
    ];
    if let Ok(table) = read_table(bytes, file_name, &COLUMNS) {
        let ctx = HouseholdContext {
            places: Places::new(&areas),
            scope: None,
            items: &[],
            campaign: false,
            today: NaiveDate::from_ymd_opt(2026, 11, 30).expect("a date"),
            verified_by: "fuzz".into(),
            source: "fuzz".into(),
        };
        let sheet = HouseholdSheet::read(&table, &ctx);
        let lines: Vec<u32> = sheet.lines.iter().map(|l| l.row).collect();
        every_row_answered(&table, &COLUMNS, &lines, &sheet.problems);
    }
    if let Ok(table) = read_table(bytes, file_name, &items::COLUMNS) {
        let sheet = Sheet::read::<Items>(&table, &());
        let lines: Vec<u32> = sheet.lines.iter().map(|l| l.row).collect();
        every_row_answered(&table, &items::COLUMNS, &lines, &sheet.problems);
    }
}

/// Every data row became a line or has a problem with a reason, under a column of the sheet
/// or the template.
fn every_row_answered(
    table: &hearth_office::import::Table,
    specs: &[ColumnSpec],
    lines: &[u32],
    problems: &[hearth_office::import::RowProblem],
) {
    for p in problems {
        assert!(
            !p.column.trim().is_empty()
                && (table.headers.contains(&p.column) || specs.iter().any(|s| s.title == p.column))
        );
    }
    for row in &table.rows {
        let refused: Vec<_> = problems.iter().filter(|p| p.row == row.number).collect();
        assert!(lines.contains(&row.number) || !refused.is_empty());
        for p in refused {
            assert!(!p.reason(hearth_core::Lang::ZhCn).is_empty());
        }
    }
}
