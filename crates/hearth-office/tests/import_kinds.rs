//! The organization, item, account and donation sheets, synthesised as CSV text the way an
//! office saves them (a title row above the header, columns under their usual other names):
//! each good row reads as its form would, and each bad one is refused naming row, column and
//! reason.

use chrono::NaiveDate;
use hearth_core::area::{AreaCode, AreaLevel};
use hearth_core::donation::{Donor, Gift};
use hearth_core::need::Item;
use hearth_core::role::Role;
use hearth_core::uscc::complete_uscc;
use hearth_core::{Fen, Lang};
use hearth_office::import::donations::{self, DonationContext, Donations, KnownOrg};
use hearth_office::import::items::{self, Items};
use hearth_office::import::organizations::{self, OrgContext, Organizations};
use hearth_office::import::records::Sheet;
use hearth_office::import::users::{self, UserContext, Users};
use hearth_office::import::{Places, RowProblem, read_table};
use hearth_store::areas::Area;
use uuid::Uuid;

fn area(code: &str, name: &str, level: AreaLevel) -> Area {
    let code = AreaCode::parse(code).unwrap();
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

fn areas() -> Vec<Area> {
    vec![
        area("340123000000", "肥西县", AreaLevel::County),
        area("340123100000", "上派镇", AreaLevel::Town),
        area("340123100201", "三岗村", AreaLevel::Village),
    ]
}

fn uscc(seq: u32) -> String {
    complete_uscc(&format!("5134012300000{seq:04}"))
        .unwrap()
        .as_str()
        .to_owned()
}

fn problem(problems: &[RowProblem], row: u32) -> &RowProblem {
    problems
        .iter()
        .find(|p| p.row == row)
        .unwrap_or_else(|| panic!("no problem on row {row}: {problems:?}"))
}

#[test]
fn organizations_check_the_credit_code_and_read_areas_by_name() {
    let good = uscc(1);
    let mut bad = uscc(2);
    bad.replace_range(17.., if bad.ends_with('1') { "2" } else { "1" });
    let csv = format!(
        "社会组织名录\n\
         名称,信用代码,类型,服务范围,法定代表人,电话\n\
         肥西县暖心志愿者协会,{good},社会团体,上派镇、三岗村,柏青山,139-1234-5678\n\
         肥西县助学会,{bad},社会团体,全县,竹林生,\n\
         肥西县暖心志愿者协会分会,{good},社会团体,,柏青山,\n\
         肥西县爱心社,{},基金会,上拍镇,,\n",
        uscc(3)
    );
    let table = read_table(csv.as_bytes(), "orgs.csv", &organizations::COLUMNS).unwrap();
    let all = areas();
    let ctx = OrgContext {
        places: Places::new(&all),
    };
    let sheet = Sheet::read::<Organizations>(&table, &ctx);
    assert_eq!(sheet.lines.len(), 1, "{:?}", sheet.problems);
    let first = &sheet.lines[0];
    assert_eq!(first.row, 3);
    assert_eq!(first.value.profile.service_areas.len(), 2);
    assert_eq!(first.value.profile.contact_phone, "13912345678");
    assert_eq!(problem(&sheet.problems, 4).column, "信用代码");
    let repeat = problem(&sheet.problems, 5);
    assert!(repeat.duplicate);
    assert!(
        repeat.reason(Lang::ZhCn).contains("第3行"),
        "{}",
        repeat.reason(Lang::ZhCn)
    );
    let row6: Vec<&str> = sheet
        .problems
        .iter()
        .filter(|p| p.row == 6)
        .map(|p| p.column.as_str())
        .collect();
    assert!(
        row6.contains(&"服务范围") && row6.contains(&"法定代表人"),
        "{row6:?}"
    );
    assert!(
        problem(&sheet.problems, 6)
            .reason(Lang::ZhCn)
            .contains("上派镇")
    );
}

#[test]
fn items_read_with_yuan_and_refuse_bad_codes() {
    let csv = "编码,品名,单位,单价,启用\n\
               quilt,棉被,床,150,是\n\
               Rice Bag,大米,袋,35.5,\n\
               oil,食用油,桶,-3,否\n\
               quilt,棉被（冬）,床,160,\n";
    let table = read_table(csv.as_bytes(), "items.csv", &items::COLUMNS).unwrap();
    let sheet = Sheet::read::<Items>(&table, &());
    assert_eq!(sheet.lines.len(), 1);
    assert_eq!(sheet.lines[0].value.reference_value, Fen::new(15_000));
    assert_eq!(problem(&sheet.problems, 3).column, "编码");
    assert_eq!(problem(&sheet.problems, 4).column, "单价");
    assert!(problem(&sheet.problems, 5).duplicate);
}

#[test]
fn accounts_need_the_area_their_role_acts_in_and_a_strong_password() {
    let csv = "用户名,姓名,角色,所属区域,所属组织,初始密码\n\
               shangpai,柏青山,乡镇（园区）工作人员,上派镇,,Winter-2026-ok\n\
               sangang,竹林生,village_officer,上派镇,,Winter-2026-ok\n\
               helper,松柏,社会组织成员,,,Winter-2026-ok\n\
               weak,梅,县民政局管理员,肥西县,,short\n";
    let table = read_table(csv.as_bytes(), "users.csv", &users::COLUMNS).unwrap();
    let all = areas();
    let ctx = UserContext {
        places: Places::new(&all),
    };
    let sheet = Sheet::read::<Users>(&table, &ctx);
    assert_eq!(sheet.lines.len(), 1, "{:?}", sheet.problems);
    assert_eq!(sheet.lines[0].value.role, Role::TownOfficer);
    assert_eq!(problem(&sheet.problems, 3).column, "所属区域");
    assert_eq!(problem(&sheet.problems, 4).column, "所属组织");
    assert_eq!(problem(&sheet.problems, 5).column, "初始密码");
}

#[test]
fn donations_name_registered_donors_by_credit_code_and_items_by_name() {
    let registered = uscc(7);
    let org = Uuid::from_u128(7);
    let csv = format!(
        "捐赠登记表\n\
         捐赠类型,捐赠方类型,捐赠人,信用代码,金额,渠道,日期,物资,数量\n\
         现金,单位,,{registered},5000,银行转账,2026-11-20,,\n\
         物资,个人,柏青山,,,,2026/11/21,棉被,3\n\
         现金,个人,竹林生,,100,微信,2026-12-31,,\n\
         物资,个人,松柏,,,,2026-11-21,电视机,1\n\
         物资,个人,柏青山,,,,2026/11/21,棉被,3\n"
    );
    let table = read_table(csv.as_bytes(), "gifts.csv", &donations::COLUMNS).unwrap();
    let catalogue = vec![Item {
        code: "quilt".into(),
        name: "棉被".into(),
        name_en: "Quilt".into(),
        unit: "床".into(),
        spec: String::new(),
        reference_value: Fen::new(15_000),
        active: true,
    }];
    let known = vec![KnownOrg {
        uscc: registered.clone(),
        id: org,
    }];
    let ctx = DonationContext {
        campaign: "NDXD-2026".into(),
        organizations: &known,
        items: &catalogue,
        today: NaiveDate::from_ymd_opt(2026, 11, 30).unwrap(),
    };
    let sheet = Sheet::read::<Donations>(&table, &ctx);
    assert_eq!(sheet.lines.len(), 2, "{:?}", sheet.problems);
    assert_eq!(sheet.lines[0].value.profile.donor, Donor::Registered(org));
    assert!(matches!(
        &sheet.lines[1].value.profile.gift,
        Gift::InKind { lines, .. } if lines[0].item == "quilt" && lines[0].quantity == 3
    ));
    assert_eq!(problem(&sheet.problems, 5).column, "日期");
    assert_eq!(problem(&sheet.problems, 6).column, "物资");
    assert!(problem(&sheet.problems, 7).duplicate);
}
