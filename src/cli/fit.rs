//! `cartsim fit`: fit a model to a patient's measurements (a CSV file) and
//! print the estimates with their 95% intervals, as JSON or CSV.

use super::args::Args;
use super::simulate::{format_from_args, model_error, model_from_args, sets_from_args};
use super::CliError;
use crate::data::{BindError, Dataset, MAX_BYTES};
use crate::fit::{fit, FitBase, FitSettings, MAX_STARTS};
use crate::model::Registry;

/// Help for `cartsim fit`.
pub const HELP: &str = "\
cartsim fit — fit the model to a patient's measurements, with 95% intervals

USAGE:
    cartsim fit --model clinical|marrow --preset NAME --data FILE.csv [OPTIONS]

The data file: a header `day,COLUMN,...`, then one row per day (days
increasing). Clinical columns: car_t (CAR T, in --car-unit), tumor_burden_pct,
or any column of `cartsim simulate` (nP, nTA, car_t_total, ...); marrow: any
state or output column, in cells. An empty cell is not measured; <X is below
a detection limit X (censored). Lines starting with # are comments.

OPTIONS:
    --model M          clinical (Liu et al.) or marrow (Martínez-Rubio et al.)
    --preset NAME      the scenario the fit starts from (and the fixed values)
    --data FILE        the measurements (CSV)
    --car-unit U       car_t in cells (10^9 cells, default), qpcr (copies/ug DNA)
                       or blood-per-ul (cells/uL blood), as for `cartsim predict`
    --fit A,B,...      parameters or initial values to fit (clinical default:
                       rTA,e,kA,lTA; marrow: alpha,h,rhoC); bounds: their ranges
    --set NAME=VALUE   fix another value (repeatable); for a fitted one, its start
    --starts N         starting points: the preset, then seeded draws within
                       10-fold of it (default 8)
    --seed S           seed of the starting points (default 1)
    --prior-sd X       weak log-normal prior, SD X on each ln(parameter), centred
                       on the preset (default: none)
    --profile          also profile-likelihood 95% intervals (slower)
    --horizon DAYS     horizon of the fitted course's metrics (default: the model's)
    --format json|csv  output (default json; csv: one row per parameter)

Bad input exits 2 with one line naming the problem; a fit that does not
converge exits 0 with \"converged\": false and \"why_not\".
";

/// Run `cartsim fit`.
pub fn run(args: &[String], reg: &Registry) -> Result<(), CliError> {
    if super::help_requested(args, HELP)? {
        return Ok(());
    }
    super::out(&compute(args, reg)?)
}

/// What `cartsim fit ARGS` prints.
pub fn compute(args: &[String], reg: &Registry) -> Result<String, CliError> {
    let mut a = Args::parse(args, &["profile"])?;
    let model = model_from_args(&mut a, reg)?;
    let preset = a
        .value("preset")
        .ok_or_else(|| CliError::usage("--preset NAME is required"))?;
    let sets = sets_from_args(&mut a)?;
    let path = a
        .value("data")
        .ok_or_else(|| CliError::usage("--data FILE.csv is required"))?;
    let unit = a
        .value("car-unit")
        .unwrap_or_else(|| model.data_units()[0].to_string());
    let mut settings = FitSettings::default();
    if let Some(f) = a.value("fit") {
        settings.fit = f
            .split(',')
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect();
        if settings.fit.is_empty() {
            return Err(CliError::usage("--fit: name at least one parameter"));
        }
    }
    if let Some(n) = a.value("starts") {
        settings.starts = n
            .parse()
            .ok()
            .filter(|n| (1..=MAX_STARTS).contains(n))
            .ok_or_else(|| {
                CliError::usage(format!("--starts '{n}': expected 1 to {MAX_STARTS}"))
            })?;
    }
    if let Some(s) = a.value("seed") {
        settings.seed = s
            .parse()
            .map_err(|_| CliError::usage(format!("--seed '{s}': expected a whole number ≥ 0")))?;
    }
    if let Some(sd) = a.number("prior-sd")? {
        if sd <= 0.0 {
            return Err(CliError::usage(format!("--prior-sd must be > 0, got {sd}")));
        }
        settings.prior_sd = Some(sd);
    }
    if let Some(h) = a.number("horizon")? {
        if h <= 0.0 {
            return Err(CliError::usage(format!("--horizon must be > 0, got {h}")));
        }
        settings.horizon = Some(h);
    }
    settings.profile = a.switch("profile");
    let format = format_from_args(&mut a, "json")?;
    a.finish()?;

    let text = read_data(&path)?;
    let data = Dataset::parse(&text).map_err(|e| CliError::usage(format!("{path}: {e}")))?;
    let observed = data.bind(model, &preset, &unit).map_err(|e| match e {
        BindError::Data(e) => CliError::usage(format!("{path}: {e}")),
        BindError::Model(e) => model_error(e),
    })?;
    let base = FitBase {
        model,
        preset,
        sets,
    };
    let report = fit(&base, &observed, &settings, &mut |_, _| {}).map_err(|e| {
        if e.is_bad_input() {
            CliError::usage(e.to_string())
        } else {
            CliError::failed(e.to_string())
        }
    })?;
    Ok(if format == "json" {
        format!("{}\n", report.to_json())
    } else {
        report.to_csv()
    })
}

/// The data file's text (refused when larger than the data module accepts).
fn read_data(path: &str) -> Result<String, CliError> {
    let cannot = |e: std::io::Error| CliError::usage(format!("cannot read {path}: {e}"));
    let len = std::fs::metadata(path).map_err(cannot)?.len();
    if len > MAX_BYTES as u64 {
        return Err(CliError::usage(format!(
            "{path}: the data file has {len} bytes; at most {MAX_BYTES} are accepted"
        )));
    }
    let bytes = std::fs::read(path).map_err(cannot)?;
    String::from_utf8(bytes)
        .map_err(|_| CliError::usage(format!("{path}: not a text file (UTF-8 expected)")))
}
