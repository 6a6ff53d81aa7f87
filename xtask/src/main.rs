//! Project tasks for cartsim, run as `cargo xtask <task>` (see `--help`).
//!
//! Plain std on purpose: this program must build on a fresh machine before
//! anything else is installed. One function per task; tool checks and
//! installs live in [`tools`].

mod bench;
mod tools;

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

const HELP: &str = "\
cargo xtask <task> [options]

Tasks:
  serve [--port N] [--release]
        Install missing tools, then `trunk serve` the page on
        http://127.0.0.1:N/ (default port 8080), rebuilding on change
        (reload the browser yourself: the page's Content-Security-Policy
        refuses Trunk's inline auto-reload script).
  dist  Install missing tools, then `trunk build --release --offline`
        into dist/ (a static site: copy it anywhere).
  bench-browser-jobs
        Build the page (as `dist`), then time the job panels in headless
        Chromium (tests/e2e/bench-jobs.mjs): a 200x200 fig6 heatmap, the
        1,600-patient trial with both methods, Fig. 7, and the longest
        main-thread task during each.
  test  Install missing tools (also Chromium, chromedriver and the e2e
        node modules), then run every check in order, stopping at the
        first failure: rustfmt, clippy (native), native tests, clippy
        (wasm32), wasm tests in headless Chromium, the release page build,
        and the end-to-end browser tests against dist/.
  bench-trial [--runs N]
        The full 1,600-patient virtual trial of early prediction with both
        methods (`cartsim trial --seed 1`, release build), N times (default
        3); writes the wall times into BENCHMARKS.md.
  fuzz [--cases N] [--solves N] [--seed S]
        The long run of the property tests of every input path
        (tests/fuzz.rs, release build): by default 5,000,000 random links,
        parameter assignments and unit conversions, 500,000 scenario files
        and round trips, 5,000 random clinical and 1,250 marrow parameter
        sets. Prints the duration and the result.
  bench-peers [--quick]
        cartsim against ode_solvers, scipy (RK45, LSODA) and libroadrunner
        (CVODE) on the benchmark problems; Python peers in target/bench/venv.
        Writes target/bench/peers.json and the tables in BENCHMARKS.md.
  bench-browser
        cartsim's wasm solver against npm odex in headless Chromium, bundle
        size and time to first chart; target/bench/browser.json, BENCHMARKS.md.

Tools installed when missing or at the wrong version (each skipped when
already right): the wasm32-unknown-unknown target (rustup), Trunk 0.21.x
and wasm-bindgen-cli at Cargo.lock's wasm-bindgen version (cargo install),
wasm-opt from npm binaryen@132 (into target/tools), node/npm, and for
`test` chromium + chromium-driver (apt-get) and tests/e2e's node modules
(npm ci; playwright-core only, no browser download).
";

/// A failed step, with a message for the person at the terminal.
#[derive(Debug)]
pub struct Fail(String);

impl Fail {
    /// A failure with this message.
    pub fn new(msg: impl Into<String>) -> Self {
        Fail(msg.into())
    }
}

/// Where the workspace lives.
pub struct Workspace {
    /// The repository root (the directory holding the workspace Cargo.toml).
    pub root: PathBuf,
}

impl Workspace {
    fn locate() -> Workspace {
        let xtask_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
        let root = xtask_dir.parent().unwrap_or(xtask_dir).to_path_buf();
        Workspace { root }
    }

    fn dist(&self) -> PathBuf {
        self.root.join("dist")
    }

    fn parity_file(&self) -> PathBuf {
        self.root.join("target").join("parity").join("native.txt")
    }
}

/// Run a command in the foreground, echoing it first; fail on a non-zero exit.
pub fn run(cmd: &mut Command) -> Result<(), Fail> {
    let shown = describe(cmd);
    println!("$ {shown}");
    let status = cmd
        .status()
        .map_err(|e| Fail::new(format!("could not start `{shown}`: {e}")))?;
    if status.success() {
        Ok(())
    } else {
        Err(Fail::new(format!("`{shown}` failed ({status})")))
    }
}

fn describe(cmd: &Command) -> String {
    let mut parts = vec![cmd.get_program().to_string_lossy().to_string()];
    parts.extend(cmd.get_args().map(|a| a.to_string_lossy().to_string()));
    parts.join(" ")
}

/// PATH with `dir` in front (so Trunk finds our wasm-opt before any other).
fn path_with(dir: &Path) -> OsString {
    let mut paths = vec![dir.to_path_buf()];
    if let Some(old) = std::env::var_os("PATH") {
        paths.extend(std::env::split_paths(&old));
    }
    std::env::join_paths(paths).unwrap_or_else(|_| dir.as_os_str().to_os_string())
}

/// A `cargo …` command run from the workspace root.
fn cargo(ws: &Workspace, args: &[&str]) -> Command {
    let mut cmd = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    cmd.args(args).current_dir(&ws.root);
    cmd
}

/// Time the full virtual trial natively and record it in BENCHMARKS.md.
fn task_bench_trial(ws: &Workspace, runs: u32) -> Result<(), Fail> {
    run(&mut cargo(ws, &["build", "--release", "--bin", "cartsim"]))?;
    let bin = ws.root.join("target/release/cartsim");
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let mut rows = Vec::new();
    for noise in ["0", "0.2"] {
        let mut times = Vec::new();
        let mut cpu = String::new();
        for _ in 0..runs {
            let start = std::time::Instant::now();
            let out = Command::new(&bin)
                .args([
                    "trial",
                    "--seed",
                    "1",
                    "--noise-cv",
                    noise,
                    "--format",
                    "json",
                ])
                .output()
                .map_err(|e| Fail::new(format!("cannot run {}: {e}", bin.display())))?;
            if !out.status.success() {
                return Err(Fail::new(format!(
                    "cartsim trial failed: {}",
                    String::from_utf8_lossy(&out.stderr)
                )));
            }
            times.push(start.elapsed().as_secs_f64());
            let text = String::from_utf8_lossy(&out.stdout);
            // The per-method seconds, read without a JSON dependency.
            cpu = ["paper", "bayes"]
                .iter()
                .filter_map(|m| {
                    let at = text.find(&format!("\"method\": \"{m}\""))?;
                    let rest = &text[at..];
                    let s = rest.find("\"seconds\": ")? + 11;
                    let end = rest[s..].find([',', '\n', '}'])? + s;
                    Some(format!(
                        "{m} {:.2} s",
                        rest[s..end].trim().parse::<f64>().ok()?
                    ))
                })
                .collect::<Vec<_>>()
                .join(", ");
        }
        times.sort_by(f64::total_cmp);
        let median = times[times.len() / 2];
        println!("trial, noise CV {noise}: median {median:.2} s over {runs} runs ({cpu})");
        rows.push(format!(
            "| {noise} | {median:.2} | {:.2} – {:.2} | {cpu} |",
            times[0],
            times[times.len() - 1]
        ));
    }
    let section =
        format!(
        "Generated by `cargo xtask bench-trial` (release build; {runs} runs each; load average \
         at start: {}; {} CPUs).\n\n\
         The full virtual trial of [L] Fig. 7: 1,600 virtual patients simulated to day 180, \
         the Bayesian prior bank (4 × 4,000 patients) built and simulated, a posterior for \
         every patient, and the paper's Levenberg–Marquardt fit and forecast for every patient; \
         rayon on every core. Target: < 10 s.\n\n\
         | noise CV | median wall (s) | range (s) | time inside each method (last run) |\n\
         |---|---:|---:|---|\n{}\n",
        load.split_whitespace().take(3).collect::<Vec<_>>().join(" "),
        std::thread::available_parallelism().map_or(1, |n| n.get()),
        rows.join("\n")
    );
    write_section(
        &ws.root.join("BENCHMARKS.md"),
        "bench-trial",
        "Native virtual trial (issue 9)",
        &section,
    )
}

/// Replace the text between `<!-- NAME:begin -->` and `<!-- NAME:end -->`
/// in `path`, or append the section under `title` when the markers are absent.
fn write_section(path: &std::path::Path, name: &str, title: &str, body: &str) -> Result<(), Fail> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let (begin, end) = (
        format!("<!-- {name}:begin -->"),
        format!("<!-- {name}:end -->"),
    );
    let block = format!("{begin}\n{body}{end}");
    let new = match (text.find(&begin), text.find(&end)) {
        (Some(a), Some(b)) if b > a => format!("{}{block}{}", &text[..a], &text[b + end.len()..]),
        _ => format!("{}\n## {title}\n\n{block}\n", text.trim_end()),
    };
    std::fs::write(path, new)
        .map_err(|e| Fail::new(format!("cannot write {}: {e}", path.display())))?;
    println!("wrote the {name} section of {}", path.display());
    Ok(())
}

/// The long property-test run (tests/fuzz.rs in release).
fn task_fuzz(ws: &Workspace, cases: u64, solves: u64, seed: u64) -> Result<(), Fail> {
    println!("cargo xtask fuzz: {cases} cases, {solves} solves, seed {seed}");
    let start = std::time::Instant::now();
    let result = run(cargo(
        ws,
        &["test", "--release", "--test", "fuzz", "--", "--nocapture"],
    )
    .env("CARTSIM_FUZZ_CASES", cases.to_string())
    .env("CARTSIM_FUZZ_SOLVES", solves.to_string())
    .env("CARTSIM_FUZZ_SEED", seed.to_string()));
    let secs = start.elapsed().as_secs_f64();
    match &result {
        Ok(()) => println!("cargo xtask fuzz: passed in {secs:.1} s"),
        Err(_) => {
            println!("cargo xtask fuzz: FAILED after {secs:.1} s (replay with --seed {seed})")
        }
    }
    result
}

/// `trunk build --release --offline` into dist/.
fn trunk_build(ws: &Workspace, web: &tools::WebTools) -> Result<(), Fail> {
    let dist = ws.dist();
    run(Command::new("trunk")
        .args(["build", "--release", "--offline", "--dist"])
        .arg(&dist)
        .current_dir(&ws.root)
        .env("PATH", path_with(&web.wasm_opt_dir)))
}

fn task_serve(ws: &Workspace, port: u16, release: bool) -> Result<(), Fail> {
    let web = tools::ensure_web_tools(ws)?;
    let url = format!("http://127.0.0.1:{port}/");
    println!();
    println!("cartsim: serving the page at {url}  (Ctrl-C to stop)");
    println!();
    let mut cmd = Command::new("trunk");
    // No auto-reload: Trunk injects it as an inline script, which the
    // page's Content-Security-Policy (script-src 'self') refuses.
    cmd.args(["serve", "--offline", "--disable-address-lookup"])
        .args(["--no-autoreload", "true"])
        .args(["--address", "127.0.0.1", "--port"])
        .arg(port.to_string())
        .current_dir(&ws.root)
        .env("PATH", path_with(&web.wasm_opt_dir));
    if release {
        cmd.arg("--release");
    }
    println!("$ {}", describe(&cmd));
    let status = cmd
        .status()
        .map_err(|e| Fail::new(format!("could not start trunk: {e}")))?;
    // Stopped by Ctrl-C or a signal (no exit code): a normal way to end serving.
    match status.code() {
        None | Some(0) => {
            println!("cartsim: server stopped");
            Ok(())
        }
        Some(code) => Err(Fail::new(format!("trunk serve failed (exit code {code})"))),
    }
}

fn task_dist(ws: &Workspace) -> Result<(), Fail> {
    let web = tools::ensure_web_tools(ws)?;
    trunk_build(ws, &web)?;
    println!("cartsim: static site written to {}", ws.dist().display());
    Ok(())
}

fn task_bench_browser_jobs(ws: &Workspace) -> Result<(), Fail> {
    task_dist(ws)?;
    tools::ensure_chromium()?;
    tools::ensure_e2e_deps(ws)?;
    run(Command::new("node")
        .args(["tests/e2e/bench-jobs.mjs"])
        .current_dir(&ws.root)
        .env("CARTSIM_DIST", ws.dist())
        .env("CARTSIM_CHROMIUM", tools::CHROMIUM))
}

fn task_test(ws: &Workspace) -> Result<(), Fail> {
    let started = Instant::now();
    let mut passed: Vec<(&str, Duration)> = Vec::new();
    let mut step = |name: &'static str, f: &mut dyn FnMut() -> Result<(), Fail>| {
        println!("\n=== {name} ===");
        let t = Instant::now();
        f().map_err(|Fail(msg)| Fail(format!("step '{name}' failed: {msg}")))?;
        passed.push((name, t.elapsed()));
        Ok::<(), Fail>(())
    };

    let mut web = None;
    step("tools", &mut || {
        web = Some(tools::ensure_web_tools(ws)?);
        tools::ensure_chromium()?;
        tools::ensure_e2e_deps(ws)
    })?;
    let web = web.ok_or_else(|| Fail::new("tools were not set up"))?;
    let parity = ws.parity_file();

    step("rustfmt", &mut || {
        run(&mut cargo(ws, &["fmt", "--all", "--", "--check"]))
    })?;
    step("clippy (native)", &mut || {
        run(&mut cargo(
            ws,
            &[
                "clippy",
                "--workspace",
                "--all-targets",
                "--",
                "-D",
                "warnings",
            ],
        ))
    })?;
    step("native tests", &mut || {
        // tests/parity.rs rewrites this file; never compare against a stale one.
        let _ = std::fs::remove_file(&parity);
        run(&mut cargo(ws, &["test", "--workspace"]))?;
        if parity.exists() {
            Ok(())
        } else {
            Err(Fail::new(format!(
                "the native tests did not write {}",
                parity.display()
            )))
        }
    })?;
    step("clippy (wasm32)", &mut || {
        run(cargo(
            ws,
            &[
                "clippy",
                "--target",
                "wasm32-unknown-unknown",
                "--all-targets",
                "--",
                "-D",
                "warnings",
            ],
        )
        .env("CARTSIM_NATIVE_PARITY", &parity))
    })?;
    step("wasm tests (headless Chromium)", &mut || {
        run(cargo(
            ws,
            &[
                "test",
                "--target",
                "wasm32-unknown-unknown",
                "--test",
                "wasm",
            ],
        )
        .env("CHROMEDRIVER", tools::CHROMEDRIVER)
        .env("CARTSIM_NATIVE_PARITY", &parity))
    })?;
    step("release page build (trunk)", &mut || trunk_build(ws, &web))?;
    step("end-to-end tests", &mut || {
        run(Command::new("node")
            .args(["--test", "tests/e2e/"])
            .current_dir(&ws.root)
            .env("CARTSIM_DIST", ws.dist())
            .env("CARTSIM_CHROMIUM", tools::CHROMIUM))
    })?;

    println!("\n=== summary ===");
    for (name, took) in &passed {
        println!("  ok  {name:<32} {:>7.1} s", took.as_secs_f64());
    }
    println!(
        "cargo xtask test: all {} steps passed in {:.1} s",
        passed.len(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// The parsed command line.
enum Task {
    Help,
    Serve { port: u16, release: bool },
    Dist,
    Test,
    Fuzz { cases: u64, solves: u64, seed: u64 },
    BenchTrial { runs: u32 },
    BenchPeers { quick: bool },
    BenchBrowser,
    BenchBrowserJobs,
}

fn parse(args: &[String]) -> Result<Task, Fail> {
    let Some((task, rest)) = args.split_first() else {
        return Ok(Task::Help);
    };
    let no_options = |task: Task| match rest.first() {
        None => Ok(task),
        Some(extra) => Err(Fail::new(format!("unexpected argument '{extra}'"))),
    };
    match task.as_str() {
        "-h" | "--help" | "help" => Ok(Task::Help),
        "dist" => no_options(Task::Dist),
        "test" => no_options(Task::Test),
        "bench-trial" => match rest {
            [] => Ok(Task::BenchTrial { runs: 3 }),
            [flag, n] if flag == "--runs" => n
                .parse()
                .ok()
                .filter(|n| *n >= 1)
                .map(|runs| Task::BenchTrial { runs })
                .ok_or_else(|| Fail::new("--runs needs a whole number ≥ 1")),
            _ => Err(Fail::new("bench-trial takes only --runs N")),
        },
        "fuzz" => {
            let (mut cases, mut solves, mut seed) = (5_000_000u64, 5_000u64, 1u64);
            let mut it = rest.iter();
            while let Some(arg) = it.next() {
                let value = |it: &mut std::slice::Iter<String>| -> Result<u64, Fail> {
                    it.next()
                        .and_then(|v| v.parse().ok())
                        .ok_or_else(|| Fail::new(format!("{arg} needs a whole number")))
                };
                match arg.as_str() {
                    "--cases" => cases = value(&mut it)?,
                    "--solves" => solves = value(&mut it)?,
                    "--seed" => seed = value(&mut it)?,
                    other => return Err(Fail::new(format!("unknown fuzz option '{other}'"))),
                }
            }
            Ok(Task::Fuzz {
                cases,
                solves,
                seed,
            })
        }
        "bench-peers" => match rest {
            [] => Ok(Task::BenchPeers { quick: false }),
            [q] if q == "--quick" => Ok(Task::BenchPeers { quick: true }),
            _ => Err(Fail::new("bench-peers takes only --quick")),
        },
        "bench-browser" => no_options(Task::BenchBrowser),
        "bench-browser-jobs" => no_options(Task::BenchBrowserJobs),
        "serve" => {
            let (mut port, mut release) = (8080u16, false);
            let mut it = rest.iter();
            while let Some(arg) = it.next() {
                match arg.as_str() {
                    "--release" => release = true,
                    "--port" => {
                        let value = it
                            .next()
                            .ok_or_else(|| Fail::new("--port needs a number"))?;
                        port = value.parse().ok().filter(|p| *p != 0).ok_or_else(|| {
                            Fail::new(format!("--port wants a number 1-65535, got '{value}'"))
                        })?;
                    }
                    other => return Err(Fail::new(format!("unknown serve option '{other}'"))),
                }
            }
            Ok(Task::Serve { port, release })
        }
        other => Err(Fail::new(format!("unknown task '{other}'"))),
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let ws = Workspace::locate();
    let result = parse(&args).and_then(|task| match task {
        Task::Help => {
            print!("{HELP}");
            Ok(())
        }
        Task::Serve { port, release } => task_serve(&ws, port, release),
        Task::Dist => task_dist(&ws),
        Task::Test => task_test(&ws),
        Task::Fuzz {
            cases,
            solves,
            seed,
        } => task_fuzz(&ws, cases, solves, seed),
        Task::BenchTrial { runs } => task_bench_trial(&ws, runs),
        Task::BenchPeers { quick } => bench::bench_peers(&ws, quick),
        Task::BenchBrowser => bench::bench_browser(&ws),
        Task::BenchBrowserJobs => task_bench_browser_jobs(&ws),
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Fail(msg)) => {
            eprintln!("\nxtask: error: {msg}");
            if args.first().map(String::as_str) != Some("test") {
                eprintln!("(run `cargo xtask --help` for usage)");
            }
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn parses_tasks_and_options() {
        assert!(matches!(parse(&[]), Ok(Task::Help)));
        assert!(matches!(parse(&args(&["test"])), Ok(Task::Test)));
        assert!(matches!(parse(&args(&["dist"])), Ok(Task::Dist)));
        assert!(matches!(
            parse(&args(&["serve"])),
            Ok(Task::Serve {
                port: 8080,
                release: false
            })
        ));
        assert!(matches!(
            parse(&args(&["serve", "--release", "--port", "9000"])),
            Ok(Task::Serve {
                port: 9000,
                release: true
            })
        ));
    }

    #[test]
    fn rejects_bad_arguments() {
        for bad in [
            &["serve", "--port"][..],
            &["serve", "--port", "0"],
            &["serve", "--port", "70000"],
            &["serve", "--bogus"],
            &["test", "extra"],
            &["deploy"],
        ] {
            assert!(parse(&args(bad)).is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn path_with_puts_the_directory_first() {
        let p = path_with(Path::new("/opt/first"));
        let first = std::env::split_paths(&p).next().unwrap();
        assert_eq!(first, PathBuf::from("/opt/first"));
    }
}
