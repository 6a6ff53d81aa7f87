//! What to notice in each preset of the clinical model [L]: a few sentences in our own
//! words and the paper's matching claim, with the figure it comes from. The
//! page shows these beside the charts; the README lists them.

use crate::model::Lesson;

/// Every lesson of the model; a lesson's `preset` may be the prefix shared
/// by a family of presets (`fig8` covers `fig8a`, `fig8b`, …).
pub const LESSONS: &[Lesson] = &[
    Lesson {
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
];
