//! The native command line: argument parsing and subcommand dispatch. Each
//! subcommand lives in its own file and calls the core; errors become one
//! plain line on stderr and exit code 2 (bad input) or 1 (failed run).

pub mod args;
pub mod cohort;
pub mod compare;
pub mod fit;
pub mod metrics;
pub mod sensitivity;
pub mod shard;
pub mod simulate;
pub mod sweep;

use crate::model::Registry;
use std::fmt;

/// A command-line failure: a message and an exit code.
#[derive(Debug)]
pub struct CliError {
    /// Exit code: 2 for bad input, 1 for a run that failed.
    pub code: i32,
    /// One line for the user.
    pub message: String,
}

impl CliError {
    /// Bad input (exit code 2).
    pub fn usage(msg: impl Into<String>) -> Self {
        CliError {
            code: 2,
            message: msg.into(),
        }
    }
    /// A run that failed (exit code 1).
    pub fn failed(msg: impl Into<String>) -> Self {
        CliError {
            code: 1,
            message: msg.into(),
        }
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// Top-level help text.
pub const HELP: &str = "\
cartsim — CAR T-cell therapy simulator (Liu et al. 2021 clinical model, Martínez-Rubio et al. 2021 bone-marrow model)

USAGE:
    cartsim <COMMAND> [OPTIONS]

COMMANDS:
    simulate    Simulate one patient course (CSV or JSON)
    metrics     Metrics and response class of one clinical course (JSON or CSV)
    compare     Compare runs: a preset and up to 6 changed runs, metrics side by side
    trial       Virtual trial of early prediction, both methods (clinical model)
    bands       FT/FP response-probability bands from a virtual cohort
    predict     Predict a patient's response from day 0-7 data
    fit         Fit the model to a patient's measurements (CSV), with 95% intervals
    sweep       Parameter sweeps and the Fig. 7 experiment (marrow model)
    sensitivity Which parameters drive an output: local, Morris and Sobol indices
    merge       Combine the partial results of `--shard i/n` runs into the full output
    help        Show this help (also --help, -h)
    version     Show the version (also --version, -V)

Run `cartsim <COMMAND> --help` for a command's options.
";

/// Run the CLI with `args` (without the program name); returns the exit code.
pub fn main(args: Vec<String>) -> i32 {
    match run(&args, Registry::builtin()) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("cartsim: {}", e.message);
            e.code
        }
    }
}

/// Run a command line with the models of `reg` (the built-in ones for the
/// `cartsim` binary; tests add their own).
pub fn run(args: &[String], reg: &Registry) -> Result<(), CliError> {
    let Some(cmd) = args.first() else {
        out(HELP)?;
        return Ok(());
    };
    match cmd.as_str() {
        "help" | "--help" | "-h" => {
            out(HELP)?;
            Ok(())
        }
        "version" | "--version" | "-V" => {
            out(&format!("cartsim {}\n", env!("CARGO_PKG_VERSION")))?;
            Ok(())
        }
        "simulate" => simulate::run(&args[1..], reg),
        "metrics" => metrics::run(&args[1..], reg),
        "compare" => compare::run(&args[1..], reg),
        "trial" => cohort::run_trial(&args[1..]),
        "bands" => cohort::run_bands(&args[1..]),
        "predict" => cohort::run_predict(&args[1..]),
        "fit" => fit::run(&args[1..], reg),
        "sweep" => sweep::run_cli(&args[1..], reg),
        "sensitivity" => sensitivity::run(&args[1..], reg),
        "merge" => run_merge(&args[1..], reg),
        other => Err(CliError::usage(format!(
            "unknown command '{other}'; run `cartsim --help` for the list"
        ))),
    }
}

/// Run `cartsim merge FILES…`.
fn run_merge(args: &[String], reg: &Registry) -> Result<(), CliError> {
    if help_requested(args, shard::HELP)? {
        return Ok(());
    }
    let build = |command: &str, a: &[String]| -> Result<Box<dyn shard::Job>, CliError> {
        match command {
            "sensitivity" => Ok(Box::new(sensitivity::SensitivityJob::parse(a, reg)?)),
            "trial" => Ok(Box::new(cohort::TrialJob::parse(a)?)),
            "sweep" => match sweep::SweepJob::parse(a, reg)? {
                Some(job) => Ok(Box::new(job)),
                None => Err(CliError::usage(
                    "the partial results are not of a grid sweep",
                )),
            },
            other => Err(CliError::usage(format!(
                "the partial results are of '{other}', which merge does not know"
            ))),
        }
    };
    let text = shard::merge(args, &build)?;
    out(&text)
}

/// Write to standard output. A closed pipe (`cartsim … | head`) ends the
/// output quietly instead of panicking; other write errors are failures.
pub fn out(text: &str) -> Result<(), CliError> {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|_| stdout.flush())
    {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(CliError::failed(format!("cannot write the output: {e}"))),
    }
}

/// When `args` ask for help (`--help` or `-h`), print `help` and return true:
/// every subcommand starts with this.
pub fn help_requested(args: &[String], help: &str) -> Result<bool, CliError> {
    if args.iter().any(|a| a == "--help" || a == "-h") {
        out(help)?;
        Ok(true)
    } else {
        Ok(false)
    }
}
