//! Levenberg–Marquardt least squares on nalgebra: minimise ½ Σ r_i(θ)² for a
//! few parameters, with a finite-difference Jacobian (the residuals come
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
    /// Relative step for finite differences.
    pub fd_step: f64,
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
            lambda0: 1e-3,
        }
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
    /// JᵀJ at the solution (an approximate Hessian of the cost, for Laplace
    /// approximations and standard errors).
    pub jtj: DMatrix<f64>,
}

/// Why a fit could not start.
#[derive(Debug, Clone, PartialEq)]
pub enum LmError<E> {
    /// The residuals cannot be evaluated at the starting point (why).
    Start(E),
    /// The residuals at the starting point are not finite numbers.
    NonFinite,
}

/// Minimise ½‖r(θ)‖². `residuals(θ, out)` fills `out` (length `m`), or
/// says why θ cannot be evaluated (that step is rejected). Fails only if
/// the starting point itself cannot be evaluated.
pub fn minimize<E, F>(
    theta0: &[f64],
    m: usize,
    settings: &LmSettings,
    mut residuals: F,
) -> Result<LmResult, LmError<E>>
where
    F: FnMut(&[f64], &mut [f64]) -> Result<(), E>,
{
    let n = theta0.len();
    let mut theta = DVector::from_column_slice(theta0);
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

    while iterations < settings.max_iter {
        iterations += 1;
        if need_jac {
            // Forward differences, column by column.
            for j in 0..n {
                let h = settings.fd_step * theta[j].abs().max(1e-8);
                th_try.copy_from(&theta);
                th_try[j] += h;
                evals += 1;
                if residuals(th_try.as_slice(), r_try.as_mut_slice()).is_err() {
                    // Try the other side.
                    th_try[j] = theta[j] - h;
                    evals += 1;
                    if residuals(th_try.as_slice(), r_try.as_mut_slice()).is_err() {
                        return Ok(finish(theta, cost, iterations, evals, jtj));
                    }
                    for i in 0..m {
                        jac[(i, j)] = (r[i] - r_try[i]) / h;
                    }
                } else {
                    for i in 0..m {
                        jac[(i, j)] = (r_try[i] - r[i]) / h;
                    }
                }
            }
            jtj = jac.transpose() * &jac;
            jtr = jac.transpose() * &r;
            need_jac = false;
        }
        // (JᵀJ + λ diag(JᵀJ)) δ = −Jᵀr  (Marquardt's scaling).
        let mut a = jtj.clone();
        for j in 0..n {
            a[(j, j)] += lambda * jtj[(j, j)].max(1e-12);
        }
        let Some(delta) = a.cholesky().map(|c| c.solve(&(-&jtr))) else {
            lambda *= 10.0;
            continue;
        };
        th_try.copy_from(&theta);
        th_try += &delta;
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
            let step = delta.norm() / (theta.norm() + 1e-12);
            theta.copy_from(&th_try);
            r.copy_from(&r_try);
            cost = new_cost;
            lambda = (lambda / 10.0).max(1e-12);
            need_jac = true;
            if rel < settings.ftol || step < settings.xtol || cost == 0.0 {
                break;
            }
        } else {
            lambda *= 10.0;
            if lambda > 1e12 {
                break;
            }
        }
    }
    Ok(finish(theta, cost, iterations, evals, jtj))
}

fn finish(
    theta: DVector<f64>,
    cost: f64,
    iterations: usize,
    evaluations: usize,
    jtj: DMatrix<f64>,
) -> LmResult {
    LmResult {
        theta: theta.as_slice().to_vec(),
        cost,
        iterations,
        evaluations,
        jtj,
    }
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
