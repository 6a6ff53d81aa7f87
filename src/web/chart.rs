//! Drawing charts on a `<canvas>` with plotters. The page's drawing code
//! lives here so it can grow (more chart kinds, log axes, bands) without
//! touching the page logic in [`super`].

use plotters::prelude::*;
use plotters_canvas::CanvasBackend;

/// How a series is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    /// A line through the points.
    Line,
    /// A dot at each point.
    Dots,
}

/// One labelled series of (x, y) points.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// Legend text.
    pub label: String,
    /// The points, in drawing order.
    pub points: Vec<(f64, f64)>,
    /// Line or dots.
    pub mark: Mark,
    /// Colour as (red, green, blue).
    pub color: (u8, u8, u8),
}

/// A chart: titles and the series to draw.
#[derive(Debug, Clone, PartialEq)]
pub struct LineChart {
    /// Caption above the plot.
    pub title: String,
    /// Horizontal axis title.
    pub x_label: String,
    /// Vertical axis title.
    pub y_label: String,
    /// What to draw, in order (later series on top).
    pub series: Vec<Series>,
}

/// A closed interval (low, high).
type Range = (f64, f64);

/// Smallest range covering every finite point, padded by 5 % on y; a
/// zero-width range is widened so plotters can draw an axis.
fn bounds(series: &[Series]) -> Result<(Range, Range), String> {
    let pts = series
        .iter()
        .flat_map(|s| s.points.iter())
        .filter(|(x, y)| x.is_finite() && y.is_finite());
    let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    for &(x, y) in pts {
        x0 = x0.min(x);
        x1 = x1.max(x);
        y0 = y0.min(y);
        y1 = y1.max(y);
    }
    if x0 > x1 {
        return Err("nothing to plot: no finite points".into());
    }
    let widen = |lo: f64, hi: f64| {
        if hi > lo {
            (lo, hi)
        } else {
            (lo - 0.5, hi + 0.5)
        }
    };
    let (x0, x1) = widen(x0, x1);
    let (y0, y1) = widen(y0, y1);
    let pad = 0.05 * (y1 - y0);
    Ok(((x0, x1), (y0 - pad, y1 + pad)))
}

/// Draw `chart` on the canvas with id `canvas_id` (replacing what was there).
pub fn draw(canvas_id: &str, chart: &LineChart) -> Result<(), String> {
    let backend = CanvasBackend::new(canvas_id)
        .ok_or_else(|| format!("no <canvas id=\"{canvas_id}\"> on the page"))?;
    let root = backend.into_drawing_area();
    let err = |e: DrawingAreaErrorKind<_>| format!("drawing the chart failed: {e}");
    root.fill(&WHITE).map_err(err)?;
    let ((x0, x1), (y0, y1)) = bounds(&chart.series)?;

    let mut ctx = ChartBuilder::on(&root)
        .caption(&chart.title, ("sans-serif", 20))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(56)
        .build_cartesian_2d(x0..x1, y0..y1)
        .map_err(err)?;
    ctx.configure_mesh()
        .x_desc(&chart.x_label)
        .y_desc(&chart.y_label)
        .label_style(("sans-serif", 13))
        .axis_desc_style(("sans-serif", 15))
        .draw()
        .map_err(err)?;

    for s in &chart.series {
        let color = RGBColor(s.color.0, s.color.1, s.color.2);
        let finite = s
            .points
            .iter()
            .copied()
            .filter(|(x, y)| x.is_finite() && y.is_finite());
        match s.mark {
            Mark::Line => ctx
                .draw_series(LineSeries::new(finite, color.stroke_width(2)))
                .map_err(err)?
                .label(s.label.as_str())
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], color)),
            Mark::Dots => ctx
                .draw_series(finite.map(|p| Circle::new(p, 3, color.filled())))
                .map_err(err)?
                .label(s.label.as_str())
                .legend(move |(x, y)| Circle::new((x + 10, y), 3, color.filled())),
        };
    }
    ctx.configure_series_labels()
        .position(SeriesLabelPosition::LowerRight)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .label_font(("sans-serif", 14))
        .draw()
        .map_err(err)?;
    root.present().map_err(err)
}
