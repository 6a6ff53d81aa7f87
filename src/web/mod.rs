//! The browser front end (wasm only): the single-patient simulator page
//! and the job panels. A thin layer over the core: it decodes the scenario
//! from the URL ([`crate::scenario`]), asks its model for a course and the
//! course's charts, indices and class ([`crate::model::Model`]), runs jobs
//! in Web Workers ([`crate::jobs`]) and draws. Nothing scientific is
//! computed here, and no model is named: everything goes through the model
//! interface.
//!
//! The modules, from the bottom of the import graph up (each imports only
//! modules listed before it; `tests/e2e/modules.test.mjs` checks there is
//! no cycle):
//!
//! - [`dom`]: DOM helpers, timers, the clock, downloads (text only, never
//!   HTML); [`backend`]: the canvas backend for plotters; [`canvas`]:
//!   canvas sizing and look-ups; [`format`]: how numbers read;
//!   [`summary`]: the charts' text alternatives (their numbers in words);
//! - [`chart`]: drawing with plotters; [`linechart`]: simple line charts;
//! - [`app`]: the state, the messages and the update (no DOM);
//! - [`jobs`]: the Web Worker pool; [`worker`]: the worker side;
//! - views: [`controls`], [`notes`], [`export`], [`results`], [`bands`]
//!   (the cohort behind the FT/FP bands, scored in workers), [`views`]
//!   (the tabs, the view and job forms in the link); [`data`] (the
//!   simulator's Data panel: measurements, residuals, a fit in a worker);
//! - [`page`]: the loop — dispatch, update, draw;
//! - [`panels`]: the trial, prediction and sweep panels (jobs in workers).

pub mod app;
pub mod backend;
pub mod bands;
pub mod canvas;
pub mod chart;
pub mod controls;
pub mod data;
pub mod dom;
pub mod export;
pub mod format;
pub mod jobs;
pub mod layers;
pub mod linechart;
pub mod notes;
pub mod page;
pub mod panels;
pub mod qr;
pub mod results;
pub mod runs;
pub mod summary;
pub mod views;
pub mod worker;

/// Name of the `performance.mark` set when the first chart has been drawn
/// (read by `cargo xtask bench-browser` for the time from navigation to
/// the first chart).
pub const FIRST_CHART_MARK: &str = "cartsim:first-chart";

/// The module's entry point (`src/bin/cartsim-web.rs`): the page in a
/// window, a job worker in a dedicated Web Worker. One WebAssembly module
/// serves both (`www/worker.js` starts the page's own module in each
/// worker), so the science the jobs run is downloaded once, not twice.
pub fn main() {
    if web_sys::window().is_some() {
        start();
    } else {
        worker::start();
    }
}

/// Start the page: install the panic hook and build the app; any failure
/// is shown in the `#error` element.
pub fn start() {
    console_error_panic_hook::set_once();
    dom::expose_memory();
    // The one colour per response class, for readers and tests.
    if let Some(body) = dom::document().ok().and_then(|d| d.body()) {
        dom::attr(
            &body,
            "data-class-colors",
            &crate::plot::class_colors_json(),
        );
    }
    // The link as opened (the first draw rewrites it).
    let query = dom::window()
        .ok()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default();
    // Start-up in three tasks, so none blocks the page for long and the
    // browser paints in between: the controls; the first chart; the rest.
    if let Err(msg) = page::start() {
        dom::show_error(&msg);
        return;
    }
    let rest = move || {
        page::finish_start();
        // The cohort, prediction and sweep panels (jobs in Web Workers),
        // then the link's values for their forms.
        panels::start();
        views::apply_link_forms(&query);
        page::dispatch(app::Msg::FormChanged);
    };
    let first = move || {
        page::first_chart();
        dom::mark(FIRST_CHART_MARK);
        if dom::after(0, rest).is_err() {
            dom::show_error("the page could not finish starting (no timers)");
        }
    };
    if dom::after(0, first).is_err() {
        dom::show_error("the page could not draw its first chart (no timers)");
    }
}
