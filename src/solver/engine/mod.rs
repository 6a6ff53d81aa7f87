//! The one stepping engine. It takes a [`Tableau`](crate::solver::Tableau),
//! a system, settings and events, and integrates; it knows nothing about
//! the models it solves.
//!
//! All buffers live in a [`Solver`] that can be reused across solves, so a
//! step allocates nothing; only the caller's [`Observer`] may store output
//! (and each event that fires logs its states).
//!
//! Two ways to drive it:
//!
//! * [`Solver::solve`] integrates a whole interval in one call.
//! * [`Solver::start`] returns an [`Integration`], a handle in the shape of
//!   diffsol's `OdeSolverMethod`: [`step`](Integration::step) one step at a
//!   time, [`advance_to`](Integration::advance_to) a time (landing on it
//!   exactly), look at or change the state there
//!   ([`state`](Integration::state), [`apply`](Integration::apply)), see
//!   whether a trigger has [`fired`](Integration::fired) or
//!   [`disarm`](Integration::disarm) it, and [`finish`](Integration::finish).
//!   A course whose later events depend on what happened earlier is then
//!   one integration instead of solves stitched together. `solve` is
//!   exactly `start` followed by `finish`.
//!
//! Layout: [`settings`] (what is asked), [`integration`] (the stepping
//! loop), `stepper` (one Runge–Kutta step, dense output), `rosenbrock`
//! (one Rosenbrock step: Jacobian, LU, stages, dense output), `switching`
//! (stiffness detection and the automatic method's switches),
//! [`crate::solver::control`] (step-size control), `firing` (event
//! location and firing), [`output`] (grids and observers), [`outcome`]
//! (what a solve reports).

mod firing;
pub mod integration;
pub mod outcome;
pub mod output;
mod rosenbrock;
pub mod settings;
mod stepper;
mod switching;

pub use integration::{Integration, Step};
pub use outcome::{EventRecord, MethodSpan, Outcome, Stats};
pub use output::{Observer, OutputGrid, Trajectory};
pub use settings::{Method, Scheme, Settings, Tolerance, AUTO_RODAS5P_BELOW};

use super::error::SolverError;
use super::events::Events;
use super::OdeSystem;
use output::GridCursor;

/// Largest number of stages a tableau may have.
const MAX_STAGES: usize = 16;

/// Reusable solver workspace. Create one per thread and call
/// [`Solver::solve`] (or [`Solver::start`]) as often as you like; it only
/// grows its buffers when a larger system comes along.
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
    /// Dense output of the current explicit step: the four rows (of `dim`)
    /// of [`DenseOutput::HermiteQuartic`](super::DenseOutput::HermiteQuartic)'s
    /// polynomial in θ. Built at the step's first interpolation; then each
    /// output point costs four multiply–adds per component.
    dense: Vec<f64>,
    /// `dense` belongs to the current step's stages (cleared whenever
    /// stages are computed: a step interpolates only between its stages
    /// and the next step's).
    dense_ready: bool,
    held: Vec<bool>,
    /// True when any component is held (lets the hot loops skip the masks).
    any_held: bool,
    g_prev: Vec<f64>,
    /// Per trigger: has it fired in this solve?
    fired: Vec<bool>,
    /// Per trigger: switched off by the caller ([`Integration::disarm`]).
    disarmed: Vec<bool>,
    /// Rosenbrock: ∂f/∂y at the step's start, row-major `dim × dim`.
    jac: Vec<f64>,
    /// Rosenbrock: the LU factors of `I/(hγ) − J`.
    lu: Vec<f64>,
    /// Rosenbrock: the pivot rows of `lu`.
    piv: Vec<usize>,
    /// Rosenbrock: ∂f/∂t at the step's start.
    f_t: Vec<f64>,
    /// Rosenbrock: scratch for perturbed right-hand sides.
    f_tmp: Vec<f64>,
    /// Rosenbrock: the error weights that scale the stage systems.
    ros_scale: Vec<f64>,
    /// `jac` and `f_t` belong to the current (t, y) (a rejected step keeps them).
    jac_fresh: bool,
    /// The system is nonnegative ([`OdeSystem::nonnegative`]): Rosenbrock
    /// results are projected onto y ≥ 0.
    nonneg: bool,
}

impl Solver {
    /// A new, empty workspace.
    pub fn new() -> Self {
        Self::default()
    }

    /// Size the buffers for a solve: `rows` stage rows of `dim`, and the
    /// Rosenbrock matrices when `implicit`.
    fn prepare(&mut self, dim: usize, rows: usize, n_triggers: usize, implicit: bool) {
        self.dim = dim;
        let resize = |v: &mut Vec<f64>, n: usize| {
            v.clear();
            v.resize(n, 0.0);
        };
        resize(&mut self.k, rows * dim);
        let m = if implicit { dim } else { 0 };
        resize(&mut self.jac, m * m);
        resize(&mut self.lu, m * m);
        resize(&mut self.f_t, m);
        resize(&mut self.f_tmp, m);
        resize(&mut self.ros_scale, m);
        self.piv.clear();
        self.piv.resize(m, 0);
        self.jac_fresh = false;
        resize(&mut self.y, dim);
        resize(&mut self.y_new, dim);
        resize(&mut self.y_stage, dim);
        resize(&mut self.f_end, dim);
        resize(&mut self.tmp, dim);
        self.dense_ready = false;
        resize(&mut self.g_prev, n_triggers);
        self.held.clear();
        self.held.resize(dim, false);
        self.any_held = false;
        self.fired.clear();
        self.fired.resize(n_triggers, false);
        self.disarmed.clear();
        self.disarmed.resize(n_triggers, false);
    }

    /// Integrate `sys` from `(t0, y0)` to `t1`, calling `obs` at each output
    /// point and applying `events` on the way. The same as
    /// [`start`](Solver::start) followed by [`Integration::finish`].
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
        self.start(sys, t0, y0, t1, settings, events, output, obs)?
            .finish()
    }
}

/// Where a solve is: time, counters, event log and progress through the
/// timed events and the output grid.
#[derive(Debug)]
struct Run<'g> {
    t: f64,
    stats: Stats,
    records: Vec<EventRecord>,
    /// Index of the next timed event to apply.
    timed_next: usize,
    out: GridCursor<'g>,
}
