//! Checking and installing the tools the tasks need.
//!
//! Every function here first looks at what is already installed and only
//! installs (and says so) when something is missing or at the wrong version,
//! so running a task twice costs nothing the second time. A fresh CI machine
//! gets everything from these functions: nothing is assumed to be installed
//! by hand beyond Rust (rustup + cargo) and, for `test`, apt-get.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{run, Fail, Workspace};

/// Trunk's required major.minor (0.22 needs a newer rustc than ours).
const TRUNK_SERIES: &str = "0.21";
/// The npm package that ships a wasm-opt that works (Debian's binaryen 108
/// produces modules Chromium rejects).
const BINARYEN_NPM: &str = "binaryen@132";
/// What `wasm-opt --version` prints for that package.
const BINARYEN_VERSION: &str = "version 132";
/// Where the system Chromium and its driver live (Debian packages).
pub const CHROMIUM: &str = "/usr/bin/chromium";
/// The chromedriver that matches [`CHROMIUM`].
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// Tools found or installed for building the page.
pub struct WebTools {
    /// Directory holding a good `wasm-opt`; put it first on PATH for Trunk.
    pub wasm_opt_dir: PathBuf,
}

/// Everything `serve` and `dist` need: the wasm target, Trunk 0.21,
/// wasm-bindgen-cli matching Cargo.lock and binaryen's wasm-opt from npm.
pub fn ensure_web_tools(ws: &Workspace) -> Result<WebTools, Fail> {
    ensure_wasm_target()?;
    ensure_trunk()?;
    ensure_wasm_bindgen(ws)?;
    ensure_node()?;
    let wasm_opt_dir = ensure_wasm_opt(ws)?;
    Ok(WebTools { wasm_opt_dir })
}

/// First line of `program args…`'s standard output, or `None` if it does
/// not run or fails.
fn version_of(program: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(program).args(args).output().ok()?;
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8_lossy(&out.stdout);
    Some(text.lines().next().unwrap_or("").trim().to_string())
}

/// `rustup target add wasm32-unknown-unknown` unless it is installed.
pub fn ensure_wasm_target() -> Result<(), Fail> {
    let installed = Command::new("rustup")
        .args(["target", "list", "--installed"])
        .output()
        .map_err(|e| Fail::new(format!("cannot run rustup ({e}); install Rust with rustup")))?;
    let list = String::from_utf8_lossy(&installed.stdout);
    if list.lines().any(|l| l.trim() == "wasm32-unknown-unknown") {
        println!("tools: wasm32-unknown-unknown target present");
        return Ok(());
    }
    println!("tools: installing the wasm32-unknown-unknown target");
    run(Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]))
}

/// Trunk 0.21.x, installed with `cargo install` when absent or another series.
pub fn ensure_trunk() -> Result<(), Fail> {
    let wanted = format!("trunk {TRUNK_SERIES}.");
    match version_of("trunk", &["--version"]) {
        Some(v) if v.starts_with(&wanted) => {
            println!("tools: {v} present");
            return Ok(());
        }
        Some(v) => println!("tools: found {v}, need {TRUNK_SERIES}.x; installing"),
        None => println!("tools: trunk not found; installing {TRUNK_SERIES}.x (several minutes)"),
    }
    run(Command::new("cargo").args([
        "install",
        "trunk",
        "--locked",
        "--version",
        &format!("^{TRUNK_SERIES}"),
    ]))
}

/// The version of the `wasm-bindgen` crate recorded in Cargo.lock.
pub fn locked_wasm_bindgen_version(ws: &Workspace) -> Result<String, Fail> {
    let lock_path = ws.root.join("Cargo.lock");
    let lock = std::fs::read_to_string(&lock_path)
        .map_err(|e| Fail::new(format!("cannot read {}: {e}", lock_path.display())))?;
    wasm_bindgen_version_in(&lock).ok_or_else(|| {
        Fail::new(format!(
            "no wasm-bindgen package in {}; run `cargo generate-lockfile`",
            lock_path.display()
        ))
    })
}

/// The `version` line that follows `name = "wasm-bindgen"` in a Cargo.lock.
fn wasm_bindgen_version_in(lock: &str) -> Option<String> {
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == "name = \"wasm-bindgen\"" {
            let v = lines.next()?.trim().strip_prefix("version = ")?;
            return Some(v.trim_matches('"').to_string());
        }
    }
    None
}

/// wasm-bindgen-cli at exactly the version of the crate in Cargo.lock.
/// Installed without `--locked`: the CLI's own lock file names a crate
/// version the registry here lacks.
pub fn ensure_wasm_bindgen(ws: &Workspace) -> Result<(), Fail> {
    let want = locked_wasm_bindgen_version(ws)?;
    let have = version_of("wasm-bindgen", &["--version"]);
    let have_version = have.as_deref().and_then(|v| v.split_whitespace().nth(1));
    if have_version == Some(want.as_str()) {
        println!("tools: wasm-bindgen {want} present (matches Cargo.lock)");
        return Ok(());
    }
    match have_version {
        Some(v) => println!("tools: wasm-bindgen {v} found, Cargo.lock wants {want}; installing"),
        None => println!("tools: wasm-bindgen-cli not found; installing {want}"),
    }
    run(Command::new("cargo").args(["install", "wasm-bindgen-cli", "--version", &want, "--force"]))
}

/// Oldest Node.js major version that playwright-core 1.65 supports.
const NODE_MIN_MAJOR: u32 = 20;

/// Major version from `node --version` output such as "v20.20.2".
fn node_major(version: &str) -> Option<u32> {
    version
        .trim_start_matches('v')
        .split('.')
        .next()?
        .parse()
        .ok()
}

/// Node.js (>= 20) and npm, for wasm-opt and the end-to-end tests;
/// apt-get when absent or too old.
pub fn ensure_node() -> Result<(), Fail> {
    let check = || {
        let node = version_of("node", &["--version"])?;
        let npm = version_of("npm", &["--version"])?;
        let ok = node_major(&node).is_some_and(|m| m >= NODE_MIN_MAJOR);
        Some((node, npm, ok))
    };
    match check() {
        Some((node, npm, true)) => {
            println!("tools: node {node}, npm {npm} present");
            return Ok(());
        }
        Some((node, _, false)) => {
            println!("tools: node {node} is older than {NODE_MIN_MAJOR}; trying apt-get")
        }
        None => println!("tools: node/npm missing; installing the Debian packages nodejs and npm"),
    }
    apt_install(&["nodejs", "npm"])?;
    match check() {
        Some((_, _, true)) => Ok(()),
        found => Err(Fail::new(format!(
            "need Node.js >= {NODE_MIN_MAJOR} with npm, found {:?} after apt-get; \
             add a newer nodejs apt source (e.g. NodeSource) and retry",
            found.map(|(n, m, _)| (n, m))
        ))),
    }
}

/// `wasm-opt` from the npm package binaryen@132, installed into
/// `target/tools`; returns the directory that holds it.
pub fn ensure_wasm_opt(ws: &Workspace) -> Result<PathBuf, Fail> {
    let prefix = ws.root.join("target").join("tools");
    let bin_dir = prefix.join("node_modules").join(".bin");
    let wasm_opt = bin_dir.join("wasm-opt");
    let wasm_opt_str = wasm_opt.to_string_lossy().to_string();
    if let Some(v) = version_of(&wasm_opt_str, &["--version"]) {
        if v.contains(BINARYEN_VERSION) {
            println!("tools: {v} present in {}", bin_dir.display());
            return Ok(bin_dir);
        }
        println!(
            "tools: {} is '{v}', need {BINARYEN_VERSION}; reinstalling",
            wasm_opt.display()
        );
    } else {
        println!(
            "tools: installing wasm-opt from npm {BINARYEN_NPM} into {}",
            prefix.display()
        );
    }
    std::fs::create_dir_all(&prefix)
        .map_err(|e| Fail::new(format!("cannot create {}: {e}", prefix.display())))?;
    run(Command::new("npm")
        .args(["install", "--no-audit", "--no-fund", "--prefix"])
        .arg(&prefix)
        .arg(BINARYEN_NPM))?;
    match version_of(&wasm_opt_str, &["--version"]) {
        Some(v) if v.contains(BINARYEN_VERSION) => Ok(bin_dir),
        other => Err(Fail::new(format!(
            "after installing {BINARYEN_NPM}, {} reports {other:?}",
            wasm_opt.display()
        ))),
    }
}

/// Chromium and chromedriver at /usr/bin (apt-get when absent).
pub fn ensure_chromium() -> Result<(), Fail> {
    if Path::new(CHROMIUM).exists() && Path::new(CHROMEDRIVER).exists() {
        let v = version_of(CHROMIUM, &["--version"]).unwrap_or_else(|| "chromium".into());
        println!("tools: {v} and chromedriver present");
        return Ok(());
    }
    println!("tools: Chromium/chromedriver missing; installing the Debian packages");
    apt_install(&["chromium", "chromium-driver"])
}

/// The end-to-end tests' npm dependencies (playwright-core only, which
/// never downloads a browser), from the committed package-lock.json.
pub fn ensure_e2e_deps(ws: &Workspace) -> Result<(), Fail> {
    let dir = ws.root.join("tests").join("e2e");
    let marker = dir
        .join("node_modules")
        .join("playwright-core")
        .join("package.json");
    let lock = dir.join("package-lock.json");
    let installed_lock = dir.join("node_modules").join(".package-lock.json");
    let fresh = match (std::fs::metadata(&lock), std::fs::metadata(&installed_lock)) {
        (Ok(a), Ok(b)) => match (a.modified(), b.modified()) {
            (Ok(a), Ok(b)) => b >= a,
            _ => false,
        },
        _ => false,
    };
    if marker.exists() && fresh {
        println!("tools: e2e node modules present in {}", dir.display());
        return Ok(());
    }
    println!(
        "tools: installing e2e node modules (npm ci) in {}",
        dir.display()
    );
    run(Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund"])
        .current_dir(&dir)
        .env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1"))
}

/// `apt-get update` then `apt-get install -y packages…` (with sudo when not root).
fn apt_install(packages: &[&str]) -> Result<(), Fail> {
    let as_root = version_of("id", &["-u"]).as_deref() == Some("0");
    let apt = |args: &[&str]| {
        let mut cmd = if as_root {
            Command::new("apt-get")
        } else {
            let mut c = Command::new("sudo");
            c.arg("apt-get");
            c
        };
        cmd.args(args).env("DEBIAN_FRONTEND", "noninteractive");
        cmd
    };
    run(&mut apt(&["update"]))?;
    let mut args = vec!["install", "-y"];
    args.extend_from_slice(packages);
    run(&mut apt(&args))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_wasm_bindgen_version_from_a_lock_file() {
        let lock = "[[package]]\nname = \"wasm-bindgen-macro\"\nversion = \"0.2.1\"\n\n\
                    [[package]]\nname = \"wasm-bindgen\"\nversion = \"0.2.130\"\n";
        assert_eq!(wasm_bindgen_version_in(lock).as_deref(), Some("0.2.130"));
        assert_eq!(wasm_bindgen_version_in("[[package]]\nname = \"x\"\n"), None);
    }

    #[test]
    fn the_workspace_lock_pins_wasm_bindgen() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let lock = std::fs::read_to_string(root.join("Cargo.lock")).unwrap();
        let v = wasm_bindgen_version_in(&lock).unwrap();
        assert!(v.starts_with("0.2."), "{v}");
    }

    #[test]
    fn parses_node_major_versions() {
        assert_eq!(node_major("v20.20.2"), Some(20));
        assert_eq!(node_major("v18.19.0"), Some(18));
        assert_eq!(node_major("garbage"), None);
    }
}
