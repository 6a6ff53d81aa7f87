//! Metrics of a clinical course (MODELS.md §1 "Derived quantities" and
//! "Response classification"): CAR T peak and its day over days 0–28, AUC7,
//! AUC28, FT, FNegR, FP, remission / MRD-negative / relapse days and the
//! response class.
//!
//! A [`CourseTracker`] is an [`Observer`]: feed it the solver's output (in
//! the clinical state layout nP, nTA, nTN, nN) and it keeps only running
//! sums, so a course is scored without storing its trajectory. Accuracy
//! relies on a fine output grid (see [`metrics_grid`]): the AUCs use
//! piecewise-quadratic (Simpson) quadrature, the peak a parabola through the
//! three grid points around the discrete maximum, and threshold days linear
//! interpolation between grid points.

use crate::math::ln;
use crate::model::units::{cells_from_tumor_burden, TB_MAX_PCT};
use crate::solver::Observer;
use std::fmt;

/// End of the window of the CAR T peak and of AUC28 (days).
pub const PEAK_WINDOW: f64 = 28.0;
/// End of AUC7 (days).
pub const AUC7_END: f64 = 7.0;
/// Output points per day of [`metrics_grid`] over days 0–28 (a power of
/// two, so days 7 and 28 are grid points exactly). 32 a day keeps peak,
/// AUCs and FP within 5e-7 (relative) of a grid 8 times finer on every
/// preset and 300 virtual patients (`tests/metrics_grid.rs`), 20 times
/// below the solver's own error at the default tolerance; 64 a day made
/// dense output a quarter of a virtual trial's time (issue 19).
pub const GRID_PER_DAY: f64 = 32.0;

/// Thresholds of the response classification. The defaults are cartsim's
/// definition in MODELS.md §1: remission below 5% total tumor burden,
/// MRD-negative below 0.01%, remission due by day 28, horizon 180 days.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct ClassifySettings {
    /// Remission (and relapse) threshold, % tumor burden.
    pub remission_pct: f64,
    /// MRD-negative threshold, % tumor burden.
    pub mrd_pct: f64,
    /// Remission must be reached by this day, else NR.
    pub remission_deadline: f64,
    /// Relapses are looked for up to this day.
    pub horizon: f64,
}

impl Default for ClassifySettings {
    fn default() -> Self {
        ClassifySettings {
            remission_pct: 5.0,
            mrd_pct: 0.01,
            remission_deadline: 28.0,
            horizon: 180.0,
        }
    }
}

impl ClassifySettings {
    /// Names accepted by [`ClassifySettings::set`].
    pub const NAMES: [&'static str; 4] =
        ["remission_pct", "mrd_pct", "remission_deadline", "horizon"];

    /// Set one threshold by name (from `--set NAME=VALUE`). `Ok(false)` when
    /// the name is not a classification setting.
    pub fn set(&mut self, name: &str, text: &str) -> Result<bool, String> {
        let slot = match name {
            "remission_pct" => &mut self.remission_pct,
            "mrd_pct" => &mut self.mrd_pct,
            "remission_deadline" => &mut self.remission_deadline,
            "horizon" => &mut self.horizon,
            _ => return Ok(false),
        };
        match text.trim().parse::<f64>() {
            Ok(v) if v.is_finite() => {
                *slot = v;
                Ok(true)
            }
            _ => Err(format!("setting '{name}': '{text}' is not a number")),
        }
    }

    /// Check the thresholds: 0 < mrd_pct ≤ remission_pct < 97.19,
    /// deadline and horizon > 0.
    pub fn validate(&self) -> Result<(), String> {
        let ok_pct = |v: f64| v.is_finite() && v > 0.0 && v < TB_MAX_PCT;
        if !ok_pct(self.remission_pct) {
            return Err(format!(
                "setting 'remission_pct' = {} is out of range; allowed: (0, {TB_MAX_PCT})",
                self.remission_pct
            ));
        }
        if !ok_pct(self.mrd_pct) || self.mrd_pct > self.remission_pct {
            return Err(format!(
                "setting 'mrd_pct' = {} is out of range; allowed: (0, remission_pct = {}]",
                self.mrd_pct, self.remission_pct
            ));
        }
        for (name, v) in [
            ("remission_deadline", self.remission_deadline),
            ("horizon", self.horizon),
        ] {
            if !(v.is_finite() && v > 0.0 && v <= 1e5) {
                return Err(format!(
                    "setting '{name}' = {v} is out of range; allowed: (0, 100000] days"
                ));
            }
        }
        Ok(())
    }

    /// Last day a course must be simulated to for these settings (≥ day 28
    /// so the peak window and AUC28 are complete).
    pub fn t_end(&self) -> f64 {
        self.horizon.max(self.remission_deadline).max(PEAK_WINDOW)
    }
}

/// Output points per day of [`metrics_grid`] after day 28 (only threshold
/// days are read there, by interpolating the burden's logarithm, which is
/// close to linear between points a quarter day apart: within 0.005 day of
/// a grid 16 times finer, `tests/metrics_grid.rs`).
pub const LATE_GRID_PER_DAY: f64 = 4.0;

/// Output times for scoring a course up to `t_end`: every 1/32 day over
/// days 0–28 (peak, AUCs), every 1/4 day after, and `t_end` itself.
pub fn metrics_grid(t_end: f64) -> Vec<f64> {
    metrics_grid_with(t_end, GRID_PER_DAY, LATE_GRID_PER_DAY)
}

/// [`metrics_grid`] with other densities (points per day over days 0–28
/// and after; powers of two keep days 7 and 28 on the grid): for
/// convergence studies of the metrics.
pub fn metrics_grid_with(t_end: f64, per_day: f64, late_per_day: f64) -> Vec<f64> {
    let fine_end = t_end.min(PEAK_WINDOW);
    let n = (fine_end * per_day).floor() as usize;
    let mut g: Vec<f64> = (0..=n).map(|i| i as f64 / per_day).collect();
    let start = *g.last().unwrap_or(&0.0);
    let m = ((t_end - start) * late_per_day).floor() as usize;
    g.extend((1..=m).map(|i| start + i as f64 / late_per_day));
    if g.last().is_some_and(|&t| t < t_end) {
        g.push(t_end);
    }
    g
}

/// Response class of a course.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Response {
    /// Continuous remission.
    #[serde(rename = "CR")]
    Cr,
    /// Non-response.
    #[serde(rename = "NR")]
    Nr,
    /// CD19+ relapse.
    #[serde(rename = "CD19+ relapse")]
    Cd19PosRelapse,
    /// CD19− relapse.
    #[serde(rename = "CD19- relapse")]
    Cd19NegRelapse,
}

impl Response {
    /// Label as in [L] and the CLI: `CR`, `NR`, `CD19+ relapse`, `CD19- relapse`.
    pub fn as_str(self) -> &'static str {
        match self {
            Response::Cr => "CR",
            Response::Nr => "NR",
            Response::Cd19PosRelapse => "CD19+ relapse",
            Response::Cd19NegRelapse => "CD19- relapse",
        }
    }
}

impl fmt::Display for Response {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which clone dominated at relapse.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum RelapseType {
    /// nP ≥ nN at the relapse day.
    Cd19Pos,
    /// nN > nP at the relapse day.
    Cd19Neg,
}

/// Metrics of one course. Days are `None` when the event never happens.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Metrics {
    /// CAR T function factor rTA·e·kA/lTA.
    pub ft: f64,
    /// Negative relapse factor km·kb.
    pub fnegr: f64,
    /// Prediction factor log2(peak × AUC7).
    pub fp: f64,
    /// Peak of CAR T total (nTA + nTN) over days 0–28, 10^9 cells.
    pub peak: f64,
    /// Day of the peak.
    pub t_peak: f64,
    /// ∫ CAR T total over days 0–7, 10^9 cells·day.
    pub auc7: f64,
    /// ∫ CAR T total over days 0–28, 10^9 cells·day.
    pub auc28: f64,
    /// First day total burden falls below the remission threshold (up to the horizon).
    pub remission_day: Option<f64>,
    /// First day total burden falls below the MRD threshold (up to the horizon).
    pub mrd_day: Option<f64>,
    /// Day burden rises back to the remission threshold after a remission
    /// reached by the deadline (up to the horizon).
    pub relapse_day: Option<f64>,
    /// Type of that relapse.
    pub relapse_type: Option<RelapseType>,
    /// Response class.
    pub response: Response,
}

/// Running scorer of a course: an [`Observer`] over clinical states
/// (nP, nTA, nTN, nN). Allocates nothing.
#[derive(Debug, Clone)]
pub struct CourseTracker {
    settings: ClassifySettings,
    rem_cells: f64,
    mrd_cells: f64,
    n: usize,
    // Last three points (t, CAR T total) for quadrature and the peak.
    t: [f64; 3],
    c: [f64; 3],
    prev_pos: f64,
    prev_neg: f64,
    // Simpson pairs: integral from 0 up to the start of the open pair.
    acc: f64,
    pair_start: usize,
    auc7: Option<f64>,
    auc28: Option<f64>,
    // Peak: discrete max (value, time) and up to two grid points on either
    // side of it, as (t, C): win[2] is the max; `left`/`right` count how many
    // neighbours are known on each side.
    peak: (f64, f64),
    win: [(f64, f64); 5],
    left: usize,
    right: usize,
    remission: Option<f64>,
    mrd: Option<f64>,
    relapse: Option<(f64, RelapseType)>,
}

/// ∫_a^b of the quadratic through (x_i, f_i), i = 0..2.
fn quad_integral(x: [f64; 3], f: [f64; 3], a: f64, b: f64) -> f64 {
    // Lagrange basis integrated exactly: ∫(t−xj)(t−xk) dt over [a, b],
    // shifted to x[0] to limit cancellation.
    let prim = |t: f64, xj: f64, xk: f64| t * t * t / 3.0 - (xj + xk) * t * t / 2.0 + xj * xk * t;
    let s = x[0];
    let xs = [0.0, x[1] - s, x[2] - s];
    let (a, b) = (a - s, b - s);
    let basis = |i: usize, j: usize, k: usize| {
        (prim(b, xs[j], xs[k]) - prim(a, xs[j], xs[k])) / ((xs[i] - xs[j]) * (xs[i] - xs[k]))
    };
    f[0] * basis(0, 1, 2) + f[1] * basis(1, 0, 2) + f[2] * basis(2, 0, 1)
}

impl CourseTracker {
    /// A tracker for these (validated) thresholds.
    pub fn new(settings: ClassifySettings) -> Result<Self, String> {
        settings.validate()?;
        let cells = |pct: f64| cells_from_tumor_burden(pct).map_err(|e| e.to_string());
        Ok(CourseTracker {
            settings,
            rem_cells: cells(settings.remission_pct)?,
            mrd_cells: cells(settings.mrd_pct)?,
            n: 0,
            t: [0.0; 3],
            c: [0.0; 3],
            prev_pos: 0.0,
            prev_neg: 0.0,
            acc: 0.0,
            pair_start: 0,
            auc7: None,
            auc28: None,
            peak: (f64::NEG_INFINITY, 0.0),
            win: [(0.0, 0.0); 5],
            left: 0,
            right: 0,
            remission: None,
            mrd: None,
            relapse: None,
        })
    }

    /// Feed one point: time, CAR T total, CD19+ and CD19− B-ALL (10^9 cells).
    /// Points must come in increasing time; a repeated time (both sides of an
    /// event) is skipped.
    pub fn push(&mut self, t: f64, car_t: f64, n_pos: f64, n_neg: f64) {
        if self.n > 0 && t <= self.t[2] {
            return;
        }
        self.t = [self.t[1], self.t[2], t];
        self.c = [self.c[1], self.c[2], car_t];
        self.n += 1;
        let tumor = n_pos + n_neg;
        if self.n == 1 {
            self.first_point(t, car_t, tumor);
        } else {
            self.quadrature();
            self.track_peak(t, car_t);
            self.crossings(t, n_pos, n_neg);
        }
        self.prev_pos = n_pos;
        self.prev_neg = n_neg;
    }

    fn first_point(&mut self, t: f64, car_t: f64, tumor: f64) {
        self.peak = (car_t, t);
        if tumor < self.rem_cells {
            self.remission = Some(t);
        }
        if tumor < self.mrd_cells {
            self.mrd = Some(t);
        }
    }

    fn quadrature(&mut self) {
        // Both AUCs known: the running integral is never read again (and
        // `finish` only fills AUCs still missing), so stop paying for it.
        if self.auc28.is_some() && self.auc7.is_some() {
            return;
        }
        // Close a pair every second interval (points pair_start..pair_start+2).
        if self.n - 1 - self.pair_start < 2 {
            return;
        }
        let (x, f) = (self.t, self.c);
        for (end, slot) in [(AUC7_END, 0usize), (PEAK_WINDOW, 1)] {
            if x[0] < end && end <= x[2] {
                let v = self.acc + quad_integral(x, f, x[0], end);
                if slot == 0 {
                    self.auc7 = Some(v);
                } else {
                    self.auc28 = Some(v);
                }
            }
        }
        self.acc += quad_integral(x, f, x[0], x[2]);
        self.pair_start = self.n - 1;
    }

    fn track_peak(&mut self, t: f64, car_t: f64) {
        if t <= PEAK_WINDOW && car_t > self.peak.0 {
            self.peak = (car_t, t);
            self.left = (self.n - 1).min(2);
            self.win[0] = (self.t[0], self.c[0]);
            self.win[1] = (self.t[1], self.c[1]);
            self.win[2] = (t, car_t);
            self.right = 0;
        } else if self.right < 2 {
            self.win[3 + self.right] = (t, car_t);
            self.right += 1;
        }
    }

    fn crossings(&mut self, t: f64, n_pos: f64, n_neg: f64) {
        if self.t[1] >= self.settings.horizon {
            return;
        }
        let t0 = self.t[1];
        let before = self.prev_pos + self.prev_neg;
        let now = n_pos + n_neg;
        // The crossing of `level` between the two points, interpolating the
        // burden's logarithm (the burden grows and decays near-exponentially,
        // so this is close to exact on a coarse grid); linearly when a point
        // is 0 (an extinct clone set to 0 cells).
        let at = |level: f64| {
            let (a, b, l) = if before > 0.0 && now > 0.0 && level > 0.0 {
                (ln(before), ln(now), ln(level))
            } else {
                (before, now, level)
            };
            let th = if b != a { (l - a) / (b - a) } else { 1.0 };
            t0 + th.clamp(0.0, 1.0) * (t - t0)
        };
        let horizon = self.settings.horizon;
        let within = |tc: f64| (tc <= horizon).then_some(tc);
        if self.remission.is_none() && now < self.rem_cells {
            self.remission = within(at(self.rem_cells));
        }
        if self.mrd.is_none() && now < self.mrd_cells {
            self.mrd = within(at(self.mrd_cells));
        }
        if let (Some(tr), None) = (self.remission, self.relapse) {
            if t0 >= tr && before < self.rem_cells && now >= self.rem_cells {
                if let Some(tc) = within(at(self.rem_cells)) {
                    let th = if t > t0 { (tc - t0) / (t - t0) } else { 1.0 };
                    let pos = self.prev_pos + th * (n_pos - self.prev_pos);
                    let neg = self.prev_neg + th * (n_neg - self.prev_neg);
                    let kind = if pos >= neg {
                        RelapseType::Cd19Pos
                    } else {
                        RelapseType::Cd19Neg
                    };
                    self.relapse = Some((tc, kind));
                }
            }
        }
    }

    /// True when no later point can change the response class that
    /// [`finish`](Self::finish) would report (nor make it return `None`):
    /// both AUCs are known, the last point lies past the remission
    /// deadline and day 28, and either no remission came by the deadline
    /// (NR) or a relapse has been found. Later points could still change
    /// other metrics (MRD day, the peak's refinement at the window's edge),
    /// so stop early only when the class is all that is read.
    pub fn class_decided(&self) -> bool {
        let s = &self.settings;
        let t_last = self.t[2];
        let past = self.n > 0 && t_last > s.remission_deadline && t_last > PEAK_WINDOW;
        let remitted = self.remission.is_some_and(|t| t <= s.remission_deadline);
        past && self.auc7.is_some() && self.auc28.is_some() && (!remitted || self.relapse.is_some())
    }

    /// The metrics, given the parameter factors FT and FNegR (which depend
    /// on parameters, not on the course). `None` when the points did not
    /// cover days 0–28.
    pub fn finish(&self, ft: f64, fnegr: f64) -> Option<Metrics> {
        let mut auc7 = self.auc7;
        let mut auc28 = self.auc28;
        // An unpaired last interval: the quadratic through the last three points.
        if self.n >= 3 && self.pair_start + 1 == self.n - 1 {
            let (x, f) = (self.t, self.c);
            for (end, slot) in [(AUC7_END, &mut auc7), (PEAK_WINDOW, &mut auc28)] {
                if slot.is_none() && x[1] < end && end <= x[2] {
                    *slot = Some(self.acc + quad_integral(x, f, x[1], end));
                }
            }
        }
        let (auc7, auc28) = (auc7?, auc28?);
        let (peak, t_peak) = self.refined_peak();
        let s = &self.settings;
        let remission_by_deadline = self.remission.is_some_and(|t| t <= s.remission_deadline);
        let (relapse_day, relapse_type) = match self.relapse {
            Some((t, k)) if remission_by_deadline => (Some(t), Some(k)),
            _ => (None, None),
        };
        let response = match (remission_by_deadline, relapse_type) {
            (false, _) => Response::Nr,
            (true, None) => Response::Cr,
            (true, Some(RelapseType::Cd19Pos)) => Response::Cd19PosRelapse,
            (true, Some(RelapseType::Cd19Neg)) => Response::Cd19NegRelapse,
        };
        Some(Metrics {
            ft,
            fnegr,
            fp: crate::math::log2(peak * auc7),
            peak,
            t_peak,
            auc7,
            auc28,
            remission_day: self.remission,
            mrd_day: self.mrd,
            relapse_day,
            relapse_type,
            response,
        })
    }

    /// Maximum of the interpolating polynomial through the discrete maximum
    /// and its grid neighbours (quartic through five points; a parabola
    /// through three near the ends of the data), searched between the
    /// immediate neighbours and inside the window. Falls back to the
    /// discrete maximum (e.g. a peak at day 0).
    fn refined_peak(&self) -> (f64, f64) {
        let (c_max, t_max) = self.peak;
        if self.left == 0 || self.right == 0 {
            return (c_max, t_max);
        }
        let (lo, hi) = if self.left == 2 && self.right == 2 {
            (0, 5)
        } else {
            (1, 4)
        };
        let pts = &self.win[lo..hi];
        // Newton divided differences in x = t − t_max.
        let m = pts.len();
        let xs: [f64; 5] = std::array::from_fn(|i| if i < m { pts[i].0 - t_max } else { 0.0 });
        let mut dd: [f64; 5] = std::array::from_fn(|i| if i < m { pts[i].1 } else { 0.0 });
        for j in 1..m {
            for i in (j..m).rev() {
                dd[i] = (dd[i] - dd[i - 1]) / (xs[i] - xs[i - j]);
            }
        }
        let eval = |x: f64| {
            let mut v = dd[m - 1];
            for i in (0..m - 1).rev() {
                v = v * (x - xs[i]) + dd[i];
            }
            v
        };
        // Golden-section search for the maximum between the neighbours.
        let (mut a, mut b) = (
            self.win[1].0 - t_max,
            (self.win[3].0.min(PEAK_WINDOW)) - t_max,
        );
        let g = 0.5 * (5f64.sqrt() - 1.0);
        let (mut x1, mut x2) = (b - g * (b - a), a + g * (b - a));
        let (mut f1, mut f2) = (eval(x1), eval(x2));
        for _ in 0..80 {
            if f1 >= f2 {
                b = x2;
                x2 = x1;
                f2 = f1;
                x1 = b - g * (b - a);
                f1 = eval(x1);
            } else {
                a = x1;
                x1 = x2;
                f1 = f2;
                x2 = a + g * (b - a);
                f2 = eval(x2);
            }
        }
        let x = 0.5 * (a + b);
        let v = eval(x);
        if v.is_finite() && v >= c_max {
            (v, t_max + x)
        } else {
            (c_max, t_max)
        }
    }
}

/// Feeds clinical states (nP, nTA, nTN, nN) to the tracker.
impl Observer for CourseTracker {
    #[inline]
    fn observe(&mut self, t: f64, y: &[f64]) {
        self.push(t, y[1] + y[2], y[0], y[3]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feed(tr: &mut CourseTracker, t_end: f64, f: impl Fn(f64) -> (f64, f64, f64)) {
        for t in metrics_grid(t_end) {
            let (c, p, n) = f(t);
            tr.push(t, c, p, n);
        }
    }

    #[test]
    fn quadrature_and_peak_on_known_functions() {
        // C(t) = 100·t·exp(−t/5): peak at t = 5, value 500/e;
        // ∫0^T = 100·25·(1 − e^{−T/5}(1 + T/5)).
        let mut tr = CourseTracker::new(ClassifySettings::default()).unwrap();
        feed(&mut tr, 180.0, |t| (100.0 * t * (-t / 5.0).exp(), 1.0, 0.0));
        let m = tr.finish(1.0, 0.0).unwrap();
        let exact = |tt: f64| 2500.0 * (1.0 - (-tt / 5.0).exp() * (1.0 + tt / 5.0));
        assert!((m.auc7 / exact(7.0) - 1.0).abs() < 1e-9, "{}", m.auc7);
        assert!((m.auc28 / exact(28.0) - 1.0).abs() < 1e-9, "{}", m.auc28);
        assert!((m.peak / (500.0 / std::f64::consts::E) - 1.0).abs() < 1e-8);
        assert!((m.t_peak - 5.0).abs() < 1e-4, "{}", m.t_peak);
        assert!((m.fp - (m.peak * m.auc7).log2()).abs() < 1e-12);
    }

    #[test]
    fn classification_rules() {
        let rem = cells_from_tumor_burden(5.0).unwrap();
        let mrd = cells_from_tumor_burden(0.01).unwrap();
        let s = ClassifySettings::default();
        // Burden 1000·e^{−t} for ever: CR; remission day ln(1000/rem).
        let mut tr = CourseTracker::new(s).unwrap();
        feed(&mut tr, 180.0, |t| (1.0, 1000.0 * (-t).exp(), 0.0));
        let m = tr.finish(0.0, 0.0).unwrap();
        assert_eq!(m.response, Response::Cr);
        assert!((m.remission_day.unwrap() - (1000.0 / rem).ln()).abs() < 1e-6);
        assert!((m.mrd_day.unwrap() - (1000.0 / mrd).ln()).abs() < 1e-6);
        assert_eq!(m.relapse_day, None);
        // Never below 5%: NR.
        let mut tr = CourseTracker::new(s).unwrap();
        feed(&mut tr, 180.0, |_| (1.0, 2.0 * rem, 0.0));
        let m = tr.finish(0.0, 0.0).unwrap();
        assert_eq!((m.response, m.remission_day), (Response::Nr, None));
        // Remission on day 40 only: NR (deadline 28), remission day still reported.
        let mut tr = CourseTracker::new(s).unwrap();
        feed(&mut tr, 180.0, |t| {
            (1.0, 2.0 * rem * (-(t / 40.0) * 2f64.ln()).exp(), 0.0)
        });
        let m = tr.finish(0.0, 0.0).unwrap();
        assert_eq!(m.response, Response::Nr);
        assert!((m.remission_day.unwrap() - 40.0).abs() < 1e-6);
        // V-shaped: down, then a CD19− clone regrows past 5% on day 100.
        let shape = |t: f64| {
            let pos = 1000.0 * (-t).exp();
            let neg = rem * ((t - 100.0) / 10.0).exp();
            (1.0, pos, neg)
        };
        let mut tr = CourseTracker::new(s).unwrap();
        feed(&mut tr, 180.0, shape);
        let m = tr.finish(0.0, 0.0).unwrap();
        assert_eq!(m.response, Response::Cd19NegRelapse);
        assert!((m.relapse_day.unwrap() - 100.0).abs() < 1e-6);
        // Same course with the horizon at day 90: CR.
        let s90 = ClassifySettings { horizon: 90.0, ..s };
        let mut tr = CourseTracker::new(s90).unwrap();
        feed(&mut tr, 180.0, shape);
        assert_eq!(tr.finish(0.0, 0.0).unwrap().response, Response::Cr);
        // CD19+ regrowth: CD19+ relapse.
        let mut tr = CourseTracker::new(s).unwrap();
        feed(&mut tr, 180.0, |t| {
            (
                1.0,
                1000.0 * (-t).exp() + rem * ((t - 60.0) / 5.0).exp(),
                0.0,
            )
        });
        let m = tr.finish(0.0, 0.0).unwrap();
        assert_eq!(m.response, Response::Cd19PosRelapse);
    }

    #[test]
    fn settings_are_validated_and_set_by_name() {
        let mut s = ClassifySettings::default();
        assert_eq!(s.set("horizon", "90"), Ok(true));
        assert_eq!(s.horizon, 90.0);
        assert_eq!(s.set("rTA", "1"), Ok(false));
        assert!(s.set("mrd_pct", "abc").unwrap_err().contains("mrd_pct"));
        s.mrd_pct = 6.0;
        assert!(s.validate().unwrap_err().contains("mrd_pct"));
        s = ClassifySettings {
            remission_pct: 97.19,
            ..Default::default()
        };
        assert!(s.validate().unwrap_err().contains("remission_pct"));
        assert!(CourseTracker::new(s).is_err());
        assert_eq!(metrics_grid(28.0).len(), 28 * 32 + 1);
        assert_eq!(metrics_grid(180.0).len(), 28 * 32 + 1 + 152 * 4);
        assert_eq!(
            metrics_grid_with(180.0, 64.0, 16.0).len(),
            28 * 64 + 1 + 152 * 16
        );
        assert!(metrics_grid(180.0).windows(2).all(|w| w[1] > w[0]));
        assert_eq!(*metrics_grid(28.01).last().unwrap(), 28.01);
    }
}
