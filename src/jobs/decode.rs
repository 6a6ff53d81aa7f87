//! The page's half of a job: decoding the bytes a worker sent back into
//! the science crate's own types (predictions, scored patients, posterior
//! probabilities, sweep outcomes).

use super::wire::{self, Reader, WireError};
use super::{trial_patient, TrialSpec};
use crate::cohort::Scored;
use crate::model::ModelError;
use crate::predict::bayes::{self, Posterior};
use crate::sweep::marrow::Metrics as SweepMetrics;

fn get_array<const N: usize>(r: &mut Reader) -> Result<[f64; N], WireError> {
    let mut a = [0.0; N];
    for x in a.iter_mut() {
        *x = r.f64()?;
    }
    Ok(a)
}

fn get_posterior(r: &mut Reader) -> Result<Posterior, WireError> {
    let cohort = get_array::<4>(r)?;
    let group = get_array::<3>(r)?;
    let class = get_array::<4>(r)?;
    let class_group = get_array::<3>(r)?;
    let ess = r.f64()?;
    let mut band = || -> Result<bayes::Band, WireError> {
        Ok(bayes::Band {
            t: r.f64s()?,
            lo: r.f64s()?,
            median: r.f64s()?,
            hi: r.f64s()?,
        })
    };
    let tumor_burden = band()?;
    let car_t = band()?;
    Ok(Posterior {
        cohort,
        group,
        class,
        class_group,
        ess,
        tumor_burden,
        car_t,
    })
}

/// The paper's forecast for the form: the fitted course and its metrics.
#[derive(Debug, Clone, PartialEq)]
pub struct PaperForecast {
    /// Metrics of the forecast course (its class is the prediction).
    pub metrics: crate::analysis::metrics::Metrics,
    /// Fitted rTA, e, kA, lTA.
    pub fitted: [f64; 4],
    /// Days of the forecast.
    pub days: Vec<f64>,
    /// CAR T total (10^9 cells) on those days.
    pub car_t: Vec<f64>,
}

/// Both methods' answers for one observation (each may have failed).
#[derive(Debug, Clone, PartialEq)]
pub struct Prediction {
    /// The paper's method.
    pub paper: Result<PaperForecast, String>,
    /// The Bayesian method.
    pub bayes: Result<Posterior, String>,
}

/// Decode the result of [`Task::Predict`].
pub fn decode_prediction(bytes: &[u8]) -> Result<Prediction, WireError> {
    let mut r = Reader::new(bytes);
    let paper = match r.u8()? {
        0 => Err(r.str()?),
        _ => {
            let metrics = wire::get_metrics(&mut r)?;
            let fitted = get_array::<4>(&mut r)?;
            Ok(PaperForecast {
                metrics,
                fitted,
                days: r.f64s()?,
                car_t: r.f64s()?,
            })
        }
    };
    let bayes = match r.u8()? {
        0 => Err(r.str()?),
        _ => Ok(get_posterior(&mut r)?),
    };
    Ok(Prediction { paper, bayes })
}

/// Decode [`Task::Score`] results for patients `start..`: the scored
/// patients (parameters redrawn from their seeds, which is cheap).
pub fn decode_scored(
    trial: &TrialSpec,
    start: usize,
    bytes: &[u8],
) -> Result<Vec<Scored>, WireError> {
    let mut r = Reader::new(bytes);
    let mut out = Vec::new();
    while !r.at_end() {
        out.push(Scored {
            patient: trial_patient(trial, start + out.len()),
            metrics: wire::get_metrics(&mut r)?,
        });
    }
    Ok(out)
}

/// Decode [`Task::Paper`] results: a group per patient (`None` = failed fit).
pub fn decode_paper(bytes: &[u8]) -> Vec<Option<usize>> {
    bytes
        .iter()
        .map(|&g| (g < 3).then_some(g as usize))
        .collect()
}

/// Decode [`Task::Posterior`] results: group probabilities per patient.
pub fn decode_probs(bytes: &[u8]) -> Result<Vec<[f64; 3]>, WireError> {
    if !bytes.len().is_multiple_of(24) {
        return Err("job result: bad posterior length".into());
    }
    let mut r = Reader::new(bytes);
    (0..bytes.len() / 24)
        .map(|_| get_array::<3>(&mut r))
        .collect()
}

/// Decode [`Task::Sweep`] results: one outcome per grid point.
pub fn decode_sweep(bytes: &[u8]) -> Result<Vec<Result<SweepMetrics, ModelError>>, WireError> {
    let mut r = Reader::new(bytes);
    let mut out = Vec::new();
    while !r.at_end() {
        out.push(wire::get_sweep(&mut r)?);
    }
    Ok(out)
}

/// Decode a [`super::Task::SensitivityIndices`] result: the indices and
/// how many base samples or trajectories were dropped.
pub fn decode_indices(bytes: &[u8]) -> Result<(crate::sensitivity::Indices, usize), WireError> {
    let mut r = Reader::new(bytes);
    let out = wire::get_indices(&mut r)?;
    if !r.at_end() {
        return Err("job result: bytes after the indices".into());
    }
    Ok(out)
}

/// Decode [`super::Task::Sensitivity`] results: one output per design row
/// (exact f64 bits), in row order.
pub fn decode_rows(bytes: &[u8]) -> Result<Vec<f64>, WireError> {
    let mut r = Reader::new(bytes);
    let mut out = Vec::new();
    while !r.at_end() {
        out.extend(r.f64s()?);
    }
    Ok(out)
}
