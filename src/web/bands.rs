//! The FT and FP response-probability bands of the page: a default seeded
//! virtual cohort ([`SEED`], [`PER_COHORT`] patients per preset) scored
//! with the core's cohort code, in slices between frames so the page stays
//! responsive, then fitted with [`factor_bands`]. Computed once, lazily,
//! after the first chart is drawn; the time it took is shown.

use super::{app, dom};
use crate::analysis::bands::Bands;
use crate::cohort::bands::{factor_bands, Factor, LabelSource};
use crate::cohort::{generate, score_slice, Scored, TrialSettings, VirtualPatient};
use std::cell::RefCell;

/// Seed of the page's cohort.
pub const SEED: u64 = 1;
/// Patients per preset (four presets).
pub const PER_COHORT: usize = 100;
/// Grid points of each band chart.
pub const POINTS: usize = 240;
/// Patients scored per slice (one slice per timer tick).
const SLICE: usize = 25;

/// Both band sets and what they cost.
#[derive(Debug, Clone)]
pub struct Ready {
    /// FT bands.
    pub ft: Bands,
    /// FP bands.
    pub fp: Bands,
    /// Wall-clock milliseconds from the first patient to the fitted bands.
    pub ms: f64,
    /// Patients scored.
    pub n: usize,
}

/// Where the bands are.
#[derive(Debug, Clone, Default)]
pub enum BandState {
    /// Not started.
    #[default]
    Idle,
    /// Being computed.
    Running,
    /// Done.
    Ready(Box<Ready>),
    /// Failed, with the reason.
    Failed(String),
}

struct Job {
    patients: Vec<VirtualPatient>,
    scored: Vec<Scored>,
    settings: TrialSettings,
    started: f64,
    busy_ms: f64,
}

thread_local! {
    static JOB: RefCell<Option<Job>> = const { RefCell::new(None) };
}

/// Start computing the bands (once).
pub fn start() {
    let idle = app::with(|a| {
        if matches!(a.bands, BandState::Idle) {
            a.bands = BandState::Running;
            true
        } else {
            false
        }
    })
    .unwrap_or(false);
    if !idle {
        return;
    }
    JOB.with(|j| {
        *j.borrow_mut() = Some(Job {
            patients: generate(SEED, PER_COHORT),
            scored: Vec::new(),
            settings: TrialSettings::default(),
            started: dom::now_ms(),
            busy_ms: 0.0,
        })
    });
    tick();
}

fn finish(state: BandState, status: String) {
    dom::set_text("bands-status", &status);
    app::bands_ready(state);
}

fn tick() {
    let t0 = dom::now_ms();
    let step = JOB.with(|j| {
        let mut guard = j.borrow_mut();
        let job = guard.as_mut()?;
        let from = job.scored.len();
        let to = (from + SLICE).min(job.patients.len());
        let r = score_slice(&job.patients[from..to], &job.settings).map(|mut s| {
            job.scored.append(&mut s);
            (job.scored.len(), job.patients.len())
        });
        job.busy_ms += dom::now_ms() - t0;
        Some(r)
    });
    match step {
        None => {}
        Some(Err(e)) => finish(
            BandState::Failed(e.to_string()),
            format!("The bands could not be computed: {e}"),
        ),
        Some(Ok((done, total))) if done < total => {
            dom::set_text(
                "bands-status",
                &format!("Computing the bands: {done} of {total} virtual patients simulated…"),
            );
            if dom::after(0, tick).is_err() {
                finish(
                    BandState::Failed("timer".into()),
                    "The bands could not be scheduled.".into(),
                );
            }
        }
        Some(Ok(_)) => {
            let Some(job) = JOB.with(|j| j.borrow_mut().take()) else {
                return;
            };
            let fit = |f: Factor| {
                factor_bands(
                    &job.scored,
                    f,
                    f.default_family(),
                    LabelSource::Simulated,
                    POINTS,
                )
            };
            match (fit(Factor::Ft), fit(Factor::Fp)) {
                (Ok(ft), Ok(fp)) => {
                    let busy = job.busy_ms + (dom::now_ms() - t0);
                    let wall = dom::now_ms() - job.started;
                    let n = job.scored.len();
                    let status = format!(
                        "Bands from a virtual cohort of {n} patients ({PER_COHORT} drawn around \
                         each preset, seed {SEED}), each labelled by the class of its own \
                         simulated course. Densities fitted by maximum likelihood: {} for FT, \
                         {} for FP. Computed in your browser in {busy:.0} ms of work \
                         ({wall:.0} ms wall-clock, in slices between frames).",
                        ft.fits.first().map_or("?", |d| d.family.as_str()),
                        fp.fits.first().map_or("?", |d| d.family.as_str()),
                    );
                    if let Ok(e) = dom::by_id("bands-status") {
                        dom::attr(&e, "data-ms", &format!("{busy:.1}"));
                    }
                    finish(
                        BandState::Ready(Box::new(Ready {
                            ft,
                            fp,
                            ms: busy,
                            n,
                        })),
                        status,
                    );
                }
                (Err(e), _) | (_, Err(e)) => finish(
                    BandState::Failed(e.to_string()),
                    format!("The bands could not be fitted: {e}"),
                ),
            }
        }
    }
}
