//! The one stepping engine. It takes a [`Tableau`], a system, settings and
//! events, and integrates; it knows nothing about the models it solves.
//!
//! All buffers live in a [`Solver`] that can be reused across solves, so a
//! step allocates nothing; only the caller's [`Observer`] may store output.

use super::error::SolverError;
use super::events::{Action, Direction, Events, Trigger};
use super::tableau::{DenseOutput, Tableau, DOPRI5, RK4};
use super::OdeSystem;
// Portable pow: step sizes must be bit-identical natively and in wasm.
use crate::math::{exp, ln, pow};

/// Largest number of stages a tableau may have.
const MAX_STAGES: usize = 16;

/// Which method to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Method {
    /// Adaptive Dormand–Prince 5(4) with PI step control and dense output.
    #[default]
    Dopri5,
    /// Classical Runge–Kutta 4 with a fixed step `dt`.
    Rk4,
}

impl Method {
    /// The tableau behind the method.
    pub fn tableau(self) -> &'static Tableau {
        match self {
            Method::Dopri5 => &DOPRI5,
            Method::Rk4 => &RK4,
        }
    }

    /// Parse `dopri5` / `rk4` (as used on the CLI and in URLs).
    pub fn parse(s: &str) -> Option<Method> {
        match s {
            "dopri5" | "dp5" => Some(Method::Dopri5),
            "rk4" => Some(Method::Rk4),
            _ => None,
        }
    }

    /// Name used on the CLI and in URLs.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Dopri5 => "dopri5",
            Method::Rk4 => "rk4",
        }
    }
}

/// A tolerance, the same for every component or one per component.
#[derive(Debug, Clone, PartialEq)]
pub enum Tolerance {
    /// One value for all components.
    Scalar(f64),
    /// One value per component (length must equal the system dimension).
    PerComponent(Vec<f64>),
}

impl Tolerance {
    #[inline(always)]
    fn get(&self, i: usize) -> f64 {
        match self {
            Tolerance::Scalar(v) => *v,
            Tolerance::PerComponent(v) => v[i],
        }
    }

    fn validate(&self, name: &str, dim: usize) -> Result<(), SolverError> {
        let ok = |v: f64| v.is_finite() && v >= 0.0;
        match self {
            Tolerance::Scalar(v) if ok(*v) => Ok(()),
            Tolerance::Scalar(v) => Err(SolverError::InvalidInput(format!(
                "{name} must be a finite number ≥ 0, got {v}"
            ))),
            Tolerance::PerComponent(v) if v.len() != dim => Err(SolverError::InvalidInput(
                format!("{name} has {} values for a system of {dim} states", v.len()),
            )),
            Tolerance::PerComponent(v) => match v.iter().find(|x| !ok(**x)) {
                Some(bad) => Err(SolverError::InvalidInput(format!(
                    "{name} must be finite and ≥ 0, got {bad}"
                ))),
                None => Ok(()),
            },
        }
    }
}

/// Solver settings. `Settings::default()` is Dormand–Prince at rtol 1e-6.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// The method.
    pub method: Method,
    /// Relative tolerance (adaptive methods).
    pub rtol: Tolerance,
    /// Absolute tolerance (adaptive methods).
    pub atol: Tolerance,
    /// Fixed step: used by methods without an error estimate (RK4), and by
    /// every method when `adaptive` is false.
    pub dt: f64,
    /// Adapt the step size when the method has an error estimate (default
    /// true). False runs any tableau with the fixed step `dt` (used to
    /// measure a method's convergence order).
    pub adaptive: bool,
    /// First step size; `None` picks it automatically (Hairer's algorithm).
    pub h0: Option<f64>,
    /// Largest step allowed.
    pub h_max: f64,
    /// Smallest step allowed before declaring underflow (in addition to the
    /// floating-point resolution of t).
    pub h_min: f64,
    /// Most steps (accepted + rejected) a solve may take.
    pub max_steps: usize,
    /// Tolerance in t for locating state-triggered events.
    pub event_tol: f64,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            method: Method::Dopri5,
            rtol: Tolerance::Scalar(1e-6),
            atol: Tolerance::Scalar(1e-9),
            dt: 0.01,
            adaptive: true,
            h0: None,
            h_max: f64::INFINITY,
            h_min: 0.0,
            max_steps: 200_000,
            event_tol: 1e-10,
        }
    }
}

impl Settings {
    /// Adaptive Dormand–Prince with the given scalar tolerances.
    pub fn dopri5(rtol: f64, atol: f64) -> Self {
        Settings {
            rtol: Tolerance::Scalar(rtol),
            atol: Tolerance::Scalar(atol),
            ..Settings::default()
        }
    }

    /// Fixed-step RK4 with step `dt`.
    pub fn rk4(dt: f64) -> Self {
        Settings {
            method: Method::Rk4,
            dt,
            ..Settings::default()
        }
    }

    /// Check the settings for a system of `dim` components.
    pub fn validate(&self, dim: usize) -> Result<(), SolverError> {
        let bad = |m: String| Err(SolverError::InvalidInput(m));
        let adaptive = self.adaptive && self.method.tableau().e.is_some();
        match adaptive {
            false => {
                if !(self.dt.is_finite() && self.dt > 0.0) {
                    return bad(format!("the fixed step dt must be > 0, got {}", self.dt));
                }
            }
            true => {
                self.rtol.validate("rtol", dim)?;
                self.atol.validate("atol", dim)?;
                let all_zero = (0..dim).all(|i| self.rtol.get(i) == 0.0 && self.atol.get(i) == 0.0);
                if all_zero && dim > 0 {
                    return bad("rtol and atol cannot both be 0".into());
                }
                if let Some(h) = self.h0 {
                    if !(h.is_finite() && h > 0.0) {
                        return bad(format!("the first step h0 must be > 0, got {h}"));
                    }
                }
            }
        }
        if self.h_max.is_nan() || self.h_max <= 0.0 {
            return bad(format!("h_max must be > 0, got {}", self.h_max));
        }
        if !(self.h_min.is_finite() && self.h_min >= 0.0) {
            return bad(format!("h_min must be ≥ 0, got {}", self.h_min));
        }
        if self.max_steps == 0 {
            return bad("max_steps must be at least 1".into());
        }
        if !(self.event_tol.is_finite() && self.event_tol > 0.0) {
            return bad(format!("event_tol must be > 0, got {}", self.event_tol));
        }
        Ok(())
    }
}

/// Where output is produced.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum OutputGrid {
    /// At the given increasing times (within the interval), from the dense output.
    Times(Vec<f64>),
    /// At every accepted step (and both sides of every event).
    #[default]
    Steps,
    /// At the given times and at every accepted step.
    Both(Vec<f64>),
    /// Nowhere but the final state (statistics and events are still kept).
    None,
}

/// Receives output points. Must not assume points are equally spaced.
pub trait Observer {
    /// Called with each output time and state.
    fn observe(&mut self, t: f64, y: &[f64]);
}

impl<F: FnMut(f64, &[f64])> Observer for F {
    fn observe(&mut self, t: f64, y: &[f64]) {
        self(t, y)
    }
}

/// Counters of the work a solve did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Stats {
    /// Accepted steps.
    pub accepted: usize,
    /// Rejected steps.
    pub rejected: usize,
    /// Right-hand-side evaluations.
    pub rhs_evals: usize,
    /// Events that fired.
    pub events: usize,
}

/// One event that fired.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct EventRecord {
    /// When it fired.
    pub t: f64,
    /// Label given to the event by whoever scheduled it.
    pub label: String,
    /// State just before the action.
    pub before: Vec<f64>,
    /// State just after the action.
    pub after: Vec<f64>,
}

/// What a finished solve returns besides the observer's output.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// Time reached (the end of the interval, or the time of a `Stop` event).
    pub t: f64,
    /// State at `t`.
    pub y: Vec<f64>,
    /// Work counters.
    pub stats: Stats,
    /// Events that fired, in order.
    pub events: Vec<EventRecord>,
    /// True when a `Stop` action ended the solve early.
    pub stopped: bool,
}

/// A stored trajectory: an [`Observer`] that keeps every point.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Trajectory {
    /// Number of state components.
    pub dim: usize,
    /// Output times.
    pub t: Vec<f64>,
    /// States, row-major: point i is `y[i*dim..(i+1)*dim]`.
    pub y: Vec<f64>,
}

impl Trajectory {
    /// An empty trajectory for a system of `dim` states.
    pub fn new(dim: usize) -> Self {
        Trajectory {
            dim,
            ..Default::default()
        }
    }
    /// Number of points.
    pub fn len(&self) -> usize {
        self.t.len()
    }
    /// True when there are no points.
    pub fn is_empty(&self) -> bool {
        self.t.is_empty()
    }
    /// State at point `i`.
    pub fn row(&self, i: usize) -> &[f64] {
        &self.y[i * self.dim..(i + 1) * self.dim]
    }
    /// Component `c` over all points.
    pub fn component(&self, c: usize) -> impl Iterator<Item = f64> + '_ {
        self.y.iter().skip(c).step_by(self.dim.max(1)).copied()
    }
}

impl Observer for Trajectory {
    fn observe(&mut self, t: f64, y: &[f64]) {
        self.t.push(t);
        self.y.extend_from_slice(y);
    }
}

/// Reusable solver workspace. Create one per thread and call
/// [`Solver::solve`] as often as you like; it only grows its buffers when a
/// larger system comes along.
#[derive(Debug, Default)]
pub struct Solver {
    dim: usize,
    /// Stage derivatives, one row of `dim` per stage.
    k: Vec<f64>,
    y: Vec<f64>,
    y_new: Vec<f64>,
    y_stage: Vec<f64>,
    f_end: Vec<f64>,
    tmp: Vec<f64>,
    held: Vec<bool>,
    /// True when any component is held (lets the hot loops skip the masks).
    any_held: bool,
    g_prev: Vec<f64>,
    fired: Vec<bool>,
}

/// Result of looking for state-triggered crossings inside one step.
struct Crossing {
    theta: f64,
    trigger: usize,
}

impl Solver {
    /// A new, empty workspace.
    pub fn new() -> Self {
        Self::default()
    }

    fn prepare(&mut self, dim: usize, stages: usize, n_triggers: usize) {
        self.dim = dim;
        let resize = |v: &mut Vec<f64>, n: usize| {
            v.clear();
            v.resize(n, 0.0);
        };
        resize(&mut self.k, stages * dim);
        resize(&mut self.y, dim);
        resize(&mut self.y_new, dim);
        resize(&mut self.y_stage, dim);
        resize(&mut self.f_end, dim);
        resize(&mut self.tmp, dim);
        resize(&mut self.g_prev, n_triggers);
        self.held.clear();
        self.held.resize(dim, false);
        self.any_held = false;
        self.fired.clear();
        self.fired.resize(n_triggers, false);
    }

    /// Integrate `sys` from `(t0, y0)` to `t1`, calling `obs` at each output
    /// point and applying `events` on the way.
    #[allow(clippy::too_many_arguments)]
    pub fn solve<S: OdeSystem + ?Sized, O: Observer + ?Sized>(
        &mut self,
        sys: &S,
        t0: f64,
        y0: &[f64],
        t1: f64,
        settings: &Settings,
        events: &Events,
        output: &OutputGrid,
        obs: &mut O,
    ) -> Result<Outcome, SolverError> {
        let dim = sys.dim();
        if y0.len() != dim {
            return Err(SolverError::InvalidInput(format!(
                "the initial state has {} values, the system has {dim}",
                y0.len()
            )));
        }
        if !(t0.is_finite() && t1.is_finite()) || t1 < t0 {
            return Err(SolverError::InvalidInput(format!(
                "the interval must be finite with t_end ≥ t_start, got [{t0}, {t1}]"
            )));
        }
        if let Some(c) = y0.iter().position(|v| !v.is_finite()) {
            return Err(SolverError::InvalidInput(format!(
                "initial state component {c} is not a finite number"
            )));
        }
        settings.validate(dim)?;
        events.validate(dim, t0, t1)?;
        let grid: &[f64] = match output {
            OutputGrid::Times(g) | OutputGrid::Both(g) => g,
            _ => &[],
        };
        if grid.windows(2).any(|w| w[1] < w[0]) {
            return Err(SolverError::InvalidInput(
                "output times must be in increasing order".into(),
            ));
        }
        if let Some(bad) = grid.iter().find(|g| !(**g >= t0 && **g <= t1)) {
            return Err(SolverError::InvalidInput(format!(
                "output time {bad} lies outside [{t0}, {t1}]"
            )));
        }
        let every_step = matches!(output, OutputGrid::Steps | OutputGrid::Both(_));

        let tab = settings.method.tableau();
        let stages = tab.stages();
        debug_assert!(stages <= MAX_STAGES);
        self.prepare(dim, stages, events.triggers.len());
        self.y.copy_from_slice(y0);

        let mut run = Run {
            t: t0,
            stats: Stats::default(),
            records: Vec::new(),
            gi: 0,
            grid,
            every_step,
            timed_next: 0,
        };

        // Events at t0: timed events scheduled at t0, and triggers whose
        // condition already holds and that ask to fire initially.
        let stop = self.apply_timed_at(&mut run, events, t0);
        let stop = stop || self.apply_initial_triggers(&mut run, events);
        self.emit_upto_current(&mut run, obs, true);
        if stop {
            return Ok(self.finish(run, true));
        }
        if t1 == t0 {
            return Ok(self.finish(run, false));
        }

        self.eval(sys, &mut run.stats, t0, 0); // k1 = f(t0, y0)
        if let Some(c) = self.k[..dim].iter().position(|v| !v.is_finite()) {
            return Err(SolverError::NonFiniteState {
                t: t0,
                component: c,
            });
        }
        self.refresh_g(events, t0);

        let adaptive = settings.adaptive && tab.e.is_some();
        let mut h = if adaptive {
            match settings.h0 {
                Some(h) => h,
                None => self.initial_step(sys, &mut run.stats, settings, t0, t1 - t0),
            }
        } else {
            settings.dt
        };
        h = h.min(settings.h_max);
        // ln of the previous accepted error (PI control), starting at 1e-4.
        let mut ln_err_old: f64 = ln(1e-4);
        let mut last_rejected = false;
        let mut nonfinite_reject = false;

        loop {
            // The end of this segment: the next timed event or t1.
            let t_stop = events.timed.get(run.timed_next).map_or(t1, |e| e.t.min(t1));
            let remaining = t_stop - run.t;
            if remaining <= 0.0 {
                // Arrived at a timed event or the end.
                if run.t >= t1 {
                    return Ok(self.finish(run, false));
                }
                let now = run.t;
                let stop = self.apply_timed_at(&mut run, events, now);
                self.emit_upto_current(&mut run, obs, false);
                if stop {
                    return Ok(self.finish(run, true));
                }
                self.eval(sys, &mut run.stats, run.t, 0);
                self.refresh_g(events, run.t);
                ln_err_old = ln(1e-4);
                continue;
            }
            if run.stats.accepted + run.stats.rejected >= settings.max_steps {
                return Err(SolverError::TooManySteps {
                    t: run.t,
                    max_steps: settings.max_steps,
                });
            }
            // Land exactly on t_stop; avoid a tiny last step.
            let mut h_try = h.min(settings.h_max);
            // (The 1e-9 slack keeps round-off from leaving a sliver of a step.)
            let last = h_try * (1.0 + 1e-9) >= remaining || (adaptive && h_try * 1.01 >= remaining);
            if last {
                h_try = remaining;
            }
            if h_try < settings.h_min || run.t + h_try == run.t {
                return Err(if nonfinite_reject {
                    SolverError::NonFiniteState {
                        t: run.t,
                        component: self.first_nonfinite().unwrap_or(0),
                    }
                } else {
                    SolverError::StepSizeUnderflow { t: run.t, h: h_try }
                });
            }

            self.stages(sys, tab, &mut run.stats, run.t, h_try);

            if adaptive {
                let err = self.error_norm(tab, settings, h_try);
                if !err.is_finite() {
                    run.stats.rejected += 1;
                    nonfinite_reject = true;
                    last_rejected = true;
                    h = h_try * 0.1;
                    continue;
                }
                // PI step-size control (Hairer & Wanner's dopri5, β = 0.04):
                // fac = err^expo1 / err_old^β, computed as one exp of
                // logarithms (one log and one exp per step instead of two
                // pows; pure-Rust libm, so native and wasm still agree).
                let beta = 0.04;
                let expo1 = 1.0 / tab.err_order as f64 - 0.75 * beta;
                // err = 0 (an exact step) behaves like the smallest error the
                // PI controller distinguishes; fac is clamped below anyway.
                let ln_err = ln(err.max(1e-300));
                if err > 1.0 {
                    let fac11 = exp(expo1 * ln_err);
                    run.stats.rejected += 1;
                    last_rejected = true;
                    nonfinite_reject = false;
                    h = h_try / (fac11 / 0.9).min(5.0);
                    continue;
                }
                let fac = (exp(expo1 * ln_err - beta * ln_err_old) / 0.9).clamp(0.2, 10.0);
                let mut h_new = h_try / fac;
                if last_rejected {
                    h_new = h_new.min(h_try);
                }
                ln_err_old = ln_err.max(ln(1e-4));
                last_rejected = false;
                nonfinite_reject = false;
                if !last {
                    h = h_new;
                } else {
                    h = h_new.max(h);
                }
            } else if let Some(c) = self.y_new.iter().position(|v| !v.is_finite()) {
                return Err(SolverError::NonFiniteState {
                    t: run.t + h_try,
                    component: c,
                });
            }

            // Accepted: f at the new point is the last stage (FSAL) or is
            // evaluated now (it is the next step's first stage either way).
            run.stats.accepted += 1;
            let t_new = if last { t_stop } else { run.t + h_try };
            if tab.fsal {
                let off = (stages - 1) * dim;
                self.f_end.copy_from_slice(&self.k[off..off + dim]);
            } else {
                sys.rhs(t_new, &self.y_new, &mut self.f_end);
                run.stats.rhs_evals += 1;
                self.mask_held_end();
            }
            if let Some(c) = self.f_end.iter().position(|v| !v.is_finite()) {
                return Err(SolverError::NonFiniteState {
                    t: t_new,
                    component: c,
                });
            }

            // State-triggered events inside (t, t_new].
            if let Some(cr) = self.find_crossing(run.t, tab, events, h_try, settings.event_tol) {
                let t_e = run.t + cr.theta * h_try;
                self.emit_dense(&mut run, obs, tab, h_try, t_e, false);
                self.interpolate(tab, h_try, cr.theta);
                self.y.copy_from_slice(&self.tmp);
                run.t = t_e;
                if run.every_step {
                    obs.observe(run.t, &self.y);
                }
                let stop = self.fire(&mut run, events, cr.trigger);
                self.emit_upto_current(&mut run, obs, false);
                if stop {
                    return Ok(self.finish(run, true));
                }
                self.eval(sys, &mut run.stats, run.t, 0);
                self.refresh_g(events, run.t);
                ln_err_old = ln(1e-4);
                continue;
            }

            // A grid point exactly at a timed event shows the state after
            // the event (right-continuous output): leave it for after the action.
            let at_timed_event = last
                && events
                    .timed
                    .get(run.timed_next)
                    .is_some_and(|e| e.t <= t_stop);
            self.emit_dense(&mut run, obs, tab, h_try, t_new, !at_timed_event);
            self.y.copy_from_slice(&self.y_new);
            run.t = t_new;
            self.k[..dim].copy_from_slice(&self.f_end);
            self.refresh_g(events, run.t);
            if run.every_step {
                obs.observe(run.t, &self.y);
            }
        }
    }

    fn finish(&self, run: Run<'_>, stopped: bool) -> Outcome {
        Outcome {
            t: run.t,
            y: self.y.clone(),
            stats: Stats {
                events: run.records.len(),
                ..run.stats
            },
            events: run.records,
            stopped,
        }
    }

    fn first_nonfinite(&self) -> Option<usize> {
        self.y_new.iter().position(|v| !v.is_finite())
    }

    /// k[stage] = f(t, y) with held components' derivatives forced to 0.
    #[inline(always)]
    fn eval<S: OdeSystem + ?Sized>(&mut self, sys: &S, stats: &mut Stats, t: f64, stage: usize) {
        let dim = self.dim;
        let k = &mut self.k[stage * dim..(stage + 1) * dim];
        sys.rhs(t, &self.y, k);
        stats.rhs_evals += 1;
        if self.any_held {
            for (d, &h) in k.iter_mut().zip(&self.held) {
                if h {
                    *d = 0.0;
                }
            }
        }
    }

    fn mask_held_end(&mut self) {
        if !self.any_held {
            return;
        }
        for (d, &h) in self.f_end.iter_mut().zip(&self.held) {
            if h {
                *d = 0.0;
            }
        }
    }

    /// Compute stages 2..s and y_new for a step of size h from (t, y); k1 is
    /// already in place.
    #[inline(always)]
    fn stages<S: OdeSystem + ?Sized>(
        &mut self,
        sys: &S,
        tab: &Tableau,
        stats: &mut Stats,
        t: f64,
        h: f64,
    ) {
        let dim = self.dim;
        let s = tab.stages();
        for i in 1..s {
            let row = tab.a[i];
            let (done, rest) = self.k.split_at_mut(i * dim);
            // y_stage = y + h Σ_j a_ij k_j, the sum in a register per component.
            let y = &self.y[..dim];
            let ys = &mut self.y_stage[..dim];
            for c in 0..dim {
                let mut acc = 0.0;
                for (j, &a) in row.iter().enumerate() {
                    if a != 0.0 {
                        acc += a * done[j * dim + c];
                    }
                }
                ys[c] = y[c] + h * acc;
            }
            let ki = &mut rest[..dim];
            sys.rhs(t + tab.c[i] * h, &self.y_stage, ki);
            stats.rhs_evals += 1;
            if self.any_held {
                for (d, &hd) in ki.iter_mut().zip(&self.held) {
                    if hd {
                        *d = 0.0;
                    }
                }
            }
        }
        if tab.fsal {
            // The last stage was evaluated at y_new itself.
            self.y_new.copy_from_slice(&self.y_stage);
        } else {
            for c in 0..dim {
                let mut acc = 0.0;
                for (j, &b) in tab.b.iter().enumerate() {
                    if b != 0.0 {
                        acc += b * self.k[j * dim + c];
                    }
                }
                self.y_new[c] = self.y[c] + h * acc;
            }
        }
        // Held components stay exactly where they were.
        if self.any_held {
            for c in 0..dim {
                if self.held[c] {
                    self.y_new[c] = self.y[c];
                }
            }
        }
    }

    /// RMS norm of the embedded error estimate, scaled by the tolerances.
    fn error_norm(&self, tab: &Tableau, st: &Settings, h: f64) -> f64 {
        let Some(e) = tab.e else { return 0.0 };
        let dim = self.dim;
        let (y, y_new) = (&self.y[..dim], &self.y_new[..dim]);
        // Σ_j e_j k_j per component, in a register.
        let err_c = |c: usize| {
            let mut acc = 0.0;
            for (j, &ej) in e.iter().enumerate() {
                if ej != 0.0 {
                    acc += ej * self.k[j * dim + c];
                }
            }
            acc
        };
        let mut sum = 0.0;
        match (&st.atol, &st.rtol) {
            (Tolerance::Scalar(atol), Tolerance::Scalar(rtol)) => {
                for c in 0..dim {
                    let sc = atol + rtol * y[c].abs().max(y_new[c].abs());
                    let r = h * err_c(c) / sc;
                    sum += r * r;
                }
            }
            _ => {
                for c in 0..dim {
                    let sc = st.atol.get(c) + st.rtol.get(c) * y[c].abs().max(y_new[c].abs());
                    let r = h * err_c(c) / sc;
                    sum += r * r;
                }
            }
        }
        if dim == 0 {
            0.0
        } else {
            (sum / dim as f64).sqrt()
        }
    }

    /// Hairer's automatic choice of the first step.
    fn initial_step<S: OdeSystem + ?Sized>(
        &mut self,
        sys: &S,
        stats: &mut Stats,
        st: &Settings,
        t0: f64,
        span: f64,
    ) -> f64 {
        let dim = self.dim;
        let tab = st.method.tableau();
        let sc = |c: usize, y: f64| st.atol.get(c) + st.rtol.get(c) * y.abs();
        let (mut d0, mut d1) = (0.0, 0.0);
        for c in 0..dim {
            let s = sc(c, self.y[c]);
            let (a, b) = (self.y[c] / s, self.k[c] / s);
            d0 += a * a;
            d1 += b * b;
        }
        let n = dim.max(1) as f64;
        let (d0, d1) = ((d0 / n).sqrt(), (d1 / n).sqrt());
        let mut h0 = if d0 < 1e-10 || d1 < 1e-10 {
            1e-6
        } else {
            0.01 * d0 / d1
        };
        h0 = h0.min(st.h_max).min(span);
        for c in 0..dim {
            self.tmp[c] = self.y[c] + h0 * self.k[c];
        }
        sys.rhs(t0 + h0, &self.tmp, &mut self.f_end);
        stats.rhs_evals += 1;
        let mut d2 = 0.0;
        for c in 0..dim {
            let d = (self.f_end[c] - self.k[c]) / sc(c, self.y[c]);
            d2 += d * d;
        }
        let d2 = (d2 / n).sqrt() / h0;
        let dm = d1.max(d2);
        let h1 = if !dm.is_finite() {
            h0 * 1e-3
        } else if dm <= 1e-15 {
            (h0 * 1e-3).max(1e-6)
        } else {
            pow(0.01 / dm, 1.0 / tab.order as f64)
        };
        (100.0 * h0)
            .min(h1)
            .min(st.h_max)
            .min(span)
            .max(1e-12 * span)
    }

    /// tmp = y(t + θh) from the current step's continuous extension.
    #[inline]
    fn interpolate(&mut self, tab: &Tableau, h: f64, theta: f64) {
        let dim = self.dim;
        match tab.dense {
            DenseOutput::Poly(p) => {
                let mut q = [0.0f64; MAX_STAGES];
                for (i, row) in p.iter().enumerate() {
                    let mut th = theta;
                    let mut acc = 0.0;
                    for &coef in row.iter() {
                        acc += coef * th;
                        th *= theta;
                    }
                    q[i] = acc;
                }
                for c in 0..dim {
                    let mut acc = 0.0;
                    for (i, &qi) in q.iter().enumerate().take(p.len()) {
                        acc += qi * self.k[i * dim + c];
                    }
                    self.tmp[c] = self.y[c] + h * acc;
                }
            }
            DenseOutput::Hermite => {
                let t2 = theta * theta;
                let t3 = t2 * theta;
                let h00 = 2.0 * t3 - 3.0 * t2 + 1.0;
                let h10 = t3 - 2.0 * t2 + theta;
                let h01 = -2.0 * t3 + 3.0 * t2;
                let h11 = t3 - t2;
                for c in 0..dim {
                    self.tmp[c] = h00 * self.y[c]
                        + h10 * h * self.k[c]
                        + h01 * self.y_new[c]
                        + h11 * h * self.f_end[c];
                }
            }
        }
        if self.any_held {
            for c in 0..dim {
                if self.held[c] {
                    self.tmp[c] = self.y[c];
                }
            }
        }
    }

    /// Emit grid points in (t, t_end) — and t_end itself when `inclusive` —
    /// from the dense output of the step of size h that starts at run.t.
    fn emit_dense<O: Observer + ?Sized>(
        &mut self,
        run: &mut Run<'_>,
        obs: &mut O,
        tab: &Tableau,
        h: f64,
        t_end: f64,
        inclusive: bool,
    ) {
        while let Some(&tg) = run.grid.get(run.gi) {
            if tg > t_end || (!inclusive && tg == t_end) {
                break;
            }
            if tg == t_end && inclusive {
                obs.observe(tg, &self.y_new);
            } else {
                let theta = ((tg - run.t) / h).clamp(0.0, 1.0);
                self.interpolate(tab, h, theta);
                obs.observe(tg, &self.tmp);
            }
            run.gi += 1;
        }
    }

    /// Emit grid points at or before the current time from the current state.
    fn emit_upto_current<O: Observer + ?Sized>(
        &mut self,
        run: &mut Run<'_>,
        obs: &mut O,
        at_start: bool,
    ) {
        while let Some(&tg) = run.grid.get(run.gi) {
            if tg > run.t {
                break;
            }
            obs.observe(tg, &self.y);
            run.gi += 1;
        }
        if at_start && run.every_step {
            obs.observe(run.t, &self.y);
        }
    }

    fn refresh_g(&mut self, events: &Events, t: f64) {
        for (i, tr) in events.triggers.iter().enumerate() {
            self.g_prev[i] = tr.condition.eval(t, &self.y);
        }
    }

    /// The earliest crossing, in the trigger's direction, inside the step just taken.
    fn find_crossing(
        &mut self,
        t0: f64,
        tab: &Tableau,
        events: &Events,
        h: f64,
        tol: f64,
    ) -> Option<Crossing> {
        let mut best: Option<Crossing> = None;
        for (i, tr) in events.triggers.iter().enumerate() {
            if tr.once && self.fired[i] {
                continue;
            }
            let g0 = self.g_prev[i];
            let g1 = tr.condition.eval(t0 + h, &self.y_new);
            if !tr.direction.crosses(g0, g1) {
                continue;
            }
            // Illinois (modified regula falsi) on θ ∈ [0, 1].
            let (mut a, mut b, mut ga, mut gb) = (0.0f64, 1.0f64, g0, g1);
            let mut side = 0i8;
            let theta_tol = (tol / h.abs()).max(f64::EPSILON);
            for _ in 0..200 {
                if b - a <= theta_tol {
                    break;
                }
                let mut m = b - gb * (b - a) / (gb - ga);
                if !(m > a && m < b) {
                    m = 0.5 * (a + b);
                }
                self.interpolate(tab, h, m);
                let gm = tr.condition.eval(t0 + m * h, &self.tmp);
                if tr.direction.crosses(ga, gm) || gm == 0.0 {
                    b = m;
                    gb = gm;
                    if side == -1 {
                        ga *= 0.5;
                    }
                    side = -1;
                } else {
                    a = m;
                    ga = gm;
                    if side == 1 {
                        gb *= 0.5;
                    }
                    side = 1;
                }
            }
            if best.as_ref().is_none_or(|c| b < c.theta) {
                best = Some(Crossing {
                    theta: b,
                    trigger: i,
                });
            }
        }
        best
    }

    fn apply_action(&mut self, action: &Action) -> bool {
        match *action {
            Action::Add { component, amount } => self.y[component] += amount,
            Action::Set { component, value } => self.y[component] = value,
            Action::Extinguish { component } => {
                self.y[component] = 0.0;
                self.held[component] = true;
                self.any_held = true;
            }
            Action::Stop => return true,
        }
        false
    }

    fn fire(&mut self, run: &mut Run<'_>, events: &Events, i: usize) -> bool {
        let tr: &Trigger = &events.triggers[i];
        self.fired[i] = true;
        let before = self.y.clone();
        let stop = self.apply_action(&tr.action);
        run.records.push(EventRecord {
            t: run.t,
            label: tr.label.clone(),
            before,
            after: self.y.clone(),
        });
        stop
    }

    fn apply_timed_at(&mut self, run: &mut Run<'_>, events: &Events, t: f64) -> bool {
        let mut stop = false;
        while let Some(ev) = events.timed.get(run.timed_next) {
            if ev.t > t {
                break;
            }
            let before = self.y.clone();
            stop |= self.apply_action(&ev.action);
            run.records.push(EventRecord {
                t,
                label: ev.label.clone(),
                before,
                after: self.y.clone(),
            });
            run.timed_next += 1;
        }
        stop
    }

    fn apply_initial_triggers(&mut self, run: &mut Run<'_>, events: &Events) -> bool {
        let mut stop = false;
        for (i, tr) in events.triggers.iter().enumerate() {
            if tr.fire_if_initially_past && tr.direction.is_past(tr.condition.eval(run.t, &self.y))
            {
                stop |= self.fire(run, events, i);
            }
        }
        stop
    }
}

struct Run<'g> {
    t: f64,
    stats: Stats,
    records: Vec<EventRecord>,
    gi: usize,
    grid: &'g [f64],
    every_step: bool,
    timed_next: usize,
}

impl Direction {
    /// Does g going from g0 to g1 cross zero in this direction?
    fn crosses(self, g0: f64, g1: f64) -> bool {
        match self {
            Direction::Rising => g0 < 0.0 && g1 >= 0.0,
            Direction::Falling => g0 > 0.0 && g1 <= 0.0,
            Direction::Either => (g0 < 0.0 && g1 >= 0.0) || (g0 > 0.0 && g1 <= 0.0),
        }
    }
    /// Is g already on the far side of the crossing?
    fn is_past(self, g: f64) -> bool {
        match self {
            Direction::Rising => g >= 0.0,
            Direction::Falling => g <= 0.0,
            Direction::Either => false,
        }
    }
}
