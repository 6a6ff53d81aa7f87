//! Early prediction of a patient's response from the initial tumour burden
//! and CAR T counts of days 0–7 ([L] Fig. 7; MODELS.md §1 "Early
//! prediction"), by two methods:
//!
//! - [`paper`]: [L]'s approach — fit the patient's CAR T parameters (rTA, e,
//!   kA, lTA) to the early data by least squares on log counts
//!   (Levenberg–Marquardt, [`lm`]), simulate on, classify the forecast.
//! - [`bayes`]: ours — the posterior probability of each cohort (and of
//!   each simulated class) given the same data, with each cohort's
//!   parameter distribution as the prior, by importance sampling from the
//!   prior; plus a forecast band.
//!
//! [`trial`] runs [L]'s virtual trial with both methods and scores them.

pub mod bayes;
pub mod paper;
pub mod trial;

/// σ of log-measurements for a CV (shared with [`crate::data`]).
pub use crate::cohort::rng::log_sigma;
/// The Levenberg–Marquardt fitter (shared with [`crate::fit`]).
pub use crate::fit::lm;
/// The unit of CAR T measurements (shared with [`crate::data`]).
pub use crate::model::units::CarUnit;

use crate::analysis::metrics::Response;
use crate::cohort::rng::Stream;
use crate::model::clinical::{
    arm_triggers, extinction_events, Clinical, Options, Params, NTA, NTN,
};
use crate::model::units;
use crate::model::ModelError;
use crate::solver::{Events, OutputGrid, Settings, Solver};

/// The three outcome groups [L] scores early prediction on: CR and CD19−
/// relapse are merged because their early CAR T dynamics are alike.
pub const GROUPS: [&str; 3] = ["CR & CD19- relapse", "CD19+ relapse", "NR"];

/// Group index of a response class.
pub fn group_of(r: Response) -> usize {
    match r {
        Response::Cr | Response::Cd19NegRelapse => 0,
        Response::Cd19PosRelapse => 1,
        Response::Nr => 2,
    }
}

/// What is known of a patient by day 7.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Observation {
    /// Initial total tumour burden, % (in [0, 97.19)).
    pub tb0_pct: f64,
    /// CAR T total (nTA + nTN) measurements: (day, 10^9 cells), days
    /// increasing, within 0–7 for the paper's protocol (any days allowed).
    pub car_t: Vec<(f64, f64)>,
}

impl Observation {
    /// Check the observation: burden in range, at least two positive CAR T
    /// counts, days finite, non-negative and increasing.
    pub fn validate(&self) -> Result<(), ModelError> {
        units::cells_from_tumor_burden(self.tb0_pct)
            .map_err(|e| ModelError::Invalid(e.to_string()))?;
        if self.tb0_pct <= 0.0 {
            return Err(ModelError::Invalid(
                "the initial tumor burden must be > 0% to predict a response".into(),
            ));
        }
        if self.car_t.len() < 2 {
            return Err(ModelError::Invalid(
                "at least two CAR T measurements are needed".into(),
            ));
        }
        let mut last = -1.0;
        for &(d, v) in &self.car_t {
            if !(0.0..=60.0).contains(&d) || d <= last {
                return Err(ModelError::Invalid(format!(
                    "measurement days must be increasing and within 0–60, got day {d}"
                )));
            }
            if !(v.is_finite() && v > 0.0) {
                return Err(ModelError::Invalid(format!(
                    "the CAR T count on day {d} must be a positive number, got {v}"
                )));
            }
            last = d;
        }
        Ok(())
    }

    /// The measurement days.
    pub fn days(&self) -> Vec<f64> {
        self.car_t.iter().map(|m| m.0).collect()
    }
}

/// Multiplicative log-normal measurement noise with coefficient of variation
/// `cv`: x·exp(σz − σ²/2), σ² = ln(1 + cv²) (mean-preserving).
pub fn noisy(x: f64, cv: f64, stream: &mut Stream) -> f64 {
    if cv <= 0.0 {
        return x;
    }
    let s2 = crate::math::ln(1.0 + cv * cv);
    x * crate::math::exp(s2.sqrt() * stream.standard_normal() - 0.5 * s2)
}

/// Simulates CAR T totals at given days, reusing its solver (one per thread).
#[derive(Debug)]
pub struct EarlySim {
    solver: Solver,
    settings: Settings,
    events: Events,
    values: Vec<f64>,
}

impl EarlySim {
    /// A simulator with these solver settings and model options.
    pub fn new(settings: Settings, options: Options) -> Self {
        EarlySim {
            solver: Solver::new(),
            settings,
            events: extinction_events(&options),
            values: Vec::new(),
        }
    }

    /// CAR T total (nTA + nTN) at each of `days` (increasing, ≥ 0).
    pub fn car_t(&mut self, p: &Params, days: &[f64]) -> Result<&[f64], ModelError> {
        arm_triggers(&mut self.events, p);
        self.values.clear();
        let t_end = days.last().copied().unwrap_or(0.0);
        let values = &mut self.values;
        self.solver.solve(
            &Clinical { p: *p },
            0.0,
            &p.initial_state(),
            t_end,
            &self.settings,
            &self.events,
            &OutputGrid::Times(days.to_vec()),
            &mut |_t: f64, y: &[f64]| values.push(y[NTA] + y[NTN]),
        )?;
        Ok(&self.values)
    }
}

/// The observation a patient with parameters `p` would give: its initial
/// burden and CAR T on `days`, with measurement noise of CV `cv`.
pub fn observe(
    sim: &mut EarlySim,
    p: &Params,
    days: &[f64],
    cv: f64,
    stream: &mut Stream,
) -> Result<Observation, ModelError> {
    let y0 = p.initial_state();
    let tb0 = units::tumor_burden_pct(y0[0] + y0[3]);
    let car = sim.car_t(p, days)?.to_vec();
    let tb0_pct = noisy(tb0, cv, stream).min(units::TB_MAX_PCT * 0.999);
    let car_t = days
        .iter()
        .zip(car)
        .map(|(&d, v)| (d, noisy(v, cv, stream)))
        .collect();
    Ok(Observation { tb0_pct, car_t })
}
