//! Virtual patients and cohorts ([L] "Generating virtual patient cohorts";
//! MODELS.md §1): seeded draws around each preset, simulation of every
//! patient with both labels (cohort of origin and simulated class), and the
//! trial summary per cohort.
//!
//! Every patient has its own random stream (`Stream::substream(seed, id)`),
//! so a cohort is the same whether it is generated in one go, in slices
//! (the browser), or in parallel (natively, with the `parallel` feature).

pub mod bands;
pub mod rng;

use crate::analysis::metrics::{ClassifySettings, Metrics, Response};
use crate::model::clinical::{Options, Params, Preset, Runner, N_PARAMS, PRESETS};
use crate::model::ModelError;
use crate::solver::Settings;
use rng::Stream;

/// Patients per cohort in [L]'s virtual trial.
pub const DEFAULT_PER_COHORT: usize = 400;

/// One virtual patient: where it came from and its parameters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct VirtualPatient {
    /// Index within the whole trial (cohort-major).
    pub id: usize,
    /// Index of the cohort of origin in [`PRESETS`].
    pub cohort: usize,
    /// Drawn parameters and initial values.
    pub params: Params,
}

/// A simulated virtual patient.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scored {
    /// The patient.
    pub patient: VirtualPatient,
    /// Its course's metrics, including the simulated class.
    pub metrics: Metrics,
}

/// The response a cohort is named for (its label in [L]'s scoring).
pub fn cohort_label(cohort: usize) -> Response {
    match PRESETS.get(cohort).map(|p| p.name) {
        Some("nr") => Response::Nr,
        Some("relapse-pos") => Response::Cd19PosRelapse,
        Some("relapse-neg") => Response::Cd19NegRelapse,
        _ => Response::Cr,
    }
}

/// Draw one patient's parameters around a preset (MODELS.md §1): every value
/// printed in Table 1 for the preset is drawn from Normal(μ, (μ/3)²), and a
/// draw ≤ 0 is redrawn; the "–" cells keep the preset's filler value.
pub fn draw(preset: &Preset, stream: &mut Stream) -> Params {
    let mut p = preset.params;
    for i in 0..N_PARAMS {
        let mu = p.0[i];
        if !preset.in_table[i] || mu <= 0.0 {
            continue;
        }
        p.0[i] = loop {
            let v = stream.normal(mu, mu / 3.0);
            if v > 0.0 {
                break v;
            }
        };
    }
    p
}

/// Patient `index` of cohort `cohort`, drawn from its own stream of `seed`.
pub fn patient(seed: u64, per_cohort: usize, cohort: usize, index: usize) -> VirtualPatient {
    let mut s = Stream::substream(seed, ((cohort as u64) << 32) | index as u64);
    VirtualPatient {
        id: cohort * per_cohort + index,
        cohort,
        params: draw(&PRESETS[cohort], &mut s),
    }
}

/// The whole virtual trial: `per_cohort` patients of each of the four cohorts.
pub fn generate(seed: u64, per_cohort: usize) -> Vec<VirtualPatient> {
    (0..PRESETS.len())
        .flat_map(|c| (0..per_cohort).map(move |i| patient(seed, per_cohort, c, i)))
        .collect()
}

/// Settings of a trial simulation.
#[derive(Debug, Clone)]
pub struct TrialSettings {
    /// Solver settings.
    pub solver: Settings,
    /// Model options (extinction).
    pub options: Options,
    /// Classification thresholds and horizon.
    pub classify: ClassifySettings,
}

impl Default for TrialSettings {
    fn default() -> Self {
        TrialSettings {
            solver: Settings::dopri5(1e-6, 1e-9),
            options: Options::default(),
            classify: ClassifySettings::default(),
        }
    }
}

/// Simulate patients one after another (the browser runs this on slices).
pub fn score_slice(
    patients: &[VirtualPatient],
    settings: &TrialSettings,
) -> Result<Vec<Scored>, ModelError> {
    let mut runner = Runner::new(settings.solver.clone(), settings.options, settings.classify)?;
    patients
        .iter()
        .map(|p| {
            Ok(Scored {
                patient: *p,
                metrics: runner.metrics(&p.params)?,
            })
        })
        .collect()
}

/// Simulate every patient, in parallel where the `parallel` feature is on.
pub fn score(
    patients: &[VirtualPatient],
    settings: &TrialSettings,
) -> Result<Vec<Scored>, ModelError> {
    #[cfg(all(feature = "parallel", not(target_arch = "wasm32")))]
    {
        use rayon::prelude::*;
        let chunk = (patients.len() / (4 * rayon::current_num_threads()).max(1)).max(1);
        let parts: Result<Vec<Vec<Scored>>, ModelError> = patients
            .par_chunks(chunk)
            .map(|c| score_slice(c, settings))
            .collect();
        Ok(parts?.into_iter().flatten().collect())
    }
    #[cfg(not(all(feature = "parallel", not(target_arch = "wasm32"))))]
    {
        score_slice(patients, settings)
    }
}

/// Median and quartiles.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Quartiles {
    /// First quartile.
    pub q1: f64,
    /// Median.
    pub median: f64,
    /// Third quartile.
    pub q3: f64,
}

/// Quartiles by linear interpolation between order statistics (type 7).
pub fn quartiles(values: &[f64]) -> Option<Quartiles> {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let q = |p: f64| {
        let h = (v.len() - 1) as f64 * p;
        let (lo, hi) = (h.floor() as usize, h.ceil() as usize);
        v[lo] + (h - lo as f64) * (v[hi] - v[lo])
    };
    Some(Quartiles {
        q1: q(0.25),
        median: q(0.5),
        q3: q(0.75),
    })
}

/// Summary of one cohort of a trial.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct CohortSummary {
    /// Preset name of the cohort.
    pub cohort: &'static str,
    /// Patients.
    pub patients: usize,
    /// CAR T peak, 10^9 cells.
    pub peak: Option<Quartiles>,
    /// AUC28, 10^9 cells·day.
    pub auc28: Option<Quartiles>,
    /// FT.
    pub ft: Option<Quartiles>,
    /// Fraction of patients whose simulated class is the cohort's label.
    pub label_match: f64,
    /// Count of each simulated class: CR, NR, CD19+ relapse, CD19- relapse.
    pub classes: [usize; 4],
}

/// Index of a response in [CR, NR, CD19+ relapse, CD19- relapse].
pub fn response_index(r: Response) -> usize {
    match r {
        Response::Cr => 0,
        Response::Nr => 1,
        Response::Cd19PosRelapse => 2,
        Response::Cd19NegRelapse => 3,
    }
}

/// Summarise a scored trial per cohort.
pub fn summarize(scored: &[Scored]) -> Vec<CohortSummary> {
    PRESETS
        .iter()
        .enumerate()
        .map(|(c, preset)| {
            let mine: Vec<&Scored> = scored.iter().filter(|s| s.patient.cohort == c).collect();
            let col = |f: fn(&Metrics) -> f64| -> Vec<f64> {
                mine.iter().map(|s| f(&s.metrics)).collect()
            };
            let mut classes = [0; 4];
            for s in &mine {
                classes[response_index(s.metrics.response)] += 1;
            }
            let label = cohort_label(c);
            let matched = mine.iter().filter(|s| s.metrics.response == label).count();
            CohortSummary {
                cohort: preset.name,
                patients: mine.len(),
                peak: quartiles(&col(|m| m.peak)),
                auc28: quartiles(&col(|m| m.auc28)),
                ft: quartiles(&col(|m| m.ft)),
                label_match: if mine.is_empty() {
                    0.0
                } else {
                    matched as f64 / mine.len() as f64
                },
                classes,
            }
        })
        .collect()
}
