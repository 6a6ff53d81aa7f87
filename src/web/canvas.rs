//! Canvas helpers in one place: size a `<canvas>` to its CSS box times the
//! device pixel ratio (so charts stay crisp on HiDPI screens), and get the
//! element, its plotters backend or its 2-D context by id. Every chart of
//! the page (simulator and job panels) goes through these.

use super::backend::Canvas as CanvasBackend;
use super::dom;
use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

/// The `<canvas>` with this id.
pub fn element(id: &str) -> Result<HtmlCanvasElement, String> {
    dom::by_id_as(id)
}

/// Fit a canvas's pixel size to its CSS size × devicePixelRatio and return
/// the ratio; `None` when it is not displayed (no CSS size), when nothing
/// should be drawn on it.
pub fn fit(id: &str) -> Option<f64> {
    let c = element(id).ok()?;
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

/// [`fit`], or ratio 1 for a canvas in a hidden panel (it has no CSS size
/// yet, so it is drawn at its own `width` × `height`).
pub fn fit_or_own(id: &str) -> f64 {
    fit(id).unwrap_or(1.0)
}

/// The plotters backend of the canvas with this id.
pub fn backend(id: &str) -> Result<CanvasBackend, String> {
    CanvasBackend::new(id).ok_or_else(|| format!("no <canvas id=\"{id}\"> on the page"))
}

/// The 2-D context of the canvas with this id.
pub fn context_2d(id: &str) -> Result<CanvasRenderingContext2d, String> {
    context_of(&element(id)?).ok_or_else(|| format!("#{id} has no 2-D context"))
}

/// The 2-D context of a canvas element (on the page or off it).
pub fn context_of(canvas: &HtmlCanvasElement) -> Option<CanvasRenderingContext2d> {
    canvas
        .get_context("2d")
        .ok()
        .flatten()
        .and_then(|c| c.dyn_into::<CanvasRenderingContext2d>().ok())
}

/// A new canvas off the page (300 × 150 until sized).
pub fn create() -> Result<HtmlCanvasElement, String> {
    dom::el("canvas", "", "")?
        .dyn_into()
        .map_err(|_| "cannot create a canvas".to_string())
}
