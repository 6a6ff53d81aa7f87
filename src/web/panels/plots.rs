//! Charts of the job panels, drawn with the simulator's chart code
//! ([`crate::web::chart`]: one layout, nice ticks, the device pixel ratio):
//! box plots of the trial summary, stacked response-probability bands,
//! heatmaps with a colour bar (cells painted as one image, not 40,000
//! rectangles, so a 200×200 map draws in a few milliseconds).
//!
//! Each chart is drawn by a closure kept under its canvas id ([`keep`]),
//! so that a resized window (or a panel shown again) redraws it at its new
//! size instead of stretching the old pixels ([`redraw_all`]).

use crate::plot::{class_color, palette, Rgb};
use crate::web::canvas;
use crate::web::chart::{self, draw_bands, Axis, BandChart, BoxGroup, Surface, Titles};
use crate::web::dom;
use crate::web::jobs::View;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;
use wasm_bindgen::Clamped;

/// A chart's drawing, kept to draw it again.
type Redraw = Rc<dyn Fn() -> Result<(), String>>;

thread_local! {
    static KEPT: RefCell<BTreeMap<String, Redraw>> = RefCell::new(BTreeMap::new());
}

/// Draw the chart on canvas `id` now with `f`, and keep `f` to draw it
/// again when the window is resized.
pub fn keep(id: &str, f: impl Fn() -> Result<(), String> + 'static) -> Result<(), String> {
    let f: Redraw = Rc::new(f);
    KEPT.with(|k| k.borrow_mut().insert(id.to_string(), f.clone()));
    f()
}

/// Draw every kept chart again (at its canvas's current size); errors go
/// to the panel that owns the chart.
pub fn redraw_all() {
    let all: Vec<(String, Redraw)> = KEPT.with(|k| {
        k.borrow()
            .iter()
            .map(|(id, f)| (id.clone(), f.clone()))
            .collect()
    });
    for (id, f) in all {
        // Only charts on screen: a hidden one is drawn when it is shown.
        if canvas::fit(&id).is_none() {
            continue;
        }
        if let Err(e) = f() {
            let panel = id.split('-').next().unwrap_or("");
            match panel {
                "cohort" => View::new("cohort").error(&e),
                "predict" => View::new("predict").error(&e),
                "sensitivity" => View::new("sensitivity").error(&e),
                _ => View::new("sweep").error(&e),
            }
        }
    }
}

/// A trial cohort's name as people read it (its class: the cohorts are
/// drawn around the preset of each class).
pub fn cohort_name(id: &str) -> &str {
    match id {
        "cr" => "CR",
        "nr" => "NR",
        "relapse-pos" => "CD19+ relapse",
        "relapse-neg" => "CD19- relapse",
        other => other,
    }
}

/// The colour of a class, or of a cohort by its class.
pub fn color_of(name: &str) -> Rgb {
    class_color(cohort_name(name)).unwrap_or(palette::GREY)
}

/// Box plots (quartile box, median line) of one quantity per group, on a
/// log axis when `log` is set; each group in its class's colour.
pub fn boxes(
    id: &str,
    title: &str,
    y_label: &str,
    log: bool,
    groups: &[(String, Option<crate::cohort::Quartiles>)],
) -> Result<(), String> {
    let groups: Vec<BoxGroup> = groups
        .iter()
        .map(|(name, q)| {
            (
                cohort_name(name).to_string(),
                color_of(name),
                q.map(|q| (q.q1, q.median, q.q3)),
            )
        })
        .collect();
    crate::web::summary::boxes(id, title, y_label, &groups);
    chart::draw_boxes(&Surface::fit_or_own(id)?, title, y_label, log, &groups)
}

/// Stacked response-probability bands (they sum to 1 at every x), drawn by
/// the simulator's band chart so both show bands the same way, each class
/// in its colour.
pub fn bands(
    id: &str,
    title: &str,
    x_label: &str,
    log_x: bool,
    x: &[f64],
    labels: &[String],
    p: &[Vec<f64>],
) -> Result<(), String> {
    let bands = labels
        .iter()
        .zip(p)
        .map(|(l, row)| (l.clone(), color_of(l), row.clone()))
        .collect();
    let c = BandChart {
        title: title.to_string(),
        x_label: x_label.to_string(),
        log_x,
        x: x.to_vec(),
        bands,
        mark: None,
        run_marks: Vec::new(),
        covered: None,
        points: Vec::new(),
        points_label: String::new(),
    };
    crate::web::summary::bands(id, &c);
    draw_bands(&Surface::fit_or_own(id)?, &c)
}

/// Viridis-like colour map of `t` in [0, 1] (NaN: grey).
pub fn colour(t: f64) -> (u8, u8, u8) {
    if !t.is_finite() {
        return (180, 180, 180);
    }
    const STOPS: [(f64, f64, f64); 5] = [
        (68.0, 1.0, 84.0),
        (59.0, 82.0, 139.0),
        (33.0, 145.0, 140.0),
        (94.0, 201.0, 98.0),
        (253.0, 231.0, 37.0),
    ];
    let t = t.clamp(0.0, 1.0) * 4.0;
    let k = (t.floor() as usize).min(3);
    let f = t - k as f64;
    let (a, b) = (STOPS[k], STOPS[k + 1]);
    let mix = |x: f64, y: f64| (x + (y - x) * f).round() as u8;
    (mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// Where a heatmap's cells were drawn, for pointer readouts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HeatGeom {
    /// Left edge of the cell area, canvas pixels.
    pub left: f64,
    /// Top edge.
    pub top: f64,
    /// Width.
    pub width: f64,
    /// Height.
    pub height: f64,
    /// Cells across (x axis).
    pub nx: usize,
    /// Cells down (y axis).
    pub ny: usize,
}

impl HeatGeom {
    /// The cell (ix, iy) under canvas pixel (px, py), iy counted from the bottom.
    pub fn cell(&self, px: f64, py: f64) -> Option<(usize, usize)> {
        let fx = (px - self.left) / self.width;
        let fy = (py - self.top) / self.height;
        if !(0.0..1.0).contains(&fx) || !(0.0..1.0).contains(&fy) {
            return None;
        }
        let ix = ((fx * self.nx as f64) as usize).min(self.nx - 1);
        let iy = ((1.0 - fy) * self.ny as f64) as usize;
        Some((ix, iy.min(self.ny - 1)))
    }
}

fn e<T: std::fmt::Display>(x: T) -> String {
    format!("drawing failed: {x}")
}

/// How a heatmap colours its values.
#[derive(Debug, Clone, Copy)]
pub enum Scale {
    /// A colour scale from the smallest to the largest value, with a
    /// colour bar titled by the outcome's name.
    Continuous(&'static str),
    /// A yes/no outcome: 0 and 1 in the two classes' colours (labels of 0
    /// and 1), with a two-entry legend.
    Classes([&'static str; 2]),
}

impl Scale {
    /// The colour of a value between `vmin` and `vmax`.
    fn colour(&self, v: f64, vmin: f64, vmax: f64) -> (u8, u8, u8) {
        match self {
            Scale::Continuous(_) => colour((v - vmin) / (vmax - vmin)),
            Scale::Classes(labels) if v.is_finite() => {
                let label = labels[usize::from(v >= 0.5)];
                crate::plot::class_color(label).unwrap_or(palette::GREY)
            }
            Scale::Classes(_) => colour(f64::NAN),
        }
    }
}

/// A heatmap: `values[ix * ny + iy]` (x the first axis, the sweep grid's
/// order). Axis ends are in plotted units (log10 for log axes, as
/// `x_log`/`y_log` say); the axes show the values themselves, with ticks
/// at decades on log axes.
#[allow(clippy::too_many_arguments)]
pub fn heatmap(
    id: &str,
    title: &str,
    (x_label, x0, x1, x_log): (&str, f64, f64, bool),
    (y_label, y0, y1, y_log): (&str, f64, f64, bool),
    nx: usize,
    ny: usize,
    values: &[f64],
    scale: Scale,
) -> Result<HeatGeom, String> {
    let classes = match scale {
        Scale::Classes(labels) => Some(labels),
        Scale::Continuous(_) => None,
    };
    let (x, y) = ((x_label, x0, x1, x_log), (y_label, y0, y1, y_log));
    crate::web::summary::heatmap(id, title, x, y, (nx, ny), values, classes);
    let s = Surface::fit_or_own(id)?;
    let root = s.root()?;
    root.fill(&WHITE).map_err(e)?;
    let (vmin, vmax) = values
        .iter()
        .filter(|v| v.is_finite())
        .fold((f64::MAX, f64::MIN), |(a, b), v| (a.min(*v), b.max(*v)));
    let (vmin, vmax) = if vmin > vmax {
        (0.0, 1.0)
    } else if vmax > vmin {
        (vmin, vmax)
    } else {
        (vmin - 0.5, vmax + 0.5)
    };
    let axis = |lo: f64, hi: f64, log: bool| {
        if log {
            Axis::log(10f64.powf(lo), 10f64.powf(hi))
        } else {
            Axis::linear(lo, hi)
        }
    };
    let (w, _) = root.dim_in_pixel();
    let bar_w = s.px(match scale {
        Scale::Continuous(_) => 84.0,
        Scale::Classes(_) => 108.0,
    });
    let (main, _) = root.split_horizontally(w.saturating_sub(bar_w));
    let chart = chart::frame(
        &main,
        &s,
        Titles {
            title,
            x: x_label,
            y: y_label,
        },
        axis(x0, x1, x_log),
        axis(y0, y1, y_log),
        false,
        &[],
    )?;
    let (xr, yr) = chart.plotting_area().get_pixel_range();
    let geom = HeatGeom {
        left: xr.start as f64,
        top: yr.start as f64,
        width: (xr.end - xr.start) as f64,
        height: (yr.end - yr.start) as f64,
        nx,
        ny,
    };
    let px = |v: f64| s.px(v) as i32;
    let bx = w as i32 - bar_w as i32 + px(12.0);
    let (top, bottom) = (yr.start, yr.end);
    let font = s.font(12.0);
    let left_middle = Pos::new(HPos::Left, VPos::Center);
    match scale {
        Scale::Continuous(outcome) => {
            // The colour bar, beside the plot and as tall as it.
            let steps = 64;
            for k in 0..steps {
                let a = top + (bottom - top) * k / steps;
                let b = top + (bottom - top) * (k + 1) / steps;
                let t = 1.0 - (k as f64 + 0.5) / steps as f64;
                let c = colour(t);
                root.draw(&Rectangle::new(
                    [(bx, a), (bx + px(14.0), b)],
                    RGBColor(c.0, c.1, c.2).filled(),
                ))
                .map_err(e)?;
            }
            let (ticks, _) = chart::linear_ticks(vmin, vmax, 5);
            for t in ticks {
                let y =
                    bottom - ((t - vmin) / (vmax - vmin) * (bottom - top) as f64).round() as i32;
                root.draw(&PathElement::new(
                    vec![(bx + px(14.0), y), (bx + px(18.0), y)],
                    BLACK.stroke_width(s.px(1.0)),
                ))
                .map_err(e)?;
                root.draw(&Text::new(
                    chart::tick(t),
                    (bx + px(21.0), y),
                    font.clone().pos(left_middle),
                ))
                .map_err(e)?;
            }
            root.draw(&Text::new(
                outcome.to_string(),
                (bx, top - px(6.0)),
                font.clone().pos(Pos::new(HPos::Left, VPos::Bottom)),
            ))
            .map_err(e)?;
        }
        Scale::Classes(labels) => {
            s.set_legend(
                &labels
                    .iter()
                    .map(|l| {
                        (
                            l.to_string(),
                            crate::plot::class_color(l).unwrap_or(palette::GREY),
                        )
                    })
                    .collect::<Vec<_>>(),
            );
            // Two swatches, the value 1 above the value 0, each named.
            for (k, v) in [1.0, 0.0].into_iter().enumerate() {
                let y = top + px(8.0) + k as i32 * px(26.0);
                let c = scale.colour(v, 0.0, 1.0);
                root.draw(&Rectangle::new(
                    [(bx, y - px(7.0)), (bx + px(14.0), y + px(7.0))],
                    RGBColor(c.0, c.1, c.2).filled(),
                ))
                .map_err(e)?;
                let label = labels[usize::from(v >= 0.5)];
                let words: Vec<&str> = label.split('-').collect();
                // "non-responder" on two lines, so it fits beside the swatch.
                let lines = if words.len() == 2 {
                    vec![format!("{}-", words[0]), words[1].to_string()]
                } else {
                    vec![label.to_string()]
                };
                for (i, line) in lines.iter().enumerate() {
                    root.draw(&Text::new(
                        line.clone(),
                        (bx + px(19.0), y + i as i32 * px(13.0)),
                        font.clone().pos(left_middle),
                    ))
                    .map_err(e)?;
                }
            }
        }
    }
    root.present().map_err(e)?;
    // The cells in a later task: axes and cells each stay well under 50 ms.
    let (id, values) = (id.to_string(), values.to_vec());
    dom::later(move || {
        let painted = paint_cells(&id, &geom, &values, |v| scale.colour(v, vmin, vmax));
        if let Err(msg) = painted {
            View::new("sweep").error(&msg);
        } else if let Ok(c) = dom::by_id(&id) {
            dom::attr(&c, "data-cells", &values.len().to_string());
        }
    });
    Ok(geom)
}

/// Paint the cells as one image over the plot area.
fn paint_cells(
    id: &str,
    g: &HeatGeom,
    values: &[f64],
    colour: impl Fn(f64) -> (u8, u8, u8),
) -> Result<(), String> {
    let ctx = canvas::context_2d(id)?;
    let (w, h) = (g.width as usize, g.height as usize);
    if w == 0 || h == 0 {
        return Ok(());
    }
    let mut px = vec![255u8; w * h * 4];
    for row in 0..h {
        let iy = (((h - 1 - row) as f64 + 0.5) / h as f64 * g.ny as f64) as usize;
        for col in 0..w {
            let ix = ((col as f64 + 0.5) / w as f64 * g.nx as f64) as usize;
            let v = values
                .get(ix.min(g.nx - 1) * g.ny + iy.min(g.ny - 1))
                .copied()
                .unwrap_or(f64::NAN);
            let c = colour(v);
            let k = (row * w + col) * 4;
            px[k] = c.0;
            px[k + 1] = c.1;
            px[k + 2] = c.2;
        }
    }
    let img =
        web_sys::ImageData::new_with_u8_clamped_array_and_sh(Clamped(&px), w as u32, h as u32)
            .map_err(|e| dom::js_text(&e))?;
    ctx.put_image_data(&img, g.left, g.top)
        .map_err(|e| dom::js_text(&e))
}
