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
        1,600-patient trial with both methods, Fig. 7, a Sobol' study
        (clinical cr, fp, every input, N = 1,024: 17,408 solves), and the
        longest main-thread task during each.
  test  Install missing tools (also Chromium, chromedriver and the e2e
        node modules), then run every check in order, stopping at the
        first failure: rustfmt, clippy (native), native tests, clippy
        (wasm32), wasm tests in headless Chromium, the release page build,
        and the end-to-end browser tests against dist/.
  bench-trial [--runs N]
        The full 1,600-patient virtual trial of early prediction with both
        methods (`cartsim trial --seed 1`, release build), N times (default
        3); writes the wall times into BENCHMARKS.md.
  bench-fit [--runs N]
        Fit times of `cartsim fit` (examples/bench_fit.rs, release build):
        4 parameters from 9 and 20 points of each clinical preset, with and
        without profile intervals, median of N fits (default 5); writes the
        table into BENCHMARKS.md.
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
  bench-stiff [--quick]
        The stiff set (Robertson, Van der Pol mu = 1000, a stiff marrow
        set) at matched accuracy: cartsim auto and Rodas4 against diffsol
        (standalone crate bench/stiff-peers), scipy (LSODA, Radau, BDF) and
        libroadrunner CVODE; cartsim auto against DP5 on every preset.
        Writes target/bench/stiff-*.json and the tables in BENCHMARKS.md.
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

/// `cargo xtask bench-fit`: fit times of `cartsim fit`'s core (examples/bench_fit.rs).
fn task_bench_fit(ws: &Workspace, runs: u32) -> Result<(), Fail> {
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let out = cargo(
        ws,
        &[
            "run",
            "--quiet",
            "--release",
            "--example",
            "bench_fit",
            "--",
        ],
    )
    .args(["--runs", &runs.to_string()])
    .output()
    .map_err(|e| Fail::new(format!("cannot run the fit benchmark: {e}")))?;
    if !out.status.success() {
        return Err(Fail::new(format!(
            "the fit benchmark failed: {}",
            String::from_utf8_lossy(&out.stderr)
        )));
    }
    let table = String::from_utf8_lossy(&out.stdout);
    print!("{table}");
    let section =
        format!(
        "Generated by `cargo xtask bench-fit` (release build; median of {runs} fits each; load \
         average at start: {}; one thread).\n\n\
         `cartsim fit`'s core: the four FT parameters (rTA, e, kA, lTA) of the clinical model \
         fitted to each preset's simulated data (20% log-normal noise), default settings: 8 \
         seeded starts, Levenberg–Marquardt in log-parameter space, DOPRI5 at rtol 1e-9, 95% \
         intervals from the Jacobian, and with profile-likelihood intervals. Target: ≤ 1 s \
         (4 parameters, 10–20 points).\n\n{table}",
        load.split_whitespace().take(3).collect::<Vec<_>>().join(" "),
    );
    write_section(
        &ws.root.join("BENCHMARKS.md"),
        "bench-fit",
        "Fitting a patient's data (issue 16)",
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
        .env("PATH", path_with(&web.wasm_opt_dir)))?;
    let build = write_service_worker(&dist)?;
    println!("cartsim: offline files of build {build} listed in dist/sw.js");
    Ok(())
}

/// Make a built `dist` work offline: mark the page's loader so it
/// registers the service worker (`data-sw`), then write the build's id and
/// every file with its SHA-256 into `dist/sw.js` (copied there by Trunk
/// from `www/sw.js`, whose `const BUILD = null;` line this replaces).
/// Returns the build id. `trunk serve` skips this step, so a development
/// build registers no service worker.
fn write_service_worker(dist: &Path) -> Result<String, Fail> {
    let io = |what: &Path, e: std::io::Error| Fail::new(format!("{}: {e}", what.display()));
    let index = dist.join("index.html");
    let html = std::fs::read_to_string(&index).map_err(|e| io(&index, e))?;
    let boot = r#"id="cartsim-boot""#;
    let marked = format!(r#"{boot} data-sw="sw.js""#);
    if !html.contains(&marked) {
        if html.matches(boot).count() != 1 {
            return Err(Fail::new(format!(
                "{}: expected one <script id=\"cartsim-boot\"> (Trunk.toml pattern_script)",
                index.display()
            )));
        }
        let html = html.replacen(boot, &marked, 1);
        std::fs::write(&index, html).map_err(|e| io(&index, e))?;
    }

    let sw = dist.join("sw.js");
    let mut files = Vec::new();
    list_files(dist, "", &mut files).map_err(|e| io(dist, e))?;
    files.retain(|f| f != "sw.js");
    files.sort();
    let mut entries = Vec::new();
    let mut summary = String::new();
    for file in &files {
        let path = dist.join(file);
        let bytes = std::fs::read(&path).map_err(|e| io(&path, e))?;
        let hash = hex(&sha256(&bytes));
        summary.push_str(&format!("{file} {hash}\n"));
        entries.push(format!("{}:\"{hash}\"", json_string(file)));
    }
    let id = hex(&sha256(summary.as_bytes()))[..16].to_string();
    let line = format!(
        "const BUILD = {{\"id\":\"{id}\",\"files\":{{{}}}}};",
        entries.join(",")
    );

    let template = std::fs::read_to_string(&sw).map_err(|e| io(&sw, e))?;
    let placeholder = "const BUILD = null;";
    if template.lines().filter(|l| *l == placeholder).count() != 1 {
        return Err(Fail::new(format!(
            "{}: expected one line `{placeholder}` (from www/sw.js) to fill in",
            sw.display()
        )));
    }
    let filled: Vec<&str> = template
        .lines()
        .map(|l| if l == placeholder { line.as_str() } else { l })
        .collect();
    std::fs::write(&sw, filled.join("\n") + "\n").map_err(|e| io(&sw, e))?;
    Ok(id)
}

/// Every file under `dir` as a path relative to the top (`prefix` so far,
/// '/'-separated), skipping names that start with '.' (Trunk's `.stage`).
fn list_files(dir: &Path, prefix: &str, out: &mut Vec<String>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        let rel = format!("{prefix}{name}");
        if entry.file_type()?.is_dir() {
            list_files(&entry.path(), &format!("{rel}/"), out)?;
        } else {
            out.push(rel);
        }
    }
    Ok(())
}

/// `s` as a JSON string literal.
fn json_string(s: &str) -> String {
    let mut out = String::from('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// SHA-256 (FIPS 180-4). The service worker checks each file it caches
/// against this with `crypto.subtle.digest`; xtask stays plain std.
fn sha256(data: &[u8]) -> [u8; 32] {
    const K: [u32; 64] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
        0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
        0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
        0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
        0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
        0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
        0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
        0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
        0xc67178f2,
    ];
    let mut h: [u32; 8] = [
        0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab,
        0x5be0cd19,
    ];
    let mut msg = data.to_vec();
    msg.push(0x80);
    while msg.len() % 64 != 56 {
        msg.push(0);
    }
    msg.extend_from_slice(&((data.len() as u64) * 8).to_be_bytes());
    for block in msg.chunks_exact(64) {
        let mut w = [0u32; 64];
        for (i, word) in block.chunks_exact(4).enumerate() {
            w[i] = u32::from_be_bytes([word[0], word[1], word[2], word[3]]);
        }
        for i in 16..64 {
            let s0 = w[i - 15].rotate_right(7) ^ w[i - 15].rotate_right(18) ^ (w[i - 15] >> 3);
            let s1 = w[i - 2].rotate_right(17) ^ w[i - 2].rotate_right(19) ^ (w[i - 2] >> 10);
            w[i] = w[i - 16]
                .wrapping_add(s0)
                .wrapping_add(w[i - 7])
                .wrapping_add(s1);
        }
        let [mut a, mut b, mut c, mut d, mut e, mut f, mut g, mut hh] = h;
        for i in 0..64 {
            let s1 = e.rotate_right(6) ^ e.rotate_right(11) ^ e.rotate_right(25);
            let ch = (e & f) ^ (!e & g);
            let t1 = hh
                .wrapping_add(s1)
                .wrapping_add(ch)
                .wrapping_add(K[i])
                .wrapping_add(w[i]);
            let s0 = a.rotate_right(2) ^ a.rotate_right(13) ^ a.rotate_right(22);
            let maj = (a & b) ^ (a & c) ^ (b & c);
            let t2 = s0.wrapping_add(maj);
            hh = g;
            g = f;
            f = e;
            e = d.wrapping_add(t1);
            d = c;
            c = b;
            b = a;
            a = t1.wrapping_add(t2);
        }
        for (x, y) in h.iter_mut().zip([a, b, c, d, e, f, g, hh]) {
            *x = x.wrapping_add(y);
        }
    }
    let mut out = [0u8; 32];
    for (i, word) in h.iter().enumerate() {
        out[4 * i..4 * i + 4].copy_from_slice(&word.to_be_bytes());
    }
    out
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
    BenchFit { runs: u32 },
    BenchPeers { quick: bool },
    BenchStiff { quick: bool },
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
        "bench-fit" => match rest {
            [] => Ok(Task::BenchFit { runs: 5 }),
            [flag, n] if flag == "--runs" => n
                .parse()
                .ok()
                .filter(|n| *n >= 1)
                .map(|runs| Task::BenchFit { runs })
                .ok_or_else(|| Fail::new("--runs needs a whole number ≥ 1")),
            _ => Err(Fail::new("bench-fit takes only --runs N")),
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
        "bench-stiff" => match rest {
            [] => Ok(Task::BenchStiff { quick: false }),
            [q] if q == "--quick" => Ok(Task::BenchStiff { quick: true }),
            _ => Err(Fail::new("bench-stiff takes only --quick")),
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
        Task::BenchFit { runs } => task_bench_fit(&ws, runs),
        Task::BenchPeers { quick } => bench::bench_peers(&ws, quick),
        Task::BenchStiff { quick } => bench::bench_stiff(&ws, quick),
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

#[cfg(test)]
mod offline_tests {
    use super::*;

    #[test]
    fn sha256_matches_the_standard_vectors() {
        assert_eq!(
            hex(&sha256(b"")),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(
            hex(&sha256(b"abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(
            hex(&sha256(
                b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"
            )),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
        );
        assert_eq!(
            hex(&sha256(&vec![b'a'; 1_000_000])),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"
        );
    }

    #[test]
    fn service_worker_lists_every_built_file() {
        let dir = std::env::temp_dir().join(format!("cartsim-xtask-sw-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("icons")).unwrap();
        std::fs::create_dir_all(dir.join(".stage")).unwrap();
        std::fs::write(
            dir.join("index.html"),
            r#"<script type="module" id="cartsim-boot" src="./boot.js"></script>"#,
        )
        .unwrap();
        std::fs::write(dir.join("boot.js"), "abc").unwrap();
        std::fs::write(dir.join("icons/icon-192.png"), "").unwrap();
        std::fs::write(dir.join(".stage/tmp"), "x").unwrap();
        std::fs::write(dir.join("sw.js"), "// head\nconst BUILD = null;\nrest();\n").unwrap();

        let id = write_service_worker(&dir).unwrap();
        assert_eq!(id.len(), 16);
        let html = std::fs::read_to_string(dir.join("index.html")).unwrap();
        assert!(
            html.contains(r#"id="cartsim-boot" data-sw="sw.js""#),
            "{html}"
        );
        let sw = std::fs::read_to_string(dir.join("sw.js")).unwrap();
        let line = sw.lines().nth(1).unwrap();
        assert!(line.starts_with(&format!(r#"const BUILD = {{"id":"{id}","files":{{"#)));
        assert!(line.contains(&format!(r#""boot.js":"{}""#, hex(&sha256(b"abc")))));
        assert!(line.contains(r#""icons/icon-192.png":"e3b0c442"#));
        assert!(line.contains(r#""index.html":""#));
        assert!(
            !line.contains("sw.js") && !line.contains(".stage"),
            "{line}"
        );
        assert!(sw.ends_with("rest();\n"));

        // A second build with one file changed gets another id.
        std::fs::write(dir.join("boot.js"), "abd").unwrap();
        std::fs::write(dir.join("sw.js"), "const BUILD = null;\n").unwrap();
        let other = write_service_worker(&dir).unwrap();
        assert_ne!(id, other);
        // Without the placeholder (not Trunk's fresh copy of www/sw.js): refused.
        assert!(write_service_worker(&dir).is_err());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
