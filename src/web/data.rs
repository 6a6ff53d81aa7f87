//! The simulator's Data panel (issue 16): a patient's measurements loaded
//! from a file, a paste or an embedded example (simulated), drawn on the
//! charts by the core ([`crate::data::place`]), the residual summary of
//! the live course ([`crate::fit::residual_summary`]), and a fit of the
//! model to them in a worker ([`crate::jobs::Task::Fit`], the same report
//! as `cartsim fit`), whose estimates "Apply" puts into the controls. A bad
//! file's sentence is shown as text and changes nothing. The model's data
//! units, parameters and default fit list come from the model interface.

use super::app::{App, Dispatch, Msg};
use super::dom;
use super::format::sig;
use super::jobs::{pool, Job, Next, Slice, View};
use crate::data::examples::{example, EXAMPLES};
use crate::data::{MAX_BYTES, MAX_LINK_POINTS};
use crate::fit::{FitBase, FitSettings, MAX_STARTS};
use crate::jobs::{FitSpec, Task};
use crate::model::units::CarUnit;
use crate::model::Sampling;
use js_sys::Uint8Array;
use serde_json::Value;
use std::cell::RefCell;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};

/// Prefix of the fit job's elements (`fit-status`, `fit-progress`, …).
const P: &str = "fit";

thread_local! {
    /// The last fit's estimates, for "Apply".
    static ESTIMATES: RefCell<Vec<(String, f64)>> = const { RefCell::new(Vec::new()) };
    /// The data the panel last showed (unit and CSV), to notice new data.
    static SHOWN: RefCell<String> = const { RefCell::new(String::new()) };
}

/// New data: the last fit's result no longer applies (hidden, Apply off).
fn forget_fit_if_new(key: String) {
    let new = SHOWN.with(|s| {
        let mut s = s.borrow_mut();
        let changed = *s != key;
        *s = key;
        changed
    });
    if new {
        ESTIMATES.with(|e| e.borrow_mut().clear());
        dom::set_hidden("fit-results", true);
        if let Ok(b) = dom::by_id("fit-apply") {
            dom::set_disabled(&b, true);
        }
    }
}

/// The text of the paste box.
fn pasted() -> String {
    dom::by_id("data-paste")
        .ok()
        .and_then(|e| js_sys::Reflect::get(&e, &JsValue::from_str("value")).ok())
        .and_then(|v| v.as_string())
        .unwrap_or_default()
}

/// Wire the panel's controls (skipped when the page has no data panel).
pub fn wire(send: Dispatch) -> Result<(), String> {
    if !dom::exists("data-section") {
        return Ok(());
    }
    dom::on_id("data-example", "change", move |ev| {
        let Some(e) = dom::event_value(&ev).and_then(|f| example(&f)) else {
            return;
        };
        dom::set_select("data-unit", e.unit);
        send(Msg::LoadData {
            text: e.csv.to_string(),
            unit: e.unit.to_string(),
            source: e.file.to_string(),
        });
    })?;
    dom::on_id("data-file", "change", move |ev| read_file(ev, send))?;
    dom::on_id("data-load", "click", move |_| {
        send(Msg::LoadData {
            text: pasted(),
            unit: dom::value("data-unit").unwrap_or_default(),
            source: "the pasted data".into(),
        })
    })?;
    dom::on_id("data-unit", "change", move |ev| {
        if let Some(u) = dom::event_value(&ev) {
            send(Msg::DataUnit(u));
        }
    })?;
    dom::on_id("data-clear", "click", move |_| {
        dom::set_select("data-example", "");
        send(Msg::ClearData)
    })?;
    dom::on_id("fit-form", "submit", move |ev| {
        ev.prevent_default();
        send(Msg::Fit);
    })?;
    dom::on_id("fit-cancel", "click", |_| pool().cancel())?;
    dom::on_id("fit-apply", "click", move |_| {
        let values = ESTIMATES.with(|e| e.borrow().clone());
        if !values.is_empty() {
            send(Msg::ApplyFit(values));
        }
    })?;
    dom::on_id("fit-prior", "change", |ev| {
        if let Ok(sd) = dom::by_id("fit-prior-sd") {
            dom::set_disabled(&sd, !dom::event_checked(&ev));
        }
    })?;
    Ok(())
}

/// Read a chosen CSV file (at most [`MAX_BYTES`]) and load it.
fn read_file(ev: web_sys::Event, send: Dispatch) {
    let Some((input, file)) = dom::event_file(&ev) else {
        return;
    };
    let name = file.name();
    let unit = dom::value("data-unit").unwrap_or_default();
    if file.size() > MAX_BYTES as f64 {
        // The same sentence as for any too-large file, without reading it.
        let e = crate::data::DataError {
            line: 0,
            column: None,
            kind: crate::data::DataErrorKind::TooLarge {
                bytes: file.size() as usize,
            },
        };
        send(Msg::DataRefused(format!(
            "{name}: {e}. Nothing was changed."
        )));
        input.set_value("");
        return;
    }
    let source = name.clone();
    let ok = Closure::once(move |text: JsValue| {
        send(Msg::LoadData {
            text: text.as_string().unwrap_or_default(),
            unit,
            source,
        });
    });
    let fail = Closure::once(move |e: JsValue| {
        send(Msg::DataRefused(format!(
            "{name}: the file could not be read ({}). Nothing was changed.",
            dom::js_text(&e)
        )));
    });
    let _ = file.text().then2(&ok, &fail);
    ok.forget();
    fail.forget();
    input.set_value("");
    dom::set_select("data-example", "");
}

/// The controls that depend on the model: the unit menu (the model's data
/// units), the examples for it, the parameters to fit (the model's
/// default list checked).
pub fn build_model(app: &App) -> Result<(), String> {
    if !dom::exists("data-section") {
        return Ok(());
    }
    let model = app.model();
    let unit = dom::by_id("data-unit")?;
    dom::clear(&unit);
    let units = model.data_units();
    for u in units {
        // A model with one data unit has it as its own; the clinical
        // units are named as `cartsim predict` names them.
        let text = match CarUnit::parse(u).filter(|_| units.len() > 1) {
            Some(c) => format!("{u} ({})", c.label()),
            None => u.to_string(),
        };
        let o = dom::el("option", "", &text)?;
        dom::attr(&o, "value", u);
        dom::append(&unit, &o);
    }
    let ex = dom::by_id("data-example")?;
    dom::clear(&ex);
    let none = dom::el("option", "", "— choose an example —")?;
    dom::attr(&none, "value", "");
    dom::append(&ex, &none);
    for e in EXAMPLES.iter().filter(|e| e.model == model.id()) {
        let o = dom::el("option", "", e.label)?;
        dom::attr(&o, "value", e.file);
        dom::append(&ex, &o);
    }
    let box_ = dom::by_id("fit-params")?;
    dom::clear(&box_);
    for p in model.params() {
        let label = dom::el("label", "check", "")?;
        let input = dom::el("input", "", "")?;
        dom::attr(&input, "type", "checkbox");
        dom::attr(&input, "value", p.name);
        dom::attr(&input, "name", "fit-param");
        if model.default_fit().contains(&p.name) {
            dom::attr(&input, "checked", "");
        }
        dom::append(&label, &input);
        dom::append_text(&label, "span", p.name)?;
        dom::attr(&label, "title", p.meaning);
        dom::append(&box_, &label);
    }
    Ok(())
}

/// The parameters checked in the fit form: those of the model's default
/// list first, in its order (so the default fit is `cartsim fit`'s), then
/// the others in the model's order.
fn chosen(default: &[&str]) -> Vec<String> {
    let mut v = checked_params();
    v.sort_by_key(|n| default.iter().position(|d| d == n).unwrap_or(usize::MAX));
    v
}

/// The parameters checked in the fit form, in the model's order.
fn checked_params() -> Vec<String> {
    let Ok(box_) = dom::by_id("fit-params") else {
        return Vec::new();
    };
    let labels = box_.children();
    (0..labels.length())
        .filter_map(|i| labels.item(i)?.first_element_child())
        .filter_map(|n| n.dyn_into::<web_sys::HtmlInputElement>().ok())
        .filter(|i| i.checked())
        .map(|i| i.value())
        .collect()
}

/// The panel: status, refusal, residual summary (of the live course) and
/// the note on the link.
pub fn show(app: &App) {
    if !dom::exists("data-section") {
        return;
    }
    match &app.data_error {
        Some(e) => dom::set_text("data-error", e),
        None => dom::set_text("data-error", ""),
    }
    dom::set_hidden("data-error", app.data_error.is_none());
    forget_fit_if_new(app.data.as_ref().map_or(String::new(), |d| {
        format!("{}\n{}", d.data.unit, d.data.dataset.to_csv(&[]))
    }));
    let Some(d) = &app.data else {
        dom::set_text(
            "data-status",
            "No data loaded. Load a CSV file, paste one, or choose an example.",
        );
        dom::set_hidden("data-note", true);
        if let Ok(t) = dom::by_id("data-summary") {
            dom::clear(&t);
            dom::attr(&t, "data-points", "0");
        }
        if let Ok(b) = dom::by_id("fit-run") {
            dom::set_disabled(&b, true);
        }
        return;
    };
    if let Ok(b) = dom::by_id("fit-run") {
        dom::set_disabled(&b, false);
    }
    let n = d.data.dataset.len();
    let columns: Vec<&str> = d
        .observed
        .series
        .iter()
        .map(|s| s.observable.name.as_str())
        .collect();
    dom::set_text(
        "data-status",
        &format!(
            "{n} measurements from {} ({}; CAR T in {}).",
            d.source,
            columns.join(", "),
            d.data.unit
        ),
    );
    let long = n > MAX_LINK_POINTS;
    dom::set_text(
        "data-note",
        if long {
            "These data have more than 30 measurements: the link leaves them out; the Scenario JSON file carries them."
        } else {
            "The link carries these data (up to 30 measurements; the Scenario JSON file carries any)."
        },
    );
    dom::set_hidden("data-note", false);
    let rows = summary_rows(app, d);
    let _ = dom::table(
        "data-summary",
        &["column (unit)", "n", "censored", "RMS (log)"],
        &rows,
    );
    if let Ok(t) = dom::by_id("data-summary") {
        dom::attr(&t, "data-points", &n.to_string());
    }
}

/// One row per data column: n, censored, RMS of the log residuals of the
/// live course (or why it could not be computed).
fn summary_rows(app: &App, d: &super::app::LoadedData) -> Vec<Vec<String>> {
    let s = &app.scenario;
    let base = FitBase {
        model: s.model,
        preset: s.preset.clone(),
        sets: s.to_request(Sampling::Times(Vec::new())).sets,
    };
    let solver = FitSettings::default().solver;
    match crate::fit::residual_summary(&base, &d.observed, &solver) {
        Ok(cols) => cols
            .iter()
            .zip(&d.observed.series)
            .map(|(c, o)| {
                vec![
                    format!("{} ({})", c.name, o.observable.unit),
                    c.n.to_string(),
                    c.censored.to_string(),
                    sig(c.rms, 3),
                ]
            })
            .collect(),
        Err(e) => vec![vec![
            "–".into(),
            String::new(),
            String::new(),
            format!("not computed: {e}"),
        ]],
    }
}

/// Start a fit of the app's data in a worker, from the form's settings.
pub fn start_fit(app: &App, send: Dispatch) {
    let view = View::new(P);
    let Some(d) = &app.data else {
        view.error("load data first");
        return;
    };
    let spec = match read_form(app, d) {
        Ok(s) => s,
        Err(e) => {
            view.error(&e);
            return;
        }
    };
    ESTIMATES.with(|e| e.borrow_mut().clear());
    if let Ok(b) = dom::by_id("fit-apply") {
        dom::set_disabled(&b, true);
    }
    let slice = Slice {
        weight: spec.starts as f64,
        label: format!("fit of {}", spec.fit.join(", ")),
        task: Task::Fit { fit: spec },
    };
    let _ = send;
    pool().start(view, vec![slice], Box::new(FitJob { result: None }));
}

fn read_form(app: &App, d: &super::app::LoadedData) -> Result<FitSpec, String> {
    let fit = chosen(app.model().default_fit());
    if fit.is_empty() {
        return Err("choose at least one parameter to fit".into());
    }
    let starts = dom::number("fit-starts", "Starts", 1.0, MAX_STARTS as f64)? as usize;
    let seed = dom::number("fit-seed", "Seed", 0.0, 4_294_967_295.0)? as u64;
    let prior_sd = if dom::checked("fit-prior") {
        Some(dom::number("fit-prior-sd", "Prior SD", 0.01, 10.0)?)
    } else {
        None
    };
    let s = &app.scenario;
    Ok(FitSpec {
        model: s.model.id().to_string(),
        preset: s.preset.clone(),
        sets: s.to_request(Sampling::Times(Vec::new())).sets,
        csv: d.data.dataset.to_csv(&[]),
        unit: d.data.unit.clone(),
        fit,
        starts,
        seed,
        prior_sd,
        profile: dom::checked("fit-profile"),
    })
}

struct FitJob {
    result: Option<(String, Value)>,
}

impl Job for FitJob {
    fn finished(&mut self, task: &Task, bytes: Vec<u8>, _raw: Uint8Array) -> Result<Next, String> {
        match task {
            Task::Fit { .. } => self.result = Some(crate::jobs::decode_fit(&bytes)?),
            _ => return Err("unexpected slice in a fit".into()),
        }
        Ok(Next::default())
    }

    fn complete(&mut self, seconds: f64) -> Result<(), String> {
        let (text, json) = self.result.take().ok_or("no fit came back")?;
        show_report(&json)?;
        dom::set_text("fit-json", &text);
        if let Ok(o) = dom::by_id("fit-json") {
            dom::attr(&o, "data-seconds", &format!("{seconds:.3}"));
        }
        Ok(())
    }
}

/// A number as the report table writes it.
fn num(v: &Value) -> String {
    v.as_f64().map_or("–".into(), |x| sig(x, 4))
}

/// Show a fit report (its JSON, as `cartsim fit` writes it).
fn show_report(r: &Value) -> Result<(), String> {
    let est = r["estimates"]
        .as_object()
        .ok_or("the report has no estimates")?;
    let mut rows = Vec::new();
    let mut values = Vec::new();
    for (name, e) in est {
        let ci = &e["ci95"];
        let side = |v: &Value| v.as_f64().map_or("unbounded".into(), |x| sig(x, 4));
        let mut ci_text = format!("{} – {}", side(&ci[0]), side(&ci[1]));
        if let Some(p) = e.get("profile95") {
            ci_text.push_str(&format!(" (profile {} – {})", side(&p[0]), side(&p[1])));
        }
        let note = if e["determined"].as_bool() == Some(false) {
            "not determined by these data"
        } else if e["at_bound"].as_bool() == Some(true) {
            "at the edge of its range"
        } else {
            ""
        };
        rows.push(vec![
            name.clone(),
            num(&e["value"]),
            ci_text,
            num(&e["base"]),
            note.to_string(),
        ]);
        if let Some(v) = e["value"].as_f64() {
            values.push((name.clone(), v));
        }
    }
    dom::table(
        "fit-table",
        &[
            "parameter",
            "estimate",
            "95% interval",
            "start (preset)",
            "note",
        ],
        &rows,
    )?;
    let names: Vec<&String> = est.keys().collect();
    let corr: Vec<Vec<String>> = names
        .iter()
        .map(|a| {
            std::iter::once((*a).clone())
                .chain(names.iter().map(|b| {
                    r["correlation"][a.as_str()][b.as_str()]
                        .as_f64()
                        .map_or("–".into(), |x| format!("{x:.2}"))
                }))
                .collect()
        })
        .collect();
    let mut head: Vec<&str> = vec![""];
    head.extend(names.iter().map(|n| n.as_str()));
    dom::table("fit-corr", &head, &corr)?;
    let summary = dom::by_id("fit-summary")?;
    dom::clear(&summary);
    let converged = match (r["converged"].as_bool(), r["why_not"].as_str()) {
        (Some(true), _) => "yes".to_string(),
        (_, Some(w)) => format!("no: {w}"),
        _ => "no".to_string(),
    };
    let mut items = vec![
        ("converged".to_string(), converged),
        ("residual SD (log)".into(), num(&r["residual_sd"])),
        ("AIC".into(), num(&r["aic"])),
        ("measurements used".into(), num(&r["n"])),
    ];
    if let Some(m) = r["metrics"].as_object() {
        for (k, v) in m {
            let t = match v {
                Value::String(s) => crate::plot::display_label(s),
                Value::Null => "never".into(),
                v => num(v),
            };
            items.push((format!("fitted course: {k}"), t));
        }
    }
    for (k, v) in items {
        let pair = dom::el("div", "index", "")?;
        dom::append_text(&pair, "dt", &k)?;
        dom::append_text(&pair, "dd", &v)?;
        dom::append(&summary, &pair);
    }
    let warn = dom::by_id("fit-warnings")?;
    dom::clear(&warn);
    for w in r["warnings"].as_array().into_iter().flatten() {
        dom::append_text(&warn, "li", w.as_str().unwrap_or_default())?;
    }
    dom::set_hidden("fit-results", false);
    ESTIMATES.with(|e| *e.borrow_mut() = values);
    if let Ok(b) = dom::by_id("fit-apply") {
        dom::set_disabled(&b, false);
    }
    Ok(())
}
