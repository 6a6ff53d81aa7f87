//! Small DOM helpers: find elements by id, create elements with text (never
//! HTML: data from URLs and files only ever goes through `textContent` and
//! attributes), attach event listeners, schedule frames and timers. Every
//! failure is a `Result<_, String>` for the page to show.

use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Document, Element, HtmlElement, HtmlInputElement, HtmlSelectElement, Window};

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

/// The select element with this id.
pub fn select(id: &str) -> Result<HtmlSelectElement, String> {
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

/// Remove every child of `e`.
pub fn clear(e: &Element) {
    e.set_text_content(None);
}

/// Set the text of the element with this id (no-op if it is absent).
pub fn set_text(id: &str, text: &str) {
    if let Ok(e) = by_id(id) {
        e.set_text_content(Some(text));
    }
}

/// Show or hide an element by id.
pub fn set_hidden(id: &str, hidden: bool) {
    if let Ok(e) = by_id_as::<HtmlElement>(id) {
        e.set_hidden(hidden);
    }
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

/// Call `f` with the event each time `event` fires on `target` (the
/// listener lives as long as the page).
pub fn on(target: &web_sys::EventTarget, event: &str, f: impl FnMut(web_sys::Event) + 'static) {
    let cb = Closure::<dyn FnMut(web_sys::Event)>::new(f);
    let _ = target.add_event_listener_with_callback(event, cb.as_ref().unchecked_ref());
    cb.forget();
}

/// Same as [`on`] for the element with this id (no-op if absent).
pub fn on_id(id: &str, event: &str, f: impl FnMut(web_sys::Event) + 'static) {
    if let Ok(e) = by_id(id) {
        on(&e, event, f);
    }
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

/// Milliseconds from `performance.now()` (0 if unavailable).
pub fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

/// Device pixel ratio (at least 1).
pub fn pixel_ratio() -> f64 {
    web_sys::window().map_or(1.0, |w| w.device_pixel_ratio().max(1.0))
}

/// The `value` of an event's target input or select.
pub fn event_value(ev: &web_sys::Event) -> Option<String> {
    let t = ev.target()?;
    if let Some(i) = t.dyn_ref::<HtmlInputElement>() {
        return Some(i.value());
    }
    t.dyn_ref::<HtmlSelectElement>().map(|s| s.value())
}

/// A JS value as text for a message.
pub fn js_text(v: &JsValue) -> String {
    v.as_string()
        .or_else(|| {
            v.dyn_ref::<js_sys::Error>()
                .map(|e| String::from(e.message()))
        })
        .unwrap_or_else(|| format!("{v:?}"))
}
