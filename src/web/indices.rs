//! The indices panel and its CSV: the clinical [`Metrics`] (FT, FNegR, FP,
//! CAR T peak and its day, AUC7, AUC28, remission, MRD and relapse days,
//! class) and the marrow metrics (responder, L30, peak, fold expansion) as
//! labelled rows with units. Values are formatted, never recomputed.

use crate::analysis::metrics::Metrics;
use crate::model::SimTable;
use crate::sweep::marrow::Metrics as MarrowMetrics;

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

/// Rows for a marrow course (metrics of [`crate::sweep::marrow`]: CAR T
/// peak, its day and fold expansion, leukemia at day 30 and responder
/// status), plus the leukemia at the end, read off the table.
pub fn marrow_rows(m: Option<&MarrowMetrics>, t: &SimTable) -> Vec<Row> {
    let row = |key, label, v: f64, unit| Row {
        key,
        label,
        value: num(v),
        unit,
        raw: format!("{v}"),
    };
    let mut rows = Vec::new();
    if let Some(m) = m {
        rows.push(Row {
            key: "responder",
            label: "responder (L30 < 1 cell)",
            value: if m.responder() { "yes" } else { "no" }.into(),
            unit: "",
            raw: if m.responder() { "1" } else { "0" }.into(),
        });
        rows.push(row("L30", "leukemia at day 30", m.l30, "cells"));
        rows.push(row("peak", "CAR T peak", m.c_peak, "cells"));
        rows.push(row("t_peak", "day of peak", m.tpeak, "day"));
        rows.push(row(
            "fold",
            "fold expansion log10(Cpeak/C0)",
            m.fold(),
            "log10",
        ));
    }
    if let (Some(j), n) = (t.col("L"), t.n_rows()) {
        if n > 0 {
            rows.push(row(
                "L_end",
                "leukemia at the end",
                t.row(n - 1)[j],
                "cells",
            ));
        }
    }
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
