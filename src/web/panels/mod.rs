//! The page's job panels (issue 6): the virtual trial ([`cohort`]), the
//! early-prediction form ([`predict`]) and parameter sweeps ([`sweep`]),
//! all run in Web Workers through [`super::jobs`]. [`dom`] holds the few
//! DOM helpers they share (text only, never HTML); [`plots`] the charts.

pub mod cohort;
pub mod plots;
pub mod predict;
pub mod sweep;

/// Wire up every panel present on the page (a panel whose section is
/// missing is skipped).
pub fn start() {
    let results = [
        ("cohort", cohort::start()),
        ("predict", predict::start()),
        ("sweep", sweep::start()),
    ];
    for (name, r) in results {
        if let Err(e) = r {
            super::show_error(&format!("the {name} panel could not start: {e}"));
        }
    }
}

/// Small DOM helpers: look-ups, text, events. Data is only ever set as text.
pub mod dom {
    use wasm_bindgen::prelude::*;
    use wasm_bindgen::JsCast;
    use web_sys::{Document, Element, HtmlInputElement, HtmlSelectElement};

    /// The document.
    pub fn document() -> Option<Document> {
        web_sys::window().and_then(|w| w.document())
    }

    /// Element by id.
    pub fn by_id(id: &str) -> Option<Element> {
        document().and_then(|d| d.get_element_by_id(id))
    }

    /// Element by id, or an error naming it.
    pub fn need(id: &str) -> Result<Element, String> {
        by_id(id).ok_or_else(|| format!("the page has no #{id}"))
    }

    /// Text of a JS error value.
    pub fn js_error(e: &JsValue) -> String {
        e.dyn_ref::<js_sys::Error>()
            .map(|e| String::from(e.message()))
            .or_else(|| e.as_string())
            .unwrap_or_else(|| format!("{e:?}"))
    }

    /// Value of an `<input>` or `<select>`.
    pub fn value(id: &str) -> Result<String, String> {
        let el = need(id)?;
        if let Some(i) = el.dyn_ref::<HtmlInputElement>() {
            return Ok(i.value());
        }
        if let Some(s) = el.dyn_ref::<HtmlSelectElement>() {
            return Ok(s.value());
        }
        Err(format!("#{id} is not an input"))
    }

    /// Set an `<input>`'s value.
    pub fn set_value(id: &str, v: &str) {
        if let Some(i) = by_id(id).and_then(|e| e.dyn_into::<HtmlInputElement>().ok()) {
            i.set_value(v);
        }
    }

    /// True when the checkbox `id` is checked.
    pub fn checked(id: &str) -> bool {
        by_id(id)
            .and_then(|e| e.dyn_into::<HtmlInputElement>().ok())
            .is_some_and(|i| i.checked())
    }

    /// A number from input `id`, checked against `lo..=hi`; `label` names it.
    pub fn number(id: &str, label: &str, lo: f64, hi: f64) -> Result<f64, String> {
        let text = value(id)?;
        let v: f64 = text
            .trim()
            .parse()
            .map_err(|_| format!("{label}: '{}' is not a number", text.trim()))?;
        if !(v.is_finite() && (lo..=hi).contains(&v)) {
            return Err(format!("{label} must be between {lo} and {hi}, got {v}"));
        }
        Ok(v)
    }

    /// Disable or enable a control.
    pub fn set_disabled(el: &Element, disabled: bool) {
        if disabled {
            let _ = el.set_attribute("disabled", "");
        } else {
            let _ = el.remove_attribute("disabled");
        }
    }

    /// Remove every child.
    pub fn clear(el: &Element) {
        el.set_text_content(None);
    }

    /// Append `<tag>text</tag>` to `parent`; returns it.
    pub fn append_text(parent: &Element, tag: &str, text: &str) -> Option<Element> {
        let child = document()?.create_element(tag).ok()?;
        child.set_text_content(Some(text));
        parent.append_child(&child).ok()?;
        Some(child)
    }

    /// Fill `<table id>` with a header row and body rows (text cells).
    pub fn table(id: &str, header: &[&str], rows: &[Vec<String>]) -> Result<(), String> {
        let t = need(id)?;
        clear(&t);
        let doc = document().ok_or("no document")?;
        let mk = |tag: &str| doc.create_element(tag).map_err(|e| js_error(&e));
        let thead = mk("thead")?;
        let tr = mk("tr")?;
        for h in header {
            let th = append_text(&tr, "th", h).ok_or("cannot build the table")?;
            let _ = th.set_attribute("scope", "col");
        }
        thead.append_child(&tr).map_err(|e| js_error(&e))?;
        t.append_child(&thead).map_err(|e| js_error(&e))?;
        let tbody = mk("tbody")?;
        for r in rows {
            let tr = mk("tr")?;
            for c in r {
                append_text(&tr, "td", c);
            }
            tbody.append_child(&tr).map_err(|e| js_error(&e))?;
        }
        t.append_child(&tbody).map_err(|e| js_error(&e))?;
        Ok(())
    }

    /// Show or hide an element.
    pub fn show(id: &str, visible: bool) {
        if let Some(el) = by_id(id) {
            if visible {
                let _ = el.remove_attribute("hidden");
            } else {
                let _ = el.set_attribute("hidden", "");
            }
        }
    }

    /// Set the text of element `id`.
    pub fn set_text(id: &str, text: &str) {
        if let Some(el) = by_id(id) {
            el.set_text_content(Some(text));
        }
    }

    /// Call `f` on each `event` at element `id` (the closure lives as long as the page).
    pub fn on(
        id: &str,
        event: &str,
        f: impl FnMut(web_sys::Event) + 'static,
    ) -> Result<(), String> {
        let el = need(id)?;
        let cb = Closure::<dyn FnMut(web_sys::Event)>::new(f);
        el.add_event_listener_with_callback(event, cb.as_ref().unchecked_ref())
            .map_err(|e| js_error(&e))?;
        cb.forget();
        Ok(())
    }

    /// Offer `text` as a file download named `name`.
    pub fn download(name: &str, mime: &str, text: &str) -> Result<(), String> {
        let parts = js_sys::Array::of1(&JsValue::from_str(text));
        let opts = web_sys::BlobPropertyBag::new();
        opts.set_type(mime);
        let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &opts)
            .map_err(|e| js_error(&e))?;
        let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(|e| js_error(&e))?;
        let a = document()
            .ok_or("no document")?
            .create_element("a")
            .map_err(|e| js_error(&e))?;
        let _ = a.set_attribute("href", &url);
        let _ = a.set_attribute("download", name);
        if let Some(h) = a.dyn_ref::<web_sys::HtmlElement>() {
            h.click();
        }
        let _ = web_sys::Url::revoke_object_url(&url);
        Ok(())
    }

    /// Run `f` in a later task of the event loop (splits long drawing work
    /// into tasks under 50 ms so the page stays responsive).
    pub fn later(f: impl FnOnce() + 'static) {
        let cb = Closure::once_into_js(f);
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(cb.unchecked_ref(), 0);
        }
    }

    /// Report an error in the status line of panel `prefix` (as text).
    pub fn panel_error(prefix: &str, msg: &str) {
        if let Some(el) = by_id(&format!("{prefix}-status")) {
            el.set_text_content(Some(&format!("Error: {msg}")));
            let _ = el.set_attribute("data-state", "error");
        }
    }
}
