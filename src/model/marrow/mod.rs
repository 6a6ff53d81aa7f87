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

mod equations;
mod lessons;
mod metrics;
mod model;
mod params;
mod presets;
mod scenario;
mod table;

pub use equations::{homeostasis, Marrow, Variant};
pub use lessons::LESSONS;
pub use metrics::{Metrics, Tracker, RESPONSE_DAY};
pub use model::{course, MarrowModel, MODEL};
pub use params::{ix, p, DEFAULTS, N_PARAMS, SPECS, STATE_NAMES};
pub use presets::{preset, Preset, PresetSweep, PRESETS};
pub use scenario::{
    Dose, Prepared, Reinfusion, Scenario, EXTINCTION_LABEL, FALLBACK_LABEL, OPTIONS,
    REINFUSION_LABEL,
};
pub use table::{columns, scenario, scenario_of, simulate, simulate_scenario};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::solver::OdeSystem;

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
