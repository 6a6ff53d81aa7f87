//! What a solve is asked to do: the [`Method`], its [`Tolerance`]s and the
//! rest of the [`Settings`], with their validation.

use crate::solver::error::SolverError;
use crate::solver::tableau::{RosenbrockTableau, Tableau, DOPRI5, RK4, RODAS4, RODAS5P};

/// The automatic method steps with Rodas5P instead of Rodas4 while the
/// problem is stiff when rtol is below this ([`Settings::stiff_scheme`]).
/// The default rtol (1e-6) keeps Rodas4.
pub const AUTO_RODAS5P_BELOW: f64 = 1e-6;

/// Which method to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Method {
    /// Adaptive Dormand–Prince 5(4) with PI step control and dense output.
    #[default]
    Dopri5,
    /// Classical Runge–Kutta 4 with a fixed step `dt`.
    Rk4,
    /// The stiff solver: adaptive Rosenbrock method Rodas4 (order 4(3),
    /// L-stable, dense output; [`RODAS4`]), one LU factorisation of
    /// `I/(hγ) − J` per step.
    Rosenbrock,
    /// The fifth-order stiff solver: adaptive Rosenbrock method Rodas5P
    /// (order 5(4), L-stable, fourth-order dense output; [`RODAS5P`]), eight
    /// stages per LU factorisation. Fewer steps than Rodas4 at tight
    /// tolerances.
    Rodas5p,
    /// Automatic switching: Dormand–Prince while the problem is not stiff,
    /// Rosenbrock while it is (Rodas4, or Rodas5P when rtol is below
    /// [`AUTO_RODAS5P_BELOW`]; Hairer's stiffness detection for DP5; back to
    /// DP5 when the Rosenbrock steps become small enough for DP5 to be
    /// stable). [`Stats::spans`](super::Stats::spans) says which ran when.
    Auto,
}

/// The coefficients a method steps with.
#[derive(Debug, Clone, Copy)]
pub enum Scheme {
    /// An explicit Runge–Kutta tableau.
    Explicit(&'static Tableau),
    /// A Rosenbrock tableau.
    Rosenbrock(&'static RosenbrockTableau),
}

impl Scheme {
    /// Does the method carry an embedded error estimate?
    pub fn has_error_estimate(self) -> bool {
        match self {
            Scheme::Explicit(t) => t.e.is_some(),
            Scheme::Rosenbrock(_) => true,
        }
    }

    /// Classical order of the propagated solution.
    pub fn order(self) -> u32 {
        match self {
            Scheme::Explicit(t) => t.order,
            Scheme::Rosenbrock(t) => t.order,
        }
    }

    /// Exponent order of step-size control.
    pub fn err_order(self) -> u32 {
        match self {
            Scheme::Explicit(t) => t.err_order,
            Scheme::Rosenbrock(t) => t.err_order,
        }
    }

    /// Stage rows the workspace needs: the stages of an explicit method;
    /// f(t, y) plus one row per stage for a Rosenbrock method.
    pub fn rows(self) -> usize {
        match self {
            Scheme::Explicit(t) => t.stages(),
            Scheme::Rosenbrock(t) => t.stages() + 1,
        }
    }
}

impl Method {
    /// What the method steps with first (`Auto` starts with Dormand–Prince).
    pub fn scheme(self) -> Scheme {
        match self {
            Method::Dopri5 | Method::Auto => Scheme::Explicit(&DOPRI5),
            Method::Rk4 => Scheme::Explicit(&RK4),
            Method::Rosenbrock => Scheme::Rosenbrock(&RODAS4),
            Method::Rodas5p => Scheme::Rosenbrock(&RODAS5P),
        }
    }

    /// The method that steps with `scheme` (the automatic method reports
    /// the method it runs: DP5 or a Rosenbrock method).
    pub fn of_scheme(scheme: Scheme) -> Method {
        match scheme {
            Scheme::Rosenbrock(t) if std::ptr::eq(t, &RODAS5P) => Method::Rodas5p,
            Scheme::Rosenbrock(_) => Method::Rosenbrock,
            Scheme::Explicit(t) if std::ptr::eq(t, &RK4) => Method::Rk4,
            Scheme::Explicit(_) => Method::Dopri5,
        }
    }

    /// Parse `dopri5` / `rk4` / `rosenbrock` / `rodas5p` / `auto` (as used
    /// on the CLI and in URLs).
    pub fn parse(s: &str) -> Option<Method> {
        match s {
            "dopri5" | "dp5" => Some(Method::Dopri5),
            "rk4" => Some(Method::Rk4),
            "rosenbrock" | "rodas4" => Some(Method::Rosenbrock),
            "rodas5p" => Some(Method::Rodas5p),
            "auto" => Some(Method::Auto),
            _ => None,
        }
    }

    /// Name used on the CLI and in URLs.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Dopri5 => "dopri5",
            Method::Rk4 => "rk4",
            Method::Rosenbrock => "rosenbrock",
            Method::Rodas5p => "rodas5p",
            Method::Auto => "auto",
        }
    }

    /// Every method's name, in the order help texts list them.
    pub const NAMES: [&'static str; 5] = ["dopri5", "rk4", "rosenbrock", "rodas5p", "auto"];
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
    /// The tolerance of component `i`.
    #[inline(always)]
    pub(super) fn get(&self, i: usize) -> f64 {
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

/// Solver settings. `Settings::default()` is the automatic method (Dormand–Prince,
/// switching to Rodas4 while the problem is stiff; Rodas5P below rtol 1e-6) at
/// rtol 1e-6: on every preset
/// it takes the same steps as Dormand–Prince alone (BENCHMARKS.md, "auto against
/// DP5 on the presets").
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
    /// A state whose size exceeds this has exploded: the solve stops with
    /// [`SolverError::Explodes`] (default 10^30; +∞ switches it off).
    pub explode_above: f64,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            method: Method::Auto,
            rtol: Tolerance::Scalar(1e-6),
            atol: Tolerance::Scalar(1e-9),
            dt: 0.01,
            adaptive: true,
            h0: None,
            h_max: f64::INFINITY,
            h_min: 0.0,
            max_steps: 200_000,
            event_tol: 1e-10,
            explode_above: 1e30,
        }
    }
}

impl Settings {
    /// Adaptive Dormand–Prince with the given scalar tolerances.
    pub fn dopri5(rtol: f64, atol: f64) -> Self {
        Settings {
            method: Method::Dopri5,
            rtol: Tolerance::Scalar(rtol),
            atol: Tolerance::Scalar(atol),
            ..Settings::default()
        }
    }

    /// The adaptive Rosenbrock method (Rodas4) with the given scalar tolerances.
    pub fn rosenbrock(rtol: f64, atol: f64) -> Self {
        Settings {
            method: Method::Rosenbrock,
            ..Settings::dopri5(rtol, atol)
        }
    }

    /// The fifth-order Rosenbrock method (Rodas5P) with the given scalar
    /// tolerances.
    pub fn rodas5p(rtol: f64, atol: f64) -> Self {
        Settings {
            method: Method::Rodas5p,
            ..Settings::dopri5(rtol, atol)
        }
    }

    /// Automatic switching between Dormand–Prince and Rosenbrock, with the
    /// given scalar tolerances.
    pub fn auto(rtol: f64, atol: f64) -> Self {
        Settings {
            method: Method::Auto,
            ..Settings::dopri5(rtol, atol)
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

    /// The Rosenbrock method the automatic method switches to while the
    /// problem is stiff: Rodas4 at the default tolerance and looser,
    /// Rodas5P when every component's rtol is tighter than
    /// [`AUTO_RODAS5P_BELOW`] (there its fifth order takes 1.7–2.3× fewer
    /// steps than Rodas4's fourth and the solve is faster at equal
    /// accuracy: BENCHMARKS.md, "Stiff problems and the automatic method").
    pub fn stiff_scheme(&self) -> Scheme {
        let loosest = match &self.rtol {
            Tolerance::Scalar(r) => *r,
            Tolerance::PerComponent(v) => v.iter().copied().fold(0.0, f64::max),
        };
        if loosest < AUTO_RODAS5P_BELOW {
            Scheme::Rosenbrock(&RODAS5P)
        } else {
            Scheme::Rosenbrock(&RODAS4)
        }
    }

    /// Check the settings for a system of `dim` components.
    pub fn validate(&self, dim: usize) -> Result<(), SolverError> {
        let bad = |m: String| Err(SolverError::InvalidInput(m));
        let adaptive = self.adaptive && self.method.scheme().has_error_estimate();
        if self.method == Method::Auto && !adaptive {
            return bad("the automatic method switches on step-size control: \
                        it cannot run with a fixed step"
                .into());
        }
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
        if self.explode_above.is_nan() || self.explode_above <= 0.0 {
            return bad(format!(
                "explode_above must be > 0, got {}",
                self.explode_above
            ));
        }
        Ok(())
    }
}
