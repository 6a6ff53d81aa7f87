//! A model added in a test, through the one [`Model`] interface and nothing
//! else: logistic tumour growth with a killing term,
//!
//! ```text
//! dT/dt = r·T·(1 − T/K) − k·E·T        dE/dt = −d·E
//! ```
//!
//! registered beside the built-in models, then simulated, scored,
//! round-tripped through the URL and JSON codec, and run through the CLI's
//! own machinery — without touching any file of the library. This is the
//! worked example of ARCHITECTURE.md's "How to add a model".
#![cfg(not(target_arch = "wasm32"))]

use cartsim::cli;
use cartsim::model::params::{ParamSpec, Scale};
use cartsim::model::{
    Class, Course, CourseMetrics, Display, Index, IndexValue, Lesson, Model, ModelError, ModelId,
    OptionSpec, PresetInfo, Registry, Sampling, SimRequest, SimTable, Tone,
};
use cartsim::plot::{palette, Series, TimeChart};
use cartsim::scenario::Scenario;
use cartsim::solver::{Events, OdeSystem, Settings, Solver};
use std::any::Any;
use std::sync::Arc;

const fn spec(name: &'static str, unit: &'static str, min: f64, max: f64) -> ParamSpec {
    ParamSpec {
        name,
        symbol: name,
        unit,
        meaning: "test model",
        min,
        max,
        scale: Scale::Log,
        source: "tests/model_interface.rs",
    }
}

/// r, K, k, d, then the initial values T0, E0.
static SPECS: [ParamSpec; 6] = [
    spec("r", "1/day", 1e-3, 10.0),
    spec("K", "cells", 1.0, 1e12),
    spec("k", "1/(cell·day)", 0.0, 10.0),
    spec("d", "1/day", 0.0, 10.0),
    spec("T0", "cells", 0.0, 1e12),
    spec("E0", "cells", 0.0, 1e3),
];

/// Presets: (name, values in SPECS order).
const PRESETS: [(&str, [f64; 6]); 2] = [
    ("grow", [0.5, 1000.0, 0.0, 0.0, 10.0, 0.0]),
    ("treat", [0.5, 1000.0, 0.1, 0.0, 10.0, 2.0]),
];

struct Logistic;
const LOGISTIC: ModelId = ModelId::new(&Logistic);

struct Equations([f64; 6]);

impl OdeSystem for Equations {
    fn dim(&self) -> usize {
        2
    }
    fn rhs(&self, _t: f64, y: &[f64], dy: &mut [f64]) {
        let [r, k_cap, k, d, _, _] = self.0;
        dy[0] = r * y[0] * (1.0 - y[0] / k_cap) - k * y[1] * y[0];
        dy[1] = -d * y[1];
    }
}

/// The one metric: the tumour at the end, and whether it shrank.
#[derive(Debug)]
struct Shrink {
    t0: f64,
    t_end: f64,
}

impl CourseMetrics for Shrink {
    fn class(&self) -> Option<Class> {
        Some(if self.t_end < self.t0 {
            Class {
                label: "shrinks",
                tone: Tone::Good,
            }
        } else {
            Class {
                label: "grows",
                tone: Tone::Bad,
            }
        })
    }
    fn indices(&self) -> Vec<Index> {
        vec![Index {
            key: "T_end",
            label: "tumour at the end",
            value: IndexValue::Number(self.t_end),
            unit: "cells",
        }]
    }
    fn record(&self) -> Vec<(&'static str, serde_json::Value)> {
        vec![("t_end", serde_json::json!(self.t_end))]
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

fn values(req: &SimRequest) -> Result<[f64; 6], ModelError> {
    let (_, mut v) = PRESETS
        .iter()
        .find(|(n, _)| *n == req.preset)
        .copied()
        .ok_or_else(|| ModelError::UnknownPreset {
            name: req.preset.clone(),
            known: PRESETS.iter().map(|p| p.0).collect(),
        })?;
    for (k, text) in &req.sets {
        let i = SPECS
            .iter()
            .position(|s| s.name == k)
            .ok_or_else(|| ModelError::Invalid(format!("unknown parameter '{k}'")))?;
        v[i] = SPECS[i].parse(text)?;
    }
    Ok(v)
}

impl Model for Logistic {
    fn id(&self) -> &'static str {
        "logistic"
    }
    fn title(&self) -> &'static str {
        "Logistic tumour with killing (test)"
    }
    fn params(&self) -> &'static [ParamSpec] {
        &SPECS
    }
    fn settings(&self) -> &'static [ParamSpec] {
        &[]
    }
    fn options(&self) -> &'static [OptionSpec] {
        &[]
    }
    fn presets(&self) -> Vec<PresetInfo> {
        PRESETS
            .iter()
            .map(|(name, _)| PresetInfo {
                name,
                title: name,
                description: "test preset",
                figure: "none",
            })
            .collect()
    }
    fn preset_value(&self, preset: &str, name: &str) -> Option<f64> {
        let (_, v) = PRESETS.iter().find(|(n, _)| *n == preset)?;
        Some(v[SPECS.iter().position(|s| s.name == name)?])
    }
    fn default_t_end(&self, _preset: &str) -> f64 {
        20.0
    }
    fn lesson(&self, _preset: &str) -> Option<&'static Lesson> {
        None
    }
    fn simulate(&self, req: &SimRequest) -> Result<SimTable, ModelError> {
        Ok(self.course(req)?.table)
    }
    fn course(&self, req: &SimRequest) -> Result<Course, ModelError> {
        let v = values(req)?;
        let t_end = req.t_end.unwrap_or(20.0);
        let grid = req.sampling.grid(t_end)?;
        let mut traj = cartsim::solver::Trajectory::new(2);
        let out = Solver::new().solve(
            &Equations(v),
            0.0,
            &[v[4], v[5]],
            t_end,
            &req.settings,
            &Events::none(),
            &grid,
            &mut traj,
        )?;
        let mut rows = Vec::new();
        for i in 0..traj.len() {
            rows.push(traj.t[i]);
            rows.extend_from_slice(traj.row(i));
        }
        Ok(Course {
            metrics: Some(Arc::new(Shrink {
                t0: v[4],
                t_end: out.y[0],
            })),
            table: SimTable {
                columns: vec!["t".into(), "T".into(), "E".into()],
                rows,
                stats: out.stats,
                events: out.events,
            },
        })
    }
    fn charts(&self, course: &Course, display: &Display) -> Vec<TimeChart> {
        let mut c = TimeChart::against_time(display, "Tumour", "cells".into());
        if let Some(p) = course.table.points("T", |x| x) {
            c.series
                .push(Series::line("T", p, palette::VERMILLION, false, 2.0));
        }
        vec![c]
    }
}

fn registry() -> Registry {
    Registry::builtin().clone().with(LOGISTIC)
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

/// Logistic growth at rate a and capacity C from x0: the analytic solution.
fn logistic(a: f64, cap: f64, x0: f64, t: f64) -> f64 {
    cap / (1.0 + (cap / x0 - 1.0) * (-a * t).exp())
}

#[test]
fn the_test_model_is_simulated_and_scored_against_the_analytic_solution() {
    let reg = registry();
    let (s, problems) = Scenario::from_query("model=logistic&preset=treat&k=0.05", &reg);
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(s.model, LOGISTIC);
    let mut req = s.to_request(Sampling::Every(1.0));
    req.settings = Settings::dopri5(1e-10, 1e-12);
    let course = s.model.course(&req).unwrap();
    // With d = 0, E stays E0 and T is logistic at rate r − k·E0 with
    // capacity K·(r − k·E0)/r.
    let (r, cap, k, e0, t0) = (0.5, 1000.0, 0.05, 2.0, 10.0);
    let a = r - k * e0;
    let t_col = course.table.col("T").unwrap();
    assert_eq!(course.table.n_rows(), 21);
    for i in 0..course.table.n_rows() {
        let row = course.table.row(i);
        let exact = logistic(a, cap * a / r, t0, row[0]);
        assert!(
            (row[t_col] - exact).abs() < 1e-7 * exact,
            "day {}: {} vs {exact}",
            row[0],
            row[t_col]
        );
    }
    let m = course.metrics.expect("scored");
    assert_eq!(m.class().unwrap().label, "grows");
    assert!((m.value("T_end").unwrap() - logistic(a, cap * a / r, t0, 20.0)).abs() < 1e-6);
    // Killing faster than growth: the tumour shrinks.
    let (s, _) = Scenario::from_query("model=logistic&preset=treat&k=1", &reg);
    let m = s
        .model
        .course(&s.to_request(Sampling::Steps))
        .unwrap()
        .metrics
        .unwrap();
    assert_eq!(m.class().unwrap().label, "shrinks");
    // Its charts come from the model too.
    let d = Display {
        units: "cells",
        log_y: true,
        t_end: 20.0,
    };
    let charts = s.model.charts(
        &s.model.course(&s.to_request(Sampling::Every(1.0))).unwrap(),
        &d,
    );
    assert_eq!(charts[0].series[0].points.len(), 21);
}

#[test]
fn the_test_model_round_trips_through_links_and_files() {
    let reg = registry();
    let mut s = Scenario::preset(LOGISTIC, "treat");
    s.values.insert("k".into(), 0.25);
    s.values.insert("T0".into(), 50.0);
    s.t_end = Some(40.0);
    let q = s.to_query();
    assert!(
        q.starts_with("v=1&model=logistic&preset=treat&k=0.25&T0=50"),
        "{q}"
    );
    let (back, p) = Scenario::from_query(&q, &reg);
    assert!(p.is_empty(), "{p:?}");
    assert_eq!(back, s);
    let (back, p) = Scenario::from_json(&s.to_json(), &reg);
    assert!(p.is_empty(), "{p:?}");
    assert_eq!(back, s);
    // Bad values are named; the built-in registry does not know the model.
    let (_, p) = Scenario::from_query("model=logistic&preset=treat&k=-1", &reg);
    assert_eq!(p[0].key, "k");
    let (s, p) = Scenario::from_query("model=logistic", Registry::builtin());
    assert_eq!(p[0].key, "model");
    assert_eq!(s.model, Registry::builtin().default_model());
}

#[test]
fn the_test_model_runs_through_the_cli_machinery() {
    let reg = registry();
    let (table, format) = cli::simulate::compute(
        &strings(&[
            "--model", "logistic", "--preset", "grow", "--every", "5", "--rtol", "1e-10", "--atol",
            "1e-12",
        ]),
        &reg,
    )
    .unwrap();
    assert_eq!(format, "csv");
    assert_eq!(table.columns, ["t", "T", "E"]);
    assert_eq!(table.n_rows(), 5);
    let last = table.row(4);
    assert!((last[1] - logistic(0.5, 1000.0, 10.0, 20.0)).abs() < 1e-6);
    let (record, _) = cli::metrics::compute(
        &strings(&["--model", "logistic", "--preset", "treat", "--set", "k=1"]),
        &reg,
    )
    .unwrap();
    assert_eq!(record[0].0, "t_end");
    // Bad input exits 2 and names the parameter; an unknown model is named.
    let e = cli::simulate::compute(
        &strings(&["--model", "logistic", "--preset", "grow", "--set", "r=-1"]),
        &reg,
    )
    .unwrap_err();
    assert_eq!(e.code, 2);
    assert!(
        e.message.contains('r') && e.message.contains("-1"),
        "{}",
        e.message
    );
    let e = cli::simulate::compute(
        &strings(&["--model", "logistic", "--preset", "grow"]),
        Registry::builtin(),
    )
    .unwrap_err();
    assert_eq!(e.code, 2);
    assert!(e.message.contains("logistic"), "{}", e.message);
    // A solve that fails is exit 1.
    let e = cli::simulate::compute(
        &strings(&[
            "--model", "logistic", "--preset", "grow", "--solver", "rk4", "--dt", "1e-5",
            "--t-end", "400",
        ]),
        &reg,
    )
    .unwrap_err();
    assert_eq!(e.code, 1, "{}", e.message);
}
