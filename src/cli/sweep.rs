//! `cartsim sweep`: parameter sweeps and the Fig. 7 experiment of the
//! bone-marrow model.

use super::args::Args;
use super::shard::{self, Job};
use super::simulate::{format_from_args, model_error, model_from_args, request_from_args};
use super::CliError;
use crate::model::marrow::{self, PresetSweep, Scenario};
use crate::model::Registry;
use crate::model::{Sampling, SimRequest};
use crate::sweep::marrow::{fig7_grid, summarize, HRange, MarrowEval, Metrics, Outcome};
use crate::sweep::{run_part, Axis, Grid, SweepError};
use std::ops::Range;
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
    --shard i/n        grid sweeps: compute shard i (0 to n-1) of the points and print a
                       partial result for `cartsim merge`
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
    let (owned, shard) = shard::take_shard(&owned)?;
    if let Some(job) = SweepJob::parse(&owned, reg)? {
        let text = shard::run("sweep", &owned, shard, &job)?;
        return super::out(&text);
    }
    if shard.is_some() {
        return Err(CliError::usage(
            "--shard splits grid sweeps (--outcome, fig6, --experiment fig7), not overlaid courses",
        ));
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

    let pre = marrow::preset(&req.preset).map_err(model_error)?;
    let _ = (&base, experiment, h_range, peak_window, n, outcome);
    match x {
        Some(xs) => {
            if y.is_some() {
                return Err(CliError::usage("a 2-D sweep needs --outcome"));
            }
            let axis = Axis::parse(&xs).map_err(sweep_error)?;
            courses(&req, &[(axis.name.clone(), axis.values())], &format)
        }
        None => match pre.sweep {
            PresetSweep::Courses(list) => {
                let owned: Vec<(String, Vec<f64>)> = list
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_vec()))
                    .collect();
                courses(&req, &owned, &format)
            }
            PresetSweep::Heatmaps(_) | PresetSweep::Fig7 => Err(CliError::usage(
                "for Fig. 7 use --experiment fig7",
            )),
            PresetSweep::None => Err(CliError::usage(format!(
                "preset '{}' is a single course; give --x (and --outcome) or use `cartsim simulate`",
                pre.name
            ))),
        },
    }
}

/// What a grid sweep computes.
enum Plan {
    /// The Fig. 7 experiment.
    Fig7(HRange),
    /// Outcome maps: one grid (`--x [--y]`) or fig6's heatmaps.
    Maps {
        grids: Vec<Grid>,
        outcome: Outcome,
        heatmaps: bool,
    },
}

/// A parsed grid sweep (`--outcome`, fig6's heatmaps, `--experiment fig7`):
/// its points are the items a shard splits.
pub struct SweepJob {
    base: Scenario,
    req: SimRequest,
    window: f64,
    format: String,
    plan: Plan,
    first_error: std::sync::Mutex<Option<String>>,
}

/// Numbers per point: 1 when it solved, then the outcome (maps) or the
/// marrow metrics l30, c0, c_peak, tpeak (Fig. 7).
const FIG7_WIDTH: usize = 5;
const MAP_WIDTH: usize = 2;

impl SweepJob {
    /// The grid sweep of these arguments (with `--preset` filled in), or
    /// `None` for overlaid courses (not sharded).
    pub fn parse(args: &[String], reg: &Registry) -> Result<Option<SweepJob>, CliError> {
        let mut a = Args::parse(args, &[])?;
        let model = model_from_args(&mut a, reg)?;
        let experiment = a.value("experiment");
        let h_range = a.value("h-range");
        let window = a.number("peak-window")?.unwrap_or(30.0);
        let x = a.value("x");
        let y = a.value("y");
        let outcome = a.value("outcome");
        let n = a.number("n")?;
        let req = request_from_args(&mut a)?;
        let default_format = if experiment.is_some() { "json" } else { "csv" };
        let format = format_from_args(&mut a, default_format)?;
        a.finish()?;
        let base = marrow::scenario_of(model, &req).map_err(model_error)?;
        let plan = if let Some(exp) = experiment {
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
            Plan::Fig7(h)
        } else {
            let pre = marrow::preset(&req.preset).map_err(model_error)?;
            match (x, outcome) {
                (Some(xs), Some(o)) => {
                    let mut axes = vec![Axis::parse(&xs).map_err(sweep_error)?];
                    if let Some(ys) = y {
                        axes.push(Axis::parse(&ys).map_err(sweep_error)?);
                    }
                    Plan::Maps {
                        grids: vec![Grid::new(axes).map_err(sweep_error)?],
                        outcome: Outcome::parse(&o).map_err(sweep_error)?,
                        heatmaps: false,
                    }
                }
                (None, o) => {
                    let PresetSweep::Heatmaps(maps) = pre.sweep else {
                        if o.is_some() {
                            return Err(CliError::usage(
                                "--outcome needs --x (and optionally --y), or --preset fig6",
                            ));
                        }
                        return Ok(None);
                    };
                    let outcome = match o {
                        Some(o) => Outcome::parse(&o).map_err(sweep_error)?,
                        None => Outcome::Log10L30,
                    };
                    Plan::Maps {
                        grids: heatmap_grids(maps, n)?,
                        outcome,
                        heatmaps: true,
                    }
                }
                (Some(_), None) => return Ok(None),
            }
        };
        Ok(Some(SweepJob {
            base,
            req,
            window,
            format,
            plan,
            first_error: std::sync::Mutex::new(None),
        }))
    }

    fn grids(&self) -> Vec<Grid> {
        match &self.plan {
            Plan::Fig7(h) => vec![fig7_grid(*h)],
            Plan::Maps { grids, .. } => grids.clone(),
        }
    }

    fn note_error(&self, e: &crate::model::ModelError) {
        if let Ok(mut f) = self.first_error.lock() {
            f.get_or_insert_with(|| e.to_string());
        }
    }
}

fn heatmap_grids(maps: &[(&str, &str)], n: Option<f64>) -> Result<Vec<Grid>, CliError> {
    let n = match n {
        None => None,
        Some(v) if (1.0..=2000.0).contains(&v) && v.fract() == 0.0 => Some(v as usize),
        Some(v) => return Err(CliError::usage(format!("--n must be 1 to 2000, got {v}"))),
    };
    maps.iter()
        .map(|(xs, ys)| {
            let mut ax = Axis::parse(xs).map_err(sweep_error)?;
            let mut ay = Axis::parse(ys).map_err(sweep_error)?;
            if let Some(n) = n {
                ax.n = n;
                ay.n = n;
            }
            Grid::new(vec![ax, ay]).map_err(sweep_error)
        })
        .collect()
}

impl Job for SweepJob {
    fn items(&self) -> usize {
        self.grids().iter().map(|g| g.len()).sum()
    }
    fn width(&self) -> usize {
        match self.plan {
            Plan::Fig7(_) => FIG7_WIDTH,
            Plan::Maps { .. } => MAP_WIDTH,
        }
    }
    fn compute(&self, range: Range<usize>) -> Result<(Vec<f64>, Vec<f64>), CliError> {
        let start = Instant::now();
        let mut v = Vec::new();
        let mut offset = 0;
        for grid in self.grids() {
            let (lo, hi) = (range.start.max(offset), range.end.min(offset + grid.len()));
            offset += grid.len();
            if lo >= hi {
                continue;
            }
            let names: Vec<&str> = grid.axes.iter().map(|a| a.name.as_str()).collect();
            let ev = MarrowEval::new(&self.base, &names, &self.req.settings, self.window)
                .map_err(model_error)?;
            let part = lo - (offset - grid.len())..hi - (offset - grid.len());
            match &self.plan {
                Plan::Fig7(_) => {
                    for r in run_part(&grid, &ev, part) {
                        match r {
                            Ok(m) => v.extend([1.0, m.l30, m.c0, m.c_peak, m.tpeak]),
                            Err(e) => {
                                self.note_error(&e);
                                v.extend([0.0, f64::NAN, f64::NAN, f64::NAN, f64::NAN]);
                            }
                        }
                    }
                }
                Plan::Maps { outcome, .. } => {
                    let ev = if outcome.needs_peak() {
                        ev
                    } else {
                        ev.day30_only()
                    };
                    for r in run_part(&grid, &ev, part) {
                        match r {
                            Ok(m) => v.extend([1.0, m.get(*outcome)]),
                            Err(e) => {
                                self.note_error(&e);
                                v.extend([0.0, f64::NAN]);
                            }
                        }
                    }
                }
            }
        }
        Ok((v, vec![start.elapsed().as_secs_f64()]))
    }
    fn finish(&self, values: &[f64], timings: &[f64]) -> Result<String, CliError> {
        let first = self.first_error.lock().ok().and_then(|f| f.clone());
        let report_failures = |failed: usize, total: usize| {
            if failed > 0 {
                match &first {
                    Some(e) => eprintln!("cartsim: {failed} of {total} points failed; first: {e}"),
                    None => eprintln!("cartsim: {failed} of {total} points failed"),
                }
            }
        };
        match &self.plan {
            Plan::Fig7(h) => {
                let results: Vec<Result<Metrics, crate::model::ModelError>> = values
                    .chunks(FIG7_WIDTH)
                    .map(|r| {
                        if r[0] == 1.0 {
                            Ok(Metrics {
                                l30: r[1],
                                c0: r[2],
                                c_peak: r[3],
                                tpeak: r[4],
                            })
                        } else {
                            Err(crate::model::ModelError::Invalid("failed".into()))
                        }
                    })
                    .collect();
                let report = summarize(*h, &results, self.window);
                let mut v =
                    serde_json::to_value(&report).map_err(|e| CliError::failed(e.to_string()))?;
                v["seconds"] = serde_json::json!(timings.first().copied().unwrap_or(0.0));
                if self.format == "json" {
                    return Ok(format!("{v}\n"));
                }
                let mut s = String::from("name,value\n");
                if let Some(obj) = v.as_object() {
                    for (k, val) in obj {
                        if !val.is_object() {
                            s.push_str(&format!("{k},{val}\n"));
                        }
                    }
                }
                Ok(s)
            }
            Plan::Maps {
                grids,
                outcome,
                heatmaps,
            } => {
                let mut s = String::new();
                let mut offset = 0;
                let json = self.format == "json";
                if *heatmaps {
                    if json {
                        s.push('[');
                    } else {
                        s.push_str(&format!("map,x_name,x,y_name,y,{}\n", outcome.name()));
                    }
                }
                for (k, grid) in grids.iter().enumerate() {
                    let rows = &values[offset * MAP_WIDTH..(offset + grid.len()) * MAP_WIDTH];
                    offset += grid.len();
                    let failures = rows.chunks(MAP_WIDTH).filter(|r| r[0] != 1.0).count();
                    report_failures(failures, grid.len());
                    let vals: Vec<f64> = rows.chunks(MAP_WIDTH).map(|r| r[1]).collect();
                    if json && k > 0 {
                        s.push(',');
                    }
                    let map = heatmaps.then_some(k);
                    s.push_str(&format_map(
                        grid,
                        &vals,
                        failures,
                        *outcome,
                        &self.format,
                        map,
                    ));
                }
                if *heatmaps && json {
                    s.push_str("]\n");
                }
                Ok(s)
            }
        }
    }
}

fn format_map(
    grid: &Grid,
    values: &[f64],
    failures: usize,
    o: Outcome,
    format: &str,
    map: Option<usize>,
) -> String {
    let names: Vec<&str> = grid.axes.iter().map(|a| a.name.as_str()).collect();
    if format == "json" {
        let v = serde_json::json!({
            "axes": grid.axes,
            "outcome": o.name(),
            "values": values,
            "failures": failures,
        });
        let s = v.to_string();
        return if map.is_some() { s } else { format!("{s}\n") };
    }
    let mut s = String::new();
    if map.is_none() {
        s.push_str(&format!("{},{}\n", names.join(","), o.name()));
    }
    let mut pt = [0.0; crate::sweep::MAX_AXES];
    for (i, v) in values.iter().enumerate() {
        grid.point(i, &mut pt);
        match map {
            Some(k) => s.push_str(&format!(
                "{k},{},{},{},{},{v}\n",
                names[0],
                pt[0],
                names.get(1).unwrap_or(&""),
                if names.len() > 1 { pt[1] } else { f64::NAN }
            )),
            None => {
                let coords: Vec<String> = pt[..names.len()].iter().map(|c| c.to_string()).collect();
                s.push_str(&format!("{},{v}\n", coords.join(",")));
            }
        }
    }
    s
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
