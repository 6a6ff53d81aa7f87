//! Getting things out of the page and back in: CSV of the trajectory
//! (header from the [`SimTable`](crate::model::SimTable) columns) and of
//! the indices, PNG of each chart (drawn again off screen, [`PNG_WIDTH`]
//! pixels wide, whatever the screen), the scenario as JSON with its pinned
//! runs (download, and upload checked by `compare::file::from_json`
//! exactly like a link), and "Copy link". Everything stays in the browser (blob: URLs).
//! The buttons only dispatch a [`Msg`]; [`run`] and [`copy_link`] carry
//! the export out when the page draws.

use super::app::{App, Dispatch, Export, Msg};
use super::chart::Surface;
use super::format::indices_csv;
use super::{dom, results};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::Blob;

/// Width of an exported chart, in pixels: 800 × 500 CSS pixels drawn at
/// 2.4 device pixels each, so the layout is the desktop's and the type is
/// sharp when printed.
pub const PNG_WIDTH: f64 = 1920.0;
/// The CSS size an exported chart is laid out at.
const PNG_CSS: (f64, f64) = (800.0, 500.0);

/// Largest scenario file read, in bytes (a scenario is a few hundred).
const MAX_FILE: f64 = 65536.0;

/// The export buttons: (button id, canvas id, file-name suffix) of the PNGs.
const PNGS: [(&str, &str, &str); 4] = [
    ("png-main", "chart-main", "tumour"),
    ("png-cart", "chart-cart", "car-t"),
    ("png-ft", "chart-ft", "ft-bands"),
    ("png-fp", "chart-fp", "fp-bands"),
];

/// The shareable address of the app's scenario.
pub fn link(app: &App) -> Option<String> {
    let loc = dom::window().ok()?.location();
    Some(format!(
        "{}{}?{}{}{}",
        loc.origin().ok()?,
        loc.pathname().ok()?,
        app.scenario.to_query(),
        app.runs_query(),
        app.data_query()
    ))
}

/// Show the scenario's link `link` everywhere the page offers it: the
/// link field, the printed handout's line, the QR code, the `<iframe>`
/// snippet (embed mode with the parameters changed from the preset as its
/// controls) and, in embed mode, the "open in cartsim" link. All as text
/// or attributes, never HTML.
pub fn show_link(app: &App, link: &str) {
    dom::set_value("link", link);
    dom::set_text("print-link", link);
    super::qr::draw_later("qr", link);
    let model = app.model();
    let changed: Vec<String> = model
        .params()
        .iter()
        .filter(|p| app.scenario.values.contains_key(p.name))
        .map(|p| p.name.to_string())
        .collect();
    let src = format!("{link}{}", super::app::PageLink::embed_suffix(&changed));
    let title = model
        .lesson(&app.scenario.preset)
        .map_or(app.scenario.preset.as_str(), |l| l.title);
    let attr_text = |t: &str| {
        t.replace('&', "&amp;")
            .replace('"', "&quot;")
            .replace('<', "&lt;")
    };
    dom::set_value(
        "embed-code",
        &format!(
            "<iframe src=\"{}\" title=\"cartsim: {}\" width=\"100%\" height=\"560\" loading=\"lazy\"></iframe>",
            attr_text(&src),
            attr_text(title)
        ),
    );
    if app.embed.is_some() {
        if let Ok(a) = dom::by_id("embed-open") {
            dom::attr(&a, "href", link);
        }
    }
}

fn notice(send: Dispatch, key: &str, message: String) {
    send(Msg::Notice {
        key: key.into(),
        message,
    });
}

/// Draw the chart of canvas `canvas_id` again off screen at
/// [`PNG_WIDTH`] pixels and offer it as a PNG; a failure is reported
/// through `send`.
fn download_png(app: &App, canvas_id: &str, name: String, send: Dispatch) -> Result<(), String> {
    let surface = Surface::offscreen(PNG_CSS.0, PNG_CSS.1, PNG_WIDTH / PNG_CSS.0)?;
    results::draw_on(app, canvas_id, &surface)?;
    let c = surface.canvas;
    let cb = Closure::once_into_js(move |blob: JsValue| {
        let r = blob
            .dyn_into::<Blob>()
            .map_err(|_| "the chart could not be encoded as PNG".to_string())
            .and_then(|b| dom::download_blob(&b, &name));
        if let Err(e) = r {
            notice(send, "(export)", format!("Export failed: {e}"));
        }
    });
    c.to_blob(cb.unchecked_ref()).map_err(|e| dom::js_text(&e))
}

/// Carry out an export of the app's current result or scenario.
pub fn run(app: &App, what: Export, send: Dispatch) {
    let base = app.base_name();
    let last = app.last.as_ref();
    let none = || Err("there is no result to export yet".to_string());
    let units = last.map_or("", |l| l.scenario.units.as_str());
    let r = match what {
        Export::Trajectory => match last {
            Some(l) => dom::download(&format!("{base}.csv"), "text/csv", &l.course.table.to_csv()),
            None => none(),
        },
        Export::Indices => match last.and_then(|l| l.course.metrics.as_ref()) {
            Some(m) => dom::download(
                &format!("{base}-indices.csv"),
                "text/csv",
                &indices_csv(&m.indices_in(units)),
            ),
            None => none(),
        },
        Export::Scenario => dom::download(
            &format!("{base}.json"),
            "application/json",
            &app.scenario_file(),
        ),
        Export::RunsTable => match app.comparison() {
            Some(c) => crate::compare::CompareTable::build(&c)
                .map_err(|e| e.to_string())
                .and_then(|t| dom::download(&format!("{base}-runs.csv"), "text/csv", &t.to_csv())),
            None => Err("no run is pinned".into()),
        },
        Export::RunsTrajectories => match (app.comparison(), last) {
            (Some(c), Some(l)) => {
                // The live course's sampling, so the rows line up with it.
                let step = super::app::output_step(l.t_end);
                crate::compare::TrajectoryTable::build(&c, &crate::model::Sampling::Every(step))
                    .map_err(|e| e.to_string())
                    .and_then(|t| {
                        dom::download(
                            &format!("{base}-runs-trajectories.csv"),
                            "text/csv",
                            &t.to_csv(),
                        )
                    })
            }
            _ => Err("no run is pinned".into()),
        },
        Export::Png { canvas, suffix } => {
            download_png(app, canvas, format!("{base}-{suffix}.png"), send)
        }
    };
    if let Err(e) = r {
        notice(send, "(export)", format!("Export failed: {e}"));
    }
}

/// Put the link in `#link` and copy it to the clipboard (or ask the
/// reader to copy it by hand).
pub fn copy_link(app: &App) {
    let Some(link) = link(app) else { return };
    dom::set_value("link", &link);
    let by_hand = || {
        if let Ok(i) = dom::input("link") {
            i.select();
        }
        dom::set_text("copy-status", "Select the link above and copy it.");
    };
    match dom::window().map(|w| w.navigator().clipboard()) {
        Ok(c) => {
            let ok = Closure::once(move |_: JsValue| dom::set_text("copy-status", "Link copied."));
            let fail = Closure::once(move |_: JsValue| by_hand());
            let _ = c.write_text(&link).then2(&ok, &fail);
            ok.forget();
            fail.forget();
        }
        Err(_) => by_hand(),
    }
}

/// Read the chosen file as text and dispatch it as a scenario to load.
fn upload(ev: web_sys::Event, send: Dispatch) {
    let Some((input, file)) = dom::event_file(&ev) else {
        return;
    };
    if file.size() > MAX_FILE {
        notice(
            send,
            "(file)",
            "The file is larger than 64 KB; a scenario file is a few hundred bytes. Nothing was loaded."
                .into(),
        );
        return;
    }
    let ok = Closure::once(move |text: JsValue| {
        send(Msg::Load(text.as_string().unwrap_or_default()));
    });
    let fail = Closure::once(move |e: JsValue| {
        notice(
            send,
            "(file)",
            format!("The file could not be read: {}", dom::js_text(&e)),
        );
    });
    let _ = file.text().then2(&ok, &fail);
    ok.forget();
    fail.forget();
    input.set_value("");
}

/// Wire the export buttons and the upload field.
pub fn wire(send: Dispatch) -> Result<(), String> {
    dom::on_id("copy-link", "click", move |_| send(Msg::CopyLink))?;
    for (id, what) in [
        ("export-csv", Export::Trajectory),
        ("export-indices", Export::Indices),
        ("export-json", Export::Scenario),
        ("export-runs", Export::RunsTable),
        ("export-runs-trajectories", Export::RunsTrajectories),
    ] {
        dom::on_id(id, "click", move |_| send(Msg::Export(what)))?;
    }
    for (button, canvas, suffix) in PNGS {
        dom::on_id(button, "click", move |_| {
            send(Msg::Export(Export::Png { canvas, suffix }))
        })?;
    }
    dom::on_id("import-json", "change", move |ev| upload(ev, send))
}
