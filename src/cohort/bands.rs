//! FT and FP response-probability bands from a scored cohort ([L] Fig. 5D
//! and 6D; MODELS.md §1): which classes, which density family, which axis,
//! and [L]'s eight held-out patients on the FP bands ([`PAPER_FP_POINTS`]).
//!
//! Both factors use normal densities with one variance pooled over the
//! classes (FT on log FT): [`Factor::default_family`]. With a shared
//! variance the most likely class follows the order of the class means
//! along the whole axis and cannot reverse in the tails, as [L] describes
//! (FT: NR → CD19+ relapse → CR; FP: NR → CD19+ relapse → CR & CD19−
//! relapse). [`crate::analysis::bands`] gives the reasoning; `covered` on
//! the [`Bands`] is the range of the cohort's own values.

use super::{cohort_label, Scored};
use crate::analysis::bands::{self, BandError, Bands, ClassValues};
use crate::analysis::density::Family;
use crate::analysis::metrics::Response;

/// The factor on the x-axis.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Factor {
    /// FT = rTA·e·kA/lTA (log axis); classes NR, CD19+ relapse, CR.
    Ft,
    /// FP = log2(peak × AUC7); classes NR, CD19+ relapse, CR & CD19− relapse.
    Fp,
}

impl Factor {
    /// Parse `ft` / `fp`.
    pub fn parse(s: &str) -> Option<Factor> {
        match s {
            "ft" => Some(Factor::Ft),
            "fp" => Some(Factor::Fp),
            _ => None,
        }
    }
    /// The family fitted by default, and why (MODELS.md §1 leaves the family
    /// to cartsim; this is its choice). FT is a product and ratio of positive
    /// rates, so its logarithm is a sum of roughly independent terms and FT
    /// is close to log-normal; FP is already a logarithm (of peak × AUC7),
    /// so it is close to normal. Both with one variance pooled over the
    /// classes, so the bands' order is that of the class means everywhere,
    /// with no reversal in the tails (see [`crate::analysis::bands`]).
    pub fn default_family(self) -> Family {
        match self {
            Factor::Ft => Family::PooledLognormal,
            Factor::Fp => Family::PooledNormal,
        }
    }
    /// True when the axis (and a KDE) works on log values.
    pub fn log_axis(self) -> bool {
        self == Factor::Ft
    }
}

/// [L]'s eight held-out patients on the FP bands (text after Fig. 6D):
/// `(FP, band label, the probability [L] gives for that band)`, the band
/// label as in [`classes`]`(Factor::Fp)` and the probability as a fraction.
/// Order: two NR patients, two CD19+ relapse, two CD19− relapse, two CR
/// (their own outcomes are [`PAPER_FP_OUTCOMES`]); CD19− relapse and CR are
/// scored on the merged "CR & CD19- relapse" band, as in [L].
pub const PAPER_FP_POINTS: [(f64, &str, f64); 8] = [
    (15.4, "NR", 0.267),
    (7.7, "NR", 0.767),
    (14.6, "CD19+ relapse", 0.533),
    (15.5, "CD19+ relapse", 0.553),
    (18.1, "CR & CD19- relapse", 0.463),
    (19.3, "CR & CD19- relapse", 0.689),
    (21.9, "CR & CD19- relapse", 0.972),
    (23.2, "CR & CD19- relapse", 0.995),
];

/// The clinical outcome of each patient of [`PAPER_FP_POINTS`], same order
/// ([L] draws them as blue, red, brown and orange dots on Fig. 6D).
pub const PAPER_FP_OUTCOMES: [Response; 8] = [
    Response::Nr,
    Response::Nr,
    Response::Cd19PosRelapse,
    Response::Cd19PosRelapse,
    Response::Cd19NegRelapse,
    Response::Cd19NegRelapse,
    Response::Cr,
    Response::Cr,
];

/// Which label puts a patient into a class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LabelSource {
    /// The class of the patient's own simulated course (default).
    Simulated,
    /// The cohort it was drawn from.
    Cohort,
}

/// Class labels of a factor's bands, bottom to top.
pub fn classes(factor: Factor) -> [&'static str; 3] {
    match factor {
        Factor::Ft => ["NR", "CD19+ relapse", "CR"],
        Factor::Fp => ["NR", "CD19+ relapse", "CR & CD19- relapse"],
    }
}

fn class_of(factor: Factor, r: Response) -> Option<usize> {
    match (factor, r) {
        (_, Response::Nr) => Some(0),
        (_, Response::Cd19PosRelapse) => Some(1),
        (_, Response::Cr) => Some(2),
        (Factor::Fp, Response::Cd19NegRelapse) => Some(2),
        (Factor::Ft, Response::Cd19NegRelapse) => None,
    }
}

/// Each class's values of the factor.
pub fn class_values(scored: &[Scored], factor: Factor, labels: LabelSource) -> Vec<ClassValues> {
    let names = classes(factor);
    let mut vals: Vec<Vec<f64>> = vec![Vec::new(); 3];
    for s in scored {
        let r = match labels {
            LabelSource::Simulated => s.metrics.response,
            LabelSource::Cohort => cohort_label(s.patient.cohort),
        };
        let x = match factor {
            Factor::Ft => s.metrics.ft,
            Factor::Fp => s.metrics.fp,
        };
        if let Some(i) = class_of(factor, r) {
            if x.is_finite() {
                vals[i].push(x);
            }
        }
    }
    names
        .iter()
        .zip(vals)
        .map(|(n, values)| ClassValues {
            label: n.to_string(),
            values,
        })
        .collect()
}

/// The bands of `factor` over a grid of `points` values.
pub fn factor_bands(
    scored: &[Scored],
    factor: Factor,
    family: Family,
    labels: LabelSource,
    points: usize,
) -> Result<Bands, BandError> {
    let cv = class_values(scored, factor, labels);
    let grid = bands::grid_for(&cv, points, factor.log_axis());
    bands::compute(&cv, family, factor.log_axis(), &grid)
}
