//! The browser front end (wasm only). For now one page that proves the
//! chain Rust solver → WebAssembly → canvas: logistic growth solved with
//! Dormand–Prince next to its exact solution. Drawing lives in [`chart`].

pub mod chart;
// Issue 6: jobs in Web Workers and the panels that use them.
pub mod jobs;
pub mod panels;
pub mod worker;

use crate::solver::reference::Logistic;
use crate::solver::{solve, Settings};
use chart::{LineChart, Mark, Series};
use wasm_bindgen::JsCast;

/// Id of the main chart's `<canvas>`.
pub const CHART_ID: &str = "chart-main";
/// Id of the element that shows errors (as text).
pub const ERROR_ID: &str = "error";

/// Start the page: install the panic hook, solve, draw; any failure is
/// shown in the `#error` element.
pub fn start() {
    console_error_panic_hook::set_once();
    match run() {
        Ok(()) => mark(FIRST_CHART_MARK),
        Err(msg) => show_error(&msg),
    }
}

/// Name of the `performance.mark` set when the first chart has been drawn
/// (read by `cargo xtask bench-browser` for the time from navigation to
/// the first chart).
pub const FIRST_CHART_MARK: &str = "cartsim:first-chart";

/// `performance.mark(name)`, if the page has a Performance API (ignored otherwise).
pub fn mark(name: &str) {
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
    panels::start();
}

/// Solve the demonstration problem and draw it.
fn run() -> Result<(), String> {
    let sys = Logistic { r: 0.8, k: 100.0 };
    let (y0, t1) = (1.0, 14.0);
    let sol =
        solve(&sys, 0.0, &[y0], t1, &Settings::dopri5(1e-6, 1e-9)).map_err(|e| e.to_string())?;
    let numeric: Vec<(f64, f64)> = sol
        .trajectory
        .t
        .iter()
        .copied()
        .zip(sol.trajectory.component(0))
        .collect();
    let exact: Vec<(f64, f64)> = crate::solver::linspace(0.0, t1, 200)
        .into_iter()
        .map(|t| (t, sys.exact(y0, t)))
        .collect();
    let chart = LineChart {
        title: "Logistic growth, y' = r y (1 - y/K)".into(),
        x_label: "time (days)".into(),
        y_label: "population y".into(),
        series: vec![
            Series {
                label: "exact solution".into(),
                points: exact,
                mark: Mark::Line,
                color: (31, 119, 180),
            },
            Series {
                label: format!("Dormand-Prince, {} steps", sol.outcome.stats.accepted),
                points: numeric,
                mark: Mark::Dots,
                color: (214, 39, 40),
            },
        ],
    };
    chart::draw(CHART_ID, &chart)
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
