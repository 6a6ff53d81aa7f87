//! What a marrow course yields: the leukemia at day 30 (the response of
//! [M]), the CAR T peak and its day, and the fold expansion, tracked by an
//! [`Observer`] without storing the course.

use super::params::ix;
use crate::solver::Observer;

/// Day at which response is read (L30 of [M]).
pub const RESPONSE_DAY: f64 = 30.0;

/// What one course yields.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Metrics {
    /// L at day 30 (0 when extinct).
    pub l30: f64,
    /// Total CAR T at day 0 (after any day-0 dose).
    pub c0: f64,
    /// Largest total CAR T within the peak window.
    pub c_peak: f64,
    /// Its day.
    pub tpeak: f64,
}

impl Metrics {
    /// Responder: L30 < 1 (with extinction on: leukemia extinct by day 30).
    pub fn responder(&self) -> bool {
        self.l30 < 1.0
    }
    /// log10(C_peak/C_0).
    pub fn fold(&self) -> f64 {
        (self.c_peak / self.c0).log10()
    }
}

/// Observer that keeps only L at day 30 and the CAR T peak.
#[derive(Debug, Clone, Default)]
pub struct Tracker {
    window: f64,
    m: Metrics0,
}

#[derive(Debug, Clone, Copy, Default)]
struct Metrics0 {
    l30: Option<f64>,
    c0: Option<f64>,
    c_peak: f64,
    tpeak: f64,
}

impl Tracker {
    /// Track the peak over days [0, `window`].
    pub fn new(window: f64) -> Self {
        Tracker {
            window,
            m: Metrics0::default(),
        }
    }
    pub(crate) fn reset(&mut self) {
        self.m = Metrics0::default();
    }
    /// Record that the leukemia went extinct before day 30 and the course
    /// was stopped there (see `Scenario::prepare_stopping_at_extinction`):
    /// L30 is 0.
    pub(crate) fn extinct_before_day30(&mut self) {
        self.m.l30.get_or_insert(0.0);
    }
    /// The metrics, once day 0 and day 30 have been observed.
    pub fn metrics(&self) -> Option<Metrics> {
        Some(Metrics {
            l30: self.m.l30?,
            c0: self.m.c0?,
            c_peak: self.m.c_peak,
            tpeak: self.m.tpeak,
        })
    }
}

impl Observer for Tracker {
    fn observe(&mut self, t: f64, y: &[f64]) {
        let mut c = y[ix::CA] + y[ix::CM];
        if y.len() > ix::CM2 {
            c += y[ix::CA2] + y[ix::CM2];
        }
        if t == 0.0 {
            // Right-continuous: the last report at t = 0 is after any day-0 dose.
            self.m.c0 = Some(c);
        }
        if t <= self.window && c > self.m.c_peak {
            self.m.c_peak = c;
            self.m.tpeak = t;
        }
        if (t - RESPONSE_DAY).abs() < 1e-9 && self.m.l30.is_none() {
            self.m.l30 = Some(y[ix::L]);
        }
    }
}
