#![cfg(not(target_arch = "wasm32"))]
//! Acceptance tests of issue 3: the clinical model of Liu et al. ([L]),
//! its metrics and classification, and the `simulate` / `metrics` CLI.

use cartsim::analysis::metrics::{ClassifySettings, Response};
use cartsim::model::clinical::{
    self, configure, ix, preset, Clinical, Options, Params, Runner, PRESETS,
};
use cartsim::model::units;
use cartsim::model::{ModelError, Sampling, SimRequest};
use cartsim::solver::{linspace, solve_with, OdeSystem, OutputGrid, Settings, Trajectory};
use std::process::Command;

const NAMES: [&str; 4] = ["cr", "nr", "relapse-pos", "relapse-neg"];

fn tight() -> Settings {
    Settings::dopri5(1e-10, 1e-18)
}

fn rk4() -> Settings {
    Settings {
        max_steps: 10_000_000,
        ..Settings::rk4(1e-3)
    }
}

fn runner(s: Settings) -> Runner {
    Runner::new(s, Options::default(), ClassifySettings::default()).unwrap()
}

/// Derivatives worked out outside cartsim, from the equations of [L] as
/// written in MODELS.md §1 and the literal numbers of Table 1 of [L]
/// (compared with the table in the extracted text of the paper): `cr` column
/// rP 0.069, rTA 1.62, lTA 0.12, lTN 3e-5, nC 2939.1, e 22.72, KP 5891.5,
/// Kr 637.64, KA 1808.0, kA 0.65 (its CD19− cells are "–": km = 0, and rN
/// 0.1, kb 7.9, KN 16956.03 from the `relapse-neg` column); `relapse-neg`
/// column rP 0.071, rTA 1.5, lTA 0.11, lTN 2e-7, nC 2585.74, e 19.34,
/// KP 11040.05, Kr 1360.54, KA 11883.73, kA 0.58, rN 0.1, km 1.5e-7,
/// kb 7.9, KN 16956.03.
///
/// Computed in exact rational arithmetic with Python 3 and rounded once to
/// the nearest double:
///
/// ```python
/// from fractions import Fraction as F
/// def rhs(p, y):            # p: the numbers above as strings, y: the state
///     p = {k: F(v) for k, v in p.items()}; nP, nTA, nTN, nN = map(F, y)
///     act = p["kA"]*nTN*nP/(nP + p["KA"])
///     return [float(v) for v in (
///         p["rP"]*nP*(1 - nP/p["nC"]) - p["e"]*nTA*nP/(nP + p["KP"]),
///         p["rTA"]*nTA*nP/(nP + p["Kr"]) + act - p["lTA"]*nTA,
///         -act - p["lTN"]*nTN,
///         p["rN"]*nN*(1 - nN/p["nC"]) + p["km"]*nP - p["e"]*nTA*nN/(p["kb"]*nN + p["KN"]))]
/// ```
///
/// Term by term at the second `cr` state (nP 500, nTA 300, nTN 5, nN 2):
/// growth 0.069·500·(1 − 500/2939.1) = 28.6309, kill 22.72·300·500/(5891.5+500)
/// = 533.208, expansion 1.62·300·500/(500+637.64) = 213.600, activation
/// 0.65·5·500/(500+1808) = 0.704073, bystander 22.72·300·2/(7.9·2+16956.03)
/// = 0.803213.
const RHS_BY_HAND: [(&str, [f64; 4], [f64; 4]); 4] = [
    (
        "cr",
        [2200.24, 0.0, 16.5, 0.0],
        [
            38.165146991119734,
            5.887265732590863,
            -5.887760732590863,
            0.0,
        ],
    ),
    (
        "cr",
        [500.0, 300.0, 5.0, 2.0],
        [
            -504.5773107123181,
            178.30415717551315,
            -0.7042227902946274,
            -0.6033494207518292,
        ],
    ),
    (
        "cr",
        [0.001, 50.0, 3.6, 0.5],
        [
            -0.0001238201553920235,
            -5.999871675025607,
            -0.000109294247071766,
            0.016500888463385852,
        ],
    ),
    (
        "relapse-neg",
        [1000.0, 50.0, 10.0, 20.0],
        [
            -36.77357155275928,
            26.722571251563153,
            -0.45018218850131136,
            0.8546135721339029,
        ],
    ),
];

#[test]
fn rhs_matches_hand_computation() {
    for (name, y, want) in RHS_BY_HAND {
        let sys = Clinical {
            p: preset(name).unwrap().params,
        };
        let mut dy = [f64::NAN; 4];
        sys.rhs(0.0, &y, &mut dy);
        for i in 0..4 {
            // A few ulps of rounding in the model's own evaluation order.
            assert!(
                (dy[i] - want[i]).abs() <= 1e-12 * want[i].abs(),
                "{name} at {y:?}: d{}/dt = {}, by hand {}",
                clinical::STATE_NAMES[i],
                dy[i],
                want[i]
            );
        }
    }
}

#[test]
fn cr_sanity_anchor_dopri5_and_rk4() {
    // MODELS.md §1: total CAR T peaks at ≈616 ×10^9 near day 5.7; total burden
    // below 0.01% near day 8.4.
    for (name, s) in [("dopri5 rtol 1e-10", tight()), ("rk4 dt 1e-3", rk4())] {
        let m = runner(s).metrics(&preset("cr").unwrap().params).unwrap();
        println!(
            "cr [{name}]: peak {:.4} at day {:.4}; MRD-negative day {:.4}; remission day {:.4}",
            m.peak,
            m.t_peak,
            m.mrd_day.unwrap(),
            m.remission_day.unwrap()
        );
        assert!((m.peak / 616.0 - 1.0).abs() < 0.01, "peak {}", m.peak);
        assert!((m.t_peak - 5.7).abs() < 0.1, "t_peak {}", m.t_peak);
        assert!(
            (m.mrd_day.unwrap() - 8.4).abs() < 0.1,
            "mrd {:?}",
            m.mrd_day
        );
    }
}

#[test]
fn each_preset_classifies_as_named() {
    let want = [
        Response::Cr,
        Response::Nr,
        Response::Cd19PosRelapse,
        Response::Cd19NegRelapse,
    ];
    let mut r = runner(tight());
    for (name, w) in NAMES.iter().zip(want) {
        let m = r.metrics(&preset(name).unwrap().params).unwrap();
        println!("{name}: {m:?}");
        assert_eq!(m.response, w, "{name}");
    }
    // The same through the request path (default solver settings).
    for (name, w) in NAMES.iter().zip(want) {
        let req = SimRequest {
            preset: name.to_string(),
            ..Default::default()
        };
        let m = clinical::metrics(&req, ClassifySettings::default()).unwrap();
        assert_eq!(m.response, w, "{name} at default tolerance");
    }
}

#[test]
fn extinction_rule_holds_populations_at_zero() {
    // relapse-pos: the CD19+ relapse is itself cleared later; with the rule on
    // nP falls below one cell, is set to 0 and stays 0.
    let req = SimRequest {
        preset: "relapse-pos".into(),
        settings: tight(),
        ..Default::default()
    };
    let table = clinical::simulate(&req).unwrap();
    let ev = table
        .events
        .iter()
        .find(|e| e.label.contains("nP"))
        .expect("nP extinction");
    println!("relapse-pos: nP extinct on day {:.4}", ev.t);
    assert!((ev.before[0] - 1e-9).abs() < 1e-12 && ev.after[0] == 0.0);
    let np = table.col("nP").unwrap();
    for i in 0..table.n_rows() {
        let row = table.row(i);
        if row[0] > ev.t {
            assert_eq!(row[np], 0.0, "day {}", row[0]);
        }
    }
    // With the rule off nP never reaches exactly 0: it lingers as a
    // sub-cell population (a fraction of one cell at day 180).
    let off = SimRequest {
        sets: vec![("extinction".into(), "off".into())],
        ..req.clone()
    };
    let t2 = clinical::simulate(&off).unwrap();
    assert!(t2.events.is_empty());
    let last = t2.row(t2.n_rows() - 1);
    println!("relapse-pos without the rule: nP(180) = {:e}", last[np]);
    assert!(last[np] > 0.0 && last[np] < 1e-9, "{}", last[np]);
    // A higher threshold fires earlier.
    let hi = SimRequest {
        sets: vec![("extinction_threshold".into(), "1e-6".into())],
        ..req
    };
    let t3 = clinical::simulate(&hi).unwrap();
    assert!(t3.events[0].t < ev.t);
}

#[test]
fn ft_equals_table_formula() {
    // FT = rTA·e·kA/lTA with the literal Table 1 numbers.
    let want = [
        1.62 * 22.72 * 0.65 / 0.12,
        0.99 * 6.58 * 0.31 / 0.55,
        0.99 * 20.31 * 0.44 / 0.12,
        1.5 * 19.34 * 0.58 / 0.11,
    ];
    let mut r = runner(Settings::default());
    for (name, w) in NAMES.iter().zip(want) {
        let p = preset(name).unwrap().params;
        assert!((p.ft() - w).abs() <= 1e-12 * w);
        let m = r.metrics(&p).unwrap();
        assert!((m.ft - w).abs() <= 1e-12 * w);
        let fnegr = if *name == "relapse-neg" {
            1.5e-7 * 7.9
        } else {
            0.0
        };
        assert!((m.fnegr - fnegr).abs() <= 1e-20);
        assert!((m.fp - (m.peak * m.auc7).log2()).abs() < 1e-12);
    }
}

#[test]
fn conversions_round_trip_and_reject_out_of_range() {
    for tb in [0.0, 0.01, 5.0, 42.0, 97.0] {
        let n = units::cells_from_tumor_burden(tb).unwrap();
        assert!((n - 1909.0 * tb / (97.19 - tb)).abs() <= 1e-12 * n.max(1.0));
        let back = units::tumor_burden_from_cells(n).unwrap();
        assert!((back - tb).abs() <= 1e-12 * tb.max(1e-300));
    }
    for bad in [-1e-9, 97.19, 150.0, f64::NAN] {
        let e = units::cells_from_tumor_burden(bad).unwrap_err().to_string();
        assert!(e.contains("97.19"), "{e}");
    }
    let q = units::car_t_from_qpcr(500.0).unwrap();
    assert!((q - 51.025).abs() < 1e-12);
    assert!((units::qpcr_from_car_t(q).unwrap() - 500.0).abs() < 1e-9);
    assert!((units::marrow_cells_from_blood(3.0).unwrap() - 1.5).abs() < 1e-15);
    assert!(units::marrow_cells_from_blood(-3.0).is_err());
    let err: ModelError = units::car_t_from_qpcr(-1.0).unwrap_err().into();
    assert!(err.to_string().contains("qPCR"));
}

fn grid_trajectory(name: &str, s: &Settings, grid: &[f64]) -> Trajectory {
    let p = preset(name).unwrap().params;
    let mut ev = clinical::extinction_events(&Options::default());
    clinical::arm_triggers(&mut ev, &p);
    let sol = solve_with(
        &Clinical { p },
        0.0,
        &p.initial_state(),
        180.0,
        s,
        &ev,
        &OutputGrid::Times(grid.to_vec()),
    )
    .unwrap();
    sol.trajectory
}

#[test]
fn dopri5_and_rk4_agree_on_all_presets() {
    let grid = linspace(0.0, 180.0, 360);
    for name in NAMES {
        let a = grid_trajectory(name, &tight(), &grid);
        let b = grid_trajectory(name, &rk4(), &grid);
        assert_eq!(a.len(), grid.len());
        assert_eq!(b.len(), grid.len());
        let (mut worst_rel, mut worst_abs_sub_cell): (f64, f64) = (0.0, 0.0);
        for (x, y) in a.y.iter().zip(&b.y) {
            // Relative 1e-6 for values of at least one cell (1e-9 ×10^9);
            // below one cell (e.g. nTN late in nr) absolute 1e-15 (1e-6 cells).
            let scale = x.abs().max(y.abs());
            if scale >= 1e-9 {
                worst_rel = worst_rel.max((x - y).abs() / scale);
            } else {
                worst_abs_sub_cell = worst_abs_sub_cell.max((x - y).abs());
            }
            if scale >= 1e-9 {
                assert!((x - y).abs() <= 1e-6 * scale, "{name}: {x} vs {y}");
            } else {
                assert!((x - y).abs() <= 1e-15, "{name}: {x} vs {y}");
            }
        }
        println!(
            "{name}: DP5/RK4 worst relative difference {worst_rel:.3e} (values >= one cell); \
             worst absolute below one cell {worst_abs_sub_cell:.3e}"
        );
        // Metrics agree too.
        let ma = runner(tight())
            .metrics(&preset(name).unwrap().params)
            .unwrap();
        let mb = runner(rk4())
            .metrics(&preset(name).unwrap().params)
            .unwrap();
        for (x, y) in [(ma.peak, mb.peak), (ma.auc7, mb.auc7), (ma.auc28, mb.auc28)] {
            assert!((x / y - 1.0).abs() < 1e-6, "{name}: {x} vs {y}");
        }
    }
}

/// The clinical system with a fifth state A' = nTA + nTN: an independent AUC.
struct WithAuc(Clinical);
impl OdeSystem for WithAuc {
    fn dim(&self) -> usize {
        5
    }
    fn rhs(&self, t: f64, y: &[f64], dy: &mut [f64]) {
        self.0.rhs(t, &y[..4], &mut dy[..4]);
        dy[4] = y[1] + y[2];
    }
}

#[test]
fn auc_and_peak_are_accurate() {
    let mut r = runner(tight());
    for name in NAMES {
        let p = preset(name).unwrap().params;
        let m = r.metrics(&p).unwrap();
        // AUC as an extra ODE state at rtol 1e-12.
        let mut ev = clinical::extinction_events(&Options::default());
        clinical::arm_triggers(&mut ev, &p);
        let y0 = p.initial_state();
        let sol = solve_with(
            &WithAuc(Clinical { p }),
            0.0,
            &[y0[0], y0[1], y0[2], y0[3], 0.0],
            28.0,
            &Settings::dopri5(1e-12, 1e-15),
            &ev,
            &OutputGrid::Times(vec![7.0, 28.0]),
        )
        .unwrap();
        let (a7, a28) = (sol.trajectory.row(0)[4], sol.trajectory.row(1)[4]);
        let (e7, e28) = ((m.auc7 / a7 - 1.0).abs(), (m.auc28 / a28 - 1.0).abs());
        println!(
            "{name}: AUC7 {} (rel err {e7:.1e}), AUC28 {} (rel err {e28:.1e})",
            m.auc7, m.auc28
        );
        assert!(e7 < 1e-8 && e28 < 1e-8);
        // Peak: brute force on a 1e-4-day grid around the reported day.
        let lo = (m.t_peak - 0.05).max(0.0);
        let fine = linspace(lo, lo + 0.1, 1000);
        let tr = grid_trajectory(name, &tight(), &fine);
        let best = (0..tr.len())
            .map(|i| tr.row(i)[1] + tr.row(i)[2])
            .fold(f64::NEG_INFINITY, f64::max);
        println!("{name}: peak {} vs fine-grid {best}", m.peak);
        assert!(
            (m.peak / best - 1.0).abs() < 1e-8,
            "{name}: {} vs {best}",
            m.peak
        );
    }
}

#[test]
fn runner_is_reusable_and_matches_fresh_runs() {
    let mut r = runner(Settings::default());
    let first: Vec<_> = PRESETS
        .iter()
        .map(|p| r.metrics(&p.params).unwrap())
        .collect();
    let again: Vec<_> = PRESETS
        .iter()
        .rev()
        .map(|p| r.metrics(&p.params).unwrap())
        .collect();
    for (a, b) in first.iter().zip(again.iter().rev()) {
        assert_eq!(a, b);
    }
    // A parameter vector built by hand (cohort-style) works without presets.
    let mut p: Params = preset("cr").unwrap().params;
    p.0[ix::e] *= 0.01; // CAR T barely kill and do not expand: non-response.
    p.0[ix::rTA] = 0.0;
    assert_eq!(r.metrics(&p).unwrap().response, Response::Nr);
}

#[test]
fn simulate_table_columns_and_sampling() {
    let req = SimRequest {
        preset: "cr".into(),
        sampling: Sampling::Every(1.0),
        ..Default::default()
    };
    let t = clinical::simulate(&req).unwrap();
    assert_eq!(
        t.columns,
        [
            "t",
            "nP",
            "nTA",
            "nTN",
            "nN",
            "car_t_total",
            "tumor_burden_pct"
        ]
    );
    assert_eq!(t.n_rows(), 181);
    let r0 = t.row(0);
    assert_eq!(&r0[..5], &[0.0, 2200.24, 0.0, 16.5, 0.0]);
    assert!((r0[6] - 97.19 * 2200.24 / (1909.0 + 2200.24)).abs() < 1e-12);
    let bad = SimRequest {
        sampling: Sampling::Times(vec![1.0, 200.0]),
        ..req.clone()
    };
    assert!(matches!(
        clinical::simulate(&bad),
        Err(ModelError::Invalid(_))
    ));
    let (p, _) = configure("cr", &[("nP0".into(), "100".into())]).unwrap();
    assert_eq!(p.0[ix::nP0], 100.0);
}

// ---- CLI ----

fn cartsim(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_cartsim"))
        .args(args)
        .output()
        .expect("run cartsim");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn cli_simulate_csv_header() {
    let (code, out, err) = cartsim(&[
        "simulate", "--model", "clinical", "--preset", "cr", "--every", "10",
    ]);
    assert_eq!(code, 0, "{err}");
    let mut lines = out.lines();
    assert_eq!(
        lines.next().unwrap(),
        "t,nP,nTA,nTN,nN,car_t_total,tumor_burden_pct"
    );
    assert_eq!(lines.count(), 19);
}

#[test]
fn cli_metrics_json_keys() {
    let (code, out, err) = cartsim(&[
        "metrics",
        "--model",
        "clinical",
        "--preset",
        "relapse-neg",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    let obj = v.as_object().unwrap();
    let keys = [
        "ft",
        "fnegr",
        "fp",
        "peak",
        "t_peak",
        "auc7",
        "auc28",
        "remission_day",
        "mrd_day",
        "relapse_day",
        "response",
    ];
    assert_eq!(obj.len(), keys.len());
    for k in keys {
        assert!(obj.contains_key(k), "missing {k}");
    }
    assert_eq!(v["response"], "CD19- relapse");
    assert!(v["mrd_day"].is_null());
    // cr: no relapse → null; a shorter horizon changes relapse-neg to CR.
    let (_, out, _) = cartsim(&["metrics", "--model", "clinical", "--preset", "cr"]);
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert!(v["relapse_day"].is_null() && v["response"] == "CR");
    let (code, out, _) = cartsim(&[
        "metrics",
        "--model",
        "clinical",
        "--preset",
        "relapse-neg",
        "--horizon",
        "90",
    ]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(v["response"], "CR");
}

#[test]
fn cli_rejects_bad_values_naming_the_parameter() {
    for cmd in ["simulate", "metrics"] {
        for bad in ["rTA=abc", "rTA=-1"] {
            let (code, out, err) =
                cartsim(&[cmd, "--model", "clinical", "--preset", "cr", "--set", bad]);
            assert_eq!(code, 2, "{cmd} {bad}: {err}");
            assert!(out.is_empty());
            assert_eq!(err.trim().lines().count(), 1, "{err}");
            assert!(err.contains("rTA"), "{err}");
        }
    }
    let (code, _, err) = cartsim(&[
        "metrics", "--model", "clinical", "--preset", "cr", "--set", "bogus=1",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("bogus"), "{err}");
    let (code, _, err) = cartsim(&["metrics", "--model", "clinical", "--preset", "zz"]);
    assert_eq!(code, 2);
    assert!(err.contains("zz"), "{err}");
    let (code, _, err) = cartsim(&[
        "metrics",
        "--model",
        "clinical",
        "--preset",
        "cr",
        "--horizon",
        "x",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("horizon"), "{err}");
}

fn burden_minus_5pct(_t: f64, y: &[f64]) -> f64 {
    // 5% tumor burden = 1909·5/(97.19 − 5) ×10^9 cells.
    y[0] + y[3] - 1909.0 * 5.0 / 92.19
}
fn burden_minus_mrd(_t: f64, y: &[f64]) -> f64 {
    y[0] + y[3] - 1909.0 * 0.01 / 97.18
}

#[test]
fn threshold_days_match_solver_event_location() {
    use cartsim::solver::{Action, Condition, Direction, Trigger};
    let mut r = runner(tight());
    for name in NAMES {
        let p = preset(name).unwrap().params;
        let m = r.metrics(&p).unwrap();
        let mut ev = clinical::extinction_events(&Options::default());
        clinical::arm_triggers(&mut ev, &p);
        for (f, dir, label) in [
            (
                burden_minus_5pct as fn(f64, &[f64]) -> f64,
                Direction::Falling,
                "rem",
            ),
            (burden_minus_mrd, Direction::Falling, "mrd"),
            (burden_minus_5pct, Direction::Rising, "rel"),
        ] {
            ev.when(Trigger {
                condition: Condition::Custom(f),
                direction: dir,
                action: Action::Add {
                    component: 1,
                    amount: 0.0,
                },
                once: true,
                fire_if_initially_past: false,
                label: label.into(),
            });
        }
        let sol = solve_with(
            &Clinical { p },
            0.0,
            &p.initial_state(),
            180.0,
            &tight(),
            &ev,
            &OutputGrid::None,
        )
        .unwrap();
        let day = |l: &str| {
            sol.outcome
                .events
                .iter()
                .find(|e| e.label == l)
                .map(|e| e.t)
        };
        for (got, want, l) in [
            (m.remission_day, day("rem"), "remission"),
            (m.mrd_day, day("mrd"), "mrd"),
            (m.relapse_day, day("rel"), "relapse"),
        ] {
            println!("{name} {l}: metrics {got:?}, event location {want:?}");
            match (got, want) {
                (Some(a), Some(b)) => assert!((a - b).abs() < 1e-3, "{name} {l}"),
                (None, None) => {}
                _ => panic!("{name} {l}: {got:?} vs {want:?}"),
            }
        }
    }
}

#[test]
fn indices_follow_the_display_units() {
    use cartsim::model::units::{blood_from_marrow_cells, qpcr_from_car_t};
    use cartsim::model::{IndexValue, Sampling, SimRequest};
    let course = clinical::MODEL
        .course(&SimRequest {
            preset: "cr".into(),
            sampling: Sampling::Times(Vec::new()),
            ..SimRequest::default()
        })
        .unwrap();
    let m = course.metrics.unwrap();
    let get = |units: &str, key: &str| {
        m.indices_in(units)
            .into_iter()
            .find(|i| i.key == key)
            .map(|i| (i.value, i.unit))
            .unwrap()
    };
    let peak = m.value("peak").unwrap();
    assert_eq!(
        get("cells", "peak"),
        (IndexValue::Number(peak), "10^9 cells")
    );
    let (v, unit) = get("blood", "peak");
    assert_eq!(
        v,
        IndexValue::Number(blood_from_marrow_cells(peak).unwrap())
    );
    assert_eq!(unit, "cells/µL blood");
    let auc7 = m.value("AUC7").unwrap();
    let (v, unit) = get("qpcr", "AUC7");
    assert_eq!(v, IndexValue::Number(qpcr_from_car_t(auc7).unwrap()));
    assert_eq!(unit, "copies/µg·day");
    // Factors and days do not change with units.
    assert_eq!(get("qpcr", "FT"), get("cells", "FT"));
    assert_eq!(get("blood", "mrd_day"), get("cells", "mrd_day"));
}
