//! `cartsim metrics`: the clinical metrics and response class of one course.

use super::args::Args;
use super::simulate::{format_from_args, model_error, request_from_args};
use super::CliError;
use crate::analysis::metrics::{ClassifySettings, Metrics};
use crate::model::{self, Sampling};

/// Help for `cartsim metrics`.
pub const HELP: &str = "\
cartsim metrics — peak, AUCs, factors, remission/relapse days and response class of one course

USAGE:
    cartsim metrics --model clinical --preset NAME [OPTIONS]

OPTIONS:
    --model clinical   the clinical model (Liu et al.)
    --preset NAME      cr, nr, relapse-pos or relapse-neg
    --set NAME=VALUE   override a parameter or initial value (repeatable); also the
                       settings extinction=on|off, extinction_threshold=X (10^9 cells),
                       remission_pct=5, mrd_pct=0.01, remission_deadline=28
    --horizon DAYS     look for relapses up to this day (default 180)
    --solver S         dopri5 (default) or rk4
    --rtol R, --atol A, --dt H   solver tolerances / RK4 step, as for simulate
    --format json|csv  output format (default json)

Keys: ft, fnegr, fp, peak, t_peak, auc7, auc28, remission_day, mrd_day,
relapse_day (null when none), response (CR, NR, CD19+ relapse, CD19- relapse).
";

/// The output keys, in order.
pub const KEYS: [&str; 11] = [
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

/// Metrics as a JSON object with [`KEYS`].
pub fn to_json(m: &Metrics) -> serde_json::Value {
    serde_json::json!({
        "ft": m.ft,
        "fnegr": m.fnegr,
        "fp": m.fp,
        "peak": m.peak,
        "t_peak": m.t_peak,
        "auc7": m.auc7,
        "auc28": m.auc28,
        "remission_day": m.remission_day,
        "mrd_day": m.mrd_day,
        "relapse_day": m.relapse_day,
        "response": m.response.as_str(),
    })
}

/// Run `cartsim metrics`.
pub fn run(args: &[String]) -> Result<(), CliError> {
    if super::help_requested(args, HELP)? {
        return Ok(());
    }
    let mut a = Args::parse(args, &[])?;
    let model_name = a
        .value("model")
        .ok_or_else(|| CliError::usage("--model clinical is required"))?;
    let mut classify = ClassifySettings::default();
    if let Some(h) = a.number("horizon")? {
        classify.horizon = h;
    }
    let mut req = request_from_args(&mut a)?;
    let format = format_from_args(&mut a, "json")?;
    a.finish()?;
    if req.t_end.is_some() || req.sampling != Sampling::Steps {
        return Err(CliError::usage(
            "metrics takes --horizon, not --t-end, --times or --every",
        ));
    }
    if model_name != "clinical" {
        return Err(CliError::usage(format!(
            "--model '{model_name}': metrics are defined for the clinical model only"
        )));
    }
    // Classification thresholds may come as --set NAME=VALUE too.
    let mut sets = Vec::with_capacity(req.sets.len());
    for (k, v) in std::mem::take(&mut req.sets) {
        if !classify.set(&k, &v).map_err(CliError::usage)? {
            sets.push((k, v));
        }
    }
    req.sets = sets;
    let m = model::clinical::metrics(&req, classify).map_err(model_error)?;
    let v = to_json(&m);
    if format == "json" {
        super::out(&format!("{v}\n"))?;
    } else {
        super::out(&format!("{}\n", KEYS.join(",")))?;
        let vals: Vec<String> = KEYS
            .iter()
            .map(|k| match &v[*k] {
                serde_json::Value::Null => String::new(),
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            })
            .collect();
        super::out(&format!("{}\n", vals.join(",")))?;
    }
    Ok(())
}
