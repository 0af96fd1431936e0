//! `hearth areas load FILE`, run as an operator would: the whole file or nothing, each wrong
//! row named with its line and reason; with `--as`, the account's rules (a county only inside
//! itself). The divisions are synthetic (示例, 虚构).

use super::{demo_console, hearth, text};
use hearth_core::area::AreaCode;
use hearth_store::testing::{TestDb, each_backend};

/// County B under 合肥市 with a town and a village, as a county's division file lists them.
const COUNTY_B: &str = "code,name,level,parent,note,example
340199000000,示例乙县（虚构）,county,340100000000,synthetic test county,1
340199100000,示例乙镇（虚构）,town,340199000000,synthetic test town,1
340199100001,示例乙村（虚构）,village,340199100000,synthetic test village,1
";

async fn stored(db: &TestDb, code: &str) -> bool {
    let mut tx = db.store.read().await.expect("read");
    hearth_store::areas::get(&mut tx, &AreaCode::parse(code).expect("a code"))
        .await
        .expect("area")
        .is_some()
}

fn file(dir: &std::path::Path, name: &str, content: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, content).expect("write the division file");
    path.to_string_lossy().into_owned()
}

#[tokio::test]
async fn areas_load_takes_the_whole_file_or_nothing() {
    each_backend(async |db| {
        let (dir, key, _, _) = demo_console(db).await;

        // Row 3 names a level its code does not have, row 4 a parent nobody registered:
        // each is named with its line, and the good row 2 is not written either.
        let wrong = file(
            &dir,
            "wrong.csv",
            "code,name,level,parent,note
340199000000,示例乙县（虚构）,county,340100000000,
340199100000,示例乙镇（虚构）,village,340199000000,
34019910000X,示例坏码（虚构）,village,340199100000,
",
        );
        let refused = hearth(db, &key, &["areas", "load", &wrong], None);
        assert!(!refused.status.success());
        let said = text(&refused);
        assert!(said.contains("row 3.level"), "{said}");
        assert!(said.contains("row 4.code"), "{said}");
        assert!(
            !stored(db, "340199000000").await,
            "nothing of the file is kept"
        );

        let orphan = file(
            &dir,
            "orphan.csv",
            "code,name,level,parent,note
340199000000,示例乙县（虚构）,county,340100000000,
340198100000,示例孤镇（虚构）,town,340198000000,
",
        );
        let refused = hearth(db, &key, &["areas", "load", &orphan], None);
        assert!(!refused.status.success());
        let said = text(&refused);
        assert!(said.contains("row 3.parent"), "{said}");
        assert!(
            said.contains("340198000000"),
            "names the missing parent: {said}"
        );
        assert!(
            !stored(db, "340199000000").await,
            "nothing of the file is kept"
        );

        // The county's own account may not add another county.
        let b = file(&dir, "county-b.csv", COUNTY_B);
        let as_county = hearth(db, &key, &["areas", "load", &b, "--as", "county"], None);
        assert!(!as_county.status.success());
        let said = text(&as_county);
        assert!(said.contains("row 2.code"), "{said}");
        assert!(said.contains("不在本县范围内"), "{said}");
        assert!(!stored(db, "340199000000").await);

        let loaded = hearth(db, &key, &["areas", "load", &b, "--json"], None);
        assert!(loaded.status.success(), "{}", text(&loaded));
        let report: serde_json::Value = serde_json::from_slice(&loaded.stdout).expect("JSON");
        assert_eq!(report["loaded"], 3);
        for code in ["340199000000", "340199100000", "340199100001"] {
            assert!(stored(db, code).await, "{code}");
        }

        // GBK, as Excel saves CSV on Chinese Windows, inside the county's own area.
        let own =
            "code,name,level,parent,note\n340123100902,示例新村（虚构）,village,340123100000,\n";
        let gbk = encoding_rs::GBK.encode(own).0;
        let path = dir.join("own.csv");
        std::fs::write(&path, &gbk).expect("write");
        let path = path.to_string_lossy().into_owned();
        let mine = hearth(db, &key, &["areas", "load", &path, "--as", "county"], None);
        assert!(mine.status.success(), "{}", text(&mine));
        assert!(
            text(&mine).contains("loaded 1 divisions"),
            "{}",
            text(&mine)
        );
        let mut tx = db.store.read().await.expect("read");
        let village = hearth_store::areas::get(&mut tx, &AreaCode::parse("340123100902").unwrap())
            .await
            .unwrap()
            .expect("the new village");
        assert_eq!(village.name, "示例新村（虚构）");
        drop(tx);

        let verify = hearth(db, &key, &["audit", "verify"], None);
        assert!(verify.status.success(), "{}", text(&verify));
        let _ = std::fs::remove_dir_all(&dir);
    })
    .await;
}
