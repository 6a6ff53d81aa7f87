//! A plotters drawing backend for `<canvas>` that measures text with the
//! canvas itself (`measureText`). plotters' default text measurement in
//! wasm appends a `<span style=…>` to the page for every label, which a
//! strict Content-Security-Policy (`style-src 'self'`) blocks and which
//! forces a page layout per label (tens of ms per chart). Everything else
//! is delegated to [`CanvasBackend`].

use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingBackend, DrawingErrorKind,
};
use plotters_canvas::CanvasBackend;
use std::cell::RefCell;
use std::collections::HashMap;
use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

/// plotters-canvas's error type (not exported by name).
type CanvasError = <CanvasBackend as DrawingBackend>::ErrorType;

/// Text widths measured so far, by font and text: the same tick labels,
/// titles and legends are measured on every redraw, and setting the
/// canvas's font to measure costs more than the look-up.
type Widths = HashMap<(String, String), f64>;

thread_local! {
    static WIDTHS: RefCell<Widths> = RefCell::new(HashMap::new());
}

/// Entries kept before the cache starts afresh.
const MAX_WIDTHS: usize = 4096;

/// [`CanvasBackend`] with canvas-based text measurement.
pub struct Canvas {
    inner: CanvasBackend,
    ctx: CanvasRenderingContext2d,
}

impl Canvas {
    /// The backend for the canvas with this id, if there is one.
    pub fn new(id: &str) -> Option<Canvas> {
        let canvas: HtmlCanvasElement = web_sys::window()?
            .document()?
            .get_element_by_id(id)?
            .dyn_into()
            .ok()?;
        Canvas::from_element(canvas)
    }

    /// The backend for this canvas element (on the page or off it).
    pub fn from_element(canvas: HtmlCanvasElement) -> Option<Canvas> {
        let ctx: CanvasRenderingContext2d = canvas.get_context("2d").ok()??.dyn_into().ok()?;
        let inner = CanvasBackend::with_canvas_object(canvas)?;
        Some(Canvas { inner, ctx })
    }
}

impl DrawingBackend for Canvas {
    type ErrorType = CanvasError;

    fn get_size(&self) -> (u32, u32) {
        self.inner.get_size()
    }
    fn ensure_prepared(&mut self) -> Result<(), DrawingErrorKind<CanvasError>> {
        self.inner.ensure_prepared()
    }
    fn present(&mut self) -> Result<(), DrawingErrorKind<CanvasError>> {
        self.inner.present()
    }
    fn draw_pixel(
        &mut self,
        point: BackendCoord,
        color: BackendColor,
    ) -> Result<(), DrawingErrorKind<CanvasError>> {
        self.inner.draw_pixel(point, color)
    }
    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Result<(), DrawingErrorKind<CanvasError>> {
        self.inner.draw_line(from, to, style)
    }
    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<CanvasError>> {
        self.inner.draw_rect(upper_left, bottom_right, style, fill)
    }
    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<CanvasError>> {
        self.inner.draw_path(path, style)
    }
    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<CanvasError>> {
        self.inner.fill_polygon(vert, style)
    }
    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<CanvasError>> {
        self.inner.draw_circle(center, radius, style, fill)
    }
    fn draw_text<S: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &S,
        pos: BackendCoord,
    ) -> Result<(), DrawingErrorKind<CanvasError>> {
        self.inner.draw_text(text, style, pos)
    }
    fn estimate_text_size<S: BackendTextStyle>(
        &self,
        text: &str,
        style: &S,
    ) -> Result<(u32, u32), DrawingErrorKind<CanvasError>> {
        // The same font string CanvasBackend::draw_text sets.
        let font = format!(
            "{} {}px {}",
            style.style().as_str(),
            style.size(),
            style.family().as_str()
        );
        let key = (font, text.to_string());
        let known = WIDTHS.with(|w| w.borrow().get(&key).copied());
        let width = match known {
            Some(w) => w,
            None => {
                self.ctx.set_font(&key.0);
                let w = self.ctx.measure_text(text).map_or(0.0, |m| m.width());
                WIDTHS.with(|cache| {
                    let mut cache = cache.borrow_mut();
                    if cache.len() >= MAX_WIDTHS {
                        cache.clear();
                    }
                    cache.insert(key, w);
                });
                w
            }
        };
        // A line box of 1.15 em, as the browser gives an inline box of normal line height.
        let height = style.size() * 1.15;
        Ok((width.ceil() as u32, height.ceil() as u32))
    }
    fn blit_bitmap(
        &mut self,
        pos: BackendCoord,
        size: (u32, u32),
        src: &[u8],
    ) -> Result<(), DrawingErrorKind<CanvasError>> {
        self.inner.blit_bitmap(pos, size, src)
    }
}
