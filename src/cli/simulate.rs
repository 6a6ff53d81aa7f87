//! `cartsim simulate`: one course of either model, as CSV or JSON.

use super::args::{parse_list, Args};
use super::CliError;
use crate::model::{ModelError, ModelId, Registry, Sampling, SimRequest, SimTable};
use crate::solver::{Method, Settings, Tolerance};

/// Help for `cartsim simulate`.
pub const HELP: &str = "\
cartsim simulate — simulate one patient course

USAGE:
    cartsim simulate --model clinical|marrow --preset NAME [OPTIONS]

OPTIONS:
    --model M          clinical (Liu et al.) or marrow (Martínez-Rubio et al.)
    --preset NAME      scenario preset (clinical: cr, nr, relapse-pos, relapse-neg; marrow: fig2 … fig8)
    --set NAME=VALUE   override a parameter or initial value (repeatable); names as in MODELS.md
    --t-end DAYS       end of the simulation (default: the model's, 180 days for clinical)
    --solver S         auto (default: dopri5, switching to rosenbrock while
                       the problem is stiff, to rodas5p when rtol < 1e-6),
                       dopri5 (adaptive), rk4 (fixed
                       step), rosenbrock (stiff solver, Rodas4) or rodas5p
                       (stiff solver of order 5, for tight tolerances)
    --rtol R           relative tolerance for the adaptive solvers (default 1e-6)
    --atol A           absolute tolerance for the adaptive solvers (default 1e-9)
    --dt H             fixed step for rk4 in days (default 0.01)
    --times T1,T2,...  output only at these days
    --every DT         output every DT days
    --format csv|json  output format (default csv)
";

/// Parse the options every model shares into a request (consumes them from `a`).
pub fn request_from_args(a: &mut Args) -> Result<SimRequest, CliError> {
    let preset = a
        .value("preset")
        .ok_or_else(|| CliError::usage("--preset NAME is required"))?;
    let sets = sets_from_args(a)?;
    let mut settings = Settings::default();
    if let Some(m) = a.value("solver") {
        settings.method = Method::parse(&m).ok_or_else(|| {
            CliError::usage(format!(
                "--solver '{m}': expected {}",
                Method::NAMES.join(", ")
            ))
        })?;
    }
    let positive = |name: &str, v: f64| {
        if v > 0.0 {
            Ok(v)
        } else {
            Err(CliError::usage(format!("--{name} must be > 0, got {v}")))
        }
    };
    if let Some(r) = a.number("rtol")? {
        settings.rtol = Tolerance::Scalar(positive("rtol", r)?);
    }
    if let Some(r) = a.number("atol")? {
        settings.atol = Tolerance::Scalar(positive("atol", r)?);
    }
    if let Some(d) = a.number("dt")? {
        settings.dt = positive("dt", d)?;
    }
    let t_end = match a.number("t-end")? {
        Some(t) => Some(positive("t-end", t)?),
        None => None,
    };
    let sampling = match (a.value("times"), a.number("every")?) {
        (Some(_), Some(_)) => {
            return Err(CliError::usage("give --times or --every, not both"));
        }
        (Some(t), None) => Sampling::Times(parse_list("times", &t)?),
        (None, Some(dt)) => Sampling::Every(positive("every", dt)?),
        (None, None) => Sampling::Steps,
    };
    Ok(SimRequest {
        preset,
        sets,
        t_end,
        settings,
        sampling,
    })
}

/// The repeatable `--set NAME=VALUE` overrides, in order.
pub fn sets_from_args(a: &mut Args) -> Result<Vec<(String, String)>, CliError> {
    a.values("set")
        .into_iter()
        .map(|s| {
            let (k, v) = s
                .split_once('=')
                .ok_or_else(|| CliError::usage(format!("--set '{s}': expected NAME=VALUE")))?;
            Ok((k.trim().to_string(), v.trim().to_string()))
        })
        .collect()
}

/// `--format csv|json`, default csv.
pub fn format_from_args(a: &mut Args, default: &str) -> Result<String, CliError> {
    let f = a.value("format").unwrap_or_else(|| default.to_string());
    match f.as_str() {
        "csv" | "json" => Ok(f),
        other => Err(CliError::usage(format!(
            "--format '{other}': expected csv or json"
        ))),
    }
}

/// Turn a model error into a CLI error: bad input exits 2, a failed solve 1.
pub fn model_error(e: ModelError) -> CliError {
    if e.is_bad_input() {
        CliError::usage(e.to_string())
    } else {
        CliError::failed(e.to_string())
    }
}

/// `--model ID`, required: the one place the CLI turns text into a model.
pub fn model_from_args(a: &mut Args, reg: &Registry) -> Result<ModelId, CliError> {
    let ids = reg.ids().join("|");
    let name = a
        .value("model")
        .ok_or_else(|| CliError::usage(format!("--model {ids} is required")))?;
    reg.parse(&name)
        .map_err(|_| CliError::usage(format!("--model '{name}': expected one of {ids}")))
}

/// Print a table as CSV or JSON.
pub fn print_table(table: &SimTable, format: &str) -> Result<(), CliError> {
    if format == "json" {
        let rows: Vec<&[f64]> = (0..table.n_rows()).map(|i| table.row(i)).collect();
        let v = serde_json::json!({
            "columns": table.columns,
            "rows": rows,
            "stats": table.stats,
            "events": table.events,
        });
        super::out(&format!("{v}\n"))?;
    } else {
        super::out(&table.to_csv())?;
    }
    Ok(())
}

/// The table `cartsim simulate ARGS` prints, and its format.
pub fn compute(args: &[String], reg: &Registry) -> Result<(SimTable, String), CliError> {
    let mut a = Args::parse(args, &[])?;
    let model = model_from_args(&mut a, reg)?;
    let req = request_from_args(&mut a)?;
    let format = format_from_args(&mut a, "csv")?;
    a.finish()?;
    let table = model.simulate(&req).map_err(model_error)?;
    Ok((table, format))
}

/// Run `cartsim simulate`.
pub fn run(args: &[String], reg: &Registry) -> Result<(), CliError> {
    if super::help_requested(args, HELP)? {
        return Ok(());
    }
    let (table, format) = compute(args, reg)?;
    print_table(&table, &format)
}
