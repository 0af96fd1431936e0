//! Property tests of the sheet readers: no input panics, and every data row either becomes a
//! record or is refused with a reason naming its column as the file (or, for a column the file
//! lacks, the template) names it — the promise the error file rests on.

use chrono::NaiveDate;
use hearth_core::Lang;
use hearth_core::area::{AreaCode, AreaLevel};
use hearth_office::import::header::ColumnSpec;
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

/// Reads a household table as an import would and checks that every row is answered.
fn household_rows_answered(table: &Table, areas: &[Area]) {
    let ctx = HouseholdContext {
        places: Places::new(areas),
        scope: None,
        items: &[],
        campaign: false,
        today: NaiveDate::from_ymd_opt(2026, 11, 30).unwrap(),
        verified_by: "test".into(),
        source: "test".into(),
    };
    let sheet = HouseholdSheet::read(table, &ctx);
    let lines: Vec<u32> = sheet.lines.iter().map(|l| l.row).collect();
    answered(table, &households::COLUMNS, &lines, &sheet.problems);
}

fn answered(table: &Table, specs: &[ColumnSpec], lines: &[u32], problems: &[RowProblem]) {
    for p in problems {
        assert!(
            !p.column.trim().is_empty()
                && (table.headers.contains(&p.column) || specs.iter().any(|s| s.title == p.column)),
            "row {} refused under {:?}, not a column of the sheet or the template: {}",
            p.row,
            p.column,
            p.reason(Lang::ZhCn)
        );
    }
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
        household_rows_answered(&table, &areas);
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
        answered(&table, &items::COLUMNS, &lines, &sheet.problems);
    }
}

/// A valid ID number, or one with a digit changed (the check then fails), or cut short.
fn id_cell() -> impl Strategy<Value = String> {
    (1930u32..2020, 1u32..13, 1u32..29, 0u32..1000, 0u8..3).prop_map(|(y, m, d, seq, how)| {
        let first17 = format!("340123{y:04}{m:02}{d:02}{seq:03}");
        let check = hearth_core::id_number::id_check_char(&first17).unwrap_or('0');
        let id = format!("{first17}{check}");
        match how {
            0 => id,
            1 => format!("{}{}", &id[..17], if check == '1' { '2' } else { '1' }),
            _ => id[..16].to_owned(),
        }
    })
}

/// Cells a household row's column holds, by column key: mostly plausible, sometimes not.
fn cell_for(key: &'static str) -> BoxedStrategy<String> {
    match key {
        "id_number" => prop_oneof![id_cell(), cell()].boxed(),
        "phone" => prop_oneof!["1[3-9][0-9]{9}", "0551-[1-9][0-9]{6}", cell()].boxed(),
        "town" => prop_oneof![Just("上派镇".to_owned()), cell()].boxed(),
        "village" => prop_oneof![Just("三岗村".to_owned()), cell()].boxed(),
        "categories" => prop_oneof![
            Just("低保".to_owned()),
            Just("特困、残疾".to_owned()),
            cell()
        ]
        .boxed(),
        "size" => prop_oneof!["[0-9]{1,2}", cell()].boxed(),
        _ => cell().boxed(),
    }
}

/// A household sheet as offices lay it out: the columns in any order, each under its template
/// title or a synonym, optional columns left out, then rows of cells fitting each column.
fn laid_out_sheet() -> impl Strategy<Value = String> {
    let columns: Vec<BoxedStrategy<Option<(&'static str, String)>>> = households::COLUMNS
        .iter()
        .map(|spec| {
            let mut names = vec![spec.title];
            names.extend_from_slice(spec.synonyms);
            let named =
                prop::sample::select(names).prop_map(move |n| Some((spec.key, n.to_owned())));
            if spec.required {
                named.boxed()
            } else {
                prop_oneof![Just(None), named].boxed()
            }
        })
        .collect();
    columns
        .prop_map(|cols| cols.into_iter().flatten().collect::<Vec<_>>())
        .prop_shuffle()
        .prop_flat_map(|cols| {
            let row = cols
                .iter()
                .map(|(key, _)| cell_for(key))
                .collect::<Vec<_>>();
            let header = cols
                .iter()
                .map(|(_, name)| name.clone())
                .collect::<Vec<_>>();
            (Just(header), prop::collection::vec(row, 0..8))
        })
        .prop_map(|(header, rows)| {
            let quote = |c: &String| format!("\"{}\"", c.replace('"', "\"\""));
            let mut text = header.iter().map(quote).collect::<Vec<_>>().join(",");
            for row in rows {
                text.push('\n');
                text.push_str(&row.iter().map(quote).collect::<Vec<_>>().join(","));
            }
            text
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn laid_out_household_sheets_refuse_rows_naming_the_column(csv in laid_out_sheet()) {
        let areas = places();
        // A data row of header-like words can outrank the header; such a sheet is another test's.
        let table = read_table(csv.as_bytes(), "x.csv", &households::COLUMNS);
        prop_assume!(table.is_ok());
        let table = table.unwrap();
        household_rows_answered(&table, &areas);
    }
}
