//! A marrow course as a table: state columns then derived ones.

use super::params::{ix, STATE_NAMES};
use super::scenario::Scenario;
use crate::model::{ModelError, Sampling, SimRequest, SimTable};
use crate::solver::{Observer, OutputGrid, Settings, Solver};

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
struct TableObserver {
    dual: bool,
    rows: Vec<f64>,
    last: Option<(f64, [f64; 9])>,
}

impl Observer for TableObserver {
    fn observe(&mut self, t: f64, y: &[f64]) {
        let n = y.len();
        let mut yy = [0.0; 9];
        yy[..n].copy_from_slice(y);
        // Skip an exact repeat (a segment boundary reported twice).
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

/// Output grid for a sampling request.
pub fn output_grid(sampling: &Sampling, t_end: f64) -> Result<OutputGrid, ModelError> {
    Ok(match sampling {
        Sampling::Steps => OutputGrid::Steps,
        Sampling::Times(ts) => {
            if let Some(bad) = ts.iter().find(|t| !(**t >= 0.0 && **t <= t_end)) {
                return Err(ModelError::Invalid(format!(
                    "output time {bad} lies outside [0, {t_end}]"
                )));
            }
            let mut v = ts.clone();
            v.sort_by(f64::total_cmp);
            OutputGrid::Times(v)
        }
        Sampling::Every(dt) => {
            if !(dt.is_finite() && *dt > 0.0) {
                return Err(ModelError::Invalid(format!(
                    "--every must be > 0, got {dt}"
                )));
            }
            let n = (t_end / dt).floor() as usize;
            if n > 10_000_000 {
                return Err(ModelError::Invalid("too many output points".into()));
            }
            let mut v: Vec<f64> = (0..=n).map(|i| i as f64 * dt).collect();
            if v.last().is_some_and(|l| *l < t_end) {
                v.push(t_end);
            }
            OutputGrid::Times(v)
        }
    })
}

/// Simulate one course of a scenario into a table.
pub fn simulate_scenario(
    sc: &Scenario,
    settings: &Settings,
    sampling: &Sampling,
) -> Result<SimTable, ModelError> {
    let grid = output_grid(sampling, sc.t_end)?;
    let mut obs = TableObserver {
        dual: sc.model.dual,
        rows: Vec::new(),
        last: None,
    };
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

/// Simulate a request: CSV columns `t,B0,B1,B2,B3,L,CA,CM` (then `CA2,CM2`
/// with a second product), then derived columns.
pub fn simulate(req: &SimRequest) -> Result<SimTable, ModelError> {
    let sc = scenario(req)?;
    simulate_scenario(&sc, &req.settings, &req.sampling)
}
