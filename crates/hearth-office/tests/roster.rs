//! The distribution roster as the town prints it from WPS or Excel: read back from the bytes.

use calamine::{Reader, Xlsx};
use hearth_core::Lang;
use hearth_office::roster::{RosterRow, RosterSheet, export};

fn cells(bytes: Vec<u8>) -> Vec<Vec<String>> {
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).expect("an xlsx file");
    let range = book
        .worksheet_range_at(0)
        .expect("a sheet")
        .expect("readable");
    range
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect()
}

#[test]
fn the_roster_has_a_blank_signing_cell_per_household_cash_aid_and_the_stamp_block() {
    let row = RosterRow {
        village: "示例村".into(),
        head: "柏青山".into(),
        address: "示例村三组十二号".into(),
        id_number: "340123********1234".into(),
        phone: "*******6001".into(),
        items: "棉被 2床".into(),
        amount: "300.00".into(),
        cash: String::new(),
        proxy: "柏小山（子女）".into(),
        date: "2024年12月20日".into(),
        handler: "李经办".into(),
    };
    let cash = RosterRow {
        items: String::new(),
        amount: String::new(),
        cash: "500.00".into(),
        ..row.clone()
    };
    let roster = RosterSheet {
        title: "上派镇 2024年暖冬行动 发放签收表".into(),
        rows: vec![row.clone(), cash],
        households: 1,
        items: "棉被 2床".into(),
        amount: "300.00".into(),
        cash: "500.00".into(),
    };
    let cells = cells(export(Lang::ZhCn, &roster).expect("write"));
    assert_eq!(cells[0][0], "上派镇 2024年暖冬行动 发放签收表");
    assert_eq!(cells[1][8], "现金（元）");
    assert_eq!(cells[1][9], "领取人签字（按手印）");
    assert_eq!(cells[2][0], "1");
    assert_eq!(cells[2][4], "340123********1234", "kept as text, masked");
    assert_eq!(cells[2][9], "", "left blank for the thumbprint");
    assert_eq!(
        (cells[3][7].as_str(), cells[3][8].as_str()),
        ("", "500.00"),
        "cash aid is signed for on the same roster"
    );
    assert_eq!(cells[4][1], "合计");
    assert_eq!(
        (
            cells[4][2].as_str(),
            cells[4][7].as_str(),
            cells[4][8].as_str()
        ),
        ("共 1 户", "300.00", "500.00")
    );
    let stamp = cells
        .iter()
        .flatten()
        .any(|c| c.starts_with("乡镇（园区）（盖章）"));
    assert!(stamp, "the town stamps the summary");
}
