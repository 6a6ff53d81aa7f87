//! Clinical model of Liu et al. ([L], MODELS.md §1): CD19+ leukemia nP,
//! activated and naive CAR T nTA and nTN, and a CD19− clone nN, in 10^9
//! bone-marrow-equivalent cells, with days as the time unit.
//!
//! - [`Clinical`]: the four equations as an [`OdeSystem`].
//! - [`params`]: parameters described once ([`SPECS`]) and the presets.
//! - [`Options`]: model settings (the extinction rule of MODELS.md §3).
//! - [`MODEL`]: the model behind the one [`crate::model::Model`] interface
//!   (presets, lessons, [`course`]: table and metrics from one solve, charts).
//! - [`simulate`]: a [`SimRequest`] in, a [`SimTable`] out.
//! - [`Runner`]: the fast path for cohorts and fits — a parameter vector in,
//!   [`Metrics`] out, reusing one [`Solver`] and storing no trajectory.

mod lessons;
mod model;
pub mod params;

pub use lessons::LESSONS;
pub use model::{car_t_display, car_t_unit, course, ClinicalModel, MODEL};
pub use params::{ix, preset, Params, Preset, CLASSES, CLASSES_RUNS, N_PARAMS, PRESETS, SPECS};

use super::params::{find, ParamError, ParamSpec, Scale};
use super::{check_t_end, ModelError, SimRequest, SimTable, TableBuilder};
use crate::analysis::metrics::{metrics_grid, ClassifySettings, CourseTracker, Metrics};
use crate::solver::{
    Action, Condition, Direction, Events, OdeSystem, OutputGrid, Settings, Solver, Trigger,
};

/// Index of nP (CD19+ B-ALL) in the state.
pub const NP: usize = 0;
/// Index of nTA (activated CAR T).
pub const NTA: usize = 1;
/// Index of nTN (naive CAR T).
pub const NTN: usize = 2;
/// Index of nN (CD19− B-ALL).
pub const NN: usize = 3;
/// State names, in order (CSV headers).
pub const STATE_NAMES: [&str; 4] = ["nP", "nTA", "nTN", "nN"];
/// Default end of a simulation, days.
pub const DEFAULT_T_END: f64 = 180.0;
/// One cell in the model's units (10^9 cells): the default extinction
/// threshold (MODELS.md §3).
pub const ONE_CELL: f64 = 1e-9;

/// The right-hand side of the clinical model for one parameter set.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Clinical {
    /// Parameter values (initial values are ignored by the equations).
    pub p: Params,
}

impl OdeSystem for Clinical {
    fn dim(&self) -> usize {
        4
    }

    /// MODELS.md §1 "Equations":
    ///
    /// ```text
    /// dnP/dt  = rP·nP·(1 − nP/nC) − e·nTA·nP/(nP + KP)
    /// dnTA/dt = rTA·nTA·nP/(nP + Kr) + kA·nTN·nP/(nP + KA) − lTA·nTA
    /// dnTN/dt = −kA·nTN·nP/(nP + KA) − lTN·nTN
    /// dnN/dt  = rN·nN·(1 − nN/nC) + km·nP − e·nTA·nN/(kb·nN + KN)
    /// ```
    #[inline]
    fn rhs(&self, _t: f64, y: &[f64], dy: &mut [f64]) {
        let p = &self.p.0;
        let (np, nta, ntn, nn) = (y[NP], y[NTA], y[NTN], y[NN]);
        let kill = p[ix::e] * nta;
        let activation = p[ix::kA] * ntn * np / (np + p[ix::KA]);
        dy[NP] = p[ix::rP] * np * (1.0 - np / p[ix::nC]) - kill * np / (np + p[ix::KP]);
        dy[NTA] = p[ix::rTA] * nta * np / (np + p[ix::Kr]) + activation - p[ix::lTA] * nta;
        dy[NTN] = -activation - p[ix::lTN] * ntn;
        // MODELS.md §1 interpretation notes: the bystander term is read as
        // e·nTA·nN/(kb·nN + KN) (not e·nTA·nN/(kb·(nN + KN))), and the
        // mutation flux km·nP is NOT subtracted from dnP/dt (as printed).
        dy[NN] = p[ix::rN] * nn * (1.0 - nn / p[ix::nC]) + p[ix::km] * np
            - kill * nn / (p[ix::kb] * nn + p[ix::KN]);
    }

    /// Cell counts: never negative.
    fn nonnegative(&self) -> bool {
        true
    }

    /// The analytic Jacobian of [`rhs`](Self::rhs), row-major 4 × 4 (for
    /// the stiff solver; `tests/stiff.rs` checks it against differences).
    fn jacobian(&self, _t: f64, y: &[f64], jac: &mut [f64]) -> bool {
        let p = &self.p.0;
        let (np, nta, ntn, nn) = (y[NP], y[NTA], y[NTN], y[NN]);
        let (dp, dr, da) = (np + p[ix::KP], np + p[ix::Kr], np + p[ix::KA]);
        let dn = p[ix::kb] * nn + p[ix::KN];
        jac.fill(0.0);
        let mut set = |i: usize, j: usize, v: f64| jac[i * 4 + j] = v;
        // dnP/dt
        set(
            NP,
            NP,
            p[ix::rP] * (1.0 - 2.0 * np / p[ix::nC]) - p[ix::e] * nta * p[ix::KP] / (dp * dp),
        );
        set(NP, NTA, -p[ix::e] * np / dp);
        // dnTA/dt
        set(
            NTA,
            NP,
            p[ix::rTA] * nta * p[ix::Kr] / (dr * dr) + p[ix::kA] * ntn * p[ix::KA] / (da * da),
        );
        set(NTA, NTA, p[ix::rTA] * np / dr - p[ix::lTA]);
        set(NTA, NTN, p[ix::kA] * np / da);
        // dnTN/dt
        set(NTN, NP, -p[ix::kA] * ntn * p[ix::KA] / (da * da));
        set(NTN, NTN, -p[ix::kA] * np / da - p[ix::lTN]);
        // dnN/dt
        set(NN, NP, p[ix::km]);
        set(NN, NTA, -p[ix::e] * nn / dn);
        set(
            NN,
            NN,
            p[ix::rN] * (1.0 - 2.0 * nn / p[ix::nC]) - p[ix::e] * nta * p[ix::KN] / (dn * dn),
        );
        true
    }
}

/// Model settings beside the parameters (set with `--set NAME=VALUE` too).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Options {
    /// The extinction rule of MODELS.md §3 (default on).
    pub extinction: bool,
    /// Level below which a tumour population is extinct, 10^9 cells
    /// (default [`ONE_CELL`]).
    pub extinction_threshold: f64,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            extinction: true,
            extinction_threshold: ONE_CELL,
        }
    }
}

/// Numeric settings described like parameters (range, unit, meaning).
pub const SETTING_SPECS: [ParamSpec; 1] = [ParamSpec {
    name: "extinction_threshold",
    symbol: "n_ext",
    unit: "10^9 cells",
    meaning: "a tumour population below this level is extinct (1e-9 = one cell)",
    min: 0.0,
    max: 1.0,
    scale: Scale::Linear,
    source: "cartsim's choice (see Model notes)",
}];

/// Names accepted by `--set` besides the parameters.
pub const SETTING_NAMES: [&str; 2] = ["extinction", "extinction_threshold"];

fn known_names() -> Vec<&'static str> {
    SPECS.iter().map(|s| s.name).chain(SETTING_NAMES).collect()
}

/// Start from preset `name` and apply `NAME=VALUE` assignments (parameters,
/// initial values and the settings `extinction=on|off`,
/// `extinction_threshold=X`). Errors name the offending key.
pub fn configure(name: &str, sets: &[(String, String)]) -> Result<(Params, Options), ModelError> {
    let mut p = preset(name)?.params;
    let mut o = Options::default();
    for (k, v) in sets {
        match k.as_str() {
            "extinction" => {
                o.extinction = match v.trim() {
                    "on" | "true" | "1" => true,
                    "off" | "false" | "0" => false,
                    _ => {
                        return Err(ModelError::Invalid(format!(
                            "setting 'extinction': '{v}' is not on or off"
                        )))
                    }
                }
            }
            "extinction_threshold" => o.extinction_threshold = SETTING_SPECS[0].parse(v)?,
            _ => {
                let i = find(&SPECS, k).map_err(|_| ParamError::Unknown {
                    name: k.clone(),
                    known: known_names(),
                })?;
                p.0[i] = SPECS[i].parse(v)?;
            }
        }
    }
    Ok((p, o))
}

/// The extinction triggers of MODELS.md §3 for nP and nN, or none when the
/// rule is off. Built once per [`Runner`]; [`arm_triggers`] adapts them to a
/// parameter set without allocating.
pub fn extinction_events(o: &Options) -> Events {
    let mut ev = Events::none();
    if o.extinction {
        // MODELS.md §3: a tumour population that falls below one cell
        // (1e-9 in these units) is set to exactly 0 and stays 0.
        for (c, label) in [
            (
                NP,
                "CD19+ B-ALL (nP) extinct: below the extinction threshold",
            ),
            (
                NN,
                "CD19- B-ALL (nN) extinct: below the extinction threshold",
            ),
        ] {
            ev.when(Trigger {
                condition: Condition::Threshold {
                    component: c,
                    level: o.extinction_threshold,
                },
                direction: Direction::Falling,
                action: Action::Extinguish { component: c },
                once: true,
                fire_if_initially_past: true,
                label: label.to_string(),
            });
        }
    }
    ev
}

/// Adapt the extinction triggers to `p`: nP is extinct from the start when
/// it starts below the threshold. nN starts at 0 in most presets; it counts
/// as extinct at the start only when it starts below the threshold but above
/// 0 and nothing feeds it (km = 0). With km > 0 the clone is being created
/// by mutation, so starting at 0 is not extinction (it is still extinguished
/// if it later falls below the threshold).
pub fn arm_triggers(ev: &mut Events, p: &Params) {
    for tr in ev.triggers.iter_mut() {
        if let Action::Extinguish { component: NN } = tr.action {
            tr.fire_if_initially_past = p.0[ix::km] == 0.0 && p.0[ix::nN0] > 0.0;
        }
    }
}

/// Simulate a request: columns `t,nP,nTA,nTN,nN,car_t_total,tumor_burden_pct`
/// (tumor burden of nP + nN, in %). Default end: day 180.
pub fn simulate(req: &SimRequest) -> Result<SimTable, ModelError> {
    let (p, o) = configure(&req.preset, &req.sets)?;
    let t_end = check_t_end(req.t_end.unwrap_or(DEFAULT_T_END))?;
    let grid = req.sampling.grid(t_end)?;
    let mut ev = extinction_events(&o);
    arm_triggers(&mut ev, &p);
    let mut table = TableBuilder::new(model::derived);
    let out = Solver::new().solve(
        &Clinical { p },
        0.0,
        &p.initial_state(),
        t_end,
        &req.settings,
        &ev,
        &grid,
        &mut table,
    )?;
    Ok(SimTable {
        columns: model::columns(),
        rows: table.rows,
        stats: out.stats,
        events: out.events,
    })
}

/// The fast path: scores parameter sets one after another with one reusable
/// [`Solver`], output grid and event list, computing [`Metrics`] through a
/// [`CourseTracker`] observer (no trajectory is stored). One per thread.
#[derive(Debug)]
pub struct Runner {
    solver: Solver,
    settings: Settings,
    classify: ClassifySettings,
    events: Events,
    grid: OutputGrid,
    t_end: f64,
}

impl Runner {
    /// A runner for these solver settings, model options and thresholds
    /// (all validated here). It solves to `classify.t_end()`.
    pub fn new(
        settings: Settings,
        options: Options,
        classify: ClassifySettings,
    ) -> Result<Self, ModelError> {
        classify.validate().map_err(ModelError::Invalid)?;
        SETTING_SPECS[0].check(options.extinction_threshold)?;
        settings.validate(STATE_NAMES.len())?;
        let t_end = classify.t_end();
        Ok(Runner {
            solver: Solver::new(),
            settings,
            classify,
            events: extinction_events(&options),
            grid: OutputGrid::Times(metrics_grid(t_end)),
            t_end,
        })
    }

    /// Simulate `p` and score the course. `p` is not range-checked (cohort
    /// draws may leave the slider ranges); a course that blows up is a
    /// solver error.
    pub fn metrics(&mut self, p: &Params) -> Result<Metrics, ModelError> {
        arm_triggers(&mut self.events, p);
        let mut tracker = CourseTracker::new(self.classify).map_err(ModelError::Invalid)?;
        self.solver.solve(
            &Clinical { p: *p },
            0.0,
            &p.initial_state(),
            self.t_end,
            &self.settings,
            &self.events,
            &self.grid,
            &mut tracker,
        )?;
        tracker
            .finish(p.ft(), p.fnegr())
            .ok_or_else(|| ModelError::Invalid("the course did not cover days 0-28".into()))
    }
}

/// Metrics of a request's course (preset, `--set`s and solver settings of
/// `req`; `req.t_end` and `req.sampling` are ignored: the course is solved
/// to `classify.t_end()`).
pub fn metrics(req: &SimRequest, classify: ClassifySettings) -> Result<Metrics, ModelError> {
    let (p, o) = configure(&req.preset, &req.sets)?;
    Runner::new(req.settings.clone(), o, classify)?.metrics(&p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configure_applies_sets_and_names_bad_keys() {
        let sets = |v: &[(&str, &str)]| -> Vec<(String, String)> {
            v.iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect()
        };
        let (p, o) = configure(
            "cr",
            &sets(&[
                ("rTA", "2"),
                ("extinction", "off"),
                ("extinction_threshold", "1e-6"),
            ]),
        )
        .unwrap();
        assert_eq!(p.0[ix::rTA], 2.0);
        assert!(!o.extinction);
        assert_eq!(o.extinction_threshold, 1e-6);
        for (k, v) in [
            ("rTA", "abc"),
            ("rTA", "-1"),
            ("bogus", "1"),
            ("extinction", "maybe"),
        ] {
            let e = configure("cr", &sets(&[(k, v)])).unwrap_err().to_string();
            assert!(e.contains(k), "{e}");
        }
        assert!(matches!(
            configure("zz", &[]),
            Err(ModelError::UnknownPreset { .. })
        ));
    }

    #[test]
    fn triggers_follow_the_rule() {
        let o = Options::default();
        let mut ev = extinction_events(&o);
        assert_eq!(ev.triggers.len(), 2);
        let mut p = PRESETS[3].params;
        arm_triggers(&mut ev, &p);
        assert!(!ev.triggers[1].fire_if_initially_past); // km > 0
        p.0[ix::km] = 0.0;
        arm_triggers(&mut ev, &p);
        assert!(ev.triggers[1].fire_if_initially_past);
        assert!(extinction_events(&Options {
            extinction: false,
            ..o
        })
        .triggers
        .is_empty());
    }
}
