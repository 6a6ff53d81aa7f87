//! What to notice in each preset of the clinical model [L], in our own
//! words, every factual sentence a checked [`Claim`] (run by
//! `tests/lessons.rs`), and the paper's matching statement.

use crate::model::{Check, Claim, Lesson};

/// One lesson per preset.
pub const LESSONS: &[Lesson] = &[
    Lesson {
        preset: "cr",
        title: "Continuous remission",
        figure: "Liu et al. 2021, Fig. 2",
        intro: "The infused (naive) CAR T cells meet a large CD19+ tumour, activate and expand.",
        claims: &[
            Claim {
                text: "They peak within the first week.",
                check: Check::Within { index: "t_peak", lo: 0.0, hi: 7.0 },
            },
            Claim {
                text: "The tumour is already below the 5% remission line at the peak,",
                check: Check::Gap { from: "remission_day", to: "t_peak", lo: 0.0, hi: 3.0 },
            },
            Claim {
                text: "and falls below 0.01% (MRD-negative) about three days after it;",
                check: Check::Gap { from: "t_peak", to: "mrd_day", lo: 1.5, hi: 4.5 },
            },
            Claim {
                text: "it never comes back within the 180 days (class CR).",
                check: Check::Class("CR"),
            },
            Claim {
                text: "Raise the activation rate kA tenfold: the peak comes a day earlier",
                check: Check::Moves { set: &[("kA", "6.5")], index: "t_peak", up: false, lo: 4.0, hi: 5.0 },
            },
            Claim {
                text: "but is no higher, because the tumour that drives the expansion is cleared sooner.",
                check: Check::Steady { set: &[("kA", "6.5")], index: "peak", max_rel: 0.03 },
            },
        ],
        paper: "CAR T expand and peak within 1–2 weeks, then decline after the tumour is \
                depleted; the day of the peak tracks the day of MRD negativity.",
    },
    Lesson {
        preset: "nr",
        title: "Non-response",
        figure: "Liu et al. 2021, Fig. 3",
        intro: "",
        claims: &[
            Claim {
                text: "Here the CAR T cells die more than four times faster than in CR (lTA),",
                check: Check::ParamRatio { name: "lTA", other: "cr", lo: 4.0, hi: 5.0 },
            },
            Claim {
                text: "kill less (e)",
                check: Check::ParamRatio { name: "e", other: "cr", lo: 0.0, hi: 0.5 },
            },
            Claim {
                text: "and grow less (rTA).",
                check: Check::ParamRatio { name: "rTA", other: "cr", lo: 0.0, hi: 0.9 },
            },
            Claim {
                text: "The expansion is small: the peak is about a tenth of the CR peak.",
                check: Check::Ratio { index: "peak", other: "cr", lo: 0.09, hi: 0.14 },
            },
            Claim {
                text: "The tumour never falls below the 5% line,",
                check: Check::Never("remission_day"),
            },
            Claim {
                text: "so the class is NR.",
                check: Check::Class("NR"),
            },
            Claim {
                text: "FT = rTA·e·kA/lTA is about 54 times smaller than in CR (3.67 against 199.4).",
                check: Check::Ratio { index: "FT", other: "cr", lo: 1.0 / 55.0, hi: 1.0 / 53.5 },
            },
        ],
        paper: "NR patients have lower CAR T peak and AUC28 than CR patients; growth, killing, \
                activation and apoptosis rates of the CAR T cells differ most, pointing to \
                impaired CAR T function.",
    },
    Lesson {
        preset: "relapse-pos",
        title: "CD19+ relapse",
        figure: "Liu et al. 2021, Fig. 4A, 4C, 4E, 4G",
        intro: "",
        claims: &[
            Claim {
                text: "The tumour grows about three times faster than in CR (rP).",
                check: Check::ParamRatio { name: "rP", other: "cr", lo: 2.8, hi: 3.3 },
            },
            Claim {
                text: "Remission comes in the second week,",
                check: Check::Within { index: "remission_day", lo: 7.0, hi: 14.0 },
            },
            Claim {
                text: "but once the activated CAR T cells have contracted the CD19+ tumour grows \
                       back, around day 111 (class CD19+ relapse).",
                check: Check::Within { index: "relapse_day", lo: 100.0, hi: 120.0 },
            },
            Claim {
                text: "Raise rTA to 1.5: the activated cells keep expanding longer and the \
                       relapse comes later (about day 139).",
                check: Check::Moves { set: &[("rTA", "1.5")], index: "relapse_day", up: true, lo: 134.0, hi: 144.0 },
            },
            Claim {
                text: "Raise the killing rate e to 60 instead: the tumour is cleared faster, the \
                       cells meet less antigen and expand less (AUC28 falls from about 1,500 \
                       to under 1,000),",
                check: Check::Moves { set: &[("e", "60")], index: "AUC28", up: false, lo: 0.0, hi: 1000.0 },
            },
            Claim {
                text: "and the relapse comes earlier (about day 91);",
                check: Check::Moves { set: &[("e", "60")], index: "relapse_day", up: false, lo: 86.0, hi: 96.0 },
            },
            Claim {
                text: "kA = 3 does the same (about day 86).",
                check: Check::Moves { set: &[("kA", "3")], index: "relapse_day", up: false, lo: 81.0, hi: 91.0 },
            },
        ],
        paper: "The day of CD19+ relapse rises with CAR T exposure (AUC28): more expansion, \
                later relapse (Fig. 4E).",
    },
    Lesson {
        preset: "relapse-neg",
        title: "CD19− relapse",
        figure: "Liu et al. 2021, Fig. 4B, 4D, 4F, 4H",
        intro: "",
        claims: &[
            Claim {
                text: "Part of the tumour lacks CD19 from the start (nN0; none in CR).",
                check: Check::ParamRatio { name: "nN0", other: "cr", lo: f64::INFINITY, hi: f64::INFINITY },
            },
            Claim {
                text: "The CAR T cells clear the CD19+ cells and remission comes in about 12 days,",
                check: Check::Within { index: "remission_day", lo: 10.0, hi: 14.0 },
            },
            Claim {
                text: "but the CD19− clone, held down only by bystander killing, grows back: \
                       relapse around day 103 (class CD19− relapse).",
                check: Check::Within { index: "relapse_day", lo: 95.0, hi: 112.0 },
            },
            Claim {
                text: "In this patient the relapse day hardly moves when the killing rate e \
                       doubles",
                check: Check::Steady { set: &[("e", "40")], index: "relapse_day", max_rel: 0.03 },
            },
            Claim {
                text: "or when the mutation rate km rises tenfold,",
                check: Check::Steady { set: &[("km", "1.5e-6")], index: "relapse_day", max_rel: 0.03 },
            },
            Claim {
                text: "but doubling rTA delays it to about day 174.",
                check: Check::Moves { set: &[("rTA", "3")], index: "relapse_day", up: true, lo: 169.0, hi: 179.0 },
            },
        ],
        paper: "Across patients, CD19− relapse does not follow AUC28 or FT but correlates with \
                the negative relapse factor FNegR = km·kb — a statement about a cohort, which \
                one course cannot show; early CAR T dynamics look like those of CR.",
    },
    Lesson {
        preset: "classes",
        title: "The four response classes",
        figure: "Liu et al. 2021, Fig. 1 and Fig. 5A–B",
        intro: "The four presets of Table 1 as four pinned runs: CR, NR, CD19+ relapse, CD19− relapse.",
        claims: &[
            Claim {
                text: "Each falls in the class it is named after.",
                check: Check::RunClasses(&["CR", "NR", "CD19+ relapse", "CD19- relapse"]),
            },
            Claim {
                text: "FT = rTA·e·kA/lTA puts them in the order of the paper's bands: NR lowest \
                       (3.7), then CD19+ relapse (74), CD19− relapse (153) and CR (199).",
                check: Check::RunValues {
                    index: "FT",
                    bounds: &[(198.0, 201.0), (3.6, 3.8), (73.0, 74.5), (152.0, 154.0)],
                },
            },
            Claim {
                text: "In NR the CAR T cells never outnumber the infused dose: their peak is on \
                       day 0, while the others peak on days 5.7, 8.2 and 11.7.",
                check: Check::RunValues {
                    index: "t_peak",
                    bounds: &[(5.5, 5.8), (0.0, 0.0), (8.0, 8.4), (11.5, 11.9)],
                },
            },
            Claim {
                text: "CAR T exposure (AUC28) is lowest in NR (about 430) and about 1,500 in \
                       CD19+ relapse, but as high in CD19− relapse (6,800) as in CR (6,300): \
                       the CD19− clone escapes cells that expanded well. The simulation agrees \
                       with the paper.",
                check: Check::RunValues {
                    index: "AUC28",
                    bounds: &[(6000.0, 6600.0), (400.0, 470.0), (1400.0, 1650.0), (6500.0, 7100.0)],
                },
            },
        ],
        paper: "CR patients have a higher CAR T peak, AUC28 and function factor FT than NR \
                patients; as FT grows the most likely response goes from NR to CD19+ relapse to \
                CR, and CD19− relapse patients' early CAR T dynamics look like CR's.",
    },
];
