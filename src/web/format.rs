//! How numbers read on the page (pure functions, no DOM): values as typed
//! in a field, and a course's indices as the panel shows them and as the
//! indices CSV writes them. Values are formatted here, never recomputed.

use crate::model::{Index, IndexValue};

/// A number as a field shows it: [`compact`], at most six significant
/// digits (a preset's 0.08664339… reads 0.0866434; the link and the
/// exports keep every digit).
pub fn fmt_value(v: f64) -> String {
    compact(v)
}

/// A number in at most six significant digits, in exponent form (`1e+300`,
/// `1.5e-7`) outside [1e-4, 1e6): how values are quoted in messages, so
/// no number on screen runs to hundreds of digits. The core's rule (run
/// labels use it too).
pub use crate::compare::compact;

/// `v` in `digits` significant digits (trailing zeros dropped), in
/// exponent form outside [1e-4, 1e6) as [`compact`] writes it.
pub fn sig(v: f64, digits: usize) -> String {
    if !v.is_finite() || v == 0.0 {
        return compact(v);
    }
    let e = v.abs().log10().floor() as i32;
    let f = 10f64.powi(digits as i32 - 1 - e);
    let rounded = if f.is_finite() && f > 0.0 {
        (v * f).round() / f
    } else {
        v
    };
    compact(rounded)
}

/// `text` with every long number (more than 12 characters, e.g. the
/// 301 digits of 1e300 written out) rewritten by [`compact`]. Text quoted
/// in single quotes (what a person typed) is left as it is.
pub fn compact_numbers(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut quoted = false;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let prev = if i > 0 { chars[i - 1] } else { ' ' };
        if c == '\'' {
            let next = chars.get(i + 1).copied().unwrap_or(' ');
            if !quoted && !prev.is_alphanumeric() {
                quoted = true;
            } else if quoted && !next.is_alphanumeric() {
                quoted = false;
            }
            out.push(c);
            i += 1;
            continue;
        }
        let starts = c.is_ascii_digit() && !(prev.is_alphanumeric() || prev == '_' || prev == '.');
        if quoted || !starts {
            out.push(c);
            i += 1;
            continue;
        }
        let end = number_end(&chars, i);
        let token: String = chars[i..end].iter().collect();
        match token.parse::<f64>() {
            Ok(v) if token.len() > 12 => out.push_str(&compact(v)),
            _ => out.push_str(&token),
        }
        i = end;
    }
    out
}

/// End of the number starting at `i`: digits, a fraction, an exponent.
fn number_end(chars: &[char], i: usize) -> usize {
    let digits = |mut j: usize| {
        while j < chars.len() && chars[j].is_ascii_digit() {
            j += 1;
        }
        j
    };
    let mut j = digits(i);
    if j + 1 < chars.len() && chars[j] == '.' && chars[j + 1].is_ascii_digit() {
        j = digits(j + 1);
    }
    if j < chars.len() && (chars[j] == 'e' || chars[j] == 'E') {
        let mut k = j + 1;
        if k < chars.len() && (chars[k] == '+' || chars[k] == '-') {
            k += 1;
        }
        if k < chars.len() && chars[k].is_ascii_digit() {
            j = digits(k);
        }
    }
    j
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
