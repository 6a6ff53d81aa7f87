//! Jobs split into slices: the browser runs each slice in a Web Worker,
//! natively they run anywhere. This module is the platform-independent
//! half: what a slice asks for ([`Task`], plain data sent as JSON), how a
//! worker carries it out ([`execute`], results as exact bytes in [`wire`])
//! and how the page decodes and assembles the results (the `decode_*`
//! functions, then the science crate's own summaries, e.g.
//! [`trial::assemble`]). No science is re-implemented here: every slice
//! calls the same functions as the `cartsim` command line, so a job's
//! result is bit-identical to the native one.

mod decode;
pub mod wire;

pub use decode::{
    decode_indices, decode_paper, decode_prediction, decode_probs, decode_rows, decode_scored,
    decode_sweep, PaperForecast, Prediction,
};

use crate::cohort::{self, TrialSettings};
use crate::model::marrow;
use crate::model::{ModelError, SimRequest};
use crate::predict::bayes::{self, Bank, BayesSettings, Posterior};
use crate::predict::trial::{self, TrialConfig};
use crate::predict::{paper, EarlySim, Observation};
use crate::sensitivity;
use crate::sweep::marrow::MarrowEval;
use crate::sweep::SweepError;
use crate::sweep::{run_range, Axis, Grid, Spacing};
use std::fmt;
use wire::{Reader, WireError, Writer};

/// Why a job slice failed, as a value the page can show (one sentence) and
/// tell apart (the user's input, a failed solve, or the job plumbing).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", content = "message", rename_all = "snake_case")]
pub enum JobError {
    /// The user's input was refused (a parameter, an axis, a setting).
    BadInput(String),
    /// A valid request failed to solve (too many steps, step-size underflow, …).
    Solve(String),
    /// The job itself went wrong (a missing prior bank, a result that does not decode).
    Internal(String),
}

impl fmt::Display for JobError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JobError::BadInput(m) | JobError::Solve(m) => f.write_str(m),
            JobError::Internal(m) => write!(f, "internal error: {m}"),
        }
    }
}

impl std::error::Error for JobError {}

/// The page shows a job error as its sentence.
impl From<JobError> for String {
    fn from(e: JobError) -> String {
        e.to_string()
    }
}

impl From<ModelError> for JobError {
    fn from(e: ModelError) -> Self {
        if e.is_bad_input() {
            JobError::BadInput(e.to_string())
        } else {
            JobError::Solve(e.to_string())
        }
    }
}

impl From<SweepError> for JobError {
    fn from(e: SweepError) -> Self {
        JobError::BadInput(e.to_string())
    }
}

impl From<WireError> for JobError {
    fn from(e: WireError) -> Self {
        JobError::Internal(e.to_string())
    }
}

/// The parts of a virtual trial that the page lets you choose; everything
/// else is [`TrialConfig::default`] (as for `cartsim trial`).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct TrialSpec {
    /// Seed of the virtual patients.
    pub seed: u64,
    /// Patients per cohort.
    pub per_cohort: usize,
    /// Measurement noise (coefficient of variation).
    pub noise_cv: f64,
    /// Prior-bank patients per cohort of the Bayesian method (4000 by default).
    pub bank_per_cohort: usize,
}

impl TrialSpec {
    /// The full trial configuration.
    pub fn config(&self) -> TrialConfig {
        let mut c = TrialConfig {
            seed: self.seed,
            per_cohort: self.per_cohort,
            noise_cv: self.noise_cv,
            ..TrialConfig::default()
        };
        c.bayes_settings.bank_per_cohort = self.bank_per_cohort;
        c
    }
    /// The prior bank the trial's Bayesian method needs.
    pub fn bank(&self) -> BankSpec {
        BankSpec {
            days: self.config().days,
            per_cohort: self.bank_per_cohort,
            forecast: false,
        }
    }
    /// Number of virtual patients.
    pub fn patients(&self) -> usize {
        self.per_cohort * crate::model::clinical::PRESETS.len()
    }
}

/// Which prior bank (default Bayesian settings otherwise).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct BankSpec {
    /// Measurement days.
    pub days: Vec<f64>,
    /// Bank patients per cohort.
    pub per_cohort: usize,
    /// Keep each bank patient's coarse forecast (needed for forecast bands
    /// only; a trial's posteriors do without, which makes the bank ten
    /// times smaller to pass around).
    pub forecast: bool,
}

impl BankSpec {
    /// The Bayesian settings of this bank.
    pub fn settings(&self) -> BayesSettings {
        BayesSettings {
            bank_per_cohort: self.per_cohort,
            forecast: self.forecast,
            ..BayesSettings::default()
        }
    }
    /// Number of bank patients.
    pub fn len(&self) -> usize {
        self.per_cohort * crate::model::clinical::PRESETS.len()
    }
    /// True when the bank has no patients.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// True when `other` is the same bank (days compared bit for bit).
    pub fn same(&self, other: &BankSpec) -> bool {
        self.per_cohort == other.per_cohort
            && self.forecast == other.forecast
            && same_days(&self.days, &other.days)
    }
}

/// An axis of a sweep as sent to a worker.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct AxisSpec {
    /// Marrow parameter name (or `Btot`).
    pub name: String,
    /// First value.
    pub lo: f64,
    /// Last value.
    pub hi: f64,
    /// Log spacing (else linear).
    pub log: bool,
    /// Number of values.
    pub n: usize,
}

impl AxisSpec {
    /// The checked axis.
    pub fn axis(&self) -> Result<Axis, JobError> {
        let sp = if self.log { Spacing::Log } else { Spacing::Lin };
        Ok(Axis::new(&self.name, self.lo, self.hi, sp, self.n)?)
    }
}

/// A sweep of the marrow model as sent to a worker.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SweepSpec {
    /// Base preset of the marrow model.
    pub preset: String,
    /// `NAME=VALUE` overrides of the base scenario.
    pub sets: Vec<(String, String)>,
    /// The axes (the last varies fastest).
    pub axes: Vec<AxisSpec>,
    /// Days over which the CAR T peak is sought.
    pub peak_window: f64,
    /// Only outcomes at day 30 are wanted (see `MarrowEval::day30_only`).
    #[serde(default)]
    pub day30_only: bool,
}

impl SweepSpec {
    /// The checked grid.
    pub fn grid(&self) -> Result<Grid, JobError> {
        let axes = self
            .axes
            .iter()
            .map(AxisSpec::axis)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Grid::new(axes)?)
    }
    /// The evaluator of grid points.
    pub fn evaluator(&self, grid: &Grid) -> Result<MarrowEval, JobError> {
        let req = SimRequest {
            preset: self.preset.clone(),
            sets: self.sets.clone(),
            ..SimRequest::default()
        };
        let base = marrow::scenario(&req)?;
        let names: Vec<&str> = grid.axes.iter().map(|a| a.name.as_str()).collect();
        let ev = MarrowEval::new(&base, &names, &req.settings, self.peak_window)?;
        Ok(if self.day30_only { ev.day30_only() } else { ev })
    }
}

/// A sensitivity study as sent to a worker: the scenario (as its link
/// query) and the study's settings, as the page's form gives them.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SensitivitySpec {
    /// The scenario's URL query (`model=clinical&preset=cr&…`).
    pub scenario: String,
    /// The output (`fp`, `class=CR`, `B@28`).
    pub output: String,
    /// Inputs (`None`: every parameter that can vary).
    pub inputs: Option<Vec<String>>,
    /// `sobol`, `morris` or `local`.
    pub method: String,
    /// Base samples (Sobol) or trajectories (Morris).
    pub samples: usize,
    /// `loguniform`, `range` or `cohort`.
    pub distribution: String,
    /// Spread F of `loguniform`.
    pub spread: f64,
    /// Seed.
    pub seed: u64,
}

impl SensitivitySpec {
    /// The study: its design, labels and target, as `cartsim sensitivity`
    /// builds them ([`sensitivity::model_study`]; solves the scenario once).
    pub fn study(
        &self,
    ) -> Result<
        (
            sensitivity::Design,
            sensitivity::Labels,
            sensitivity::ModelTarget,
        ),
        JobError,
    > {
        let (sc, problems) = crate::scenario::Scenario::from_query(
            &self.scenario,
            crate::model::Registry::builtin(),
        );
        if let Some(p) = problems.first() {
            return Err(JobError::BadInput(p.message.clone()));
        }
        let req = sc.to_request(crate::model::Sampling::Steps);
        let bad = |m: String| JobError::BadInput(m);
        let method = sensitivity::Method::parse(&self.method).ok_or_else(|| {
            bad(format!(
                "method '{}': expected sobol, morris or local",
                self.method
            ))
        })?;
        let spread =
            sensitivity::Spread::parse(&self.distribution, self.spread).ok_or_else(|| {
                bad(format!(
                    "distribution '{}': expected loguniform, range or cohort",
                    self.distribution
                ))
            })?;
        let spec = sensitivity::StudySpec {
            output: self.output.clone(),
            inputs: self.inputs.clone(),
            method,
            samples: self.samples,
            spread,
            seed: self.seed,
        };
        sensitivity::model_study(sc.model, &req, &spec).map_err(|e| {
            if e.is_bad_input() {
                JobError::BadInput(e.to_string())
            } else {
                JobError::Solve(e.to_string())
            }
        })
    }
}

/// An early-prediction request from the page's form.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ObservationSpec {
    /// Initial tumour burden, %.
    pub tb0_pct: f64,
    /// (day, 10^9 CAR T cells), days increasing.
    pub car_t: Vec<(f64, f64)>,
    /// Measurement noise (coefficient of variation) assumed by both methods.
    pub noise_cv: f64,
}

impl ObservationSpec {
    /// The observation.
    pub fn observation(&self) -> Observation {
        Observation {
            tb0_pct: self.tb0_pct,
            car_t: self.car_t.clone(),
        }
    }
    /// Its days.
    pub fn days(&self) -> Vec<f64> {
        self.car_t.iter().map(|m| m.0).collect()
    }
}

/// A fit of the model to a patient's data (issue 16), as `cartsim fit`
/// takes it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct FitSpec {
    /// Model id (`clinical`).
    pub model: String,
    /// Preset the fit starts from.
    pub preset: String,
    /// `NAME=VALUE` overrides of the base scenario.
    pub sets: Vec<(String, String)>,
    /// The data, as CSV text.
    pub csv: String,
    /// Unit of the `car_t` column (`--car-unit`).
    pub unit: String,
    /// Parameters to fit (empty: the model's default list).
    pub fit: Vec<String>,
    /// Starting points.
    pub starts: usize,
    /// Seed of the starting points.
    pub seed: u64,
    /// SD of the weak log-normal prior (`None`: no prior).
    pub prior_sd: Option<f64>,
    /// Also profile-likelihood intervals.
    pub profile: bool,
}

impl FitSpec {
    /// Run the fit: the report as `cartsim fit --format json` prints it.
    pub fn run(
        &self,
        progress: &mut dyn FnMut(usize, usize),
    ) -> Result<serde_json::Value, JobError> {
        let model = crate::model::Registry::builtin()
            .parse(&self.model)
            .map_err(|e| JobError::BadInput(e.to_string()))?;
        let data = crate::data::Dataset::parse(&self.csv)
            .map_err(|e| JobError::BadInput(e.to_string()))?;
        let observed = data
            .bind(model, &self.preset, &self.unit)
            .map_err(|e| JobError::BadInput(e.to_string()))?;
        let settings = crate::fit::FitSettings {
            fit: self.fit.clone(),
            starts: self.starts,
            seed: self.seed,
            prior_sd: self.prior_sd,
            profile: self.profile,
            ..crate::fit::FitSettings::default()
        };
        let base = crate::fit::FitBase {
            model,
            preset: self.preset.clone(),
            sets: self.sets.clone(),
        };
        let report = crate::fit::fit(&base, &observed, &settings, progress).map_err(|e| {
            if e.is_bad_input() {
                JobError::BadInput(e.to_string())
            } else {
                JobError::Solve(e.to_string())
            }
        })?;
        Ok(report.to_json())
    }
}

/// Decode the result of [`Task::Fit`]: the report's JSON text, exactly as
/// `cartsim fit` prints it ([`crate::fit::FitReport::to_json`]), and parsed.
pub fn decode_fit(bytes: &[u8]) -> Result<(String, serde_json::Value), WireError> {
    let text = Reader::new(bytes).str()?;
    let value = serde_json::from_str(&text).map_err(|e| format!("fit result: {e}"))?;
    Ok((text, value))
}

/// One slice of a job: what a worker is asked to do. Ranges are half-open
/// (`start..end`) indices: trial patients (cohort-major), bank patients or
/// grid points.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Task {
    /// Simulate trial patients: their metrics ([`decode_scored`]).
    Score {
        /// The trial.
        trial: TrialSpec,
        /// First patient.
        start: usize,
        /// One past the last.
        end: usize,
    },
    /// The paper's method on trial patients ([`decode_paper`]).
    Paper {
        /// The trial.
        trial: TrialSpec,
        /// First patient.
        start: usize,
        /// One past the last.
        end: usize,
    },
    /// Simulate prior-bank patients.
    Bank {
        /// Which bank.
        bank: BankSpec,
        /// First bank patient.
        start: usize,
        /// One past the last.
        end: usize,
    },
    /// Bayesian group probabilities of trial patients ([`decode_probs`]);
    /// needs the bank at the trial's days (sent along, or kept from before).
    Posterior {
        /// The trial.
        trial: TrialSpec,
        /// First patient.
        start: usize,
        /// One past the last.
        end: usize,
    },
    /// Both methods on one observation ([`decode_prediction`]); the
    /// Bayesian one needs the bank at the observation's days.
    Predict {
        /// The observation.
        obs: ObservationSpec,
        /// Bank patients per cohort.
        bank_per_cohort: usize,
    },
    /// Rows of a sensitivity study's design: one output per row (f64 bits),
    /// assembled in row order for [`sensitivity::report`].
    Sensitivity {
        /// The study.
        spec: SensitivitySpec,
        /// First row.
        start: usize,
        /// One past the last.
        end: usize,
    },
    /// The indices of a sensitivity study from every row's output, in row
    /// order ([`decode_indices`]): the estimators and their bootstrap
    /// intervals, which would hold the page's main thread for tens of ms.
    SensitivityIndices {
        /// The study.
        spec: SensitivitySpec,
        /// One output per row of its design.
        y: Vec<f64>,
    },
    /// Grid points of a marrow sweep ([`decode_sweep`]).
    Sweep {
        /// The sweep.
        sweep: SweepSpec,
        /// First point.
        start: usize,
        /// One past the last.
        end: usize,
    },
    /// Fit a model to a patient's data ([`decode_fit`]); progress counts
    /// the starts (and profiles).
    Fit {
        /// The fit.
        fit: FitSpec,
    },
}

impl Task {
    /// The prior bank the task needs, if any.
    pub fn needs_bank(&self) -> Option<BankSpec> {
        match self {
            Task::Posterior { trial, .. } => Some(trial.bank()),
            Task::Predict {
                obs,
                bank_per_cohort,
            } => Some(BankSpec {
                days: obs.days(),
                per_cohort: *bank_per_cohort,
                forecast: true,
            }),
            _ => None,
        }
    }
    /// Number of items (patients, points) in the slice.
    pub fn items(&self) -> usize {
        match self {
            Task::Score { start, end, .. }
            | Task::Paper { start, end, .. }
            | Task::Bank { start, end, .. }
            | Task::Posterior { start, end, .. }
            | Task::Sweep { start, end, .. }
            | Task::Sensitivity { start, end, .. } => end.saturating_sub(*start),
            Task::Predict { .. } | Task::SensitivityIndices { .. } => 1,
            Task::Fit { fit } => fit.starts,
        }
    }
}

/// What a worker keeps between slices: the prior bank last assembled.
#[derive(Debug, Default)]
pub struct WorkerState {
    bank: Option<(BankSpec, Bank)>,
}

impl WorkerState {
    /// True when `spec`'s bank is loaded.
    pub fn has_bank(&self, spec: &BankSpec) -> bool {
        self.bank.as_ref().is_some_and(|(s, _)| s.same(spec))
    }
}

fn same_days(a: &[f64], b: &[f64]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits())
}

/// Merge bank slices (encoded by [`execute`] for [`Task::Bank`]) in order.
pub fn merge_bank(parts: &[&[u8]]) -> Result<Bank, WireError> {
    let mut bank: Option<Bank> = None;
    for p in parts {
        let b = wire::get_bank(&mut Reader::new(p))?;
        match bank.as_mut() {
            None => bank = Some(b),
            Some(acc) => {
                if !same_days(&acc.days, &b.days) {
                    return Err("bank slices of different days".into());
                }
                acc.extend(b);
            }
        }
    }
    bank.ok_or_else(|| "no bank slices".to_string())
}

/// Carry out one slice. `bank_parts` are the encoded bank slices (in
/// order) when the task needs a bank the worker does not hold yet;
/// `progress(done, total)` is called after each item.
pub fn execute(
    task: &Task,
    state: &mut WorkerState,
    bank_parts: &[&[u8]],
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Vec<u8>, JobError> {
    if let Some(spec) = task.needs_bank() {
        if !bank_parts.is_empty() {
            state.bank = Some((spec.clone(), merge_bank(bank_parts)?));
        }
        if !state.has_bank(&spec) {
            return Err(JobError::Internal(
                "the prior bank was not sent to this worker".into(),
            ));
        }
    }
    let mut w = Writer::new();
    let total = task.items();
    match task {
        Task::Score { trial, start, end } => {
            let settings = TrialSettings::default();
            for (k, id) in (*start..*end).enumerate() {
                let p = trial_patient(trial, id);
                let s = cohort::score_slice(&[p], &settings)?;
                wire::put_metrics(&mut w, &s[0].metrics);
                progress(k + 1, total);
            }
        }
        Task::Paper { trial, start, end } => {
            let config = trial.config();
            let mut sim = EarlySim::new(config.trial.solver.clone(), config.trial.options);
            for (k, id) in (*start..*end).enumerate() {
                let obs = trial::observation(&config, &mut sim, &trial_patient(trial, id))?;
                w.u8(trial::paper_group(&config, &obs).map_or(255, |g| g as u8));
                progress(k + 1, total);
            }
        }
        Task::Bank {
            bank: spec,
            start,
            end,
        } => {
            let (days, settings) = (&spec.days, spec.settings());
            let trial = TrialSettings::default();
            let mut bank = bayes::bank_slice(days, &settings, &trial, *start..*start)?;
            // Slices of 25 bank patients keep progress moving.
            let mut at = *start;
            while at < *end {
                let to = (at + 25).min(*end);
                bank.extend(bayes::bank_slice(days, &settings, &trial, at..to)?);
                at = to;
                progress(at - start, total);
            }
            // Without `spec.forecast` the slices kept no forecasts
            // (`BayesSettings::forecast`).
            wire::put_bank(&mut w, &bank);
        }
        Task::Posterior { trial, start, end } => {
            let config = trial.config();
            let bank = &state.bank.as_ref().ok_or_else(no_bank)?.1;
            let mut sim = EarlySim::new(config.trial.solver.clone(), config.trial.options);
            for (k, id) in (*start..*end).enumerate() {
                let obs = trial::observation(&config, &mut sim, &trial_patient(trial, id))?;
                let p = trial::bayes_group(&config, bank, &obs)?;
                p.iter().for_each(|v| w.f64(*v));
                progress(k + 1, total);
            }
        }
        Task::Predict {
            obs,
            bank_per_cohort,
        } => {
            let bank = &state.bank.as_ref().ok_or_else(no_bank)?.1;
            let bset = BayesSettings {
                bank_per_cohort: *bank_per_cohort,
                ..BayesSettings::default()
            };
            let o = obs.observation();
            let settings = TrialSettings::default();
            match paper::predict(
                &o,
                obs.noise_cv,
                &paper::PaperSettings::default(),
                &settings,
            ) {
                Ok(f) => {
                    w.u8(1);
                    wire::put_metrics(&mut w, &f.metrics);
                    paper::FITTED.iter().for_each(|&i| w.f64(f.params.0[i]));
                    let days: Vec<f64> = (0..=settings.classify.horizon as usize)
                        .map(|d| d as f64)
                        .collect();
                    let mut sim = EarlySim::new(settings.solver.clone(), settings.options);
                    let car = sim.car_t(&f.params, &days)?;
                    w.f64s(&days);
                    w.f64s(car);
                }
                Err(e) => {
                    w.u8(0);
                    w.str(&e.to_string());
                }
            }
            match bayes::posterior(bank, &o, obs.noise_cv, &bset, true) {
                Ok(p) => {
                    w.u8(1);
                    put_posterior(&mut w, &p);
                }
                Err(e) => {
                    w.u8(0);
                    w.str(&e.to_string());
                }
            }
            progress(1, 1);
        }
        Task::Sweep { sweep, start, end } => {
            let grid = sweep.grid()?;
            let ev = sweep.evaluator(&grid)?;
            let out = run_range(&grid, &ev, *start..*end, progress);
            out.iter().for_each(|m| wire::put_sweep(&mut w, m));
        }
        Task::Fit { fit } => {
            let report = fit.run(progress)?;
            w.str(&report.to_string());
        }
        Task::SensitivityIndices { spec, y } => {
            let (design, _, _) = spec.study()?;
            if y.len() != design.rows() {
                return Err(JobError::Internal(format!(
                    "{} outputs for a design of {} rows",
                    y.len(),
                    design.rows()
                )));
            }
            let (ix, dropped) = sensitivity::estimate::analyse(&design, y);
            wire::put_indices(&mut w, &ix, dropped);
            progress(1, 1);
        }
        Task::Sensitivity { spec, start, end } => {
            let (design, _, target) = spec.study()?;
            if *end > design.rows() || start > end {
                return Err(JobError::Internal("rows outside the design".into()));
            }
            // Pieces of 16 rows keep progress moving.
            let mut at = *start;
            while at < *end {
                let to = (at + 16).min(*end);
                let y = sensitivity::run_rows(&design, &target, at..to)
                    .map_err(|e| JobError::Solve(e.to_string()))?;
                w.f64s(&y);
                at = to;
                progress(at - start, total);
            }
        }
    }
    Ok(w.bytes)
}

fn no_bank() -> JobError {
    JobError::Internal("this worker holds no prior bank".into())
}

/// Trial patient `id` (cohort-major), drawn from its own stream.
pub fn trial_patient(trial: &TrialSpec, id: usize) -> cohort::VirtualPatient {
    let m = trial.per_cohort.max(1);
    cohort::patient(trial.seed, m, id / m, id % m)
}

fn put_posterior(w: &mut Writer, p: &Posterior) {
    p.cohort.iter().for_each(|v| w.f64(*v));
    p.group.iter().for_each(|v| w.f64(*v));
    p.class.iter().for_each(|v| w.f64(*v));
    p.class_group.iter().for_each(|v| w.f64(*v));
    w.f64(p.ess);
    for b in [&p.tumor_burden, &p.car_t] {
        w.f64s(&b.t);
        w.f64s(&b.lo);
        w.f64s(&b.median);
        w.f64s(&b.hi);
    }
}

/// Split `0..total` into `parts` contiguous ranges of near-equal size
/// (fewer when `total < parts`; none when `total` is 0).
pub fn split(total: usize, parts: usize) -> Vec<(usize, usize)> {
    let parts = parts.clamp(1, total.max(1));
    (0..parts)
        .map(|k| (k * total / parts, (k + 1) * total / parts))
        .filter(|(a, b)| b > a)
        .collect()
}

/// Split `0..total` into ranges of about `size` items each.
pub fn chunks(total: usize, size: usize) -> Vec<(usize, usize)> {
    split(total, total.div_ceil(size.max(1)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_covers_everything_once() {
        for (total, parts) in [(0, 3), (1, 4), (10, 3), (1600, 16), (7, 7)] {
            let s = split(total, parts);
            let mut next = 0;
            for (a, b) in &s {
                assert_eq!(*a, next);
                assert!(b > a);
                next = *b;
            }
            assert_eq!(next, total);
        }
        assert_eq!(chunks(1000, 300).len(), 4);
    }

    #[test]
    fn tasks_round_trip_through_json_exactly() {
        let t = Task::Sweep {
            sweep: SweepSpec {
                preset: "fig6".into(),
                sets: vec![("h".into(), "5e8".into())],
                axes: vec![AxisSpec {
                    name: "alpha".into(),
                    lo: 3e-11,
                    hi: 0.1 + 0.2,
                    log: true,
                    n: 7,
                }],
                peak_window: 30.0,
                day30_only: false,
            },
            start: 3,
            end: 5,
        };
        let text = serde_json::to_string(&t).unwrap();
        let back: Task = serde_json::from_str(&text).unwrap();
        assert_eq!(back, t);
    }

    // Native only: it compares with the command line, which wasm32 lacks.
    #[cfg(not(target_arch = "wasm32"))]
    #[test]
    fn a_fit_task_gives_the_cli_s_json() {
        let csv = include_str!("../../examples/data/cr.csv");
        let spec = FitSpec {
            model: "clinical".into(),
            preset: "cr".into(),
            sets: Vec::new(),
            csv: csv.into(),
            unit: "blood-per-ul".into(),
            fit: Vec::new(),
            starts: 2,
            seed: 1,
            prior_sd: None,
            profile: false,
        };
        let task = Task::Fit { fit: spec };
        let back: Task = serde_json::from_str(&serde_json::to_string(&task).unwrap()).unwrap();
        assert_eq!(back, task);
        let mut calls = 0;
        let bytes = execute(&task, &mut WorkerState::default(), &[], &mut |_, _| {
            calls += 1
        })
        .unwrap();
        let (text, json) = decode_fit(&bytes).unwrap();
        assert!(calls >= 2);
        let dir = std::env::temp_dir().join("cartsim-jobs-fit.csv");
        std::fs::write(&dir, csv).unwrap();
        let args: Vec<String> = [
            "--model",
            "clinical",
            "--preset",
            "cr",
            "--data",
            dir.to_str().unwrap(),
            "--car-unit",
            "blood-per-ul",
            "--starts",
            "2",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let cli = crate::cli::fit::compute(&args, crate::model::Registry::builtin()).unwrap();
        assert_eq!(format!("{text}\n"), cli);
        assert!(json["estimates"]["rTA"]["value"].is_number());
        let bad = Task::Fit {
            fit: FitSpec {
                csv: "day,car_t\n1,-2".into(),
                ..match task {
                    Task::Fit { fit } => fit,
                    _ => unreachable!(),
                }
            },
        };
        let e = execute(&bad, &mut WorkerState::default(), &[], &mut |_, _| {}).unwrap_err();
        assert!(
            matches!(e, JobError::BadInput(ref m) if m.contains("line 2, column car_t")),
            "{e}"
        );
    }

    #[test]
    fn wire_rejects_truncated_results() {
        let mut w = Writer::new();
        w.f64s(&[1.0, f64::NAN, f64::INFINITY]);
        let mut r = Reader::new(&w.bytes);
        let v = r.f64s().unwrap();
        assert!(v[1].is_nan() && v[2].is_infinite());
        assert!(Reader::new(&w.bytes[..10]).f64s().is_err());
        assert!(decode_probs(&[0u8; 23]).is_err());
    }

    #[test]
    fn sensitivity_slices_give_the_whole_designs_outputs() {
        let spec = SensitivitySpec {
            scenario: "model=clinical&preset=cr".into(),
            output: "fp".into(),
            inputs: Some(vec!["rTA".into(), "kA".into()]),
            method: "sobol".into(),
            samples: 4,
            distribution: "loguniform".into(),
            spread: 2.0,
            seed: 3,
        };
        let (design, _, target) = spec.study().unwrap();
        let rows = design.rows();
        assert_eq!(rows, 4 * (2 + 2));
        let whole = crate::sensitivity::run_rows(&design, &target, 0..rows).unwrap();
        let mut got = Vec::new();
        for (start, end) in split(rows, 3) {
            let t = Task::Sensitivity {
                spec: spec.clone(),
                start,
                end,
            };
            let bytes = execute(&t, &mut WorkerState::default(), &[], &mut |_, _| {}).unwrap();
            got.extend(decode_rows(&bytes).unwrap());
        }
        assert_eq!(got.len(), rows);
        assert!(got
            .iter()
            .zip(&whole)
            .all(|(a, b)| a.to_bits() == b.to_bits()));
        let bad = SensitivitySpec {
            output: "nope".into(),
            ..spec
        };
        assert!(matches!(bad.study(), Err(JobError::BadInput(_))));
    }

    /// The indices a worker estimates are the ones the CLI's report holds,
    /// bit for bit, for each method (Sobol' with bootstrap intervals).
    #[test]
    fn sensitivity_indices_from_a_worker_are_the_reports() {
        for (method, samples) in [("sobol", 16), ("morris", 4), ("local", 1)] {
            let spec = SensitivitySpec {
                scenario: "model=clinical&preset=cr".into(),
                output: "fp".into(),
                inputs: Some(vec!["rTA".into(), "kA".into(), "e".into()]),
                method: method.into(),
                samples,
                distribution: "loguniform".into(),
                spread: 2.0,
                seed: 5,
            };
            let (design, labels, target) = spec.study().unwrap();
            let y = crate::sensitivity::run_rows(&design, &target, 0..design.rows()).unwrap();
            let t = Task::SensitivityIndices {
                spec: spec.clone(),
                y: y.clone(),
            };
            // As the page sends it: JSON (the outputs' bits survive).
            let t: Task = serde_json::from_str(&serde_json::to_string(&t).unwrap()).unwrap();
            let bytes = execute(&t, &mut WorkerState::default(), &[], &mut |_, _| {}).unwrap();
            let got = decode_indices(&bytes).unwrap();
            let want = crate::sensitivity::report(&design, &labels, &y);
            let from_worker = crate::sensitivity::report_with(&design, &labels, &y, got);
            assert_eq!(format!("{from_worker:?}"), format!("{want:?}"), "{method}");
            // Every index estimated (a None would also survive the trip).
            let ix = format!("{:?}", want.indices);
            assert!(!ix.contains("None"), "{method}: {ix}");
            assert!(decode_indices(&bytes[..bytes.len() - 1]).is_err());
            let short = Task::SensitivityIndices {
                spec,
                y: y[1..].to_vec(),
            };
            assert!(execute(&short, &mut WorkerState::default(), &[], &mut |_, _| {}).is_err());
        }
    }
}
