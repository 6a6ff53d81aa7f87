//! Sensitivity analysis (issue 17): `cartsim sensitivity` and
//! `cartsim::sensitivity`. The test functions' analytic indices (Ishigami,
//! Sobol' G) lie inside the estimators' bootstrap intervals; inputs an
//! output ignores get indices of exactly zero; local coefficients match
//! closed forms (FT = rTA·e·kA/lTA, Ishigami's derivatives); the same seed
//! gives the same numbers; shards merged give the unsharded output.
#![cfg(not(target_arch = "wasm32"))]

use cartsim::sensitivity::TestFunction;
use serde_json::Value;
use std::process::Command;

fn cartsim(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_cartsim"))
        .args(args)
        .output()
        .expect("cartsim runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn json(args: &[&str]) -> Value {
    let (code, out, err) = cartsim(args);
    assert_eq!(code, 0, "cartsim {args:?}: {err}");
    serde_json::from_str(&out).expect("JSON output")
}

fn num(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

/// Every analytic index lies inside its bootstrap 95% interval.
fn assert_analytic_inside(f: TestFunction, samples: &str) {
    let v = json(&[
        "sensitivity",
        "--function",
        f.as_str(),
        "--samples",
        samples,
        "--seed",
        "7",
    ]);
    let want = f.analytic();
    let ix = v["indices"].as_object().unwrap();
    assert_eq!(ix.len(), want.len());
    for (k, (s1, st)) in want.iter().enumerate() {
        let e = &v["indices"][format!("x{}", k + 1)];
        for (key, truth) in [("first", s1), ("total", st)] {
            let ci = &e[format!("{key}_ci95")];
            let (lo, hi) = (num(&ci[0]), num(&ci[1]));
            let est = num(&e[key]);
            assert!(
                lo <= *truth && *truth <= hi,
                "{} x{} {key}: analytic {truth} outside [{lo}, {hi}] (estimate {est})",
                f.as_str(),
                k + 1
            );
            // The interval is informative, not the whole line.
            assert!(hi - lo < 0.15, "{key} x{}: interval [{lo}, {hi}]", k + 1);
        }
    }
}

#[test]
fn ishigami_analytic_indices_inside_the_intervals() {
    assert_analytic_inside(TestFunction::Ishigami, "4096");
}

#[test]
fn sobol_g_analytic_indices_inside_the_intervals() {
    assert_analytic_inside(TestFunction::SobolG, "4096");
}

#[test]
fn estimates_converge_to_the_analytic_values() {
    // Independent of the intervals: with 16 times the samples the largest
    // error of the Ishigami estimates shrinks below 0.02.
    let v = json(&[
        "sensitivity",
        "--function",
        "ishigami",
        "--samples",
        "16384",
    ]);
    for (k, (s1, st)) in TestFunction::Ishigami.analytic().iter().enumerate() {
        let e = &v["indices"][format!("x{}", k + 1)];
        assert!(
            (num(&e["first"]) - s1).abs() < 0.02,
            "x{} first {}",
            k + 1,
            e
        );
        assert!(
            (num(&e["total"]) - st).abs() < 0.02,
            "x{} total {}",
            k + 1,
            e
        );
    }
}

const FT_INPUTS: &str = "rTA,e,kA,lTA,rP,nC,KP,nP0";

#[test]
fn inputs_an_output_ignores_get_zero_indices() {
    // FT = rTA·e·kA/lTA: rP, nC, KP and nP0 change the course but not FT.
    let v = json(&[
        "sensitivity",
        "--model",
        "clinical",
        "--preset",
        "cr",
        "--output",
        "ft",
        "--inputs",
        FT_INPUTS,
        "--samples",
        "64",
    ]);
    assert_eq!(num(&v["solves"]), 64.0 * 10.0);
    for name in ["rP", "nC", "KP", "nP0"] {
        let e = &v["indices"][name];
        assert_eq!(num(&e["first"]), 0.0, "{name}: {e}");
        assert_eq!(num(&e["total"]), 0.0, "{name}: {e}");
        assert_eq!(e["total_ci95"], serde_json::json!([0.0, 0.0]), "{name}");
    }
    // ln FT is a sum of four equal log-uniform terms: each explains about a
    // quarter of FT's variance, and they all matter.
    for name in ["rTA", "e", "kA", "lTA"] {
        let t = num(&v["indices"][name]["total"]);
        assert!(t > 0.1 && t < 0.5, "{name}: total {t}");
    }
    // Morris sees the same: no elementary effect for the others.
    let m = json(&[
        "sensitivity",
        "--model",
        "clinical",
        "--preset",
        "cr",
        "--output",
        "ft",
        "--inputs",
        FT_INPUTS,
        "--method",
        "morris",
        "--samples",
        "6",
    ]);
    for name in ["rP", "nC", "KP", "nP0"] {
        assert_eq!(num(&m["indices"][name]["mu_star"]), 0.0, "{name}");
    }
    assert!(num(&m["indices"]["rTA"]["mu_star"]) > 0.0);
}

#[test]
fn local_coefficients_match_closed_forms() {
    // FT = rTA·e·kA/lTA: ∂ln FT/∂ln p = 1, 1, 1, −1 and 0 for the rest.
    let v = json(&[
        "sensitivity",
        "--model",
        "clinical",
        "--preset",
        "cr",
        "--output",
        "ft",
        "--method",
        "local",
    ]);
    assert_eq!(num(&v["step"]), 0.01, "δ = rtol^(1/3) at rtol 1e-6");
    for (name, c) in v["indices"].as_object().unwrap() {
        let want = match name.as_str() {
            "rTA" | "e" | "kA" => 1.0,
            "lTA" => -1.0,
            _ => 0.0,
        };
        let got = num(&c["coefficient"]);
        assert!((got - want).abs() < 1e-9, "{name}: {got}, want {want}");
    }
    // Ishigami at x = (1, 1, 1): x_i ∂f/∂x_i / f from its derivatives.
    let (s, c) = (1f64.sin(), 1f64.cos());
    let f = s + 7.0 * s * s + 0.1 * s;
    let want = [1.1 * c / f, 14.0 * s * c / f, 0.4 * s / f];
    let v = json(&["sensitivity", "--function", "ishigami", "--method", "local"]);
    for (k, w) in want.iter().enumerate() {
        let got = num(&v["indices"][format!("x{}", k + 1)]["coefficient"]);
        assert!((got - w).abs() < 1e-7, "x{}: {got}, want {w}", k + 1);
    }
}

#[test]
fn local_step_follows_the_solver_tolerance() {
    let v = json(&[
        "sensitivity",
        "--model",
        "clinical",
        "--preset",
        "cr",
        "--output",
        "fp",
        "--method",
        "local",
        "--inputs",
        "rTA",
        "--rtol",
        "1e-9",
    ]);
    assert!((num(&v["step"]) - 1e-3).abs() < 1e-15);
    // FP rises with CAR T proliferation.
    assert!(num(&v["indices"]["rTA"]["coefficient"]) > 0.0);
}

#[test]
fn same_seed_same_numbers_other_seed_other_numbers() {
    let a = [
        "sensitivity",
        "--model",
        "clinical",
        "--preset",
        "cr",
        "--output",
        "auc7",
        "--inputs",
        "rTA,lTA,kA",
        "--samples",
        "16",
        "--seed",
        "3",
        "--format",
        "csv",
    ];
    let (c1, o1, _) = cartsim(&a);
    let (c2, o2, _) = cartsim(&a);
    assert_eq!((c1, c2), (0, 0));
    assert_eq!(o1, o2);
    let mut b = a;
    b[11] = "4";
    let (_, o3, _) = cartsim(&b);
    assert_ne!(o1, o3);
    assert!(o1.starts_with("input,first,first_lo,first_hi,total,total_lo,total_hi\n"));
    assert_eq!(o1.lines().count(), 4);
}

#[test]
fn days_that_never_happen_count_as_the_horizon() {
    // The CR preset does not relapse; halving CAR T killing (lTA doubled)
    // can make it relapse: some rows relapse, most never do (the horizon).
    let v = json(&[
        "sensitivity",
        "--model",
        "clinical",
        "--preset",
        "cr",
        "--output",
        "relapse_day",
        "--inputs",
        "rTA,lTA",
        "--samples",
        "8",
    ]);
    assert_eq!(num(&v["never"]["value"]), 180.0);
    let never = num(&v["never"]["rows"]);
    assert!(never > 0.0 && never < 32.0, "{never}");
    assert!(num(&v["indices"]["lTA"]["total"]) > 0.0);
    // A day output with --t-end: the horizon follows it.
    let v = json(&[
        "sensitivity",
        "--model",
        "clinical",
        "--preset",
        "cr",
        "--output",
        "relapse_day",
        "--inputs",
        "rTA",
        "--method",
        "local",
        "--t-end",
        "120",
    ]);
    assert_eq!(num(&v["never"]["value"]), 120.0);
    assert_eq!(num(&v["never"]["rows"]), 3.0);
    // A constant output has no variance to share: no indices.
    let v = json(&[
        "sensitivity",
        "--model",
        "clinical",
        "--preset",
        "cr",
        "--output",
        "ft",
        "--inputs",
        "rP,nC",
        "--samples",
        "8",
    ]);
    assert!(v["indices"]["rP"]["first"].is_null(), "{v}");
    assert!(v["never"].is_null());
}

#[test]
fn class_probability_and_state_outputs() {
    let v = json(&[
        "sensitivity",
        "--model",
        "clinical",
        "--preset",
        "relapse-pos",
        "--output",
        "class=CR",
        "--inputs",
        "rTA,lTA",
        "--samples",
        "16",
        "--distribution",
        "cohort",
    ]);
    assert_eq!(v["distribution"], "cohort");
    let v = json(&[
        "sensitivity",
        "--model",
        "marrow",
        "--preset",
        "fig3",
        "--output",
        "CA@30",
        "--inputs",
        "rhoC,alpha",
        "--method",
        "local",
    ]);
    assert!(v["indices"]["alpha"]["coefficient"].is_number(), "{v}");
}

#[test]
fn bad_input_is_one_line_and_exit_2() {
    for args in [
        vec![
            "sensitivity",
            "--model",
            "clinical",
            "--preset",
            "cr",
            "--output",
            "nope",
        ],
        vec![
            "sensitivity",
            "--model",
            "clinical",
            "--preset",
            "cr",
            "--output",
            "ft",
            "--inputs",
            "zz",
        ],
        vec![
            "sensitivity",
            "--model",
            "clinical",
            "--preset",
            "cr",
            "--output",
            "response",
        ],
        vec!["sensitivity", "--function", "ishigami", "--samples", "1"],
        vec!["sensitivity", "--function", "nope"],
        vec!["sensitivity", "--function", "ishigami", "--shard", "2/2"],
    ] {
        let (code, out, err) = cartsim(&args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(out.is_empty());
        assert_eq!(err.lines().count(), 1, "{err}");
    }
}
