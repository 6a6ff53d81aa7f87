//! Drawing on a `<canvas>` with plotters: a time-series chart (log or linear
//! y, threshold lines, labelled markers), a stacked band chart (class
//! probabilities summing to 100%, with the current patient's value marked)
//! and box plots. It only draws what it is given: the models say what
//! their time charts show ([`crate::model::Model::charts`]),
//! [`super::bands`] builds the band charts, the job panels their own.
//!
//! Every chart is laid out by [`frame`]: the title on top (wrapped when
//! long), the y-axis title written level above the plot (never rotated,
//! never over the tick labels), tick labels at nice numbers (1, 2, 5 × 10^k;
//! decades on log axes, [`Axis`]) with room measured for the widest, and
//! the x-axis title under the x tick labels. Every size is in CSS pixels
//! multiplied by the surface's pixel ratio, so charts are crisp on HiDPI
//! screens and a PNG export drawn at a larger ratio looks the same, only
//! sharper.

use super::backend::Canvas as CanvasBackend;
use super::{canvas, dom, layers};
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::ops::Range;
use web_sys::HtmlCanvasElement;

pub use crate::plot::{palette, Area, BandChart, HLine, Marker, Rgb, Series, Shape, TimeChart};

/// Where and how big to draw: a canvas and its pixels per CSS pixel.
#[derive(Debug, Clone)]
pub struct Surface {
    /// The canvas (on the page, or off-screen for an export).
    pub canvas: HtmlCanvasElement,
    /// Device pixels per CSS pixel (every size is scaled by it).
    pub ratio: f64,
}

impl Surface {
    /// The canvas `id`, sized to its CSS box × the device pixel ratio
    /// ([`canvas::fit`]); `None` when it is absent or not displayed.
    pub fn fit(id: &str) -> Option<Surface> {
        let ratio = canvas::fit(id)?;
        let canvas = canvas::element(id).ok()?;
        Some(Surface { canvas, ratio })
    }

    /// [`Surface::fit`], or the canvas at its own size (ratio 1) when it is
    /// hidden; an error when there is no such canvas.
    pub fn fit_or_own(id: &str) -> Result<Surface, String> {
        let ratio = canvas::fit_or_own(id);
        Ok(Surface {
            canvas: canvas::element(id)?,
            ratio,
        })
    }

    /// A canvas off the page of `css_w` × `css_h` CSS pixels at `ratio`
    /// device pixels each (for exports larger than the screen's).
    pub fn offscreen(css_w: f64, css_h: f64, ratio: f64) -> Result<Surface, String> {
        let canvas = canvas::create()?;
        canvas.set_width((css_w * ratio).round().max(1.0) as u32);
        canvas.set_height((css_h * ratio).round().max(1.0) as u32);
        Ok(Surface { canvas, ratio })
    }

    /// Device pixels for `css` CSS pixels (at least 1).
    pub fn px(&self, css: f64) -> u32 {
        (css * self.ratio).round().max(1.0) as u32
    }

    fn ipx(&self, css: f64) -> i32 {
        self.px(css) as i32
    }

    /// A sans-serif font of `css` CSS pixels.
    pub fn font(&self, css: f64) -> TextStyle<'static> {
        ("sans-serif", self.px(css)).into_font().into()
    }

    fn bold(&self, css: f64) -> TextStyle<'static> {
        ("sans-serif", self.px(css), FontStyle::Bold)
            .into_font()
            .into()
    }

    /// Height in CSS pixels.
    pub fn css_height(&self) -> f64 {
        self.canvas.height() as f64 / self.ratio
    }

    /// A small chart (the phone's pinned chart): no title, smaller type.
    pub fn compact(&self) -> bool {
        self.css_height() < 200.0
    }

    /// Set (`Some((dash, gap))`, device pixels) or clear the canvas's own
    /// line dash. A dashed line drawn as one path under it is one stroke,
    /// where plotters' `DashedLineSeries` strokes every dash on its own
    /// (hundreds per line, and with pinned runs most lines are dashed).
    fn line_dash(&self, dash: Option<(u32, u32)>) {
        if let Some(ctx) = self.context() {
            let pattern = js_sys::Array::new();
            if let Some((on, off)) = dash {
                pattern.push(&on.into());
                pattern.push(&off.into());
            }
            // Only fails for a non-finite entry, which a u32 is not.
            let _ = ctx.set_line_dash(&pattern);
        }
    }

    /// The canvas's 2-D context.
    fn context(&self) -> Option<web_sys::CanvasRenderingContext2d> {
        canvas::context_of(&self.canvas)
    }

    /// Stroke `line` (data coordinates of `plot`) as one path in `color`,
    /// `width` CSS pixels wide, dashed with `dash` (CSS pixels) when given;
    /// returns the device pixels it went through, for placing the legend
    /// clear of the data.
    ///
    /// Drawn on the 2-D context directly rather than as a plotters
    /// `LineSeries`: with pinned runs a slider move redraws thousands of
    /// points, and the series crossed from wasm into JS once per point
    /// (`lineTo`) and restyled per path. Here each point is mapped once, a
    /// point on the same device pixel as the one before is left out (it
    /// draws nothing), and the path is stroked once.
    fn draw_line(
        &self,
        plot: &Plot<'_>,
        line: &[(f64, f64)],
        color: Rgb,
        width: f64,
        dash: Option<(f64, f64)>,
    ) -> Result<Vec<(i32, i32)>, String> {
        let ctx = self.context().ok_or("the canvas has no 2-D context")?;
        let mut pixels: Vec<(i32, i32)> = Vec::with_capacity(line.len());
        for p in line {
            let q = plot.backend_coord(p);
            if pixels.last() != Some(&q) {
                pixels.push(q);
            }
        }
        let Some(&(x0, y0)) = pixels.first() else {
            return Ok(pixels);
        };
        if let Some((on, off)) = dash {
            self.line_dash(Some((self.px(on), self.px(off))));
        }
        ctx.set_stroke_style_str(&crate::plot::hex(color));
        ctx.set_line_width(f64::from(self.px(width)));
        ctx.begin_path();
        ctx.move_to(f64::from(x0), f64::from(y0));
        for &(x, y) in &pixels[1..] {
            ctx.line_to(f64::from(x), f64::from(y));
        }
        if pixels.len() == 1 {
            // A single point: a dot the width of the line.
            ctx.line_to(f64::from(x0) + 0.5, f64::from(y0));
        }
        ctx.stroke();
        if dash.is_some() {
            self.line_dash(None);
        }
        Ok(pixels)
    }

    /// The drawing area covering the whole canvas.
    pub fn root(&self) -> Result<DrawingArea<CanvasBackend, Shift>, String> {
        CanvasBackend::from_element(self.canvas.clone())
            .map(|b| b.into_drawing_area())
            .ok_or_else(|| "the canvas has no 2-D context".to_string())
    }

    /// Set the canvas attribute `data-<name>` (only when it changes: a drag
    /// redraws every frame), for readers and tests.
    pub fn set_data(&self, name: &str, value: &str) {
        let key = format!("data-{name}");
        if self.canvas.get_attribute(&key).as_deref() != Some(value) {
            dom::attr(&self.canvas, &key, value);
        }
    }

    /// Record what the chart shows for readers and tests: `data-legend`,
    /// a JSON list of `{label, color}` (colours as `#rrggbb`).
    pub fn set_legend(&self, keys: &[(String, Rgb)]) {
        let items: Vec<String> = keys
            .iter()
            .map(|(l, c)| {
                format!(
                    "{{\"label\":{},\"color\":\"{}\"}}",
                    json_string(l),
                    crate::plot::hex(*c)
                )
            })
            .collect();
        let legend = format!("[{}]", items.join(","));
        // Written only when it changes: a drag redraws every frame.
        if self.canvas.get_attribute("data-legend").as_deref() != Some(legend.as_str()) {
            dom::attr(&self.canvas, "data-legend", &legend);
        }
    }
}

/// `s` as a JSON string literal.
fn json_string(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}

fn rgb(c: Rgb) -> RGBColor {
    RGBColor(c.0, c.1, c.2)
}

/// Colour of axis titles and the muted text on charts.
const MUTED: RGBColor = RGBColor(70, 76, 90);

fn draw_err<E>(e: DrawingAreaErrorKind<E>) -> String
where
    E: std::error::Error + Send + Sync,
{
    format!("drawing the chart failed: {e}")
}

/// Compact axis numbers: plain in [1e-3, 1e5) with at most four decimals,
/// else `2e6`, `1.5e-7`.
pub fn tick(v: f64) -> String {
    let a = v.abs();
    if a == 0.0 {
        "0".into()
    } else if (1e-3..1e5).contains(&a) {
        let s = format!("{:.4}", v);
        let s = s.trim_end_matches('0').trim_end_matches('.');
        s.to_string()
    } else {
        let s = format!("{:.1e}", v);
        s.replace(".0e", "e")
    }
}

/// The nice step (1, 2 or 5 × 10^k) of at least `raw`.
pub fn nice_step(raw: f64) -> f64 {
    if !(raw.is_finite() && raw > 0.0) {
        return 1.0;
    }
    let p = 10f64.powf(raw.log10().floor());
    let m = raw / p;
    let n = if m <= 1.0 + 1e-9 {
        1.0
    } else if m <= 2.0 + 1e-9 {
        2.0
    } else if m <= 5.0 + 1e-9 {
        5.0
    } else {
        10.0
    };
    n * p
}

/// Ticks of a linear axis over `[lo, hi]` at a nice step, at most about
/// `max` of them; and the lighter grid lines between them.
pub fn linear_ticks(lo: f64, hi: f64, max: usize) -> (Vec<f64>, Vec<f64>) {
    if !(lo.is_finite() && hi.is_finite() && hi > lo) {
        return (Vec::new(), Vec::new());
    }
    let step = nice_step((hi - lo) / max.max(1) as f64);
    let at = |k: f64, s: f64| {
        let v = k * s;
        if v.abs() < s * 1e-9 {
            0.0
        } else {
            // Round away float noise (0.30000000000000004).
            let digits = (-(s.log10().floor()) + 3.0).clamp(0.0, 15.0) as i32;
            let f = 10f64.powi(digits);
            if f.is_finite() && (v * f).abs() < 1e15 {
                (v * f).round() / f
            } else {
                v
            }
        }
    };
    let range = |s: f64| -> Vec<f64> {
        let (k0, k1) = ((lo / s - 1e-9).ceil(), (hi / s + 1e-9).floor());
        let n = (k1 - k0).clamp(-1.0, 1000.0) as i64;
        (0..=n).map(|i| at(k0 + i as f64, s)).collect()
    };
    let bold = range(step);
    let mantissa = (step / 10f64.powf(step.log10().floor())).round();
    let sub = if mantissa == 2.0 {
        step / 4.0
    } else {
        step / 5.0
    };
    (bold, range(sub))
}

/// Ticks of a log axis over `[lo, hi]` (`lo > 0`): decades (every second
/// or fifth one when there are many); within less than two decades,
/// 1, 2 and 5 × 10^k, or nice linear steps. The lighter grid lines are
/// the decades left out, or 2…9 × 10^k.
pub fn log_ticks(lo: f64, hi: f64, max: usize) -> (Vec<f64>, Vec<f64>) {
    if !(lo > 0.0 && hi > lo && hi.is_finite()) {
        return (Vec::new(), Vec::new());
    }
    let max = max.max(2);
    let (d0, d1) = (
        (lo.log10() - 1e-9).ceil() as i32,
        (hi.log10() + 1e-9).floor() as i32,
    );
    let decades: Vec<i32> = (d0..=d1).collect();
    let inside = |v: f64| v >= lo * (1.0 - 1e-9) && v <= hi * (1.0 + 1e-9);
    if decades.len() >= 3 {
        let every = [1, 2, 3, 4, 5, 10, 20, 50, 100]
            .into_iter()
            .find(|k| decades.len().div_ceil(*k as usize) <= max)
            .unwrap_or(100);
        let bold: Vec<f64> = decades
            .iter()
            .filter(|d| d.rem_euclid(every) == 0)
            .map(|d| 10f64.powi(*d))
            .collect();
        let light: Vec<f64> = if every > 1 {
            decades.iter().map(|d| 10f64.powi(*d)).collect()
        } else if decades.len() <= 8 {
            (d0 - 1..=d1)
                .flat_map(|d| (2..10).map(move |m| m as f64 * 10f64.powi(d)))
                .filter(|v| inside(*v))
                .collect()
        } else {
            Vec::new()
        };
        return (bold, light);
    }
    // Fewer decades: 1, 2, 5 × 10^k; else 1, 5 × 10^k; else the decades;
    // else nice linear steps.
    let lo_d = lo.log10().floor() as i32;
    let hi_d = hi.log10().ceil() as i32;
    let light: Vec<f64> = (lo_d..=hi_d)
        .flat_map(|d| (1..10).map(move |m| m as f64 * 10f64.powi(d)))
        .filter(|v| inside(*v))
        .collect();
    for mults in [&[1.0, 2.0, 5.0][..], &[1.0, 5.0], &[1.0]] {
        let t: Vec<f64> = (lo_d..=hi_d)
            .flat_map(|d| mults.iter().map(move |m| m * 10f64.powi(d)))
            .filter(|v| inside(*v))
            .collect();
        if t.len() >= 2 && t.len() <= max {
            return (t, light);
        }
    }
    let (bold, _) = linear_ticks(lo, hi, max.min(5));
    let bold: Vec<f64> = bold.into_iter().filter(|v| *v > 0.0).collect();
    (bold, light)
}

/// One axis: its range, its scale and where its ticks go. As a plotters
/// coordinate it maps values to pixels (linearly, or linearly in log10)
/// and gives its own ticks as key points.
#[derive(Debug, Clone, PartialEq)]
pub struct Axis {
    /// Lower end.
    pub lo: f64,
    /// Upper end.
    pub hi: f64,
    /// Logarithmic.
    pub log: bool,
    /// Labelled ticks.
    pub ticks: Vec<f64>,
    /// Light grid lines.
    pub light: Vec<f64>,
    /// `log10(lo)` and `log10(hi) - log10(lo)` of a log axis, kept so that
    /// mapping a point costs one `log10` (three before: a drag maps every
    /// point of every line, and wasm's `log10` is a software routine).
    log_lo: f64,
    log_span: f64,
}

impl Axis {
    /// A linear axis over `[lo, hi]` (no ticks yet).
    pub fn linear(lo: f64, hi: f64) -> Axis {
        let hi = if hi > lo { hi } else { lo + 1.0 };
        Axis {
            lo,
            hi,
            log: false,
            ticks: Vec::new(),
            light: Vec::new(),
            log_lo: 0.0,
            log_span: 1.0,
        }
    }

    /// A log axis over `[lo, hi]` (`lo > 0`; no ticks yet).
    pub fn log(lo: f64, hi: f64) -> Axis {
        let lo = if lo > 0.0 && lo.is_finite() {
            lo
        } else {
            1e-300
        };
        let hi = if hi > lo { hi } else { lo * 10.0 };
        Axis {
            lo,
            hi,
            log: true,
            ticks: Vec::new(),
            light: Vec::new(),
            log_lo: lo.log10(),
            log_span: hi.log10() - lo.log10(),
        }
    }

    /// Either, as `log` says.
    pub fn new(lo: f64, hi: f64, log: bool) -> Axis {
        if log {
            Axis::log(lo, hi)
        } else {
            Axis::linear(lo, hi)
        }
    }

    /// The axis with at most about `max` labelled ticks.
    pub fn ticked(mut self, max: usize) -> Axis {
        let (bold, light) = if self.log {
            log_ticks(self.lo, self.hi, max)
        } else {
            linear_ticks(self.lo, self.hi, max)
        };
        self.ticks = bold;
        self.light = light;
        self
    }

    /// The axis with no ticks at all (categories are labelled by hand).
    pub fn bare(mut self) -> Axis {
        self.ticks.clear();
        self.light.clear();
        self
    }

    /// Where `v` lies, as a fraction of the axis (outside [0, 1] beyond it).
    pub fn frac(&self, v: f64) -> f64 {
        let f = if self.log {
            if v > 0.0 {
                (v.log10() - self.log_lo) / self.log_span
            } else {
                -1e3
            }
        } else {
            (v - self.lo) / (self.hi - self.lo)
        };
        if f.is_nan() {
            -1e3
        } else {
            f.clamp(-1e3, 1e3)
        }
    }

    /// True when `v` is on the axis.
    pub fn contains(&self, v: f64) -> bool {
        v.is_finite() && v >= self.lo && v <= self.hi && (!self.log || v > 0.0)
    }
}

impl Ranged for Axis {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        let span = (limit.1 - limit.0) as f64;
        limit.0 + (span * self.frac(*value)).round() as i32
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            self.light.clone()
        } else {
            self.ticks.clone()
        }
    }

    fn range(&self) -> Range<f64> {
        self.lo..self.hi
    }
}

/// The plotters chart every chart here draws into.
pub type Plot<'a> = ChartContext<'a, CanvasBackend, Cartesian2d<Axis, Axis>>;

/// Width and height of `text` in `font`, in device pixels.
fn text_size(area: &DrawingArea<CanvasBackend, Shift>, text: &str, font: &TextStyle) -> (i32, i32) {
    area.estimate_text_size(text, font)
        .map_or((0, 0), |(w, h)| (w as i32, h as i32))
}

/// `text` broken at spaces into lines no wider than `max_w` (a single word
/// wider than that stays whole on its line).
pub fn wrap(
    area: &DrawingArea<CanvasBackend, Shift>,
    text: &str,
    font: &TextStyle,
    max_w: i32,
) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut cur = String::new();
    for word in text.split_whitespace() {
        let candidate = if cur.is_empty() {
            word.to_string()
        } else {
            format!("{cur} {word}")
        };
        if cur.is_empty() || text_size(area, &candidate, font).0 <= max_w {
            cur = candidate;
        } else {
            lines.push(std::mem::take(&mut cur));
            cur = word.to_string();
        }
    }
    if !cur.is_empty() {
        lines.push(cur);
    }
    lines
}

/// Draw `lines` starting at `(x, y)` (their top), aligned by `h`; returns
/// the y under the last line.
fn draw_lines(
    area: &DrawingArea<CanvasBackend, Shift>,
    lines: &[String],
    font: &TextStyle,
    color: &RGBColor,
    (x, y): (i32, i32),
    h: HPos,
) -> Result<i32, String> {
    let line_h = line_height(area, font);
    let mut y = y;
    for l in lines {
        area.draw(&Text::new(
            l.clone(),
            (x, y),
            font.clone().color(color).pos(Pos::new(h, VPos::Top)),
        ))
        .map_err(draw_err)?;
        y += line_h;
    }
    Ok(y)
}

fn line_height(area: &DrawingArea<CanvasBackend, Shift>, font: &TextStyle) -> i32 {
    (text_size(area, "Ag", font).1 as f64 * 1.1).ceil() as i32
}

/// The titles of a chart: on top, above the y axis, under the x axis.
#[derive(Debug, Clone, Copy)]
pub struct Titles<'t> {
    /// Caption on top (left out on a compact surface).
    pub title: &'t str,
    /// The x axis's title (with unit).
    pub x: &'t str,
    /// The y axis's title (with unit), written level above the plot.
    pub y: &'t str,
}

/// Lay a chart out on `area` (titles, axes with ticks measured to fit,
/// grid lines unless `grid` is off) and return the plot to draw into.
/// `categories` are x labels written by hand under the plot (wrapped to
/// their slot): the x axis then has no ticks.
pub fn frame<'a>(
    area: &'a DrawingArea<CanvasBackend, Shift>,
    s: &Surface,
    titles: Titles,
    x: Axis,
    y: Axis,
    grid: bool,
    categories: &[String],
) -> Result<Plot<'a>, String> {
    frame_with(area, s, titles, x, y, grid, categories, 0, &mut |_| Ok(()))
}

/// [`frame`], then `draw_base` into the plot: what the chart always shows
/// under its marks (a band chart's bands), which `base` identifies (a hash
/// of what it is drawn from, [`layers::Key`]). The frame and the base are
/// kept as a picture of the canvas's region ([`layers`]) once drawn the
/// same twice in a row: a redraw from the same titles, axes, base and
/// canvas size then puts the picture back instead of drawing them, and
/// `draw_base` is not called.
#[allow(clippy::too_many_arguments)]
pub fn frame_with<'a>(
    area: &'a DrawingArea<CanvasBackend, Shift>,
    s: &Surface,
    titles: Titles,
    x: Axis,
    y: Axis,
    grid: bool,
    categories: &[String],
    base: u64,
    // `dyn`, not generic: one copy of this long function in the page's
    // module rather than one per caller (2.7 KB of gzipped wasm for three).
    draw_base: &mut dyn FnMut(&mut Plot<'a>) -> Result<(), String>,
) -> Result<Plot<'a>, String> {
    let (w, h) = area.dim_in_pixel();
    let (w, h) = (w as i32, h as i32);
    let compact = s.compact();
    let pad = s.ipx(if compact { 5.0 } else { 8.0 });
    let title_font = s.bold(if compact { 13.0 } else { 15.0 });
    let tick_font = s.font(if compact { 11.0 } else { 12.0 });
    let axis_font = s.font(if compact { 11.0 } else { 12.5 });
    let tick_mark = s.ipx(4.0);
    let label_dist = 2 * tick_mark;

    // Title, then the y axis's title, left-aligned above the plot (placed
    // here, written below unless the frame's picture is put back).
    let mut top = pad;
    let mut title_lines = Vec::new();
    if !titles.title.is_empty() && !compact {
        title_lines = wrap(area, titles.title, &title_font, w - 2 * pad);
        title_lines.truncate(2);
        top += line_height(area, &title_font) * title_lines.len() as i32 + s.ipx(3.0);
    }
    let title_top = pad;
    let y_title_top = top;
    let mut y_title_lines = Vec::new();
    if !titles.y.is_empty() {
        y_title_lines = wrap(area, titles.y, &axis_font, w - 2 * pad);
        y_title_lines.truncate(2);
        top += line_height(area, &axis_font) * y_title_lines.len() as i32;
    }
    let tick_h = text_size(area, "0", &tick_font).1;
    // Room for the top tick label, centred on the plot's top edge.
    top += tick_h / 2 + s.ipx(2.0);

    // Under the plot: tick labels (or category labels), then the x title.
    let axis_lh = line_height(area, &axis_font);
    let tick_lh = line_height(area, &tick_font);
    let x_title_lines = if titles.x.is_empty() {
        Vec::new()
    } else {
        let l = wrap(area, titles.x, &axis_font, w - 2 * pad);
        l[..l.len().min(2)].to_vec()
    };
    let under = if categories.is_empty() {
        label_dist + tick_h
    } else {
        tick_mark + s.ipx(4.0) + 2 * tick_lh
    };
    let bottom = under
        + if x_title_lines.is_empty() {
            0
        } else {
            s.ipx(5.0) + axis_lh * x_title_lines.len() as i32
        };
    let plot_h = (h - top - bottom - pad).max(s.ipx(20.0));

    // The y ticks, then room for the widest label.
    let y = if y.ticks.is_empty() && y.light.is_empty() {
        y.ticked(((plot_h / s.ipx(if compact { 26.0 } else { 34.0 })).max(2)) as usize)
    } else {
        y
    };
    let y_label_w = y
        .ticks
        .iter()
        .map(|v| text_size(area, &tick(*v), &tick_font).0)
        .max()
        .unwrap_or(0);
    let y_area = y_label_w + label_dist + s.ipx(2.0);

    // The x ticks: as many as fit with a gap between labels.
    let mut right = s.ipx(12.0);
    let plot_w = |right: i32| (w - pad - y_area - right).max(s.ipx(20.0));
    let x = if !categories.is_empty() {
        x.bare()
    } else if x.ticks.is_empty() && x.light.is_empty() {
        let mut max = ((plot_w(right) / s.ipx(56.0)).max(2)) as usize;
        loop {
            let t = x.clone().ticked(max);
            let widest = t
                .ticks
                .iter()
                .map(|v| text_size(area, &tick(*v), &tick_font).0)
                .max()
                .unwrap_or(0);
            let need = (widest + s.ipx(14.0)) * t.ticks.len() as i32;
            if need <= plot_w(right) || max <= 2 {
                break t;
            }
            max -= 1;
        }
    } else {
        x
    };
    if let Some(last) = x.ticks.last() {
        let half = text_size(area, &tick(*last), &tick_font).0 / 2;
        if x.frac(*last) > 0.97 {
            right = right.max(half + s.ipx(3.0));
        }
    }

    let mut chart = ChartBuilder::on(area)
        .margin_top(top)
        .margin_left(pad)
        .margin_right(right)
        .margin_bottom(pad)
        .x_label_area_size(bottom)
        .y_label_area_size(y_area)
        .build_cartesian_2d(x, y)
        .map_err(draw_err)?;

    // Everything the frame (and the caller's base) is drawn from; when
    // this canvas last drew the same, its picture is put back instead.
    let (bx, by) = area.get_base_pixel();
    let (aw, ah) = area.dim_in_pixel();
    let region = layers::Region {
        x: bx,
        y: by,
        w: aw,
        h: ah,
    };
    let mut key = layers::Key::new();
    key.add(base)
        .text(titles.title)
        .text(titles.x)
        .text(titles.y)
        .add(grid)
        .add(categories)
        .num(s.ratio);
    axis_key(&mut key, chart.as_coord_spec().x_spec());
    axis_key(&mut key, chart.as_coord_spec().y_spec());
    let key = key.value();
    // `data-frame` says which (for tests: a kept picture must give the
    // same pixels as a fresh drawing).
    if layers::restore(&s.canvas, key, region) {
        s.set_data("frame", "kept");
        return Ok(chart);
    }
    s.set_data("frame", "drawn");

    draw_lines(
        area,
        &title_lines,
        &title_font,
        &BLACK,
        (w / 2, title_top),
        HPos::Center,
    )?;
    draw_lines(
        area,
        &y_title_lines,
        &axis_font,
        &MUTED,
        (pad, y_title_top),
        HPos::Left,
    )?;
    let fmt = |v: &f64| tick(*v);
    let mut mesh = chart.configure_mesh();
    mesh.x_labels(64)
        .y_labels(64)
        .x_label_formatter(&fmt)
        .y_label_formatter(&fmt)
        .label_style(tick_font.clone())
        .set_all_tick_mark_size(tick_mark)
        .axis_style(RGBColor(140, 146, 158).stroke_width(s.px(1.0)))
        .light_line_style(RGBColor(240, 241, 244).stroke_width(s.px(1.0)))
        .bold_line_style(RGBColor(220, 223, 229).stroke_width(s.px(1.0)));
    if !grid {
        mesh.disable_mesh();
    }
    mesh.draw().map_err(draw_err)?;

    let (xr, yr) = chart.plotting_area().get_pixel_range();
    if !categories.is_empty() {
        let n = categories.len() as i32;
        let slot = (xr.end - xr.start) / n.max(1);
        for (k, name) in categories.iter().enumerate() {
            let cx = xr.start + slot * k as i32 + slot / 2;
            let lines = wrap(area, name, &tick_font, slot - s.ipx(4.0));
            draw_lines(
                area,
                &lines[..lines.len().min(2)],
                &tick_font,
                &BLACK,
                (cx, yr.end + tick_mark + s.ipx(4.0)),
                HPos::Center,
            )?;
        }
    }
    if !x_title_lines.is_empty() {
        let y0 = yr.end + under + s.ipx(5.0);
        draw_lines(
            area,
            &x_title_lines,
            &axis_font,
            &MUTED,
            ((xr.start + xr.end) / 2, y0),
            HPos::Center,
        )?;
    }
    draw_base(&mut chart)?;
    layers::keep(&s.canvas, key, region);
    Ok(chart)
}

/// Feed an axis (ends, scale, ticks) to a picture's key.
fn axis_key(key: &mut layers::Key, a: &Axis) {
    key.num(a.lo)
        .num(a.hi)
        .add(a.log)
        .nums(&a.ticks)
        .nums(&a.light);
}

/// Write `text` in the middle of an empty surface.
pub fn draw_message(s: &Surface, text: &str) -> Result<(), String> {
    let root = s.root()?;
    root.fill(&WHITE).map_err(draw_err)?;
    let (w, h) = root.dim_in_pixel();
    let font = s.font(14.0);
    let lines = wrap(&root, text, &font, w as i32 - s.ipx(24.0));
    let lh = line_height(&root, &font);
    let y0 = h as i32 / 2 - lh * lines.len() as i32 / 2;
    draw_lines(
        &root,
        &lines,
        &font,
        &MUTED,
        (w as i32 / 2, y0),
        HPos::Center,
    )?;
    root.present().map_err(draw_err)
}

/// The y range covering every finite point (positive points on a log axis)
/// and the reference lines. A log range spans at most 15 decades below the
/// top, so a population that dwindles to nothing does not flatten the rest.
fn y_bounds(chart: &TimeChart) -> Option<(f64, f64)> {
    let (x0, x1) = chart.x_range;
    let ys = chart
        .series
        .iter()
        .flat_map(|s| s.points.iter())
        .filter(|(x, _)| *x >= x0 && *x <= x1)
        .map(|p| p.1)
        .chain(chart.markers.iter().map(|m| m.at.1))
        .chain(
            chart
                .data
                .iter()
                .filter(|p| p.at.0 >= x0 && p.at.0 <= x1)
                .map(|p| p.at.1),
        )
        .chain(chart.hlines.iter().map(|h| h.y))
        .chain(
            chart
                .areas
                .iter()
                .flat_map(|a| a.points.iter())
                .filter(|(x, ..)| *x >= x0 && *x <= x1)
                .flat_map(|&(_, lo, hi)| [lo, hi]),
        )
        .filter(|y| y.is_finite() && (!chart.log_y || *y > 0.0));
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for y in ys {
        lo = lo.min(y);
        hi = hi.max(y);
    }
    if lo > hi {
        return None;
    }
    if chart.log_y {
        let lo = lo.max(hi * 1e-15);
        let (lo, hi) = if hi > lo {
            (lo, hi)
        } else {
            (lo / 10.0, hi * 10.0)
        };
        Some((
            10f64.powf(lo.log10().floor()),
            10f64.powf(hi.log10().ceil()),
        ))
    } else {
        let lo = lo.min(0.0);
        let hi = if hi > lo { hi } else { lo + 1.0 };
        let top = hi + 0.05 * (hi - lo);
        // End on a tick when one is near.
        let step = nice_step((top - lo) / 6.0);
        Some((lo, (top / step).ceil() * step))
    }
}

/// Runs of consecutive points inside the y range (a line leaves the chart
/// where a population drops below the log axis, rather than being clamped).
fn runs(points: &[(f64, f64)], lo: f64, hi: f64) -> Vec<Vec<(f64, f64)>> {
    let mut out: Vec<Vec<(f64, f64)>> = vec![Vec::new()];
    for &(x, y) in points {
        if x.is_finite() && y.is_finite() && y >= lo && y <= hi {
            if let Some(last) = out.last_mut() {
                last.push((x, y));
            }
        } else if out.last().is_some_and(|r| !r.is_empty()) {
            out.push(Vec::new());
        }
    }
    out.retain(|r| !r.is_empty());
    out
}

/// Draw a time chart on `surface` (replacing what was there).
pub fn draw_time(surface: &Surface, chart: &TimeChart) -> Result<(), String> {
    draw_lines_chart(surface, chart, false, &[])
}

/// Draw a chart of lines against x (a time chart, or any x axis, log when
/// `log_x`) on `surface`; `dots` are legend entries for series drawn as
/// unlabelled dots (markers).
pub fn draw_lines_chart(
    surface: &Surface,
    chart: &TimeChart,
    log_x: bool,
    dots: &[(String, Rgb)],
) -> Result<(), String> {
    let root = surface.root()?;
    root.fill(&WHITE).map_err(draw_err)?;
    let Some((y0, y1)) = y_bounds(chart) else {
        root.present().map_err(draw_err)?;
        return draw_message(surface, "Nothing to plot.");
    };
    let (x0, x1) = chart.x_range;
    // The legend: a key per series with something on the plot, per area
    // and per kind of dot.
    let on_plot = |s: &Series| {
        s.points
            .iter()
            .any(|&(x, y)| x.is_finite() && y.is_finite() && y >= y0 && y <= y1)
    };
    let keys: Vec<(String, Key)> = chart
        .series
        .iter()
        .filter(|s| on_plot(s))
        .map(|s| {
            (
                s.label.clone(),
                Key::Line(s.color, s.dashed.then_some(s.dash), s.width),
            )
        })
        .chain(chart.areas.iter().map(|a| {
            (
                a.label.clone(),
                Key::Box(crate::plot::tint(a.color, AREA_TINT)),
            )
        }))
        .chain(dots.iter().map(|(l, c)| (l.clone(), Key::Dot(*c))))
        .chain((!chart.data.is_empty()).then(|| (DATA_LABEL.to_string(), Key::Dot(palette::BLACK))))
        .collect();
    let split = legend_strip(&root, surface, &keys)?
        .map(|strip| root.split_vertically(root.dim_in_pixel().1 as i32 - strip));
    let grey = rgb(palette::GREY);
    // The reference lines are drawn with the frame (its base): they move
    // only with the axes, and plotters strokes every dash on its own.
    let hlines: Vec<f64> = chart
        .hlines
        .iter()
        .map(|h| h.y)
        .filter(|y| *y >= y0 && *y <= y1)
        .collect();
    let mut base = layers::Key::new();
    base.nums(&hlines);
    let mut ctx = frame_with(
        split.as_ref().map_or(&root, |(top, _)| top),
        surface,
        Titles {
            title: &chart.title,
            x: &chart.x_label,
            y: &chart.y_label,
        },
        Axis::new(x0, x1, log_x),
        Axis::new(y0, y1, chart.log_y),
        true,
        &[],
        base.value(),
        &mut |ctx| {
            for &y in &hlines {
                ctx.draw_series(DashedLineSeries::new(
                    [(x0, y), (x1, y)],
                    surface.px(6.0),
                    surface.px(4.0),
                    grey.stroke_width(surface.px(1.0)),
                ))
                .map_err(draw_err)?;
            }
            Ok(())
        },
    )?;
    let label_font = surface.font(if surface.compact() { 10.5 } else { 11.0 });
    for a in &chart.areas {
        // On a log axis a lower edge at zero (an extinct population) runs
        // along the bottom of the plot.
        let shown = |&&(x, lo, hi): &&(f64, f64, f64)| {
            x.is_finite() && lo.is_finite() && hi.is_finite() && (!chart.log_y || hi > 0.0)
        };
        let clamp = |y: f64| {
            if chart.log_y && y <= 0.0 {
                y0
            } else {
                y.clamp(y0, y1)
            }
        };
        let upper = a
            .points
            .iter()
            .filter(shown)
            .map(|&(x, _, hi)| (x, clamp(hi)));
        let lower = a
            .points
            .iter()
            .filter(shown)
            .map(|&(x, lo, _)| (x, clamp(lo)));
        let mut poly: Vec<(f64, f64)> = upper.collect();
        poly.extend(lower.rev());
        if poly.len() >= 3 {
            ctx.draw_series(std::iter::once(Polygon::new(
                poly,
                rgb(crate::plot::tint(a.color, AREA_TINT)).filled(),
            )))
            .map_err(draw_err)?;
        }
    }
    // Pixels covered by data and markers, so the legend can avoid them.
    let mut occupied: Vec<(i32, i32)> = Vec::new();
    for s in &chart.series {
        for run in runs(&s.points, y0, y1) {
            let dash = s.dashed.then_some(s.dash);
            occupied.extend(surface.draw_line(&ctx, &run, s.color, s.width, dash)?);
        }
    }
    // The measurements: filled dots; a censored one an open circle at its
    // limit with a tick pointing down (the value was below it).
    let r = surface.ipx(4.0);
    let mut drawn = 0;
    for p in &chart.data {
        let (x, y) = p.at;
        if !(x >= x0 && x <= x1 && y >= y0 && y <= y1) {
            continue;
        }
        drawn += 1;
        occupied.push(ctx.backend_coord(&p.at));
        let stroke = BLACK.stroke_width(surface.px(1.5));
        if p.censored {
            let tick = surface.ipx(9.0);
            ctx.draw_series(std::iter::once(
                EmptyElement::at(p.at)
                    + PathElement::new(vec![(0, r), (0, r + tick)], stroke)
                    + PathElement::new(
                        vec![
                            (-r / 2 - 1, r + tick - r / 2 - 1),
                            (0, r + tick),
                            (r / 2 + 1, r + tick - r / 2 - 1),
                        ],
                        stroke,
                    )
                    + Circle::new((0, 0), r, WHITE.filled())
                    + Circle::new((0, 0), r, stroke),
            ))
            .map_err(draw_err)?;
        } else {
            ctx.draw_series(std::iter::once(
                EmptyElement::at(p.at)
                    + Circle::new((0, 0), r + 1, WHITE.filled())
                    + Circle::new((0, 0), r, BLACK.filled()),
            ))
            .map_err(draw_err)?;
        }
    }
    surface.set_data("points", &drawn.to_string());
    let area = ctx.plotting_area().strip_coord_spec();
    let (aw, _) = area.dim_in_pixel();
    let (base_x, base_y) = area.get_base_pixel();
    // Boxes (x, y, width, height in the plot's pixels) of the markers'
    // labels, which the reference lines' names keep clear of.
    let mut taken: Vec<(i32, i32, i32, i32)> = Vec::new();
    let marker_r = surface.ipx(5.0);
    for m in chart
        .markers
        .iter()
        .filter(|m| m.at.0 >= x0 && m.at.0 <= x1 && m.at.1 >= y0 && m.at.1 <= y1)
    {
        let (mx, my) = ctx.backend_coord(&m.at);
        let (mx, my) = (mx - base_x, my - base_y);
        taken.push((mx - marker_r, my - marker_r, 2 * marker_r, 2 * marker_r));
    }
    for m in &chart.markers {
        if !(m.at.0 >= x0 && m.at.0 <= x1 && m.at.1 >= y0 && m.at.1 <= y1) {
            continue;
        }
        let color = rgb(m.color);
        let r = surface.ipx(5.0);
        let font = surface.font(if surface.compact() { 11.0 } else { 12.0 });
        // The label right of the marker, or left of it near the right edge.
        let (tw, th) = text_size(&root, &m.label, &font);
        let (mx, my) = ctx.backend_coord(&m.at);
        let (mx, my) = (mx - base_x, my - base_y);
        // The label beside the marker: above right, below right, above
        // left or below left, the first that stays on the plot clear of
        // the labels and markers placed before it.
        let (ox, oy) = (r + surface.ipx(3.0), r + surface.ipx(2.0));
        let (_, ah) = area.dim_in_pixel();
        let options = [(true, true), (true, false), (false, true), (false, false)];
        let rect = |(right, above): (bool, bool)| {
            let left = if right { mx + ox } else { mx - ox - tw };
            let top = if above { my - oy - th } else { my + oy };
            (left, top, tw, th)
        };
        let on_plot = |(x, y, w, h): (i32, i32, i32, i32)| {
            x >= 0 && y >= 0 && x + w <= aw as i32 && y + h <= ah as i32
        };
        let clear = |(x, y, w, h): (i32, i32, i32, i32)| {
            taken
                .iter()
                .all(|&(lx, ly, lw, lh)| x + w < lx || x > lx + lw || y + h < ly || y > ly + lh)
        };
        let (right, above) = options
            .into_iter()
            .find(|&o| on_plot(rect(o)) && clear(rect(o)))
            .or_else(|| options.into_iter().find(|&o| on_plot(rect(o))))
            .unwrap_or((true, true));
        if !m.label.is_empty() {
            taken.push(rect((right, above)));
        }
        let (dx, h) = if right {
            (ox, HPos::Left)
        } else {
            (-ox, HPos::Right)
        };
        let (dy, v) = if above {
            (-oy, VPos::Bottom)
        } else {
            (oy, VPos::Top)
        };
        let text = Text::new(
            m.label.clone(),
            (dx, dy),
            font.color(&BLACK).pos(Pos::new(h, v)),
        );
        match m.shape {
            Shape::Circle => ctx.draw_series(std::iter::once(
                EmptyElement::at(m.at)
                    + Circle::new((0, 0), r, color.filled())
                    + Circle::new((0, 0), r, BLACK.stroke_width(surface.px(1.0)))
                    + text,
            )),
            Shape::Triangle => ctx.draw_series(std::iter::once(
                EmptyElement::at(m.at) + TriangleMarker::new((0, 0), r + 1, color.filled()) + text,
            )),
        }
        .map_err(draw_err)?;
    }
    occupied.extend(chart.markers.iter().map(|m| ctx.backend_coord(&m.at)));
    let legend_keys: Vec<(String, Rgb)> = chart
        .series
        .iter()
        .map(|s| (s.label.clone(), s.color))
        .chain(chart.areas.iter().map(|a| (a.label.clone(), a.color)))
        .chain(dots.iter().cloned())
        .chain((!chart.data.is_empty()).then(|| (DATA_LABEL.to_string(), palette::BLACK)))
        .collect();
    let legend_box = match &split {
        Some((_, strip)) => {
            legend(strip, surface, &keys, Corner::Strip)?;
            None
        }
        None => legend(&area, surface, &keys, Corner::Emptiest(&occupied))?,
    };
    taken.extend(legend_box);
    // The reference lines' names: at their right ends (the markers, days
    // of remission and peaks, are mostly on the left), else where the
    // legend and the markers' labels leave room, above the line or under
    // it; left out when nowhere (the caption names the lines).
    let (_, ah) = area.dim_in_pixel();
    for h in chart.hlines.iter().filter(|h| h.y >= y0 && h.y <= y1) {
        let (tw, th) = text_size(&root, &h.label, &label_font);
        let line = ctx.backend_coord(&(x0, h.y)).1 - base_y;
        let gap = surface.ipx(1.0);
        let inset = surface.ipx(4.0);
        let width = aw as i32;
        // At the right end; else just left of the legend; else in the
        // middle; else at the left.
        let beside = legend_box.map_or(inset, |(lx, ..)| lx - inset - tw);
        let xs = [width - inset - tw, beside, (width - tw) / 2, inset];
        let tops = [line - gap - th, line + gap];
        let free = |(x, top): (i32, i32)| {
            x >= 0
                && top >= 0
                && top + th <= ah as i32
                && taken.iter().all(|&(lx, ly, lw, lh)| {
                    x + tw < lx || x > lx + lw || top + th < ly || top > ly + lh
                })
        };
        let spot = tops
            .iter()
            .flat_map(|&t| xs.iter().map(move |&x| (x, t)))
            .find(|&p| free(p));
        let Some((x, top)) = spot else {
            continue;
        };
        taken.push((x, top, tw, th));
        area.draw(&Text::new(
            h.label.clone(),
            (x, top),
            label_font
                .clone()
                .color(&grey)
                .pos(Pos::new(HPos::Left, VPos::Top)),
        ))
        .map_err(draw_err)?;
    }
    surface.set_legend(&legend_keys);
    root.present().map_err(draw_err)
}

/// Legend text of a chart's measurements ([`TimeChart::data`]).
pub const DATA_LABEL: &str = "data";

/// How much of an [`Area`]'s colour its shading keeps (the rest is white).
const AREA_TINT: f64 = 0.3;

/// Draw a band chart on `surface`.
pub fn draw_bands(surface: &Surface, chart: &BandChart) -> Result<(), String> {
    let root = surface.root()?;
    root.fill(&WHITE).map_err(draw_err)?;
    let (Some(&x0), Some(&x1)) = (chart.x.first(), chart.x.last()) else {
        return Err("the band grid is empty".into());
    };
    let (lo, hi) = (x0.min(x1), x0.max(x1));
    // The bands, the cohort's coverage and the points are the chart's base:
    // the same on every slider move, so kept as a picture (`frame_with`).
    let mut base = layers::Key::new();
    base.nums(&chart.x);
    for (label, c, p) in &chart.bands {
        base.text(label).add(c).nums(p);
    }
    base.add(chart.covered.map(|(a, b)| (a.to_bits(), b.to_bits())));
    for &(x, y) in &chart.points {
        base.num(x).num(y);
    }
    let mut draw_base = |ctx: &mut Plot| -> Result<(), String> {
        let mut lower = vec![0.0; chart.x.len()];
        for (_, c, p) in &chart.bands {
            let upper: Vec<f64> = lower
                .iter()
                .zip(p)
                .map(|(l, v)| (l + 100.0 * v).min(100.0))
                .collect();
            let mut poly: Vec<(f64, f64)> =
                chart.x.iter().copied().zip(upper.iter().copied()).collect();
            poly.extend(chart.x.iter().copied().zip(lower.iter().copied()).rev());
            ctx.draw_series(std::iter::once(Polygon::new(poly, rgb(*c).filled())))
                .map_err(draw_err)?;
            lower = upper;
        }
        let area = ctx.plotting_area().strip_coord_spec();
        if let Some((c0, c1)) = chart.covered {
            // Grey out where the cohort has no patients: the bands there only
            // extrapolate the fitted densities.
            let font = surface.font(if surface.compact() { 10.0 } else { 11.0 });
            for (a, b) in [(lo, c0.max(lo)), (c1.min(hi), hi)] {
                if b <= a {
                    continue;
                }
                ctx.draw_series(std::iter::once(Rectangle::new(
                    [(a, 0.0), (b, 100.0)],
                    WHITE.mix(0.6).filled(),
                )))
                .map_err(draw_err)?;
                let (px0, _) = ctx.backend_coord(&(a, 0.0));
                let (px1, py) = ctx.backend_coord(&(b, 0.0));
                let (tw, _) = text_size(&root, "no cohort data", &font);
                if px1 - px0 > tw + surface.ipx(6.0) {
                    let (bx, by) = area.get_base_pixel();
                    area.draw(&Text::new(
                        "no cohort data",
                        ((px0 + px1) / 2 - bx, py - by - surface.ipx(4.0)),
                        font.color(&BLACK).pos(Pos::new(HPos::Center, VPos::Bottom)),
                    ))
                    .map_err(draw_err)?;
                }
            }
        }
        let r = surface.ipx(4.5);
        for &(x, y) in chart.points.iter().filter(|(x, _)| *x >= lo && *x <= hi) {
            ctx.draw_series(std::iter::once(
                EmptyElement::at((x, y.clamp(0.0, 100.0)))
                    + Circle::new((0, 0), r, WHITE.filled())
                    + Circle::new((0, 0), r, BLACK.stroke_width(surface.px(1.5))),
            ))
            .map_err(draw_err)?;
        }
        Ok(())
    };
    let mut ctx = frame_with(
        &root,
        surface,
        Titles {
            title: &chart.title,
            x: &chart.x_label,
            y: "probability of each class (%)",
        },
        Axis::new(x0, x1, chart.log_x),
        Axis::linear(0.0, 100.0).ticked(5),
        false,
        &[],
        base.value(),
        &mut draw_base,
    )?;
    let area = ctx.plotting_area().strip_coord_spec();
    if let Some((c0, c1)) = chart.covered {
        surface.set_data("covered", &format!("[{c0},{c1}]"));
    }
    let pts: Vec<String> = chart
        .points
        .iter()
        .map(|(x, y)| format!("[{x},{y}]"))
        .collect();
    surface.set_data("points", &format!("[{}]", pts.join(",")));
    // Pinned runs: a line each in the run's colour and dash pattern,
    // under this patient's mark, its number at the foot (staggered, so
    // neighbours stay apart), also in the legend and in `data-runs`.
    let run_font = surface.font(if surface.compact() { 10.0 } else { 11.0 });
    for (k, m) in chart.run_marks.iter().enumerate() {
        let xc = m.x.clamp(lo, hi);
        surface.draw_line(&ctx, &[(xc, 0.0), (xc, 100.0)], m.color, 2.0, m.dash)?;
        let text = m.run.to_string();
        let (tw, th) = text_size(&root, &text, &run_font);
        let (bx, by) = area.get_base_pixel();
        let (px, py) = ctx.backend_coord(&(xc, 0.0));
        let p = surface.ipx(2.0);
        let (x, y) = (
            px - bx - tw / 2,
            py - by - th - p - (k as i32 % 2) * (th + 2 * p),
        );
        area.draw(&Rectangle::new(
            [(x - p, y - p), (x + tw + p, y + th + p)],
            WHITE.filled(),
        ))
        .map_err(draw_err)?;
        area.draw(&Text::new(
            text,
            (x, y),
            run_font
                .color(&rgb(m.color))
                .pos(Pos::new(HPos::Left, VPos::Top)),
        ))
        .map_err(draw_err)?;
    }
    let marks: Vec<String> = chart
        .run_marks
        .iter()
        .map(|m| {
            format!(
                "{{\"x\":{},\"label\":{},\"color\":\"{}\"}}",
                m.x,
                json_string(&m.label),
                crate::plot::hex(m.color)
            )
        })
        .collect();
    surface.set_data("runs", &format!("[{}]", marks.join(",")));
    if let Some((x, label)) = &chart.mark {
        let xc = x.clamp(lo, hi);
        let w = surface.px(2.0);
        ctx.draw_series(LineSeries::new(
            [(xc, 0.0), (xc, 100.0)],
            BLACK.stroke_width(w),
        ))
        .map_err(draw_err)?;
        let text = if *x < lo || *x > hi {
            format!("{label} (beyond the grid)")
        } else {
            label.clone()
        };
        // Write the label on the side where it fits, on a white box.
        let font = surface.font(if surface.compact() { 11.0 } else { 12.0 });
        let (tw, th) = text_size(&root, &text, &font);
        let (aw, _) = area.dim_in_pixel();
        let (bx, _) = area.get_base_pixel();
        let mx = ctx.backend_coord(&(xc, 100.0)).0 - bx;
        let off = surface.ipx(5.0);
        let left = if mx + off + tw <= aw as i32 {
            mx + off
        } else {
            (mx - off - tw).max(0)
        };
        let top = surface.ipx(4.0);
        let p = surface.ipx(2.0);
        area.draw(&Rectangle::new(
            [(left - p, top - p), (left + tw + p, top + th + p)],
            WHITE.mix(0.85).filled(),
        ))
        .map_err(draw_err)?;
        area.draw(&Text::new(
            text,
            (left, top),
            font.color(&BLACK).pos(Pos::new(HPos::Left, VPos::Top)),
        ))
        .map_err(draw_err)?;
    }
    let keys: Vec<(String, Key)> = chart
        .bands
        .iter()
        .rev()
        .map(|(l, c, _)| (crate::plot::display_label(l), Key::Box(*c)))
        .chain((!chart.points.is_empty()).then(|| (chart.points_label.clone(), Key::Ring)))
        .chain(
            chart
                .run_marks
                .iter()
                // Short, so the legend leaves the marks in view; the
                // values are in the text alternative and `data-runs`.
                .map(|m| (format!("run {}", m.run), Key::Line(m.color, m.dash, 2.0))),
        )
        .collect();
    legend(&area, surface, &keys, Corner::LowerRight)?;
    surface.set_legend(
        &chart
            .bands
            .iter()
            .map(|(l, c, _)| (l.clone(), *c))
            .collect::<Vec<_>>(),
    );
    root.present().map_err(draw_err)
}

/// One box of a box plot: label, colour and (first quartile, median,
/// third quartile), or `None` when the group is empty.
pub type BoxGroup = (String, Rgb, Option<(f64, f64, f64)>);

/// Box plots (quartile box, median line) of one quantity per group.
pub fn draw_boxes(
    surface: &Surface,
    title: &str,
    y_title: &str,
    log: bool,
    groups: &[BoxGroup],
) -> Result<(), String> {
    let root = surface.root()?;
    root.fill(&WHITE).map_err(draw_err)?;
    let vals: Vec<f64> = groups
        .iter()
        .filter_map(|g| g.2)
        .flat_map(|(a, _, b)| [a, b])
        .filter(|v| v.is_finite() && (!log || *v > 0.0))
        .collect();
    let (lo, hi) = vals
        .iter()
        .fold((f64::MAX, f64::MIN), |(a, b), v| (a.min(*v), b.max(*v)));
    let y = if lo > hi {
        Axis::new(1.0, 10.0, log)
    } else if log {
        // A little room above and below, in log terms.
        let (l, h) = (lo.log10(), hi.log10());
        let pad = ((h - l) * 0.12).max(0.15);
        Axis::log(10f64.powf(l - pad), 10f64.powf(h + pad))
    } else {
        let pad = ((hi - lo) * 0.12).max(hi.abs() * 0.05).max(1e-12);
        Axis::linear(lo - pad, hi + pad)
    };
    let n = groups.len().max(1) as f64;
    let names: Vec<String> = groups
        .iter()
        .map(|g| crate::plot::display_label(&g.0))
        .collect();
    let mut ctx = frame(
        &root,
        surface,
        Titles {
            title,
            x: "",
            y: y_title,
        },
        Axis::linear(-0.5, n - 0.5),
        y,
        true,
        &names,
    )?;
    for (k, (_, c, q)) in groups.iter().enumerate() {
        let Some((q1, median, q3)) = *q else { continue };
        let color = rgb(*c);
        let x = k as f64;
        let half = 0.28;
        ctx.draw_series([Rectangle::new(
            [(x - half, q1), (x + half, q3)],
            color.mix(0.45).filled(),
        )])
        .map_err(draw_err)?;
        ctx.draw_series([Rectangle::new(
            [(x - half, q1), (x + half, q3)],
            color.stroke_width(surface.px(1.5)),
        )])
        .map_err(draw_err)?;
        ctx.draw_series(LineSeries::new(
            [(x - half, median), (x + half, median)],
            BLACK.stroke_width(surface.px(2.5)),
        ))
        .map_err(draw_err)?;
    }
    surface.set_legend(
        &groups
            .iter()
            .map(|(l, c, _)| (l.clone(), *c))
            .collect::<Vec<_>>(),
    );
    root.present().map_err(draw_err)
}

/// Bars side by side per category with their interval whiskers (a
/// [`crate::plot::BarChart`]: e.g. sensitivity indices per input), on a
/// linear axis that always shows 0; the legend goes to the emptiest corner.
pub fn draw_bars(surface: &Surface, chart: &crate::plot::BarChart) -> Result<(), String> {
    let root = surface.root()?;
    root.fill(&WHITE).map_err(draw_err)?;
    let mut vals: Vec<f64> = vec![0.0];
    for s in &chart.series {
        vals.extend(s.values.iter().flatten());
        vals.extend(s.intervals.iter().flatten().flatten());
    }
    let (lo, hi) = vals
        .iter()
        .filter(|v| v.is_finite())
        .fold((0.0f64, 0.0f64), |(a, b), v| (a.min(*v), b.max(*v)));
    let pad = ((hi - lo) * 0.08).max(1e-9);
    let y = Axis::linear(if lo < 0.0 { lo - pad } else { 0.0 }, hi + pad);
    let n = chart.categories.len().max(1) as f64;
    let mut ctx = frame(
        &root,
        surface,
        Titles {
            title: &chart.title,
            x: "",
            y: &chart.y_label,
        },
        Axis::linear(-0.5, n - 0.5),
        y,
        true,
        &chart.categories,
    )?;
    let m = chart.series.len().max(1) as f64;
    let slot = 0.8 / m;
    let mut occupied: Vec<(i32, i32)> = Vec::new();
    for (j, s) in chart.series.iter().enumerate() {
        let color = rgb(s.color);
        for (k, v) in s.values.iter().enumerate() {
            let x = k as f64 - 0.4 + slot * (j as f64 + 0.5);
            let half = slot * 0.42;
            if let Some(v) = v.filter(|v| v.is_finite()) {
                ctx.draw_series([Rectangle::new(
                    [(x - half, 0.0), (x + half, v)],
                    color.filled(),
                )])
                .map_err(draw_err)?;
                occupied.push(ctx.backend_coord(&(x, v)));
                occupied.push(ctx.backend_coord(&(x, v / 2.0)));
            }
            if let Some([a, b]) = s.intervals.get(k).copied().flatten() {
                let style = BLACK.stroke_width(surface.px(1.5));
                let cap = half * 0.5;
                for seg in [
                    [(x, a), (x, b)],
                    [(x - cap, a), (x + cap, a)],
                    [(x - cap, b), (x + cap, b)],
                ] {
                    ctx.draw_series(LineSeries::new(seg, style))
                        .map_err(draw_err)?;
                }
                occupied.push(ctx.backend_coord(&(x, b)));
                occupied.push(ctx.backend_coord(&(x, a)));
            }
        }
    }
    ctx.draw_series(LineSeries::new(
        [(-0.5, 0.0), (n - 0.5, 0.0)],
        BLACK.stroke_width(surface.px(1.0)),
    ))
    .map_err(draw_err)?;
    let area = ctx.plotting_area().strip_coord_spec();
    let keys: Vec<(String, Key)> = chart
        .series
        .iter()
        .map(|s| (s.label.clone(), Key::Box(s.color)))
        .collect();
    legend(&area, surface, &keys, Corner::Emptiest(&occupied))?;
    surface.set_legend(
        &chart
            .series
            .iter()
            .map(|s| (s.label.clone(), s.color))
            .collect::<Vec<_>>(),
    );
    root.present().map_err(draw_err)
}

/// Where the legend goes.
enum Corner<'a> {
    /// Lower right.
    LowerRight,
    /// The corner covering the fewest of these backend pixels.
    Emptiest(&'a [(i32, i32)]),
    /// The upper left of an area of its own (a strip under the chart,
    /// [`legend_strip`]).
    Strip,
}

/// The sizes of a legend's parts, in device pixels.
struct LegendSize {
    font: TextStyle<'static>,
    pad: i32,
    key_w: i32,
    line_h: i32,
    gap: i32,
    /// One column: key, gap, the widest label, padding.
    col_w: i32,
    /// Distance from the edges of the area it is drawn in.
    inset: i32,
}

fn legend_size(
    area: &DrawingArea<CanvasBackend, Shift>,
    surface: &Surface,
    keys: &[(String, Key)],
) -> Result<LegendSize, String> {
    let compact = surface.compact();
    let font = surface
        .font(if compact { 11.0 } else { 12.0 })
        .color(&BLACK);
    let mut text_w = 0;
    for (label, _) in keys {
        let (w, _) = area.estimate_text_size(label, &font).map_err(draw_err)?;
        text_w = text_w.max(w as i32);
    }
    let px = |v: f64| surface.ipx(v);
    let (pad, key_w, line_h, gap) = (
        px(5.0),
        px(if compact { 16.0 } else { 22.0 }),
        px(if compact { 14.0 } else { 17.0 }),
        px(5.0),
    );
    Ok(LegendSize {
        font,
        pad,
        key_w,
        line_h,
        gap,
        col_w: key_w + gap + text_w + pad,
        inset: px(6.0),
    })
}

/// The height of a strip under the chart for its legend, in columns across
/// the canvas, when the legend in one column would be taller than half the
/// canvas (many series: pinned runs over a model with many states) and
/// would hide the data; `None` to draw it on the plot as usual (also when
/// the strip would leave the plot less than half the canvas).
fn legend_strip(
    root: &DrawingArea<CanvasBackend, Shift>,
    surface: &Surface,
    keys: &[(String, Key)],
) -> Result<Option<i32>, String> {
    if keys.is_empty() {
        return Ok(None);
    }
    let size = legend_size(root, surface, keys)?;
    let (w, h) = root.dim_in_pixel();
    let (w, h) = (w as i32, h as i32);
    let n = keys.len() as i32;
    if 2 * size.pad + size.line_h * n <= h / 2 {
        return Ok(None);
    }
    let cols = ((w - 2 * size.inset - size.pad) / size.col_w).clamp(1, n);
    let rows = (n + cols - 1) / cols;
    let strip = 2 * size.inset + 2 * size.pad + rows * size.line_h;
    Ok((strip <= h / 2).then_some(strip))
}

/// How a legend entry is keyed.
enum Key {
    /// A line: colour, dash pattern (dash, gap in CSS pixels) if dashed,
    /// width in CSS pixels.
    Line(Rgb, Option<(f64, f64)>, f64),
    /// A filled box.
    Box(Rgb),
    /// A dot.
    Dot(Rgb),
    /// An open circle.
    Ring,
}

/// A legend box in a corner of `area`. Drawn by hand rather than with
/// plotters' series labels, whose text measurement goes through the DOM
/// (see [`super::backend`]).
/// Returns where it went (x, y, width, height in `area`'s pixels).
fn legend(
    area: &DrawingArea<CanvasBackend, Shift>,
    surface: &Surface,
    keys: &[(String, Key)],
    corner: Corner,
) -> Result<Option<(i32, i32, i32, i32)>, String> {
    if keys.is_empty() {
        return Ok(None);
    }
    let LegendSize {
        font,
        pad,
        key_w,
        line_h,
        gap,
        col_w,
        inset,
    } = legend_size(area, surface, keys)?;
    let px = |v: f64| surface.ipx(v);
    let (aw, ah) = area.dim_in_pixel();
    let (bx, by) = area.get_base_pixel();
    // As many rows as the plot's height holds; further keys (many series
    // with pinned runs on a short chart) go to more columns rather than
    // run past the plot and over each other.
    let fit_rows = ((ah as i32 - 2 * inset - 2 * pad) / line_h).max(1) as usize;
    let cols = keys.len().div_ceil(fit_rows);
    let rows = keys.len().div_ceil(cols) as i32;
    let box_w = pad + col_w * cols as i32;
    let box_h = 2 * pad + line_h * rows;
    let (left, right) = (inset, aw as i32 - box_w - inset);
    let (top, bottom) = (inset, ah as i32 - box_h - inset);
    let (x0, y0) = match corner {
        Corner::LowerRight => (right, bottom),
        Corner::Strip => (left, top),
        Corner::Emptiest(points) => {
            // Upper right first: ties keep the conventional place.
            let corners = [(right, top), (left, top), (right, bottom), (left, bottom)];
            let margin = px(4.0);
            let covered = |&(cx, cy): &(i32, i32)| {
                points
                    .iter()
                    .filter(|(x, y)| {
                        let (x, y) = (x - bx, y - by);
                        x >= cx - margin
                            && x <= cx + box_w + margin
                            && y >= cy - margin
                            && y <= cy + box_h + margin
                    })
                    .count()
            };
            corners
                .iter()
                .copied()
                .min_by_key(covered)
                .unwrap_or((right, top))
        }
    };
    area.draw(&Rectangle::new(
        [(x0, y0), (x0 + box_w, y0 + box_h)],
        WHITE.mix(0.9).filled(),
    ))
    .map_err(draw_err)?;
    area.draw(&Rectangle::new(
        [(x0, y0), (x0 + box_w, y0 + box_h)],
        RGBColor(190, 194, 202).stroke_width(surface.px(1.0)),
    ))
    .map_err(draw_err)?;
    for (i, (label, key)) in keys.iter().enumerate() {
        let (col, row) = (i as i32 / rows, i as i32 % rows);
        let y = y0 + pad + line_h * row + line_h / 2;
        let kx = x0 + pad + col_w * col;
        match key {
            Key::Line(c, dash, w) => {
                let style = rgb(*c).stroke_width(surface.px(*w));
                if let Some((on, off)) = dash {
                    // The line's own pattern, at most 0.6 of the key per dash.
                    let on = px(*on).clamp(1, (key_w * 3 / 5).max(1));
                    let off = px(*off).max(1);
                    let mut x = kx;
                    while x < kx + key_w {
                        let end = (x + on).min(kx + key_w);
                        area.draw(&PathElement::new(vec![(x, y), (end, y)], style))
                            .map_err(draw_err)?;
                        x = end + off;
                    }
                } else {
                    area.draw(&PathElement::new(vec![(kx, y), (kx + key_w, y)], style))
                        .map_err(draw_err)?;
                }
            }
            Key::Box(c) => {
                area.draw(&Rectangle::new(
                    [(kx, y - line_h / 3), (kx + key_w, y + line_h / 3)],
                    rgb(*c).filled(),
                ))
                .map_err(draw_err)?;
            }
            Key::Dot(c) => {
                area.draw(&Circle::new(
                    (kx + key_w / 2, y),
                    px(4.0) as u32,
                    rgb(*c).filled(),
                ))
                .map_err(draw_err)?;
            }
            Key::Ring => {
                area.draw(&Circle::new(
                    (kx + key_w / 2, y),
                    px(4.0) as u32,
                    BLACK.stroke_width(surface.px(1.5)),
                ))
                .map_err(draw_err)?;
            }
        }
        area.draw(&Text::new(
            label.clone(),
            (kx + key_w + gap, y),
            font.clone().pos(Pos::new(HPos::Left, VPos::Center)),
        ))
        .map_err(draw_err)?;
    }
    Ok(Some((x0, y0, box_w, box_h)))
}
