//! The models as the front ends see them: one [`Registry`] that lists each
//! model's presets (with a line on what each shows and the paper figure),
//! parameters ([`ParamSpec`]s), numeric settings, word-valued options,
//! preset values and default horizons, and runs a [`SimRequest`] on the
//! right model. It implements the scenario codec's [`Catalog`], so URLs and
//! JSON files are validated against the real models.

use super::params::{ParamSpec, Scale};
use super::{clinical, marrow, ModelError, SimRequest, SimTable};
use crate::scenario::{lessons, Catalog, OptionSpec};
use std::sync::LazyLock;

/// Model id of the clinical model of [L].
pub const CLINICAL: &str = "clinical";
/// Model id of the bone-marrow model of [M].
pub const MARROW: &str = "marrow";

/// Models that can be simulated now, default first.
const MODELS: &[&str] = &[CLINICAL, MARROW];

/// Every model the page knows of (some may not be simulated yet: see
/// [`Registry::available`]), with a display title.
pub const ALL_MODELS: &[(&str, &str)] = &[
    (CLINICAL, "Clinical model (Liu et al. 2021)"),
    (MARROW, "Bone-marrow model (Martínez-Rubio et al. 2021)"),
];

const fn concat<const A: usize, const B: usize, const C: usize>(
    a: [ParamSpec; A],
    b: [ParamSpec; B],
) -> [ParamSpec; C] {
    assert!(A + B == C && A > 0);
    let mut out = [a[0]; C];
    let mut i = 0;
    while i < A {
        out[i] = a[i];
        i += 1;
    }
    while i < C {
        out[i] = b[i - A];
        i += 1;
    }
    out
}

/// Clinical parameters and initial values, then its numeric settings.
static CLINICAL_ALL: [ParamSpec; clinical::N_PARAMS + 1] =
    concat(clinical::SPECS, clinical::SETTING_SPECS);

/// Word-valued options of the clinical model.
static CLINICAL_OPTIONS: [OptionSpec; 1] = [OptionSpec {
    name: "extinction",
    choices: &["on", "off"],
    meaning: "a tumour population that falls below one cell is set to 0 and stays 0 (MODELS.md §3)",
}];

/// The marrow model's numeric setting (MODELS.md §3), described like a parameter.
const MARROW_EXTINCTION: ParamSpec = ParamSpec {
    name: "extinction_level",
    symbol: "L_ext",
    unit: "cells",
    meaning: "the leukemia below this many cells is extinct (1 = one cell)",
    min: 1e-6,
    max: 1e6,
    scale: Scale::Log,
    source: "MODELS.md §3",
};

/// Marrow parameters and initial values, then its numeric setting.
static MARROW_ALL: LazyLock<Vec<ParamSpec>> = LazyLock::new(|| {
    let mut v = marrow::SPECS.to_vec();
    v.push(MARROW_EXTINCTION);
    v
});

/// Word-valued options of the marrow model.
static MARROW_OPTIONS: [OptionSpec; 2] = [
    OptionSpec {
        name: "variant",
        choices: &["corrected", "as-printed"],
        meaning: "corrected: activation counts CD19+ cells only and effectors move to memory at \
                  the rate memory gains them; as-printed: the equations exactly as printed in [M]",
    },
    OptionSpec {
        name: "extinction",
        choices: &["on", "off"],
        meaning: "the leukemia is set to 0 and stays 0 once below one cell (MODELS.md §3)",
    },
];

/// A marrow preset's resolved values (ties such as ρL = ρ1 applied) and
/// extinction level; `None` if the preset failed to build.
type PresetValues = Option<(Vec<f64>, f64)>;

/// Each marrow preset's [`PresetValues`], in [`marrow::PRESETS`] order.
static MARROW_PRESET_VALUES: LazyLock<Vec<PresetValues>> = LazyLock::new(|| {
    marrow::PRESETS
        .iter()
        .map(|p| {
            marrow::Scenario::from_preset(p.name, &[])
                .ok()
                .map(|sc| (sc.model.p.to_vec(), sc.extinction.unwrap_or(1.0)))
        })
        .collect()
});

/// A preset as a menu shows it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PresetInfo {
    /// Preset name (URL value).
    pub name: &'static str,
    /// Short title (from the lesson, else the name).
    pub title: &'static str,
    /// One line on what it shows.
    pub description: &'static str,
    /// The paper figure it reproduces.
    pub figure: &'static str,
}

/// The real models behind the codec and the page.
#[derive(Debug, Clone, Copy, Default)]
pub struct Registry;

impl Registry {
    /// True when `model` can be simulated in this build.
    pub fn available(&self, model: &str) -> bool {
        MODELS.contains(&model)
    }

    /// The presets of a model, in menu order.
    pub fn preset_infos(&self, model: &str) -> Vec<PresetInfo> {
        match model {
            CLINICAL => clinical::PRESETS
                .iter()
                .map(|p| {
                    let lesson = lessons::lesson(CLINICAL, p.name);
                    PresetInfo {
                        name: p.name,
                        title: lesson.map_or(p.name, |l| l.title),
                        description: p.description,
                        figure: lesson.map_or("Liu et al. 2021", |l| l.figure),
                    }
                })
                .collect(),
            MARROW => marrow::PRESETS
                .iter()
                .map(|p| PresetInfo {
                    name: p.name,
                    title: lessons::lesson(MARROW, p.name).map_or(p.name, |l| l.title),
                    description: p.description,
                    figure: p.figure,
                })
                .collect(),
            _ => Vec::new(),
        }
    }

    /// Parameters and initial values of a model (the parameter panel),
    /// without the numeric settings.
    pub fn model_params(&self, model: &str) -> &'static [ParamSpec] {
        match model {
            CLINICAL => &CLINICAL_ALL[..clinical::N_PARAMS],
            MARROW => &marrow::SPECS,
            _ => &[],
        }
    }

    /// Numeric settings of a model (e.g. the extinction threshold).
    pub fn settings(&self, model: &str) -> &'static [ParamSpec] {
        match model {
            CLINICAL => &CLINICAL_ALL[clinical::N_PARAMS..],
            MARROW => &MARROW_ALL[marrow::N_PARAMS..],
            _ => &[],
        }
    }

    /// Simulate a request on `model`.
    pub fn simulate(&self, model: &str, req: &SimRequest) -> Result<SimTable, ModelError> {
        match model {
            CLINICAL => clinical::simulate(req),
            MARROW => marrow::simulate(req),
            other => Err(ModelError::Invalid(format!(
                "the {other} model is not available in this build"
            ))),
        }
    }
}

impl Catalog for Registry {
    fn models(&self) -> &[&'static str] {
        MODELS
    }

    fn presets(&self, model: &str) -> Vec<&'static str> {
        match model {
            CLINICAL => clinical::params::preset_names(),
            MARROW => marrow::PRESETS.iter().map(|p| p.name).collect(),
            _ => Vec::new(),
        }
    }

    fn params(&self, model: &str) -> &'static [ParamSpec] {
        match model {
            CLINICAL => &CLINICAL_ALL,
            MARROW => &MARROW_ALL,
            _ => &[],
        }
    }

    fn options(&self, model: &str) -> &'static [OptionSpec] {
        match model {
            CLINICAL => &CLINICAL_OPTIONS,
            MARROW => &MARROW_OPTIONS,
            _ => &[],
        }
    }

    fn preset_value(&self, model: &str, preset: &str, name: &str) -> Option<f64> {
        match model {
            CLINICAL => {
                let p = clinical::preset(preset).ok()?;
                match name {
                    "extinction_threshold" => Some(clinical::ONE_CELL),
                    _ => p.params.get(name),
                }
            }
            MARROW => {
                let i = marrow::PRESETS.iter().position(|p| p.name == preset)?;
                let (values, level) = MARROW_PRESET_VALUES.get(i)?.as_ref()?;
                match name {
                    "extinction_level" => Some(*level),
                    _ => {
                        let j = marrow::SPECS.iter().position(|s| s.name == name)?;
                        values.get(j).copied()
                    }
                }
            }
            _ => None,
        }
    }

    fn default_t_end(&self, model: &str, preset: &str) -> f64 {
        match model {
            CLINICAL => clinical::DEFAULT_T_END,
            MARROW => marrow::preset(preset).map_or(270.0, |p| p.t_end),
            _ => 180.0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Sampling;
    use crate::scenario::Scenario;

    #[test]
    fn every_preset_value_lies_in_its_range() {
        let r = Registry;
        for &m in r.models() {
            let presets = r.presets(m);
            assert!(!presets.is_empty(), "{m}");
            assert_eq!(r.preset_infos(m).len(), presets.len());
            for p in presets {
                for spec in r.params(m) {
                    let v = r
                        .preset_value(m, p, spec.name)
                        .unwrap_or_else(|| panic!("{m}/{p}: no value for {}", spec.name));
                    spec.check(v).unwrap_or_else(|e| panic!("{m}/{p}: {e}"));
                }
                assert!(r.default_t_end(m, p) > 0.0);
            }
            for o in r.options(m) {
                assert!(o.choices.len() >= 2, "{}", o.name);
            }
        }
    }

    #[test]
    fn params_are_model_params_then_settings() {
        let r = Registry;
        let all = r.params(CLINICAL);
        assert_eq!(
            all.len(),
            r.model_params(CLINICAL).len() + r.settings(CLINICAL).len()
        );
        assert_eq!(all[0].name, "rP");
        assert_eq!(all.last().unwrap().name, "extinction_threshold");
        assert!(r.available(CLINICAL));
        assert!(r.model_params("nope").is_empty());
        let all = r.params(MARROW);
        assert_eq!(
            all.len(),
            r.model_params(MARROW).len() + r.settings(MARROW).len()
        );
        assert_eq!(r.settings(MARROW)[0].name, "extinction_level");
        assert!(r.available(MARROW));
    }

    #[test]
    fn marrow_presets_resolve_their_ties() {
        let r = Registry;
        // fig2: no B-cell production, h = 5e8; ρL tied to ρ1.
        assert_eq!(r.preset_value(MARROW, "fig2", "B1"), Some(0.0));
        assert_eq!(r.preset_value(MARROW, "fig2", "h"), Some(5e8));
        assert_eq!(
            r.preset_value(MARROW, "fig3", "rhoL"),
            r.preset_value(MARROW, "fig3", "rho1")
        );
        assert_eq!(r.preset_value(MARROW, "fig8c", "h2"), Some(5e8));
        assert_eq!(
            r.preset_value(MARROW, "fig3", "extinction_level"),
            Some(1.0)
        );
        assert_eq!(r.default_t_end(MARROW, "fig5"), 30.0);
        assert_eq!(r.preset_value(MARROW, "nope", "h"), None);
    }

    #[test]
    fn marrow_scenarios_simulate_with_a_second_product() {
        let r = Registry;
        let (s, p) = Scenario::from_query("model=marrow&preset=fig8c&variant=as-printed", &r);
        assert!(p.is_empty(), "{p:?}");
        assert_eq!(
            s.options.get("variant").map(String::as_str),
            Some("as-printed")
        );
        let (s, p) = Scenario::from_query("model=marrow&preset=fig8c&t_end=60", &r);
        assert!(p.is_empty(), "{p:?}");
        let table = r
            .simulate(MARROW, &s.to_request(&r, Sampling::Every(1.0)))
            .unwrap();
        for c in ["t", "B0", "L", "CA", "CM", "CA2", "CM2", "car_t_total"] {
            assert!(table.col(c).is_some(), "no column {c}");
        }
        let (s, _) = Scenario::from_query("model=marrow&preset=fig3&alpha=1e-9", &r);
        let table = r
            .simulate(MARROW, &s.to_request(&r, Sampling::Every(1.0)))
            .unwrap();
        assert!(table.col("CA2").is_none());
        assert_eq!(table.n_rows(), 271);
    }

    #[test]
    fn presets_have_titles_descriptions_and_figures() {
        for info in Registry.preset_infos(MARROW) {
            assert!(!info.description.is_empty());
            assert!(info.figure.contains("Fig."), "{}", info.figure);
            assert_ne!(info.title, info.name, "{}: no lesson", info.name);
        }
        for info in Registry.preset_infos(CLINICAL) {
            assert!(!info.description.is_empty());
            assert!(info.figure.contains("Fig."), "{}", info.figure);
            assert_ne!(info.title, info.name, "{}: no lesson", info.name);
        }
    }

    #[test]
    fn url_and_json_round_trip_through_the_real_models() {
        let r = Registry;
        let mut s = Scenario::preset(CLINICAL, "relapse-pos");
        s.values.insert("rTA".into(), 1.25);
        s.values.insert("extinction_threshold".into(), 1e-6);
        s.options.insert("extinction".into(), "off".into());
        s.t_end = Some(120.0);
        s.units = "qpcr".into();
        let q = s.to_query(&r);
        let (back, problems) = Scenario::from_query(&q, &r);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(back, s);
        let (back, problems) = Scenario::from_json(&s.to_json(&r), &r);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(back, s);
    }

    #[test]
    fn url_problems_name_the_key() {
        let r = Registry;
        for bad in ["abc", "-1"] {
            let (s, p) = Scenario::from_query(&format!("model=clinical&preset=cr&rTA={bad}"), &r);
            assert_eq!(p.len(), 1);
            assert_eq!(p[0].key, "rTA");
            assert!(p[0].message.contains("rTA") && p[0].message.contains("0 to 10"));
            assert_eq!(s.value(&r, "rTA"), Some(1.62));
        }
    }

    #[test]
    fn a_scenario_request_simulates_and_classifies() {
        let r = Registry;
        let (s, p) = Scenario::from_query("model=clinical&preset=nr&t_end=60", &r);
        assert!(p.is_empty());
        let req = s.to_request(&r, Sampling::Every(1.0));
        let table = r.simulate(CLINICAL, &req).unwrap();
        assert_eq!(&table.columns[..5], ["t", "nP", "nTA", "nTN", "nN"]);
        assert_eq!(table.n_rows(), 61);
        let m = clinical::metrics(&req, Default::default()).unwrap();
        assert_eq!(m.response.as_str(), "NR");
        assert!(r.simulate("nope", &req).is_err());
    }
}
