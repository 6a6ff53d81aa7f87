//! The indices panel and its CSV: the clinical [`Metrics`] (FT, FNegR, FP,
//! CAR T peak and its day, AUC7, AUC28, remission, MRD and relapse days,
//! class) as labelled rows with units, and a short summary of a marrow
//! course read off its table. Values are formatted, never recomputed.

use crate::analysis::metrics::Metrics;
use crate::model::SimTable;

/// One row of the panel.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// Short key (CSV `name` column).
    pub key: &'static str,
    /// Label shown on the page.
    pub label: &'static str,
    /// Formatted value.
    pub value: String,
    /// Unit (may be empty).
    pub unit: &'static str,
    /// Unformatted value for the CSV (empty when there is none).
    pub raw: String,
}

fn num(v: f64) -> String {
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

fn day(d: Option<f64>) -> (String, String) {
    match d {
        Some(d) => (format!("{d:.1}"), format!("{d}")),
        None => ("never".into(), String::new()),
    }
}

/// Rows for a clinical course.
pub fn clinical_rows(m: &Metrics) -> Vec<Row> {
    let r = |key, label, v: f64, unit| Row {
        key,
        label,
        value: num(v),
        unit,
        raw: format!("{v}"),
    };
    let d = |key, label, v: Option<f64>| {
        let (value, raw) = day(v);
        Row {
            key,
            label,
            value,
            unit: if v.is_some() { "day" } else { "" },
            raw,
        }
    };
    vec![
        Row {
            key: "class",
            label: "response class",
            value: m.response.as_str().into(),
            unit: "",
            raw: m.response.as_str().into(),
        },
        r("FT", "CAR T function factor FT", m.ft, "1/day²"),
        r("FNegR", "negative relapse factor FNegR", m.fnegr, "1/day"),
        r("FP", "prediction factor FP", m.fp, "log2"),
        r("peak", "CAR T peak (days 0–28)", m.peak, "10^9 cells"),
        r("t_peak", "day of peak", m.t_peak, "day"),
        r("AUC7", "AUC7", m.auc7, "10^9 cells·day"),
        r("AUC28", "AUC28", m.auc28, "10^9 cells·day"),
        d("remission_day", "remission (<5%)", m.remission_day),
        d("mrd_day", "MRD-negative (<0.01%)", m.mrd_day),
        d("relapse_day", "relapse", m.relapse_day),
    ]
}

/// Rows for a marrow course: CAR T peak and its day, leukemia at day 30
/// and at the end, read from the table's rows.
pub fn marrow_rows(t: &SimTable) -> Vec<Row> {
    let (Some(jc), Some(jl)) = (t.col("car_t_total"), t.col("L")) else {
        return Vec::new();
    };
    let n = t.n_rows();
    let mut peak = (0.0, f64::NEG_INFINITY);
    let mut l30 = None;
    for i in 0..n {
        let r = t.row(i);
        if r[jc] > peak.1 {
            peak = (r[0], r[jc]);
        }
        if l30.is_none() && r[0] >= 30.0 {
            l30 = Some(r[jl]);
        }
    }
    let last = if n > 0 { t.row(n - 1)[jl] } else { f64::NAN };
    let row = |key, label, v: f64, unit| Row {
        key,
        label,
        value: num(v),
        unit,
        raw: format!("{v}"),
    };
    let mut rows = vec![
        row("peak", "CAR T peak", peak.1, "cells"),
        row("t_peak", "day of peak", peak.0, "day"),
    ];
    if let Some(l) = l30 {
        rows.push(row("L30", "leukemia at day 30", l, "cells"));
        rows.push(Row {
            key: "responder",
            label: "responder (L30 < 1 cell)",
            value: if l < 1.0 { "yes" } else { "no" }.into(),
            unit: "",
            raw: if l < 1.0 { "1" } else { "0" }.into(),
        });
    }
    rows.push(row("L_end", "leukemia at the end", last, "cells"));
    rows
}

/// The rows as CSV: `name,value,unit`.
pub fn to_csv(rows: &[Row]) -> String {
    let mut s = String::from("name,value,unit\n");
    for r in rows {
        s.push_str(&format!("{},{},{}\n", r.key, r.raw, r.unit));
    }
    s
}
