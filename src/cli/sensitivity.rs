//! `cartsim sensitivity`: local, Morris and Sobol sensitivity of any model
//! output (or of a standard test function), as JSON or CSV; shardable.

use super::args::Args;
use super::shard::{self, Job, Shard};
use super::simulate::{format_from_args, model_from_args, request_from_args};
use super::CliError;
use crate::model::{Registry, Sampling};
use crate::sensitivity::{
    self, Design, Labels, Method, ModelTarget, SensitivityError, Spread, Target, TestFunction,
    DEFAULT_SPREAD,
};
use std::ops::Range;

/// Help for `cartsim sensitivity`.
pub const HELP: &str = "\
cartsim sensitivity — which parameters drive an output: local coefficients, Morris, Sobol

USAGE:
    cartsim sensitivity --model M --preset P --output NAME [OPTIONS]
    cartsim sensitivity --function ishigami|sobol-g [--method sobol|morris|local] [OPTIONS]

OPTIONS:
    --output NAME       a key of `cartsim metrics` (clinical: ft, fp, peak, t_peak, auc7,
                        auc28, remission_day, mrd_day, relapse_day; marrow: l30, c_peak,
                        tpeak, fold, responder …), class=LABEL (1 when the course's class
                        is LABEL: its mean is the class's probability, e.g. class=CR), or
                        COLUMN@DAY (a column of `cartsim simulate` at a day, e.g.
                        tumor_burden_pct@28). A day that never happens (no relapse)
                        counts as the horizon; the output says how many rows that was.
    --inputs a,b,c      parameters and initial values to vary (default: every one
                        whose distribution is not a single point)
    --method M          sobol (default), morris or local
    --samples N         Sobol base samples (default 256; N·(k+2) solves) or Morris
                        trajectories (default 20; N·(k+1) solves); not for local
    --distribution D    loguniform (default: [v/F, F·v] around the scenario's value v),
                        range (uniform over the parameter's range, log-uniform for
                        log-scaled parameters) or cohort (Normal(v, (v/3)^2), > 0)
    --spread F          F of the log-uniform spread (default 2)
    --seed S            seed of the Sobol' scrambling, the bootstrap and the Morris
                        trajectories (default 1)
    --set NAME=VALUE    change the scenario (repeatable), as for `cartsim simulate`
    --t-end DAYS, --solver S, --rtol R, --atol A, --dt H   as for `cartsim simulate`
    --function F        a test function with known indices instead of a model:
                        ishigami (a = 7, b = 0.1) or sobol-g (a = 0, 1, 4.5, 9, 99 ×4)
    --shard i/n         compute shard i (0 to n-1) of n and print a partial result
                        for `cartsim merge` (see README: Running large studies)
    --format json|csv   output format (default json)

Local: ∂ln y/∂ln p by central differences in ln p with a step δ = rtol^(1/3)
(0.01 at the default rtol 1e-6), kept inside each parameter's range.
";

/// What is evaluated.
#[derive(Clone)]
enum Which {
    Function(TestFunction),
    Model(Box<ModelTarget>),
}

/// A parsed `cartsim sensitivity` run.
pub struct SensitivityJob {
    design: Design,
    labels: Labels,
    which: Which,
    format: String,
}

fn study_error(e: SensitivityError) -> CliError {
    if e.is_bad_input() {
        CliError::usage(e.to_string())
    } else {
        CliError::failed(e.to_string())
    }
}

impl SensitivityJob {
    /// Parse the arguments (without `--shard`); solves the scenario once to
    /// check the output.
    pub fn parse(args: &[String], reg: &Registry) -> Result<SensitivityJob, CliError> {
        let mut a = Args::parse(args, &[])?;
        let function = a.value("function");
        let method = match a.value("method") {
            None => Method::Sobol,
            Some(m) => Method::parse(&m).ok_or_else(|| {
                CliError::usage(format!("--method '{m}': expected sobol, morris or local"))
            })?,
        };
        let samples = match a.value("samples") {
            None => match method {
                Method::Morris => 20,
                _ => 256,
            },
            Some(s) => {
                if method == Method::Local {
                    return Err(CliError::usage(
                        "--samples is for sobol and morris; local solves 1 + 2k points",
                    ));
                }
                s.parse::<usize>()
                    .ok()
                    .filter(|n| (2..=sensitivity::MAX_SAMPLES).contains(n))
                    .ok_or_else(|| {
                        CliError::usage(format!(
                            "--samples '{s}': expected a whole number from 2 to {}",
                            sensitivity::MAX_SAMPLES
                        ))
                    })?
            }
        };
        let seed = match a.value("seed") {
            None => 1,
            Some(s) => s.parse::<u64>().map_err(|_| {
                CliError::usage(format!("--seed '{s}': expected a whole number ≥ 0"))
            })?,
        };
        let format = format_from_args(&mut a, "json")?;
        if let Some(f) = function {
            let func = TestFunction::parse(&f).ok_or_else(|| {
                CliError::usage(format!("--function '{f}': expected ishigami or sobol-g"))
            })?;
            for flag in [
                "model",
                "preset",
                "output",
                "inputs",
                "distribution",
                "spread",
            ] {
                if a.value(flag).is_some() {
                    return Err(CliError::usage(format!(
                        "--{flag} is for model studies, not --function"
                    )));
                }
            }
            a.finish()?;
            let design = Design {
                method,
                inputs: func.inputs(),
                samples,
                seed,
                local_step: 1e-4,
            };
            sensitivity::check(&design).map_err(study_error)?;
            return Ok(SensitivityJob {
                design,
                labels: Labels {
                    output: func.as_str().to_string(),
                    distribution: "uniform",
                    spread: None,
                    never_value: None,
                },
                which: Which::Function(func),
                format,
            });
        }
        let model = model_from_args(&mut a, reg)?;
        let output = a
            .value("output")
            .ok_or_else(|| CliError::usage("--output NAME is required (e.g. --output fp)"))?;
        let inputs: Option<Vec<String>> = a.value("inputs").map(|s| {
            s.split(',')
                .map(|x| x.trim().to_string())
                .filter(|x| !x.is_empty())
                .collect()
        });
        let factor = a.number("spread")?.unwrap_or(DEFAULT_SPREAD);
        let dist_name = a.value("distribution");
        if dist_name.as_deref().is_some_and(|d| d != "loguniform") && factor != DEFAULT_SPREAD {
            return Err(CliError::usage("--spread is for --distribution loguniform"));
        }
        let spread = Spread::parse(dist_name.as_deref().unwrap_or("loguniform"), factor)
            .ok_or_else(|| {
                CliError::usage(format!(
                    "--distribution '{}': expected loguniform, range or cohort",
                    dist_name.unwrap_or_default()
                ))
            })?;
        let req = request_from_args(&mut a)?;
        a.finish()?;
        if req.sampling != Sampling::Steps {
            return Err(CliError::usage(
                "sensitivity takes no --times or --every; give a day in the output (NAME@DAY)",
            ));
        }
        let spec = sensitivity::StudySpec {
            output,
            inputs,
            method,
            samples,
            spread,
            seed,
        };
        let (design, labels, target) =
            sensitivity::model_study(model, &req, &spec).map_err(study_error)?;
        Ok(SensitivityJob {
            design,
            labels,
            which: Which::Model(Box::new(target)),
            format,
        })
    }

    /// The design.
    pub fn design(&self) -> &Design {
        &self.design
    }
}

impl Job for SensitivityJob {
    fn items(&self) -> usize {
        self.design.rows()
    }
    fn group(&self) -> usize {
        self.design.group()
    }
    fn width(&self) -> usize {
        1
    }
    fn compute(&self, range: Range<usize>) -> Result<(Vec<f64>, Vec<f64>), CliError> {
        fn go<T: Target>(d: &Design, t: &T, r: Range<usize>) -> Result<Vec<f64>, CliError> {
            sensitivity::run_rows(d, t, r).map_err(study_error)
        }
        let y = match &self.which {
            Which::Function(f) => go(&self.design, f, range)?,
            Which::Model(m) => go(&self.design, m.as_ref(), range)?,
        };
        Ok((y, Vec::new()))
    }
    fn finish(&self, values: &[f64], _timings: &[f64]) -> Result<String, CliError> {
        let r = sensitivity::report(&self.design, &self.labels, values);
        Ok(if self.format == "csv" {
            r.to_csv()
        } else {
            r.to_json()
        })
    }
}

/// Run `cartsim sensitivity`.
pub fn run(args: &[String], reg: &Registry) -> Result<(), CliError> {
    if super::help_requested(args, HELP)? {
        return Ok(());
    }
    let (rest, shard): (Vec<String>, Option<Shard>) = shard::take_shard(args)?;
    let job = SensitivityJob::parse(&rest, reg)?;
    let text = shard::run("sensitivity", &rest, shard, &job)?;
    super::out(&text)
}
