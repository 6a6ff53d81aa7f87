//! Comparing runs (issue 15): `cartsim compare` and `cartsim::compare`.
//! The numbers equal `cartsim metrics` for the same settings; a bad run is
//! named and only it is left out; at most six runs; automatic labels; run
//! queries round-trip; the outputs parse; both models.
#![cfg(not(target_arch = "wasm32"))]

use cartsim::cli::{compare, metrics};
use cartsim::compare::{
    label, parse_run, query_from_text, run_query, CompareTable, Comparison, TrajectoryTable,
    MAX_RUNS, RUNS_KEY,
};
use cartsim::model::{Registry, Sampling};
use cartsim::scenario::Scenario;
use serde_json::Value;

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

/// `cartsim compare ARGS` as JSON.
fn compare_json(list: &[&str]) -> Value {
    let c = compare::compute(&args(list), Registry::builtin()).expect("compare runs");
    serde_json::from_str(&c.output).expect("compare writes JSON")
}

/// `cartsim metrics ARGS` as the JSON it prints.
fn metrics_json(list: &[&str]) -> Value {
    let (record, _) = metrics::compute(&args(list), Registry::builtin()).expect("metrics runs");
    let obj: serde_json::Map<String, Value> = record
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
    serde_json::from_str(&Value::Object(obj).to_string()).unwrap()
}

/// Each `(run, metrics arguments)` pair: the compare entry equals
/// `cartsim metrics` for the same settings, number for number.
fn assert_same_as_metrics(model: &str, preset: &str, cases: &[(&str, &[&str])]) {
    let mut list = vec!["--model", model, "--preset", preset];
    // An empty run is one the preset itself brings (a comparison preset).
    for (run, _) in cases[1..].iter().filter(|(run, _)| !run.is_empty()) {
        list.extend(["--run", run]);
    }
    let out = compare_json(&list);
    let runs = out["runs"].as_array().unwrap();
    assert_eq!(runs.len(), cases.len(), "{out}");
    assert!(out.get("problems").is_none(), "{out}");
    for (i, (run, extra)) in cases.iter().enumerate() {
        let mut m = vec!["--model", model, "--preset", preset];
        m.extend(*extra);
        let expected = metrics_json(&m);
        assert_eq!(runs[i]["metrics"], expected, "run {i} ({run})");
        assert_eq!(runs[i]["run"], i, "{run}");
    }
}

#[test]
fn clinical_numbers_equal_cartsim_metrics() {
    assert_same_as_metrics(
        "clinical",
        "cr",
        &[
            ("", &[]),
            ("rTA=3.24;e=10", &["--set", "rTA=3.24", "--set", "e=10"]),
            ("preset=nr", &["--preset", "nr"]),
            (
                "preset=relapse-neg&km=2e-6",
                &["--preset", "relapse-neg", "--set", "km=2e-6"],
            ),
            ("extinction=off", &["--set", "extinction=off"]),
            ("t_end=120", &["--horizon", "120"]),
            ("solver=rk4;dt=0.02", &["--solver", "rk4", "--dt", "0.02"]),
        ],
    );
}

#[test]
fn marrow_numbers_equal_cartsim_metrics() {
    assert_same_as_metrics(
        "marrow",
        "fig3",
        &[
            ("", &[]),
            ("alpha=1e-9", &["--set", "alpha=1e-9"]),
            ("rhoC=0.5", &["--set", "rhoC=0.5"]),
            ("preset=fig5", &["--preset", "fig5"]),
        ],
    );
}

#[test]
fn differences_are_from_the_base() {
    let out = compare_json(&["--model", "clinical", "--preset", "cr", "--run", "rTA=3.24"]);
    let runs = out["runs"].as_array().unwrap();
    assert!(runs[0].get("difference").is_none());
    let (b, r) = (&runs[0]["metrics"], &runs[1]["metrics"]);
    let d = &runs[1]["difference"]["peak"];
    let abs = r["peak"].as_f64().unwrap() - b["peak"].as_f64().unwrap();
    assert_eq!(d["abs"].as_f64().unwrap(), abs);
    let pct = 100.0 * abs / b["peak"].as_f64().unwrap();
    assert!((d["pct"].as_f64().unwrap() - pct).abs() < 1e-9);
    // A day that never comes has no difference; words have none at all.
    assert!(runs[1]["difference"]["relapse_day"].is_null());
    assert!(runs[1]["difference"].get("response").is_none());
    assert_eq!(runs[1]["settings"]["rTA"], 3.24);
    assert_eq!(runs[1]["settings"]["preset"], "cr");
    assert_eq!(out["model"], "clinical");
}

#[test]
fn a_bad_run_value_is_named_and_only_that_run_is_left_out() {
    let c = compare::compute(
        &args(&[
            "--model",
            "clinical",
            "--preset",
            "cr",
            "--run",
            "rTA=2",
            "--run",
            "rTA=-1",
            "--run",
            "e=abc",
            "--run",
            "preset=zz",
            "--run",
            "e=10",
        ]),
        Registry::builtin(),
    )
    .unwrap();
    let labels: Vec<&str> = c.comparison.runs.iter().map(|r| r.label.as_str()).collect();
    assert_eq!(labels, ["preset cr", "rTA = 2", "e = 10"]);
    let keys: Vec<&str> = c
        .comparison
        .problems
        .iter()
        .map(|p| p.key.as_str())
        .collect();
    assert_eq!(keys, ["rTA", "e", "preset"]);
    let m = &c.comparison.problems[0].message;
    assert!(
        m.contains("run 2") && m.contains("rTA") && m.contains("0 to 10"),
        "{m}"
    );
    assert!(
        m.contains("left out") && !m.contains("preset value is used"),
        "{m}"
    );
    assert!(c.comparison.problems[1].message.contains("'abc'"));
    let out: Value = serde_json::from_str(&c.output).unwrap();
    assert_eq!(out["runs"].as_array().unwrap().len(), 3);
    assert_eq!(out["problems"].as_array().unwrap().len(), 3);
    assert_eq!(out["problems"][0]["key"], "rTA");
}

#[test]
fn seven_runs_keep_six_and_say_so() {
    let base = Scenario::preset(Registry::builtin().parse("clinical").unwrap(), "cr");
    let queries: Vec<String> = (1..=7).map(|i| format!("e={}", 10 + i)).collect();
    let c = Comparison::from_queries(base, &queries, Registry::builtin());
    assert_eq!(c.runs.len(), 1 + MAX_RUNS);
    assert_eq!(c.runs[6].label, "e = 16");
    assert_eq!(c.problems.len(), 1);
    assert_eq!(c.problems[0].key, RUNS_KEY);
    assert!(
        c.problems[0].message.contains("first 6"),
        "{}",
        c.problems[0].message
    );
    // The command line says the same.
    let mut list = vec!["--model", "clinical", "--preset", "cr"];
    for q in &queries {
        list.extend(["--run", q.as_str()]);
    }
    let out = compare_json(&list);
    assert_eq!(out["runs"].as_array().unwrap().len(), 7);
    assert_eq!(out["problems"][0]["key"], "run");
}

#[test]
fn labels_say_what_differs_from_the_base() {
    let reg = Registry::builtin();
    let clinical = reg.parse("clinical").unwrap();
    let base = Scenario::preset(clinical, "cr");
    let lab = |q: &str| label(&parse_run(q, &base, reg).unwrap(), &base);
    // cr has rTA = 1.62.
    // The issue's examples: "rTA ×2", "preset nr", "α = 1e-9" (the
    // symbol on one line; a factor under ten as a factor, else the value).
    assert_eq!(lab("rTA=3.24"), "rTA ×2");
    assert_eq!(lab("rTA=0.81"), "rTA ×0.5");
    assert_eq!(lab("rTA=0.54"), "rTA ÷3");
    assert_eq!(lab("rTA=3.25"), "rTA = 3.25");
    assert_eq!(lab("rTA=0.162"), "rTA = 0.162");
    assert_eq!(lab("nTN0=1.65"), "nTN(0) = 1.65");
    assert_eq!(lab("preset=nr"), "preset nr");
    assert_eq!(lab("rTA=3.24&e=10"), "rTA ×2, e = 10");
    assert_eq!(lab("preset=nr&e=10"), "preset nr, e = 10");
    assert_eq!(
        lab("extinction=off&solver=rk4"),
        "extinction off, solver rk4"
    );
    assert_eq!(lab(""), "base");
    let marrow = reg.parse("marrow").unwrap();
    let mbase = Scenario::preset(marrow, "fig3");
    let s = parse_run("alpha=1e-9", &mbase, reg).unwrap();
    assert_eq!(label(&s, &mbase), "α = 1e-9");
    let s = parse_run("alpha=3e-11&rhoC=0.45", &mbase, reg).unwrap();
    assert_eq!(label(&s, &mbase), "α = 3e-11, ρC ×0.5");
    let s = parse_run("variant=as-printed", &mbase, reg).unwrap();
    assert_eq!(label(&s, &mbase), "variant as-printed");
    // Labels are plain strings the page may edit.
    let mut c = Comparison::from_queries(mbase, &["alpha=1e-9"], reg);
    c.runs[1].label = "weaker killing".into();
    assert_eq!(c.runs[1].label, "weaker killing");
}

#[test]
fn run_queries_round_trip() {
    let reg = Registry::builtin();
    let base = Scenario::preset(reg.parse("clinical").unwrap(), "cr");
    for q in [
        "rTA=3.24&e=10",
        "preset=nr",
        "preset=relapse-neg&km=2e-6",
        "nTN0=0.001&extinction=off",
        "solver=rk4&dt=0.02&t_end=90",
        "",
    ] {
        let s = parse_run(q, &base, reg).unwrap();
        assert_eq!(run_query(&s, &base), q);
        assert_eq!(parse_run(&run_query(&s, &base), &base, reg).unwrap(), s);
    }
    // From a scenario built by hand (as the page pins one).
    let mut s = Scenario::preset(base.model, "nr");
    s.values.insert("e".into(), 0.1 + 0.2);
    s.values.insert("km".into(), 2.08558e-6);
    let q = run_query(&s, &base);
    assert!(q.starts_with("preset=nr&"), "{q}");
    assert_eq!(parse_run(&q, &base, reg).unwrap(), s);
    // The comparison writes back the queries it read.
    let qs = ["rTA=3.24&e=10", "preset=nr"];
    let c = Comparison::from_queries(base.clone(), &qs, reg);
    assert_eq!(c.queries(), qs);
    // The command-line form.
    assert_eq!(query_from_text("rTA=3.24; e=10"), "rTA=3.24&e=10");
}

#[test]
fn csv_outputs_have_one_row_per_run() {
    let c = compare::compute(
        &args(&[
            "--model",
            "clinical",
            "--preset",
            "cr",
            "--run",
            "rTA=3.24;e=10",
            "--run",
            "preset=nr",
            "--format",
            "csv",
        ]),
        Registry::builtin(),
    )
    .unwrap();
    let lines: Vec<&str> = c.output.lines().collect();
    assert_eq!(lines.len(), 4);
    assert!(
        lines[0].starts_with("run,label,query,ft,fnegr,fp,peak,"),
        "{}",
        lines[0]
    );
    assert!(lines[0].contains("peak_diff") && lines[0].contains("peak_pct"));
    assert!(
        lines[2].starts_with("1,\"rTA ×2, e = 10\",rTA=3.24&e=10,"),
        "{}",
        lines[2]
    );
    assert!(lines[3].starts_with("2,preset nr,preset=nr,"));

    // Long-form trajectories: run,label,t,<the model's columns>.
    let reg = Registry::builtin();
    let base = Scenario::preset(reg.parse("marrow").unwrap(), "fig3");
    let cmp = Comparison::from_queries(base, &["alpha=1e-9"], reg);
    let t = TrajectoryTable::build(&cmp, &Sampling::Every(10.0)).unwrap();
    let csv = t.to_csv();
    let header = csv.lines().next().unwrap();
    assert!(header.starts_with("run,label,t,"), "{header}");
    assert_eq!(&header["run,label,".len()..], t.columns.join(","));
    let rows = csv.lines().skip(1).count();
    assert_eq!(rows, t.runs.iter().map(|(_, r)| r.n_rows()).sum::<usize>());
    assert!(csv.lines().any(|l| l.starts_with("1,α = 1e-9,0,")));
}

#[test]
fn the_table_is_the_model_interface_s() {
    let reg = Registry::builtin();
    let base = Scenario::preset(reg.parse("clinical").unwrap(), "cr");
    let c = Comparison::from_queries(base, &["preset=nr"], reg);
    let t = CompareTable::build(&c).unwrap();
    assert_eq!(t.rows.len(), 2);
    assert_eq!(t.rows[1].metrics.metrics.class().unwrap().label, "NR");
    let d = t.index_difference(1, "peak").unwrap();
    let peak = |i: usize| t.rows[i].metrics.metrics.value("peak").unwrap();
    assert_eq!(d.abs, peak(1) - peak(0));
    assert!(t.keys().contains(&"response") && !t.numeric_keys().contains(&"response"));
}

#[test]
fn the_binary_exits_as_the_other_commands() {
    let bin = env!("CARGO_BIN_EXE_cartsim");
    let run = |a: &[&str]| std::process::Command::new(bin).args(a).output().unwrap();
    let ok = run(&[
        "compare", "--model", "clinical", "--preset", "cr", "--run", "rTA=3.24", "--run", "rTA=-1",
    ]);
    assert_eq!(ok.status.code(), Some(0));
    let v: Value = serde_json::from_slice(&ok.stdout).expect("JSON on stdout");
    assert_eq!(v["runs"].as_array().unwrap().len(), 2);
    let err = String::from_utf8_lossy(&ok.stderr);
    assert!(err.contains("rTA") && err.contains("left out"), "{err}");

    let bad = run(&["compare", "--model", "clinical", "--preset", "zz"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("zz"));
    let bad = run(&[
        "compare", "--model", "clinical", "--preset", "cr", "--format", "xml",
    ]);
    assert_eq!(bad.status.code(), Some(2));
    // A solve that fails exits 1 and names the run.
    let failed = run(&[
        "compare",
        "--model",
        "clinical",
        "--preset",
        "cr",
        "--run",
        "solver=rk4;dt=1e-5;t_end=3650",
    ]);
    let msg = String::from_utf8_lossy(&failed.stderr);
    assert_eq!(failed.status.code(), Some(1), "{msg}");
    assert!(msg.contains("run 1"), "{msg}");
    let help = run(&["--help"]);
    assert!(String::from_utf8_lossy(&help.stdout).contains("compare"));
}

#[test]
fn comparison_presets_bring_their_runs() {
    let reg = Registry::builtin();
    let mut seen = Vec::new();
    for &model in reg.models() {
        for p in model.presets() {
            let runs = model.preset_runs(p.name);
            if runs.is_empty() {
                continue;
            }
            seen.push((p.name, runs.len()));
            let c = Comparison::from_preset(Scenario::preset(model, p.name), &[] as &[&str], reg);
            assert!(c.problems.is_empty(), "{}: {:?}", p.name, c.problems);
            assert_eq!(c.runs.len(), runs.len(), "{}", p.name);
            // Every run is a different course, and the lesson speaks of runs.
            for (i, a) in c.runs.iter().enumerate() {
                for b in &c.runs[i + 1..] {
                    assert_ne!(a.scenario, b.scenario, "{}", p.name);
                }
            }
            let lesson = model.lesson(p.name).unwrap();
            assert!(lesson.intro.contains("pinned runs"), "{}", p.name);
        }
    }
    let want = [
        ("fig4a", 3),
        ("fig4b", 3),
        ("fig4c", 3),
        ("fig5a", 3),
        ("fig5b", 3),
        ("fig5c", 3),
        ("classes", 4),
    ];
    let mut seen_sorted = seen.clone();
    seen_sorted.sort();
    let mut want_sorted = want.to_vec();
    want_sorted.sort();
    assert_eq!(seen_sorted, want_sorted);
}

#[test]
fn compare_preset_runs_a_figure_panel_as_cartsim_metrics_does() {
    // `cartsim compare --preset fig5a`: the three runs of [M] Fig. 5A, the
    // largest α first (the paper's solid line), each equal to `cartsim
    // metrics` with that α.
    assert_same_as_metrics(
        "marrow",
        "fig5a",
        &[
            ("", &["--set", "alpha=3e-9"]),
            ("", &["--set", "alpha=3e-10"]),
            ("", &["--set", "alpha=3e-11"]),
        ],
    );
    let out = compare_json(&["--model", "marrow", "--preset", "fig5a"]);
    let labels: Vec<&str> = out["runs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["label"].as_str().unwrap())
        .collect();
    assert_eq!(labels, ["preset fig5a, α = 3e-9", "α = 3e-10", "α = 3e-11"]);
    // The four classes of [L], and a run added to them.
    let out = compare_json(&[
        "--model", "clinical", "--preset", "classes", "--run", "rTA=3.24",
    ]);
    let runs = out["runs"].as_array().unwrap();
    let classes: Vec<&str> = runs
        .iter()
        .map(|r| r["metrics"]["response"].as_str().unwrap())
        .collect();
    assert_eq!(
        classes,
        ["CR", "NR", "CD19+ relapse", "CD19- relapse", "CR"]
    );
    assert_eq!(runs[1]["label"], "preset nr");
    // An added run is read against the preset named (`classes` has cr's
    // values), so it differs from the base (cr) in its preset too.
    assert_eq!(runs[4]["label"], "preset classes, rTA ×2");
}
