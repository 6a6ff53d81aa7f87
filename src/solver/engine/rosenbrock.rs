//! One Rosenbrock step (see [`RosenbrockTableau`] for the formulas): the
//! Jacobian and ∂f/∂t at the step's start (the system's own Jacobian, or
//! finite differences), the LU factorisation of `W = I/(hγ) − J`, the
//! stages, the embedded error and the continuous extension.
//!
//! Stage rows: `k[0]` holds f(t, y) as for the explicit methods (so the
//! automatic method can switch at any step), `k[1 + i]` holds `u_i`.
//! Held (extinguished) components get zero rows in J and ∂f/∂t and a zero
//! derivative, so every `u_i` is exactly 0 there and they stay put. For a
//! nonnegative system ([`OdeSystem::nonnegative`]) results and dense output
//! are projected onto y ≥ 0.

use super::outcome::Stats;
use super::settings::{Settings, Tolerance};
use super::stepper::Dim;
use super::Solver;
use crate::solver::linalg::{lu_factor, lu_solve};
use crate::solver::tableau::RosenbrockTableau;
use crate::solver::OdeSystem;

impl Solver {
    /// J = ∂f/∂y and f_t = ∂f/∂t at the current (t, y), whose f is in `k[0]`.
    #[inline]
    fn jacobian<S: OdeSystem + ?Sized, D: Dim>(
        &mut self,
        d: D,
        sys: &S,
        stats: &mut Stats,
        t: f64,
    ) {
        let n = d.n();
        stats.jacobians += 1;
        if !sys.jacobian(t, &self.y, &mut self.jac) {
            // Forward differences, one column per component, with Hairer's
            // increment √(ε·max(1e-5, |y_j|)) (`rodas.f`).
            for j in 0..n {
                let yj = self.y[j];
                self.tmp.copy_from_slice(&self.y);
                self.tmp[j] = yj + (f64::EPSILON * yj.abs().max(1e-5)).sqrt();
                // The increment actually represented.
                let d = self.tmp[j] - yj;
                sys.rhs(t, &self.tmp, &mut self.f_tmp);
                stats.rhs_evals += 1;
                for i in 0..n {
                    self.jac[i * n + j] = (self.f_tmp[i] - self.k[i]) / d;
                }
            }
        }
        let tp = t + (f64::EPSILON * t.abs().max(1e-5)).sqrt();
        let d = tp - t;
        sys.rhs(tp, &self.y, &mut self.f_tmp);
        stats.rhs_evals += 1;
        for i in 0..n {
            self.f_t[i] = (self.f_tmp[i] - self.k[i]) / d;
        }
        if self.any_held {
            for i in 0..n {
                if self.held[i] {
                    self.jac[i * n..(i + 1) * n].fill(0.0);
                    self.f_t[i] = 0.0;
                }
            }
        }
        self.jac_fresh = true;
    }

    /// Attempt a Rosenbrock step of size h from (t, y) (f(t, y) in `k[0]`):
    /// the stages into `k[1..]` and the new state into `y_new`. False when
    /// `I/(hγ) − J` is singular (the caller retries with a smaller step).
    /// Compiled for the system's dimension `d` (a constant for small
    /// systems natively; the same operations in the same order either way,
    /// so the same bits).
    #[allow(clippy::too_many_arguments)]
    pub(super) fn ros_stages<S: OdeSystem + ?Sized, D: Dim>(
        &mut self,
        d: D,
        sys: &S,
        tab: &RosenbrockTableau,
        st: &Settings,
        stats: &mut Stats,
        t: f64,
        h: f64,
    ) -> bool {
        let n = d.n();
        if !self.jac_fresh {
            self.jacobian(d, sys, stats, t);
        }
        // The stages solve W u = r with W = I/(hγ) − J. States here span
        // twenty orders of magnitude (10^13 cells beside a population at 0
        // with atol 1e-9), and elimination errs by ε times the largest
        // entries: solved as is, the small components' u would carry
        // round-off far above their tolerance. So solve the system scaled
        // by the error weights s = atol + rtol·|y|:
        // (S⁻¹ W S)(S⁻¹ u) = S⁻¹ r, with errors relative to each weight.
        for c in 0..n {
            let w = st.atol.get(c) + st.rtol.get(c) * self.y[c].abs();
            self.ros_scale[c] = if w > 0.0 && w.is_finite() { w } else { 1.0 };
        }
        let fac = 1.0 / (h * tab.gamma);
        for i in 0..n {
            let si = self.ros_scale[i];
            for j in 0..n {
                self.lu[i * n + j] = -self.jac[i * n + j] * (self.ros_scale[j] / si);
            }
            self.lu[i * n + i] += fac;
        }
        stats.factorizations += 1;
        if lu_factor(&mut self.lu, n, &mut self.piv).is_err() {
            return false;
        }
        let inv_h = 1.0 / h;
        for i in 0..tab.stages() {
            let (done, rest) = self.k.split_at_mut((i + 1) * n);
            let ui = &mut rest[..n];
            if i == 0 {
                ui.copy_from_slice(&done[..n]);
            } else {
                // The stage's argument y + Σ_j a_ij u_j, then f there.
                // (Summed stage by stage over whole rows: per component
                // the same additions in the same order as a sum per
                // component, so the same bits, with one test per a_ij.)
                let acc = &mut self.y_stage[..n];
                acc.fill(0.0);
                for (j, &a) in tab.a[i].iter().enumerate() {
                    if a != 0.0 {
                        let uj = &done[(j + 1) * n..(j + 2) * n];
                        for (s, &u) in acc.iter_mut().zip(uj) {
                            *s += a * u;
                        }
                    }
                }
                for (s, &y) in acc.iter_mut().zip(&self.y[..n]) {
                    *s += y;
                }
                sys.rhs(t + tab.alpha[i] * h, &self.y_stage, ui);
                stats.rhs_evals += 1;
                if self.any_held {
                    for (d, &hd) in ui.iter_mut().zip(&self.held) {
                        if hd {
                            *d = 0.0;
                        }
                    }
                }
            }
            // + Σ_j (c_ij / h) u_j + γ_i h f_t, then solve W u_i = that.
            let acc = &mut self.f_tmp[..n];
            acc.fill(0.0);
            for (j, &cij) in tab.c[i].iter().enumerate() {
                if cij != 0.0 {
                    let uj = &done[(j + 1) * n..(j + 2) * n];
                    for (s, &u) in acc.iter_mut().zip(uj) {
                        *s += cij * u;
                    }
                }
            }
            let gh = tab.gamma_sum[i] * h;
            for c in 0..n {
                ui[c] += acc[c] * inv_h;
                if gh != 0.0 {
                    ui[c] += gh * self.f_t[c];
                }
                ui[c] /= self.ros_scale[c];
            }
            lu_solve(&self.lu, n, &self.piv, ui);
            for (u, &sc) in ui.iter_mut().zip(&self.ros_scale) {
                *u *= sc;
            }
        }
        // y_new = y + Σ_i m_i u_i.
        for c in 0..n {
            let mut acc = 0.0;
            for (i, &m) in tab.m.iter().enumerate() {
                if m != 0.0 {
                    acc += m * self.k[(i + 1) * n + c];
                }
            }
            self.y_new[c] = self.y[c] + acc;
        }
        if self.any_held {
            for c in 0..n {
                if self.held[c] {
                    self.y_new[c] = self.y[c];
                }
            }
        }
        true
    }

    /// For a nonnegative system, set negative components of the accepted
    /// step's result to 0 (see [`OdeSystem::nonnegative`]). The error
    /// estimate was taken before; the continuous extension ends at the
    /// projected point.
    pub(super) fn ros_project(&mut self) {
        if self.nonneg {
            for v in self.y_new.iter_mut() {
                if *v < 0.0 {
                    *v = 0.0;
                }
            }
        }
    }

    /// Square of the RMS norm of the embedded error `Σ_i e_i u_i`, scaled
    /// by the tolerances.
    pub(super) fn ros_error_sq(&self, tab: &RosenbrockTableau, st: &Settings) -> f64 {
        let n = self.dim;
        if n == 0 {
            return 0.0;
        }
        let err_c = |c: usize| {
            let mut acc = 0.0;
            for (i, &e) in tab.e.iter().enumerate() {
                if e != 0.0 {
                    acc += e * self.k[(i + 1) * n + c];
                }
            }
            acc
        };
        let mut sum = 0.0;
        for c in 0..n {
            let (atol, rtol) = match (&st.atol, &st.rtol) {
                (Tolerance::Scalar(a), Tolerance::Scalar(r)) => (*a, *r),
                _ => (st.atol.get(c), st.rtol.get(c)),
            };
            let sc = atol + rtol * self.y[c].abs().max(self.y_new[c].abs());
            let r = err_c(c) / sc;
            sum += r * r;
        }
        sum / n as f64
    }

    /// tmp = y(t + θh) in the current Rosenbrock step:
    /// `(1 − θ) y + θ (y_new + (1 − θ)(K1 + θ (K2 + θ …)))`.
    #[inline]
    pub(super) fn ros_interpolate(&mut self, tab: &RosenbrockTableau, theta: f64) {
        let n = self.dim;
        let rows = tab.dense;
        let one = 1.0 - theta;
        for c in 0..n {
            let mut kr = [0.0; RosenbrockTableau::MAX_DENSE];
            for i in 0..tab.stages() {
                let u = self.k[(i + 1) * n + c];
                for (k, row) in kr.iter_mut().zip(rows) {
                    *k += row[i] * u;
                }
            }
            // Horner from the last row: K1 + θ (K2 + θ (K3 + …)).
            let r = rows.len();
            let mut p = kr[r - 1];
            for &k in kr[..r - 1].iter().rev() {
                p = k + theta * p;
            }
            self.tmp[c] = one * self.y[c] + theta * (self.y_new[c] + one * p);
            if self.nonneg && self.tmp[c] < 0.0 {
                self.tmp[c] = 0.0;
            }
        }
        if self.any_held {
            for c in 0..n {
                if self.held[c] {
                    self.tmp[c] = self.y[c];
                }
            }
        }
    }

    /// `max_i Σ_j |J_ij| s_j / s_i` with `s = atol + rtol·|y|`: the norm of
    /// J in the solver's own error weights, an upper bound of its spectral
    /// radius used to decide when explicit steps would be stable again.
    pub(super) fn weighted_jacobian_norm(&self, st: &Settings) -> f64 {
        let n = self.dim;
        let sc =
            |c: usize| (st.atol.get(c) + st.rtol.get(c) * self.y[c].abs()).max(f64::MIN_POSITIVE);
        let mut worst = 0.0f64;
        for i in 0..n {
            let mut row = 0.0;
            for j in 0..n {
                row += self.jac[i * n + j].abs() * sc(j);
            }
            worst = worst.max(row / sc(i));
        }
        worst
    }
}
