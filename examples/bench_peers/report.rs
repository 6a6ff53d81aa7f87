//! Merging, tables and BENCHMARKS.md for `cargo xtask bench-peers` and
//! `cargo xtask bench-browser` (kept here, not in the std-only xtask, so
//! JSON handling can use serde_json).

use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

type Result<T> = std::result::Result<T, String>;

fn read_json(path: &Path) -> Result<Value> {
    let text =
        std::fs::read_to_string(path).map_err(|e| format!("read {}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("parse {}: {e}", path.display()))
}

fn write(path: &Path, text: &str) -> Result<()> {
    std::fs::write(path, text).map_err(|e| format!("write {}: {e}", path.display()))
}

/// Machine description for BENCHMARKS.md (lscpu, nproc, load).
fn machine() -> String {
    let out = |c: &str, a: &[&str]| {
        Command::new(c)
            .args(a)
            .output()
            .ok()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
            .unwrap_or_default()
    };
    let lscpu = out("lscpu", &[]);
    let pick = |key: &str| {
        lscpu
            .lines()
            .find(|l| l.starts_with(key))
            .and_then(|l| l.split_once(':'))
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_else(|| "?".into())
    };
    format!(
        "- CPU: {} ({}; {} CPU(s), {} thread(s) per core)\n- nproc: {}\n- load average when run (uptime): {}\n- rustc: {}\n",
        pick("Model name"),
        pick("Architecture"),
        pick("CPU(s)"),
        pick("Thread(s) per core"),
        out("nproc", &[]),
        out("uptime", &[])
            .split("load average:")
            .nth(1)
            .unwrap_or("?")
            .trim(),
        out("rustc", &["--version"]),
    )
}

/// Replace the text between `<!-- NAME:begin -->` and `<!-- NAME:end -->`
/// in BENCHMARKS.md (appending the block when absent).
fn splice(path: &Path, name: &str, body: &str) -> Result<()> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|_| "# Benchmarks\n".into());
    let (b, e) = (
        format!("<!-- {name}:begin -->"),
        format!("<!-- {name}:end -->"),
    );
    let block = format!("{b}\n{body}{e}");
    let new = match (text.find(&b), text.find(&e)) {
        (Some(i), Some(j)) if j > i => format!("{}{}{}", &text[..i], block, &text[j + e.len()..]),
        _ => format!("{}\n{}\n", text.trim_end(), block),
    };
    write(path, &new)
}

fn f64_of(v: &Value, k: &str) -> Option<f64> {
    v.get(k).and_then(Value::as_f64)
}

fn fmt_us(us: Option<f64>) -> String {
    match us {
        Some(u) if u >= 1000.0 => format!("{:.0}", u),
        Some(u) => format!("{:.1}", u),
        None => "–".into(),
    }
}

/// The tool's name, with the tolerances it was really run at when they
/// differ from the row's nominal rtol (matched rows, RK4's step).
fn used(r: &Value) -> String {
    let tool = r["tool"].as_str().unwrap_or("").to_string();
    let mut extra = Vec::new();
    if let Some(x) = f64_of(r, "rtol_used") {
        extra.push(format!("rtol {x:.0e}"));
    }
    if let Some(x) = f64_of(r, "atol_used") {
        extra.push(format!("atol {x:.0e}"));
    }
    if let Some(x) = f64_of(r, "dt") {
        extra.push(format!("dt {x} day"));
    }
    if extra.is_empty() {
        tool
    } else {
        format!("{tool} ({})", extra.join(", "))
    }
}

fn fmt_e(v: Option<f64>) -> String {
    v.map_or("–".into(), |e| format!("{e:.1e}"))
}

/// Merge `rust.json` and `python.json` into `peers.json`, print the
/// tables, and write them into `md` between the `bench-peers` markers.
fn peers(dir: &Path, md_path: Option<&Path>, quick: bool) -> Result<()> {
    let mut rows: Vec<Value> = Vec::new();
    for f in ["rust.json", "python.json"] {
        match read_json(&dir.join(f))? {
            Value::Array(a) => rows.extend(a),
            _ => return Err(format!("{f}: expected a list")),
        }
    }
    let refs = read_json(&dir.join("reference.json"))?;
    let problems = read_json(&dir.join("problems.json"))?;

    // Group by problem (in problems.json order), then rtol; tools keep their order.
    let order: Vec<String> = problems
        .as_array()
        .map(|ps| {
            ps.iter()
                .filter_map(|p| p["problem"].as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default();
    let pos = |r: &Value| {
        let name = r["problem"].as_str().unwrap_or("");
        let i = order.iter().position(|p| p == name).unwrap_or(usize::MAX);
        (i, (f64_of(r, "rtol").unwrap_or(0.0) * -1e15) as i64)
    };
    rows.sort_by_key(pos);
    // Floor ratios of cartsim's rows from the reference's ns per evaluation
    // (filled in when a row lacks them).
    if let Value::Array(rs) = &refs {
        for r in rows.iter_mut() {
            if !r["tool"].as_str().unwrap_or("").starts_with("cartsim") {
                continue;
            }
            let f = rs.iter().find(|x| x["problem"] == r["problem"]);
            let (Some(f), Some(us), Some(ev)) =
                (f, f64_of(r, "us_per_solve"), f64_of(r, "rhs_evals"))
            else {
                continue;
            };
            for (k, ns) in [
                ("floor_ratio", "ns_per_rhs"),
                ("chained_floor_ratio", "ns_per_rhs_chained"),
            ] {
                if r.get(k).is_none() {
                    if let Some(ns) = f64_of(f, ns) {
                        r[k] = json!(us / (ns * ev / 1e3));
                    }
                }
            }
        }
    }
    // Ratio of every timed row to cartsim DP5 on the same problem and rtol.
    let key = |r: &Value| {
        (
            r["problem"].as_str().unwrap_or("").to_string(),
            format!("{:e}", f64_of(r, "rtol").unwrap_or(0.0)),
        )
    };
    let mut dp5: BTreeMap<(String, String), (f64, f64)> = BTreeMap::new();
    for r in &rows {
        if r["tool"] == "cartsim DP5" {
            if let (Some(us), Some(e)) = (f64_of(r, "us_per_solve"), f64_of(r, "max_rel_error")) {
                dp5.insert(key(r), (us, e));
            }
        }
    }
    for r in rows.iter_mut() {
        let ratio = match (dp5.get(&key(r)), f64_of(r, "us_per_solve")) {
            (Some((base, _)), Some(us)) => Some(us / base),
            _ => None,
        };
        if let Some(x) = ratio {
            r["ratio_to_cartsim_dp5"] = json!(x);
        }
    }
    let out = serde_json::to_string_pretty(&rows).map_err(|e| e.to_string())?;
    write(&dir.join("peers.json"), &out)?;

    // The main table.
    let mut md = String::new();
    md.push_str("| problem | tool | rtol | µs per solve | RHS evals | max rel error | × cartsim DP5 time |\n|---|---|---|---:|---:|---:|---:|\n");
    for r in &rows {
        md.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} |\n",
            r["problem"].as_str().unwrap_or(""),
            used(r),
            f64_of(r, "rtol").map_or("–".into(), |v| format!("{v:.0e}")),
            fmt_us(f64_of(r, "us_per_solve")),
            r["rhs_evals"]
                .as_u64()
                .map_or("–".into(), |v| v.to_string()),
            fmt_e(f64_of(r, "max_rel_error")),
            f64_of(r, "ratio_to_cartsim_dp5").map_or("–".into(), |v| format!("{v:.2}")),
        ));
    }
    println!("\n{md}");

    // Targets: peer time / cartsim DP5 time at equal or better accuracy.
    // Issue 19's targets, each as (column, bound, "≥" when the ratio must
    // reach the bound): a cell is bold when its row misses the target.
    let mut tg = String::from("| problem | rtol | LSODA ÷ DP5 (≥ 100) | CVODE ÷ DP5 (≥ 20) | ode_solvers ÷ DP5 (≥ 1.3) | DP5 ÷ chained floor (≤ 2.0) | RK4 ÷ chained floor (≤ 1.3) | DP5 ÷ RHS floor | RK4 ÷ RHS floor |\n|---|---|---:|---:|---:|---:|---:|---:|---:|\n");
    // Per target: rows measured, rows meeting it, smallest and largest ratio.
    let mut tally: Vec<(&str, f64, bool, usize, usize, f64, f64)> = vec![
        (
            "scipy LSODA ÷ cartsim DP5 ≥ 100",
            100.0,
            true,
            0,
            0,
            f64::INFINITY,
            0.0,
        ),
        (
            "libroadrunner CVODE ÷ cartsim DP5 ≥ 20",
            20.0,
            true,
            0,
            0,
            f64::INFINITY,
            0.0,
        ),
        (
            "ode_solvers Dopri5 ÷ cartsim DP5 ≥ 1.3",
            1.3,
            true,
            0,
            0,
            f64::INFINITY,
            0.0,
        ),
        (
            "cartsim DP5 ÷ chained RHS floor ≤ 2.0",
            2.0,
            false,
            0,
            0,
            f64::INFINITY,
            0.0,
        ),
        (
            "cartsim RK4 ÷ chained RHS floor ≤ 1.3",
            1.3,
            false,
            0,
            0,
            f64::INFINITY,
            0.0,
        ),
    ];
    let mut judge = |i: usize, v: f64| -> bool {
        let t = &mut tally[i];
        let ok = if t.2 { v >= t.1 } else { v <= t.1 };
        t.3 += 1;
        t.4 += ok as usize;
        t.5 = t.5.min(v);
        t.6 = t.6.max(v);
        ok
    };
    let mark = |text: String, ok: bool| if ok { text } else { format!("**{text}**") };
    for ((problem, rtol), (base, base_err)) in &dp5 {
        let find = |tool: &str| {
            rows.iter()
                .filter(|r| key(r) == (problem.clone(), rtol.clone()))
                .find(|r| r["tool"] == tool)
        };
        // A peer less accurate than cartsim (beyond 2×) is compared through
        // its atol-matched row when there is one, and flagged otherwise.
        let peer = |tool: &str| {
            let plain = find(tool);
            let matched = find(&format!("{tool} (matched)"));
            let r = match (plain, matched) {
                (Some(p), Some(m))
                    if f64_of(p, "max_rel_error").is_none_or(|e| e > 2.0 * base_err) =>
                {
                    Some(m)
                }
                (Some(p), _) => Some(p),
                (None, m) => m,
            };
            // (ratio, less accurate than cartsim beyond 2x)
            r.and_then(|r| Some((f64_of(r, "us_per_solve")?, f64_of(r, "max_rel_error")?)))
                .map(|(us, e)| (us / base, e > 2.0 * base_err))
        };
        let floor_ratio = |tool: &str, k: &str| find(tool).and_then(|r| f64_of(r, k));
        let mut cells = Vec::new();
        for (i, tool) in ["scipy LSODA", "libroadrunner CVODE", "ode_solvers Dopri5"]
            .into_iter()
            .enumerate()
        {
            cells.push(match peer(tool) {
                // A less accurate peer's time does not count towards a target.
                Some((v, true)) => format!("{v:.1} (less accurate)"),
                Some((v, false)) => {
                    let ok = judge(i, v);
                    mark(format!("{v:.1}"), ok)
                }
                None => "failed".into(),
            });
        }
        for (i, tool) in [(3, "cartsim DP5"), (4, "cartsim RK4")] {
            cells.push(match floor_ratio(tool, "chained_floor_ratio") {
                Some(v) => {
                    let ok = judge(i, v);
                    mark(format!("{v:.2}"), ok)
                }
                None => "–".into(),
            });
        }
        for tool in ["cartsim DP5", "cartsim RK4"] {
            cells.push(floor_ratio(tool, "floor_ratio").map_or("–".into(), |v| format!("{v:.2}")));
        }
        tg.push_str(&format!("| {problem} | {rtol} | {} |\n", cells.join(" | ")));
    }
    tg.push_str("\nBold: the row misses the target. A peer less accurate than cartsim DP5 (beyond 2×) with no matched row does not count towards its target (\"less accurate\"). Summary:\n\n| target | rows met | range |\n|---|---:|---|\n");
    for (name, _, _, n, ok, lo, hi) in &tally {
        tg.push_str(&format!(
            "| {name} | {ok} of {n}{} | {lo:.2} – {hi:.2} |\n",
            if ok == n && *n > 0 { " (met)" } else { "" }
        ));
    }
    println!("{tg}");

    // Reference and floor facts.
    let mut facts = String::from("| problem | reference RHS evals | ref vs ref at rtol 1e-13 | scipy DOP853 1e-12 vs reference | ns per RHS evaluation (tight loop) | ns per RHS evaluation (chained) |\n|---|---:|---:|---:|---:|---:|\n");
    if let Value::Array(refs) = &refs {
        for r in refs {
            let p = r["problem"].as_str().unwrap_or("");
            let dop = rows
                .iter()
                .find(|x| x["problem"] == p && x["tool"] == "scipy DOP853 (reference check)")
                .and_then(|x| f64_of(x, "max_rel_error"));
            facts.push_str(&format!(
                "| {p} | {} | {} | {} | {:.2} | {:.2} |\n",
                r["rhs_evals"].as_u64().unwrap_or(0),
                fmt_e(f64_of(r, "self_check")),
                fmt_e(dop),
                f64_of(r, "ns_per_rhs").unwrap_or(f64::NAN),
                f64_of(r, "ns_per_rhs_chained").unwrap_or(f64::NAN),
            ));
        }
    }
    println!("{facts}");
    let mut notes = String::new();
    if let Value::Array(ps) = &problems {
        for p in ps {
            notes.push_str(&format!(
                "- `{}`: {} (atol {:e}, error floor {:e}).\n",
                p["problem"].as_str().unwrap_or(""),
                p["note"].as_str().unwrap_or(""),
                f64_of(p, "atol").unwrap_or(0.0),
                f64_of(p, "floor").unwrap_or(0.0),
            ));
        }
    }

    let body = format!(
        "Generated by `cargo xtask bench-peers{}`.\n\n### Machine\n\n{}\n### Problems\n\n{notes}\n### Results\n\n{md}\n### Targets (peer time ÷ cartsim DP5 time, same problem and rtol)\n\n{tg}\n### References and the RHS floor\n\n{facts}",
        if quick { " --quick" } else { "" },
        machine()
    );
    if let Some(md) = md_path {
        splice(md, "bench-peers", &body)?;
    }
    eprintln!("wrote {}", dir.join("peers.json").display());
    Ok(())
}

/// Entry point of `--report WHAT`.
pub fn report(what: &str, dir: &Path, md: Option<&Path>, quick: bool) -> Result<()> {
    match what {
        "peers" => peers(dir, md, quick),
        "browser" => browser(dir, md),
        other => Err(format!("unknown report '{other}' (peers, browser)")),
    }
}

/// Tabulate `browser.json` (written by bench/browser/run.mjs) into `md`.
fn browser(dir: &Path, md_path: Option<&Path>) -> Result<()> {
    let b = read_json(&dir.join("browser.json"))?;
    let rows = b["rows"].as_array().cloned().unwrap_or_default();
    let wasm = rows
        .iter()
        .find(|r| r["tool"] == "cartsim DP5 (wasm)")
        .and_then(|r| f64_of(r, "us_per_solve"));
    let mut md = String::from("| problem | tool | rtol | µs per solve | RHS evals | max rel error | × cartsim wasm time |\n|---|---|---|---:|---:|---:|---:|\n");
    for r in &rows {
        let used = match (f64_of(r, "rtol_used"), f64_of(r, "release_us_alternating")) {
            (Some(u), _) => format!(" (run at rtol {u:.0e})"),
            (None, Some(a)) => format!(" (× the release build timed alternately, {a:.1} µs)"),
            _ => String::new(),
        };
        md.push_str(&format!(
            "| {} | {}{used} | {} | {} | {} | {} | {} |\n",
            r["problem"].as_str().unwrap_or(""),
            r["tool"].as_str().unwrap_or(""),
            f64_of(r, "rtol").map_or("–".into(), |v| format!("{v:.0e}")),
            fmt_us(f64_of(r, "us_per_solve")),
            r["rhs_evals"]
                .as_u64()
                .map_or("–".into(), |v| v.to_string()),
            fmt_e(f64_of(r, "max_rel_error")),
            // A row timed in alternation with the release build is
            // compared with that timing, not with the row above.
            match (
                f64_of(r, "us_per_solve"),
                f64_of(r, "release_us_alternating").or(wasm),
            ) {
                (Some(u), Some(w)) => format!("{:.2}", u / w),
                _ => "–".into(),
            },
        ));
    }
    let native = f64_of(&b, "native_us_per_solve");
    md.push_str(&format!(
        "| cr | cartsim DP5 (native, same session) | 1e-6 | {} | | | {} |\n",
        fmt_us(native),
        match (native, wasm) {
            (Some(n), Some(w)) => format!("{:.2}", n / w),
            _ => "–".into(),
        }
    ));
    // The page ships the same code built for size (profile `web`):
    // its solve and cells of the fig6 heat map beside the release build.
    let heat = &b["heat"];
    let cell = |build: &str| f64_of(&heat[build], "us");
    let page_row = b["rows"].as_array().and_then(|rs| {
        rs.iter()
            .find(|r| r["tool"].as_str() == Some("cartsim DP5 (wasm, page build)"))
    });
    let page_over_release = page_row
        .and_then(|r| Some(f64_of(r, "us_per_solve")? / f64_of(r, "release_us_alternating")?));
    if let Some(w) = cell("wasm") {
        md.push_str(&format!(
            "\nThe page's module is built for size (profile `web`, opt-level \"s\", \
             `wasm-opt -Oz`); the \"page build\" row is the same entry built so, timed \
             in alternation with the release build in the same page: page build ÷ \
             release build {}, page build ÷ native {} on `cr`. Cells of the fig6 heat \
             map ({} cells: ten rows of the 200 × 200 α × h grid, day-30 courses, as a \
             job worker evaluates them; the two builds alternating): release-built wasm \
             {w:.1} µs per cell, page build {} ({}, same checksum: {}).\n",
            fmt_ratio(page_over_release),
            fmt_ratio(f64_of(&b, "page_build_over_native")),
            f64_of(heat, "cells").map_or("–".into(), |c| format!("{c:.0}")),
            cell("page_build").map_or("–".into(), |p| format!("{p:.1} µs")),
            cell("page_build").map_or("–".into(), |p| format!("{:.2}× the release build", p / w)),
            match (
                f64_of(&heat["wasm"], "checksum"),
                f64_of(&heat["page_build"], "checksum")
            ) {
                (Some(a), Some(p)) if a == p => "yes",
                (Some(_), Some(_)) => "NO",
                _ => "–",
            },
        ));
    }
    let kb = |v: Option<f64>| v.map_or("–".into(), |x| format!("{:.1} KB", x / 1000.0));
    let bundle = &b["bundle"];
    let fc = &b["first_chart_ms"];
    let mut files = String::new();
    if let Some(fs) = bundle["files"].as_array() {
        for f in fs {
            files.push_str(&format!(
                "| {} | {} | {} |\n",
                f["file"].as_str().unwrap_or(""),
                kb(f64_of(f, "raw_bytes")),
                kb(f64_of(f, "gzip_bytes"))
            ));
        }
    }
    let targets = format!(
        "| target | measured | met |\n|---|---:|---|\n\
         | odex time ÷ cartsim wasm time ≥ 5 ({}) | {} | {} |\n\
         | cartsim wasm ÷ native ≤ 1.6 | {} | {} |\n\
         | bundle ≤ 600 KB gzipped | {} | {} |\n\
         | first chart ≤ 1000 ms after navigation (median) | {} | {} |\n",
        b["odex_compared"].as_str().unwrap_or("odex"),
        fmt_ratio(f64_of(&b, "odex_over_wasm")),
        met(f64_of(&b, "odex_over_wasm").map(|x| x >= 5.0)),
        fmt_ratio(f64_of(&b, "wasm_over_native")),
        met(f64_of(&b, "wasm_over_native").map(|x| x <= 1.6)),
        kb(f64_of(bundle, "gzip_bytes")),
        met(f64_of(bundle, "gzip_bytes").map(|x| x <= 600_000.0)),
        f64_of(fc, "median").map_or("–".into(), |x| format!("{x:.0} ms")),
        met(f64_of(fc, "median").map(|x| x <= 1000.0)),
    );
    let mut update = String::new();
    if let Some(u) = b["update_ms"].as_object() {
        update.push_str(
            "### Page update per slider move (`cr`, kA dragged, 100 moves per build, builds alternating)\n\n\
             | build | median | p90 | solve (median) | draw (median) | RHS evaluations |\n\
             |---|---:|---:|---:|---:|---:|\n",
        );
        for (name, shown) in [
            ("before", "before"),
            ("after", "after"),
            ("six_runs", "after, 6 pinned runs"),
        ] {
            if let Some(r) = u.get(name) {
                let ms = |k: &str| f64_of(r, k).map_or("–".into(), |x| format!("{x:.2} ms"));
                update.push_str(&format!(
                    "| {shown} | {} | {} | {} | {} | {} |\n",
                    ms("median"),
                    ms("p90"),
                    ms("solve_median"),
                    ms("draw_median"),
                    f64_of(r, "rhs_evals_last").map_or("–".into(), |x| format!("{x:.0}")),
                ));
            }
        }
        if let Some(x) = u.get("six_runs").and_then(|r| f64_of(r, "median")) {
            update.push_str(&format!(
                "\nWith 6 pinned runs (drawn on both charts and both band charts, never \
                 re-solved on a move) the median update is {x:.1} ms: {} (one frame at \
                 60 Hz is 16.7 ms).\n",
                if x <= 1000.0 / 60.0 {
                    "within one frame"
                } else {
                    "NOT within one frame"
                }
            ));
        }
        if let (Some(a), Some(bf)) = (u.get("after"), u.get("before")) {
            if let (Some(x), Some(y)) = (f64_of(a, "median"), f64_of(bf, "median")) {
                update.push_str(&format!(
                    "\nafter ÷ before (median update): {:.2}×\n",
                    x / y
                ));
            }
        }
        update.push('\n');
    }
    let body = format!(
        "Generated by `cargo xtask bench-browser` in {} (headless, system Chromium via playwright-core).\n\n\
         ### Machine\n\n{}\n### Solvers in one page (`cr`, 180 days, daily output, extinction off, atol 1e-12)\n\n{md}\n\
         ### Targets\n\n{targets}\n### App bundle (`dist/` from `trunk build --release --offline`)\n\n\
         | file | raw | gzip -9 |\n|---|---:|---:|\n{files}| **total** | **{}** | **{}** |\n\n\
         First chart (performance mark `cartsim:first-chart`, set by the page after its first chart is drawn; \
         ms after navigation start, fresh tab each time): runs {}.\n\n{update}",
        b["user_agent"].as_str().unwrap_or("Chromium"),
        machine(),
        kb(f64_of(bundle, "raw_bytes")),
        kb(f64_of(bundle, "gzip_bytes")),
        fc["runs"].as_array().map_or("–".into(), |r| r
            .iter()
            .filter_map(Value::as_f64)
            .map(|x| format!("{x:.0}"))
            .collect::<Vec<_>>()
            .join(", ")),
    );
    println!("{body}");
    if let Some(md) = md_path {
        splice(md, "bench-browser", &body)?;
    }
    Ok(())
}

fn fmt_ratio(v: Option<f64>) -> String {
    v.map_or("–".into(), |x| format!("{x:.2}×"))
}

fn met(v: Option<bool>) -> &'static str {
    match v {
        Some(true) => "yes",
        Some(false) => "**no**",
        None => "–",
    }
}
