//! What a chart shows, as plain data: lines against time, reference lines,
//! labelled markers and stacked class-probability bands. The models say what
//! to plot (each model's `charts`); the page draws it (`web::chart`) and the
//! exports write it. Nothing here draws or depends on the browser.

/// Colour as (red, green, blue).
pub type Rgb = (u8, u8, u8);

/// The Okabe–Ito colour-blind-safe palette.
pub mod palette {
    use super::Rgb;
    /// Black.
    pub const BLACK: Rgb = (0, 0, 0);
    /// Orange.
    pub const ORANGE: Rgb = (230, 159, 0);
    /// Sky blue.
    pub const SKY_BLUE: Rgb = (86, 180, 233);
    /// Bluish green.
    pub const GREEN: Rgb = (0, 158, 115);
    /// Yellow.
    pub const YELLOW: Rgb = (240, 228, 66);
    /// Blue.
    pub const BLUE: Rgb = (0, 114, 178);
    /// Vermillion.
    pub const VERMILLION: Rgb = (213, 94, 0);
    /// Reddish purple.
    pub const PURPLE: Rgb = (204, 121, 167);
    /// Grey for reference lines.
    pub const GREY: Rgb = (110, 110, 110);
}

/// One colour per response class, used by every chart and badge of the
/// page: the simulator's band charts, the trial's bands and box plots, the
/// response badge. Okabe–Ito colours, so the classes stay apart for
/// colour-blind readers; each is dark enough for black text on it.
pub const CLASS_COLORS: [(&str, Rgb); 7] = [
    ("CR", palette::GREEN),
    ("NR", palette::VERMILLION),
    ("CD19+ relapse", palette::ORANGE),
    ("CD19- relapse", palette::PURPLE),
    // [L]'s FP bands merge CR and CD19− relapse: the good outcome's colour.
    ("CR & CD19- relapse", palette::GREEN),
    // [M]'s two classes.
    ("responder", palette::GREEN),
    ("non-responder", palette::VERMILLION),
];

/// A class label as [`CLASS_COLORS`] spells it: a typographic minus (−)
/// is read as a hyphen, case and surrounding spaces are ignored.
fn class_key(label: &str) -> String {
    label.trim().replace('\u{2212}', "-").to_lowercase()
}

/// A class label as the page writes it: the typographic minus in "CD19−"
/// (files and the CLI keep the ASCII hyphen, as [`CLASS_COLORS`] spells it).
pub fn display_label(label: &str) -> String {
    label.replace("CD19-", "CD19\u{2212}")
}

/// The colour of a response class (`"CR"`, `"CD19+ relapse"`,
/// `"responder"`, …), if it is one.
pub fn class_color(label: &str) -> Option<Rgb> {
    let key = class_key(label);
    CLASS_COLORS
        .iter()
        .find(|(l, _)| class_key(l) == key)
        .map(|&(_, c)| c)
}

/// A colour as CSS hex (`#009e73`).
pub fn hex(c: Rgb) -> String {
    format!("#{:02x}{:02x}{:02x}", c.0, c.1, c.2)
}

/// [`CLASS_COLORS`] as a JSON object `{"CR": "#009e73", …}` (the page
/// publishes it for readers and tests).
pub fn class_colors_json() -> String {
    let items: Vec<String> = CLASS_COLORS
        .iter()
        .map(|(l, c)| format!("\"{l}\":\"{}\"", hex(*c)))
        .collect();
    format!("{{{}}}", items.join(","))
}

/// One labelled line.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// Legend text.
    pub label: String,
    /// The points, in time order.
    pub points: Vec<(f64, f64)>,
    /// Colour.
    pub color: Rgb,
    /// Dashed instead of solid.
    pub dashed: bool,
    /// Dash and gap lengths in CSS pixels, when dashed.
    pub dash: (f64, f64),
    /// Line width in CSS pixels.
    pub width: f64,
}

/// A horizontal reference line (e.g. the 5% remission threshold).
#[derive(Debug, Clone, PartialEq)]
pub struct HLine {
    /// Height.
    pub y: f64,
    /// Text written at its left end.
    pub label: String,
}

/// Marker shapes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// Filled circle (peaks).
    Circle,
    /// Triangle (remission, relapse days).
    Triangle,
}

/// A labelled point.
#[derive(Debug, Clone, PartialEq)]
pub struct Marker {
    /// Position.
    pub at: (f64, f64),
    /// Text beside it.
    pub label: String,
    /// Colour.
    pub color: Rgb,
    /// Shape.
    pub shape: Shape,
}

/// A chart of quantities against time.
#[derive(Debug, Clone, PartialEq)]
pub struct TimeChart {
    /// Caption above the plot.
    pub title: String,
    /// Horizontal axis title (with unit).
    pub x_label: String,
    /// Vertical axis title (with unit).
    pub y_label: String,
    /// Log-scaled y axis.
    pub log_y: bool,
    /// Time span shown.
    pub x_range: (f64, f64),
    /// Lines, later ones on top.
    pub series: Vec<Series>,
    /// Reference lines.
    pub hlines: Vec<HLine>,
    /// Markers.
    pub markers: Vec<Marker>,
    /// Shaded ranges, drawn under the lines.
    pub areas: Vec<Area>,
    /// Measurements drawn over the lines (a patient's data, placed by
    /// [`crate::data::place`]); legend entry "data".
    pub data: Vec<DataPoint>,
}

/// One measurement on a chart, in the chart's units.
#[derive(Debug, Clone, PartialEq)]
pub struct DataPoint {
    /// Day and height (for a censored point: its detection limit).
    pub at: (f64, f64),
    /// Below a detection limit: drawn as an open marker at the limit
    /// with a downward tick.
    pub censored: bool,
    /// The data column it comes from.
    pub column: String,
}

/// A shaded range between a lower and an upper line (e.g. a 10–90%
/// band), drawn as a light tint of `color` under the chart's lines.
#[derive(Debug, Clone, PartialEq)]
pub struct Area {
    /// Legend text.
    pub label: String,
    /// Colour (drawn as a light tint of it).
    pub color: Rgb,
    /// `(x, lower, upper)` at each x, in order.
    pub points: Vec<(f64, f64, f64)>,
}

/// `c` mixed with white: `share` of the colour (0 = white, 1 = `c`).
pub fn tint(c: Rgb, share: f64) -> Rgb {
    let mix = |v: u8| (255.0 - (255.0 - f64::from(v)) * share.clamp(0.0, 1.0)).round() as u8;
    (mix(c.0), mix(c.1), mix(c.2))
}

/// Stacked class probabilities against a factor.
#[derive(Debug, Clone, PartialEq)]
pub struct BandChart {
    /// Caption above the plot.
    pub title: String,
    /// Horizontal axis title.
    pub x_label: String,
    /// Log-scaled x axis.
    pub log_x: bool,
    /// Grid of factor values.
    pub x: Vec<f64>,
    /// (label, colour, probability at each grid point), bottom to top.
    pub bands: Vec<(String, Rgb, Vec<f64>)>,
    /// The current patient's factor value and its label.
    pub mark: Option<(f64, String)>,
    /// Pinned runs' factor values, each a line in the run's colour and
    /// dash pattern.
    pub run_marks: Vec<RunMark>,
    /// The factor range the bands rest on (the cohort's smallest and
    /// largest value); outside it the chart is greyed. `None`: all of it.
    pub covered: Option<(f64, f64)>,
    /// Points from elsewhere (a paper's patients), drawn as open circles:
    /// (factor value, height in % on the stacked scale).
    pub points: Vec<(f64, f64)>,
    /// Legend text of [`BandChart::points`].
    pub points_label: String,
}

/// A pinned run's place on a band chart.
#[derive(Debug, Clone, PartialEq)]
pub struct RunMark {
    /// The run's number, from 1 (the legend's "run 2").
    pub run: usize,
    /// Its factor value.
    pub x: f64,
    /// Legend text ("run 2: FT = 74").
    pub label: String,
    /// The run's colour.
    pub color: Rgb,
    /// Its dash pattern (dash, gap in CSS pixels); `None`: solid.
    pub dash: Option<(f64, f64)>,
}

impl Series {
    /// A labelled line.
    pub fn line(
        label: &str,
        points: Vec<(f64, f64)>,
        color: Rgb,
        dashed: bool,
        width: f64,
    ) -> Self {
        Series {
            label: label.to_string(),
            points,
            color,
            dashed,
            dash: DASH,
            width,
        }
    }
}

/// The usual dash pattern of a dashed line (dash, gap in CSS pixels).
pub const DASH: (f64, f64) = (7.0, 4.0);

impl TimeChart {
    /// An empty chart against time (days) over `[0, t_end]`.
    pub fn against_time(
        display: &crate::model::Display,
        title: &str,
        y_label: String,
    ) -> TimeChart {
        TimeChart {
            title: title.into(),
            x_label: "time (days)".into(),
            y_label,
            log_y: display.log_y,
            x_range: (0.0, display.t_end),
            series: Vec::new(),
            hlines: Vec::new(),
            markers: Vec::new(),
            areas: Vec::new(),
            data: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_written_with_one_minus() {
        assert_eq!(
            display_label("CR & CD19- relapse"),
            "CR & CD19\u{2212} relapse"
        );
        assert_eq!(display_label("CD19+ relapse"), "CD19+ relapse");
    }

    #[test]
    fn every_class_has_one_colour_whatever_the_minus() {
        assert_eq!(class_color("CR"), Some(palette::GREEN));
        assert_eq!(
            class_color("CD19\u{2212} relapse"),
            class_color("CD19- relapse")
        );
        assert_eq!(class_color(" nr "), Some(palette::VERMILLION));
        assert_eq!(class_color("cr-ish"), None);
        assert!(class_colors_json().starts_with("{\"CR\":\"#009e73\""));
    }
}

/// One series of a bar chart: a value per category, with an optional
/// interval (whisker) per category.
#[derive(Debug, Clone, PartialEq)]
pub struct BarSeries {
    /// Legend text.
    pub label: String,
    /// Colour.
    pub color: Rgb,
    /// Value per category (`None`: no bar).
    pub values: Vec<Option<f64>>,
    /// Interval per category, drawn as a whisker (`None`: none).
    pub intervals: Vec<Option<[f64; 2]>>,
}

/// Bars side by side per category (e.g. sensitivity indices per input).
#[derive(Debug, Clone, PartialEq)]
pub struct BarChart {
    /// Caption above the plot.
    pub title: String,
    /// Vertical axis title.
    pub y_label: String,
    /// Category labels under the bars, in order.
    pub categories: Vec<String>,
    /// The series, side by side within a category.
    pub series: Vec<BarSeries>,
}

impl BarChart {
    /// The chart of a sensitivity report: Sobol first-order and total
    /// indices with their bootstrap 95% intervals, Morris μ* and σ, or the
    /// local coefficients sorted by size (largest first, a tornado's order).
    pub fn sensitivity(r: &crate::sensitivity::Report) -> BarChart {
        use crate::sensitivity::Indices;
        let names = r.inputs.clone();
        let (title, y_label, categories, series) = match &r.indices {
            Indices::Sobol(ix) => (
                format!(
                    "Sobol' indices of {} ({} base samples)",
                    r.output, r.samples
                ),
                "index (bars: estimate, whiskers: 95% interval)".to_string(),
                names,
                vec![
                    BarSeries {
                        label: "first order".into(),
                        color: palette::BLUE,
                        values: ix.iter().map(|i| i.first).collect(),
                        intervals: ix.iter().map(|i| i.first_ci95).collect(),
                    },
                    BarSeries {
                        label: "total".into(),
                        color: palette::ORANGE,
                        values: ix.iter().map(|i| i.total).collect(),
                        intervals: ix.iter().map(|i| i.total_ci95).collect(),
                    },
                ],
            ),
            Indices::Morris(ix) => (
                format!(
                    "Morris elementary effects of {} ({} trajectories)",
                    r.output, r.samples
                ),
                format!("effect on {}", r.output),
                names,
                vec![
                    BarSeries {
                        label: "μ* (mean |effect|)".into(),
                        color: palette::BLUE,
                        values: ix.iter().map(|i| i.mu_star).collect(),
                        intervals: vec![None; ix.len()],
                    },
                    BarSeries {
                        label: "σ (spread)".into(),
                        color: palette::ORANGE,
                        values: ix.iter().map(|i| i.sigma).collect(),
                        intervals: vec![None; ix.len()],
                    },
                ],
            ),
            Indices::Local(ix) => {
                let mut order: Vec<usize> = (0..ix.len()).collect();
                let size = |k: usize| ix[k].coefficient.map_or(-1.0, f64::abs);
                order.sort_by(|&a, &b| size(b).total_cmp(&size(a)));
                (
                    format!("Local sensitivity of {}, largest first", r.output),
                    format!("∂ln {} / ∂ln p", r.output),
                    order.iter().map(|&k| names[k].clone()).collect(),
                    vec![BarSeries {
                        label: "coefficient".into(),
                        color: palette::BLUE,
                        values: order.iter().map(|&k| ix[k].coefficient).collect(),
                        intervals: vec![None; ix.len()],
                    }],
                )
            }
        };
        BarChart {
            title,
            y_label,
            categories,
            series,
        }
    }
}
