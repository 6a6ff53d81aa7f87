//! Simple line and dot charts for the job panels (prediction, sweeps),
//! drawn by the simulator's chart code ([`super::chart`]) so every chart
//! shares one layout, one tick rule, one palette and the CSP-safe backend.

use super::chart::{self as tc, Area, Marker, Shape, Surface, TimeChart};

/// How a series is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    /// A line through the points.
    Line,
    /// A dashed line through the points.
    Dashed,
    /// A dot at each point.
    Dots,
}

/// One series.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// Legend text.
    pub label: String,
    /// Points (x, y); non-finite points (and non-positive ones on a log
    /// axis) are skipped.
    pub points: Vec<(f64, f64)>,
    /// Line or dots.
    pub mark: Mark,
    /// Colour.
    pub color: tc::Rgb,
}

/// A chart of series against one x axis.
#[derive(Debug, Clone, PartialEq)]
pub struct LineChart {
    /// Caption.
    pub title: String,
    /// Horizontal axis title.
    pub x_label: String,
    /// Vertical axis title.
    pub y_label: String,
    /// Log-scaled x axis.
    pub log_x: bool,
    /// Log-scaled y axis.
    pub log_y: bool,
    /// The series.
    pub series: Vec<Series>,
    /// Shaded ranges under the series.
    pub areas: Vec<Area>,
}

/// Draw `chart` on the canvas with id `canvas_id` (sized to its CSS box and
/// the device pixel ratio; a hidden one keeps its own size).
pub fn draw(canvas_id: &str, chart: &LineChart) -> Result<(), String> {
    let named: Vec<(&str, &[(f64, f64)])> = chart
        .series
        .iter()
        .map(|s| (s.label.as_str(), s.points.as_slice()))
        .collect();
    let axes = (chart.x_label.as_str(), chart.y_label.as_str());
    super::summary::lines(canvas_id, &chart.title, axes, &named, &chart.areas);
    let ok = |(x, y): &(f64, f64)| {
        x.is_finite() && y.is_finite() && (!chart.log_x || *x > 0.0) && (!chart.log_y || *y > 0.0)
    };
    let xs = chart
        .series
        .iter()
        .flat_map(|s| s.points.iter().filter(|p| ok(p)).map(|p| p.0))
        .chain(
            chart
                .areas
                .iter()
                .flat_map(|a| a.points.iter().map(|p| p.0)),
        )
        .filter(|x| x.is_finite() && (!chart.log_x || *x > 0.0));
    let (lo, hi) = xs.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| {
        (a.min(x), b.max(x))
    });
    if !(lo.is_finite() && hi.is_finite()) {
        return Err(format!("{}: nothing to draw", chart.title));
    }
    let x_range = if hi > lo {
        (lo, hi)
    } else if chart.log_x {
        (lo / 2.0, hi * 2.0)
    } else {
        (lo - 0.5, hi + 0.5)
    };
    let mut series = Vec::new();
    let mut markers = Vec::new();
    let mut dots = Vec::new();
    for s in &chart.series {
        let finite = s.points.iter().copied().filter(|p| ok(p));
        match s.mark {
            Mark::Line | Mark::Dashed => series.push(tc::Series {
                label: s.label.clone(),
                points: finite.collect(),
                color: s.color,
                dashed: s.mark == Mark::Dashed,
                dash: crate::plot::DASH,
                width: if s.mark == Mark::Dashed { 1.5 } else { 2.0 },
            }),
            Mark::Dots => {
                dots.push((s.label.clone(), s.color));
                markers.extend(finite.map(|p| Marker {
                    at: p,
                    label: String::new(),
                    color: s.color,
                    shape: Shape::Circle,
                }));
            }
        }
    }
    tc::draw_lines_chart(
        &Surface::fit_or_own(canvas_id)?,
        &TimeChart {
            title: chart.title.clone(),
            x_label: chart.x_label.clone(),
            y_label: chart.y_label.clone(),
            log_y: chart.log_y,
            x_range,
            series,
            hlines: Vec::new(),
            markers,
            areas: chart.areas.clone(),
            data: Vec::new(),
        },
        chart.log_x,
        &dots,
    )
}
