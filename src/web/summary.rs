//! Text alternatives of the charts: each chart canvas gets a visually
//! hidden paragraph (`<canvas-id>-summary`, class `sr-only`, right after
//! the canvas) that the canvas names in `aria-describedby`, with the chart's
//! key numbers in words — for a line chart each series' start, end,
//! highest and lowest point and when; for band charts the most likely class
//! over the x range; for box plots the quartiles; for a heatmap the
//! outcome's range. Everything is read from the chart's own data (the
//! types of [`crate::plot`] and the job panels' chart inputs): nothing is
//! computed here but minima, maxima and runs of what is drawn. Set as text
//! (`textContent`), never as HTML.

use super::dom;
use super::format::sig;
use crate::plot::{display_label, Area, BandChart, Rgb, TimeChart};

/// One box of a box plot as the trial panel draws it: group name, colour,
/// and (first quartile, median, third quartile) or `None` when empty (the
/// same shape as `chart::BoxGroup`).
pub type BoxGroup = (String, Rgb, Option<(f64, f64, f64)>);

/// Numbers in summaries: three significant digits.
fn n(v: f64) -> String {
    sig(v, 3)
}

/// Summaries set but not yet written to the page, by canvas id.
type Pending = std::cell::RefCell<std::collections::BTreeMap<String, String>>;

thread_local! {
    static PENDING: Pending = const { std::cell::RefCell::new(std::collections::BTreeMap::new()) };
}

/// Set the summary of canvas `id` to `text`. Written in a later task (all
/// of a frame's summaries at once), so a chart being drawn never waits for
/// the page's layout and the update's time is the drawing's.
pub fn set(id: &str, text: &str) {
    let first = PENDING.with(|p| {
        let mut p = p.borrow_mut();
        let first = p.is_empty();
        p.insert(id.to_string(), text.to_string());
        first
    });
    if first {
        dom::later(flush);
    }
}

/// Write the pending summaries (see [`write`]).
fn flush() {
    let pending = PENDING.with(|p| std::mem::take(&mut *p.borrow_mut()));
    for (id, text) in pending {
        write(&id, &text);
    }
}

/// Write `text` as the summary of canvas `id`: the element `<id>-summary`
/// (created after the canvas when missing, visually hidden) and the
/// canvas's `aria-describedby` pointing at it. No-op without the canvas.
pub fn write(id: &str, text: &str) {
    let Ok(canvas) = dom::by_id(id) else {
        return;
    };
    let sid = format!("{id}-summary");
    if !dom::exists(&sid) {
        let Ok(p) = dom::el("p", "sr-only chart-summary", "") else {
            return;
        };
        dom::attr(&p, "id", &sid);
        if let Some(parent) = canvas.parent_node() {
            let _ = parent.insert_before(&p, canvas.next_sibling().as_ref());
        }
    }
    let described = canvas.get_attribute("aria-describedby").unwrap_or_default();
    if !described.split_whitespace().any(|d| d == sid) {
        let joined = format!("{described} {sid}");
        dom::attr(&canvas, "aria-describedby", joined.trim());
    }
    dom::set_text(&sid, text);
}

/// One series in words: "label: from Y0 at x X0 to Y1 at x X1; highest
/// Ymax at x …, lowest Ymin at x …" (`x` named by `x_name`, e.g. "day").
/// Non-finite points are skipped; ties give the first x.
pub fn series_text(label: &str, points: &[(f64, f64)], x_name: &str) -> String {
    let pts: Vec<(f64, f64)> = points
        .iter()
        .copied()
        .filter(|(x, y)| x.is_finite() && y.is_finite())
        .collect();
    let (Some(first), Some(last)) = (pts.first(), pts.last()) else {
        return format!("{label}: no points");
    };
    if pts.len() == 1 {
        return format!("{label}: {} at {x_name} {}", n(first.1), n(first.0));
    }
    let hi = pts
        .iter()
        .fold(*first, |m, p| if p.1 > m.1 { *p } else { m });
    let lo = pts
        .iter()
        .fold(*first, |m, p| if p.1 < m.1 { *p } else { m });
    format!(
        "{label}: from {} at {x_name} {} to {} at {x_name} {}; highest {} at {x_name} {}, lowest {} at {x_name} {}",
        n(first.1),
        n(first.0),
        n(last.1),
        n(last.0),
        n(hi.1),
        n(hi.0),
        n(lo.1),
        n(lo.0)
    )
}

/// The word for the x axis in a summary: "day" for time axes, else "x".
fn x_name(x_label: &str) -> &'static str {
    if x_label.contains("day") {
        "day"
    } else {
        "x"
    }
}

/// A shaded range in words: its label and its lower–upper span at the
/// first and the last x.
fn area_text(a: &Area, x_name: &str) -> String {
    match (a.points.first(), a.points.last()) {
        (Some(f), Some(l)) => format!(
            "{}: {}–{} at {x_name} {}, {}–{} at {x_name} {}",
            a.label,
            n(f.1),
            n(f.2),
            n(f.0),
            n(l.1),
            n(l.2),
            n(l.0)
        ),
        _ => format!("{}: empty", a.label),
    }
}

/// The summary of a time chart (the simulator's tumour and CAR T charts):
/// axes, every series, the reference lines and the markers.
pub fn time_text(c: &TimeChart) -> String {
    let xn = x_name(&c.x_label);
    let mut parts = vec![format!(
        "{}. Horizontal: {} from {} to {}; vertical: {}{}",
        c.title,
        c.x_label,
        n(c.x_range.0),
        n(c.x_range.1),
        c.y_label,
        if c.log_y { ", log scale" } else { "" }
    )];
    parts.extend(
        c.series
            .iter()
            .map(|s| series_text(&s.label, &s.points, xn)),
    );
    parts.extend(c.areas.iter().map(|a| area_text(a, xn)));
    if !c.hlines.is_empty() {
        let lines: Vec<String> = c
            .hlines
            .iter()
            .map(|h| format!("{} at {}", h.label, n(h.y)))
            .collect();
        parts.push(format!("Reference lines: {}", lines.join(", ")));
    }
    let marks: Vec<String> = c
        .markers
        .iter()
        .filter(|m| !m.label.is_empty())
        .map(|m| format!("{} ({xn} {}, {})", m.label, n(m.at.0), n(m.at.1)))
        .collect();
    if !marks.is_empty() {
        parts.push(format!("Marked: {}", marks.join("; ")));
    }
    parts.join(". ") + "."
}

/// Summarise the time chart `c` drawn on canvas `id`.
pub fn time(id: &str, c: &TimeChart) {
    set(id, &time_text(c));
}

/// The summary of a chart of series against one x axis (the prediction
/// chart, a one-axis sweep): title, axes, each series, each shaded range.
pub fn lines_text(
    title: &str,
    (x_label, y_label): (&str, &str),
    series: &[(&str, &[(f64, f64)])],
    areas: &[Area],
) -> String {
    let xn = x_name(x_label);
    let mut parts = vec![format!(
        "{title}. Horizontal: {x_label}; vertical: {y_label}"
    )];
    parts.extend(series.iter().map(|(l, p)| series_text(l, p, xn)));
    parts.extend(areas.iter().map(|a| area_text(a, xn)));
    parts.join(". ") + "."
}

/// Summarise a chart of series on canvas `id` (see [`lines_text`]).
pub fn lines(
    id: &str,
    title: &str,
    labels: (&str, &str),
    series: &[(&str, &[(f64, f64)])],
    areas: &[Area],
) {
    set(id, &lines_text(title, labels, series, areas));
}

/// The summary of a band chart: the most likely class (the top of the
/// stack at each grid point) over runs of the x range, the range the
/// cohort covers, this patient's mark and the extra points.
pub fn bands_text(c: &BandChart) -> String {
    let mut runs: Vec<(usize, f64, f64)> = Vec::new(); // (band, from x, to x)
    for (i, &x) in c.x.iter().enumerate() {
        let top = c
            .bands
            .iter()
            .enumerate()
            .filter_map(|(k, (_, _, p))| p.get(i).filter(|v| v.is_finite()).map(|v| (k, *v)))
            .fold(None, |m: Option<(usize, f64)>, b| match m {
                Some(m) if m.1 >= b.1 => Some(m),
                _ => Some(b),
            });
        let Some((k, _)) = top else { continue };
        match runs.last_mut() {
            Some(r) if r.0 == k => r.2 = x,
            _ => runs.push((k, x, x)),
        }
    }
    let name = |k: usize| display_label(&c.bands[k].0);
    let mut parts = vec![format!(
        "{}. Stacked class probabilities against {}{}",
        c.title,
        c.x_label,
        if c.log_x { " (log scale)" } else { "" }
    )];
    if runs.is_empty() {
        parts.push("No probabilities to show".into());
    } else {
        let said: Vec<String> = runs
            .iter()
            .map(|&(k, a, b)| format!("{} from {} to {}", name(k), n(a), n(b)))
            .collect();
        parts.push(format!("Most likely class: {}", said.join("; ")));
    }
    if let Some((a, b)) = c.covered {
        parts.push(format!(
            "The cohort covers {} to {}; beyond, the bands extrapolate",
            n(a),
            n(b)
        ));
    }
    if let Some((x, label)) = &c.mark {
        let at: Vec<String> =
            c.x.iter()
                .position(|g| *g >= *x)
                .map(|i| {
                    c.bands
                        .iter()
                        .filter_map(|(l, _, p)| {
                            p.get(i)
                                .map(|v| format!("{} {}%", display_label(l), n(100.0 * v)))
                        })
                        .collect()
                })
                .unwrap_or_default();
        if at.is_empty() {
            parts.push(format!("Marked: {label}"));
        } else {
            parts.push(format!("Marked: {label} (there: {})", at.join(", ")));
        }
    }
    if !c.run_marks.is_empty() {
        let marks: Vec<&str> = c.run_marks.iter().map(|m| m.label.as_str()).collect();
        parts.push(format!("Pinned runs marked: {}", marks.join("; ")));
    }
    if !c.points.is_empty() {
        let pts: Vec<String> = c
            .points
            .iter()
            .map(|(x, y)| format!("{} at {}%", n(*x), n(*y)))
            .collect();
        parts.push(format!(
            "Open circles, {}: {}",
            c.points_label,
            pts.join(", ")
        ));
    }
    parts.join(". ") + "."
}

/// Summarise the band chart `c` drawn on canvas `id`.
pub fn bands(id: &str, c: &BandChart) {
    set(id, &bands_text(c));
}

/// The summary of box plots: each group's first quartile, median and
/// third quartile (or "no patients").
pub fn boxes_text(title: &str, y_label: &str, groups: &[BoxGroup]) -> String {
    let each: Vec<String> = groups
        .iter()
        .map(|(name, _, q)| match q {
            Some((q1, m, q3)) => format!(
                "{}: median {}, quartiles {} to {}",
                display_label(name),
                n(*m),
                n(*q1),
                n(*q3)
            ),
            None => format!("{}: no patients", display_label(name)),
        })
        .collect();
    format!("{title} ({y_label}). {}.", each.join("; "))
}

/// Summarise box plots on canvas `id` (see [`boxes_text`]).
pub fn boxes(id: &str, title: &str, y_label: &str, groups: &[BoxGroup]) {
    set(id, &boxes_text(title, y_label, groups));
}

/// The summary of a heatmap: its axes and size, the outcome's range (or,
/// for a yes/no outcome, how many cells are each class) and the cells
/// without a value. Axis ends are in plotted units: log10 for log axes.
pub fn heatmap_text(
    title: &str,
    x: (&str, f64, f64, bool),
    y: (&str, f64, f64, bool),
    (nx, ny): (usize, usize),
    values: &[f64],
    classes: Option<[&str; 2]>,
) -> String {
    let end = |v: f64, log: bool| if log { n(10f64.powf(v)) } else { n(v) };
    let axis = |(label, a, b, log): (&str, f64, f64, bool)| {
        format!(
            "{label} from {} to {}{}",
            end(a, log),
            end(b, log),
            if log { " (log scale)" } else { "" }
        )
    };
    let finite: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    let missing = values.len() - finite.len();
    let mut parts = vec![format!(
        "{title}. {nx} × {ny} cells. Horizontal: {}; vertical: {}",
        axis(x),
        axis(y)
    )];
    match (classes, finite.is_empty()) {
        (_, true) => parts.push("No computed cells".into()),
        (Some(labels), false) => {
            let ones = finite.iter().filter(|v| **v >= 0.5).count();
            parts.push(format!(
                "{}: {} cells; {}: {} cells",
                labels[1],
                ones,
                labels[0],
                finite.len() - ones
            ));
        }
        (None, false) => {
            let lo = finite.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = finite.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            parts.push(format!("Outcome from {} to {}", n(lo), n(hi)));
        }
    }
    if missing > 0 {
        parts.push(format!("{missing} cells without a value (grey)"));
    }
    parts.push("Arrow keys move the cursor cell; its value is read out below".into());
    parts.join(". ") + "."
}

/// Summarise a heatmap on canvas `id` (see [`heatmap_text`]).
pub fn heatmap(
    id: &str,
    title: &str,
    x: (&str, f64, f64, bool),
    y: (&str, f64, f64, bool),
    size: (usize, usize),
    values: &[f64],
    classes: Option<[&str; 2]>,
) {
    set(id, &heatmap_text(title, x, y, size, values, classes));
}

/// The summary of a bar chart: each category's values (with intervals).
pub fn bars_text(c: &crate::plot::BarChart) -> String {
    let each: Vec<String> = c
        .categories
        .iter()
        .enumerate()
        .map(|(k, name)| {
            let parts: Vec<String> = c
                .series
                .iter()
                .map(|s| {
                    let v = s.values.get(k).copied().flatten();
                    let iv = s.intervals.get(k).copied().flatten();
                    match (v, iv) {
                        (Some(v), Some([a, b])) => {
                            format!("{} {} (95% {} to {})", s.label, n(v), n(a), n(b))
                        }
                        (Some(v), None) => format!("{} {}", s.label, n(v)),
                        (None, _) => format!("{} none", s.label),
                    }
                })
                .collect();
            format!("{name}: {}", parts.join(", "))
        })
        .collect();
    format!("{} ({}). {}.", c.title, c.y_label, each.join("; "))
}

/// Summarise the bar chart on canvas `id` (see [`bars_text`]).
pub fn bars(id: &str, c: &crate::plot::BarChart) {
    set(id, &bars_text(c));
}
