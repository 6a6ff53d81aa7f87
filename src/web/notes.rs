//! The "Model notes" view: the equations and interpretive choices are
//! static text in `index.html` (one `#notes-<model id>` section per model);
//! the parameter table is generated here from the model's [`ParamSpec`]s
//! (symbol, name, unit, meaning, range, scale, value in the current preset,
//! source) and the glossary.
//!
//! [`ParamSpec`]: crate::model::params::ParamSpec

use super::app::App;
use super::dom::{self, append, el};
use super::format::fmt_value;
use crate::model::glossary::GLOSSARY;
use crate::model::params::Scale;

/// Show the current model's notes section and fill its parameter table.
pub fn build(app: &App) {
    let model = app.model();
    for m in app.reg.models() {
        dom::set_hidden(&format!("notes-{}", m.id()), *m != model);
    }
    let Ok(body) = dom::by_id("notes-params") else {
        return;
    };
    dom::clear(&body);
    let preset = &app.scenario.preset;
    dom::set_text("notes-preset", &format!("value in preset '{preset}'"));
    for spec in model.all_specs() {
        let Ok(tr) = el("tr", "", "") else { return };
        let value = model
            .preset_value(preset, spec.name)
            .map_or("–".into(), fmt_value);
        let scale = match spec.scale {
            Scale::Log => "log",
            Scale::Linear => "linear",
        };
        for (text, class) in [
            (spec.symbol.to_string(), ""),
            (spec.name.to_string(), "mono"),
            (spec.unit.to_string(), ""),
            (spec.meaning.to_string(), ""),
            (value, "num"),
            (
                format!(
                    "{} – {} ({scale})",
                    fmt_value(spec.min),
                    fmt_value(spec.max)
                ),
                "num",
            ),
            (spec.source.to_string(), ""),
        ] {
            if let Ok(td) = el("td", class, "") {
                dom::set_glossed(&td, &text);
                append(&tr, &td);
            }
        }
        append(&body, &tr);
    }
}

/// Fill the glossary of the Model notes (`#glossary`, a `<dl>`) from
/// [`GLOSSARY`]; each entry has the id `term-<word>`.
pub fn glossary() {
    let Ok(list) = dom::by_id("glossary") else {
        return;
    };
    dom::clear(&list);
    for t in GLOSSARY {
        let id: String = t.term.chars().filter(|c| c.is_alphanumeric()).collect();
        if let (Ok(dt), Ok(dd)) = (el("dt", "", t.term), el("dd", "", t.definition)) {
            dom::attr(&dt, "id", &format!("term-{id}"));
            append(&list, &dt);
            append(&list, &dd);
        }
    }
}
