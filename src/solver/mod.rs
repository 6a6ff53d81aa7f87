//! ODE solvers written for cartsim: one stepping engine driven by method
//! coefficients ([`tableau`]): fixed-step classical RK4, adaptive
//! Dormand–Prince 5(4) with per-component tolerances, PI step control, FSAL,
//! automatic first step and dense output, the stiff solvers Rodas4 and
//! Rodas5P (linearly implicit Rosenbrock methods of order 4 and 5: an
//! analytic or finite-difference Jacobian and one LU factorisation per
//! step, [`linalg`]) and automatic switching between DP5 and Rodas4, or
//! Rodas5P below rtol 1e-6 ([`Method::Auto`]) ([`engine`],
//! step-size control in [`control`]); timed and state-triggered events
//! ([`events`]); failures as typed values ([`SolverError`]).
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
pub mod linalg;
pub mod reference;
pub mod tableau;

pub use engine::{
    EventRecord, Integration, Method, MethodSpan, Observer, Outcome, OutputGrid, Scheme, Settings,
    Solver, Stats, Step, Tolerance, Trajectory, AUTO_RODAS5P_BELOW,
};
pub use error::SolverError;
pub use events::{Action, Condition, Direction, Events, TimedEvent, Trigger};
pub use tableau::{DenseOutput, RosenbrockTableau, Tableau, DOPRI5, RK4, RODAS4, RODAS5P};

/// A system of ordinary differential equations y' = f(t, y).
pub trait OdeSystem {
    /// Number of state components.
    fn dim(&self) -> usize;
    /// Write f(t, y) into `dy`. Called in the hot loop: must not allocate.
    fn rhs(&self, t: f64, y: &[f64], dy: &mut [f64]);
    /// Write the Jacobian ∂f/∂y at (t, y) into `jac`, row-major
    /// (`jac[i * dim + j] = ∂f_i/∂y_j`, length `dim²`), and return true; or
    /// return false (the default) to let the solver use finite differences.
    /// Only the Rosenbrock method asks for it (once per step). Must not
    /// allocate.
    fn jacobian(&self, t: f64, y: &[f64], jac: &mut [f64]) -> bool {
        let _ = (t, y, jac);
        false
    }
    /// True when every component of the exact solution stays ≥ 0 (cell
    /// counts). Rosenbrock steps then set negative components of their
    /// results to 0: the L-stable method damps a fast decay with a small
    /// factor of either sign, and a negative population would grow back as
    /// a negative one. Projecting onto y ≥ 0 never moves a component away
    /// from an exact solution that is ≥ 0. Default false.
    fn nonnegative(&self) -> bool {
        false
    }
}

/// The Jacobian of `sys` at (t, y) by central differences, row-major: a
/// reference to check an analytic [`OdeSystem::jacobian`] against (it
/// allocates; not for the hot loop).
pub fn jacobian_by_differences<S: OdeSystem + ?Sized>(sys: &S, t: f64, y: &[f64]) -> Vec<f64> {
    let n = sys.dim();
    let mut jac = vec![0.0; n * n];
    let (mut yp, mut ym) = (y.to_vec(), y.to_vec());
    let (mut fp, mut fm) = (vec![0.0; n], vec![0.0; n]);
    for j in 0..n {
        // Central differences: error O(d²); d balances it against round-off.
        let d = f64::EPSILON.cbrt() * y[j].abs().max(1e-3);
        yp[j] = y[j] + d;
        ym[j] = y[j] - d;
        sys.rhs(t, &yp, &mut fp);
        sys.rhs(t, &ym, &mut fm);
        for i in 0..n {
            jac[i * n + j] = (fp[i] - fm[i]) / (yp[j] - ym[j]);
        }
        yp[j] = y[j];
        ym[j] = y[j];
    }
    jac
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
