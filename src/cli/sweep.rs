//! `cartsim sweep`: parameter sweeps and the Fig. 7 experiment of the
//! bone-marrow model.

use super::args::Args;
use super::simulate::{format_from_args, model_error, model_from_args, request_from_args};
use super::CliError;
use crate::model::marrow::{self, PresetSweep, Scenario};
use crate::model::Registry;
use crate::model::{Sampling, SimRequest};
use crate::sweep::marrow::{fig7, HRange, MarrowEval, Outcome};
use crate::sweep::{run, Axis, Grid, SweepError};
use std::time::Instant;

/// Help for `cartsim sweep`.
pub const HELP: &str = "\
cartsim sweep — parameter sweeps of the bone-marrow model (Martínez-Rubio et al.)

USAGE:
    cartsim sweep --model marrow --experiment fig7 [--h-range text|caption] [--format json|csv]
    cartsim sweep --model marrow --x NAME:LO:HI:lin|log:N [--y NAME:LO:HI:lin|log:N]
                  --outcome log10_L30|L30|fold|tpeak|response [--preset NAME] [--format csv|json]
    cartsim sweep --model marrow --preset fig4|fig5 [--x NAME:LO:HI:lin|log:N]   (overlaid courses)
    cartsim sweep --model marrow --preset fig6 [--n N] --format csv|json         (the three heatmaps)

OPTIONS:
    --experiment fig7  4,000 patients: ρC 10 lin 0.4–1 × α 20 log 5e-11–5e-9 × h 20 log
    --h-range R        text (h 5e8–5e10, default) or caption (h 5e9–5e11) of [M]
    --peak-window D    days over which the CAR T peak is sought (default 30)
    --x, --y AXIS      swept parameter (any marrow parameter, or Btot), ends, spacing, count
    --outcome O        log10_L30 (extinct = -6), L30, fold = log10(C_peak/C_0), tpeak, response
    --n N              grid size per axis for --preset fig6 (default 200)
    --preset NAME      base scenario (default fig7 for the experiment, fig6 otherwise)
    --set NAME=VALUE   override the base scenario (repeatable)
    --solver, --rtol, --atol, --dt, --every, --times   as for `cartsim simulate`
    --format csv|json  output format (default json for fig7, csv otherwise)
";

fn sweep_error(e: SweepError) -> CliError {
    CliError::usage(e.to_string())
}

/// Run `cartsim sweep`.
pub fn run_cli(args: &[String], reg: &Registry) -> Result<(), CliError> {
    if super::help_requested(args, HELP)? {
        return Ok(());
    }
    // Sweeps default to a base preset so --preset may be omitted.
    let mut owned: Vec<String> = args.to_vec();
    if !args
        .iter()
        .any(|s| s == "--preset" || s.starts_with("--preset="))
    {
        let is_exp = args
            .iter()
            .any(|s| s == "--experiment" || s.starts_with("--experiment="));
        owned.extend([
            "--preset".to_string(),
            (if is_exp { "fig7" } else { "fig6" }).to_string(),
        ]);
    }
    let mut a = Args::parse(&owned, &[])?;
    let model = model_from_args(&mut a, reg)?;
    let experiment = a.value("experiment");
    let h_range = a.value("h-range");
    let peak_window = a.number("peak-window")?.unwrap_or(30.0);
    let x = a.value("x");
    let y = a.value("y");
    let outcome = a.value("outcome");
    let n = a.number("n")?;
    let req = request_from_args(&mut a)?;
    let default_format = if experiment.is_some() { "json" } else { "csv" };
    let format = format_from_args(&mut a, default_format)?;
    a.finish()?;
    let base = marrow::scenario_of(model, &req).map_err(model_error)?;

    if let Some(exp) = experiment {
        if exp != "fig7" {
            return Err(CliError::usage(format!(
                "--experiment '{exp}': the only experiment is fig7"
            )));
        }
        let h = match h_range.as_deref() {
            None => HRange::Text,
            Some(s) => HRange::parse(s).ok_or_else(|| {
                CliError::usage(format!("--h-range '{s}': expected text or caption"))
            })?,
        };
        let start = Instant::now();
        let report = fig7(&base, h, &req.settings, peak_window).map_err(model_error)?;
        let secs = start.elapsed().as_secs_f64();
        let mut v = serde_json::to_value(&report).map_err(|e| CliError::failed(e.to_string()))?;
        v["seconds"] = serde_json::json!(secs);
        if format == "json" {
            super::out(&format!("{v}\n"))?;
        } else {
            super::out("name,value\n")?;
            if let Some(obj) = v.as_object() {
                for (k, val) in obj {
                    if !val.is_object() {
                        super::out(&format!("{k},{val}\n"))?;
                    }
                }
            }
        }
        return Ok(());
    }

    let pre = marrow::preset(&req.preset).map_err(model_error)?;
    match (x, outcome) {
        (Some(xs), Some(o)) => {
            let mut axes = vec![Axis::parse(&xs).map_err(sweep_error)?];
            if let Some(ys) = y {
                axes.push(Axis::parse(&ys).map_err(sweep_error)?);
            }
            let o = Outcome::parse(&o).map_err(sweep_error)?;
            let grid = Grid::new(axes).map_err(sweep_error)?;
            print_map(&base, &grid, o, &req, peak_window, &format, None)
        }
        (None, Some(o)) => {
            let PresetSweep::Heatmaps(maps) = pre.sweep else {
                return Err(CliError::usage(
                    "--outcome needs --x (and optionally --y), or --preset fig6",
                ));
            };
            let o = Outcome::parse(&o).map_err(sweep_error)?;
            heatmaps(&base, maps, n, o, &req, peak_window, &format)
        }
        (Some(xs), None) => {
            if y.is_some() {
                return Err(CliError::usage("a 2-D sweep needs --outcome"));
            }
            let axis = Axis::parse(&xs).map_err(sweep_error)?;
            courses(&req, &[(axis.name.clone(), axis.values())], &format)
        }
        (None, None) => match pre.sweep {
            PresetSweep::Courses(list) => {
                let owned: Vec<(String, Vec<f64>)> = list
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_vec()))
                    .collect();
                courses(&req, &owned, &format)
            }
            PresetSweep::Heatmaps(maps) => heatmaps(
                &base,
                maps,
                n,
                Outcome::Log10L30,
                &req,
                peak_window,
                &format,
            ),
            PresetSweep::Fig7 => Err(CliError::usage(
                "for Fig. 7 use --experiment fig7",
            )),
            PresetSweep::None => Err(CliError::usage(format!(
                "preset '{}' is a single course; give --x (and --outcome) or use `cartsim simulate`",
                pre.name
            ))),
        },
    }
}

fn heatmaps(
    base: &Scenario,
    maps: &[(&str, &str)],
    n: Option<f64>,
    o: Outcome,
    req: &SimRequest,
    window: f64,
    format: &str,
) -> Result<(), CliError> {
    let n = match n {
        None => None,
        Some(v) if (1.0..=2000.0).contains(&v) && v.fract() == 0.0 => Some(v as usize),
        Some(v) => return Err(CliError::usage(format!("--n must be 1 to 2000, got {v}"))),
    };
    if format == "csv" {
        super::out(&format!("map,x_name,x,y_name,y,{}\n", o.name()))?;
    } else {
        super::out("[")?;
    }
    for (k, (xs, ys)) in maps.iter().enumerate() {
        let mut ax = Axis::parse(xs).map_err(sweep_error)?;
        let mut ay = Axis::parse(ys).map_err(sweep_error)?;
        if let Some(n) = n {
            ax.n = n;
            ay.n = n;
        }
        let grid = Grid::new(vec![ax, ay]).map_err(sweep_error)?;
        if format == "json" && k > 0 {
            super::out(",")?;
        }
        print_map(base, &grid, o, req, window, format, Some(k))?;
    }
    if format == "json" {
        super::out("]\n")?;
    }
    Ok(())
}

fn print_map(
    base: &Scenario,
    grid: &Grid,
    o: Outcome,
    req: &SimRequest,
    window: f64,
    format: &str,
    map: Option<usize>,
) -> Result<(), CliError> {
    let names: Vec<&str> = grid.axes.iter().map(|a| a.name.as_str()).collect();
    let ev = MarrowEval::new(base, &names, &req.settings, window).map_err(model_error)?;
    let ev = if o.needs_peak() { ev } else { ev.day30_only() };
    let results = run(grid, &ev);
    let failures = results.iter().filter(|r| r.is_err()).count();
    if let Some(Err(e)) = results.iter().find(|r| r.is_err()) {
        eprintln!(
            "cartsim: {failures} of {} points failed; first: {e}",
            results.len()
        );
    }
    let values: Vec<f64> = results
        .iter()
        .map(|r| r.as_ref().map_or(f64::NAN, |m| m.get(o)))
        .collect();
    if format == "json" {
        let v = serde_json::json!({
            "axes": grid.axes,
            "outcome": o.name(),
            "values": values,
            "failures": failures,
        });
        let s = v.to_string();
        if map.is_some() {
            super::out(&s)?;
        } else {
            super::out(&format!("{s}\n"))?;
        }
        return Ok(());
    }
    if map.is_none() {
        let header: Vec<&str> = names.clone();
        super::out(&format!("{},{}\n", header.join(","), o.name()))?;
    }
    let mut pt = [0.0; crate::sweep::MAX_AXES];
    for (i, v) in values.iter().enumerate() {
        grid.point(i, &mut pt);
        match map {
            Some(k) => super::out(&format!(
                "{k},{},{},{},{},{v}\n",
                names[0],
                pt[0],
                names.get(1).unwrap_or(&""),
                if names.len() > 1 { pt[1] } else { f64::NAN }
            ))?,
            None => {
                let coords: Vec<String> = pt[..names.len()].iter().map(|c| c.to_string()).collect();
                super::out(&format!("{},{v}\n", coords.join(",")))?;
            }
        }
    }
    Ok(())
}

/// Overlaid courses: for each (parameter, values), one course per value.
fn courses(req: &SimRequest, list: &[(String, Vec<f64>)], format: &str) -> Result<(), CliError> {
    let sampling = match &req.sampling {
        Sampling::Steps => Sampling::Every(0.25),
        s => s.clone(),
    };
    let mut json_out = Vec::new();
    let mut header_done = false;
    for (name, values) in list {
        for v in values {
            let mut sets = req.sets.clone();
            sets.push((name.clone(), v.to_string()));
            let r = SimRequest {
                sets,
                sampling: sampling.clone(),
                ..req.clone()
            };
            let t = marrow::simulate(&r).map_err(model_error)?;
            if format == "json" {
                let rows: Vec<&[f64]> = (0..t.n_rows()).map(|i| t.row(i)).collect();
                json_out.push(serde_json::json!({
                    "param": name, "value": v, "columns": t.columns, "rows": rows,
                }));
            } else {
                if !header_done {
                    super::out(&format!("param,value,{}\n", t.columns.join(",")))?;
                    header_done = true;
                }
                for i in 0..t.n_rows() {
                    let cells: Vec<String> = t.row(i).iter().map(|c| c.to_string()).collect();
                    super::out(&format!("{name},{v},{}\n", cells.join(",")))?;
                }
            }
        }
    }
    if format == "json" {
        super::out(&format!("{}\n", serde_json::Value::Array(json_out)))?;
    }
    Ok(())
}
