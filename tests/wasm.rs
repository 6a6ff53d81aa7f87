//! Tests that run in headless Chromium (`cargo xtask test` runs them with
//! `cargo test --target wasm32-unknown-unknown --test wasm`).
//!
//! The parity test compiles in the values the native build wrote to
//! `target/parity/native.txt` (path in `CARTSIM_NATIVE_PARITY`) and checks
//! the browser computes the same bits.
#![cfg(target_arch = "wasm32")]

use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

/// Values written by the native build.
const NATIVE: &str = include_str!(env!(
    "CARTSIM_NATIVE_PARITY",
    "set CARTSIM_NATIVE_PARITY to target/parity/native.txt (run `cargo xtask test`)"
));

#[wasm_bindgen_test]
fn parity_with_native_is_bit_exact() {
    match cartsim::parity::compare(NATIVE, &cartsim::parity::sets()) {
        Ok(n) => assert!(n > 0),
        Err(report) => panic!("wasm and native differ:\n{report}"),
    }
}

#[wasm_bindgen_test]
fn solver_runs_in_the_browser() {
    use cartsim::solver::reference::Logistic;
    use cartsim::solver::{solve, Settings};
    let sys = Logistic { r: 1.0, k: 10.0 };
    let sol = solve(&sys, 0.0, &[0.1], 12.0, &Settings::dopri5(1e-10, 1e-12)).unwrap();
    let exact = sys.exact(0.1, 12.0);
    assert!((sol.outcome.y[0] - exact).abs() < 1e-8 * exact);
    assert!(sol.trajectory.len() > 10);
}

#[wasm_bindgen_test]
fn sliders_map_every_preset_value_into_the_range_and_back() {
    use cartsim::model::Registry;
    use cartsim::web::controls::{position, value_at, STEPS};
    for &m in Registry::builtin().models() {
        for spec in m.params() {
            assert_eq!(value_at(spec, 0.0), spec.min, "{}", spec.name);
            assert_eq!(value_at(spec, STEPS), spec.max, "{}", spec.name);
            for preset in m.preset_names() {
                let v = m.preset_value(preset, spec.name).unwrap();
                let pos = position(spec, v);
                assert!((0.0..=STEPS).contains(&pos), "{}: {pos}", spec.name);
                // One slider step from the preset value lands within one step's width.
                let back = value_at(spec, pos);
                assert!(spec.check(back).is_ok(), "{}: {back}", spec.name);
                assert!((position(spec, back) - pos).abs() <= 1.0, "{}", spec.name);
            }
        }
    }
}

#[wasm_bindgen_test]
fn chart_series_follow_the_model_and_units() {
    use cartsim::model::{Display, Registry, Sampling};
    use cartsim::scenario::Scenario;
    let reg = Registry::builtin();
    let (s, _) = Scenario::from_query("model=clinical&preset=relapse-neg", reg);
    let course = s.model.course(&s.to_request(Sampling::Every(1.0))).unwrap();
    let charts = |units| {
        s.model.charts(
            &course,
            &Display {
                units,
                log_y: true,
                t_end: 180.0,
            },
        )
    };
    let cells = charts("cells");
    let labels: Vec<&str> = cells[0].series.iter().map(|s| s.label.as_str()).collect();
    assert_eq!(
        labels,
        ["CD19+ B-ALL (nP)", "CD19− B-ALL (nN)", "total B-ALL"]
    );
    assert!(
        (cells[0].hlines[0].y - 103.536).abs() < 1e-3,
        "5% burden in 10^9 cells"
    );
    let qpcr = charts("qpcr");
    assert_eq!(qpcr[0].hlines[0].y, 5.0);
    assert!(qpcr[0].series[0].points.iter().all(|p| p.1 < 97.19));
    assert!(qpcr[1].y_label.contains("copies"));
    let (a, b) = (
        qpcr[1].series[2].points[10].1,
        cells[1].series[2].points[10].1,
    );
    assert!((a * 0.10205 - b).abs() <= 1e-9 * b);

    let (s, _) = Scenario::from_query("model=marrow&preset=fig8c", reg);
    let course = s.model.course(&s.to_request(Sampling::Every(1.0))).unwrap();
    let charts = s.model.charts(
        &course,
        &Display {
            units: "cells",
            log_y: true,
            t_end: 270.0,
        },
    );
    let labels: Vec<&str> = charts[1].series.iter().map(|s| s.label.as_str()).collect();
    assert!(labels.iter().any(|l| l.contains("CA2")), "{labels:?}");
    assert!(charts[0]
        .series
        .iter()
        .any(|s| s.label.contains("leukemia")));
}

#[wasm_bindgen_test]
fn the_update_validates_like_a_link_and_says_what_to_redraw() {
    use cartsim::model::Registry;
    use cartsim::web::app::{units_apply, update, App, Msg};
    let reg = Registry::builtin();
    let mut app = App::from_query("model=clinical&preset=cr", reg);
    assert!(app.problems.is_empty());

    // A refused value: named, the scenario unchanged, the field marked.
    let r = update(
        &mut app,
        Msg::SetValue {
            key: "rTA".into(),
            text: "-1".into(),
        },
    );
    assert_eq!(r.invalid.as_deref(), Some("rTA"));
    assert!(!r.charts && r.messages && r.controls);
    assert_eq!(app.problems.len(), 1);
    assert!(app.problems[0].message.contains("0 to 10"));
    assert_eq!(app.scenario.value("rTA"), Some(1.62));

    // An accepted one clears the problem and asks for a solve and a URL write.
    let r = update(
        &mut app,
        Msg::SetValue {
            key: "rTA".into(),
            text: "2.5".into(),
        },
    );
    assert!(r.charts && r.url && r.invalid.is_none());
    assert!(app.problems.is_empty());
    assert_eq!(app.scenario.values.get("rTA"), Some(&2.5));

    // A slider back on the preset value removes the override.
    update(
        &mut app,
        Msg::Slider {
            name: "rTA".into(),
            value: 1.62,
        },
    );
    assert!(app.scenario.values.is_empty());

    // One solve per frame: the course holds the table and the metrics.
    let r = update(&mut app, Msg::Frame);
    assert!(r.results && !r.charts);
    let last = app.last.as_ref().expect("a course");
    let m = last.course.metrics.as_ref().expect("scored");
    assert_eq!(m.class().map(|c| c.label), Some("CR"));
    assert!(m.value("FT").is_some() && m.value("FP").is_some());

    // Another model: its first preset, the model controls rebuilt.
    let marrow = reg.parse("marrow").unwrap();
    let r = update(&mut app, Msg::ChooseModel(marrow));
    assert!(r.model && r.charts);
    assert_eq!(app.scenario.preset, "fig2");
    assert!(app.last.is_none());
    assert!(units_apply(reg.default_model()));
    assert!(!units_apply(marrow));
}

#[wasm_bindgen_test]
fn indices_read_as_before() {
    use cartsim::model::{Index, IndexValue};
    use cartsim::web::format::{index_text, indices_csv, num};
    assert_eq!(num(0.123456), "0.123");
    assert_eq!(num(2.0), "2");
    assert_eq!(num(123456.0), "1.235e5");
    assert_eq!(num(f64::NAN), "–");
    let never = Index {
        key: "relapse_day",
        label: "relapse",
        value: IndexValue::Day(None),
        unit: "day",
    };
    let t = index_text(&never);
    assert_eq!(
        (t.value.as_str(), t.unit, t.raw.as_str()),
        ("never", "", "")
    );
    let day = Index {
        value: IndexValue::Day(Some(12.34)),
        ..never
    };
    let t = index_text(&day);
    assert_eq!(
        (t.value.as_str(), t.unit, t.raw.as_str()),
        ("12.3", "day", "12.34")
    );
    assert_eq!(
        indices_csv(&[never, day]),
        "name,value,unit\nrelapse_day,,\nrelapse_day,12.34,day\n"
    );
}
