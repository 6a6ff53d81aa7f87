//! Events inside the engine: locating a state trigger's zero crossing on
//! the dense output of the step just taken (Illinois regula falsi), firing
//! triggers and timed events, and logging each as an [`EventRecord`].

use super::outcome::EventRecord;
use super::settings::Scheme;
use super::stepper::Dim;
use super::{Run, Solver};
use crate::solver::events::{Action, Direction, Events, Trigger};

/// The earliest state-triggered crossing inside one step.
pub(super) struct Crossing {
    /// Where in the step, as a fraction θ ∈ (0, 1] of its size.
    pub(super) theta: f64,
    /// Index of the trigger.
    pub(super) trigger: usize,
}

impl Solver {
    /// Remember g(t, y) of every trigger at the current point: the left end
    /// of the next step's sign test.
    pub(super) fn refresh_g(&mut self, events: &Events, t: f64) {
        for (i, tr) in events.triggers.iter().enumerate() {
            self.g_prev[i] = tr.condition.eval(t, &self.y);
        }
    }

    /// The earliest crossing, in the trigger's direction, inside the step just taken.
    pub(super) fn find_crossing<D: Dim>(
        &mut self,
        d: D,
        t0: f64,
        scheme: Scheme,
        events: &Events,
        h: f64,
        tol: f64,
    ) -> Option<Crossing> {
        let mut best: Option<Crossing> = None;
        for (i, tr) in events.triggers.iter().enumerate() {
            if self.disarmed[i] || (tr.once && self.fired[i]) {
                continue;
            }
            let g0 = self.g_prev[i];
            let g1 = tr.condition.eval(t0 + h, &self.y_new);
            if !tr.direction.crosses(g0, g1) {
                continue;
            }
            // Illinois (modified regula falsi) on θ ∈ [0, 1].
            let (mut a, mut b, mut ga, mut gb) = (0.0f64, 1.0f64, g0, g1);
            let mut side = 0i8;
            let theta_tol = (tol / h.abs()).max(f64::EPSILON);
            for _ in 0..200 {
                if b - a <= theta_tol {
                    break;
                }
                let mut m = b - gb * (b - a) / (gb - ga);
                if !(m > a && m < b) {
                    m = 0.5 * (a + b);
                }
                self.interpolate(d, scheme, h, m);
                let gm = tr.condition.eval(t0 + m * h, &self.tmp);
                if tr.direction.crosses(ga, gm) || gm == 0.0 {
                    b = m;
                    gb = gm;
                    if side == -1 {
                        ga *= 0.5;
                    }
                    side = -1;
                } else {
                    a = m;
                    ga = gm;
                    if side == 1 {
                        gb *= 0.5;
                    }
                    side = 1;
                }
            }
            if best.as_ref().is_none_or(|c| b < c.theta) {
                best = Some(Crossing {
                    theta: b,
                    trigger: i,
                });
            }
        }
        best
    }

    /// Apply an action to the current state; true for `Stop`.
    pub(super) fn apply_action(&mut self, action: &Action) -> bool {
        match *action {
            Action::Add { component, amount } => self.y[component] += amount,
            Action::Set { component, value } => self.y[component] = value,
            Action::Extinguish { component } => {
                self.y[component] = 0.0;
                self.held[component] = true;
                self.any_held = true;
            }
            Action::Stop => return true,
        }
        false
    }

    /// Fire trigger `i` at the current point and log it; true for `Stop`.
    pub(super) fn fire(&mut self, run: &mut Run<'_>, events: &Events, i: usize) -> bool {
        let tr: &Trigger = &events.triggers[i];
        self.fired[i] = true;
        let before = self.y.clone();
        let stop = self.apply_action(&tr.action);
        run.records.push(EventRecord {
            t: run.t,
            label: tr.label.clone(),
            before,
            after: self.y.clone(),
        });
        stop
    }

    /// Apply (and log) every timed event due at or before `t`; true if one
    /// of them was `Stop`.
    pub(super) fn apply_timed_at(&mut self, run: &mut Run<'_>, events: &Events, t: f64) -> bool {
        let mut stop = false;
        while let Some(ev) = events.timed.get(run.timed_next) {
            if ev.t > t {
                break;
            }
            let before = self.y.clone();
            stop |= self.apply_action(&ev.action);
            run.records.push(EventRecord {
                t,
                label: ev.label.clone(),
                before,
                after: self.y.clone(),
            });
            run.timed_next += 1;
        }
        stop
    }

    /// Fire the triggers that ask to fire when their condition already holds
    /// at the start; true if one of them was `Stop`.
    pub(super) fn apply_initial_triggers(&mut self, run: &mut Run<'_>, events: &Events) -> bool {
        let mut stop = false;
        for (i, tr) in events.triggers.iter().enumerate() {
            if tr.fire_if_initially_past && tr.direction.is_past(tr.condition.eval(run.t, &self.y))
            {
                stop |= self.fire(run, events, i);
            }
        }
        stop
    }

    /// Apply an action chosen by the caller of a stepping integration at
    /// the current point and log it under `label`; true for `Stop`.
    pub(super) fn apply_logged(
        &mut self,
        run: &mut Run<'_>,
        action: &Action,
        label: String,
    ) -> bool {
        let before = self.y.clone();
        let stop = self.apply_action(action);
        run.records.push(EventRecord {
            t: run.t,
            label,
            before,
            after: self.y.clone(),
        });
        stop
    }
}

impl Direction {
    /// Does g going from g0 to g1 cross zero in this direction?
    pub(super) fn crosses(self, g0: f64, g1: f64) -> bool {
        match self {
            Direction::Rising => g0 < 0.0 && g1 >= 0.0,
            Direction::Falling => g0 > 0.0 && g1 <= 0.0,
            Direction::Either => (g0 < 0.0 && g1 >= 0.0) || (g0 > 0.0 && g1 <= 0.0),
        }
    }
    /// Is g already on the far side of the crossing?
    pub(super) fn is_past(self, g: f64) -> bool {
        match self {
            Direction::Rising => g >= 0.0,
            Direction::Falling => g <= 0.0,
            Direction::Either => false,
        }
    }
}
