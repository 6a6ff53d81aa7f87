//! The clinical model behind the [`Model`] interface: its presets and
//! lessons, one solve that fills the table and scores the course, its
//! indices and what its charts show (in cells or in clinical units).

use super::lessons::LESSONS;
use super::{
    arm_triggers, configure, extinction_events, preset, Clinical, CLASSES, CLASSES_RUNS,
    DEFAULT_T_END, NN, NP, NTA, NTN, ONE_CELL, PRESETS, SETTING_SPECS, SPECS, STATE_NAMES,
};
use crate::analysis::metrics::{metrics_grid, ClassifySettings, CourseTracker, Metrics, Response};
use crate::model::lesson::find_lesson;
use crate::model::params::ParamSpec;
use crate::model::units::{
    blood_from_marrow_cells, cells_from_tumor_burden, qpcr_from_car_t, tumor_burden_pct, CarUnit,
};
use crate::model::{
    check_t_end, table_observables, Class, Course, CourseMetrics, CourseOutput, Display, Index,
    IndexValue, Lesson, Model, ModelError, ModelId, Observable, OptionSpec, PresetInfo, SimRequest,
    SimTable, TableBuilder, Tone,
};
use crate::plot::{palette as c, HLine, Marker, Series, Shape, TimeChart};
use crate::solver::Solver;
use std::any::Any;
use std::sync::Arc;

/// The clinical model of [L].
#[derive(Debug, Clone, Copy, Default)]
pub struct ClinicalModel;

/// The clinical model as a value.
pub const MODEL: ModelId = ModelId::new(&ClinicalModel);

/// Word-valued options of the clinical model.
static OPTIONS: [OptionSpec; 1] = [OptionSpec {
    name: "extinction",
    choices: &["on", "off"],
    meaning: "a tumour population that falls below one cell is set to 0 and stays 0",
}];

impl Model for ClinicalModel {
    fn id(&self) -> &'static str {
        "clinical"
    }
    fn title(&self) -> &'static str {
        "Clinical model (Liu et al. 2021)"
    }
    fn params(&self) -> &'static [ParamSpec] {
        &SPECS
    }
    fn settings(&self) -> &'static [ParamSpec] {
        &SETTING_SPECS
    }
    fn options(&self) -> &'static [OptionSpec] {
        &OPTIONS
    }
    fn presets(&self) -> Vec<PresetInfo> {
        PRESETS
            .iter()
            .map(|p| (p.name, p.description))
            .chain([(
                CLASSES,
                "the four response classes side by side: the four Table 1 presets as four pinned runs",
            )])
            .map(|(name, description)| {
                let lesson = find_lesson(LESSONS, name);
                PresetInfo {
                    name,
                    title: lesson.map_or(name, |l| l.title),
                    description,
                    figure: lesson.map_or("Liu et al. 2021", |l| l.figure),
                }
            })
            .collect()
    }
    fn preset_value(&self, preset_name: &str, name: &str) -> Option<f64> {
        let p = preset(preset_name).ok()?;
        match name {
            "extinction_threshold" => Some(ONE_CELL),
            _ => p.params.get(name),
        }
    }
    fn default_t_end(&self, _preset: &str) -> f64 {
        DEFAULT_T_END
    }
    fn lesson(&self, preset: &str) -> Option<&'static Lesson> {
        find_lesson(LESSONS, preset)
    }
    fn preset_runs(&self, preset: &str) -> &'static [&'static str] {
        if preset == CLASSES {
            &CLASSES_RUNS
        } else {
            &[]
        }
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
            .and_then(|m| m.as_any().downcast_ref::<Metrics>());
        let classify = ClassifySettings {
            horizon: display.t_end,
            ..ClassifySettings::default()
        };
        vec![
            tumour_chart(&course.table, m, classify, display),
            car_t_chart(&course.table, m, display),
        ]
    }
    fn band_factors(&self) -> &'static [&'static str] {
        &["FT", "FP"]
    }
    fn display_units(&self) -> &'static [&'static str] {
        crate::scenario::UNITS
    }
    fn data_units(&self) -> &'static [&'static str] {
        &CarUnit::NAMES
    }
    /// `car_t` (CAR T total, in `unit`: the conversions of `cartsim
    /// predict`), `tumor_burden_pct`, and every column of the table.
    fn observables(&self, preset_name: &str, unit: &str) -> Result<Vec<Observable>, ModelError> {
        preset(preset_name)?;
        let u = CarUnit::parse(unit).ok_or_else(|| {
            ModelError::Invalid(format!(
                "unknown CAR T unit '{unit}'; expected {}",
                CarUnit::NAMES.join(", ")
            ))
        })?;
        let mut v = vec![Observable {
            name: "car_t".into(),
            column: "car_t_total".into(),
            scale: u.to_cells(1.0)?,
            unit: u.label().into(),
        }];
        v.extend(table_observables(&columns(), "10^9 cells"));
        for o in &mut v {
            if o.name == "tumor_burden_pct" {
                o.unit = "%".into();
            }
        }
        Ok(v)
    }
    /// The four CAR T function parameters of FT = rTA·e·kA/lTA.
    fn default_fit(&self) -> &'static [&'static str] {
        &["rTA", "e", "kA", "lTA"]
    }
    /// Tumour columns (`nP`, `nN`, `tumor_burden_pct`) on the tumour chart,
    /// CAR T columns (`nTA`, `nTN`, `car_t_total`) on the CAR T chart, in
    /// the display units as the charts draw their lines.
    fn chart_point(&self, column: &str, value: f64, display: &Display) -> Option<(usize, f64)> {
        let pct = clinical_units(display.units);
        match column {
            "nP" | "nN" => Some((
                0,
                if pct {
                    tumor_burden_pct(value.max(0.0))
                } else {
                    value
                },
            )),
            "tumor_burden_pct" => Some((
                0,
                if pct {
                    value
                } else {
                    cells_from_tumor_burden(value).ok()?
                },
            )),
            "nTA" | "nTN" | "car_t_total" => Some((1, car_t_display(display.units, value))),
            _ => None,
        }
    }
}

/// The derived columns after the state: CAR T total and tumour burden %.
pub(super) fn derived(y: &[f64], row: &mut Vec<f64>) {
    row.push(y[NTA] + y[NTN]);
    row.push(tumor_burden_pct((y[NP] + y[NN]).max(0.0)));
}

/// Column names of a clinical table.
pub(super) fn columns() -> Vec<String> {
    ["t"]
        .into_iter()
        .chain(STATE_NAMES)
        .chain(["car_t_total", "tumor_burden_pct"])
        .map(String::from)
        .collect()
}

/// Classification thresholds given among a request's `--set`s (the rest
/// are returned for [`configure`]).
fn split_classify(
    sets: &[(String, String)],
) -> Result<(ClassifySettings, Vec<(String, String)>), ModelError> {
    let mut classify = ClassifySettings::default();
    let mut rest = Vec::with_capacity(sets.len());
    for (k, v) in sets {
        if !classify.set(k, v).map_err(ModelError::Invalid)? {
            rest.push((k.clone(), v.clone()));
        }
    }
    Ok((classify, rest))
}

/// Simulate a request and score it in one solve. The solve runs to the
/// horizon (`req.t_end`, default 180 days; at least day 28, the end of the
/// peak window); the table holds the requested sampling up to `req.t_end`,
/// the tracker the fine metrics grid. Classification thresholds may be
/// given among the `--set`s (`remission_pct=…`, see [`ClassifySettings`]).
pub fn course(req: &SimRequest) -> Result<Course, ModelError> {
    let (classify, sets) = split_classify(&req.sets)?;
    let (p, o) = configure(&req.preset, &sets)?;
    let t_end = check_t_end(req.t_end.unwrap_or(DEFAULT_T_END))?;
    let classify = ClassifySettings {
        horizon: t_end,
        ..classify
    };
    classify.validate().map_err(ModelError::Invalid)?;
    let solve_end = classify.t_end();
    let table_grid = req.sampling.grid(t_end)?;
    let metric_times = metrics_grid(solve_end);
    let tracker = CourseTracker::new(classify).map_err(ModelError::Invalid)?;
    let mut out = CourseOutput::new(
        &table_grid,
        TableBuilder::new(derived),
        &metric_times,
        tracker,
    );
    let grid = out.grid();
    let mut ev = extinction_events(&o);
    arm_triggers(&mut ev, &p);
    let outcome = Solver::new().solve(
        &Clinical { p },
        0.0,
        &p.initial_state(),
        solve_end,
        &req.settings,
        &ev,
        &grid,
        &mut out,
    )?;
    let columns = columns();
    let mut rows = out.table.rows;
    // Step sampling past a short horizon: keep only rows up to `t_end`.
    let w = columns.len();
    let keep = rows.chunks(w).take_while(|r| r[0] <= t_end).count();
    rows.truncate(keep * w);
    let metrics = out.tracker.finish(p.ft(), p.fnegr());
    Ok(Course {
        table: SimTable {
            columns,
            rows,
            stats: outcome.stats,
            events: outcome.events,
        },
        metrics: metrics.map(|m| Arc::new(m) as Arc<dyn CourseMetrics>),
    })
}

impl CourseMetrics for Metrics {
    fn class(&self) -> Option<Class> {
        let tone = match self.response {
            Response::Cr => Tone::Good,
            Response::Nr => Tone::Bad,
            _ => Tone::Mixed,
        };
        Some(Class {
            label: self.response.as_str(),
            tone,
        })
    }
    fn indices(&self) -> Vec<Index> {
        let n = |key, label, v: f64, unit| Index {
            key,
            label,
            value: IndexValue::Number(v),
            unit,
        };
        let d = |key, label, v: Option<f64>| Index {
            key,
            label,
            value: IndexValue::Day(v),
            unit: "day",
        };
        vec![
            Index {
                key: "class",
                label: "response class",
                value: IndexValue::Word(self.response.as_str()),
                unit: "",
            },
            n("FT", "CAR T function factor FT", self.ft, "1/day²"),
            n(
                "FNegR",
                "negative relapse factor FNegR",
                self.fnegr,
                "1/day",
            ),
            n("FP", "prediction factor FP", self.fp, "log2"),
            n("peak", "CAR T peak (days 0–28)", self.peak, "10^9 cells"),
            n("t_peak", "day of peak", self.t_peak, "day"),
            n("AUC7", "AUC7", self.auc7, "10^9 cells·day"),
            n("AUC28", "AUC28", self.auc28, "10^9 cells·day"),
            d("remission_day", "remission (<5%)", self.remission_day),
            d("mrd_day", "MRD-negative (<0.01%)", self.mrd_day),
            d("relapse_day", "relapse", self.relapse_day),
        ]
    }
    fn indices_in(&self, units: &str) -> Vec<Index> {
        let mut v = self.indices();
        if !clinical_units(units) {
            return v;
        }
        let (unit, auc_unit) = match units {
            "blood" => ("cells/µL blood", "cells/µL·day"),
            _ => ("copies/µg DNA", "copies/µg·day"),
        };
        for i in &mut v {
            if let IndexValue::Number(x) = i.value {
                match i.key {
                    "peak" => {
                        i.value = IndexValue::Number(car_t_display(units, x));
                        i.unit = unit;
                    }
                    // The conversions are linear in the cell count, so an
                    // area converts like a count.
                    "AUC7" | "AUC28" => {
                        i.value = IndexValue::Number(car_t_display(units, x));
                        i.unit = auc_unit;
                    }
                    _ => {}
                }
            }
        }
        v
    }
    fn record(&self) -> Vec<(&'static str, serde_json::Value)> {
        use serde_json::json;
        vec![
            ("ft", json!(self.ft)),
            ("fnegr", json!(self.fnegr)),
            ("fp", json!(self.fp)),
            ("peak", json!(self.peak)),
            ("t_peak", json!(self.t_peak)),
            ("auc7", json!(self.auc7)),
            ("auc28", json!(self.auc28)),
            ("remission_day", json!(self.remission_day)),
            ("mrd_day", json!(self.mrd_day)),
            ("relapse_day", json!(self.relapse_day)),
            ("response", json!(self.response.as_str())),
        ]
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// True when the charts are in clinical units (burden %, blood or qPCR).
fn clinical_units(units: &str) -> bool {
    units == "blood" || units == "qpcr"
}

/// CAR T in the chosen display units, from 10^9 cells.
pub fn car_t_display(units: &str, cells: f64) -> f64 {
    let n = cells.max(0.0);
    match units {
        "blood" => blood_from_marrow_cells(n).unwrap_or(f64::NAN),
        "qpcr" => qpcr_from_car_t(n).unwrap_or(f64::NAN),
        _ => n,
    }
}

/// Unit label of CAR T in the chosen display units.
pub fn car_t_unit(units: &str) -> &'static str {
    match units {
        "blood" => "cells/µL blood",
        "qpcr" => "copies/µg DNA",
        _ => "10^9 cells",
    }
}

fn tumour_chart(
    table: &SimTable,
    m: Option<&Metrics>,
    classify: ClassifySettings,
    display: &Display,
) -> TimeChart {
    let pct = clinical_units(display.units);
    let conv = move |n: f64| if pct { tumor_burden_pct(n.max(0.0)) } else { n };
    let y_label = if pct {
        "tumour burden (%)"
    } else {
        "B-ALL cells (10^9, marrow equivalent)"
    };
    let mut chart =
        TimeChart::against_time(display, "B-ALL (tumour) in the bone marrow", y_label.into());
    if let Some(p) = table.points("nP", conv) {
        chart.series.push(Series::line(
            "CD19+ B-ALL (nP)",
            p,
            c::VERMILLION,
            false,
            2.0,
        ));
    }
    if let Some(j) = table.col("nN") {
        if (0..table.n_rows()).any(|i| table.row(i)[j] > 0.0) {
            if let Some(p) = table.points("nN", conv) {
                chart
                    .series
                    .push(Series::line("CD19− B-ALL (nN)", p, c::PURPLE, false, 2.0));
            }
        }
    }
    let total = if pct {
        table.points("tumor_burden_pct", |x| x)
    } else {
        match (table.col("nP"), table.col("nN")) {
            (Some(a), Some(b)) => Some(
                (0..table.n_rows())
                    .map(|i| {
                        let r = table.row(i);
                        (r[0], r[a] + r[b])
                    })
                    .collect(),
            ),
            _ => None,
        }
    };
    if let Some(p) = total {
        chart
            .series
            .push(Series::line("total B-ALL", p, c::BLACK, true, 1.5));
    }
    let level = |pct_level: f64| {
        if pct {
            pct_level
        } else {
            cells_from_tumor_burden(pct_level).unwrap_or(f64::NAN)
        }
    };
    let rem = level(classify.remission_pct);
    let mrd = level(classify.mrd_pct);
    chart.hlines.push(HLine {
        y: rem,
        label: format!("remission ({}%)", classify.remission_pct),
    });
    chart.hlines.push(HLine {
        y: mrd,
        label: format!("MRD-negative ({}%)", classify.mrd_pct),
    });
    if let Some(m) = m {
        for (day, y, what, color) in [
            (m.remission_day, rem, "remission", c::GREEN),
            (m.mrd_day, mrd, "MRD-negative", c::SKY_BLUE),
            (m.relapse_day, rem, "relapse", c::VERMILLION),
        ] {
            if let Some(d) = day {
                chart.markers.push(Marker {
                    at: (d, y),
                    label: format!("{what}, day {d:.1}"),
                    color,
                    shape: Shape::Triangle,
                });
            }
        }
    }
    chart
}

fn car_t_chart(table: &SimTable, m: Option<&Metrics>, display: &Display) -> TimeChart {
    let units = display.units;
    let mut chart = TimeChart::against_time(
        display,
        "CAR T cells",
        format!("CAR T ({})", car_t_unit(units)),
    );
    let conv = move |n: f64| car_t_display(units, n);
    for (name, label, color, dashed, w) in [
        ("nTA", "activated (nTA)", c::BLUE, false, 2.0),
        ("nTN", "naive (nTN)", c::SKY_BLUE, false, 2.0),
        ("car_t_total", "total CAR T", c::BLACK, true, 1.5),
    ] {
        if let Some(p) = table.points(name, conv) {
            chart.series.push(Series::line(label, p, color, dashed, w));
        }
    }
    if let Some(m) = m {
        chart.markers.push(Marker {
            at: (m.t_peak, conv(m.peak)),
            label: format!("peak, day {:.1}", m.t_peak),
            color: c::ORANGE,
            shape: Shape::Circle,
        });
    }
    chart
}
