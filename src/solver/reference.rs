//! Small, fixed test problems with known answers, used to check the solver
//! and to compare native and WebAssembly builds bit for bit
//! ([`parity_problems`], [`stiff_parity_problems`], see [`crate::parity`]).
//!
//! The right-hand sides use only `+ − × ÷`, so any difference between
//! targets comes from the solver itself (step control uses `powf`).

use super::{solve_with, Action, Condition, Direction, Events, OdeSystem, OutputGrid, Settings};
use super::{SolverError, Trigger};

/// Logistic growth y' = r y (1 − y/K).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Logistic {
    /// Growth rate r (per unit time).
    pub r: f64,
    /// Carrying capacity K (> 0).
    pub k: f64,
}

impl Logistic {
    /// The exact solution from y(0) = `y0` at time `t`:
    /// K / (1 + (K/y0 − 1) e^(−r t)).
    pub fn exact(&self, y0: f64, t: f64) -> f64 {
        self.k / (1.0 + (self.k / y0 - 1.0) * (-self.r * t).exp())
    }
}

impl OdeSystem for Logistic {
    fn dim(&self) -> usize {
        1
    }
    fn rhs(&self, _t: f64, y: &[f64], dy: &mut [f64]) {
        dy[0] = self.r * y[0] * (1.0 - y[0] / self.k);
    }
}

/// Lotka–Volterra predator–prey: x' = a x − b x y, y' = d x y − c y.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LotkaVolterra {
    /// Prey growth rate.
    pub a: f64,
    /// Predation rate.
    pub b: f64,
    /// Predator death rate.
    pub c: f64,
    /// Predator growth per prey eaten.
    pub d: f64,
}

impl OdeSystem for LotkaVolterra {
    fn dim(&self) -> usize {
        2
    }
    fn rhs(&self, _t: f64, y: &[f64], dy: &mut [f64]) {
        dy[0] = self.a * y[0] - self.b * y[0] * y[1];
        dy[1] = self.d * y[0] * y[1] - self.c * y[1];
    }
}

/// Robertson's chemical kinetics (ROBER of the IVP test set): the classic
/// stiff problem, rate constants 0.04, 1e4 and 3e7, with its Jacobian.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Robertson;

impl OdeSystem for Robertson {
    fn dim(&self) -> usize {
        3
    }
    fn rhs(&self, _t: f64, y: &[f64], dy: &mut [f64]) {
        dy[0] = -0.04 * y[0] + 1e4 * y[1] * y[2];
        dy[2] = 3e7 * y[1] * y[1];
        dy[1] = -dy[0] - dy[2];
    }
    fn jacobian(&self, _t: f64, y: &[f64], j: &mut [f64]) -> bool {
        j.copy_from_slice(&[
            -0.04,
            1e4 * y[2],
            1e4 * y[1],
            0.04,
            -1e4 * y[2] - 6e7 * y[1],
            -1e4 * y[1],
            0.0,
            6e7 * y[1],
            0.0,
        ]);
        true
    }
    fn nonnegative(&self) -> bool {
        true
    }
}

/// A system without its Jacobian (the solver differentiates it).
struct NoJacobian<S>(S);

impl<S: OdeSystem> OdeSystem for NoJacobian<S> {
    fn dim(&self) -> usize {
        self.0.dim()
    }
    fn rhs(&self, t: f64, y: &[f64], dy: &mut [f64]) {
        self.0.rhs(t, y, dy)
    }
}

/// The events used by the event problems: a dose added to the prey at
/// t = 3, and the first time the predators fall below 0.8 ends the solve.
fn dosing_events() -> Events {
    let mut ev = Events::none();
    ev.at(
        3.0,
        Action::Add {
            component: 0,
            amount: 0.75,
        },
        "dose",
    );
    ev.when(Trigger {
        condition: Condition::Threshold {
            component: 1,
            level: 0.8,
        },
        direction: Direction::Falling,
        action: Action::Stop,
        once: true,
        fire_if_initially_past: false,
        label: "predators below 0.8".into(),
    });
    ev
}

/// Final time, final state and work counters of one solve, as numbers.
fn summary(
    sys: &dyn OdeSystem,
    y0: &[f64],
    t1: f64,
    settings: &Settings,
    events: &Events,
) -> Result<Vec<f64>, SolverError> {
    let sol = solve_with(sys, 0.0, y0, t1, settings, events, &OutputGrid::None)?;
    let o = sol.outcome;
    let mut v = vec![o.t];
    v.extend_from_slice(&o.y);
    v.extend(o.events.iter().map(|e| e.t));
    v.push(o.stats.accepted as f64);
    v.push(o.stats.rejected as f64);
    v.push(o.stats.rhs_evals as f64);
    Ok(v)
}

/// [`summary`] plus the Jacobian and factorisation counts and, per span of
/// one method, its start, end and accepted steps.
fn stiff_summary(
    sys: &dyn OdeSystem,
    y0: &[f64],
    t1: f64,
    settings: &Settings,
    events: &Events,
) -> Result<Vec<f64>, SolverError> {
    let sol = solve_with(sys, 0.0, y0, t1, settings, events, &OutputGrid::None)?;
    let mut v = summary(sys, y0, t1, settings, events)?;
    let s = &sol.outcome.stats;
    v.push(s.jacobians as f64);
    v.push(s.factorizations as f64);
    for span in &s.spans {
        v.extend([span.from, span.to, span.steps as f64]);
    }
    Ok(v)
}

/// The stiff solver's reference problems, as [`parity_problems`] lists
/// them, plus Jacobian and factorisation counts and the method spans:
/// Rodas4 on the logistic (rtol 1e-10) and on the dosed Lotka–Volterra
/// problem with its stop trigger (rtol 1e-8); Robertson to t = 1e5 with
/// Rodas4 and its analytic Jacobian, with Rodas4 and difference Jacobians,
/// and with the automatic method (rtol 1e-6, atol 1e-10), which switches;
/// then Rodas5P on Lotka–Volterra (rtol 1e-8) and on Robertson with
/// difference Jacobians (rtol 1e-7), and the automatic method on Robertson
/// at rtol 1e-8, which switches to Rodas5P.
///
/// Native and WebAssembly builds must return bit-identical values
/// (`crate::parity`).
pub fn stiff_parity_problems() -> Vec<f64> {
    let logistic = Logistic { r: 1.0, k: 10.0 };
    let lv = LotkaVolterra {
        a: 1.0,
        b: 0.5,
        c: 0.75,
        d: 0.25,
    };
    let none = Events::none();
    let rober = [1.0, 0.0, 0.0];
    let runs = [
        stiff_summary(
            &logistic,
            &[0.1],
            12.0,
            &Settings::rosenbrock(1e-10, 1e-12),
            &none,
        ),
        stiff_summary(
            &lv,
            &[2.0, 1.0],
            30.0,
            &Settings::rosenbrock(1e-8, 1e-10),
            &dosing_events(),
        ),
        stiff_summary(
            &Robertson,
            &rober,
            1e5,
            &Settings::rosenbrock(1e-6, 1e-10),
            &none,
        ),
        stiff_summary(
            &NoJacobian(Robertson),
            &rober,
            1e5,
            &Settings::rosenbrock(1e-6, 1e-10),
            &none,
        ),
        stiff_summary(&Robertson, &rober, 1e5, &Settings::auto(1e-6, 1e-10), &none),
        // Rodas5P: on the dosed Lotka–Volterra problem, on Robertson with
        // difference Jacobians, and as the automatic method's stiff
        // method below rtol 1e-6.
        stiff_summary(
            &lv,
            &[2.0, 1.0],
            30.0,
            &Settings::rodas5p(1e-8, 1e-10),
            &dosing_events(),
        ),
        stiff_summary(
            &NoJacobian(Robertson),
            &rober,
            1e5,
            &Settings::rodas5p(1e-7, 1e-11),
            &none,
        ),
        stiff_summary(&Robertson, &rober, 1e5, &Settings::auto(1e-8, 1e-12), &none),
    ];
    runs.into_iter()
        .flat_map(|r| r.unwrap_or_else(|_| vec![f64::NAN]))
        .collect()
}

/// Solve the fixed reference problems and return their final values, in a
/// fixed order: for each problem the final time, the final state, the
/// times of the events that fired, and the accepted/rejected step and
/// right-hand-side evaluation counts.
///
/// The problems: logistic growth (r = 1, K = 10, y0 = 0.1, to t = 12)
/// with Dormand–Prince at rtol 1e-10 and with RK4 at dt = 0.05; and
/// Lotka–Volterra (1, 0.5, 0.75, 0.25 from (2, 1)) to t = 30 with a dose at
/// t = 3 and a stop when the predators first fall below 0.8, with
/// Dormand–Prince at rtol 1e-8 and RK4 at dt = 0.01.
///
/// Native and WebAssembly builds must return bit-identical values: the
/// test suite compares them (`tests/parity.rs`, `tests/wasm.rs`). A solve
/// that fails contributes a single NaN, which never compares equal to a
/// native success.
pub fn parity_problems() -> Vec<f64> {
    let logistic = Logistic { r: 1.0, k: 10.0 };
    let lv = LotkaVolterra {
        a: 1.0,
        b: 0.5,
        c: 0.75,
        d: 0.25,
    };
    let none = Events::none();
    let dosing = dosing_events();
    let runs = [
        summary(
            &logistic,
            &[0.1],
            12.0,
            &Settings::dopri5(1e-10, 1e-12),
            &none,
        ),
        summary(&logistic, &[0.1], 12.0, &Settings::rk4(0.05), &none),
        summary(
            &lv,
            &[2.0, 1.0],
            30.0,
            &Settings::dopri5(1e-8, 1e-10),
            &dosing,
        ),
        summary(&lv, &[2.0, 1.0], 30.0, &Settings::rk4(0.01), &dosing),
    ];
    runs.into_iter()
        .flat_map(|r| r.unwrap_or_else(|_| vec![f64::NAN]))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logistic_matches_its_exact_solution() {
        let v = parity_problems();
        let exact = Logistic { r: 1.0, k: 10.0 }.exact(0.1, 12.0);
        // [t, y, accepted, rejected, evals] for the DP5 logistic run.
        assert_eq!(v[0], 12.0);
        assert!((v[1] - exact).abs() < 1e-8 * exact, "{} vs {exact}", v[1]);
        // RK4 run follows: [t, y, 240 steps, 0 rejected, 4 evals per step + 1].
        assert_eq!(v[5], 12.0);
        assert!((v[6] - exact).abs() < 1e-6 * exact, "{} vs {exact}", v[6]);
        assert_eq!((v[7], v[8]), (240.0, 0.0));
        assert_eq!(v[9], 4.0 * v[7] + 1.0);
    }

    #[test]
    fn event_problems_dose_then_stop() {
        let v = parity_problems();
        // DP5 event run starts at index 10: [t_stop, x, y, t_dose, t_stop, …].
        let (t_stop, pred, t_dose, t_fired) = (v[10], v[12], v[13], v[14]);
        assert_eq!(t_dose, 3.0);
        assert!(t_stop > 3.0 && t_stop < 30.0, "stopped at {t_stop}");
        assert_eq!(t_fired, t_stop);
        assert!((pred - 0.8).abs() < 1e-6, "predators {pred} at the stop");
        // The RK4 event run stops at nearly the same time.
        let rk4_stop = v[18];
        assert!((rk4_stop - t_stop).abs() < 1e-4, "{rk4_stop} vs {t_stop}");
    }

    #[test]
    fn no_problem_fails() {
        assert!(parity_problems().iter().all(|x| x.is_finite()));
        assert!(stiff_parity_problems().iter().all(|x| x.is_finite()));
    }

    #[test]
    fn the_stiff_problems_match_what_they_should() {
        let v = stiff_parity_problems();
        // Logistic with Rodas4: [t, y, acc, rej, evals, J, LU, from, to, steps].
        let exact = Logistic { r: 1.0, k: 10.0 }.exact(0.1, 12.0);
        assert_eq!(v[0], 12.0);
        assert!((v[1] - exact).abs() < 1e-8 * exact, "{} vs {exact}", v[1]);
        assert_eq!((v[7], v[8], v[9]), (0.0, 12.0, v[2]));
        // The dosed Lotka–Volterra problem stops where DP5 stops it.
        let dp5 = parity_problems();
        let (t_stop, t_dp5) = (v[10], dp5[10]);
        assert!((t_stop - t_dp5).abs() < 1e-5, "{t_stop} vs {t_dp5}");
    }
}
