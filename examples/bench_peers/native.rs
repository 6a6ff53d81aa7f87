//! The native benchmark harness (see the crate docs in main.rs).

use super::report;

use cartsim::model::clinical::{self, Clinical};
use cartsim::model::marrow::{self, Marrow, Scenario};
use cartsim::solver::{Events, OdeSystem, OutputGrid, Settings, Solver};
use serde_json::{json, Value};
use std::hint::black_box;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// The tolerances every tool is run at.
const RTOLS: [f64; 2] = [1e-6, 1e-8];
/// Reference tolerance.
const RTOL_REF: f64 = 1e-12;

/// One benchmark problem: one or more cases (initial value problems of the
/// same model) solved as a unit, each output on `grid`.
struct Problem<S> {
    name: &'static str,
    model: &'static str,
    systems: Vec<S>,
    /// Per case: every parameter and initial value by its MODELS.md name
    /// (what `bench/peers.py` and the Antimony model are built from).
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

fn daily(t_end: f64) -> Vec<f64> {
    (0..=t_end as usize).map(|d| d as f64).collect()
}

/// The clinical presets of the library (MODELS.md §1), 180 days. The
/// extinction rule is an event, not part of the equations: these solves
/// schedule no events, so it is off.
fn clinical_problems() -> Vec<Problem<Clinical>> {
    ["cr", "nr", "relapse-pos", "relapse-neg"]
        .into_iter()
        .map(|name| {
            let params = clinical::preset(name).expect("preset").params;
            let cases = vec![clinical::SPECS
                .iter()
                .zip(params.0)
                .map(|(s, v)| (s.name, v))
                .collect()];
            Problem {
                name,
                model: "clinical",
                systems: vec![Clinical { p: params }],
                cases,
                y0: params.initial_state().to_vec(),
                state: clinical::STATE_NAMES.to_vec(),
                t_end: clinical::DEFAULT_T_END,
                grid: daily(clinical::DEFAULT_T_END),
                atol: 1e-12,
                atol_ref: 1e-18,
                floor: clinical::ONE_CELL,
                note: "clinical preset, 180 days, output daily",
            }
        })
        .collect()
}

fn marrow_case(m: &Marrow) -> Vec<(&'static str, f64)> {
    marrow::SPECS
        .iter()
        .zip(m.p)
        .map(|(s, v)| (s.name, v))
        .collect()
}

/// `fig3` over 270 days, and one row of the `fig6` heat map: 200 solves to
/// day 30 with α log-spaced over 3e-11..3e-9 and h = 1e9 (the preset's α
/// axis at its default h). Extinction off (MODELS.md §3).
fn marrow_problems() -> Vec<Problem<Marrow>> {
    let off = [("extinction".to_string(), "off".to_string())];
    let fig3 = Scenario::from_preset("fig3", &off).expect("fig3");
    assert!(fig3.extinction.is_none() && fig3.doses.is_empty() && fig3.reinfusion.is_none());
    let mut y0 = vec![0.0; fig3.model.dim()];
    fig3.model.initial_state(&mut y0);
    let state = marrow::STATE_NAMES[..fig3.model.dim()].to_vec();
    let fig6 = Scenario::from_preset("fig6", &off).expect("fig6");
    let n = 200;
    let row: Vec<Marrow> = (0..n)
        .map(|i| {
            let mut m = fig6.model.clone();
            m.p[marrow::p::ALPHA] = 3e-11 * 100f64.powf(i as f64 / (n - 1) as f64);
            m.p[marrow::p::H] = 1e9;
            m
        })
        .collect();
    let mut y06 = vec![0.0; fig6.model.dim()];
    fig6.model.initial_state(&mut y06);
    vec![
        Problem {
            name: "fig3",
            model: "marrow",
            cases: vec![marrow_case(&fig3.model)],
            systems: vec![fig3.model.clone()],
            y0,
            state: state.clone(),
            t_end: fig3.t_end,
            grid: daily(fig3.t_end),
            atol: 1e-3,
            atol_ref: 1e-9,
            floor: 1.0,
            note: "marrow fig3, 270 days, output daily",
        },
        Problem {
            name: "fig6-row",
            model: "marrow",
            cases: row.iter().map(marrow_case).collect(),
            systems: row,
            y0: y06,
            state,
            t_end: 30.0,
            grid: vec![30.0],
            atol: 1e-3,
            atol_ref: 1e-9,
            floor: 1.0,
            note: "one fig6 heat-map row: 200 solves to day 30, alpha log-spaced 3e-11..3e-9, h = 1e9; output the day-30 state; times are per row of 200 solves",
        },
    ]
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

/// Median µs per call of each of `fs`, timed in interleaved batches: every
/// round runs one batch (of ≥ `batch`) of each function in turn, so load
/// that comes and goes on a shared machine falls on all of them alike and
/// their ratios hold within one run.
fn time_interleaved_us(fs: &mut [&mut dyn FnMut()], batch: Duration, n_batches: usize) -> Vec<f64> {
    let reps: Vec<usize> = fs
        .iter_mut()
        .map(|f| {
            f();
            let t = Instant::now();
            f();
            let one = t.elapsed().max(Duration::from_nanos(50));
            ((batch.as_secs_f64() / one.as_secs_f64()).ceil() as usize).max(1)
        })
        .collect();
    let mut per = vec![Vec::with_capacity(n_batches); fs.len()];
    for _ in 0..n_batches {
        for (i, f) in fs.iter_mut().enumerate() {
            let t = Instant::now();
            for _ in 0..reps[i] {
                f();
            }
            per[i].push(t.elapsed().as_secs_f64() * 1e6 / reps[i] as f64);
        }
    }
    per.into_iter()
        .map(|mut v| {
            v.sort_by(|a, b| a.partial_cmp(b).unwrap());
            v[v.len() / 2]
        })
        .collect()
}

/// `evals` chained RHS evaluations over the reference states (as
/// [`rhs_ns_chained`]): the chained floor of a solve with that many
/// evaluations, as a function to time next to the solve itself.
fn chained_pass<S: OdeSystem>(
    sys: &S,
    pts: &[&[f64]],
    evals: usize,
    y: &mut [f64],
    dy: &mut [f64],
) {
    let zero = black_box(0.0);
    for i in 0..evals {
        let p = pts[i % pts.len()];
        for c in 0..y.len() {
            y[c] = p[c] + zero * dy[c];
        }
        sys.rhs(i as f64, y, dy);
    }
    black_box(&*dy);
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
    p: &Problem<S>,
    settings: &Settings,
    grid: &OutputGrid,
    events: &Events,
    out: &mut Vec<f64>,
) -> usize {
    out.clear();
    let mut evals = 0;
    for sys in &p.systems {
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
struct OsSys<'a, S, const N: usize>(&'a S);
impl<S: OdeSystem, const N: usize> ode_solvers::System<f64, ode_solvers::SVector<f64, N>>
    for OsSys<'_, S, N>
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

/// Solve every case of `p` with `ode_solvers`' Dopri5, output every day
/// (dx = 1, how its dense output is meant to be used; see TOOLCHAIN.md for
/// its wrong answer with a single long output interval); the grid points
/// are picked from its output.
fn ode_solvers_solve<S: OdeSystem, const N: usize>(
    p: &Problem<S>,
    rtol: f64,
    out: &mut Vec<f64>,
) -> usize {
    out.clear();
    let mut evals = 0;
    for sys in &p.systems {
        let y0 = ode_solvers::SVector::<f64, N>::from_column_slice(&p.y0);
        let mut st =
            ode_solvers::Dopri5::new(OsSys::<S, N>(sys), 0.0, p.t_end, 1.0, y0, rtol, p.atol);
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

/// ns per RHS evaluation when each evaluation's input depends on the
/// previous one's output (y = state + 0·f, with the 0 hidden from the
/// compiler), as in a Runge–Kutta step where every stage needs the one
/// before: the evaluation's latency rather than its throughput.
fn rhs_ns_chained<S: OdeSystem>(sys: &S, states: &[f64]) -> f64 {
    let dim = sys.dim();
    let mut dy = vec![0.0; dim];
    let mut y = vec![0.0; dim];
    let pts: Vec<&[f64]> = states.chunks_exact(dim).collect();
    let n = 2_000_000usize.div_ceil(pts.len()) * pts.len();
    let zero = black_box(0.0);
    let mut best = f64::INFINITY;
    for _ in 0..5 {
        let t = Instant::now();
        for i in 0..n {
            let p = pts[i % pts.len()];
            for c in 0..dim {
                y[c] = p[c] + zero * dy[c];
            }
            sys.rhs(i as f64, &y, &mut dy);
        }
        black_box(&dy);
        best = best.min(t.elapsed().as_secs_f64() * 1e9 / n as f64);
    }
    best
}

/// One result row (peers.json schema plus extras).
fn row(
    problem: &str,
    tool: &str,
    rtol: f64,
    us: f64,
    evals: usize,
    err: f64,
    extra: Value,
) -> Value {
    let mut o = json!({
        "problem": problem, "tool": tool, "rtol": rtol, "us_per_solve": us,
        "rhs_evals": evals, "max_rel_error": err,
    });
    if let (Value::Object(o), Value::Object(x)) = (&mut o, extra) {
        o.extend(x);
    }
    eprintln!("  {tool:<20} rtol {rtol:.0e}  {us:>12.2} µs  {evals:>8} evals  err {err:.2e}");
    o
}

/// Reference, floor and the three Rust tools on one problem.
fn run_problem<S: OdeSystem, const N: usize>(
    p: &Problem<S>,
    batch: Duration,
    nb: usize,
    rows: &mut Vec<Value>,
) -> Value {
    let mut solver = Solver::new();
    let grid = OutputGrid::Times(p.grid.clone());
    let events = Events::none();
    let mut out = Vec::with_capacity(p.grid.len() * p.y0.len() * p.systems.len());
    let mut out2 = out.clone();

    // Reference, and its self-check one decade tighter.
    let st_ref = Settings::dopri5(RTOL_REF, p.atol_ref);
    let ref_evals = cartsim_solve(&mut solver, p, &st_ref, &grid, &events, &mut out);
    let reference = out.clone();
    let st_chk = Settings::dopri5(RTOL_REF * 0.1, p.atol_ref * 0.1);
    cartsim_solve(&mut solver, p, &st_chk, &grid, &events, &mut out);
    let ref_self = max_rel_error(&out, &reference, p.floor);
    eprintln!(
        "[{}] reference: cartsim DP5 rtol {RTOL_REF:e} ({ref_evals} RHS evals); vs rtol {:e}: {ref_self:.2e}",
        p.name,
        RTOL_REF * 0.1
    );
    let ns_rhs = rhs_ns(&p.systems[0], &reference);
    let ns_chain = rhs_ns_chained(&p.systems[0], &reference);
    let pts: Vec<&[f64]> = reference.chunks_exact(p.y0.len()).collect();
    let (mut cy, mut cdy) = (vec![0.0; p.y0.len()], vec![0.0; p.y0.len()]);
    eprintln!(
        "[{}] RHS: {ns_rhs:.2} ns per evaluation in a tight loop, {ns_chain:.2} ns chained",
        p.name
    );

    if let Some(n) = std::env::var("BENCH_PROFILE")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
    {
        // Profiling aid (`perf record`, cachegrind): n solves of cartsim DP5
        // at rtol 1e-6, nothing else.
        let st = Settings::dopri5(1e-6, p.atol);
        for _ in 0..n {
            black_box(cartsim_solve(&mut solver, p, &st, &grid, &events, &mut out));
        }
        return Value::Null;
    }

    if let Some(n) = std::env::var("BENCH_AB")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
    {
        // A/B aid under a noisy machine: n interleaved single solves of
        // cartsim DP5 and ode_solvers Dopri5 at rtol 1e-6 (or
        // BENCH_AB_RTOL); minimum times.
        let rtol = std::env::var("BENCH_AB_RTOL")
            .ok()
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(1e-6);
        // BENCH_AB_RK4=DT: cartsim RK4 with step DT in DP5's place.
        let rk4 = std::env::var("BENCH_AB_RK4")
            .ok()
            .and_then(|v| v.parse::<f64>().ok());
        let st = rk4.map_or_else(|| Settings::dopri5(rtol, p.atol), Settings::rk4);
        let (mut a, mut b) = (f64::INFINITY, f64::INFINITY);
        for _ in 0..n {
            let t = Instant::now();
            black_box(cartsim_solve(&mut solver, p, &st, &grid, &events, &mut out));
            a = a.min(t.elapsed().as_secs_f64() * 1e6);
            let t = Instant::now();
            black_box(ode_solvers_solve::<S, N>(p, rtol, &mut out));
            b = b.min(t.elapsed().as_secs_f64() * 1e6);
        }
        eprintln!(
            "[{}] min µs: cartsim {} {a:.2}, ode_solvers {b:.2}, ratio {:.3}",
            p.name,
            if rk4.is_some() { "RK4" } else { "DP5" },
            a / b
        );
        return Value::Null;
    }
    for &rtol in &RTOLS {
        // cartsim DP5.
        let st = Settings::dopri5(rtol, p.atol);
        let evals = cartsim_solve(&mut solver, p, &st, &grid, &events, &mut out);
        let err_dp5 = max_rel_error(&out, &reference, p.floor);
        // cartsim DP5, ode_solvers Dopri5 and the chained floor of DP5's
        // evaluations, timed in interleaved batches (their ratios are the targets).
        let os_evals = ode_solvers_solve::<S, N>(p, rtol, &mut out2);
        let os_err = max_rel_error(&out2, &reference, p.floor);
        let times = time_interleaved_us(
            &mut [
                &mut || {
                    black_box(cartsim_solve(&mut solver, p, &st, &grid, &events, &mut out));
                },
                &mut || {
                    black_box(ode_solvers_solve::<S, N>(p, rtol, &mut out2));
                },
                &mut || chained_pass(&p.systems[0], &pts, evals, &mut cy, &mut cdy),
            ],
            batch,
            nb,
        );
        let (us, os_us, chain_us) = (times[0], times[1], times[2]);
        let floor_us = ns_rhs * evals as f64 / 1e3;
        rows.push(row(
            p.name,
            "cartsim DP5",
            rtol,
            us,
            evals,
            err_dp5,
            json!({"floor_us": floor_us, "floor_ratio": us / floor_us, "ns_per_rhs": ns_rhs,
                "chained_floor_us": chain_us, "chained_floor_ratio": us / chain_us,
                "ns_per_rhs_chained": chain_us * 1e3 / evals as f64}),
        ));

        // cartsim RK4: the largest step 2^-k day whose error is at most DP5's.
        let mut chosen = None;
        for k in 0..=12 {
            let dt = 1.0 / f64::powi(2.0, k);
            let st = Settings::rk4(dt);
            let ok = p.systems.iter().all(|s| {
                let mut none = |_: f64, _: &[f64]| {};
                solver
                    .solve(
                        s,
                        0.0,
                        &p.y0,
                        p.t_end,
                        &st,
                        &events,
                        &OutputGrid::None,
                        &mut none,
                    )
                    .is_ok()
            });
            if !ok {
                continue;
            }
            let ev = cartsim_solve(&mut solver, p, &st, &grid, &events, &mut out);
            let e = max_rel_error(&out, &reference, p.floor);
            if e <= err_dp5 {
                chosen = Some((dt, st, ev, e));
                break;
            }
        }
        match chosen {
            Some((dt, st, ev, e)) => {
                let times = time_interleaved_us(
                    &mut [
                        &mut || {
                            black_box(cartsim_solve(&mut solver, p, &st, &grid, &events, &mut out));
                        },
                        &mut || chained_pass(&p.systems[0], &pts, ev, &mut cy, &mut cdy),
                    ],
                    batch,
                    nb,
                );
                let (us, chain_us) = (times[0], times[1]);
                let floor_us = ns_rhs * ev as f64 / 1e3;
                rows.push(row(p.name, "cartsim RK4", rtol, us, ev, e, json!({
                    "dt": dt, "floor_us": floor_us, "floor_ratio": us / floor_us, "ns_per_rhs": ns_rhs,
                    "chained_floor_us": chain_us, "chained_floor_ratio": us / chain_us,
                    "ns_per_rhs_chained": chain_us * 1e3 / ev as f64,
                    "note": format!("fixed step dt = {dt} day: the largest 2^-k day whose error is at most cartsim DP5's at this rtol"),
                })));
            }
            None => eprintln!(
                "[{}] RK4: no step down to 2^-12 day matches DP5 at rtol {rtol:e}",
                p.name
            ),
        }

        // ode_solvers Dopri5 (timed above, next to cartsim DP5).
        let (evals, err) = (os_evals, os_err);
        rows.push(row(
            p.name,
            "ode_solvers Dopri5",
            rtol,
            os_us,
            evals,
            err,
            json!({"note": "output every day (dx = 1); timed in batches interleaved with cartsim DP5's"}),
        ));
        if err.is_nan() || err > 2.0 * err_dp5 {
            // Less accurate beyond 2x: the loosest rtol/10^i within 2x.
            for i in 1..=4 {
                let r = rtol * 10f64.powi(-i);
                let evals = ode_solvers_solve::<S, N>(p, r, &mut out);
                let err = max_rel_error(&out, &reference, p.floor);
                if err <= 2.0 * err_dp5 {
                    let us = time_us(
                        || {
                            black_box(ode_solvers_solve::<S, N>(p, r, &mut out));
                        },
                        batch,
                        nb,
                    );
                    let note = format!(
                        "run at rtol {r:e}: the loosest rtol/10^i within 2x of cartsim DP5's error; output every day (dx = 1)"
                    );
                    rows.push(row(
                        p.name,
                        "ode_solvers Dopri5 (matched)",
                        rtol,
                        us,
                        evals,
                        err,
                        json!({"rtol_used": r, "note": note}),
                    ));
                    break;
                }
            }
        }
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
        "ns_per_rhs_chained": ns_chain,
        "cases": reference.chunks(p.grid.len() * p.y0.len()).collect::<Vec<_>>(),
    })
}

fn definition<S>(p: &Problem<S>) -> Value {
    json!({
        "problem": p.name, "model": p.model, "state": p.state, "y0": p.y0,
        "t_end": p.t_end, "grid": p.grid, "atol": p.atol, "floor": p.floor, "note": p.note,
        "cases": p.cases.iter().map(|c| c.iter().map(|(n, v)| (n.to_string(), json!(v)))
            .collect::<serde_json::Map<_, _>>()).collect::<Vec<_>>(),
    })
}

fn arg_value(args: &[String], flag: &str) -> Option<String> {
    args.iter()
        .position(|a| a == flag)
        .and_then(|i| args.get(i + 1))
        .cloned()
}

/// Entry point (see the crate docs).
pub fn main() {
    let args: Vec<String> = std::env::args().collect();
    let out_dir = PathBuf::from(arg_value(&args, "--out").unwrap_or_else(|| "target/bench".into()));
    std::fs::create_dir_all(&out_dir).expect("create output dir");
    let quick = args.iter().any(|a| a == "--quick");
    if let Some(what) = arg_value(&args, "--report") {
        // Merge, tabulate and write BENCHMARKS.md (after bench/peers.py).
        let md = arg_value(&args, "--md").map(PathBuf::from);
        if let Err(e) = report::report(&what, &out_dir, md.as_deref(), quick) {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
        return;
    }
    let only = arg_value(&args, "--only");
    let (batch, nb) = if quick {
        (Duration::from_millis(10), 3)
    } else {
        (Duration::from_millis(60), 7)
    };
    let keep = |name: &str| only.as_deref().is_none_or(|o| o == name);

    let (mut rows, mut refs, mut defs) = (Vec::new(), Vec::new(), Vec::new());
    for p in clinical_problems().iter().filter(|p| keep(p.name)) {
        defs.push(definition(p));
        refs.push(run_problem::<Clinical, 4>(p, batch, nb, &mut rows));
    }
    for p in marrow_problems().iter().filter(|p| keep(p.name)) {
        defs.push(definition(p));
        refs.push(run_problem::<Marrow, 7>(p, batch, nb, &mut rows));
    }
    if std::env::var_os("BENCH_PROFILE").is_some() || std::env::var_os("BENCH_AB").is_some() {
        return; // profiling aids leave the results of real runs alone
    }
    let write = |name: &str, v: &Value| {
        std::fs::write(out_dir.join(name), serde_json::to_string_pretty(v).unwrap())
            .expect("write json")
    };
    write("problems.json", &json!(defs));
    write("reference.json", &json!(refs));
    write("rust.json", &json!(rows));
    eprintln!(
        "wrote {}/{{problems,reference,rust}}.json",
        out_dir.display()
    );
}
