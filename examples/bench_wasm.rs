//! WebAssembly side of `cargo xtask bench-browser` (issue 7): the same
//! clinical solve as the native harness (`examples/bench_peers`), exported
//! to the benchmark page `bench/browser/index.html`, which times it beside
//! npm `odex` in the same page. Built as a cdylib for wasm32 only (natively
//! this example is empty):
//!
//! `cargo build --release --example bench_wasm --target wasm32-unknown-unknown`
//! then `wasm-bindgen --target web`.
#![cfg(target_arch = "wasm32")]

use cartsim::model::clinical::{self, Clinical};
use cartsim::solver::{Events, Observer, OutputGrid, Settings, Solver};
use wasm_bindgen::prelude::*;

/// An observer writing into a reused buffer.
struct Sink<'a>(&'a mut Vec<f64>);
impl Observer for Sink<'_> {
    fn observe(&mut self, _t: f64, y: &[f64]) {
        self.0.extend_from_slice(y);
    }
}

/// One clinical preset solved repeatedly with cartsim DP5 (extinction off,
/// daily output), reusing one solver workspace, as natively.
#[wasm_bindgen]
pub struct ClinicalBench {
    solver: Solver,
    sys: Clinical,
    y0: Vec<f64>,
    t_end: f64,
    grid: OutputGrid,
    settings: Settings,
    out: Vec<f64>,
    evals: usize,
}

#[wasm_bindgen]
impl ClinicalBench {
    /// A bench for `preset` at (rtol, atol).
    #[wasm_bindgen(constructor)]
    pub fn new(preset: &str, rtol: f64, atol: f64) -> Result<ClinicalBench, JsError> {
        let p = clinical::preset(preset).map_err(|e| JsError::new(&e.to_string()))?;
        let t_end = clinical::DEFAULT_T_END;
        Ok(ClinicalBench {
            solver: Solver::new(),
            sys: Clinical { p: p.params },
            y0: p.params.initial_state().to_vec(),
            t_end,
            grid: OutputGrid::Times((0..=t_end as usize).map(|d| d as f64).collect()),
            settings: Settings::dopri5(rtol, atol),
            out: Vec::new(),
            evals: 0,
        })
    }

    /// Solve `reps` times; returns the RHS evaluations of one solve.
    pub fn run(&mut self, reps: u32) -> Result<u32, JsError> {
        let events = Events::none();
        for _ in 0..reps {
            self.out.clear();
            let o = self
                .solver
                .solve(
                    &self.sys,
                    0.0,
                    &self.y0,
                    self.t_end,
                    &self.settings,
                    &events,
                    &self.grid,
                    &mut Sink(&mut self.out),
                )
                .map_err(|e| JsError::new(&e.to_string()))?;
            self.evals = o.stats.rhs_evals;
        }
        Ok(self.evals as u32)
    }

    /// The last solve's daily output, row-major (day 0..=180, 4 states).
    pub fn output(&self) -> Vec<f64> {
        self.out.clone()
    }
}

/// The page's heat map (issue 19): rows of the fig6 200 × 200 grid of
/// log10 L30 over α × h (as `cartsim sweep --model marrow --preset fig6
/// --x alpha:3e-11:3e-9:log:200 --y h:1e8:1e11:log:200 --outcome
/// log10_L30`), evaluated as a job worker does (`jobs::SweepSpec`, day-30
/// courses), to time the solver in the module the page ships.
#[wasm_bindgen]
pub struct HeatBench {
    grid: cartsim::sweep::Grid,
    eval: cartsim::sweep::marrow::MarrowEval,
}

#[wasm_bindgen]
impl HeatBench {
    /// The fig6 α × h grid, 200 × 200.
    #[wasm_bindgen(constructor)]
    pub fn new() -> Result<HeatBench, JsError> {
        let axis = |name: &str, lo: f64, hi: f64| cartsim::jobs::AxisSpec {
            name: name.into(),
            lo,
            hi,
            log: true,
            n: 200,
        };
        let spec = cartsim::jobs::SweepSpec {
            preset: "fig6".into(),
            sets: Vec::new(),
            axes: vec![axis("alpha", 3e-11, 3e-9), axis("h", 1e8, 1e11)],
            peak_window: 30.0,
            day30_only: true,
        };
        let err = |e: cartsim::jobs::JobError| JsError::new(&e.to_string());
        let grid = spec.grid().map_err(err)?;
        let eval = spec.evaluator(&grid).map_err(err)?;
        Ok(HeatBench { grid, eval })
    }

    /// Evaluate grid points `from..to`; returns the sum of their log10 L30
    /// (a checksum: the two builds must agree).
    pub fn run(&self, from: usize, to: usize) -> Result<f64, JsError> {
        use cartsim::sweep::marrow::Outcome;
        let out = cartsim::sweep::run_range(&self.grid, &self.eval, from..to, &mut |_, _| {});
        let mut sum = 0.0;
        for m in out {
            sum += m
                .map_err(|e| JsError::new(&e.to_string()))?
                .get(Outcome::Log10L30);
        }
        Ok(sum)
    }
}
