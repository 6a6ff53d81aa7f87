//! Native vs WebAssembly parity: named lists of `f64` values that both
//! builds must compute bit for bit.
//!
//! The native test `tests/parity.rs` writes [`encode`]`(&`[`sets`]`())` to
//! `target/parity/native.txt`; `cargo xtask test` then builds the wasm test
//! `tests/wasm.rs` with that file compiled in and runs [`compare`] in
//! headless Chromium. To add a check (e.g. a seeded virtual cohort), add a
//! named set to [`sets`]: both sides pick it up.
//!
//! File format, one value per line: `name[index] 0x<16 hex digits of
//! f64::to_bits>  <value for people>`. Lines starting with `#` are comments.

use std::fmt::Write as _;

/// A named list of values.
pub type Set = (&'static str, Vec<f64>);

/// Every set compared across targets.
pub fn sets() -> Vec<Set> {
    vec![
        ("solver", crate::solver::reference::parity_problems()),
        ("stiff", crate::solver::reference::stiff_parity_problems()),
        ("stiff-marrow", stiff_marrow_values()),
        ("cohort", cohort_values()),
        ("trial", trial_values()),
        ("sensitivity", sensitivity_values()),
    ]
}

/// The marrow model where Dormand–Prince turns stiff (`fig3` with h = 1):
/// the automatic method's course (analytic Jacobian, switches, projection
/// onto y ≥ 0) every 10 days, its work counters and its method spans; then
/// Rodas4 alone on the same course to day 60, and Rodas5P alone.
fn stiff_marrow_values() -> Vec<f64> {
    use crate::model::{marrow, Sampling, SimRequest};
    use crate::solver::{Method, Settings};
    let mut v = Vec::new();
    for (method, t_end) in [
        (Method::Auto, None),
        (Method::Rosenbrock, Some(60.0)),
        (Method::Rodas5p, Some(60.0)),
    ] {
        let req = SimRequest {
            preset: "fig3".into(),
            sets: vec![("h".into(), "1".into())],
            t_end,
            settings: Settings {
                method,
                ..Settings::default()
            },
            sampling: Sampling::Every(10.0),
        };
        match marrow::simulate(&req) {
            Ok(t) => {
                v.extend_from_slice(&t.rows);
                let s = &t.stats;
                v.extend(
                    [
                        s.accepted,
                        s.rejected,
                        s.rhs_evals,
                        s.jacobians,
                        s.factorizations,
                    ]
                    .map(|n| n as f64),
                );
                for span in &s.spans {
                    v.extend([span.from, span.to, span.steps as f64]);
                }
            }
            Err(_) => v.push(f64::NAN),
        }
    }
    v
}

/// A small seeded cohort: every drawn parameter, then each patient's metrics
/// (peak, day of peak, AUC7, AUC28, FP, class index).
fn cohort_values() -> Vec<f64> {
    use crate::cohort;
    let patients = cohort::generate(7, 3);
    let mut v: Vec<f64> = patients.iter().flat_map(|p| p.params.0).collect();
    match cohort::score(&patients, &cohort::TrialSettings::default()) {
        Ok(scored) => {
            for s in scored {
                let m = s.metrics;
                v.extend([m.peak, m.t_peak, m.auc7, m.auc28, m.fp]);
                v.push(cohort::response_index(m.response) as f64);
            }
        }
        Err(_) => v.push(f64::NAN),
    }
    v
}

/// A small virtual trial of early prediction with 20% noise, both methods:
/// accuracies and the Bayesian Brier score.
fn trial_values() -> Vec<f64> {
    use crate::predict::trial::{run, TrialConfig};
    let mut config = TrialConfig {
        seed: 3,
        per_cohort: 3,
        noise_cv: 0.2,
        ..TrialConfig::default()
    };
    config.bayes_settings.bank_per_cohort = 40;
    match run(&config) {
        Ok((report, _)) => {
            let mut v = Vec::new();
            for m in [report.paper, report.bayes].into_iter().flatten() {
                let a = m.vs_cohort;
                v.extend([a.overall, a.cr_cd19neg, a.cd19pos, a.nr]);
                v.extend(m.confusion.iter().flatten().map(|&c| c as f64));
                v.push(m.brier.unwrap_or(-1.0));
            }
            v
        }
        Err(_) => vec![f64::NAN],
    }
}

/// Sensitivity studies as `cartsim sensitivity` runs them: a small Sobol
/// study of the clinical model (`--output fp --inputs rTA,lTA,kA
/// --samples 8 --seed 3`: every solve's output, then each index and
/// interval end), Morris on Ishigami (μ*, μ, σ) and cohort-rule quantiles.
fn sensitivity_values() -> Vec<f64> {
    use crate::model::{clinical, SimRequest};
    use crate::sensitivity::{self as sa, Indices, Method, Spread, StudySpec, TestFunction};
    let mut v = Vec::new();
    let req = SimRequest {
        preset: "cr".into(),
        ..SimRequest::default()
    };
    let spec = StudySpec {
        output: "fp".into(),
        inputs: Some(vec!["rTA".into(), "lTA".into(), "kA".into()]),
        method: Method::Sobol,
        samples: 8,
        spread: Spread::LogUniform(2.0),
        seed: 3,
    };
    let Ok((design, labels, target)) = sa::model_study(clinical::MODEL, &req, &spec) else {
        return vec![f64::NAN];
    };
    let Ok(y) = sa::run_rows(&design, &target, 0..design.rows()) else {
        return vec![f64::NAN];
    };
    v.extend(&y);
    if let Indices::Sobol(ix) = sa::report(&design, &labels, &y).indices {
        for i in ix {
            for x in [i.first, i.total].into_iter().flatten() {
                v.push(x);
            }
            for c in [i.first_ci95, i.total_ci95].into_iter().flatten() {
                v.extend(c);
            }
        }
    }
    let f = TestFunction::Ishigami;
    let d = sa::Design {
        method: Method::Morris,
        inputs: f.inputs(),
        samples: 6,
        seed: 2,
        local_step: 1e-4,
    };
    if let Ok(y) = sa::run_rows(&d, &f, 0..d.rows()) {
        let r = sa::report(&d, &labels, &y);
        if let Indices::Morris(ix) = r.indices {
            for i in ix {
                v.extend([i.mu_star, i.mu, i.sigma].into_iter().flatten());
            }
        }
    }
    let n = sa::Distribution::TruncNormal {
        mean: 2.0,
        sd: 2.0 / 3.0,
        lo: 0.0,
        hi: 1e3,
    };
    v.extend([0.001, 0.1, 0.5, 0.9, 0.999].map(|u| n.quantile(u)));
    v
}

/// The text form of `sets` (see the module docs).
pub fn encode(sets: &[Set]) -> String {
    let mut out = String::from("# cartsim parity values: name[index] f64 bits, value\n");
    for (name, values) in sets {
        for (i, v) in values.iter().enumerate() {
            // Writing to a String cannot fail.
            let _ = writeln!(out, "{name}[{i}] {:#018x}  {v:e}", v.to_bits());
        }
    }
    out
}

/// Parse [`encode`]'s output into `(key, bits)` pairs.
pub fn decode(text: &str) -> Result<Vec<(String, u64)>, String> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut words = line.split_whitespace();
        let (Some(key), Some(hex)) = (words.next(), words.next()) else {
            return Err(format!("line {}: expected 'name[i] 0xBITS'", n + 1));
        };
        let bits = hex
            .strip_prefix("0x")
            .and_then(|h| u64::from_str_radix(h, 16).ok())
            .ok_or_else(|| format!("line {}: '{hex}' is not 0x<hex>", n + 1))?;
        out.push((key.to_string(), bits));
    }
    Ok(out)
}

/// Compare `sets` computed here against `expected` text written by the
/// other build. Returns how many values matched, or a report of every
/// difference (missing, extra or different values).
pub fn compare(expected: &str, sets: &[Set]) -> Result<usize, String> {
    let want = decode(expected)?;
    let got = decode(&encode(sets))?;
    let mut problems = Vec::new();
    for (key, bits) in &want {
        match got.iter().find(|(k, _)| k == key) {
            None => problems.push(format!("{key}: missing here")),
            Some((_, b)) if b != bits => problems.push(format!(
                "{key}: expected {bits:#018x} ({:e}), got {b:#018x} ({:e})",
                f64::from_bits(*bits),
                f64::from_bits(*b)
            )),
            Some(_) => {}
        }
    }
    for (key, _) in &got {
        if !want.iter().any(|(k, _)| k == key) {
            problems.push(format!("{key}: not in the expected file (rebuild it)"));
        }
    }
    if want.is_empty() {
        problems.push("the expected file holds no values".into());
    }
    if problems.is_empty() {
        Ok(want.len())
    } else {
        Err(format!(
            "{} parity difference(s):\n{}",
            problems.len(),
            problems.join("\n")
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_matches() {
        let s = vec![("a", vec![1.0, -0.0, f64::MIN_POSITIVE, 1e300])];
        assert_eq!(compare(&encode(&s), &s), Ok(4));
    }

    #[test]
    fn one_bit_off_is_reported() {
        let s = vec![("a", vec![1.0, 2.0])];
        let text = encode(&s);
        let off = vec![("a", vec![1.0, f64::from_bits(2.0f64.to_bits() + 1)])];
        let err = compare(&text, &off).unwrap_err();
        assert!(err.contains("a[1]"), "{err}");
        assert!(!err.contains("a[0]"), "{err}");
    }

    #[test]
    fn missing_extra_and_empty_are_reported() {
        let text = encode(&[("a", vec![1.0, 2.0])]);
        let err = compare(&text, &[("a", vec![1.0]), ("b", vec![3.0])]).unwrap_err();
        assert!(err.contains("a[1]: missing"), "{err}");
        assert!(err.contains("b[0]: not in the expected"), "{err}");
        assert!(compare("# nothing\n", &[]).is_err());
        assert!(decode("a[0] 12").is_err());
    }
}
