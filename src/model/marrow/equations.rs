//! The marrow model's equations as an [`OdeSystem`] (MODELS.md §2) and the
//! healthy homeostasis they start from.

use super::params::{p, DEFAULTS, N_PARAMS};
use crate::model::ModelError;
use crate::solver::OdeSystem;

/// Which reading of the printed equations to use (MODELS.md §2, "Interpretation notes").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Variant {
    /// Default: F counts CD19+ cells only (B1+B2+B3+L), and effectors leave
    /// for the memory pool at the rate memory gains them, (1 − F)·γAM·CA.
    #[default]
    Corrected,
    /// As printed in [M]: F also counts B0, and the effector loss term reads
    /// (1 − F)·γMA·CA.
    AsPrinted,
}

impl Variant {
    /// Parse `corrected` / `as-printed`.
    pub fn parse(s: &str) -> Option<Variant> {
        match s {
            "corrected" => Some(Variant::Corrected),
            "as-printed" | "as_printed" | "printed" => Some(Variant::AsPrinted),
            _ => None,
        }
    }
}

/// The seven (or nine) equations. `p` holds every parameter and initial
/// value in the order of [`SPECS`].
#[derive(Debug, Clone, PartialEq)]
pub struct Marrow {
    /// Parameters and initial values, indexed by the constants in [`p`].
    pub p: [f64; N_PARAMS],
    /// Reading of the equations.
    pub variant: Variant,
    /// True when a second CAR T product (CA2, CM2) is part of the state.
    pub dual: bool,
}

impl Default for Marrow {
    fn default() -> Self {
        Marrow {
            p: DEFAULTS,
            variant: Variant::Corrected,
            dual: false,
        }
    }
}

impl Marrow {
    /// The initial state (length [`OdeSystem::dim`]) written into `y0`.
    pub fn initial_state(&self, y0: &mut [f64]) {
        let n = self.dim();
        y0[..n].copy_from_slice(&self.p[p::Y0..p::Y0 + n]);
    }
}

impl OdeSystem for Marrow {
    fn dim(&self) -> usize {
        if self.dual {
            9
        } else {
            7
        }
    }

    // Inlined into the stepping loop, so the solver's stage arrays stay in
    // registers (LLVM does not inline it on its own; issue 19, 8d92fb8).
    #[inline(always)]
    fn rhs(&self, _t: f64, y: &[f64], dy: &mut [f64]) {
        let q = &self.p;
        // One length check for the seven common components (then none per
        // access); the same operations in the same order either way.
        let (Some((y7, _)), Some((dy7, dy_rest))) =
            (y.split_first_chunk::<7>(), dy.split_first_chunk_mut::<7>())
        else {
            panic!("the marrow model has at least 7 states");
        };
        let [b0, b1, b2, b3, l, ca, cm] = *y7;
        // Sums and products are grouped so that the chain from the state
        // through each division to dy is short (a Runge–Kutta stage waits
        // for the one before; issue 19): sums as pairs, and what does not
        // depend on a division is computed beside it, then added once.
        let s = (b0 + b1) + (b2 + b3);
        let sh = 1.0 / (1.0 + q[p::K] * (s + l));
        let sl = 1.0 / (1.0 + q[p::K] * s);
        let printed = self.variant == Variant::AsPrinted;
        // CD19+ antigen load (MODELS.md §2: `corrected` sums CD19+ cells only;
        // `as-printed` adds B0). Clamped at 0 so a tiny negative excursion of
        // the dense output cannot make F leave [0, 1].
        let cd19 = (b1 + b2) + (b3 + l);
        let a = if printed { cd19 + b0 } else { cd19 }.max(0.0);
        let act = |h: f64| if a + h > 0.0 { a / (h + a) } else { 0.0 };
        let f1 = act(q[p::H]);
        let mut kill = q[p::ALPHA] * ca;
        // Effector → memory loss rate: γAM (corrected) or γMA (as printed), MODELS.md §2.
        let loss = if printed {
            q[p::GAMMAMA]
        } else {
            q[p::GAMMAAM]
        };
        // f·(ρC·C + γMA·M) − C/τA − (1 − f)·loss·C and
        // (1 − f)·γAM·C − M/τM − f·γMA·M for one product.
        let car_t = |f: f64, rho: f64, c: f64, m: f64| {
            (
                (f * (rho * c + q[p::GAMMAMA] * m) - c / q[p::TAUA]) - (1.0 - f) * (loss * c),
                ((1.0 - f) * (q[p::GAMMAAM] * c) - f * (q[p::GAMMAMA] * m)) - m / q[p::TAUM],
            )
        };
        if self.dual {
            let (ca2, cm2) = (y[7], y[8]);
            kill += q[p::ALPHA2] * ca2;
            (dy_rest[0], dy_rest[1]) = car_t(act(q[p::H2]), q[p::RHOC2], ca2, cm2);
        }
        dy7[0] = sh * (q[p::RHO0] * b0) - q[p::GAMMA0] * b0;
        dy7[1] = sh * (q[p::RHO1] * b1) + ((q[p::GAMMA0] * b0 - q[p::GAMMA1] * b1) - kill * b1);
        dy7[2] = sh * (q[p::RHO2] * b2) + ((q[p::GAMMA1] * b1 - q[p::GAMMA2] * b2) - kill * b2);
        dy7[3] = q[p::GAMMA2] * b2 - q[p::GAMMA3] * b3 - kill * b3;
        dy7[4] = sl * (q[p::RHOL] * l * (1.0 - l / q[p::LMAX])) - (q[p::GAMMAL] * l + kill * l);
        (dy7[5], dy7[6]) = car_t(f1, q[p::RHOC], ca, cm);
    }

    /// Cell counts: never negative.
    fn nonnegative(&self) -> bool {
        true
    }

    /// The analytic Jacobian of [`rhs`](Self::rhs), row-major (7 × 7, or
    /// 9 × 9 with a second product), for the stiff solver;
    /// `tests/stiff.rs` checks it against differences. Where the antigen
    /// load is clamped at 0 its derivative is taken as 0.
    fn jacobian(&self, _t: f64, y: &[f64], jac: &mut [f64]) -> bool {
        let q = &self.p;
        let n = self.dim();
        let (b0, b1, b2, b3, l, ca, cm) = (y[0], y[1], y[2], y[3], y[4], y[5], y[6]);
        let s = b0 + b1 + b2 + b3;
        let sh = 1.0 / (1.0 + q[p::K] * (s + l));
        let sl = 1.0 / (1.0 + q[p::K] * s);
        // ∂sH/∂(B0..B3, L) and ∂sL/∂(B0..B3).
        let dsh = -q[p::K] * sh * sh;
        let dsl = -q[p::K] * sl * sl;
        let printed = self.variant == Variant::AsPrinted;
        let raw = b1 + b2 + b3 + l + if printed { b0 } else { 0.0 };
        let a = raw.max(0.0);
        // Components that count in the antigen load, and ∂a/∂y for them.
        let da = if raw > 0.0 { 1.0 } else { 0.0 };
        let counts = |j: usize| (1..=4).contains(&j) || (printed && j == 0);
        // F = a/(H + a) and dF/da = H/(H + a)².
        let act = |h: f64| {
            if a + h > 0.0 {
                (a / (h + a), da * h / ((h + a) * (h + a)))
            } else {
                (0.0, 0.0)
            }
        };
        let (f1, df1) = act(q[p::H]);
        let (ca2, cm2) = if self.dual { (y[7], y[8]) } else { (0.0, 0.0) };
        let (alpha2, kill) = if self.dual {
            (q[p::ALPHA2], q[p::ALPHA] * ca + q[p::ALPHA2] * ca2)
        } else {
            (0.0, q[p::ALPHA] * ca)
        };
        let loss = if printed {
            q[p::GAMMAMA]
        } else {
            q[p::GAMMAAM]
        };
        jac.fill(0.0);
        let mut set = |i: usize, j: usize, v: f64| jac[i * n + j] = v;
        // Equations 0–2: sH·ρi·Bi with sH depending on every B and on L.
        let rho = [q[p::RHO0], q[p::RHO1], q[p::RHO2]];
        let gam = [q[p::GAMMA0], q[p::GAMMA1], q[p::GAMMA2]];
        let bs = [b0, b1, b2];
        for i in 0..3 {
            let g = dsh * rho[i] * bs[i];
            for j in 0..5 {
                set(i, j, g);
            }
            let own = sh * rho[i] - gam[i] - if i > 0 { kill } else { 0.0 };
            set(i, i, g + own);
            if i > 0 {
                set(i, i - 1, g + gam[i - 1]);
                set(i, 5, -q[p::ALPHA] * bs[i]);
                if self.dual {
                    set(i, 7, -alpha2 * bs[i]);
                }
            }
        }
        // Equation 3: γ2·B2 − γ3·B3 − kill·B3.
        set(3, 2, q[p::GAMMA2]);
        set(3, 3, -q[p::GAMMA3] - kill);
        set(3, 5, -q[p::ALPHA] * b3);
        // Equation 4: sL·ρL·L·(1 − L/Lmax) − γL·L − kill·L.
        let growth = q[p::RHOL] * l * (1.0 - l / q[p::LMAX]);
        for j in 0..4 {
            set(4, j, dsl * growth);
        }
        set(
            4,
            4,
            sl * q[p::RHOL] * (1.0 - 2.0 * l / q[p::LMAX]) - q[p::GAMMAL] - kill,
        );
        set(4, 5, -q[p::ALPHA] * l);
        // Equation 5: F1·(ρC·CA + γMA·CM) − CA/τA − (1 − F1)·loss·CA.
        let g5 = df1 * (q[p::RHOC] * ca + q[p::GAMMAMA] * cm + loss * ca);
        // Equation 6: (1 − F1)·γAM·CA − CM/τM − F1·γMA·CM.
        let g6 = -df1 * (q[p::GAMMAAM] * ca + q[p::GAMMAMA] * cm);
        for j in (0..5).filter(|&j| counts(j)) {
            set(5, j, g5);
            set(6, j, g6);
        }
        set(5, 5, f1 * q[p::RHOC] - 1.0 / q[p::TAUA] - (1.0 - f1) * loss);
        set(5, 6, f1 * q[p::GAMMAMA]);
        set(6, 5, (1.0 - f1) * q[p::GAMMAAM]);
        set(6, 6, -1.0 / q[p::TAUM] - f1 * q[p::GAMMAMA]);
        if self.dual {
            set(3, 7, -alpha2 * b3);
            set(4, 7, -alpha2 * l);
            let (f2, df2) = act(q[p::H2]);
            let g7 = df2 * (q[p::RHOC2] * ca2 + q[p::GAMMAMA] * cm2 + loss * ca2);
            let g8 = -df2 * (q[p::GAMMAAM] * ca2 + q[p::GAMMAMA] * cm2);
            for j in (0..5).filter(|&j| counts(j)) {
                set(7, j, g7);
                set(8, j, g8);
            }
            set(
                7,
                7,
                f2 * q[p::RHOC2] - 1.0 / q[p::TAUA] - (1.0 - f2) * loss,
            );
            set(7, 8, f2 * q[p::GAMMAMA]);
            set(8, 7, (1.0 - f2) * q[p::GAMMAAM]);
            set(8, 8, -1.0 / q[p::TAUM] - f2 * q[p::GAMMAMA]);
        }
        true
    }
}

/// Healthy homeostasis of equations 1a–1d (B cells only: L = CA = CM = 0),
/// solved algebraically. With B0 > 0, dB0/dt = 0 forces sH = γ0/ρ0, hence
/// the total S = (ρ0/γ0 − 1)/k; then B1 = γ0·B0/(γ1 − sH·ρ1),
/// B2 = γ1·B1/(γ2 − sH·ρ2), B3 = γ2·B2/γ3, and S fixes B0.
///
/// Returns `[B0, B1, B2, B3]`, or an error when these parameters have no
/// positive steady state.
pub fn homeostasis(par: &[f64; N_PARAMS]) -> Result<[f64; 4], ModelError> {
    let (r0, r1, r2) = (par[p::RHO0], par[p::RHO1], par[p::RHO2]);
    let (g0, g1, g2, g3) = (
        par[p::GAMMA0],
        par[p::GAMMA1],
        par[p::GAMMA2],
        par[p::GAMMA3],
    );
    let k = par[p::K];
    let none = |why: &str| {
        Err(ModelError::Invalid(format!(
            "no positive B-cell steady state: {why}"
        )))
    };
    if !(g0 > 0.0 && r0 > g0) {
        return none("Pro-B cells need ρ0 > γ0 > 0 to sustain themselves");
    }
    let sh = g0 / r0;
    let total = (r0 / g0 - 1.0) / k;
    let d1 = g1 - sh * r1;
    let d2 = g2 - sh * r2;
    if !(d1 > 0.0 && d2 > 0.0 && g3 > 0.0) {
        return none("a CD19+ compartment would grow without bound (γi ≤ sH·ρi)");
    }
    let x1 = g0 / d1;
    let x2 = x1 * g1 / d2;
    let x3 = x2 * g2 / g3;
    let b0 = total / (1.0 + x1 + x2 + x3);
    Ok([b0, b0 * x1, b0 * x2, b0 * x3])
}
