//! Household sheets as town clerks send them, synthesised here (no binary fixtures): a merged
//! title, an instruction row, an ID number Excel turned into a number, a 合计 row, a signature
//! line; the same sheet as a GBK CSV; and the template read back.

use chrono::NaiveDate;
use hearth_core::area::{AreaCode, AreaLevel};
use hearth_core::id_number::id_check_char;
use hearth_core::need::Item;
use hearth_core::{Fen, Lang};
use hearth_office::import::households::{COLUMNS, HouseholdContext, HouseholdSheet};
use hearth_office::import::{ErrorRows, Places, RowProblem, read_table};
use hearth_store::areas::Area;
use rust_xlsxwriter::{Format, Workbook};

/// A valid ID number born on `birth` (YYYYMMDD) with sequence `seq`.
fn id(birth: &str, seq: u32) -> String {
    let first17 = format!("340123{birth}{seq:03}");
    format!("{first17}{}", id_check_char(&first17).unwrap())
}

/// The same number with a wrong check character.
fn wrong_check(valid: &str) -> String {
    let last = valid.chars().last().unwrap();
    let other = if last == '1' { '2' } else { '1' };
    format!("{}{other}", &valid[..17])
}

fn area(code: &str, name: &str, level: AreaLevel, short: &str) -> Area {
    let code = AreaCode::parse(code).unwrap();
    Area {
        parent: code.parent(),
        code,
        name: name.into(),
        level,
        short_name: short.into(),
        is_example: true,
        note: String::new(),
    }
}

/// Two towns of Feixi with invented villages (示例).
fn areas() -> Vec<Area> {
    vec![
        area("340123100000", "上派镇", AreaLevel::Town, ""),
        area(
            "340123400000",
            "安徽肥西经济开发区",
            AreaLevel::Town,
            "经开区",
        ),
        area("340123100201", "三岗村", AreaLevel::Village, ""),
        area("340123100202", "双河村", AreaLevel::Village, ""),
        area("340123400201", "莲花社区", AreaLevel::Village, ""),
    ]
}

fn items() -> Vec<Item> {
    vec![Item {
        code: "quilt".into(),
        name: "棉被".into(),
        name_en: "Quilt".into(),
        unit: "床".into(),
        spec: String::new(),
        reference_value: Fen::new(15_000),
        active: true,
    }]
}

const HEADER: [&str; 11] = [
    "序号",
    "户主姓名*",
    "公民身份号码",
    "手机号",
    "所属乡镇（园区）",
    "村（社区）",
    "家庭住址",
    "救助类别",
    "家庭人口",
    "需求物资",
    "数量",
];

enum Value {
    Text(String),
    Number(f64),
}

fn t(s: &str) -> Value {
    Value::Text(s.into())
}

/// The data rows (sheet rows 4 on) of the clerk's sheet.
fn rows() -> Vec<Vec<Value>> {
    let good = id("19500101", 13);
    vec![
        // 4: good, with a phone typed with dashes and 3人
        vec![
            t("1"),
            t("柏青山"),
            t(&format!("'{good}")),
            t("139-1234-5678"),
            t("上派"),
            t("三岗村委会"),
            t("三岗村一组"),
            t("低保、残疾"),
            t("3人"),
            t("棉被"),
            t("2床"),
        ],
        // 5: the ID as a number (Excel already dropped the last digits)
        vec![
            t("2"),
            t("竹林生"),
            Value::Number(340123195001011232.0),
            t(""),
            t("上派镇"),
            t("双河村"),
            t("双河村二组"),
            t("特困"),
            t(""),
            t(""),
            t(""),
        ],
        // 6: wrong check digit
        vec![
            t("3"),
            t("梅花开"),
            t(&wrong_check(&id("19600202", 24))),
            t(""),
            t("上派镇"),
            t("双河村"),
            t("双河村三组"),
            t("低保"),
            t(""),
            t(""),
            t(""),
        ],
        // 7: impossible birth date
        vec![
            t("4"),
            t("松柏"),
            t("340123195002301234"),
            t(""),
            t("上派镇"),
            t("双河村"),
            t("双河村四组"),
            t("低保"),
            t(""),
            t(""),
            t(""),
        ],
        // 8: wrong length
        vec![
            t("5"),
            t("石磊"),
            t("34012319500101123"),
            t(""),
            t("上派镇"),
            t("双河村"),
            t("双河村五组"),
            t("低保"),
            t(""),
            t(""),
            t(""),
        ],
        // 9: missing name
        vec![
            t("6"),
            t(""),
            t(&id("19700303", 35)),
            t(""),
            t("上派镇"),
            t("双河村"),
            t("双河村六组"),
            t("低保"),
            t(""),
            t(""),
            t(""),
        ],
        // 10: town outside the county
        vec![
            t("7"),
            t("林木"),
            t(&id("19800404", 46)),
            t(""),
            t("上拍镇"),
            t("双河村"),
            t("双河村七组"),
            t("低保"),
            t(""),
            t(""),
            t(""),
        ],
        // 11: the same head as row 4, full-width digits and lower-case x do not hide it
        vec![
            t("8"),
            t("柏青山"),
            t(&good.replace('0', "０")),
            t(""),
            t("上派镇"),
            t("三岗村"),
            t("三岗村一组"),
            t("低保"),
            t(""),
            t(""),
            t(""),
        ],
        // 12: short town name 经开区, a community, several categories with ，
        vec![
            t("9"),
            t("荷叶"),
            t(&id("19400505", 52)),
            t("0551-6123-4567"),
            t("经开区"),
            t("莲花社区"),
            t("莲花社区八栋"),
            t("特困人员，高龄老人"),
            Value::Number(1.0),
            t(""),
            t(""),
        ],
    ]
}

/// The sheet as a town clerk's Excel file: merged title, instructions, header on row 3, data,
/// a 合计 row and the signature line.
fn clerk_xlsx() -> Vec<u8> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let bold = Format::new().set_bold();
    sheet
        .merge_range(0, 0, 0, 10, "上派镇2024年暖冬行动困难家庭名单", &bold)
        .unwrap();
    sheet
        .merge_range(
            1,
            0,
            1,
            10,
            "填表说明：身份证号请按文本填写",
            &Format::new(),
        )
        .unwrap();
    for (c, h) in HEADER.iter().enumerate() {
        sheet.write_string(2, c as u16, *h).unwrap();
    }
    let data = rows();
    for (r, row) in data.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            let (r, c) = (3 + r as u32, c as u16);
            match v {
                Value::Text(s) if !s.is_empty() => {
                    sheet.write_string(r, c, s).unwrap();
                }
                Value::Number(n) => {
                    sheet.write_number(r, c, *n).unwrap();
                }
                Value::Text(_) => {}
            }
        }
    }
    let after = 3 + data.len() as u32;
    sheet.write_string(after, 0, "合计").unwrap();
    sheet.write_string(after, 8, "4人").unwrap();
    sheet
        .write_string(after + 2, 0, "填表人：王五        审核人：赵六")
        .unwrap();
    book.save_to_buffer().unwrap()
}

fn context<'a>(areas: &'a [Area], items: &'a [Item]) -> HouseholdContext<'a> {
    HouseholdContext {
        places: Places::new(areas),
        scope: Some(AreaCode::parse("340123000000").unwrap()),
        items,
        campaign: true,
        today: NaiveDate::from_ymd_opt(2024, 12, 1).unwrap(),
        verified_by: "李经办".into(),
        source: "导入：名单.xlsx".into(),
    }
}

fn problem(problems: &[RowProblem], row: u32) -> &RowProblem {
    problems
        .iter()
        .find(|p| p.row == row)
        .unwrap_or_else(|| panic!("no problem on row {row}: {problems:#?}"))
}

fn check_clerk_sheet(bytes: &[u8], file_name: &str) {
    let (areas, items) = (areas(), items());
    let table = read_table(bytes, file_name, &COLUMNS).expect("a table");
    assert_eq!(table.header_row, 3);
    let sheet = HouseholdSheet::read(&table, &context(&areas, &items));
    let accepted: Vec<u32> = sheet.lines.iter().map(|l| l.row).collect();
    assert_eq!(accepted, vec![4, 12], "{:#?}", sheet.problems);
    let first = &sheet.lines[0];
    assert_eq!(first.profile.phone().unwrap().as_str(), "13912345678");
    assert_eq!(first.profile.village().as_str(), "340123100201");
    assert_eq!(first.profile.categories().len(), 2);
    assert_eq!(first.needs, vec![("quilt".to_owned(), 2)]);
    assert!(first.profile.note().contains("家庭人口3人"));
    assert_eq!(sheet.lines[1].profile.village().as_str(), "340123400201");

    let p = &sheet.problems;
    let at = |row| problem(p, row);
    if file_name.ends_with(".xlsx") {
        assert_eq!(
            (at(5).column.as_str(), at(5).problem.code()),
            ("公民身份号码", "id.numeric")
        );
    } else {
        // In CSV the number arrives as Excel wrote it, in scientific notation.
        assert_eq!(at(5).problem.code(), "id.numeric");
    }
    assert_eq!(at(6).problem.code(), "id.check");
    assert_eq!(at(7).problem.code(), "id.birth_date");
    assert_eq!(at(8).problem.code(), "id.length");
    assert_eq!(
        (at(9).column.as_str(), at(9).problem.code()),
        ("户主姓名*", "field.required")
    );
    assert_eq!(
        (at(10).column.as_str(), at(10).problem.code()),
        ("所属乡镇（园区）", "import.town_unknown")
    );
    assert!(
        at(10).reason(Lang::ZhCn).contains("上派镇"),
        "suggests the closest name"
    );
    assert!(at(11).duplicate);
    assert!(at(11).reason(Lang::ZhCn).contains("第4行"));
    assert!(
        p.iter().all(|p| p.row <= 12),
        "合计 and signature rows are not data: {p:#?}"
    );

    let errors = ErrorRows::collect(&table, &sheet.problems);
    assert_eq!(errors.rows.len(), 7);
    assert!(
        errors
            .rows
            .iter()
            .all(|r| !r.reason_zh.is_empty() && !r.reason_en.is_empty())
    );
}

#[test]
fn a_clerks_xlsx_is_read_row_by_row_with_reasons() {
    check_clerk_sheet(&clerk_xlsx(), "上派镇名单.xlsx");
}

/// The same sheet saved as CSV by Excel on a Chinese Windows: GBK, the number in E+ notation.
fn clerk_csv() -> String {
    let mut out =
        String::from("上派镇2024年暖冬行动困难家庭名单,,,\n填表说明：身份证号请按文本填写\n");
    out.push_str(&HEADER.join(","));
    out.push('\n');
    for row in rows() {
        let cells: Vec<String> = row
            .iter()
            .map(|v| match v {
                Value::Text(s) => s.clone(),
                Value::Number(n) if *n > 1e15 => "3.40123E+17".to_owned(),
                Value::Number(n) => n.to_string(),
            })
            .collect();
        out.push_str(&cells.join(","));
        out.push('\n');
    }
    out.push_str("合计,,,,,,,,4人,,\n\n填表人：王五,,审核人：赵六\n");
    out
}

#[test]
fn a_gbk_csv_reads_like_the_workbook() {
    let text = clerk_csv();
    let (gbk, _, unmappable) = encoding_rs::GBK.encode(&text);
    assert!(!unmappable);
    check_clerk_sheet(&gbk, "名单.csv");
    let with_bom = [b"\xEF\xBB\xBF".as_slice(), clerk_csv().as_bytes()].concat();
    check_clerk_sheet(&with_bom, "名单.csv");
}

#[test]
fn the_error_file_keeps_the_rows_as_sent_plus_the_reason() {
    use calamine::{Reader, Xlsx};
    let (areas, items) = (areas(), items());
    let table = read_table(&clerk_xlsx(), "x.xlsx", &COLUMNS).unwrap();
    let sheet = HouseholdSheet::read(&table, &context(&areas, &items));
    let bytes = ErrorRows::collect(&table, &sheet.problems)
        .to_xlsx(Lang::ZhCn)
        .unwrap();
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
    let range = book.worksheet_range_at(0).unwrap().unwrap();
    let rows: Vec<Vec<String>> = range
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    assert_eq!(rows[0].last().unwrap(), "错误原因");
    assert_eq!(&rows[0][..3], &["序号", "户主姓名*", "公民身份号码"]);
    let wrong = rows.iter().find(|r| r[0] == "3").unwrap();
    assert_eq!(
        wrong[2],
        wrong_check(&id("19600202", 24)),
        "the ID stays whole, as text"
    );
    assert!(wrong.last().unwrap().starts_with("第6行【公民身份号码】"));
    // Fixing the rows in the error file and importing it again works: the reason column is
    // not a known header.
    let again = read_table(
        &ErrorRows::collect(&table, &sheet.problems)
            .to_xlsx(Lang::ZhCn)
            .unwrap(),
        "e.xlsx",
        &COLUMNS,
    )
    .unwrap();
    assert_eq!(again.rows.len(), 7);
}

#[test]
fn the_template_reads_back_with_its_header_dropdowns_and_version() {
    use calamine::{Reader, Xlsx};
    let (areas, items) = (areas(), items());
    let bytes = hearth_office::template::households(Lang::ZhCn, &areas, &items).unwrap();
    let table = read_table(&bytes, "模板.xlsx", &COLUMNS).unwrap();
    assert_eq!(
        table.header_row, 3,
        "title and red instructions above the header"
    );
    assert!(table.rows.is_empty());
    assert_eq!(table.headers[1], "*户主姓名");
    assert_eq!(table.headers[2], "*身份证号");
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes.clone())).unwrap();
    let hidden = book
        .sheets_metadata()
        .iter()
        .find(|s| s.name == "字典")
        .expect("the lists sheet");
    assert_ne!(hidden.visible, calamine::SheetVisible::Visible);
    let lists = book.worksheet_range("字典").unwrap();
    let all: Vec<String> = lists.cells().map(|(_, _, c)| c.to_string()).collect();
    assert!(all.contains(&hearth_office::template::HOUSEHOLDS_VERSION.to_owned()));
    assert!(all.contains(&"莲花社区".to_owned()) && all.contains(&"棉被".to_owned()));
    // Dropdowns and text-formatted ID and phone columns, as the sheet's XML says.
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut xml = String::new();
    std::io::Read::read_to_string(
        &mut zip.by_name("xl/worksheets/sheet1.xml").unwrap(),
        &mut xml,
    )
    .unwrap();
    assert_eq!(
        xml.matches("<dataValidation ").count(),
        4,
        "town, village, category, item"
    );
    assert!(xml.contains("字典"));
    let mut styles = String::new();
    std::io::Read::read_to_string(&mut zip.by_name("xl/styles.xml").unwrap(), &mut styles).unwrap();
    assert!(styles.contains("formatCode=\"@\""), "the text format @");
    for column in ["<col min=\"3\" max=\"3\"", "<col min=\"4\" max=\"4\""] {
        let at = xml.find(column).expect("ID and phone columns");
        let tag = &xml[at..at + xml[at..].find('>').unwrap()];
        assert!(tag.contains("style="), "formatted as text: {tag}");
    }
}
