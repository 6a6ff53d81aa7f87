//! The words of the field a reader may not know (FT, AUC7, [L], …), each
//! with a short definition: the page marks them where they appear (a
//! definition on hover, focus or tap) and lists them in the Model notes.
//! [`spans`] finds them in a text.

/// One glossary entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Term {
    /// The word as it appears in the page's text.
    pub term: &'static str,
    /// Its definition, one sentence.
    pub definition: &'static str,
}

/// Every glossary entry, in the order the Model notes list them.
pub const GLOSSARY: &[Term] = &[
    Term {
        term: "[L]",
        definition: "Liu, Ma, Zhang and Chen (2021): the clinical model, four cell populations \
                     calibrated to patients' CAR T counts and tumour burden.",
    },
    Term {
        term: "[M]",
        definition: "Martínez-Rubio et al. (2021): the bone-marrow model of B-cell maturation, \
                     leukemia and effector and memory CAR T cells.",
    },
    Term {
        term: "B-ALL",
        definition: "B-cell acute lymphoblastic leukemia, the cancer both models describe.",
    },
    Term {
        term: "CD19",
        definition: "The protein on B cells (and most B-ALL cells) that the CAR T cells \
                     recognise; CD19− leukemia cells escape them.",
    },
    Term {
        term: "CR",
        definition: "Complete remission: the tumour falls below 5% burden by day 28 and does \
                     not come back before the horizon.",
    },
    Term {
        term: "NR",
        definition: "No response: no remission (below 5% tumour burden) by day 28.",
    },
    Term {
        term: "MRD",
        definition: "Minimal residual disease: leukemia below what a microscope sees; \
                     MRD-negative here means below 0.01% tumour burden.",
    },
    Term {
        term: "FT",
        definition: "CAR T function factor, rTA·e·kA/lTA: how strongly the CAR T cells grow, \
                     kill and activate against how fast they die. Larger is better.",
    },
    Term {
        term: "FNegR",
        definition: "CD19− relapse factor, km·kb: how fast CD19− cells arise and how well they \
                     escape bystander killing.",
    },
    Term {
        term: "FP",
        definition: "Prediction factor, log2(peak × AUC7): from the CAR T peak and the CAR T \
                     area over the first week, both measurable in a patient.",
    },
    Term {
        term: "AUC7",
        definition: "Area under the CAR T curve over days 0–7 (cells × days).",
    },
    Term {
        term: "AUC28",
        definition: "Area under the CAR T curve over days 0–28 (cells × days).",
    },
    Term {
        term: "qPCR",
        definition: "Quantitative PCR: CAR T counted as copies of the CAR gene per microgram \
                     of DNA, as clinics measure them.",
    },
];

/// `text` cut into pieces, each with the glossary entry it is (whole
/// words only: "CR" in "CR & CD19- relapse" but not in "CRS"), or `None`
/// for plain text between them. The pieces joined give `text` back.
pub fn spans(text: &str) -> Vec<(&str, Option<&'static Term>)> {
    let mut out = Vec::new();
    let mut plain = 0;
    let mut i = 0;
    let is_word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
    while i < text.len() {
        let rest = &text[i..];
        let before = text[..i].chars().next_back();
        let found = GLOSSARY
            .iter()
            .filter(|t| rest.starts_with(t.term))
            .filter(|t| {
                let after = rest[t.term.len()..].chars().next();
                let first = t.term.chars().next();
                let last = t.term.chars().next_back();
                (!is_word(first) || !is_word(before)) && (!is_word(last) || !is_word(after))
            })
            .max_by_key(|t| t.term.len());
        if let Some(t) = found {
            if plain < i {
                out.push((&text[plain..i], None));
            }
            out.push((&text[i..i + t.term.len()], Some(t)));
            i += t.term.len();
            plain = i;
        } else {
            i += rest.chars().next().map_or(1, char::len_utf8);
        }
    }
    if plain < text.len() {
        out.push((&text[plain..], None));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(text: &str) -> Vec<&str> {
        spans(text)
            .into_iter()
            .filter_map(|(s, t)| t.map(|_| s))
            .collect()
    }

    #[test]
    fn finds_whole_words_only_and_keeps_the_text() {
        let text = "FT = rTA·e·kA/lTA; CR & CD19− relapse (Fig. 4 of [L]); CRS, AFP, AUC7, AUC28.";
        assert_eq!(terms(text), ["FT", "CR", "CD19", "[L]", "AUC7", "AUC28"]);
        let joined: String = spans(text).into_iter().map(|(s, _)| s).collect();
        assert_eq!(joined, text);
        assert!(terms("FTX, xFP, NRx").is_empty());
        assert_eq!(spans(""), vec![]);
    }

    #[test]
    fn every_term_is_found_alone_and_is_unique() {
        for t in GLOSSARY {
            assert_eq!(terms(t.term), [t.term]);
            assert_eq!(GLOSSARY.iter().filter(|u| u.term == t.term).count(), 1);
            assert!(t.definition.ends_with('.'), "{}", t.term);
        }
    }
}
