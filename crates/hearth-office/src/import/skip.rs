//! Rows under the header that are not data: a 合计/小计 line, the signature block (填表人：…
//! 审核人：…), notes, and the numbered empty rows of a template that was printed before it was
//! filled. Blank rows never reach here (the grid drops them).

use super::grid::SheetRow;
use super::header::Table;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Skip {
    /// 合计, 小计, 总计, 共计.
    Total,
    /// 填表人, 审核人, 负责人签字, 盖章, 填报日期 …
    Signature,
    /// 说明, 注, 备注 lines.
    Note,
    /// Only a running number (序号) or nothing in the columns that are imported.
    Empty,
}

const TOTALS: [&str; 4] = ["合计", "小计", "总计", "共计"];
const SIGNATURES: [&str; 14] = [
    "填表人",
    "制表人",
    "审核人",
    "负责人",
    "经办人",
    "联系人",
    "签字",
    "签名",
    "盖章",
    "填报单位",
    "填表单位",
    "填表日期",
    "填报日期",
    "单位负责人",
];
const NOTES: [&str; 4] = ["说明", "注", "备注", "填表说明"];

fn compact(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

/// `text` opens with a label from `labels` followed by a colon (or is exactly the label).
fn labelled(text: &str, labels: &[&str]) -> bool {
    labels.iter().any(|label| {
        text.strip_prefix(label).is_some_and(|rest| {
            rest.is_empty()
                || rest.starts_with(['：', ':', '（', '('])
                || (label.len() > 3 && !rest.starts_with(|c: char| c.is_alphanumeric()))
        })
    })
}

/// Why `row` is not data, or `None` when it is.
pub fn classify(row: &SheetRow, table: &Table) -> Option<Skip> {
    let filled: Vec<String> = row
        .cells
        .iter()
        .map(|c| compact(&c.text))
        .filter(|t| !t.is_empty())
        .collect();
    if filled
        .iter()
        .take(3)
        .any(|t| TOTALS.iter().any(|total| t.starts_with(total)))
    {
        return Some(Skip::Total);
    }
    // A household row fills every required column; a signature block never does.
    let incomplete = table
        .required_columns()
        .iter()
        .any(|&i| row.cell(i).is_none_or(|c| c.is_blank()));
    if incomplete {
        if filled.iter().any(|t| labelled(t, &SIGNATURES)) {
            return Some(Skip::Signature);
        }
        if filled.first().is_some_and(|t| labelled(t, &NOTES)) {
            return Some(Skip::Note);
        }
    }
    let data_blank = table
        .known_columns_except(&["index"])
        .iter()
        .all(|&i| row.cell(i).is_none_or(|c| c.is_blank()));
    data_blank.then_some(Skip::Empty)
}

#[cfg(test)]
mod tests {
    use super::super::grid::{Cell, Grid};
    use super::super::header::{ColumnSpec, Table};
    use super::*;

    const SPECS: [ColumnSpec; 3] = [
        ColumnSpec {
            key: "index",
            title: "序号",
            synonyms: &[],
            required: false,
        },
        ColumnSpec {
            key: "head",
            title: "户主姓名",
            synonyms: &[],
            required: true,
        },
        ColumnSpec {
            key: "id_number",
            title: "身份证号",
            synonyms: &[],
            required: true,
        },
    ];

    fn row(number: u32, cells: &[&str]) -> SheetRow {
        SheetRow {
            number,
            cells: cells.iter().map(|c| Cell::text(*c)).collect(),
        }
    }

    fn table(rows: Vec<SheetRow>) -> Table {
        let mut all = vec![row(1, &["序号", "户主姓名", "身份证号", "备注"])];
        all.extend(rows);
        Table::locate(
            vec![Grid {
                sheet: String::new(),
                rows: all,
            }],
            &SPECS,
        )
        .unwrap()
    }

    #[test]
    fn leaves_out_totals_signatures_notes_and_numbered_empty_rows() {
        let t = table(vec![
            row(2, &["1", "张三", "340123199003071234"]),
            row(3, &["2", "", "", ""]),
            row(4, &["合 计", "", "", "2户"]),
            row(5, &["小计：1户"]),
            row(6, &["填表人：王五", "", "", "审核人：赵六"]),
            row(7, &["", "负责人（签字）", "", ""]),
            row(8, &["说明：本表由村委会填报"]),
            row(9, &["3", "李四", ""]),
        ]);
        let kept: Vec<u32> = t.rows.iter().map(|r| r.number).collect();
        assert_eq!(
            kept,
            vec![2, 9],
            "a row missing its ID is data with an error"
        );
        let skipped: Vec<(u32, Skip)> = t.skipped.clone();
        assert_eq!(
            skipped,
            vec![
                (3, Skip::Empty),
                (4, Skip::Total),
                (5, Skip::Total),
                (6, Skip::Signature),
                (7, Skip::Signature),
                (8, Skip::Note),
            ]
        );
    }

    #[test]
    fn a_person_whose_name_starts_like_a_label_is_data() {
        let t = table(vec![row(2, &["1", "注明", "340123199003071234"])]);
        assert_eq!(t.rows.len(), 1);
    }
}
