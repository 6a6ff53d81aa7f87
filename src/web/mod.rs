//! The browser front end (wasm only): the single-patient simulator page.
//! A thin layer over the core: it decodes the scenario from the URL
//! ([`crate::scenario`]), simulates it ([`crate::model::registry`]), scores
//! it ([`crate::analysis::metrics`]), fetches cohort bands
//! ([`crate::cohort::bands`]) and draws. Nothing scientific is computed here.
//!
//! - [`app`]: state, update cycle, URL, messages;
//! - [`controls`]: controls generated from the parameter descriptions;
//! - [`charts`]: what each chart shows; [`chart`]: drawing with plotters;
//! - [`indices`]: the indices panel and its CSV;
//! - [`bands`]: the cohort behind the FT/FP bands, computed lazily;
//! - [`export`]: CSV, PNG, JSON, copy link; [`notes`]: the model notes view;
//! - [`dom`]: small DOM helpers (text only, never HTML); [`backend`]: the
//!   canvas backend for plotters (text measured without touching the DOM).

pub mod app;
pub mod backend;
pub mod bands;
pub mod chart;
pub mod charts;
pub mod controls;
pub mod dom;
pub mod export;
pub mod indices;
pub mod notes;
// Issue 6: jobs in Web Workers and the panels that use them.
pub mod jobs;
pub mod linechart;
pub mod panels;
pub mod worker;

/// Id of the main chart's `<canvas>` (the tumour chart).
pub const CHART_ID: &str = "chart-main";
/// Id of the element that shows errors (as text).
pub const ERROR_ID: &str = "error";

/// Start the page: install the panic hook and build the app; any failure
/// is shown in the `#error` element.
pub fn start() {
    console_error_panic_hook::set_once();
    expose_memory();
    // app::start draws the first chart before it returns.
    match app::start() {
        Ok(()) => mark(FIRST_CHART_MARK),
        Err(msg) => show_error(&msg),
    }
    // The cohort, prediction and sweep panels (jobs in Web Workers).
    panels::start();
}

/// Publish this module's WebAssembly memory as `globalThis.cartsimMemory`
/// (on the page and in each worker), so tests and curious users can watch
/// `cartsimMemory.buffer.byteLength` stay bounded over repeated jobs.
pub fn expose_memory() {
    let _ = js_sys::Reflect::set(
        &js_sys::global(),
        &"cartsimMemory".into(),
        &wasm_bindgen::memory(),
    );
}

/// Name of the `performance.mark` set when the first chart has been drawn
/// (read by `cargo xtask bench-browser` for the time from navigation to
/// the first chart).
pub const FIRST_CHART_MARK: &str = "cartsim:first-chart";

/// `performance.mark(name)`, if the page has a Performance API (ignored otherwise).
pub fn mark(name: &str) {
    use wasm_bindgen::JsCast;
    let Some(window) = web_sys::window() else {
        return;
    };
    let perf = js_sys::Reflect::get(&window, &"performance".into()).ok();
    let mark = perf
        .as_ref()
        .and_then(|p| js_sys::Reflect::get(p, &"mark".into()).ok())
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok());
    if let (Some(p), Some(f)) = (perf, mark) {
        let _ = f.call1(&p, &name.into());
    }
}

/// Put `msg` in the `#error` element as plain text (never HTML) and
/// unhide it; also log it to the console.
pub fn show_error(msg: &str) {
    web_sys::console::error_1(&msg.into());
    let element = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(ERROR_ID));
    if let Some(el) = element {
        el.set_text_content(Some(msg));
        let _ = el.remove_attribute("hidden");
    }
}
