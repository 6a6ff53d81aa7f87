//! What a solve reports besides its output points: work counters
//! ([`Stats`]), the log of events that fired ([`EventRecord`]) and the final
//! [`Outcome`].

/// Counters of the work a solve did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Stats {
    /// Accepted steps.
    pub accepted: usize,
    /// Rejected steps.
    pub rejected: usize,
    /// Right-hand-side evaluations.
    pub rhs_evals: usize,
    /// Events that fired.
    pub events: usize,
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
