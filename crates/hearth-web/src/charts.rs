//! Charts drawn on the server as SVG, so dashboards work without JavaScript, print, and read the
//! same in every browser: horizontal bars (one value or a stack of stages), a line of weekly
//! progress and a target meter. Colours come from classes in `dashboard.css` (the CSP allows
//! no inline styles); every chart carries a title for screen readers, and the page shows the
//! table behind it.

use std::fmt::Write;

/// Escapes text for SVG content and attribute values.
fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

const WIDTH: f64 = 480.0;
const LABEL_WIDTH: f64 = 130.0;
const VALUE_WIDTH: f64 = 70.0;
const ROW: f64 = 30.0;

/// One row of a bar chart: its label, the lengths of its parts (one part for a plain bar),
/// the figure written after the bar, and where the label leads (drill-down).
pub struct BarRow {
    pub label: String,
    pub parts: Vec<f64>,
    pub shown: String,
    pub href: Option<String>,
}

fn open_svg(out: &mut String, height: f64, title: &str, class: &str) {
    let _ = write!(
        out,
        r#"<svg class="chart {class}" viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{t}" preserveAspectRatio="xMinYMin meet"><title>{t}</title>"#,
        t = esc(title)
    );
}

/// Horizontal bars, longest scaled to the full width; parts of a row stack left to right in
/// the classes `part-0`, `part-1` … (the legend uses the same classes).
pub fn bars(title: &str, rows: &[BarRow]) -> String {
    let height = (rows.len().max(1) as f64) * ROW + 4.0;
    let max = rows
        .iter()
        .map(|r| r.parts.iter().sum::<f64>())
        .fold(0.0, f64::max);
    let span = WIDTH - LABEL_WIDTH - VALUE_WIDTH;
    let mut out = String::new();
    open_svg(&mut out, height, title, "chart-bars");
    for (i, row) in rows.iter().enumerate() {
        let y = i as f64 * ROW + 2.0;
        let label = esc(&shorten(&row.label, 8));
        let text = format!(
            r#"<text class="chart-label" x="{x}" y="{ty}" text-anchor="end">{label}</text>"#,
            x = LABEL_WIDTH - 8.0,
            ty = y + ROW * 0.65,
        );
        match &row.href {
            Some(href) => {
                let _ = write!(out, r#"<a href="{}">{text}</a>"#, esc(href));
            }
            None => out.push_str(&text),
        }
        let mut x = LABEL_WIDTH;
        for (p, part) in row.parts.iter().enumerate() {
            let w = if max > 0.0 { part / max * span } else { 0.0 };
            if w > 0.0 {
                let _ = write!(
                    out,
                    r#"<rect class="part-{p}" x="{x:.1}" y="{y:.1}" width="{w:.1}" height="{h:.1}" rx="2"/>"#,
                    y = y + 5.0,
                    h = ROW - 10.0,
                );
            }
            x += w;
        }
        let _ = write!(
            out,
            r#"<text class="chart-value" x="{x:.1}" y="{ty:.1}">{v}</text>"#,
            x = x + 6.0,
            ty = y + ROW * 0.65,
            v = esc(&row.shown),
        );
    }
    out.push_str("</svg>");
    out
}

/// Labels longer than `max` characters end in an ellipsis (the table keeps them whole).
fn shorten(label: &str, max: usize) -> String {
    if label.chars().count() <= max {
        label.to_owned()
    } else {
        let mut out: String = label.chars().take(max - 1).collect();
        out.push('…');
        out
    }
}

/// One line of a line chart, drawn in the class `line-{index}`.
pub struct Series {
    pub values: Vec<f64>,
}

/// Lines over the same x labels (weeks), sharing one y axis from zero to the largest value;
/// the first and last labels are written under the axis.
pub fn lines(title: &str, x_labels: &[String], series: &[Series], top_label: &str) -> String {
    let height = 220.0;
    let (left, right, top, bottom) = (8.0, WIDTH - 8.0, 22.0, height - 28.0);
    let max = series
        .iter()
        .flat_map(|s| s.values.iter().copied())
        .fold(0.0, f64::max);
    let n = x_labels.len();
    let x_of = |i: usize| {
        if n <= 1 {
            (left + right) / 2.0
        } else {
            left + (right - left) * i as f64 / (n - 1) as f64
        }
    };
    let y_of = |v: f64| {
        if max > 0.0 {
            bottom - (bottom - top) * v / max
        } else {
            bottom
        }
    };
    let mut out = String::new();
    open_svg(&mut out, height, title, "chart-lines");
    let _ = write!(
        out,
        r#"<line class="axis" x1="{left}" y1="{bottom}" x2="{right}" y2="{bottom}"/><line class="grid" x1="{left}" y1="{top}" x2="{right}" y2="{top}"/><text class="chart-value" x="{left}" y="{ty}">{m}</text>"#,
        ty = top - 6.0,
        m = esc(top_label),
    );
    for (k, s) in series.iter().enumerate() {
        let points: Vec<String> = s
            .values
            .iter()
            .enumerate()
            .map(|(i, v)| format!("{:.1},{:.1}", x_of(i), y_of(*v)))
            .collect();
        let _ = write!(
            out,
            r#"<polyline class="line-{k}" points="{}"/>"#,
            points.join(" ")
        );
        if let (Some(v), Some(_)) = (s.values.last(), x_labels.last()) {
            let _ = write!(
                out,
                r#"<circle class="dot-{k}" cx="{:.1}" cy="{:.1}" r="4"/>"#,
                x_of(n.saturating_sub(1)),
                y_of(*v)
            );
        }
    }
    if let (Some(first), Some(last)) = (x_labels.first(), x_labels.last()) {
        let _ = write!(
            out,
            r#"<text class="chart-label" x="{left}" y="{y}">{}</text><text class="chart-label" x="{right}" y="{y}" text-anchor="end">{}</text>"#,
            esc(first),
            esc(last),
            y = height - 8.0,
        );
    }
    out.push_str("</svg>");
    out
}

/// A horizontal meter of `value` against `target` (households reached against the goal).
pub fn meter(title: &str, value: f64, target: f64) -> String {
    let share = if target > 0.0 {
        (value / target).clamp(0.0, 1.0)
    } else {
        0.0
    };
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<svg class="chart chart-meter" viewBox="0 0 {WIDTH} 24" role="img" aria-label="{t}" preserveAspectRatio="none"><title>{t}</title><rect class="meter-track" x="0" y="4" width="{WIDTH}" height="16" rx="8"/><rect class="meter-fill" x="0" y="4" width="{w:.1}" height="16" rx="8"/></svg>"#,
        t = esc(title),
        w = WIDTH * share,
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_escaped_and_the_longest_bar_fills_the_span() {
        let rows = vec![
            BarRow {
                label: "<script>".into(),
                parts: vec![10.0],
                shown: "10".into(),
                href: Some("/dashboard?area=1&x=\"".into()),
            },
            BarRow {
                label: "上派镇".into(),
                parts: vec![2.0, 3.0],
                shown: "5".into(),
                href: None,
            },
        ];
        let svg = bars("by town", &rows);
        assert!(!svg.contains("<script>"));
        assert!(svg.contains("&lt;script&gt;") && svg.contains("area=1&amp;x=&quot;"));
        let span = WIDTH - LABEL_WIDTH - VALUE_WIDTH;
        assert!(svg.contains(&format!(r#"width="{span:.1}""#)), "{svg}");
        assert!(
            svg.contains(r#"class="part-1" x="186.0""#),
            "parts stack: {svg}"
        );
    }

    #[test]
    fn empty_and_zero_charts_draw_without_dividing_by_zero() {
        assert!(!bars("t", &[]).contains("NaN"));
        let flat = lines("t", &["a".into()], &[Series { values: vec![0.0] }], "0");
        assert!(!flat.contains("NaN") && flat.contains("<polyline"));
        assert!(meter("t", 5.0, 0.0).contains(r#"width="0.0""#));
        assert!(meter("t", 900.0, 780.0).contains(&format!(r#"width="{WIDTH:.1}""#)));
    }
}
