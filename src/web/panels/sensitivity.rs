//! The sensitivity panel (issue 17): which parameters drive an output of
//! the simulator's current scenario. The form gives the output, inputs,
//! method, sample size, distribution and seed; the design's rows run in
//! the worker pool ([`Task::Sensitivity`], progress and Cancel), and the
//! outputs, assembled in row order, go to [`sensitivity::report`] — the
//! same call as `cartsim sensitivity`, so the page's numbers are the
//! command line's. Out: a bar chart of the indices (Sobol' first-order and
//! total with their 95% intervals, Morris μ* and σ, local coefficients
//! largest first), a table, and the report as CSV.

use super::plots;
use crate::jobs::{self, SensitivitySpec, Task};
use crate::plot::BarChart;
use crate::sensitivity::{self, Design, Labels, Report};
use crate::web::app::PageLink;
use crate::web::chart::{draw_bars, Surface};
use crate::web::dom;
use crate::web::format::sig;
use crate::web::jobs::{pool, wire_form, InOrder, Job, Next, Slice, View};
use std::cell::RefCell;
use std::rc::Rc;

const P: &str = "sensitivity";

/// The last report, shared by the job that makes it and the CSV button.
type Shown = Rc<RefCell<Option<Report>>>;

fn error(e: &str) {
    View::new(P).error(e);
}

/// Wire up the panel (skipped when the page has no `#sensitivity`).
pub fn start() -> Result<(), String> {
    if !dom::exists(P) {
        return Ok(());
    }
    let shown: Shown = Rc::default();
    let s = shown.clone();
    wire_form(P, move || run(&s))?;
    dom::on_id("sensitivity-method", "change", |_| samples_state())?;
    samples_state();
    dom::on_id("sensitivity-csv", "click", move |_| {
        if let Some(r) = shown.borrow().as_ref() {
            let name = format!("cartsim-sensitivity-{}-{}.csv", r.method.as_str(), r.output);
            if let Err(e) = dom::download(&name, "text/csv", &r.to_csv()) {
                error(&e);
            }
        }
    })?;
    Ok(())
}

/// The local method takes no sample size.
fn samples_state() {
    let local = dom::value("sensitivity-method").is_ok_and(|m| m == "local");
    if let Ok(e) = dom::by_id("sensitivity-samples") {
        dom::set_disabled(&e, local);
    }
}

/// The simulator's scenario, as the page's link gives it.
fn scenario_query() -> String {
    let search = dom::window()
        .ok()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default();
    PageLink::parse(&search).scenario
}

/// The form's study around the simulator's scenario.
fn read_spec() -> Result<SensitivitySpec, String> {
    let inputs = dom::value("sensitivity-inputs")?;
    let inputs: Vec<String> = inputs
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    Ok(SensitivitySpec {
        scenario: scenario_query(),
        output: dom::value("sensitivity-output")?.trim().to_string(),
        inputs: (!inputs.is_empty()).then_some(inputs),
        method: dom::value("sensitivity-method")?,
        samples: dom::number(
            "sensitivity-samples",
            "Samples",
            2.0,
            sensitivity::MAX_SAMPLES as f64,
        )? as usize,
        distribution: dom::value("sensitivity-distribution")?,
        spread: dom::number("sensitivity-spread", "Spread F", 1.0, 1e6)?,
        seed: dom::number("sensitivity-seed", "Seed", 0.0, 9.0e15)? as u64,
    })
}

/// Read the form, check the study here (one solve of the scenario: a bad
/// output or input is reported before any worker starts) and start it.
fn run(shown: &Shown) -> Result<(), String> {
    let spec = read_spec()?;
    let (design, labels, _) = spec.study()?;
    let rows = design.rows();
    // About 8 slices per worker: even load and prompt progress.
    let size = (rows / (8 * crate::web::jobs::worker_count())).clamp(8, 2000);
    let slices = jobs::chunks(rows, size)
        .into_iter()
        .map(|(start, end)| Slice {
            task: Task::Sensitivity {
                spec: spec.clone(),
                start,
                end,
            },
            weight: (end - start) as f64,
            label: format!("rows {start}–{}", end - 1),
        })
        .collect();
    dom::set_text(
        "sensitivity-plan",
        &format!(
            "{} inputs, {rows} solves of the simulator's scenario ({}).",
            design.k(),
            scenario_words(&spec.scenario)
        ),
    );
    let job = StudyJob {
        spec,
        design,
        labels,
        rows: InOrder::default(),
        received: 0,
        report: None,
        shown: shown.clone(),
    };
    pool().start(View::new(P), slices, Box::new(job));
    Ok(())
}

/// The scenario in words: model, preset and how many values differ.
fn scenario_words(query: &str) -> String {
    let (sc, _) = crate::scenario::Scenario::from_query(query, crate::model::Registry::builtin());
    let changed = sc.values.len() + sc.options.len();
    format!(
        "{} model, preset {}{}",
        sc.model.id(),
        sc.preset,
        match changed {
            0 => String::new(),
            1 => ", 1 value changed".into(),
            n => format!(", {n} values changed"),
        }
    )
}

/// The estimators' share of a study's work, per row (a row is one solve;
/// Sobol's bootstrap over 1,024 samples costs about as much as 20 solves).
const INDICES_WEIGHT: f64 = 0.002;

struct StudyJob {
    spec: SensitivitySpec,
    design: Design,
    labels: Labels,
    rows: InOrder<f64>,
    /// Rows back so far.
    received: usize,
    /// The report, once the indices are back.
    report: Option<Report>,
    shown: Shown,
}

impl Job for StudyJob {
    fn finished(
        &mut self,
        task: &Task,
        bytes: Vec<u8>,
        _raw: js_sys::Uint8Array,
    ) -> Result<Next, String> {
        match task {
            Task::Sensitivity { start, end, .. } => {
                let y = jobs::decode_rows(&bytes)?;
                if y.len() != end - start {
                    return Err("a slice of the study came back short".into());
                }
                self.received += y.len();
                self.rows.insert(*start, y);
                if self.received < self.design.rows() {
                    return Ok(Next::default());
                }
                // Every row is back: the estimators (and Sobol's bootstrap
                // intervals) run in a worker too, not on this thread.
                let y: Vec<f64> = self.rows.take();
                let slice = Slice {
                    weight: INDICES_WEIGHT * y.len() as f64,
                    task: Task::SensitivityIndices {
                        spec: self.spec.clone(),
                        y,
                    },
                    label: "indices and their intervals".into(),
                };
                Ok(Next {
                    more_weight: slice.weight,
                    slices: vec![slice],
                    ..Next::default()
                })
            }
            // The task carries every row's output back with it.
            Task::SensitivityIndices { y, .. } => {
                let analysed = jobs::decode_indices(&bytes)?;
                self.report = Some(sensitivity::report_with(
                    &self.design,
                    &self.labels,
                    y,
                    analysed,
                ));
                Ok(Next::default())
            }
            _ => Err("unexpected slice in a sensitivity study".into()),
        }
    }

    fn complete(&mut self, _seconds: f64) -> Result<(), String> {
        let report = self
            .report
            .take()
            .ok_or("the study's rows or indices are incomplete")?;
        show(&report)?;
        *self.shown.borrow_mut() = Some(report);
        Ok(())
    }
}

/// Show a report: chart, notes, table.
fn show(r: &Report) -> Result<(), String> {
    dom::set_hidden("sensitivity-results", false);
    let chart = BarChart::sensitivity(r);
    let c = chart.clone();
    plots::keep("sensitivity-canvas", move || {
        crate::web::summary::bars("sensitivity-canvas", &c);
        draw_bars(&Surface::fit_or_own("sensitivity-canvas")?, &c)
    })?;
    let mut notes = vec![format!(
        "{} solves; inputs {}.",
        r.solves,
        match (r.spread, r.distribution) {
            (Some(f), _) => format!("log-uniform on [v/{f}, {f}·v] around the scenario's values v"),
            (None, "range") => "uniform over each parameter's range".into(),
            (None, "cohort") => "drawn by the cohort rule N(v, (v/3)²)".into(),
            (None, d) => d.to_string(),
        }
    )];
    if let Some(s) = r.step {
        notes.push(format!("Central differences with a step of {s} in ln p."));
    }
    if let Some(n) = &r.never {
        notes.push(format!(
            "{} rows: the day never came ({}: {} days).",
            n.rows, n.rule, n.value
        ));
    }
    if r.dropped > 0 {
        notes.push(format!("{} samples dropped for a failed solve.", r.dropped));
    }
    dom::set_text("sensitivity-notes", &notes.join(" "));
    // The table is the CSV's, numbers to 3 significant digits.
    let csv = r.to_csv();
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap_or_default().split(',').collect();
    let rows: Vec<Vec<String>> = lines
        .map(|l| {
            l.split(',')
                .enumerate()
                .map(|(i, cell)| match cell.parse::<f64>() {
                    Ok(v) if i > 0 => sig(v, 3),
                    _ => cell.to_string(),
                })
                .collect()
        })
        .collect();
    dom::table("sensitivity-table", &header, &rows)?;
    Ok(())
}
