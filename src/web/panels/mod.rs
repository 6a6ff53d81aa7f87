//! The page's job panels: the virtual trial ([`cohort`]), the
//! early-prediction form ([`predict`]), parameter sweeps ([`sweep`]) and
//! sensitivity studies ([`sensitivity`]),
//! all run in Web Workers through [`super::jobs`]; [`plots`] holds their
//! charts. Each panel keeps what it shows between events in values its own
//! handlers share (no global state).

pub mod cohort;
pub mod plots;
pub mod predict;
pub mod sensitivity;
pub mod sweep;

use super::dom;
/// Wire up every panel present on the page (a panel whose section is
/// missing is skipped).
pub fn start() {
    let results = [
        ("cohort", cohort::start()),
        ("predict", predict::start()),
        ("sweep", sweep::start()),
        ("sensitivity", sensitivity::start()),
    ];
    for (name, r) in results {
        if let Err(e) = r {
            dom::show_error(&format!("the {name} panel could not start: {e}"));
        }
    }
    // Charts drawn again at their new size: after a resize settles, and
    // when the simulator (with the panels) is shown again.
    let pending = std::rc::Rc::new(std::cell::Cell::new(false));
    if let Ok(w) = dom::window() {
        dom::on(&w, "resize", move |_| {
            if !pending.replace(true) {
                let p = pending.clone();
                let _ = dom::after(200, move || {
                    p.set(false);
                    plots::redraw_all();
                });
            }
        });
    }
    // A panel shown again (a tab, or Back / Forward) draws its charts at
    // their size on screen.
    for key in ["sim", "trial", "predict", "sweeps", "sensitivity"] {
        let _ = dom::on_id(&format!("view-{key}"), "click", |_| {
            dom::later(plots::redraw_all)
        });
    }
    if let Ok(w) = dom::window() {
        dom::on(&w, "popstate", |_| dom::later(plots::redraw_all));
    }
}
