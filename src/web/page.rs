//! The page's loop, at the top of `src/web`'s module graph: it holds the
//! one [`App`] (the only page state, in the one `thread_local!` of the
//! page besides the job pool), takes every [`Msg`] through [`dispatch`] —
//! `update`, then [`draw`] of what the returned [`Redraw`] names — and
//! passes `dispatch` down to the views and jobs that send messages, so
//! nothing below imports this module.
//!
//! Redraws of the results are coalesced to one per animation frame (a
//! slider drag solves once per frame, however many `input` events come),
//! and the URL is written 150 ms after the last change.

use super::app::{self, App, Msg, Redraw};
use super::{bands, controls, data, dom, export, notes, results, runs, views};
use crate::model::Registry;
use std::cell::{Cell, OnceCell, RefCell};
use std::collections::VecDeque;
use wasm_bindgen::JsValue;

/// Milliseconds from the last change to the URL write.
const URL_DELAY_MS: i32 = 150;
/// Milliseconds from the first chart to the start of the bands' job.
const BANDS_DELAY_MS: i32 = 30;

/// The running page.
struct Runtime {
    app: RefCell<App>,
    /// Messages sent while one is being handled (handled in order after it).
    queue: RefCell<VecDeque<Msg>>,
    busy: Cell<bool>,
    frame_pending: Cell<bool>,
    url_pending: Cell<bool>,
}

thread_local! {
    static PAGE: OnceCell<Runtime> = const { OnceCell::new() };
}

fn with_page(f: impl FnOnce(&Runtime)) {
    PAGE.with(|p| {
        if let Some(rt) = p.get() {
            f(rt)
        }
    });
}

/// Handle a message: update the app, then draw what changed. A message
/// sent while another is handled (by a view or a job during drawing) is
/// queued and handled right after it.
pub fn dispatch(msg: Msg) {
    with_page(|rt| {
        rt.queue.borrow_mut().push_back(msg);
        if rt.busy.replace(true) {
            return;
        }
        loop {
            let next = rt.queue.borrow_mut().pop_front();
            let Some(msg) = next else { break };
            let started = dom::now_ms();
            let redraw = app::update(&mut rt.app.borrow_mut(), msg);
            let updated = dom::now_ms();
            draw(rt, &redraw, started, updated);
        }
        rt.busy.set(false);
    });
}

/// Build the page from the URL: the controls, the view and the link (the
/// first result is drawn by [`first_chart`], in a task of its own, so the
/// browser paints the controls first and no start-up task is long).
pub fn start() -> Result<(), String> {
    let query = dom::window()?.location().search().unwrap_or_default();
    let app = App::from_query(&query, Registry::builtin());
    controls::build_models(&app, dispatch)?;
    controls::wire_static(dispatch)?;
    export::wire(dispatch)?;
    views::wire(dispatch)?;
    runs::wire(dispatch)?;
    data::wire(dispatch)?;
    let window = dom::window()?;
    dom::on(&window, "resize", |_| dispatch(Msg::Resize));
    let rt = Runtime {
        app: RefCell::new(app),
        queue: RefCell::new(VecDeque::new()),
        busy: Cell::new(false),
        frame_pending: Cell::new(false),
        url_pending: Cell::new(false),
    };
    if PAGE.with(|p| p.set(rt).is_err()) {
        return Err("the page was started twice".into());
    }
    with_page(|rt| {
        // The link is written now, not after the debounce: the link field,
        // the embed snippet and embed mode's "open in cartsim" link are
        // right from the first paint.
        let first = Redraw {
            model: true,
            controls: true,
            messages: true,
            url_now: true,
            view: true,
            data: true,
            ..Redraw::default()
        };
        draw(rt, &first, 0.0, 0.0);
    });
    Ok(())
}

/// Solve and draw the first result (the second start-up task).
pub fn first_chart() {
    dispatch(Msg::Frame);
}

/// The start-up work nobody sees first, after the first chart (the third
/// task): term definitions in the static text, the glossary, and the
/// cohort bands' job (computed in workers).
pub fn finish_start() {
    dom::gloss_static();
    notes::glossary();
    let _ = dom::after(BANDS_DELAY_MS, || dispatch(Msg::StartBands));
}

/// Carry out a [`Redraw`]; `started`/`updated` time the update before it.
fn draw(rt: &Runtime, r: &Redraw, started: f64, updated: f64) {
    let app = rt.app.borrow();
    let mut errors = Vec::new();
    if r.model {
        if let Err(e) = rebuild_model(&app) {
            errors.push(e);
        }
        views::show_embed(app.embed.as_deref());
    } else if r.notes {
        notes::build(&app);
    }
    if r.model || r.controls {
        controls::sync(&app);
        results::lesson(&app);
    }
    if let Some(key) = &r.invalid {
        controls::mark_invalid(key);
    }
    if r.messages {
        controls::show_field_messages(&app);
    }
    if let Some(key) = &r.invalid {
        // The sentence under the field just refused, in view, and read
        // out once by screen readers (the live region).
        controls::reveal_message(key);
        dom::set_text("live", app.announce.as_deref().unwrap_or(""));
    } else if app.announce.is_none() {
        dom::set_text("live", "");
    }
    if r.view {
        views::show(app.view);
    }
    if r.runs || r.model {
        if let Err(e) = runs::show(&app, dispatch) {
            errors.push(e);
        }
    }
    if r.bands {
        bands::show_status(&app.bands);
    }
    if r.results {
        errors.extend(results::draw(&app));
    }
    if r.results || r.data {
        data::show(&app);
    }
    if r.fit {
        data::start_fit(&app, dispatch);
    }
    if r.messages {
        show_messages(&app);
    }
    if r.results {
        show_timing(started, updated);
    }
    if r.charts {
        request_frame(rt);
    }
    if r.url {
        schedule_url(rt);
    }
    if r.url_now || r.push_url {
        write_url(&app, r.push_url);
    }
    if r.start_bands {
        bands::start(dispatch);
    }
    if let Some(what) = r.export {
        export::run(&app, what, dispatch);
    }
    if r.copy_link {
        export::copy_link(&app);
    }
    drop(app);
    if !errors.is_empty() {
        // Handled after this message, by the loop in `dispatch`.
        dispatch(Msg::DrawFailed(errors.join("; ")));
    }
}

/// Rebuild the controls that depend on the model; show or hide the band
/// section (shown when the model has band factors).
fn rebuild_model(app: &App) -> Result<(), String> {
    let model = app.model();
    if let Some(body) = dom::document()?.body() {
        dom::attr(&body, "data-model", model.id());
    }
    notes::build(app);
    dom::set_hidden("bands-section", model.band_factors().is_empty());
    data::build_model(app)?;
    controls::build_model(app, dispatch)
}

/// Put the current problems and failure in `#error`, as text; mark the
/// results "not current" while there is a failure.
fn show_messages(app: &App) {
    let lines = app.messages();
    if let Ok(e) = dom::by_id(dom::ERROR_ID) {
        dom::clear(&e);
        for l in &lines {
            if let Ok(p) = dom::el("span", "msg", l) {
                dom::append(&e, &p);
            }
        }
    }
    dom::set_hidden(dom::ERROR_ID, lines.is_empty());
    if let Ok(r) = dom::by_id("results") {
        dom::toggle_class(&r, "stale", app.failure.is_some());
    }
}

/// The time of the last update (solve) and redraw, above the charts.
fn show_timing(started: f64, updated: f64) {
    let done = dom::now_ms();
    if let Ok(t) = dom::by_id("timing") {
        let total = done - started;
        t.set_text_content(Some(&format!(
            "updated in {total:.1} ms (solve {:.1} + draw {:.1})",
            updated - started,
            done - updated
        )));
        dom::attr(&t, "data-ms", &format!("{total:.3}"));
        dom::attr(&t, "data-solve-ms", &format!("{:.3}", updated - started));
    }
}

/// Solve and draw at the next animation frame (many requests, one redraw).
fn request_frame(rt: &Runtime) {
    if rt.frame_pending.replace(true) {
        return;
    }
    let frame = || {
        with_page(|rt| rt.frame_pending.set(false));
        dispatch(Msg::Frame);
    };
    if dom::next_frame(frame).is_err() {
        rt.frame_pending.set(false);
        dispatch(Msg::Frame);
    }
}

/// Write the URL shortly (coalesces a slider drag into a few writes).
fn schedule_url(rt: &Runtime) {
    if rt.url_pending.replace(true) {
        return;
    }
    let due = || {
        with_page(|rt| rt.url_pending.set(false));
        dispatch(Msg::WriteUrl);
    };
    if dom::after(URL_DELAY_MS, due).is_err() {
        rt.url_pending.set(false);
        dispatch(Msg::WriteUrl);
    }
}

/// Put the scenario, the view and the view's job form values in the
/// address bar (`push`: as a new history entry), and the scenario's link
/// in the link field.
fn write_url(app: &App, push: bool) {
    let suffix = match &app.embed {
        Some(controls) => app::PageLink::embed_suffix(controls),
        None => views::link_suffix(app.view),
    };
    let q = format!(
        "?{}{}{}{suffix}",
        app.scenario.to_query(),
        app.runs_query(),
        app.data_query()
    );
    if let Ok(h) = dom::window().and_then(|w| w.history().map_err(|e| dom::js_text(&e))) {
        let _ = if push {
            h.push_state_with_url(&JsValue::NULL, "", Some(&q))
        } else {
            h.replace_state_with_url(&JsValue::NULL, "", Some(&q))
        };
    }
    if let Some(l) = export::link(app) {
        export::show_link(app, &l);
    }
}
