//! One Runge–Kutta step and what it needs: stage derivatives, the new
//! state, the embedded error norm, the automatic first step and the
//! continuous extension used for dense output and event location. Held
//! (extinguished) components keep a zero derivative throughout.

use super::outcome::Stats;
use super::settings::{Scheme, Settings, Tolerance};
use super::Solver;
use crate::solver::tableau::{DenseOutput, Tableau, DOPRI5, RK4};
use crate::solver::OdeSystem;
// Portable pow: step sizes must be bit-identical natively and in wasm.
use crate::math::pow;

/// The state dimension as the step kernels see it: [`Fixed`] when it is a
/// compile-time constant, [`Dynamic`] otherwise. Each kernel is written
/// once, generic over `Dim`; with a constant the slices have known
/// lengths, so bounds checks vanish and the component loops unroll.
pub(super) trait Dim: Copy {
    /// True when the dimension is a compile-time constant of at most
    /// [`LOCAL_DIM`]: a step can then keep its stages in local arrays.
    const LOCAL: bool;
    /// True when a step kernel's loops over the components (and over a
    /// constant tableau's stages) are written out in the source (see
    /// [`for_components!`]) rather than left to the compiler.
    const WRITTEN_OUT: bool;
    /// Number of state components.
    fn n(self) -> usize;
}

/// The largest dimension whose stages a step keeps in local arrays (the
/// largest [`Fixed`] dimension the engine instantiates).
const LOCAL_DIM: usize = 9;
/// The most stages a step keeps in local arrays (DOPRI5's seven; RK4 has
/// four).
const LOCAL_STAGES: usize = 7;

/// A dimension known when compiling.
#[derive(Clone, Copy)]
pub(super) struct Fixed<const N: usize>;

impl<const N: usize> Dim for Fixed<N> {
    const LOCAL: bool = N <= LOCAL_DIM;
    // Always in WebAssembly: the page's module is optimised for size, and
    // LLVM leaves loops as loops there, so the stages would sit in memory
    // (the page's fig6 heat-map cells 25–30% slower). Natively LLVM
    // unrolls them itself; written out, 4 components (the clinical model)
    // ran ~15% faster and 7 (the marrow model) ~6% slower, so natively
    // only up to 4 (issue 19; the commit message has the A/B).
    const WRITTEN_OUT: bool = N <= LOCAL_DIM && (cfg!(target_arch = "wasm32") || N <= 4);
    #[inline(always)]
    fn n(self) -> usize {
        N
    }
}

/// A dimension known only at run time.
#[derive(Clone, Copy)]
pub(super) struct Dynamic(pub(super) usize);

impl Dim for Dynamic {
    const LOCAL: bool = false;
    const WRITTEN_OUT: bool = false;
    #[inline(always)]
    fn n(self) -> usize {
        self.0
    }
}

/// Run `$body` with `$t` bound to `$tab`, as a compile-time constant when
/// it is DOPRI5 (the default method's, and the one the automatic method
/// starts with) or, natively, RK4: the kernels are inlined into each copy,
/// so the coefficients fold and zero entries drop out when compiled. Any
/// other tableau (and RK4 in WebAssembly) runs the same code with its
/// coefficients read at run time: a constant RK4 makes the page ~4 KB
/// (gzipped) larger for a method used only when asked for. The same
/// operations either way, so the same bits.
/// `$u` says whether the stage loops are written out (constant
/// coefficients only: with run-time ones a loop is far smaller).
macro_rules! with_tableau {
    ($tab:expr, |$t:ident, $u:ident| $body:expr) => {{
        let tab: &Tableau = $tab;
        if std::ptr::eq(tab, &DOPRI5) {
            let ($t, $u): (&Tableau, bool) = (&DOPRI5, true);
            $body
        } else if cfg!(not(target_arch = "wasm32")) && std::ptr::eq(tab, &RK4) {
            let ($t, $u): (&Tableau, bool) = (&RK4, true);
            $body
        } else {
            let ($t, $u) = (tab, false);
            $body
        }
    }};
}

/// `for $i in $from..$s { $body }`, written out once per index with `$i` a
/// literal when `$unroll` and `$s ≤ 8`, so with a constant tableau each
/// stage's row of coefficients is a constant; a loop otherwise.
macro_rules! for_stages {
    ($unroll:expr, $from:literal .. $s:expr, |$i:ident| $body:block) => {{
        let s: usize = $s;
        if $unroll && s <= 8 {
            for_stages!(@each s, $from, $i, $body, 0 1 2 3 4 5 6 7);
        } else {
            // Indexing by the loop variable is the point (constants when
            // written out): no iterators.
            #[allow(clippy::needless_range_loop)]
            for $i in $from..s $body
        }
    }};
    (@each $s:ident, $from:literal, $i:ident, $body:block, $($n:literal)*) => {
        $(
            #[allow(clippy::absurd_extreme_comparisons, unused_comparisons)]
            if $n >= $from && $n < $s {
                let $i: usize = $n;
                $body
            }
        )*
    };
}

/// `for $c in 0..$n { $body }`, written out once per component with `$c`
/// a literal when `$unroll` and `$n ≤ LOCAL_DIM`, a loop otherwise. The
/// page's module is optimised for size, and LLVM does not unroll loops
/// there: written out, a constant dimension's components are constants
/// too, so a step's local arrays stay in registers (WebAssembly locals)
/// in that build as in the native one (issue 19). Pass `D::WRITTEN_OUT`.
macro_rules! for_components {
    ($unroll:expr, $n:expr, |$c:ident| $body:block) => {{
        let n: usize = $n;
        if $unroll && n <= LOCAL_DIM {
            for_components!(@each n, $c, $body, 0 1 2 3 4 5 6 7 8);
        } else {
            #[allow(clippy::needless_range_loop)]
            for $c in 0..n $body
        }
    }};
    (@each $n:ident, $c:ident, $body:block, $($k:literal)*) => {
        $(
            if $k < $n {
                let $c: usize = $k;
                $body
            }
        )*
    };
}

/// `out = y + h Σ_j w_j k_j` (k_j the stage rows of `k`, `w.len()` of
/// them), summed as `(y + h Σ_{j<last} w_j k_j) + (h w_last) k_last`: the
/// newest stage enters last, in one multiply and one add, so everything
/// else is summed while that stage's RHS is still being evaluated (the
/// stages are a chain; this shortens each link). Zero weights drop out.
#[inline(always)]
fn combine(y: &[f64], k: &[f64], w: &[f64], h: f64, out: &mut [f64]) {
    let dim = out.len();
    combine_with(false, y, |j, c| k[j * dim + c], w, h, out);
}

/// [`combine`] with stage j's component c read by `k(j, c)`: the same
/// operations in the same order wherever the stages are kept. With
/// `written_out` (a constant tableau and `Dim::WRITTEN_OUT`) the loops over
/// the components and the stages are written out (see [`for_components!`]).
#[inline(always)]
fn combine_with(
    written_out: bool,
    y: &[f64],
    k: impl Fn(usize, usize) -> f64,
    w: &[f64],
    h: f64,
    out: &mut [f64],
) {
    let dim = out.len();
    let Some((&w_last, older)) = w.split_last() else {
        out.copy_from_slice(&y[..dim]);
        return;
    };
    let last = older.len();
    let h_last = h * w_last;
    for_components!(written_out, dim, |c| {
        let mut acc = 0.0;
        if written_out {
            for_stages!(true, 0..last, |j| {
                if older[j] != 0.0 {
                    acc += older[j] * k(j, c);
                }
            });
        } else {
            // Not `for_stages!(written_out, …)`, whose loop form indexes:
            // with it here and in `rk_error_sq`, natively `fig3` at rtol
            // 1e-8 took 222–305 µs against 174–180 (`BENCH_AB=300`).
            for (j, &wj) in older.iter().enumerate() {
                if wj != 0.0 {
                    acc += wj * k(j, c);
                }
            }
        }
        out[c] = (y[c] + h * acc) + h_last * k(last, c);
    });
}

/// Force the derivatives of held components (`held[c]`) to 0; nothing to
/// do unless `any_held`.
#[inline(always)]
fn zero_held(any_held: bool, held: &[bool], dy: &mut [f64]) {
    if any_held {
        for (d, &h) in dy.iter_mut().zip(held) {
            if h {
                *d = 0.0;
            }
        }
    }
}

/// Held components of `out` keep their values in `y`; nothing to do
/// unless `any_held`.
#[inline(always)]
fn keep_held(any_held: bool, held: &[bool], y: &[f64], out: &mut [f64]) {
    if any_held {
        for ((o, &v), &h) in out.iter_mut().zip(y).zip(held) {
            if h {
                *o = v;
            }
        }
    }
}

impl Solver {
    /// Index of the first non-finite component of the proposed new state.
    pub(super) fn first_nonfinite(&self) -> Option<usize> {
        self.y_new.iter().position(|v| !v.is_finite())
    }

    /// k[stage] = f(t, y) with held components' derivatives forced to 0.
    #[inline(always)]
    pub(super) fn eval<S: OdeSystem + ?Sized>(
        &mut self,
        sys: &S,
        stats: &mut Stats,
        t: f64,
        stage: usize,
    ) {
        let dim = self.dim;
        if stage == 0 {
            // A new first stage means a new (t, y): the Jacobian is stale.
            self.jac_fresh = false;
        }
        let k = &mut self.k[stage * dim..(stage + 1) * dim];
        sys.rhs(t, &self.y, k);
        stats.rhs_evals += 1;
        zero_held(self.any_held, &self.held, k);
    }

    /// Force held components' derivatives to 0 in the end-of-step derivative.
    pub(super) fn mask_held_end(&mut self) {
        zero_held(self.any_held, &self.held, &mut self.f_end);
    }

    /// Compute stages 2..s and y_new for a step of size h from (t, y); k1 is
    /// already in place. The sums are the same operations in the same order
    /// whatever the dimension and tableau are specialised to.
    #[inline(always)]
    pub(super) fn stages<D: Dim, S: OdeSystem + ?Sized>(
        &mut self,
        d: D,
        sys: &S,
        tab: &Tableau,
        stats: &mut Stats,
        t: f64,
        h: f64,
    ) {
        // New stages: the dense output of the last step no longer applies.
        self.dense_ready = false;
        with_tableau!(
            tab,
            |tab, unroll| if unroll && D::LOCAL && tab.stages() <= LOCAL_STAGES {
                self.rk_stages_local(d, sys, tab, stats, t, h)
            } else {
                self.rk_stages(d, unroll, sys, tab, stats, t, h)
            }
        )
    }

    /// [`rk_stages`](Self::rk_stages) for a constant tableau (DOPRI5, or
    /// natively RK4) and a small constant dimension, with the stages in
    /// local arrays. Indexed by constants once the stage loop is written
    /// out, they stay in registers when the system's `rhs` is inlined, so
    /// a stage's derivative reaches the next stage's input without a store
    /// and a load on the step's critical path (issue 19). Written back to
    /// the workspace at the end, where the error estimate and the dense
    /// output read them. The same operations in the same order.
    #[inline(always)]
    // Indexing by constants is the point (see above): no iterators.
    #[allow(clippy::needless_range_loop)]
    fn rk_stages_local<D: Dim, S: OdeSystem + ?Sized>(
        &mut self,
        d: D,
        sys: &S,
        tab: &Tableau,
        stats: &mut Stats,
        t: f64,
        h: f64,
    ) {
        let dim = d.n();
        let s = tab.stages();
        // (The tableau is a constant here.)
        let wo = D::WRITTEN_OUT;
        // One row more than the stages: `for_stages!` names indices up to
        // 7, and every index must be in bounds when compiled. Every access
        // below is by a constant index (a loop here would keep the arrays
        // in memory: they are split into registers before loops unroll).
        let mut k = [[0.0f64; LOCAL_DIM]; LOCAL_STAGES + 1];
        let (mut y, mut ys) = ([0.0f64; LOCAL_DIM], [0.0f64; LOCAL_DIM]);
        let (y, ys) = (&mut y[..dim], &mut ys[..dim]);
        y.copy_from_slice(&self.y[..dim]);
        k[0][..dim].copy_from_slice(&self.k[..dim]);
        for_stages!(true, 1..s, |i| {
            let (done, rest) = k.split_at_mut(i);
            combine_with(wo, y, |j, c| done[j][c], tab.a[i], h, ys);
            let ki = &mut rest[0][..dim];
            sys.rhs(t + tab.c[i] * h, ys, ki);
            stats.rhs_evals += 1;
            zero_held(self.any_held, &self.held, ki);
        });
        for_stages!(true, 1..s, |i| {
            self.k[i * dim..(i + 1) * dim].copy_from_slice(&k[i][..dim]);
        });
        self.y_stage[..dim].copy_from_slice(ys);
        let y_new = &mut self.y_new[..dim];
        if tab.fsal {
            // The last stage was evaluated at y_new itself.
            y_new.copy_from_slice(ys);
        } else {
            combine_with(wo, y, |j, c| k[j][c], tab.b, h, y_new);
        }
        // Held components stay exactly where they were.
        keep_held(self.any_held, &self.held, y, y_new);
    }

    #[inline(always)]
    #[allow(clippy::too_many_arguments)]
    fn rk_stages<D: Dim, S: OdeSystem + ?Sized>(
        &mut self,
        d: D,
        unroll: bool,
        sys: &S,
        tab: &Tableau,
        stats: &mut Stats,
        t: f64,
        h: f64,
    ) {
        let dim = d.n();
        let s = tab.stages();
        let k = &mut self.k[..s * dim];
        for_stages!(unroll, 1..s, |i| {
            let (done, rest) = k.split_at_mut(i * dim);
            let y = &self.y[..dim];
            let ys = &mut self.y_stage[..dim];
            combine(y, done, tab.a[i], h, ys);
            let ki = &mut rest[..dim];
            sys.rhs(t + tab.c[i] * h, &self.y_stage[..dim], ki);
            stats.rhs_evals += 1;
            zero_held(self.any_held, &self.held, ki);
        });
        let (y, y_new) = (&self.y[..dim], &mut self.y_new[..dim]);
        if tab.fsal {
            // The last stage was evaluated at y_new itself.
            y_new.copy_from_slice(&self.y_stage[..dim]);
        } else {
            combine(y, k, tab.b, h, y_new);
        }
        // Held components stay exactly where they were.
        keep_held(self.any_held, &self.held, y, y_new);
    }

    /// Square of the RMS norm of the embedded error estimate, scaled by the
    /// tolerances (the controller takes its logarithm: no square root).
    // Not inlined: one copy per dimension, shared by every system of that
    // size (inlined, each system's stepping loop carried its own).
    #[inline(never)]
    pub(super) fn error_sq<D: Dim>(&self, d: D, scheme: Scheme, st: &Settings, h: f64) -> f64 {
        match scheme {
            Scheme::Explicit(tab) => {
                with_tableau!(tab, |tab, unroll| self.rk_error_sq(d, unroll, tab, st, h))
            }
            Scheme::Rosenbrock(tab) => self.ros_error_sq(tab, st),
        }
    }

    /// [`error_sq`](Self::error_sq) of an explicit Runge–Kutta step.
    #[inline(always)]
    fn rk_error_sq<D: Dim>(&self, d: D, unroll: bool, tab: &Tableau, st: &Settings, h: f64) -> f64 {
        let Some(e) = tab.e else { return 0.0 };
        let dim = d.n();
        let (y, y_new) = (&self.y[..dim], &self.y_new[..dim]);
        let k = &self.k[..e.len() * dim];
        // The mean as a multiply by 1/dim (a constant when the dimension
        // is; exact, as before, for dimensions that are powers of 2): a
        // division here would sit on the step's critical path.
        let mean = |sum: [f64; 2]| {
            if dim == 0 {
                0.0
            } else {
                (sum[0] + sum[1]) * (1.0 / dim as f64)
            }
        };
        // Two running sums (even and odd components) halve the chain of
        // additions; h/sc is known before the last stage is, so the
        // division is off the step's critical path.
        let mut sum = [0.0; 2];
        if let (true, Tolerance::Scalar(atol), Tolerance::Scalar(rtol)) =
            (unroll && D::WRITTEN_OUT, &st.atol, &st.rtol)
        {
            // The loops below written out (see `Dim::WRITTEN_OUT`); the
            // same operations in the same order.
            for_components!(true, dim, |c| {
                let mut acc = 0.0;
                for_stages!(true, 0..e.len(), |j| {
                    if e[j] != 0.0 {
                        acc += e[j] * k[j * dim + c];
                    }
                });
                let sc = atol + rtol * y[c].abs().max(y_new[c].abs());
                let r = acc * (h / sc);
                sum[c % 2] += r * r;
            });
            return mean(sum);
        }
        // Σ_j e_j k_j per component, in a register. (The loops above are
        // not this one through the macros' loop forms: slower natively,
        // see `combine_with`.)
        let err_c = |c: usize| {
            let mut acc = 0.0;
            for (j, &ej) in e.iter().enumerate() {
                if ej != 0.0 {
                    acc += ej * k[j * dim + c];
                }
            }
            acc
        };
        match (&st.atol, &st.rtol) {
            (Tolerance::Scalar(atol), Tolerance::Scalar(rtol)) => {
                for c in 0..dim {
                    let sc = atol + rtol * y[c].abs().max(y_new[c].abs());
                    let r = err_c(c) * (h / sc);
                    sum[c % 2] += r * r;
                }
            }
            _ => {
                for c in 0..dim {
                    let sc = st.atol.get(c) + st.rtol.get(c) * y[c].abs().max(y_new[c].abs());
                    let r = err_c(c) * (h / sc);
                    sum[c % 2] += r * r;
                }
            }
        }
        mean(sum)
    }

    /// Hairer's automatic choice of the first step.
    pub(super) fn initial_step<S: OdeSystem + ?Sized>(
        &mut self,
        sys: &S,
        stats: &mut Stats,
        st: &Settings,
        order: u32,
        t0: f64,
        span: f64,
    ) -> f64 {
        let dim = self.dim;
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
            pow(0.01 / dm, 1.0 / order as f64)
        };
        (100.0 * h0)
            .min(h1)
            .min(st.h_max)
            .min(span)
            .max(1e-12 * span)
    }

    /// tmp = y(t + θh) from the current step's continuous extension.
    // Not inlined: it is called from four places in the stepping loop
    // (output, event location), so one copy per dimension instead of four
    // per system keeps the WebAssembly workers small.
    #[inline(never)]
    pub(super) fn interpolate<D: Dim>(&mut self, d: D, scheme: Scheme, h: f64, theta: f64) {
        match scheme {
            Scheme::Explicit(tab) => {
                with_tableau!(tab, |tab, unroll| self
                    .rk_interpolate(d, unroll, tab, h, theta))
            }
            Scheme::Rosenbrock(tab) => self.ros_interpolate(tab, theta),
        }
    }

    /// [`interpolate`](Self::interpolate) in an explicit Runge–Kutta step.
    #[inline(always)]
    fn rk_interpolate<D: Dim>(&mut self, d: D, unroll: bool, tab: &Tableau, h: f64, theta: f64) {
        let dim = d.n();
        match tab.dense {
            DenseOutput::HermiteQuartic(dq) => {
                if !self.dense_ready {
                    self.build_quartic(d, unroll, dq, h);
                }
                let (y, tmp) = (&self.y[..dim], &mut self.tmp[..dim]);
                let r = &self.dense[..4 * dim];
                let th1 = 1.0 - theta;
                for c in 0..dim {
                    let inner = r[2 * dim + c] + th1 * r[3 * dim + c];
                    tmp[c] = y[c] + theta * (r[c] + th1 * (r[dim + c] + theta * inner));
                }
            }
            DenseOutput::Hermite => {
                let t2 = theta * theta;
                let t3 = t2 * theta;
                let h00 = 2.0 * t3 - 3.0 * t2 + 1.0;
                let h10 = t3 - 2.0 * t2 + theta;
                let h01 = -2.0 * t3 + 3.0 * t2;
                let h11 = t3 - t2;
                let (k0, y_new, f_end) = (&self.k[..dim], &self.y_new[..dim], &self.f_end[..dim]);
                let (y, tmp) = (&self.y[..dim], &mut self.tmp[..dim]);
                for c in 0..dim {
                    tmp[c] = h00 * y[c] + h10 * h * k0[c] + h01 * y_new[c] + h11 * h * f_end[c];
                }
            }
        }
        keep_held(
            self.any_held,
            &self.held,
            &self.y[..dim],
            &mut self.tmp[..dim],
        );
    }

    /// The current step's [`DenseOutput::HermiteQuartic`] rows (see
    /// `Solver::dense`): Δ = y1 − y0, h f0 − Δ, 2Δ − h f0 − h f1 and
    /// h Σ_i d_i k_i (the stages in order, zero weights skipped: they drop
    /// out when compiled with a constant tableau). f0 is the first stage
    /// and f1 the last (FSAL). Once per step with output inside it, instead
    /// of every stage's weight at every output point (issue 19).
    #[inline(always)]
    fn build_quartic<D: Dim>(&mut self, d: D, unroll: bool, dq: &[f64], h: f64) {
        let dim = d.n();
        if self.dense.len() < 4 * dim {
            // Grows once per workspace, not per step.
            self.dense.resize(4 * dim, 0.0);
        }
        let s = dq.len();
        let (y, y_new, k) = (&self.y[..dim], &self.y_new[..dim], &self.k[..s * dim]);
        let rows = &mut self.dense[..4 * dim];
        for c in 0..dim {
            let delta = y_new[c] - y[c];
            let (hf0, hf1) = (h * k[c], h * k[(s - 1) * dim + c]);
            let r3 = hf0 - delta;
            let mut acc = 0.0;
            for_stages!(unroll, 0..s, |i| {
                if dq[i] != 0.0 {
                    acc += dq[i] * k[i * dim + c];
                }
            });
            rows[c] = delta;
            rows[dim + c] = r3;
            rows[2 * dim + c] = (delta - hf1) - r3;
            rows[3 * dim + c] = h * acc;
        }
        self.dense_ready = true;
    }
}
