//! Benchmarks against the tools people would use instead of cartsim
//! (issue 7). This module only orchestrates (plain std, like the rest of
//! the xtask); the measuring and the JSON/Markdown reports live in
//! `examples/bench_peers` and `bench/`.
//!
//! - `bench-peers`: Python venv (scipy, libroadrunner, antimony) in
//!   `target/bench/venv`, the native harness, `bench/peers.py`, then the
//!   merged `target/bench/peers.json` and the tables in BENCHMARKS.md.
//! - `bench-browser`: cartsim's wasm solver against npm `odex` in headless
//!   Chromium, the app bundle size and time to first chart, Lighthouse on
//!   the page served with gzip; `target/bench/browser.json` and its tables
//!   in BENCHMARKS.md.

use super::{cargo, run, tools, trunk_build, Fail, Workspace};
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
    let web = tools::ensure_web_tools(ws)?;
    tools::ensure_chromium()?;
    tools::ensure_node()?;
    let dir = bench_dir(ws)?;

    // The wasm entry, bound for the web (same wasm-bindgen as the app),
    // built at opt-level 3 (`release`) and as the page's module is built
    // (profile `web`, for size, then `wasm-opt -Oz` as Trunk runs it), so
    // the solver is also timed as the page ships it (issue 19).
    let bench_wasm = |profile: &str, out: &str| -> Result<PathBuf, Fail> {
        run(&mut cargo(
            ws,
            &[
                "build",
                "--profile",
                profile,
                "--example",
                "bench_wasm",
                "--target",
                "wasm32-unknown-unknown",
            ],
        ))?;
        let pkg = dir.join(out);
        run(Command::new("wasm-bindgen")
            .args(["--target", "web", "--out-dir"])
            .arg(&pkg)
            .arg(ws.root.join(format!(
                "target/wasm32-unknown-unknown/{profile}/examples/bench_wasm.wasm"
            ))))?;
        Ok(pkg)
    };
    let pkg = bench_wasm("release", "browser-pkg")?;
    let pkg_web = bench_wasm("web", "browser-pkg-web")?;
    let bg = pkg_web.join("bench_wasm_bg.wasm");
    run(Command::new(web.wasm_opt_dir.join("wasm-opt"))
        .arg("-Oz")
        .arg(&bg)
        .arg("-o")
        .arg(&bg))?;

    // The app, as shipped (bundle size, first chart).
    trunk_build(ws, &web)?;

    // Native numbers for the same problem, measured now (same session).
    let native = dir.join("browser-native");
    let mut cmd = cargo(ws, &["run", "--release", "--example", "bench_peers", "--"]);
    cmd.args(["--only", "cr", "--out"]).arg(&native);
    run(&mut cmd)?;

    // The page's node modules (odex, playwright-core, lighthouse; never a
    // browser download: Lighthouse drives the system Chromium).
    let page_dir = ws.root.join("bench").join("browser");
    let missing = ["odex", "playwright-core", "lighthouse"].iter().any(|m| {
        !page_dir
            .join("node_modules")
            .join(m)
            .join("package.json")
            .exists()
    });
    if missing {
        run(Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(&page_dir)
            .env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
            .env("PUPPETEER_SKIP_DOWNLOAD", "1"))?;
    }
    let mut page = Command::new("node");
    page.arg(page_dir.join("run.mjs"))
        .arg("--pkg")
        .arg(&pkg)
        .arg("--pkg-web")
        .arg(&pkg_web)
        .arg("--data")
        .arg(&native)
        .arg("--dist")
        .arg(ws.dist())
        .arg("--out")
        .arg(dir.join("browser.json"))
        .arg("--md")
        .arg(ws.root.join("BENCHMARKS.md"))
        .env("CARTSIM_CHROMIUM", tools::CHROMIUM);
    // CARTSIM_BENCH_BEFORE=DIR: another build's dist/ (e.g. an earlier
    // commit's) whose page updates are timed beside this one's.
    if let Some(before) = std::env::var_os("CARTSIM_BENCH_BEFORE") {
        page.arg("--before").arg(before);
    }
    run(&mut page)?;
    report(ws, "browser", false)
}

/// `cargo xtask bench-stiff [--quick]`: the stiff set (Robertson, Van der
/// Pol μ = 1000, a stiff marrow set) at matched accuracy — cartsim `auto`
/// and Rodas4 against diffsol (BDF, ESDIRK34, TR-BDF2; the standalone crate
/// `bench/stiff-peers`, outside the workspace so diffsol never enters the
/// main build), scipy (LSODA, Radau, BDF) and libroadrunner CVODE
/// (`bench/stiff_peers.py`) — and cartsim `auto` against DP5 on every
/// preset. `target/bench/stiff-*.json`, `presets.json` and the tables in
/// BENCHMARKS.md.
pub fn bench_stiff(ws: &Workspace, quick: bool) -> Result<(), Fail> {
    let py = ensure_venv(ws)?;
    let dir = bench_dir(ws)?;
    let krate = ws.root.join("bench").join("stiff-peers");
    let native = |extra: &[&str]| {
        let mut cmd = cargo(ws, &["run", "--release", "--quiet", "--manifest-path"]);
        cmd.arg(krate.join("Cargo.toml"))
            .env("CARGO_TARGET_DIR", krate.join("target"))
            .arg("--")
            .arg("--out")
            .arg(&dir)
            .args(extra);
        if quick {
            cmd.arg("--quick");
        }
        cmd
    };
    run(&mut native(&[]))?;
    let mut peers = Command::new(&py);
    peers
        .arg("bench/stiff_peers.py")
        .arg("--dir")
        .arg(&dir)
        .current_dir(&ws.root);
    if quick {
        peers.arg("--quick");
    }
    run(&mut peers)?;
    let md = ws.root.join("BENCHMARKS.md");
    let mut report = native(&["--report", "--md"]);
    report.arg(&md);
    run(&mut report)
}
