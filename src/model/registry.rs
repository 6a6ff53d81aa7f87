//! The models a build knows: one [`Registry`] lists them and is the only
//! place a model id in text becomes a [`ModelId`] ([`Registry::parse`]).
//! The edges that call it: the scenario codec (`model=` in links and JSON
//! files, `src/scenario/`), the CLI's `--model` flag (`src/cli/simulate.rs`)
//! and the job messages between the page and its workers (`src/jobs/`).

use super::{clinical, marrow, ModelError, ModelId};
use std::sync::LazyLock;

/// A list of models, the default first.
#[derive(Debug, Clone, PartialEq)]
pub struct Registry {
    models: Vec<ModelId>,
}

static BUILTIN: LazyLock<Registry> = LazyLock::new(|| Registry {
    models: vec![clinical::MODEL, marrow::MODEL],
});

impl Default for Registry {
    fn default() -> Self {
        Registry::builtin().clone()
    }
}

impl Registry {
    /// The models of this build: the clinical model [L] (default), then the
    /// bone-marrow model [M].
    pub fn builtin() -> &'static Registry {
        &BUILTIN
    }

    /// This registry with one more model (e.g. a test model), last.
    pub fn with(mut self, model: ModelId) -> Registry {
        self.models.retain(|m| *m != model);
        self.models.push(model);
        self
    }

    /// The models, default first.
    pub fn models(&self) -> &[ModelId] {
        &self.models
    }

    /// The default model.
    pub fn default_model(&self) -> ModelId {
        self.models[0]
    }

    /// Ids of the models, default first.
    pub fn ids(&self) -> Vec<&'static str> {
        self.models.iter().map(|m| m.id()).collect()
    }

    /// The model whose id is `text`.
    pub fn parse(&self, text: &str) -> Result<ModelId, ModelError> {
        self.models
            .iter()
            .copied()
            .find(|m| m.id() == text)
            .ok_or_else(|| ModelError::UnknownModel {
                name: text.chars().take(40).collect(),
                known: self.ids(),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Sampling;
    use crate::scenario::Scenario;

    #[test]
    fn every_preset_value_lies_in_its_range() {
        for &m in Registry::builtin().models() {
            let presets = m.presets();
            assert!(!presets.is_empty(), "{m}");
            for p in presets {
                for spec in m.all_specs() {
                    let v = m
                        .preset_value(p.name, spec.name)
                        .unwrap_or_else(|| panic!("{m}/{}: no value for {}", p.name, spec.name));
                    spec.check(v)
                        .unwrap_or_else(|e| panic!("{m}/{}: {e}", p.name));
                }
                assert!(m.default_t_end(p.name) > 0.0);
                assert!(!p.description.is_empty());
                assert!(p.figure.contains("Fig."), "{}", p.figure);
                assert_ne!(p.title, p.name, "{}: no lesson", p.name);
            }
            for o in m.options() {
                assert!(o.choices.len() >= 2, "{}", o.name);
            }
        }
    }

    #[test]
    fn ids_parse_only_to_known_models() {
        let r = Registry::builtin();
        assert_eq!(r.parse("clinical").unwrap(), clinical::MODEL);
        assert_eq!(r.parse("marrow").unwrap(), marrow::MODEL);
        assert_eq!(r.default_model(), clinical::MODEL);
        let e = r.parse("nope").unwrap_err().to_string();
        assert!(
            e.contains("'nope'") && e.contains("clinical, marrow"),
            "{e}"
        );
        assert_eq!(clinical::MODEL.settings()[0].name, "extinction_threshold");
        assert_eq!(marrow::MODEL.settings()[0].name, "extinction_level");
    }

    #[test]
    fn marrow_presets_resolve_their_ties() {
        let m = marrow::MODEL;
        // fig2: no B-cell production, h = 5e8; ρL tied to ρ1.
        assert_eq!(m.preset_value("fig2", "B1"), Some(0.0));
        assert_eq!(m.preset_value("fig2", "h"), Some(5e8));
        assert_eq!(
            m.preset_value("fig3", "rhoL"),
            m.preset_value("fig3", "rho1")
        );
        assert_eq!(m.preset_value("fig8c", "h2"), Some(5e8));
        assert_eq!(m.preset_value("fig3", "extinction_level"), Some(1.0));
        assert_eq!(m.default_t_end("fig5"), 30.0);
        assert_eq!(m.preset_value("nope", "h"), None);
    }

    #[test]
    fn marrow_scenarios_simulate_with_a_second_product() {
        let r = Registry::builtin();
        let (s, p) = Scenario::from_query("model=marrow&preset=fig8c&variant=as-printed", r);
        assert!(p.is_empty(), "{p:?}");
        assert_eq!(
            s.options.get("variant").map(String::as_str),
            Some("as-printed")
        );
        let (s, p) = Scenario::from_query("model=marrow&preset=fig8c&t_end=60", r);
        assert!(p.is_empty(), "{p:?}");
        let table = s
            .model
            .simulate(&s.to_request(Sampling::Every(1.0)))
            .unwrap();
        for c in ["t", "B0", "L", "CA", "CM", "CA2", "CM2", "car_t_total"] {
            assert!(table.col(c).is_some(), "no column {c}");
        }
        let (s, _) = Scenario::from_query("model=marrow&preset=fig3&alpha=1e-9", r);
        let table = s
            .model
            .simulate(&s.to_request(Sampling::Every(1.0)))
            .unwrap();
        assert!(table.col("CA2").is_none());
        assert_eq!(table.n_rows(), 271);
    }

    #[test]
    fn url_and_json_round_trip_through_the_real_models() {
        let r = Registry::builtin();
        let mut s = Scenario::preset(clinical::MODEL, "relapse-pos");
        s.values.insert("rTA".into(), 1.25);
        s.values.insert("extinction_threshold".into(), 1e-6);
        s.options.insert("extinction".into(), "off".into());
        s.t_end = Some(120.0);
        s.units = "qpcr".into();
        let q = s.to_query();
        let (back, problems) = Scenario::from_query(&q, r);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(back, s);
        let (back, problems) = Scenario::from_json(&s.to_json(), r);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(back, s);
    }

    #[test]
    fn url_problems_name_the_key() {
        let r = Registry::builtin();
        for bad in ["abc", "-1"] {
            let (s, p) = Scenario::from_query(&format!("model=clinical&preset=cr&rTA={bad}"), r);
            assert_eq!(p.len(), 1);
            assert_eq!(p[0].key, "rTA");
            assert!(p[0].message.contains("rTA") && p[0].message.contains("0 to 10"));
            assert_eq!(s.value("rTA"), Some(1.62));
        }
    }

    #[test]
    fn a_scenario_course_is_simulated_and_classified_in_one_solve() {
        let r = Registry::builtin();
        let (s, p) = Scenario::from_query("model=clinical&preset=nr&t_end=60", r);
        assert!(p.is_empty());
        let req = s.to_request(Sampling::Every(1.0));
        let course = s.model.course(&req).unwrap();
        let table = s.model.simulate(&req).unwrap();
        assert_eq!(&course.table.columns[..5], ["t", "nP", "nTA", "nTN", "nN"]);
        assert_eq!(course.table.n_rows(), 61);
        // The same solve: the same steps and values as the table alone.
        assert_eq!(course.table, table);
        let m = course.metrics.expect("scored");
        assert_eq!(m.class().map(|c| c.label), Some("NR"));
    }
}
