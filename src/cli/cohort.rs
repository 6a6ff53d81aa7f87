//! `cartsim trial`, `cartsim bands` and `cartsim predict`: virtual cohorts,
//! response-probability bands and early prediction (clinical model).

use super::args::{parse_list, Args};
use super::simulate::{format_from_args, model_error};
use super::CliError;
use crate::analysis::density::Family;
use crate::cohort::bands::{factor_bands, Factor, LabelSource};
use crate::cohort::{self, TrialSettings};
use crate::predict::bayes::{self, BayesSettings};
use crate::predict::trial::{self, TrialConfig};
use crate::predict::{paper, CarUnit, Observation, GROUPS};

/// Help for `cartsim trial`.
pub const TRIAL_HELP: &str = "\
cartsim trial — the virtual trial of early prediction (Liu et al. Fig. 7)

USAGE:
    cartsim trial [OPTIONS]

OPTIONS:
    --seed S             seed of the virtual patients (default 1)
    --per-cohort N       patients per cohort (default 400: 1,600 in all)
    --method M           paper, bayes or both (default both)
    --noise-cv X         measurement noise, coefficient of variation (default 0)
    --days D1,D2,...     CAR T measurement days (default 0,1,2,3,4,5,6,7)
    --bank N             prior-bank patients per cohort for the Bayesian method (default 4000)
    --kernel K           kernel width on log counts for the Bayesian method (default 0.16)
    --paper-base B       cr (default) or pooled: fixed parameters of the paper's method
    --patients-csv FILE  also write every virtual patient (parameters, indices, labels, predictions)
    --format json        output format (json only)
";

/// Help for `cartsim bands`.
pub const BANDS_HELP: &str = "\
cartsim bands — FT or FP response-probability bands (Liu et al. Fig. 5D, 6D)

USAGE:
    cartsim bands --factor ft|fp [OPTIONS]

OPTIONS:
    --factor F          ft (classes NR, CD19+ relapse, CR; log axis) or fp (NR, CD19+ relapse, CR & CD19- relapse)
    --seed S            cohort seed (default 1)
    --per-cohort N      patients per cohort (default 400)
    --family F          pooled-lognormal (default for ft) or pooled-normal (default for fp): one
                        variance shared by the classes, so the order never reverses; or, one
                        spread per class, lognormal, normal or kde (their tails can reverse it)
    --labels L          simulated (default: each patient's simulated class) or cohort (cohort of origin)
    --points N          grid points (default 200)
    --format csv|json   output format (default csv); json adds the fits and `covered`, the
                        smallest and largest value of the factor in the cohort
";

/// Help for `cartsim predict`.
pub const PREDICT_HELP: &str = "\
cartsim predict — predict a patient's response from day 0–7 data

USAGE:
    cartsim predict --tb0 PCT --car DAY:VALUE,... [OPTIONS]

OPTIONS:
    --tb0 PCT           initial tumor burden, % (0 < TB < 97.19)
    --car DAY:VALUE,..  CAR T measurements (at least two), e.g. 0:16.5,1:20,3:80,7:500
    --car-unit U        cells (10^9 cells, default), qpcr (copies/ug DNA) or blood-per-ul (cells/uL blood)
    --method M          paper, bayes or both (default both)
    --noise-cv X        assumed measurement noise CV (default 0.2)
    --bank N            prior-bank patients per cohort (default 4000)
    --format json       output format (json only)
";

fn seed(a: &mut Args) -> Result<u64, CliError> {
    match a.value("seed") {
        None => Ok(1),
        Some(s) => s
            .parse()
            .map_err(|_| CliError::usage(format!("--seed '{s}': expected a whole number ≥ 0"))),
    }
}

fn count(a: &mut Args, name: &str, default: usize, max: usize) -> Result<usize, CliError> {
    match a.value(name) {
        None => Ok(default),
        Some(s) => match s.parse::<usize>() {
            Ok(n) if n >= 1 && n <= max => Ok(n),
            _ => Err(CliError::usage(format!(
                "--{name} '{s}': expected a whole number from 1 to {max}"
            ))),
        },
    }
}

fn methods(a: &mut Args) -> Result<(bool, bool), CliError> {
    match a.value("method").as_deref() {
        None | Some("both") => Ok((true, true)),
        Some("paper") => Ok((true, false)),
        Some("bayes") => Ok((false, true)),
        Some(m) => Err(CliError::usage(format!(
            "--method '{m}': expected paper, bayes or both"
        ))),
    }
}

fn noise(a: &mut Args, default: f64) -> Result<f64, CliError> {
    match a.number("noise-cv")? {
        None => Ok(default),
        Some(v) if (0.0..=2.0).contains(&v) => Ok(v),
        Some(v) => Err(CliError::usage(format!(
            "--noise-cv {v} is out of range; allowed: 0 to 2"
        ))),
    }
}

fn json_only(a: &mut Args) -> Result<(), CliError> {
    match format_from_args(a, "json")?.as_str() {
        "json" => Ok(()),
        _ => Err(CliError::usage(
            "this command writes json only (--format json)",
        )),
    }
}

fn print_json(v: &impl serde::Serialize) -> Result<(), CliError> {
    let s = serde_json::to_string_pretty(v).map_err(|e| CliError::failed(e.to_string()))?;
    super::out(&format!("{s}\n"))?;
    Ok(())
}

/// Run `cartsim trial`.
pub fn run_trial(args: &[String]) -> Result<(), CliError> {
    if super::help_requested(args, TRIAL_HELP)? {
        return Ok(());
    }
    let mut a = Args::parse(args, &[])?;
    let mut config = TrialConfig {
        seed: seed(&mut a)?,
        per_cohort: count(&mut a, "per-cohort", cohort::DEFAULT_PER_COHORT, 100_000)?,
        noise_cv: noise(&mut a, 0.0)?,
        ..TrialConfig::default()
    };
    (config.paper, config.bayes) = methods(&mut a)?;
    if let Some(d) = a.value("days") {
        let days = parse_list("days", &d)?;
        if days.len() < 2
            || days.windows(2).any(|w| w[1] <= w[0])
            || days.iter().any(|d| !(0.0..=60.0).contains(d))
        {
            return Err(CliError::usage(
                "--days: expected at least two increasing days within 0–60",
            ));
        }
        config.days = days;
    }
    config.bayes_settings.bank_per_cohort = count(&mut a, "bank", 4000, 1_000_000)?;
    if let Some(k) = a.number("kernel")? {
        if !(0.0..=5.0).contains(&k) {
            return Err(CliError::usage(format!(
                "--kernel {k} is out of range; allowed: 0 to 5"
            )));
        }
        config.bayes_settings.kernel = k;
    }
    if let Some(b) = a.value("paper-base") {
        config.paper_settings.base = paper::PaperBase::parse(&b)
            .ok_or_else(|| CliError::usage(format!("--paper-base '{b}': expected cr or pooled")))?;
    }
    let csv = a.value("patients-csv");
    json_only(&mut a)?;
    a.finish()?;
    let (report, preds) = trial::run(&config).map_err(model_error)?;
    if let Some(path) = csv {
        let text = patients_csv(&config, &preds).map_err(model_error)?;
        std::fs::write(&path, text)
            .map_err(|e| CliError::failed(format!("cannot write {path}: {e}")))?;
    }
    print_json(&report)
}

/// CSV of every virtual patient: parameters, indices, labels, predictions.
fn patients_csv(
    config: &TrialConfig,
    preds: &[trial::PatientPrediction],
) -> Result<String, crate::model::ModelError> {
    let patients = cohort::generate(config.seed, config.per_cohort);
    let scored = cohort::score(&patients, &config.trial)?;
    Ok(trial::patients_csv(&scored, preds))
}

/// Run `cartsim bands`.
pub fn run_bands(args: &[String]) -> Result<(), CliError> {
    if super::help_requested(args, BANDS_HELP)? {
        return Ok(());
    }
    let mut a = Args::parse(args, &[])?;
    let f = a
        .value("factor")
        .ok_or_else(|| CliError::usage("--factor ft|fp is required"))?;
    let factor = Factor::parse(&f)
        .ok_or_else(|| CliError::usage(format!("--factor '{f}': expected ft or fp")))?;
    let seed = seed(&mut a)?;
    let per = count(&mut a, "per-cohort", cohort::DEFAULT_PER_COHORT, 100_000)?;
    let family = match a.value("family") {
        None => factor.default_family(),
        Some(s) => Family::parse(&s).ok_or_else(|| {
            let names: Vec<&str> = Family::ALL.iter().map(|f| f.as_str()).collect();
            CliError::usage(format!(
                "--family '{s}': expected one of {}",
                names.join(", ")
            ))
        })?,
    };
    let labels = match a.value("labels").as_deref() {
        None | Some("simulated") => LabelSource::Simulated,
        Some("cohort") => LabelSource::Cohort,
        Some(l) => {
            return Err(CliError::usage(format!(
                "--labels '{l}': expected simulated or cohort"
            )))
        }
    };
    let points = count(&mut a, "points", 200, 100_000)?;
    let format = format_from_args(&mut a, "csv")?;
    a.finish()?;
    let patients = cohort::generate(seed, per);
    let scored = cohort::score(&patients, &TrialSettings::default()).map_err(model_error)?;
    let b = factor_bands(&scored, factor, family, labels, points)
        .map_err(|e| CliError::failed(e.to_string()))?;
    if format == "json" {
        return print_json(&serde_json::json!({
            "factor": factor,
            "family": family,
            "labels_from": labels,
            "x": b.x,
            "classes": b.labels,
            "p": b.p,
            "fits": b.fits,
            "skipped": b.skipped,
            "covered": b.covered,
        }));
    }
    let mut s = String::from(if factor == Factor::Ft { "ft" } else { "fp" });
    for l in &b.labels {
        s.push_str(&format!(",P[{l}]"));
    }
    s.push('\n');
    for (g, x) in b.x.iter().enumerate() {
        s.push_str(&format!("{x}"));
        for row in &b.p {
            s.push_str(&format!(",{}", row[g]));
        }
        s.push('\n');
    }
    super::out(&s)?;
    Ok(())
}

/// Parse `DAY:VALUE,DAY:VALUE,...`.
fn parse_car(text: &str, unit: CarUnit) -> Result<Vec<(f64, f64)>, CliError> {
    text.split(',')
        .map(|item| {
            let (d, v) = item
                .split_once(':')
                .ok_or_else(|| CliError::usage(format!("--car '{item}': expected DAY:VALUE")))?;
            let day = super::args::parse_number("car", d)?;
            let value = super::args::parse_number("car", v)?;
            let cells = unit
                .to_cells(value)
                .map_err(|e| CliError::usage(format!("--car day {day}: {e}")))?;
            Ok((day, cells))
        })
        .collect()
}

/// Run `cartsim predict`.
pub fn run_predict(args: &[String]) -> Result<(), CliError> {
    if super::help_requested(args, PREDICT_HELP)? {
        return Ok(());
    }
    let mut a = Args::parse(args, &[])?;
    let tb0 = a
        .number("tb0")?
        .ok_or_else(|| CliError::usage("--tb0 PCT is required"))?;
    let unit = match a.value("car-unit") {
        None => CarUnit::Cells,
        Some(u) => CarUnit::parse(&u).ok_or_else(|| {
            CliError::usage(format!(
                "--car-unit '{u}': expected cells, qpcr or blood-per-ul"
            ))
        })?,
    };
    let car = a
        .value("car")
        .ok_or_else(|| CliError::usage("--car DAY:VALUE,... is required"))?;
    let car_t = parse_car(&car, unit)?;
    let (do_paper, do_bayes) = methods(&mut a)?;
    let cv = noise(&mut a, 0.2)?;
    let bank_n = count(&mut a, "bank", 4000, 1_000_000)?;
    json_only(&mut a)?;
    a.finish()?;
    let obs = Observation {
        tb0_pct: tb0,
        car_t,
    };
    obs.validate().map_err(|e| CliError::usage(e.to_string()))?;
    let trial = TrialSettings::default();
    let mut out = serde_json::Map::new();
    out.insert("groups".into(), serde_json::json!(GROUPS));
    if do_paper {
        let v = match paper::predict(&obs, cv, &paper::PaperSettings::default(), &trial) {
            Ok(f) => serde_json::json!({
                "response": f.metrics.response,
                "group": GROUPS[crate::predict::group_of(f.metrics.response)],
                "fitted": {
                    "rTA": f.params.0[crate::model::clinical::ix::rTA],
                    "e": f.params.0[crate::model::clinical::ix::e],
                    "kA": f.params.0[crate::model::clinical::ix::kA],
                    "lTA": f.params.0[crate::model::clinical::ix::lTA],
                },
                "metrics": f.metrics,
            }),
            Err(e) => serde_json::json!({ "error": e.to_string() }),
        };
        out.insert("paper".into(), v);
    }
    if do_bayes {
        let settings = BayesSettings {
            bank_per_cohort: bank_n,
            ..BayesSettings::default()
        };
        let bank = bayes::build_bank(&obs.days(), &settings, &trial).map_err(model_error)?;
        let p = bayes::posterior(&bank, &obs, cv, &settings, true).map_err(model_error)?;
        out.insert(
            "bayes".into(),
            serde_json::json!({
                "predicted": p.predicted_label(),
                "group_probabilities": p.group,
                "cohort_probabilities": crate::model::clinical::PRESETS.iter().map(|q| q.name).zip(p.cohort).collect::<std::collections::BTreeMap<_, _>>(),
                "class_probabilities": {
                    "CR": p.class[0], "NR": p.class[1], "CD19+ relapse": p.class[2], "CD19- relapse": p.class[3]
                },
                "effective_sample_size": p.ess,
                "forecast": { "tumor_burden_pct": p.tumor_burden, "car_t": p.car_t },
            }),
        );
    }
    print_json(&serde_json::Value::Object(out))
}
