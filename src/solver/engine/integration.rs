//! The stepping loop as a handle the caller drives: [`Solver::start`]
//! checks the request and applies what happens at the start time,
//! [`Integration::step`] takes one step (attempting and rejecting as step
//! control requires), and [`Integration::finish`] runs to the end.
//!
//! Between steps the caller may set a stop time and, once there, read or
//! change the state, apply logged actions and disarm triggers. This is
//! how a course whose later events depend on its earlier ones (say, a
//! dose given at day 30 only if a trigger has not fired by then) is ONE
//! integration. The engine stays generic: it offers the hooks, the caller
//! decides what they mean.
//!
//! ```
//! use cartsim::solver::{Action, Events, OdeSystem, OutputGrid, Settings, Solver, Trajectory};
//! struct Decay;
//! impl OdeSystem for Decay {
//!     fn dim(&self) -> usize { 1 }
//!     fn rhs(&self, _t: f64, y: &[f64], dy: &mut [f64]) { dy[0] = -y[0]; }
//! }
//! let (settings, events) = (Settings::dopri5(1e-10, 1e-12), Events::none());
//! let grid = OutputGrid::Times(vec![1.0, 3.0]);
//! let mut traj = Trajectory::new(1);
//! let mut solver = Solver::new();
//! let mut run = solver
//!     .start(&Decay, 0.0, &[1.0], 3.0, &settings, &events, &grid, &mut traj)
//!     .unwrap();
//! run.advance_to(1.0).unwrap();
//! // A dose at day 1, only if y has fallen below 0.5 (it has: e^-1 ≈ 0.37).
//! if run.state()[0] < 0.5 {
//!     run.apply(Action::Add { component: 0, amount: 2.0 }, "top-up").unwrap();
//! }
//! let outcome = run.finish().unwrap();
//! let exact = ((-1.0f64).exp() + 2.0) * (-2.0f64).exp();
//! assert!((outcome.y[0] - exact).abs() < 1e-9);
//! assert_eq!(outcome.events[0].label, "top-up");
//! // Output at the stop time shows the state after the caller's action.
//! assert!((traj.row(0)[0] - ((-1.0f64).exp() + 2.0)).abs() < 1e-9);
//! ```

use super::outcome::{EventRecord, MethodSpan, Outcome, Stats};
use super::output::{GridCursor, Observer, OutputGrid};
use super::settings::{Method, Scheme, Settings};
use super::stepper::{Dim, Dynamic, Fixed};
use super::switching::{Calm, Detector, AUTO_EVERY, AUTO_HLAMB, STIFF_HLAMB};
use super::{Run, Solver, MAX_STAGES};
use crate::solver::control::{PiController, Verdict};
use crate::solver::error::SolverError;
use crate::solver::events::{Action, Events};
use crate::solver::tableau::DOPRI5;
use crate::solver::OdeSystem;

/// What one call of [`Integration::step`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// An accepted step; the integration is at its end point.
    Accepted,
    /// State trigger `i` (index into [`Events::triggers`]) fired; the step
    /// was cut at the located crossing and its action applied.
    Triggered(usize),
    /// The timed events due at the current time were applied.
    Timed,
    /// The stop time set by [`Integration::set_stop_time`] was reached
    /// exactly (and then cleared). Output points at this time wait until
    /// the integration resumes, so they show any change the caller makes
    /// here.
    StopTime,
    /// Nothing more to do: the end of the interval was reached or a `Stop`
    /// action ended the integration. Every later call returns this again.
    Finished,
}

/// Where the integration stands.
#[derive(Debug)]
enum Status {
    Running,
    Done { stopped: bool },
    Failed(SolverError),
}

/// What the loop body decided.
enum Next {
    Go(Step),
    End { stopped: bool },
}

/// One integration in progress, borrowing a [`Solver`] workspace, the
/// system, the settings, the events and the observer. Made by
/// [`Solver::start`]; see the [module documentation](self) for an example.
///
/// After an error every method that advances returns that error again.
pub struct Integration<'a, S: ?Sized, O: ?Sized> {
    ws: &'a mut Solver,
    sys: &'a S,
    settings: &'a Settings,
    events: &'a Events,
    obs: &'a mut O,
    /// The coefficients stepping now (the automatic method changes them).
    scheme: Scheme,
    adaptive: bool,
    /// [`Method::Auto`]: switch between DP5 and Rosenbrock.
    auto: bool,
    /// Stiffness detection during adaptive DP5 steps.
    detector: Detector,
    /// The automatic method's way back to DP5.
    calm: Calm,
    t1: f64,
    run: Run<'a>,
    /// Step size the controller proposes next.
    h: f64,
    ctrl: PiController,
    /// The caller's stop time (+∞ when none).
    stop_at: f64,
    status: Status,
    /// The caller changed the state: restart (first stage, event
    /// functions, error history) before the next step.
    restart: bool,
    /// Output points at the current time wait for the integration to resume.
    deferred: bool,
}

impl Solver {
    /// Check a request and begin integrating `sys` from `(t0, y0)` towards
    /// `t1`: timed events at `t0` and triggers that fire initially are
    /// applied, output at `t0` is reported, and the first step size chosen.
    /// Drive the returned [`Integration`] with [`step`](Integration::step),
    /// [`advance_to`](Integration::advance_to) and
    /// [`finish`](Integration::finish).
    #[allow(clippy::too_many_arguments)]
    pub fn start<'a, S: OdeSystem + ?Sized, O: Observer + ?Sized>(
        &'a mut self,
        sys: &'a S,
        t0: f64,
        y0: &[f64],
        t1: f64,
        settings: &'a Settings,
        events: &'a Events,
        output: &'a OutputGrid,
        obs: &'a mut O,
    ) -> Result<Integration<'a, S, O>, SolverError> {
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
        let out = GridCursor::new(output, t0, t1)?;

        let scheme = settings.method.scheme();
        let auto = settings.method == Method::Auto;
        let rows = if auto {
            scheme.rows().max(settings.stiff_scheme().rows())
        } else {
            scheme.rows()
        };
        debug_assert!(rows <= MAX_STAGES);
        let implicit = auto || matches!(scheme, Scheme::Rosenbrock(_));
        self.prepare(dim, rows, events.triggers.len(), implicit);
        self.nonneg = sys.nonnegative();
        self.y.copy_from_slice(y0);
        let mut run = Run {
            t: t0,
            stats: Stats::default(),
            records: Vec::new(),
            timed_next: 0,
            out,
        };
        run.stats.spans.push(MethodSpan {
            method: if auto {
                Method::Dopri5
            } else {
                settings.method
            },
            from: t0,
            to: t0,
            steps: 0,
        });

        // Events at t0: timed events scheduled at t0, and triggers whose
        // condition already holds and that ask to fire initially.
        let stop = self.apply_timed_at(&mut run, events, t0);
        let stop = stop || self.apply_initial_triggers(&mut run, events);
        self.emit_upto_current(&mut run.out, obs, t0, true);
        let status = if stop {
            Status::Done { stopped: true }
        } else if t1 == t0 {
            Status::Done { stopped: false }
        } else {
            Status::Running
        };
        let mut it = Integration {
            ws: self,
            sys,
            settings,
            events,
            obs,
            scheme,
            adaptive: settings.adaptive && scheme.has_error_estimate(),
            auto,
            detector: Detector::default(),
            calm: Calm::default(),
            t1,
            run,
            h: 0.0,
            ctrl: PiController::new(scheme.err_order()),
            stop_at: f64::INFINITY,
            status,
            restart: false,
            deferred: false,
        };
        if matches!(it.status, Status::Running) {
            it.first_step()?;
        }
        Ok(it)
    }
}

impl<'a, S: OdeSystem + ?Sized, O: Observer + ?Sized> Integration<'a, S, O> {
    /// First stage at the start and the first step size.
    fn first_step(&mut self) -> Result<(), SolverError> {
        let (ws, run, st) = (&mut *self.ws, &mut self.run, self.settings);
        let t0 = run.t;
        ws.eval(self.sys, &mut run.stats, t0, 0); // k1 = f(t0, y0)
        if let Some(c) = ws.k[..ws.dim].iter().position(|v| !v.is_finite()) {
            return Err(SolverError::NonFiniteState {
                t: t0,
                component: c,
            });
        }
        ws.refresh_g(self.events, t0);
        let h = if self.adaptive {
            match st.h0 {
                Some(h) => h,
                None => ws.initial_step(
                    self.sys,
                    &mut run.stats,
                    st,
                    self.scheme.order(),
                    t0,
                    self.t1 - t0,
                ),
            }
        } else {
            st.dt
        };
        self.h = h.min(st.h_max);
        Ok(())
    }

    /// Take one step: attempt (and reject) until a step is accepted, an
    /// event fires, the stop time or the end is reached. See [`Step`].
    pub fn step(&mut self) -> Result<Step, SolverError> {
        self.step_past(false)
    }

    /// [`step`](Self::step), but with `run_on` set, accepted steps do not
    /// return: it runs on to the next event, stop time or the end (for
    /// [`advance_to`](Self::advance_to) and [`finish`](Self::finish), which
    /// would only call it again; the stepping loop then keeps its state in
    /// registers from one step to the next).
    fn step_past(&mut self, run_on: bool) -> Result<Step, SolverError> {
        match &self.status {
            Status::Running => {}
            Status::Done { .. } => return Ok(Step::Finished),
            Status::Failed(e) => return Err(e.clone()),
        }
        match self.advance_any(run_on) {
            Ok(Next::Go(s)) => Ok(s),
            Ok(Next::End { stopped }) => {
                self.status = Status::Done { stopped };
                Ok(Step::Finished)
            }
            Err(e) => {
                self.status = Status::Failed(e.clone());
                Err(e)
            }
        }
    }

    /// Stop the integration exactly at `t` (at or after the current time;
    /// at or past the end it simply runs to the end; +∞ clears it). Steps
    /// are cut to land on it, as on a timed event, and [`step`](Self::step)
    /// returns [`Step::StopTime`] there. Timed events due at `t` are applied
    /// before the caller regains control.
    pub fn set_stop_time(&mut self, t: f64) -> Result<(), SolverError> {
        if let Status::Failed(e) = &self.status {
            return Err(e.clone());
        }
        if t.is_nan() || t < self.run.t {
            return Err(SolverError::InvalidInput(format!(
                "the stop time {t} lies before the current time {}",
                self.run.t
            )));
        }
        self.stop_at = t;
        Ok(())
    }

    /// Integrate up to `t` exactly (see [`set_stop_time`](Self::set_stop_time)):
    /// returns [`Step::StopTime`] there, or [`Step::Finished`] when the end
    /// or a `Stop` action came first.
    pub fn advance_to(&mut self, t: f64) -> Result<Step, SolverError> {
        self.set_stop_time(t)?;
        loop {
            if let s @ (Step::StopTime | Step::Finished) = self.step_past(true)? {
                return Ok(s);
            }
        }
    }

    /// Run to the end of the interval (or a `Stop` action) and return the outcome.
    pub fn finish(mut self) -> Result<Outcome, SolverError> {
        while self.step_past(true)? != Step::Finished {}
        let stopped = matches!(self.status, Status::Done { stopped: true });
        self.close_span();
        Ok(Outcome {
            t: self.run.t,
            y: self.ws.y.clone(),
            stats: Stats {
                events: self.run.records.len(),
                ..self.run.stats
            },
            events: self.run.records,
            stopped,
        })
    }

    /// Apply `action` to the state now and log it under `label`, as if an
    /// event had fired here; the next step restarts from the new state. A
    /// `Stop` ends the integration. To have output points at this time show
    /// the new state, stop here first ([`advance_to`](Self::advance_to));
    /// output at the start time has already been reported when the
    /// integration is handed over, so use a timed event for changes there.
    pub fn apply(&mut self, action: Action, label: impl Into<String>) -> Result<(), SolverError> {
        if let Status::Failed(e) = &self.status {
            return Err(e.clone());
        }
        let label = label.into();
        action.check(self.ws.dim, &label)?;
        let stop = self.ws.apply_logged(&mut self.run, &action, label);
        if stop && matches!(self.status, Status::Running) {
            self.status = Status::Done { stopped: true };
        }
        self.restart = true;
        Ok(())
    }

    /// Switch state trigger `i` (index into [`Events::triggers`]) off for
    /// the rest of this integration: it will not fire again.
    ///
    /// # Panics
    /// If `i` is not the index of a trigger.
    pub fn disarm(&mut self, i: usize) {
        self.ws.disarmed[i] = true;
    }

    /// Has state trigger `i` fired so far?
    ///
    /// # Panics
    /// If `i` is not the index of a trigger.
    pub fn fired(&self, i: usize) -> bool {
        self.ws.fired[i]
    }

    /// Current time.
    pub fn t(&self) -> f64 {
        self.run.t
    }

    /// Current state.
    pub fn state(&self) -> &[f64] {
        &self.ws.y
    }

    /// The current state, to change without logging it (prefer
    /// [`apply`](Self::apply), which logs); the next step restarts from it.
    pub fn state_mut(&mut self) -> &mut [f64] {
        self.restart = true;
        &mut self.ws.y
    }

    /// Work done so far (`events` is filled in by [`finish`](Self::finish)).
    pub fn stats(&self) -> Stats {
        let mut st = self.run.stats.clone();
        if let Some(last) = st.spans.last_mut() {
            last.to = self.run.t;
        }
        st
    }

    /// The method stepping now (for [`Method::Auto`], the one it chose).
    pub fn current_method(&self) -> Method {
        Method::of_scheme(self.scheme)
    }

    /// Extend the current method's span to the current time.
    fn close_span(&mut self) {
        if let Some(last) = self.run.stats.spans.last_mut() {
            last.to = self.run.t;
        }
    }

    /// Events logged so far, in order.
    pub fn events(&self) -> &[EventRecord] {
        &self.run.records
    }

    /// True once the end was reached or a `Stop` action ended the integration.
    pub fn is_finished(&self) -> bool {
        matches!(self.status, Status::Done { .. })
    }

    /// [`advance`] compiled for the system's dimension: a constant for
    /// small systems (`OdeSystem::dim` usually returns one, so only that
    /// size's copy is kept), the run-time size otherwise. The observer is
    /// passed on as `dyn Observer`, so the stepping loop is compiled once
    /// per system and size, not once per observer type as well (the page's
    /// WebAssembly stays small).
    #[inline]
    fn advance_any(&mut self, run_on: bool) -> Result<Next, SolverError> {
        let n = self.sys.dim();
        debug_assert_eq!(n, self.ws.dim);
        let Integration {
            ws,
            sys,
            settings,
            events,
            obs,
            scheme,
            adaptive,
            auto,
            detector,
            calm,
            t1,
            run,
            h,
            ctrl,
            stop_at,
            restart,
            deferred,
            ..
        } = self;
        let mut obs = DynObserver(&mut **obs);
        let p = Parts {
            ws,
            sys: *sys,
            settings,
            events,
            obs: &mut obs,
            scheme,
            adaptive: *adaptive,
            auto: *auto,
            detector,
            calm,
            t1: *t1,
            run,
            h,
            ctrl,
            stop_at,
            restart,
            deferred,
            run_on,
        };
        match n {
            1 => advance(p, Fixed::<1>),
            2 => advance(p, Fixed::<2>),
            3 => advance(p, Fixed::<3>),
            4 => advance(p, Fixed::<4>),
            5 => advance(p, Fixed::<5>),
            6 => advance(p, Fixed::<6>),
            7 => advance(p, Fixed::<7>),
            8 => advance(p, Fixed::<8>),
            9 => advance(p, Fixed::<9>),
            _ => advance(p, Dynamic(n)),
        }
    }
}

/// An observer of any type (sized or not) as a sized one, so the stepping
/// loop can take it as `&mut dyn Observer`.
struct DynObserver<'o, O: ?Sized>(&'o mut O);

impl<O: Observer + ?Sized> Observer for DynObserver<'_, O> {
    #[inline]
    fn observe(&mut self, t: f64, y: &[f64]) {
        self.0.observe(t, y)
    }
    #[inline]
    fn done(&self) -> bool {
        self.0.done()
    }
}

/// What the stepping loop works on: an [`Integration`]'s fields, borrowed,
/// with the observer behind `dyn`.
struct Parts<'p, 'a, S: ?Sized> {
    ws: &'p mut Solver,
    sys: &'a S,
    settings: &'a Settings,
    events: &'a Events,
    obs: &'p mut dyn Observer,
    scheme: &'p mut Scheme,
    adaptive: bool,
    auto: bool,
    detector: &'p mut Detector,
    calm: &'p mut Calm,
    t1: f64,
    run: &'p mut Run<'a>,
    h: &'p mut f64,
    ctrl: &'p mut PiController,
    stop_at: &'p mut f64,
    restart: &'p mut bool,
    deferred: &'p mut bool,
    /// Go on after an accepted step instead of returning.
    run_on: bool,
}

/// The body of the stepping loop: attempts until something to report.
fn advance<S: OdeSystem + ?Sized, D: Dim>(p: Parts<'_, '_, S>, d: D) -> Result<Next, SolverError> {
    let Parts {
        ws,
        sys,
        settings,
        events,
        obs,
        scheme,
        adaptive,
        auto,
        detector,
        calm,
        t1,
        run,
        h,
        ctrl,
        stop_at,
        restart,
        deferred,
        run_on,
    } = p;
    let dim = d.n();
    // Dormand–Prince with step control watches for stiffness (to switch,
    // or to say why it gave up).
    let detect = |scheme: Scheme| {
        adaptive && matches!(scheme, Scheme::Explicit(tab) if std::ptr::eq(tab, &DOPRI5))
    };
    // A DP5 failure on a problem found stiff is reported as stiffness.
    let give_up = |e: SolverError, scheme: Scheme, detector: &Detector| match e {
        SolverError::TooManySteps { t, .. } | SolverError::StepSizeUnderflow { t, .. }
            if detect(scheme) =>
        {
            match detector.stiff_since() {
                Some(since) => SolverError::Stiff { t, since },
                None => e,
            }
        }
        e => e,
    };

    if std::mem::take(deferred) {
        ws.emit_upto_current(&mut run.out, obs, run.t, false);
    }
    if std::mem::take(restart) {
        ws.eval(sys, &mut run.stats, run.t, 0);
        ws.refresh_g(events, run.t);
        ctrl.reset();
    }

    loop {
        let sch = *scheme;
        // The end of this segment: the next timed event, the caller's
        // stop time or t1.
        let t_stop = events
            .timed
            .get(run.timed_next)
            .map_or(t1, |e| e.t.min(t1))
            .min(*stop_at);
        let remaining = t_stop - run.t;
        if remaining <= 0.0 {
            // Arrived at a timed event, the stop time or the end.
            if run.t >= t1 {
                return Ok(Next::End { stopped: false });
            }
            if events
                .timed
                .get(run.timed_next)
                .is_some_and(|e| e.t <= run.t)
            {
                let now = run.t;
                let stop = ws.apply_timed_at(run, events, now);
                ws.emit_upto_current(&mut run.out, obs, now, false);
                if stop {
                    return Ok(Next::End { stopped: true });
                }
                ws.eval(sys, &mut run.stats, run.t, 0);
                ws.refresh_g(events, run.t);
                ctrl.reset();
                return Ok(Next::Go(Step::Timed));
            }
            *stop_at = f64::INFINITY;
            *deferred = true;
            return Ok(Next::Go(Step::StopTime));
        }
        if run.stats.accepted + run.stats.rejected >= settings.max_steps {
            let e = SolverError::TooManySteps {
                t: run.t,
                max_steps: settings.max_steps,
            };
            return Err(give_up(e, sch, detector));
        }
        // Land exactly on t_stop; avoid a tiny last step.
        let mut h_try = h.min(settings.h_max);
        // (The 1e-9 slack keeps round-off from leaving a sliver of a step.)
        let last = h_try * (1.0 + 1e-9) >= remaining || (adaptive && h_try * 1.01 >= remaining);
        if last {
            h_try = remaining;
        }
        if h_try < settings.h_min || run.t + h_try == run.t {
            let e = if ctrl.rejected_nonfinite() {
                SolverError::NonFiniteState {
                    t: run.t,
                    component: ws.first_nonfinite().unwrap_or(0),
                }
            } else {
                SolverError::StepSizeUnderflow { t: run.t, h: h_try }
            };
            return Err(give_up(e, sch, detector));
        }

        match sch {
            Scheme::Explicit(tab) => ws.stages(d, sys, tab, &mut run.stats, run.t, h_try),
            Scheme::Rosenbrock(tab) => {
                // Natively compiled for the dimension; in WebAssembly one
                // copy for all (the page's size), the same bits.
                #[cfg(not(target_arch = "wasm32"))]
                let ok = ws.ros_stages(d, sys, tab, settings, &mut run.stats, run.t, h_try);
                #[cfg(target_arch = "wasm32")]
                let ok = ws.ros_stages(
                    Dynamic(dim),
                    sys,
                    tab,
                    settings,
                    &mut run.stats,
                    run.t,
                    h_try,
                );
                if !ok {
                    // I/(hγ) − J is singular: retry with half the step.
                    run.stats.rejected += 1;
                    *h = h_try * 0.5;
                    continue;
                }
            }
        }

        if adaptive {
            let err_sq = ws.error_sq(d, sch, settings, h_try);
            match ctrl.judge(err_sq, h_try, last, *h) {
                Verdict::Reject { h_retry } => {
                    run.stats.rejected += 1;
                    *h = h_retry;
                    continue;
                }
                Verdict::Accept { h_next } => *h = h_next,
            }
        } else if let Some(c) = ws.y_new[..dim].iter().position(|v| !v.is_finite()) {
            return Err(SolverError::NonFiniteState {
                t: run.t + h_try,
                component: c,
            });
        }

        // Accepted: f at the new point is the last stage (FSAL) or is
        // evaluated now (it is the next step's first stage either way).
        run.stats.accepted += 1;
        if let Scheme::Rosenbrock(_) = sch {
            ws.ros_project();
        }
        let t_new = if last { t_stop } else { run.t + h_try };
        match sch {
            Scheme::Explicit(tab) if tab.fsal => {
                let off = (tab.stages() - 1) * dim;
                ws.f_end[..dim].copy_from_slice(&ws.k[off..off + dim]);
            }
            _ => {
                sys.rhs(t_new, &ws.y_new, &mut ws.f_end);
                run.stats.rhs_evals += 1;
                ws.mask_held_end();
            }
        }
        if let Some(c) = ws.f_end[..dim].iter().position(|v| !v.is_finite()) {
            return Err(SolverError::NonFiniteState {
                t: t_new,
                component: c,
            });
        }
        if let Some(c) = ws.y_new[..dim]
            .iter()
            .position(|v| v.abs() > settings.explode_above)
        {
            return Err(SolverError::Explodes {
                t: t_new,
                component: c,
                limit: settings.explode_above,
            });
        }
        if let Some(span) = run.stats.spans.last_mut() {
            span.steps += 1;
        }

        // Stiffness: watch DP5 steps; let the automatic method switch.
        let mut switch_to = None;
        match sch {
            // Forced DP5 checks as `dopri5.f` does (every 1000th step,
            // and every step while suspicious): it only needs the verdict
            // to explain a failure, and the check costs nothing then.
            // The automatic method checks every AUTO_EVERY-th step, and
            // every step while suspicious.
            Scheme::Explicit(tab)
                if detect(sch)
                    && (detector.suspicious()
                        || run.stats.accepted % if auto { AUTO_EVERY } else { 1000 } == 0) =>
            {
                let hlamb = ws.stiffness_estimate(tab, settings, h_try);
                let limit = if auto { AUTO_HLAMB } else { STIFF_HLAMB };
                if detector.observe(run.t, hlamb, limit) && auto {
                    switch_to = Some(settings.stiff_scheme());
                }
            }
            Scheme::Rosenbrock(_) if auto && calm.observe(h_try, ws.calm_norm(settings)) => {
                switch_to = Some(Scheme::Explicit(&DOPRI5));
            }
            _ => {}
        }

        // State-triggered events inside (t, t_new].
        if let Some(cr) = ws.find_crossing(d, run.t, sch, events, h_try, settings.event_tol) {
            let t_e = run.t + cr.theta * h_try;
            ws.emit_dense(d, &mut run.out, obs, sch, run.t, h_try, t_e, false);
            ws.interpolate(d, sch, h_try, cr.theta);
            ws.y[..dim].copy_from_slice(&ws.tmp[..dim]);
            run.t = t_e;
            if run.out.every_step {
                obs.observe(run.t, &ws.y);
            }
            let stop = ws.fire(run, events, cr.trigger);
            ws.emit_upto_current(&mut run.out, obs, t_e, false);
            if let Some(span) = run.stats.spans.last_mut() {
                span.to = t_e;
            }
            if stop {
                return Ok(Next::End { stopped: true });
            }
            ws.eval(sys, &mut run.stats, run.t, 0);
            ws.refresh_g(events, run.t);
            ctrl.reset();
            if let Some(next) = switch_to {
                switch(scheme, ctrl, detector, calm, run, next);
            }
            return Ok(Next::Go(Step::Triggered(cr.trigger)));
        }

        // A grid point exactly at a timed event or at the caller's stop
        // time shows the state after what happens there (right-continuous
        // output): leave it for after.
        let at_timed_event = last
            && events
                .timed
                .get(run.timed_next)
                .is_some_and(|e| e.t <= t_stop);
        let at_stop_time = last && t_stop == *stop_at && t_stop < t1;
        let inclusive = !(at_timed_event || at_stop_time);
        ws.emit_dense(d, &mut run.out, obs, sch, run.t, h_try, t_new, inclusive);
        ws.y[..dim].copy_from_slice(&ws.y_new[..dim]);
        run.t = t_new;
        ws.k[..dim].copy_from_slice(&ws.f_end[..dim]);
        ws.jac_fresh = false;
        ws.refresh_g(events, run.t);
        if run.out.every_step {
            obs.observe(run.t, &ws.y);
        }
        if let Some(span) = run.stats.spans.last_mut() {
            span.to = run.t;
        }
        if obs.done() {
            // The observer has seen enough (see `Observer::done`).
            return Ok(Next::End { stopped: true });
        }
        if let Some(next) = switch_to {
            switch(scheme, ctrl, detector, calm, run, next);
        }
        if !run_on {
            return Ok(Next::Go(Step::Accepted));
        }
    }
}

/// Hand the integration to `next` at the current point (f there is in
/// the first stage row, as both kinds of method expect): new step-size
/// control, fresh detection, and a new span in the statistics.
fn switch(
    scheme: &mut Scheme,
    ctrl: &mut PiController,
    detector: &mut Detector,
    calm: &mut Calm,
    run: &mut Run<'_>,
    next: Scheme,
) {
    *scheme = next;
    *ctrl = PiController::new(next.err_order());
    *detector = Detector::default();
    calm.restart();
    run.stats.spans.push(MethodSpan {
        method: Method::of_scheme(next),
        from: run.t,
        to: run.t,
        steps: 0,
    });
}
