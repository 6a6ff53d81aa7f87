//! [L]'s virtual trial of early prediction (Fig. 7; MODELS.md §1): 1,600
//! virtual patients, early data only (initial burden and CAR T on days
//! 0–7), both methods, scored against the cohort of origin (the paper's
//! scoring) and against each patient's simulated class.

use super::bayes::{self, argmax, BayesSettings};
use super::paper::{self, PaperSettings};
use super::{group_of, observe, EarlySim, Observation, GROUPS};
use crate::cohort::rng::Stream;
use crate::cohort::{self, cohort_label, Scored, TrialSettings};
use crate::model::ModelError;

/// [L]'s reported accuracies (Fig. 7J–K): overall, CR & CD19− relapse,
/// CD19+ relapse, NR.
pub const PAPER_ACCURACY: Accuracy = Accuracy {
    overall: 0.7438,
    cr_cd19neg: 0.6563,
    cd19pos: 0.7550,
    nr: 0.9075,
};

/// What to run.
#[derive(Debug, Clone)]
pub struct TrialConfig {
    /// Seed of the virtual patients (and of their measurement noise).
    pub seed: u64,
    /// Patients per cohort (400 in [L]).
    pub per_cohort: usize,
    /// Measurement days.
    pub days: Vec<f64>,
    /// Measurement noise (coefficient of variation), 0 for noise-free.
    pub noise_cv: f64,
    /// Run the paper's method.
    pub paper: bool,
    /// Run the Bayesian method.
    pub bayes: bool,
    /// Settings of the Bayesian method.
    pub bayes_settings: BayesSettings,
    /// Settings of the paper's method.
    pub paper_settings: PaperSettings,
    /// Solver, model options and classification.
    pub trial: TrialSettings,
}

impl Default for TrialConfig {
    fn default() -> Self {
        TrialConfig {
            seed: 1,
            per_cohort: cohort::DEFAULT_PER_COHORT,
            days: (0..=7).map(f64::from).collect(),
            noise_cv: 0.0,
            paper: true,
            bayes: true,
            // The trial reads only each bank patient's class: no forecasts.
            bayes_settings: BayesSettings {
                forecast: false,
                ..BayesSettings::default()
            },
            paper_settings: PaperSettings::default(),
            trial: TrialSettings::default(),
        }
    }
}

/// Accuracies in [0, 1].
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Accuracy {
    /// All patients.
    pub overall: f64,
    /// Patients whose truth is CR or CD19− relapse.
    pub cr_cd19neg: f64,
    /// Patients whose truth is CD19+ relapse.
    pub cd19pos: f64,
    /// Patients whose truth is NR.
    pub nr: f64,
}

/// One bin of a reliability table.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct ReliabilityBin {
    /// Lower edge of predicted probability.
    pub lo: f64,
    /// Upper edge.
    pub hi: f64,
    /// (patient, group) pairs in the bin.
    pub count: usize,
    /// Mean predicted probability in the bin.
    pub mean_predicted: f64,
    /// Observed frequency of the group in the bin.
    pub observed: f64,
}

/// How one method did.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct MethodScore {
    /// Method name.
    pub method: &'static str,
    /// Against the cohort of origin ([L]'s scoring).
    pub vs_cohort: Accuracy,
    /// Against each patient's simulated class.
    pub vs_simulated: Accuracy,
    /// Confusion matrix against cohort of origin: `[truth][predicted]`, groups in [`GROUPS`] order.
    pub confusion: [[usize; 3]; 3],
    /// Confusion matrix against simulated class.
    pub confusion_simulated: [[usize; 3]; 3],
    /// Brier score of the group probabilities against cohort of origin (Bayesian only).
    pub brier: Option<f64>,
    /// Reliability table of those probabilities (Bayesian only).
    pub reliability: Option<Vec<ReliabilityBin>>,
    /// Patients the method could not predict (counted as wrong).
    pub failures: usize,
    /// Wall time in seconds.
    pub seconds: f64,
}

/// Everything a trial produced.
#[derive(Debug, Clone, serde::Serialize)]
pub struct TrialReport {
    /// Patients.
    pub patients: usize,
    /// Seed.
    pub seed: u64,
    /// Noise CV.
    pub noise_cv: f64,
    /// Measurement days.
    pub days: Vec<f64>,
    /// Per-cohort summary of the simulated courses.
    pub summary: Vec<cohort::CohortSummary>,
    /// Group names, the order of every matrix and probability vector.
    pub groups: [&'static str; 3],
    /// The paper's method, when run.
    pub paper: Option<MethodScore>,
    /// The Bayesian method, when run.
    pub bayes: Option<MethodScore>,
    /// [L]'s published accuracy, for comparison.
    pub paper_reported: Accuracy,
}

/// Per-patient predictions (for CSV export).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PatientPrediction {
    /// Patient id.
    pub id: usize,
    /// Group predicted by the paper's method (None when it failed or did not run).
    pub paper: Option<usize>,
    /// Bayesian group probabilities (cohort of origin).
    pub bayes: Option<[f64; 3]>,
}

fn accuracy(confusion: &[[usize; 3]; 3]) -> Accuracy {
    let row = |g: usize| {
        let n: usize = confusion[g].iter().sum();
        if n == 0 {
            f64::NAN
        } else {
            confusion[g][g] as f64 / n as f64
        }
    };
    let total: usize = confusion.iter().flatten().sum();
    let right: usize = (0..3).map(|g| confusion[g][g]).sum();
    Accuracy {
        overall: if total == 0 {
            f64::NAN
        } else {
            right as f64 / total as f64
        },
        cr_cd19neg: row(0),
        cd19pos: row(1),
        nr: row(2),
    }
}

fn reliability(pairs: &[(f64, bool)]) -> Vec<ReliabilityBin> {
    (0..10)
        .map(|b| {
            let (lo, hi) = (b as f64 / 10.0, (b + 1) as f64 / 10.0);
            let inside: Vec<&(f64, bool)> = pairs
                .iter()
                .filter(|(p, _)| *p >= lo && (*p < hi || (b == 9 && *p <= 1.0)))
                .collect();
            let n = inside.len();
            let mean = |f: &dyn Fn(&(f64, bool)) -> f64| {
                if n == 0 {
                    f64::NAN
                } else {
                    inside.iter().map(|x| f(x)).sum::<f64>() / n as f64
                }
            };
            ReliabilityBin {
                lo,
                hi,
                count: n,
                mean_predicted: mean(&|x| x.0),
                observed: mean(&|x| if x.1 { 1.0 } else { 0.0 }),
            }
        })
        .collect()
}

/// The observation of one patient (noise from the patient's own stream, so
/// any slice of patients can be observed anywhere with the same result).
pub fn observation(
    config: &TrialConfig,
    sim: &mut EarlySim,
    patient: &cohort::VirtualPatient,
) -> Result<Observation, ModelError> {
    let mut s = Stream::substream(config.seed ^ 0x6e6f_6973_6521, patient.id as u64);
    observe(sim, &patient.params, &config.days, config.noise_cv, &mut s)
}

/// The observations of every patient (noise from the patient's own stream).
pub fn observations(
    config: &TrialConfig,
    patients: &[cohort::VirtualPatient],
) -> Result<Vec<Observation>, ModelError> {
    let mut sim = EarlySim::new(config.trial.solver.clone(), config.trial.options);
    patients
        .iter()
        .map(|p| observation(config, &mut sim, p))
        .collect()
}

/// The paper's method on one observation: the predicted group, `None` when
/// the fit fails (scored as wrong).
pub fn paper_group(config: &TrialConfig, obs: &Observation) -> Option<usize> {
    paper::predict(obs, config.noise_cv, &config.paper_settings, &config.trial)
        .ok()
        .map(|f| group_of(f.metrics.response))
}

/// The Bayesian method on one observation: group probabilities (cohort of
/// origin), from a bank built at `config.days` with `config.bayes_settings`.
pub fn bayes_group(
    config: &TrialConfig,
    bank: &bayes::Bank,
    obs: &Observation,
) -> Result<[f64; 3], ModelError> {
    bayes::posterior(bank, obs, config.noise_cv, &config.bayes_settings, false).map(|p| p.group)
}

/// What a method predicted for every patient, in patient order, and how
/// long it took (seconds; 0 when not measured).
#[derive(Debug, Clone, PartialEq)]
pub enum MethodResults {
    /// The paper's method: a group per patient (`None` = the fit failed).
    Paper(Vec<Option<usize>>, f64),
    /// The Bayesian method: group probabilities per patient.
    Bayes(Vec<[f64; 3]>, f64),
}

/// Assemble the report from its parts: the scored patients (in trial
/// order) and each method's per-patient results. [`run`] and the browser's
/// sliced trial both end here, so their reports agree bit for bit.
pub fn assemble(
    config: &TrialConfig,
    scored: &[Scored],
    methods: &[MethodResults],
) -> (TrialReport, Vec<PatientPrediction>) {
    let mut preds: Vec<PatientPrediction> = scored
        .iter()
        .map(|s| PatientPrediction {
            id: s.patient.id,
            paper: None,
            bayes: None,
        })
        .collect();
    let (mut paper_score, mut bayes_score) = (None, None);
    for m in methods {
        match m {
            MethodResults::Paper(predicted, secs) => {
                for (pp, p) in preds.iter_mut().zip(predicted) {
                    pp.paper = *p;
                }
                paper_score = Some(score_method("paper", scored, predicted, None, *secs));
            }
            MethodResults::Bayes(probs, secs) => {
                for (pp, p) in preds.iter_mut().zip(probs) {
                    pp.bayes = Some(*p);
                }
                let predicted: Vec<Option<usize>> = probs.iter().map(|p| Some(argmax(p))).collect();
                bayes_score = Some(score_method(
                    "bayes",
                    scored,
                    &predicted,
                    Some(probs),
                    *secs,
                ));
            }
        }
    }
    (
        TrialReport {
            patients: scored.len(),
            seed: config.seed,
            noise_cv: config.noise_cv,
            days: config.days.clone(),
            summary: cohort::summarize(scored),
            groups: GROUPS,
            paper: paper_score,
            bayes: bayes_score,
            paper_reported: PAPER_ACCURACY,
        },
        preds,
    )
}

/// CSV of every virtual patient: id, cohort, parameters, indices (FT, FP,
/// peak, day of peak, AUC7, AUC28), simulated class, the paper's predicted
/// group and the Bayesian group probabilities (empty when not run).
pub fn patients_csv(scored: &[Scored], preds: &[PatientPrediction]) -> String {
    use crate::model::clinical::{PRESETS, SPECS};
    use std::fmt::Write as _;
    let mut s = String::from("id,cohort");
    for spec in SPECS.iter() {
        s.push(',');
        s.push_str(spec.name);
    }
    s.push_str(",ft,fp,peak,t_peak,auc7,auc28,simulated_class,paper_prediction");
    for g in GROUPS {
        let _ = write!(s, ",p_bayes[{g}]");
    }
    s.push('\n');
    for (sc, pr) in scored.iter().zip(preds) {
        let m = &sc.metrics;
        let _ = write!(s, "{},{}", sc.patient.id, PRESETS[sc.patient.cohort].name);
        for v in sc.patient.params.0 {
            let _ = write!(s, ",{v}");
        }
        let _ = write!(
            s,
            ",{},{},{},{},{},{},{},{}",
            m.ft,
            m.fp,
            m.peak,
            m.t_peak,
            m.auc7,
            m.auc28,
            m.response.as_str(),
            pr.paper.map_or("", |g| GROUPS[g])
        );
        match pr.bayes {
            Some(p) => p.iter().for_each(|v| {
                let _ = write!(s, ",{v}");
            }),
            None => s.push_str(",,,"),
        }
        s.push('\n');
    }
    s
}

fn score_method(
    method: &'static str,
    scored: &[Scored],
    predicted: &[Option<usize>],
    probs: Option<&[[f64; 3]]>,
    seconds: f64,
) -> MethodScore {
    let mut confusion = [[0usize; 3]; 3];
    let mut confusion_simulated = [[0usize; 3]; 3];
    let mut failures = 0;
    for (s, pred) in scored.iter().zip(predicted) {
        let truth = group_of(cohort_label(s.patient.cohort));
        let sim = group_of(s.metrics.response);
        match pred {
            Some(g) => {
                confusion[truth][*g] += 1;
                confusion_simulated[sim][*g] += 1;
            }
            None => {
                failures += 1;
                // A failure is wrong: count it in a wrong column.
                confusion[truth][(truth + 1) % 3] += 1;
                confusion_simulated[sim][(sim + 1) % 3] += 1;
            }
        }
    }
    let (brier, rel) = match probs {
        Some(pr) => {
            let mut sum = 0.0;
            let mut pairs = Vec::new();
            for (s, p) in scored.iter().zip(pr) {
                let truth = group_of(cohort_label(s.patient.cohort));
                for (g, &pg) in p.iter().enumerate() {
                    let y = if g == truth { 1.0 } else { 0.0 };
                    sum += (pg - y) * (pg - y);
                    pairs.push((pg, g == truth));
                }
            }
            (
                Some(sum / scored.len().max(1) as f64),
                Some(reliability(&pairs)),
            )
        }
        None => (None, None),
    };
    MethodScore {
        method,
        vs_cohort: accuracy(&confusion),
        vs_simulated: accuracy(&confusion_simulated),
        confusion,
        confusion_simulated,
        brier,
        reliability: rel,
        failures,
        seconds,
    }
}

fn now() -> f64 {
    #[cfg(not(target_arch = "wasm32"))]
    {
        use std::time::{SystemTime, UNIX_EPOCH};
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0.0, |d| d.as_secs_f64())
    }
    #[cfg(target_arch = "wasm32")]
    {
        0.0
    }
}

/// Run the trial.
pub fn run(config: &TrialConfig) -> Result<(TrialReport, Vec<PatientPrediction>), ModelError> {
    let patients = cohort::generate(config.seed, config.per_cohort);
    let scored = cohort::score(&patients, &config.trial)?;
    let obs = observations(config, &patients)?;
    let mut methods = Vec::new();
    if config.bayes {
        let t0 = now();
        let bank = bayes::build_bank(&config.days, &config.bayes_settings, &config.trial)?;
        let probs = map_maybe_parallel(&obs, |o| bayes_group(config, &bank, o))?;
        methods.push(MethodResults::Bayes(probs, now() - t0));
    }
    if config.paper {
        let t0 = now();
        let predicted: Vec<Option<usize>> =
            map_maybe_parallel(&obs, |o| Ok::<_, ModelError>(paper_group(config, o)))?;
        methods.push(MethodResults::Paper(predicted, now() - t0));
    }
    Ok(assemble(config, &scored, &methods))
}

/// Map over items, in parallel natively when the `parallel` feature is on.
pub fn map_maybe_parallel<T: Sync, R: Send, E: Send>(
    items: &[T],
    f: impl Fn(&T) -> Result<R, E> + Sync + Send,
) -> Result<Vec<R>, E> {
    #[cfg(all(feature = "parallel", not(target_arch = "wasm32")))]
    {
        use rayon::prelude::*;
        items.par_iter().map(f).collect()
    }
    #[cfg(not(all(feature = "parallel", not(target_arch = "wasm32"))))]
    {
        items.iter().map(f).collect()
    }
}
