//! A patient's measurements: the CSV a user loads (a `day` column and one
//! or more observed columns; an empty cell is "not measured"; `<X` is a
//! value below a detection limit X, a censored observation), parsed into a
//! [`Dataset`], and bound to a model's course through the
//! [`crate::model::Model`] interface ([`Dataset::bind`]: each column to a
//! table column and a unit factor). Every bad file is one [`DataError`]
//! naming the line and the column. Portable: the CLI and the page share it.

pub mod examples;
pub mod synth;

use crate::model::{ModelError, ModelId, Observable};
use std::fmt;

/// Largest file accepted, bytes.
pub const MAX_BYTES: usize = 1_000_000;
/// Most data rows accepted.
pub const MAX_ROWS: usize = 5_000;
/// Largest value accepted (in any unit).
pub const MAX_VALUE: f64 = 1e15;
/// Most measurements a link carries (more: the scenario file only).
pub const MAX_LINK_POINTS: usize = 30;
/// Latest day accepted.
pub const MAX_DAY: f64 = 36_500.0;

/// One measurement.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Point {
    /// Day of the measurement.
    pub day: f64,
    /// The value, or the detection limit when `censored`.
    pub value: f64,
    /// True for `<X`: the quantity was below `value` (not measured as `value`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub censored: bool,
    /// The file's line it came from (1-based; 0 when not from a file).
    #[serde(default, skip_serializing)]
    pub line: usize,
}

/// One observed column of a data file.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Series {
    /// Column name, as in the header.
    pub name: String,
    /// Its measurements, days increasing.
    pub points: Vec<Point>,
}

/// A data file: its observed columns, in header order.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct Dataset {
    /// The observed columns.
    pub series: Vec<Series>,
    /// The header's line (for messages about a column).
    #[serde(default, skip_serializing)]
    pub header_line: usize,
}

/// What is wrong with a data file.
#[derive(Debug, Clone, PartialEq)]
pub enum DataErrorKind {
    /// The file is larger than [`MAX_BYTES`].
    TooLarge {
        /// Its size, bytes.
        bytes: usize,
    },
    /// More than [`MAX_ROWS`] data rows.
    TooManyRows,
    /// No header line (the file is empty or only comments).
    NoHeader,
    /// The header does not start with `day`.
    NoDayColumn {
        /// What the first header cell is.
        found: String,
    },
    /// The header has only `day`.
    NoObservedColumn,
    /// A header cell is empty.
    EmptyName,
    /// A column name appears twice.
    DuplicateColumn,
    /// A row has more cells than the header.
    TooManyCells {
        /// Cells in the row.
        cells: usize,
        /// Cells in the header.
        header: usize,
    },
    /// A cell is not a number (or `<` and a number).
    NotANumber {
        /// The cell's text.
        text: String,
    },
    /// A negative value.
    Negative {
        /// The value.
        value: f64,
    },
    /// A measured 0 (cannot be compared on a log scale).
    Zero,
    /// A value beyond [`MAX_VALUE`] (or a day beyond [`MAX_DAY`]).
    TooBig {
        /// The cell's text.
        text: String,
        /// The largest value accepted.
        max: f64,
    },
    /// A row without a day.
    MissingDay,
    /// A day not after the previous row's.
    DaysNotIncreasing {
        /// This row's day.
        day: f64,
        /// The previous row's day.
        previous: f64,
    },
    /// A day written as censored.
    CensoredDay,
    /// No row has a measurement.
    NoDataRows,
    /// The model has no such column.
    UnknownColumn {
        /// The columns the model can compare.
        known: Vec<String>,
    },
    /// The model cannot use the measurements' unit.
    Unit {
        /// The unit asked for.
        unit: String,
        /// The units the model takes.
        allowed: Vec<&'static str>,
    },
}

/// A bad data file: what is wrong, on which line, in which column.
#[derive(Debug, Clone, PartialEq)]
pub struct DataError {
    /// 1-based line of the file (0: the file as a whole).
    pub line: usize,
    /// The column, when the problem is in one.
    pub column: Option<String>,
    /// What is wrong.
    pub kind: DataErrorKind,
}

impl fmt::Display for DataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line > 0 {
            write!(f, "line {}", self.line)?;
            if let Some(c) = &self.column {
                write!(f, ", column {c}")?;
            }
            f.write_str(": ")?;
        }
        use DataErrorKind as K;
        match &self.kind {
            K::TooLarge { bytes } => write!(
                f,
                "the data file has {bytes} bytes; at most {MAX_BYTES} are accepted"
            ),
            K::TooManyRows => write!(
                f,
                "more than {MAX_ROWS} data rows; thin the data or split the file"
            ),
            K::NoHeader => f.write_str("the data file has no header line (day,…)"),
            K::NoDayColumn { found } => write!(
                f,
                "the header must start with 'day', found '{}'",
                clip(found)
            ),
            K::NoObservedColumn => {
                f.write_str("the header has no observed column after 'day'")
            }
            K::EmptyName => f.write_str("a column of the header has no name"),
            K::DuplicateColumn => f.write_str("this column appears twice in the header"),
            K::TooManyCells { cells, header } => write!(
                f,
                "{cells} cells, but the header has {header} columns"
            ),
            K::NotANumber { text } => write!(
                f,
                "'{}' is not a number (write a value below a detection limit as <LIMIT)",
                clip(text)
            ),
            K::Negative { value } => write!(f, "{value} is negative"),
            K::Zero => f.write_str(
                "0 cannot be compared on a log scale; write a value below a detection limit as <LIMIT",
            ),
            K::TooBig { text, max } => {
                write!(f, "'{}' is too large (at most {max:e})", clip(text))
            }
            K::MissingDay => f.write_str("the row has no day"),
            K::DaysNotIncreasing { day, previous } => write!(
                f,
                "day {day} does not come after day {previous}: days must increase"
            ),
            K::CensoredDay => f.write_str("a day cannot be written as <X"),
            K::NoDataRows => f.write_str("the file has no measurements"),
            K::UnknownColumn { known } => write!(
                f,
                "the model has no such column; known: {}",
                known.join(", ")
            ),
            K::Unit { unit, allowed } => write!(
                f,
                "the model cannot use CAR T measurements in '{}'; it takes {}",
                clip(unit),
                allowed.join(", ")
            ),
        }
    }
}

impl std::error::Error for DataError {}

/// Text from a file, shortened for a message.
fn clip(s: &str) -> String {
    let mut out: String = s.chars().take(40).collect();
    if s.chars().count() > 40 {
        out.push('…');
    }
    out
}

impl Dataset {
    /// Parse a CSV data file. Lines that are blank or start with `#` are
    /// skipped (comments: a label such as "simulated data"); the first
    /// other line is the header.
    pub fn parse(text: &str) -> Result<Dataset, DataError> {
        let err = |line, column: Option<&str>, kind| DataError {
            line,
            column: column.map(String::from),
            kind,
        };
        if text.len() > MAX_BYTES {
            return Err(err(0, None, DataErrorKind::TooLarge { bytes: text.len() }));
        }
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut lines = text
            .split('\n')
            .enumerate()
            .map(|(i, l)| (i + 1, l.trim_end_matches('\r')))
            .filter(|(_, l)| !l.trim().is_empty() && !l.trim_start().starts_with('#'));
        let (header_line, header) = lines
            .next()
            .ok_or_else(|| err(0, None, DataErrorKind::NoHeader))?;
        let names: Vec<&str> = header.split(',').map(str::trim).collect();
        if names[0] != "day" {
            return Err(err(
                header_line,
                None,
                DataErrorKind::NoDayColumn {
                    found: names[0].to_string(),
                },
            ));
        }
        if names.len() < 2 {
            return Err(err(header_line, None, DataErrorKind::NoObservedColumn));
        }
        for (k, n) in names.iter().enumerate().skip(1) {
            if n.is_empty() {
                return Err(err(header_line, None, DataErrorKind::EmptyName));
            }
            if names[..k].contains(n) {
                return Err(err(header_line, Some(n), DataErrorKind::DuplicateColumn));
            }
        }
        let mut series: Vec<Series> = names[1..]
            .iter()
            .map(|n| Series {
                name: n.to_string(),
                points: Vec::new(),
            })
            .collect();
        let mut rows = 0;
        let mut previous: Option<f64> = None;
        let mut last_line = header_line;
        for (line, row) in lines {
            last_line = line;
            rows += 1;
            if rows > MAX_ROWS {
                return Err(err(line, None, DataErrorKind::TooManyRows));
            }
            let cells: Vec<&str> = row.split(',').map(str::trim).collect();
            if cells.len() > names.len() {
                return Err(err(
                    line,
                    None,
                    DataErrorKind::TooManyCells {
                        cells: cells.len(),
                        header: names.len(),
                    },
                ));
            }
            let day = match cells[0] {
                "" => return Err(err(line, Some("day"), DataErrorKind::MissingDay)),
                c if c.starts_with('<') => {
                    return Err(err(line, Some("day"), DataErrorKind::CensoredDay))
                }
                c => number(c, MAX_DAY, true).map_err(|k| err(line, Some("day"), k))?,
            };
            if let Some(p) = previous {
                if day <= p {
                    return Err(err(
                        line,
                        Some("day"),
                        DataErrorKind::DaysNotIncreasing { day, previous: p },
                    ));
                }
            }
            previous = Some(day);
            for (k, cell) in cells.iter().enumerate().skip(1) {
                if cell.is_empty() {
                    continue;
                }
                let (text, censored) = match cell.strip_prefix('<') {
                    Some(rest) => (rest.trim(), true),
                    None => (*cell, false),
                };
                let value =
                    number(text, MAX_VALUE, false).map_err(|e| err(line, Some(names[k]), e))?;
                series[k - 1].points.push(Point {
                    day,
                    value,
                    censored,
                    line,
                });
            }
        }
        if series.iter().all(|s| s.points.is_empty()) {
            return Err(err(last_line, None, DataErrorKind::NoDataRows));
        }
        Ok(Dataset {
            series,
            header_line,
        })
    }

    /// Number of measurements (censored ones included).
    pub fn len(&self) -> usize {
        self.series.iter().map(|s| s.points.len()).sum()
    }

    /// True when there is no measurement.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Bind the columns to a course of `model`'s `preset`, CAR T
    /// measurements being in `unit`: each column must be one the model
    /// can compare ([`crate::model::Model::observables`]).
    pub fn bind(&self, model: ModelId, preset: &str, unit: &str) -> Result<Observed, BindError> {
        let first = self.series.first().map(|s| s.name.clone());
        if !model.data_units().contains(&unit) {
            return Err(BindError::Data(DataError {
                line: self.header_line,
                column: first,
                kind: DataErrorKind::Unit {
                    unit: unit.to_string(),
                    allowed: model.data_units().to_vec(),
                },
            }));
        }
        let known = model.observables(preset, unit).map_err(BindError::Model)?;
        let series = self
            .series
            .iter()
            .map(|s| {
                let o = known.iter().find(|o| o.name == s.name).ok_or_else(|| {
                    BindError::Data(DataError {
                        line: self.header_line,
                        column: Some(s.name.clone()),
                        kind: DataErrorKind::UnknownColumn {
                            known: known.iter().map(|o| o.name.clone()).collect(),
                        },
                    })
                })?;
                Ok(ObservedSeries {
                    observable: o.clone(),
                    points: s.points.clone(),
                })
            })
            .collect::<Result<Vec<_>, BindError>>()?;
        Ok(Observed {
            series: series
                .into_iter()
                .filter(|s| !s.points.is_empty())
                .collect(),
        })
    }
}

impl Dataset {
    /// The data as a CSV file: `# comment` lines, the header `day,…`, one
    /// row per day (empty cells: not measured; `<X`: censored).
    pub fn to_csv(&self, comments: &[&str]) -> String {
        self.text(comments, '\n')
    }

    /// The data as a link value (the `data` key): the CSV without comments,
    /// rows separated by `;`; `None` past [`MAX_LINK_POINTS`] measurements
    /// (longer data travel in the scenario file only).
    pub fn to_link(&self) -> Option<String> {
        (self.len() <= MAX_LINK_POINTS).then(|| {
            let mut s = self.text(&[], ';');
            s.pop();
            s
        })
    }

    /// Read a link's `data` value back (the same checks as a file; "line"
    /// in a message counts the `;`-separated rows, the header first).
    pub fn from_link(text: &str) -> Result<Dataset, DataError> {
        Dataset::parse(&text.replace(';', "\n"))
    }

    fn text(&self, comments: &[&str], newline: char) -> String {
        let mut out = String::new();
        for c in comments {
            out.push_str(&format!("# {c}{newline}"));
        }
        out.push_str("day");
        for s in &self.series {
            out.push(',');
            out.push_str(&s.name);
        }
        out.push(newline);
        let mut days: Vec<f64> = self
            .series
            .iter()
            .flat_map(|s| s.points.iter().map(|p| p.day))
            .collect();
        days.sort_by(f64::total_cmp);
        days.dedup();
        for d in days {
            out.push_str(&format!("{d}"));
            for s in &self.series {
                out.push(',');
                if let Some(p) = s.points.iter().find(|p| p.day == d) {
                    if p.censored {
                        out.push('<');
                    }
                    out.push_str(&format!("{}", p.value));
                }
            }
            out.push(newline);
        }
        out
    }
}

/// The link key that carries data ([`PatientData::link_value`]).
pub const LINK_KEY: &str = "data";

/// A patient's data as a scenario carries it: the measurements and the
/// unit of their CAR T column (one of [`crate::model::Model::data_units`]).
///
/// In a link (`data=` key, at most [`MAX_LINK_POINTS`] measurements) it is
/// the CSV without comments, rows separated by `;`, the unit in front
/// followed by `:` when it is not the model's first:
/// `data=blood-per-ul:day,car_t,tumor_burden_pct;1,12.5,;28,3.1,<0.01`.
/// Written with [`link_escape`], only `<` (censored values) and characters
/// outside `A–Z a–z 0–9 - . _ ~ , ; :` are percent-encoded, so the value
/// stays readable. In a scenario file it is
/// `"data": {"unit": "blood-per-ul", "csv": "day,car_t\n1,12.5\n…"}`.
#[derive(Debug, Clone, PartialEq)]
pub struct PatientData {
    /// The measurements.
    pub dataset: Dataset,
    /// Unit of the `car_t` column.
    pub unit: String,
}

impl PatientData {
    /// Parse a CSV file's text, its CAR T column in `unit` (checked
    /// against `model`'s data units).
    pub fn parse(text: &str, unit: &str, model: ModelId) -> Result<PatientData, DataError> {
        let dataset = Dataset::parse(text)?;
        check_unit(&dataset, unit, model)?;
        Ok(PatientData {
            dataset,
            unit: unit.to_string(),
        })
    }

    /// Bind to a course of `model`'s `preset` ([`Dataset::bind`]).
    pub fn bind(&self, model: ModelId, preset: &str) -> Result<Observed, BindError> {
        self.dataset.bind(model, preset, &self.unit)
    }

    /// The link value (unescaped), `None` past [`MAX_LINK_POINTS`]
    /// measurements: longer data travel in the scenario file only.
    pub fn link_value(&self, model: ModelId) -> Option<String> {
        let csv = self.dataset.to_link()?;
        Some(if model.data_units().first() == Some(&self.unit.as_str()) {
            csv
        } else {
            format!("{}:{csv}", self.unit)
        })
    }

    /// `&data=…` for a link, escaped with [`link_escape`] (empty when the
    /// data are too long for a link).
    pub fn link_suffix(&self, model: ModelId) -> String {
        self.link_value(model)
            .map(|v| format!("&{LINK_KEY}={}", link_escape(&v)))
            .unwrap_or_default()
    }

    /// Read a link's `data` value (already percent-decoded).
    pub fn from_link(text: &str, model: ModelId) -> Result<PatientData, DataError> {
        let default = model.data_units().first().copied().unwrap_or("cells");
        let (unit, csv) = match text.split_once(':') {
            Some((u, rest)) if !u.contains(',') && !u.contains(';') => (u, rest),
            _ => (default, text),
        };
        let dataset = Dataset::from_link(csv)?;
        check_unit(&dataset, unit, model)?;
        Ok(PatientData {
            dataset,
            unit: unit.to_string(),
        })
    }

    /// The scenario file's `data` object: `{"unit": …, "csv": …}`.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({"unit": self.unit, "csv": self.dataset.to_csv(&[])})
    }

    /// Read a scenario file's `data` object.
    pub fn from_json(v: &serde_json::Value, model: ModelId) -> Result<PatientData, DataError> {
        let csv = v.get("csv").and_then(serde_json::Value::as_str);
        let Some(csv) = csv else {
            return Err(DataError {
                line: 0,
                column: None,
                kind: DataErrorKind::NoHeader,
            });
        };
        let unit = v
            .get("unit")
            .and_then(serde_json::Value::as_str)
            .or(model.data_units().first().copied())
            .unwrap_or("cells");
        PatientData::parse(csv, unit, model)
    }
}

fn check_unit(dataset: &Dataset, unit: &str, model: ModelId) -> Result<(), DataError> {
    if model.data_units().contains(&unit) {
        return Ok(());
    }
    Err(DataError {
        line: dataset.header_line,
        column: dataset.series.first().map(|s| s.name.clone()),
        kind: DataErrorKind::Unit {
            unit: unit.to_string(),
            allowed: model.data_units().to_vec(),
        },
    })
}

/// Percent-encode a link value, leaving `A–Z a–z 0–9 - . _ ~ , ; :` as
/// they are (legal in a query; read back by any URL decoder).
pub fn link_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~,;:".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Put the measurements of `data` on the charts of `model` that show their
/// columns ([`crate::model::Model::chart_point`]), in the display units of
/// `display`: each at its day and value (a censored one at its limit).
/// Measurements no chart shows are left out.
pub fn place(
    model: ModelId,
    data: &Observed,
    display: &crate::model::Display,
    charts: &mut [crate::plot::TimeChart],
) {
    for s in &data.series {
        for p in &s.points {
            let v = p.value * s.observable.scale;
            let Some((i, y)) = model.chart_point(&s.observable.column, v, display) else {
                continue;
            };
            if let Some(c) = charts.get_mut(i).filter(|_| y.is_finite()) {
                c.data.push(crate::plot::DataPoint {
                    at: (p.day, y),
                    censored: p.censored,
                    column: s.observable.name.clone(),
                });
            }
        }
    }
}

/// Parse a cell as a finite number in [0, `max`] (0 allowed only for days).
fn number(text: &str, max: f64, zero_ok: bool) -> Result<f64, DataErrorKind> {
    let v: f64 = text.parse().map_err(|_| DataErrorKind::NotANumber {
        text: text.to_string(),
    })?;
    if !v.is_finite() {
        return Err(DataErrorKind::NotANumber {
            text: text.to_string(),
        });
    }
    if v < 0.0 {
        return Err(DataErrorKind::Negative { value: v });
    }
    if v == 0.0 && !zero_ok {
        return Err(DataErrorKind::Zero);
    }
    if v > max {
        return Err(DataErrorKind::TooBig {
            text: text.to_string(),
            max,
        });
    }
    Ok(v)
}

/// Why data cannot be bound to a model.
#[derive(Debug, Clone, PartialEq)]
pub enum BindError {
    /// The file names a column or unit the model cannot use.
    Data(DataError),
    /// The model request itself was refused (e.g. an unknown preset).
    Model(ModelError),
}

impl fmt::Display for BindError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BindError::Data(e) => e.fmt(f),
            BindError::Model(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for BindError {}

/// One column of data bound to a model's table column.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ObservedSeries {
    /// What it is compared with.
    pub observable: Observable,
    /// The measurements, in the data's unit.
    pub points: Vec<Point>,
}

/// Data bound to a model: the columns that have measurements.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Observed {
    /// The columns.
    pub series: Vec<ObservedSeries>,
}

impl Observed {
    /// Every measurement day, increasing, each once.
    pub fn days(&self) -> Vec<f64> {
        let mut d: Vec<f64> = self
            .series
            .iter()
            .flat_map(|s| s.points.iter().map(|p| p.day))
            .collect();
        d.sort_by(f64::total_cmp);
        d.dedup();
        d
    }
    /// Number of measurements.
    pub fn len(&self) -> usize {
        self.series.iter().map(|s| s.points.len()).sum()
    }
    /// True when there is no measurement.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_missing_censored_and_comments() {
        let d = Dataset::parse(
            "# simulated\r\nday, car_t ,tumor_burden_pct\r\n0,8,50\n1,,\n\n28,3.5,<0.01\n",
        )
        .unwrap();
        assert_eq!(d.header_line, 2);
        assert_eq!(d.series.len(), 2);
        assert_eq!(d.series[0].name, "car_t");
        assert_eq!(d.series[0].points.len(), 2);
        let tb = &d.series[1].points;
        assert_eq!(
            (tb[1].day, tb[1].value, tb[1].censored, tb[1].line),
            (28.0, 0.01, true, 6)
        );
        assert!(!tb[0].censored);
        assert_eq!(d.len(), 4);
    }

    #[test]
    fn the_link_form_round_trips_exactly_up_to_30_points() {
        let d = Dataset::parse(
            "day,car_t,tumor_burden_pct\n0,,52.039142420496\n1,0.1,\n28,3e-7,<0.01\n",
        )
        .unwrap();
        let link = d.to_link().unwrap();
        assert_eq!(
            link,
            "day,car_t,tumor_burden_pct;0,,52.039142420496;1,0.1,;28,0.0000003,<0.01"
        );
        let back = Dataset::from_link(&link).unwrap();
        let plain = |d: &Dataset| -> Vec<(String, Vec<[f64; 3]>)> {
            d.series
                .iter()
                .map(|s| {
                    let p = s.points.iter();
                    let p = p.map(|p| [p.day, p.value, f64::from(u8::from(p.censored))]);
                    (s.name.clone(), p.collect())
                })
                .collect()
        };
        assert_eq!(plain(&back), plain(&d));
        let long: String = std::iter::once("day,car_t".to_string())
            .chain((1..=31).map(|i| format!("{i},5")))
            .collect::<Vec<_>>()
            .join("\n");
        assert!(Dataset::parse(&long).unwrap().to_link().is_none());
        let e = Dataset::from_link("day,car_t;1,5;1,6")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("line 3, column day"), "{e}");
    }

    #[test]
    fn patient_data_link_carries_the_unit_and_escapes_only_what_it_must() {
        let reg = crate::model::Registry::builtin();
        let m = reg.parse("clinical").unwrap();
        let d = PatientData::parse(
            "day,car_t,tumor_burden_pct\n1,12.5,\n28,3.1,<0.01\n",
            "blood-per-ul",
            m,
        )
        .unwrap();
        let v = d.link_value(m).unwrap();
        assert_eq!(
            v,
            "blood-per-ul:day,car_t,tumor_burden_pct;1,12.5,;28,3.1,<0.01"
        );
        let suffix = d.link_suffix(m);
        assert_eq!(
            suffix,
            "&data=blood-per-ul:day,car_t,tumor_burden_pct;1,12.5,;28,3.1,%3C0.01"
        );
        // Read back through a URL decoder, as the page reads its link.
        let (k, val) = form_urlencoded::parse(&suffix.as_bytes()[1..])
            .next()
            .unwrap();
        assert_eq!(k, LINK_KEY);
        assert_eq!(
            PatientData::from_link(&val, m).unwrap(),
            PatientData {
                dataset: Dataset::from_link(&v[13..]).unwrap(),
                unit: "blood-per-ul".into()
            }
        );
        // The model's own unit is left out.
        let c = PatientData::parse("day,car_t\n1,5", "cells", m).unwrap();
        assert_eq!(c.link_value(m).unwrap(), "day,car_t;1,5");
        assert_eq!(
            PatientData::from_link("day,car_t;1,5", m).unwrap().unit,
            "cells"
        );
        // Bad values are typed errors.
        let e = PatientData::from_link("furlongs:day,car_t;1,5", m).unwrap_err();
        assert!(matches!(e.kind, DataErrorKind::Unit { .. }), "{e}");
        let e = PatientData::from_link("day,car_t;1,x", m).unwrap_err();
        assert_eq!((e.line, e.column.as_deref()), (2, Some("car_t")));
        // Every example file fits in a link.
        for f in [
            include_str!("../../examples/data/cr.csv"),
            include_str!("../../examples/data/nr.csv"),
            include_str!("../../examples/data/relapse-pos.csv"),
            include_str!("../../examples/data/relapse-neg.csv"),
        ] {
            let d = PatientData::parse(f, "blood-per-ul", m).unwrap();
            let back = PatientData::from_link(&d.link_value(m).unwrap(), m).unwrap();
            assert_eq!(back.dataset.to_csv(&[]), d.dataset.to_csv(&[]));
        }
    }

    #[test]
    fn place_puts_each_column_on_its_chart_in_the_display_units() {
        let reg = crate::model::Registry::builtin();
        let m = reg.parse("clinical").unwrap();
        let d = PatientData::parse(
            "day,car_t,tumor_burden_pct\n1,10,\n28,,<0.01\n",
            "blood-per-ul",
            m,
        )
        .unwrap();
        let obs = d.bind(m, "cr").unwrap();
        let req = crate::model::SimRequest {
            preset: "cr".into(),
            t_end: Some(30.0),
            ..Default::default()
        };
        let course = m.course(&req).unwrap();
        for (units, car, tb) in [
            ("blood", 10.0, 0.01),
            (
                "cells",
                5.0,
                crate::model::units::cells_from_tumor_burden(0.01).unwrap(),
            ),
        ] {
            let display = crate::model::Display {
                units,
                log_y: true,
                t_end: 30.0,
            };
            let mut charts = m.charts(&course, &display);
            place(m, &obs, &display, &mut charts);
            assert_eq!(charts[0].data.len(), 1);
            assert_eq!(charts[1].data.len(), 1);
            let p = &charts[1].data[0];
            assert!((p.at.1 - car).abs() < 1e-9 * car, "{units}: {p:?}");
            assert!(!p.censored && p.column == "car_t");
            let q = &charts[0].data[0];
            assert!(
                (q.at.1 - tb).abs() < 1e-9 * tb && q.censored,
                "{units}: {q:?}"
            );
        }
    }
}
