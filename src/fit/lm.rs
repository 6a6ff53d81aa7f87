//! Levenberg–Marquardt least squares on nalgebra: minimise ½ Σ r_i(θ)² for a
//! few parameters (optionally within box bounds), with a finite-difference
//! Jacobian (the residuals come
//! from ODE solves, which have no cheap analytic derivative). Written here
//! rather than taken from a crate because the problems are tiny (≤ ~10
//! parameters) and residual evaluation can fail (a solver error), which the
//! loop must treat as "step rejected", not as a crash.

use nalgebra::{DMatrix, DVector};

/// Settings for [`minimize`].
#[derive(Debug, Clone, Copy)]
pub struct LmSettings {
    /// Most iterations (accepted or rejected steps).
    pub max_iter: usize,
    /// Stop when the relative decrease of the cost falls below this.
    pub ftol: f64,
    /// Stop when the step is this small relative to θ.
    pub xtol: f64,
    /// Relative step for finite differences: h = `fd_step`·max(|θ|, `fd_floor`).
    pub fd_step: f64,
    /// Smallest |θ| the finite-difference step is scaled by (1e-8 by
    /// default; 1 makes the step absolute for log-parameters near 0).
    pub fd_floor: f64,
    /// Initial damping λ.
    pub lambda0: f64,
}

impl Default for LmSettings {
    fn default() -> Self {
        LmSettings {
            max_iter: 100,
            ftol: 1e-10,
            xtol: 1e-10,
            fd_step: 1e-6,
            fd_floor: 1e-8,
            lambda0: 1e-3,
        }
    }
}

impl LmSettings {
    /// The finite-difference step for a parameter at `theta_j`.
    pub fn fd_h(&self, theta_j: f64) -> f64 {
        self.fd_step * theta_j.abs().max(self.fd_floor)
    }
}

/// Why the iterations stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stop {
    /// The cost decreased by less than `ftol` (relative) in one step.
    CostStalled,
    /// The step was smaller than `xtol` (relative to θ).
    SmallStep,
    /// The residuals are exactly 0.
    ZeroCost,
    /// No step, however damped, lowers the cost: a minimum to within the
    /// accuracy of the residuals (or a corner of the bounds).
    NoDescent,
    /// `max_iter` iterations were used up.
    IterationLimit,
    /// The Jacobian could not be evaluated at the current point.
    JacobianFailed,
}

impl Stop {
    /// True when the stop means a (local) minimum was reached.
    pub fn converged(self) -> bool {
        !matches!(self, Stop::IterationLimit | Stop::JacobianFailed)
    }
}

/// The result of a fit.
#[derive(Debug, Clone)]
pub struct LmResult {
    /// Best parameters found.
    pub theta: Vec<f64>,
    /// ½ Σ r² at `theta`.
    pub cost: f64,
    /// Iterations used.
    pub iterations: usize,
    /// Residual evaluations used.
    pub evaluations: usize,
    /// JᵀJ at the last Jacobian evaluated (an approximate Hessian of the
    /// cost, for Laplace approximations and standard errors).
    pub jtj: DMatrix<f64>,
    /// Why the iterations stopped.
    pub stop: Stop,
}

/// Why a fit could not start.
#[derive(Debug, Clone, PartialEq)]
pub enum LmError<E> {
    /// The residuals cannot be evaluated at the starting point (why).
    Start(E),
    /// The residuals at the starting point are not finite numbers.
    NonFinite,
}

/// Box bounds on θ (each side may be infinite).
#[derive(Debug, Clone, PartialEq)]
pub struct Bounds {
    /// Lower bounds.
    pub lo: Vec<f64>,
    /// Upper bounds.
    pub hi: Vec<f64>,
}

impl Bounds {
    /// No bounds on `n` parameters.
    pub fn none(n: usize) -> Self {
        Bounds {
            lo: vec![f64::NEG_INFINITY; n],
            hi: vec![f64::INFINITY; n],
        }
    }
    /// `theta` moved into the box; true when any component moved.
    fn clamp(&self, theta: &mut DVector<f64>) -> bool {
        let mut moved = false;
        for (j, t) in theta.iter_mut().enumerate() {
            let c = t.clamp(self.lo[j], self.hi[j]);
            moved |= c != *t;
            *t = c;
        }
        moved
    }
}

/// Finite-difference Jacobian of `residuals` at `theta` (whose residuals
/// are `r`) into `jac` (m × n). Forward differences (the other side where
/// a forward point cannot be evaluated), or central ones when `central`.
/// Returns the evaluations used, or `None` when a column cannot be formed.
pub fn jacobian<E, F>(
    theta: &[f64],
    r: &[f64],
    settings: &LmSettings,
    central: bool,
    jac: &mut DMatrix<f64>,
    residuals: &mut F,
) -> Option<usize>
where
    F: FnMut(&[f64], &mut [f64]) -> Result<(), E>,
{
    let (m, n) = (r.len(), theta.len());
    let mut th = theta.to_vec();
    let mut up = vec![0.0; m];
    let mut down = vec![0.0; m];
    let mut evals = 0;
    let ok = |v: &[f64]| v.iter().all(|x| x.is_finite());
    for j in 0..n {
        let h = settings.fd_h(theta[j]);
        th[j] = theta[j] + h;
        evals += 1;
        let fwd = residuals(&th, &mut up).is_ok() && ok(&up);
        th[j] = theta[j] - h;
        let back = (central || !fwd) && {
            evals += 1;
            residuals(&th, &mut down).is_ok() && ok(&down)
        };
        th[j] = theta[j];
        for i in 0..m {
            jac[(i, j)] = match (fwd, back) {
                (true, true) => (up[i] - down[i]) / (2.0 * h),
                (true, false) => (up[i] - r[i]) / h,
                (false, true) => (r[i] - down[i]) / h,
                (false, false) => return None,
            };
        }
    }
    Some(evals)
}

/// Minimise ½‖r(θ)‖². `residuals(θ, out)` fills `out` (length `m`), or
/// says why θ cannot be evaluated (that step is rejected). Fails only if
/// the starting point itself cannot be evaluated.
pub fn minimize<E, F>(
    theta0: &[f64],
    m: usize,
    settings: &LmSettings,
    residuals: F,
) -> Result<LmResult, LmError<E>>
where
    F: FnMut(&[f64], &mut [f64]) -> Result<(), E>,
{
    minimize_in(theta0, &Bounds::none(theta0.len()), m, settings, residuals)
}

/// [`minimize`] within box bounds: steps are projected into the box, and
/// a parameter on a bound that the descent direction pushes outward is
/// held there for that step (so the others can still move).
pub fn minimize_in<E, F>(
    theta0: &[f64],
    bounds: &Bounds,
    m: usize,
    settings: &LmSettings,
    mut residuals: F,
) -> Result<LmResult, LmError<E>>
where
    F: FnMut(&[f64], &mut [f64]) -> Result<(), E>,
{
    let n = theta0.len();
    let mut theta = DVector::from_column_slice(theta0);
    bounds.clamp(&mut theta);
    let mut r = DVector::zeros(m);
    let mut evals = 1;
    residuals(theta.as_slice(), r.as_mut_slice()).map_err(LmError::Start)?;
    if r.iter().any(|v| !v.is_finite()) {
        return Err(LmError::NonFinite);
    }
    let mut cost = 0.5 * r.norm_squared();
    let mut lambda = settings.lambda0;
    let mut jac = DMatrix::zeros(m, n);
    let mut r_try = DVector::zeros(m);
    let mut th_try = theta.clone();
    let mut iterations = 0;
    let mut need_jac = true;
    let mut jtj = DMatrix::zeros(n, n);
    let mut jtr = DVector::zeros(n);
    let mut stop = Stop::IterationLimit;

    while iterations < settings.max_iter {
        iterations += 1;
        if need_jac {
            match jacobian(
                theta.as_slice(),
                r.as_slice(),
                settings,
                false,
                &mut jac,
                &mut residuals,
            ) {
                Some(e) => evals += e,
                None => {
                    stop = Stop::JacobianFailed;
                    break;
                }
            }
            jtj = jac.transpose() * &jac;
            jtr = jac.transpose() * &r;
            need_jac = false;
        }
        // (JᵀJ + λ diag(JᵀJ)) δ = −Jᵀr  (Marquardt's scaling), with the
        // parameters held on their bound removed from the system.
        let mut a = jtj.clone();
        let mut b = -&jtr;
        for j in 0..n {
            let held = (theta[j] <= bounds.lo[j] && b[j] < 0.0)
                || (theta[j] >= bounds.hi[j] && b[j] > 0.0);
            if held {
                for k in 0..n {
                    a[(j, k)] = 0.0;
                    a[(k, j)] = 0.0;
                }
                a[(j, j)] = 1.0;
                b[j] = 0.0;
            } else {
                a[(j, j)] += lambda * jtj[(j, j)].max(1e-12);
            }
        }
        let Some(delta) = a.cholesky().map(|c| c.solve(&b)) else {
            lambda *= 10.0;
            continue;
        };
        th_try.copy_from(&theta);
        th_try += &delta;
        let clamped = bounds.clamp(&mut th_try);
        evals += 1;
        let ok = residuals(th_try.as_slice(), r_try.as_mut_slice()).is_ok()
            && r_try.iter().all(|v| v.is_finite());
        let new_cost = if ok {
            0.5 * r_try.norm_squared()
        } else {
            f64::INFINITY
        };
        if new_cost < cost {
            let rel = (cost - new_cost) / cost.max(1e-300);
            // The step taken (the projected one when a bound cut it).
            let taken = if clamped {
                (&th_try - &theta).norm()
            } else {
                delta.norm()
            };
            let step = taken / (theta.norm() + 1e-12);
            theta.copy_from(&th_try);
            r.copy_from(&r_try);
            cost = new_cost;
            lambda = (lambda / 10.0).max(1e-12);
            need_jac = true;
            if cost == 0.0 {
                stop = Stop::ZeroCost;
                break;
            }
            if rel < settings.ftol {
                stop = Stop::CostStalled;
                break;
            }
            if step < settings.xtol {
                stop = Stop::SmallStep;
                break;
            }
        } else {
            lambda *= 10.0;
            if lambda > 1e12 {
                stop = Stop::NoDescent;
                break;
            }
        }
    }
    Ok(LmResult {
        theta: theta.as_slice().to_vec(),
        cost,
        iterations,
        evaluations: evals,
        jtj,
        stop,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovers_known_parameters_of_an_exponential() {
        // y = a e^{-b t}, a = 3, b = 0.7, noise-free.
        let ts: Vec<f64> = (0..10).map(|i| i as f64 * 0.5).collect();
        let ys: Vec<f64> = ts.iter().map(|t| 3.0 * (-0.7 * t).exp()).collect();
        let res = minimize(&[1.0, 0.1], ts.len(), &LmSettings::default(), |th, out| {
            for (i, t) in ts.iter().enumerate() {
                out[i] = th[0] * (-th[1] * t).exp() - ys[i];
            }
            Ok::<(), ()>(())
        })
        .unwrap();
        assert!((res.theta[0] - 3.0).abs() < 1e-6, "{:?}", res.theta);
        assert!((res.theta[1] - 0.7).abs() < 1e-6, "{:?}", res.theta);
        assert!(res.cost < 1e-12);
        assert!(res.stop.converged(), "{:?}", res.stop);
    }

    #[test]
    fn bounds_hold_a_parameter_and_the_others_still_move() {
        // min (a − 3)² + (b + 1)² with b ≥ 0: the optimum is (3, 0).
        let bounds = Bounds {
            lo: vec![f64::NEG_INFINITY, 0.0],
            hi: vec![f64::INFINITY, f64::INFINITY],
        };
        let res = minimize_in(
            &[0.0, 2.0],
            &bounds,
            2,
            &LmSettings::default(),
            |th, out| {
                out[0] = th[0] - 3.0;
                out[1] = th[1] + 1.0;
                Ok::<(), ()>(())
            },
        )
        .unwrap();
        assert!((res.theta[0] - 3.0).abs() < 1e-6, "{:?}", res.theta);
        assert_eq!(res.theta[1], 0.0);
        assert!(res.stop.converged(), "{:?}", res.stop);
    }

    #[test]
    fn central_differences_are_second_order() {
        // r(θ) = θ³ at θ = 1: exact derivative 3; forward error ≈ 3h, central ≈ h².
        let s = LmSettings {
            fd_step: 1e-3,
            ..LmSettings::default()
        };
        let mut f = |th: &[f64], out: &mut [f64]| {
            out[0] = th[0].powi(3);
            Ok::<(), ()>(())
        };
        let mut j = DMatrix::zeros(1, 1);
        jacobian(&[1.0], &[1.0], &s, false, &mut j, &mut f).unwrap();
        let fwd = (j[(0, 0)] - 3.0).abs();
        jacobian(&[1.0], &[1.0], &s, true, &mut j, &mut f).unwrap();
        let cen = (j[(0, 0)] - 3.0).abs();
        assert!(fwd > 2e-3 && fwd < 4e-3, "{fwd}");
        assert!(cen < 2e-6, "{cen}");
    }

    #[test]
    fn rejected_regions_are_avoided() {
        // Minimum at θ = 2, but θ < 0 cannot be evaluated.
        let res = minimize(&[5.0], 1, &LmSettings::default(), |th, out| {
            if th[0] < 0.0 {
                return Err("negative");
            }
            out[0] = th[0] - 2.0;
            Ok(())
        })
        .unwrap();
        assert!((res.theta[0] - 2.0).abs() < 1e-8);
        let start = minimize(&[-1.0], 1, &LmSettings::default(), |th, _| {
            if th[0] >= 0.0 {
                Ok(())
            } else {
                Err("negative")
            }
        });
        assert_eq!(start.unwrap_err(), LmError::Start("negative"));
        let nan = minimize(&[1.0], 1, &LmSettings::default(), |_, out| {
            out[0] = f64::NAN;
            Ok::<(), ()>(())
        });
        assert_eq!(nan.unwrap_err(), LmError::NonFinite);
    }
}
