//! Runge–Kutta solvers written for cartsim: one stepping engine driven by
//! Butcher tableaus ([`tableau`]), fixed-step classical RK4 and adaptive
//! Dormand–Prince 5(4) with per-component tolerances, PI step control, FSAL,
//! automatic first step and dense output ([`engine`], step-size control in
//! [`control`]); timed and state-triggered events ([`events`]); failures as
//! typed values ([`SolverError`]).
//!
//! A whole interval is one call ([`solve`], [`Solver::solve`]); a course
//! whose later events depend on its state can be driven step by step
//! ([`Solver::start`] and [`Integration`]).
//!
//! The solver knows nothing about leukemia: a model implements
//! [`OdeSystem`] and the solver integrates it.
//!
//! ```
//! use cartsim::solver::{solve, OdeSystem, Settings};
//! struct Decay;
//! impl OdeSystem for Decay {
//!     fn dim(&self) -> usize { 1 }
//!     fn rhs(&self, _t: f64, y: &[f64], dy: &mut [f64]) { dy[0] = -y[0]; }
//! }
//! let sol = solve(&Decay, 0.0, &[1.0], 1.0, &Settings::dopri5(1e-10, 1e-12)).unwrap();
//! assert!((sol.outcome.y[0] - (-1.0f64).exp()).abs() < 1e-9);
//! ```

pub mod control;
pub mod engine;
pub mod error;
pub mod events;
pub mod reference;
pub mod tableau;

pub use engine::{
    EventRecord, Integration, Method, Observer, Outcome, OutputGrid, Settings, Solver, Stats, Step,
    Tolerance, Trajectory,
};
pub use error::SolverError;
pub use events::{Action, Condition, Direction, Events, TimedEvent, Trigger};
pub use tableau::{DenseOutput, Tableau, DOPRI5, RK4};

/// A system of ordinary differential equations y' = f(t, y).
pub trait OdeSystem {
    /// Number of state components.
    fn dim(&self) -> usize;
    /// Write f(t, y) into `dy`. Called in the hot loop: must not allocate.
    fn rhs(&self, t: f64, y: &[f64], dy: &mut [f64]);
}

/// A trajectory and its outcome.
#[derive(Debug, Clone, PartialEq)]
pub struct Solution {
    /// Output points (every accepted step for [`solve`]).
    pub trajectory: Trajectory,
    /// Final state, statistics and events.
    pub outcome: Outcome,
}

/// Solve with no events, output at every accepted step (convenience).
pub fn solve<S: OdeSystem + ?Sized>(
    sys: &S,
    t0: f64,
    y0: &[f64],
    t1: f64,
    settings: &Settings,
) -> Result<Solution, SolverError> {
    solve_with(
        sys,
        t0,
        y0,
        t1,
        settings,
        &Events::none(),
        &OutputGrid::Steps,
    )
}

/// Solve with events and a chosen output grid, storing the trajectory.
pub fn solve_with<S: OdeSystem + ?Sized>(
    sys: &S,
    t0: f64,
    y0: &[f64],
    t1: f64,
    settings: &Settings,
    events: &Events,
    output: &OutputGrid,
) -> Result<Solution, SolverError> {
    let mut traj = Trajectory::new(sys.dim());
    let outcome = Solver::new().solve(sys, t0, y0, t1, settings, events, output, &mut traj)?;
    Ok(Solution {
        trajectory: traj,
        outcome,
    })
}

/// `n + 1` equally spaced times from `t0` to `t1` inclusive (the last is exactly `t1`).
pub fn linspace(t0: f64, t1: f64, n: usize) -> Vec<f64> {
    if n == 0 {
        return vec![t0];
    }
    let mut v: Vec<f64> = (0..=n)
        .map(|i| t0 + (t1 - t0) * i as f64 / n as f64)
        .collect();
    v[n] = t1;
    v
}
