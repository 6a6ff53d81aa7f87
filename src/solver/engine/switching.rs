//! Stiffness: Hairer's detection for Dormand–Prince, and the rule that
//! brings the automatic method back from Rosenbrock.
//!
//! **Detection** (Hairer, Nørsett & Wanner, *Solving ODEs I*, §IV.2 and
//! their code `dopri5.f`): after an accepted DP5 step, `h·λ ≈ h ‖k7 − k6‖ /
//! ‖y_new − y6‖` estimates h times the dominant eigenvalue along the step
//! (k6, k7 are f at the last two stage arguments y6 and y_new). DP5's
//! stability region reaches about −3.3 on the real axis, so `h·λ > 3.25`
//! means the step size is set by stability, not accuracy. Fifteen such
//! steps (six calm ones in a row forgive them) make the problem stiff.
//!
//! `dopri5.f` checks every 1000th accepted step, and every step while
//! suspicious; so does a forced `dopri5` here (only to explain a failure).
//! The automatic method checks every 16th step and every step while
//! suspicious (so a non-stiff problem pays under 1% for it, and a stiff
//! one is caught within 16 steps of turning suspicious), and counts a step
//! as stability-limited from `h·λ > 3.0` ([`AUTO_HLAMB`]).
//!
//! One change from `dopri5.f`: the norms are weighted like the error
//! (component i divided by `atol_i + rtol_i·|y_i|`). Unweighted, a large
//! slow population (CAR T cells at 10^20) hides small fast ones (B cells
//! killed at a rate of 10^9 per day, near 0) that are what limits the step.
//!
//! **Back to DP5**: during Rosenbrock steps, `h·‖J‖_w ≤ 3` (the Jacobian's
//! norm in the error weights bounds its spectral radius) for 15 accepted
//! steps in a row means DP5 would be stable with the steps Rosenbrock takes.
//! Each switch back doubles the calm run required next time (up to 15·64),
//! so a problem on the edge cannot make the method flip-flop.

use super::settings::Settings;
use super::Solver;
use crate::solver::tableau::Tableau;

/// `h·λ` above which a DP5 step is stability-limited (`dopri5.f`).
pub(super) const STIFF_HLAMB: f64 = 3.25;
/// The automatic method's threshold. With the weighted norms the estimate
/// creeps up to 3.25 from below while a problem stiffens slowly (the
/// marrow model as CAR T cells expand: 3.0 at day 17.5, 3.25 only at day
/// 19.7 of `fig3` with h = 75, DP5 crawling at its stability limit all the
/// while), so `auto` switches a little earlier. The non-stiff presets stay
/// far below it (no preset switches).
pub(super) const AUTO_HLAMB: f64 = 3.0;
/// The automatic method checks every this many accepted DP5 steps (and
/// every step while suspicious). The check costs about a tenth of a DP5
/// step of a 7-state model: checked every 4th step, `auto` took 1–5% longer
/// than DP5 on the presets; every 16th, 0.1–1.0% more instructions
/// (callgrind), the same steps and bit-identical output.
pub(super) const AUTO_EVERY: usize = 16;
/// Stability-limited steps that make the problem stiff.
const STIFF_STEPS: u32 = 15;
/// Calm steps in a row that forgive the suspicious ones.
const CALM_STEPS: u32 = 6;
/// `h·‖J‖_w` below which explicit steps would be stable.
const NONSTIFF_HNORM: f64 = 3.0;
/// Calm Rosenbrock steps in a row before switching back (doubled each time).
const BACK_STEPS: u32 = 15;

/// Hairer's stiffness detection state for a run of DP5 steps.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Detector {
    /// Stability-limited steps counted (reset by a calm run).
    suspicious: u32,
    /// Calm steps in a row.
    calm: u32,
    /// Start of the first counted suspicious step.
    first: f64,
    /// The problem is stiff since this time (None: not stiff now).
    stiff_since: Option<f64>,
}

impl Detector {
    /// Count one accepted step that started at `t` with estimate `hlamb`,
    /// stability-limited above `limit`. True when this step makes the
    /// problem stiff.
    pub(super) fn observe(&mut self, t: f64, hlamb: f64, limit: f64) -> bool {
        if hlamb > limit {
            self.calm = 0;
            if self.suspicious == 0 {
                self.first = t;
            }
            self.suspicious += 1;
            if self.suspicious == STIFF_STEPS {
                self.stiff_since = Some(self.first);
                return true;
            }
        } else {
            self.calm += 1;
            if self.calm == CALM_STEPS {
                self.suspicious = 0;
                self.stiff_since = None;
            }
        }
        false
    }

    /// True while stability-limited steps are being counted.
    pub(super) fn suspicious(&self) -> bool {
        self.suspicious > 0
    }

    /// Since when the problem has been stiff, if it is now.
    pub(super) fn stiff_since(&self) -> Option<f64> {
        self.stiff_since
    }
}

/// The automatic method's way back from Rosenbrock to DP5.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Calm {
    /// Calm Rosenbrock steps in a row.
    run: u32,
    /// Switches back so far.
    backs: u32,
}

impl Calm {
    /// Count one accepted Rosenbrock step of size h with `‖J‖_w = norm`.
    /// True when DP5 should take over again.
    pub(super) fn observe(&mut self, h: f64, norm: f64) -> bool {
        if h * norm <= NONSTIFF_HNORM {
            self.run += 1;
        } else {
            self.run = 0;
        }
        if self.run >= BACK_STEPS << self.backs.min(6) {
            self.run = 0;
            self.backs += 1;
            return true;
        }
        false
    }

    /// Start counting afresh (after a switch to Rosenbrock).
    pub(super) fn restart(&mut self) {
        self.run = 0;
    }
}

impl Solver {
    /// `h·λ` of the DP5 step just accepted (see the module docs); 0 when
    /// the step did not move.
    pub(super) fn stiffness_estimate(&self, tab: &Tableau, st: &Settings, h: f64) -> f64 {
        let n = self.dim;
        let s = tab.stages();
        let (last, prev) = (tab.a[s - 1], tab.a[s - 2]);
        let (mut num, mut den) = (0.0, 0.0);
        for c in 0..n {
            let sc = st.atol.get(c) + st.rtol.get(c) * self.y[c].abs().max(self.y_new[c].abs());
            if sc <= 0.0 {
                continue;
            }
            let dk = (self.k[(s - 1) * n + c] - self.k[(s - 2) * n + c]) / sc;
            num += dk * dk;
            // y_new − y6 = h Σ_j (a_sj − a_(s−1)j) k_j.
            let mut acc = 0.0;
            for (j, &a) in last.iter().enumerate() {
                let b = prev.get(j).copied().unwrap_or(0.0);
                acc += (a - b) * self.k[j * n + c];
            }
            let dy = h * acc / sc;
            den += dy * dy;
        }
        if den > 0.0 {
            h * (num / den).sqrt()
        } else {
            0.0
        }
    }

    /// The weighted Jacobian norm for [`Calm::observe`].
    pub(super) fn calm_norm(&self, st: &Settings) -> f64 {
        self.weighted_jacobian_norm(st)
    }
}
