//! The models. Each lives in its own folder and implements the one
//! [`Model`] interface: what its parameters mean ([`params`]), its presets
//! and lessons, how to simulate and score a course, what its charts show.
//! Solving is the solver's job. The types here are what every model offers
//! the front ends (CLI, page, jobs): a [`SimRequest`] in, a [`SimTable`] or
//! a [`Course`] out, errors as [`ModelError`] values.

pub mod clinical;
pub mod glossary;
pub mod interface;
pub mod lesson;
pub mod marrow;
pub mod params;
pub mod registry;
pub mod units;

pub use interface::{
    table_observables, Class, Course, CourseMetrics, Display, Index, IndexValue, Model, ModelId,
    Observable, OptionSpec, PresetInfo, Tone,
};
pub use lesson::{Check, Claim, Lesson};
pub use registry::Registry;

use crate::solver::{EventRecord, Observer, OutputGrid, Settings, SolverError, Stats};
use params::ParamError;
use std::fmt;

/// Any failure of a model-level request, as a value.
#[derive(Debug, Clone, PartialEq)]
pub enum ModelError {
    /// A parameter assignment was refused.
    Param(ParamError),
    /// The solver failed.
    Solver(SolverError),
    /// No preset of that name.
    UnknownPreset {
        /// Name given.
        name: String,
        /// Names available.
        known: Vec<&'static str>,
    },
    /// No model of that id.
    UnknownModel {
        /// Id given.
        name: String,
        /// Ids available.
        known: Vec<&'static str>,
    },
    /// Any other invalid input (a unit out of range, a bad option).
    Invalid(String),
}

impl ModelError {
    /// True when the error is the user's input (bad parameter, preset,
    /// option, solver setting), false when a valid request failed to solve.
    pub fn is_bad_input(&self) -> bool {
        !matches!(self, ModelError::Solver(e) if !e.is_invalid_input())
    }
}

impl fmt::Display for ModelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ModelError::Param(e) => e.fmt(f),
            ModelError::Solver(e) => e.fmt(f),
            ModelError::UnknownPreset { name, known } => write!(
                f,
                "unknown preset '{name}'; available: {}",
                known.join(", ")
            ),
            ModelError::UnknownModel { name, known } => {
                write!(f, "unknown model '{name}'; available: {}", known.join(", "))
            }
            ModelError::Invalid(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for ModelError {}

impl From<ParamError> for ModelError {
    fn from(e: ParamError) -> Self {
        ModelError::Param(e)
    }
}

impl From<SolverError> for ModelError {
    fn from(e: SolverError) -> Self {
        ModelError::Solver(e)
    }
}

/// Where a simulation writes its output rows.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Sampling {
    /// Every accepted solver step (the state before an event at a step's end).
    #[default]
    Steps,
    /// At these times.
    Times(Vec<f64>),
    /// Every `dt` days from 0 to the end.
    Every(f64),
}

/// Most output points one request may ask for.
pub const MAX_OUTPUT_POINTS: f64 = 1e7;

impl Sampling {
    /// The solver's output grid for this sampling over `[0, t_end]`: the one
    /// place output times are checked. Times are sorted (any order is
    /// accepted); an interval gives `0, dt, 2·dt, …` and `t_end` itself.
    pub fn grid(&self, t_end: f64) -> Result<OutputGrid, ModelError> {
        Ok(match self {
            Sampling::Steps => OutputGrid::Steps,
            Sampling::Times(ts) => {
                if let Some(bad) = ts.iter().find(|t| !(**t >= 0.0 && **t <= t_end)) {
                    return Err(ModelError::Invalid(format!(
                        "output time {bad} lies outside [0, {t_end}]"
                    )));
                }
                let mut v = ts.clone();
                v.sort_by(f64::total_cmp);
                OutputGrid::Times(v)
            }
            Sampling::Every(dt) => {
                if !(dt.is_finite() && *dt > 0.0) || t_end / dt > MAX_OUTPUT_POINTS {
                    return Err(ModelError::Invalid(format!(
                        "the output interval must be > 0 and give at most 1e7 points, got {dt}"
                    )));
                }
                let n = (t_end / dt).floor() as usize;
                let mut v: Vec<f64> = (0..=n).map(|i| i as f64 * dt).collect();
                if v.last().is_some_and(|&t| t < t_end) {
                    v.push(t_end);
                }
                OutputGrid::Times(v)
            }
        })
    }
}

/// Check a request's horizon: a positive, finite number of days.
pub fn check_t_end(t_end: f64) -> Result<f64, ModelError> {
    if t_end.is_finite() && t_end > 0.0 {
        Ok(t_end)
    } else {
        Err(ModelError::Invalid(format!(
            "the end time must be a positive number of days, got {t_end}"
        )))
    }
}

/// One solve's output shared between a table and a metrics tracker (the
/// page and `cartsim metrics` score a course from the same solve that
/// draws it). The solver is given [`CourseOutput::grid`]; each point goes
/// to the tracker when it is one of the tracker's times and to the table
/// when it is one of the table's times (or, for step sampling, when the
/// tracker did not take it). Points at a table time are the same as a
/// table-only solve gives (after any event at that time).
#[derive(Debug)]
pub struct CourseOutput<'g, T, M> {
    table_times: Option<&'g [f64]>,
    metric_times: &'g [f64],
    ti: usize,
    mi: usize,
    /// Receives the table's points.
    pub table: T,
    /// Receives the tracker's points.
    pub tracker: M,
}

impl<'g, T: Observer, M: Observer> CourseOutput<'g, T, M> {
    /// Split output between `table` (at the times of `table_grid`) and
    /// `tracker` (at `metric_times`, increasing).
    pub fn new(table_grid: &'g OutputGrid, table: T, metric_times: &'g [f64], tracker: M) -> Self {
        let table_times = match table_grid {
            OutputGrid::Times(g) => Some(g.as_slice()),
            _ => None,
        };
        CourseOutput {
            table_times,
            metric_times,
            ti: 0,
            mi: 0,
            table,
            tracker,
        }
    }

    /// The grid to give the solver: the union of both sets of times (with
    /// every step as well for step sampling).
    pub fn grid(&self) -> OutputGrid {
        match self.table_times {
            Some(a) => OutputGrid::Times(merge_times(a, self.metric_times)),
            None => OutputGrid::Both(self.metric_times.to_vec()),
        }
    }
}

/// Sorted union of two increasing lists of times (a shared time once).
fn merge_times(a: &[f64], b: &[f64]) -> Vec<f64> {
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        let next = match (a.get(i), b.get(j)) {
            (Some(&x), Some(&y)) if x == y => {
                i += 1;
                j += 1;
                x
            }
            (Some(&x), Some(&y)) if x < y => {
                i += 1;
                x
            }
            (Some(&x), None) => {
                i += 1;
                x
            }
            (_, Some(&y)) => {
                j += 1;
                y
            }
            (None, None) => break,
        };
        if out.last() != Some(&next) {
            out.push(next);
        }
    }
    out
}

impl<T: Observer, M: Observer> Observer for CourseOutput<'_, T, M> {
    fn observe(&mut self, t: f64, y: &[f64]) {
        let tracked = self.metric_times.get(self.mi) == Some(&t);
        if tracked {
            self.mi += 1;
        }
        if tracked {
            self.tracker.observe(t, y);
        }
        match self.table_times {
            Some(times) => {
                if times.get(self.ti) == Some(&t) {
                    self.ti += 1;
                    self.table.observe(t, y);
                }
            }
            None => {
                if !tracked {
                    self.table.observe(t, y);
                }
            }
        }
    }
}

/// A simulation request common to every model: what the CLI and the page ask for.
#[derive(Debug, Clone, Default)]
pub struct SimRequest {
    /// Preset name (each model has its own list).
    pub preset: String,
    /// `NAME=VALUE` overrides as given by the user (validated by the model).
    pub sets: Vec<(String, String)>,
    /// End of the simulation in days (`None`: the model's default).
    pub t_end: Option<f64>,
    /// Solver settings.
    pub settings: Settings,
    /// Output sampling.
    pub sampling: Sampling,
}

/// A table being filled by a solve: `t`, the state, then the derived columns
/// a model computes from the state.
pub struct TableBuilder<F: FnMut(&[f64], &mut Vec<f64>)> {
    /// Row-major values so far.
    pub rows: Vec<f64>,
    derive: F,
}

impl<F: FnMut(&[f64], &mut Vec<f64>)> TableBuilder<F> {
    /// A table whose derived columns `derive` appends for each state.
    pub fn new(derive: F) -> Self {
        TableBuilder {
            rows: Vec::new(),
            derive,
        }
    }
}

impl<F: FnMut(&[f64], &mut Vec<f64>)> Observer for TableBuilder<F> {
    fn observe(&mut self, t: f64, y: &[f64]) {
        self.rows.push(t);
        self.rows.extend_from_slice(y);
        (self.derive)(y, &mut self.rows);
    }
}

/// A simulation result as a table: `columns[0]` is `t`, then the states,
/// then derived columns; `rows` is row-major with `columns.len()` values per row.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SimTable {
    /// Column names (CSV header).
    pub columns: Vec<String>,
    /// Row-major values.
    pub rows: Vec<f64>,
    /// Solver work counters.
    pub stats: Stats,
    /// Events that fired (doses, extinctions).
    pub events: Vec<EventRecord>,
}

impl SimTable {
    /// Number of rows.
    pub fn n_rows(&self) -> usize {
        self.rows.len() / self.columns.len().max(1)
    }
    /// Row `i`.
    pub fn row(&self, i: usize) -> &[f64] {
        let w = self.columns.len();
        &self.rows[i * w..(i + 1) * w]
    }
    /// Index of a column by name.
    pub fn col(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c == name)
    }
    /// `(t, f(value))` of column `name` for every row.
    pub fn points(&self, name: &str, f: impl Fn(f64) -> f64) -> Option<Vec<(f64, f64)>> {
        let j = self.col(name)?;
        Some(
            (0..self.n_rows())
                .map(|i| {
                    let r = self.row(i);
                    (r[0], f(r[j]))
                })
                .collect(),
        )
    }
    /// Render as CSV (header line, then one line per row; full precision).
    pub fn to_csv(&self) -> String {
        let mut s = self.columns.join(",");
        s.push('\n');
        for i in 0..self.n_rows() {
            let line: Vec<String> = self.row(i).iter().map(|v| format!("{v}")).collect();
            s.push_str(&line.join(","));
            s.push('\n');
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merged_times_are_a_sorted_union() {
        assert_eq!(
            merge_times(&[0.0, 1.0, 2.5, 3.0], &[0.0, 0.5, 3.0, 4.0]),
            vec![0.0, 0.5, 1.0, 2.5, 3.0, 4.0]
        );
        assert_eq!(merge_times(&[], &[1.0]), vec![1.0]);
    }

    #[test]
    fn sampling_grids_are_checked_in_one_place() {
        let g = Sampling::Times(vec![3.0, 1.0]).grid(5.0).unwrap();
        assert_eq!(g, OutputGrid::Times(vec![1.0, 3.0]));
        let e = Sampling::Times(vec![6.0]).grid(5.0).unwrap_err();
        assert!(e.to_string().contains("output time 6"), "{e}");
        let g = Sampling::Every(2.0).grid(5.0).unwrap();
        assert_eq!(g, OutputGrid::Times(vec![0.0, 2.0, 4.0, 5.0]));
        for bad in [0.0, -1.0, f64::NAN, 1e-12] {
            let e = Sampling::Every(bad).grid(5.0).unwrap_err().to_string();
            assert!(e.contains("output interval") && !e.contains("--"), "{e}");
        }
    }
}
