//! The division tree (县 → 乡镇 → 村), as a page of its own and beside the organization list.

use super::{Frame, Section, ok};
use crate::AppState;
use crate::auth::Signed;
use crate::error::PageError;
use crate::tr::Tr;
use askama::Template;
use axum::extract::State;
use axum::response::Response;
use hearth_core::area::{AreaCode, AreaLevel};
use hearth_store::areas::Area;

/// A town (or park) and its villages (or communities).
pub(crate) struct TownBranch<'a> {
    pub area: &'a Area,
    pub villages: Vec<&'a Area>,
}

/// A county and its towns.
pub(crate) struct CountyBranch<'a> {
    pub area: &'a Area,
    pub towns: Vec<TownBranch<'a>>,
}

/// Groups a flat list of divisions into county → town → village, each level in code order.
pub(crate) fn tree(areas: &[Area]) -> Vec<CountyBranch<'_>> {
    let mut sorted: Vec<&Area> = areas.iter().collect();
    sorted.sort_by(|a, b| a.code.cmp(&b.code));
    let children = |parent: &Area, level: AreaLevel| -> Vec<&Area> {
        sorted
            .iter()
            .copied()
            .filter(|a| a.level == level && a.parent.as_ref() == Some(&parent.code))
            .collect()
    };
    sorted
        .iter()
        .copied()
        .filter(|a| a.level == AreaLevel::County)
        .map(|county| CountyBranch {
            area: county,
            towns: children(county, AreaLevel::Town)
                .into_iter()
                .map(|town| TownBranch {
                    area: town,
                    villages: children(town, AreaLevel::Village),
                })
                .collect(),
        })
        .collect()
}

/// The name people use (经开区) after the full name, when there is one.
pub(crate) fn display_name(area: &Area) -> String {
    if area.short_name.is_empty() || area.short_name == area.name {
        area.name.clone()
    } else {
        format!("{}（{}）", area.name, area.short_name)
    }
}

struct Row {
    code: String,
    name: String,
    level: &'static str,
    example: bool,
    note: String,
    villages: usize,
}

#[derive(Template)]
#[template(path = "areas.html")]
struct AreasPage {
    t: Tr,
    frame: Frame,
    counties: Vec<Row>,
    towns: Vec<(Row, Vec<Row>)>,
}

fn row(t: Tr, area: &Area, villages: usize) -> Row {
    Row {
        code: area.code.as_str().to_owned(),
        name: display_name(area),
        level: t.t(area.level.label_key()),
        example: area.is_example,
        note: area.note.clone(),
        villages,
    }
}

/// `GET /areas`: read-only list of the towns with their villages.
pub async fn page(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
) -> Result<Response, PageError> {
    let areas = state
        .app
        .areas(&signed.caller)
        .await
        .map_err(|e| PageError::new(e, t))?;
    let branches = tree(&areas);
    let counties = branches.iter().map(|c| row(t, c.area, 0)).collect();
    let towns = branches
        .iter()
        .flat_map(|c| c.towns.iter())
        .map(|town| {
            (
                row(t, town.area, town.villages.len()),
                town.villages.iter().map(|v| row(t, v, 0)).collect(),
            )
        })
        .collect();
    let page = AreasPage {
        t,
        frame: Frame::new(&signed, t, Section::Areas, "/areas", t.t("nav.areas")),
        counties,
        towns,
    };
    Ok(ok(&page, t))
}

/// One entry of the division tree beside a list: a link that filters the list by the area.
pub(crate) struct Leaf {
    pub name: String,
    pub href: String,
    pub active: bool,
    pub example: bool,
}

pub(crate) struct TownNode {
    pub leaf: Leaf,
    /// Shown unfolded because one of its villages is the chosen filter.
    pub open: bool,
    pub villages: Vec<Leaf>,
}

pub(crate) struct CountyNode {
    pub leaf: Leaf,
    pub towns: Vec<TownNode>,
}

/// The division tree beside a list (`division_tree.html`), each entry linking to `href(code)`,
/// the `chosen` area marked.
pub(crate) fn tree_nodes(
    areas: &[Area],
    chosen: Option<&AreaCode>,
    href: impl Fn(&str) -> String,
) -> Vec<CountyNode> {
    let leaf = |a: &Area| Leaf {
        name: display_name(a),
        href: href(a.code.as_str()),
        active: chosen == Some(&a.code),
        example: a.is_example,
    };
    tree(areas)
        .into_iter()
        .map(|county| CountyNode {
            leaf: leaf(county.area),
            towns: county
                .towns
                .iter()
                .map(|town| TownNode {
                    leaf: leaf(town.area),
                    open: chosen.is_some_and(|c| {
                        c.is_within(&town.area.code) && c.level() == AreaLevel::Village
                    }),
                    villages: town.villages.iter().map(|v| leaf(v)).collect(),
                })
                .collect(),
        })
        .collect()
}
