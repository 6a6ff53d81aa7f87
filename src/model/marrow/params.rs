//! Parameters and initial values of the marrow model (Table 1 of [M],
//! MODELS.md §2), described once as [`ParamSpec`]s, and the state layout.

use crate::model::params::{ParamSpec, Scale};

/// Index of each state component (CA2 and CM2 exist only with a second product).
pub mod ix {
    /// Pro-B (CD19−).
    pub const B0: usize = 0;
    /// Pre-BI.
    pub const B1: usize = 1;
    /// Pre-BII.
    pub const B2: usize = 2;
    /// Immature B.
    pub const B3: usize = 3;
    /// Leukemic clone.
    pub const L: usize = 4;
    /// Effector CAR T (product 1).
    pub const CA: usize = 5;
    /// Memory CAR T (product 1).
    pub const CM: usize = 6;
    /// Effector CAR T (product 2).
    pub const CA2: usize = 7;
    /// Memory CAR T (product 2).
    pub const CM2: usize = 8;
}

/// State names in column order (the first 7 always, CA2 and CM2 with a second product).
pub const STATE_NAMES: [&str; 9] = ["B0", "B1", "B2", "B3", "L", "CA", "CM", "CA2", "CM2"];

/// Index of each parameter in [`SPECS`] / [`DEFAULTS`].
#[allow(missing_docs)]
pub mod p {
    pub const RHO0: usize = 0;
    pub const RHO1: usize = 1;
    pub const RHO2: usize = 2;
    pub const GAMMA0: usize = 3;
    pub const GAMMA1: usize = 4;
    pub const GAMMA2: usize = 5;
    pub const GAMMA3: usize = 6;
    pub const K: usize = 7;
    pub const RHOL: usize = 8;
    pub const LMAX: usize = 9;
    pub const GAMMAL: usize = 10;
    pub const ALPHA: usize = 11;
    pub const RHOC: usize = 12;
    pub const TAUA: usize = 13;
    pub const GAMMAAM: usize = 14;
    pub const GAMMAMA: usize = 15;
    pub const TAUM: usize = 16;
    pub const H: usize = 17;
    pub const ALPHA2: usize = 18;
    pub const H2: usize = 19;
    pub const RHOC2: usize = 20;
    /// First initial value (B0); state i's initial value is at `Y0 + i`.
    pub const Y0: usize = 21;
}

/// Number of parameters and initial values.
pub const N_PARAMS: usize = 30;

const M: &str = "Table 1 of [M]";
const M2: &str = "cartsim (second product, Fig. 8C of [M]); default = product 1's value";
const MI: &str = "standard initial state of [M] (Figs. 3–8)";

#[allow(clippy::too_many_arguments)]
const fn spec(
    name: &'static str,
    symbol: &'static str,
    unit: &'static str,
    meaning: &'static str,
    min: f64,
    max: f64,
    scale: Scale,
    source: &'static str,
) -> ParamSpec {
    ParamSpec {
        name,
        symbol,
        unit,
        meaning,
        min,
        max,
        scale,
        source,
    }
}

/// Every parameter and initial value, described once (names from MODELS.md §2).
pub static SPECS: [ParamSpec; N_PARAMS] = [
    spec(
        "rho0",
        "ρ0",
        "1/day",
        "Pro-B proliferation rate",
        0.0,
        10.0,
        Scale::Linear,
        M,
    ),
    spec(
        "rho1",
        "ρ1",
        "1/day",
        "Pre-BI proliferation rate",
        0.0,
        10.0,
        Scale::Linear,
        M,
    ),
    spec(
        "rho2",
        "ρ2",
        "1/day",
        "Pre-BII proliferation rate",
        0.0,
        10.0,
        Scale::Linear,
        M,
    ),
    spec(
        "gamma0",
        "γ0",
        "1/day",
        "Pro-B → Pre-BI transition rate",
        0.0,
        10.0,
        Scale::Linear,
        M,
    ),
    spec(
        "gamma1",
        "γ1",
        "1/day",
        "Pre-BI → Pre-BII transition rate",
        0.0,
        10.0,
        Scale::Linear,
        M,
    ),
    spec(
        "gamma2",
        "γ2",
        "1/day",
        "Pre-BII → immature transition rate",
        0.0,
        10.0,
        Scale::Linear,
        M,
    ),
    spec(
        "gamma3",
        "γ3",
        "1/day",
        "immature B exit rate to blood",
        0.0,
        10.0,
        Scale::Linear,
        M,
    ),
    spec(
        "k",
        "k",
        "1/cell",
        "feedback signal intensity",
        1e-16,
        1e-4,
        Scale::Log,
        M,
    ),
    spec(
        "rhoL",
        "ρL",
        "1/day",
        "leukemic proliferation rate (default ρ1)",
        0.0,
        10.0,
        Scale::Linear,
        M,
    ),
    spec(
        "Lmax",
        "Lmax",
        "cells",
        "leukemic carrying capacity",
        1e6,
        1e15,
        Scale::Log,
        M,
    ),
    spec(
        "gammaL",
        "γL",
        "1/day",
        "leukemic exit rate to blood (default 0.001·γ3)",
        0.0,
        10.0,
        Scale::Linear,
        M,
    ),
    spec(
        "alpha",
        "α",
        "1/(day·cell)",
        "CAR T killing capacity",
        1e-14,
        1e-5,
        Scale::Log,
        M,
    ),
    spec(
        "rhoC",
        "ρC",
        "1/day",
        "effector CAR T proliferation rate",
        0.0,
        10.0,
        Scale::Linear,
        M,
    ),
    spec(
        "tauA",
        "τA",
        "day",
        "effector CAR T mean lifetime",
        0.01,
        1e4,
        Scale::Log,
        M,
    ),
    spec(
        "gammaAM",
        "γAM",
        "1/day",
        "effector → memory transition rate",
        0.0,
        10.0,
        Scale::Linear,
        M,
    ),
    spec(
        "gammaMA",
        "γMA",
        "1/day",
        "memory → effector transition rate",
        0.0,
        10.0,
        Scale::Linear,
        M,
    ),
    spec(
        "tauM",
        "τM",
        "day",
        "memory CAR T mean lifetime",
        0.01,
        1e6,
        Scale::Log,
        M,
    ),
    spec(
        "h",
        "h",
        "cells",
        "activation threshold (CD19+ cells for half-maximal activation)",
        1.0,
        1e15,
        Scale::Log,
        M,
    ),
    spec(
        "alpha2",
        "α₂",
        "1/(day·cell)",
        "second product's killing capacity",
        1e-14,
        1e-5,
        Scale::Log,
        M2,
    ),
    spec(
        "h2",
        "h₂",
        "cells",
        "second product's activation threshold",
        1.0,
        1e15,
        Scale::Log,
        M2,
    ),
    spec(
        "rhoC2",
        "ρC₂",
        "1/day",
        "second product's effector proliferation rate",
        0.0,
        10.0,
        Scale::Linear,
        M2,
    ),
    spec(
        "B0",
        "B0(0)",
        "cells",
        "initial Pro-B cells",
        0.0,
        1e13,
        Scale::Log,
        MI,
    ),
    spec(
        "B1",
        "B1(0)",
        "cells",
        "initial Pre-BI cells",
        0.0,
        1e13,
        Scale::Log,
        MI,
    ),
    spec(
        "B2",
        "B2(0)",
        "cells",
        "initial Pre-BII cells",
        0.0,
        1e13,
        Scale::Log,
        MI,
    ),
    spec(
        "B3",
        "B3(0)",
        "cells",
        "initial immature B cells",
        0.0,
        1e13,
        Scale::Log,
        MI,
    ),
    spec(
        "L",
        "L(0)",
        "cells",
        "initial leukemic cells",
        0.0,
        1e13,
        Scale::Log,
        MI,
    ),
    spec(
        "CA",
        "CA(0)",
        "cells",
        "infused CAR T dose (effector, product 1)",
        0.0,
        1e13,
        Scale::Log,
        MI,
    ),
    spec(
        "CM",
        "CM(0)",
        "cells",
        "initial memory CAR T (product 1)",
        0.0,
        1e13,
        Scale::Log,
        MI,
    ),
    spec(
        "CA2",
        "CA2(0)",
        "cells",
        "initial effector CAR T of the second product",
        0.0,
        1e13,
        Scale::Log,
        M2,
    ),
    spec(
        "CM2",
        "CM2(0)",
        "cells",
        "initial memory CAR T of the second product",
        0.0,
        1e13,
        Scale::Log,
        M2,
    ),
];

/// Default values, in the order of [`SPECS`] (Table 1 of [M]; α = 3e-10 and
/// h = 1e9 are the defaults MODELS.md gives inside the published ranges).
pub const DEFAULTS: [f64; N_PARAMS] = [
    std::f64::consts::LN_2 / 8.0,
    std::f64::consts::LN_2,
    std::f64::consts::LN_2 / 1.5,
    0.02,
    0.168,
    0.144,
    0.288,
    1e-10,
    std::f64::consts::LN_2, // ρL = ρ1
    1e12,
    0.001 * 0.288, // γL = 0.001·γ3
    3e-10,
    0.9,
    6.5,
    0.001,
    0.33,
    300.0,
    1e9,
    3e-10,
    1e9,
    0.9,
    1e6,
    3e7,
    2e8,
    9e7,
    2e11,
    5e7,
    0.0,
    0.0,
    0.0,
];
