//! Benchmarks against the tools people would use instead of cartsim
//! (issue 7). This module only orchestrates (plain std, like the rest of
//! the xtask); the measuring and the JSON/Markdown reports live in
//! `examples/bench_peers` and `bench/`.
//!
//! - `bench-peers`: Python venv (scipy, libroadrunner, antimony) in
//!   `target/bench/venv`, the native harness, `bench/peers.py`, then the
//!   merged `target/bench/peers.json` and the tables in BENCHMARKS.md.
//! - `bench-browser`: cartsim's wasm solver against npm `odex` in headless
//!   Chromium, the app bundle size and time to first chart;
//!   `target/bench/browser.json` and its table in BENCHMARKS.md.

use super::{cargo, run, tools, Fail, Workspace};
use std::path::PathBuf;
use std::process::Command;

fn bench_dir(ws: &Workspace) -> Result<PathBuf, Fail> {
    let dir = ws.root.join("target").join("bench");
    std::fs::create_dir_all(&dir)
        .map_err(|e| Fail::new(format!("cannot create {}: {e}", dir.display())))?;
    Ok(dir)
}

/// The Python peers in `target/bench/venv` (created and filled when missing).
fn ensure_venv(ws: &Workspace) -> Result<PathBuf, Fail> {
    let venv = bench_dir(ws)?.join("venv");
    let py = venv.join("bin").join("python");
    let ready = Command::new(&py)
        .args(["-c", "import scipy, roadrunner, antimony"])
        .output()
        .is_ok_and(|o| o.status.success());
    if ready {
        println!("tools: Python peers present in {}", venv.display());
        return Ok(py);
    }
    run(Command::new("python3").args(["-m", "venv"]).arg(&venv))?;
    run(Command::new(venv.join("bin").join("pip")).args([
        "install",
        "--quiet",
        "scipy",
        "libroadrunner",
        "antimony",
    ]))?;
    Ok(py)
}

/// The native harness's report mode: merge JSON, print and write tables.
fn report(ws: &Workspace, what: &str, quick: bool) -> Result<(), Fail> {
    let dir = bench_dir(ws)?;
    let md = ws.root.join("BENCHMARKS.md");
    let mut cmd = cargo(
        ws,
        &[
            "run",
            "--release",
            "--quiet",
            "--example",
            "bench_peers",
            "--",
        ],
    );
    cmd.args(["--report", what, "--out"])
        .arg(&dir)
        .arg("--md")
        .arg(&md);
    if quick {
        cmd.arg("--quick");
    }
    run(&mut cmd)
}

/// `cargo xtask bench-peers [--quick]`.
pub fn bench_peers(ws: &Workspace, quick: bool) -> Result<(), Fail> {
    let py = ensure_venv(ws)?;
    let dir = bench_dir(ws)?;
    let mut native = cargo(
        ws,
        &[
            "run",
            "--release",
            "--example",
            "bench_peers",
            "--",
            "--out",
        ],
    );
    native.arg(&dir);
    if quick {
        native.arg("--quick");
    }
    run(&mut native)?;
    let mut peers = Command::new(&py);
    peers
        .arg("bench/peers.py")
        .arg("--dir")
        .arg(&dir)
        .current_dir(&ws.root);
    if quick {
        peers.arg("--quick");
    }
    run(&mut peers)?;
    report(ws, "peers", quick)
}

/// `cargo xtask bench-browser`.
pub fn bench_browser(ws: &Workspace) -> Result<(), Fail> {
    let _ = tools::CHROMIUM;
    report(ws, "browser", false)
}
