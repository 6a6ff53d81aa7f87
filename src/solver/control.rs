//! Step-size control for adaptive methods: the PI controller of Hairer &
//! Wanner's `dopri5` (β = 0.04), on its own so the engine only asks it
//! "accept or reject this step, and what size next?".
//!
//! The controller sees the scaled error norm of each attempted step and
//! keeps the little history PI control needs: the logarithm of the last
//! accepted error and whether the previous attempt was rejected. It uses
//! `crate::math` (pure-Rust `libm`), so its step sizes are the same bits
//! natively and in WebAssembly.

use crate::math::{exp, ln};

/// PI control exponent on the previous accepted error.
const BETA: f64 = 0.04;

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
    /// `1/err_order − 0.75 β`: the exponent on the current error.
    expo1: f64,
    /// ln of the previous accepted error (at least ln 1e-4).
    ln_err_old: f64,
    /// The previous attempt was rejected (the next accepted step may not grow).
    last_rejected: bool,
    /// The previous rejection was for a non-finite error.
    nonfinite_reject: bool,
}

impl PiController {
    /// A controller for a method whose error estimate has order
    /// `err_order − 1` ([`Tableau::err_order`](crate::solver::Tableau::err_order)).
    pub fn new(err_order: u32) -> Self {
        PiController {
            expo1: 1.0 / err_order as f64 - 0.75 * BETA,
            ln_err_old: ln(1e-4),
            last_rejected: false,
            nonfinite_reject: false,
        }
    }

    /// Forget the error history (after an event changed the state, the
    /// previous error says nothing about the next step). Whether the last
    /// attempt was rejected is kept.
    pub fn reset(&mut self) {
        self.ln_err_old = ln(1e-4);
    }

    /// True when the last attempt was rejected because its error was not a
    /// finite number (a step-size underflow right after is then reported as
    /// a non-finite state rather than as an underflow).
    pub fn rejected_nonfinite(&self) -> bool {
        self.nonfinite_reject
    }

    /// Judge an attempted step of size `h_try` with scaled error norm `err`.
    /// `last` says the step was cut to land on a stop time, and `h` is the
    /// size the controller proposed before it was cut (a landing step does
    /// not shrink the next proposal).
    pub fn judge(&mut self, err: f64, h_try: f64, last: bool, h: f64) -> Verdict {
        if !err.is_finite() {
            self.nonfinite_reject = true;
            self.last_rejected = true;
            return Verdict::Reject {
                h_retry: h_try * 0.1,
            };
        }
        // fac = err^expo1 / err_old^β, computed as one exp of logarithms
        // (one log and one exp per step instead of two pows).
        // err = 0 (an exact step) behaves like the smallest error the
        // PI controller distinguishes; fac is clamped below anyway.
        let ln_err = ln(err.max(1e-300));
        if err > 1.0 {
            let fac11 = exp(self.expo1 * ln_err);
            self.last_rejected = true;
            self.nonfinite_reject = false;
            return Verdict::Reject {
                h_retry: h_try / (fac11 / 0.9).min(5.0),
            };
        }
        let fac = (exp(self.expo1 * ln_err - BETA * self.ln_err_old) / 0.9).clamp(0.2, 10.0);
        let mut h_new = h_try / fac;
        if self.last_rejected {
            h_new = h_new.min(h_try);
        }
        self.ln_err_old = ln_err.max(ln(1e-4));
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
        let Verdict::Accept { h_next } = c.judge(1e-6, 0.1, false, 0.1) else {
            panic!("a tiny error is accepted")
        };
        assert!(h_next > 0.1 && h_next <= 1.0, "{h_next}");
        let Verdict::Reject { h_retry } = c.judge(100.0, 0.1, false, 0.1) else {
            panic!("a large error is rejected")
        };
        assert!((0.02..0.1).contains(&h_retry), "{h_retry}");
        // After a rejection the next accepted step may not grow.
        let Verdict::Accept { h_next } = c.judge(1e-6, 0.05, false, 0.05) else {
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
        let Verdict::Accept { h_next } = c.judge(0.5, 0.01, true, 1.0) else {
            panic!()
        };
        assert_eq!(h_next, 1.0);
    }
}
