//! The virtual-trial panel: patients per cohort and seed in, a 4-cohort
//! virtual trial run in workers (patients scored in slices, the paper's fit
//! per patient, the prior bank in slices, then Bayesian posteriors), out:
//! the trial summary (box plots and a table), the FT and FP bands of this
//! cohort, the early-prediction accuracy of both methods beside [L]'s, and
//! a CSV of every virtual patient. The report is the one `cartsim trial`
//! prints for the same seed (see `tests/e2e/jobs.test.mjs`).

use super::plots;
use crate::cohort::bands::{self, Factor, LabelSource};
use crate::cohort::Scored;
use crate::jobs::{self, Task, TrialSpec};
use crate::predict::trial::{self, MethodResults, PAPER_ACCURACY};
use crate::web::dom;
use crate::web::format::sig;
use crate::web::jobs::{pool, wire_form, InOrder, Job, Next, Slice, View};
use js_sys::{Array, Uint8Array};
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

const P: &str = "cohort";

/// The CSV of the last trial's patients, shared by the job that writes it
/// and the button that downloads it.
type Csv = Rc<RefCell<Option<String>>>;

fn error(e: &str) {
    View::new(P).error(e);
}

/// Wire up the panel (skipped when the page has no `#cohort`).
pub fn start() -> Result<(), String> {
    if !dom::exists(P) {
        return Ok(());
    }
    let csv: Csv = Rc::default();
    let shared = csv.clone();
    wire_form(P, move || run(&shared))?;
    dom::on_id("cohort-csv", "click", move |_| {
        if let Some(text) = csv.borrow().as_ref() {
            if let Err(e) = dom::download("cartsim-virtual-patients.csv", "text/csv", text) {
                error(&e);
            }
        }
    })?;
    Ok(())
}

/// Read the form and start the job.
fn run(csv: &Csv) -> Result<(), String> {
    let per = dom::number("cohort-per", "Patients per cohort", 1.0, 2000.0)?;
    let seed = dom::number("cohort-seed", "Seed", 0.0, 9.0e15)?;
    let noise = dom::number("cohort-noise", "Noise CV", 0.0, 2.0)?;
    let bank = dom::number("cohort-bank", "Prior bank per cohort", 10.0, 20000.0)?;
    if per.fract() != 0.0 || seed.fract() != 0.0 || bank.fract() != 0.0 {
        return Err("patients per cohort, seed and bank size must be whole numbers".into());
    }
    let spec = TrialSpec {
        seed: seed as u64,
        per_cohort: per as usize,
        noise_cv: noise,
        bank_per_cohort: bank as usize,
    };
    let (slices, job) = plan(spec, csv.clone());
    dom::set_hidden("cohort-results", true);
    *csv.borrow_mut() = None;
    pool().start(View::new(P), slices, Box::new(job));
    Ok(())
}

/// Relative costs of one item of each kind (measured natively: a paper fit
/// is about six 180-day courses; a posterior is a pass over the bank).
const W_SCORE: f64 = 1.0;
const W_BANK: f64 = 1.0;
const W_PAPER: f64 = 6.0;
const W_POST: f64 = 0.05;

/// The trial's slices and the job that assembles them (and leaves the
/// patients' CSV in `csv`).
pub fn plan(spec: TrialSpec, csv: Csv) -> (Vec<Slice>, TrialJob) {
    let n = spec.patients();
    let bank = spec.bank();
    let have_bank = pool().has_bank(&bank);
    let mut slices = Vec::new();
    let bank_chunks = if have_bank {
        Vec::new()
    } else {
        jobs::chunks(bank.len(), 400)
    };
    // The bank first: the posteriors wait for it.
    for &(start, end) in &bank_chunks {
        slices.push(Slice {
            task: Task::Bank {
                bank: bank.clone(),
                start,
                end,
            },
            weight: (end - start) as f64 * W_BANK,
            label: format!("prior bank {start}–{}", end - 1),
        });
    }
    for (start, end) in jobs::chunks(n, 25) {
        slices.push(Slice {
            task: Task::Paper {
                trial: spec,
                start,
                end,
            },
            weight: (end - start) as f64 * W_PAPER,
            label: format!("paper fits, patients {start}–{}", end - 1),
        });
    }
    for (start, end) in jobs::chunks(n, 100) {
        slices.push(Slice {
            task: Task::Score {
                trial: spec,
                start,
                end,
            },
            weight: (end - start) as f64 * W_SCORE,
            label: format!("patients {start}–{}", end - 1),
        });
    }
    let job = TrialJob {
        spec,
        csv,
        bank_expected: bank_chunks.len(),
        bank_parts: BTreeMap::new(),
        scored: InOrder::default(),
        paper: InOrder::default(),
        probs: InOrder::default(),
    };
    if have_bank {
        let mut post = job.posterior_slices();
        post.append(&mut slices);
        slices = post;
    }
    (slices, job)
}

/// Collects a trial's slice results.
pub struct TrialJob {
    spec: TrialSpec,
    csv: Csv,
    bank_expected: usize,
    bank_parts: BTreeMap<usize, Uint8Array>,
    scored: InOrder<Scored>,
    paper: InOrder<Option<usize>>,
    probs: InOrder<[f64; 3]>,
}

impl TrialJob {
    fn posterior_slices(&self) -> Vec<Slice> {
        jobs::chunks(self.spec.patients(), 200)
            .into_iter()
            .map(|(start, end)| Slice {
                task: Task::Posterior {
                    trial: self.spec,
                    start,
                    end,
                },
                weight: (end - start) as f64 * W_POST,
                label: format!("posteriors, patients {start}–{}", end - 1),
            })
            .collect()
    }
}

impl Job for TrialJob {
    fn finished(&mut self, task: &Task, bytes: Vec<u8>, raw: Uint8Array) -> Result<Next, String> {
        let mut next = Next::default();
        match task {
            Task::Bank { bank, start, .. } => {
                self.bank_parts.insert(*start, raw);
                if self.bank_parts.len() == self.bank_expected {
                    let parts = Array::new();
                    for p in self.bank_parts.values() {
                        parts.push(p);
                    }
                    next.bank = Some((bank.clone(), parts));
                    next.slices = self.posterior_slices();
                    next.more_weight = next.slices.iter().map(|s| s.weight).sum();
                }
            }
            Task::Score { start, .. } => {
                self.scored
                    .insert(*start, jobs::decode_scored(&self.spec, *start, &bytes)?);
            }
            Task::Paper { start, .. } => {
                self.paper.insert(*start, jobs::decode_paper(&bytes));
            }
            Task::Posterior { start, .. } => {
                self.probs.insert(*start, jobs::decode_probs(&bytes)?);
            }
            _ => return Err("unexpected slice in a trial".into()),
        }
        Ok(next)
    }

    fn complete(&mut self, seconds: f64) -> Result<(), String> {
        let scored: Vec<Scored> = self.scored.take();
        let paper: Vec<Option<usize>> = self.paper.take();
        let probs: Vec<[f64; 3]> = self.probs.take();
        let n = self.spec.patients();
        if scored.len() != n || paper.len() != n || probs.len() != n {
            return Err(format!(
                "incomplete results: {} scored, {} paper, {} Bayesian of {n}",
                scored.len(),
                paper.len(),
                probs.len()
            ));
        }
        let config = self.spec.config();
        let (report, preds) = trial::assemble(
            &config,
            &scored,
            &[
                MethodResults::Paper(paper, seconds),
                MethodResults::Bayes(probs, seconds),
            ],
        );
        tables(&report)?;
        dom::set_text(
            "cohort-json",
            &serde_json::to_string(&report).map_err(|e| e.to_string())?,
        );
        dom::set_hidden("cohort-results", false);
        // The charts and the CSV in later tasks, each well under 50 ms.
        let report = std::rc::Rc::new(report);
        let scored = std::rc::Rc::new(scored);
        let r = report.clone();
        dom::later(move || boxes(r));
        for factor in [Factor::Ft, Factor::Fp] {
            let s = scored.clone();
            dom::later(move || draw_bands(&s, factor));
        }
        let csv = self.csv.clone();
        dom::later(move || {
            *csv.borrow_mut() = Some(trial::patients_csv(&scored, &preds));
        });
        Ok(())
    }
}

fn pct(v: f64) -> String {
    if v.is_finite() {
        format!("{:.2}%", 100.0 * v)
    } else {
        "–".into()
    }
}

/// Median [first quartile, third quartile], four significant digits each.
fn q(v: Option<crate::cohort::Quartiles>) -> String {
    v.map_or("–".into(), |q| {
        format!("{} [{}, {}]", sig(q.median, 4), sig(q.q1, 4), sig(q.q3, 4))
    })
}

fn tables(report: &trial::TrialReport) -> Result<(), String> {
    let rows: Vec<Vec<String>> = report
        .summary
        .iter()
        .map(|s| {
            vec![
                plots::cohort_name(s.cohort).to_string(),
                s.patients.to_string(),
                q(s.peak),
                q(s.auc28),
                q(s.ft),
                pct(s.label_match),
                s.classes
                    .iter()
                    .map(|n| n.to_string())
                    .collect::<Vec<_>>()
                    .join(" / "),
            ]
        })
        .collect();
    dom::table(
        "cohort-summary",
        &[
            "cohort",
            "patients",
            "peak, 10^9 cells: median [q1, q3]",
            "AUC28, 10^9 cells·day",
            "FT",
            "simulated class = label",
            "simulated classes: CR / NR / CD19+ / CD19− relapse",
        ],
        &rows,
    )?;
    let mut acc_rows = Vec::new();
    let row = |name: &str, a: &trial::Accuracy| {
        vec![
            name.to_string(),
            pct(a.overall),
            pct(a.cr_cd19neg),
            pct(a.cd19pos),
            pct(a.nr),
        ]
    };
    acc_rows.push(row("Liu et al. (reported)", &PAPER_ACCURACY));
    if let Some(m) = &report.paper {
        acc_rows.push(row("paper's method (LM fit), vs cohort", &m.vs_cohort));
        acc_rows.push(row("paper's method, vs simulated class", &m.vs_simulated));
    }
    if let Some(m) = &report.bayes {
        acc_rows.push(row(
            "Bayesian (importance sampling), vs cohort",
            &m.vs_cohort,
        ));
        acc_rows.push(row("Bayesian, vs simulated class", &m.vs_simulated));
    }
    dom::table(
        "cohort-accuracy",
        &[
            "method",
            "overall",
            "CR & CD19− relapse",
            "CD19+ relapse",
            "NR",
        ],
        &acc_rows,
    )?;
    Ok(())
}

/// The three box plots, kept to be drawn again at a new size.
fn boxes(report: std::rc::Rc<trial::TrialReport>) {
    type Pick = fn(&crate::cohort::CohortSummary) -> Option<crate::cohort::Quartiles>;
    let charts: [(&str, &str, &str, Pick); 3] = [
        ("cohort-peak", "CAR T peak", "peak, 10^9 cells", |s| s.peak),
        ("cohort-auc", "AUC28", "AUC28, 10^9 cells·day", |s| s.auc28),
        ("cohort-ft", "FT = rTA·e·kA/lTA", "FT, 1/day²", |s| s.ft),
    ];
    for (id, title, y_label, pick) in charts {
        let report = report.clone();
        let drawn = plots::keep(id, move || {
            let groups: Vec<_> = report
                .summary
                .iter()
                .map(|s| (s.cohort.to_string(), pick(s)))
                .collect();
            plots::boxes(id, title, y_label, true, &groups)
        });
        if let Err(e) = drawn {
            error(&e);
        }
    }
}

/// The FT or FP bands recomputed from this cohort (fitted once, drawn
/// again at a new size).
fn draw_bands(scored: &[Scored], factor: Factor) {
    let (id, title, xl) = match factor {
        Factor::Ft => (
            "cohort-bands-ft",
            "FT bands (this cohort)",
            "FT = rTA·e·kA/lTA (1/day²)",
        ),
        Factor::Fp => (
            "cohort-bands-fp",
            "FP bands (this cohort)",
            "FP = log2(peak·AUC7)",
        ),
    };
    let family = factor.default_family();
    let drawn = bands::factor_bands(scored, factor, family, LabelSource::Simulated, 200)
        .map_err(|e| format!("{title}: {e:?}"))
        .and_then(|b| {
            let title = format!("{title}, {} fit", family.as_str());
            plots::keep(id, move || {
                plots::bands(id, &title, xl, factor.log_axis(), &b.x, &b.labels, &b.p)
            })
        });
    if let Err(e) = drawn {
        error(&e);
    }
}
