//! Native side of `cargo xtask bench-peers` (issue 7): cartsim's DP5 and RK4
//! against the Rust crate `ode_solvers` (Dopri5) on the benchmark problems,
//! plus the reference solutions (cartsim DP5 at rtol 1e-12) that every tool,
//! Rust or Python, is scored against, and the RHS-evaluation floor.
//!
//! Run it through `cargo xtask bench-peers`; alone:
//! `cargo run --release --example bench_peers -- [--quick] [--out DIR]`.
//! Writes `DIR/problems.json` (problem definitions for `bench/peers.py`),
//! `DIR/reference.json` and `DIR/rust.json` (result rows).
//!
//! All problems run with extinction OFF (MODELS.md §3), so every tool
//! integrates the same smooth ODE.

mod models;

use cartsim::solver::{Events, OdeSystem, OutputGrid, Settings, Solver};
use models::{Clinical, Marrow};
use serde_json::{json, Value};
use std::hint::black_box;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// The tolerances every tool is run at.
const RTOLS: [f64; 2] = [1e-6, 1e-8];
/// Reference tolerance.
const RTOL_REF: f64 = 1e-12;

/// A model instance, dispatched statically in the timing loops.
#[derive(Clone, Copy)]
enum Sys {
    Clinical(Clinical),
    Marrow(Marrow),
}

/// One benchmark problem: one or more cases (initial value problems) solved
/// as a unit, each output on `grid`.
struct Problem {
    name: &'static str,
    model: &'static str,
    /// Per case: parameters by their MODELS.md ASCII names.
    cases: Vec<Vec<(&'static str, f64)>>,
    y0: Vec<f64>,
    state: Vec<&'static str>,
    t_end: f64,
    grid: Vec<f64>,
    /// Absolute tolerance given to every tool (same units as the state).
    atol: f64,
    /// Absolute tolerance of the reference solve.
    atol_ref: f64,
    /// Error floor: one cell, in the state's units.
    floor: f64,
    note: &'static str,
}

fn get(p: &[(&'static str, f64)], name: &str) -> f64 {
    p.iter()
        .find(|(n, _)| *n == name)
        .unwrap_or_else(|| panic!("missing parameter {name}"))
        .1
}

fn build(model: &str, p: &[(&'static str, f64)]) -> Sys {
    match model {
        "clinical" => Sys::Clinical(Clinical {
            r_p: get(p, "rP"),
            r_ta: get(p, "rTA"),
            l_ta: get(p, "lTA"),
            l_tn: get(p, "lTN"),
            n_c: get(p, "nC"),
            e: get(p, "e"),
            k_p: get(p, "KP"),
            k_r: get(p, "Kr"),
            k_a_sat: get(p, "KA"),
            k_a: get(p, "kA"),
            r_n: get(p, "rN"),
            k_m: get(p, "km"),
            k_b: get(p, "kb"),
            k_n: get(p, "KN"),
        }),
        "marrow" => Sys::Marrow(Marrow {
            rho0: get(p, "rho0"),
            rho1: get(p, "rho1"),
            rho2: get(p, "rho2"),
            gamma0: get(p, "gamma0"),
            gamma1: get(p, "gamma1"),
            gamma2: get(p, "gamma2"),
            gamma3: get(p, "gamma3"),
            k: get(p, "k"),
            rho_l: get(p, "rhoL"),
            l_max: get(p, "Lmax"),
            gamma_l: get(p, "gammaL"),
            alpha: get(p, "alpha"),
            rho_c: get(p, "rhoC"),
            tau_a: get(p, "tauA"),
            gamma_am: get(p, "gammaAM"),
            gamma_ma: get(p, "gammaMA"),
            tau_m: get(p, "tauM"),
            h: get(p, "h"),
        }),
        m => panic!("unknown model {m}"),
    }
}

fn daily(t_end: f64) -> Vec<f64> {
    (0..=t_end as usize).map(|d| d as f64).collect()
}

/// Clinical preset parameters (MODELS.md §1, Table 1 of [L]). Presets
/// without a CD19− clone get rN = km = 0, kb = 1, KN = 1 and nN0 = 0, so nN
/// stays exactly 0 (the placeholders only keep 0/0 out of the bystander term).
fn clinical_preset(name: &str) -> (Vec<(&'static str, f64)>, Vec<f64>) {
    #[rustfmt::skip]
    let v: [f64; 17] = match name {
        //      rP     rTA   lTA   lTN     nC        e      KP        Kr       KA        kA    rN   km      kb   KN        nP0      nN0    nTN0
        "cr" => [0.069, 1.62, 0.12, 3e-5, 2939.1, 22.72, 5891.5, 637.64, 1808.0, 0.65, 0.0, 0.0, 1.0, 1.0, 2200.24, 0.0, 16.5],
        "nr" => [0.080, 0.99, 0.55, 9.2e-4, 6101.58, 6.58, 7067.07, 3431.65, 0.0052, 0.31, 0.0, 0.0, 1.0, 1.0, 589.676, 0.0, 71.45],
        "relapse-pos" => [0.21, 0.99, 0.12, 6e-7, 19877.4, 20.31, 1050.19, 1983.64, 54.68, 0.44, 0.0, 0.0, 1.0, 1.0, 1764.25, 0.0, 12.26],
        "relapse-neg" => [0.071, 1.5, 0.11, 2e-7, 2585.74, 19.34, 11040.05, 1360.54, 11883.73, 0.58, 0.1, 1.5e-7, 7.9, 16956.03, 1467.01, 19.89, 8.97],
        _ => unreachable!(),
    };
    let names = [
        "rP", "rTA", "lTA", "lTN", "nC", "e", "KP", "Kr", "KA", "kA", "rN", "km", "kb", "KN",
    ];
    let params = names.iter().zip(v).map(|(n, x)| (*n, x)).collect();
    (params, vec![v[14], 0.0, v[16], v[15]])
}

/// Marrow parameters (MODELS.md §2, Table 1 of [M]) with the given α and h.
fn marrow_params(alpha: f64, h: f64) -> Vec<(&'static str, f64)> {
    let ln2 = std::f64::consts::LN_2;
    vec![
        ("rho0", ln2 / 8.0),
        ("rho1", ln2),
        ("rho2", ln2 / 1.5),
        ("gamma0", 0.02),
        ("gamma1", 0.168),
        ("gamma2", 0.144),
        ("gamma3", 0.288),
        ("k", 1e-10),
        ("rhoL", ln2),
        ("Lmax", 1e12),
        ("gammaL", 0.001 * 0.288),
        ("alpha", alpha),
        ("rhoC", 0.9),
        ("tauA", 6.5),
        ("gammaAM", 0.001),
        ("gammaMA", 0.33),
        ("tauM", 300.0),
        ("h", h),
    ]
}

fn problems() -> Vec<Problem> {
    let mut out = Vec::new();
    for name in ["cr", "nr", "relapse-pos", "relapse-neg"] {
        let (params, y0) = clinical_preset(name);
        out.push(Problem {
            name,
            model: "clinical",
            cases: vec![params],
            y0,
            state: vec!["nP", "nTA", "nTN", "nN"],
            t_end: 180.0,
            grid: daily(180.0),
            atol: 1e-12,
            atol_ref: 1e-18,
            floor: 1e-9,
            note: "clinical preset, 180 days, output daily",
        });
    }
    let marrow_y0 = vec![1e6, 3e7, 2e8, 9e7, 2e11, 5e7, 0.0];
    let marrow_state = vec!["B0", "B1", "B2", "B3", "L", "CA", "CM"];
    out.push(Problem {
        name: "fig3",
        model: "marrow",
        cases: vec![marrow_params(3e-10, 1e9)],
        y0: marrow_y0.clone(),
        state: marrow_state.clone(),
        t_end: 270.0,
        grid: daily(270.0),
        atol: 1e-3,
        atol_ref: 1e-9,
        floor: 1.0,
        note: "marrow fig3, 270 days, output daily",
    });
    let n = 200;
    out.push(Problem {
        name: "fig6-row",
        model: "marrow",
        cases: (0..n)
            .map(|i| {
                let a = 3e-11 * 100f64.powf(i as f64 / (n - 1) as f64);
                marrow_params(a, 1e9)
            })
            .collect(),
        y0: marrow_y0,
        state: marrow_state,
        t_end: 30.0,
        grid: vec![30.0],
        atol: 1e-3,
        atol_ref: 1e-9,
        floor: 1.0,
        note: "one fig6 heat-map row: 200 solves to day 30, alpha log-spaced 3e-11..3e-9, h = 1e9; output the day-30 state; times are per row",
    });
    out
}

/// Max relative error of `got` against `reference` (same layout), each
/// difference divided by max(|reference|, floor).
fn max_rel_error(got: &[f64], reference: &[f64], floor: f64) -> f64 {
    if got.len() != reference.len() {
        return f64::INFINITY;
    }
    got.iter()
        .zip(reference)
        .map(|(g, r)| {
            let e = (g - r).abs() / r.abs().max(floor);
            if e.is_nan() {
                f64::INFINITY
            } else {
                e
            }
        })
        .fold(0.0, f64::max)
}

/// Median time per call in µs: batches of ≥ `batch` each, `n_batches` of them.
fn time_us(mut f: impl FnMut(), batch: Duration, n_batches: usize) -> f64 {
    f();
    let t = Instant::now();
    f();
    let one = t.elapsed().max(Duration::from_nanos(50));
    let reps = ((batch.as_secs_f64() / one.as_secs_f64()).ceil() as usize).max(1);
    let mut per: Vec<f64> = (0..n_batches)
        .map(|_| {
            let t = Instant::now();
            for _ in 0..reps {
                f();
            }
            t.elapsed().as_secs_f64() * 1e6 / reps as f64
        })
        .collect();
    per.sort_by(|a, b| a.partial_cmp(b).unwrap());
    per[per.len() / 2]
}

/// An observer writing into a reused buffer.
struct Sink<'a>(&'a mut Vec<f64>);
impl cartsim::solver::Observer for Sink<'_> {
    #[inline]
    fn observe(&mut self, _t: f64, y: &[f64]) {
        self.0.extend_from_slice(y);
    }
}

/// Solve every case of `p` with cartsim; output appended to `out`.
fn cartsim_solve<S: OdeSystem>(
    solver: &mut Solver,
    systems: &[S],
    p: &Problem,
    settings: &Settings,
    grid: &OutputGrid,
    events: &Events,
    out: &mut Vec<f64>,
) -> usize {
    out.clear();
    let mut evals = 0;
    for sys in systems {
        let o = solver
            .solve(
                sys,
                0.0,
                &p.y0,
                p.t_end,
                settings,
                events,
                grid,
                &mut Sink(out),
            )
            .expect("cartsim solve failed");
        evals += o.stats.rhs_evals;
    }
    evals
}

/// `ode_solvers` needs its own `System` impl over nalgebra vectors.
struct OsSys<S, const N: usize>(S);
impl<S: OdeSystem, const N: usize> ode_solvers::System<f64, ode_solvers::SVector<f64, N>>
    for OsSys<S, N>
{
    #[inline]
    fn system(
        &self,
        t: f64,
        y: &ode_solvers::SVector<f64, N>,
        dy: &mut ode_solvers::SVector<f64, N>,
    ) {
        self.0.rhs(t, y.as_slice(), dy.as_mut_slice());
    }
}

fn ode_solvers_solve<S: OdeSystem + Copy, const N: usize>(
    systems: &[S],
    p: &Problem,
    rtol: f64,
    out: &mut Vec<f64>,
) -> usize {
    out.clear();
    let mut evals = 0;
    // Output every day (dx = 1), as the crate's dense output is meant to be
    // used; for a single-output problem keep only the final point.
    for sys in systems {
        let y0 = ode_solvers::SVector::<f64, N>::from_column_slice(&p.y0);
        let mut st =
            ode_solvers::Dopri5::new(OsSys::<S, N>(*sys), 0.0, p.t_end, 1.0, y0, rtol, p.atol);
        let stats = st.integrate().expect("ode_solvers failed");
        evals += stats.num_eval as usize;
        let (xs, ys) = st.results().get();
        for &t in &p.grid {
            match xs.iter().position(|x| (x - t).abs() < 1e-9) {
                Some(i) => out.extend_from_slice(ys[i].as_slice()),
                None => out.extend(std::iter::repeat_n(f64::NAN, N)),
            }
        }
    }
    evals
}

/// ns per RHS evaluation in a tight loop (black_box), cycling through the
/// states the reference visited, so the arithmetic is the solve's own.
fn rhs_ns<S: OdeSystem>(sys: &S, states: &[f64]) -> f64 {
    let dim = sys.dim();
    let mut dy = vec![0.0; dim];
    let pts: Vec<&[f64]> = states.chunks_exact(dim).collect();
    let n = 2_000_000usize.div_ceil(pts.len()) * pts.len();
    let mut best = f64::INFINITY;
    for _ in 0..5 {
        let t = Instant::now();
        for i in 0..n {
            let y = pts[i % pts.len()];
            sys.rhs(black_box(i as f64), black_box(y), black_box(&mut dy));
        }
        best = best.min(t.elapsed().as_secs_f64() * 1e9 / n as f64);
    }
    best
}

struct Row {
    problem: &'static str,
    tool: &'static str,
    rtol: f64,
    us: f64,
    evals: usize,
    err: f64,
    extra: Value,
}

fn run_problem<S: OdeSystem + Copy, const N: usize>(
    p: &Problem,
    systems: &[S],
    batch: Duration,
    nb: usize,
    rows: &mut Vec<Row>,
) -> Value {
    let mut solver = Solver::new();
    let grid = OutputGrid::Times(p.grid.clone());
    let events = Events::none();
    let mut out = Vec::with_capacity(p.grid.len() * p.y0.len() * systems.len());

    // Reference.
    let st_ref = Settings::dopri5(RTOL_REF, p.atol_ref);
    let ref_evals = cartsim_solve(&mut solver, systems, p, &st_ref, &grid, &events, &mut out);
    let reference = out.clone();
    // Self-check of the reference: one tolerance step tighter.
    let st_chk = Settings::dopri5(RTOL_REF * 0.1, p.atol_ref * 0.1);
    cartsim_solve(&mut solver, systems, p, &st_chk, &grid, &events, &mut out);
    let ref_self = max_rel_error(&out, &reference, p.floor);
    eprintln!(
        "[{}] reference: cartsim DP5 rtol {RTOL_REF:e} ({ref_evals} RHS evals); vs rtol {:e}: {ref_self:.2e}",
        p.name,
        RTOL_REF * 0.1
    );

    // The floor: ns per RHS evaluation over the reference's states.
    let ns_rhs = rhs_ns(&systems[0], &reference);
    eprintln!("[{}] RHS: {ns_rhs:.2} ns per evaluation", p.name);

    if let Some(n) = std::env::var("BENCH_PROFILE")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
    {
        // Profiling aid (`perf stat`/`perf record`): n solves of cartsim DP5
        // at rtol 1e-6, nothing else.
        let st = Settings::dopri5(1e-6, p.atol);
        for _ in 0..n {
            black_box(cartsim_solve(
                &mut solver,
                systems,
                p,
                &st,
                &grid,
                &events,
                &mut out,
            ));
        }
        return Value::Null;
    }
    for &rtol in &RTOLS {
        // cartsim DP5.
        let st = Settings::dopri5(rtol, p.atol);
        let evals = cartsim_solve(&mut solver, systems, p, &st, &grid, &events, &mut out);
        let err_dp5 = max_rel_error(&out, &reference, p.floor);
        let us = time_us(
            || {
                black_box(cartsim_solve(
                    &mut solver,
                    systems,
                    p,
                    &st,
                    &grid,
                    &events,
                    &mut out,
                ));
            },
            batch,
            nb,
        );
        let floor_us = ns_rhs * evals as f64 / 1e3;
        rows.push(Row {
            problem: p.name,
            tool: "cartsim DP5",
            rtol,
            us,
            evals,
            err: err_dp5,
            extra: json!({"floor_us": floor_us, "floor_ratio": us / floor_us, "ns_per_rhs": ns_rhs}),
        });

        // cartsim RK4: the largest step 2^-k day whose error is at most DP5's.
        let mut chosen = None;
        for k in 0..=12 {
            let dt = 1.0 / f64::powi(2.0, k);
            let st = Settings::rk4(dt);
            let ok = systems.iter().all(|s| {
                solver
                    .solve(
                        s,
                        0.0,
                        &p.y0,
                        p.t_end,
                        &st,
                        &events,
                        &OutputGrid::None,
                        &mut |_: f64, _: &[f64]| {},
                    )
                    .is_ok()
            });
            if !ok {
                continue;
            }
            let ev = cartsim_solve(&mut solver, systems, p, &st, &grid, &events, &mut out);
            let e = max_rel_error(&out, &reference, p.floor);
            if e <= err_dp5 {
                chosen = Some((dt, st, ev, e));
                break;
            }
        }
        match chosen {
            Some((dt, st, ev, e)) => {
                let us = time_us(
                    || {
                        black_box(cartsim_solve(
                            &mut solver,
                            systems,
                            p,
                            &st,
                            &grid,
                            &events,
                            &mut out,
                        ));
                    },
                    batch,
                    nb,
                );
                let floor_us = ns_rhs * ev as f64 / 1e3;
                rows.push(Row {
                    problem: p.name,
                    tool: "cartsim RK4",
                    rtol,
                    us,
                    evals: ev,
                    err: e,
                    extra: json!({"dt": dt, "floor_us": floor_us, "floor_ratio": us / floor_us, "ns_per_rhs": ns_rhs,
                        "note": format!("fixed step dt = {dt} day: the largest 2^-k day with error <= cartsim DP5's at this rtol")}),
                });
            }
            None => eprintln!(
                "[{}] RK4: no step down to 2^-12 day matches DP5 at rtol {rtol:e}",
                p.name
            ),
        }

        // ode_solvers Dopri5.
        let evals = ode_solvers_solve::<S, N>(systems, p, rtol, &mut out);
        let err = max_rel_error(&out, &reference, p.floor);
        let us = time_us(
            || {
                black_box(ode_solvers_solve::<S, N>(systems, p, rtol, &mut out));
            },
            batch,
            nb,
        );
        rows.push(Row {
            problem: p.name,
            tool: "ode_solvers Dopri5",
            rtol,
            us,
            evals,
            err,
            extra: json!({"note": "output every day (dx = 1)"}),
        });
    }
    json!({
        "problem": p.name,
        "grid": p.grid,
        "dim": p.y0.len(),
        "rtol": RTOL_REF,
        "atol": p.atol_ref,
        "rhs_evals": ref_evals,
        "self_check": ref_self,
        "ns_per_rhs": ns_rhs,
        "cases": reference.chunks(p.grid.len() * p.y0.len()).collect::<Vec<_>>(),
    })
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let quick = args.iter().any(|a| a == "--quick");
    let out_dir = args
        .iter()
        .position(|a| a == "--out")
        .and_then(|i| args.get(i + 1))
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("target/bench"));
    let only: Option<&String> = args
        .iter()
        .position(|a| a == "--only")
        .and_then(|i| args.get(i + 1));
    std::fs::create_dir_all(&out_dir).expect("create output dir");
    let (batch, nb) = if quick {
        (Duration::from_millis(10), 3)
    } else {
        (Duration::from_millis(60), 7)
    };

    let mut rows = Vec::new();
    let mut refs = Vec::new();
    let mut defs = Vec::new();
    for p in problems() {
        if only.is_some_and(|o| o != p.name) {
            continue;
        }
        defs.push(json!({
            "problem": p.name, "model": p.model, "state": p.state, "y0": p.y0,
            "t_end": p.t_end, "grid": p.grid, "atol": p.atol, "floor": p.floor, "note": p.note,
            "cases": p.cases.iter().map(|c| c.iter().map(|(n, v)| (n.to_string(), json!(v))).collect::<serde_json::Map<_, _>>()).collect::<Vec<_>>(),
        }));
        let systems: Vec<Sys> = p.cases.iter().map(|c| build(p.model, c)).collect();
        let r = match systems[0] {
            Sys::Clinical(_) => {
                let s: Vec<Clinical> = systems
                    .iter()
                    .map(|s| match s {
                        Sys::Clinical(c) => *c,
                        _ => unreachable!(),
                    })
                    .collect();
                run_problem::<Clinical, 4>(&p, &s, batch, nb, &mut rows)
            }
            Sys::Marrow(_) => {
                let s: Vec<Marrow> = systems
                    .iter()
                    .map(|s| match s {
                        Sys::Marrow(c) => *c,
                        _ => unreachable!(),
                    })
                    .collect();
                run_problem::<Marrow, 7>(&p, &s, batch, nb, &mut rows)
            }
        };
        refs.push(r);
        for row in rows.iter().filter(|r| r.problem == p.name) {
            eprintln!(
                "  {:<20} rtol {:.0e}  {:>12.2} µs  {:>8} evals  err {:.2e}",
                row.tool, row.rtol, row.us, row.evals, row.err
            );
        }
    }
    let rows_json: Vec<Value> = rows
        .iter()
        .map(|r| {
            let mut o = json!({
                "problem": r.problem, "tool": r.tool, "rtol": r.rtol, "us_per_solve": r.us,
                "rhs_evals": r.evals, "max_rel_error": r.err,
            });
            if let (Value::Object(o), Value::Object(x)) = (&mut o, &r.extra) {
                o.extend(x.clone());
            }
            o
        })
        .collect();
    let write = |name: &str, v: &Value| {
        std::fs::write(out_dir.join(name), serde_json::to_string_pretty(v).unwrap())
            .expect("write json")
    };
    write("problems.json", &json!(defs));
    write("reference.json", &json!(refs));
    write("rust.json", &json!(rows_json));
    eprintln!(
        "wrote {}/{{problems,reference,rust}}.json",
        out_dir.display()
    );
}
