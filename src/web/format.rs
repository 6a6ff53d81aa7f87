//! How numbers read on the page (pure functions, no DOM): values as typed
//! in a field, and a course's indices as the panel shows them and as the
//! indices CSV writes them. Values are formatted here, never recomputed.

use crate::model::{Index, IndexValue};

/// A number as typed in a field: shortest exact form, exponent for very
/// small or large magnitudes.
pub fn fmt_value(v: f64) -> String {
    let a = v.abs();
    if a != 0.0 && !(1e-3..1e6).contains(&a) {
        format!("{v:e}")
    } else {
        format!("{v}")
    }
}

/// A number in the indices panel: three decimals (trailing zeros dropped),
/// or three significant digits in exponent form outside [0.01, 1e5).
pub fn num(v: f64) -> String {
    if !v.is_finite() {
        return "–".into();
    }
    let a = v.abs();
    if a != 0.0 && !(1e-2..1e5).contains(&a) {
        format!("{v:.3e}")
    } else {
        let s = format!("{v:.3}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// One index as shown and exported.
#[derive(Debug, Clone, PartialEq)]
pub struct IndexText {
    /// Key (the CSV `name` column, the `data-index` attribute).
    pub key: &'static str,
    /// Label shown on the page.
    pub label: &'static str,
    /// The value as shown.
    pub value: String,
    /// Unit shown beside it (empty for words and days that never come).
    pub unit: &'static str,
    /// The unformatted value for the CSV (empty when there is none).
    pub raw: String,
}

/// An index as text: numbers by [`num`], days to one decimal ("never" when
/// the event does not happen), words as they are.
pub fn index_text(i: &Index) -> IndexText {
    let (value, raw, unit) = match i.value {
        IndexValue::Number(v) => (num(v), format!("{v}"), i.unit),
        IndexValue::Day(Some(d)) => (format!("{d:.1}"), format!("{d}"), i.unit),
        IndexValue::Day(None) => ("never".into(), String::new(), ""),
        IndexValue::Word(w) => (w.to_string(), w.to_string(), i.unit),
    };
    IndexText {
        key: i.key,
        label: i.label,
        value,
        unit,
        raw,
    }
}

/// Indices as CSV: `name,value,unit`.
pub fn indices_csv(indices: &[Index]) -> String {
    let mut s = String::from("name,value,unit\n");
    for t in indices.iter().map(index_text) {
        s.push_str(&format!("{},{},{}\n", t.key, t.raw, t.unit));
    }
    s
}
