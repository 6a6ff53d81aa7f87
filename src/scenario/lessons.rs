//! What to notice in each scenario: a few sentences in our own words and
//! the paper's matching claim, with the figure it comes from. The page shows
//! these beside the charts; the README lists them.

/// A lesson attached to a preset.
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct Lesson {
    /// Model id (`clinical` or `marrow`).
    pub model: &'static str,
    /// Preset name, or the prefix shared by a family of presets (`fig8`
    /// covers `fig8a`, `fig8-b`, …).
    pub preset: &'static str,
    /// Short title for menus.
    pub title: &'static str,
    /// The paper and figure reproduced.
    pub figure: &'static str,
    /// What to notice (2–4 sentences).
    pub notice: &'static str,
    /// The paper's matching statement, paraphrased.
    pub paper: &'static str,
}

/// Every lesson, clinical model first.
pub const LESSONS: &[Lesson] = &[
    Lesson {
        model: "clinical",
        preset: "cr",
        title: "Continuous remission",
        figure: "Liu et al. 2021, Fig. 2",
        notice: "The infused (naive) CAR T cells meet a large CD19+ tumour, activate and expand \
                 to a peak in the first week. The tumour collapses below the 5% remission line \
                 and then below 0.01% (MRD-negative) a few days after the peak, and the \
                 activated cells slowly contract once their target is gone. Drag kA or nP0: \
                 more activation or more tumour gives a higher, earlier peak.",
        paper: "CAR T expand and peak within 1–2 weeks, then decline after the tumour is \
                depleted; the peak grows with initial tumour burden and activation rate, and \
                the day of the peak tracks the day of MRD negativity.",
    },
    Lesson {
        model: "clinical",
        preset: "nr",
        title: "Non-response",
        figure: "Liu et al. 2021, Fig. 3",
        notice: "Here the CAR T cells die about four times faster (lTA) and kill and grow less \
                 (e, rTA). The expansion is small, the tumour never falls below 5% and the class \
                 is NR. Compare FT with the CR scenario: it is about 20 times smaller.",
        paper: "NR patients have lower CAR T peak and AUC28 than CR patients; growth, killing, \
                activation and apoptosis rates of the CAR T cells differ most, pointing to \
                impaired CAR T function.",
    },
    Lesson {
        model: "clinical",
        preset: "relapse-pos",
        title: "CD19+ relapse",
        figure: "Liu et al. 2021, Fig. 4A, 4C, 4E, 4G",
        notice: "Remission comes, but the tumour grows back fast (rP is three times that of CR) \
                 once the activated CAR T cells have contracted, and the cells that return still \
                 carry CD19. Raise rTA, e or kA, or lower lTA: FT rises and the relapse comes \
                 later.",
        paper: "The day of CD19+ relapse rises with CAR T exposure (AUC28) and with the CAR T \
                function factor FT.",
    },
    Lesson {
        model: "clinical",
        preset: "relapse-neg",
        title: "CD19− relapse",
        figure: "Liu et al. 2021, Fig. 4B, 4D, 4F, 4H",
        notice: "About 1% of the tumour lacks CD19 from the start. The CAR T cells clear the \
                 CD19+ cells and, by bystander killing, hold the CD19− clone down for a while, \
                 so the first weeks look like a remission; once the activated cells wane, the \
                 CD19− clone grows back around day 100. Changing FT barely moves that day; \
                 changing km or kb (FNegR) does.",
        paper: "CD19− relapse does not depend on AUC28 or FT but correlates with the negative \
                relapse factor FNegR = km·kb; early CAR T dynamics look like those of CR.",
    },
    Lesson {
        model: "marrow",
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
        model: "marrow",
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
        model: "marrow",
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
        model: "marrow",
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
        model: "marrow",
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
        model: "marrow",
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
        model: "marrow",
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

/// The lesson for a model's preset (exact name first, then the longest prefix).
pub fn lesson(model: &str, preset: &str) -> Option<&'static Lesson> {
    LESSONS
        .iter()
        .filter(|l| l.model == model && preset.starts_with(l.preset))
        .max_by_key(|l| l.preset.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lessons_are_found_by_name_and_prefix() {
        assert_eq!(
            lesson("clinical", "cr").unwrap().title,
            "Continuous remission"
        );
        assert_eq!(lesson("marrow", "fig8b").unwrap().preset, "fig8");
        assert!(lesson("marrow", "cr").is_none());
        for l in LESSONS {
            let sentences = l.notice.matches(". ").count() + 1;
            assert!((2..=5).contains(&sentences), "{}: {sentences}", l.preset);
        }
    }
}
