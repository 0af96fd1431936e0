//! An exported list opens cleanly in LibreOffice: LibreOffice converts our .xlsx to CSV and
//! the rows it reads are our own CSV export's rows, cell for cell.
//!
//! Needs `soffice` (Debian: `libreoffice-calc-nogui`). Without it the test says loudly that it
//! skipped, unless `HEARTH_REQUIRE_LIBREOFFICE=1`, where a missing LibreOffice fails it.

use hearth_office::table::{self, BOM, Cell};
use std::path::{Path, PathBuf};
use std::process::Command;

fn libreoffice() -> Option<PathBuf> {
    let required = std::env::var("HEARTH_REQUIRE_LIBREOFFICE").is_ok_and(|v| v == "1");
    for name in ["soffice", "libreoffice"] {
        let found = Command::new(name).arg("--version").output();
        if found.is_ok_and(|o| o.status.success()) {
            return Some(PathBuf::from(name));
        }
    }
    assert!(
        !required,
        "HEARTH_REQUIRE_LIBREOFFICE=1 but neither soffice nor libreoffice runs \
         (apt-get install --no-install-recommends libreoffice-calc-nogui)"
    );
    eprintln!(
        "SKIPPED: LibreOffice is not installed; the export was NOT checked against it \
         (set HEARTH_REQUIRE_LIBREOFFICE=1 to make this a failure)"
    );
    None
}

fn text(s: &str) -> Cell {
    Cell::Text(s.to_owned())
}

/// A list as the pages export it: Chinese text, masked names and ID numbers, codes with
/// leading zeros, counts, money, an empty cell, a comma and a quote.
fn sample() -> (Vec<String>, Vec<Vec<Cell>>) {
    let headers = [
        "户主",
        "身份证号",
        "村（社区）",
        "人口",
        "金额（元）",
        "备注",
    ]
    .map(str::to_owned)
    .to_vec();
    let money = |value| Cell::Number {
        value,
        decimals: true,
    };
    let whole = |value| Cell::Number {
        value,
        decimals: false,
    };
    let rows = vec![
        vec![
            text("张*"),
            text("340123********1234"),
            text("示例村"),
            whole(3.0),
            money(1234.5),
            text("棉被2床，大米\"50\"斤"),
        ],
        vec![
            text("李*"),
            text("11010519491231002X"),
            text("0012组"),
            whole(1.0),
            money(0.0),
            text(""),
        ],
    ];
    (headers, rows)
}

/// LibreOffice's CSV of `xlsx`, raw values (not as formatted), UTF-8, comma, double quote.
fn convert(soffice: &Path, xlsx: &Path, out: &Path) -> Vec<u8> {
    // Its own profile directory, so a test never touches (or waits on) a user's LibreOffice.
    let profile = format!(
        "-env:UserInstallation=file://{}",
        out.join("profile").display()
    );
    let status = Command::new(soffice)
        .args([
            &profile,
            "--headless",
            "--convert-to",
            "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false",
            "--outdir",
        ])
        .arg(out)
        .arg(xlsx)
        .output()
        .expect("LibreOffice runs");
    assert!(status.status.success(), "{status:?}");
    std::fs::read(out.join("list.csv")).expect("LibreOffice wrote the CSV")
}

fn records(bytes: &[u8]) -> Vec<Vec<String>> {
    let bytes = bytes.strip_prefix(BOM).unwrap_or(bytes);
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes)
        .records()
        .map(|r| r.expect("a CSV record").iter().map(str::to_owned).collect())
        .collect()
}

#[test]
fn libreoffice_reads_our_xlsx_as_our_csv() {
    let Some(soffice) = libreoffice() else {
        return;
    };
    let (headers, rows) = sample();
    let dir = std::env::temp_dir().join(format!("hearth-lo-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a scratch directory");
    let xlsx = dir.join("list.xlsx");
    let bytes = table::export("困难家庭名单", &headers, &rows, "导出人：测试").expect("xlsx");
    std::fs::write(&xlsx, bytes).expect("written");
    let theirs = records(&convert(&soffice, &xlsx, &dir));
    let ours = records(&table::csv(&headers, &rows).expect("csv"));
    std::fs::remove_dir_all(&dir).ok();
    // Row 0 of the sheet is the title; the header and the rows follow, then the footer.
    assert_eq!(theirs[0][0], "困难家庭名单", "{theirs:?}");
    for (i, row) in ours.iter().enumerate() {
        let read = &theirs[i + 1];
        let read: Vec<&str> = read.iter().map(String::as_str).take(row.len()).collect();
        let written: Vec<&str> = row.iter().map(String::as_str).collect();
        let same = written.iter().zip(&read).all(|(a, b)| {
            a == b || matches!((a.parse::<f64>(), b.parse::<f64>()), (Ok(x), Ok(y)) if x == y)
        });
        assert!(
            same && read.len() == written.len(),
            "row {i}: ours {written:?}, LibreOffice {read:?}"
        );
    }
}
