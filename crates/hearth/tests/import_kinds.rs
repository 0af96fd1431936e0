//! `hearth import items|organizations …` and `hearth template <kind>`: the same JSON contract
//! as households, importing twice adds nothing, refused rows name row, column and reason.

use super::{demo_console, hearth, text};
use hearth_store::testing::each_backend;

#[tokio::test]
async fn items_import_once_and_organizations_are_checked_row_by_row() {
    each_backend(async |db| {
        let (dir, key, _, _) = demo_console(db).await;

        let items = dir.join("物资目录.csv");
        std::fs::write(
            &items,
            "物资目录\n编码,品名,单位,单价\nheater_test,电暖器,台,199\nblanket_test,毛毯,条,80\n",
        )
        .expect("write");
        let path = items.to_str().expect("path");
        let first = hearth(db, &key, &["import", "items", path, "--as", "county", "--json"], None);
        assert!(first.status.success(), "{}", text(&first));
        let report: serde_json::Value = serde_json::from_slice(&first.stdout).expect("JSON");
        assert_eq!(report["rows_read"], 2);
        assert_eq!(report["accepted"], 2);
        assert_eq!(report["accepted_rows"], serde_json::json!([3, 4]));
        let again = hearth(db, &key, &["import", "items", path, "--as", "county", "--json"], None);
        let report: serde_json::Value = serde_json::from_slice(&again.stdout).expect("JSON");
        assert_eq!(report["accepted"], 0, "importing again adds nothing: {report}");
        assert_eq!(report["duplicates"], 2);

        let orgs = dir.join("组织.csv");
        std::fs::write(
            &orgs,
            "单位名称,统一社会信用代码,组织类型,负责人\n某某协会,51340123MJ0000000X,社会团体,柏青山\n",
        )
        .expect("write");
        let checked = hearth(
            db,
            &key,
            &["import", "organizations", orgs.to_str().expect("path"), "--dry-run", "--json"],
            None,
        );
        assert!(!checked.status.success(), "a refused row fails the command");
        let report: serde_json::Value = serde_json::from_slice(&checked.stdout).expect("JSON");
        assert_eq!(report["rejected"], 1);
        assert_eq!(report["errors"][0]["row"], 2);
        assert_eq!(report["errors"][0]["column"], "统一社会信用代码");
        assert!(!report["errors"][0]["reason"].as_str().unwrap_or("").is_empty());

        let refused = hearth(db, &key, &["import", "items", path, "--as", "town"], None);
        assert!(!refused.status.success(), "a town officer keeps no catalogue");

        let template = dir.join("donations.xlsx");
        let wrote = hearth(
            db,
            &key,
            &["template", "donations", template.to_str().expect("path")],
            None,
        );
        assert!(wrote.status.success(), "{}", text(&wrote));
        assert!(std::fs::read(&template).expect("template").starts_with(b"PK"));
        let _ = std::fs::remove_dir_all(&dir);
    })
    .await;
}

/// A row can pass every check on the sheet and still be refused when written (here: an
/// organization member whose organization is not registered). All or nothing then keeps none
/// of the file, not the rows written before it; valid rows keeps the others.
#[tokio::test]
async fn a_row_refused_at_write_time_keeps_nothing_in_all_or_nothing() {
    each_backend(async |db| {
        let (dir, key, _, _) = demo_console(db).await;

        let sheet = dir.join("账号.csv");
        std::fs::write(
            &sheet,
            "用户名,姓名,角色,所属区域,所属组织信用代码,初始密码\n\
             clerk_test,测试文员（合成）,town_officer,上派镇,,Winter-Clerk-2026\n\
             volunteer_test,测试志愿者（合成）,org_member,,51340123MJ5555555X,Winter-Volunteer-2026\n",
        )
        .expect("write");
        let path = sheet.to_str().expect("path");
        let import = |mode: &'static str| {
            let args = ["import", "users", path, "--as", "sysadmin", "--mode", mode, "--json"];
            hearth(db, &key, &args, None)
        };

        let all = import("all-or-nothing");
        assert!(!all.status.success(), "a refused row fails the command");
        let report: serde_json::Value = serde_json::from_slice(&all.stdout).expect("JSON");
        assert_eq!(report["accepted"], 0, "{report}");
        assert_eq!(report["errors"][0]["row"], 3, "{report}");
        assert_eq!(report["errors"][0]["column"], "所属组织信用代码", "{report}");

        let valid = import("valid-rows");
        let report: serde_json::Value = serde_json::from_slice(&valid.stdout).expect("JSON");
        assert_eq!(
            report["accepted_rows"],
            serde_json::json!([2]),
            "the first row was not kept by the refused run, so it is new now: {report}"
        );
        assert_eq!(report["duplicates"], 0, "{report}");
        assert_eq!(report["errors"][0]["row"], 3, "{report}");

        let again = import("valid-rows");
        let report: serde_json::Value = serde_json::from_slice(&again.stdout).expect("JSON");
        assert_eq!(report["duplicates"], 1, "the kept row is not added twice: {report}");
        let _ = std::fs::remove_dir_all(&dir);
    })
    .await;
}
