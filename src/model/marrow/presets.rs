//! The marrow model's presets: the scenarios of Figs. 2–8 of [M].

use crate::model::ModelError;

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
    /// For a comparison preset (one panel of Fig. 4 or 5): its runs, as
    /// run queries against the preset, in the paper's order (largest value
    /// first: solid, dashed, dotted); empty for a single course.
    pub runs: &'static [&'static str],
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
const FIG8_NONE: &[(&str, &str)] = &[("h", "2e10"), ("rhoC", "0.9"), ("alpha", "3e-10")];
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
        runs: &[],
    },
    Preset {
        name: "fig3",
        figure: "Fig. 3 of [M]",
        description: "full model: CD19+ cells cleared, B cells recover after day 30, memory reactivates near day 50, steady state by 6 months dominated by Pro-B",
        sets: STD,
        t_end: 270.0,
        sweep: PresetSweep::None,
        runs: &[],
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
        runs: &[],
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
        runs: &[],
    },
    Preset {
        name: "fig4a",
        figure: "Fig. 4A of [M]",
        description: "three initial leukemia loads (2e12, 2e11, 2e10 cells) as three pinned runs, first 30 days",
        sets: STD,
        t_end: 30.0,
        sweep: PresetSweep::None,
        runs: &["L=2e12", "L=2e11", "L=2e10"],
    },
    Preset {
        name: "fig4b",
        figure: "Fig. 4B of [M]",
        description: "three B-cell levels (every compartment ×10, ×1, ×0.1: 3.21e9, 3.21e8, 3.21e7 cells in all) as three pinned runs",
        sets: STD,
        t_end: 30.0,
        sweep: PresetSweep::None,
        runs: &[
            "B0=1e7&B1=3e8&B2=2e9&B3=9e8",
            "B0=1e6&B1=3e7&B2=2e8&B3=9e7",
            "B0=1e5&B1=3e6&B2=2e7&B3=9e6",
        ],
    },
    Preset {
        name: "fig4c",
        figure: "Fig. 4C of [M]",
        description: "three CAR T doses (5e8, 5e7, 5e6 cells) as three pinned runs, first 30 days",
        sets: STD,
        t_end: 30.0,
        sweep: PresetSweep::None,
        runs: &["CA=5e8", "CA=5e7", "CA=5e6"],
    },
    Preset {
        name: "fig5a",
        figure: "Fig. 5A of [M]",
        description: "three killing capacities (α = 3e-9, 3e-10, 3e-11) at h = 5e8 as three pinned runs, first 30 days",
        sets: &[("h", "5e8")],
        t_end: 30.0,
        sweep: PresetSweep::None,
        runs: &["alpha=3e-9", "alpha=3e-10", "alpha=3e-11"],
    },
    Preset {
        name: "fig5b",
        figure: "Fig. 5B of [M]",
        description: "three activation thresholds (h = 5e9, 5e8, 5e7) as three pinned runs, first 30 days",
        sets: &[("h", "5e8")],
        t_end: 30.0,
        sweep: PresetSweep::None,
        runs: &["h=5e9", "h=5e8", "h=5e7"],
    },
    Preset {
        name: "fig5c",
        figure: "Fig. 5C of [M]",
        description: "three proliferation rates (ρC = 0.9, 0.6, 0.3 per day) at h = 5e8 as three pinned runs, first 30 days",
        sets: &[("h", "5e8")],
        t_end: 30.0,
        sweep: PresetSweep::None,
        runs: &["rhoC=0.9", "rhoC=0.6", "rhoC=0.3"],
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
        runs: &[],
    },
    Preset {
        name: "fig7",
        figure: "Fig. 7 of [M]",
        description: "4,000 patients over ρC × α × h: responders vs non-responders, fold expansion and time to peak (a single course is Fig. 7A's typical one)",
        sets: STD,
        t_end: 60.0,
        sweep: PresetSweep::Fig7,
        runs: &[],
    },
    Preset {
        name: "fig8",
        figure: "Fig. 8 of [M]",
        description: "the non-responder of Fig. 8 (h = 2e10) given one infusion only: the relapse the fig8a–c scenarios treat",
        sets: FIG8_NONE,
        t_end: 180.0,
        sweep: PresetSweep::None,
        runs: &[],
    },
    Preset {
        name: "fig8a",
        figure: "Fig. 8A of [M]",
        description: "the fig8 non-responder reinfused with 5e8 cells of the same product when L rises through 1e8 (day 30 if no response)",
        sets: FIG8_A,
        t_end: 180.0,
        sweep: PresetSweep::None,
        runs: &[],
    },
    Preset {
        name: "fig8b",
        figure: "Fig. 8B of [M]",
        description: "non-responder reinfused with a larger dose, 5e9 cells of the same product",
        sets: &[("h", "2e10"), ("rhoC", "0.9"), ("alpha", "3e-10"), ("reinfuse", "1e8:CA:5e9:30")],
        t_end: 180.0,
        sweep: PresetSweep::None,
        runs: &[],
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
        runs: &[],
    },
    Preset {
        name: "fig8-bcells",
        figure: "Fig. S4 of [M]",
        description: "non-responder given an infusion of 3e8 immature (CD19+) B cells instead of CAR T when L rises through 1e8 (day 30 if no response)",
        sets: &[("h", "2e10"), ("rhoC", "0.9"), ("alpha", "3e-10"), ("reinfuse", "1e8:B3:3e8:30")],
        t_end: 180.0,
        sweep: PresetSweep::None,
        runs: &[],
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
