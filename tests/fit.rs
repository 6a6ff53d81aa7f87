//! Your own data (issue 16): `cartsim::data` (the CSV, every bad file as one
//! error naming line and column, censoring), `cartsim::fit` and
//! `cartsim fit` (recovery of known parameters, coverage of the 95%
//! intervals over many seeded simulated datasets, identifiability, far
//! starts), and the example files.
#![cfg(not(target_arch = "wasm32"))]

#[path = "../examples/example_data.rs"]
mod example_data;

use cartsim::cli::{fit as fit_cli, metrics};
use cartsim::data::synth::{self, Sample};
use cartsim::data::{BindError, Dataset, Observed, MAX_ROWS};
use cartsim::fit::{fit, FitBase, FitReport, FitSettings};
use cartsim::model::{ModelId, Registry};
use serde_json::Value;
use std::path::PathBuf;
use std::process::Command;

fn model(id: &str) -> ModelId {
    Registry::builtin().parse(id).unwrap()
}

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

/// A file in this test run's temporary folder.
fn tmp(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cartsim-fit-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

/// The `cartsim` binary: exit code, stdout, stderr.
fn cartsim(list: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_cartsim"))
        .args(list)
        .output()
        .expect("run cartsim");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn example(name: &str) -> String {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("examples/data")
        .join(name);
    std::fs::read_to_string(p).unwrap()
}

fn bind(text: &str, model_id: &str, preset: &str, unit: &str) -> Observed {
    Dataset::parse(text)
        .unwrap()
        .bind(model(model_id), preset, unit)
        .unwrap()
}

fn base(model_id: &str, preset: &str, sets: &[(&str, &str)]) -> FitBase {
    FitBase {
        model: model(model_id),
        preset: preset.into(),
        sets: sets
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    }
}

fn run_fit(b: &FitBase, data: &Observed, settings: &FitSettings) -> FitReport {
    fit(b, data, settings, &mut |_, _| {}).expect("the fit runs")
}

fn estimate(r: &FitReport, name: &str) -> f64 {
    r.estimates.iter().find(|e| e.name == name).unwrap().value
}

/// A clinic's sampling: CAR T on 7 days, tumour burden on days 0 and 28
/// (detection limit 0.01%), or a dense one: CAR T daily, burden weekly.
fn plan(dense: bool) -> Vec<Sample> {
    let (car, tb): (Vec<f64>, Vec<f64>) = if dense {
        (
            (1..=28).map(f64::from).collect(),
            vec![0.0, 7.0, 14.0, 21.0, 28.0],
        )
    } else {
        (vec![1.0, 4.0, 7.0, 10.0, 14.0, 21.0, 28.0], vec![0.0, 28.0])
    };
    vec![
        Sample {
            name: "car_t".into(),
            days: car,
            limit: None,
        },
        Sample {
            name: "tumor_burden_pct".into(),
            days: tb,
            limit: Some(0.01),
        },
    ]
}

#[test]
fn every_bad_file_is_one_error_naming_its_line_and_column() {
    let many: String = std::iter::once("day,car_t\n".to_string())
        .chain((0..=MAX_ROWS).map(|i| format!("{i},5\n")))
        .collect();
    let big = format!("day,car_t\n#{}\n1,5\n", "x".repeat(1_000_001));
    let cases: Vec<(&str, &str)> = vec![
        ("", "no header line"),
        ("# only a comment\n\n", "no header line"),
        (
            "time,car_t\n0,1\n",
            "line 1: the header must start with 'day', found 'time'",
        ),
        ("day\n0\n", "line 1: the header has no observed column"),
        (
            "day,car_t,\n0,1,2\n",
            "line 1: a column of the header has no name",
        ),
        (
            "day,car_t,car_t\n0,1,2\n",
            "line 1, column car_t: this column appears twice",
        ),
        (
            "day,car_t\n1,abc\n",
            "line 2, column car_t: 'abc' is not a number",
        ),
        (
            "day,car_t\n1,<abc\n",
            "line 2, column car_t: 'abc' is not a number",
        ),
        (
            "day,car_t\n1,NaN\n",
            "line 2, column car_t: 'NaN' is not a number",
        ),
        (
            "day,car_t\n1,inf\n",
            "line 2, column car_t: 'inf' is not a number",
        ),
        ("day,car_t\n1,-3\n", "line 2, column car_t: -3 is negative"),
        ("day,car_t\n1,<-3\n", "line 2, column car_t: -3 is negative"),
        (
            "day,car_t\n1,0\n",
            "line 2, column car_t: 0 cannot be compared on a log scale",
        ),
        (
            "day,car_t\n1,1e300\n",
            "line 2, column car_t: '1e300' is too large (at most 1e15)",
        ),
        (
            "day,car_t\n99999,5\n",
            "line 2, column day: '99999' is too large (at most 3.65e4)",
        ),
        ("day,car_t\n-1,5\n", "line 2, column day: -1 is negative"),
        (
            "day,car_t\n1,5\n1,6\n",
            "line 3, column day: day 1 does not come after day 1",
        ),
        (
            "day,car_t\n#c\n2,5\n1,6\n",
            "line 4, column day: day 1 does not come after day 2",
        ),
        ("day,car_t\n,5\n", "line 2, column day: the row has no day"),
        (
            "day,car_t\n<1,5\n",
            "line 2, column day: a day cannot be written as <X",
        ),
        (
            "day,car_t\nx,5\n",
            "line 2, column day: 'x' is not a number",
        ),
        (
            "day,car_t\n1,5,6\n",
            "line 2: 3 cells, but the header has 2 columns",
        ),
        (
            "day,car_t\n1,\n2,\n",
            "line 3: the file has no measurements",
        ),
        ("day,car_t\n", "line 1: the file has no measurements"),
        (&many, "line 5002: more than 5000 data rows"),
        (&big, "bytes; at most 1000000 are accepted"),
    ];
    for (text, want) in &cases {
        let e = Dataset::parse(text).expect_err(want).to_string();
        assert!(e.contains(want), "got '{e}', want '{want}'");
        assert!(!e.contains('\n'), "one line: {e}");
    }
    // Columns and units are checked against the model.
    let d = Dataset::parse("# x\nday,car_t,cart\n1,5,6\n").unwrap();
    let e = d
        .bind(model("clinical"), "cr", "cells")
        .unwrap_err()
        .to_string();
    assert!(
        e.starts_with("line 2, column cart: the model has no such column; known: car_t, nP"),
        "{e}"
    );
    let d = Dataset::parse("day,L,CA\n1,5,6\n").unwrap();
    let e = d
        .bind(model("marrow"), "fig3", "qpcr")
        .unwrap_err()
        .to_string();
    assert_eq!(
        e,
        "line 1, column L: the model cannot use CAR T measurements in 'qpcr'; it takes cells"
    );
    assert!(d.bind(model("marrow"), "fig3", "cells").is_ok());
    let e = d.bind(model("marrow"), "nope", "cells").unwrap_err();
    assert!(matches!(e, BindError::Model(_)), "{e}");
    // The largest accepted file loads.
    let most: String = std::iter::once("day,car_t\n".to_string())
        .chain((0..MAX_ROWS).map(|i| format!("{i},5\n")))
        .collect();
    assert_eq!(Dataset::parse(&most).unwrap().len(), MAX_ROWS);
}

#[test]
fn the_cli_refuses_bad_files_with_exit_2_and_one_line() {
    for (text, want) in [
        (
            "day,car_t\n1,abc\n",
            "line 2, column car_t: 'abc' is not a number",
        ),
        (
            "day,car_t\n2,5\n1,6\n",
            "line 3, column day: day 1 does not come after day 2",
        ),
        (
            "day,bogus\n1,5\n",
            "line 1, column bogus: the model has no such column",
        ),
        ("day,car_t\n1,-2\n", "line 2, column car_t: -2 is negative"),
    ] {
        let p = tmp("bad.csv", text);
        let (code, out, err) = cartsim(&[
            "fit",
            "--model",
            "clinical",
            "--preset",
            "cr",
            "--data",
            p.to_str().unwrap(),
        ]);
        assert_eq!(code, 2, "{err}");
        assert!(out.is_empty(), "{out}");
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.contains(want), "{err}");
    }
    let p = tmp("ok.csv", &example("cr.csv"));
    let path = p.to_str().unwrap();
    for (extra, want) in [
        (
            vec!["--car-unit", "furlongs"],
            "cannot use CAR T measurements in 'furlongs'",
        ),
        (
            vec!["--fit", "rTA,bogus"],
            "unknown parameter 'bogus' to fit",
        ),
        (vec!["--fit", "rTA,rTA"], "'rTA' is named twice"),
        (vec!["--fit", "km"], "'km' is 0 in this scenario"),
        (vec!["--starts", "0"], "--starts '0'"),
        (vec!["--prior-sd", "-1"], "--prior-sd must be > 0"),
        (vec!["--preset", "zz"], "unknown preset 'zz'"),
        (
            vec!["--set", "rTA=-4"],
            "parameter 'rTA' = -4 is out of range",
        ),
    ] {
        let mut a = vec![
            "fit", "--model", "clinical", "--preset", "cr", "--data", path,
        ];
        a.extend(extra);
        let (code, _, err) = cartsim(&a);
        assert_eq!(code, 2, "{a:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.contains(want), "{a:?}: {err}");
    }
    let (code, _, err) = cartsim(&[
        "fit",
        "--model",
        "clinical",
        "--preset",
        "cr",
        "--data",
        "/nonexistent.csv",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("cannot read /nonexistent.csv"), "{err}");
}

#[test]
fn example_files_are_what_the_generator_writes_and_say_they_are_simulated() {
    let made = example_data::examples();
    assert_eq!(made.len(), 4);
    for (name, csv) in made {
        let committed = example(&name);
        assert_eq!(
            committed, csv,
            "examples/data/{name}: rerun `cargo run --example example_data`"
        );
        assert!(committed.starts_with("# SIMULATED DATA, not a patient."));
        let d = Dataset::parse(&committed).unwrap();
        assert_eq!(d.series[0].name, "car_t");
        assert_eq!(d.series[0].points.len(), 7);
        assert_eq!(d.series[1].points.len(), 2);
    }
    // The CR patient's burden is below the MRD limit by day 28, written <0.01.
    let cr = Dataset::parse(&example("cr.csv")).unwrap();
    let tb28 = cr.series[1].points[1];
    assert!(tb28.censored && tb28.value == 0.01 && tb28.day == 28.0);
}

#[test]
fn cli_json_has_the_issue_shape_and_the_metrics_of_cartsim_metrics() {
    let p = tmp("relneg.csv", &example("relapse-neg.csv"));
    let out = fit_cli::compute(
        &args(&[
            "--model",
            "clinical",
            "--preset",
            "relapse-neg",
            "--data",
            p.to_str().unwrap(),
            "--car-unit",
            "blood-per-ul",
        ]),
        Registry::builtin(),
    )
    .unwrap();
    let v: Value = serde_json::from_str(&out).unwrap();
    for k in [
        "estimates",
        "correlation",
        "residual_sd",
        "aic",
        "converged",
        "metrics",
    ] {
        assert!(v.get(k).is_some(), "{k} missing: {v}");
    }
    assert_eq!(v["converged"], true, "{v}");
    for name in ["rTA", "e", "kA", "lTA"] {
        let e = &v["estimates"][name];
        let (lo, hi, x) = (
            e["ci95"][0].as_f64().unwrap(),
            e["ci95"][1].as_f64().unwrap(),
            e["value"].as_f64().unwrap(),
        );
        assert!(lo < x && x < hi, "{name}: {e}");
        assert_eq!(v["correlation"][name][name], 1.0);
    }
    // The metrics are `cartsim metrics` of the fitted scenario, exactly.
    let mut m = vec!["--model", "clinical", "--preset", "relapse-neg"];
    let sets: Vec<String> = v["sets"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, x)| format!("{k}={}", x.as_str().unwrap()))
        .collect();
    for s in &sets {
        m.extend(["--set", s]);
    }
    let (record, _) = metrics::compute(&args(&m), Registry::builtin()).unwrap();
    for (k, x) in record {
        assert_eq!(v["metrics"][k], x, "metric {k}");
    }
    assert_eq!(v["metrics"]["response"], "CD19- relapse");
    // CSV: one row per parameter.
    let csv = fit_cli::compute(
        &args(&[
            "--model",
            "clinical",
            "--preset",
            "relapse-neg",
            "--data",
            p.to_str().unwrap(),
            "--car-unit",
            "blood-per-ul",
            "--format",
            "csv",
            "--starts",
            "2",
        ]),
        Registry::builtin(),
    )
    .unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 5);
    assert!(lines[0].starts_with("parameter,value,ci95_lo,ci95_hi"));
    assert!(lines[1].starts_with("rTA,"));
}

#[test]
fn noise_free_data_are_recovered_from_far_starts() {
    // Days 1–14 of CAR T from `relapse-neg` in qPCR units; start every
    // fitted value 4-fold away from the truth.
    let truth = [("rTA", 1.5), ("e", 19.34), ("kA", 0.58), ("lTA", 0.11)];
    let plan = [Sample {
        name: "car_t".into(),
        days: vec![1.0, 2.0, 4.0, 6.0, 8.0, 10.0, 14.0, 21.0, 28.0],
        limit: None,
    }];
    let d = synth::simulate(model("clinical"), "relapse-neg", &[], "qpcr", &plan, 0.0, 1).unwrap();
    let obs = d.bind(model("clinical"), "relapse-neg", "qpcr").unwrap();
    let starts: Vec<(String, String)> = truth
        .iter()
        .enumerate()
        .map(|(k, (n, v))| {
            let f = if k.is_multiple_of(2) { 4.0 } else { 0.25 };
            (n.to_string(), format!("{}", v * f))
        })
        .collect();
    let b = FitBase {
        model: model("clinical"),
        preset: "relapse-neg".into(),
        sets: starts,
    };
    let r = run_fit(&b, &obs, &FitSettings::default());
    assert!(r.converged, "{:?}", r.why_not);
    for (n, v) in truth {
        let got = estimate(&r, n);
        // Rounding to 4 digits is the only error in these data.
        assert!((got / v - 1.0).abs() < 2e-3, "{n}: {got} vs {v}");
    }
    assert!(r.residual_sd.unwrap() < 1e-3);
}

#[test]
fn far_starts_reach_the_same_optimum_and_none_finds_a_lower_cost() {
    let obs = bind(
        &example("relapse-pos.csv"),
        "clinical",
        "relapse-pos",
        "blood-per-ul",
    );
    let reference = run_fit(
        &base("clinical", "relapse-pos", &[]),
        &obs,
        &FitSettings::default(),
    );
    assert!(reference.converged);
    let best = reference.ssr;
    for (seed, sets) in [
        (
            2,
            vec![("rTA", "5"), ("e", "100"), ("kA", "0.05"), ("lTA", "1")],
        ),
        (
            3,
            vec![("rTA", "0.2"), ("e", "2"), ("kA", "3"), ("lTA", "0.02")],
        ),
        (4, vec![]),
    ] {
        let settings = FitSettings {
            seed,
            ..FitSettings::default()
        };
        let r = run_fit(&base("clinical", "relapse-pos", &sets), &obs, &settings);
        assert!(r.converged, "{:?}", r.why_not);
        // No start of any run finds a lower cost than the reference optimum.
        for s in &r.starts {
            if let Some(c) = s.cost {
                assert!(2.0 * c >= best * (1.0 - 1e-6), "start cost {c} < {best}/2");
            }
        }
        for e in &reference.estimates {
            let got = estimate(&r, &e.name);
            assert!(
                (got / e.value - 1.0).abs() < 1e-3,
                "seed {seed} {sets:?}: {} = {got} vs {}",
                e.name,
                e.value
            );
        }
    }
}

#[test]
fn censored_points_cost_only_above_their_limit() {
    // CR data: the fitted course is far below 1% on day 28.
    let car = "day,car_t,tumor_burden_pct\n0,,47.42\n1,39.95,\n4,676.6,\n7,886.6,\n10,741.6,\n14,543.4,\n21,186.1,\n28,85.82,";
    let fit_with = |tb28: &str| {
        let obs = bind(&format!("{car}{tb28}\n"), "clinical", "cr", "blood-per-ul");
        let s = FitSettings {
            starts: 3,
            ..FitSettings::default()
        };
        run_fit(&base("clinical", "cr", &[]), &obs, &s)
    };
    let without = fit_with("");
    let below = fit_with("<1");
    // `<1` where the course is below 1%: no cost, the same estimates.
    for e in &without.estimates {
        assert!(
            (estimate(&below, &e.name) / e.value - 1.0).abs() < 1e-6,
            "{}",
            e.name
        );
    }
    assert_eq!(below.columns[1].censored, 1);
    let tb28 = below.columns[1].fitted[1];
    assert!(tb28.0 == 28.0 && tb28.1 < 1.0, "{tb28:?}");
    assert!((below.ssr / without.ssr - 1.0).abs() < 1e-6);
    assert_eq!(
        below.n, without.n,
        "a satisfied censored point does not count"
    );
    // The same number as a measurement pulls the course up to it (the
    // course must still have disease on day 28): a different fit.
    let measured = fit_with("1");
    assert!(
        measured.ssr > without.ssr * 1.5,
        "{} {}",
        measured.ssr,
        without.ssr
    );
    let moved = without
        .estimates
        .iter()
        .any(|e| (estimate(&measured, &e.name) / e.value - 1.0).abs() > 1e-3);
    assert!(moved);
    // A limit the course exceeds costs: `<1e-6` on day 0 cannot be met.
    let obs = bind(
        "day,car_t,tumor_burden_pct\n0,,<1e-6\n1,39.95,\n4,676.6,\n7,886.6,\n",
        "clinical",
        "cr",
        "blood-per-ul",
    );
    let r = run_fit(
        &base("clinical", "cr", &[]),
        &obs,
        &FitSettings {
            starts: 2,
            ..FitSettings::default()
        },
    );
    // ln(52.04% / 1e-6%) ≈ 17.8: the day-0 burden is fixed by nP0.
    assert!(
        (r.columns[1].rms - (52.039_142_42_f64 / 1e-6).ln()).abs() < 1e-3,
        "{}",
        r.columns[1].rms
    );
}

#[test]
fn kp_from_car_t_counts_alone_is_reported_as_not_determined() {
    let obs = bind(&example("cr.csv"), "clinical", "cr", "blood-per-ul");
    let s = FitSettings {
        fit: ["rTA", "e", "kA", "lTA", "KP"].map(String::from).to_vec(),
        ..FitSettings::default()
    };
    let r = run_fit(&base("clinical", "cr", &[]), &obs, &s);
    let kp = r.estimates.iter().find(|e| e.name == "KP").unwrap();
    assert!(!kp.determined, "{kp:?}");
    let wide = match kp.ci95 {
        [Some(lo), Some(hi)] => hi / lo > 100.0,
        _ => true,
    };
    assert!(wide, "{kp:?}");
    assert!(
        r.warnings
            .iter()
            .any(|w| w.starts_with("KP is not determined by these data")),
        "{:?}",
        r.warnings
    );
    assert!(
        r.warnings
            .iter()
            .any(|w| w.starts_with("e and KP are almost interchangeable in these data")),
        "{:?}",
        r.warnings
    );
    // The JSON says so too: a null bound or a very wide interval.
    let v = r.to_json();
    assert_eq!(v["estimates"]["KP"]["determined"], false);
    // Without KP, the clinic's sampling of the `cr` example (first count on
    // day 1) leaves only kA, the activation rate, undetermined.
    let r4 = run_fit(&base("clinical", "cr", &[]), &obs, &FitSettings::default());
    for e in &r4.estimates {
        assert_eq!(e.determined, e.name != "kA", "{e:?}");
    }
    // With the four FT parameters only, lTA and rTA are determined here.
    let r4 = run_fit(
        &base("clinical", "relapse-neg", &[]),
        &bind(
            &example("relapse-neg.csv"),
            "clinical",
            "relapse-neg",
            "blood-per-ul",
        ),
        &FitSettings::default(),
    );
    assert!(
        r4.estimates.iter().all(|e| e.determined),
        "{:?}",
        r4.warnings
    );
    assert!(r4.warnings.is_empty(), "{:?}", r4.warnings);
}

#[test]
fn a_fit_that_runs_out_of_iterations_says_so() {
    let obs = bind(
        &example("relapse-pos.csv"),
        "clinical",
        "relapse-pos",
        "blood-per-ul",
    );
    let mut s = FitSettings {
        starts: 1,
        ..FitSettings::default()
    };
    s.lm.max_iter = 2;
    let r = run_fit(&base("clinical", "relapse-pos", &[("rTA", "5")]), &obs, &s);
    assert!(!r.converged);
    assert!(
        r.why_not
            .as_deref()
            .unwrap()
            .contains("used all 2 iterations"),
        "{:?}",
        r.why_not
    );
    assert_eq!(r.to_json()["converged"], false);
}

#[test]
fn profile_intervals_bracket_the_estimate_and_agree_with_the_jacobian_when_well_determined() {
    let obs = bind(
        &example("relapse-neg.csv"),
        "clinical",
        "relapse-neg",
        "blood-per-ul",
    );
    let s = FitSettings {
        profile: true,
        starts: 4,
        ..FitSettings::default()
    };
    let r = run_fit(&base("clinical", "relapse-neg", &[]), &obs, &s);
    assert!(r.converged, "{:?}", r.why_not);
    for e in &r.estimates {
        let [Some(plo), Some(phi)] = e.profile95.unwrap() else {
            panic!("{} has an open profile interval: {e:?}", e.name)
        };
        let [Some(lo), Some(hi)] = e.ci95 else {
            panic!("{e:?}")
        };
        assert!(plo < e.value && e.value < phi, "{e:?}");
        // Log widths within a third of each other: both are calibrated by
        // t(n − p) (the profile through the F test); they differ where the
        // model is not linear in the log-parameters.
        let ratio = (phi / plo).ln() / (hi / lo).ln();
        assert!((0.75..1.33).contains(&ratio), "{}: {ratio} {e:?}", e.name);
    }
}

#[test]
fn a_weak_prior_bounds_what_the_data_cannot_determine() {
    let obs = bind(&example("cr.csv"), "clinical", "cr", "blood-per-ul");
    let s = FitSettings {
        fit: ["rTA", "e", "kA", "lTA", "KP"].map(String::from).to_vec(),
        prior_sd: Some(1.0),
        starts: 4,
        ..FitSettings::default()
    };
    let r = run_fit(&base("clinical", "cr", &[]), &obs, &s);
    let kp = r.estimates.iter().find(|e| e.name == "KP").unwrap();
    let [Some(lo), Some(hi)] = kp.ci95 else {
        panic!("{kp:?}")
    };
    // No wider than the prior alone: exp(±1.96) around the estimate.
    assert!((hi / lo).ln() <= 2.0 * 1.96 + 1e-6, "{kp:?}");
}

#[test]
fn the_marrow_model_is_fitted_through_the_same_interface() {
    // Leukaemia and CAR T counts of fig3, 10% noise; fit α and ρC from 2-fold away.
    let plan = [
        Sample {
            name: "L".into(),
            days: vec![0.0, 3.0, 6.0, 9.0, 12.0],
            limit: Some(1.0),
        },
        Sample {
            name: "car_t_total".into(),
            days: vec![2.0, 5.0, 8.0, 12.0, 16.0, 20.0, 30.0],
            limit: None,
        },
    ];
    let d = synth::simulate(model("marrow"), "fig3", &[], "cells", &plan, 0.1, 5).unwrap();
    let obs = d.bind(model("marrow"), "fig3", "cells").unwrap();
    let s = FitSettings {
        fit: vec!["alpha".into(), "rhoC".into()],
        starts: 3,
        ..FitSettings::default()
    };
    let r = run_fit(
        &base("marrow", "fig3", &[("alpha", "6e-10"), ("rhoC", "0.45")]),
        &obs,
        &s,
    );
    assert!(r.converged, "{:?}", r.why_not);
    for (n, truth) in [("alpha", 3e-10), ("rhoC", 0.9)] {
        let e = r.estimates.iter().find(|e| e.name == n).unwrap();
        let [Some(lo), Some(hi)] = e.ci95 else {
            panic!("{e:?}")
        };
        assert!(lo < truth && truth < hi, "{e:?}");
    }
    assert!(!r.metrics.is_empty());
}

/// Coverage of the Jacobian intervals: simulated data from known
/// parameters (three presets, sparse and dense sampling, 5% and 30%
/// noise), each fitted from 1.5-fold away; the share of intervals that
/// hold the truth. `CARTSIM_FIT_COVERAGE=N` sets the datasets per setting
/// (default 2; the README's numbers use 25, in release mode).
#[test]
fn jacobian_intervals_cover_the_truth_at_about_the_nominal_rate() {
    let per: u64 = std::env::var("CARTSIM_FIT_COVERAGE")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2);
    let names = ["rTA", "e", "kA", "lTA"];
    let (mut covered, mut total, mut open, mut open_covered) = (0usize, 0usize, 0usize, 0usize);
    let mut lines = Vec::new();
    for preset in ["cr", "relapse-pos", "relapse-neg"] {
        let m = model("clinical");
        let truth: Vec<f64> = names
            .iter()
            .map(|n| m.preset_value(preset, n).unwrap())
            .collect();
        for dense in [false, true] {
            for cv in [0.05, 0.3] {
                let (mut c, mut t) = (0, 0);
                for k in 0..per {
                    let seed = 1000 * k + u64::from(dense) * 100 + (cv * 100.0) as u64;
                    let d = synth::simulate(m, preset, &[], "blood-per-ul", &plan(dense), cv, seed)
                        .unwrap();
                    let obs = d.bind(m, preset, "blood-per-ul").unwrap();
                    let sets: Vec<(String, String)> = names
                        .iter()
                        .zip(&truth)
                        .enumerate()
                        .map(|(j, (n, v))| {
                            let f = if (j + k as usize).is_multiple_of(2) {
                                1.5
                            } else {
                                1.0 / 1.5
                            };
                            (n.to_string(), format!("{}", v * f))
                        })
                        .collect();
                    let b = FitBase {
                        model: m,
                        preset: preset.into(),
                        sets,
                    };
                    let s = FitSettings {
                        starts: 3,
                        seed,
                        ..FitSettings::default()
                    };
                    let r = run_fit(&b, &obs, &s);
                    for (e, tv) in r.estimates.iter().zip(&truth) {
                        t += 1;
                        open += usize::from(!e.determined);
                        let lo = e.ci95[0].unwrap_or(0.0);
                        let hi = e.ci95[1].unwrap_or(f64::INFINITY);
                        if lo <= *tv && *tv <= hi {
                            c += 1;
                            open_covered += usize::from(!e.determined);
                        }
                    }
                }
                lines.push(format!(
                    "{preset:12} {:6} cv {cv:4}: {c}/{t} = {:.1}%",
                    if dense { "dense" } else { "sparse" },
                    100.0 * c as f64 / t as f64
                ));
                covered += c;
                total += t;
            }
        }
    }
    let rate = covered as f64 / total as f64;
    println!("{}", lines.join("\n"));
    println!(
        "coverage of the 95% intervals: {covered}/{total} = {:.1}%; of the {} determined ones: {}/{} = {:.1}%",
        100.0 * rate,
        total - open,
        covered - open_covered,
        total - open,
        100.0 * (covered - open_covered) as f64 / (total - open).max(1) as f64
    );
    assert!(rate >= 0.85, "coverage {rate}");
}

#[test]
fn the_residual_summary_compares_a_course_with_data() {
    // The preset's own noise-free course: residuals only from rounding to
    // 4 digits; with 20% noise on 33 points, an RMS near σ = 0.198.
    let m = model("clinical");
    let b = base("clinical", "relapse-neg", &[]);
    let solver = FitSettings::default().solver;
    let clean = synth::simulate(m, "relapse-neg", &[], "qpcr", &plan(true), 0.0, 3).unwrap();
    let obs = clean.bind(m, "relapse-neg", "qpcr").unwrap();
    let cols = cartsim::fit::residual_summary(&b, &obs, &solver).unwrap();
    assert_eq!(cols[0].n, 28);
    assert!(cols.iter().all(|c| c.rms < 1e-3), "{cols:?}");
    // The course values it reports are `cartsim simulate`'s (in qPCR units).
    let table = m
        .simulate(&cartsim::model::SimRequest {
            preset: "relapse-neg".into(),
            t_end: Some(28.0),
            settings: cartsim::solver::Settings::dopri5(1e-10, 1e-14),
            sampling: cartsim::model::Sampling::Times(vec![7.0]),
            ..Default::default()
        })
        .unwrap();
    let day7 = table.row(0)[table.col("car_t_total").unwrap()] / 0.10205;
    let got = cols[0].fitted[6];
    assert_eq!(got.0, 7.0);
    assert!((got.1 / day7 - 1.0).abs() < 1e-6, "{got:?} vs {day7}");
    let noisy = synth::simulate(m, "relapse-neg", &[], "qpcr", &plan(true), 0.2, 3).unwrap();
    let obs = noisy.bind(m, "relapse-neg", "qpcr").unwrap();
    let cols = cartsim::fit::residual_summary(&b, &obs, &solver).unwrap();
    assert!((0.12..0.3).contains(&cols[0].rms), "{cols:?}");
}
