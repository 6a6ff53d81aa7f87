//! Tests that run in headless Chromium (`cargo xtask test` runs them with
//! `cargo test --target wasm32-unknown-unknown --test wasm`).
//!
//! The parity test compiles in the values the native build wrote to
//! `target/parity/native.txt` (path in `CARTSIM_NATIVE_PARITY`) and checks
//! the browser computes the same bits.
#![cfg(target_arch = "wasm32")]

use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

/// Values written by the native build.
const NATIVE: &str = include_str!(env!(
    "CARTSIM_NATIVE_PARITY",
    "set CARTSIM_NATIVE_PARITY to target/parity/native.txt (run `cargo xtask test`)"
));

#[wasm_bindgen_test]
fn parity_with_native_is_bit_exact() {
    match cartsim::parity::compare(NATIVE, &cartsim::parity::sets()) {
        Ok(n) => assert!(n > 0),
        Err(report) => panic!("wasm and native differ:\n{report}"),
    }
}

#[wasm_bindgen_test]
fn solver_runs_in_the_browser() {
    use cartsim::solver::reference::Logistic;
    use cartsim::solver::{solve, Settings};
    let sys = Logistic { r: 1.0, k: 10.0 };
    let sol = solve(&sys, 0.0, &[0.1], 12.0, &Settings::dopri5(1e-10, 1e-12)).unwrap();
    let exact = sys.exact(0.1, 12.0);
    assert!((sol.outcome.y[0] - exact).abs() < 1e-8 * exact);
    assert!(sol.trajectory.len() > 10);
}
