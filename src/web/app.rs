//! The page's state and its update cycle. One [`App`] holds the current
//! [`Scenario`] (the single source of truth, mirrored in the URL), the last
//! good result and the cohort bands. Every user change goes through
//! [`apply`], which validates it with the scenario codec exactly like a URL
//! key; redraws are coalesced to one per animation frame; a failed solve is
//! reported in `#error` and the last good charts stay, marked "not current".

use super::bands::{self, BandState};
use super::charts::{self, View};
use super::dom;
use super::indices::{self, Row};
use super::{chart, controls};
use crate::analysis::metrics::{ClassifySettings, Metrics};
use crate::cohort::bands::Factor;
use crate::model::marrow::STATE_NAMES;
use crate::model::registry::{Registry, CLINICAL};
use crate::model::{clinical, Sampling, SimTable};
use crate::scenario::{lessons, Catalog, Problem, Scenario};
use crate::solver::Observer;
use crate::sweep::marrow::{Metrics as MarrowMetrics, Tracker, RESPONSE_DAY};
use std::cell::RefCell;
use wasm_bindgen::JsValue;

/// Output rows per simulation drawn (the charts' resolution).
const CHART_ROWS: f64 = 800.0;

/// The last successful computation.
#[derive(Debug, Clone)]
pub struct Computed {
    /// The scenario it was computed for.
    pub scenario: Scenario,
    /// The trajectory.
    pub table: SimTable,
    /// Clinical metrics.
    pub metrics: Option<Metrics>,
    /// Marrow metrics.
    pub marrow: Option<MarrowMetrics>,
    /// The indices panel rows.
    pub rows: Vec<Row>,
}

/// Everything the page knows.
#[derive(Debug)]
pub struct App {
    /// The models.
    pub cat: Registry,
    /// The current scenario.
    pub scenario: Scenario,
    /// Refused input, by key (shown in `#error` until that key is set again).
    pub problems: Vec<Problem>,
    /// Why the last solve failed, if it did.
    pub failure: Option<String>,
    /// The last good result.
    pub last: Option<Computed>,
    /// Log y axes.
    pub log_y: bool,
    /// The cohort bands.
    pub bands: BandState,
    frame_pending: bool,
    url_pending: bool,
}

thread_local! {
    static APP: RefCell<Option<App>> = const { RefCell::new(None) };
}

/// Run `f` on the app (None before [`start`]).
pub fn with<R>(f: impl FnOnce(&mut App) -> R) -> Option<R> {
    APP.with(|a| a.try_borrow_mut().ok()?.as_mut().map(f))
}

/// Build the page from the URL and draw the first result; the cohort bands
/// are computed afterwards, in slices, so the first paint stays fast.
pub fn start() -> Result<(), String> {
    let cat = Registry;
    let query = dom::window()?.location().search().unwrap_or_default();
    let (scenario, problems) = Scenario::from_query(&query, &cat);
    let app = App {
        cat,
        scenario,
        problems,
        failure: None,
        last: None,
        log_y: true,
        bands: BandState::Idle,
        frame_pending: false,
        url_pending: false,
    };
    controls::build_models(&app)?;
    controls::wire_static();
    super::export::wire();
    super::notes::wire();
    let window: web_sys::EventTarget = dom::window()?.into();
    dom::on(&window, "resize", |_| request_render());
    APP.with(|a| *a.borrow_mut() = Some(app));
    rebuild_model_controls();
    render();
    write_url();
    dom::after(30, bands::start)?;
    Ok(())
}

/// Rebuild the controls that depend on the model, then sync every control.
fn rebuild_model_controls() {
    with(|app| {
        if let Some(body) = dom::document().ok().and_then(|d| d.body()) {
            dom::attr(&body, "data-model", &app.scenario.model);
        }
        let r = controls::build_presets(app)
            .and_then(|_| controls::build_params(app))
            .and_then(|_| controls::build_options(app));
        if let Err(e) = r {
            app.failure = Some(e);
        }
        super::notes::build(app);
        let clinical = app.scenario.model == CLINICAL;
        dom::set_hidden("bands-section", !clinical);
        controls::sync(app);
    });
}

/// Apply `key=text` as the URL decoder would: on success the scenario
/// changes and the charts are redrawn; on failure the problem (naming the
/// key and the allowed range) is shown and the value stays as it was.
pub fn apply(key: &str, text: &str) {
    let ok = with(|app| {
        let mut pairs: Vec<(String, String)> =
            form_urlencoded::parse(app.scenario.to_query(&app.cat).as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .filter(|(k, _)| k != key)
                .collect();
        pairs.push((key.to_string(), text.to_string()));
        let query = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(&pairs)
            .finish();
        let (s, mut problems) = Scenario::from_query(&query, &app.cat);
        app.problems.retain(|p| p.key != key);
        let ok = problems.is_empty();
        if ok {
            app.scenario = s;
        } else {
            app.problems.append(&mut problems);
        }
        controls::sync(app);
        if !ok {
            controls::mark_invalid(key);
        }
        ok
    })
    .unwrap_or(false);
    show_messages();
    if ok {
        request_render();
        schedule_url();
    }
}

/// A slider moved: set the value directly (it is in range by construction).
pub fn set_from_slider(spec: &'static crate::model::params::ParamSpec, v: f64) {
    with(|app| {
        let preset = app
            .cat
            .preset_value(&app.scenario.model, &app.scenario.preset, spec.name);
        if preset == Some(v) {
            app.scenario.values.remove(spec.name);
        } else {
            app.scenario.values.insert(spec.name.to_string(), v);
        }
        app.problems.retain(|p| p.key != spec.name);
        controls::sync(app);
    });
    request_render();
    schedule_url();
}

/// Reset one parameter to the scenario's (preset's) value.
pub fn reset(name: &str) {
    with(|app| {
        app.scenario.values.remove(name);
        app.problems.retain(|p| p.key != name);
        controls::sync(app);
    });
    show_messages();
    request_render();
    schedule_url();
}

/// Reset every parameter of the scenario.
pub fn reset_all() {
    with(|app| {
        app.scenario.values.clear();
        app.problems.clear();
        controls::sync(app);
    });
    show_messages();
    request_render();
    schedule_url();
}

/// Switch to a preset of the current model (solver settings and units stay).
pub fn choose_preset(name: &str) {
    with(|app| {
        let mut s = Scenario::preset(&app.scenario.model, name);
        s.solver = app.scenario.solver;
        s.rtol = app.scenario.rtol;
        s.atol = app.scenario.atol;
        s.dt = app.scenario.dt;
        s.units = app.scenario.units.clone();
        app.scenario = s;
        app.problems.clear();
        controls::sync(app);
    });
    show_messages();
    request_render();
    schedule_url();
}

/// Switch model (to its first preset).
pub fn choose_model(model: &str) {
    let changed = with(|app| {
        if app.scenario.model == model || !app.cat.available(model) {
            return false;
        }
        let first = app.cat.presets(model).first().copied().unwrap_or("");
        app.scenario = Scenario::preset(model, first);
        app.problems.clear();
        app.last = None;
        true
    })
    .unwrap_or(false);
    if changed {
        rebuild_model_controls();
        show_messages();
        request_render();
        schedule_url();
    }
}

/// Load a whole scenario (from an uploaded file), with its problems.
pub fn load(s: Scenario, problems: Vec<Problem>) {
    let model_changed = with(|app| {
        let changed = app.scenario.model != s.model;
        app.scenario = s;
        app.problems = problems;
        changed
    })
    .unwrap_or(false);
    if model_changed {
        rebuild_model_controls();
    } else {
        with(|app| controls::sync(app));
    }
    show_messages();
    request_render();
    schedule_url();
}

/// Show a problem that is not tied to a scenario key (e.g. a failed download).
pub fn notice(key: &str, message: String) {
    with(|app| {
        app.problems.retain(|p| p.key != key);
        app.problems.push(Problem {
            key: key.into(),
            message,
        });
    });
    show_messages();
}

/// Switch log/linear y axes.
pub fn set_log_y(on: bool) {
    with(|app| app.log_y = on);
    request_render();
}

/// Redraw at the next animation frame (many requests, one redraw).
pub fn request_render() {
    let first = with(|app| !std::mem::replace(&mut app.frame_pending, true)).unwrap_or(false);
    if first && dom::next_frame(render).is_err() {
        render();
    }
}

/// Write the URL shortly (coalesces a slider drag into a few writes).
pub fn schedule_url() {
    let first = with(|app| !std::mem::replace(&mut app.url_pending, true)).unwrap_or(false);
    if first && dom::after(150, write_url).is_err() {
        write_url();
    }
}

/// The shareable address of the current scenario.
pub fn link() -> Option<String> {
    let q = with(|app| app.scenario.to_query(&app.cat))?;
    let loc = dom::window().ok()?.location();
    Some(format!(
        "{}{}?{q}",
        loc.origin().ok()?,
        loc.pathname().ok()?
    ))
}

fn write_url() {
    let q = with(|app| {
        app.url_pending = false;
        app.scenario.to_query(&app.cat)
    });
    let Some(q) = q else { return };
    if let Ok(w) = dom::window() {
        if let Ok(h) = w.history() {
            let _ = h.replace_state_with_url(&JsValue::NULL, "", Some(&format!("?{q}")));
        }
    }
    if let (Some(l), Ok(i)) = (link(), dom::input("link")) {
        i.set_value(&l);
    }
}

/// Put the current problems and failure in `#error`, as text.
pub fn show_messages() {
    let lines = with(|app| {
        let mut lines: Vec<String> = app.problems.iter().map(|p| p.message.clone()).collect();
        if let Some(f) = &app.failure {
            lines.push(f.clone());
        }
        lines
    })
    .unwrap_or_default();
    if let Ok(e) = dom::by_id("error") {
        dom::clear(&e);
        for l in &lines {
            if let Ok(p) = dom::el("span", "msg", l) {
                dom::append(&e, &p);
            }
        }
        if let Ok(h) = dom::by_id_as::<web_sys::HtmlElement>("error") {
            h.set_hidden(lines.is_empty());
        }
    }
}

/// Fit a canvas's pixel size to its CSS size × devicePixelRatio; None when
/// it is not displayed.
pub(crate) fn fit_canvas(id: &str) -> Option<f64> {
    let c: web_sys::HtmlCanvasElement = dom::by_id_as(id).ok()?;
    let (w, h) = (c.client_width(), c.client_height());
    if w <= 0 || h <= 0 {
        return None;
    }
    let r = dom::pixel_ratio();
    let (pw, ph) = ((w as f64 * r).round() as u32, (h as f64 * r).round() as u32);
    if c.width() != pw || c.height() != ph {
        c.set_width(pw);
        c.set_height(ph);
    }
    Some(r)
}

/// Output step: about [`CHART_ROWS`] rows, with day 30 (the marrow
/// model's response day) on the grid.
fn output_step(t_end: f64) -> f64 {
    let dt = t_end / CHART_ROWS;
    if t_end >= RESPONSE_DAY {
        RESPONSE_DAY / (RESPONSE_DAY / dt).ceil()
    } else {
        dt
    }
}

fn classify_for(t_end: f64) -> ClassifySettings {
    ClassifySettings {
        horizon: t_end,
        ..ClassifySettings::default()
    }
}

/// Solve the current scenario and redraw everything.
pub fn render() {
    let started = dom::now_ms();
    let Some((model, req, t_end, scenario)) = with(|app| {
        app.frame_pending = false;
        let t_end = app.scenario.t_end.unwrap_or_else(|| {
            app.cat
                .default_t_end(&app.scenario.model, &app.scenario.preset)
        });
        let req = app
            .scenario
            .to_request(&app.cat, Sampling::Every(output_step(t_end)));
        (app.scenario.model.clone(), req, t_end, app.scenario.clone())
    }) else {
        return;
    };
    let classify = classify_for(t_end);
    let cat = Registry;
    let result = cat.simulate(&model, &req).and_then(|table| {
        let metrics = if model == CLINICAL {
            Some(clinical::metrics(&req, classify)?)
        } else {
            None
        };
        Ok((table, metrics))
    });
    let solved = dom::now_ms();
    let outcome = with(|app| match result {
        Ok((table, metrics)) => {
            let marrow = if metrics.is_none() {
                marrow_metrics(&table, t_end)
            } else {
                None
            };
            let rows = match &metrics {
                Some(m) => indices::clinical_rows(m),
                None => indices::marrow_rows(marrow.as_ref(), &table),
            };
            app.failure = None;
            app.last = Some(Computed {
                scenario,
                table,
                metrics,
                marrow,
                rows,
            });
            draw(app, classify, t_end)
        }
        Err(e) => {
            app.failure = Some(format!(
                "The simulation failed: {e}. The charts show the last good result, which is not current."
            ));
            // Redraw the last good result (e.g. after a resize), still marked stale.
            if let Some(last) = &app.last {
                let te = last.scenario.t_end.unwrap_or(t_end);
                let _ = draw(app, classify_for(te), te);
            }
            Err(())
        }
    });
    let current = matches!(outcome, Some(Ok(())));
    if let Ok(r) = dom::by_id("results") {
        dom::toggle_class(&r, "stale", !current);
    }
    show_messages();
    let done = dom::now_ms();
    if let Ok(t) = dom::by_id("timing") {
        let total = done - started;
        t.set_text_content(Some(&format!(
            "updated in {total:.1} ms (solve {:.1} + draw {:.1})",
            solved - started,
            done - solved
        )));
        dom::attr(&t, "data-ms", &format!("{total:.3}"));
        dom::attr(&t, "data-solve-ms", &format!("{:.3}", solved - started));
    }
}

/// Marrow metrics of a table (its rows fed to the core's tracker).
fn marrow_metrics(table: &SimTable, t_end: f64) -> Option<MarrowMetrics> {
    let states = table
        .columns
        .iter()
        .skip(1)
        .take_while(|c| STATE_NAMES.contains(&c.as_str()))
        .count();
    let mut tracker = Tracker::new(t_end);
    for i in 0..table.n_rows() {
        let r = table.row(i);
        tracker.observe(r[0], &r[1..1 + states]);
    }
    tracker.metrics()
}

/// Draw the last result: charts, badge, indices, lesson, solver statistics.
fn draw(app: &mut App, classify: ClassifySettings, t_end: f64) -> Result<(), ()> {
    let Some(last) = &app.last else {
        return Err(());
    };
    let view = View {
        model: &last.scenario.model,
        table: &last.table,
        metrics: last.metrics.as_ref(),
        marrow: last.marrow.as_ref(),
        classify,
        units: &last.scenario.units,
        log_y: app.log_y,
        t_end,
    };
    let mut errors = Vec::new();
    for (id, c) in [
        (super::CHART_ID, charts::tumour(&view)),
        ("chart-cart", charts::car_t(&view)),
    ] {
        if let Some(ratio) = fit_canvas(id) {
            if let Err(e) = chart::draw_time(chart::Surface { id, ratio }, &c) {
                errors.push(e);
            }
        }
    }
    if let (BandState::Ready(b), Some(m)) = (&app.bands, &last.metrics) {
        for (id, factor, bands, x) in [
            ("chart-ft", Factor::Ft, &b.ft, m.ft),
            ("chart-fp", Factor::Fp, &b.fp, m.fp),
        ] {
            if let Some(ratio) = fit_canvas(id) {
                let c = charts::bands(bands, factor, Some(x));
                if let Err(e) = chart::draw_bands(chart::Surface { id, ratio }, &c) {
                    errors.push(e);
                }
            }
        }
        let ft_class = b.ft.most_likely(m.ft).unwrap_or("–");
        let fp_class = b.fp.most_likely(m.fp).unwrap_or("–");
        dom::set_text(
            "bands-reading",
            &format!("Most likely class for this patient: {ft_class} by FT, {fp_class} by FP."),
        );
    }
    // Badge.
    if let Ok(badge) = dom::by_id("response") {
        let (text, class) = match &last.metrics {
            Some(m) => (
                m.response.as_str().to_string(),
                class_of(m.response.as_str()),
            ),
            None => (
                last.rows
                    .iter()
                    .find(|r| r.key == "responder")
                    .map(|r| {
                        if r.value == "yes" {
                            "responder".to_string()
                        } else {
                            "non-responder".to_string()
                        }
                    })
                    .unwrap_or_else(|| "–".into()),
                "badge",
            ),
        };
        badge.set_text_content(Some(&text));
        badge.set_class_name(class);
    }
    // Indices.
    if let Ok(list) = dom::by_id("indices-list") {
        dom::clear(&list);
        for r in &last.rows {
            let pair = dom::el("div", "index", "").map_err(|_| ())?;
            let dt = dom::el("dt", "", r.label).map_err(|_| ())?;
            let dd = dom::el("dd", "", "").map_err(|_| ())?;
            dom::attr(&dd, "data-index", r.key);
            dom::append(&dd, &dom::el("span", "val", &r.value).map_err(|_| ())?);
            if !r.unit.is_empty() {
                dom::append(&dd, &dom::el("span", "unit", r.unit).map_err(|_| ())?);
            }
            dom::append(&pair, &dt);
            dom::append(&pair, &dd);
            dom::append(&list, &pair);
        }
    }
    // Lesson.
    let lesson = lessons::lesson(&last.scenario.model, &last.scenario.preset);
    dom::set_text(
        "lesson-title",
        lesson.map_or(&last.scenario.preset, |l| l.title),
    );
    dom::set_text("lesson-figure", lesson.map_or("", |l| l.figure));
    dom::set_text("lesson-notice", lesson.map_or("", |l| l.notice));
    dom::set_text(
        "lesson-paper",
        &lesson.map_or(String::new(), |l| format!("The paper: {}", l.paper)),
    );
    // Solver statistics.
    let st = &last.table.stats;
    dom::set_text(
        "solver-stats",
        &format!(
            "{} steps accepted, {} rejected, {} right-hand-side evaluations, {} events",
            st.accepted, st.rejected, st.rhs_evals, st.events
        ),
    );
    if errors.is_empty() {
        Ok(())
    } else {
        app.failure = Some(errors.join("; "));
        Err(())
    }
}

fn class_of(response: &str) -> &'static str {
    match response {
        "CR" => "badge cr",
        "NR" => "badge nr",
        _ => "badge relapse",
    }
}

/// The bands finished: store them and redraw.
pub fn bands_ready(state: BandState) {
    with(|app| app.bands = state);
    request_render();
}
