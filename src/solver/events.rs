//! Events: timed actions (add a dose at day t) and state-triggered actions
//! (when g(t, y) crosses zero in a direction), located on the dense output.

use super::error::SolverError;

/// Which sign change of g triggers an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// g goes from negative to non-negative.
    Rising,
    /// g goes from positive to non-positive.
    Falling,
    /// Either way.
    Either,
}

/// The function whose zero triggers an event.
#[derive(Debug, Clone, Copy)]
pub enum Condition {
    /// g = y[component] − level.
    Threshold {
        /// State index.
        component: usize,
        /// Level crossed.
        level: f64,
    },
    /// g = t − at (a state trigger at a time; timed events are preferred).
    Time {
        /// The time.
        at: f64,
    },
    /// Any function of (t, y); a plain function pointer so it neither
    /// allocates nor captures.
    Custom(fn(f64, &[f64]) -> f64),
}

impl Condition {
    /// Evaluate g(t, y).
    #[inline]
    pub fn eval(&self, t: f64, y: &[f64]) -> f64 {
        match *self {
            Condition::Threshold { component, level } => y[component] - level,
            Condition::Time { at } => t - at,
            Condition::Custom(f) => f(t, y),
        }
    }
}

/// What an event does to the state.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Action {
    /// y[component] += amount (an infusion).
    Add {
        /// State index.
        component: usize,
        /// Cells added.
        amount: f64,
    },
    /// y[component] = value.
    Set {
        /// State index.
        component: usize,
        /// New value.
        value: f64,
    },
    /// y[component] = 0 and it stays 0 for the rest of the solve (its
    /// derivative is held at 0): extinction of a population.
    Extinguish {
        /// State index.
        component: usize,
    },
    /// End the solve here.
    Stop,
}

impl Action {
    fn component(&self) -> Option<usize> {
        match *self {
            Action::Add { component, .. }
            | Action::Set { component, .. }
            | Action::Extinguish { component } => Some(component),
            Action::Stop => None,
        }
    }

    /// Check the action against a system of `dim` states: its state index
    /// must exist and its amount be finite (`label` names it in the message).
    pub(crate) fn check(&self, dim: usize, label: &str) -> Result<(), SolverError> {
        if self.component().is_some_and(|c| c >= dim) {
            return Err(SolverError::InvalidInput(format!(
                "event '{label}' names a state index outside the system"
            )));
        }
        if let Action::Add { amount: v, .. } | Action::Set { value: v, .. } = *self {
            if !v.is_finite() {
                return Err(SolverError::InvalidInput(format!(
                    "event '{label}' has a non-finite amount"
                )));
            }
        }
        Ok(())
    }
}

/// An action at a fixed time.
#[derive(Debug, Clone, PartialEq)]
pub struct TimedEvent {
    /// When.
    pub t: f64,
    /// What.
    pub action: Action,
    /// A label for the event log (e.g. "second infusion").
    pub label: String,
}

/// An action when a condition crosses zero.
#[derive(Debug, Clone)]
pub struct Trigger {
    /// g(t, y).
    pub condition: Condition,
    /// Which crossing.
    pub direction: Direction,
    /// What to do.
    pub action: Action,
    /// Fire at most once.
    pub once: bool,
    /// Fire at the start if g is already past the crossing (e.g. a tumour
    /// that starts below one cell is extinct from the start).
    pub fire_if_initially_past: bool,
    /// A label for the event log.
    pub label: String,
}

/// All events of one solve. Timed events are kept sorted by time.
#[derive(Debug, Clone, Default)]
pub struct Events {
    /// Timed events, sorted by `t`.
    pub timed: Vec<TimedEvent>,
    /// State-triggered events.
    pub triggers: Vec<Trigger>,
}

impl Events {
    /// No events.
    pub fn none() -> Self {
        Self::default()
    }

    /// Add a timed event (keeps the list sorted; equal times keep insertion order).
    pub fn at(&mut self, t: f64, action: Action, label: impl Into<String>) -> &mut Self {
        let pos = self.timed.partition_point(|e| e.t <= t);
        self.timed.insert(
            pos,
            TimedEvent {
                t,
                action,
                label: label.into(),
            },
        );
        self
    }

    /// Add a state trigger.
    pub fn when(&mut self, trigger: Trigger) -> &mut Self {
        self.triggers.push(trigger);
        self
    }

    pub(crate) fn validate(&self, dim: usize, t0: f64, t1: f64) -> Result<(), SolverError> {
        let bad_component = |a: &Action| a.component().is_some_and(|c| c >= dim);
        for e in &self.timed {
            if !e.t.is_finite() {
                return Err(SolverError::InvalidInput(format!(
                    "event '{}' has a non-finite time",
                    e.label
                )));
            }
            if e.t < t0 || e.t > t1 {
                // Outside the interval: harmless, but almost surely a mistake.
                return Err(SolverError::InvalidInput(format!(
                    "event '{}' at t = {} lies outside [{t0}, {t1}]",
                    e.label, e.t
                )));
            }
            e.action.check(dim, &e.label)?;
        }
        for tr in &self.triggers {
            if bad_component(&tr.action)
                || matches!(tr.condition, Condition::Threshold { component, .. } if component >= dim)
            {
                return Err(SolverError::InvalidInput(format!(
                    "trigger '{}' names a state index outside the system",
                    tr.label
                )));
            }
        }
        Ok(())
    }
}
