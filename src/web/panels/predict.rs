//! The early-prediction form: initial tumour burden and CAR T on days 0–7
//! (any unit of [`CarUnit`]; empty cells are days not measured), both
//! methods run in a worker (the prior bank is built in slices first, once
//! per set of days, and kept), the forecast drawn with its band over the
//! measurements, the class probabilities in a table. "Fill from a
//! scenario" takes a preset's own simulated data ([`observe`]), with
//! optional noise.

use crate::cohort::rng::Stream;
use crate::jobs::{self, BankSpec, ObservationSpec, Task};
use crate::model::clinical::PRESETS;
use crate::model::units;
use crate::plot::{palette, Area};
use crate::predict::bayes::BayesSettings;
use crate::predict::{observe, CarUnit, EarlySim, GROUPS};
use crate::web::dom;
use crate::web::format::compact;
use crate::web::jobs::{pool, wire_form, Job, Next, Slice, View};
use crate::web::linechart::{self as chart, LineChart, Mark, Series};
use crate::web::panels::plots;
use js_sys::{Array, Uint8Array};
use std::collections::BTreeMap;

const P: &str = "predict";
/// Days of the form's table.
pub const DAYS: std::ops::RangeInclusive<usize> = 0..=7;

/// Wire up the panel (skipped when the page has no `#predict`).
pub fn start() -> Result<(), String> {
    if !dom::exists(P) {
        return Ok(());
    }
    wire_form(P, run)?;
    dom::on_id("predict-fill", "click", |_| {
        if let Err(e) = fill() {
            View::new(P).error(&e);
        }
    })?;
    Ok(())
}

fn unit() -> Result<CarUnit, String> {
    let u = dom::value("predict-unit")?;
    CarUnit::parse(&u).ok_or_else(|| format!("unknown unit '{u}'"))
}

fn from_cells(unit: CarUnit, cells: f64) -> Result<f64, String> {
    match unit {
        CarUnit::Cells => Ok(cells),
        CarUnit::Qpcr => units::qpcr_from_car_t(cells).map_err(|e| e.to_string()),
        CarUnit::BloodPerUl => units::blood_from_marrow_cells(cells).map_err(|e| e.to_string()),
    }
}

/// Fill the table from a preset's simulated course (one 7-day solve, on
/// the main thread: a few milliseconds).
fn fill() -> Result<(), String> {
    let name = dom::value("predict-scenario")?;
    let preset = PRESETS
        .iter()
        .find(|p| p.name == name)
        .ok_or_else(|| format!("unknown preset '{name}'"))?;
    let cv = dom::number("predict-fill-noise", "Noise of the filled data", 0.0, 2.0)?;
    let days: Vec<f64> = DAYS.map(|d| d as f64).collect();
    let s = crate::cohort::TrialSettings::default();
    let mut sim = EarlySim::new(s.solver.clone(), s.options);
    let mut stream = Stream::substream(js_sys::Date::now() as u64, 0);
    let obs =
        observe(&mut sim, &preset.params, &days, cv, &mut stream).map_err(|e| e.to_string())?;
    let unit = unit()?;
    dom::set_value("predict-tb0", &compact(obs.tb0_pct));
    for (d, v) in obs.car_t {
        dom::set_value(
            &format!("predict-car-{}", d as usize),
            &compact(from_cells(unit, v)?),
        );
    }
    dom::set_text(
        "predict-status",
        &format!("Filled from the '{name}' preset (noise CV {cv})."),
    );
    Ok(())
}

fn read() -> Result<ObservationSpec, String> {
    let tb0 = dom::number(
        "predict-tb0",
        "Initial tumour burden (%)",
        0.0,
        units::TB_MAX_PCT,
    )?;
    let noise = dom::number("predict-noise", "Assumed noise CV", 0.0, 2.0)?;
    let unit = unit()?;
    let mut car_t = Vec::new();
    for d in DAYS {
        let id = format!("predict-car-{d}");
        let text = dom::value(&id)?;
        if text.trim().is_empty() {
            continue;
        }
        let v = dom::number(&id, &format!("CAR T on day {d}"), 0.0, f64::MAX)?;
        let cells = unit.to_cells(v).map_err(|e| format!("day {d}: {e}"))?;
        car_t.push((d as f64, cells));
    }
    let spec = ObservationSpec {
        tb0_pct: tb0,
        car_t,
        noise_cv: noise,
    };
    spec.observation().validate().map_err(|e| e.to_string())?;
    Ok(spec)
}

fn run() -> Result<(), String> {
    let obs = read()?;
    let per = BayesSettings::default().bank_per_cohort;
    let bank = BankSpec {
        days: obs.days(),
        per_cohort: per,
        forecast: true,
    };
    let predict = Slice {
        task: Task::Predict {
            obs: obs.clone(),
            bank_per_cohort: per,
        },
        weight: 50.0,
        label: "both methods".into(),
    };
    let mut slices = Vec::new();
    let mut expected = 0;
    if !pool().has_bank(&bank) {
        for (start, end) in jobs::chunks(bank.len(), 400) {
            expected += 1;
            slices.push(Slice {
                task: Task::Bank {
                    bank: bank.clone(),
                    start,
                    end,
                },
                weight: (end - start) as f64,
                label: format!("prior bank {start}–{}", end - 1),
            });
        }
    }
    let job = PredictJob {
        obs,
        expected,
        parts: BTreeMap::new(),
        result: None,
        pending: if expected == 0 {
            None
        } else {
            Some(predict.clone())
        },
    };
    if expected == 0 {
        slices.push(predict);
    }
    pool().start(View::new(P), slices, Box::new(job));
    Ok(())
}

struct PredictJob {
    obs: ObservationSpec,
    expected: usize,
    parts: BTreeMap<usize, Uint8Array>,
    pending: Option<Slice>,
    result: Option<jobs::Prediction>,
}

impl Job for PredictJob {
    fn finished(&mut self, task: &Task, bytes: Vec<u8>, raw: Uint8Array) -> Result<Next, String> {
        let mut next = Next::default();
        match task {
            Task::Bank { bank, start, .. } => {
                self.parts.insert(*start, raw);
                if self.parts.len() == self.expected {
                    let arr = Array::new();
                    self.parts.values().for_each(|p| {
                        arr.push(p);
                    });
                    next.bank = Some((bank.clone(), arr));
                    next.slices.extend(self.pending.take());
                }
            }
            Task::Predict { .. } => self.result = Some(jobs::decode_prediction(&bytes)?),
            _ => return Err("unexpected slice in a prediction".into()),
        }
        Ok(next)
    }

    fn complete(&mut self, _seconds: f64) -> Result<(), String> {
        let r = self.result.take().ok_or("no prediction came back")?;
        let mut rows = Vec::new();
        let mut areas = Vec::new();
        let mut series = vec![Series {
            label: "measured CAR T".into(),
            points: self.obs.car_t.to_vec(),
            mark: Mark::Dots,
            color: palette::BLACK,
        }];
        match &r.paper {
            Ok(f) => {
                rows.push(vec![
                    "paper's method (LM fit)".to_string(),
                    GROUPS[crate::predict::group_of(f.metrics.response)].to_string(),
                    format!("forecast class: {}", f.metrics.response.as_str()),
                ]);
                series.push(Series {
                    label: "paper's fit, forecast".into(),
                    points: f.days.iter().zip(&f.car_t).map(|(d, v)| (*d, *v)).collect(),
                    mark: Mark::Line,
                    color: palette::VERMILLION,
                });
            }
            Err(e) => rows.push(vec!["paper's method".into(), "failed".into(), e.clone()]),
        }
        match &r.bayes {
            Ok(p) => {
                let probs: Vec<String> = GROUPS
                    .iter()
                    .zip(p.group)
                    .map(|(g, v)| format!("{g} {:.1}%", 100.0 * v))
                    .collect();
                rows.push(vec![
                    "Bayesian".into(),
                    p.predicted_label().to_string(),
                    format!("{}; effective sample size {:.0}", probs.join(", "), p.ess),
                ]);
                let classes = ["CR", "NR", "CD19+ relapse", "CD19- relapse"];
                let cl: Vec<String> = classes
                    .iter()
                    .zip(p.class)
                    .map(|(c, v)| format!("{c} {:.1}%", 100.0 * v))
                    .collect();
                rows.push(vec![
                    "Bayesian, simulated class".into(),
                    String::new(),
                    cl.join(", "),
                ]);
                let b = &p.car_t;
                areas.push(Area {
                    label: "Bayesian 10–90% band".into(),
                    color: palette::BLUE,
                    points: b
                        .t
                        .iter()
                        .zip(b.lo.iter().zip(&b.hi))
                        .map(|(t, (lo, hi))| (*t, *lo, *hi))
                        .collect(),
                });
                series.push(Series {
                    label: "Bayesian median".into(),
                    points: b.t.iter().zip(&b.median).map(|(t, v)| (*t, *v)).collect(),
                    mark: Mark::Line,
                    color: palette::BLUE,
                });
            }
            Err(e) => rows.push(vec!["Bayesian".into(), "failed".into(), e.clone()]),
        }
        dom::table(
            "predict-table",
            &["method", "predicted group", "details"],
            &rows,
        )?;
        // Shown first, so the chart is drawn at its size on screen.
        dom::set_hidden("predict-results", false);
        let chart = LineChart {
            title: "CAR T: measurements and forecasts".into(),
            x_label: "day after infusion".into(),
            y_label: "CAR T, 10^9 cells (marrow equivalent)".into(),
            log_x: false,
            log_y: true,
            series,
            areas,
        };
        plots::keep("predict-chart", move || {
            chart::draw("predict-chart", &chart)
        })
    }
}
