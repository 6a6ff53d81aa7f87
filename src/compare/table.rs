//! The compare table (each run's metrics beside the base's, with the
//! differences) and the long-form trajectories of all runs, with their CSV.
//! Every number comes from the model interface (`Model::course`), solved
//! exactly as `cartsim metrics` solves it.

use super::{run_query, Comparison};
use crate::model::{CourseMetrics, Index, ModelError, Sampling, SimTable};
use crate::scenario::Scenario;
use std::fmt;
use std::sync::Arc;

/// One run's course metrics.
#[derive(Debug, Clone)]
pub struct RunMetrics {
    /// The named values `cartsim metrics` prints, in its order.
    pub record: Vec<(&'static str, serde_json::Value)>,
    /// The model's metrics, for its indices ([`CourseMetrics::indices`],
    /// [`CourseMetrics::value`]) and class.
    pub metrics: Arc<dyn CourseMetrics>,
}

impl RunMetrics {
    /// The record's number for `key` (`None` for words, and for days that
    /// never come).
    pub fn number(&self, key: &str) -> Option<f64> {
        self.record
            .iter()
            .find(|(k, _)| *k == key)
            .and_then(|(_, v)| v.as_f64())
    }

    /// Every index of the course, in display order.
    pub fn indices(&self) -> Vec<Index> {
        self.metrics.indices()
    }
}

/// A run whose course could not be computed.
#[derive(Debug, Clone, PartialEq)]
pub struct RunFailure {
    /// Position of the run (0 is the base, 1… the changed runs).
    pub run: usize,
    /// Its label.
    pub label: String,
    /// What went wrong.
    pub error: ModelError,
}

impl fmt::Display for RunFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.run == 0 {
            write!(f, "the base run: {}", self.error)
        } else {
            write!(f, "run {} ({}): {}", self.run, self.label, self.error)
        }
    }
}

impl std::error::Error for RunFailure {}

/// Solve one scenario and score it, exactly as `cartsim metrics` does for
/// the same settings (no table, the scenario's horizon).
pub fn run_metrics(scenario: &Scenario) -> Result<RunMetrics, ModelError> {
    let req = scenario.to_request(Sampling::Times(Vec::new()));
    let course = scenario.model.course(&req)?;
    let metrics = course.metrics.ok_or_else(|| {
        ModelError::Invalid(
            "the course is too short to be scored; give a longer horizon (t_end)".into(),
        )
    })?;
    Ok(RunMetrics {
        record: metrics.record(),
        metrics,
    })
}

/// The difference of one value from the base's.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Difference {
    /// `run − base`.
    pub abs: f64,
    /// `100 · (run − base) / |base|`; `None` when the base is 0.
    pub pct: Option<f64>,
}

impl Difference {
    /// The difference of `run` from `base`, when both are numbers.
    pub fn of(run: Option<f64>, base: Option<f64>) -> Option<Difference> {
        let (r, b) = (run?, base?);
        let abs = r - b;
        let pct = (b != 0.0).then(|| 100.0 * abs / b.abs());
        Some(Difference { abs, pct })
    }
}

/// One row of the compare table.
#[derive(Debug, Clone)]
pub struct CompareRow {
    /// The run's label.
    pub label: String,
    /// Its run query against the base (empty for the base preset).
    pub query: String,
    /// Its settings.
    pub scenario: Scenario,
    /// Its metrics.
    pub metrics: RunMetrics,
}

/// Every run's metrics, the base first.
#[derive(Debug, Clone)]
pub struct CompareTable {
    /// One row per run, in the comparison's order.
    pub rows: Vec<CompareRow>,
}

impl CompareTable {
    /// Solve and score every run of `c` (one solve each). The first run
    /// that fails stops the table.
    pub fn build(c: &Comparison) -> Result<CompareTable, RunFailure> {
        let base = c.base();
        let rows = c
            .runs
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let metrics = run_metrics(&r.scenario).map_err(|error| RunFailure {
                    run: i,
                    label: r.label.clone(),
                    error,
                })?;
                Ok(CompareRow {
                    label: r.label.clone(),
                    query: run_query(&r.scenario, base),
                    scenario: r.scenario.clone(),
                    metrics,
                })
            })
            .collect::<Result<Vec<_>, RunFailure>>()?;
        Ok(CompareTable { rows })
    }

    /// The record keys, in `cartsim metrics` order.
    pub fn keys(&self) -> Vec<&'static str> {
        self.rows
            .first()
            .map(|r| r.metrics.record.iter().map(|(k, _)| *k).collect())
            .unwrap_or_default()
    }

    /// Keys whose values are numbers or days (not words or yes/no).
    pub fn numeric_keys(&self) -> Vec<&'static str> {
        self.keys()
            .into_iter()
            .filter(|k| {
                self.rows.iter().all(|r| {
                    r.metrics
                        .record
                        .iter()
                        .find(|(rk, _)| rk == k)
                        .is_none_or(|(_, v)| v.is_number() || v.is_null())
                })
            })
            .collect()
    }

    /// Row `i`'s difference from the base in the record value `key`.
    pub fn difference(&self, i: usize, key: &str) -> Option<Difference> {
        let base = self.rows.first()?;
        let row = self.rows.get(i)?;
        Difference::of(row.metrics.number(key), base.metrics.number(key))
    }

    /// Row `i`'s difference from the base in the index `key` (the page's
    /// index keys, via [`CourseMetrics::value`]).
    pub fn index_difference(&self, i: usize, key: &str) -> Option<Difference> {
        let base = self.rows.first()?;
        let row = self.rows.get(i)?;
        Difference::of(
            row.metrics.metrics.value(key),
            base.metrics.metrics.value(key),
        )
    }

    /// The table as JSON (`run` is 0 for the base, then 1, 2, …):
    /// `{"runs":[{"run","label","query","settings",
    /// "metrics","difference"}…]}`; `metrics` has the keys of `cartsim
    /// metrics` with the same values, `difference` (not on the base) has
    /// `{abs, pct}` for each numeric key (null when either side has none).
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::{json, Map, Value};
        let numeric = self.numeric_keys();
        let runs: Vec<Value> = self
            .rows
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let metrics: Map<String, Value> = r
                    .metrics
                    .record
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.clone()))
                    .collect();
                let mut o = Map::new();
                o.insert("run".into(), json!(i));
                o.insert("label".into(), json!(r.label));
                o.insert("query".into(), json!(r.query));
                o.insert("settings".into(), settings_json(&r.scenario));
                o.insert("metrics".into(), Value::Object(metrics));
                if i > 0 {
                    let d: Map<String, Value> = numeric
                        .iter()
                        .map(|k| (k.to_string(), json!(self.difference(i, k))))
                        .collect();
                    o.insert("difference".into(), Value::Object(d));
                }
                Value::Object(o)
            })
            .collect();
        json!({ "runs": runs })
    }

    /// The table as CSV, one row per run (`run` 0 is the base): `run,label,query`, the keys of
    /// `cartsim metrics` (values written as it writes them), then
    /// `<key>_diff` and `<key>_pct` for each numeric key (empty on the base
    /// and where there is no number).
    pub fn to_csv(&self) -> String {
        let keys = self.keys();
        let numeric = self.numeric_keys();
        let mut header: Vec<String> = vec!["run".into(), "label".into(), "query".into()];
        header.extend(keys.iter().map(|k| k.to_string()));
        header.extend(numeric.iter().map(|k| format!("{k}_diff")));
        header.extend(numeric.iter().map(|k| format!("{k}_pct")));
        let mut s = header.join(",");
        s.push('\n');
        for (i, r) in self.rows.iter().enumerate() {
            let mut cells: Vec<String> =
                vec![i.to_string(), csv_field(&r.label), csv_field(&r.query)];
            for k in &keys {
                let v = r.metrics.record.iter().find(|(rk, _)| rk == k);
                cells.push(csv_field(&v.map(|(_, v)| cell(v)).unwrap_or_default()));
            }
            let diffs: Vec<Option<Difference>> = numeric
                .iter()
                .map(|k| if i == 0 { None } else { self.difference(i, k) })
                .collect();
            cells.extend(
                diffs
                    .iter()
                    .map(|d| d.map_or(String::new(), |d| d.abs.to_string())),
            );
            cells.extend(diffs.iter().map(|d| {
                d.and_then(|d| d.pct)
                    .map_or(String::new(), |p| p.to_string())
            }));
            s.push_str(&cells.join(","));
            s.push('\n');
        }
        s
    }
}

/// A record value as `cartsim metrics --format csv` writes it.
fn cell(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Null => String::new(),
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A scenario's settings as JSON: `model`, `preset`, then what differs from
/// the preset, in the link's keys (numbers as numbers).
pub fn settings_json(s: &Scenario) -> serde_json::Value {
    let mut m = serde_json::Map::new();
    for (k, v) in form_urlencoded::parse(s.to_query().as_bytes()) {
        if k == "v" {
            continue;
        }
        let v = v.into_owned();
        let val = match v.parse::<f64>() {
            Ok(x) if x.is_finite() => serde_json::json!(x),
            _ => serde_json::Value::String(v),
        };
        m.insert(k.into_owned(), val);
    }
    serde_json::Value::Object(m)
}

/// A CSV field, quoted when it holds a comma, a quote or a line break
/// (labels join their differences with ", ").
pub fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// Every run's trajectory, in long form.
#[derive(Debug, Clone)]
pub struct TrajectoryTable {
    /// The model's table columns (`t` first), the same for every run.
    pub columns: Vec<String>,
    /// Per run, in order: its label and its table.
    pub runs: Vec<(String, SimTable)>,
}

impl TrajectoryTable {
    /// Simulate every run of `c` at `sampling` over its own horizon.
    pub fn build(c: &Comparison, sampling: &Sampling) -> Result<TrajectoryTable, RunFailure> {
        let mut runs = Vec::with_capacity(c.runs.len());
        for (i, r) in c.runs.iter().enumerate() {
            let req = r.scenario.to_request(sampling.clone());
            let table = r
                .scenario
                .model
                .simulate(&req)
                .map_err(|error| RunFailure {
                    run: i,
                    label: r.label.clone(),
                    error,
                })?;
            runs.push((r.label.clone(), table));
        }
        let columns = runs
            .first()
            .map(|(_, t)| t.columns.clone())
            .unwrap_or_default();
        Ok(TrajectoryTable { columns, runs })
    }

    /// Long-form CSV: `run,label,t,<columns>`, one line per run and time
    /// (the base is run 0, the changed runs 1, 2, …; full precision).
    pub fn to_csv(&self) -> String {
        let mut s = String::from("run,label,");
        s.push_str(&self.columns.join(","));
        s.push('\n');
        for (i, (label, table)) in self.runs.iter().enumerate() {
            let label = csv_field(label);
            for j in 0..table.n_rows() {
                let row: Vec<String> = table.row(j).iter().map(|v| format!("{v}")).collect();
                s.push_str(&format!("{i},{label},{}\n", row.join(",")));
            }
        }
        s
    }
}
