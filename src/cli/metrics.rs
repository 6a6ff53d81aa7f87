//! `cartsim metrics`: the metrics and response class of one course, for any
//! model (each model names its own values).

use super::args::Args;
use super::simulate::{format_from_args, model_error, model_from_args, request_from_args};
use super::CliError;
use crate::model::{Registry, Sampling};

/// Help for `cartsim metrics`.
pub const HELP: &str = "\
cartsim metrics — peak, AUCs, factors, remission/relapse days and response class of one course

USAGE:
    cartsim metrics --model clinical|marrow --preset NAME [OPTIONS]

OPTIONS:
    --model M          clinical (Liu et al.) or marrow (Martínez-Rubio et al.)
    --preset NAME      a preset of the model (clinical: cr, nr, relapse-pos, relapse-neg)
    --set NAME=VALUE   override a parameter or initial value (repeatable); also the
                       settings extinction=on|off, extinction_threshold=X (10^9 cells),
                       remission_pct=5, mrd_pct=0.01, remission_deadline=28
    --horizon DAYS     look for relapses up to this day (default 180)
    --solver S         auto (default), dopri5, rk4, rosenbrock or rodas5p
    --rtol R, --atol A, --dt H   solver tolerances / RK4 step, as for simulate
    --format json|csv  output format (default json)

Clinical keys: ft, fnegr, fp, peak, t_peak, auc7, auc28, remission_day, mrd_day,
relapse_day (null when none), response (CR, NR, CD19+ relapse, CD19- relapse).
Marrow keys: responder (L30 < 1), l30, c0, c_peak, tpeak, fold, l_end.
";

/// Run `cartsim metrics`.
pub fn run(args: &[String], reg: &Registry) -> Result<(), CliError> {
    if super::help_requested(args, HELP)? {
        return Ok(());
    }
    let (record, format) = compute(args, reg)?;
    if format == "json" {
        let v: serde_json::Map<String, serde_json::Value> = record
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect();
        super::out(&format!("{}\n", serde_json::Value::Object(v)))?;
    } else {
        let keys: Vec<&str> = record.iter().map(|(k, _)| *k).collect();
        let vals: Vec<String> = record
            .iter()
            .map(|(_, v)| match v {
                serde_json::Value::Null => String::new(),
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            })
            .collect();
        super::out(&format!("{}\n{}\n", keys.join(","), vals.join(",")))?;
    }
    Ok(())
}

/// The metrics record `cartsim metrics ARGS` prints (the model's own keys,
/// in order), and the format.
pub fn compute(args: &[String], reg: &Registry) -> Result<(Record, String), CliError> {
    let mut a = Args::parse(args, &[])?;
    let model = model_from_args(&mut a, reg)?;
    let horizon = a.number("horizon")?;
    let mut req = request_from_args(&mut a)?;
    let format = format_from_args(&mut a, "json")?;
    a.finish()?;
    if req.t_end.is_some() || req.sampling != Sampling::Steps {
        return Err(CliError::usage(
            "metrics takes --horizon, not --t-end, --times or --every",
        ));
    }
    if let Some(h) = horizon {
        if !(h.is_finite() && h > 0.0) {
            return Err(CliError::usage(format!(
                "--horizon must be a positive number of days, got {h}"
            )));
        }
    }
    req.t_end = horizon;
    // No table is wanted: only the metrics tracker sees the solve.
    req.sampling = Sampling::Times(Vec::new());
    let course = model.course(&req).map_err(model_error)?;
    let m = course.metrics.ok_or_else(|| {
        CliError::usage("the course is too short to be scored; give a longer --horizon")
    })?;
    Ok((m.record(), format))
}

/// Named values in order, as [`crate::model::CourseMetrics::record`] gives them.
pub type Record = Vec<(&'static str, serde_json::Value)>;
