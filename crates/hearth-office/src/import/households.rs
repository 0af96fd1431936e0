//! The household sheet town clerks send (困难家庭名单): one household a row, its head's name
//! and ID number, phone, town and village, address, categories, family size, causes, and what it
//! needs. Everything that can be checked without the database is checked here, row by row;
//! registration, blind-index duplicates and the audit log are the application's.

use super::header::{ColumnSpec, Table};
use super::places::{Places, is_blank};
use super::values::{category, count, needs};
use super::{RowProblem, SheetRow};
use chrono::NaiveDate;
use hearth_core::area::{AreaCode, AreaLevel};
use hearth_core::household::{
    CategoryTagInput, Cause, HouseholdInput, HouseholdProfile, MemberInput,
};
use hearth_core::need::Item;
use hearth_core::{IdNumber, Invalid};
use hearth_store::areas::Area;
use std::collections::HashMap;

const fn col(
    key: &'static str,
    title: &'static str,
    synonyms: &'static [&'static str],
    required: bool,
) -> ColumnSpec {
    ColumnSpec {
        key,
        title,
        synonyms,
        required,
    }
}

/// The columns of the household sheet, in the template's order.
pub const COLUMNS: [ColumnSpec; 13] = [
    col("index", "序号", &["编号", "序"], false),
    col(
        "head",
        "户主姓名",
        &[
            "姓名",
            "户主",
            "户主名称",
            "户主名字",
            "救助对象姓名",
            "申请人姓名",
        ],
        true,
    ),
    col(
        "id_number",
        "身份证号",
        &[
            "身份证号码",
            "公民身份号码",
            "户主身份证号",
            "户主身份证号码",
            "身份证",
            "证件号码",
        ],
        true,
    ),
    col(
        "phone",
        "联系电话",
        &[
            "手机号",
            "电话",
            "手机",
            "手机号码",
            "联系方式",
            "电话号码",
            "联系手机",
        ],
        false,
    ),
    col(
        "town",
        "乡镇（园区）",
        &[
            "乡镇",
            "所属乡镇（园区）",
            "所属乡镇",
            "乡镇（街道）",
            "镇（园区）",
            "乡（镇）",
            "镇",
            "园区",
        ],
        false,
    ),
    col(
        "village",
        "村（社区）",
        &[
            "村",
            "所属村（社区）",
            "所属村",
            "村（居）",
            "行政村",
            "社区",
            "村居",
            "村（居委会）",
        ],
        false,
    ),
    col(
        "address",
        "详细地址",
        &["家庭住址", "住址", "地址", "家庭地址", "居住地址", "现住址"],
        false,
    ),
    col(
        "categories",
        "困难类型",
        &[
            "救助类别",
            "类别",
            "困难类别",
            "对象类别",
            "人员类别",
            "保障类别",
            "困难类型（可多选）",
        ],
        false,
    ),
    col(
        "size",
        "家庭人口",
        &["人口数", "家庭人口数", "家庭人数", "人口", "家庭成员数"],
        false,
    ),
    col(
        "causes",
        "致困原因",
        &["困难原因", "致贫原因", "主要困难"],
        false,
    ),
    col(
        "item",
        "需求物资",
        &["物资", "需求", "所需物资", "需求物品", "物资需求"],
        false,
    ),
    col("quantity", "数量", &["需求数量", "物资数量"], false),
    col("note", "备注", &["说明"], false),
];

/// Columns the template marks `*` (the importer may still leave town and village out when the
/// officer's own area decides them).
pub const STARRED: [&str; 6] = [
    "head",
    "id_number",
    "town",
    "village",
    "address",
    "categories",
];

/// What the rows are checked against.
pub struct HouseholdContext<'a> {
    pub places: Places<'a>,
    /// The importing officer's area; every village must lie inside it. `None`: the console.
    pub scope: Option<AreaCode>,
    /// The item catalogue (active entries).
    pub items: &'a [Item],
    /// A campaign was chosen, so rows may carry needs.
    pub campaign: bool,
    pub today: NaiveDate,
    /// Who vouches for the categories (the importing officer's name).
    pub verified_by: String,
    /// Where the categories come from (`导入：名单.xlsx`).
    pub source: String,
}

/// One household row that passed every check this module can make.
#[derive(Debug, Clone)]
pub struct HouseholdLine {
    pub row: u32,
    pub input: HouseholdInput,
    pub profile: HouseholdProfile,
    /// Items the household needs: (catalogue code, quantity).
    pub needs: Vec<(String, u32)>,
}

impl HouseholdLine {
    pub fn head_id(&self) -> &IdNumber {
        &self.profile.head().id_number
    }
}

/// The rows of a household sheet: the good ones and a problem list naming row and column.
#[derive(Debug, Default)]
pub struct HouseholdSheet {
    pub lines: Vec<HouseholdLine>,
    pub problems: Vec<RowProblem>,
}

impl HouseholdSheet {
    /// Every row is checked on its own; a row whose head's ID number came earlier in the file is
    /// a duplicate naming that row.
    pub fn read(table: &Table, ctx: &HouseholdContext) -> HouseholdSheet {
        HouseholdSheet::read_rows(table, &table.rows, ctx, &mut SeenHeads::default())
    }

    /// The rows of one part of a file read a part at a time; `seen` carries the heads of the
    /// parts before, so a repeat is found across parts.
    pub fn read_rows(
        table: &Table,
        rows: &[SheetRow],
        ctx: &HouseholdContext,
        seen: &mut SeenHeads,
    ) -> HouseholdSheet {
        let mut sheet = HouseholdSheet::default();
        for row in rows {
            match read_row(table, row, ctx) {
                Ok(line) => match seen.first(line.head_id(), row.number) {
                    Some(first) => sheet.problems.push(RowProblem::duplicate(
                        row.number,
                        table.header_of("id_number"),
                        Invalid::new("id_number", "import.duplicate_row").arg("row", first),
                    )),
                    None => sheet.lines.push(line),
                },
                Err(errors) => sheet.problems.extend(
                    errors
                        .into_iter()
                        .map(|(key, e)| RowProblem::error(row.number, table.header_of(key), e)),
                ),
            }
        }
        sheet
    }
}

/// The heads' ID numbers read so far, each with its row. An ID number is kept as its first 17
/// digits (the 18th is their check character), eight bytes a row however large the file.
#[derive(Debug, Default)]
pub struct SeenHeads(HashMap<u64, u32>);

impl SeenHeads {
    /// The row that had `id` first, or `None` (and `row` remembered) when this is the first.
    pub fn first(&mut self, id: &IdNumber, row: u32) -> Option<u32> {
        let digits = id.as_str().bytes().take(17).fold(0u64, |n, b| {
            n.wrapping_mul(10)
                .wrapping_add(u64::from(b.wrapping_sub(b'0')))
        });
        match self.0.entry(digits) {
            std::collections::hash_map::Entry::Occupied(first) => Some(*first.get()),
            std::collections::hash_map::Entry::Vacant(slot) => {
                slot.insert(row);
                None
            }
        }
    }
}

/// The column a refusal of the household form belongs to.
fn column_of(field: &str) -> &'static str {
    match field {
        f if f.ends_with("id_number") => "id_number",
        f if f.starts_with("members") => "head",
        f if f.starts_with("categories") || f == "main_category" => "categories",
        "phone" => "phone",
        "village" => "village",
        "town" => "town",
        "address" => "address",
        "causes" => "causes",
        "size" => "size",
        "item" => "item",
        "quantity" => "quantity",
        _ => "note",
    }
}

type Errors = Vec<(&'static str, Invalid)>;

fn push(errors: &mut Errors, e: Invalid) {
    errors.push((column_of(e.field()), e));
}

/// Checks one row and builds the household form from it.
pub fn read_row(
    table: &Table,
    row: &SheetRow,
    ctx: &HouseholdContext,
) -> Result<HouseholdLine, Errors> {
    let text = |key| table.text(row, key);
    let mut errors: Errors = Vec::new();
    let id_cell = table.get(row, "id_number");
    if id_cell.is_some_and(|c| c.numeric) {
        // The digits Excel dropped cannot be recovered: never parse such a cell.
        push(
            &mut errors,
            Invalid::new("members[0].id_number", "id.numeric").arg("value", text("id_number")),
        );
    }
    let village = place(table, row, ctx)
        .map_err(|e| push(&mut errors, e))
        .ok();
    let tags = categories(text("categories"), ctx).map_err(|e| push(&mut errors, e));
    let causes = split(text("causes"))
        .into_iter()
        .map(|c| Cause::parse(&c).map(|c| c.as_str().to_owned()))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| push(&mut errors, e));
    let size = optional_count("size", text("size"), 99).map_err(|e| push(&mut errors, e));
    let wanted = wanted(text("item"), text("quantity"), ctx).map_err(|e| push(&mut errors, e));
    let input = HouseholdInput {
        members: vec![MemberInput {
            name: text("head").to_owned(),
            id_number: text("id_number").to_owned(),
            ..MemberInput::default()
        }],
        address: text("address").to_owned(),
        village: village
            .map(|v| v.code.as_str().to_owned())
            .unwrap_or_default(),
        phone: text("phone").to_owned(),
        main_category: tags
            .as_ref()
            .ok()
            .and_then(|t| t.first())
            .map(|t| t.category.clone())
            .unwrap_or_default(),
        categories: tags.unwrap_or_default(),
        causes: causes.unwrap_or_default(),
        note: note(text("note"), size.ok().flatten()),
        ..HouseholdInput::default()
    };
    let profile = match input.parse(ctx.today) {
        Ok(profile) => Some(profile),
        Err(found) => {
            for e in found {
                // Already said from the cell type, and a village left blank is said once.
                let said = errors.iter().any(|(_, s)| s.field() == e.field());
                if !(said || (e.field() == "village" && village.is_none())) {
                    push(&mut errors, e);
                }
            }
            None
        }
    };
    match (profile, wanted) {
        (Some(profile), Ok(needs)) if errors.is_empty() => Ok(HouseholdLine {
            row: row.number,
            input,
            profile,
            needs,
        }),
        _ => Err(errors),
    }
}

fn split(text: &str) -> Vec<String> {
    hearth_core::organization::split_list(&[text.to_owned()])
}

fn categories(text: &str, ctx: &HouseholdContext) -> Result<Vec<CategoryTagInput>, Invalid> {
    if is_blank(text) {
        return Err(Invalid::new("categories", "field.required"));
    }
    let mut tags: Vec<CategoryTagInput> = Vec::new();
    for part in split(text) {
        let found = category(&part).map_err(|e| e.arg("value", &part))?;
        if !tags.iter().any(|t| t.category == found.as_str()) {
            tags.push(CategoryTagInput {
                category: found.as_str().to_owned(),
                source: ctx.source.chars().take(50).collect(),
                verified_by: ctx.verified_by.chars().take(50).collect(),
                verified_on: ctx.today.to_string(),
                valid_until: String::new(),
            });
        }
    }
    Ok(tags)
}

fn optional_count(field: &str, text: &str, max: u32) -> Result<Option<u32>, Invalid> {
    if is_blank(text) {
        return Ok(None);
    }
    count(field, text, max).map(Some)
}

/// The family size is kept in the note: the members beside the head are registered with their
/// own ID numbers on the household's page.
fn note(note: &str, size: Option<u32>) -> String {
    match size {
        Some(n) if note.is_empty() => format!("家庭人口{n}人"),
        Some(n) => format!("{note}；家庭人口{n}人"),
        None => note.to_owned(),
    }
}

fn wanted(
    item: &str,
    quantity: &str,
    ctx: &HouseholdContext,
) -> Result<Vec<(String, u32)>, Invalid> {
    if is_blank(item) {
        if !is_blank(quantity) {
            return Err(Invalid::new("item", "field.required"));
        }
        return Ok(Vec::new());
    }
    if !ctx.campaign {
        return Err(Invalid::new("item", "import.needs_without_campaign"));
    }
    needs(item, quantity, ctx.items)
}

/// The village of a row: from its town and village cells, or the officer's own area where
/// the sheet leaves them out.
fn place<'a>(
    table: &Table,
    row: &SheetRow,
    ctx: &HouseholdContext<'a>,
) -> Result<&'a Area, Invalid> {
    let (town_text, village_text) = (table.text(row, "town"), table.text(row, "village"));
    let own = |level| {
        ctx.scope
            .as_ref()
            .and_then(|s| s.ancestor_at(level))
            .and_then(|code| ctx.places.by_code(&code))
    };
    let town = if is_blank(town_text) {
        own(AreaLevel::Town)
    } else {
        Some(ctx.places.town("town", town_text)?)
    };
    let village = if is_blank(village_text) {
        own(AreaLevel::Village)
            .filter(|v| town.is_none_or(|t| v.code.is_within(&t.code)))
            .ok_or_else(|| Invalid::new("village", "field.required"))?
    } else {
        ctx.places.village("village", village_text, town)?
    };
    if let Some(scope) = &ctx.scope
        && !village.code.is_within(scope)
    {
        let name = ctx
            .places
            .by_code(scope)
            .map(|a| a.name.clone())
            .unwrap_or_else(|| scope.as_str().to_owned());
        return Err(Invalid::new("village", "import.outside_scope")
            .arg("value", &village.name)
            .arg("area", name));
    }
    Ok(village)
}
