//! Getting things out of the page and back in: CSV of the trajectory
//! (header from the [`SimTable`](crate::model::SimTable) columns) and of
//! the indices, PNG of each chart (`canvas.toBlob`), the scenario as JSON
//! (download, and upload validated by `Scenario::from_json` exactly like a
//! link), and "Copy link". Everything stays in the browser (blob: URLs).

use super::{app, dom, indices};
use crate::scenario::Scenario;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Blob, BlobPropertyBag, HtmlAnchorElement, HtmlCanvasElement, Url};

/// Offer a blob for download under `name`.
fn download_blob(blob: &Blob, name: &str) -> Result<(), String> {
    let url = Url::create_object_url_with_blob(blob).map_err(|e| dom::js_text(&e))?;
    let a: HtmlAnchorElement = dom::el("a", "", "")?
        .dyn_into()
        .map_err(|_| "cannot create a link".to_string())?;
    a.set_href(&url);
    a.set_download(name);
    a.click();
    // Let the download start before the URL is released.
    let _ = dom::after(1000, move || {
        let _ = Url::revoke_object_url(&url);
    });
    Ok(())
}

/// Offer text for download.
pub fn download_text(name: &str, mime: &str, text: &str) -> Result<(), String> {
    let parts = js_sys::Array::of1(&JsValue::from_str(text));
    let opts = BlobPropertyBag::new();
    opts.set_type(mime);
    let blob =
        Blob::new_with_str_sequence_and_options(&parts, &opts).map_err(|e| dom::js_text(&e))?;
    download_blob(&blob, name)
}

/// Offer a canvas as a PNG.
pub fn download_png(canvas_id: &str, name: &str) -> Result<(), String> {
    let c: HtmlCanvasElement = dom::by_id_as(canvas_id)?;
    let name = name.to_string();
    let cb = Closure::once_into_js(move |blob: JsValue| {
        let r = blob
            .dyn_into::<Blob>()
            .map_err(|_| "the chart could not be encoded as PNG".to_string())
            .and_then(|b| download_blob(&b, &name));
        if let Err(e) = r {
            app::notice("(export)", e);
        }
    });
    c.to_blob(cb.unchecked_ref()).map_err(|e| dom::js_text(&e))
}

fn base_name() -> String {
    app::with(|a| format!("cartsim-{}-{}", a.scenario.model, a.scenario.preset))
        .unwrap_or_else(|| "cartsim".into())
}

fn report(r: Result<(), String>) {
    if let Err(e) = r {
        app::notice("(export)", format!("Export failed: {e}"));
    }
}

/// Read the chosen file as text and load it as a scenario.
fn upload(ev: web_sys::Event) {
    let Some(input) = ev
        .target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
    else {
        return;
    };
    let Some(file) = input.files().and_then(|f| f.get(0)) else {
        return;
    };
    if file.size() > 65536.0 {
        app::notice(
            "(file)",
            "The file is larger than 64 KB; a scenario file is a few hundred bytes. Nothing was loaded."
                .into(),
        );
        return;
    }
    let ok = Closure::once(move |text: JsValue| {
        let text = text.as_string().unwrap_or_default();
        let (s, problems) = app::with(|a| Scenario::from_json(&text, &a.cat))
            .unwrap_or_else(|| (Scenario::preset("clinical", "cr"), Vec::new()));
        app::load(s, problems);
    });
    let fail = Closure::once(move |e: JsValue| {
        app::notice(
            "(file)",
            format!("The file could not be read: {}", dom::js_text(&e)),
        );
    });
    let _ = file.text().then2(&ok, &fail);
    ok.forget();
    fail.forget();
    input.set_value("");
}

fn copy_link() {
    let Some(link) = app::link() else { return };
    if let Ok(i) = dom::input("link") {
        i.set_value(&link);
    }
    let status = |t: &str| dom::set_text("copy-status", t);
    let clipboard = dom::window().map(|w| w.navigator().clipboard());
    match clipboard {
        Ok(c) => {
            let ok = Closure::once(move |_: JsValue| dom::set_text("copy-status", "Link copied."));
            let fail = Closure::once(move |_: JsValue| {
                if let Ok(i) = dom::input("link") {
                    i.select();
                }
                dom::set_text("copy-status", "Select the link above and copy it.")
            });
            let _ = c.write_text(&link).then2(&ok, &fail);
            ok.forget();
            fail.forget();
        }
        Err(_) => status("Select the link above and copy it."),
    }
}

/// Wire the export buttons and the upload field.
pub fn wire() {
    dom::on_id("copy-link", "click", |_| copy_link());
    dom::on_id("export-csv", "click", |_| {
        let csv = app::with(|a| a.last.as_ref().map(|l| l.table.to_csv())).flatten();
        report(match csv {
            Some(csv) => download_text(&format!("{}.csv", base_name()), "text/csv", &csv),
            None => Err("there is no result to export yet".into()),
        });
    });
    dom::on_id("export-indices", "click", |_| {
        let csv = app::with(|a| a.last.as_ref().map(|l| indices::to_csv(&l.rows))).flatten();
        report(match csv {
            Some(csv) => download_text(&format!("{}-indices.csv", base_name()), "text/csv", &csv),
            None => Err("there is no result to export yet".into()),
        });
    });
    dom::on_id("export-json", "click", |_| {
        let json = app::with(|a| a.scenario.to_json(&a.cat)).unwrap_or_default();
        report(download_text(
            &format!("{}.json", base_name()),
            "application/json",
            &json,
        ));
    });
    for (button, canvas, suffix) in [
        ("png-main", "chart-main", "tumour"),
        ("png-cart", "chart-cart", "car-t"),
        ("png-ft", "chart-ft", "ft-bands"),
        ("png-fp", "chart-fp", "fp-bands"),
    ] {
        dom::on_id(button, "click", move |_| {
            report(download_png(
                canvas,
                &format!("{}-{suffix}.png", base_name()),
            ));
        });
    }
    dom::on_id("import-json", "change", upload);
    dom::on_id("reset-all", "click", |_| app::reset_all());
}
