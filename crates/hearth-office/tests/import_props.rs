//! Property tests of the sheet readers: no input panics, and every data row either becomes a
//! record or is refused with a reason (the promise the error file rests on).

use chrono::NaiveDate;
use hearth_core::Lang;
use hearth_core::area::{AreaCode, AreaLevel};
use hearth_office::import::households::{self, HouseholdContext, HouseholdSheet};
use hearth_office::import::items::{self, Items};
use hearth_office::import::records::Sheet;
use hearth_office::import::{Places, RowProblem, Table, read_table};
use hearth_store::areas::Area;
use proptest::prelude::*;

fn places() -> Vec<Area> {
    let area = |code: &str, name: &str, level| {
        let code = AreaCode::parse(code).unwrap();
        Area {
            parent: code.parent(),
            code,
            name: String::from(name),
            level,
            short_name: String::new(),
            is_example: true,
            note: String::new(),
        }
    };
    vec![
        area("340123100000", "上派镇", AreaLevel::Town),
        area("340123100201", "三岗村", AreaLevel::Village),
    ]
}

fn answered(table: &Table, lines: &[u32], problems: &[RowProblem]) {
    for row in &table.rows {
        let refused: Vec<&RowProblem> = problems.iter().filter(|p| p.row == row.number).collect();
        assert!(
            lines.contains(&row.number) || !refused.is_empty(),
            "row {} neither read nor refused",
            row.number
        );
        for p in refused {
            assert!(!p.reason(Lang::ZhCn).trim().is_empty());
            assert!(!p.reason(Lang::En).trim().is_empty());
        }
    }
}

/// Cells as offices type them: digits (full-width too), Chinese, marks, the odd quote.
fn cell() -> impl Strategy<Value = String> {
    prop_oneof![
        "[0-9０-９xX' -]{0,20}",
        "[上派镇三岗村低保特困棉被合计签字人口户主]{0,6}",
        "[\\PC]{0,12}",
        Just(String::new()),
    ]
}

fn household_csv() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::collection::vec(cell(), 0..12), 0..12).prop_map(|rows| {
        let mut text = String::from(
            "户主姓名,身份证号,联系电话,乡镇,村,详细地址,困难类型,家庭人口,需求物资,数量\n",
        );
        for row in rows {
            let quoted: Vec<String> = row
                .iter()
                .map(|c| format!("\"{}\"", c.replace('"', "\"\"")))
                .collect();
            text.push_str(&quoted.join(","));
            text.push('\n');
        }
        text
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn any_bytes_are_read_or_refused_without_panic(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        let _ = read_table(&bytes, "x.csv", &households::COLUMNS);
        let _ = read_table(&bytes, "x.xlsx", &households::COLUMNS);
    }

    #[test]
    fn every_household_row_is_read_or_refused_with_a_reason(csv in household_csv()) {
        let areas = places();
        let Ok(table) = read_table(csv.as_bytes(), "x.csv", &households::COLUMNS) else {
            return Ok(());
        };
        let ctx = HouseholdContext {
            places: Places::new(&areas),
            scope: None,
            items: &[],
            campaign: false,
            today: NaiveDate::from_ymd_opt(2026, 11, 30).unwrap(),
            verified_by: "test".into(),
            source: "test".into(),
        };
        let sheet = HouseholdSheet::read(&table, &ctx);
        let lines: Vec<u32> = sheet.lines.iter().map(|l| l.row).collect();
        answered(&table, &lines, &sheet.problems);
    }

    #[test]
    fn every_item_row_is_read_or_refused_with_a_reason(rows in prop::collection::vec(prop::collection::vec(cell(), 0..6), 0..10)) {
        let mut csv = String::from("物资编码,物资名称,单位,参考单价（元）,是否启用\n");
        for row in rows {
            csv.push_str(&row.iter().map(|c| format!("\"{}\"", c.replace('"', "\"\""))).collect::<Vec<_>>().join(","));
            csv.push('\n');
        }
        let Ok(table) = read_table(csv.as_bytes(), "x.csv", &items::COLUMNS) else {
            return Ok(());
        };
        let sheet = Sheet::read::<Items>(&table, &());
        let lines: Vec<u32> = sheet.lines.iter().map(|l| l.row).collect();
        answered(&table, &lines, &sheet.problems);
    }
}
