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
    /// Dormand–Prince gave up (too many steps, or a step too small) on a
    /// problem its stiffness detection had found stiff: the stiff solver
    /// (`rosenbrock` or `auto`) is the remedy, not a looser tolerance.
    Stiff {
        /// Time reached.
        t: f64,
        /// Where the stiffness began (the first of the steps that showed it).
        since: f64,
    },
    /// A state component grew past [`Settings::explode_above`](crate::solver::Settings::explode_above)
    /// (10^30 by default): the model explodes with these parameters.
    Explodes {
        /// Time of the first accepted step past the limit.
        t: f64,
        /// Index of the first component past it.
        component: usize,
        /// The limit.
        limit: f64,
    },
}

impl SolverError {
    /// True for a malformed request; false for a valid request that failed
    /// to solve (every other variant).
    pub fn is_invalid_input(&self) -> bool {
        matches!(self, SolverError::InvalidInput(_))
    }
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
            SolverError::Stiff { t, since } => write!(
                f,
                "the system became stiff near day {since:.1} (some populations change \
                 far faster than others there), so Dormand–Prince crawled with tiny steps \
                 and stopped at day {t:.4}; the stiff solver (rosenbrock or auto) handles this"
            ),
            SolverError::Explodes {
                t,
                component,
                limit,
            } => write!(
                f,
                "cells exceed 10^{} near day {t:.4}: with these parameters the model \
                 explodes (state component {component})",
                crate::math::log10(*limit).round()
            ),
        }
    }
}

impl std::error::Error for SolverError {}
