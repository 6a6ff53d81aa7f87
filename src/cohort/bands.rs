//! FT and FP response-probability bands from a scored cohort ([L] Fig. 5D
//! and 6D; MODELS.md §1): which classes, which density family, which axis.

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
    /// The family fitted by default, and why: FT is a product and ratio of
    /// positive rates, so its logarithm is a sum of roughly independent
    /// terms and FT is close to log-normal; FP is already a logarithm (of
    /// peak × AUC7), so it is close to normal.
    pub fn default_family(self) -> Family {
        match self {
            Factor::Ft => Family::Lognormal,
            Factor::Fp => Family::Normal,
        }
    }
    /// True when the axis (and a KDE) works on log values.
    pub fn log_axis(self) -> bool {
        self == Factor::Ft
    }
}

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
