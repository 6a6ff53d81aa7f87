//! The page's views as tabs, following the WAI-ARIA tabs pattern
//! (`role=tablist`/`tab`/`tabpanel`, `aria-selected`, one tab in the Tab
//! order, arrow keys / Home / End move between tabs and show them):
//! Simulator · Virtual trial · Early prediction · Sweeps · Sensitivity ·
//! Model notes.
//! The view is in the link (`view=trial`, see [`PageLink`]), and so are the
//! job forms' values that differ from the form's own defaults
//! (`trial.per=50&trial.seed=7`); choosing a tab adds a history entry, so
//! Back and Forward move between views.

use super::app::{Dispatch, Msg, PageLink, View};
use super::dom;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlInputElement, HtmlSelectElement};

/// The views that show a job panel.
const JOB_VIEWS: [View; 4] = [View::Trial, View::Predict, View::Sweeps, View::Sensitivity];

/// The tab of a view.
fn tab_id(v: View) -> String {
    format!("view-{}", v.key())
}

/// The panel a view shows (its job form, for the job views).
fn panel_id(v: View) -> &'static str {
    match v {
        View::Sim => "simulator",
        View::Trial => "cohort",
        View::Predict => "predict",
        View::Sweeps => "sweep",
        View::Sensitivity => "sensitivity",
        View::Notes => "notes",
    }
}

/// Show `view`: its panel, its tab selected; the window at the top.
pub fn show(view: View) {
    for v in View::ALL {
        let on = v == view;
        dom::set_hidden(panel_id(v), !on);
        if let Ok(tab) = dom::by_id(&tab_id(v)) {
            dom::attr(&tab, "aria-selected", if on { "true" } else { "false" });
            dom::attr(&tab, "tabindex", if on { "0" } else { "-1" });
            if on {
                // On a phone the tab row scrolls sideways: keep the chosen tab in it.
                dom::scroll_into_view(&tab);
            }
        }
    }
    let job = JOB_VIEWS.contains(&view);
    dom::set_hidden("jobs-wrap", !job);
    if let Some(body) = dom::document().ok().and_then(|d| d.body()) {
        dom::attr(&body, "data-view", view.key());
    }
    dom::scroll_to_top();
}

/// Wire the tabs (click, arrow keys), the job forms (a change rewrites
/// the link) and the history (Back / Forward show the view of the entry).
pub fn wire(send: Dispatch) -> Result<(), String> {
    for v in View::ALL {
        let tab = dom::by_id(&tab_id(v))?;
        dom::on(&tab, "click", move |_| {
            send(Msg::ShowView {
                view: v,
                push: true,
            })
        });
        dom::on(&tab, "keydown", move |ev| {
            let Some(k) = ev.dyn_ref::<web_sys::KeyboardEvent>().map(|k| k.key()) else {
                return;
            };
            let i = View::ALL.iter().position(|x| *x == v).unwrap_or(0);
            let n = View::ALL.len();
            let next = match k.as_str() {
                "ArrowRight" => (i + 1) % n,
                "ArrowLeft" => (i + n - 1) % n,
                "Home" => 0,
                "End" => n - 1,
                _ => return,
            };
            ev.prevent_default();
            let to = View::ALL[next];
            send(Msg::ShowView {
                view: to,
                push: true,
            });
            if let Ok(t) = dom::by_id_as::<web_sys::HtmlElement>(&tab_id(to)) {
                let _ = t.focus();
            }
        });
    }
    for v in JOB_VIEWS {
        if let Ok(panel) = dom::by_id(panel_id(v)) {
            dom::on(&panel, "change", move |_| send(Msg::FormChanged));
        }
    }
    let window = dom::window()?;
    dom::on(&window, "popstate", move |_| {
        let query = dom::window()
            .ok()
            .and_then(|w| w.location().search().ok())
            .unwrap_or_default();
        let link = PageLink::parse(&query);
        apply_forms(&link);
        send(Msg::ShowView {
            view: link.view,
            push: false,
        });
    });
    Ok(())
}

/// The inputs and selects of a panel that the link carries (those with an
/// id; not files or buttons).
fn fields(panel: &Element) -> Vec<Element> {
    let mut out = Vec::new();
    for tag in ["input", "select"] {
        let list = panel.get_elements_by_tag_name(tag);
        for i in 0..list.length() {
            let Some(e) = list.item(i) else { continue };
            let kind = e.get_attribute("type").unwrap_or_default();
            if e.id().is_empty() || matches!(kind.as_str(), "file" | "button" | "submit") {
                continue;
            }
            out.push(e);
        }
    }
    // In the order of the page, so a select (which may fill fields when it
    // changes) comes before the fields it fills.
    out.sort_by(|a, b| {
        let after = a.compare_document_position(b) & 4 != 0; // b follows a
        if after {
            std::cmp::Ordering::Less
        } else {
            std::cmp::Ordering::Greater
        }
    });
    out
}

/// An input's or a select's value (a checkbox: "1" or "0").
fn value(e: &Element) -> Option<String> {
    if let Some(i) = e.dyn_ref::<HtmlInputElement>() {
        return Some(if i.type_() == "checkbox" {
            if i.checked() { "1" } else { "0" }.to_string()
        } else {
            i.value()
        });
    }
    e.dyn_ref::<HtmlSelectElement>().map(|s| s.value())
}

/// The field's name in the link: its id without the panel's prefix
/// (`cohort-per` → `per`).
fn link_name(panel: &str, e: &Element) -> String {
    let id = e.id();
    id.strip_prefix(&format!("{panel}-"))
        .map_or(id.clone(), str::to_string)
}

/// The job form values of `view` that differ from their defaults, as
/// (field, value) in page order: what the link carries.
pub fn form_values(view: View) -> Vec<(String, String)> {
    let Ok(panel) = dom::by_id(panel_id(view)) else {
        return Vec::new();
    };
    fields(&panel)
        .iter()
        .filter_map(|e| {
            // Before the defaults are noted (the first draw), nothing.
            let default = e.get_attribute("data-default")?;
            let v = value(e)?;
            (default != v).then(|| (link_name(panel_id(view), e), v))
        })
        .collect()
}

/// The link's page keys for the current view (`&view=…&trial.per=…`).
pub fn link_suffix(view: View) -> String {
    PageLink::suffix(view, &form_values(view))
}

/// Put a link's job form values into their forms: each field as text
/// (never HTML), a select only to one of its options; a changed select
/// announces the change (its panel may fill other fields from it) before
/// the fields after it are set. Values the form refuses are left to the
/// form's own check when it runs.
pub fn apply_forms(link: &PageLink) {
    for (view, field, text) in &link.forms {
        let id = format!("{}-{field}", panel_id(*view));
        let Ok(e) = dom::by_id(&id) else { continue };
        if let Some(i) = e.dyn_ref::<HtmlInputElement>() {
            if i.type_() == "checkbox" {
                i.set_checked(text == "1");
            } else {
                i.set_value(text);
            }
        } else if let Some(s) = e.dyn_ref::<HtmlSelectElement>() {
            let before = s.value();
            s.set_value(text);
            if s.value() != *text {
                s.set_value(&before);
                continue;
            }
            if let Ok(ev) = web_sys::Event::new("change") {
                let _ = s.dispatch_event(&ev);
            }
        }
    }
}

/// Note each job form field's value as its default (`data-default`: the
/// link leaves out values equal to it), then put the values of the page's
/// link `query` (as it was opened) into the forms. Called once the panels
/// have started.
pub fn apply_link_forms(query: &str) {
    for v in JOB_VIEWS {
        if let Ok(panel) = dom::by_id(panel_id(v)) {
            for field in fields(&panel) {
                let default = value(&field).unwrap_or_default();
                dom::attr(&field, "data-default", &default);
            }
        }
    }
    apply_forms(&PageLink::parse(query));
}

/// Embed mode (`embed=1`, for an `<iframe>`): mark the page (the
/// stylesheet then shows the charts only) and keep only the parameter rows
/// named in `controls`; `None` leaves the full page.
pub fn show_embed(embed: Option<&[String]>) {
    // On <html>, where www/embed.js puts it before the first paint.
    let Some(root) = dom::document().ok().and_then(|d| d.document_element()) else {
        return;
    };
    let Some(controls) = embed else {
        let _ = root.remove_attribute("data-embed");
        return;
    };
    dom::attr(
        &root,
        "data-embed",
        if controls.is_empty() {
            "charts"
        } else {
            "controls"
        },
    );
    let Ok(params) = dom::by_id("params") else {
        return;
    };
    let rows = params.children();
    for i in 0..rows.length() {
        let Some(row) = rows.item(i) else { continue };
        let id = row.id();
        let name = id.strip_prefix("p-").and_then(|n| n.strip_suffix("-row"));
        let keep = name.is_some_and(|n| controls.iter().any(|c| c == n));
        if let Some(r) = row.dyn_ref::<web_sys::HtmlElement>() {
            r.set_hidden(!keep);
        }
    }
}
