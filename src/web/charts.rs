//! What each chart shows: picks the columns of a [`SimTable`] for the
//! tumour and CAR T charts of each model, converts them to the chosen
//! display units with [`crate::model::units`], adds the remission and MRD
//! lines and the peak / remission / relapse markers from [`Metrics`], and
//! turns cohort [`Bands`] into a band chart. Drawing is [`super::chart`]'s.

use super::chart::{palette as c, BandChart, HLine, Marker, Rgb, Series, Shape, TimeChart};
use crate::analysis::bands::Bands;
use crate::analysis::metrics::{ClassifySettings, Metrics};
use crate::cohort::bands::Factor;
use crate::model::registry::MARROW;
use crate::model::units::{
    blood_from_marrow_cells, cells_from_tumor_burden, qpcr_from_car_t, tumor_burden_pct,
};
use crate::model::SimTable;
use crate::sweep::marrow::{Metrics as MarrowMetrics, RESPONSE_DAY};

/// What the charts are drawn from.
#[derive(Debug, Clone, Copy)]
pub struct View<'a> {
    /// Model id.
    pub model: &'a str,
    /// The trajectory.
    pub table: &'a SimTable,
    /// Clinical metrics (None for the marrow model).
    pub metrics: Option<&'a Metrics>,
    /// Marrow metrics (None for the clinical model).
    pub marrow: Option<&'a MarrowMetrics>,
    /// Classification thresholds used.
    pub classify: ClassifySettings,
    /// Display units (`cells`, `blood`, `qpcr`).
    pub units: &'a str,
    /// Log y axes.
    pub log_y: bool,
    /// Horizon, days.
    pub t_end: f64,
}

fn column(table: &SimTable, name: &str, f: impl Fn(f64) -> f64) -> Option<Vec<(f64, f64)>> {
    let j = table.col(name)?;
    Some(
        (0..table.n_rows())
            .map(|i| {
                let r = table.row(i);
                (r[0], f(r[j]))
            })
            .collect(),
    )
}

fn line(label: &str, points: Vec<(f64, f64)>, color: Rgb, dashed: bool, width: f64) -> Series {
    Series {
        label: label.to_string(),
        points,
        color,
        dashed,
        width,
    }
}

/// True when the clinical charts are in clinical units (burden %, blood or qPCR).
fn clinical_units(units: &str) -> bool {
    units == "blood" || units == "qpcr"
}

/// CAR T in the chosen units, from 10^9 cells.
pub fn car_t_display(units: &str, cells: f64) -> f64 {
    let n = cells.max(0.0);
    match units {
        "blood" => blood_from_marrow_cells(n).unwrap_or(f64::NAN),
        "qpcr" => qpcr_from_car_t(n).unwrap_or(f64::NAN),
        _ => n,
    }
}

/// Unit label of CAR T in the chosen units.
pub fn car_t_unit(model: &str, units: &str) -> &'static str {
    match (model, units) {
        (MARROW, _) => "cells",
        (_, "blood") => "cells/µL blood",
        (_, "qpcr") => "copies/µg DNA",
        _ => "10^9 cells",
    }
}

/// An empty chart against time over the view's horizon.
fn time_chart(v: &View, title: &str, y_label: String) -> TimeChart {
    TimeChart {
        title: title.into(),
        x_label: "time (days)".into(),
        y_label,
        log_y: v.log_y,
        x_range: (0.0, v.t_end),
        series: Vec::new(),
        hlines: Vec::new(),
        markers: Vec::new(),
    }
}

/// Add a line for each `(column, label, colour, dashed)` the table has.
fn push_columns(chart: &mut TimeChart, table: &SimTable, cols: &[(&str, &str, Rgb, bool)]) {
    for &(name, label, color, dashed) in cols {
        if let Some(p) = column(table, name, |x| x) {
            chart.series.push(line(label, p, color, dashed, 2.0));
        }
    }
}

/// The tumour chart.
pub fn tumour(v: &View) -> TimeChart {
    let mut chart = time_chart(v, "", String::new());
    if v.model == MARROW {
        chart.title = "Leukemia and B cells in the bone marrow".into();
        chart.y_label = "cells".into();
        push_columns(
            &mut chart,
            v.table,
            &[
                ("B0", "Pro-B (B0, CD19−)", c::ORANGE, true),
                ("B1", "Pre-BI (B1)", c::SKY_BLUE, true),
                ("B2", "Pre-BII (B2)", c::GREEN, true),
                ("B3", "immature B (B3)", c::BLUE, true),
                ("b_total", "healthy B cells, total", c::BLACK, true),
                ("L", "leukemia (L)", c::VERMILLION, false),
            ],
        );
        if v.log_y {
            chart.hlines.push(HLine {
                y: 1.0,
                label: "one cell".into(),
            });
        }
        if let Some(m) = v.marrow {
            let (label, color) = if m.responder() {
                ("L30 < 1 cell: responder", c::GREEN)
            } else {
                ("L30 ≥ 1 cell: non-responder", c::VERMILLION)
            };
            chart.markers.push(Marker {
                at: (RESPONSE_DAY, m.l30.max(1.0)),
                label: label.into(),
                color,
                shape: Shape::Triangle,
            });
        }
        return chart;
    }
    let pct = clinical_units(v.units);
    let conv = move |n: f64| if pct { tumor_burden_pct(n.max(0.0)) } else { n };
    chart.title = "B-ALL (tumour) in the bone marrow".into();
    chart.y_label = if pct {
        "tumour burden (%)".into()
    } else {
        "B-ALL cells (10^9, marrow equivalent)".into()
    };
    if let Some(p) = column(v.table, "nP", conv) {
        chart
            .series
            .push(line("CD19+ B-ALL (nP)", p, c::VERMILLION, false, 2.0));
    }
    if let Some(j) = v.table.col("nN") {
        let any = (0..v.table.n_rows()).any(|i| v.table.row(i)[j] > 0.0);
        if any {
            if let Some(p) = column(v.table, "nN", conv) {
                chart
                    .series
                    .push(line("CD19− B-ALL (nN)", p, c::PURPLE, false, 2.0));
            }
        }
    }
    let total = if pct {
        column(v.table, "tumor_burden_pct", |x| x)
    } else {
        match (v.table.col("nP"), v.table.col("nN")) {
            (Some(a), Some(b)) => Some(
                (0..v.table.n_rows())
                    .map(|i| {
                        let r = v.table.row(i);
                        (r[0], r[a] + r[b])
                    })
                    .collect(),
            ),
            _ => None,
        }
    };
    if let Some(p) = total {
        chart
            .series
            .push(line("total B-ALL", p, c::BLACK, true, 1.5));
    }
    let level = |pct_level: f64| {
        if pct {
            pct_level
        } else {
            cells_from_tumor_burden(pct_level).unwrap_or(f64::NAN)
        }
    };
    let rem = level(v.classify.remission_pct);
    let mrd = level(v.classify.mrd_pct);
    chart.hlines.push(HLine {
        y: rem,
        label: format!("remission ({}%)", v.classify.remission_pct),
    });
    chart.hlines.push(HLine {
        y: mrd,
        label: format!("MRD-negative ({}%)", v.classify.mrd_pct),
    });
    if let Some(m) = v.metrics {
        if let Some(d) = m.remission_day {
            chart.markers.push(Marker {
                at: (d, rem),
                label: format!("remission, day {d:.1}"),
                color: c::GREEN,
                shape: Shape::Triangle,
            });
        }
        if let Some(d) = m.mrd_day {
            chart.markers.push(Marker {
                at: (d, mrd),
                label: format!("MRD-negative, day {d:.1}"),
                color: c::SKY_BLUE,
                shape: Shape::Triangle,
            });
        }
        if let Some(d) = m.relapse_day {
            chart.markers.push(Marker {
                at: (d, rem),
                label: format!("relapse, day {d:.1}"),
                color: c::VERMILLION,
                shape: Shape::Triangle,
            });
        }
    }
    chart
}

/// The CAR T chart.
pub fn car_t(v: &View) -> TimeChart {
    let unit = car_t_unit(v.model, v.units);
    let mut chart = time_chart(v, "CAR T cells", format!("CAR T ({unit})"));
    if v.model == MARROW {
        chart.y_label = "CAR T (cells)".into();
        push_columns(
            &mut chart,
            v.table,
            &[
                ("CA", "effector (CA)", c::BLUE, false),
                ("CM", "memory (CM)", c::GREEN, false),
                ("CA2", "effector, product 2 (CA2)", c::ORANGE, false),
                ("CM2", "memory, product 2 (CM2)", c::PURPLE, false),
                ("car_t_total", "total CAR T", c::BLACK, true),
            ],
        );
        if let Some(m) = v.marrow {
            chart.markers.push(Marker {
                at: (m.tpeak, m.c_peak),
                label: format!("peak, day {:.1}", m.tpeak),
                color: c::ORANGE,
                shape: Shape::Circle,
            });
        }
        return chart;
    }
    let units = v.units;
    let conv = move |n: f64| car_t_display(units, n);
    for (name, label, color, dashed, w) in [
        ("nTA", "activated (nTA)", c::BLUE, false, 2.0),
        ("nTN", "naive (nTN)", c::SKY_BLUE, false, 2.0),
        ("car_t_total", "total CAR T", c::BLACK, true, 1.5),
    ] {
        if let Some(p) = column(v.table, name, conv) {
            chart.series.push(line(label, p, color, dashed, w));
        }
    }
    if let Some(m) = v.metrics {
        chart.markers.push(Marker {
            at: (m.t_peak, conv(m.peak)),
            label: format!("peak, day {:.1}", m.t_peak),
            color: c::ORANGE,
            shape: Shape::Circle,
        });
    }
    chart
}

/// Colour of a band's class.
fn class_color(label: &str) -> Rgb {
    match label {
        "NR" => c::VERMILLION,
        "CD19+ relapse" => c::ORANGE,
        _ => c::GREEN,
    }
}

/// The band chart of a factor, marking `value` (this patient's FT or FP).
pub fn bands(b: &Bands, factor: Factor, value: Option<f64>) -> BandChart {
    let (title, x_label, name) = match factor {
        Factor::Ft => (
            "Response probability by CAR T function factor FT",
            "FT = rTA·e·kA/lTA (1/day², log scale)",
            "FT",
        ),
        Factor::Fp => (
            "Response probability by prediction factor FP",
            "FP = log2(peak × AUC7)",
            "FP",
        ),
    };
    BandChart {
        title: title.into(),
        x_label: x_label.into(),
        log_x: factor.log_axis(),
        x: b.x.clone(),
        bands: b
            .labels
            .iter()
            .zip(&b.p)
            .map(|(l, p)| (l.clone(), class_color(l), p.clone()))
            .collect(),
        mark: value
            .filter(|x| x.is_finite() && (!factor.log_axis() || *x > 0.0))
            .map(|x| {
                (
                    x,
                    format!("this patient: {name} = {}", super::chart::tick(x)),
                )
            }),
    }
}
