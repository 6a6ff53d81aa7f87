//! Comparing runs (issue 15): a base scenario and up to [`MAX_RUNS`] runs
//! derived from it, each written as a run query (the keys that differ from
//! the base preset, plus `preset=` when it differs), labelled automatically
//! by what differs from the base, scored side by side with the differences
//! from the base, and exported as CSV. Runs are decoded with the scenario
//! codec, so a bad value is a [`Problem`] naming the key and its range, and
//! only that run is left out. Pure and portable: the CLI and the page share it.

pub mod file;
mod label;
mod table;

pub use label::{base_label, compact, label};
pub use table::{
    csv_field, run_metrics, settings_json, CompareRow, CompareTable, Difference, RunFailure,
    RunMetrics, TrajectoryTable,
};

use crate::model::Registry;
use crate::scenario::{clip, Problem, Scenario};

/// Most runs a comparison takes besides its base (the link's `run` keys,
/// the CLI's `--run`s); further runs are left out with a [`Problem`].
pub const MAX_RUNS: usize = 6;

/// Key of a [`Problem`] about the number of runs.
pub const RUNS_KEY: &str = "run";

/// One course of a comparison: its settings and its label.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Run {
    /// What the run shows; automatic (see [`label`]) until someone edits it.
    pub label: String,
    /// The run's settings (same model as the base).
    pub scenario: Scenario,
}

/// A base scenario and the runs derived from it. `runs[0]` is the base
/// itself; every label describes what differs from it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Comparison {
    /// The runs in order, the base first (at most `1 + MAX_RUNS`).
    pub runs: Vec<Run>,
    /// What was refused while reading the runs (each names its key and run).
    pub problems: Vec<Problem>,
}

impl Comparison {
    /// A comparison of `base` alone (labelled by [`base_label`]).
    pub fn new(base: Scenario) -> Comparison {
        Comparison {
            runs: vec![Run {
                label: base_label(&base),
                scenario: base,
            }],
            problems: Vec::new(),
        }
    }

    /// `base` and the runs written as `queries` (link form, see
    /// [`parse_run`]), in order. A run with a bad key is left out and its
    /// problems listed; runs past [`MAX_RUNS`] are left out with one problem.
    pub fn from_queries<S: AsRef<str>>(
        base: Scenario,
        queries: &[S],
        reg: &Registry,
    ) -> Comparison {
        let mut c = Comparison::new(base);
        for (i, q) in queries.iter().enumerate() {
            if i == MAX_RUNS {
                c.problems.push(too_many(queries.len()));
                break;
            }
            match parse_run(q.as_ref(), c.base(), reg) {
                Ok(s) => c.runs.push(Run {
                    label: label(&s, c.base()),
                    scenario: s,
                }),
                Err(problems) => c.problems.extend(problems.into_iter().map(|p| Problem {
                    message: format!(
                        "run {} ({}): {}; that run was left out",
                        i + 1,
                        clip(q.as_ref()),
                        strip_fallback(&p.message)
                    ),
                    key: p.key,
                })),
            }
        }
        c
    }

    /// The comparison a preset stands for: for a comparison preset (one
    /// that lists runs, [`crate::model::Model::preset_runs`]) its runs, the
    /// first as the base; for any other preset the preset alone. `extra`
    /// runs (link form) follow, read against `preset`.
    pub fn from_preset<S: AsRef<str>>(preset: Scenario, extra: &[S], reg: &Registry) -> Comparison {
        let listed = preset.model.preset_runs(&preset.preset);
        let Some((first, rest)) = listed.split_first() else {
            return Comparison::from_queries(preset, extra, reg);
        };
        let base = match parse_run(first, &preset, reg) {
            Ok(s) => s,
            // A preset's own run is tested to parse; if it did not, the
            // preset alone is the base and the problem is shown.
            Err(problems) => {
                let mut c = Comparison::from_queries(preset, extra, reg);
                c.problems.extend(problems);
                return c;
            }
        };
        let queries: Vec<&str> = rest
            .iter()
            .copied()
            .chain(extra.iter().map(AsRef::as_ref))
            .collect();
        let mut c = Comparison::from_queries(preset, &queries, reg);
        c.runs[0] = Run {
            label: base_label(&base),
            scenario: base,
        };
        c.relabel();
        c
    }

    /// The base scenario (the first run).
    pub fn base(&self) -> &Scenario {
        &self.runs[0].scenario
    }

    /// Add a run after the others, labelled automatically. Refused, with a
    /// problem saying so, when [`MAX_RUNS`] runs besides the base are there,
    /// or when the run is of another model than the base.
    pub fn push(&mut self, scenario: Scenario) -> Result<(), Problem> {
        if self.runs.len() > MAX_RUNS {
            return Err(too_many(self.runs.len()));
        }
        if scenario.model != self.base().model {
            return Err(Problem {
                key: "model".into(),
                message: format!(
                    "a comparison stays within one model: this one compares {} runs, not {}",
                    self.base().model,
                    scenario.model
                ),
            });
        }
        self.runs.push(Run {
            label: label(&scenario, self.base()),
            scenario,
        });
        Ok(())
    }

    /// Recompute every automatic label (after the base changed). Edited
    /// labels are replaced too; the page keeps its own edits.
    pub fn relabel(&mut self) {
        let base = self.base().clone();
        for (i, r) in self.runs.iter_mut().enumerate() {
            r.label = if i == 0 {
                base_label(&base)
            } else {
                label(&r.scenario, &base)
            };
        }
    }

    /// The run queries of the runs after the base, in order (what the
    /// link's `run` keys hold, before percent-encoding).
    pub fn queries(&self) -> Vec<String> {
        self.runs[1..]
            .iter()
            .map(|r| run_query(&r.scenario, self.base()))
            .collect()
    }
}

fn too_many(given: usize) -> Problem {
    Problem {
        key: RUNS_KEY.into(),
        message: format!(
            "{given} runs were given; a comparison holds at most {MAX_RUNS} besides the base, \
             so only the first {MAX_RUNS} were kept"
        ),
    }
}

/// The run query of `run` against `base`: the keys of `run` that differ
/// from its preset (as [`Scenario::to_query`] writes them), plus `preset=`
/// when its preset is not the base's; no `v` or `model`. Empty for a run
/// equal to the base preset. [`parse_run`] reads it back to `run`.
pub fn run_query(run: &Scenario, base: &Scenario) -> String {
    let full = run.to_query();
    let mut q = form_urlencoded::Serializer::new(String::new());
    for (k, v) in form_urlencoded::parse(full.as_bytes()) {
        let keep = match &*k {
            "v" | "model" => false,
            "preset" => v != base.preset,
            _ => true,
        };
        if keep {
            q.append_pair(&k, &v);
        }
    }
    q.finish()
}

/// Read a run query (link form: `rTA=3.24&e=10`, `preset=nr`, percent-encoded
/// as in a link) against `base`: the base's model and preset, then the
/// run's keys, decoded by the scenario codec. The run's values start from
/// its preset, not from the base's own changes. Any refused key (a bad
/// value, an unknown key, another model) refuses the run: the problems name
/// the keys and their ranges.
pub fn parse_run(query: &str, base: &Scenario, reg: &Registry) -> Result<Scenario, Vec<Problem>> {
    let query = query.strip_prefix('?').unwrap_or(query);
    let mut problems = Vec::new();
    let mut pairs: Vec<(String, String)> = Vec::new();
    let mut preset = base.preset.clone();
    for (k, v) in form_urlencoded::parse(query.as_bytes()) {
        match &*k {
            "" if v.is_empty() => {}
            "v" => {}
            "model" if v == base.model.id() => {}
            "model" => problems.push(Problem {
                key: "model".into(),
                message: format!(
                    "model '{}': a comparison stays within one model ({})",
                    clip(&v),
                    base.model
                ),
            }),
            "preset" => preset = v.into_owned(),
            _ => pairs.push((k.into_owned(), v.into_owned())),
        }
    }
    let mut q = form_urlencoded::Serializer::new(String::new());
    q.append_pair("model", base.model.id());
    q.append_pair("preset", &preset);
    for (k, v) in &pairs {
        q.append_pair(k, v);
    }
    let (s, mut more) = Scenario::from_query(&q.finish(), reg);
    problems.append(&mut more);
    if problems.is_empty() {
        Ok(s)
    } else {
        Err(problems)
    }
}

/// A run written on a command line (`NAME=VALUE;NAME=VALUE`, or joined by
/// `&`), taken literally (no percent-decoding, so `1e+9` stays `1e+9`), as a
/// run query for [`parse_run`]. A piece without `=` is kept as a key with an
/// empty value, which the codec then refuses by name.
pub fn query_from_text(text: &str) -> String {
    let mut q = form_urlencoded::Serializer::new(String::new());
    for piece in text.split([';', '&']) {
        let piece = piece.trim();
        if piece.is_empty() {
            continue;
        }
        let (k, v) = piece.split_once('=').unwrap_or((piece, ""));
        q.append_pair(k.trim(), v.trim());
    }
    q.finish()
}

/// A codec message without its "the preset value is used" ending (a
/// refused run is left out instead).
fn strip_fallback(message: &str) -> &str {
    let m = message.trim_end_matches("; the preset value is used");
    m.trim_end_matches("; it was ignored")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Registry;

    fn clinical() -> Scenario {
        let reg = Registry::builtin();
        Scenario::preset(reg.parse("clinical").unwrap(), "cr")
    }

    #[test]
    fn run_queries_round_trip() {
        let reg = Registry::builtin();
        let base = clinical();
        for q in [
            "rTA=3.24&e=10",
            "preset=nr",
            "preset=nr&KA=0.002",
            "",
            "solver=rk4&dt=0.02",
        ] {
            let s = parse_run(q, &base, reg).unwrap();
            assert_eq!(run_query(&s, &base), q, "{q}");
            assert_eq!(parse_run(&run_query(&s, &base), &base, reg).unwrap(), s);
        }
    }

    #[test]
    fn command_line_runs_are_taken_literally() {
        assert_eq!(query_from_text("rTA=3.24; e=10"), "rTA=3.24&e=10");
        assert_eq!(query_from_text("nTN0=1e+2&"), "nTN0=1e%2B2");
        let s = parse_run(
            &query_from_text("nTN0=1e+2"),
            &clinical(),
            Registry::builtin(),
        );
        assert_eq!(s.unwrap().values["nTN0"], 100.0);
    }

    #[test]
    fn another_model_refuses_the_run() {
        let e = parse_run("model=marrow", &clinical(), Registry::builtin()).unwrap_err();
        assert_eq!(e[0].key, "model");
    }

    #[test]
    fn push_keeps_at_most_six() {
        let mut c = Comparison::new(clinical());
        for _ in 0..MAX_RUNS {
            c.push(clinical()).unwrap();
        }
        assert_eq!(c.push(clinical()).unwrap_err().key, RUNS_KEY);
        assert_eq!(c.runs.len(), MAX_RUNS + 1);
    }
}
