//! The bone-marrow model behind the [`Model`] interface: its presets and
//! lessons, one solve that fills the table and tracks the course's metrics
//! (responder at day 30, CAR T peak, fold expansion), and its charts.

use super::lessons::LESSONS;
use super::metrics::{Metrics, Tracker, RESPONSE_DAY};
use super::params::{N_PARAMS, SPECS};
use super::presets::{preset, PRESETS};
use super::scenario::Scenario;
use super::table::{columns, TableObserver};
use super::{ix, scenario};
use crate::model::lesson::find_lesson;
use crate::model::params::{ParamSpec, Scale};
use crate::model::{
    Class, Course, CourseMetrics, CourseOutput, Display, Index, IndexValue, Lesson, Model,
    ModelError, ModelId, OptionSpec, PresetInfo, SimRequest, SimTable, Tone,
};
use crate::plot::{palette as c, HLine, Marker, Series, Shape, TimeChart};
use crate::solver::{Observer, Solver};
use std::any::Any;
use std::sync::{Arc, LazyLock};

/// The bone-marrow model of [M].
#[derive(Debug, Clone, Copy, Default)]
pub struct MarrowModel;

/// The bone-marrow model as a value.
pub const MODEL: ModelId = ModelId::new(&MarrowModel);

/// The model's numeric setting (MODELS.md §3), described like a parameter.
static SETTINGS: [ParamSpec; 1] = [ParamSpec {
    name: "extinction_level",
    symbol: "L_ext",
    unit: "cells",
    meaning: "the leukemia below this many cells is extinct (1 = one cell)",
    min: 1e-6,
    max: 1e6,
    scale: Scale::Log,
    source: "cartsim's choice (see Model notes)",
}];

/// Word-valued options of the marrow model.
static OPTIONS: [OptionSpec; 2] = [
    OptionSpec {
        name: "variant",
        choices: &["corrected", "as-printed"],
        meaning: "corrected: activation counts CD19+ cells only and effectors move to memory at \
                  the rate memory gains them; as-printed: the equations exactly as printed in [M]",
    },
    OptionSpec {
        name: "extinction",
        choices: &["on", "off"],
        meaning: "the leukemia is set to 0 and stays 0 once below one cell",
    },
];

/// A preset's resolved values (ties such as ρL = ρ1 applied) and extinction
/// level; `None` if the preset failed to build.
type PresetValues = Option<([f64; N_PARAMS], f64)>;

/// Each preset's [`PresetValues`], in [`PRESETS`] order.
static PRESET_VALUES: LazyLock<Vec<PresetValues>> = LazyLock::new(|| {
    PRESETS
        .iter()
        .map(|p| {
            Scenario::from_preset(p.name, &[])
                .ok()
                .map(|sc| (sc.model.p, sc.extinction.unwrap_or(1.0)))
        })
        .collect()
});

impl Model for MarrowModel {
    fn id(&self) -> &'static str {
        "marrow"
    }
    fn title(&self) -> &'static str {
        "Bone-marrow model (Martínez-Rubio et al. 2021)"
    }
    fn params(&self) -> &'static [ParamSpec] {
        &SPECS
    }
    fn settings(&self) -> &'static [ParamSpec] {
        &SETTINGS
    }
    fn options(&self) -> &'static [OptionSpec] {
        &OPTIONS
    }
    fn presets(&self) -> Vec<PresetInfo> {
        PRESETS
            .iter()
            .map(|p| PresetInfo {
                name: p.name,
                title: find_lesson(LESSONS, p.name).map_or(p.name, |l| l.title),
                description: p.description,
                figure: p.figure,
            })
            .collect()
    }
    fn preset_value(&self, preset_name: &str, name: &str) -> Option<f64> {
        let i = PRESETS.iter().position(|p| p.name == preset_name)?;
        let (values, level) = PRESET_VALUES.get(i)?.as_ref()?;
        match name {
            "extinction_level" => Some(*level),
            _ => {
                let j = SPECS.iter().position(|s| s.name == name)?;
                values.get(j).copied()
            }
        }
    }
    fn default_t_end(&self, preset_name: &str) -> f64 {
        preset(preset_name).map_or(270.0, |p| p.t_end)
    }
    fn lesson(&self, preset: &str) -> Option<&'static Lesson> {
        find_lesson(LESSONS, preset)
    }
    fn preset_runs(&self, preset_name: &str) -> &'static [&'static str] {
        preset(preset_name).map_or(&[], |p| p.runs)
    }
    fn simulate(&self, req: &SimRequest) -> Result<SimTable, ModelError> {
        super::simulate(req)
    }
    fn course(&self, req: &SimRequest) -> Result<Course, ModelError> {
        course(req)
    }
    fn charts(&self, course: &Course, display: &Display) -> Vec<TimeChart> {
        let m = course
            .metrics
            .as_ref()
            .and_then(|m| m.as_any().downcast_ref::<MarrowCourse>());
        vec![
            leukemia_chart(&course.table, m, display),
            car_t_chart(&course.table, m, display),
        ]
    }
    /// The CAR T attributes [M] varies in Fig. 5–7: killing capacity,
    /// activation threshold and proliferation.
    fn default_fit(&self) -> &'static [&'static str] {
        &["alpha", "h", "rhoC"]
    }
    /// Leukemia and B-cell columns on the first chart, CAR T columns on
    /// the second, in cells (the model's only units).
    fn chart_point(&self, column: &str, value: f64, _: &Display) -> Option<(usize, f64)> {
        match column {
            "L" | "B0" | "B1" | "B2" | "B3" | "b_total" | "b_cd19" => Some((0, value)),
            "CA" | "CM" | "CA2" | "CM2" | "car_t_total" => Some((1, value)),
            _ => None,
        }
    }
}

/// The metrics of one marrow course: those the sweeps use, and the
/// leukemia at the end of the course.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MarrowCourse {
    /// Responder status, L30, the CAR T peak (over the whole course) and fold expansion.
    pub metrics: Metrics,
    /// Leukemia at the end of the course, cells.
    pub l_end: f64,
}

impl CourseMetrics for MarrowCourse {
    fn class(&self) -> Option<Class> {
        Some(if self.metrics.responder() {
            Class {
                label: "responder",
                tone: Tone::Good,
            }
        } else {
            Class {
                label: "non-responder",
                tone: Tone::Bad,
            }
        })
    }
    fn indices(&self) -> Vec<Index> {
        let m = &self.metrics;
        let n = |key, label, v: f64, unit| Index {
            key,
            label,
            value: IndexValue::Number(v),
            unit,
        };
        vec![
            Index {
                key: "responder",
                label: "responder (L30 < 1 cell)",
                value: IndexValue::Word(if m.responder() { "yes" } else { "no" }),
                unit: "",
            },
            n("L30", "leukemia at day 30", m.l30, "cells"),
            n("peak", "CAR T peak", m.c_peak, "cells"),
            n("t_peak", "day of peak", m.tpeak, "day"),
            n("fold", "fold expansion log10(Cpeak/C0)", m.fold(), "log10"),
            n("L_end", "leukemia at the end", self.l_end, "cells"),
        ]
    }
    fn record(&self) -> Vec<(&'static str, serde_json::Value)> {
        use serde_json::json;
        let m = &self.metrics;
        vec![
            ("responder", json!(m.responder())),
            ("l30", json!(m.l30)),
            ("c0", json!(m.c0)),
            ("c_peak", json!(m.c_peak)),
            ("tpeak", json!(m.tpeak)),
            ("fold", json!(m.fold())),
            ("l_end", json!(self.l_end)),
        ]
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// Keeps the [`Tracker`]'s metrics and the last leukemia seen.
struct CourseTracker {
    tracker: Tracker,
    l_end: f64,
}

impl Observer for CourseTracker {
    fn observe(&mut self, t: f64, y: &[f64]) {
        self.tracker.observe(t, y);
        self.l_end = y[ix::L];
    }
}

/// Output points per day the metrics are tracked at (the peak is read off
/// this grid; days 0 and 30 are on it).
const METRIC_GRID_PER_DAY: f64 = 16.0;

/// Simulate a request and track its metrics in one solve: the table at the
/// requested sampling, the tracker every 1/16 day (days 0 and 30 included).
/// The peak is taken over the whole course.
pub fn course(req: &SimRequest) -> Result<Course, ModelError> {
    let sc = scenario(req)?;
    let table_grid = req.sampling.grid(sc.t_end)?;
    let n = (sc.t_end * METRIC_GRID_PER_DAY).floor() as usize;
    let mut metric_times: Vec<f64> = (0..=n).map(|i| i as f64 / METRIC_GRID_PER_DAY).collect();
    if metric_times.last().is_some_and(|&t| t < sc.t_end) {
        metric_times.push(sc.t_end);
    }
    let tracker = CourseTracker {
        tracker: Tracker::new(sc.t_end),
        l_end: f64::NAN,
    };
    let mut out = CourseOutput::new(
        &table_grid,
        TableObserver::new(sc.model.dual),
        &metric_times,
        tracker,
    );
    let grid = out.grid();
    let prepared = sc.prepare();
    let outcome = sc.run(
        &prepared,
        &mut Solver::new(),
        &req.settings,
        &grid,
        &mut out,
    )?;
    let metrics = out.tracker.tracker.metrics().map(|metrics| {
        Arc::new(MarrowCourse {
            metrics,
            l_end: outcome.y[ix::L],
        }) as Arc<dyn CourseMetrics>
    });
    Ok(Course {
        table: SimTable {
            columns: columns(sc.model.dual),
            rows: out.table.rows,
            stats: outcome.stats,
            events: outcome.events,
        },
        metrics,
    })
}

/// Add a line for each `(column, label, colour, dashed)` the table has.
fn push_columns(
    chart: &mut TimeChart,
    table: &SimTable,
    cols: &[(&str, &str, crate::plot::Rgb, bool)],
) {
    for &(name, label, color, dashed) in cols {
        if let Some(p) = table.points(name, |x| x) {
            chart
                .series
                .push(Series::line(label, p, color, dashed, 2.0));
        }
    }
}

fn leukemia_chart(table: &SimTable, m: Option<&MarrowCourse>, display: &Display) -> TimeChart {
    let mut chart = TimeChart::against_time(
        display,
        "Leukemia and B cells in the bone marrow",
        "cells".into(),
    );
    push_columns(
        &mut chart,
        table,
        &[
            ("B0", "Pro-B (B0, CD19−)", c::ORANGE, true),
            ("B1", "Pre-BI (B1)", c::SKY_BLUE, true),
            ("B2", "Pre-BII (B2)", c::GREEN, true),
            ("B3", "immature B (B3)", c::BLUE, true),
            ("b_total", "healthy B cells, total", c::BLACK, true),
            ("L", "leukemia (L)", c::VERMILLION, false),
        ],
    );
    if display.log_y {
        chart.hlines.push(HLine {
            y: 1.0,
            label: "one cell".into(),
        });
    }
    if let Some(m) = m {
        let (label, color) = if m.metrics.responder() {
            ("L30 < 1 cell: responder", c::GREEN)
        } else {
            ("L30 ≥ 1 cell: non-responder", c::VERMILLION)
        };
        chart.markers.push(Marker {
            at: (RESPONSE_DAY, m.metrics.l30.max(1.0)),
            label: label.into(),
            color,
            shape: Shape::Triangle,
        });
    }
    chart
}

fn car_t_chart(table: &SimTable, m: Option<&MarrowCourse>, display: &Display) -> TimeChart {
    let mut chart = TimeChart::against_time(display, "CAR T cells", "CAR T (cells)".into());
    push_columns(
        &mut chart,
        table,
        &[
            ("CA", "effector (CA)", c::BLUE, false),
            ("CM", "memory (CM)", c::GREEN, false),
            ("CA2", "effector, product 2 (CA2)", c::ORANGE, false),
            ("CM2", "memory, product 2 (CM2)", c::PURPLE, false),
            ("car_t_total", "total CAR T", c::BLACK, true),
        ],
    );
    if let Some(m) = m {
        chart.markers.push(Marker {
            at: (m.metrics.tpeak, m.metrics.c_peak),
            label: format!("peak, day {:.1}", m.metrics.tpeak),
            color: c::ORANGE,
            shape: Shape::Circle,
        });
    }
    chart
}
