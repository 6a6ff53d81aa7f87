//! Typed solver failures, each with a sentence a person can read.

use std::fmt;

/// Why a solve did not produce a result.
#[derive(Debug, Clone, PartialEq)]
pub enum SolverError {
    /// The request itself is malformed (bad tolerance, reversed interval, …).
    InvalidInput(String),
    /// The adaptive step size fell below what the floating-point time line can resolve.
    StepSizeUnderflow {
        /// Time reached.
        t: f64,
        /// Step size that was too small.
        h: f64,
    },
    /// More steps than allowed were needed.
    TooManySteps {
        /// Time reached.
        t: f64,
        /// The limit in force.
        max_steps: usize,
    },
    /// The state or its derivative stopped being a finite number.
    NonFiniteState {
        /// Time at which it happened.
        t: f64,
        /// Index of the first non-finite component.
        component: usize,
    },
}

impl fmt::Display for SolverError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SolverError::InvalidInput(msg) => write!(f, "invalid solver input: {msg}"),
            SolverError::StepSizeUnderflow { t, h } => write!(
                f,
                "the solver could not continue past day {t:.6}: the step size shrank to {h:.3e}, \
                 too small to make progress (the model is probably blowing up or too stiff here)"
            ),
            SolverError::TooManySteps { t, max_steps } => write!(
                f,
                "the solver needed more than {max_steps} steps and stopped at day {t:.4}; \
                 loosen the tolerance, enlarge the step, or shorten the horizon"
            ),
            SolverError::NonFiniteState { t, component } => write!(
                f,
                "the simulation produced a non-finite value (infinity or NaN) in state \
                 component {component} at day {t:.6}; the parameters make the model blow up"
            ),
        }
    }
}

impl std::error::Error for SolverError {}
