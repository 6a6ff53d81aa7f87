//! What a solve reports besides its output points: work counters
//! ([`Stats`]), the log of events that fired ([`EventRecord`]) and the final
//! [`Outcome`].

use super::settings::Method;

/// Counters of the work a solve did, and which method ran when.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Stats {
    /// Accepted steps.
    pub accepted: usize,
    /// Rejected steps.
    pub rejected: usize,
    /// Right-hand-side evaluations (including those of finite-difference
    /// Jacobians).
    pub rhs_evals: usize,
    /// Events that fired.
    pub events: usize,
    /// Jacobians evaluated (Rosenbrock steps; analytic or by finite differences).
    #[serde(default)]
    pub jacobians: usize,
    /// LU factorisations of `I/(hγ) − J` (one per attempted Rosenbrock step).
    #[serde(default)]
    pub factorizations: usize,
    /// Which method ran over which interval, in order: one span for a fixed
    /// method, one per switch for [`Method::Auto`].
    #[serde(default)]
    pub spans: Vec<MethodSpan>,
}

/// An interval of a solve integrated by one method.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct MethodSpan {
    /// The method that ran (never [`Method::Auto`]: the one it chose).
    pub method: Method,
    /// Start of the interval.
    pub from: f64,
    /// End of the interval (the time reached so far for the last span).
    pub to: f64,
    /// Steps accepted in the interval.
    pub steps: usize,
}

impl Stats {
    /// Days integrated by `method` (the total length of its spans).
    pub fn time_in(&self, method: Method) -> f64 {
        self.spans
            .iter()
            .filter(|s| s.method == method)
            .map(|s| s.to - s.from)
            .sum()
    }

    /// Number of switches between methods.
    pub fn switches(&self) -> usize {
        self.spans.len().saturating_sub(1)
    }
}

/// One event that fired.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct EventRecord {
    /// When it fired.
    pub t: f64,
    /// Label given to the event by whoever scheduled it.
    pub label: String,
    /// State just before the action.
    pub before: Vec<f64>,
    /// State just after the action.
    pub after: Vec<f64>,
}

/// What a finished solve returns besides the observer's output.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// Time reached (the end of the interval, or the time of a `Stop` event).
    pub t: f64,
    /// State at `t`.
    pub y: Vec<f64>,
    /// Work counters.
    pub stats: Stats,
    /// Events that fired, in order.
    pub events: Vec<EventRecord>,
    /// True when a `Stop` action ended the solve early.
    pub stopped: bool,
}
