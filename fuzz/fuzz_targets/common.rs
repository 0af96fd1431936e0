//! What every sheet target does with a file: read it as each kind of sheet and check every row,
//! so a panic anywhere in header detection, skipping or row checks is found. Every refused row
//! must carry a reason.

use chrono::NaiveDate;
use hearth_core::area::{AreaCode, AreaLevel};
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
        every_row_answered(&table, &lines, &sheet.problems);
    }
    if let Ok(table) = read_table(bytes, file_name, &items::COLUMNS) {
        let sheet = Sheet::read::<Items>(&table, &());
        let lines: Vec<u32> = sheet.lines.iter().map(|l| l.row).collect();
        every_row_answered(&table, &lines, &sheet.problems);
    }
}

/// Every data row became a line or has a problem with a reason.
fn every_row_answered(
    table: &hearth_office::import::Table,
    lines: &[u32],
    problems: &[hearth_office::import::RowProblem],
) {
    for row in &table.rows {
        let refused: Vec<_> = problems.iter().filter(|p| p.row == row.number).collect();
        assert!(lines.contains(&row.number) || !refused.is_empty());
        for p in refused {
            assert!(!p.reason(hearth_core::Lang::ZhCn).is_empty());
        }
    }
}
