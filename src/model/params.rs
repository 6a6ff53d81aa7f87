//! Parameters described once — name, unit, meaning, range, slider scale,
//! source — and used everywhere: validation, CLI `--set`, URL keys, UI
//! controls, CSV headers and docs.

use std::fmt;

/// How a slider moves through a parameter's range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Scale {
    /// Evenly in the value.
    Linear,
    /// Evenly in log10 of the value.
    Log,
}

/// One parameter or initial value of a model.
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct ParamSpec {
    /// ASCII name, exactly as in MODELS.md (`rTA`, `alpha`, `nP0`, `B0`, …).
    pub name: &'static str,
    /// Display symbol (e.g. `ρC`, `r_TA`).
    pub symbol: &'static str,
    /// Unit, e.g. `1/day`, `10^9 cells`, `cells`.
    pub unit: &'static str,
    /// One line on what it means.
    pub meaning: &'static str,
    /// Smallest accepted value (inclusive).
    pub min: f64,
    /// Largest accepted value (inclusive).
    pub max: f64,
    /// Slider scale.
    pub scale: Scale,
    /// Where the value comes from (e.g. "Table 1 of [L]").
    pub source: &'static str,
}

/// Why a parameter assignment was refused.
#[derive(Debug, Clone, PartialEq)]
pub enum ParamError {
    /// No parameter of that name in this model.
    Unknown {
        /// The name given.
        name: String,
        /// The names the model has, for the message.
        known: Vec<&'static str>,
    },
    /// The value is not a number.
    Malformed {
        /// Parameter name.
        name: String,
        /// The text given.
        text: String,
    },
    /// The value is outside the allowed range.
    OutOfRange {
        /// Parameter name.
        name: String,
        /// The value given.
        value: f64,
        /// Allowed minimum.
        min: f64,
        /// Allowed maximum.
        max: f64,
    },
}

impl ParamError {
    /// The parameter (or key) the error is about.
    pub fn name(&self) -> &str {
        match self {
            ParamError::Unknown { name, .. }
            | ParamError::Malformed { name, .. }
            | ParamError::OutOfRange { name, .. } => name,
        }
    }
}

impl fmt::Display for ParamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParamError::Unknown { name, known } => write!(
                f,
                "unknown parameter '{name}'; known parameters: {}",
                known.join(", ")
            ),
            ParamError::Malformed { name, text } => {
                write!(f, "parameter '{name}': '{text}' is not a number")
            }
            ParamError::OutOfRange {
                name,
                value,
                min,
                max,
            } => write!(
                f,
                "parameter '{name}' = {value} is out of range; allowed: {min} to {max}"
            ),
        }
    }
}

impl std::error::Error for ParamError {}

impl ParamSpec {
    /// Check a value against the range.
    pub fn check(&self, value: f64) -> Result<f64, ParamError> {
        if value.is_finite() && value >= self.min && value <= self.max {
            Ok(value)
        } else {
            Err(ParamError::OutOfRange {
                name: self.name.to_string(),
                value,
                min: self.min,
                max: self.max,
            })
        }
    }

    /// Parse and check a value given as text.
    pub fn parse(&self, text: &str) -> Result<f64, ParamError> {
        let v: f64 = text.trim().parse().map_err(|_| ParamError::Malformed {
            name: self.name.to_string(),
            text: text.to_string(),
        })?;
        if !v.is_finite() {
            return Err(ParamError::Malformed {
                name: self.name.to_string(),
                text: text.to_string(),
            });
        }
        self.check(v)
    }
}

/// Index of the parameter called `name`, or an `Unknown` error.
pub fn find(specs: &[ParamSpec], name: &str) -> Result<usize, ParamError> {
    specs
        .iter()
        .position(|p| p.name == name)
        .ok_or_else(|| ParamError::Unknown {
            name: name.to_string(),
            known: specs.iter().map(|p| p.name).collect(),
        })
}

/// Parse `NAME=VALUE` against `specs`, returning the index and checked value.
pub fn parse_assignment(specs: &[ParamSpec], text: &str) -> Result<(usize, f64), ParamError> {
    let (name, value) = text.split_once('=').ok_or_else(|| ParamError::Malformed {
        name: text.to_string(),
        text: "(expected NAME=VALUE)".to_string(),
    })?;
    let i = find(specs, name.trim())?;
    Ok((i, specs[i].parse(value)?))
}

#[cfg(test)]
mod tests {
    use super::*;
    const SPECS: [ParamSpec; 1] = [ParamSpec {
        name: "rTA",
        symbol: "r_TA",
        unit: "1/day",
        meaning: "growth",
        min: 0.0,
        max: 10.0,
        scale: Scale::Log,
        source: "test",
    }];

    #[test]
    fn assignment_errors_name_the_parameter() {
        assert_eq!(parse_assignment(&SPECS, "rTA=1.5").unwrap(), (0, 1.5));
        let e = parse_assignment(&SPECS, "rTA=abc").unwrap_err();
        assert!(matches!(e, ParamError::Malformed { .. }) && e.to_string().contains("rTA"));
        let e = parse_assignment(&SPECS, "rTA=-1").unwrap_err();
        assert!(e.to_string().contains("rTA") && e.to_string().contains("0 to 10"));
        assert!(matches!(
            parse_assignment(&SPECS, "x=1"),
            Err(ParamError::Unknown { .. })
        ));
        assert!(matches!(
            parse_assignment(&SPECS, "rTA=NaN"),
            Err(ParamError::Malformed { .. })
        ));
        assert!(matches!(
            parse_assignment(&SPECS, "rTA=inf"),
            Err(ParamError::Malformed { .. })
        ));
    }
}
