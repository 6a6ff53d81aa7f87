//! A scenario — everything needed to reproduce one simulation — and its
//! codecs: the URL query (`?v=1&model=clinical&preset=cr&rTA=2`) and JSON.
//!
//! Text from a URL or an uploaded file is data, never code: every key is
//! checked against the parameter descriptions ([`ParamSpec`]); a bad key or
//! value becomes a [`Problem`] naming the key and the allowed range, and the
//! scenario falls back to the preset's value for it. Decoding never panics.

use crate::model::{ModelId, Registry, Sampling, SimRequest};
use crate::solver::{Method, Settings, Tolerance};
use std::collections::BTreeMap;

/// Current version of the URL format (`v=1`).
pub const VERSION: &str = "1";
/// Longest query accepted, in bytes.
pub const MAX_QUERY_LEN: usize = 8192;
/// Display-unit choices: model cells, or clinical units with CAR T as
/// cells/µL of blood or as qPCR copies/µg DNA (tumour as burden %).
pub const UNITS: &[&str] = &["cells", "blood", "qpcr"];

/// One simulation, fully described.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Scenario {
    /// The model.
    pub model: ModelId,
    /// Preset name.
    pub preset: String,
    /// Parameter values that differ from the preset.
    pub values: BTreeMap<String, f64>,
    /// Options that differ from their default.
    pub options: BTreeMap<String, String>,
    /// Solver method.
    pub solver: Method,
    /// Relative tolerance (Dormand–Prince).
    pub rtol: f64,
    /// Absolute tolerance (Dormand–Prince).
    pub atol: f64,
    /// Step (RK4).
    pub dt: f64,
    /// Horizon in days; `None` means the preset's default.
    pub t_end: Option<f64>,
    /// Display units (one of [`UNITS`]).
    pub units: String,
}

/// A problem found while decoding: the page shows it, the value falls back.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Problem {
    /// The key concerned.
    pub key: String,
    /// A sentence naming the key and what is allowed.
    pub message: String,
}

/// Solver-setting keys and their ranges: (key, min, max).
const SOLVER_RANGES: &[(&str, f64, f64)] = &[
    ("rtol", 1e-14, 0.1),
    ("atol", 1e-20, 1.0),
    ("dt", 1e-5, 1.0),
    ("t_end", 1.0, 3650.0),
];

impl Scenario {
    /// The default scenario of a model's preset.
    pub fn preset(model: ModelId, preset: &str) -> Scenario {
        let d = Settings::default();
        Scenario {
            model,
            preset: preset.to_string(),
            values: BTreeMap::new(),
            options: BTreeMap::new(),
            solver: d.method,
            rtol: tol_scalar(&d.rtol),
            atol: tol_scalar(&d.atol),
            dt: d.dt,
            t_end: None,
            units: UNITS[0].to_string(),
        }
    }

    /// Effective value of a parameter: the override, else the preset's.
    pub fn value(&self, name: &str) -> Option<f64> {
        self.values
            .get(name)
            .copied()
            .or_else(|| self.model.preset_value(&self.preset, name))
    }

    /// The simulation request this scenario describes.
    pub fn to_request(&self, sampling: Sampling) -> SimRequest {
        let mut sets: Vec<(String, String)> = self
            .values
            .iter()
            .map(|(k, v)| (k.clone(), format!("{v}")))
            .collect();
        sets.extend(self.options.iter().map(|(k, v)| (k.clone(), v.clone())));
        let settings = Settings {
            method: self.solver,
            rtol: Tolerance::Scalar(self.rtol),
            atol: Tolerance::Scalar(self.atol),
            dt: self.dt,
            ..Settings::default()
        };
        SimRequest {
            preset: self.preset.clone(),
            sets,
            t_end: Some(
                self.t_end
                    .unwrap_or_else(|| self.model.default_t_end(&self.preset)),
            ),
            settings,
            sampling,
        }
    }

    /// Encode as a URL query (without `?`): `v`, `model`, `preset`, then only
    /// what differs from the preset, in a stable order.
    pub fn to_query(&self) -> String {
        let mut q = form_urlencoded::Serializer::new(String::new());
        q.append_pair("v", VERSION);
        q.append_pair("model", self.model.id());
        q.append_pair("preset", &self.preset);
        for spec in self.model.all_specs() {
            if let Some(v) = self.values.get(spec.name) {
                q.append_pair(spec.name, &link_number(*v));
            }
        }
        for opt in self.model.options() {
            if let Some(v) = self.options.get(opt.name) {
                q.append_pair(opt.name, v);
            }
        }
        let d = Scenario::preset(self.model, &self.preset);
        if self.solver != d.solver {
            q.append_pair("solver", self.solver.as_str());
        }
        for (key, mine, default) in [
            ("rtol", self.rtol, d.rtol),
            ("atol", self.atol, d.atol),
            ("dt", self.dt, d.dt),
        ] {
            if mine != default {
                q.append_pair(key, &link_number(mine));
            }
        }
        if let Some(t) = self.t_end {
            q.append_pair("t_end", &link_number(t));
        }
        if self.units != d.units {
            q.append_pair("units", &self.units);
        }
        q.finish()
    }

    /// Decode a URL query (with or without a leading `?`). Always returns a
    /// usable scenario; every refused key is listed as a [`Problem`].
    pub fn from_query(query: &str, reg: &Registry) -> (Scenario, Vec<Problem>) {
        let query = query.strip_prefix('?').unwrap_or(query);
        if query.len() > MAX_QUERY_LEN {
            let (s, _) = Scenario::default_for(reg);
            return (
                s,
                vec![Problem {
                    key: "(link)".into(),
                    message: format!(
                        "the link is {} characters long, more than the {MAX_QUERY_LEN} allowed; \
                         the default scenario is shown",
                        query.len()
                    ),
                }],
            );
        }
        let pairs: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        Scenario::from_pairs(&pairs, reg)
    }

    /// Decode an uploaded JSON scenario: an object whose keys are the URL
    /// keys, with string or number values. Validated exactly like a URL.
    pub fn from_json(text: &str, reg: &Registry) -> (Scenario, Vec<Problem>) {
        let parsed: Result<serde_json::Map<String, serde_json::Value>, _> =
            serde_json::from_str(text);
        let Ok(map) = parsed else {
            let (s, _) = Scenario::default_for(reg);
            return (
                s,
                vec![Problem {
                    key: "(file)".into(),
                    message: "the file is not a JSON object of scenario keys; nothing was loaded"
                        .into(),
                }],
            );
        };
        Scenario::from_json_object(map, reg)
    }

    /// [`Scenario::from_json`] of a file already parsed into its object.
    pub fn from_json_object(
        map: serde_json::Map<String, serde_json::Value>,
        reg: &Registry,
    ) -> (Scenario, Vec<Problem>) {
        let mut problems = Vec::new();
        let mut pairs = Vec::new();
        for (k, v) in map {
            match v {
                serde_json::Value::String(s) => pairs.push((k, s)),
                serde_json::Value::Number(n) => pairs.push((k, n.to_string())),
                // `values`/`options` objects as written by `to_json`.
                serde_json::Value::Object(inner) if k == "values" || k == "options" => {
                    for (ik, iv) in inner {
                        match iv {
                            serde_json::Value::String(s) => pairs.push((ik, s)),
                            serde_json::Value::Number(n) => pairs.push((ik, n.to_string())),
                            _ => problems.push(Problem {
                                message: format!("'{ik}' must be a number or a word"),
                                key: ik,
                            }),
                        }
                    }
                }
                serde_json::Value::Null => {}
                _ => problems.push(Problem {
                    message: format!("'{k}' must be a number or a word"),
                    key: k,
                }),
            }
        }
        let (s, mut more) = Scenario::from_pairs(&pairs, reg);
        problems.append(&mut more);
        (s, problems)
    }

    /// The scenario as JSON, in the same flat keys as the URL.
    pub fn to_json(&self) -> String {
        let mut m = serde_json::Map::new();
        for (k, v) in form_urlencoded::parse(self.to_query().as_bytes()) {
            let v = v.into_owned();
            let val = match v.parse::<f64>() {
                Ok(x) if x.is_finite() && k != "v" => serde_json::json!(x),
                _ => serde_json::Value::String(v),
            };
            m.insert(k.into_owned(), val);
        }
        serde_json::to_string_pretty(&serde_json::Value::Object(m)).unwrap_or_default()
    }

    fn default_for(reg: &Registry) -> (Scenario, Vec<Problem>) {
        (Scenario::first_preset(reg.default_model()), Vec::new())
    }

    /// The default scenario of a model: its first preset.
    pub fn first_preset(model: ModelId) -> Scenario {
        let preset = model.preset_names().first().copied().unwrap_or("");
        Scenario::preset(model, preset)
    }

    fn from_pairs(pairs: &[(String, String)], reg: &Registry) -> (Scenario, Vec<Problem>) {
        let mut problems = Vec::new();
        let mut problem = |key: &str, message: String| {
            problems.push(Problem {
                key: key.to_string(),
                message,
            })
        };
        let last = |key: &str| pairs.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v);
        // Model and preset first: they say which keys exist.
        let model = match last("model").map(|m| reg.parse(m)) {
            Some(Ok(m)) => m,
            Some(Err(_)) => {
                problem(
                    "model",
                    format!(
                        "unknown model '{}'; allowed: {}",
                        clip(last("model").map_or("", |m| m.as_str())),
                        reg.ids().join(", ")
                    ),
                );
                reg.default_model()
            }
            None => reg.default_model(),
        };
        let presets = model.preset_names();
        let preset = match last("preset") {
            Some(p) if presets.contains(&p.as_str()) => p.clone(),
            Some(p) => {
                problem(
                    "preset",
                    format!(
                        "unknown preset '{}' for the {model} model; allowed: {}",
                        clip(p),
                        presets.join(", ")
                    ),
                );
                presets.first().map(|s| s.to_string()).unwrap_or_default()
            }
            None => presets.first().map(|s| s.to_string()).unwrap_or_default(),
        };
        let mut s = Scenario::preset(model, &preset);
        let options = model.options();
        let mut seen: Vec<&str> = Vec::new();
        for (key, text) in pairs {
            if seen.contains(&key.as_str()) {
                problem(
                    key,
                    format!(
                        "'{}' is given more than once; the last value is used",
                        clip(key)
                    ),
                );
            } else {
                seen.push(key);
            }
            match key.as_str() {
                "model" | "preset" => {}
                "v" => {
                    if text != VERSION {
                        problem(
                            "v",
                            format!(
                                "link version '{}' is not supported (this page reads v={VERSION}); \
                                 values were read as v={VERSION}",
                                clip(text)
                            ),
                        );
                    }
                }
                "solver" => match Method::parse(text) {
                    Some(m) => s.solver = m,
                    None => problem(
                        "solver",
                        format!(
                            "solver '{}' is unknown; allowed: {}",
                            clip(text),
                            Method::NAMES.join(", ")
                        ),
                    ),
                },
                "units" => {
                    if UNITS.contains(&text.as_str()) {
                        s.units = text.clone();
                    } else {
                        problem(
                            "units",
                            format!(
                                "units '{}' are unknown; allowed: {}",
                                clip(text),
                                UNITS.join(", ")
                            ),
                        );
                    }
                }
                k if SOLVER_RANGES.iter().any(|(n, _, _)| *n == k) => {
                    let (_, lo, hi) = SOLVER_RANGES
                        .iter()
                        .find(|(n, _, _)| *n == k)
                        .copied()
                        .unwrap_or((k, 0.0, 0.0));
                    match text.trim().parse::<f64>() {
                        Ok(v) if v.is_finite() && v >= lo && v <= hi => match k {
                            "rtol" => s.rtol = v,
                            "atol" => s.atol = v,
                            "dt" => s.dt = v,
                            _ => s.t_end = Some(v),
                        },
                        Ok(v) if v.is_finite() => problem(
                            k,
                            format!("{k} = {v} is out of range; allowed: {lo} to {hi}"),
                        ),
                        _ => problem(
                            k,
                            format!(
                                "{k}: '{}' is not a number; allowed: {lo} to {hi}",
                                clip(text)
                            ),
                        ),
                    }
                }
                k => {
                    if let Some(spec) = model.spec(k) {
                        match spec.parse(text) {
                            Ok(v) => {
                                if model.preset_value(&preset, k) == Some(v) {
                                    s.values.remove(k);
                                } else {
                                    s.values.insert(k.to_string(), v);
                                }
                            }
                            Err(e) => problem(
                                k,
                                format!(
                                    "{e} (allowed: {} to {} {}); the preset value is used",
                                    spec.min, spec.max, spec.unit
                                )
                                .replace(&format!("'{text}'"), &format!("'{}'", clip(text))),
                            ),
                        }
                    } else if let Some(opt) = options.iter().find(|o| o.name == k) {
                        if opt.choices.contains(&text.as_str()) {
                            if opt.choices.first() == Some(&text.as_str()) {
                                s.options.remove(k);
                            } else {
                                s.options.insert(k.to_string(), text.clone());
                            }
                        } else {
                            problem(
                                k,
                                format!(
                                    "{k} = '{}' is not allowed; allowed: {}",
                                    clip(text),
                                    opt.choices.join(", ")
                                ),
                            );
                        }
                    } else {
                        problem(
                            k,
                            format!(
                                "unknown key '{}' for the {model} model; it was ignored",
                                clip(k)
                            ),
                        );
                    }
                }
            }
        }
        (s, problems)
    }
}

fn tol_scalar(t: &Tolerance) -> f64 {
    match t {
        Tolerance::Scalar(v) => *v,
        Tolerance::PerComponent(v) => v.first().copied().unwrap_or(1e-6),
    }
}

/// Shorten user text quoted in a message (it is still only ever shown as text).
pub fn clip(s: &str) -> String {
    const MAX: usize = 40;
    if s.chars().count() <= MAX {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(MAX).collect();
        t.push('…');
        t
    }
}

/// A number as a link writes it: the shortest text that reads back to the
/// same `f64`, in exponent form when very small or large
/// (`2.08558e-10`, not `0.000000000208558`).
fn link_number(v: f64) -> String {
    let a = v.abs();
    if a != 0.0 && a.is_finite() && !(1e-3..1e7).contains(&a) {
        format!("{v:e}")
    } else {
        format!("{v}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::params::Scale;

    use crate::model::params::ParamSpec;
    use crate::model::{
        Course, Display, Lesson, Model, ModelError, ModelId, OptionSpec, PresetInfo, SimRequest,
        SimTable,
    };
    use crate::plot::TimeChart;

    /// A model with two parameters, an option and two presets: enough for
    /// the codec, nothing to simulate.
    struct Toy;
    static TOY_PARAMS: [ParamSpec; 2] = [
        ParamSpec {
            name: "rTA",
            symbol: "r",
            unit: "1/day",
            meaning: "growth",
            min: 0.0,
            max: 10.0,
            scale: Scale::Log,
            source: "test",
        },
        ParamSpec {
            name: "KA",
            symbol: "K",
            unit: "cells",
            meaning: "saturation",
            min: 1e-6,
            max: 1e6,
            scale: Scale::Log,
            source: "test",
        },
    ];
    static TOY_OPTIONS: [OptionSpec; 1] = [OptionSpec {
        name: "variant",
        choices: &["corrected", "as-printed"],
        meaning: "equations",
    }];
    impl Model for Toy {
        fn id(&self) -> &'static str {
            "toy"
        }
        fn title(&self) -> &'static str {
            "Toy"
        }
        fn params(&self) -> &'static [ParamSpec] {
            &TOY_PARAMS
        }
        fn settings(&self) -> &'static [ParamSpec] {
            &[]
        }
        fn options(&self) -> &'static [OptionSpec] {
            &TOY_OPTIONS
        }
        fn presets(&self) -> Vec<PresetInfo> {
            ["a", "b"]
                .map(|name| PresetInfo {
                    name,
                    title: name,
                    description: "",
                    figure: "",
                })
                .to_vec()
        }
        fn preset_value(&self, p: &str, n: &str) -> Option<f64> {
            match (p, n) {
                ("a", "rTA") => Some(1.0),
                ("b", "rTA") => Some(2.0),
                (_, "KA") => Some(5.0),
                _ => None,
            }
        }
        fn default_t_end(&self, _p: &str) -> f64 {
            180.0
        }
        fn lesson(&self, _p: &str) -> Option<&'static Lesson> {
            None
        }
        fn simulate(&self, _r: &SimRequest) -> Result<SimTable, ModelError> {
            Err(ModelError::Invalid("toy".into()))
        }
        fn course(&self, _r: &SimRequest) -> Result<Course, ModelError> {
            Err(ModelError::Invalid("toy".into()))
        }
        fn charts(&self, _c: &Course, _d: &Display) -> Vec<TimeChart> {
            Vec::new()
        }
    }
    const TOY: ModelId = ModelId::new(&Toy);

    fn reg() -> Registry {
        let mut r = Registry::builtin().clone().with(TOY);
        // The toy first, as the default.
        while r.default_model() != TOY {
            let first = r.default_model();
            r = r.with(first);
        }
        r
    }

    #[test]
    fn round_trip_keeps_only_differences() {
        let mut s = Scenario::preset(TOY, "b");
        s.values.insert("rTA".into(), 0.1 + 0.2);
        s.options.insert("variant".into(), "as-printed".into());
        s.solver = Method::Rk4;
        s.t_end = Some(90.0);
        let q = s.to_query();
        assert_eq!(
            q,
            "v=1&model=toy&preset=b&rTA=0.30000000000000004&variant=as-printed&solver=rk4&t_end=90"
        );
        let (back, problems) = Scenario::from_query(&q, &reg());
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(back, s);
    }

    #[test]
    fn tiny_and_huge_numbers_are_written_with_an_exponent_and_read_back() {
        for v in [2.08558e-10, 5.498942132497314e-10, 1e-4, 0.25, 7.5] {
            let mut s = Scenario::preset(TOY, "b");
            s.values.insert("rTA".into(), v);
            let q = s.to_query();
            let written = q.split("rTA=").nth(1).unwrap().split('&').next().unwrap();
            assert!(written.len() <= 22, "{written}");
            assert!(!written.starts_with("0.000"), "{written}");
            let (back, problems) = Scenario::from_query(&q, &reg());
            assert!(problems.is_empty(), "{problems:?}");
            assert_eq!(back.values["rTA"], v);
        }
    }

    #[test]
    fn bad_values_name_the_key_and_fall_back() {
        for (q, key) in [
            ("model=toy&preset=a&rTA=abc", "rTA"),
            ("model=toy&preset=a&rTA=-1", "rTA"),
            ("model=toy&preset=a&rTA=1e999", "rTA"),
            ("model=toy&preset=zz", "preset"),
            ("model=nope", "model"),
            ("model=toy&bogus=1", "bogus"),
            ("model=toy&variant=odd", "variant"),
            ("model=toy&rtol=5", "rtol"),
            ("model=toy&v=7", "v"),
        ] {
            let (s, problems) = Scenario::from_query(q, &reg());
            assert_eq!(problems.len(), 1, "{q}: {problems:?}");
            assert_eq!(problems[0].key, key, "{q}");
            assert!(
                problems[0].message.contains(key),
                "{q}: {}",
                problems[0].message
            );
            assert!(s.values.is_empty(), "{q}");
        }
        let (_, p) = Scenario::from_query("model=toy&preset=a&rTA=-1", &reg());
        assert!(p[0].message.contains("0 to 10"), "{}", p[0].message);
    }

    #[test]
    fn markup_in_a_link_stays_text() {
        let q = "model=toy&preset=a&rTA=%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E";
        let (s, p) = Scenario::from_query(q, &reg());
        assert!(s.values.is_empty());
        assert_eq!(p[0].key, "rTA");
        // The message quotes the text; the page inserts it with textContent.
        assert!(p[0].message.contains("<img"));
    }

    #[test]
    fn json_round_trip_and_validation() {
        let mut s = Scenario::preset(TOY, "a");
        s.values.insert("KA".into(), 1e-3);
        let j = s.to_json();
        let (back, p) = Scenario::from_json(&j, &reg());
        assert!(p.is_empty(), "{p:?}");
        assert_eq!(back, s);
        let (_, p) = Scenario::from_json("{\"model\":\"toy\",\"KA\":-5}", &reg());
        assert_eq!(p[0].key, "KA");
        let (_, p) = Scenario::from_json("not json", &reg());
        assert_eq!(p.len(), 1);
    }

    #[test]
    fn preset_value_is_not_an_override() {
        let (s, p) = Scenario::from_query("model=toy&preset=b&rTA=2", &reg());
        assert!(p.is_empty());
        assert!(s.values.is_empty());
        assert_eq!(s.to_query(), "v=1&model=toy&preset=b");
    }
}
