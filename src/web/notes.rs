//! The "Model notes" view: the equations and interpretive choices are
//! static text in `index.html` (one section per model); the parameter
//! table is generated here from the model's [`ParamSpec`]s (symbol, name,
//! unit, meaning, range, scale, value in the current preset, source). Also
//! the switch between the simulator and the notes.

use super::app::App;
use super::controls::fmt_value;
use super::dom::{self, append, attr, el};
use crate::model::params::Scale;
use crate::model::registry::ALL_MODELS;
use crate::scenario::Catalog;

/// Fill the notes' parameter table for the current model.
pub fn build(app: &App) {
    let model = &app.scenario.model;
    for (id, _) in ALL_MODELS {
        dom::set_hidden(&format!("notes-{id}"), id != model);
    }
    let Ok(body) = dom::by_id("notes-params") else {
        return;
    };
    dom::clear(&body);
    dom::set_text(
        "notes-preset",
        &format!("value in preset '{}'", app.scenario.preset),
    );
    let specs = app
        .cat
        .model_params(model)
        .iter()
        .chain(app.cat.settings(model));
    for spec in specs {
        let Ok(tr) = el("tr", "", "") else { return };
        let value = app
            .cat
            .preset_value(model, &app.scenario.preset, spec.name)
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
            if let Ok(td) = el("td", class, &text) {
                append(&tr, &td);
            }
        }
        append(&body, &tr);
    }
}

fn show(notes: bool) {
    dom::set_hidden("simulator", notes);
    dom::set_hidden("notes", !notes);
    for (id, on) in [("view-sim", !notes), ("view-notes", notes)] {
        if let Ok(b) = dom::by_id(id) {
            attr(&b, "aria-pressed", if on { "true" } else { "false" });
        }
    }
    if !notes {
        super::app::request_render();
    }
}

/// Wire the view switch.
pub fn wire() {
    dom::on_id("view-sim", "click", |_| show(false));
    dom::on_id("view-notes", "click", |_| show(true));
}
