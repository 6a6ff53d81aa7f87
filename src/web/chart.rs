//! Drawing on a `<canvas>` with plotters: a time-series chart (log or linear
//! y, threshold lines, labelled markers) and a stacked band chart (class
//! probabilities summing to 100%, with the current patient's value marked).
//! It only draws what it is given: the models say what their time charts
//! show ([`crate::model::Model::charts`]), [`super::bands`] builds the band
//! charts. Every size is multiplied by the canvas's pixel ratio so charts
//! stay crisp on HiDPI screens.

use super::backend::Canvas as CanvasBackend;
use super::canvas;
use plotters::coord::ranged1d::{Ranged, ValueFormatter};
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

pub use crate::plot::{palette, BandChart, HLine, Marker, Rgb, Series, Shape, TimeChart};

/// Where and how big to draw: canvas id and pixels per CSS pixel.
#[derive(Debug, Clone, Copy)]
pub struct Surface<'a> {
    /// Canvas element id.
    pub id: &'a str,
    /// Device pixel ratio (sizes are scaled by it).
    pub ratio: f64,
}

impl<'a> Surface<'a> {
    /// The canvas `id`, sized to its CSS box ([`canvas::fit`]); `None` when
    /// it is not displayed.
    pub fn fit(id: &'a str) -> Option<Surface<'a>> {
        canvas::fit(id).map(|ratio| Surface { id, ratio })
    }
    /// The canvas `id` sized to its CSS box, or at its own size when it is
    /// hidden ([`canvas::fit_or_own`]).
    pub fn fit_or_own(id: &'a str) -> Surface<'a> {
        Surface {
            id,
            ratio: canvas::fit_or_own(id),
        }
    }
    fn px(&self, css: f64) -> u32 {
        (css * self.ratio).round().max(1.0) as u32
    }
    fn font(&self, css: f64) -> (&'static str, u32) {
        ("sans-serif", self.px(css))
    }
}

fn rgb(c: Rgb) -> RGBColor {
    RGBColor(c.0, c.1, c.2)
}

fn draw_err<E>(e: DrawingAreaErrorKind<E>) -> String
where
    E: std::error::Error + Send + Sync,
{
    format!("drawing the chart failed: {e}")
}

/// Compact axis numbers: plain in [1e-3, 1e5), else `1e6` style.
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
        .chain(chart.hlines.iter().map(|h| h.y))
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
        Some((lo, hi + 0.05 * (hi - lo)))
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
pub fn draw_time(surface: Surface, chart: &TimeChart) -> Result<(), String> {
    let root = canvas::backend(surface.id)?.into_drawing_area();
    root.fill(&WHITE).map_err(draw_err)?;
    let Some((y0, y1)) = y_bounds(chart) else {
        root.draw(&Text::new(
            "nothing to plot",
            (surface.px(20.0) as i32, surface.px(30.0) as i32),
            surface.font(15.0),
        ))
        .map_err(draw_err)?;
        return root.present().map_err(draw_err);
    };
    let (x0, x1) = chart.x_range;
    let mut b = ChartBuilder::on(&root);
    b.caption(&chart.title, surface.font(16.0))
        .margin(surface.px(10.0))
        .x_label_area_size(surface.px(42.0))
        .y_label_area_size(surface.px(64.0));
    if chart.log_y {
        let ctx = b
            .build_cartesian_2d(x0..x1, (y0..y1).log_scale())
            .map_err(draw_err)?;
        time_body(ctx, surface, chart, (y0, y1))?;
    } else {
        let ctx = b.build_cartesian_2d(x0..x1, y0..y1).map_err(draw_err)?;
        time_body(ctx, surface, chart, (y0, y1))?;
    }
    root.present().map_err(draw_err)
}

fn time_body<Y>(
    mut ctx: ChartContext<'_, CanvasBackend, Cartesian2d<RangedCoordf64, Y>>,
    surface: Surface,
    chart: &TimeChart,
    (y0, y1): (f64, f64),
) -> Result<(), String>
where
    Y: Ranged<ValueType = f64> + ValueFormatter<f64>,
{
    let fmt = |v: &f64| tick(*v);
    ctx.configure_mesh()
        .x_desc(&chart.x_label)
        .y_desc(&chart.y_label)
        .y_label_formatter(&fmt)
        .x_label_formatter(&fmt)
        .label_style(surface.font(12.0))
        .axis_desc_style(surface.font(13.0))
        .light_line_style(RGBColor(238, 238, 238))
        .bold_line_style(RGBColor(215, 215, 215))
        .draw()
        .map_err(draw_err)?;
    let (x0, x1) = chart.x_range;
    let grey = rgb(palette::GREY);
    for h in &chart.hlines {
        if h.y < y0 || h.y > y1 {
            continue;
        }
        ctx.draw_series(DashedLineSeries::new(
            [(x0, h.y), (x1, h.y)],
            surface.px(6.0),
            surface.px(4.0),
            grey.stroke_width(surface.px(1.0)),
        ))
        .map_err(draw_err)?;
        ctx.draw_series(std::iter::once(Text::new(
            h.label.clone(),
            (x0 + 0.01 * (x1 - x0), h.y),
            surface.font(11.0).into_font().color(&grey),
        )))
        .map_err(draw_err)?;
    }
    for s in &chart.series {
        let color = rgb(s.color);
        let style = color.stroke_width(surface.px(s.width));
        for run in runs(&s.points, y0, y1) {
            if s.dashed {
                ctx.draw_series(DashedLineSeries::new(
                    run,
                    surface.px(7.0),
                    surface.px(4.0),
                    style,
                ))
                .map_err(draw_err)?;
            } else {
                ctx.draw_series(LineSeries::new(run, style))
                    .map_err(draw_err)?;
            }
        }
    }
    for m in &chart.markers {
        if !(m.at.0 >= x0 && m.at.0 <= x1 && m.at.1 >= y0 && m.at.1 <= y1) {
            continue;
        }
        let color = rgb(m.color);
        let r = surface.px(5.0) as i32;
        let text_pos = (r + surface.px(3.0) as i32, -(r + surface.px(12.0) as i32));
        let font = surface.font(12.0).into_font().color(&BLACK);
        let label = m.label.clone();
        match m.shape {
            Shape::Circle => ctx.draw_series(std::iter::once(
                EmptyElement::at(m.at)
                    + Circle::new((0, 0), r, color.filled())
                    + Circle::new((0, 0), r, BLACK.stroke_width(surface.px(1.0)))
                    + Text::new(label, text_pos, font),
            )),
            Shape::Triangle => ctx.draw_series(std::iter::once(
                EmptyElement::at(m.at)
                    + TriangleMarker::new((0, 0), r + 1, color.filled())
                    + Text::new(label, text_pos, font),
            )),
        }
        .map_err(draw_err)?;
    }
    let keys: Vec<(String, Key)> = chart
        .series
        .iter()
        .filter(|s| !runs(&s.points, y0, y1).is_empty())
        .map(|s| (s.label.clone(), Key::Line(s.color, s.dashed, s.width)))
        .collect();
    // Pixels covered by data and markers, so the legend can avoid them.
    let mut occupied: Vec<(i32, i32)> = Vec::new();
    for s in &chart.series {
        for run in runs(&s.points, y0, y1) {
            occupied.extend(run.iter().map(|p| ctx.backend_coord(p)));
        }
    }
    occupied.extend(chart.markers.iter().map(|m| ctx.backend_coord(&m.at)));
    legend(
        &ctx.plotting_area().strip_coord_spec(),
        surface,
        &keys,
        Corner::Emptiest(&occupied),
    )
}

/// Draw a band chart on `surface`.
pub fn draw_bands(surface: Surface, chart: &BandChart) -> Result<(), String> {
    let root = canvas::backend(surface.id)?.into_drawing_area();
    root.fill(&WHITE).map_err(draw_err)?;
    let (Some(&x0), Some(&x1)) = (chart.x.first(), chart.x.last()) else {
        return Err("the band grid is empty".into());
    };
    let mut b = ChartBuilder::on(&root);
    b.caption(&chart.title, surface.font(16.0))
        .margin(surface.px(10.0))
        .x_label_area_size(surface.px(42.0))
        .y_label_area_size(surface.px(56.0));
    if chart.log_x {
        let ctx = b
            .build_cartesian_2d((x0..x1).log_scale(), 0.0..100.0)
            .map_err(draw_err)?;
        band_body(ctx, surface, chart)?;
    } else {
        let ctx = b.build_cartesian_2d(x0..x1, 0.0..100.0).map_err(draw_err)?;
        band_body(ctx, surface, chart)?;
    }
    root.present().map_err(draw_err)
}

fn band_body<X>(
    mut ctx: ChartContext<'_, CanvasBackend, Cartesian2d<X, RangedCoordf64>>,
    surface: Surface,
    chart: &BandChart,
) -> Result<(), String>
where
    X: Ranged<ValueType = f64> + ValueFormatter<f64>,
{
    let fmt = |v: &f64| tick(*v);
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
        let color = rgb(*c);
        ctx.draw_series(std::iter::once(Polygon::new(
            poly,
            color.mix(0.85).filled(),
        )))
        .map_err(draw_err)?;
        lower = upper;
    }
    ctx.configure_mesh()
        .x_desc(&chart.x_label)
        .y_desc("probability of class (%)")
        .x_label_formatter(&fmt)
        .y_label_formatter(&fmt)
        .label_style(surface.font(12.0))
        .axis_desc_style(surface.font(13.0))
        .disable_mesh()
        .draw()
        .map_err(draw_err)?;
    if let Some((x, label)) = &chart.mark {
        let (lo, hi) = (chart.x[0], chart.x[chart.x.len() - 1]);
        let xc = x.clamp(lo, hi);
        let w = surface.px(2.0);
        ctx.draw_series(LineSeries::new(
            [(xc, 0.0), (xc, 100.0)],
            BLACK.stroke_width(w),
        ))
        .map_err(draw_err)?;
        let off = surface.px(4.0) as i32;
        let text = if *x < lo || *x > hi {
            format!("{label} (beyond the grid)")
        } else {
            label.clone()
        };
        // Write the label on the side with more room.
        let right = (xc - lo) < (hi - xc) || (chart.log_x && (xc / lo) < (hi / xc));
        let style = surface.font(12.0).into_font().color(&BLACK);
        let style = if right {
            style.pos(Pos::new(HPos::Left, VPos::Top))
        } else {
            style.pos(Pos::new(HPos::Right, VPos::Top))
        };
        ctx.draw_series(std::iter::once(
            EmptyElement::at((xc, 98.0))
                + Text::new(text, (if right { off } else { -off }, 0), style),
        ))
        .map_err(draw_err)?;
    }
    let keys: Vec<(String, Key)> = chart
        .bands
        .iter()
        .rev()
        .map(|(l, c, _)| (l.clone(), Key::Box(*c)))
        .collect();
    legend(
        &ctx.plotting_area().strip_coord_spec(),
        surface,
        &keys,
        Corner::LowerRight,
    )
}

/// Where the legend goes.
enum Corner<'a> {
    /// Lower right.
    LowerRight,
    /// The corner covering the fewest of these backend pixels.
    Emptiest(&'a [(i32, i32)]),
}

/// How a legend entry is keyed.
enum Key {
    /// A line: colour, dashed, width in CSS pixels.
    Line(Rgb, bool, f64),
    /// A filled box.
    Box(Rgb),
}

/// A legend box in the upper (or lower) right corner of `area`. Drawn by
/// hand rather than with plotters' series labels, whose text measurement
/// goes through the DOM (see [`super::backend`]).
fn legend(
    area: &DrawingArea<CanvasBackend, plotters::coord::Shift>,
    surface: Surface,
    keys: &[(String, Key)],
    corner: Corner,
) -> Result<(), String> {
    if keys.is_empty() {
        return Ok(());
    }
    let font = surface.font(12.0).into_font().color(&BLACK);
    let mut text_w = 0;
    for (label, _) in keys {
        let (w, _) = area.estimate_text_size(label, &font).map_err(draw_err)?;
        text_w = text_w.max(w as i32);
    }
    let px = |v: f64| surface.px(v) as i32;
    let (pad, key_w, line_h, gap) = (px(6.0), px(24.0), px(17.0), px(6.0));
    let box_w = pad + key_w + gap + text_w + pad;
    let box_h = 2 * pad + line_h * keys.len() as i32;
    let (aw, ah) = area.dim_in_pixel();
    let (bx, by) = area.get_base_pixel();
    let (left, right) = (px(8.0), aw as i32 - box_w - px(8.0));
    let (top, bottom) = (px(8.0), ah as i32 - box_h - px(8.0));
    let (x0, y0) = match corner {
        Corner::LowerRight => (right, bottom),
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
        WHITE.mix(0.88).filled(),
    ))
    .map_err(draw_err)?;
    area.draw(&Rectangle::new(
        [(x0, y0), (x0 + box_w, y0 + box_h)],
        RGBColor(180, 180, 180).stroke_width(surface.px(1.0)),
    ))
    .map_err(draw_err)?;
    for (i, (label, key)) in keys.iter().enumerate() {
        let y = y0 + pad + line_h * i as i32 + line_h / 2;
        let kx = x0 + pad;
        match key {
            Key::Line(c, dashed, w) => {
                let style = rgb(*c).stroke_width(surface.px(*w));
                if *dashed {
                    let seg = key_w / 5;
                    for k in [0, 2, 4] {
                        area.draw(&PathElement::new(
                            vec![(kx + k * seg, y), (kx + (k + 1) * seg, y)],
                            style,
                        ))
                        .map_err(draw_err)?;
                    }
                } else {
                    area.draw(&PathElement::new(vec![(kx, y), (kx + key_w, y)], style))
                        .map_err(draw_err)?;
                }
            }
            Key::Box(c) => {
                area.draw(&Rectangle::new(
                    [(kx, y - line_h / 3), (kx + key_w, y + line_h / 3)],
                    rgb(*c).mix(0.85).filled(),
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
    Ok(())
}
