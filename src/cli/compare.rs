//! `cartsim compare`: a preset and up to six runs changed from it, their
//! metrics side by side with the differences from the base (issue 15), or
//! all their trajectories in long form.

use super::args::{parse_list, Args};
use super::simulate::{format_from_args, model_from_args};
use super::CliError;
use crate::compare::{query_from_text, CompareTable, Comparison, TrajectoryTable, MAX_RUNS};
use crate::model::{Registry, Sampling};
use crate::scenario::Scenario;

/// Help for `cartsim compare`.
pub const HELP: &str = "\
cartsim compare — a preset and runs changed from it, their metrics side by side

USAGE:
    cartsim compare --model clinical|marrow --preset NAME [--run 'NAME=VALUE;NAME=VALUE']... [OPTIONS]

OPTIONS:
    --model M          clinical (Liu et al.) or marrow (Martínez-Rubio et al.)
    --preset NAME      the base preset: the first run, and what the other runs change.
                       A comparison preset (marrow fig4a-c, fig5a-c; clinical classes)
                       brings its own runs, the first of them the base; --run adds more
    --run CHANGES      one run (repeatable, at most 6): NAME=VALUE pairs separated by ';'
                       or '&', applied to the base preset. Names as in links: parameters,
                       initial values, settings (extinction=off, variant=as-printed), the
                       solver (solver, rtol, atol, dt), the horizon (t_end); preset=X
                       switches the run's preset. A run with a bad value is left out (the
                       problem is named on stderr and in the JSON); the others are kept.
    --format json|csv  output format (default json); csv is one row per run
    --trajectories     instead: every run's trajectory as long-form CSV,
                       columns run,label,t,<the model's columns>
    --every DT, --times T1,T2,...   trajectory output times (default: every solver step)

Each run is labelled by what differs from the base (\"rTA ×2\", \"preset nr\",
\"α = 1e-9\"). The metrics are those of `cartsim metrics` for the same settings,
with each run's difference from the base (absolute and %).

EXAMPLES:
    cartsim compare --model clinical --preset cr --run 'rTA=3.24;e=10' --run preset=nr
    cartsim compare --model marrow --preset fig5a --format csv
";

/// What `cartsim compare ARGS` prints: the comparison that was read (with
/// its problems) and the text for standard output.
#[derive(Debug, Clone)]
pub struct Compared {
    /// The runs, the base first, and the problems of the runs left out.
    pub comparison: Comparison,
    /// The output (JSON, CSV or long-form trajectory CSV).
    pub output: String,
}

/// Run `cartsim compare`.
pub fn run(args: &[String], reg: &Registry) -> Result<(), CliError> {
    if super::help_requested(args, HELP)? {
        return Ok(());
    }
    let c = compute(args, reg)?;
    for p in &c.comparison.problems {
        eprintln!("cartsim: warning: {}", p.message);
    }
    super::out(&c.output)
}

/// Parse the arguments, solve every run and render the output.
pub fn compute(args: &[String], reg: &Registry) -> Result<Compared, CliError> {
    let mut a = Args::parse(args, &["trajectories"])?;
    let model = model_from_args(&mut a, reg)?;
    let preset = a
        .value("preset")
        .ok_or_else(|| CliError::usage("--preset NAME is required"))?;
    let names = model.preset_names();
    if !names.contains(&preset.as_str()) {
        return Err(CliError::usage(format!(
            "--preset '{preset}': the {model} model has {}",
            names.join(", ")
        )));
    }
    let runs: Vec<String> = a.values("run").iter().map(|r| query_from_text(r)).collect();
    let trajectories = a.switch("trajectories");
    let sampling = match (a.value("times"), a.number("every")?) {
        (Some(_), Some(_)) => return Err(CliError::usage("give --times or --every, not both")),
        (Some(t), None) => Some(Sampling::Times(parse_list("times", &t)?)),
        (None, Some(dt)) => Some(Sampling::Every(dt)),
        (None, None) => None,
    };
    let format = format_from_args(&mut a, if trajectories { "csv" } else { "json" })?;
    a.finish()?;
    if sampling.is_some() && !trajectories {
        return Err(CliError::usage(
            "--every and --times choose the trajectory times; give them with --trajectories",
        ));
    }
    if trajectories && format != "csv" {
        return Err(CliError::usage("--trajectories writes CSV only"));
    }
    let comparison = Comparison::from_preset(Scenario::preset(model, &preset), &runs, reg);
    let failed = |f: crate::compare::RunFailure| {
        if f.error.is_bad_input() {
            CliError::usage(f.to_string())
        } else {
            CliError::failed(f.to_string())
        }
    };
    let output = if trajectories {
        let t =
            TrajectoryTable::build(&comparison, &sampling.unwrap_or_default()).map_err(failed)?;
        t.to_csv()
    } else {
        let table = CompareTable::build(&comparison).map_err(failed)?;
        if format == "csv" {
            table.to_csv()
        } else {
            let mut v = table.to_json();
            if let Some(o) = v.as_object_mut() {
                o.insert("model".into(), serde_json::json!(model.id()));
                o.insert("preset".into(), serde_json::json!(preset));
                if !comparison.problems.is_empty() {
                    o.insert("problems".into(), serde_json::json!(comparison.problems));
                }
            }
            format!("{v}\n")
        }
    };
    debug_assert!(comparison.runs.len() <= MAX_RUNS + 1);
    Ok(Compared { comparison, output })
}
