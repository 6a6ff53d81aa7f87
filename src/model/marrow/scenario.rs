//! A marrow course: the equations plus what happens to the patient
//! (timed infusions, a reinfusion when L rises through a level, the
//! extinction rule of MODELS.md §3), built from a preset and `NAME=VALUE`
//! settings, and run on the solver.

use super::equations::{Marrow, Variant};
use super::params::{ix, p, SPECS, STATE_NAMES};
use super::presets::preset;
use crate::model::params;
use crate::model::ModelError;
use crate::solver::{
    Action, Condition, Direction, Events, Observer, OdeSystem, Outcome, OutputGrid, Settings,
    Solver, Step, Trigger,
};

/// A timed infusion: add `cells` to state `state` at day `t`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Dose {
    /// Day of the infusion.
    pub t: f64,
    /// State index (see [`ix`]).
    pub state: usize,
    /// Cells infused.
    pub cells: f64,
}

/// A state-triggered infusion: when L rises through `level`, add `cells` to
/// `state` (once). With `fallback_day`, a patient whose leukemia has never
/// gone below `level` by that day (no initial response) gets the dose then
/// instead (Fig. 8 protocol of [M]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Reinfusion {
    /// Leukemia level whose upward crossing triggers the dose.
    pub level: f64,
    /// State index receiving the cells.
    pub state: usize,
    /// Cells infused.
    pub cells: f64,
    /// Day of the dose for patients with no initial response.
    pub fallback_day: Option<f64>,
}

/// Label of the extinction event in the event log.
pub const EXTINCTION_LABEL: &str = "leukemia extinct (L < threshold)";
/// Label of the state-triggered reinfusion.
pub const REINFUSION_LABEL: &str = "reinfusion (L rose through level)";
/// Label of the fallback reinfusion (no initial response).
pub const FALLBACK_LABEL: &str = "reinfusion (no initial response)";

/// One patient course to simulate: the equations plus what happens to the patient.
#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    /// The system (parameters, initial values, variant, products).
    pub model: Marrow,
    /// Extinction threshold for L (MODELS.md §3: below one cell L is set to
    /// 0 and held there); `None` switches the rule off.
    pub extinction: Option<f64>,
    /// Timed infusions.
    pub doses: Vec<Dose>,
    /// State-triggered reinfusion.
    pub reinfusion: Option<Reinfusion>,
    /// End of the simulation, days.
    pub t_end: f64,
}

impl Default for Scenario {
    fn default() -> Self {
        Scenario {
            model: Marrow::default(),
            extinction: Some(1.0),
            doses: Vec::new(),
            reinfusion: None,
            t_end: 270.0,
        }
    }
}

/// Names accepted by [`Scenario::set`] besides the parameters of [`SPECS`].
pub const OPTIONS: &str =
    "variant=corrected|as-printed, extinction=on|off, extinction_level=CELLS, \
Btot=CELLS (rescale B0..B3 to this total), dose=DAY:STATE:CELLS (repeatable), \
reinfuse=LEVEL:STATE:CELLS[:FALLBACK_DAY]";

fn state_index(name: &str) -> Result<usize, ModelError> {
    STATE_NAMES.iter().position(|s| *s == name).ok_or_else(|| {
        ModelError::Invalid(format!(
            "unknown state '{name}'; expected one of {}",
            STATE_NAMES.join(", ")
        ))
    })
}

fn number(what: &str, text: &str) -> Result<f64, ModelError> {
    match text.trim().parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        _ => Err(ModelError::Invalid(format!(
            "{what}: '{text}' is not a finite number"
        ))),
    }
}

fn non_negative(what: &str, text: &str) -> Result<f64, ModelError> {
    let v = number(what, text)?;
    if v < 0.0 {
        return Err(ModelError::Invalid(format!("{what} must be ≥ 0, got {v}")));
    }
    Ok(v)
}

/// Builder state while settings are applied (tracks which tied defaults
/// were set explicitly).
#[derive(Debug, Clone, Default)]
struct Ties {
    rho_l: bool,
    gamma_l: bool,
    alpha2: bool,
    h2: bool,
    rho_c2: bool,
}

impl Scenario {
    /// Build the scenario of a preset with `sets` applied on top (in order).
    pub fn from_preset(name: &str, sets: &[(String, String)]) -> Result<Scenario, ModelError> {
        let pre = preset(name)?;
        let mut sc = Scenario {
            t_end: pre.t_end,
            ..Scenario::default()
        };
        let mut ties = Ties::default();
        for (k, v) in pre.sets {
            sc.apply(k, v, &mut ties)?;
        }
        for (k, v) in sets {
            sc.apply(k, v, &mut ties)?;
        }
        sc.resolve(&ties);
        Ok(sc)
    }

    /// Apply one `NAME=VALUE` setting (a parameter of [`SPECS`] or one of [`OPTIONS`]).
    pub fn set(&mut self, name: &str, value: &str) -> Result<(), ModelError> {
        // A lone set counts as explicit: ties are resolved against defaults only in from_preset.
        let mut ties = Ties {
            rho_l: true,
            gamma_l: true,
            alpha2: true,
            h2: true,
            rho_c2: true,
        };
        self.apply(name, value, &mut ties)
    }

    fn apply(&mut self, name: &str, value: &str, ties: &mut Ties) -> Result<(), ModelError> {
        match name {
            "variant" => {
                self.model.variant = Variant::parse(value.trim()).ok_or_else(|| {
                    ModelError::Invalid(format!(
                        "variant '{value}': expected corrected or as-printed"
                    ))
                })?
            }
            "extinction" => match value.trim() {
                "on" | "true" | "1" => self.extinction = Some(self.extinction.unwrap_or(1.0)),
                "off" | "false" | "0" => self.extinction = None,
                other => {
                    return Err(ModelError::Invalid(format!(
                        "extinction '{other}': expected on or off"
                    )))
                }
            },
            "extinction_level" => {
                let v = number("extinction_level", value)?;
                if v <= 0.0 {
                    return Err(ModelError::Invalid(format!(
                        "extinction_level must be > 0, got {v}"
                    )));
                }
                if self.extinction.is_some() {
                    self.extinction = Some(v);
                }
            }
            "Btot" => {
                let v = non_negative("Btot", value)?;
                self.set_btot(v)?;
            }
            "dose" => {
                let parts: Vec<&str> = value.split(':').collect();
                if parts.len() != 3 {
                    return Err(ModelError::Invalid(format!(
                        "dose '{value}': expected DAY:STATE:CELLS"
                    )));
                }
                let t = non_negative("dose day", parts[0])?;
                let state = state_index(parts[1].trim())?;
                let cells = non_negative("dose cells", parts[2])?;
                self.doses.push(Dose { t, state, cells });
            }
            "reinfuse" => {
                let parts: Vec<&str> = value.split(':').collect();
                if !(parts.len() == 3 || parts.len() == 4) {
                    return Err(ModelError::Invalid(format!(
                        "reinfuse '{value}': expected LEVEL:STATE:CELLS[:FALLBACK_DAY]"
                    )));
                }
                let level = non_negative("reinfusion level", parts[0])?;
                let state = state_index(parts[1].trim())?;
                let cells = non_negative("reinfusion cells", parts[2])?;
                let fallback_day = match parts.get(3) {
                    Some(d) => Some(non_negative("reinfusion fallback day", d)?),
                    None => None,
                };
                self.reinfusion = Some(Reinfusion {
                    level,
                    state,
                    cells,
                    fallback_day,
                });
            }
            _ => {
                let i = params::find(&SPECS, name)?;
                let v = SPECS[i].parse(value)?;
                self.set_param(i, v, ties);
            }
        }
        Ok(())
    }

    fn set_param(&mut self, i: usize, v: f64, ties: &mut Ties) {
        self.model.p[i] = v;
        match i {
            p::RHOL => ties.rho_l = true,
            p::GAMMAL => ties.gamma_l = true,
            p::ALPHA2 => ties.alpha2 = true,
            p::H2 => ties.h2 = true,
            p::RHOC2 => ties.rho_c2 = true,
            _ => {}
        }
    }

    /// Rescale B0..B3 so they sum to `total`, keeping their proportions (Fig. 4B).
    pub fn set_btot(&mut self, total: f64) -> Result<(), ModelError> {
        let b = &mut self.model.p[p::Y0..p::Y0 + 4];
        let s: f64 = b.iter().sum();
        if s <= 0.0 {
            if total == 0.0 {
                return Ok(());
            }
            return Err(ModelError::Invalid(
                "Btot: the B-cell compartments are all 0, there are no proportions to keep".into(),
            ));
        }
        for x in b.iter_mut() {
            *x *= total / s;
        }
        Ok(())
    }

    /// Tied defaults (Table 1 of [M]): ρL = ρ1 and γL = 0.001·γ3 unless set;
    /// the second product copies product 1's α, h, ρC unless set. A second
    /// product exists when CA2 or CM2 start above 0 or a dose targets them.
    fn resolve(&mut self, ties: &Ties) {
        let q = &mut self.model.p;
        if !ties.rho_l {
            q[p::RHOL] = q[p::RHO1];
        }
        if !ties.gamma_l {
            q[p::GAMMAL] = 0.001 * q[p::GAMMA3];
        }
        if !ties.alpha2 {
            q[p::ALPHA2] = q[p::ALPHA];
        }
        if !ties.h2 {
            q[p::H2] = q[p::H];
        }
        if !ties.rho_c2 {
            q[p::RHOC2] = q[p::RHOC];
        }
        let targets2 = |s: usize| s == ix::CA2 || s == ix::CM2;
        self.model.dual = q[p::Y0 + ix::CA2] > 0.0
            || q[p::Y0 + ix::CM2] > 0.0
            || self.doses.iter().any(|d| targets2(d.state))
            || self.reinfusion.is_some_and(|r| targets2(r.state))
            || ties.alpha2
            || ties.h2
            || ties.rho_c2;
    }

    /// Check the scenario against itself (doses inside the horizon, states that exist).
    pub fn validate(&self) -> Result<(), ModelError> {
        let dim = self.model.dim();
        if !(self.t_end.is_finite() && self.t_end > 0.0) {
            return Err(ModelError::Invalid(format!(
                "the end of the simulation must be > 0 days, got {}",
                self.t_end
            )));
        }
        for d in &self.doses {
            if d.t > self.t_end {
                return Err(ModelError::Invalid(format!(
                    "a dose at day {} lies after the end of the simulation (day {})",
                    d.t, self.t_end
                )));
            }
            if d.state >= dim {
                return Err(ModelError::Invalid(
                    "dose to a state that does not exist".into(),
                ));
            }
        }
        Ok(())
    }

    fn extinction_trigger(&self) -> Option<Trigger> {
        self.extinction.map(|level| Trigger {
            // MODELS.md §3: L below one cell (adjustable) is set to 0 and held.
            condition: Condition::Threshold {
                component: ix::L,
                level,
            },
            direction: Direction::Falling,
            action: Action::Extinguish { component: ix::L },
            once: true,
            fire_if_initially_past: true,
            label: EXTINCTION_LABEL.to_string(),
        })
    }

    fn reinfusion_trigger(r: &Reinfusion) -> Trigger {
        Trigger {
            condition: Condition::Threshold {
                component: ix::L,
                level: r.level,
            },
            direction: Direction::Rising,
            action: Action::Add {
                component: r.state,
                amount: r.cells,
            },
            once: true,
            fire_if_initially_past: false,
            label: REINFUSION_LABEL.to_string(),
        }
    }

    /// Events of the course: every timed dose, extinction and the
    /// reinfusion trigger, with the index of the latter among the triggers.
    fn events(&self) -> (Events, Option<usize>) {
        let mut ev = Events::none();
        for d in &self.doses {
            if d.t >= 0.0 && d.t <= self.t_end {
                ev.at(
                    d.t,
                    Action::Add {
                        component: d.state,
                        amount: d.cells,
                    },
                    format!("dose of {:e} cells into {}", d.cells, STATE_NAMES[d.state]),
                );
            }
        }
        if let Some(tr) = self.extinction_trigger() {
            ev.when(tr);
        }
        let reinfusion = self.reinfusion.map(|r| {
            ev.when(Self::reinfusion_trigger(&r));
            ev.triggers.len() - 1
        });
        (ev, reinfusion)
    }

    /// Prepared events for repeated solves of this scenario (sweeps): built
    /// once, reused for every point.
    pub fn prepare(&self) -> Prepared {
        self.prepare_with(false)
    }

    /// As [`prepare`](Self::prepare), except that the solve stops where the
    /// leukemia goes extinct, for outcomes that need nothing but L at day
    /// 30: extinction holds L at 0 and nothing in the model adds leukemic
    /// cells (doses and reinfusions are CAR T), so L30 = 0 is then known
    /// and the rest of the course is not needed. Without the extinction
    /// rule this is [`prepare`](Self::prepare).
    pub fn prepare_stopping_at_extinction(&self) -> Prepared {
        self.prepare_with(true)
    }

    fn prepare_with(&self, stop_at_extinction: bool) -> Prepared {
        let (mut events, reinfusion) = self.events();
        if stop_at_extinction {
            for tr in &mut events.triggers {
                if matches!(tr.action, Action::Extinguish { component } if component == ix::L) {
                    tr.action = Action::Stop;
                }
            }
        }
        let fallback = self
            .reinfusion
            .and_then(|r| r.fallback_day)
            .filter(|d| *d > 0.0 && *d < self.t_end)
            .zip(reinfusion)
            .map(|(t, trigger)| Fallback { t, trigger });
        Prepared { events, fallback }
    }

    /// Run the scenario with a reusable `solver`, sending output to `obs`.
    /// `grid` gives output times (`None`: every accepted step). One
    /// integration: with a fallback day it stops there to decide the
    /// fallback reinfusion, then goes on.
    pub fn run<O: Observer + ?Sized>(
        &self,
        prepared: &Prepared,
        solver: &mut Solver,
        settings: &Settings,
        grid: &OutputGrid,
        obs: &mut O,
    ) -> Result<Outcome, ModelError> {
        self.validate()?;
        let mut y0 = [0.0; 9];
        self.model.initial_state(&mut y0);
        let dim = self.model.dim();
        let y0 = &y0[..dim];
        let mut run = solver.start(
            &self.model,
            0.0,
            y0,
            self.t_end,
            settings,
            &prepared.events,
            grid,
            obs,
        )?;
        if let (Some(fb), Some(r)) = (&prepared.fallback, &self.reinfusion) {
            // No initial response: L never went below the level (the rising
            // trigger has not fired) and is at or above it on the fallback
            // day — dose then, and the rising trigger is disarmed.
            if run.advance_to(fb.t)? == Step::StopTime
                && !run.fired(fb.trigger)
                && run.state()[ix::L] >= r.level
            {
                let dose = Action::Add {
                    component: r.state,
                    amount: r.cells,
                };
                run.apply(dose, FALLBACK_LABEL)?;
                run.disarm(fb.trigger);
            }
        }
        Ok(run.finish()?)
    }
}

/// Events of a scenario, built once for many solves.
#[derive(Debug, Clone)]
pub struct Prepared {
    events: Events,
    fallback: Option<Fallback>,
}

/// Where the run stops to decide the fallback reinfusion.
#[derive(Debug, Clone, Copy)]
struct Fallback {
    /// The fallback day.
    t: f64,
    /// Index of the reinfusion trigger in the prepared events.
    trigger: usize,
}
