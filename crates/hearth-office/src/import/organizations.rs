//! The organization sheet the bureau keeps (社会组织名录): one organization a row, its name and
//! unified social credit code (whose check character is verified), kind, service fields and
//! areas (by name: 全县, a town or a village), the people to call and its rating.

use super::SheetRow;
use super::header::{ColumnSpec, Table};
use super::places::Places;
use super::records::{Errors, RecordKind, col, in_columns, numeric_cell};
use hearth_core::Invalid;
use hearth_core::area::AreaCode;
use hearth_core::organization::{OrgInput, OrgProfile, split_list};

/// The columns of the organization sheet, in the template's order.
pub const COLUMNS: [ColumnSpec; 11] = [
    col(
        "name",
        "单位名称",
        &["组织名称", "机构名称", "名称", "社会组织名称"],
        true,
    ),
    col(
        "uscc",
        "统一社会信用代码",
        &["信用代码", "社会信用代码", "统一代码", "登记证号"],
        true,
    ),
    col("kind", "组织类型", &["类型", "机构类型", "单位类型"], true),
    col(
        "service_fields",
        "服务领域",
        &["业务范围", "服务类别", "领域"],
        false,
    ),
    col(
        "service_areas",
        "服务区域",
        &["服务范围", "服务乡镇", "服务地区"],
        false,
    ),
    col(
        "responsible_person",
        "负责人",
        &["法定代表人", "法人", "负责人姓名"],
        true,
    ),
    col("contact_person", "联系人", &["联系人姓名"], false),
    col(
        "contact_phone",
        "联系电话",
        &["电话", "手机号", "手机", "联系方式"],
        false,
    ),
    col("address", "地址", &["住所", "办公地址", "详细地址"], false),
    col("rating", "评估等级", &["等级", "评估"], false),
    col("note", "备注", &["说明"], false),
];

/// What organization rows are checked against: the county's areas, to read service areas typed
/// by name.
pub struct OrgContext<'a> {
    pub places: Places<'a>,
}

/// One organization row, parsed.
#[derive(Debug, Clone)]
pub struct OrgRow {
    pub input: OrgInput,
    pub profile: OrgProfile,
}

pub struct Organizations;

fn column_of(field: &str) -> &'static str {
    COLUMNS
        .iter()
        .map(|c| c.key)
        .find(|k| *k == field)
        .unwrap_or("note")
}

impl RecordKind for Organizations {
    type Value = OrgRow;
    type Context<'a> = OrgContext<'a>;
    const COLUMNS: &'static [ColumnSpec] = &COLUMNS;
    const KEY: &'static str = "uscc";

    fn read_row(
        table: &Table,
        row: &SheetRow,
        ctx: &OrgContext<'_>,
    ) -> Result<(OrgRow, String), Errors> {
        let text = |key| table.text(row, key).to_owned();
        let mut errors: Errors = numeric_cell(table, row, "uscc", "import_kinds.uscc_numeric")
            .into_iter()
            .collect();
        let areas = service_areas(&text("service_areas"), &ctx.places)
            .map_err(|e| errors.push(("service_areas", e)))
            .unwrap_or_default();
        let input = OrgInput {
            name: text("name"),
            uscc: text("uscc"),
            kind: text("kind"),
            service_fields: split_list(&[text("service_fields")]),
            service_areas: areas,
            responsible_person: text("responsible_person"),
            contact_person: text("contact_person"),
            contact_phone: text("contact_phone"),
            address: text("address"),
            rating: text("rating"),
            note: text("note"),
        };
        match input.parse() {
            Ok((profile, _)) if errors.is_empty() => {
                let key = profile.uscc.as_str().to_owned();
                Ok((OrgRow { input, profile }, key))
            }
            Ok(_) => Err(errors),
            Err(found) => {
                let said: Vec<&str> = errors.iter().map(|(k, _)| *k).collect();
                let rest = in_columns(found, column_of)
                    .into_iter()
                    .filter(|(k, _)| !said.contains(k));
                errors.extend(rest);
                Err(errors)
            }
        }
    }
}

/// Service areas as typed: codes, 全县/全县范围, town or village names, joined by 、 or ，.
fn service_areas(text: &str, places: &Places) -> Result<Vec<String>, Invalid> {
    let mut out = Vec::new();
    for part in split_list(&[text.to_owned()]) {
        if matches!(part.as_str(), "全县" | "全县范围" | "县域" | "全域") {
            // The whole county: no single area narrows it.
            continue;
        }
        let code = match AreaCode::parse(&part) {
            Ok(code) => code,
            Err(_) => places.any("service_areas", &part)?.code.clone(),
        };
        out.push(code.as_str().to_owned());
    }
    Ok(out)
}
