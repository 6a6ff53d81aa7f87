//! The response-probability bands beside the simulator: a default seeded
//! virtual cohort ([`SEED`], [`PER_COHORT`] patients per preset) scored in
//! Web Workers (the same [`Task::Score`] slices as a virtual trial, in a
//! pool of its own so the job panels never cancel it), then fitted with
//! [`factor_bands`] for each factor. Computed once, after the first chart
//! is drawn; the page never waits for it. Also how the bands are drawn:
//! [`chart`] turns them into a [`BandChart`], [`show_status`] says where
//! they are.

use super::app::{BandSet, BandState, Dispatch, FactorBands, Msg};
use super::chart::{palette as c, tick, BandChart, Rgb};
use super::dom;
use super::jobs::{InOrder, Job, Next, Pool, Slice, View};
use crate::analysis::bands::Bands;
use crate::cohort::bands::{factor_bands, Factor, LabelSource, PAPER_FP_POINTS};
use crate::cohort::Scored;
use crate::jobs::{self as tasks, Task, TrialSpec};
use crate::plot::RunMark;
use js_sys::Uint8Array;

/// Seed of the page's cohort.
pub const SEED: u64 = 1;
/// Patients per preset (four presets).
pub const PER_COHORT: usize = 100;
/// Grid points of each band chart.
pub const POINTS: usize = 240;
/// Patients scored per slice.
const SLICE: usize = 25;
/// The factors with bands, by the index key that holds a course's value.
const FACTORS: [(&str, Factor); 2] = [("FT", Factor::Ft), ("FP", Factor::Fp)];

/// The cohort, as a virtual trial's patients (only scored: no noise, no bank).
fn cohort() -> TrialSpec {
    TrialSpec {
        seed: SEED,
        per_cohort: PER_COHORT,
        noise_cv: 0.0,
        bank_per_cohort: 0,
    }
}

/// Start scoring the cohort in workers; progress and the fitted bands (or
/// the reason they failed) come back through `send`.
pub fn start(send: Dispatch) {
    let spec = cohort();
    let total = spec.patients();
    let slices = tasks::chunks(total, SLICE)
        .into_iter()
        .map(|(start, end)| Slice {
            task: Task::Score {
                trial: spec,
                start,
                end,
            },
            weight: (end - start) as f64,
            label: format!("patients {start}–{}", end - 1),
        })
        .collect();
    let job = BandJob {
        send,
        scored: InOrder::default(),
        done: 0,
        total,
        started: dom::now_ms(),
    };
    send(Msg::BandsProgress { done: 0, total });
    Pool::oneshot().start(View::silent(), slices, Box::new(job));
}

/// Collects the scored slices, then fits the bands.
struct BandJob {
    send: Dispatch,
    scored: InOrder<Scored>,
    done: usize,
    total: usize,
    started: f64,
}

impl Job for BandJob {
    fn finished(&mut self, task: &Task, bytes: Vec<u8>, _raw: Uint8Array) -> Result<Next, String> {
        let Task::Score { start, .. } = task else {
            return Err("unexpected slice in the cohort bands".into());
        };
        let scored = tasks::decode_scored(&cohort(), *start, &bytes)?;
        self.done += scored.len();
        self.scored.insert(*start, scored);
        (self.send)(Msg::BandsProgress {
            done: self.done,
            total: self.total,
        });
        Ok(Next::default())
    }

    fn complete(&mut self, _seconds: f64) -> Result<(), String> {
        let scored: Vec<Scored> = self.scored.take();
        let fitted: Result<Vec<FactorBands>, String> = FACTORS
            .iter()
            .map(|&(key, factor)| {
                factor_bands(
                    &scored,
                    factor,
                    factor.default_family(),
                    LabelSource::Simulated,
                    POINTS,
                )
                .map(|bands| FactorBands { key, factor, bands })
                .map_err(|e| format!("The bands could not be fitted: {e}"))
            })
            .collect();
        let set = fitted.map(|factors| BandSet {
            factors,
            patients: scored.len(),
            ms: dom::now_ms() - self.started,
        });
        (self.send)(Msg::BandsReady(set));
        Ok(())
    }

    fn stopped(&mut self, why: &str) {
        (self.send)(Msg::BandsReady(Err(format!(
            "The bands could not be computed: {why}"
        ))));
    }
}

/// Say where the bands are in `#bands-status` (with the time they took
/// in `data-ms` once ready).
pub fn show_status(state: &BandState) {
    let text = match state {
        BandState::Idle => return,
        BandState::Running { total: 0, .. } => "Computing the bands in Web Workers…".to_string(),
        BandState::Running { done, total } => {
            format!("Computing the bands: {done} of {total} virtual patients simulated…")
        }
        BandState::Failed(e) => e.clone(),
        BandState::Ready(set) => {
            let families: Vec<String> = set
                .factors
                .iter()
                .map(|f| {
                    let family = f.bands.fits.first().map_or("?", |d| d.family.as_str());
                    format!("{family} for {}", f.key)
                })
                .collect();
            format!(
                "Bands from a virtual cohort of {} patients ({PER_COHORT} drawn around each \
                 preset, seed {SEED}), each labelled by the class of its own simulated course. \
                 Densities fitted by maximum likelihood: {}. Computed in your browser, in Web \
                 Workers, in {:.0} ms.",
                set.patients,
                families.join(", "),
                set.ms
            )
        }
    };
    dom::set_text("bands-status", &text);
    if let (BandState::Ready(set), Ok(e)) = (state, dom::by_id("bands-status")) {
        dom::attr(&e, "data-ms", &format!("{:.1}", set.ms));
    }
}

/// Colour of a band's class: the page's one colour per class.
pub fn class_color(label: &str) -> Rgb {
    crate::plot::class_color(label).unwrap_or(c::GREY)
}

/// The band chart of a factor, marking `value` (this patient's FT or FP)
/// and each visible pinned run's value in its colour and dash pattern
/// (`runs`: run number from 1, its value, its style).
pub fn chart(
    b: &Bands,
    factor: Factor,
    value: Option<f64>,
    runs: &[(usize, Option<f64>, super::runs::RunStyle)],
) -> BandChart {
    let drawable = |x: &f64| x.is_finite() && (!factor.log_axis() || *x > 0.0);
    let (title, x_label, name) = match factor {
        Factor::Ft => (
            "Response probability by CAR T function factor FT",
            "FT = rTA·e·kA/lTA (1/day², log scale)",
            "FT",
        ),
        Factor::Fp => (
            "Response probability by prediction factor FP",
            "FP = log2(peak × AUC7)",
            "FP",
        ),
    };
    BandChart {
        title: title.into(),
        x_label: x_label.into(),
        log_x: factor.log_axis(),
        x: b.x.clone(),
        bands: b
            .labels
            .iter()
            .zip(&b.p)
            .map(|(l, p)| (l.clone(), class_color(l), p.clone()))
            .collect(),
        mark: value
            .filter(drawable)
            .map(|x| (x, format!("this patient: {name} = {}", tick(x)))),
        run_marks: runs
            .iter()
            .filter_map(|&(n, v, (color, dash))| {
                let x = v.filter(drawable)?;
                Some(RunMark {
                    run: n,
                    x,
                    label: format!("run {n}: {name} = {}", tick(x)),
                    color,
                    dash,
                })
            })
            .collect(),
        covered: Some(b.covered),
        points: match factor {
            Factor::Fp => paper_points(b),
            Factor::Ft => Vec::new(),
        },
        points_label: "[L]'s patients".into(),
    }
}

/// [L]'s eight patients on the FP chart: each at its FP, as high as the
/// paper's probability for its band stacked on this chart's lower edge of
/// that band; a circle on its band's upper edge means the paper and the
/// virtual cohort agree there. (Drawing only: the probabilities are the
/// paper's, [`PAPER_FP_POINTS`].)
fn paper_points(b: &Bands) -> Vec<(f64, f64)> {
    PAPER_FP_POINTS
        .iter()
        .filter_map(|&(fp, label, p)| {
            let band = b.labels.iter().position(|l| l == label)?;
            let below: f64 = b.p[..band]
                .iter()
                .map(|row| interpolate(&b.x, row, fp))
                .sum();
            Some((fp, 100.0 * (below + p)))
        })
        .collect()
}

/// `ys` at `x` by linear interpolation on the grid `xs` (held flat beyond it).
fn interpolate(xs: &[f64], ys: &[f64], x: f64) -> f64 {
    let k = xs.partition_point(|v| *v < x);
    match (k.checked_sub(1), xs.get(k)) {
        (Some(i), Some(&hi)) if hi > xs[i] => {
            let f = (x - xs[i]) / (hi - xs[i]);
            ys[i] + f * (ys[k] - ys[i])
        }
        (_, Some(_)) => ys[k],
        (Some(i), None) => ys[i],
        (None, None) => 0.0,
    }
}
