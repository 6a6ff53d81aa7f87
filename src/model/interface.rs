//! The one interface every model implements ([`Model`]), the value that
//! names a model everywhere else ([`ModelId`]), and what a solved course
//! yields ([`Course`], [`CourseMetrics`]). The front ends (CLI, page, jobs,
//! the scenario codec) work only through these: nothing outside
//! `src/model/` asks which model it has.

use super::lesson::Lesson;
use super::params::ParamSpec;
use super::{ModelError, SimRequest, SimTable};
use crate::plot::TimeChart;
use std::any::Any;
use std::fmt;
use std::sync::Arc;

/// A model option that takes one of a few words (e.g. `variant=as-printed`).
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct OptionSpec {
    /// Key, as in URLs and `--set`.
    pub name: &'static str,
    /// Allowed words; the first is the default.
    pub choices: &'static [&'static str],
    /// One line on what it means.
    pub meaning: &'static str,
}

/// A preset as a menu shows it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PresetInfo {
    /// Preset name (URL value).
    pub name: &'static str,
    /// Short title (from the lesson, else the name).
    pub title: &'static str,
    /// One line on what it shows.
    pub description: &'static str,
    /// The paper figure it reproduces.
    pub figure: &'static str,
}

/// How a response class reads: good news, bad news, or in between. The
/// page colours badges by it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Tone {
    /// A lasting response (CR, responder).
    Good,
    /// No response.
    Bad,
    /// A response followed by relapse.
    Mixed,
}

/// The class a course falls in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Class {
    /// Display text ("CR", "CD19+ relapse", "responder").
    pub label: &'static str,
    /// How it reads.
    pub tone: Tone,
}

/// The value of one index.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IndexValue {
    /// A number.
    Number(f64),
    /// A day, or `None` when the event never happens.
    Day(Option<f64>),
    /// A word (a class, yes/no).
    Word(&'static str),
}

impl IndexValue {
    /// The value as a number (days that never happen and words are `None`).
    pub fn number(self) -> Option<f64> {
        match self {
            IndexValue::Number(v) => Some(v),
            IndexValue::Day(d) => d,
            IndexValue::Word(_) => None,
        }
    }
}

/// One named, unit-labelled value of a course.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Index {
    /// Short key (CSV `name` column; `FT`, `peak`, `relapse_day`).
    pub key: &'static str,
    /// Label shown on the page.
    pub label: &'static str,
    /// The value.
    pub value: IndexValue,
    /// Unit (may be empty).
    pub unit: &'static str,
}

/// What a model reports about one course. Each model keeps its own fields
/// inside and yields them as named values and a class.
pub trait CourseMetrics: fmt::Debug + Send + Sync + Any {
    /// The response class, if the model defines one.
    fn class(&self) -> Option<Class>;
    /// Every index, in display order.
    fn indices(&self) -> Vec<Index>;
    /// The metrics as `cartsim metrics` writes them: named values in order
    /// (JSON object keys, CSV columns).
    fn record(&self) -> Vec<(&'static str, serde_json::Value)>;
    /// For the owning model's own code (e.g. its charts) to read its fields.
    fn as_any(&self) -> &dyn Any;
    /// Every index with values in the display units `units` (one of
    /// [`crate::scenario::UNITS`]; the model's own units by default).
    fn indices_in(&self, units: &str) -> Vec<Index> {
        let _ = units;
        self.indices()
    }
    /// The number of the index `key`, if it has one.
    fn value(&self, key: &str) -> Option<f64> {
        self.indices()
            .into_iter()
            .find(|i| i.key == key)
            .and_then(|i| i.value.number())
    }
}

/// One solved course: its table and, when the course covers what the model
/// needs to score it, its metrics. Both come from the same solve.
#[derive(Debug, Clone)]
pub struct Course {
    /// The trajectory at the requested sampling.
    pub table: SimTable,
    /// The course's metrics (`None` when the course is too short to score).
    pub metrics: Option<Arc<dyn CourseMetrics>>,
}

/// A column a data file may have, as the model compares it with its
/// course (see [`Model::observables`]): model value = `scale` × measured.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Observable {
    /// The data file's column name (`car_t`, `tumor_burden_pct`, `nP`, `L`).
    pub name: String,
    /// The column of the model's table it is compared with.
    pub column: String,
    /// Factor from the data's unit to the table column's unit.
    pub scale: f64,
    /// Unit of the data column, as a label.
    pub unit: String,
}

/// Every column of the model's table except `t`, compared as it is (scale
/// 1, in `unit`): the default data columns of a model.
pub fn table_observables(columns: &[String], unit: &str) -> Vec<Observable> {
    columns
        .iter()
        .filter(|c| c.as_str() != "t")
        .map(|c| Observable {
            name: c.clone(),
            column: c.clone(),
            scale: 1.0,
            unit: unit.to_string(),
        })
        .collect()
}

/// How the charts are to be shown.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Display<'a> {
    /// Display units (one of [`crate::scenario::UNITS`]).
    pub units: &'a str,
    /// Log-scaled y axes.
    pub log_y: bool,
    /// Horizon, days.
    pub t_end: f64,
}

/// A model: what its parameters mean, its presets, and how to simulate and
/// score a course. Problem, not method: solving is the solver's job.
pub trait Model: Send + Sync + 'static {
    /// Id used in links, JSON files and `--model` (`clinical`).
    fn id(&self) -> &'static str;
    /// Title for menus.
    fn title(&self) -> &'static str;
    /// Parameters and initial values (the parameter panel).
    fn params(&self) -> &'static [ParamSpec];
    /// Numeric settings beside the parameters (e.g. an extinction threshold).
    fn settings(&self) -> &'static [ParamSpec];
    /// Word-valued options.
    fn options(&self) -> &'static [OptionSpec];
    /// Presets in menu order; the first is the default.
    fn presets(&self) -> Vec<PresetInfo>;
    /// Value of a parameter, initial value or numeric setting in a preset.
    fn preset_value(&self, preset: &str, name: &str) -> Option<f64>;
    /// Default horizon of a preset, days.
    fn default_t_end(&self, preset: &str) -> f64;
    /// The lesson of a preset.
    fn lesson(&self, preset: &str) -> Option<&'static Lesson>;
    /// The runs of a comparison preset (e.g. [M]'s Fig. 5A: three values of
    /// α), each a run query against the preset in link form (`alpha=3e-9`,
    /// `preset=nr`; see `crate::compare::parse_run`), in the paper's order.
    /// The first run is the comparison's base. Choosing the preset on the
    /// page pins them; `cartsim compare --preset P` runs them. Empty (the
    /// default) for a preset that is a single course.
    fn preset_runs(&self, preset: &str) -> &'static [&'static str] {
        let _ = preset;
        &[]
    }
    /// Simulate a request into a table (one solve).
    fn simulate(&self, req: &SimRequest) -> Result<SimTable, ModelError>;
    /// Simulate a request and score the course, in one solve.
    fn course(&self, req: &SimRequest) -> Result<Course, ModelError>;
    /// What the charts of a course show.
    fn charts(&self, course: &Course, display: &Display) -> Vec<TimeChart>;
    /// Display units the charts can be drawn in (of [`crate::scenario::UNITS`]);
    /// the first is the model's own.
    fn display_units(&self) -> &'static [&'static str] {
        &["cells"]
    }
    /// Keys of the indices that a virtual cohort's response-probability
    /// bands are drawn against (empty: the model has no cohort bands).
    fn band_factors(&self) -> &'static [&'static str] {
        &[]
    }
    /// Units CAR T measurements in a data file may be given in (names as
    /// [`crate::model::units::CarUnit::parse`] reads them); the first is
    /// the model's own.
    fn data_units(&self) -> &'static [&'static str] {
        &["cells"]
    }
    /// The columns a data file may have for a course of `preset`, CAR T
    /// measurements being in `unit` (one of [`Model::data_units`]). By
    /// default: every state and output column of the model's table, in
    /// the model's own units.
    fn observables(&self, preset: &str, unit: &str) -> Result<Vec<Observable>, ModelError> {
        let table = self.simulate(&SimRequest {
            preset: preset.to_string(),
            t_end: Some(1.0),
            sampling: super::Sampling::Times(vec![0.0]),
            ..SimRequest::default()
        })?;
        Ok(table_observables(&table.columns, unit))
    }
    /// Parameters a fit adjusts when none are named (empty: they must be named).
    fn default_fit(&self) -> &'static [&'static str] {
        &[]
    }
    /// Where a measurement compared with table column `column` is drawn:
    /// the index of the chart in [`Model::charts`] and the height there,
    /// `value` being in the table column's unit, converted to the display
    /// units of `display`. `None` (the default): on no chart.
    fn chart_point(&self, column: &str, value: f64, display: &Display) -> Option<(usize, f64)> {
        let _ = (column, value, display);
        None
    }
}

/// A model, as a value: copied freely, compared by id, written as its id.
/// Made from text only by [`super::Registry::parse`] (the edges: CLI flag,
/// URL key, JSON file, worker message).
#[derive(Clone, Copy)]
pub struct ModelId(&'static dyn Model);

impl ModelId {
    /// Wrap a model.
    pub const fn new(model: &'static dyn Model) -> Self {
        ModelId(model)
    }
    /// The model.
    pub fn model(self) -> &'static dyn Model {
        self.0
    }
    /// All parameters, initial values and numeric settings (what a link may set).
    pub fn all_specs(self) -> impl Iterator<Item = &'static ParamSpec> {
        self.0.params().iter().chain(self.0.settings())
    }
    /// The spec named `name` among [`ModelId::all_specs`].
    pub fn spec(self, name: &str) -> Option<&'static ParamSpec> {
        self.all_specs().find(|s| s.name == name)
    }
    /// Preset names, in menu order.
    pub fn preset_names(self) -> Vec<&'static str> {
        self.0.presets().into_iter().map(|p| p.name).collect()
    }
}

impl std::ops::Deref for ModelId {
    type Target = dyn Model;
    fn deref(&self) -> &Self::Target {
        self.0
    }
}

impl PartialEq for ModelId {
    fn eq(&self, other: &Self) -> bool {
        self.0.id() == other.0.id()
    }
}

impl Eq for ModelId {}

impl fmt::Debug for ModelId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ModelId({})", self.0.id())
    }
}

impl fmt::Display for ModelId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.id())
    }
}

impl serde::Serialize for ModelId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.0.id())
    }
}
