//! Pinned runs (compare runs): the "Pin this run" button, the list of
//! pinned runs (`#runs li[data-run]`, each with its colour and line style,
//! an editable label, its indices as `data-index` elements like
//! `#indices-list`, and show/hide, up, down, load and remove), the compare
//! table (each index side by side, with the difference from run 1), and
//! the style each run is drawn in ([`RUN_STYLES`], used by
//! [`super::results`] to overlay the runs on the charts, and to mark them on
//! the FT and FP band charts, [`band_marks`]). Values are
//! formatted here, never recomputed: the indices are the runs' own.

use super::app::{App, Dispatch, Msg, RunAction};
use super::dom::{self, append, attr, el};
use super::format::{compact, index_text};
use crate::compare::Difference;
use crate::model::{Display, Index, IndexValue};
use crate::plot::{hex, Rgb, TimeChart, DASH};

/// One colour (from Paul Tol's colour-blind-safe "muted" set, apart from
/// the response-class colours) and one dash pattern (dash, gap in CSS
/// pixels; `None`: solid) per run, so a greyscale print still tells them
/// apart.
pub const RUN_STYLES: [RunStyle; 6] = [
    ((51, 34, 136), None),               // indigo, solid
    ((68, 170, 153), Some((9.0, 4.0))),  // teal, dashed
    ((136, 34, 85), Some((2.0, 3.0))),   // wine, dotted
    ((153, 153, 51), Some((14.0, 4.0))), // olive, long dashes
    ((136, 204, 238), Some((5.0, 7.0))), // cyan, sparse dashes
    ((100, 100, 100), Some((1.0, 2.0))), // grey, dense dots
];

/// A run's colour and dash pattern (dash, gap in CSS pixels; `None`: solid).
pub type RunStyle = (Rgb, Option<(f64, f64)>);

/// The drawing style of pinned run `i`.
pub fn style(i: usize) -> RunStyle {
    RUN_STYLES[i % RUN_STYLES.len()]
}

/// Draw the visible pinned runs on `charts` (the live course's charts,
/// shown with `display`): each chart's last series (its total) of each
/// run, in the run's colour and line style, under the live course's lines,
/// named "run N: label" in the legend.
pub fn overlay(app: &App, charts: &mut [TimeChart], display: &Display) {
    let model = app.model();
    for (i, run) in app.runs.iter().enumerate().rev() {
        let Some(c) = run.result.as_ref().ok().filter(|_| run.visible) else {
            continue;
        };
        if c.scenario.model != model {
            continue;
        }
        let (color, dash) = style(i);
        for (chart, theirs) in charts.iter_mut().zip(model.charts(&c.course, display)) {
            if let Some(mut s) = theirs.series.last().cloned() {
                s.label = format!("run {}: {}", i + 1, run.label);
                s.color = color;
                s.dashed = dash.is_some();
                s.dash = dash.unwrap_or(DASH);
                s.width = 2.0;
                chart.series.insert(0, s);
            }
        }
    }
}

/// Each visible pinned run's value of the index `key` (a band chart's
/// factor, FT or FP), with its run number, colour and dash pattern, for
/// [`super::bands::chart`]. The values are the runs' own indices.
pub fn band_marks(app: &App, key: &str) -> Vec<(usize, Option<f64>, RunStyle)> {
    app.runs
        .iter()
        .enumerate()
        .filter(|(_, r)| r.visible)
        .filter_map(|(i, r)| {
            let c = r.result.as_ref().ok()?;
            let v = c.course.metrics.as_deref().and_then(|m| m.value(key));
            Some((i + 1, v, style(i)))
        })
        .collect()
}

/// Wire the Pin button.
pub fn wire(send: Dispatch) -> Result<(), String> {
    dom::on_id("pin", "click", move |_| send(Msg::Pin))
}

/// Draw the list of pinned runs and the compare table.
pub fn show(app: &App, send: Dispatch) -> Result<(), String> {
    let list = dom::by_id("runs")?;
    dom::clear(&list);
    dom::set_hidden("runs-section", app.runs.is_empty());
    // Taller time charts while runs are drawn (room for the legend strip;
    // www/style.css, set early from the link by www/embed.js).
    if let Some(html) = dom::document()?.document_element() {
        let shown = app.runs.iter().filter(|r| r.visible).count();
        if shown == 0 {
            let _ = html.remove_attribute("data-runs");
        } else {
            dom::attr(&html, "data-runs", &shown.to_string());
        }
    }
    dom::set_text(
        "runs-count",
        &format!("{} of {} pinned", app.runs.len(), crate::compare::MAX_RUNS),
    );
    let units = app.scenario.units.as_str();
    let indices: Vec<Vec<Index>> = app
        .runs
        .iter()
        .map(|r| {
            r.result
                .as_ref()
                .ok()
                .and_then(|c| c.course.metrics.as_deref())
                .map(|m| m.indices_in(units))
                .unwrap_or_default()
        })
        .collect();
    for (i, run) in app.runs.iter().enumerate() {
        let li = el("li", "run", "")?;
        attr(&li, "data-run", &i.to_string());
        let (color, dash) = style(i);
        let swatch = el("span", "run-swatch", "")?;
        attr(&swatch, "aria-hidden", "true");
        dom::set_style(&swatch, "--run-color", &hex(color));
        attr(
            &swatch,
            "data-dash",
            if dash.is_some() { "dashed" } else { "solid" },
        );
        append(&li, &swatch);
        let label = el("input", "run-label", "")?;
        attr(&label, "type", "text");
        attr(&label, "value", &run.label);
        attr(&label, "aria-label", &format!("Label of run {}", i + 1));
        attr(&label, "maxlength", "60");
        dom::on(&label, "change", move |ev| {
            let text = dom::event_value(&ev).unwrap_or_default();
            send(Msg::Run {
                index: i,
                action: RunAction::Relabel(text),
            });
        });
        append(&li, &label);
        for (text, title, action) in [
            (
                if run.visible { "hide" } else { "show" },
                "Show or hide this run on the charts",
                RunAction::Toggle,
            ),
            ("↑", "Move up", RunAction::Up),
            ("↓", "Move down", RunAction::Down),
            (
                "load",
                "Put this run's settings into the controls",
                RunAction::Load,
            ),
            ("✕", "Remove this run", RunAction::Remove),
        ] {
            let b = el("button", "small", text)?;
            attr(&b, "type", "button");
            attr(&b, "title", title);
            attr(&b, "aria-label", &format!("{title} (run {})", i + 1));
            if action == RunAction::Toggle {
                attr(
                    &b,
                    "aria-pressed",
                    if run.visible { "true" } else { "false" },
                );
            }
            dom::on(&b, "click", move |_| {
                send(Msg::Run {
                    index: i,
                    action: action.clone(),
                })
            });
            append(&li, &b);
        }
        let values = el("div", "run-indices", "")?;
        match &run.result {
            Ok(_) => {
                for t in indices[i].iter().map(index_text) {
                    let v = el("span", "", "")?;
                    attr(&v, "data-index", t.key);
                    attr(&v, "title", t.label);
                    let text = format!("{}: {} {}", t.key, t.value, t.unit);
                    v.set_text_content(Some(text.trim_end()));
                    append(&values, &v);
                }
            }
            Err(e) => append(
                &values,
                &el("span", "run-error", &format!("This run failed: {e}"))?,
            ),
        }
        append(&li, &values);
        append(&list, &li);
    }
    table(app, &indices)
}

/// The compare table: one row per index, one column per run, the
/// difference from run 1 beside each later run's number.
fn table(app: &App, indices: &[Vec<Index>]) -> Result<(), String> {
    let Some(first) = indices.first() else {
        return dom::table("runs-table", &[], &[]);
    };
    let labels: Vec<String> = app
        .runs
        .iter()
        .enumerate()
        .map(|(i, r)| format!("{} · {}", i + 1, r.label))
        .collect();
    let mut header: Vec<&str> = vec!["index"];
    header.extend(labels.iter().map(String::as_str));
    let number = |i: &Index| match i.value {
        IndexValue::Number(v) => Some(v),
        IndexValue::Day(d) => d,
        IndexValue::Word(_) => None,
    };
    let rows: Vec<Vec<String>> = first
        .iter()
        .map(|base| {
            let mut row = vec![base.label.to_string()];
            for run in indices {
                let Some(idx) = run.iter().find(|x| x.key == base.key) else {
                    row.push("–".into());
                    continue;
                };
                let t = index_text(idx);
                let mut cell = format!("{} {}", t.value, t.unit).trim_end().to_string();
                if !std::ptr::eq(run, first) {
                    if let Some(d) = Difference::of(number(idx), number(base)) {
                        let sign = |x: f64| if x >= 0.0 { "+" } else { "−" };
                        cell.push_str(&format!(" ({}{}", sign(d.abs), compact(d.abs.abs())));
                        if let Some(p) = d.pct {
                            cell.push_str(&format!(", {}{:.0}%", sign(p), p.abs()));
                        }
                        cell.push(')');
                    }
                }
                row.push(cell);
            }
            row
        })
        .collect();
    dom::table("runs-table", &header, &rows)
}
