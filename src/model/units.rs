//! Clinical units of [L] (Methods; MODELS.md §1 "Clinical units") and their
//! conversions to the clinical model's unit, 10^9 cells (bone-marrow
//! equivalent). Every fallible conversion returns a [`UnitError`] naming the
//! value and the accepted range.

use std::fmt;

/// Upper bound (exclusive) of tumor burden in percent: n = 1909·TB/(97.19 − TB).
pub const TB_MAX_PCT: f64 = 97.19;
/// Scale of the burden conversion, in 10^9 cells.
pub const TB_SCALE_CELLS: f64 = 1909.0;
/// 10^9 CAR T cells per qPCR copy/µg DNA.
pub const QPCR_TO_CELLS: f64 = 0.10205;
/// 10^9 bone-marrow-equivalent cells per blood cell/µL (5·10^6 µL of blood,
/// blood holds ≈1% of the marrow's cells: c·5·10^6·100 cells = 0.5·c ×10^9).
pub const BLOOD_TO_MARROW: f64 = 0.5;

/// A clinical quantity that could not be converted.
#[derive(Debug, Clone, PartialEq)]
pub enum UnitError {
    /// The value lies outside the range the conversion accepts.
    OutOfRange {
        /// What was being converted (e.g. "tumor burden (%)").
        quantity: &'static str,
        /// The value given.
        value: f64,
        /// Smallest accepted value (inclusive).
        min: f64,
        /// Largest accepted value.
        max: f64,
        /// True when `max` itself is not accepted.
        max_exclusive: bool,
    },
}

impl fmt::Display for UnitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UnitError::OutOfRange {
                quantity,
                value,
                min,
                max,
                max_exclusive,
            } => {
                let close = if *max_exclusive { ")" } else { "]" };
                write!(
                    f,
                    "{quantity} = {value} is out of range; allowed: [{min}, {max}{close}"
                )
            }
        }
    }
}

impl std::error::Error for UnitError {}

impl From<UnitError> for super::ModelError {
    fn from(e: UnitError) -> Self {
        super::ModelError::Invalid(e.to_string())
    }
}

/// Largest count any conversion accepts (in its own unit). Far above any
/// patient (≈10^5 ×10^9 cells, ≈10^6 copies/µg, ≈10^6 cells/µL), and small
/// enough that every conversion stays finite.
pub const MAX_COUNT: f64 = 1e12;

fn non_negative(quantity: &'static str, value: f64) -> Result<f64, UnitError> {
    if value.is_finite() && (0.0..=MAX_COUNT).contains(&value) {
        Ok(value)
    } else {
        Err(UnitError::OutOfRange {
            quantity,
            value,
            min: 0.0,
            max: MAX_COUNT,
            max_exclusive: false,
        })
    }
}

/// Tumor burden (%) → B-ALL cells (10^9): n = 1909·TB/(97.19 − TB).
/// TB must lie in [0, 97.19).
pub fn cells_from_tumor_burden(tb_pct: f64) -> Result<f64, UnitError> {
    if tb_pct.is_finite() && (0.0..TB_MAX_PCT).contains(&tb_pct) {
        Ok(TB_SCALE_CELLS * tb_pct / (TB_MAX_PCT - tb_pct))
    } else {
        Err(UnitError::OutOfRange {
            quantity: "tumor burden (%)",
            value: tb_pct,
            min: 0.0,
            max: TB_MAX_PCT,
            max_exclusive: true,
        })
    }
}

/// B-ALL cells (10^9, finite and ≥ 0) → tumor burden (%): TB = 97.19·n/(1909 + n).
pub fn tumor_burden_from_cells(cells: f64) -> Result<f64, UnitError> {
    non_negative("B-ALL cells (10^9)", cells).map(tumor_burden_pct)
}

/// Infallible form of [`tumor_burden_from_cells`] for hot loops and
/// trajectories (the caller guarantees `cells` ≥ 0).
#[inline]
pub fn tumor_burden_pct(cells: f64) -> f64 {
    TB_MAX_PCT * cells / (TB_SCALE_CELLS + cells)
}

/// qPCR (copies/µg DNA, finite and ≥ 0) → CAR T cells (10^9).
pub fn car_t_from_qpcr(copies_per_ug: f64) -> Result<f64, UnitError> {
    non_negative("qPCR (copies/µg DNA)", copies_per_ug).map(|q| QPCR_TO_CELLS * q)
}

/// CAR T cells (10^9, finite and ≥ 0) → qPCR (copies/µg DNA).
pub fn qpcr_from_car_t(cells: f64) -> Result<f64, UnitError> {
    non_negative("CAR T cells (10^9)", cells).map(|n| n / QPCR_TO_CELLS)
}

/// Peripheral-blood concentration (cells/µL, finite and ≥ 0) → bone-marrow
/// equivalent cells (10^9).
pub fn marrow_cells_from_blood(cells_per_ul: f64) -> Result<f64, UnitError> {
    non_negative("blood concentration (cells/µL)", cells_per_ul).map(|c| BLOOD_TO_MARROW * c)
}

/// Bone-marrow equivalent cells (10^9, finite and ≥ 0) → blood concentration (cells/µL).
pub fn blood_from_marrow_cells(cells: f64) -> Result<f64, UnitError> {
    non_negative("bone-marrow cells (10^9)", cells).map(|n| n / BLOOD_TO_MARROW)
}

/// Unit of CAR T measurements (MODELS.md §1 "Clinical units").
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CarUnit {
    /// 10^9 bone-marrow-equivalent cells (the model's unit).
    Cells,
    /// qPCR copies/µg DNA.
    Qpcr,
    /// Cells per µL of peripheral blood.
    BloodPerUl,
}

impl CarUnit {
    /// Parse `cells`, `qpcr`, `blood-per-ul`.
    pub fn parse(s: &str) -> Option<CarUnit> {
        match s {
            "cells" => Some(CarUnit::Cells),
            "qpcr" => Some(CarUnit::Qpcr),
            "blood-per-ul" | "blood" => Some(CarUnit::BloodPerUl),
            _ => None,
        }
    }

    /// Every unit's name, in menu order (the model's own first).
    pub const NAMES: [&'static str; 3] = ["cells", "qpcr", "blood-per-ul"];

    /// The unit's name (as [`CarUnit::parse`] reads it).
    pub fn name(self) -> &'static str {
        match self {
            CarUnit::Cells => "cells",
            CarUnit::Qpcr => "qpcr",
            CarUnit::BloodPerUl => "blood-per-ul",
        }
    }

    /// The unit as a label (`10^9 cells`, `copies/µg DNA`, `cells/µL blood`).
    pub fn label(self) -> &'static str {
        match self {
            CarUnit::Cells => "10^9 cells",
            CarUnit::Qpcr => "copies/µg DNA",
            CarUnit::BloodPerUl => "cells/µL blood",
        }
    }

    /// Convert a measurement in this unit to 10^9 cells.
    pub fn to_cells(self, v: f64) -> Result<f64, UnitError> {
        match self {
            CarUnit::Cells => {
                if v.is_finite() && v >= 0.0 {
                    Ok(v)
                } else {
                    Err(UnitError::OutOfRange {
                        quantity: "CAR T (10^9 cells)",
                        value: v,
                        min: 0.0,
                        max: f64::INFINITY,
                        max_exclusive: true,
                    })
                }
            }
            CarUnit::Qpcr => car_t_from_qpcr(v),
            CarUnit::BloodPerUl => marrow_cells_from_blood(v),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-12 * a.abs().max(b.abs()).max(1e-300)
    }

    #[test]
    fn burden_matches_hand_values_and_round_trips() {
        // TB = 5%: n = 1909·5/92.19 = 103.5362...
        let n5 = cells_from_tumor_burden(5.0).unwrap();
        assert!(close(n5, 9545.0 / 92.19));
        // TB = 0.01%: n = 19.09/97.18.
        assert!(close(cells_from_tumor_burden(0.01).unwrap(), 19.09 / 97.18));
        assert_eq!(cells_from_tumor_burden(0.0).unwrap(), 0.0);
        for tb in [0.0, 1e-6, 0.01, 1.0, 5.0, 50.0, 90.0, 97.0, 97.18] {
            let n = cells_from_tumor_burden(tb).unwrap();
            assert!(close(tumor_burden_from_cells(n).unwrap(), tb) || tb == 0.0);
        }
        // 1000 ×10^9 cells: TB = 97190/2909.
        assert!(close(tumor_burden_pct(1000.0), 97190.0 / 2909.0));
    }

    #[test]
    fn burden_rejects_out_of_range_naming_value_and_range() {
        for bad in [-0.1, 97.19, 100.0, f64::NAN, f64::INFINITY] {
            let e = cells_from_tumor_burden(bad).unwrap_err();
            let msg = e.to_string();
            assert!(msg.contains("tumor burden"), "{msg}");
            assert!(msg.contains("[0, 97.19)"), "{msg}");
            if bad.is_finite() {
                assert!(msg.contains(&bad.to_string()), "{msg}");
            }
        }
        assert!(tumor_burden_from_cells(-1.0).is_err());
    }

    #[test]
    fn qpcr_and_blood_conversions() {
        assert!(close(car_t_from_qpcr(1000.0).unwrap(), 102.05));
        assert!(close(
            qpcr_from_car_t(car_t_from_qpcr(37.5).unwrap()).unwrap(),
            37.5
        ));
        // 10 cells/µL in 5e6 µL = 5e7 cells in blood, ×100 in marrow = 5e9 = 5 ×10^9.
        assert!(close(marrow_cells_from_blood(10.0).unwrap(), 5.0));
        assert!(close(blood_from_marrow_cells(5.0).unwrap(), 10.0));
        assert!(car_t_from_qpcr(-1.0).is_err());
        assert!(marrow_cells_from_blood(f64::NAN).is_err());
        assert!(qpcr_from_car_t(-2.0).is_err());
        assert!(blood_from_marrow_cells(f64::INFINITY).is_err());
    }
}
