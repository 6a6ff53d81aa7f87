//! Every lesson's claims, run against the model: a lesson a teacher reads
//! aloud must be true of the simulation on screen. Each claim is a
//! sentence and a check; the page shows exactly those sentences.
#![cfg(not(target_arch = "wasm32"))]

use cartsim::model::lesson::check;
use cartsim::model::{clinical, marrow, Check, Claim, Registry};
use std::collections::BTreeSet;

#[test]
fn every_claim_of_every_lesson_holds_in_the_model() {
    let mut failures = Vec::new();
    let mut n = 0;
    for &model in Registry::builtin().models() {
        let mut titles = BTreeSet::new();
        for p in model.presets() {
            let lesson = model
                .lesson(p.name)
                .unwrap_or_else(|| panic!("{model}/{}: no lesson", p.name));
            assert_eq!(lesson.preset, p.name);
            assert!(
                titles.insert(lesson.title),
                "{model}: two presets titled '{}'",
                lesson.title
            );
            assert!(!lesson.claims.is_empty(), "{model}/{}: no claim", p.name);
            for claim in lesson.claims {
                assert!(
                    lesson.notice().contains(claim.text),
                    "{model}/{}: the page would not show '{}'",
                    p.name,
                    claim.text
                );
                n += 1;
                match check(model, p.name, claim) {
                    Ok(measured) => {
                        println!("ok   {model}/{}: {} [{measured}]", p.name, claim.text)
                    }
                    Err(why) => {
                        failures.push(format!("{model}/{}: \"{}\": {why}", p.name, claim.text))
                    }
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {n} claims are false:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn a_false_claim_is_caught() {
    // What the old `cr` lesson said: more activation gives a higher peak.
    let wrong = Claim {
        text: "more activation gives a higher peak",
        check: Check::Moves {
            set: &[("kA", "6.5")],
            index: "peak",
            up: true,
            lo: 0.0,
            hi: 1e6,
        },
    };
    let e = check(clinical::MODEL, "cr", &wrong).unwrap_err();
    assert!(e.contains("peak"), "{e}");
    // And the old `nr` ratio ("about 20 times smaller").
    let wrong = Claim {
        text: "FT is about 20 times smaller",
        check: Check::Ratio {
            index: "FT",
            other: "cr",
            lo: 1.0 / 22.0,
            hi: 1.0 / 18.0,
        },
    };
    assert!(check(clinical::MODEL, "nr", &wrong).is_err());
    // A comparison preset's runs in the wrong order, or a wrong number.
    let wrong = Claim {
        text: "the classes in another order",
        check: Check::RunClasses(&["NR", "CR", "CD19+ relapse", "CD19- relapse"]),
    };
    assert!(check(clinical::MODEL, "classes", &wrong).is_err());
    let wrong = Claim {
        text: "a dose-independent peak day",
        check: Check::RunValues {
            index: "t_peak",
            bounds: &[(8.3, 8.7), (8.3, 8.7), (8.3, 8.7)],
        },
    };
    let e = check(marrow::MODEL, "fig4c", &wrong).unwrap_err();
    assert!(e.contains("t_peak"), "{e}");
    // A run check on a preset without runs is an error, not a pass.
    assert!(check(marrow::MODEL, "fig3", &wrong).is_err());
}
