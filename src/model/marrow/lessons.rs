//! What to notice in each preset of the bone-marrow model [M], in our own
//! words, every factual sentence a checked [`Claim`] (run by
//! `tests/lessons.rs`), and the paper's matching statement. Where the
//! simulation and the paper differ, the claim says what the simulation
//! does and the paper's line says what the paper reports.

use crate::model::{Check, Claim, Lesson};

/// The responder class (L30 < 1 cell).
const RESPONDER: Check = Check::Class("responder");

/// One lesson per preset.
pub const LESSONS: &[Lesson] = &[
    Lesson {
        preset: "fig2",
        title: "No B-cell production",
        figure: "Martínez-Rubio et al. 2021, Fig. 2",
        intro: "With no healthy B cells, the only target is the leukemia.",
        claims: &[
            Claim {
                text: "The CAR T cells expand for about nine days",
                check: Check::Within {
                    index: "t_peak",
                    lo: 7.0,
                    hi: 11.0,
                },
            },
            Claim {
                text: "and clear it: below one cell by day 30 (a responder).",
                check: RESPONDER,
            },
            Claim {
                text: "Switch extinction off to see why a continuous model needs the one-cell \
                       rule: the leukemia grows back from a fraction of a cell.",
                check: Check::Moves {
                    set: &[("extinction", "off")],
                    index: "L_end",
                    up: true,
                    lo: 1.0,
                    hi: 1e13,
                },
            },
        ],
        paper: "Expansion over about ten days removes the leukemia; the CAR T population then \
                contracts in two phases, the slow one carried by memory cells.",
    },
    Lesson {
        preset: "fig3",
        title: "Disease control with B-cell recovery",
        figure: "Martínez-Rubio et al. 2021, Fig. 3",
        intro: "The full model: healthy CD19+ B cells are targets too, and Pro-B cells \
                (CD19−) keep producing them.",
        claims: &[
            Claim {
                text: "The CAR T cells peak in the second week",
                check: Check::Within {
                    index: "t_peak",
                    lo: 7.0,
                    hi: 11.0,
                },
            },
            Claim {
                text: "and the leukemia is gone by day 30 (a responder)",
                check: RESPONDER,
            },
            Claim {
                text: "and stays gone to day 270.",
                check: Check::Within {
                    index: "L_end",
                    lo: 0.0,
                    hi: 1.0,
                },
            },
        ],
        paper: "B-cell recovery after day 30 re-activates memory CAR T around day 50; after \
                damped cycles the system reaches a steady state after about six months with a \
                Pro-B-dominated B-cell pool.",
    },
    Lesson {
        preset: "fig4",
        title: "Tumour load and dose barely matter",
        figure: "Martínez-Rubio et al. 2021, Fig. 4",
        intro: "",
        claims: &[
            Claim {
                text: "Ten times more leukemia at infusion: still a responder,",
                check: Check::ClassWith {
                    set: &[("L", "2e12")],
                    label: "responder",
                },
            },
            Claim {
                text: "with the same peak day.",
                check: Check::Steady {
                    set: &[("L", "2e12")],
                    index: "t_peak",
                    max_rel: 0.05,
                },
            },
            Claim {
                text: "Ten times less leukemia: still a responder.",
                check: Check::ClassWith {
                    set: &[("L", "2e10")],
                    label: "responder",
                },
            },
            Claim {
                text: "A tenfold smaller CAR T dose delays the peak by about three days (to \
                       day 11.6)",
                check: Check::Moves {
                    set: &[("CA", "5e6")],
                    index: "t_peak",
                    up: true,
                    lo: 11.0,
                    hi: 12.2,
                },
            },
            Claim {
                text: "and leaves the outcome unchanged: CAR T expansion is driven by the \
                       antigen the cells meet, not by how many were infused.",
                check: Check::ClassWith {
                    set: &[("CA", "5e6")],
                    label: "responder",
                },
            },
        ],
        paper: "Neither tumour load, B-cell level nor dose changed expansion or outcome in the \
                studied range; the largest effect was a delay of up to three days.",
    },
    Lesson {
        preset: "fig5",
        title: "Product attributes matter",
        figure: "Martínez-Rubio et al. 2021, Fig. 5",
        intro: "Now vary the product (30 days).",
        claims: &[
            Claim {
                text: "Halve the proliferation rate ρC: the peak comes about a week later",
                check: Check::Moves {
                    set: &[("rhoC", "0.5")],
                    index: "t_peak",
                    up: true,
                    lo: 14.0,
                    hi: 19.0,
                },
            },
            Claim {
                text: "and the leukemia is not controlled by day 30.",
                check: Check::ClassWith {
                    set: &[("rhoC", "0.5")],
                    label: "non-responder",
                },
            },
            Claim {
                text: "A tenfold higher activation threshold h also loses control.",
                check: Check::ClassWith {
                    set: &[("h", "5e9")],
                    label: "non-responder",
                },
            },
            Claim {
                text: "A threefold lower killing capacity α gives a larger expansion (about three \
                       times the peak), because the surviving target keeps activating the cells.",
                check: Check::Moves {
                    set: &[("alpha", "1e-10")],
                    index: "peak",
                    up: true,
                    lo: 5e10,
                    hi: 9e10,
                },
            },
        ],
        paper: "Lower ρC and higher h delay expansion and may lose control; lower α increases \
                expansion.",
    },
    Lesson {
        preset: "fig4a",
        title: "Fig. 4A: three tumour loads",
        figure: "Martínez-Rubio et al. 2021, Fig. 4A",
        intro: "Three pinned runs with 2e12, 2e11 and 2e10 leukemic cells at infusion (solid, \
                dashed, dotted, as in the paper); everything else as in Fig. 4.",
        claims: &[
            Claim {
                text: "All three are responders: the leukemia is gone by day 30.",
                check: Check::RunClasses(&["responder", "responder", "responder"]),
            },
            Claim {
                text: "The CAR T cells peak on the same day (8.5) in all three,",
                check: Check::RunValues {
                    index: "t_peak",
                    bounds: &[(8.3, 8.7), (8.3, 8.7), (8.3, 8.7)],
                },
            },
            Claim {
                text: "at about 2e10 cells in each (1.8e10 to 2.1e10): a hundredfold range of \
                       tumour load hardly changes the expansion. The simulation agrees with the \
                       paper.",
                check: Check::RunValues {
                    index: "peak",
                    bounds: &[(1.8e10, 2.1e10), (1.8e10, 2.1e10), (1.8e10, 2.1e10)],
                },
            },
        ],
        paper: "The initial tumour load had no impact on CAR T expansion or on the outcome.",
    },
    Lesson {
        preset: "fig4b",
        title: "Fig. 4B: three B-cell levels",
        figure: "Martínez-Rubio et al. 2021, Fig. 4B",
        intro: "Three pinned runs with every healthy B-cell compartment at ten times, once and a \
                tenth of the standard initial state (3.21e9, 3.21e8, 3.21e7 B cells in all).",
        claims: &[
            Claim {
                text: "All three are responders,",
                check: Check::RunClasses(&["responder", "responder", "responder"]),
            },
            Claim {
                text: "with the peak on day 8.5 in each",
                check: Check::RunValues {
                    index: "t_peak",
                    bounds: &[(8.3, 8.7), (8.3, 8.7), (8.3, 8.7)],
                },
            },
            Claim {
                text:
                    "and the same height within about 2%: next to 2e11 leukemic cells the healthy \
                       B cells are too few to matter. The simulation agrees with the paper.",
                check: Check::RunValues {
                    index: "peak",
                    bounds: &[
                        (2.01e10, 2.055e10),
                        (2.01e10, 2.055e10),
                        (2.01e10, 2.055e10),
                    ],
                },
            },
        ],
        paper: "The B-cell level had no impact on CAR T expansion or on the outcome.",
    },
    Lesson {
        preset: "fig4c",
        title: "Fig. 4C: three CAR T doses",
        figure: "Martínez-Rubio et al. 2021, Fig. 4C",
        intro: "Three pinned runs infusing 5e8, 5e7 and 5e6 CAR T cells.",
        claims: &[
            Claim {
                text: "All three are responders.",
                check: Check::RunClasses(&["responder", "responder", "responder"]),
            },
            Claim {
                text: "Each tenfold smaller dose delays the peak by about three days (days 5.4, \
                       8.5 and 11.6),",
                check: Check::RunValues {
                    index: "t_peak",
                    bounds: &[(5.2, 5.6), (8.3, 8.7), (11.4, 11.8)],
                },
            },
            Claim {
                text: "but the peak is about 2e10 cells whatever the dose: the expansion is \
                       driven by the antigen the cells meet. The simulation agrees with the \
                       paper's delay of up to three days.",
                check: Check::RunValues {
                    index: "peak",
                    bounds: &[(1.8e10, 2.2e10), (1.8e10, 2.2e10), (1.8e10, 2.2e10)],
                },
            },
        ],
        paper: "The dose did not change the outcome; its major effect was a delay of up to three \
                days in expansion per order of magnitude, in line with the clinical reports of no \
                dose-exposure relationship.",
    },
    Lesson {
        preset: "fig5a",
        title: "Fig. 5A: three killing capacities",
        figure: "Martínez-Rubio et al. 2021, Fig. 5A",
        intro: "Three pinned runs with α = 3e-9, 3e-10 and 3e-11 per day per cell (h = 5e8), \
                first 30 days.",
        claims: &[
            Claim {
                text: "All three clear the leukemia by day 30.",
                check: Check::RunClasses(&["responder", "responder", "responder"]),
            },
            Claim {
                text: "Each tenfold weaker killing gives about a tenfold larger expansion (peaks \
                       of about 2e9, 2e10 and 2e11 cells)",
                check: Check::RunValues {
                    index: "peak",
                    bounds: &[(1.5e9, 3e9), (1.5e10, 3e10), (1.5e11, 3e11)],
                },
            },
            Claim {
                text: "and a later peak (days 5.4, 8.6 and 11.7): while the leukemia survives it \
                       keeps activating the cells. The simulation agrees with the paper.",
                check: Check::RunValues {
                    index: "t_peak",
                    bounds: &[(5.2, 5.7), (8.3, 8.8), (11.4, 12.0)],
                },
            },
        ],
        paper: "Lower killing capacity implied increased expansion: while tumour cells survive, \
                activation stays on and proliferation continues.",
    },
    Lesson {
        preset: "fig5b",
        title: "Fig. 5B: three activation thresholds",
        figure: "Martínez-Rubio et al. 2021, Fig. 5B",
        intro: "Three pinned runs with h = 5e9, 5e8 and 5e7 cells, first 30 days.",
        claims: &[
            Claim {
                text: "With the highest threshold the leukemia is not cleared by day 30 (a \
                       non-responder); the two lower ones clear it.",
                check: Check::RunClasses(&["non-responder", "responder", "responder"]),
            },
            Claim {
                text: "Only about a hundred leukemic cells are left, though, from 2e11.",
                check: Check::RunValues {
                    index: "L30",
                    bounds: &[(50.0, 200.0), (0.0, 0.0), (0.0, 0.0)],
                },
            },
            Claim {
                text: "A lower threshold gives a larger peak (about 1.6e10, 2.2e10 and 2.9e10 \
                       cells)",
                check: Check::RunValues {
                    index: "peak",
                    bounds: &[(1.4e10, 1.8e10), (2.0e10, 2.5e10), (2.6e10, 3.2e10)],
                },
            },
            Claim {
                text: "but not an earlier one: all three peak between days 8.3 and 8.9. The \
                       simulation agrees that a high threshold can lose control, but shows no \
                       delayed expansion in this range.",
                check: Check::RunValues {
                    index: "t_peak",
                    bounds: &[(8.3, 8.9), (8.3, 8.9), (8.3, 8.9)],
                },
            },
        ],
        paper: "A higher activation threshold led to delayed expansion, in some cases unable to \
                control the leukemia.",
    },
    Lesson {
        preset: "fig5c",
        title: "Fig. 5C: three proliferation rates",
        figure: "Martínez-Rubio et al. 2021, Fig. 5C",
        intro: "Three pinned runs with ρC = 0.9, 0.6 and 0.3 per day (h = 5e8), first 30 days.",
        claims: &[
            Claim {
                text: "Only the fastest-growing product clears the leukemia by day 30.",
                check: Check::RunClasses(&["responder", "non-responder", "non-responder"]),
            },
            Claim {
                text: "Slower proliferation delays the peak (day 8.6, then 13.3; at 0.3 per day \
                       the cells are still expanding on day 30)",
                check: Check::RunValues {
                    index: "t_peak",
                    bounds: &[(8.3, 8.8), (13.0, 13.6), (29.9, 30.0)],
                },
            },
            Claim {
                text: "and lowers it (about 2.2e10, 1.5e10 and 4e9 cells). The simulation agrees \
                       with the paper.",
                check: Check::RunValues {
                    index: "peak",
                    bounds: &[(2.0e10, 2.5e10), (1.3e10, 1.7e10), (3.5e9, 4.5e9)],
                },
            },
        ],
        paper: "A lower proliferation rate led to delayed expansion, in some cases unable to \
                control the leukemia.",
    },
    Lesson {
        preset: "fig6",
        title: "One point of the day-30 heatmaps",
        figure: "Martínez-Rubio et al. 2021, Fig. 6",
        intro: "This course is the default product, one point of Fig. 6's heatmaps of the \
                leukemia at day 30 over pairs of (α, h, ρC); the heatmaps themselves are in \
                the Sweeps view.",
        claims: &[
            Claim {
                text: "This product is a responder.",
                check: RESPONDER,
            },
            Claim {
                text: "Raise h to 2e10 and it becomes a non-responder,",
                check: Check::ClassWith {
                    set: &[("h", "2e10")],
                    label: "non-responder",
                },
            },
            Claim {
                text: "as it does with ρC = 0.5;",
                check: Check::ClassWith {
                    set: &[("rhoC", "0.5")],
                    label: "non-responder",
                },
            },
            Claim {
                text: "a threefold lower α keeps it a responder.",
                check: Check::ClassWith {
                    set: &[("alpha", "1e-10")],
                    label: "responder",
                },
            },
        ],
        paper: "α is the least important of the three attributes; higher ρC and lower h are \
                needed for response; relapses appear one to three months after infusion.",
    },
    Lesson {
        preset: "fig7",
        title: "4,000 virtual products",
        figure: "Martínez-Rubio et al. 2021, Fig. 7",
        intro: "The course shown is Fig. 7A's typical product; the 4,000-product experiment \
                is in the Sweeps view (there cartsim finds 18.6% responders with the text's \
                h range, where the paper reports 80:20 — see the model notes).",
        claims: &[Claim {
            text: "This typical product is a responder.",
            check: RESPONDER,
        }],
        paper: "Non-responders take longer to peak and expand less (Wilcoxon p < 1e-26); the \
                sampled ranges gave 80% responders.",
    },
    Lesson {
        preset: "fig8",
        title: "A relapse to treat",
        figure: "Martínez-Rubio et al. 2021, Fig. 8",
        intro: "A product with a high activation threshold (h = 2e10), given once.",
        claims: &[
            Claim {
                text: "It does not clear the leukemia by day 30 (a non-responder),",
                check: Check::Class("non-responder"),
            },
            Claim {
                text: "and by day 180 the leukemia is back above 1e8 cells. The next four \
                       scenarios treat this relapse.",
                check: Check::Within {
                    index: "L_end",
                    lo: 1e8,
                    hi: 1e12,
                },
            },
        ],
        paper: "Non-responders relapse; a second infusion is the clinical option studied.",
    },
    Lesson {
        preset: "fig8a",
        title: "Second dose: the same product",
        figure: "Martínez-Rubio et al. 2021, Fig. 8A",
        intro: "The same patient gets 5e8 more cells of the same product when the leukemia \
                rises through 1e8 (or on day 30 without a response).",
        claims: &[Claim {
            text: "It does not help: at day 180 the leukemia is no smaller than with no second \
                   dose.",
            check: Check::Ratio {
                index: "L_end",
                other: "fig8",
                lo: 1.0,
                hi: 1e3,
            },
        }],
        paper: "A standard reinfusion of the same product does not control the relapse.",
    },
    Lesson {
        preset: "fig8b",
        title: "Second dose: ten times more",
        figure: "Martínez-Rubio et al. 2021, Fig. 8B",
        intro: "The same product again, at a tenfold dose (5e9 cells).",
        claims: &[
            Claim {
                text: "At day 180 the leukemia is smaller than after the standard second dose",
                check: Check::Ratio {
                    index: "L_end",
                    other: "fig8a",
                    lo: 0.0,
                    hi: 0.8,
                },
            },
            Claim {
                text: "but still not cleared.",
                check: Check::Within {
                    index: "L_end",
                    lo: 1e6,
                    hi: 1e12,
                },
            },
        ],
        paper: "A higher dose helps some patients.",
    },
    Lesson {
        preset: "fig8c",
        title: "Second dose: a better product",
        figure: "Martínez-Rubio et al. 2021, Fig. 8C",
        intro: "A new product with a lower activation threshold (h2 = 5e8), followed as its \
                own CA2/CM2 pair.",
        claims: &[Claim {
            text: "It clears the leukemia: below one cell at day 180.",
            check: Check::Within {
                index: "L_end",
                lo: 0.0,
                hi: 1.0,
            },
        }],
        paper: "An improved product is the best option and becomes dominant in the CAR T pool.",
    },
    Lesson {
        preset: "fig8-bcells",
        title: "B cells instead of CAR T",
        figure: "Martínez-Rubio et al. 2021, Fig. S4",
        intro: "Instead of CAR T cells, 3e8 immature (CD19+) B cells are infused to \
                re-stimulate the CAR T cells still there.",
        claims: &[Claim {
            text: "In this simulation that leaves the leukemia at day 180 where it is with no \
                   second dose.",
            check: Check::Ratio {
                index: "L_end",
                other: "fig8",
                lo: 0.9,
                hi: 1.1,
            },
        }],
        paper: "Infusing B cells can delay the relapse.",
    },
];
