//! The controls, generated from the model descriptions: model switch,
//! scenario list (title, one line, paper figure), one row per [`ParamSpec`]
//! (slider on its log or linear scale, exact number field, unit, meaning on
//! hover and focus, reset button, highlight when changed), model options,
//! and [`sync`], which sets every control from the current scenario.
//! Handlers only build a [`Msg`] with the user's text and dispatch it; the
//! update validates it with the scenario codec exactly like a URL.

use super::app::{units_apply, App, Dispatch, Msg};
use super::dom::{self, append, attr, el, on};
use super::format::fmt_value;
use crate::model::params::{ParamSpec, Scale};
use web_sys::HtmlButtonElement;

/// Slider resolution (positions 0..=STEPS).
pub const STEPS: f64 = 1000.0;

/// Lower end of a log slider's scale: the range minimum, or, when that is 0
/// (initial cell counts), a value 12 decades below the maximum. Position 0
/// is then exactly 0 and the rest of the track is logarithmic.
fn log_floor(spec: &ParamSpec) -> f64 {
    if spec.min > 0.0 {
        spec.min
    } else {
        spec.max * 1e-12
    }
}

/// Slider position of a value.
pub fn position(spec: &ParamSpec, v: f64) -> f64 {
    let u = match spec.scale {
        Scale::Log => {
            let lo = log_floor(spec);
            if v <= spec.min || v < lo {
                0.0
            } else {
                let (a, b) = (lo.log10(), spec.max.log10());
                (v.log10() - a) / (b - a)
            }
        }
        Scale::Linear => (v - spec.min) / (spec.max - spec.min),
    };
    let pos = (u.clamp(0.0, 1.0) * STEPS).round();
    // Keep a positive value off position 0 when position 0 means exactly 0.
    if spec.scale == Scale::Log && spec.min <= 0.0 && v > 0.0 && pos == 0.0 {
        1.0
    } else {
        pos
    }
}

/// Value at a slider position, rounded to 4 significant digits (so URLs
/// stay short) and kept inside the range.
pub fn value_at(spec: &ParamSpec, pos: f64) -> f64 {
    let u = (pos / STEPS).clamp(0.0, 1.0);
    let v = match spec.scale {
        Scale::Log if u == 0.0 => spec.min,
        Scale::Log => {
            let (a, b) = (log_floor(spec).log10(), spec.max.log10());
            10f64.powf(a + u * (b - a))
        }
        Scale::Linear => spec.min + u * (spec.max - spec.min),
    };
    let rounded: f64 = format!("{v:.3e}").parse().unwrap_or(v);
    rounded.clamp(spec.min, spec.max)
}

fn slider_id(name: &str) -> String {
    format!("p-{name}-slider")
}
fn field_id(name: &str) -> String {
    format!("p-{name}")
}
fn row_id(name: &str) -> String {
    format!("p-{name}-row")
}
fn reset_id(name: &str) -> String {
    format!("p-{name}-reset")
}

/// The solver and horizon keys typed into fields of `index.html`.
const SOLVER_FIELDS: [&str; 4] = ["rtol", "atol", "dt", "t_end"];

/// Ids of the fields a scenario key may be typed into, each with the id of
/// the message beside it: a parameter row, a model setting, a solver field.
pub fn field_of(key: &str) -> Vec<(String, String)> {
    let mut ids = vec![
        (field_id(key), format!("p-{key}-msg")),
        (format!("set-{key}"), format!("set-{key}-msg")),
    ];
    if SOLVER_FIELDS.contains(&key) {
        let id = key.replace('_', "-");
        ids.push((id.clone(), format!("{id}-msg")));
    }
    ids
}

/// The model switch (radio buttons), one per model of the registry.
pub fn build_models(app: &App, send: Dispatch) -> Result<(), String> {
    let box_ = dom::by_id("models")?;
    dom::clear(&box_);
    for &model in app.reg.models() {
        let id = model.id();
        let label = el("label", "model-choice", "")?;
        let radio = el("input", "", "")?;
        attr(&radio, "type", "radio");
        attr(&radio, "name", "model");
        attr(&radio, "value", id);
        attr(&radio, "id", &format!("model-{id}"));
        append(&label, &radio);
        append(&label, &el("span", "", model.title())?);
        on(&radio, "change", move |_| send(Msg::ChooseModel(model)));
        append(&box_, &label);
    }
    Ok(())
}

/// The controls that depend on the model: scenario list, parameter rows,
/// options and numeric settings.
pub fn build_model(app: &App, send: Dispatch) -> Result<(), String> {
    build_presets(app, send)?;
    build_params(app, send)?;
    build_options(app, send)
}

/// The scenario list of the current model.
fn build_presets(app: &App, send: Dispatch) -> Result<(), String> {
    let list = dom::by_id("presets")?;
    dom::clear(&list);
    for info in app.model().presets() {
        let li = el("li", "", "")?;
        let b = el("button", "preset", "")?;
        attr(&b, "type", "button");
        attr(&b, "data-preset", info.name);
        append(&b, &el("strong", "", info.title)?);
        append(&b, &el("span", "fig", info.figure)?);
        append(&b, &el("span", "desc", info.description)?);
        let name = info.name;
        on(&b, "click", move |_| {
            send(Msg::ChoosePreset(name.to_string()))
        });
        append(&li, &b);
        append(&list, &li);
    }
    Ok(())
}

fn param_row(spec: &'static ParamSpec, send: Dispatch) -> Result<web_sys::Element, String> {
    let row = el("div", "param", "")?;
    attr(&row, "id", &row_id(spec.name));
    let help = format!("{} ({}); {}", spec.meaning, spec.unit, spec.source);
    attr(&row, "title", &help);
    let label = el("label", "", "")?;
    attr(&label, "for", &field_id(spec.name));
    append(&label, &el("span", "sym", spec.symbol)?);
    append(&label, &el("code", "pname", spec.name)?);
    append(&row, &label);

    let slider = el("input", "slider", "")?;
    attr(&slider, "type", "range");
    attr(&slider, "id", &slider_id(spec.name));
    attr(&slider, "min", "0");
    attr(&slider, "max", &format!("{STEPS}"));
    attr(&slider, "step", "1");
    attr(&slider, "data-param", spec.name);
    let scale = match spec.scale {
        Scale::Log => "log scale",
        Scale::Linear => "linear scale",
    };
    attr(
        &slider,
        "aria-label",
        &format!("{} ({}), slider on a {scale}", spec.name, spec.meaning),
    );
    attr(
        &slider,
        "aria-describedby",
        &format!("p-{}-help", spec.name),
    );
    on(&slider, "input", move |ev| {
        if let Some(pos) = dom::event_value(&ev).and_then(|t| t.parse::<f64>().ok()) {
            send(Msg::Slider {
                name: spec.name.to_string(),
                value: value_at(spec, pos),
            });
        }
    });
    on(&slider, "change", move |_| send(Msg::SliderReleased));
    append(&row, &slider);

    let field = el("input", "number", "")?;
    attr(&field, "type", "text");
    attr(&field, "inputmode", "decimal");
    attr(&field, "spellcheck", "false");
    attr(&field, "autocomplete", "off");
    attr(&field, "id", &field_id(spec.name));
    attr(&field, "data-param", spec.name);
    attr(
        &field,
        "aria-describedby",
        &format!("p-{0}-msg p-{0}-help", spec.name),
    );
    on(&field, "change", move |ev| {
        if let Some(text) = dom::event_value(&ev) {
            send(Msg::SetValue {
                key: spec.name.to_string(),
                text,
            });
        }
    });
    append(&row, &field);
    append(&row, &el("span", "unit", spec.unit)?);

    let reset = el("button", "reset", "↺")?;
    attr(&reset, "type", "button");
    attr(&reset, "id", &reset_id(spec.name));
    attr(
        &reset,
        "aria-label",
        &format!("reset {} to the scenario's value", spec.name),
    );
    attr(&reset, "title", "reset to the scenario's value");
    on(&reset, "click", move |_| {
        send(Msg::Reset(spec.name.to_string()))
    });
    append(&row, &reset);

    // The message of a refused value, right under the field.
    let msg = el("p", "field-msg", "")?;
    attr(&msg, "id", &format!("p-{}-msg", spec.name));
    append(&row, &msg);

    let help_el = el("small", "help", "")?;
    dom::set_glossed(
        &help_el,
        &format!(
            "{}; {} to {} {}, {scale}; {}",
            spec.meaning,
            fmt_value(spec.min),
            fmt_value(spec.max),
            spec.unit,
            spec.source
        ),
    );
    attr(&help_el, "id", &format!("p-{}-help", spec.name));
    append(&row, &help_el);
    Ok(row)
}

/// The parameter panel of the current model.
fn build_params(app: &App, send: Dispatch) -> Result<(), String> {
    let box_ = dom::by_id("params")?;
    dom::clear(&box_);
    for spec in app.model().params() {
        append(&box_, &param_row(spec, send)?);
    }
    Ok(())
}

/// A change handler that sends the control's value as `key`.
fn set_on_change(key: &'static str, send: Dispatch) -> impl FnMut(web_sys::Event) + 'static {
    move |ev| {
        if let Some(text) = dom::event_value(&ev) {
            send(Msg::SetValue {
                key: key.to_string(),
                text,
            });
        }
    }
}

/// The model options (word choices) and numeric settings.
fn build_options(app: &App, send: Dispatch) -> Result<(), String> {
    let box_ = dom::by_id("options")?;
    dom::clear(&box_);
    for opt in app.model().options() {
        let label = el("label", "field", "")?;
        attr(&label, "title", opt.meaning);
        append(&label, &el("span", "", opt.name)?);
        let sel = el("select", "", "")?;
        attr(&sel, "id", &format!("opt-{}", opt.name));
        attr(&sel, "data-option", opt.name);
        for c in opt.choices {
            let o = el("option", "", c)?;
            attr(&o, "value", c);
            append(&sel, &o);
        }
        on(&sel, "change", set_on_change(opt.name, send));
        append(&label, &sel);
        append(&box_, &label);
    }
    for spec in app.model().settings() {
        let label = el("label", "field", "")?;
        attr(&label, "title", spec.meaning);
        append(
            &label,
            &el("span", "", &format!("{} ({})", spec.name, spec.unit))?,
        );
        let field = el("input", "number", "")?;
        attr(&field, "type", "text");
        attr(&field, "inputmode", "decimal");
        attr(&field, "id", &format!("set-{}", spec.name));
        attr(&field, "data-param", spec.name);
        attr(
            &field,
            "aria-describedby",
            &format!("set-{}-msg", spec.name),
        );
        on(&field, "change", set_on_change(spec.name, send));
        append(&label, &field);
        let msg = el("span", "field-msg", "")?;
        attr(&msg, "id", &format!("set-{}-msg", spec.name));
        append(&label, &msg);
        append(&box_, &label);
    }
    Ok(())
}

/// Wire the static solver and display controls to the scenario keys, the
/// log-axes box and "Reset all".
pub fn wire_static(send: Dispatch) -> Result<(), String> {
    for (id, key) in [
        ("solver-method", "solver"),
        ("rtol", "rtol"),
        ("atol", "atol"),
        ("dt", "dt"),
        ("t-end", "t_end"),
        ("units", "units"),
    ] {
        dom::on_id(id, "change", set_on_change(key, send))?;
    }
    dom::on_id("log-y", "change", move |ev| {
        send(Msg::SetLogY(dom::event_checked(&ev)))
    })?;
    dom::on_id("reset-all", "click", move |_| send(Msg::ResetAll))?;
    // On a small screen one time chart is pinned at a time: the switch
    // shows the other (drawn at the next frame, now that it has a size).
    for (id, shown) in [("show-main", "main"), ("show-cart", "cart")] {
        dom::on_id(id, "click", move |_| {
            if let Ok(charts) = dom::by_id("sim-charts") {
                attr(&charts, "data-shown", shown);
            }
            for (b, s) in [("show-main", "main"), ("show-cart", "cart")] {
                if let Ok(b) = dom::by_id(b) {
                    dom::set_pressed(&b, s == shown);
                }
            }
            send(Msg::Resize);
        })?;
    }
    Ok(())
}

/// Set every control from the scenario (values, highlights, pressed preset).
pub fn sync(app: &App) {
    let s = &app.scenario;
    let model = app.model();
    dom::set_checked(&format!("model-{}", model.id()), true);
    if let Ok(list) = dom::by_id("presets") {
        let buttons = list.get_elements_by_tag_name("button");
        for i in 0..buttons.length() {
            if let Some(b) = buttons.item(i) {
                let pressed = b.get_attribute("data-preset").as_deref() == Some(&s.preset);
                dom::set_pressed(&b, pressed);
            }
        }
    }
    for spec in model.params() {
        let v = s.value(spec.name).unwrap_or(spec.min);
        if let Ok(sl) = dom::input(&slider_id(spec.name)) {
            sl.set_value(&format!("{}", position(spec, v)));
        }
        dom::set_value(&field_id(spec.name), &fmt_value(v));
        let changed = s.values.contains_key(spec.name);
        if let Ok(row) = dom::by_id(&row_id(spec.name)) {
            dom::toggle_class(&row, "changed", changed);
        }
        if let Ok(b) = dom::by_id_as::<HtmlButtonElement>(&reset_id(spec.name)) {
            b.set_disabled(!changed);
        }
    }
    for spec in model.settings() {
        let v = s.value(spec.name).unwrap_or(spec.min);
        dom::set_value(&format!("set-{}", spec.name), &fmt_value(v));
    }
    for opt in model.options() {
        let v = s
            .options
            .get(opt.name)
            .map(String::as_str)
            .or(opt.choices.first().copied())
            .unwrap_or("");
        dom::set_select(&format!("opt-{}", opt.name), v);
    }
    dom::set_select("solver-method", s.solver.as_str());
    dom::set_value("rtol", &fmt_value(s.rtol));
    dom::set_value("atol", &fmt_value(s.atol));
    dom::set_value("dt", &fmt_value(s.dt));
    let rk4 = s.solver == crate::solver::Method::Rk4;
    dom::set_hidden("tol-fields", rk4);
    dom::set_hidden("dt-field", !rk4);
    dom::set_value("t-end", &fmt_value(app.t_end()));
    dom::set_select("units", &s.units);
    if let Ok(u) = dom::by_id("units") {
        dom::set_disabled(&u, !units_apply(model));
    }
    dom::set_checked("log-y", app.log_y);
}

/// Mark a field's text as refused (until the next sync).
pub fn mark_invalid(key: &str) {
    for (id, _) in field_of(key) {
        if let Ok(i) = dom::by_id(&id) {
            attr(&i, "aria-invalid", "true");
        }
    }
}

/// Bring the message under `key`'s field into view (it may fall below
/// the window when the field is at its bottom edge).
pub fn reveal_message(key: &str) {
    for (_, msg) in field_of(key) {
        if let Ok(m) = dom::by_id(&msg) {
            if m.text_content().is_some_and(|t| !t.is_empty()) {
                dom::scroll_into_view(&m);
            }
        }
    }
}

/// Show each refused typed value's sentence beside its field (and clear
/// the others); mark those fields invalid. The field itself shows the
/// value in use (set by [`sync`]).
pub fn show_field_messages(app: &App) {
    if let Ok(doc) = dom::document() {
        let shown = doc.get_elements_by_class_name("field-msg");
        for i in 0..shown.length() {
            if let Some(e) = shown.item(i) {
                dom::clear(&e);
            }
        }
    }
    for (key, message) in app.field_messages() {
        for (field, msg) in field_of(&key) {
            if let Ok(m) = dom::by_id(&msg) {
                m.set_text_content(Some(&message));
            }
            if let Ok(i) = dom::by_id(&field) {
                attr(&i, "aria-invalid", "true");
            }
        }
    }
}
