//! Fitting a model to a patient's measurements ([`crate::data`]), for any
//! model, through the [`crate::model::Model`] interface only: least
//! squares on log observations (a censored point `<X` is a one-sided
//! residual: it costs only when the model is above X), Levenberg–Marquardt
//! ([`lm`]) in log-parameter space within each parameter's range, several
//! seeded starts, an optional weak log-normal prior around the preset.
//! The report ([`FitReport`]) has the estimates with 95% intervals from the
//! Jacobian at the optimum (log scale; profile-likelihood intervals on
//! request), their correlations, the residual SD, AIC, whether the fit
//! converged (and why not), warnings for parameters the data cannot
//! determine, and the fitted course's metrics. Portable: the CLI's `fit`
//! and the page's worker share it.

pub mod lm;
pub mod stats;

use crate::cohort::rng::Stream;
use crate::data::Observed;
use crate::math::{exp, ln};
use crate::model::params::ParamSpec;
use crate::model::{ModelError, ModelId, Sampling, SimRequest};
use crate::solver::Settings;
use lm::{jacobian, minimize_in, Bounds, LmError, LmSettings, Stop};
use nalgebra::DMatrix;
use std::fmt;

/// Most parameters one fit may adjust.
pub const MAX_FITTED: usize = 10;
/// Most starting points.
pub const MAX_STARTS: usize = 64;
/// A parameter whose 95% interval spans more than this factor is reported
/// as not determined by the data.
pub const UNDETERMINED_FOLD: f64 = 100.0;
/// Starts other than the preset are drawn within this factor of it.
pub const START_SPREAD: f64 = 10.0;

/// How to fit.
#[derive(Debug, Clone)]
pub struct FitSettings {
    /// Names of the parameters (or initial values) to fit; empty: the
    /// model's [`crate::model::Model::default_fit`].
    pub fit: Vec<String>,
    /// Starting points: the preset's values, then seeded draws within a
    /// factor [`START_SPREAD`] of them.
    pub starts: usize,
    /// Seed of the starting points.
    pub seed: u64,
    /// Standard deviation of the weak log-normal prior on each fitted
    /// parameter, centred on the preset (`None`: no prior, the default).
    pub prior_sd: Option<f64>,
    /// Also compute profile-likelihood intervals.
    pub profile: bool,
    /// Solver settings of the fit's solves (tighter than the default, so
    /// finite-difference derivatives are accurate).
    pub solver: Settings,
    /// Horizon of the fitted course's metrics (`None`: the model's default).
    pub horizon: Option<f64>,
    /// Optimiser settings.
    pub lm: LmSettings,
}

impl Default for FitSettings {
    fn default() -> Self {
        FitSettings {
            fit: Vec::new(),
            starts: 8,
            seed: 1,
            prior_sd: None,
            profile: false,
            solver: Settings::dopri5(1e-9, 1e-12),
            horizon: None,
            lm: LmSettings {
                max_iter: 100,
                ftol: 1e-10,
                xtol: 1e-9,
                fd_step: 1e-5,
                fd_floor: 1.0,
                lambda0: 1e-3,
            },
        }
    }
}

/// The scenario a fit starts from: model, preset and fixed overrides.
#[derive(Debug, Clone)]
pub struct FitBase {
    /// The model.
    pub model: ModelId,
    /// Its preset.
    pub preset: String,
    /// `NAME=VALUE` overrides (a fitted parameter's override is its start).
    pub sets: Vec<(String, String)>,
}

/// Why a fit could not be done.
#[derive(Debug, Clone, PartialEq)]
pub enum FitError {
    /// The request was refused (a parameter name, a setting, too little data).
    Invalid(String),
    /// The model itself refused or failed (e.g. no start could be solved).
    Model(ModelError),
}

impl FitError {
    /// True when the user's input is at fault (else a failed solve).
    pub fn is_bad_input(&self) -> bool {
        match self {
            FitError::Invalid(_) => true,
            FitError::Model(e) => e.is_bad_input(),
        }
    }
}

impl fmt::Display for FitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FitError::Invalid(m) => f.write_str(m),
            FitError::Model(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for FitError {}

impl From<ModelError> for FitError {
    fn from(e: ModelError) -> Self {
        FitError::Model(e)
    }
}

/// One fitted parameter.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Estimate {
    /// Its name.
    pub name: String,
    /// The estimate.
    pub value: f64,
    /// Its value in the base scenario (the first start, the prior's centre).
    pub base: f64,
    /// Standard error of its natural log (+∞: not determined).
    pub se_log: f64,
    /// 95% interval from the Jacobian, on the log scale (`None`: unbounded).
    pub ci95: [Option<f64>; 2],
    /// 95% profile-likelihood interval (`None` on a side: the profile
    /// stays below the threshold up to the parameter's range).
    pub profile95: Option<[Option<f64>; 2]>,
    /// True when the estimate sits on the edge of the parameter's range.
    pub at_bound: bool,
    /// False when the data cannot determine it (unbounded interval, or
    /// wider than [`UNDETERMINED_FOLD`]-fold).
    pub determined: bool,
}

/// Residual summary of one data column.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ColumnFit {
    /// The data column.
    pub name: String,
    /// Its measurements (censored ones included).
    pub n: usize,
    /// Of which censored.
    pub censored: usize,
    /// Root mean square of the log residuals (censored: one-sided).
    pub rms: f64,
    /// The fitted course at each measurement day, in the data's unit.
    pub fitted: Vec<(f64, f64)>,
}

/// How one starting point ended.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct StartOutcome {
    /// Final cost (½ Σ r²), when the start could be evaluated.
    pub cost: Option<f64>,
    /// Why it stopped.
    pub stop: Option<Stop>,
    /// Iterations used.
    pub iterations: usize,
    /// Why the start could not be evaluated.
    pub error: Option<String>,
}

/// Everything a fit reports.
#[derive(Debug, Clone, serde::Serialize)]
pub struct FitReport {
    /// The fitted parameters, in the order asked.
    pub estimates: Vec<Estimate>,
    /// Correlations of the log-estimates (`None`: not defined, a parameter
    /// is not determined).
    pub correlation: Vec<Vec<Option<f64>>>,
    /// Residual SD of the log observations, √(SSR/(n − p)).
    pub residual_sd: Option<f64>,
    /// Akaike's information criterion of the log observations (Gaussian,
    /// σ estimated: n·ln(2π·SSR/n) + n + 2(p + 1)).
    pub aic: Option<f64>,
    /// Measurements that count (uncensored, and censored ones the fitted
    /// course exceeds).
    pub n: usize,
    /// Sum of squared log residuals at the optimum.
    pub ssr: f64,
    /// True when the optimiser stopped at a minimum.
    pub converged: bool,
    /// Why not, when it did not converge.
    pub why_not: Option<String>,
    /// Plain-words warnings (parameters not determined, on a bound, …).
    pub warnings: Vec<String>,
    /// Per data column: residuals and the fitted values.
    pub columns: Vec<ColumnFit>,
    /// Each start's outcome.
    pub starts: Vec<StartOutcome>,
    /// Starts that reached the best cost (within 0.1%).
    pub starts_at_best: usize,
    /// The fitted scenario's overrides: the base's, then the estimates.
    pub sets: Vec<(String, String)>,
    /// The fitted course's metrics, as `cartsim metrics` writes them.
    #[serde(skip)]
    pub metrics: Vec<(&'static str, serde_json::Value)>,
    /// The fitted course's class.
    pub class: Option<String>,
    /// Model solves used.
    pub evaluations: usize,
}

/// One measurement as the residuals see it.
#[derive(Debug, Clone)]
struct Obs {
    /// Table column.
    column: String,
    /// Index into the solve's days.
    day: usize,
    /// ln of the measurement (or limit), in the table's unit.
    ln_y: f64,
    /// Censored (`<X`).
    censored: bool,
}

/// The least-squares problem: the base scenario, the fitted parameters
/// and the data.
struct Problem<'a> {
    base: &'a FitBase,
    specs: Vec<&'static ParamSpec>,
    days: Vec<f64>,
    obs: Vec<Obs>,
    solver: Settings,
    bounds: Bounds,
    evaluations: std::cell::Cell<usize>,
}

/// The smallest model value an uncensored measurement is compared with,
/// relative to it: a course that is extinct where something was measured
/// costs ln(1e8) ≈ 18 per point, not infinity.
const FLOOR: f64 = 1e-8;

impl<'a> Problem<'a> {
    /// The problem of fitting `specs` of `base`'s scenario to `data`.
    fn new(
        base: &'a FitBase,
        specs: Vec<&'static ParamSpec>,
        data: &Observed,
        solver: Settings,
    ) -> Self {
        let days = data.days();
        let mut obs = Vec::with_capacity(data.len());
        for s in &data.series {
            for p in &s.points {
                obs.push(Obs {
                    column: s.observable.column.clone(),
                    day: days.iter().position(|d| *d == p.day).unwrap_or(0),
                    ln_y: ln(p.value * s.observable.scale),
                    censored: p.censored,
                });
            }
        }
        let bounds = Bounds {
            lo: specs.iter().map(|s| ln(s.min.max(s.max * 1e-9))).collect(),
            hi: specs.iter().map(|s| ln(s.max)).collect(),
        };
        Problem {
            base,
            specs,
            days,
            obs,
            solver,
            bounds,
            evaluations: std::cell::Cell::new(0),
        }
    }

    /// Per data column: the course at log-parameters `theta` against the data.
    fn columns(&self, data: &Observed, theta: &[f64]) -> Result<Vec<ColumnFit>, ModelError> {
        let m = self.model_values(theta)?;
        let mut r = vec![0.0; m.len()];
        self.log_residuals(&m, &mut r);
        let mut columns = Vec::with_capacity(data.series.len());
        let mut k = 0;
        for sr in &data.series {
            let len = sr.points.len();
            let rr = &r[k..k + len];
            columns.push(ColumnFit {
                name: sr.observable.name.clone(),
                n: len,
                censored: sr.points.iter().filter(|p| p.censored).count(),
                rms: (rr.iter().map(|v| v * v).sum::<f64>() / len.max(1) as f64).sqrt(),
                fitted: sr
                    .points
                    .iter()
                    .zip(&m[k..k + len])
                    .map(|(pt, v)| (pt.day, v / sr.observable.scale))
                    .collect(),
            });
            k += len;
        }
        Ok(columns)
    }

    /// The parameter values for log-parameters `theta` (within range).
    fn values(&self, theta: &[f64]) -> Vec<f64> {
        theta
            .iter()
            .zip(&self.specs)
            .map(|(t, s)| exp(*t).clamp(s.min, s.max))
            .collect()
    }

    /// The overrides of the scenario with log-parameters `theta`.
    fn sets(&self, theta: &[f64]) -> Vec<(String, String)> {
        let mut sets = self.base.sets.clone();
        for (v, s) in self.values(theta).into_iter().zip(&self.specs) {
            sets.push((s.name.to_string(), format!("{v}")));
        }
        sets
    }

    /// The model's value at each measurement.
    fn model_values(&self, theta: &[f64]) -> Result<Vec<f64>, ModelError> {
        self.evaluations.set(self.evaluations.get() + 1);
        let t_end = self.days.last().copied().unwrap_or(0.0).max(1e-9);
        let table = self.base.model.simulate(&SimRequest {
            preset: self.base.preset.clone(),
            sets: self.sets(theta),
            t_end: Some(t_end),
            settings: self.solver.clone(),
            sampling: Sampling::Times(self.days.clone()),
        })?;
        // The row of each day (the first row at that time).
        let mut rows = Vec::with_capacity(self.days.len());
        let mut i = 0;
        for &d in &self.days {
            while i < table.n_rows() && table.row(i)[0] < d {
                i += 1;
            }
            if i >= table.n_rows() || table.row(i)[0] != d {
                return Err(ModelError::Invalid(format!(
                    "the course has no value on day {d}"
                )));
            }
            rows.push(i);
        }
        self.obs
            .iter()
            .map(|o| {
                let j = table.col(&o.column).ok_or_else(|| {
                    ModelError::Invalid(format!("the course has no column {}", o.column))
                })?;
                Ok(table.row(rows[o.day])[j])
            })
            .collect()
    }

    /// Log residual of each measurement for model values `m`.
    fn log_residuals(&self, m: &[f64], out: &mut [f64]) {
        for (k, (o, &v)) in self.obs.iter().zip(m).enumerate() {
            out[k] = if o.censored {
                if v > 0.0 {
                    (ln(v) - o.ln_y).max(0.0)
                } else {
                    0.0
                }
            } else {
                ln(v.max(exp(o.ln_y) * FLOOR)) - o.ln_y
            };
        }
    }

    /// Data residuals at `theta`, scaled by `1/sigma`, then the prior's.
    fn residuals(
        &self,
        theta: &[f64],
        prior: Option<&Prior>,
        out: &mut [f64],
    ) -> Result<(), ModelError> {
        let m = self.model_values(theta)?;
        let n = self.obs.len();
        self.log_residuals(&m, &mut out[..n]);
        if let Some(p) = prior {
            for r in &mut out[..n] {
                *r /= p.sigma;
            }
            for (k, t) in theta.iter().enumerate() {
                out[n + k] = (t - p.centre[k]) / p.sd;
            }
        }
        Ok(())
    }
}

/// A weak log-normal prior: ln θ ~ N(centre, sd²); the data residuals are
/// divided by the residual SD `sigma` so both are on one scale.
#[derive(Debug, Clone)]
struct Prior {
    centre: Vec<f64>,
    sd: f64,
    sigma: f64,
}

/// How `base`'s own course (nothing fitted) meets `data`, per column: the
/// residual summary (n, RMS of the log residuals, censored ones one-sided)
/// and the course's values at the measurements.
pub fn residual_summary(
    base: &FitBase,
    data: &Observed,
    solver: &Settings,
) -> Result<Vec<ColumnFit>, FitError> {
    if data.is_empty() {
        return Err(FitError::Invalid("the data have no measurements".into()));
    }
    Ok(Problem::new(base, Vec::new(), data, solver.clone()).columns(data, &[])?)
}

/// Fit `base`'s model to `data`. `progress(done, total)` is called as the
/// starts (and profiles) finish.
pub fn fit(
    base: &FitBase,
    data: &Observed,
    settings: &FitSettings,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<FitReport, FitError> {
    let model = base.model;
    let names: Vec<String> = if settings.fit.is_empty() {
        model.default_fit().iter().map(|s| s.to_string()).collect()
    } else {
        settings.fit.clone()
    };
    if names.is_empty() {
        return Err(FitError::Invalid(
            "name the parameters to fit (this model has no default list)".into(),
        ));
    }
    if names.len() > MAX_FITTED {
        return Err(FitError::Invalid(format!(
            "at most {MAX_FITTED} parameters can be fitted at once, got {}",
            names.len()
        )));
    }
    if !(1..=MAX_STARTS).contains(&settings.starts) {
        return Err(FitError::Invalid(format!(
            "the number of starts must be 1 to {MAX_STARTS}, got {}",
            settings.starts
        )));
    }
    if let Some(sd) = settings.prior_sd {
        if !(sd.is_finite() && sd > 0.0) {
            return Err(FitError::Invalid(format!(
                "the prior SD must be a positive number, got {sd}"
            )));
        }
    }
    // The base scenario must be valid on its own.
    model.simulate(&SimRequest {
        preset: base.preset.clone(),
        sets: base.sets.clone(),
        t_end: Some(1.0),
        sampling: Sampling::Times(vec![0.0]),
        ..SimRequest::default()
    })?;
    let mut specs = Vec::new();
    let mut start = Vec::new();
    let mut base_values = Vec::new();
    for (k, n) in names.iter().enumerate() {
        let spec = model.params().iter().find(|s| s.name == n).ok_or_else(|| {
            let known: Vec<&str> = model.params().iter().map(|s| s.name).collect();
            FitError::Invalid(format!(
                "unknown parameter '{n}' to fit; known: {}",
                known.join(", ")
            ))
        })?;
        if names[..k].contains(n) {
            return Err(FitError::Invalid(format!("'{n}' is named twice to fit")));
        }
        let v = match base.sets.iter().rev().find(|(k, _)| k == n) {
            Some((_, text)) => spec.parse(text).map_err(ModelError::from)?,
            None => model.preset_value(&base.preset, n).unwrap_or(f64::NAN),
        };
        if !(v > 0.0 && v.is_finite()) {
            return Err(FitError::Invalid(format!(
                "'{n}' is {v} in this scenario; a fitted parameter needs a positive starting value (set one)"
            )));
        }
        specs.push(spec);
        start.push(ln(v));
        base_values.push(v);
    }
    if data.is_empty() {
        return Err(FitError::Invalid("the data have no measurements".into()));
    }
    let problem = Problem::new(base, specs, data, settings.solver.clone());
    let p = names.len();
    let n_obs = problem.obs.len();
    let profiles = if settings.profile { p } else { 0 };
    let total = settings.starts + profiles;

    // Multi-start least squares on the data alone.
    let mut outcomes = Vec::with_capacity(settings.starts);
    let mut best: Option<lm::LmResult> = None;
    let mut first_error = None;
    for k in 0..settings.starts {
        let theta0 = start_point(&start, &problem.bounds, settings.seed, k);
        let res = minimize_in(&theta0, &problem.bounds, n_obs, &settings.lm, |th, out| {
            problem.residuals(th, None, out)
        });
        match res {
            Ok(r) => {
                outcomes.push(StartOutcome {
                    cost: Some(r.cost),
                    stop: Some(r.stop),
                    iterations: r.iterations,
                    error: None,
                });
                if best.as_ref().is_none_or(|b| r.cost < b.cost) {
                    best = Some(r);
                }
            }
            Err(e) => {
                let msg = match e {
                    LmError::Start(e) => {
                        first_error.get_or_insert(e.clone());
                        e.to_string()
                    }
                    LmError::NonFinite => "the residuals are not finite numbers".to_string(),
                };
                outcomes.push(StartOutcome {
                    cost: None,
                    stop: None,
                    iterations: 0,
                    error: Some(msg),
                });
            }
        }
        progress(k + 1, total);
    }
    let Some(mut best) = best else {
        return Err(match first_error {
            Some(e) => FitError::Model(e),
            None => FitError::Invalid("no starting point could be evaluated".into()),
        });
    };
    let starts_at_best = outcomes
        .iter()
        .filter(|o| o.cost.is_some_and(|c| c <= best.cost * 1.001 + 1e-12))
        .count();

    // Residuals at the data-only optimum: the residual SD.
    let mut r = vec![0.0; n_obs];
    problem.residuals(&best.theta, None, &mut r)?;
    let used = |r: &[f64]| {
        problem
            .obs
            .iter()
            .zip(r)
            .filter(|(o, v)| !o.censored || **v > 0.0)
            .count()
    };
    let n = used(&r);
    let df = n.saturating_sub(p);
    let sigma_hat = |r: &[f64], df: usize| {
        (df > 0).then(|| (r.iter().map(|v| v * v).sum::<f64>() / df as f64).sqrt())
    };

    // The prior stage: from the best point, with the data scaled by σ̂.
    let prior = settings.prior_sd.map(|sd| Prior {
        centre: start.clone(),
        sd,
        sigma: sigma_hat(&r, df).unwrap_or(1.0).max(0.05),
    });
    if let Some(pr) = &prior {
        let res = minimize_in(
            &best.theta,
            &problem.bounds,
            n_obs + p,
            &settings.lm,
            |th, out| problem.residuals(th, Some(pr), out),
        )
        .map_err(|e| match e {
            LmError::Start(e) => FitError::Model(e),
            LmError::NonFinite => FitError::Invalid("the residuals are not finite".into()),
        })?;
        best = res;
        problem.residuals(&best.theta, None, &mut r)?;
    }
    let theta = best.theta.clone();
    let ssr: f64 = r.iter().map(|v| v * v).sum();
    let n = used(&r);
    let df = n.saturating_sub(p);
    let s = sigma_hat(&r, df);

    // Jacobian of the data's log residuals at the optimum (central differences).
    let mut jac = DMatrix::zeros(n_obs, p);
    let mut eval = |th: &[f64], out: &mut [f64]| problem.residuals(th, None, out);
    let have_jac = jacobian(&theta, &r, &settings.lm, true, &mut jac, &mut eval).is_some();
    let cov = match (have_jac, s, &prior) {
        (false, ..) => DMatrix::from_element(p, p, f64::INFINITY),
        (true, Some(s), None) => {
            stats::inverse_or_infinite(&(jac.transpose() * &jac), 1e-12) * (s * s)
        }
        (true, _, Some(pr)) => {
            let mut info = jac.transpose() * &jac / (pr.sigma * pr.sigma);
            for j in 0..p {
                info[(j, j)] += 1.0 / (pr.sd * pr.sd);
            }
            stats::inverse_or_infinite(&info, 1e-12)
        }
        (true, None, None) => DMatrix::from_element(p, p, f64::INFINITY),
    };
    let quantile = if prior.is_some() {
        stats::Z975
    } else {
        stats::t975(df)
    };
    let mut warnings = Vec::new();
    let mut estimates = Vec::with_capacity(p);
    let values = problem.values(&theta);
    for j in 0..p {
        let se = cov[(j, j)].sqrt();
        let se = if se.is_nan() { f64::INFINITY } else { se };
        let half = quantile * se;
        let ci = |t: f64| {
            let v = exp(t);
            (v.is_finite() && v > 0.0).then_some(v)
        };
        let ci95 = if half.is_finite() {
            [ci(theta[j] - half), ci(theta[j] + half)]
        } else {
            [None, None]
        };
        let at_bound =
            theta[j] <= problem.bounds.lo[j] + 1e-6 || theta[j] >= problem.bounds.hi[j] - 1e-6;
        let determined = matches!(ci95, [Some(lo), Some(hi)] if hi / lo <= UNDETERMINED_FOLD);
        let name = &names[j];
        if !determined {
            warnings.push(match ci95 {
                [Some(lo), Some(hi)] => format!(
                    "{name} is not determined by these data: its 95% interval spans {:.0}-fold ({} to {})",
                    hi / lo,
                    sig(lo),
                    sig(hi)
                ),
                _ => format!(
                    "{name} is not determined by these data: its 95% interval is unbounded"
                ),
            });
        }
        if at_bound {
            warnings.push(format!(
                "{name} = {} is at the edge of its range ({} to {})",
                sig(values[j]),
                sig(problem.specs[j].min),
                sig(problem.specs[j].max)
            ));
        }
        estimates.push(Estimate {
            name: name.clone(),
            value: values[j],
            base: base_values[j],
            se_log: se,
            ci95,
            profile95: None,
            at_bound,
            determined,
        });
    }
    let corr = stats::correlation(&cov);
    let correlation: Vec<Vec<Option<f64>>> = (0..p)
        .map(|i| {
            (0..p)
                .map(|j| Some(corr[(i, j)]).filter(|v| v.is_finite()))
                .collect()
        })
        .collect();
    for i in 0..p {
        for j in i + 1..p {
            if let Some(c) = correlation[i][j].filter(|c| c.abs() > 0.99) {
                warnings.push(format!(
                    "{} and {} are almost interchangeable in these data (correlation {c:.3}): only a combination of them is determined",
                    names[i], names[j]
                ));
            }
        }
    }
    if df == 0 {
        warnings.push(format!(
            "{n} measurement(s) for {p} parameter(s): too few to estimate the uncertainty"
        ));
    }
    if settings.starts > 1 && starts_at_best == 1 {
        warnings.push(format!(
            "only 1 of {} starts reached the best fit; more starts may find a better one",
            settings.starts
        ));
    }

    let mut converged = best.stop.converged();
    let mut why_not = (!converged).then(|| why(best.stop, settings.lm.max_iter));

    // Profile-likelihood intervals.
    if settings.profile {
        let ctx = ProfileCtx {
            problem: &problem,
            prior: prior.as_ref(),
            lm: &settings.lm,
            theta: &theta,
            n,
            threshold: if prior.is_some() || df == 0 {
                stats::CHI2_1_95
            } else {
                // The F(1, df) = t² calibration of the profile with σ
                // estimated, so it matches the Jacobian's t-intervals.
                n as f64 * ln(1.0 + stats::t975(df).powi(2) / df as f64)
            },
        };
        let base_dev = ctx.deviance_at(&theta)?;
        for j in 0..p {
            let (iv, lower) = ctx.interval(j, estimates[j].se_log, base_dev);
            estimates[j].profile95 = Some(iv);
            if let Some(lower_cost) = lower {
                converged = false;
                why_not = Some(format!(
                    "the profile of {} found a better fit (deviance {:.3} lower): the optimum is not the best",
                    names[j], lower_cost
                ));
            }
            progress(settings.starts + j + 1, total);
        }
    }

    // The fitted course: metrics and the values at the data.
    let sets = problem.sets(&theta);
    let course = model.course(&SimRequest {
        preset: base.preset.clone(),
        sets: sets.clone(),
        t_end: settings.horizon,
        sampling: Sampling::Times(Vec::new()),
        ..SimRequest::default()
    });
    let (metrics, class) = match course.as_ref().ok().and_then(|c| c.metrics.clone()) {
        Some(m) => (m.record(), m.class().map(|c| c.label.to_string())),
        None => {
            if let Err(e) = &course {
                warnings.push(format!("the fitted course cannot be scored: {e}"));
            }
            (Vec::new(), None)
        }
    };
    let columns = problem.columns(data, &theta)?;
    let aic = (n > 0 && ssr > 0.0).then(|| {
        let nf = n as f64;
        nf * ln(2.0 * std::f64::consts::PI * ssr / nf) + nf + 2.0 * (p as f64 + 1.0)
    });
    Ok(FitReport {
        estimates,
        correlation,
        residual_sd: s,
        aic,
        n,
        ssr,
        converged,
        why_not,
        warnings,
        columns,
        starts: outcomes,
        starts_at_best,
        sets,
        metrics,
        class,
        evaluations: problem.evaluations.get(),
    })
}

/// A number with 4 significant digits, for messages.
fn sig(v: f64) -> String {
    format!("{}", format!("{v:.3e}").parse::<f64>().unwrap_or(v))
}

/// Why an optimiser stop is not convergence, in words.
fn why(stop: Stop, max_iter: usize) -> String {
    match stop {
        Stop::IterationLimit => {
            format!("the best start used all {max_iter} iterations before the fit settled")
        }
        Stop::JacobianFailed => {
            "the model could not be solved next to the best point, so the fit could not go on"
                .into()
        }
        _ => "the optimiser stopped at a minimum".into(),
    }
}

/// Starting point `k` (log-parameters): 0 is the base scenario; the others
/// are drawn uniformly in log within a factor [`START_SPREAD`] of it, from
/// seed `seed`'s `k`-th substream, inside the bounds.
pub fn start_point(base: &[f64], bounds: &Bounds, seed: u64, k: usize) -> Vec<f64> {
    let mut s = Stream::substream(seed, k as u64);
    base.iter()
        .enumerate()
        .map(|(j, t)| {
            let t = if k == 0 {
                *t
            } else {
                t + ln(START_SPREAD) * (2.0 * s.uniform() - 1.0)
            };
            t.clamp(bounds.lo[j], bounds.hi[j])
        })
        .collect()
}

/// What a profile needs: the problem, the optimum and its measure of fit.
struct ProfileCtx<'a> {
    problem: &'a Problem<'a>,
    prior: Option<&'a Prior>,
    lm: &'a LmSettings,
    theta: &'a [f64],
    n: usize,
    /// Deviance rise that bounds the 95% interval.
    threshold: f64,
}

impl ProfileCtx<'_> {
    /// −2 log-likelihood (up to a constant) at `theta`: n·ln SSR with σ
    /// estimated, or 2·cost with a prior. The 95% interval is where it
    /// rises by less than `threshold`: n·ln(1 + t²(df)/df), the F(1, df)
    /// test, with σ estimated; χ²₁(0.95) = 3.84 with a prior.
    fn deviance_at(&self, theta: &[f64]) -> Result<f64, ModelError> {
        let n_obs = self.problem.obs.len();
        let m = n_obs + self.prior.map_or(0, |_| theta.len());
        let mut r = vec![0.0; m];
        self.problem.residuals(theta, self.prior, &mut r)?;
        Ok(self.deviance(&r))
    }

    fn deviance(&self, r: &[f64]) -> f64 {
        let ss: f64 = r.iter().map(|v| v * v).sum();
        match self.prior {
            Some(_) => ss,
            None => self.n.max(1) as f64 * ln(ss.max(1e-300)),
        }
    }

    /// Refit every parameter but `j`, held at `value`, from `from`; the
    /// deviance and the refitted point.
    fn refit(&self, j: usize, value: f64, from: &[f64]) -> Option<(f64, Vec<f64>)> {
        let p = self.theta.len();
        let others: Vec<usize> = (0..p).filter(|&i| i != j).collect();
        let full = |sub: &[f64]| {
            let mut th = vec![0.0; p];
            th[j] = value;
            for (k, &i) in others.iter().enumerate() {
                th[i] = sub[k];
            }
            th
        };
        let n_obs = self.problem.obs.len();
        let m = n_obs + self.prior.map_or(0, |_| p);
        if others.is_empty() {
            let th = full(&[]);
            return self.deviance_at(&th).ok().map(|d| (d, th));
        }
        let sub0: Vec<f64> = others.iter().map(|&i| from[i]).collect();
        let b = Bounds {
            lo: others.iter().map(|&i| self.problem.bounds.lo[i]).collect(),
            hi: others.iter().map(|&i| self.problem.bounds.hi[i]).collect(),
        };
        let res = minimize_in(&sub0, &b, m, self.lm, |sub, out| {
            self.problem.residuals(&full(sub), self.prior, out)
        })
        .ok()?;
        let th = full(&res.theta);
        Some((self.deviance(&vec_residuals(self, &th)?), th))
    }

    /// The 95% profile interval of parameter `j` (`se` its Jacobian
    /// standard error), and a deviance drop if a better fit turned up.
    fn interval(&self, j: usize, se: f64, base_dev: f64) -> ([Option<f64>; 2], Option<f64>) {
        let step0 = if se.is_finite() {
            se.clamp(0.05, 1.0)
        } else {
            0.5
        };
        let mut lower_found: Option<f64> = None;
        let mut out = [None, None];
        for (side, dir) in [(0, -1.0), (1, 1.0)] {
            let bound = if dir < 0.0 {
                self.problem.bounds.lo[j]
            } else {
                self.problem.bounds.hi[j]
            };
            let mut from = self.theta.to_vec();
            let mut inside = self.theta[j];
            let mut step = step0;
            let mut crossed = None;
            for _ in 0..16 {
                let v = if dir < 0.0 {
                    (inside - step).max(bound)
                } else {
                    (inside + step).min(bound)
                };
                let Some((d, th)) = self.refit(j, v, &from) else {
                    break;
                };
                let excess = d - base_dev;
                if excess < -1e-2 {
                    lower_found = Some(lower_found.map_or(-excess, |l: f64| l.max(-excess)));
                }
                if excess > self.threshold {
                    crossed = Some(v);
                    break;
                }
                inside = v;
                from = th;
                if v == bound {
                    break;
                }
                step *= 1.6;
            }
            if let Some(mut outside) = crossed {
                // Bisect between the last point inside and the first outside.
                for _ in 0..6 {
                    let mid = 0.5 * (inside + outside);
                    match self.refit(j, mid, &from) {
                        Some((d, th)) if d - base_dev <= self.threshold => {
                            inside = mid;
                            from = th;
                        }
                        _ => outside = mid,
                    }
                }
                out[side] = Some(exp(0.5 * (inside + outside)));
            }
        }
        (out, lower_found)
    }
}

/// The residual vector (data, and prior when there is one) at `th`.
fn vec_residuals(ctx: &ProfileCtx, th: &[f64]) -> Option<Vec<f64>> {
    let m = ctx.problem.obs.len() + ctx.prior.map_or(0, |_| th.len());
    let mut r = vec![0.0; m];
    ctx.problem.residuals(th, ctx.prior, &mut r).ok()?;
    Some(r)
}

impl FitReport {
    /// The report as `cartsim fit` writes it: `estimates` (value, `ci95`,
    /// and `profile95` when computed), `correlation`, `residual_sd`, `aic`,
    /// `converged` (and `why_not`), `metrics` (the keys of `cartsim
    /// metrics` for the fitted course), `warnings`, `residuals` per column
    /// and the details of the starts.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::{json, Map, Value};
        let mut est = Map::new();
        for e in &self.estimates {
            let mut o = Map::new();
            o.insert("value".into(), json!(e.value));
            o.insert("ci95".into(), json!(e.ci95));
            if let Some(p) = e.profile95 {
                o.insert("profile95".into(), json!(p));
            }
            o.insert(
                "se_log".into(),
                if e.se_log.is_finite() {
                    json!(e.se_log)
                } else {
                    Value::Null
                },
            );
            o.insert("base".into(), json!(e.base));
            o.insert("determined".into(), json!(e.determined));
            o.insert("at_bound".into(), json!(e.at_bound));
            est.insert(e.name.clone(), Value::Object(o));
        }
        let mut corr = Map::new();
        for (i, e) in self.estimates.iter().enumerate() {
            let row: Map<String, Value> = self
                .estimates
                .iter()
                .enumerate()
                .map(|(j, f)| (f.name.clone(), json!(self.correlation[i][j])))
                .collect();
            corr.insert(e.name.clone(), Value::Object(row));
        }
        let residuals: Map<String, Value> = self
            .columns
            .iter()
            .map(|c| {
                (
                    c.name.clone(),
                    json!({"n": c.n, "censored": c.censored, "rms_log": c.rms, "fitted": c.fitted}),
                )
            })
            .collect();
        let metrics: Map<String, Value> = self
            .metrics
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect();
        let mut out = Map::new();
        out.insert("estimates".into(), Value::Object(est));
        out.insert("correlation".into(), Value::Object(corr));
        out.insert("residual_sd".into(), json!(self.residual_sd));
        out.insert("aic".into(), json!(self.aic));
        out.insert("n".into(), json!(self.n));
        out.insert("converged".into(), json!(self.converged));
        if let Some(w) = &self.why_not {
            out.insert("why_not".into(), json!(w));
        }
        out.insert("warnings".into(), json!(self.warnings));
        out.insert("metrics".into(), Value::Object(metrics));
        out.insert("residuals".into(), Value::Object(residuals));
        out.insert(
            "starts".into(),
            json!({"n": self.starts.len(), "at_best": self.starts_at_best, "each": self.starts}),
        );
        out.insert(
            "sets".into(),
            Value::Object(
                self.sets
                    .iter()
                    .map(|(k, v)| (k.clone(), json!(v)))
                    .collect(),
            ),
        );
        out.insert("evaluations".into(), json!(self.evaluations));
        Value::Object(out)
    }

    /// One CSV row per fitted parameter: `parameter,value,ci95_lo,ci95_hi,
    /// profile95_lo,profile95_hi,se_log,determined` (empty: unbounded or not computed).
    pub fn to_csv(&self) -> String {
        let cell = |v: Option<f64>| v.map_or(String::new(), |x| format!("{x}"));
        let mut s = String::from(
            "parameter,value,ci95_lo,ci95_hi,profile95_lo,profile95_hi,se_log,determined\n",
        );
        for e in &self.estimates {
            let [plo, phi] = e.profile95.unwrap_or([None, None]);
            s.push_str(&format!(
                "{},{},{},{},{},{},{},{}\n",
                e.name,
                e.value,
                cell(e.ci95[0]),
                cell(e.ci95[1]),
                cell(plo),
                cell(phi),
                cell(Some(e.se_log).filter(|v| v.is_finite())),
                e.determined
            ));
        }
        s
    }
}
