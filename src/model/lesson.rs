//! Lessons: what to notice in a preset, in our own words, with every
//! factual sentence carried as a [`Claim`] — the sentence and the check
//! that makes it true of the model. The page shows [`Lesson::notice`]
//! (the setting, then the claims' sentences, in order), so the words on
//! screen are the words that are checked; `tests/lessons.rs` runs every
//! check of every preset of every model against the simulation.

use super::{ModelError, ModelId, Sampling, SimRequest};
use std::sync::Arc;

/// What a claim asserts about the preset's course (indices are the keys of
/// the model's [`super::CourseMetrics::indices`]).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub enum Check {
    /// The course's class has this label.
    Class(&'static str),
    /// The index lies in `[lo, hi]`.
    Within {
        /// Index key.
        index: &'static str,
        /// Lower bound.
        lo: f64,
        /// Upper bound.
        hi: f64,
    },
    /// The index (a day) never happens.
    Never(&'static str),
    /// `to − from` (two indices) lies in `[lo, hi]`.
    Gap {
        /// Earlier index.
        from: &'static str,
        /// Later index.
        to: &'static str,
        /// Lower bound.
        lo: f64,
        /// Upper bound.
        hi: f64,
    },
    /// With `set` applied, the index rises (`up`) or falls, to a value in
    /// `[lo, hi]` (the numbers the sentence quotes).
    Moves {
        /// `NAME=VALUE` changes, as in links and `--set`.
        set: &'static [(&'static str, &'static str)],
        /// Index key.
        index: &'static str,
        /// Direction.
        up: bool,
        /// Lower bound of the new value.
        lo: f64,
        /// Upper bound of the new value.
        hi: f64,
    },
    /// With `set` applied, the index changes by less than `max_rel` of its
    /// value in the preset.
    Steady {
        /// `NAME=VALUE` changes.
        set: &'static [(&'static str, &'static str)],
        /// Index key.
        index: &'static str,
        /// Largest relative change allowed.
        max_rel: f64,
    },
    /// With `set` applied, the course's class has this label.
    ClassWith {
        /// `NAME=VALUE` changes.
        set: &'static [(&'static str, &'static str)],
        /// Expected class label.
        label: &'static str,
    },
    /// The preset's value of parameter `name` divided by its value in preset
    /// `other` lies in `[lo, hi]` (a sentence about the setting).
    ParamRatio {
        /// Parameter name.
        name: &'static str,
        /// The other preset.
        other: &'static str,
        /// Lower bound.
        lo: f64,
        /// Upper bound.
        hi: f64,
    },
    /// The runs of a comparison preset ([`super::Model::preset_runs`]), in
    /// order, have these classes (one per run).
    RunClasses(&'static [&'static str]),
    /// Run `i` of a comparison preset has the index in `bounds[i]` (one
    /// `(lo, hi)` per run, in order).
    RunValues {
        /// Index key.
        index: &'static str,
        /// One `(lo, hi)` per run.
        bounds: &'static [(f64, f64)],
    },
    /// The index here divided by the same index in preset `other` lies in
    /// `[lo, hi]`.
    Ratio {
        /// Index key.
        index: &'static str,
        /// The other preset.
        other: &'static str,
        /// Lower bound.
        lo: f64,
        /// Upper bound.
        hi: f64,
    },
}

/// One factual sentence of a lesson and its check.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Claim {
    /// The sentence, as shown.
    pub text: &'static str,
    /// What must hold for it to be true.
    pub check: Check,
}

/// What to notice in a preset, and what the paper says about it.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Lesson {
    /// Preset it belongs to.
    pub preset: &'static str,
    /// Short title (distinct within a model).
    pub title: &'static str,
    /// The figure of the paper it reproduces.
    pub figure: &'static str,
    /// The setting: what this preset is (parameter choices, not outcomes).
    pub intro: &'static str,
    /// What to notice on the charts, each sentence checked.
    pub claims: &'static [Claim],
    /// What the paper claims (its words paraphrased; not a claim about
    /// this simulation).
    pub paper: &'static str,
}

impl Lesson {
    /// The text shown under "what to notice": the setting, then every
    /// claim's sentence, in order.
    pub fn notice(&self) -> String {
        let mut s = self.intro.to_string();
        for c in self.claims {
            if !s.is_empty() {
                s.push(' ');
            }
            s.push_str(c.text);
        }
        s
    }
}

/// The lesson of `preset` among `lessons` (exact name).
pub fn find_lesson(lessons: &'static [Lesson], preset: &str) -> Option<&'static Lesson> {
    lessons.iter().find(|l| l.preset == preset)
}

/// The metrics of `preset` with `set` applied (scored, no table).
fn metrics(
    model: ModelId,
    preset: &str,
    set: &[(&str, &str)],
) -> Result<Arc<dyn super::CourseMetrics>, String> {
    let req = SimRequest {
        preset: preset.into(),
        sets: set
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        sampling: Sampling::Times(Vec::new()),
        t_end: Some(model.default_t_end(preset)),
        ..SimRequest::default()
    };
    model
        .course(&req)
        .map_err(|e: ModelError| e.to_string())?
        .metrics
        .ok_or_else(|| "the course was not scored".into())
}

/// The metrics of every run of the comparison preset `preset`, in order:
/// each run query read as the page reads it (`preset=` switches the
/// preset, `t_end=` the horizon, the other keys are `NAME=VALUE` changes).
fn run_metrics(model: ModelId, preset: &str) -> Result<Vec<Arc<dyn super::CourseMetrics>>, String> {
    let runs = model.preset_runs(preset);
    if runs.is_empty() {
        return Err(format!("'{preset}' has no runs"));
    }
    runs.iter()
        .map(|q| {
            let mut run_preset = preset.to_string();
            let mut t_end = None;
            let mut sets = Vec::new();
            for (k, v) in form_urlencoded::parse(q.as_bytes()) {
                match &*k {
                    "preset" => run_preset = v.into_owned(),
                    "t_end" => t_end = Some(v.parse::<f64>().map_err(|e| format!("{q}: {e}"))?),
                    _ => sets.push((k.into_owned(), v.into_owned())),
                }
            }
            let req = SimRequest {
                t_end: Some(t_end.unwrap_or_else(|| model.default_t_end(&run_preset))),
                preset: run_preset,
                sets,
                sampling: Sampling::Times(Vec::new()),
                ..SimRequest::default()
            };
            model
                .course(&req)
                .map_err(|e| format!("run '{q}': {e}"))?
                .metrics
                .ok_or_else(|| format!("run '{q}' was not scored"))
        })
        .collect()
}

fn value(m: &Arc<dyn super::CourseMetrics>, key: &str) -> Result<Option<f64>, String> {
    m.indices()
        .into_iter()
        .find(|i| i.key == key)
        .map(|i| i.value.number())
        .ok_or_else(|| format!("no index '{key}'"))
}

fn number(m: &Arc<dyn super::CourseMetrics>, key: &str) -> Result<f64, String> {
    value(m, key)?.ok_or_else(|| format!("'{key}' never happens"))
}

/// Run a claim's check on `model`'s `preset`. `Ok` says what was measured
/// (for the record); `Err` says how the model disagrees with the sentence.
pub fn check(model: ModelId, preset: &str, claim: &Claim) -> Result<String, String> {
    let base = metrics(model, preset, &[])?;
    let class = |m: &Arc<dyn super::CourseMetrics>| m.class().map_or("none", |c| c.label);
    let ok = |good: bool, what: String| if good { Ok(what) } else { Err(what) };
    match claim.check {
        Check::Class(label) => ok(class(&base) == label, format!("class {}", class(&base))),
        Check::Within { index, lo, hi } => {
            let v = number(&base, index)?;
            ok(
                (lo..=hi).contains(&v),
                format!("{index} = {v} (want {lo}–{hi})"),
            )
        }
        Check::Never(index) => {
            let v = value(&base, index)?;
            ok(v.is_none(), format!("{index} = {v:?} (want never)"))
        }
        Check::Gap { from, to, lo, hi } => {
            let d = number(&base, to)? - number(&base, from)?;
            ok(
                (lo..=hi).contains(&d),
                format!("{to} − {from} = {d} (want {lo}–{hi})"),
            )
        }
        Check::Moves {
            set,
            index,
            up,
            lo,
            hi,
        } => {
            let a = number(&base, index)?;
            let b = number(&metrics(model, preset, set)?, index)?;
            let good = (if up { b > a } else { b < a }) && (lo..=hi).contains(&b);
            ok(
                good,
                format!("{index}: {a} → {b} with {set:?} (want {lo}–{hi})"),
            )
        }
        Check::Steady {
            set,
            index,
            max_rel,
        } => {
            let a = number(&base, index)?;
            let b = number(&metrics(model, preset, set)?, index)?;
            ok(
                ((b - a) / a.abs()).abs() < max_rel,
                format!("{index}: {a} → {b} with {set:?}"),
            )
        }
        Check::ClassWith { set, label } => {
            let m = metrics(model, preset, set)?;
            ok(
                class(&m) == label,
                format!("class {} with {set:?}", class(&m)),
            )
        }
        Check::ParamRatio {
            name,
            other,
            lo,
            hi,
        } => {
            let v = |p: &str| {
                model
                    .preset_value(p, name)
                    .ok_or_else(|| format!("no parameter '{name}' in {p}"))
            };
            let r = v(preset)? / v(other)?;
            ok(
                (lo..=hi).contains(&r),
                format!("{name} {preset}/{other} = {r} (want {lo}–{hi})"),
            )
        }
        Check::RunClasses(labels) => {
            let got: Vec<&str> = run_metrics(model, preset)?.iter().map(class).collect();
            ok(
                got == labels,
                format!("run classes {got:?} (want {labels:?})"),
            )
        }
        Check::RunValues { index, bounds } => {
            let runs = run_metrics(model, preset)?;
            let got = runs
                .iter()
                .map(|m| number(m, index))
                .collect::<Result<Vec<f64>, String>>()?;
            let good = got.len() == bounds.len()
                && got
                    .iter()
                    .zip(bounds)
                    .all(|(v, (lo, hi))| (*lo..=*hi).contains(v));
            ok(
                good,
                format!("{index} of the runs {got:?} (want {bounds:?})"),
            )
        }
        Check::Ratio {
            index,
            other,
            lo,
            hi,
        } => {
            let r = number(&base, index)? / number(&metrics(model, other, &[])?, index)?;
            ok(
                (lo..=hi).contains(&r),
                format!("{index} {preset}/{other} = {r} (want {lo}–{hi})"),
            )
        }
    }
}
