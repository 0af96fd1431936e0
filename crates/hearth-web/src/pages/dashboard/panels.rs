//! The dashboard's tables and the charts drawn from them. Each table is built once, from the
//! figures the page shows, and serves three readers: the chart, the "show the table" box under
//! it and the CSV/xlsx export, so the three never disagree.

use crate::charts::{self, BarRow, Series};
use crate::tr::Tr;
use hearth_app::dashboard::Dashboard;
use hearth_app::dashboard::figures::{Category, Pipeline};
use hearth_core::Fen;
use hearth_core::area::AreaLevel;
use hearth_office::table::Cell;

/// The tables behind the charts, by the name their export carries.
pub const TABLES: [&str; 5] = ["kpis", "pipeline", "areas", "categories", "progress"];

/// A table: its title, column headings and rows.
pub struct Table {
    pub name: &'static str,
    pub title: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

impl Table {
    /// Cells as the page shows them, with whether each is a number (right-aligned).
    pub fn shown(&self) -> Vec<Vec<(String, bool)>> {
        self.rows
            .iter()
            .map(|row| row.iter().map(shown_cell).collect())
            .collect()
    }
}

fn shown_cell(cell: &Cell) -> (String, bool) {
    match cell {
        Cell::Text(s) => (s.clone(), false),
        Cell::Number { value, decimals } if *decimals => (format!("{value:.2}"), true),
        Cell::Number { value, .. } => (format!("{value:.0}"), true),
    }
}

fn count(n: usize) -> Cell {
    Cell::Number {
        value: n as f64,
        decimals: false,
    }
}

fn yuan(f: Fen) -> Cell {
    Cell::Number {
        value: f.fen() as f64 / 100.0,
        decimals: true,
    }
}

fn text(s: impl Into<String>) -> Cell {
    Cell::Text(s.into())
}

/// One chart on the page: its title, the SVG, the legend and the table it draws.
pub struct Panel {
    pub id: &'static str,
    pub title: String,
    pub svg: String,
    /// (class of the swatch, label)
    pub legend: Vec<(String, String)>,
    pub table: &'static str,
}

const STAGES: [&str; 4] = [
    "dashboard.stage_open",
    "dashboard.stage_claimed",
    "dashboard.stage_fulfilled",
    "dashboard.stage_visited",
];

fn stages(p: &Pipeline) -> [usize; 4] {
    [p.open, p.claimed, p.fulfilled, p.visited]
}

fn legend(t: Tr) -> Vec<(String, String)> {
    STAGES
        .iter()
        .enumerate()
        .map(|(i, k)| (format!("part-{i}"), t.t(k).to_owned()))
        .collect()
}

/// What the areas table calls its rows: towns under the county, villages under a town.
fn child_level_key(d: &Dashboard) -> &'static str {
    match d.trail.last().map(|p| p.level) {
        Some(AreaLevel::Province) => "dashboard.by_city",
        Some(AreaLevel::City) => "dashboard.by_county",
        Some(AreaLevel::Town) => "dashboard.by_village",
        _ => "dashboard.by_town",
    }
}

fn category_label(t: Tr, name: &str, name_en: &str, category: &Category) -> String {
    match category {
        Category::Item(code) => {
            let shown = if t.is_en() { name_en } else { name };
            if shown.is_empty() {
                code.clone()
            } else {
                shown.to_owned()
            }
        }
        Category::Cash => t.t("need.kind.cash").to_owned(),
        Category::Service(s) => crate::pages::label_or(t, &format!("need.service.{s}"), s),
    }
}

/// Every table of the dashboard.
pub fn tables(t: Tr, d: &Dashboard) -> Vec<Table> {
    let k = &d.kpis;
    let kpis = Table {
        name: "kpis",
        title: t.t("dashboard.kpis").to_owned(),
        headers: vec![
            t.t("dashboard.indicator").into(),
            t.t("dashboard.value").into(),
        ],
        rows: vec![
            vec![
                text(t.t("dashboard.organizations_enrolled")),
                count(d.organizations_enrolled),
            ],
            vec![text(t.t("dashboard.cash_raised_yuan")), yuan(k.cash_raised)],
            vec![text(t.t("dashboard.items")), count(k.items.max(0) as usize)],
            vec![text(t.t("dashboard.item_value_yuan")), yuan(k.item_value)],
            vec![text(t.t("dashboard.delivered_yuan")), yuan(k.delivered)],
            vec![
                text(t.t("dashboard.households_registered")),
                count(k.households_registered),
            ],
            vec![
                text(t.t("dashboard.households_reached")),
                count(k.households_reached),
            ],
            vec![
                text(t.t("dashboard.households_target")),
                count(d.households_target() as usize),
            ],
        ],
    };
    let pipeline = Table {
        name: "pipeline",
        title: t.t("dashboard.pipeline").to_owned(),
        headers: vec![t.t("dashboard.stage").into(), t.t("dashboard.needs").into()],
        rows: STAGES
            .iter()
            .zip(stages(&d.pipeline))
            .map(|(key, n)| vec![text(t.t(key)), count(n)])
            .collect(),
    };
    let mut area_headers = vec![t.t(child_level_key(d)).to_owned()];
    area_headers.extend(STAGES.iter().map(|k| t.t(k).to_owned()));
    area_headers.extend(
        [
            "dashboard.households_registered",
            "dashboard.households_reached",
            "dashboard.cash_raised_yuan",
            "dashboard.item_value_yuan",
            "dashboard.delivered_yuan",
        ]
        .iter()
        .map(|k| t.t(k).to_owned()),
    );
    let areas = Table {
        name: "areas",
        title: t.t(child_level_key(d)).to_owned(),
        headers: area_headers,
        rows: d
            .areas
            .iter()
            .map(|a| {
                let mut row = vec![text(a.name.clone())];
                row.extend(stages(&a.pipeline).map(count));
                row.extend([
                    count(a.kpis.households_registered),
                    count(a.kpis.households_reached),
                    yuan(a.kpis.cash_raised),
                    yuan(a.kpis.item_value),
                    yuan(a.kpis.delivered),
                ]);
                row
            })
            .collect(),
    };
    let mut category_headers = vec![t.t("dashboard.category").to_owned()];
    category_headers.extend(STAGES.iter().map(|k| t.t(k).to_owned()));
    let categories = Table {
        name: "categories",
        title: t.t("dashboard.by_category").to_owned(),
        headers: category_headers,
        rows: d
            .categories
            .iter()
            .map(|c| {
                let mut row = vec![text(category_label(t, &c.name, &c.name_en, &c.category))];
                row.extend(stages(&c.pipeline).map(count));
                row
            })
            .collect(),
    };
    let progress = Table {
        name: "progress",
        title: t.t("dashboard.progress").to_owned(),
        headers: [
            "dashboard.week_of",
            "dashboard.cash_raised_yuan",
            "dashboard.households_reached",
            "dashboard.needs_delivered",
        ]
        .iter()
        .map(|k| t.t(k).to_owned())
        .collect(),
        rows: d
            .progress
            .iter()
            .map(|p| {
                vec![
                    text(p.week_of.format(t.t("fmt.date")).to_string()),
                    yuan(p.cash_raised),
                    count(p.households_reached),
                    count(p.needs_delivered),
                ]
            })
            .collect(),
    };
    vec![kpis, pipeline, areas, categories, progress]
}

/// Where a row of the areas chart leads: one level down, same campaign.
fn drill_href(d: &Dashboard, code: &str, level: AreaLevel) -> Option<String> {
    (level <= AreaLevel::Village).then(|| {
        format!(
            "/dashboard?{}",
            crate::pages::query_string(&[
                ("campaign", d.campaign_code().to_owned()),
                ("area", code.to_owned()),
            ])
        )
    })
}

/// Every chart of the dashboard, in page order.
pub fn panels(t: Tr, d: &Dashboard) -> Vec<Panel> {
    let pipeline_rows: Vec<BarRow> = STAGES
        .iter()
        .zip(stages(&d.pipeline))
        .enumerate()
        .map(|(i, (key, n))| {
            let mut parts = vec![0.0; i];
            parts.push(n as f64);
            BarRow {
                label: t.t(key).to_owned(),
                parts,
                shown: n.to_string(),
                href: None,
            }
        })
        .collect();
    let stacked = |label: String, p: &Pipeline, href: Option<String>| BarRow {
        label,
        parts: stages(p).iter().map(|n| *n as f64).collect(),
        shown: p.total().to_string(),
        href,
    };
    let area_rows: Vec<BarRow> = d
        .areas
        .iter()
        .map(|a| {
            let href = drill_href(d, a.code.as_str(), a.code.level());
            stacked(a.name.clone(), &a.pipeline, href)
        })
        .collect();
    let reached_rows: Vec<BarRow> = d
        .areas
        .iter()
        .map(|a| BarRow {
            label: a.name.clone(),
            parts: vec![a.kpis.households_reached as f64],
            shown: a.kpis.households_reached.to_string(),
            href: drill_href(d, a.code.as_str(), a.code.level()),
        })
        .collect();
    let category_rows: Vec<BarRow> = d
        .categories
        .iter()
        .map(|c| {
            stacked(
                category_label(t, &c.name, &c.name_en, &c.category),
                &c.pipeline,
                None,
            )
        })
        .collect();
    let weeks: Vec<String> = d
        .progress
        .iter()
        .map(|p| p.week_of.format(t.t("dashboard.week_format")).to_string())
        .collect();
    let last = d.progress.last();
    let counts = [
        Series {
            values: d
                .progress
                .iter()
                .map(|p| p.households_reached as f64)
                .collect(),
        },
        Series {
            values: d
                .progress
                .iter()
                .map(|p| p.needs_delivered as f64)
                .collect(),
        },
    ];
    let cash = [Series {
        values: d
            .progress
            .iter()
            .map(|p| p.cash_raised.fen() as f64)
            .collect(),
    }];
    let areas_title = t.t(child_level_key(d)).to_owned();
    let reached_title = t.f("dashboard.reached_by", &[("by", areas_title.clone())]);
    let mut out = vec![Panel {
        id: "pipeline",
        title: t.t("dashboard.pipeline").to_owned(),
        svg: charts::bars(t.t("dashboard.pipeline"), &pipeline_rows),
        legend: Vec::new(),
        table: "pipeline",
    }];
    if !d.areas.is_empty() {
        out.push(Panel {
            id: "areas",
            svg: charts::bars(&areas_title, &area_rows),
            title: areas_title,
            legend: legend(t),
            table: "areas",
        });
        out.push(Panel {
            id: "reached",
            svg: charts::bars(&reached_title, &reached_rows),
            title: reached_title,
            legend: Vec::new(),
            table: "areas",
        });
    }
    out.push(Panel {
        id: "categories",
        title: t.t("dashboard.by_category").to_owned(),
        svg: charts::bars(t.t("dashboard.by_category"), &category_rows),
        legend: legend(t),
        table: "categories",
    });
    let top_counts = last
        .map(|p| p.households_reached.max(p.needs_delivered))
        .unwrap_or(0)
        .to_string();
    out.push(Panel {
        id: "progress",
        title: t.t("dashboard.progress").to_owned(),
        svg: charts::lines(t.t("dashboard.progress"), &weeks, &counts, &top_counts),
        legend: vec![
            ("line-0".into(), t.t("dashboard.households_reached").into()),
            ("line-1".into(), t.t("dashboard.needs_delivered").into()),
        ],
        table: "progress",
    });
    let top_cash = format!(
        "{} {}",
        last.map(|p| p.cash_raised.wan_string()).unwrap_or_default(),
        t.t("dashboard.wan_yuan")
    );
    out.push(Panel {
        id: "cash",
        title: t.t("dashboard.cash_progress").to_owned(),
        svg: charts::lines(t.t("dashboard.cash_progress"), &weeks, &cash, &top_cash),
        legend: vec![("line-0".into(), t.t("dashboard.cash_raised").into())],
        table: "progress",
    });
    out
}
