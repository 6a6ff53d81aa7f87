//! A marrow course as a table: state columns then derived ones.

use super::params::{ix, STATE_NAMES};
use super::scenario::Scenario;
use crate::model::{ModelError, ModelId, Sampling, SimRequest, SimTable};
use crate::solver::{Observer, Settings, Solver};

/// Column names for a system with or without a second product.
pub fn columns(dual: bool) -> Vec<String> {
    let n = if dual { 9 } else { 7 };
    let mut c = vec!["t".to_string()];
    c.extend(STATE_NAMES[..n].iter().map(|s| s.to_string()));
    c.extend(["car_t_total", "b_total", "b_cd19"].map(String::from));
    if dual {
        c.extend(["car_t_product1", "car_t_product2", "share_product2"].map(String::from));
    }
    c
}

/// Appends rows (state + derived columns) to a table.
pub(super) struct TableObserver {
    dual: bool,
    /// Row-major values so far.
    pub(super) rows: Vec<f64>,
    last: Option<(f64, [f64; 9])>,
}

impl TableObserver {
    /// An empty table for a system with or without a second product.
    pub(super) fn new(dual: bool) -> Self {
        TableObserver {
            dual,
            rows: Vec::new(),
            last: None,
        }
    }
}

impl Observer for TableObserver {
    fn observe(&mut self, t: f64, y: &[f64]) {
        let n = y.len();
        let mut yy = [0.0; 9];
        yy[..n].copy_from_slice(y);
        // Skip an exact repeat (the same time and state reported twice).
        if let Some((lt, ly)) = &self.last {
            if *lt == t && ly[..n] == yy[..n] {
                return;
            }
        }
        self.last = Some((t, yy));
        self.rows.push(t);
        self.rows.extend_from_slice(y);
        let c1 = y[ix::CA] + y[ix::CM];
        let c2 = if self.dual {
            y[ix::CA2] + y[ix::CM2]
        } else {
            0.0
        };
        self.rows.push(c1 + c2);
        self.rows.push(y[0] + y[1] + y[2] + y[3]);
        self.rows.push(y[1] + y[2] + y[3]);
        if self.dual {
            self.rows.push(c1);
            self.rows.push(c2);
            self.rows
                .push(if c1 + c2 > 0.0 { c2 / (c1 + c2) } else { 0.0 });
        }
    }
}

/// Simulate one course of a scenario into a table.
pub fn simulate_scenario(
    sc: &Scenario,
    settings: &Settings,
    sampling: &Sampling,
) -> Result<SimTable, ModelError> {
    let grid = sampling.grid(sc.t_end)?;
    let mut obs = TableObserver::new(sc.model.dual);
    let prepared = sc.prepare();
    let out = sc.run(&prepared, &mut Solver::new(), settings, &grid, &mut obs)?;
    Ok(SimTable {
        columns: columns(sc.model.dual),
        rows: obs.rows,
        stats: out.stats,
        events: out.events,
    })
}

/// Build the scenario a request describes (preset, then `--set`s, then `--t-end`).
pub fn scenario(req: &SimRequest) -> Result<Scenario, ModelError> {
    let mut sc = Scenario::from_preset(&req.preset, &req.sets)?;
    if let Some(t) = req.t_end {
        sc.t_end = t;
    }
    sc.validate()?;
    Ok(sc)
}

/// The scenario of a request to a model that must be this one: the marrow
/// analyses (sweeps, the Fig. 7 experiment) are written for its equations.
pub fn scenario_of(model: ModelId, req: &SimRequest) -> Result<Scenario, ModelError> {
    if model != super::MODEL {
        return Err(ModelError::Invalid(format!(
            "sweeps are available for the marrow model, not the {model} model"
        )));
    }
    scenario(req)
}

/// Simulate a request: CSV columns `t,B0,B1,B2,B3,L,CA,CM` (then `CA2,CM2`
/// with a second product), then derived columns.
pub fn simulate(req: &SimRequest) -> Result<SimTable, ModelError> {
    let sc = scenario(req)?;
    simulate_scenario(&sc, &req.settings, &req.sampling)
}
