//! Simulated measurements: a model's course sampled as a clinic would
//! (chosen columns on chosen days, in the data's units), with seeded
//! log-normal noise and detection limits. The examples in `examples/data/`
//! and the fit's coverage tests are made with it.

use super::{Dataset, Point, Series};
use crate::cohort::rng::{log_sigma, Stream};
use crate::math::exp;
use crate::model::{ModelError, ModelId, Sampling, SimRequest};

/// One column to sample.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    /// The data column (one of the model's observables, e.g. `car_t`).
    pub name: String,
    /// Days it is measured on.
    pub days: Vec<f64>,
    /// Detection limit in the data's unit: a value below it is written `<limit`.
    pub limit: Option<f64>,
}

/// A course of `model` (`preset` with `sets`) sampled by `samples`, CAR T
/// in `unit`, each value multiplied by log-normal noise exp(σz) of
/// coefficient of variation `cv` (σ² = ln(1 + cv²); the course is the
/// median, as the fit assumes), z drawn from `seed`'s stream in column
/// order, then rounded to 4 significant digits as a report would be. A
/// value below its detection limit (or exactly 0 without one: a tumour
/// that is extinct) is written `<limit` (or left out).
pub fn simulate(
    model: ModelId,
    preset: &str,
    sets: &[(String, String)],
    unit: &str,
    samples: &[Sample],
    cv: f64,
    seed: u64,
) -> Result<Dataset, ModelError> {
    let known = model.observables(preset, unit)?;
    let mut days: Vec<f64> = samples.iter().flat_map(|s| s.days.clone()).collect();
    days.sort_by(f64::total_cmp);
    days.dedup();
    let table = model.simulate(&SimRequest {
        preset: preset.to_string(),
        sets: sets.to_vec(),
        t_end: Some(days.last().copied().unwrap_or(0.0).max(1.0)),
        settings: crate::solver::Settings::dopri5(1e-10, 1e-14),
        sampling: Sampling::Times(days.clone()),
    })?;
    let mut stream = Stream::new(seed);
    let mut series = Vec::with_capacity(samples.len());
    for s in samples {
        let o = known
            .iter()
            .find(|o| o.name == s.name)
            .ok_or_else(|| ModelError::Invalid(format!("the model has no column {}", s.name)))?;
        let j = table
            .col(&o.column)
            .ok_or_else(|| ModelError::Invalid(format!("the course has no column {}", o.column)))?;
        let mut points = Vec::with_capacity(s.days.len());
        for &d in &s.days {
            let row = (0..table.n_rows())
                .find(|&i| table.row(i)[0] == d)
                .ok_or_else(|| ModelError::Invalid(format!("no course value on day {d}")))?;
            let z = stream.standard_normal();
            let v = round4(table.row(row)[j] / o.scale * exp(log_sigma(cv) * z));
            let point = |value, censored| Point {
                day: d,
                value,
                censored,
                line: 0,
            };
            match s.limit {
                Some(l) if v < l => points.push(point(l, true)),
                _ if v > 0.0 => points.push(point(v, false)),
                _ => {}
            }
        }
        series.push(Series {
            name: s.name.clone(),
            points,
        });
    }
    Ok(Dataset {
        series,
        header_line: 0,
    })
}

/// `v` rounded to 4 significant digits.
pub fn round4(v: f64) -> f64 {
    format!("{v:.3e}").parse().unwrap_or(v)
}
