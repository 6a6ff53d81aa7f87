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
