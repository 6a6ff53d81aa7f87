//! Simple line and dot charts for the job panels (cohort, prediction,
//! sweeps), drawn by the simulator's chart code ([`super::chart`]) so every
//! chart shares one drawing path, one palette and the CSP-safe backend.

use super::chart::{self as tc, Marker, Shape, Surface, TimeChart};

/// How a series is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    /// A line through the points.
    Line,
    /// A dot at each point.
    Dots,
}

/// One series.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// Legend text.
    pub label: String,
    /// Points (x, y); non-finite points are skipped.
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
    /// The series.
    pub series: Vec<Series>,
}

/// Draw `chart` on the canvas with id `canvas_id` (sized to its CSS box and
/// the device pixel ratio; a hidden one keeps its own size).
pub fn draw(canvas_id: &str, chart: &LineChart) -> Result<(), String> {
    let xs = chart
        .series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.0))
        .filter(|x| x.is_finite());
    let (lo, hi) = xs.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| {
        (a.min(x), b.max(x))
    });
    if !(lo.is_finite() && hi.is_finite()) {
        return Err(format!("{}: nothing to draw", chart.title));
    }
    let x_range = if hi > lo {
        (lo, hi)
    } else {
        (lo - 0.5, hi + 0.5)
    };
    let mut series = Vec::new();
    let mut markers = Vec::new();
    for s in &chart.series {
        let finite = s
            .points
            .iter()
            .copied()
            .filter(|(x, y)| x.is_finite() && y.is_finite());
        match s.mark {
            Mark::Line => series.push(tc::Series {
                label: s.label.clone(),
                points: finite.collect(),
                color: s.color,
                dashed: false,
                width: 2.0,
            }),
            Mark::Dots => {
                for (i, p) in finite.enumerate() {
                    markers.push(Marker {
                        at: p,
                        label: if i == 0 {
                            s.label.clone()
                        } else {
                            String::new()
                        },
                        color: s.color,
                        shape: Shape::Circle,
                    });
                }
            }
        }
    }
    // A canvas in a hidden panel has no CSS size yet: it is drawn at its own size.
    tc::draw_time(
        Surface::fit_or_own(canvas_id),
        &TimeChart {
            title: chart.title.clone(),
            x_label: chart.x_label.clone(),
            y_label: chart.y_label.clone(),
            log_y: false,
            x_range,
            series,
            hlines: Vec::new(),
            markers,
        },
    )
}
