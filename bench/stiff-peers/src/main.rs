//! The stiff benchmark of issue 18, native side: cartsim's automatic method
//! and its Rosenbrock methods (Rodas4, Rodas5P) against diffsol's stiff solvers (BDF,
//! ESDIRK34, TR-BDF2) at matched accuracy; and cartsim `auto` against
//! Dormand–Prince on every preset of every model.
//!
//! A standalone crate (its own `[workspace]`), built only by
//! `cargo xtask bench-stiff`, so diffsol never enters the main build.
//!
//! Modes:
//!
//! - `stiff-peers --out DIR [--quick]`: writes `DIR/stiff-problems.json`
//!   (the problems, their reference solutions and the accuracy to match, for
//!   `bench/stiff_peers.py`), `DIR/stiff-rust.json` (result rows) and
//!   `DIR/presets.json` (auto ÷ DP5 on the presets).
//! - `stiff-peers --duel LEVELS:ROUNDS`: cartsim auto, Rodas4, Rodas5P and
//!   diffsol BDF at matched accuracy, timed in interleaved rounds (a quick
//!   look at the decisive comparison without the Python peers).
//! - `stiff-peers --report --out DIR --md BENCHMARKS.md`: merges the rows
//!   with `DIR/stiff-python.json` and writes the tables between the
//!   `bench-stiff` markers of BENCHMARKS.md.
//!
//! Matched accuracy: cartsim `auto` runs at the nominal rtol (1e-6, 1e-8);
//! its error on the output grid is the accuracy to match. Every other tool
//! is run down a ladder of tolerances (half decades from 100× looser to
//! 10^4× tighter than nominal, atol scaled with rtol) and timed at the
//! loosest rung whose error is at most twice cartsim auto's.

mod report;

use cartsim::model::marrow::{self, Marrow, Scenario as MarrowScenario};
use cartsim::model::registry::Registry;
use cartsim::model::Sampling;
use cartsim::scenario::Scenario;
use cartsim::solver::reference::Robertson;
use cartsim::solver::{Events, Method, OdeSystem, OutputGrid, Settings, Solver, Tolerance};
use diffsol::{DenseMatrix, NalgebraLU, NalgebraMat, OdeBuilder, OdeSolverMethod};
use serde_json::{json, Value};
use std::path::PathBuf;
use std::time::Instant;

/// The nominal tolerances cartsim `auto` runs at.
pub const LEVELS: [f64; 2] = [1e-6, 1e-8];
/// A peer's error may be at most this many times cartsim auto's.
pub const MATCH: f64 = 2.0;

/// Van der Pol, μ = 1000, in the IVP test set's scaled form (VDPOL):
/// y1' = y2, y2' = ((1 − y1²) y2 − y1)/ε, ε = 1e-6.
struct VanDerPol;
const VDP_EPS: f64 = 1e-6;
impl OdeSystem for VanDerPol {
    fn dim(&self) -> usize {
        2
    }
    fn rhs(&self, _t: f64, y: &[f64], dy: &mut [f64]) {
        dy[0] = y[1];
        dy[1] = ((1.0 - y[0] * y[0]) * y[1] - y[0]) / VDP_EPS;
    }
    fn jacobian(&self, _t: f64, y: &[f64], j: &mut [f64]) -> bool {
        j.copy_from_slice(&[
            0.0,
            1.0,
            (-2.0 * y[0] * y[1] - 1.0) / VDP_EPS,
            (1.0 - y[0] * y[0]) / VDP_EPS,
        ]);
        true
    }
}

/// One problem of the stiff set.
struct Problem<'a> {
    name: &'static str,
    sys: &'a dyn OdeSystem,
    /// What the Python side re-types: "rober", "vdp" or "marrow".
    kind: &'static str,
    /// Marrow parameters by name (empty for the others).
    params: Vec<(&'static str, f64)>,
    y0: Vec<f64>,
    t_end: f64,
    /// Output times (t > 0).
    grid: Vec<f64>,
    /// atol = rtol × this (one knob: tightening rtol tightens atol).
    atol_per_rtol: f64,
    /// Error floor: |y − y_ref| / max(|y_ref|, floor).
    floor: f64,
    note: &'static str,
}

/// The stiff marrow set: `fig3` with h = 75 cells (one of the three slider
/// positions of `fig3` that DP5 cannot solve), extinction off so every tool
/// integrates the same smooth ODE.
fn marrow_stiff() -> Marrow {
    let sets = [
        ("extinction".to_string(), "off".to_string()),
        ("h".to_string(), "75".to_string()),
    ];
    let sc = MarrowScenario::from_preset("fig3", &sets).expect("fig3");
    assert!(sc.extinction.is_none() && sc.doses.is_empty() && sc.reinfusion.is_none());
    sc.model
}

fn problems<'a>(rober: &'a Robertson, vdp: &'a VanDerPol, m: &'a Marrow) -> Vec<Problem<'a>> {
    let mut y0m = vec![0.0; m.dim()];
    m.initial_state(&mut y0m);
    vec![
        Problem {
            name: "robertson",
            sys: rober,
            kind: "rober",
            params: vec![],
            y0: vec![1.0, 0.0, 0.0],
            t_end: 1e11,
            grid: (-5..=11).map(|k| 10f64.powi(k)).collect(),
            atol_per_rtol: 1e-4,
            floor: 1e-8,
            note: "ROBER to t = 1e11, output at t = 10^k (k = -5…11); atol = 1e-4·rtol, error floor 1e-8",
        },
        Problem {
            name: "vdp-1000",
            sys: vdp,
            kind: "vdp",
            params: vec![],
            y0: vec![2.0, 0.0],
            t_end: 2.0,
            grid: (1..=20).map(|k| k as f64 * 0.1).collect(),
            atol_per_rtol: 1.0,
            floor: 1.0,
            note: "VDPOL (μ = 1000, scaled, ε = 1e-6) on [0, 2], output every 0.1; atol = rtol, error floor 1",
        },
        Problem {
            name: "marrow-h75",
            sys: m,
            kind: "marrow",
            params: marrow::SPECS
                .iter()
                .zip(m.p)
                .map(|(s, v)| (s.name, v))
                .collect(),
            y0: y0m,
            t_end: 270.0,
            grid: (1..=270).map(|d| d as f64).collect(),
            atol_per_rtol: 1e3,
            floor: 1.0,
            note: "marrow fig3 with h = 75 cells (DP5 fails: stiff from day ≈ 18), extinction off, 270 days, output daily; atol = 1e3·rtol (1e-3 cells at rtol 1e-6), error floor one cell",
        },
    ]
}

/// |y − y_ref| / max(|y_ref|, floor), the largest over times and components.
fn max_rel_error(got: &[f64], reference: &[f64], floor: f64) -> f64 {
    if got.len() != reference.len() || got.iter().any(|v| !v.is_finite()) {
        return f64::INFINITY;
    }
    got.iter()
        .zip(reference)
        .map(|(a, b)| (a - b).abs() / b.abs().max(floor))
        .fold(0.0, f64::max)
}

/// Median seconds per call: batches of at least `batch_s`, `n` batches.
fn timed(mut f: impl FnMut(), quick: bool) -> f64 {
    let (batch_s, n) = if quick { (0.02, 3) } else { (0.06, 7) };
    f();
    let t = Instant::now();
    f();
    let one = t.elapsed().as_secs_f64().max(1e-8);
    let n = if one > 0.5 { 3 } else { n };
    let reps = ((batch_s / one).ceil() as usize).max(1);
    let mut per: Vec<f64> = (0..n)
        .map(|_| {
            let t = Instant::now();
            for _ in 0..reps {
                f();
            }
            t.elapsed().as_secs_f64() / reps as f64
        })
        .collect();
    per.sort_by(f64::total_cmp);
    per[per.len() / 2]
}

/// What one solve reports besides its output.
#[derive(Default, Clone)]
struct Work {
    steps: usize,
    rhs: Option<usize>,
    lu: usize,
    note: String,
}

/// cartsim at (method, rtol): output on the grid, flat.
fn cartsim_solve(
    ws: &mut Solver,
    p: &Problem,
    method: Method,
    rtol: f64,
    atol: f64,
) -> Result<(Vec<f64>, Work), String> {
    let st = Settings {
        method,
        rtol: Tolerance::Scalar(rtol),
        atol: Tolerance::Scalar(atol),
        max_steps: 10_000_000,
        ..Settings::default()
    };
    let grid = OutputGrid::Times(p.grid.clone());
    let mut out = Vec::with_capacity(p.grid.len() * p.y0.len());
    let mut obs = |_t: f64, y: &[f64]| out.extend_from_slice(y);
    let o = ws
        .solve(
            p.sys,
            0.0,
            &p.y0,
            p.t_end,
            &st,
            &Events::none(),
            &grid,
            &mut obs,
        )
        .map_err(|e| e.to_string())?;
    let s = &o.stats;
    let note = if method == Method::Auto {
        spans_text(s)
    } else {
        String::new()
    };
    Ok((
        out,
        Work {
            steps: s.accepted,
            rhs: Some(s.rhs_evals),
            lu: s.factorizations,
            note,
        },
    ))
}

/// "DP5 0–12.3, Rodas4 12.3–30" from a solve's spans.
fn spans_text(s: &cartsim::solver::Stats) -> String {
    s.spans
        .iter()
        .map(|sp| {
            let m = match sp.method {
                Method::Rosenbrock => "Rodas4",
                Method::Rodas5p => "Rodas5P",
                _ => "DP5",
            };
            format!(
                "{m} {}–{} ({} steps)",
                short(sp.from),
                short(sp.to),
                sp.steps
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn short(t: f64) -> String {
    if t == 0.0 {
        "0".into()
    } else if t.abs() >= 1e4 || t.abs() < 1e-2 {
        format!("{t:.1e}")
    } else {
        format!("{}", (t * 100.0).round() / 100.0)
    }
}

/// diffsol's methods.
#[derive(Clone, Copy, Debug)]
enum DMethod {
    Bdf,
    Esdirk34,
    TrBdf2,
}

impl DMethod {
    fn label(self) -> &'static str {
        match self {
            DMethod::Bdf => "diffsol BDF",
            DMethod::Esdirk34 => "diffsol ESDIRK34",
            DMethod::TrBdf2 => "diffsol TR-BDF2",
        }
    }
}

type Lu = NalgebraLU<f64>;

/// Solve a diffsol problem with one of its methods, output on `grid`,
/// flat (time-major). A macro: the problem's type is a closure type.
macro_rules! diffsol_once {
    ($problem:expr, $m:expr, $grid:expr, $n:expr) => {{
        macro_rules! go {
            ($solver:expr) => {{
                let mut s = $solver.map_err(|e| e.to_string())?;
                let (mat, _) = s.solve_dense($grid).map_err(|e| e.to_string())?;
                let st = s.get_statistics();
                let work = Work {
                    steps: st.number_of_steps,
                    rhs: None,
                    lu: st.number_of_linear_solver_setups,
                    note: String::new(),
                };
                let mut out = Vec::with_capacity($grid.len() * $n);
                for j in 0..$grid.len() {
                    for i in 0..$n {
                        out.push(mat.get_index(i, j));
                    }
                }
                Ok((out, work))
            }};
        }
        match $m {
            DMethod::Bdf => go!($problem.bdf::<Lu>()),
            DMethod::Esdirk34 => go!($problem.esdirk34::<Lu>()),
            DMethod::TrBdf2 => go!($problem.tr_bdf2::<Lu>()),
        }
    }};
}

/// Build the diffsol problem for `p` at (rtol, atol) and hand `f` a solver
/// of it: `f(&mut || one solve)`.
fn with_diffsol<R>(
    p: &Problem,
    m: DMethod,
    rtol: f64,
    atol: f64,
    f: impl FnOnce(&mut dyn FnMut() -> Result<(Vec<f64>, Work), String>) -> R,
) -> Result<R, String> {
    let n = p.y0.len();
    let sys = p.sys;
    let y0 = p.y0.clone();
    let problem = OdeBuilder::<NalgebraMat<f64>>::new()
        .rtol(rtol)
        .atol(vec![atol; n])
        .rhs_implicit(
            move |x: &[f64], _p: &[f64], t: f64, y: &mut [f64]| sys.rhs(t, x, y),
            move |x: &[f64], _p: &[f64], t: f64, v: &[f64], y: &mut [f64]| {
                // J v from the system's analytic Jacobian (every problem
                // here has one), on the stack.
                let mut j = [0.0f64; 81];
                let ok = sys.jacobian(t, x, &mut j[..n * n]);
                assert!(ok, "the benchmark problems have analytic Jacobians");
                for i in 0..n {
                    let mut acc = 0.0;
                    for k in 0..n {
                        acc += j[i * n + k] * v[k];
                    }
                    y[i] = acc;
                }
            },
        )
        .init(
            move |_p: &[f64], _t: f64, y: &mut [f64]| y.copy_from_slice(&y0),
            n,
        )
        .build()
        .map_err(|e| e.to_string())?;
    let grid = p.grid.clone();
    let mut once =
        || -> Result<(Vec<f64>, Work), String> { diffsol_once!(problem, m, &grid[..], n) };
    Ok(f(&mut once))
}

/// One result row.
#[allow(clippy::too_many_arguments)]
fn row(
    p: &Problem,
    tool: &str,
    level: f64,
    rtol: f64,
    atol: f64,
    sec: Option<f64>,
    err: Option<f64>,
    w: &Work,
) -> Value {
    json!({
        "problem": p.name, "tool": tool, "level": level, "rtol": rtol, "atol": atol,
        "us_per_solve": sec.map(|s| s * 1e6), "max_rel_error": err,
        "steps": w.steps, "rhs_evals": w.rhs, "lu": w.lu, "note": w.note,
    })
}

/// The rtol ladder for a level: half decades from 100× looser to 10^4×
/// tighter, loosest first, never below 1e-13.
pub fn ladder(level: f64) -> Vec<f64> {
    (-4..=8)
        .map(|k| level * 10f64.powf(-k as f64 / 2.0))
        .filter(|r| *r >= 1e-13 * 0.999 && *r <= 1e-2 * 1.001)
        .collect()
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let flag = |f: &str| args.iter().any(|a| a == f);
    let value = |f: &str| {
        args.iter()
            .position(|a| a == f)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let out = PathBuf::from(value("--out").unwrap_or_else(|| "target/bench".into()));
    std::fs::create_dir_all(&out).expect("output directory");
    let quick = flag("--quick");
    if flag("--report") {
        let md = value("--md").map(PathBuf::from);
        report::report(&out, md.as_deref());
        return;
    }
    if let Some(spec) = value("--loop-preset") {
        // `--loop-preset MODEL/PRESET:METHOD:N`: one preset's page course N
        // times (to count instructions under callgrind).
        let parts: Vec<&str> = spec.split(':').collect();
        let (model, preset) = parts[0].split_once('/').expect("MODEL/PRESET");
        let model = Registry::builtin().parse(model).expect("model");
        let sc = Scenario::preset(model, preset);
        let t_end = sc.t_end.unwrap_or_else(|| model.default_t_end(preset));
        let mut req = sc.to_request(Sampling::Every(t_end / 800.0));
        req.settings.method = Method::parse(parts[1]).expect("method");
        let n: usize = parts[2].parse().expect("n");
        for _ in 0..n {
            model.course(&req).expect("course");
        }
        return;
    }
    if let Some(spec) = value("--loop") {
        // `--loop PROBLEM:METHOD:RTOL:N`: one cartsim solve N times (to
        // profile, e.g. under perf or callgrind).
        let parts: Vec<&str> = spec.split(':').collect();
        let (rober, vdp, m) = (Robertson, VanDerPol, marrow_stiff());
        let probs = problems(&rober, &vdp, &m);
        let p = probs.iter().find(|p| p.name == parts[0]).expect("problem");
        let method = Method::parse(parts[1]).expect("method");
        let rtol: f64 = parts[2].parse().expect("rtol");
        let n: usize = parts[3].parse().expect("n");
        let mut ws = Solver::new();
        if n == 0 {
            // Print every accepted step: t, h.
            let st = Settings {
                method,
                rtol: Tolerance::Scalar(rtol),
                atol: Tolerance::Scalar(rtol * p.atol_per_rtol),
                max_steps: 10_000_000,
                ..Settings::default()
            };
            let mut last = 0.0;
            let mut obs = |t: f64, _y: &[f64]| {
                println!("{t:.6e} {:.3e}", t - last);
                last = t;
            };
            let o = ws.solve(
                p.sys,
                0.0,
                &p.y0,
                p.t_end,
                &st,
                &Events::none(),
                &OutputGrid::Steps,
                &mut obs,
            );
            eprintln!("{:?}", o.map(|o| spans_text(&o.stats)));
            return;
        }
        let t = Instant::now();
        let mut w = Work::default();
        for _ in 0..n {
            w = cartsim_solve(&mut ws, p, method, rtol, rtol * p.atol_per_rtol)
                .unwrap()
                .1;
        }
        let per = t.elapsed().as_secs_f64() / n as f64;
        eprintln!(
            "{spec}: {:.1} µs per solve; {} steps, {} f, {} LU; {}",
            per * 1e6,
            w.steps,
            w.rhs.unwrap_or(0),
            w.lu,
            w.note
        );
        return;
    }
    if let Some(spec) = value("--duel") {
        duel(&spec, quick, value("--only").as_deref());
        return;
    }
    let only = value("--only");
    if only.as_deref() != Some("presets") {
        stiff(&out, quick, only.as_deref());
    }
    if only.is_none() || only.as_deref() == Some("presets") {
        presets(&out, quick);
    }
}

/// The stiff set: references, cartsim, diffsol.
fn stiff(out: &std::path::Path, quick: bool, only: Option<&str>) {
    let (rober, vdp, m) = (Robertson, VanDerPol, marrow_stiff());
    let mut ws = Solver::new();
    let mut rows = Vec::new();
    let mut probs_json = Vec::new();
    for p in problems(&rober, &vdp, &m) {
        if only.is_some_and(|o| o != p.name) {
            continue;
        }
        eprintln!("[{}] {}", p.name, p.note);
        // Reference: Rodas4 at rtol 1e-12; checked against rtol 1e-13.
        let rr = 1e-12;
        let (reference, rw) =
            cartsim_solve(&mut ws, &p, Method::Rosenbrock, rr, rr * p.atol_per_rtol)
                .expect("reference");
        let (tighter, _) = cartsim_solve(
            &mut ws,
            &p,
            Method::Rosenbrock,
            rr / 10.0,
            rr / 10.0 * p.atol_per_rtol,
        )
        .expect("reference check");
        let self_check = max_rel_error(&tighter, &reference, p.floor);
        eprintln!(
            "  reference: Rodas4 rtol 1e-12, {} steps; vs rtol 1e-13: {self_check:.1e}",
            rw.steps
        );
        rows.push(
            json!({"problem": p.name, "tool": "reference check (cartsim Rodas4 1e-13 vs 1e-12)",
            "level": null, "rtol": 1e-13, "max_rel_error": self_check, "steps": rw.steps}),
        );

        let mut targets = Vec::new();
        for level in LEVELS {
            let atol = level * p.atol_per_rtol;
            // cartsim auto at the nominal rtol sets the accuracy.
            let (o, w) = cartsim_solve(&mut ws, &p, Method::Auto, level, atol).expect("auto");
            let err = max_rel_error(&o, &reference, p.floor);
            let sec = timed(
                || {
                    cartsim_solve(&mut ws, &p, Method::Auto, level, atol).unwrap();
                },
                quick,
            );
            eprintln!(
                "  {level:.0e} cartsim auto      {:>10.1} µs  err {err:.2e}  {}",
                sec * 1e6,
                w.note
            );
            rows.push(row(
                &p,
                "cartsim auto",
                level,
                level,
                atol,
                Some(sec),
                Some(err),
                &w,
            ));
            targets.push(json!({"level": level, "auto_error": err}));
            let target = MATCH * err;

            // cartsim Rodas4 and Rodas5P alone, matched.
            for (method, label) in [
                (Method::Rosenbrock, "cartsim Rodas4"),
                (Method::Rodas5p, "cartsim Rodas5P"),
            ] {
                let found = ladder(level).into_iter().find_map(|r| {
                    let a = r * p.atol_per_rtol;
                    let (o, w) = cartsim_solve(&mut ws, &p, method, r, a).ok()?;
                    let e = max_rel_error(&o, &reference, p.floor);
                    (e <= target).then_some((r, a, e, w))
                });
                match found {
                    Some((r, a, e, w)) => {
                        let sec = timed(
                            || {
                                cartsim_solve(&mut ws, &p, method, r, a).unwrap();
                            },
                            quick,
                        );
                        eprintln!(
                            "  {level:.0e} {label:<17} {:>10.1} µs  err {e:.2e} (rtol {r:.1e})",
                            sec * 1e6
                        );
                        rows.push(row(&p, label, level, r, a, Some(sec), Some(e), &w));
                    }
                    None => rows.push(row(
                        &p,
                        label,
                        level,
                        level,
                        atol,
                        None,
                        None,
                        &Work {
                            note: "no rung of the ladder within 2× of auto's error".into(),
                            ..Work::default()
                        },
                    )),
                }
            }

            // diffsol, matched.
            for dm in [DMethod::Bdf, DMethod::Esdirk34, DMethod::TrBdf2] {
                let mut tried = String::new();
                let found = ladder(level).into_iter().find_map(|r| {
                    let a = r * p.atol_per_rtol;
                    let res = with_diffsol(&p, dm, r, a, |once| once()).and_then(|x| x);
                    match res {
                        Ok((o, w)) => {
                            let e = max_rel_error(&o, &reference, p.floor);
                            tried = format!("tightest tried rtol {r:.0e}: error {e:.1e}");
                            (e <= target).then_some((r, a, e, w))
                        }
                        Err(msg) => {
                            tried = format!("rtol {r:.0e} failed: {msg}");
                            None
                        }
                    }
                });
                match found {
                    Some((r, a, e, w)) => {
                        let sec = with_diffsol(&p, dm, r, a, |once| {
                            timed(
                                || {
                                    once().unwrap();
                                },
                                quick,
                            )
                        })
                        .expect("diffsol");
                        eprintln!(
                            "  {level:.0e} {:<17} {:>10.1} µs  err {e:.2e} (rtol {r:.1e})",
                            dm.label(),
                            sec * 1e6
                        );
                        rows.push(row(&p, dm.label(), level, r, a, Some(sec), Some(e), &w));
                    }
                    None => {
                        eprintln!("  {level:.0e} {:<17} not matched ({tried})", dm.label());
                        rows.push(row(
                            &p,
                            dm.label(),
                            level,
                            level,
                            atol,
                            None,
                            None,
                            &Work {
                                note: format!(
                                    "no rung of the ladder within 2× of auto's error; {tried}"
                                ),
                                ..Work::default()
                            },
                        ));
                    }
                }
            }
        }
        probs_json.push(json!({
            "problem": p.name, "kind": p.kind, "note": p.note,
            "params": p.params.iter().map(|(k, v)| (k.to_string(), json!(v))).collect::<serde_json::Map<_, _>>(),
            "state": if p.kind == "marrow" { json!(marrow::STATE_NAMES[..p.y0.len()]) } else { json!(null) },
            "y0": p.y0, "t_end": p.t_end, "grid": p.grid,
            "atol_per_rtol": p.atol_per_rtol, "floor": p.floor,
            "reference": reference, "targets": targets,
        }));
    }
    write(out, "stiff-problems.json", &Value::Array(probs_json));
    write(out, "stiff-rust.json", &Value::Array(rows));
}

/// `--duel LEVELS:ROUNDS` (e.g. `1e-6,1e-8:7`): for every problem and
/// level, cartsim auto at the nominal rtol sets the accuracy (as in the
/// full run); Rodas4 alone, Rodas5P alone and diffsol BDF are matched to it
/// down the same ladder; then all four are timed in `ROUNDS` interleaved
/// rounds. Prints min – median – max µs per solve and median ÷ BDF's.
/// `--only PROBLEM` runs one problem.
fn duel(spec: &str, quick: bool, only: Option<&str>) {
    let (levels, rounds) = spec.split_once(':').expect("LEVELS:ROUNDS");
    let levels: Vec<f64> = levels
        .split(',')
        .map(|l| l.parse().expect("level"))
        .collect();
    let rounds: usize = rounds.parse().expect("rounds");
    let (rober, vdp, m) = (Robertson, VanDerPol, marrow_stiff());
    let mut ws = Solver::new();
    for p in problems(&rober, &vdp, &m) {
        if only.is_some_and(|o| o != p.name) {
            continue;
        }
        let rr = 1e-12;
        let (reference, _) =
            cartsim_solve(&mut ws, &p, Method::Rosenbrock, rr, rr * p.atol_per_rtol)
                .expect("reference");
        for &level in &levels {
            // (label, cartsim method or None for BDF, rtol, atol, error, work)
            let mut entrants: Vec<(String, Option<Method>, f64, f64, f64, Work)> = Vec::new();
            let atol = level * p.atol_per_rtol;
            let (o, w) = cartsim_solve(&mut ws, &p, Method::Auto, level, atol).expect("auto");
            let e = max_rel_error(&o, &reference, p.floor);
            let target = MATCH * e;
            entrants.push((
                format!("auto@{level:.0e}"),
                Some(Method::Auto),
                level,
                atol,
                e,
                w,
            ));
            for method in [Method::Rosenbrock, Method::Rodas5p] {
                let found = ladder(level).into_iter().find_map(|r| {
                    let a = r * p.atol_per_rtol;
                    let (o, w) = cartsim_solve(&mut ws, &p, method, r, a).ok()?;
                    let e = max_rel_error(&o, &reference, p.floor);
                    (e <= target).then_some((r, a, e, w))
                });
                if let Some((r, a, e, w)) = found {
                    entrants.push((
                        format!("{}@{r:.1e}", method.as_str()),
                        Some(method),
                        r,
                        a,
                        e,
                        w,
                    ));
                }
            }
            let mut tried = Vec::new();
            // The most accurate rung that ran, in case none matches.
            let mut best: Option<(f64, f64, f64, Work)> = None;
            let found = ladder(level).into_iter().find_map(|r| {
                let a = r * p.atol_per_rtol;
                match with_diffsol(&p, DMethod::Bdf, r, a, |once| once()).and_then(|x| x) {
                    Ok((o, w)) => {
                        let e = max_rel_error(&o, &reference, p.floor);
                        tried.push(format!("{r:.1e}: {e:.2e}"));
                        if best.as_ref().is_none_or(|b| e < b.2) {
                            best = Some((r, a, e, w.clone()));
                        }
                        (e <= target).then_some((r, a, e, w))
                    }
                    Err(msg) => {
                        tried.push(format!("{r:.1e}: {msg}"));
                        None
                    }
                }
            });
            match found {
                Some((r, a, e, w)) => entrants.push((format!("BDF@{r:.1e}"), None, r, a, e, w)),
                None => {
                    eprintln!(
                        "  [{} {level:.0e}] diffsol BDF not matched; rtol: error {}",
                        p.name,
                        tried.join(", ")
                    );
                    // Timed anyway at its most accurate rung (less
                    // accurate than the target: a bound in BDF's favour).
                    if let Some((r, a, e, w)) = best {
                        entrants.push((format!("BDF@{r:.1e} unmatched"), None, r, a, e, w));
                    }
                }
            }
            let mut times: Vec<Vec<f64>> = vec![Vec::new(); entrants.len()];
            for _ in 0..rounds {
                for (k, (_, method, r, a, _, _)) in entrants.iter().enumerate() {
                    let sec = match method {
                        Some(mm) => timed(
                            || {
                                cartsim_solve(&mut ws, &p, *mm, *r, *a).unwrap();
                            },
                            quick,
                        ),
                        None => with_diffsol(&p, DMethod::Bdf, *r, *a, |once| {
                            timed(
                                || {
                                    once().unwrap();
                                },
                                quick,
                            )
                        })
                        .expect("diffsol"),
                    };
                    times[k].push(sec * 1e6);
                }
            }
            let median = |t: &mut Vec<f64>| {
                t.sort_by(f64::total_cmp);
                t[t.len() / 2]
            };
            let bdf = match entrants.last() {
                Some((_, None, ..)) => median(times.last_mut().unwrap()),
                _ => f64::NAN,
            };
            eprintln!(
                "[{} {level:.0e}] target error {target:.2e} (2× auto's)",
                p.name
            );
            for ((label, _, _, _, e, w), t) in entrants.iter().zip(&mut times) {
                let med = median(t);
                eprintln!(
                    "  {label:<18} err {e:.2e}  {:>8.1} – {:>8.1} – {:>8.1} µs  ÷BDF {:.2}  {} steps {} LU  {}",
                    t[0],
                    med,
                    t[t.len() - 1],
                    med / bdf,
                    w.steps,
                    w.lu,
                    w.note
                );
            }
        }
    }
}

fn write(dir: &std::path::Path, name: &str, v: &Value) {
    let path = dir.join(name);
    std::fs::write(&path, serde_json::to_string_pretty(v).unwrap()).expect("write json");
    eprintln!("wrote {}", path.display());
}

/// cartsim auto against DP5 on every preset of every model, as the page
/// solves them (the preset's scenario, about 800 output rows, one course),
/// interleaved A/B rounds.
fn presets(out: &std::path::Path, quick: bool) {
    let reg = Registry::builtin();
    let mut rows = Vec::new();
    let rounds = if quick { 3 } else { 9 };
    for &model in reg.models() {
        for info in model.presets() {
            let sc = Scenario::preset(model, info.name);
            let t_end = sc.t_end.unwrap_or_else(|| model.default_t_end(info.name));
            let mut req = sc.to_request(Sampling::Every(t_end / 800.0));
            let mut run = |method: Method| {
                req.settings.method = method;
                model.course(&req)
            };
            let dp5 = run(Method::Dopri5);
            let auto = run(Method::Auto);
            let (dp5, auto) = match (dp5, auto) {
                (Ok(a), Ok(b)) => (a, b),
                (a, b) => {
                    let say = |r: &Result<_, cartsim::model::ModelError>| match r {
                        Ok(_) => "ok".to_string(),
                        Err(e) => e.to_string(),
                    };
                    eprintln!(
                        "[{}/{}] dp5: {}; auto: {}",
                        model.id(),
                        info.name,
                        say(&a),
                        say(&b)
                    );
                    rows.push(json!({"model": model.id(), "preset": info.name,
                        "note": format!("dp5: {}; auto: {}", say(&a), say(&b))}));
                    continue;
                }
            };
            let (ta, tb) = (&dp5.table, &auto.table);
            let identical = ta.rows.len() == tb.rows.len()
                && ta
                    .rows
                    .iter()
                    .zip(&tb.rows)
                    .all(|(a, b)| a.to_bits() == b.to_bits());
            let max_diff = if ta.rows.len() == tb.rows.len() {
                ta.rows
                    .iter()
                    .zip(&tb.rows)
                    .map(|(a, b)| (a - b).abs() / a.abs().max(1e-9))
                    .fold(0.0, f64::max)
            } else {
                f64::INFINITY
            };
            // Interleaved rounds: DP5 then auto, the median of each.
            let (mut t_dp5, mut t_auto) = (Vec::new(), Vec::new());
            for _ in 0..rounds {
                let q = true;
                t_dp5.push(timed(
                    || {
                        run(Method::Dopri5).unwrap();
                    },
                    q,
                ));
                t_auto.push(timed(
                    || {
                        run(Method::Auto).unwrap();
                    },
                    q,
                ));
            }
            let med = |v: &mut Vec<f64>| {
                v.sort_by(f64::total_cmp);
                v[v.len() / 2]
            };
            let (d, a) = (med(&mut t_dp5), med(&mut t_auto));
            let s = &tb.stats;
            eprintln!(
                "[{}/{}] dp5 {:.1} µs, auto {:.1} µs, auto/dp5 {:.3}; identical {identical}; switches {}",
                model.id(),
                info.name,
                d * 1e6,
                a * 1e6,
                a / d,
                s.switches()
            );
            rows.push(json!({
                "model": model.id(), "preset": info.name, "t_end": t_end,
                "dp5_us": d * 1e6, "auto_us": a * 1e6, "ratio": a / d,
                "dp5_steps": ta.stats.accepted, "auto_steps": s.accepted,
                "dp5_rhs": ta.stats.rhs_evals, "auto_rhs": s.rhs_evals,
                "switches": s.switches(), "spans": spans_text(s),
                "identical": identical, "max_rel_diff": max_diff,
            }));
        }
    }
    write(out, "presets.json", &Value::Array(rows));
}
