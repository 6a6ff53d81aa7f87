//! The native command line: argument parsing and subcommand dispatch. Each
//! subcommand lives in its own file and calls the core; errors become one
//! plain line on stderr and exit code 2 (bad input) or 1 (failed run).

pub mod args;
pub mod simulate;
pub mod sweep;

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
    sweep       Parameter sweeps and the Fig. 7 experiment (marrow model)
    help        Show this help (also --help, -h)
    version     Show the version (also --version, -V)

Run `cartsim <COMMAND> --help` for a command's options.
";

/// Run the CLI with `args` (without the program name); returns the exit code.
pub fn main(args: Vec<String>) -> i32 {
    match run(&args) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("cartsim: {}", e.message);
            e.code
        }
    }
}

fn run(args: &[String]) -> Result<(), CliError> {
    let Some(cmd) = args.first() else {
        print!("{HELP}");
        return Ok(());
    };
    match cmd.as_str() {
        "help" | "--help" | "-h" => {
            print!("{HELP}");
            Ok(())
        }
        "version" | "--version" | "-V" => {
            println!("cartsim {}", env!("CARGO_PKG_VERSION"));
            Ok(())
        }
        "simulate" => simulate::run(&args[1..]),
        "sweep" => sweep::run_cli(&args[1..]),
        other => Err(CliError::usage(format!(
            "unknown command '{other}'; run `cartsim --help` for the list"
        ))),
    }
}
