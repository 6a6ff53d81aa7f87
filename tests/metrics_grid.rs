//! Convergence of the course metrics in the output grid they are read on
//! (issue 19): the default grid (`metrics_grid`: 32 points a day over days
//! 0–28, 4 a day after) against one 8 and 16 times finer (256 and 64 a
//! day), on every clinical preset and 300 virtual patients around them,
//! with the same solver steps. The finer grid is the reference (Simpson's
//! rule, the quartic through the peak and the crossing days converge with
//! the spacing), so the difference bounds the default grid's error.
//!
//! Measured (`cargo test --release --test metrics_grid -- --nocapture`):
//! largest relative difference of peak, AUC7, AUC28 and FP 4.6e-7 (the
//! solver's own error at the default rtol 1e-6 is ~1e-5), largest day
//! difference (peak, remission, MRD, relapse) 4.1e-3 day (the page shows
//! days to 0.1). The grid before (64 and 16 a day) gave 2.0e-8 and 2.2e-4
//! day and took 1.5× the time of a virtual trial. Classes must agree
//! exactly.
#![cfg(not(target_arch = "wasm32"))]

use cartsim::analysis::metrics::{
    metrics_grid, metrics_grid_with, ClassifySettings, CourseTracker, Metrics,
};
use cartsim::model::clinical::{self, ix, Clinical, Params, PRESETS};
use cartsim::solver::{OutputGrid, Settings, Solver};
use rand::{Rng, SeedableRng};

fn score(p: &Params, grid: &[f64]) -> Metrics {
    let mut ev = clinical::extinction_events(&clinical::Options::default());
    clinical::arm_triggers(&mut ev, p);
    let classify = ClassifySettings::default();
    let mut tracker = CourseTracker::new(classify).unwrap();
    Solver::new()
        .solve(
            &Clinical { p: *p },
            0.0,
            &p.initial_state(),
            classify.t_end(),
            &Settings::default(),
            &ev,
            &OutputGrid::Times(grid.to_vec()),
            &mut tracker,
        )
        .unwrap();
    tracker.finish(p.ft(), p.fnegr()).unwrap()
}

#[test]
fn metrics_on_the_default_grid_match_a_16x_finer_one() {
    let t_end = ClassifySettings::default().t_end();
    let coarse = metrics_grid(t_end);
    let fine = metrics_grid_with(t_end, 256.0, 64.0);
    let mut patients: Vec<Params> = PRESETS.iter().map(|p| p.params).collect();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(19);
    for i in 0..300 {
        let mut p = PRESETS[i % PRESETS.len()].params;
        for k in [ix::rTA, ix::e, ix::kA, ix::lTA, ix::km, ix::kb, ix::rP] {
            p.0[k] *= 3f64.powf(rng.random_range(-1.0..1.0));
        }
        patients.push(p);
    }
    let (mut rel, mut days) = (0.0f64, 0.0f64);
    let mut classes = [0usize; 4];
    for p in &patients {
        let (a, b) = (score(p, &coarse), score(p, &fine));
        assert_eq!(a.response, b.response, "{p:?}");
        classes[a.response as usize] += 1;
        for (x, y) in [
            (a.peak, b.peak),
            (a.auc7, b.auc7),
            (a.auc28, b.auc28),
            (a.fp, b.fp),
        ] {
            rel = rel.max(((x - y) / y).abs());
        }
        days = days.max((a.t_peak - b.t_peak).abs());
        for (x, y) in [
            (a.remission_day, b.remission_day),
            (a.mrd_day, b.mrd_day),
            (a.relapse_day, b.relapse_day),
        ] {
            assert_eq!(x.is_some(), y.is_some(), "{p:?}");
            if let (Some(x), Some(y)) = (x, y) {
                days = days.max((x - y).abs());
            }
        }
    }
    println!(
        "{} courses, classes {classes:?}: largest relative difference (peak, AUC7, AUC28, FP) {rel:.2e}, largest day difference {days:.2e}",
        patients.len()
    );
    assert!(
        classes.iter().filter(|&&n| n > 0).count() >= 3,
        "{classes:?}"
    );
    assert!(rel < 2e-6, "relative difference {rel:e}");
    assert!(days < 0.01, "day difference {days:e}");
}
