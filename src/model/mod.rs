//! The models. Each says only how to compute its derivative and what its
//! parameters mean ([`params`]); solving is the solver's job. The types here
//! are what every model offers the front ends (CLI, page): a simulation
//! request in, a table of columns out.

pub mod clinical;
pub mod marrow;
pub mod params;
pub mod registry;
pub mod units;

use crate::solver::{EventRecord, Settings, SolverError, Stats};
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
    /// Any other invalid input (a unit out of range, a bad option).
    Invalid(String),
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
    /// Every accepted solver step (and both sides of each event).
    #[default]
    Steps,
    /// At these times.
    Times(Vec<f64>),
    /// Every `dt` days from 0 to the end.
    Every(f64),
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
