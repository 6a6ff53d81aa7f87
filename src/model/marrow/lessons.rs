//! What to notice in each preset of the bone-marrow model [M]: a few sentences in our own
//! words and the paper's matching claim, with the figure it comes from. The
//! page shows these beside the charts; the README lists them.

use crate::model::Lesson;

/// Every lesson of the model; a lesson's `preset` may be the prefix shared
/// by a family of presets (`fig8` covers `fig8a`, `fig8b`, …).
pub const LESSONS: &[Lesson] = &[
    Lesson {
        preset: "fig2",
        title: "No B-cell production",
        figure: "Martínez-Rubio et al. 2021, Fig. 2",
        notice: "With no healthy B cells, the only target is the leukemia. CAR T expand for \
                 about ten days and clear it; the effectors then die off within weeks and a \
                 small memory pool carries a slow second phase of decline. Switch extinction \
                 off to see why a continuous model needs the one-cell rule: the leukemia comes \
                 back from a fraction of a cell.",
        paper: "Expansion over about ten days removes the leukemia; the CAR T population then \
                contracts in two phases, the slow one carried by memory cells.",
    },
    Lesson {
        preset: "fig3",
        title: "Disease control with B-cell recovery",
        figure: "Martínez-Rubio et al. 2021, Fig. 3",
        notice: "All CD19+ cells, healthy and leukemic, are cleared in the first weeks while \
                 Pro-B cells (which lack CD19) rise. Healthy B cells return after about a \
                 month, memory CAR T reactivate near day 50, and damped cycles settle into a \
                 steady state in which Pro-B cells dominate: the B cells act as an endogenous \
                 vaccine that keeps the CAR T engaged.",
        paper: "B-cell recovery after day 30 re-activates memory CAR T around day 50; after \
                damped cycles the system reaches a steady state after about six months with a \
                Pro-B-dominated B-cell pool.",
    },
    Lesson {
        preset: "fig4",
        title: "Initial state barely matters",
        figure: "Martínez-Rubio et al. 2021, Fig. 4",
        notice: "Tenfold changes in the initial leukemia, the B-cell pool or the CAR T dose \
                 hardly change the outcome; a smaller dose only delays the expansion by a few \
                 days. The reason is that CAR T expansion is driven by the antigen they meet, \
                 not by how many cells were infused.",
        paper: "Neither tumour load, B-cell level nor dose changed expansion or outcome in the \
                studied range; the largest effect was a delay of up to three days.",
    },
    Lesson {
        preset: "fig5",
        title: "Product attributes matter",
        figure: "Martínez-Rubio et al. 2021, Fig. 5",
        notice: "Now vary the product: a slower proliferation rate ρC or a higher activation \
                 threshold h delays expansion and can fail to control the leukemia. A lower \
                 killing capacity α leads to a larger expansion, because the surviving target \
                 keeps activating the cells for longer.",
        paper: "Lower ρC and higher h delay expansion and may lose control; lower α increases \
                expansion.",
    },
    Lesson {
        preset: "fig6",
        title: "Responders and non-responders",
        figure: "Martínez-Rubio et al. 2021, Fig. 6",
        notice: "The heatmaps show log10 of the leukemia at day 30 over pairs of product \
                 attributes: h and ρC decide most of the outcome, α the least. Click a point \
                 to open its course: non-responders relapse at different times and with \
                 different expansions, sometimes after a period of control.",
        paper: "α is the least important of the three attributes; higher ρC and lower h are \
                needed for response; relapses appear one to three months after infusion.",
    },
    Lesson {
        preset: "fig7",
        title: "4,000 virtual products",
        figure: "Martínez-Rubio et al. 2021, Fig. 7",
        notice: "Across a grid of 4,000 products, responders expand more and peak sooner than \
                 non-responders. The paper reports an 80:20 split of responders to \
                 non-responders; cartsim reports the split the simulation actually gives, for \
                 both h ranges the paper mentions.",
        paper: "Non-responders take longer to peak and expand less (Wilcoxon p < 1e-26); the \
                sampled ranges gave 80% responders.",
    },
    Lesson {
        preset: "fig8",
        title: "A second infusion",
        figure: "Martínez-Rubio et al. 2021, Fig. 8",
        notice: "When the leukemia comes back to 1e8 cells a second dose is given: the same \
                 product at the same dose rarely helps, a tenfold dose sometimes does, and a \
                 new product with better attributes works best and comes to dominate the CAR T \
                 pool. Infusing B cells instead can delay the relapse.",
        paper: "A standard reinfusion does not control the relapse, a higher dose helps some \
                patients, and an improved product is the best option and becomes dominant.",
    },
];
