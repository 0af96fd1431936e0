//! The division tree (县 → 乡镇 → 村) of every county in the deployment, as a page of its own
//! (where the system administrator and a county bureau load more divisions) and beside the
//! organization list.

use super::{Frame, Section, render};
use crate::AppState;
use crate::auth::Signed;
use crate::error::PageError;
use crate::tr::Tr;
use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use hearth_app::AppError;
use hearth_core::area::{AreaCode, AreaLevel};
use hearth_core::permission::Permission;
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

/// A town with its villages.
type TownRows = (Row, Vec<Row>);

#[derive(Template)]
#[template(path = "areas.html")]
struct AreasPage {
    t: Tr,
    frame: Frame,
    /// Each county with its towns, each town with its villages.
    counties: Vec<(Row, Vec<TownRows>)>,
    can_load: bool,
    divisions: String,
    errors: Vec<String>,
    notice: Option<String>,
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

/// What the load form keeps between tries: the text, the problems and the outcome.
#[derive(Default)]
struct Kept {
    divisions: String,
    errors: Vec<String>,
    notice: Option<String>,
}

async fn show(
    state: &AppState,
    signed: &Signed,
    t: Tr,
    status: StatusCode,
    kept: Kept,
) -> Result<Response, PageError> {
    let areas = state
        .app
        .areas(&signed.caller)
        .await
        .map_err(|e| PageError::new(e, t))?;
    let counties = tree(&areas)
        .iter()
        .map(|c| {
            let towns = c
                .towns
                .iter()
                .map(|town| {
                    (
                        row(t, town.area, town.villages.len()),
                        town.villages.iter().map(|v| row(t, v, 0)).collect(),
                    )
                })
                .collect::<Vec<_>>();
            (row(t, c.area, towns.len()), towns)
        })
        .collect();
    let page = AreasPage {
        t,
        frame: Frame::new(signed, t, Section::Areas, "/areas", t.t("nav.areas")),
        counties,
        can_load: signed.caller.can(Permission::ManageAreas),
        divisions: kept.divisions,
        errors: kept.errors,
        notice: kept.notice,
    };
    Ok(render(status, &page, t))
}

/// `GET /areas[?loaded=N]`: every county's towns and villages.
pub async fn page(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let loaded = raw
        .as_deref()
        .map(crate::tr::form_pairs)
        .unwrap_or_default()
        .into_iter()
        .find(|(k, _)| k == "loaded")
        .map(|(_, n)| t.f("area.notice_loaded", &[("count", n)]));
    let kept = Kept {
        notice: loaded,
        ..Kept::default()
    };
    show(&state, &signed, t, StatusCode::OK, kept).await
}

/// `POST /areas`: loads pasted division rows (`code,name,level,parent,note`), all or none.
pub async fn load(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    body: String,
) -> Result<Response, PageError> {
    let fields = super::Fields::parse(&body);
    let divisions = fields.get("divisions").to_owned();
    match state.app.import_divisions(&signed.caller, &divisions).await {
        Ok(count) => Ok(Redirect::to(&format!("/areas?loaded={count}")).into_response()),
        Err(AppError::Invalid(problems)) => {
            let errors = problems
                .iter()
                .map(|p| format!("{}: {}", p.field(), p.message(t.0)))
                .collect();
            let kept = Kept {
                divisions,
                errors,
                notice: None,
            };
            show(&state, &signed, t, StatusCode::UNPROCESSABLE_ENTITY, kept).await
        }
        Err(e) => Err(PageError::new(e, t)),
    }
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
