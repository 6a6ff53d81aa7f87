//! Scenario files that carry pinned runs: the live scenario's JSON (as
//! [`Scenario::to_json`] writes it) with a `runs` array, one object per run
//! in order: its run query against the live scenario (what the link's `run`
//! key holds), its label when typed by hand, and `hidden` when it is not
//! drawn. Read back, the runs go through [`super::parse_run`] like a link's,
//! so a bad run is named and left out.

use super::{parse_run, run_query, MAX_RUNS, RUNS_KEY};
use crate::data::{PatientData, LINK_KEY};
use crate::model::Registry;
use crate::scenario::{clip, Problem, Scenario};
use serde_json::{json, Map, Value};

/// One run as a scenario file holds it.
#[derive(Debug, Clone, PartialEq)]
pub struct FileRun {
    /// The run's settings.
    pub scenario: Scenario,
    /// Its label, when typed by hand (`None`: the automatic one).
    pub label: Option<String>,
    /// Drawn on the charts.
    pub visible: bool,
}

/// A scenario file read back: the live scenario, its runs (`None` when the
/// file has no `runs` key, as files written before issue 15), and what was
/// refused.
#[derive(Debug, Clone)]
pub struct ScenarioFile {
    /// The live scenario.
    pub scenario: Scenario,
    /// The runs, in order.
    pub runs: Option<Vec<FileRun>>,
    /// Refused keys and runs, each named.
    pub problems: Vec<Problem>,
    /// The patient's data (`data` key), when the file has good data.
    pub data: Option<PatientData>,
}

/// The file for `live` and its `runs`: the scenario's JSON keys, then
/// `"runs": [{"run": QUERY, "label"?: TEXT, "hidden"?: true}, …]`.
pub fn to_json(live: &Scenario, runs: &[FileRun]) -> String {
    to_json_with_data(live, runs, None)
}

/// [`to_json`] with the patient's data under `data`
/// ([`PatientData::to_json`]: `{"unit": …, "csv": …}`).
pub fn to_json_with_data(live: &Scenario, runs: &[FileRun], data: Option<&PatientData>) -> String {
    let mut m: Map<String, Value> = serde_json::from_str(&live.to_json()).unwrap_or_default();
    let list: Vec<Value> = runs
        .iter()
        .map(|r| {
            let mut o = Map::new();
            o.insert(RUNS_KEY.into(), json!(run_query(&r.scenario, live)));
            if let Some(l) = &r.label {
                o.insert("label".into(), json!(l));
            }
            if !r.visible {
                o.insert("hidden".into(), json!(true));
            }
            Value::Object(o)
        })
        .collect();
    m.insert("runs".into(), Value::Array(list));
    if let Some(d) = data {
        m.insert(LINK_KEY.into(), d.to_json());
    }
    serde_json::to_string_pretty(&Value::Object(m)).unwrap_or_default()
}

/// Read a scenario file: the scenario as [`Scenario::from_json`] reads it
/// (the `runs` key aside), then each run against it. Runs past
/// [`MAX_RUNS`] are left out with one problem; a run with a bad key is left
/// out with its problems named.
pub fn from_json(text: &str, reg: &Registry) -> ScenarioFile {
    let parsed: Result<Map<String, Value>, _> = serde_json::from_str(text);
    let Ok(mut map) = parsed else {
        let (scenario, problems) = Scenario::from_json(text, reg);
        return ScenarioFile {
            scenario,
            runs: None,
            problems,
            data: None,
        };
    };
    let runs_value = map.remove("runs");
    let data_value = map.remove(LINK_KEY);
    let (scenario, mut problems) = Scenario::from_json_object(map, reg);
    let data = data_value.and_then(|v| {
        let model = scenario.model;
        PatientData::from_json(&v, model)
            .map_err(|e| e.to_string())
            .and_then(|d| {
                d.bind(model, &scenario.preset)
                    .map(|_| d)
                    .map_err(|e| e.to_string())
            })
            .map_err(|e| {
                problems.push(Problem {
                    key: LINK_KEY.into(),
                    message: format!("data: {e}; the data were left out"),
                })
            })
            .ok()
    });
    let runs = runs_value.map(|v| {
        let Value::Array(items) = v else {
            problems.push(Problem {
                key: "runs".into(),
                message: "'runs' must be a list of runs; no run was loaded".into(),
            });
            return Vec::new();
        };
        if items.len() > MAX_RUNS {
            problems.push(Problem {
                key: RUNS_KEY.into(),
                message: format!(
                    "the file has {} runs; at most {MAX_RUNS} can be pinned, so only the first \
                     {MAX_RUNS} were kept",
                    items.len()
                ),
            });
        }
        let mut out = Vec::new();
        for (i, item) in items.iter().take(MAX_RUNS).enumerate() {
            let query = item.get(RUNS_KEY).and_then(Value::as_str);
            let Some(query) = query else {
                problems.push(Problem {
                    key: RUNS_KEY.into(),
                    message: format!(
                        "run {}: each run must be an object with a \"run\" text; that run was \
                         left out",
                        i + 1
                    ),
                });
                continue;
            };
            match parse_run(query, &scenario, reg) {
                Ok(s) => out.push(FileRun {
                    scenario: s,
                    label: item
                        .get("label")
                        .and_then(Value::as_str)
                        .map(|l| l.trim().chars().take(60).collect::<String>())
                        .filter(|l| !l.is_empty()),
                    visible: item.get("hidden").and_then(Value::as_bool) != Some(true),
                }),
                Err(ps) => problems.extend(ps.into_iter().map(|p| Problem {
                    message: format!(
                        "run {} ({}): {}; that run was left out",
                        i + 1,
                        clip(query),
                        super::strip_fallback(&p.message)
                    ),
                    key: p.key,
                })),
            }
        }
        out
    });
    ScenarioFile {
        scenario,
        runs,
        problems,
        data,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_round_trip_through_a_file() {
        let reg = Registry::builtin();
        let m = reg.parse("clinical").unwrap();
        let mut live = Scenario::preset(m, "cr");
        live.values.insert("e".into(), 12.5);
        let a = parse_run("preset=nr&kA=0.4", &live, reg).unwrap();
        let b = parse_run("rTA=3.24&solver=rk4&dt=0.02", &live, reg).unwrap();
        let runs = vec![
            FileRun {
                scenario: a,
                label: None,
                visible: true,
            },
            FileRun {
                scenario: b,
                label: Some("faster, \"rk4\"".into()),
                visible: false,
            },
        ];
        let text = to_json(&live, &runs);
        let back = from_json(&text, reg);
        assert!(back.problems.is_empty(), "{:?}", back.problems);
        assert_eq!(back.scenario, live);
        assert_eq!(back.runs.as_deref(), Some(&runs[..]));
    }

    #[test]
    fn a_file_without_runs_has_none_and_a_bad_run_is_named() {
        let reg = Registry::builtin();
        let f = from_json(r#"{"model":"clinical","preset":"nr"}"#, reg);
        assert!(f.runs.is_none() && f.problems.is_empty());
        let f = from_json(
            r#"{"model":"clinical","runs":[{"run":"rTA=-1"},{"run":"preset=nr"},7]}"#,
            reg,
        );
        assert_eq!(f.runs.as_ref().map(Vec::len), Some(1));
        assert_eq!(f.problems.len(), 2, "{:?}", f.problems);
        assert!(f.problems[0].message.contains("run 1 (rTA=-1)"));
        assert!(f.problems[1].message.contains("run 3"));
        let f = from_json("[1]", reg);
        assert_eq!(f.problems[0].key, "(file)");
    }

    #[test]
    fn data_round_trip_through_a_file_and_bad_data_are_named() {
        let reg = Registry::builtin();
        let m = reg.parse("clinical").unwrap();
        let live = Scenario::preset(m, "cr");
        let csv = include_str!("../../examples/data/cr.csv");
        let d = PatientData::parse(csv, "blood-per-ul", m).unwrap();
        let text = to_json_with_data(&live, &[], Some(&d));
        let back = from_json(&text, reg);
        assert!(back.problems.is_empty(), "{:?}", back.problems);
        let got = back.data.unwrap();
        assert_eq!(got.unit, "blood-per-ul");
        assert_eq!(got.dataset.to_csv(&[]), d.dataset.to_csv(&[]));
        let f = from_json(
            r#"{"model":"clinical","data":{"csv":"day,car_t\n1,-3"}}"#,
            reg,
        );
        assert!(f.data.is_none());
        assert_eq!(f.problems[0].key, "data");
        assert!(
            f.problems[0].message.contains("line 2, column car_t"),
            "{:?}",
            f.problems
        );
        let f = from_json(r#"{"model":"clinical","data":{"csv":"day,zz\n1,3"}}"#, reg);
        assert!(
            f.problems[0].message.contains("no such column"),
            "{:?}",
            f.problems
        );
    }
}
