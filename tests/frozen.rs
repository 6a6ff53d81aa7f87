#![cfg(not(target_arch = "wasm32"))]
//! Frozen behaviour: a refactor-regression oracle.
//!
//! The files in `tests/fixtures/frozen/expected/` are TODAY'S output of
//! cartsim, captured on purpose as a behaviour-preservation oracle: a
//! refactor of `src/` must decode the same links and scenario files to the
//! same scenarios, report the same problems and simulate the same numbers.
//! They are NOT a reproduction of the papers and were not checked against
//! them (the other test files do that); a number here is right only in the
//! sense that it is what the code computed when it was frozen.
//!
//! Cases: every preset of every model (listed from the model registry, so a
//! preset added or removed fails the test), plus the links and scenario
//! files listed in `tests/fixtures/frozen/inputs.txt`. For each case the
//! expected file holds the input, the decoded scenario in normal form (its
//! link re-encoding and its JSON), the problems reported, and, simulated
//! with output every 0.25 day, the table's columns and row count, every
//! column at five days, the solver statistics, the events and the course
//! metrics (or the error, when the solve fails): for the clinical model the
//! page's indices (FT, FNegR, FP, peak and its day, AUC7, AUC28, remission,
//! MRD and relapse days, class; relapses sought up to the horizon), for the
//! marrow model what `cartsim sweep` reports for one course (responder, L at
//! day 30, CAR T at day 0, peak and its day over days 0–30, fold expansion).
//!
//! Checked: decoding exactly (strings, problems, JSON values), statistics
//! and row counts exactly, every other number to a relative 1e-9.
//!
//! Regenerate (only after a deliberate change of behaviour, and say so in
//! the commit): `CARTSIM_FREEZE_WRITE=1 cargo test --test frozen`. Scenario
//! files listed in `inputs.txt` as `json NAME QUERY` are written from the
//! query's scenario (`to_json`) only when missing; existing inputs are
//! never rewritten.
//!
//! Only [`adapter`] touches cartsim's API; when the API changes, port it
//! and nothing else.

use serde_json::{json, Map, Value};
use std::path::PathBuf;

/// The only code that calls cartsim. Everything it returns is plain data.
mod adapter {
    use super::{num, opt};
    use cartsim::model::{marrow, CourseMetrics, Registry, Sampling, SimRequest};
    use cartsim::scenario::Scenario;
    use cartsim::sweep::marrow::MarrowEval;
    use cartsim::sweep::Evaluate;
    use serde_json::{json, Value};

    /// Output step of the frozen tables, days (exact in binary).
    pub const STEP: f64 = 0.25;
    /// Window of the marrow CAR T peak, days (`cartsim sweep`'s default).
    const PEAK_WINDOW: f64 = 30.0;

    /// A decoded link or scenario file.
    pub struct Decoded {
        scenario: Scenario,
        /// Its link re-encoding (`to_query`).
        pub query: String,
        /// Its JSON (`to_json`).
        pub json: String,
        /// (key, message) of each problem reported.
        pub problems: Vec<(String, String)>,
    }

    /// One simulated course.
    pub struct Run {
        /// Horizon, days.
        pub t_end: f64,
        /// Column names, `t` first.
        pub columns: Vec<String>,
        /// Every row, output every [`STEP`] days.
        pub rows: Vec<Vec<f64>>,
        /// (accepted, rejected, rhs_evals).
        pub stats: [usize; 3],
        /// (label, day) of each event.
        pub events: Vec<(String, f64)>,
        /// Course metrics as JSON, or the error.
        pub metrics: Result<Value, String>,
    }

    /// (model, preset) for every preset of every model.
    pub fn presets() -> Vec<(String, String)> {
        Registry::builtin()
            .models()
            .iter()
            .flat_map(|m| {
                m.preset_names()
                    .into_iter()
                    .map(|p| (m.id().to_string(), p.into()))
            })
            .collect()
    }

    /// Decode a link (`kind = "link"`) or a scenario file (`"json"`).
    pub fn decode(kind: &str, input: &str) -> Decoded {
        let r = Registry::builtin();
        let (scenario, problems) = match kind {
            "link" => Scenario::from_query(input, r),
            "json" => Scenario::from_json(input, r),
            other => panic!("unknown input kind '{other}'"),
        };
        Decoded {
            query: scenario.to_query(),
            json: scenario.to_json(),
            problems: problems.into_iter().map(|p| (p.key, p.message)).collect(),
            scenario,
        }
    }

    /// Simulate a decoded scenario and score its course.
    pub fn simulate(d: &Decoded) -> Result<Run, String> {
        let s = &d.scenario;
        let req = s.to_request(Sampling::Every(STEP));
        let t_end = req.t_end.expect("to_request sets the horizon");
        // The page's path: the table and the course metrics from one solve.
        let course = s.model.course(&req).map_err(|e| e.to_string())?;
        let table = course.table;
        let metrics = match s.model.id() {
            "clinical" => clinical_metrics(course.metrics.as_deref()),
            "marrow" => marrow_metrics(&req),
            other => Err(format!("no metrics for model {other}")),
        };
        Ok(Run {
            t_end,
            rows: (0..table.n_rows()).map(|i| table.row(i).to_vec()).collect(),
            columns: table.columns,
            stats: [
                table.stats.accepted,
                table.stats.rejected,
                table.stats.rhs_evals,
            ],
            events: table.events.into_iter().map(|e| (e.label, e.t)).collect(),
            metrics,
        })
    }

    /// The page's indices (relapses looked for up to the horizon), from
    /// the course's own metrics.
    fn clinical_metrics(m: Option<&dyn CourseMetrics>) -> Result<Value, String> {
        let m = m.ok_or("the course was not scored")?;
        let v = |k: &str| m.value(k).ok_or(format!("no index {k}"));
        let day = |k: &str| opt(m.value(k));
        Ok(json!({
            "ft": num(v("FT")?), "fnegr": num(v("FNegR")?), "fp": num(v("FP")?),
            "peak": num(v("peak")?), "t_peak": num(v("t_peak")?),
            "auc7": num(v("AUC7")?), "auc28": num(v("AUC28")?),
            "remission_day": day("remission_day"), "mrd_day": day("mrd_day"),
            "relapse_day": day("relapse_day"),
            "class": m.class().map(|c| c.label).ok_or("no class")?,
        }))
    }

    /// What a marrow sweep reports for one course.
    fn marrow_metrics(req: &SimRequest) -> Result<Value, String> {
        let sc = marrow::scenario(req).map_err(|e| e.to_string())?;
        let ev =
            MarrowEval::new(&sc, &[], &req.settings, PEAK_WINDOW).map_err(|e| e.to_string())?;
        let m = ev.eval(&[], &mut ev.scratch()).map_err(|e| e.to_string())?;
        Ok(json!({
            "responder": m.responder(), "L30": num(m.l30), "C0": num(m.c0),
            "peak": num(m.c_peak), "t_peak": num(m.tpeak), "fold": num(m.fold()),
        }))
    }
}

/// A number as JSON; a non-finite one as a string (JSON has no NaN).
fn num(x: f64) -> Value {
    if x.is_finite() {
        json!(x)
    } else {
        json!(x.to_string())
    }
}

fn opt(x: Option<f64>) -> Value {
    x.map_or(Value::Null, num)
}

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/frozen")
}

/// One case: a name, the input kind and where the input comes from.
struct Case {
    name: String,
    kind: &'static str,
    /// The link, or the scenario file's path relative to [`dir`].
    source: String,
    /// For a `json` case: the link whose `to_json` creates a missing file.
    seed_link: Option<String>,
}

impl Case {
    fn input(&self) -> String {
        if self.kind == "link" {
            return self.source.clone();
        }
        let path = dir().join(&self.source);
        if !path.exists() && std::env::var_os("CARTSIM_FREEZE_WRITE").is_some() {
            let link = self
                .seed_link
                .as_deref()
                .expect("a seed link for a new file");
            std::fs::write(&path, adapter::decode("link", link).json).unwrap();
        }
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }
}

/// Every preset, then every line of `inputs.txt`.
fn cases() -> Vec<Case> {
    let mut cases: Vec<Case> = adapter::presets()
        .into_iter()
        .map(|(m, p)| Case {
            name: format!("preset-{m}-{p}"),
            kind: "link",
            source: format!("v=1&model={m}&preset={p}"),
            seed_link: None,
        })
        .collect();
    let manifest = std::fs::read_to_string(dir().join("inputs.txt")).unwrap();
    for line in manifest.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let f: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(f.len(), 3, "inputs.txt: '{line}': expected KIND NAME INPUT");
        cases.push(match f[0] {
            "link" => Case {
                name: f[1].into(),
                kind: "link",
                source: f[2].into(),
                seed_link: None,
            },
            "json" => Case {
                name: f[1].into(),
                kind: "json",
                source: format!("scenarios/{}.json", f[1]),
                seed_link: (f[2] != "-").then(|| f[2].to_string()),
            },
            other => panic!("inputs.txt: unknown kind '{other}'"),
        });
    }
    cases
}

/// The days whose rows are frozen: 0, 7, 28, mid-course and the end.
fn days(t_end: f64) -> Vec<f64> {
    let mut d = vec![0.0, 7.0, 28.0, (t_end / 2.0).floor(), t_end];
    d.retain(|x| *x <= t_end);
    d.sort_by(f64::total_cmp);
    d.dedup();
    d
}

/// What the code does today with one case, as JSON.
fn observe(case: &Case) -> Map<String, Value> {
    let input = case.input();
    let d = adapter::decode(case.kind, &input);
    let mut c = Map::new();
    c.insert("kind".into(), json!(case.kind));
    c.insert("input".into(), json!(input));
    c.insert("query".into(), json!(d.query));
    let decoded_json: Value = serde_json::from_str(&d.json).expect("to_json is JSON");
    c.insert("json".into(), decoded_json);
    c.insert("problems".into(), json!(d.problems));
    match adapter::simulate(&d) {
        Err(e) => {
            c.insert("error".into(), json!(e));
        }
        Ok(run) => {
            let t = |day: f64| run.rows.iter().find(|r| r[0] == day);
            let rows: Vec<Value> = days(run.t_end)
                .into_iter()
                .map(|day| t(day).map_or(json!([day, "no row"]), |r| json!(r)))
                .collect();
            c.insert("columns".into(), json!(run.columns));
            c.insert("n_rows".into(), json!(run.rows.len()));
            c.insert("rows".into(), json!(rows));
            let [accepted, rejected, rhs_evals] = run.stats;
            c.insert(
                "stats".into(),
                json!({"accepted": accepted, "rejected": rejected, "rhs_evals": rhs_evals}),
            );
            let events: Vec<Value> = run.events.iter().map(|(l, t)| json!([l, t])).collect();
            c.insert("events".into(), json!(events));
            match run.metrics {
                Ok(m) => c.insert("metrics".into(), m),
                Err(e) => c.insert("metrics_error".into(), json!(e)),
            };
        }
    }
    c
}

/// Keys compared exactly (everything below them); other numbers to 1e-9.
const EXACT: &[&str] = &[
    "kind", "input", "query", "json", "problems", "columns", "n_rows", "stats", "error",
];

fn close(a: f64, b: f64) -> bool {
    a == b || (a - b).abs() <= 1e-9 * a.abs().max(b.abs())
}

fn compare(path: &str, want: &Value, got: &Value, exact: bool, out: &mut Vec<String>) {
    match (want, got) {
        (Value::Number(a), Value::Number(b)) if !exact => {
            let (a, b) = (a.as_f64().unwrap(), b.as_f64().unwrap());
            if !close(a, b) {
                out.push(format!("{path}: expected {a:e}, got {b:e}"));
            }
        }
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => {
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                compare(&format!("{path}[{i}]"), x, y, exact, out);
            }
        }
        (Value::Object(a), Value::Object(b)) if a.keys().eq(b.keys()) => {
            for (k, x) in a {
                let exact = exact || EXACT.contains(&k.as_str());
                compare(&format!("{path}.{k}"), x, &b[k], exact, out);
            }
        }
        _ if want == got => {}
        _ => out.push(format!("{path}: expected {want}, got {got}")),
    }
}

/// JSON with one line per top-level key, and per row of a table.
fn render(case: &Map<String, Value>) -> String {
    let lines: Vec<String> = case
        .iter()
        .map(|(k, v)| match v {
            Value::Array(a) if a.iter().any(Value::is_array) => {
                let items: Vec<String> = a.iter().map(|x| format!("    {x}")).collect();
                format!("  {}: [\n{}\n  ]", json!(k), items.join(",\n"))
            }
            Value::Object(m) if !m.is_empty() => {
                let items: Vec<String> = m
                    .iter()
                    .map(|(k2, x)| format!("    {}: {x}", json!(k2)))
                    .collect();
                format!("  {}: {{\n{}\n  }}", json!(k), items.join(",\n"))
            }
            _ => format!("  {}: {v}", json!(k)),
        })
        .collect();
    format!("{{\n{}\n}}\n", lines.join(",\n"))
}

#[test]
fn frozen_behaviour_is_preserved() {
    let write = std::env::var_os("CARTSIM_FREEZE_WRITE").is_some();
    let expected_dir = dir().join("expected");
    let cases = cases();
    let mut names: Vec<&str> = cases.iter().map(|c| c.name.as_str()).collect();
    names.sort_unstable();
    let n = names.len();
    names.dedup();
    assert_eq!(names.len(), n, "case names must be unique");

    let mut failures = Vec::new();
    for case in &cases {
        let got = observe(case);
        let path = expected_dir.join(format!("{}.json", case.name));
        if write {
            std::fs::write(&path, render(&got)).unwrap();
            continue;
        }
        let Ok(text) = std::fs::read_to_string(&path) else {
            failures.push(format!("{}: no fixture {}", case.name, path.display()));
            continue;
        };
        let want: Value = serde_json::from_str(&text).unwrap();
        let mut diffs = Vec::new();
        compare(&case.name, &want, &Value::Object(got), false, &mut diffs);
        failures.extend(diffs.into_iter().take(20));
    }
    // A fixture without a case is a case that disappeared (e.g. a preset).
    for entry in std::fs::read_dir(&expected_dir).unwrap() {
        let file = entry.unwrap().file_name().to_string_lossy().into_owned();
        let stem = file.trim_end_matches(".json");
        if !names.contains(&stem) {
            if write {
                std::fs::remove_file(expected_dir.join(&file)).unwrap();
            } else {
                failures.push(format!("{file}: fixture of a case that no longer exists"));
            }
        }
    }
    println!("{n} frozen cases checked");
    assert!(
        failures.is_empty(),
        "behaviour differs from the frozen fixtures ({} differences; if the change is \
         deliberate, regenerate with CARTSIM_FREEZE_WRITE=1 cargo test --test frozen):\n{}",
        failures.len(),
        failures.join("\n")
    );
}
