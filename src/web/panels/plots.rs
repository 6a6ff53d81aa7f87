//! Charts of the job panels, drawn with plotters on `<canvas>`: box plots
//! of the trial summary, stacked response-probability bands, heatmaps with
//! a colour bar (cells painted as one image, not 40,000 rectangles, so a
//! 200×200 map draws in a few milliseconds).

use crate::cohort::Quartiles;
// Text is measured on the canvas, not through DOM spans (the page's CSP
// forbids the inline styles plotters' stock backend would insert): every
// backend comes from `canvas::backend`.
use crate::web::canvas::{self, backend};
use crate::web::chart::{draw_bands, BandChart, Surface};
use crate::web::dom;
use crate::web::jobs::View;
use plotters::prelude::*;
use wasm_bindgen::Clamped;

/// Colours of the four cohorts / classes.
pub const PALETTE: [(u8, u8, u8); 4] =
    [(31, 119, 180), (214, 39, 40), (255, 127, 14), (44, 160, 44)];

fn e<T: std::fmt::Display>(x: T) -> String {
    format!("drawing failed: {x}")
}

/// Box plots (quartile box, median line) of one quantity per group, on a
/// log10 axis when `log` is set.
pub fn boxes(
    id: &str,
    title: &str,
    y_label: &str,
    log: bool,
    groups: &[(String, Option<Quartiles>)],
) -> Result<(), String> {
    let root = backend(id)?.into_drawing_area();
    root.fill(&WHITE).map_err(e)?;
    let f = |v: f64| if log { v.max(1e-300).log10() } else { v };
    let vals: Vec<f64> = groups
        .iter()
        .filter_map(|g| g.1)
        .flat_map(|q| [f(q.q1), f(q.q3)])
        .filter(|v| v.is_finite())
        .collect();
    let (mut lo, mut hi) = vals
        .iter()
        .fold((f64::MAX, f64::MIN), |(a, b), v| (a.min(*v), b.max(*v)));
    if lo > hi {
        (lo, hi) = (0.0, 1.0);
    }
    let pad = ((hi - lo) * 0.1).max(0.1);
    let n = groups.len() as f64;
    let mut chart = ChartBuilder::on(&root)
        .caption(title, ("sans-serif", 16))
        .margin(8)
        .x_label_area_size(28)
        .y_label_area_size(60)
        .build_cartesian_2d(-0.5..n - 0.5, (lo - pad)..(hi + pad))
        .map_err(e)?;
    let names: Vec<String> = groups.iter().map(|g| g.0.clone()).collect();
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(groups.len())
        .x_label_formatter(&|x| {
            let k = x.round();
            if (x - k).abs() < 1e-6 && k >= 0.0 {
                names.get(k as usize).cloned().unwrap_or_default()
            } else {
                String::new()
            }
        })
        .y_desc(y_label)
        .y_label_formatter(&|v| {
            if log {
                format!("{:.3}", 10f64.powf(*v))
            } else {
                format!("{v:.3}")
            }
        })
        .label_style(("sans-serif", 12))
        .draw()
        .map_err(e)?;
    for (k, (_, q)) in groups.iter().enumerate() {
        let Some(q) = q else { continue };
        let c = PALETTE[k % 4];
        let color = RGBColor(c.0, c.1, c.2);
        let x = k as f64;
        chart
            .draw_series([Rectangle::new(
                [(x - 0.3, f(q.q1)), (x + 0.3, f(q.q3))],
                color.mix(0.35).filled(),
            )])
            .map_err(e)?;
        chart
            .draw_series([Rectangle::new(
                [(x - 0.3, f(q.q1)), (x + 0.3, f(q.q3))],
                color.stroke_width(1),
            )])
            .map_err(e)?;
        chart
            .draw_series(LineSeries::new(
                [(x - 0.3, f(q.median)), (x + 0.3, f(q.median))],
                color.stroke_width(3),
            ))
            .map_err(e)?;
    }
    root.present().map_err(e)
}

/// Stacked response-probability bands (they sum to 1 at every x), drawn by
/// the simulator's band chart so both pages show bands the same way.
pub fn bands(
    id: &str,
    title: &str,
    x_label: &str,
    log_x: bool,
    x: &[f64],
    labels: &[String],
    p: &[Vec<f64>],
) -> Result<(), String> {
    // A canvas in a hidden panel has no CSS size yet: drawn at its own size.
    let bands = labels
        .iter()
        .zip(p)
        .enumerate()
        .map(|(i, (l, row))| (l.clone(), PALETTE[i % PALETTE.len()], row.clone()))
        .collect();
    draw_bands(
        Surface::fit_or_own(id),
        &BandChart {
            title: title.to_string(),
            x_label: x_label.to_string(),
            log_x,
            x: x.to_vec(),
            bands,
            mark: None,
        },
    )
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

/// A heatmap: `values[iy * nx + ix]`... given as row-major with x the
/// *first* axis (`values[ix * ny + iy]`, the sweep grid's order). Axis
/// ends are in plotted units (log10 for log axes, as `x_log`/`y_log` say).
#[allow(clippy::too_many_arguments)]
pub fn heatmap(
    id: &str,
    title: &str,
    (x_label, x0, x1, x_log): (&str, f64, f64, bool),
    (y_label, y0, y1, y_log): (&str, f64, f64, bool),
    nx: usize,
    ny: usize,
    values: &[f64],
    outcome: &str,
) -> Result<HeatGeom, String> {
    let root = backend(id)?.into_drawing_area();
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
    let (w, _) = root.dim_in_pixel();
    let (main, bar) = root.split_horizontally(w.saturating_sub(90));
    let fmt = |log: bool| {
        move |v: &f64| {
            if log {
                format!("{:.1e}", 10f64.powf(*v))
            } else {
                format!("{v:.2}")
            }
        }
    };
    let fx = fmt(x_log);
    let fy = fmt(y_log);
    let mut chart = ChartBuilder::on(&main)
        .caption(title, ("sans-serif", 16))
        .margin(8)
        .x_label_area_size(40)
        .y_label_area_size(70)
        .build_cartesian_2d(x0..x1, y0..y1)
        .map_err(e)?;
    chart
        .configure_mesh()
        .disable_mesh()
        .x_desc(x_label)
        .y_desc(y_label)
        .x_labels(6)
        .y_labels(6)
        .x_label_formatter(&fx)
        .y_label_formatter(&fy)
        .label_style(("sans-serif", 12))
        .draw()
        .map_err(e)?;
    let (xr, yr) = chart.plotting_area().get_pixel_range();
    let geom = HeatGeom {
        left: xr.start as f64,
        top: yr.start as f64,
        width: (xr.end - xr.start) as f64,
        height: (yr.end - yr.start) as f64,
        nx,
        ny,
    };
    // Colour bar.
    let mut cb = ChartBuilder::on(&bar)
        .margin_top(36)
        .margin_bottom(48)
        .margin_right(44)
        .y_label_area_size(0)
        .right_y_label_area_size(40)
        .build_cartesian_2d(0.0..1.0, vmin..vmax)
        .map_err(e)?;
    cb.configure_mesh()
        .disable_mesh()
        .disable_x_axis()
        .y_desc(outcome)
        .label_style(("sans-serif", 11))
        .draw()
        .map_err(e)?;
    let steps = 64;
    cb.draw_series((0..steps).map(|k| {
        let a = vmin + (vmax - vmin) * k as f64 / steps as f64;
        let b = vmin + (vmax - vmin) * (k + 1) as f64 / steps as f64;
        let c = colour((a - vmin) / (vmax - vmin));
        Rectangle::new([(0.0, a), (1.0, b)], RGBColor(c.0, c.1, c.2).filled())
    }))
    .map_err(e)?;
    root.present().map_err(e)?;
    // The cells in a later task: axes and cells each stay well under 50 ms.
    let (id, values) = (id.to_string(), values.to_vec());
    dom::later(move || {
        let painted = paint_cells(&id, &geom, &values, vmin, vmax);
        if let Err(msg) = painted {
            View::new("sweep").error(&msg);
        } else if let Ok(c) = dom::by_id(&id) {
            dom::attr(&c, "data-cells", &values.len().to_string());
        }
    });
    Ok(geom)
}

/// Paint the cells as one image over the plot area.
fn paint_cells(id: &str, g: &HeatGeom, values: &[f64], vmin: f64, vmax: f64) -> Result<(), String> {
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
            let c = colour((v - vmin) / (vmax - vmin));
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
