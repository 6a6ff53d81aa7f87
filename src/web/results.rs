//! The results column, drawn from the app's last good course: the model's
//! time charts ([`crate::model::Model::charts`]), the band charts with
//! this patient's marks, the response badge (in its class's colour, the
//! same in every chart: [`crate::plot::class_color`]), the indices panel,
//! the preset's lesson and the solver statistics. Only the model interface
//! is used: no model is named here.

use super::app::{App, BandState};
use super::chart::{self, Surface};
use super::format::{index_text, sig};
use super::{bands, dom};
use crate::model::{CourseMetrics, Tone};
use crate::plot::{class_color, hex, palette, Rgb};
use crate::solver::{Method, Stats};

/// Canvas ids of the time charts, in the order the models give them
/// (tumour first, then CAR T).
pub const TIME_CHARTS: [&str; 2] = ["chart-main", "chart-cart"];

/// Canvas id of a band chart, from its factor's index key (`FT` → `chart-ft`).
pub fn band_canvas(key: &str) -> String {
    format!("chart-{}", key.to_ascii_lowercase())
}

/// Draw the last good result (nothing before the first); returns the
/// drawing errors, if any.
pub fn draw(app: &App) -> Vec<String> {
    let Some(last) = &app.last else {
        // Nothing solved yet: say so on the charts rather than leave
        // another scenario's drawing there.
        if app.failure.is_some() {
            for id in TIME_CHARTS {
                if let Some(surface) = Surface::fit(id) {
                    let _ = chart::draw_message(
                        &surface,
                        "No result to show: the simulation failed (see the message above).",
                    );
                }
            }
            badge(None);
            let _ = indices(None, "");
        }
        return Vec::new();
    };
    let model = last.scenario.model;
    let course = &last.course;
    let metrics = course.metrics.as_deref();
    let mut errors = Vec::new();
    let mut charts = model.charts(course, &last.display(app.log_y));
    super::runs::overlay(app, &mut charts, &last.display(app.log_y));
    if let Some(d) = &app.data {
        crate::data::place(model, &d.observed, &last.display(app.log_y), &mut charts);
    }
    // Every canvas is measured before anything is written below: reading a
    // size after a write forces the browser to lay the page out again
    // (once per chart, a few ms per slider move).
    let time_surfaces: Vec<Option<Surface>> =
        TIME_CHARTS.iter().map(|id| Surface::fit(id)).collect();
    let band_surfaces: Vec<Option<Surface>> = match &app.bands {
        BandState::Ready(_) => model
            .band_factors()
            .iter()
            .map(|k| Surface::fit(&band_canvas(k)))
            .collect(),
        _ => Vec::new(),
    };
    for ((id, c), surface) in TIME_CHARTS.iter().zip(&charts).zip(&time_surfaces) {
        super::summary::time(id, c);
        if let Some(surface) = surface {
            if let Err(e) = chart::draw_time(surface, c) {
                errors.push(e);
            }
        }
    }
    if let (BandState::Ready(set), Some(m)) = (&app.bands, metrics) {
        let mut reading = Vec::new();
        for (key, surface) in model.band_factors().iter().zip(&band_surfaces) {
            let Some(fb) = set.get(key) else { continue };
            let value = m.value(key);
            let id = band_canvas(key);
            if let Some(surface) = surface {
                let c = bands::chart(
                    &fb.bands,
                    fb.factor,
                    value,
                    &super::runs::band_marks(app, key),
                );
                super::summary::bands(&id, &c);
                if let Err(e) = chart::draw_bands(surface, &c) {
                    errors.push(e);
                }
            }
            let class = value.and_then(|x| fb.bands.most_likely(x)).unwrap_or("–");
            reading.push(format!("{class} by {key}"));
        }
        if !reading.is_empty() {
            dom::set_text(
                "bands-reading",
                &format!(
                    "Most likely class for this patient: {}.",
                    reading.join(", ")
                ),
            );
        }
    }
    badge(metrics);
    if let Err(e) = indices(metrics, &last.scenario.units) {
        errors.push(e);
    }
    let st = &course.table.stats;
    let mut line = format!(
        "{} steps accepted, {} rejected, {} right-hand-side evaluations, {} events",
        st.accepted, st.rejected, st.rhs_evals, st.events
    );
    if last.scenario.solver == Method::Auto {
        line.push_str("; ");
        line.push_str(&spans_text(st));
    }
    dom::set_text("solver-stats", &line);
    errors
}

/// Which method the automatic method ran over which days, from
/// [`Stats::spans`]: "Dormand–Prince days 0–12.3, Rodas4 days 12.3–30"
/// (days in three significant digits, [`sig`]).
pub fn spans_text(st: &Stats) -> String {
    let spans: Vec<String> = st
        .spans
        .iter()
        .map(|s| {
            let name = match s.method {
                Method::Rosenbrock => "Rodas4",
                Method::Rodas5p => "Rodas5P",
                Method::Rk4 => "RK4",
                Method::Dopri5 | Method::Auto => "Dormand–Prince",
            };
            format!("{name} days {}–{}", sig(s.from, 3), sig(s.to, 3))
        })
        .collect();
    match spans.as_slice() {
        [] => String::new(),
        [one] => format!("{one} (never stiff)"),
        _ => spans.join(", "),
    }
}

/// Draw the chart that canvas `id` shows (a time chart or a band chart of
/// the last good result) on another surface: a PNG export drawn larger.
pub fn draw_on(app: &App, id: &str, surface: &Surface) -> Result<(), String> {
    let last = app
        .last
        .as_ref()
        .ok_or("there is no result to export yet")?;
    let model = last.scenario.model;
    if let Some(i) = TIME_CHARTS.iter().position(|c| *c == id) {
        let mut charts = model.charts(&last.course, &last.display(app.log_y));
        super::runs::overlay(app, &mut charts, &last.display(app.log_y));
        if let Some(d) = &app.data {
            crate::data::place(model, &d.observed, &last.display(app.log_y), &mut charts);
        }
        let c = charts.get(i).ok_or("this model has no such chart")?;
        return chart::draw_time(surface, c);
    }
    let BandState::Ready(set) = &app.bands else {
        return Err("the cohort bands are not computed yet".into());
    };
    let key = model
        .band_factors()
        .iter()
        .copied()
        .find(|k| band_canvas(k) == id)
        .ok_or("this model has no such chart")?;
    let fb = set.get(key).ok_or("no bands for this factor")?;
    let value = last.course.metrics.as_deref().and_then(|m| m.value(key));
    let runs = super::runs::band_marks(app, key);
    chart::draw_bands(surface, &bands::chart(&fb.bands, fb.factor, value, &runs))
}

/// The lesson of the scenario's preset (title, figure, what to notice,
/// the paper's claim). It depends on the preset only, so it is written
/// with the controls, before the first solve: the text is on screen in
/// the first paint and does not move the page when the charts arrive.
pub fn lesson(app: &App) {
    let preset = &app.scenario.preset;
    let lesson = app.model().lesson(preset);
    dom::set_text("lesson-title", lesson.map_or(preset, |l| l.title));
    dom::set_glossed_text("lesson-figure", lesson.map_or("", |l| l.figure));
    dom::set_glossed_text(
        "lesson-notice",
        &lesson.map_or(String::new(), |l| l.notice()),
    );
    dom::set_glossed_text(
        "lesson-paper",
        &lesson.map_or(String::new(), |l| format!("The paper: {}", l.paper)),
    );
}

/// The colour of a class: its own ([`class_color`]), else by its tone.
pub fn badge_color(label: &str, tone: Tone) -> Rgb {
    class_color(label).unwrap_or(match tone {
        Tone::Good => palette::GREEN,
        Tone::Bad => palette::VERMILLION,
        Tone::Mixed => palette::ORANGE,
    })
}

/// The response badge: the class's label on its class colour (set through
/// the CSSOM, which the page's Content-Security-Policy allows; `data-class`
/// names the class).
fn badge(metrics: Option<&dyn CourseMetrics>) {
    let Ok(badge) = dom::by_id("response") else {
        return;
    };
    match metrics.and_then(|m| m.class()) {
        Some(c) => {
            badge.set_text_content(Some(&crate::plot::display_label(c.label)));
            dom::attr(&badge, "data-class", c.label);
            dom::set_style(&badge, "--class-color", &hex(badge_color(c.label, c.tone)));
        }
        None => {
            badge.set_text_content(Some("–"));
            let _ = badge.remove_attribute("data-class");
            dom::set_style(&badge, "--class-color", "");
        }
    }
}

/// The indices panel, in the display units `units`: one `<dt>`/`<dd>`
/// pair per index, `data-index` its key. When the keys, labels and units
/// are those already shown (a slider move), only the values' text is
/// replaced: building the pairs again took ~1.2 ms of each move (issue 19).
fn indices(metrics: Option<&dyn CourseMetrics>, units: &str) -> Result<(), String> {
    let list = dom::by_id("indices-list")?;
    let texts: Vec<_> = metrics
        .map(|m| m.indices_in(units))
        .unwrap_or_default()
        .iter()
        .map(index_text)
        .collect();
    let layout: String = texts
        .iter()
        .map(|t| format!("{}\u{1f}{}\u{1f}{}\u{1e}", t.key, t.label, t.unit))
        .collect();
    if list.get_attribute("data-layout").as_deref() == Some(layout.as_str()) {
        let vals = list.get_elements_by_class_name("val");
        if vals.length() as usize == texts.len() {
            for (i, t) in texts.iter().enumerate() {
                if let Some(v) = vals.item(i as u32) {
                    if v.text_content().as_deref() != Some(t.value.as_str()) {
                        v.set_text_content(Some(&t.value));
                    }
                }
            }
            return Ok(());
        }
    }
    dom::clear(&list);
    for t in &texts {
        let pair = dom::el("div", "index", "")?;
        let dd = dom::el("dd", "", "")?;
        dom::attr(&dd, "data-index", t.key);
        dom::append(&dd, &dom::el("span", "val", &t.value)?);
        if !t.unit.is_empty() {
            dom::append(&dd, &dom::el("span", "unit", t.unit)?);
        }
        let dt = dom::el("dt", "", "")?;
        dom::set_glossed(&dt, t.label);
        dom::append(&pair, &dt);
        dom::append(&pair, &dd);
        dom::append(&list, &pair);
    }
    dom::attr(&list, "data-layout", &layout);
    Ok(())
}
