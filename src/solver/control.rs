//! Step-size control for adaptive methods: the PI controller of Hairer &
//! Wanner's `dopri5` (β = 0.04), on its own so the engine only asks it
//! "accept or reject this step, and what size next?".
//!
//! The controller sees the scaled error norm of each attempted step and
//! keeps the little history PI control needs: a factor from the last
//! accepted error and whether the previous attempt was rejected. Its
//! powers are taken by `crate::math::PowTable` (tables built once per
//! exponent with the portable `pow`, within 1e-10, far below what step
//! control can tell apart), so its step sizes are the same bits natively
//! and in WebAssembly.

use crate::math::PowTable;
use std::sync::OnceLock;

/// PI control exponent on the previous accepted error.
const BETA: f64 = 0.04;
/// The smallest previous squared error PI control remembers (the error's
/// floor 1e-4, squared).
const ERR_SQ_FLOOR: f64 = 1e-8;
/// Error orders with a table of their own; higher ones use the highest
/// (every method in `Method` has order 4 or 5).
const MAX_ERR_ORDER: usize = 8;

/// `x^(−(1/q − 0.75β)/2)` for error order `q` in 1..=8, built on first use.
static EXPO1_TABLES: [OnceLock<PowTable>; MAX_ERR_ORDER] =
    [const { OnceLock::new() }; MAX_ERR_ORDER];
/// `x^(β/2)`: the previous error's factor from its square.
static BETA_TABLE: OnceLock<PowTable> = OnceLock::new();

/// The verdict on one attempted step.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Verdict {
    /// Keep the step; try `h_next` for the following one.
    Accept {
        /// Size to try for the next step.
        h_next: f64,
    },
    /// Discard the step and retry from the same point with `h_retry`.
    Reject {
        /// Size for the retry.
        h_retry: f64,
    },
}

/// PI step-size controller (Hairer, Nørsett & Wanner, *Solving ODEs I*,
/// II.4, and Hairer & Wanner's `dopri5`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PiController {
    /// `x ↦ x^(−(1/err_order − 0.75 β)/2)`: the power of the squared error
    /// (`1/err_order − 0.75 β` is the exponent on the error).
    expo1: &'static PowTable,
    /// `x ↦ x^(β/2)`: `err_old^β` from the squared error.
    beta: &'static PowTable,
    /// `0.9 · err_old^β`, err_old the previous accepted error (at least 1e-4).
    old_factor: f64,
    /// The previous attempt was rejected (the next accepted step may not grow).
    last_rejected: bool,
    /// The previous rejection was for a non-finite error.
    nonfinite_reject: bool,
}

impl PiController {
    /// A controller for a method whose error estimate has order
    /// `err_order − 1` ([`Tableau::err_order`](crate::solver::Tableau::err_order)).
    /// Orders are taken in 1..=8 (every method here has 4 or 5).
    pub fn new(err_order: u32) -> Self {
        let q = (err_order as usize).clamp(1, MAX_ERR_ORDER);
        let mut c = PiController {
            expo1: EXPO1_TABLES[q - 1]
                .get_or_init(|| PowTable::new(-0.5 * (1.0 / q as f64 - 0.75 * BETA))),
            beta: BETA_TABLE.get_or_init(|| PowTable::new(0.5 * BETA)),
            old_factor: 0.0,
            last_rejected: false,
            nonfinite_reject: false,
        };
        c.reset();
        c
    }

    /// `0.9 · err_old^β` for a squared error (floored at 1e-8).
    fn old_factor(&self, err_sq: f64) -> f64 {
        0.9 * self.beta.pow(err_sq.max(ERR_SQ_FLOOR))
    }

    /// Forget the error history (after an event changed the state, the
    /// previous error says nothing about the next step). Whether the last
    /// attempt was rejected is kept.
    pub fn reset(&mut self) {
        self.old_factor = self.old_factor(ERR_SQ_FLOOR);
    }

    /// True when the last attempt was rejected because its error was not a
    /// finite number (a step-size underflow right after is then reported as
    /// a non-finite state rather than as an underflow).
    pub fn rejected_nonfinite(&self) -> bool {
        self.nonfinite_reject
    }

    /// Judge an attempted step of size `h_try` whose scaled error norm is
    /// `√err_sq` (the square is what the engine computes: the controller
    /// needs only a power of it). `last` says the step was cut to land on
    /// a stop time, and `h` is the size the controller proposed before it
    /// was cut (a landing step does not shrink the next proposal).
    pub fn judge(&mut self, err_sq: f64, h_try: f64, last: bool, h: f64) -> Verdict {
        if !err_sq.is_finite() {
            self.nonfinite_reject = true;
            self.last_rejected = true;
            return Verdict::Reject {
                h_retry: h_try * 0.1,
            };
        }
        // dopri5's h / fac with fac = clamp(err^expo1 / err_old^β / 0.9,
        // 0.2, 10), computed as h · clamp(0.9 · err_old^β · (err²)^(−expo1/2),
        // 0.1, 5): one table power per step and no division, since every
        // operation here is on the step's critical path (0.9 · err_old^β
        // was computed a step earlier). An exact step (err = 0) gets a
        // large factor, clamped anyway.
        let power = self.expo1.pow(err_sq);
        if err_sq > 1.0 {
            let shrink = (0.9 * power).max(0.2);
            self.last_rejected = true;
            self.nonfinite_reject = false;
            return Verdict::Reject {
                h_retry: h_try * shrink,
            };
        }
        let grow = (self.old_factor * power).clamp(0.1, 5.0);
        let mut h_new = h_try * grow;
        if self.last_rejected {
            h_new = h_new.min(h_try);
        }
        self.old_factor = self.old_factor(err_sq);
        self.last_rejected = false;
        self.nonfinite_reject = false;
        Verdict::Accept {
            h_next: if !last { h_new } else { h_new.max(h) },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_errors_grow_the_step_and_large_ones_shrink_it() {
        let mut c = PiController::new(5);
        let Verdict::Accept { h_next } = c.judge(1e-12, 0.1, false, 0.1) else {
            panic!("a tiny error is accepted")
        };
        assert!(h_next > 0.1 && h_next <= 1.0, "{h_next}");
        let Verdict::Reject { h_retry } = c.judge(1e4, 0.1, false, 0.1) else {
            panic!("a large error is rejected")
        };
        assert!((0.02..0.1).contains(&h_retry), "{h_retry}");
        // After a rejection the next accepted step may not grow.
        let Verdict::Accept { h_next } = c.judge(1e-12, 0.05, false, 0.05) else {
            panic!()
        };
        assert_eq!(h_next, 0.05);
        // A non-finite error cuts the step tenfold and is remembered.
        assert_eq!(
            c.judge(f64::NAN, 0.05, false, 0.05),
            Verdict::Reject {
                h_retry: 0.05 * 0.1
            }
        );
        assert!(c.rejected_nonfinite());
    }

    #[test]
    fn a_landing_step_does_not_shrink_the_next_proposal() {
        let mut c = PiController::new(5);
        // Cut from 1.0 to 0.01 to land on a stop time, with a moderate error.
        let Verdict::Accept { h_next } = c.judge(0.25, 0.01, true, 1.0) else {
            panic!()
        };
        assert_eq!(h_next, 1.0);
    }
}
