//! What a study measures: a model output computed through the [`Model`]
//! interface (a course metric, a class indicator, or a state at a day), or
//! a test function. Nothing here asks which model it is.

use super::functions::TestFunction;
use super::SensitivityError;
use crate::model::{ModelError, ModelId, Sampling, SimRequest};

/// The output of a model course that a study analyses.
#[derive(Debug, Clone, PartialEq)]
pub enum Output {
    /// A value of the course's metrics record (`cartsim metrics` keys):
    /// numbers as they are, yes/no as 1/0, a day that never happens as the
    /// horizon.
    Record(String),
    /// 1 when the course's class is this label, else 0 (its mean is the
    /// probability of the class).
    Class(String),
    /// A table column at a day (`B@28`, `tumor_burden_pct@90`).
    State {
        /// Column name.
        column: String,
        /// Day.
        day: f64,
    },
}

impl Output {
    /// Parse `KEY`, `class=LABEL` or `COLUMN@DAY`.
    pub fn parse(text: &str) -> Result<Output, SensitivityError> {
        let text = text.trim();
        if let Some(label) = text.strip_prefix("class=") {
            return Ok(Output::Class(label.to_string()));
        }
        if let Some((col, day)) = text.split_once('@') {
            let day: f64 = day.trim().parse().map_err(|_| {
                SensitivityError::Invalid(format!(
                    "output '{text}': '{day}' is not a day (expected COLUMN@DAY)"
                ))
            })?;
            if !(day.is_finite() && day >= 0.0) {
                return Err(SensitivityError::Invalid(format!(
                    "output '{text}': the day must be ≥ 0"
                )));
            }
            return Ok(Output::State {
                column: col.trim().to_string(),
                day,
            });
        }
        if text.is_empty() {
            return Err(SensitivityError::Invalid("the output name is empty".into()));
        }
        Ok(Output::Record(text.to_string()))
    }
}

/// Something a study can evaluate at a parameter point.
pub trait Target: Clone + Send + Sync {
    /// The output at the input values `x` (in the design's input order).
    /// A solve that fails gives `Ok(NaN)` (the row is dropped and counted);
    /// an error is a problem with the study itself.
    fn eval(&mut self, x: &[f64]) -> Result<f64, SensitivityError>;
}

impl Target for TestFunction {
    fn eval(&mut self, x: &[f64]) -> Result<f64, SensitivityError> {
        Ok(TestFunction::eval(*self, x))
    }
}

/// A model output at parameter points around a base request.
#[derive(Debug, Clone)]
pub struct ModelTarget {
    model: ModelId,
    base: SimRequest,
    names: Vec<String>,
    output: Output,
    /// The value given to a day that never happens (the horizon).
    pub horizon: f64,
    /// True when the output is a day (a day that never happens is written
    /// as the horizon).
    pub is_day: bool,
}

impl ModelTarget {
    /// A target for `output` of `model`, with the inputs `names` set on top of
    /// `base` at each point. Solves the base once to check the output exists.
    pub fn new(
        model: ModelId,
        base: &SimRequest,
        names: Vec<String>,
        output: Output,
    ) -> Result<ModelTarget, SensitivityError> {
        let horizon = base
            .t_end
            .unwrap_or_else(|| model.default_t_end(&base.preset));
        if let Output::State { day, .. } = &output {
            if *day > horizon {
                return Err(SensitivityError::Invalid(format!(
                    "output day {day} is after the horizon ({horizon} days)"
                )));
            }
        }
        let mut t = ModelTarget {
            model,
            base: base.clone(),
            names,
            output,
            horizon,
            is_day: false,
        };
        t.base.sampling = Sampling::Times(Vec::new());
        let (nominal, is_day) = t.evaluate(&[], true)?;
        t.is_day = is_day;
        if !nominal.is_finite() {
            return Err(SensitivityError::Invalid(
                "the scenario's own course failed to solve".into(),
            ));
        }
        Ok(t)
    }

    /// The output of the course with `x` set on the base (`x` may be
    /// shorter than the names: the rest keep their base values).
    /// Also says whether the output is a day.
    fn evaluate(&self, x: &[f64], check: bool) -> Result<(f64, bool), SensitivityError> {
        let mut is_day = false;
        let y = self.value(x, check, &mut is_day)?;
        Ok((y, is_day))
    }

    fn value(&self, x: &[f64], check: bool, is_day: &mut bool) -> Result<f64, SensitivityError> {
        let mut req = self.base.clone();
        for (name, v) in self.names.iter().zip(x) {
            req.sets.push((name.clone(), format!("{v}")));
        }
        if let Output::State { day, .. } = &self.output {
            req.sampling = Sampling::Times(vec![*day]);
        }
        let course = match self.model.course(&req) {
            Ok(c) => c,
            Err(e) if !e.is_bad_input() => return Ok(f64::NAN),
            Err(e) => return Err(SensitivityError::Model(e)),
        };
        match &self.output {
            Output::State { column, .. } => {
                let Some(c) = course.table.columns.iter().position(|n| n == column) else {
                    return Err(SensitivityError::Invalid(format!(
                        "no column '{column}' in the course; columns: {}",
                        course.table.columns[1..].join(", ")
                    )));
                };
                Ok(if course.table.n_rows() > 0 {
                    course.table.row(0)[c]
                } else {
                    f64::NAN
                })
            }
            Output::Record(key) => {
                let Some(m) = course.metrics else {
                    return Err(SensitivityError::Invalid(
                        "the course is too short to score".into(),
                    ));
                };
                *is_day = m.indices().iter().any(|i| {
                    i.key == key.as_str() && matches!(i.value, crate::model::IndexValue::Day(_))
                });
                let rec = m.record();
                let known = || rec.iter().map(|(k, _)| *k).collect::<Vec<_>>().join(", ");
                let Some((_, v)) = rec.iter().find(|(k, _)| k == key) else {
                    return Err(SensitivityError::Invalid(format!(
                        "unknown output '{key}'; outputs: {}, class=LABEL, COLUMN@DAY",
                        known()
                    )));
                };
                match v {
                    serde_json::Value::Number(n) => Ok(n.as_f64().unwrap_or(f64::NAN)),
                    serde_json::Value::Null => Ok(self.horizon),
                    serde_json::Value::Bool(b) => Ok(if *b { 1.0 } else { 0.0 }),
                    _ if check => Err(SensitivityError::Invalid(format!(
                        "output '{key}' is a word; analyse a class with class=LABEL (e.g. class={})",
                        v.as_str().unwrap_or("")
                    ))),
                    _ => Ok(f64::NAN),
                }
            }
            Output::Class(label) => {
                let Some(m) = course.metrics else {
                    return Err(SensitivityError::Invalid(
                        "the course is too short to score".into(),
                    ));
                };
                Ok(match m.class() {
                    Some(c) if c.label == label => 1.0,
                    Some(_) => 0.0,
                    None => {
                        return Err(SensitivityError::Invalid(
                            "this model has no response classes".into(),
                        ))
                    }
                })
            }
        }
    }
}

impl Target for ModelTarget {
    fn eval(&mut self, x: &[f64]) -> Result<f64, SensitivityError> {
        self.evaluate(x, false).map(|(y, _)| y)
    }
}

/// Turn a model error into a study error.
impl From<ModelError> for SensitivityError {
    fn from(e: ModelError) -> Self {
        SensitivityError::Model(e)
    }
}
