//! Bone-marrow model of Martínez-Rubio et al. (2021), "[M]" in MODELS.md §2:
//! four B-cell maturation stages (B0 Pro-B … B3 immature B), a leukemic
//! clone L, effector (CA) and memory (CM) CAR T cells — and, optionally, a
//! second CAR T product (CA2, CM2) with its own α, h and ρC that shares the
//! same targets, so the share of each product can be followed (Fig. 8C).
//!
//! The system only computes derivatives ([`Marrow`] implements
//! [`OdeSystem`]); a [`Scenario`] adds what happens to the patient: timed
//! infusions, a reinfusion when L rises through a level, and the extinction
//! rule of MODELS.md §3. [`simulate`] turns a [`SimRequest`] into a
//! [`SimTable`]; [`PRESETS`] reproduce Figs. 2–8 of [M].
//!
//! ## Activation with two products
//! Each product has its own activation function F_i = A/(h_i + A), where A
//! is the CD19+ antigen load B1+B2+B3+L (shared targets; MODELS.md §2,
//! `corrected`). Binding does not consume antigen in [M], so the two products
//! do not compete for activation; they interact only through the targets
//! both kill (killing term −(α·CA + α2·CA2)·X). With CA2 = CM2 = 0 the
//! equations are exactly the one-product model.

use super::params::{self, ParamSpec, Scale};
use super::{ModelError, Sampling, SimRequest, SimTable};
use crate::solver::{
    linspace, Action, Condition, Direction, EventRecord, Events, Observer, OdeSystem, Outcome,
    OutputGrid, Settings, Solver, Stats, Trigger,
};

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

/// Which reading of the printed equations to use (MODELS.md §2, "Interpretation notes").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Variant {
    /// Default: F counts CD19+ cells only (B1+B2+B3+L), and effectors leave
    /// for the memory pool at the rate memory gains them, (1 − F)·γAM·CA.
    #[default]
    Corrected,
    /// As printed in [M]: F also counts B0, and the effector loss term reads
    /// (1 − F)·γMA·CA.
    AsPrinted,
}

impl Variant {
    /// Parse `corrected` / `as-printed`.
    pub fn parse(s: &str) -> Option<Variant> {
        match s {
            "corrected" => Some(Variant::Corrected),
            "as-printed" | "as_printed" | "printed" => Some(Variant::AsPrinted),
            _ => None,
        }
    }
}

/// The seven (or nine) equations. `p` holds every parameter and initial
/// value in the order of [`SPECS`].
#[derive(Debug, Clone, PartialEq)]
pub struct Marrow {
    /// Parameters and initial values, indexed by the constants in [`p`].
    pub p: [f64; N_PARAMS],
    /// Reading of the equations.
    pub variant: Variant,
    /// True when a second CAR T product (CA2, CM2) is part of the state.
    pub dual: bool,
}

impl Default for Marrow {
    fn default() -> Self {
        Marrow {
            p: DEFAULTS,
            variant: Variant::Corrected,
            dual: false,
        }
    }
}

impl Marrow {
    /// The initial state (length [`OdeSystem::dim`]) written into `y0`.
    pub fn initial_state(&self, y0: &mut [f64]) {
        let n = self.dim();
        y0[..n].copy_from_slice(&self.p[p::Y0..p::Y0 + n]);
    }
}

impl OdeSystem for Marrow {
    fn dim(&self) -> usize {
        if self.dual {
            9
        } else {
            7
        }
    }

    fn rhs(&self, _t: f64, y: &[f64], dy: &mut [f64]) {
        let q = &self.p;
        let (b0, b1, b2, b3, l, ca, cm) = (y[0], y[1], y[2], y[3], y[4], y[5], y[6]);
        let s = b0 + b1 + b2 + b3;
        let sh = 1.0 / (1.0 + q[p::K] * (s + l));
        let sl = 1.0 / (1.0 + q[p::K] * s);
        let printed = self.variant == Variant::AsPrinted;
        // CD19+ antigen load (MODELS.md §2: `corrected` sums CD19+ cells only;
        // `as-printed` adds B0). Clamped at 0 so a tiny negative excursion of
        // the dense output cannot make F leave [0, 1].
        let a = (b1 + b2 + b3 + l + if printed { b0 } else { 0.0 }).max(0.0);
        let act = |h: f64| if a + h > 0.0 { a / (h + a) } else { 0.0 };
        let f1 = act(q[p::H]);
        let mut kill = q[p::ALPHA] * ca;
        // Effector → memory loss rate: γAM (corrected) or γMA (as printed), MODELS.md §2.
        let loss = if printed {
            q[p::GAMMAMA]
        } else {
            q[p::GAMMAAM]
        };
        if self.dual {
            let (ca2, cm2) = (y[7], y[8]);
            kill += q[p::ALPHA2] * ca2;
            let f2 = act(q[p::H2]);
            dy[7] = f2 * (q[p::RHOC2] * ca2 + q[p::GAMMAMA] * cm2)
                - ca2 / q[p::TAUA]
                - (1.0 - f2) * loss * ca2;
            dy[8] = (1.0 - f2) * q[p::GAMMAAM] * ca2 - cm2 / q[p::TAUM] - f2 * q[p::GAMMAMA] * cm2;
        }
        dy[0] = sh * q[p::RHO0] * b0 - q[p::GAMMA0] * b0;
        dy[1] = sh * q[p::RHO1] * b1 + q[p::GAMMA0] * b0 - q[p::GAMMA1] * b1 - kill * b1;
        dy[2] = sh * q[p::RHO2] * b2 + q[p::GAMMA1] * b1 - q[p::GAMMA2] * b2 - kill * b2;
        dy[3] = q[p::GAMMA2] * b2 - q[p::GAMMA3] * b3 - kill * b3;
        dy[4] = sl * q[p::RHOL] * l * (1.0 - l / q[p::LMAX]) - q[p::GAMMAL] * l - kill * l;
        dy[5] =
            f1 * (q[p::RHOC] * ca + q[p::GAMMAMA] * cm) - ca / q[p::TAUA] - (1.0 - f1) * loss * ca;
        dy[6] = (1.0 - f1) * q[p::GAMMAAM] * ca - cm / q[p::TAUM] - f1 * q[p::GAMMAMA] * cm;
    }
}

/// Healthy homeostasis of equations 1a–1d (B cells only: L = CA = CM = 0),
/// solved algebraically. With B0 > 0, dB0/dt = 0 forces sH = γ0/ρ0, hence
/// the total S = (ρ0/γ0 − 1)/k; then B1 = γ0·B0/(γ1 − sH·ρ1),
/// B2 = γ1·B1/(γ2 − sH·ρ2), B3 = γ2·B2/γ3, and S fixes B0.
///
/// Returns `[B0, B1, B2, B3]`, or an error when these parameters have no
/// positive steady state.
pub fn homeostasis(par: &[f64; N_PARAMS]) -> Result<[f64; 4], ModelError> {
    let (r0, r1, r2) = (par[p::RHO0], par[p::RHO1], par[p::RHO2]);
    let (g0, g1, g2, g3) = (
        par[p::GAMMA0],
        par[p::GAMMA1],
        par[p::GAMMA2],
        par[p::GAMMA3],
    );
    let k = par[p::K];
    let none = |why: &str| {
        Err(ModelError::Invalid(format!(
            "no positive B-cell steady state: {why}"
        )))
    };
    if !(g0 > 0.0 && r0 > g0) {
        return none("Pro-B cells need ρ0 > γ0 > 0 to sustain themselves");
    }
    let sh = g0 / r0;
    let total = (r0 / g0 - 1.0) / k;
    let d1 = g1 - sh * r1;
    let d2 = g2 - sh * r2;
    if !(d1 > 0.0 && d2 > 0.0 && g3 > 0.0) {
        return none("a CD19+ compartment would grow without bound (γi ≤ sH·ρi)");
    }
    let x1 = g0 / d1;
    let x2 = x1 * g1 / d2;
    let x3 = x2 * g2 / g3;
    let b0 = total / (1.0 + x1 + x2 + x3);
    Ok([b0, b0 * x1, b0 * x2, b0 * x3])
}

/// A timed infusion: add `cells` to state `state` at day `t`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Dose {
    /// Day of the infusion.
    pub t: f64,
    /// State index (see [`ix`]).
    pub state: usize,
    /// Cells infused.
    pub cells: f64,
}

/// A state-triggered infusion: when L rises through `level`, add `cells` to
/// `state` (once). With `fallback_day`, a patient whose leukemia has never
/// gone below `level` by that day (no initial response) gets the dose then
/// instead (Fig. 8 protocol of [M]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Reinfusion {
    /// Leukemia level whose upward crossing triggers the dose.
    pub level: f64,
    /// State index receiving the cells.
    pub state: usize,
    /// Cells infused.
    pub cells: f64,
    /// Day of the dose for patients with no initial response.
    pub fallback_day: Option<f64>,
}

/// Label of the extinction event in the event log.
pub const EXTINCTION_LABEL: &str = "leukemia extinct (L < threshold)";
/// Label of the state-triggered reinfusion.
pub const REINFUSION_LABEL: &str = "reinfusion (L rose through level)";
/// Label of the fallback reinfusion (no initial response).
pub const FALLBACK_LABEL: &str = "reinfusion (no initial response)";

/// One patient course to simulate: the equations plus what happens to the patient.
#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    /// The system (parameters, initial values, variant, products).
    pub model: Marrow,
    /// Extinction threshold for L (MODELS.md §3: below one cell L is set to
    /// 0 and held there); `None` switches the rule off.
    pub extinction: Option<f64>,
    /// Timed infusions.
    pub doses: Vec<Dose>,
    /// State-triggered reinfusion.
    pub reinfusion: Option<Reinfusion>,
    /// End of the simulation, days.
    pub t_end: f64,
}

impl Default for Scenario {
    fn default() -> Self {
        Scenario {
            model: Marrow::default(),
            extinction: Some(1.0),
            doses: Vec::new(),
            reinfusion: None,
            t_end: 270.0,
        }
    }
}

/// A preset: a scenario of [M] and the figure it reproduces.
#[derive(Debug, Clone, Copy)]
pub struct Preset {
    /// Name used on the CLI and in URLs.
    pub name: &'static str,
    /// Figure of [M] reproduced.
    pub figure: &'static str,
    /// One line on what it shows.
    pub description: &'static str,
    /// Settings applied on top of the defaults (same syntax as `--set`).
    pub sets: &'static [(&'static str, &'static str)],
    /// Default end of the simulation, days.
    pub t_end: f64,
    /// The sweep the figure is made of, if any.
    pub sweep: PresetSweep,
}

/// The sweep behind a figure.
#[derive(Debug, Clone, Copy)]
pub enum PresetSweep {
    /// A single course.
    None,
    /// Overlaid courses: for each (parameter, values) a 1-D sweep (Figs. 4, 5).
    Courses(&'static [(&'static str, &'static [f64])]),
    /// Heatmaps of log10 L at day 30 over pairs of parameters (Fig. 6):
    /// `(x, y)` axis specs `NAME:LO:HI:lin|log:N`.
    Heatmaps(&'static [(&'static str, &'static str)]),
    /// The 4,000-patient experiment (Fig. 7).
    Fig7,
}

/// Standard initial state of Figs. 3–8 plus the scenario's own values.
const STD: &[(&str, &str)] = &[];

// Non-responders used for Fig. 8 (three patients from the Fig. 6 heatmaps
// whose L30 ≥ 1; [M] marks them on the heatmaps without printing values, so
// cartsim picks points of the same regions — see docs/marrow.md).
const FIG8_A: &[(&str, &str)] = &[
    ("h", "2e10"),
    ("rhoC", "0.9"),
    ("alpha", "3e-10"),
    ("reinfuse", "1e8:CA:5e8:30"),
];

/// Every preset of the marrow model.
pub static PRESETS: &[Preset] = &[
    Preset {
        name: "fig2",
        figure: "Fig. 2 of [M]",
        description: "no B-cell production: leukemia cleared, CAR T expand ~10 days, then a biphasic decline carried by memory cells",
        sets: &[("B0", "0"), ("B1", "0"), ("B2", "0"), ("B3", "0"), ("h", "5e8")],
        t_end: 270.0,
        sweep: PresetSweep::None,
    },
    Preset {
        name: "fig3",
        figure: "Fig. 3 of [M]",
        description: "full model: CD19+ cells cleared, B cells recover after day 30, memory reactivates near day 50, steady state by 6 months dominated by Pro-B",
        sets: STD,
        t_end: 270.0,
        sweep: PresetSweep::None,
    },
    Preset {
        name: "fig4",
        figure: "Fig. 4 of [M]",
        description: "sensitivity to initial leukemia, total B cells and CAR T dose (three values each, an order of magnitude apart): outcome unchanged",
        sets: STD,
        t_end: 30.0,
        sweep: PresetSweep::Courses(&[
            ("L", &[2e12, 2e11, 2e10]),
            ("Btot", &[3.21e9, 3.21e8, 3.21e7]),
            ("CA", &[5e8, 5e7, 5e6]),
        ]),
    },
    Preset {
        name: "fig5",
        figure: "Fig. 5 of [M]",
        description: "sensitivity to the product's killing capacity α, activation threshold h and proliferation ρC (h = 5e8 baseline), first 30 days",
        sets: &[("h", "5e8")],
        t_end: 30.0,
        sweep: PresetSweep::Courses(&[
            ("alpha", &[3e-9, 3e-10, 3e-11]),
            ("h", &[5e8, 5e9, 5e10]),
            ("rhoC", &[0.9, 0.6, 0.3]),
        ]),
    },
    Preset {
        name: "fig6",
        figure: "Fig. 6 of [M]",
        description: "log10 L at day 30 over pairs of (α, h, ρC) on 200×200 grids; a single course runs 6 months",
        sets: STD,
        t_end: 180.0,
        sweep: PresetSweep::Heatmaps(&[
            ("alpha:3e-11:3e-9:log:200", "h:1e8:1e11:log:200"),
            ("alpha:3e-11:3e-9:log:200", "rhoC:0.4:1:lin:200"),
            ("h:1e8:1e11:log:200", "rhoC:0.4:1:lin:200"),
        ]),
    },
    Preset {
        name: "fig7",
        figure: "Fig. 7 of [M]",
        description: "4,000 patients over ρC × α × h: responders vs non-responders, fold expansion and time to peak (a single course is Fig. 7A's typical one)",
        sets: STD,
        t_end: 60.0,
        sweep: PresetSweep::Fig7,
    },
    Preset {
        name: "fig8",
        figure: "Fig. 8A of [M]",
        description: "non-responder (h = 2e10) reinfused with 5e8 cells of the same product when L rises through 1e8 (day 30 if no response)",
        sets: FIG8_A,
        t_end: 180.0,
        sweep: PresetSweep::None,
    },
    Preset {
        name: "fig8a",
        figure: "Fig. 8A of [M]",
        description: "same as fig8: standard second dose (5e8 cells, same product)",
        sets: FIG8_A,
        t_end: 180.0,
        sweep: PresetSweep::None,
    },
    Preset {
        name: "fig8b",
        figure: "Fig. 8B of [M]",
        description: "non-responder reinfused with a larger dose, 5e9 cells of the same product",
        sets: &[("h", "2e10"), ("rhoC", "0.9"), ("alpha", "3e-10"), ("reinfuse", "1e8:CA:5e9:30")],
        t_end: 180.0,
        sweep: PresetSweep::None,
    },
    Preset {
        name: "fig8c",
        figure: "Fig. 8C and S2 of [M]",
        description: "non-responder reinfused with 5e8 cells of a new product (h2 = 5e8, ρC2 = 0.9) followed as its own CA2/CM2 pair",
        sets: &[
            ("h", "2e10"),
            ("rhoC", "0.9"),
            ("alpha", "3e-10"),
            ("h2", "5e8"),
            ("rhoC2", "0.9"),
            ("alpha2", "3e-10"),
            ("reinfuse", "1e8:CA2:5e8:30"),
        ],
        t_end: 180.0,
        sweep: PresetSweep::None,
    },
    Preset {
        name: "fig8-bcells",
        figure: "Fig. S4 of [M]",
        description: "non-responder given an infusion of 3e8 immature (CD19+) B cells instead of CAR T when L rises through 1e8 (day 30 if no response)",
        sets: &[("h", "2e10"), ("rhoC", "0.9"), ("alpha", "3e-10"), ("reinfuse", "1e8:B3:3e8:30")],
        t_end: 180.0,
        sweep: PresetSweep::None,
    },
];

/// Find a preset by name.
pub fn preset(name: &str) -> Result<&'static Preset, ModelError> {
    PRESETS
        .iter()
        .find(|p| p.name == name)
        .ok_or_else(|| ModelError::UnknownPreset {
            name: name.to_string(),
            known: PRESETS.iter().map(|p| p.name).collect(),
        })
}

/// Names accepted by [`Scenario::set`] besides the parameters of [`SPECS`].
pub const OPTIONS: &str =
    "variant=corrected|as-printed, extinction=on|off, extinction_level=CELLS, \
Btot=CELLS (rescale B0..B3 to this total), dose=DAY:STATE:CELLS (repeatable), \
reinfuse=LEVEL:STATE:CELLS[:FALLBACK_DAY]";

fn state_index(name: &str) -> Result<usize, ModelError> {
    STATE_NAMES.iter().position(|s| *s == name).ok_or_else(|| {
        ModelError::Invalid(format!(
            "unknown state '{name}'; expected one of {}",
            STATE_NAMES.join(", ")
        ))
    })
}

fn number(what: &str, text: &str) -> Result<f64, ModelError> {
    match text.trim().parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        _ => Err(ModelError::Invalid(format!(
            "{what}: '{text}' is not a finite number"
        ))),
    }
}

fn non_negative(what: &str, text: &str) -> Result<f64, ModelError> {
    let v = number(what, text)?;
    if v < 0.0 {
        return Err(ModelError::Invalid(format!("{what} must be ≥ 0, got {v}")));
    }
    Ok(v)
}

/// Builder state while settings are applied (tracks which tied defaults
/// were set explicitly).
#[derive(Debug, Clone, Default)]
struct Ties {
    rho_l: bool,
    gamma_l: bool,
    alpha2: bool,
    h2: bool,
    rho_c2: bool,
}

impl Scenario {
    /// Build the scenario of a preset with `sets` applied on top (in order).
    pub fn from_preset(name: &str, sets: &[(String, String)]) -> Result<Scenario, ModelError> {
        let pre = preset(name)?;
        let mut sc = Scenario {
            t_end: pre.t_end,
            ..Scenario::default()
        };
        let mut ties = Ties::default();
        for (k, v) in pre.sets {
            sc.apply(k, v, &mut ties)?;
        }
        for (k, v) in sets {
            sc.apply(k, v, &mut ties)?;
        }
        sc.resolve(&ties);
        Ok(sc)
    }

    /// Apply one `NAME=VALUE` setting (a parameter of [`SPECS`] or one of [`OPTIONS`]).
    pub fn set(&mut self, name: &str, value: &str) -> Result<(), ModelError> {
        // A lone set counts as explicit: ties are resolved against defaults only in from_preset.
        let mut ties = Ties {
            rho_l: true,
            gamma_l: true,
            alpha2: true,
            h2: true,
            rho_c2: true,
        };
        self.apply(name, value, &mut ties)
    }

    fn apply(&mut self, name: &str, value: &str, ties: &mut Ties) -> Result<(), ModelError> {
        match name {
            "variant" => {
                self.model.variant = Variant::parse(value.trim()).ok_or_else(|| {
                    ModelError::Invalid(format!(
                        "variant '{value}': expected corrected or as-printed"
                    ))
                })?
            }
            "extinction" => match value.trim() {
                "on" | "true" | "1" => self.extinction = Some(self.extinction.unwrap_or(1.0)),
                "off" | "false" | "0" => self.extinction = None,
                other => {
                    return Err(ModelError::Invalid(format!(
                        "extinction '{other}': expected on or off"
                    )))
                }
            },
            "extinction_level" => {
                let v = number("extinction_level", value)?;
                if v <= 0.0 {
                    return Err(ModelError::Invalid(format!(
                        "extinction_level must be > 0, got {v}"
                    )));
                }
                if self.extinction.is_some() {
                    self.extinction = Some(v);
                }
            }
            "Btot" => {
                let v = non_negative("Btot", value)?;
                self.set_btot(v)?;
            }
            "dose" => {
                let parts: Vec<&str> = value.split(':').collect();
                if parts.len() != 3 {
                    return Err(ModelError::Invalid(format!(
                        "dose '{value}': expected DAY:STATE:CELLS"
                    )));
                }
                let t = non_negative("dose day", parts[0])?;
                let state = state_index(parts[1].trim())?;
                let cells = non_negative("dose cells", parts[2])?;
                self.doses.push(Dose { t, state, cells });
            }
            "reinfuse" => {
                let parts: Vec<&str> = value.split(':').collect();
                if !(parts.len() == 3 || parts.len() == 4) {
                    return Err(ModelError::Invalid(format!(
                        "reinfuse '{value}': expected LEVEL:STATE:CELLS[:FALLBACK_DAY]"
                    )));
                }
                let level = non_negative("reinfusion level", parts[0])?;
                let state = state_index(parts[1].trim())?;
                let cells = non_negative("reinfusion cells", parts[2])?;
                let fallback_day = match parts.get(3) {
                    Some(d) => Some(non_negative("reinfusion fallback day", d)?),
                    None => None,
                };
                self.reinfusion = Some(Reinfusion {
                    level,
                    state,
                    cells,
                    fallback_day,
                });
            }
            _ => {
                let i = params::find(&SPECS, name)?;
                let v = SPECS[i].parse(value)?;
                self.set_param(i, v, ties);
            }
        }
        Ok(())
    }

    fn set_param(&mut self, i: usize, v: f64, ties: &mut Ties) {
        self.model.p[i] = v;
        match i {
            p::RHOL => ties.rho_l = true,
            p::GAMMAL => ties.gamma_l = true,
            p::ALPHA2 => ties.alpha2 = true,
            p::H2 => ties.h2 = true,
            p::RHOC2 => ties.rho_c2 = true,
            _ => {}
        }
    }

    /// Rescale B0..B3 so they sum to `total`, keeping their proportions (Fig. 4B).
    pub fn set_btot(&mut self, total: f64) -> Result<(), ModelError> {
        let b = &mut self.model.p[p::Y0..p::Y0 + 4];
        let s: f64 = b.iter().sum();
        if s <= 0.0 {
            if total == 0.0 {
                return Ok(());
            }
            return Err(ModelError::Invalid(
                "Btot: the B-cell compartments are all 0, there are no proportions to keep".into(),
            ));
        }
        for x in b.iter_mut() {
            *x *= total / s;
        }
        Ok(())
    }

    /// Tied defaults (Table 1 of [M]): ρL = ρ1 and γL = 0.001·γ3 unless set;
    /// the second product copies product 1's α, h, ρC unless set. A second
    /// product exists when CA2 or CM2 start above 0 or a dose targets them.
    fn resolve(&mut self, ties: &Ties) {
        let q = &mut self.model.p;
        if !ties.rho_l {
            q[p::RHOL] = q[p::RHO1];
        }
        if !ties.gamma_l {
            q[p::GAMMAL] = 0.001 * q[p::GAMMA3];
        }
        if !ties.alpha2 {
            q[p::ALPHA2] = q[p::ALPHA];
        }
        if !ties.h2 {
            q[p::H2] = q[p::H];
        }
        if !ties.rho_c2 {
            q[p::RHOC2] = q[p::RHOC];
        }
        let targets2 = |s: usize| s == ix::CA2 || s == ix::CM2;
        self.model.dual = q[p::Y0 + ix::CA2] > 0.0
            || q[p::Y0 + ix::CM2] > 0.0
            || self.doses.iter().any(|d| targets2(d.state))
            || self.reinfusion.is_some_and(|r| targets2(r.state))
            || ties.alpha2
            || ties.h2
            || ties.rho_c2;
    }

    /// Check the scenario against itself (doses inside the horizon, states that exist).
    pub fn validate(&self) -> Result<(), ModelError> {
        let dim = self.model.dim();
        if !(self.t_end.is_finite() && self.t_end > 0.0) {
            return Err(ModelError::Invalid(format!(
                "the end of the simulation must be > 0 days, got {}",
                self.t_end
            )));
        }
        for d in &self.doses {
            if d.t > self.t_end {
                return Err(ModelError::Invalid(format!(
                    "a dose at day {} lies after the end of the simulation (day {})",
                    d.t, self.t_end
                )));
            }
            if d.state >= dim {
                return Err(ModelError::Invalid(
                    "dose to a state that does not exist".into(),
                ));
            }
        }
        Ok(())
    }

    fn extinction_trigger(&self) -> Option<Trigger> {
        self.extinction.map(|level| Trigger {
            // MODELS.md §3: L below one cell (adjustable) is set to 0 and held.
            condition: Condition::Threshold {
                component: ix::L,
                level,
            },
            direction: Direction::Falling,
            action: Action::Extinguish { component: ix::L },
            once: true,
            fire_if_initially_past: true,
            label: EXTINCTION_LABEL.to_string(),
        })
    }

    fn reinfusion_trigger(r: &Reinfusion) -> Trigger {
        Trigger {
            condition: Condition::Threshold {
                component: ix::L,
                level: r.level,
            },
            direction: Direction::Rising,
            action: Action::Add {
                component: r.state,
                amount: r.cells,
            },
            once: true,
            fire_if_initially_past: false,
            label: REINFUSION_LABEL.to_string(),
        }
    }

    /// Events for the interval [t0, t1]: timed doses inside it, extinction
    /// and (when `armed`) the reinfusion trigger.
    fn events(&self, t0: f64, t1: f64, first: bool, armed: bool) -> Events {
        let mut ev = Events::none();
        for d in &self.doses {
            let inside = if first {
                d.t >= t0 && d.t <= t1
            } else {
                d.t > t0 && d.t <= t1
            };
            if inside {
                ev.at(
                    d.t,
                    Action::Add {
                        component: d.state,
                        amount: d.cells,
                    },
                    format!("dose of {:e} cells into {}", d.cells, STATE_NAMES[d.state]),
                );
            }
        }
        if let Some(tr) = self.extinction_trigger() {
            ev.when(tr);
        }
        if armed {
            if let Some(r) = &self.reinfusion {
                ev.when(Self::reinfusion_trigger(r));
            }
        }
        ev
    }

    /// Prepared events for repeated solves of this scenario (sweeps): built
    /// once, reused for every point.
    pub fn prepare(&self) -> Prepared {
        let split = self
            .reinfusion
            .and_then(|r| r.fallback_day)
            .filter(|d| *d > 0.0 && *d < self.t_end);
        match split {
            None => Prepared {
                first: self.events(0.0, self.t_end, true, true),
                split: None,
            },
            Some(tf) => Prepared {
                first: self.events(0.0, tf, true, true),
                split: Some(Split {
                    t: tf,
                    armed: self.events(tf, self.t_end, false, true),
                    unarmed: self.events(tf, self.t_end, false, false),
                }),
            },
        }
    }

    /// Run the scenario with a reusable `solver`, sending output to `obs`.
    /// `grid` gives output times (`None`: every accepted step). Returns the
    /// final outcome with the events of every segment.
    pub fn run<O: Observer + ?Sized>(
        &self,
        prepared: &Prepared,
        solver: &mut Solver,
        settings: &Settings,
        grid: &OutputGrid,
        obs: &mut O,
    ) -> Result<Outcome, ModelError> {
        self.validate()?;
        let mut y0 = [0.0; 9];
        self.model.initial_state(&mut y0);
        let dim = self.model.dim();
        let y0 = &y0[..dim];
        let Some(split) = &prepared.split else {
            return Ok(solver.solve(
                &self.model,
                0.0,
                y0,
                self.t_end,
                settings,
                &prepared.first,
                grid,
                obs,
            )?);
        };
        let tf = split.t;
        let (g1, g2) = split_grid(grid, tf);
        let first = solver.solve(
            &self.model,
            0.0,
            y0,
            tf,
            settings,
            &prepared.first,
            &g1,
            obs,
        )?;
        let fired = first.events.iter().any(|e| e.label == REINFUSION_LABEL);
        let r = self.reinfusion.expect("split implies a reinfusion");
        // No initial response: L never went below the level (the rising
        // trigger could not have fired) and is above it now — dose at the fallback day.
        let no_response = !fired && first.y[ix::L] >= r.level;
        let mut ys = first.y.clone();
        let mut extra = None;
        if no_response {
            let before = ys.clone();
            ys[r.state] += r.cells;
            extra = Some(EventRecord {
                t: tf,
                label: FALLBACK_LABEL.to_string(),
                before,
                after: ys.clone(),
            });
        }
        let events = if fired || no_response {
            &split.unarmed
        } else {
            &split.armed
        };
        let extinct_before = first.y[ix::L] == 0.0;
        let second = solver.solve(&self.model, tf, &ys, self.t_end, settings, events, &g2, obs)?;
        let mut records = first.events;
        records.extend(extra);
        records.extend(
            second
                .events
                .into_iter()
                .filter(|e| !(extinct_before && e.label == EXTINCTION_LABEL)),
        );
        Ok(Outcome {
            t: second.t,
            y: second.y,
            stats: Stats {
                accepted: first.stats.accepted + second.stats.accepted,
                rejected: first.stats.rejected + second.stats.rejected,
                rhs_evals: first.stats.rhs_evals + second.stats.rhs_evals,
                events: records.len(),
            },
            events: records,
            stopped: second.stopped,
        })
    }
}

/// Events of a scenario, built once for many solves.
#[derive(Debug, Clone)]
pub struct Prepared {
    first: Events,
    split: Option<Split>,
}

#[derive(Debug, Clone)]
struct Split {
    t: f64,
    armed: Events,
    unarmed: Events,
}

fn split_grid(grid: &OutputGrid, tf: f64) -> (OutputGrid, OutputGrid) {
    let part = |g: &[f64]| {
        let a: Vec<f64> = g.iter().copied().filter(|t| *t <= tf).collect();
        let b: Vec<f64> = g.iter().copied().filter(|t| *t > tf).collect();
        (a, b)
    };
    match grid {
        OutputGrid::Times(g) => {
            let (a, b) = part(g);
            (OutputGrid::Times(a), OutputGrid::Times(b))
        }
        OutputGrid::Both(g) => {
            let (a, b) = part(g);
            (OutputGrid::Both(a), OutputGrid::Both(b))
        }
        other => (other.clone(), other.clone()),
    }
}

/// Column names for a system with or without a second product.
pub fn columns(dual: bool) -> Vec<String> {
    let n = if dual { 9 } else { 7 };
    let mut c = vec!["t".to_string()];
    c.extend(STATE_NAMES[..n].iter().map(|s| s.to_string()));
    c.extend(["car_t_total", "b_total", "b_cd19"].map(String::from));
    if dual {
        c.extend(["car_t_product1", "car_t_product2", "share_product2"].map(String::from));
    }
    c
}

/// Appends rows (state + derived columns) to a table.
struct TableObserver {
    dual: bool,
    rows: Vec<f64>,
    last: Option<(f64, [f64; 9])>,
}

impl Observer for TableObserver {
    fn observe(&mut self, t: f64, y: &[f64]) {
        let n = y.len();
        let mut yy = [0.0; 9];
        yy[..n].copy_from_slice(y);
        // Skip an exact repeat (a segment boundary reported twice).
        if let Some((lt, ly)) = &self.last {
            if *lt == t && ly[..n] == yy[..n] {
                return;
            }
        }
        self.last = Some((t, yy));
        self.rows.push(t);
        self.rows.extend_from_slice(y);
        let c1 = y[ix::CA] + y[ix::CM];
        let c2 = if self.dual {
            y[ix::CA2] + y[ix::CM2]
        } else {
            0.0
        };
        self.rows.push(c1 + c2);
        self.rows.push(y[0] + y[1] + y[2] + y[3]);
        self.rows.push(y[1] + y[2] + y[3]);
        if self.dual {
            self.rows.push(c1);
            self.rows.push(c2);
            self.rows
                .push(if c1 + c2 > 0.0 { c2 / (c1 + c2) } else { 0.0 });
        }
    }
}

/// Output grid for a sampling request.
pub fn output_grid(sampling: &Sampling, t_end: f64) -> Result<OutputGrid, ModelError> {
    Ok(match sampling {
        Sampling::Steps => OutputGrid::Steps,
        Sampling::Times(ts) => {
            if let Some(bad) = ts.iter().find(|t| !(**t >= 0.0 && **t <= t_end)) {
                return Err(ModelError::Invalid(format!(
                    "output time {bad} lies outside [0, {t_end}]"
                )));
            }
            let mut v = ts.clone();
            v.sort_by(f64::total_cmp);
            OutputGrid::Times(v)
        }
        Sampling::Every(dt) => {
            if !(dt.is_finite() && *dt > 0.0) {
                return Err(ModelError::Invalid(format!(
                    "--every must be > 0, got {dt}"
                )));
            }
            let n = (t_end / dt).floor() as usize;
            if n > 10_000_000 {
                return Err(ModelError::Invalid("too many output points".into()));
            }
            let mut v: Vec<f64> = (0..=n).map(|i| i as f64 * dt).collect();
            if v.last().is_some_and(|l| *l < t_end) {
                v.push(t_end);
            }
            OutputGrid::Times(v)
        }
    })
}

/// Simulate one course of a scenario into a table.
pub fn simulate_scenario(
    sc: &Scenario,
    settings: &Settings,
    sampling: &Sampling,
) -> Result<SimTable, ModelError> {
    let grid = output_grid(sampling, sc.t_end)?;
    let mut obs = TableObserver {
        dual: sc.model.dual,
        rows: Vec::new(),
        last: None,
    };
    let prepared = sc.prepare();
    let out = sc.run(&prepared, &mut Solver::new(), settings, &grid, &mut obs)?;
    Ok(SimTable {
        columns: columns(sc.model.dual),
        rows: obs.rows,
        stats: out.stats,
        events: out.events,
    })
}

/// Build the scenario a request describes (preset, then `--set`s, then `--t-end`).
pub fn scenario(req: &SimRequest) -> Result<Scenario, ModelError> {
    let mut sc = Scenario::from_preset(&req.preset, &req.sets)?;
    if let Some(t) = req.t_end {
        sc.t_end = t;
    }
    sc.validate()?;
    Ok(sc)
}

/// Simulate a request: CSV columns `t,B0,B1,B2,B3,L,CA,CM` (then `CA2,CM2`
/// with a second product), then derived columns.
pub fn simulate(req: &SimRequest) -> Result<SimTable, ModelError> {
    let sc = scenario(req)?;
    simulate_scenario(&sc, &req.settings, &req.sampling)
}

/// A convenience for tests and docs: the linspace grid used by sweeps.
pub fn day_grid(t_end: f64, per_day: usize) -> Vec<f64> {
    linspace(
        0.0,
        t_end,
        (t_end * per_day as f64).round().max(1.0) as usize,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_and_defaults_agree() {
        for (s, d) in SPECS.iter().zip(DEFAULTS) {
            assert!(
                s.check(d).is_ok(),
                "{} default {d} outside its range",
                s.name
            );
        }
        let names: Vec<_> = SPECS.iter().map(|s| s.name).collect();
        for n in STATE_NAMES {
            assert!(names.contains(&n));
        }
    }

    #[test]
    fn homeostasis_matches_hand_computation() {
        // By hand: sH = γ0/ρ0 = 0.02/(ln2/8); S = (ρ0/γ0 − 1)/k.
        let r0 = std::f64::consts::LN_2 / 8.0;
        let s_total = (r0 / 0.02 - 1.0) / 1e-10;
        let b = homeostasis(&DEFAULTS).unwrap();
        let total: f64 = b.iter().sum();
        assert!((total / s_total - 1.0).abs() < 1e-12);
        assert!((3.0e10..3.6e10).contains(&total), "total {total}");
        // Pre-BII most abundant, then immature (text of [M], Fig. 3B).
        assert!(b[2] > b[3] && b[3] > b[1] && b[1] > b[0]);
        let rhs_zero = {
            let mut m = Marrow::default();
            m.p[p::Y0..p::Y0 + 4].copy_from_slice(&b);
            m.p[p::Y0 + ix::L] = 0.0;
            m.p[p::Y0 + ix::CA] = 0.0;
            let mut y = [0.0; 7];
            m.initial_state(&mut y);
            let mut dy = [0.0; 7];
            m.rhs(0.0, &y, &mut dy);
            dy.iter()
                .zip(&y)
                .all(|(d, y)| d.abs() <= 1e-12 * y.abs().max(1.0))
        };
        assert!(rhs_zero);
    }

    #[test]
    fn ties_follow_rho1_and_gamma3() {
        let sc = Scenario::from_preset(
            "fig3",
            &[
                ("rho1".into(), "0.5".into()),
                ("gamma3".into(), "0.3".into()),
            ],
        )
        .unwrap();
        assert_eq!(sc.model.p[p::RHOL], 0.5);
        assert!((sc.model.p[p::GAMMAL] - 0.0003).abs() < 1e-15);
        assert!(!sc.model.dual);
    }

    #[test]
    fn bad_settings_are_errors() {
        for (k, v) in [
            ("variant", "x"),
            ("extinction", "maybe"),
            ("dose", "1:XX:5"),
            ("dose", "1:CA"),
            ("reinfuse", "a:CA:1"),
            ("alpha", "-1"),
            ("nope", "1"),
            ("Btot", "-3"),
        ] {
            assert!(
                Scenario::from_preset("fig3", &[(k.into(), v.into())]).is_err(),
                "{k}={v} accepted"
            );
        }
        assert!(Scenario::from_preset("fig9", &[]).is_err());
    }
}
