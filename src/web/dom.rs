//! The page's one set of DOM helpers, at the bottom of `src/web`'s module
//! graph (it imports nothing else from `src/web`): find elements by id,
//! create elements with text (never HTML: data from URLs and files only
//! ever goes through `textContent` and attributes), read and set form
//! fields, attach event listeners, schedule frames and timers, the clock,
//! downloads, and the page-level error line. Every failure is a
//! `Result<_, String>` for the page to show.

use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{
    Blob, BlobPropertyBag, Document, Element, EventTarget, HtmlAnchorElement, HtmlElement,
    HtmlInputElement, HtmlSelectElement, Url, Window,
};

/// The browser window.
pub fn window() -> Result<Window, String> {
    web_sys::window().ok_or_else(|| "no window".to_string())
}

/// The page's document.
pub fn document() -> Result<Document, String> {
    window()?
        .document()
        .ok_or_else(|| "no document".to_string())
}

/// The element with this id.
pub fn by_id(id: &str) -> Result<Element, String> {
    document()?
        .get_element_by_id(id)
        .ok_or_else(|| format!("the page has no element #{id}"))
}

/// True when the page has an element with this id.
pub fn exists(id: &str) -> bool {
    by_id(id).is_ok()
}

/// The element with this id, as a specific element type.
pub fn by_id_as<T: JsCast>(id: &str) -> Result<T, String> {
    by_id(id)?
        .dyn_into::<T>()
        .map_err(|_| format!("#{id} is not the expected kind of element"))
}

/// The input element with this id.
pub fn input(id: &str) -> Result<HtmlInputElement, String> {
    by_id_as(id)
}

/// A new element with optional class and text content.
pub fn el(tag: &str, class: &str, text: &str) -> Result<Element, String> {
    let e = document()?
        .create_element(tag)
        .map_err(|_| format!("cannot create <{tag}>"))?;
    if !class.is_empty() {
        e.set_class_name(class);
    }
    if !text.is_empty() {
        e.set_text_content(Some(text));
    }
    Ok(e)
}

/// Set an attribute (errors are ignored: attributes set here are valid names).
pub fn attr(e: &Element, name: &str, value: &str) {
    let _ = e.set_attribute(name, value);
}

/// Append `child` to `parent`.
pub fn append(parent: &Element, child: &Element) {
    let _ = parent.append_child(child);
}

/// Append `<tag>text</tag>` to `parent`; returns it.
pub fn append_text(parent: &Element, tag: &str, text: &str) -> Result<Element, String> {
    let child = el(tag, "", text)?;
    append(parent, &child);
    Ok(child)
}

/// Replace the content of `e` with `text`, the first use of each glossary
/// word ([`crate::model::glossary`]) marked as a focusable `<abbr>` whose
/// definition shows on hover (its title), keyboard focus and tap (a CSS
/// bar, `abbr.term:focus::after`). The text is never parsed as HTML.
pub fn set_glossed(e: &Element, text: &str) {
    if e.get_attribute("data-text").as_deref() == Some(text) {
        return;
    }
    clear(e);
    let mut seen: Vec<&str> = Vec::new();
    for (piece, term) in crate::model::glossary::spans(text) {
        match term {
            Some(t) if !seen.contains(&t.term) => {
                seen.push(t.term);
                if let Ok(a) = el("abbr", "term", piece) {
                    attr(&a, "tabindex", "0");
                    attr(&a, "title", t.definition);
                    attr(&a, "data-def", &format!("{}: {}", t.term, t.definition));
                    append(e, &a);
                }
            }
            _ => {
                let _ = e.append_with_str_1(piece);
            }
        }
    }
    attr(e, "data-text", text);
}

/// [`set_glossed`] on the element with this id (no-op if absent).
pub fn set_glossed_text(id: &str, text: &str) {
    if let Ok(e) = by_id(id) {
        set_glossed(&e, text);
    }
}

/// Mark the glossary words in every element of class `gloss` (static
/// text of `index.html`: text only, no child elements).
pub fn gloss_static() {
    let Ok(doc) = document() else { return };
    let list = doc.get_elements_by_class_name("gloss");
    let items: Vec<Element> = (0..list.length()).filter_map(|i| list.item(i)).collect();
    for e in items {
        if let Some(text) = e.text_content() {
            set_glossed(&e, &text);
        }
    }
}

/// Remove every child of `e`.
pub fn clear(e: &Element) {
    e.set_text_content(None);
}

/// Set the text of the element with this id (no-op if it is absent, or
/// if it already reads so: a live region is not told twice).
pub fn set_text(id: &str, text: &str) {
    if let Ok(e) = by_id(id) {
        if e.text_content().as_deref() != Some(text) {
            e.set_text_content(Some(text));
        }
    }
}

/// Show or hide an element by id (no-op if it is absent).
pub fn set_hidden(id: &str, hidden: bool) {
    if let Ok(e) = by_id_as::<HtmlElement>(id) {
        e.set_hidden(hidden);
    }
}

/// Set (or, with an empty value, remove) one CSS property of an element
/// through the CSSOM (`el.style.setProperty`), which a strict
/// Content-Security-Policy allows, unlike a `style` attribute.
pub fn set_style(e: &Element, property: &str, value: &str) {
    let Ok(style) = js_sys::Reflect::get(e, &"style".into()) else {
        return;
    };
    let (method, args) = if value.is_empty() {
        ("removeProperty", js_sys::Array::of1(&property.into()))
    } else {
        (
            "setProperty",
            js_sys::Array::of2(&property.into(), &value.into()),
        )
    };
    if let Some(f) = js_sys::Reflect::get(&style, &method.into())
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
    {
        let _ = f.apply(&style, &args);
    }
}

/// Scroll the least needed to bring `e` into view (`scrollIntoView` with
/// `block: "nearest"`).
pub fn scroll_into_view(e: &Element) {
    let opts = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&opts, &"block".into(), &"nearest".into());
    if let Some(f) = js_sys::Reflect::get(e, &"scrollIntoView".into())
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
    {
        let _ = f.call1(e, &opts);
    }
}

/// Scroll the page to its top.
pub fn scroll_to_top() {
    if let Ok(w) = window() {
        w.scroll_to_with_x_and_y(0.0, 0.0);
    }
}

/// Disable or enable a control.
pub fn set_disabled(e: &Element, disabled: bool) {
    if disabled {
        attr(e, "disabled", "");
    } else {
        let _ = e.remove_attribute("disabled");
    }
}

/// Set `aria-pressed` on a toggle button.
pub fn set_pressed(e: &Element, pressed: bool) {
    attr(e, "aria-pressed", if pressed { "true" } else { "false" });
}

/// Add or remove a class.
pub fn toggle_class(e: &Element, class: &str, on: bool) {
    let list = e.class_list();
    let _ = if on {
        list.add_1(class)
    } else {
        list.remove_1(class)
    };
}

/// The value of the `<input>` or `<select>` with this id.
pub fn value(id: &str) -> Result<String, String> {
    let e = by_id(id)?;
    if let Some(i) = e.dyn_ref::<HtmlInputElement>() {
        return Ok(i.value());
    }
    if let Some(s) = e.dyn_ref::<HtmlSelectElement>() {
        return Ok(s.value());
    }
    Err(format!("#{id} is not an input"))
}

/// Set the value of an `<input>` (unchanged values are not written back,
/// so a caret in the field stays where it is) and clear its invalid mark.
pub fn set_value(id: &str, v: &str) {
    if let Ok(i) = input(id) {
        if i.value() != v {
            i.set_value(v);
        }
        let _ = i.remove_attribute("aria-invalid");
    }
}

/// Choose a value of a `<select>`.
pub fn set_select(id: &str, v: &str) {
    if let Ok(s) = by_id_as::<HtmlSelectElement>(id) {
        s.set_value(v);
    }
}

/// True when the checkbox `id` is checked.
pub fn checked(id: &str) -> bool {
    input(id).is_ok_and(|i| i.checked())
}

/// Check or uncheck a checkbox or radio button.
pub fn set_checked(id: &str, on: bool) {
    if let Ok(i) = input(id) {
        i.set_checked(on);
    }
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

/// Fill `<table id>` with a header row and body rows (text cells).
/// Class labels are written with the typographic minus
/// ([`crate::plot::display_label`]); glossary words in the header are marked.
pub fn table(id: &str, header: &[&str], rows: &[Vec<String>]) -> Result<(), String> {
    let t = by_id(id)?;
    clear(&t);
    let thead = el("thead", "", "")?;
    let tr = el("tr", "", "")?;
    for h in header {
        let th = append_text(&tr, "th", "")?;
        set_glossed(&th, &crate::plot::display_label(h));
        attr(&th, "scope", "col");
    }
    append(&thead, &tr);
    append(&t, &thead);
    let tbody = el("tbody", "", "")?;
    for r in rows {
        let tr = el("tr", "", "")?;
        for c in r {
            append_text(&tr, "td", &crate::plot::display_label(c))?;
        }
        append(&tbody, &tr);
    }
    append(&t, &tbody);
    Ok(())
}

/// The `value` of an event's target input or select.
pub fn event_value(ev: &web_sys::Event) -> Option<String> {
    let t = ev.target()?;
    if let Some(i) = t.dyn_ref::<HtmlInputElement>() {
        return Some(i.value());
    }
    t.dyn_ref::<HtmlSelectElement>().map(|s| s.value())
}

/// True when an event's target is a checked checkbox.
pub fn event_checked(ev: &web_sys::Event) -> bool {
    ev.target()
        .and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
        .is_some_and(|i| i.checked())
}

/// The file input an event came from and the first file chosen in it.
pub fn event_file(ev: &web_sys::Event) -> Option<(HtmlInputElement, web_sys::File)> {
    let input = ev.target()?.dyn_into::<HtmlInputElement>().ok()?;
    let file = input.files()?.get(0)?;
    Some((input, file))
}

/// Call `f` with the event each time `event` fires on `target` (the
/// listener lives as long as the page).
pub fn on(target: &EventTarget, event: &str, f: impl FnMut(web_sys::Event) + 'static) {
    let cb = Closure::<dyn FnMut(web_sys::Event)>::new(f);
    let _ = target.add_event_listener_with_callback(event, cb.as_ref().unchecked_ref());
    cb.forget();
}

/// Same as [`on`] for the element with this id (an error naming it if absent).
pub fn on_id(id: &str, event: &str, f: impl FnMut(web_sys::Event) + 'static) -> Result<(), String> {
    let e = by_id(id)?;
    on(&e, event, f);
    Ok(())
}

/// Run `f` once before the next repaint.
pub fn next_frame(f: impl FnOnce() + 'static) -> Result<(), String> {
    let cb = Closure::once_into_js(move |_t: f64| f());
    window()?
        .request_animation_frame(cb.unchecked_ref())
        .map(|_| ())
        .map_err(|_| "requestAnimationFrame failed".to_string())
}

/// Run `f` once after `ms` milliseconds; returns the timer handle.
pub fn after(ms: i32, f: impl FnOnce() + 'static) -> Result<i32, String> {
    let cb = Closure::once_into_js(f);
    window()?
        .set_timeout_with_callback_and_timeout_and_arguments_0(cb.unchecked_ref(), ms)
        .map_err(|_| "setTimeout failed".to_string())
}

/// Run `f` in a later task of the event loop (splits long drawing work
/// into tasks under 50 ms so the page stays responsive); if no timer can
/// be set, run it now.
pub fn later(f: impl FnOnce() + 'static) {
    let cell = std::rc::Rc::new(std::cell::Cell::new(Some(f)));
    let queued = cell.clone();
    let scheduled = after(0, move || {
        if let Some(f) = queued.take() {
            f()
        }
    });
    if scheduled.is_err() {
        if let Some(f) = cell.take() {
            f()
        }
    }
}

/// The page's one clock: milliseconds from `performance.now()` on the page,
/// `Date.now()` where there is no window (in a Web Worker). Only
/// differences of readings in the same context are meaningful.
pub fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or_else(js_sys::Date::now, |p| p.now())
}

/// Device pixel ratio (at least 1).
pub fn pixel_ratio() -> f64 {
    web_sys::window().map_or(1.0, |w| w.device_pixel_ratio().max(1.0))
}

/// A JS value (an error, a string) as text for a message.
pub fn js_text(v: &JsValue) -> String {
    v.dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| v.as_string())
        .unwrap_or_else(|| format!("{v:?}"))
}

/// Offer a blob for download under `name`.
pub fn download_blob(blob: &Blob, name: &str) -> Result<(), String> {
    let url = Url::create_object_url_with_blob(blob).map_err(|e| js_text(&e))?;
    let a: HtmlAnchorElement = el("a", "", "")?
        .dyn_into()
        .map_err(|_| "cannot create a link".to_string())?;
    a.set_href(&url);
    a.set_download(name);
    a.click();
    // Revoke the URL later, not now: the click only starts the download,
    // and the browser fetches the blob afterwards; revoking it at once can
    // leave an empty or failed download. A second is ample, and the blob
    // is still released (not kept for the page's lifetime).
    if after(1000, {
        let url = url.clone();
        move || {
            let _ = Url::revoke_object_url(&url);
        }
    })
    .is_err()
    {
        // No timer: keep the URL rather than break the download.
        web_sys::console::warn_1(&"download URL kept: no timer to revoke it".into());
    }
    Ok(())
}

/// Offer text for download under `name` with this MIME type.
pub fn download(name: &str, mime: &str, text: &str) -> Result<(), String> {
    let parts = js_sys::Array::of1(&JsValue::from_str(text));
    let opts = BlobPropertyBag::new();
    opts.set_type(mime);
    let blob = Blob::new_with_str_sequence_and_options(&parts, &opts).map_err(|e| js_text(&e))?;
    download_blob(&blob, name)
}

/// Id of the element that shows page-level errors (as text).
pub const ERROR_ID: &str = "error";

/// Put `msg` in the `#error` element as plain text (never HTML) and
/// unhide it; also log it to the console.
pub fn show_error(msg: &str) {
    web_sys::console::error_1(&msg.into());
    if let Ok(e) = by_id(ERROR_ID) {
        e.set_text_content(Some(msg));
        let _ = e.remove_attribute("hidden");
    }
}

/// `performance.mark(name)`, if the page has a Performance API (ignored otherwise).
pub fn mark(name: &str) {
    let Ok(w) = window() else { return };
    let perf = js_sys::Reflect::get(&w, &"performance".into()).ok();
    let mark = perf
        .as_ref()
        .and_then(|p| js_sys::Reflect::get(p, &"mark".into()).ok())
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok());
    if let (Some(p), Some(f)) = (perf, mark) {
        let _ = f.call1(&p, &name.into());
    }
}

/// Publish this module's WebAssembly memory as `globalThis.cartsimMemory`
/// (on the page and in each worker), so tests and curious users can watch
/// `cartsimMemory.buffer.byteLength` stay bounded over repeated jobs.
pub fn expose_memory() {
    let _ = js_sys::Reflect::set(
        &js_sys::global(),
        &"cartsimMemory".into(),
        &wasm_bindgen::memory(),
    );
}
