//! Sensitivity analysis (issue 17): which parameters drive a model's
//! response. Local normalised coefficients ∂ln y/∂ln p, Morris elementary
//! effects (μ*, σ) and Sobol' first-order and total indices (Saltelli
//! sampling on a scrambled Sobol' sequence, Jansen / Saltelli 2010
//! estimators, seeded bootstrap 95% intervals), for any model output
//! through the [`Model`](crate::model::Model) interface or for the standard
//! test functions. Portable: the CLI's `sensitivity`, its shards and the
//! page share it, so the same study gives the same numbers everywhere.
//!
//! A study is a [`Design`] (numbered rows of parameter points), a
//! [`Target`] evaluated at each row ([`run_rows`], any range of rows), and
//! [`report`], which turns all rows' outputs into indices.

pub mod design;
pub mod dist;
pub mod estimate;
pub mod functions;
pub mod target;

pub use design::{Design, Input, Method};
pub use dist::Distribution;
pub use estimate::{Indices, LocalIndex, MorrisIndex, SobolIndex};
pub use functions::TestFunction;
pub use target::{ModelTarget, Output, Target};

use crate::model::params::Scale;
use crate::model::{ModelError, ModelId, SimRequest};
use std::fmt;
use std::ops::Range;

/// Default spread F of the log-uniform inputs: [v/F, F·v].
pub const DEFAULT_SPREAD: f64 = 2.0;
/// Most base samples (Sobol) or trajectories (Morris).
pub const MAX_SAMPLES: usize = 10_000_000;

/// A study that cannot run, as a value.
#[derive(Debug, Clone, PartialEq)]
pub enum SensitivityError {
    /// The request is invalid (unknown input or output, bad range).
    Invalid(String),
    /// The model refused the request.
    Model(ModelError),
}

impl SensitivityError {
    /// True when the user's input is at fault (CLI exit 2).
    pub fn is_bad_input(&self) -> bool {
        match self {
            SensitivityError::Invalid(_) => true,
            SensitivityError::Model(e) => e.is_bad_input(),
        }
    }
}

impl fmt::Display for SensitivityError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SensitivityError::Invalid(m) => f.write_str(m),
            SensitivityError::Model(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for SensitivityError {}

/// How the inputs of a model study are spread around the scenario.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Spread {
    /// Log-uniform on [v/F, F·v] (cut to the parameter's range).
    LogUniform(f64),
    /// Uniform over the parameter's range (log-uniform for parameters whose
    /// slider is log-scaled).
    Range,
    /// The virtual-cohort rule: Normal(v, (v/3)²), truncated at 0 and to the range.
    Cohort,
}

impl Spread {
    /// Name as on the command line (`loguniform`, `range`, `cohort`).
    pub fn as_str(self) -> &'static str {
        match self {
            Spread::LogUniform(_) => "loguniform",
            Spread::Range => "range",
            Spread::Cohort => "cohort",
        }
    }
    /// Parse a distribution name, with the spread F for `loguniform`.
    pub fn parse(name: &str, factor: f64) -> Option<Spread> {
        match name {
            "loguniform" => Some(Spread::LogUniform(factor)),
            "range" => Some(Spread::Range),
            "cohort" => Some(Spread::Cohort),
            _ => None,
        }
    }
}

/// The nominal value of `name` in a request: its last numeric `--set`, else
/// the preset's.
pub fn nominal(model: ModelId, req: &SimRequest, name: &str) -> Option<f64> {
    req.sets
        .iter()
        .rev()
        .find(|(k, _)| k == name)
        .and_then(|(_, v)| v.trim().parse::<f64>().ok())
        .or_else(|| model.preset_value(&req.preset, name))
}

/// The inputs of a model study: `names` (default: every parameter and
/// initial value of the model whose distribution is not a single point),
/// each spread around its value in `req` by `spread`.
pub fn model_inputs(
    model: ModelId,
    req: &SimRequest,
    names: Option<&[String]>,
    spread: Spread,
) -> Result<Vec<Input>, SensitivityError> {
    if let Spread::LogUniform(f) = spread {
        if !(f.is_finite() && f > 1.0) {
            return Err(SensitivityError::Invalid(format!(
                "the spread must be a number > 1, got {f}"
            )));
        }
    }
    let explicit = names.is_some();
    let list: Vec<String> = match names {
        Some(n) => n.to_vec(),
        None => model.params().iter().map(|s| s.name.to_string()).collect(),
    };
    let mut out: Vec<Input> = Vec::new();
    for name in list {
        let Some(spec) = model.spec(&name) else {
            let known: Vec<&str> = model.params().iter().map(|s| s.name).collect();
            return Err(SensitivityError::Invalid(format!(
                "unknown input '{name}'; inputs: {}",
                known.join(", ")
            )));
        };
        if out.iter().any(|i| i.name == name) {
            return Err(SensitivityError::Invalid(format!(
                "input '{name}' is listed twice"
            )));
        }
        let v = nominal(model, req, &name).ok_or_else(|| {
            SensitivityError::Invalid(format!("input '{name}' has no value in this preset"))
        })?;
        let dist = match spread {
            Spread::LogUniform(f) => {
                let (lo, hi) = ((v / f).max(spec.min), (v * f).min(spec.max));
                (v > 0.0 && lo > 0.0 && lo < hi).then_some(Distribution::LogUniform { lo, hi })
            }
            Spread::Range => {
                if spec.scale == Scale::Log && spec.min > 0.0 {
                    Some(Distribution::LogUniform {
                        lo: spec.min,
                        hi: spec.max,
                    })
                } else {
                    Some(Distribution::Uniform {
                        lo: spec.min,
                        hi: spec.max,
                    })
                }
            }
            Spread::Cohort => (v > 0.0).then_some(Distribution::TruncNormal {
                mean: v,
                sd: v / 3.0,
                lo: spec.min.max(0.0),
                hi: spec.max,
            }),
        };
        match dist {
            Some(dist) => out.push(Input {
                name,
                nominal: v,
                dist,
                range: (spec.min, spec.max),
            }),
            None if explicit => {
                return Err(SensitivityError::Invalid(format!(
                    "input '{name}' = {v}: a {} spread needs a value > 0 inside its range; \
                     use --distribution range",
                    spread.as_str()
                )))
            }
            None => {}
        }
    }
    if out.is_empty() {
        return Err(SensitivityError::Invalid("the study has no inputs".into()));
    }
    Ok(out)
}

/// The step in ln p of the local method for a solver relative tolerance
/// `rtol`: δ = rtol^(1/3) balances the solver's error (≈ rtol/δ in the
/// difference quotient) against the central difference's (≈ δ²); between
/// 1e-4 and 0.1.
pub fn local_step(rtol: f64) -> f64 {
    libm::cbrt(rtol).clamp(1e-4, 0.1)
}

/// Check a design before running it.
pub fn check(design: &Design) -> Result<(), SensitivityError> {
    let k = design.k();
    if k == 0 {
        return Err(SensitivityError::Invalid("the study has no inputs".into()));
    }
    if design.method != Method::Local && !(2..=MAX_SAMPLES).contains(&design.samples) {
        return Err(SensitivityError::Invalid(format!(
            "the sample size must be 2 to {MAX_SAMPLES}, got {}",
            design.samples
        )));
    }
    if design.method == Method::Sobol && k > design::MAX_SOBOL_INPUTS {
        return Err(SensitivityError::Invalid(format!(
            "a Sobol study takes at most {} inputs, got {k}",
            design::MAX_SOBOL_INPUTS
        )));
    }
    Ok(())
}

/// What a model study asks for (the CLI's options, the page's form).
#[derive(Debug, Clone, PartialEq)]
pub struct StudySpec {
    /// The output (`fp`, `class=CR`, `B@28`).
    pub output: String,
    /// Inputs (`None`: every parameter and initial value that can vary).
    pub inputs: Option<Vec<String>>,
    /// Method.
    pub method: Method,
    /// Base samples (Sobol) or trajectories (Morris).
    pub samples: usize,
    /// Input distributions.
    pub spread: Spread,
    /// Seed.
    pub seed: u64,
}

/// A model study ready to run: its design, the report's labels and the
/// target. Solves the scenario `req` once to check the output.
pub fn model_study(
    model: ModelId,
    req: &SimRequest,
    spec: &StudySpec,
) -> Result<(Design, Labels, ModelTarget), SensitivityError> {
    let out = Output::parse(&spec.output)?;
    let inputs = model_inputs(model, req, spec.inputs.as_deref(), spec.spread)?;
    let rtol = match req.settings.rtol {
        crate::solver::Tolerance::Scalar(r) => r,
        _ => 1e-6,
    };
    let design = Design {
        method: spec.method,
        inputs,
        samples: spec.samples,
        seed: spec.seed,
        local_step: local_step(rtol),
    };
    check(&design)?;
    let names = design.inputs.iter().map(|i| i.name.clone()).collect();
    let target = ModelTarget::new(model, req, names, out)?;
    let labels = Labels {
        output: spec.output.trim().to_string(),
        distribution: spec.spread.as_str(),
        spread: match spec.spread {
            Spread::LogUniform(f) => Some(f),
            _ => None,
        },
        never_value: target.is_day.then_some(target.horizon),
    };
    Ok((design, labels, target))
}

/// The outputs of rows `rows` of a design (in parallel natively with the
/// `parallel` feature; each thread evaluates its own copy of the target).
pub fn run_rows<T: Target>(
    design: &Design,
    target: &T,
    rows: Range<usize>,
) -> Result<Vec<f64>, SensitivityError> {
    let slice = |r: Range<usize>| -> Result<Vec<f64>, SensitivityError> {
        let mut t = target.clone();
        let mut x = vec![0.0; design.k()];
        r.map(|row| {
            design.point(row, &mut x);
            t.eval(&x)
        })
        .collect()
    };
    #[cfg(all(feature = "parallel", not(target_arch = "wasm32")))]
    {
        use rayon::prelude::*;
        let n = rows.len();
        let chunk = (n / (8 * rayon::current_num_threads()).max(1)).clamp(1, 256);
        let starts: Vec<usize> = rows.clone().step_by(chunk).collect();
        let parts: Result<Vec<Vec<f64>>, SensitivityError> = starts
            .par_iter()
            .map(|&s| slice(s..(s + chunk).min(rows.end)))
            .collect();
        Ok(parts?.into_iter().flatten().collect())
    }
    #[cfg(not(all(feature = "parallel", not(target_arch = "wasm32"))))]
    {
        slice(rows)
    }
}

/// How a day output that never happens was scored.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct NeverRule {
    /// The rule in words.
    pub rule: &'static str,
    /// The value given (the horizon, days).
    pub value: f64,
    /// Rows whose event never happened.
    pub rows: usize,
}

/// The result of a study.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// The output analysed.
    pub output: String,
    /// Method.
    pub method: Method,
    /// Base samples (Sobol), trajectories (Morris), 1 (local).
    pub samples: usize,
    /// Solves (rows of the design).
    pub solves: usize,
    /// Seed.
    pub seed: u64,
    /// Input distribution (`loguniform`, `range`, `cohort`, or `function`).
    pub distribution: &'static str,
    /// Spread F (log-uniform only).
    pub spread: Option<f64>,
    /// Local step in ln p (local only).
    pub step: Option<f64>,
    /// How days that never happen were scored (day outputs only).
    pub never: Option<NeverRule>,
    /// Base samples or trajectories dropped for a failed solve.
    pub dropped: usize,
    /// Input names, in order.
    pub inputs: Vec<String>,
    /// The indices.
    pub indices: Indices,
}

/// What a report needs besides the outputs.
#[derive(Debug, Clone, PartialEq)]
pub struct Labels {
    /// The output's name.
    pub output: String,
    /// Distribution name.
    pub distribution: &'static str,
    /// Spread F (log-uniform only).
    pub spread: Option<f64>,
    /// For day outputs, the value given to a day that never happens.
    pub never_value: Option<f64>,
}

/// The report of a design from the outputs `y` of all its rows.
pub fn report(design: &Design, labels: &Labels, y: &[f64]) -> Report {
    report_with(design, labels, y, estimate::analyse(design, y))
}

/// [`report`] with the indices and the dropped count already estimated
/// ([`estimate::analyse`] of the same design and outputs; the page runs
/// it in a worker).
pub fn report_with(
    design: &Design,
    labels: &Labels,
    y: &[f64],
    (indices, dropped): (Indices, usize),
) -> Report {
    Report {
        output: labels.output.clone(),
        method: design.method,
        samples: if design.method == Method::Local {
            1
        } else {
            design.samples
        },
        solves: design.rows(),
        seed: design.seed,
        distribution: labels.distribution,
        spread: labels.spread,
        step: (design.method == Method::Local).then_some(design.local_step),
        never: labels.never_value.map(|v| NeverRule {
            rule: "a day that never happens counts as the horizon",
            value: v,
            rows: y.iter().filter(|&&x| x == v).count(),
        }),
        dropped,
        inputs: design.inputs.iter().map(|i| i.name.clone()).collect(),
        indices,
    }
}

fn opt(v: Option<f64>) -> serde_json::Value {
    v.map_or(serde_json::Value::Null, |x| serde_json::json!(x))
}

fn csv_opt(v: Option<f64>) -> String {
    v.map_or(String::new(), |x| format!("{x}"))
}

impl Report {
    /// The report as JSON (the shape: `output`, `method`, `samples`,
    /// `solves`, then `indices` keyed by input in input order).
    pub fn to_json(&self) -> String {
        use serde_json::{json, Map, Value};
        let mut entries: Vec<(String, Value)> = Vec::new();
        for (k, name) in self.inputs.iter().enumerate() {
            let v = match &self.indices {
                Indices::Sobol(ix) => {
                    let i = ix[k];
                    json!({"first": opt(i.first), "first_ci95": i.first_ci95, "total": opt(i.total), "total_ci95": i.total_ci95})
                }
                Indices::Morris(ix) => {
                    let i = ix[k];
                    json!({"mu_star": opt(i.mu_star), "mu": opt(i.mu), "sigma": opt(i.sigma)})
                }
                Indices::Local(ix) => json!({"coefficient": opt(ix[k].coefficient)}),
            };
            entries.push((name.clone(), v));
        }
        // Input order, not alphabetical: written by hand around serde_json.
        let mut head = Map::new();
        head.insert("output".into(), json!(self.output));
        head.insert("method".into(), json!(self.method));
        head.insert("samples".into(), json!(self.samples));
        head.insert("solves".into(), json!(self.solves));
        head.insert("seed".into(), json!(self.seed));
        head.insert("distribution".into(), json!(self.distribution));
        if let Some(f) = self.spread {
            head.insert("spread".into(), json!(f));
        }
        if let Some(s) = self.step {
            head.insert("step".into(), json!(s));
        }
        if let Some(n) = &self.never {
            head.insert("never".into(), json!(n));
        }
        head.insert("dropped".into(), json!(self.dropped));
        let order = [
            "output",
            "method",
            "samples",
            "solves",
            "seed",
            "distribution",
            "spread",
            "step",
            "never",
            "dropped",
        ];
        let mut s = String::from("{\n");
        for key in order {
            if let Some(v) = head.get(key) {
                s.push_str(&format!("  \"{key}\": {v},\n"));
            }
        }
        s.push_str("  \"indices\": {");
        for (n, (name, v)) in entries.iter().enumerate() {
            s.push_str(if n == 0 { "\n" } else { ",\n" });
            s.push_str(&format!("    {}: {v}", Value::String(name.clone())));
        }
        s.push_str("\n  }\n}\n");
        s
    }

    /// The report as CSV: one row per input.
    pub fn to_csv(&self) -> String {
        let mut s = String::new();
        match &self.indices {
            Indices::Sobol(ix) => {
                s.push_str("input,first,first_lo,first_hi,total,total_lo,total_hi\n");
                for (name, i) in self.inputs.iter().zip(ix) {
                    let ci = |c: Option<[f64; 2]>| match c {
                        Some([a, b]) => format!("{a},{b}"),
                        None => ",".into(),
                    };
                    s.push_str(&format!(
                        "{name},{},{},{},{}\n",
                        csv_opt(i.first),
                        ci(i.first_ci95),
                        csv_opt(i.total),
                        ci(i.total_ci95)
                    ));
                }
            }
            Indices::Morris(ix) => {
                s.push_str("input,mu_star,mu,sigma\n");
                for (name, i) in self.inputs.iter().zip(ix) {
                    s.push_str(&format!(
                        "{name},{},{},{}\n",
                        csv_opt(i.mu_star),
                        csv_opt(i.mu),
                        csv_opt(i.sigma)
                    ));
                }
            }
            Indices::Local(ix) => {
                s.push_str("input,coefficient\n");
                for (name, i) in self.inputs.iter().zip(ix) {
                    s.push_str(&format!("{name},{}\n", csv_opt(i.coefficient)));
                }
            }
        }
        s
    }
}
