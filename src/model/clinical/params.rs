//! Parameters, initial values and presets of the clinical model (Table 1 of
//! [L], MODELS.md §1), described once as [`ParamSpec`]s, and the plain
//! [`Params`] array used in hot loops.

use crate::model::params::{ParamSpec, Scale};

/// Number of parameters and initial values.
pub const N_PARAMS: usize = 17;

/// Indices into [`Params`], named exactly as in MODELS.md.
#[allow(non_upper_case_globals)]
pub mod ix {
    /// CD19+ B-ALL growth rate.
    pub const rP: usize = 0;
    /// Activated CAR T growth rate.
    pub const rTA: usize = 1;
    /// Activated CAR T apoptosis rate.
    pub const lTA: usize = 2;
    /// Naive CAR T apoptosis rate.
    pub const lTN: usize = 3;
    /// B-ALL carrying capacity.
    pub const nC: usize = 4;
    /// Killing rate.
    pub const e: usize = 5;
    /// Saturation of killing.
    pub const KP: usize = 6;
    /// Saturation of CAR T growth.
    pub const Kr: usize = 7;
    /// Saturation of activation.
    pub const KA: usize = 8;
    /// Activation rate.
    pub const kA: usize = 9;
    /// CD19− growth rate.
    pub const rN: usize = 10;
    /// CD19 loss (mutation) factor.
    pub const km: usize = 11;
    /// Bystander killing scaling.
    pub const kb: usize = 12;
    /// Saturation of bystander killing.
    pub const KN: usize = 13;
    /// Initial CD19+ B-ALL.
    pub const nP0: usize = 14;
    /// Initial CD19− B-ALL.
    pub const nN0: usize = 15;
    /// Infused CAR T.
    pub const nTN0: usize = 16;
}

const SRC: &str = "Table 1 of [L]";

const fn spec(
    name: &'static str,
    symbol: &'static str,
    unit: &'static str,
    meaning: &'static str,
    min: f64,
    max: f64,
    scale: Scale,
) -> ParamSpec {
    ParamSpec {
        name,
        symbol,
        unit,
        meaning,
        min,
        max,
        scale,
        source: SRC,
    }
}

/// Every parameter and initial value, in [`ix`] order. Ranges are plausible
/// bounds for validation and sliders: they contain every preset value with
/// room for the ±3σ spread of [L]'s virtual cohorts (Normal(μ, (μ/3)²)).
pub const SPECS: [ParamSpec; N_PARAMS] = [
    spec(
        "rP",
        "r_P",
        "1/day",
        "CD19+ B-ALL growth rate",
        0.0,
        2.0,
        Scale::Linear,
    ),
    spec(
        "rTA",
        "r_TA",
        "1/day",
        "activated CAR T growth rate",
        0.0,
        10.0,
        Scale::Linear,
    ),
    spec(
        "lTA",
        "l_TA",
        "1/day",
        "activated CAR T apoptosis rate",
        1e-3,
        5.0,
        Scale::Log,
    ),
    spec(
        "lTN",
        "l_TN",
        "1/day",
        "naive CAR T apoptosis rate",
        1e-10,
        0.1,
        Scale::Log,
    ),
    spec(
        "nC",
        "n_C",
        "10^9 cells",
        "B-ALL carrying capacity",
        10.0,
        1e6,
        Scale::Log,
    ),
    spec("e", "e", "1/day", "killing rate", 0.0, 200.0, Scale::Linear),
    spec(
        "KP",
        "K_P",
        "10^9 cells",
        "saturation of killing",
        1e-3,
        1e6,
        Scale::Log,
    ),
    spec(
        "Kr",
        "K_r",
        "10^9 cells",
        "saturation of CAR T growth",
        1e-3,
        1e6,
        Scale::Log,
    ),
    spec(
        "KA",
        "K_A",
        "10^9 cells",
        "saturation of activation",
        1e-5,
        1e6,
        Scale::Log,
    ),
    spec(
        "kA",
        "k_A",
        "1/day",
        "activation rate",
        0.0,
        10.0,
        Scale::Linear,
    ),
    spec(
        "rN",
        "r_N",
        "1/day",
        "CD19− B-ALL growth rate",
        0.0,
        2.0,
        Scale::Linear,
    ),
    spec(
        "km",
        "k_m",
        "1/day",
        "CD19 loss (mutation) factor",
        0.0,
        1e-4,
        Scale::Linear,
    ),
    spec(
        "kb",
        "k_b",
        "–",
        "bystander killing scaling",
        0.0,
        1000.0,
        Scale::Linear,
    ),
    spec(
        "KN",
        "K_N",
        "10^9 cells",
        "saturation of bystander killing",
        1e-3,
        1e6,
        Scale::Log,
    ),
    spec(
        "nP0",
        "n_P(0)",
        "10^9 cells",
        "initial CD19+ B-ALL",
        0.0,
        1e5,
        Scale::Linear,
    ),
    spec(
        "nN0",
        "n_N(0)",
        "10^9 cells",
        "initial CD19− B-ALL",
        0.0,
        1e5,
        Scale::Linear,
    ),
    spec(
        "nTN0",
        "n_TN(0)",
        "10^9 cells",
        "infused CAR T (naive)",
        1e-4,
        1e4,
        Scale::Log,
    ),
];

/// Parameter values and initial values, indexed by [`ix`]: a plain array,
/// cheap to copy, meant for hot loops (cohorts, fits).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Params(pub [f64; N_PARAMS]);

impl Params {
    /// Value by ASCII name, if the name exists.
    pub fn get(&self, name: &str) -> Option<f64> {
        SPECS.iter().position(|s| s.name == name).map(|i| self.0[i])
    }

    /// CAR T function factor FT = rTA·e·kA/lTA (MODELS.md §1 "Derived quantities").
    pub fn ft(&self) -> f64 {
        let p = &self.0;
        p[ix::rTA] * p[ix::e] * p[ix::kA] / p[ix::lTA]
    }

    /// Negative relapse factor FNegR = km·kb.
    pub fn fnegr(&self) -> f64 {
        self.0[ix::km] * self.0[ix::kb]
    }

    /// Initial state (nP, nTA, nTN, nN) = (nP0, 0, nTN0, nN0).
    pub fn initial_state(&self) -> [f64; 4] {
        [self.0[ix::nP0], 0.0, self.0[ix::nTN0], self.0[ix::nN0]]
    }

    /// Check every value against its [`ParamSpec`] range.
    pub fn validate(&self) -> Result<(), crate::model::params::ParamError> {
        for (s, &v) in SPECS.iter().zip(&self.0) {
            s.check(v)?;
        }
        Ok(())
    }
}

/// A named scenario: Table 1 of [L], one column.
#[derive(Debug, Clone, Copy)]
pub struct Preset {
    /// Fixed name (`cr`, `nr`, `relapse-pos`, `relapse-neg`).
    pub name: &'static str,
    /// One line for menus and help.
    pub description: &'static str,
    /// The values.
    pub params: Params,
    /// Which values are printed in Table 1 for this column (false: a "–"
    /// cell, filled as described on [`PRESETS`]). A cohort generator should
    /// draw only the `true` ones and keep the rest as they are.
    pub in_table: [bool; N_PARAMS],
}

const ALL: [bool; N_PARAMS] = [true; N_PARAMS];
/// rN, km, kb, KN, nN0 are "–" in the columns without a CD19− clone.
const NO_NEG: [bool; N_PARAMS] = [
    true, true, true, true, true, true, true, true, true, true, false, false, false, false, true,
    false, true,
];

// CD19− parameters of the relapse-neg column, used to fill the "–" cells of
// the other columns: with km = 0 and nN0 = 0 the CD19− clone is exactly 0 and
// these values have no effect, but raising km or nN0 on such a preset gives
// a clone with plausible dynamics instead of a division by zero (KN > 0).
const RN: f64 = 0.1;
const KB: f64 = 7.9;
const KN_: f64 = 16956.03;

/// The four presets of [L] (Table 1). In `cr`, `nr` and `relapse-pos` the
/// CD19− cells are absent: km = 0 and nN0 = 0 (so nN ≡ 0), and rN, kb, KN
/// take the `relapse-neg` values, which then have no effect.
pub const PRESETS: [Preset; 4] = [
    Preset {
        name: "cr",
        description: "continuous remission: CAR T expand, clear the leukemia and keep it away",
        params: Params([
            0.069, 1.62, 0.12, 3e-5, 2939.1, 22.72, 5891.5, 637.64, 1808.0, 0.65, RN, 0.0, KB, KN_,
            2200.24, 0.0, 16.5,
        ]),
        in_table: NO_NEG,
    },
    Preset {
        name: "nr",
        description: "non-response: CAR T fail to expand and the leukemia is never cleared",
        params: Params([
            0.080, 0.99, 0.55, 9.2e-4, 6101.58, 6.58, 7067.07, 3431.65, 0.0052, 0.31, RN, 0.0, KB,
            KN_, 589.676, 0.0, 71.45,
        ]),
        in_table: NO_NEG,
    },
    Preset {
        name: "relapse-pos",
        description: "CD19+ relapse: remission, then the CD19+ leukemia outgrows waning CAR T",
        params: Params([
            0.21, 0.99, 0.12, 6e-7, 19877.4, 20.31, 1050.19, 1983.64, 54.68, 0.44, RN, 0.0, KB,
            KN_, 1764.25, 0.0, 12.26,
        ]),
        in_table: NO_NEG,
    },
    Preset {
        name: "relapse-neg",
        description: "CD19− relapse: remission, then a CD19− clone escapes CAR T and grows back",
        params: Params([
            0.071, 1.5, 0.11, 2e-7, 2585.74, 19.34, 11040.05, 1360.54, 11883.73, 0.58, 0.1, 1.5e-7,
            7.9, 16956.03, 1467.01, 19.89, 8.97,
        ]),
        in_table: ALL,
    },
];

/// Names of the presets of Table 1, in order.
pub fn preset_names() -> Vec<&'static str> {
    PRESETS.iter().map(|p| p.name).collect()
}

/// The comparison preset of the four response classes: its name.
pub const CLASSES: &str = "classes";

/// Its runs: the four presets of Table 1, in Table 1's order. Its own
/// values (the live course beside the runs) are `cr`'s.
pub const CLASSES_RUNS: [&str; 4] = [
    "preset=cr",
    "preset=nr",
    "preset=relapse-pos",
    "preset=relapse-neg",
];

/// The preset called `name` (for [`CLASSES`], `cr`, whose values it has).
pub fn preset(name: &str) -> Result<&'static Preset, crate::model::ModelError> {
    let name_or_base = if name == CLASSES { "cr" } else { name };
    PRESETS
        .iter()
        .find(|p| p.name == name_or_base)
        .ok_or_else(|| crate::model::ModelError::UnknownPreset {
            name: name.to_string(),
            known: preset_names().into_iter().chain([CLASSES]).collect(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_are_in_index_order_and_presets_in_range() {
        let names = [
            "rP", "rTA", "lTA", "lTN", "nC", "e", "KP", "Kr", "KA", "kA", "rN", "km", "kb", "KN",
            "nP0", "nN0", "nTN0",
        ];
        for (i, n) in names.iter().enumerate() {
            assert_eq!(SPECS[i].name, *n);
            assert!(SPECS[i].name.is_ascii());
            assert_eq!(SPECS[i].source, "Table 1 of [L]");
            assert!(SPECS[i].min <= SPECS[i].max);
            if SPECS[i].scale == Scale::Log {
                assert!(SPECS[i].min > 0.0, "{n}: log slider needs min > 0");
            }
        }
        assert_eq!(ix::nTN0, 16);
        assert_eq!(ix::KA, 8);
        assert_eq!(ix::kA, 9);
        for p in &PRESETS {
            p.params.validate().unwrap();
            assert!(!p.description.is_empty());
        }
        assert_eq!(preset_names(), ["cr", "nr", "relapse-pos", "relapse-neg"]);
        assert!(preset("xx").is_err());
    }
}
