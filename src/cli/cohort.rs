//! `cartsim trial`, `cartsim bands` and `cartsim predict`: virtual cohorts,
//! response-probability bands and early prediction (clinical model).

use super::args::{parse_list, Args};
use super::shard::{self, Job};
use super::simulate::{format_from_args, model_error};
use super::CliError;
use crate::analysis::density::Family;
use crate::analysis::metrics::{Metrics, RelapseType, Response};
use crate::cohort::bands::{factor_bands, Factor, LabelSource};
use crate::cohort::{self, Scored, TrialSettings};
use crate::predict::bayes::{self, BayesSettings};
use crate::predict::trial::{self, MethodResults, TrialConfig};
use crate::predict::{paper, CarUnit, Observation, GROUPS};
use std::ops::Range;

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
    --shard i/n          compute shard i (0 to n-1) of the patients and print a partial
                         result for `cartsim merge`
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

/// A parsed `cartsim trial`: the configuration and the patients CSV path.
pub struct TrialJob {
    config: TrialConfig,
    csv: Option<String>,
}

impl TrialJob {
    /// Parse the arguments (without `--shard`).
    pub fn parse(args: &[String]) -> Result<TrialJob, CliError> {
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
            config.paper_settings.base = paper::PaperBase::parse(&b).ok_or_else(|| {
                CliError::usage(format!("--paper-base '{b}': expected cr or pooled"))
            })?;
        }
        let csv = a.value("patients-csv");
        json_only(&mut a)?;
        a.finish()?;
        Ok(TrialJob { config, csv })
    }
}

/// Numbers per patient in a partial trial: 12 of its metrics, the paper's
/// group (−1 failed, NaN not run) and three Bayesian probabilities.
const TRIAL_WIDTH: usize = 16;

fn opt_day(v: Option<f64>) -> f64 {
    v.unwrap_or(f64::NAN)
}

fn day_opt(v: f64) -> Option<f64> {
    (!v.is_nan()).then_some(v)
}

fn encode_metrics(m: &Metrics, out: &mut Vec<f64>) {
    out.extend([
        m.ft,
        m.fnegr,
        m.fp,
        m.peak,
        m.t_peak,
        m.auc7,
        m.auc28,
        opt_day(m.remission_day),
        opt_day(m.mrd_day),
        opt_day(m.relapse_day),
        match m.relapse_type {
            None => 0.0,
            Some(RelapseType::Cd19Pos) => 1.0,
            Some(RelapseType::Cd19Neg) => 2.0,
        },
        cohort::response_index(m.response) as f64,
    ]);
}

fn decode_metrics(v: &[f64]) -> Metrics {
    Metrics {
        ft: v[0],
        fnegr: v[1],
        fp: v[2],
        peak: v[3],
        t_peak: v[4],
        auc7: v[5],
        auc28: v[6],
        remission_day: day_opt(v[7]),
        mrd_day: day_opt(v[8]),
        relapse_day: day_opt(v[9]),
        relapse_type: match v[10] as u8 {
            1 => Some(RelapseType::Cd19Pos),
            2 => Some(RelapseType::Cd19Neg),
            _ => None,
        },
        response: [
            Response::Cr,
            Response::Nr,
            Response::Cd19PosRelapse,
            Response::Cd19NegRelapse,
        ][(v[11] as usize).min(3)],
    }
}

fn now() -> f64 {
    use std::time::{SystemTime, UNIX_EPOCH};
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

impl Job for TrialJob {
    fn items(&self) -> usize {
        self.config.per_cohort * crate::model::clinical::PRESETS.len()
    }
    fn width(&self) -> usize {
        TRIAL_WIDTH
    }
    fn compute(&self, range: Range<usize>) -> Result<(Vec<f64>, Vec<f64>), CliError> {
        let config = &self.config;
        let patients = &cohort::generate(config.seed, config.per_cohort)[range];
        let scored = cohort::score(patients, &config.trial).map_err(model_error)?;
        let obs = trial::observations(config, patients).map_err(model_error)?;
        let mut timings = vec![0.0, 0.0];
        let mut probs = None;
        if config.bayes {
            let t0 = now();
            let bank = bayes::build_bank(&config.days, &config.bayes_settings, &config.trial)
                .map_err(model_error)?;
            probs = Some(
                trial::map_maybe_parallel(&obs, |o| trial::bayes_group(config, &bank, o))
                    .map_err(model_error)?,
            );
            timings[0] = now() - t0;
        }
        let mut groups = None;
        if config.paper {
            let t0 = now();
            groups = Some(
                trial::map_maybe_parallel(&obs, |o| {
                    Ok::<_, crate::model::ModelError>(trial::paper_group(config, o))
                })
                .map_err(model_error)?,
            );
            timings[1] = now() - t0;
        }
        let mut v = Vec::with_capacity(patients.len() * TRIAL_WIDTH);
        for (i, s) in scored.iter().enumerate() {
            encode_metrics(&s.metrics, &mut v);
            v.push(match &groups {
                None => f64::NAN,
                Some(g) => g[i].map_or(-1.0, |g| g as f64),
            });
            match &probs {
                None => v.extend([f64::NAN; 3]),
                Some(p) => v.extend(p[i]),
            }
        }
        Ok((v, timings))
    }
    fn finish(&self, values: &[f64], timings: &[f64]) -> Result<String, CliError> {
        let config = &self.config;
        let patients = cohort::generate(config.seed, config.per_cohort);
        let rows: Vec<&[f64]> = values.chunks(TRIAL_WIDTH).collect();
        let scored: Vec<Scored> = patients
            .iter()
            .zip(&rows)
            .map(|(p, r)| Scored {
                patient: *p,
                metrics: decode_metrics(r),
            })
            .collect();
        let t = |i: usize| timings.get(i).copied().unwrap_or(0.0);
        let mut methods = Vec::new();
        if config.bayes {
            let probs = rows.iter().map(|r| [r[13], r[14], r[15]]).collect();
            methods.push(MethodResults::Bayes(probs, t(0)));
        }
        if config.paper {
            let groups = rows
                .iter()
                .map(|r| (r[12] >= 0.0).then_some(r[12] as usize))
                .collect();
            methods.push(MethodResults::Paper(groups, t(1)));
        }
        let (report, preds) = trial::assemble(config, &scored, &methods);
        if let Some(path) = &self.csv {
            let text = trial::patients_csv(&scored, &preds);
            std::fs::write(path, text)
                .map_err(|e| CliError::failed(format!("cannot write {path}: {e}")))?;
        }
        let s =
            serde_json::to_string_pretty(&report).map_err(|e| CliError::failed(e.to_string()))?;
        Ok(format!("{s}\n"))
    }
}

/// Run `cartsim trial` (whole, or one shard with `--shard i/n`).
pub fn run_trial(args: &[String]) -> Result<(), CliError> {
    if super::help_requested(args, TRIAL_HELP)? {
        return Ok(());
    }
    let (rest, shard) = shard::take_shard(args)?;
    let job = TrialJob::parse(&rest)?;
    let text = shard::run("trial", &rest, shard, &job)?;
    super::out(&text)
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
