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
    use cartsim::model::registry::Registry;
    use cartsim::scenario::Catalog;
    use cartsim::web::controls::{position, value_at, STEPS};
    let r = Registry;
    for &m in r.models() {
        for spec in r.model_params(m) {
            assert_eq!(value_at(spec, 0.0), spec.min, "{}", spec.name);
            assert_eq!(value_at(spec, STEPS), spec.max, "{}", spec.name);
            for preset in r.presets(m) {
                let v = r.preset_value(m, preset, spec.name).unwrap();
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
    use cartsim::analysis::metrics::ClassifySettings;
    use cartsim::model::registry::{Registry, CLINICAL, MARROW};
    use cartsim::model::Sampling;
    use cartsim::scenario::Scenario;
    use cartsim::web::charts::{car_t, tumour, View};
    let r = Registry;
    let s = Scenario::preset(CLINICAL, "relapse-neg");
    let table = r
        .simulate(CLINICAL, &s.to_request(&r, Sampling::Every(1.0)))
        .unwrap();
    let view = |units| View {
        model: CLINICAL,
        table: &table,
        metrics: None,
        marrow: None,
        classify: ClassifySettings::default(),
        units,
        log_y: true,
        t_end: 180.0,
    };
    let cells = tumour(&view("cells"));
    let labels: Vec<&str> = cells.series.iter().map(|s| s.label.as_str()).collect();
    assert_eq!(
        labels,
        ["CD19+ B-ALL (nP)", "CD19− B-ALL (nN)", "total B-ALL"]
    );
    assert!(
        (cells.hlines[0].y - 103.536).abs() < 1e-3,
        "5% burden in 10^9 cells"
    );
    let pct = tumour(&view("qpcr"));
    assert_eq!(pct.hlines[0].y, 5.0);
    assert!(pct.series[0].points.iter().all(|p| p.1 < 97.19));
    let q = car_t(&view("qpcr"));
    let c = car_t(&view("cells"));
    assert!(q.y_label.contains("copies"));
    let (a, b) = (q.series[2].points[10].1, c.series[2].points[10].1);
    assert!((a * 0.10205 - b).abs() <= 1e-9 * b);

    let s = Scenario::preset(MARROW, "fig8c");
    let table = r
        .simulate(MARROW, &s.to_request(&r, Sampling::Every(1.0)))
        .unwrap();
    let v = View {
        model: MARROW,
        table: &table,
        ..view("cells")
    };
    let labels: Vec<String> = car_t(&v).series.into_iter().map(|s| s.label).collect();
    assert!(labels.iter().any(|l| l.contains("CA2")), "{labels:?}");
    assert!(tumour(&v)
        .series
        .iter()
        .any(|s| s.label.contains("leukemia")));
}
