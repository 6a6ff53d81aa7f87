//! Native side of `cargo xtask bench-peers` (issue 7): cartsim's DP5 and RK4
//! against the Rust crate `ode_solvers` (Dopri5) on the benchmark problems,
//! plus the reference solutions (cartsim DP5 at rtol 1e-12) that every tool,
//! Rust or Python, is scored against, and the RHS-evaluation floor.
//!
//! Run it through `cargo xtask bench-peers`; alone:
//! `cargo run --release --example bench_peers -- [--quick] [--only PROBLEM] [--out DIR]`;
//! `-- --report peers|browser [--md FILE]` merges the JSON and writes the tables.
//! Writes `DIR/problems.json` (problem definitions for `bench/peers.py`),
//! `DIR/reference.json` and `DIR/rust.json` (result rows).
//!
//! All problems run with extinction OFF (MODELS.md §3), so every tool
//! integrates the same smooth ODE.

#[cfg(not(target_arch = "wasm32"))]
mod native;
#[cfg(not(target_arch = "wasm32"))]
mod report;

fn main() {
    // Native only (it compares against native peers); on wasm32 the example
    // builds to nothing so `cargo clippy --target wasm32 --all-targets` passes.
    #[cfg(not(target_arch = "wasm32"))]
    native::main();
}
