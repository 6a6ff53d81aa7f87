#![cfg(not(target_arch = "wasm32"))]
//! The bone-marrow model of Martínez-Rubio et al. ([M]) against the claims
//! of its figures and of MODELS.md §2–3, its dosing events, the second
//! product, sweeps and the Fig. 7 experiment.

use cartsim::model::marrow::{
    self, homeostasis, ix, p, Scenario, DEFAULTS, EXTINCTION_LABEL, FALLBACK_LABEL,
    REINFUSION_LABEL,
};
use cartsim::model::{ModelError, Sampling, SimRequest, SimTable};
use cartsim::solver::Settings;
use cartsim::sweep::marrow::{fig7, HRange, MarrowEval, Outcome};
use cartsim::sweep::{run, run_range, Axis, Grid};
use std::process::Command;

fn req(preset: &str, sets: &[(&str, &str)], sampling: Sampling) -> SimRequest {
    SimRequest {
        preset: preset.into(),
        sets: sets
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        sampling,
        ..SimRequest::default()
    }
}

fn sim(preset: &str, sets: &[(&str, &str)], sampling: Sampling) -> SimTable {
    marrow::simulate(&req(preset, sets, sampling)).expect("simulation")
}

fn daily(preset: &str, sets: &[(&str, &str)]) -> SimTable {
    sim(preset, sets, Sampling::Every(0.25))
}

/// Value of column `name` at time `t` (exact grid point).
fn at(t: &SimTable, name: &str, day: f64) -> f64 {
    let c = t.col(name).unwrap_or_else(|| panic!("no column {name}"));
    let i = (0..t.n_rows())
        .find(|&i| (t.row(i)[0] - day).abs() < 1e-9)
        .unwrap_or_else(|| panic!("no row at day {day}"));
    t.row(i)[c]
}

fn series(t: &SimTable, name: &str) -> Vec<(f64, f64)> {
    let c = t.col(name).unwrap();
    (0..t.n_rows())
        .map(|i| (t.row(i)[0], t.row(i)[c]))
        .collect()
}

fn argmax(s: &[(f64, f64)], lo: f64, hi: f64) -> (f64, f64) {
    s.iter().filter(|(t, _)| *t >= lo && *t <= hi).fold(
        (f64::NAN, f64::NEG_INFINITY),
        |b, &(t, v)| if v > b.1 { (t, v) } else { b },
    )
}

fn rel(a: f64, b: f64) -> f64 {
    (a - b).abs() / b.abs()
}

// ---------------------------------------------------------------- fig 2 --

#[test]
fn fig2_leukemia_cleared_in_three_weeks_and_memory_carries_the_slow_phase() {
    let t = daily("fig2", &[]);
    // Extinct (MODELS.md §3: by about day 13–14), within the first three weeks.
    let ext: Vec<_> = t
        .events
        .iter()
        .filter(|e| e.label == EXTINCTION_LABEL)
        .collect();
    assert_eq!(ext.len(), 1);
    assert!(
        ext[0].t > 7.0 && ext[0].t < 21.0,
        "extinct at day {}",
        ext[0].t
    );
    assert_eq!(at(&t, "L", 21.0), 0.0);
    assert_eq!(at(&t, "L", 270.0), 0.0);
    // Expansion ~10 days: total CAR T peak in days 7–21, ≥ two orders of magnitude.
    let (tp, peak) = argmax(&series(&t, "car_t_total"), 0.0, 270.0);
    assert!((7.0..=21.0).contains(&tp), "peak at day {tp}");
    assert!(peak / 5e7 > 100.0);
    // Memory is the larger pool from day 50 on; effectors die away.
    for (d, cm) in series(&t, "CM") {
        if d >= 50.0 {
            assert!(cm > at(&t, "CA", d), "CA ≥ CM at day {d}");
        }
    }
    assert!(at(&t, "CA", 270.0) < 1e-6 * peak);
    // MODELS.md §3: memory ≈1.4e8 at day 30 and ≈0.7e8 at day 270.
    assert!(
        rel(at(&t, "CM", 30.0), 1.4e8) < 0.1,
        "CM30 = {}",
        at(&t, "CM", 30.0)
    );
    assert!(
        rel(at(&t, "CM", 270.0), 0.7e8) < 0.1,
        "CM270 = {}",
        at(&t, "CM", 270.0)
    );
    // Biphasic decline: fast contraction (days 15→45) then slow (days 100→270).
    let fast = (at(&t, "car_t_total", 15.0) / at(&t, "car_t_total", 45.0)).ln() / 30.0;
    let slow = (at(&t, "car_t_total", 100.0) / at(&t, "car_t_total", 270.0)).ln() / 170.0;
    assert!(fast > 20.0 * slow, "fast {fast}, slow {slow}");
    // No B cells at all in this scenario.
    assert!(series(&t, "b_total").iter().all(|(_, b)| *b == 0.0));
}

#[test]
fn fig2_without_extinction_the_leukemia_regrows() {
    let t = daily("fig2", &[("extinction", "off")]);
    assert!(t.events.is_empty());
    let min = series(&t, "L")
        .iter()
        .filter(|(d, _)| *d <= 40.0)
        .map(|x| x.1)
        .fold(f64::INFINITY, f64::min);
    assert!(min < 1e-3, "L fell only to {min}");
    // MODELS.md §3: back at ≈7e9 by day 80.
    let l80 = at(&t, "L", 80.0);
    assert!((2e9..2e10).contains(&l80), "L80 = {l80}");
}

#[test]
fn extinction_threshold_is_adjustable() {
    let t1 = daily("fig2", &[]);
    let t2 = daily("fig2", &[("extinction_level", "1e3")]);
    let day = |t: &SimTable| t.events[0].t;
    assert!(day(&t2) < day(&t1));
    assert!(rel(t2.events[0].before[ix::L], 1e3) < 1e-6);
    assert!(rel(t1.events[0].before[ix::L], 1.0) < 1e-6);
    assert_eq!(t1.events[0].after[ix::L], 0.0);
}

// ---------------------------------------------------------------- fig 3 --

#[test]
fn fig3_depletion_recovery_reexpansion_and_pro_b_steady_state() {
    let t = daily("fig3", &[]);
    let cd19_0 = at(&t, "b_cd19", 0.0);
    // CD19+ B cells depleted in the first weeks (by > 4 orders of magnitude).
    assert!(at(&t, "b_cd19", 14.0) < 1e-4 * cd19_0);
    // Leukemia cleared (extinct by about day 13–14, MODELS.md §3).
    let ext = t
        .events
        .iter()
        .find(|e| e.label == EXTINCTION_LABEL)
        .unwrap();
    assert!(ext.t < 21.0, "extinct at day {}", ext.t);
    // Pro-B rise meanwhile.
    assert!(at(&t, "B0", 30.0) > 2.0 * at(&t, "B0", 0.0));
    // B cells recover after day 30.
    assert!(at(&t, "b_cd19", 45.0) > 100.0 * at(&t, "b_cd19", 30.0));
    // CAR T re-expansion near day 50: a trough in days 30–50 then a new
    // peak in days 40–65 at least 5× the trough.
    let c = series(&t, "car_t_total");
    let trough = c.iter().filter(|(d, _)| (30.0..=50.0).contains(d)).fold(
        (0.0, f64::INFINITY),
        |b, &(d, v)| if v < b.1 { (d, v) } else { b },
    );
    let (tp, peak) = argmax(&c, trough.0, 65.0);
    assert!((40.0..=65.0).contains(&tp), "re-expansion at day {tp}");
    assert!(peak > 5.0 * trough.1);
    // Memory reactivates: CM falls while CA re-expands.
    assert!(at(&t, "CM", 55.0) < 0.5 * at(&t, "CM", 35.0));
    // After 6 months: CD19+ compartments settled, Pro-B the largest
    // B compartment and the bulk of the B cells.
    assert!(rel(at(&t, "B1", 270.0), at(&t, "B1", 180.0)) < 0.05);
    assert!(rel(at(&t, "B2", 270.0), at(&t, "B2", 240.0)) < 0.2);
    let b0 = at(&t, "B0", 270.0);
    for s in ["B1", "B2", "B3"] {
        assert!(b0 > 10.0 * at(&t, s, 270.0), "{s} rivals B0");
    }
    // Order of the others by maturation stage (Fig. 3B): B1 > B2 > B3.
    assert!(at(&t, "B1", 270.0) > at(&t, "B2", 270.0));
    assert!(at(&t, "B2", 270.0) > at(&t, "B3", 270.0));
    // Homeostasis has Pre-BII the most abundant: the distribution changed.
    let h = homeostasis(&DEFAULTS).unwrap();
    assert!(h[2] > h[0]);
    assert_eq!(at(&t, "L", 270.0), 0.0);
}

#[test]
fn as_printed_fig3_never_clears_and_blows_up() {
    // MODELS.md §2: printed loss term → leukemia back to ≈4e9 by day 30;
    // F with B0 → F → 1 and CAR T grow without bound.
    let printed = |t_end: f64, times: Vec<f64>| {
        marrow::simulate(&SimRequest {
            t_end: Some(t_end),
            ..req("fig3", &[("variant", "as-printed")], Sampling::Times(times))
        })
    };
    let t = printed(30.0, vec![30.0]).unwrap();
    let l30 = at(&t, "L", 30.0);
    assert!((1e9..2e10).contains(&l30), "L30 = {l30}");
    let long = marrow::simulate(&req(
        "fig3",
        &[("variant", "as-printed")],
        Sampling::Every(1.0),
    ));
    match long {
        Err(ModelError::Solver(_)) => {}
        Ok(t) => assert!(
            series(&t, "car_t_total").iter().any(|(_, c)| *c > 1e20),
            "no blow-up"
        ),
        Err(e) => panic!("unexpected error {e}"),
    }
    let t = printed(168.0, vec![100.0, 168.0]).unwrap();
    assert!(at(&t, "car_t_total", 168.0) > 1e14);
    assert!(at(&t, "car_t_total", 168.0) > 1e5 * at(&t, "car_t_total", 100.0));
    // The corrected default clears the same leukemia.
    assert_eq!(
        at(&sim("fig3", &[], Sampling::Times(vec![30.0])), "L", 30.0),
        0.0
    );
}

// ------------------------------------------------------------ homeostasis --

#[test]
fn homeostatic_b_cells_total_about_3e10_and_match_a_long_simulation() {
    let h = homeostasis(&DEFAULTS).unwrap();
    let total: f64 = h.iter().sum();
    assert!((2.5e10..3.6e10).contains(&total), "total {total}");
    // Independent route: simulate the B cells alone from the standard
    // (1%-of-homeostasis) state until they settle.
    let t = marrow::simulate(&SimRequest {
        t_end: Some(40000.0),
        ..req(
            "fig3",
            &[("L", "0"), ("CA", "0")],
            Sampling::Times(vec![40000.0]),
        )
    })
    .unwrap();
    for (i, name) in ["B0", "B1", "B2", "B3"].iter().enumerate() {
        let v = at(&t, name, 40000.0);
        assert!(
            rel(v, h[i]) < 1e-4,
            "{name}: simulated {v}, algebraic {}",
            h[i]
        );
    }
}

// ---------------------------------------------------------------- dosing --

#[test]
fn a_timed_dose_adds_exactly_its_cells_at_its_time() {
    let t = sim("fig3", &[("dose", "12.5:CA:1e8")], Sampling::Steps);
    let e = t
        .events
        .iter()
        .find(|e| e.label.starts_with("dose"))
        .unwrap();
    assert_eq!(e.t, 12.5);
    assert_eq!(e.after[ix::CA], e.before[ix::CA] + 1e8);
    for c in 0..7 {
        if c != ix::CA {
            assert_eq!(e.after[c], e.before[c]);
        }
    }
    // A day-0 dose is the same as a larger initial dose.
    let a = sim(
        "fig3",
        &[("dose", "0:CA:5e7")],
        Sampling::Times(vec![30.0, 60.0]),
    );
    let b = sim("fig3", &[("CA", "1e8")], Sampling::Times(vec![30.0, 60.0]));
    for d in [30.0, 60.0] {
        assert!(rel(at(&a, "car_t_total", d), at(&b, "car_t_total", d)) < 1e-9);
    }
    // A dose after the horizon is an error, not a crash.
    assert!(marrow::simulate(&req("fig3", &[("dose", "400:CA:1")], Sampling::Steps)).is_err());
}

#[test]
fn a_triggered_reinfusion_fires_where_l_rises_through_1e8() {
    let t = daily("fig8a", &[]);
    let e = t
        .events
        .iter()
        .find(|e| e.label == REINFUSION_LABEL)
        .unwrap();
    assert!(
        rel(e.before[ix::L], 1e8) < 1e-8,
        "L at event = {}",
        e.before[ix::L]
    );
    assert_eq!(e.after[ix::CA], e.before[ix::CA] + 5e8);
    // L went below 1e8 and came back: it is rising at the event.
    let l = series(&t, "L");
    assert!(l.iter().any(|(d, v)| *d < e.t && *v < 1e8));
    let just_after = l.iter().find(|(d, _)| *d > e.t).unwrap();
    assert!(just_after.1 > 1e8);
    // Patients with no initial response get the dose at the fallback day.
    let nr = daily("fig8a", &[("h", "5e10"), ("rhoC", "0.4")]);
    let e = nr
        .events
        .iter()
        .find(|e| e.label.starts_with("reinfusion"))
        .unwrap();
    assert_eq!(e.label, FALLBACK_LABEL);
    assert_eq!(e.t, 30.0);
    assert_eq!(e.after[ix::CA], e.before[ix::CA] + 5e8);
}

#[test]
fn second_product_with_zero_dose_reduces_to_the_one_product_model() {
    let days = Sampling::Times(vec![10.0, 30.0, 60.0, 120.0, 270.0]);
    let one = sim("fig3", &[], days.clone());
    let two = sim("fig3", &[("h2", "5e8"), ("rhoC2", "0.5")], days.clone());
    assert!(two.col("CA2").is_some() && one.col("CA2").is_none());
    for d in [10.0, 30.0, 60.0, 120.0, 270.0] {
        for s in ["CA", "CM", "B1", "B0"] {
            assert!(rel(at(&two, s, d), at(&one, s, d)) < 1e-4, "{s} at day {d}");
        }
        assert_eq!(at(&two, "CA2", d), 0.0);
        assert_eq!(at(&two, "CM2", d), 0.0);
    }
    // Same attributes, dose split between the products: CA+CA2 follows the
    // one-product CA with the whole dose (the equations are linear in the
    // CAR T populations for a given antigen load).
    let split = sim("fig3", &[("CA", "2e7"), ("CA2", "3e7")], days);
    for d in [10.0, 30.0, 60.0, 120.0, 270.0] {
        let ca = at(&split, "CA", d) + at(&split, "CA2", d);
        let cm = at(&split, "CM", d) + at(&split, "CM2", d);
        assert!(rel(ca, at(&one, "CA", d)) < 1e-4, "CA at day {d}");
        assert!(rel(cm, at(&one, "CM", d)) < 1e-4, "CM at day {d}");
        assert!(rel(at(&split, "share_product2", d), 0.6) < 1e-4);
    }
}

// ------------------------------------------------------------- figs 4–8 --

fn l30_and_peak(preset: &str, sets: &[(&str, &str)]) -> (f64, f64, f64) {
    let t = sim(preset, sets, Sampling::Every(0.05));
    let (tp, peak) = argmax(&series(&t, "car_t_total"), 0.0, 30.0);
    (at(&t, "L", 30.0), tp, peak)
}

#[test]
fn fig4_initial_state_does_not_change_the_outcome() {
    let mut peaks = Vec::new();
    for (k, v) in [
        ("L", "2e12"),
        ("L", "2e10"),
        ("Btot", "3.21e9"),
        ("Btot", "3.21e7"),
        ("CA", "5e8"),
        ("CA", "5e6"),
    ] {
        let (l30, tp, _) = l30_and_peak("fig4", &[(k, v)]);
        assert_eq!(l30, 0.0, "{k}={v} not cleared by day 30");
        peaks.push((k, tp));
    }
    let (_, tp_base, _) = l30_and_peak("fig4", &[]);
    // "A small delay of up to three days when varying the dose by an order of magnitude."
    for (k, tp) in peaks {
        let lim = if k == "CA" { 3.5 } else { 2.0 };
        assert!(
            (tp - tp_base).abs() <= lim,
            "{k}: peak at {tp} vs {tp_base}"
        );
    }
}

#[test]
fn fig5_product_attributes_shape_the_expansion() {
    // Lower killing capacity → larger expansion.
    let (_, _, p_hi) = l30_and_peak("fig5", &[("alpha", "3e-9")]);
    let (_, _, p_lo) = l30_and_peak("fig5", &[("alpha", "3e-11")]);
    assert!(p_lo > p_hi);
    // Higher activation threshold → delayed expansion, possibly failure.
    let (_, t1, _) = l30_and_peak("fig5", &[("h", "5e8")]);
    let (l3, t3, _) = l30_and_peak("fig5", &[("h", "5e10")]);
    let (_, _, peak1) = l30_and_peak("fig5", &[("h", "5e8")]);
    let (_, _, peak3) = l30_and_peak("fig5", &[("h", "5e10")]);
    assert!(t3 > t1, "h = 5e10 peaks at {t3}, h = 5e8 at {t1}");
    assert!(peak3 < peak1);
    assert!(l3 >= 1.0);
    // Lower proliferation → delayed expansion.
    let (_, t9, _) = l30_and_peak("fig5", &[("rhoC", "0.9")]);
    let (_, t3r, _) = l30_and_peak("fig5", &[("rhoC", "0.3")]);
    assert!(t3r > t9 + 1.0);
}

#[test]
fn fig6_response_needs_high_proliferation_and_low_threshold_and_alpha_matters_least() {
    let base = Scenario::from_preset("fig6", &[]).unwrap();
    let settings = Settings::default();
    let grid = |x: &str, y: &str| {
        Grid::new(vec![Axis::parse(x).unwrap(), Axis::parse(y).unwrap()]).unwrap()
    };
    let g = grid("h:1e8:1e11:log:6", "rhoC:0.4:1:lin:6");
    let ev = MarrowEval::new(&base, &["h", "rhoC"], &settings, 30.0).unwrap();
    let r: Vec<f64> = run(&g, &ev)
        .into_iter()
        .map(|m| m.unwrap().get(Outcome::Log10L30))
        .collect();
    assert!(r[5] < 0.0, "h = 1e8, ρC = 1 should respond");
    assert!(r[30] > 0.0, "h = 1e11, ρC = 0.4 should not respond");
    // Monotone: higher ρC never worse, higher h never better (on this
    // grid; at h = 1e11 activation is so weak that L30 ≈ 1e10 throughout
    // and wobbles by ~0.1 log, so that row only gets a loose check).
    for i in 0..6 {
        let slack = if i == 5 { 0.2 } else { 1e-9 };
        for j in 0..5 {
            assert!(r[i * 6 + j + 1] <= r[i * 6 + j] + slack, "ρC row {i}, {j}");
            assert!(
                r[(j + 1) * 6 + i] >= r[j * 6 + i] - 1e-9,
                "h column {i}, {j}"
            );
        }
    }
    // Range of log10 L30 across α (at h = 1e9, ρC = 0.7) is smaller than across h.
    let spread = |name: &str, axis: &str| {
        let g = Grid::new(vec![Axis::parse(axis).unwrap()]).unwrap();
        let mut b = base.clone();
        b.model.p[p::RHOC] = 0.7;
        let ev = MarrowEval::new(&b, &[name], &settings, 30.0).unwrap();
        let v: Vec<f64> = run(&g, &ev)
            .into_iter()
            .map(|m| m.unwrap().get(Outcome::Log10L30))
            .collect();
        v.iter().cloned().fold(f64::NEG_INFINITY, f64::max)
            - v.iter().cloned().fold(f64::INFINITY, f64::min)
    };
    assert!(spread("alpha", "alpha:3e-11:3e-9:log:9") < spread("h", "h:1e8:1e11:log:9"));
}

#[test]
fn fig8_standard_reinfusion_fails_and_a_new_product_takes_over() {
    let a = daily("fig8a", &[]);
    assert!(
        at(&a, "L", 180.0) > 1e8,
        "standard second dose controlled the relapse"
    );
    let c = daily("fig8c", &[]);
    let lc = at(&c, "L", 180.0);
    assert!(
        lc < at(&a, "L", 180.0) * 1e-3,
        "new product no better: {lc}"
    );
    // Fig. S2: the new product becomes dominant.
    assert!(at(&c, "share_product2", 180.0) > 0.9);
    assert!(at(&c, "share_product2", 30.0) == 0.0);
    let b = daily("fig8-bcells", &[]);
    assert!(b.events.iter().any(|e| e.label.starts_with("reinfusion")));
}

// ---------------------------------------------------------------- sweeps --

#[test]
fn marrow_sweep_in_chunks_equals_the_parallel_run() {
    let base = Scenario::from_preset("fig7", &[]).unwrap();
    let g = Grid::new(vec![
        Axis::parse("alpha:5e-11:5e-9:log:4").unwrap(),
        Axis::parse("h:5e8:5e10:log:5").unwrap(),
    ])
    .unwrap();
    let ev = MarrowEval::new(&base, &["alpha", "h"], &Settings::default(), 30.0).unwrap();
    let all: Vec<_> = run(&g, &ev).into_iter().map(|r| r.unwrap()).collect();
    let mut chunks = run_range(&g, &ev, 0..7, &mut |_, _| {});
    chunks.extend(run_range(&g, &ev, 7..20, &mut |_, _| {}));
    let chunks: Vec<_> = chunks.into_iter().map(|r| r.unwrap()).collect();
    assert_eq!(all, chunks);
    // Each point agrees with a stand-alone simulation of the same patient.
    let t = sim(
        "fig7",
        &[
            ("alpha", &format!("{}", g.axes[0].value(1))),
            ("h", &format!("{}", g.axes[1].value(3))),
        ],
        Sampling::Every(0.05),
    );
    let m = all[5 + 3];
    // (The stand-alone course runs on to day 60, so its steps differ near day 30.)
    assert!(rel(m.l30, at(&t, "L", 30.0)) < 1e-5);
    let (tp, peak) = argmax(&series(&t, "car_t_total"), 0.0, 30.0);
    assert!(rel(m.c_peak, peak) < 1e-6 && (m.tpeak - tp).abs() < 0.051);
    // Unknown names and bad values are errors.
    assert!(MarrowEval::new(&base, &["nope"], &Settings::default(), 30.0).is_err());
    let bad = Grid::new(vec![Axis::parse("alpha:-1:1:lin:2").unwrap()]).unwrap();
    let ev = MarrowEval::new(&base, &["alpha"], &Settings::default(), 30.0).unwrap();
    assert!(run(&bad, &ev)[0].is_err());
}

#[test]
fn fig7_non_responders_peak_later_and_lower() {
    let base = Scenario::from_preset("fig7", &[]).unwrap();
    let r = fig7(&base, HRange::Text, &Settings::default(), 30.0).unwrap();
    assert_eq!(r.patients, 4000);
    assert_eq!(r.failures, 0);
    assert_eq!(r.responders + r.non_responders, 4000);
    assert!(r.responders > 0 && r.non_responders > 0);
    // [M]: NR took longer to peak and expanded less, p < 1e-26 (Wilcoxon).
    assert!(r.median_tpeak_nr > r.median_tpeak_r);
    assert!(r.median_fold_nr < r.median_fold_r);
    assert!(r.wilcoxon_p_fold < 1e-26, "p fold {}", r.wilcoxon_p_fold);
    assert!(r.wilcoxon_p_tpeak < 1e-26, "p tpeak {}", r.wilcoxon_p_tpeak);
    // The caption's h range (10× higher thresholds) gives fewer responders.
    let c = fig7(&base, HRange::Caption, &Settings::default(), 30.0).unwrap();
    assert!(c.responder_fraction < r.responder_fraction);
}

// ------------------------------------------------------------------- CLI --

fn cli(args: &[&str]) -> (i32, String, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_cartsim"))
        .args(args)
        .output()
        .expect("run cartsim");
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[test]
fn cli_simulate_and_sweep() {
    let (code, out, _) = cli(&[
        "simulate", "--model", "marrow", "--preset", "fig3", "--every", "30",
    ]);
    assert_eq!(code, 0);
    assert!(out.starts_with("t,B0,B1,B2,B3,L,CA,CM,"));
    let (code, out, _) = cli(&[
        "simulate", "--model", "marrow", "--preset", "fig8c", "--every", "30",
    ]);
    assert_eq!(code, 0);
    assert!(out.starts_with("t,B0,B1,B2,B3,L,CA,CM,CA2,CM2,"));
    for h in ["text", "caption"] {
        let (code, out, err) = cli(&[
            "sweep",
            "--model",
            "marrow",
            "--experiment",
            "fig7",
            "--h-range",
            h,
            "--format",
            "json",
        ]);
        assert_eq!(code, 0, "{err}");
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        for k in [
            "patients",
            "responders",
            "responder_fraction",
            "wilcoxon_p_fold",
            "wilcoxon_p_tpeak",
            "median_fold_r",
            "median_fold_nr",
            "median_tpeak_r",
            "median_tpeak_nr",
        ] {
            assert!(v.get(k).is_some(), "missing {k}");
        }
        assert_eq!(v["patients"], 4000);
    }
    let (code, out, _) = cli(&[
        "sweep",
        "--model",
        "marrow",
        "--x",
        "alpha:3e-11:3e-9:log:3",
        "--y",
        "rhoC:0.4:1:lin:2",
        "--outcome",
        "response",
        "--format",
        "csv",
    ]);
    assert_eq!(code, 0);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "alpha,rhoC,response");
    assert_eq!(lines.len(), 7);
    let (code, out, _) = cli(&[
        "sweep", "--model", "marrow", "--preset", "fig5", "--every", "10",
    ]);
    assert_eq!(code, 0);
    assert!(out.starts_with("param,value,t,B0"));
    assert_eq!(out.lines().count(), 1 + 9 * 4);
    // Bad input: a message and exit code 2, no panic.
    for bad in [
        vec![
            "sweep",
            "--model",
            "marrow",
            "--x",
            "alpha:0:1:log:3",
            "--outcome",
            "fold",
        ],
        vec!["sweep", "--model", "marrow", "--experiment", "fig9"],
        vec![
            "sweep",
            "--model",
            "marrow",
            "--experiment",
            "fig7",
            "--h-range",
            "both",
        ],
        vec![
            "sweep",
            "--model",
            "marrow",
            "--x",
            "zeta:1:2:lin:2",
            "--outcome",
            "fold",
        ],
        vec![
            "simulate",
            "--model",
            "marrow",
            "--preset",
            "fig3",
            "--set",
            "variant=x",
        ],
    ] {
        let (code, _, err) = cli(&bad);
        assert_eq!(code, 2, "{bad:?}: {err}");
        assert!(err.starts_with("cartsim: "));
    }
}

#[test]
fn day30_only_heatmaps_give_the_same_l30_with_far_less_output() {
    use cartsim::sweep::Spacing;
    let req = cartsim::model::SimRequest {
        preset: "fig6".into(),
        ..Default::default()
    };
    let base = cartsim::model::marrow::scenario(&req).unwrap();
    let axis = |name: &str, lo: f64, hi: f64| Axis {
        name: name.into(),
        lo,
        hi,
        spacing: Spacing::Log,
        n: 12,
    };
    let grid = Grid::new(vec![axis("alpha", 3e-11, 3e-9), axis("h", 1e8, 1e11)]).unwrap();
    // day30_only also stops each course where the leukemia goes extinct;
    // with the extinction rule off there is nothing to stop at.
    let mut no_extinction = base.clone();
    no_extinction.extinction = None;
    for base in [&base, &no_extinction] {
        let full = MarrowEval::new(base, &["alpha", "h"], &req.settings, 30.0).unwrap();
        let sparse = MarrowEval::new(base, &["alpha", "h"], &req.settings, 30.0)
            .unwrap()
            .day30_only();
        let a = run(&grid, &full);
        let b = run(&grid, &sparse);
        let mut extinct = 0;
        for (x, y) in a.iter().zip(&b) {
            let (x, y) = (x.as_ref().unwrap(), y.as_ref().unwrap());
            for o in [Outcome::Log10L30, Outcome::L30, Outcome::Response] {
                assert_eq!(x.get(o).to_bits(), y.get(o).to_bits(), "{o:?}");
            }
            assert!(x.get(Outcome::Fold).is_finite());
            assert!(y.get(Outcome::Fold).is_nan() && y.get(Outcome::Tpeak).is_nan());
            extinct += usize::from(x.get(Outcome::L30) == 0.0);
        }
        // Both kinds of cell are in the grid when extinction is on.
        if base.extinction.is_some() {
            assert!(
                extinct > 10 && extinct < grid.len() - 10,
                "{extinct} extinct"
            );
        } else {
            assert_eq!(extinct, 0);
        }
    }
}

#[test]
fn day30_only_courses_extinct_from_day_0_still_report_day_0() {
    // The stop at extinction fires at the very start here (L(0) below one
    // cell): day 0's CAR T is still reported, so the metrics are complete.
    let req = cartsim::model::SimRequest {
        preset: "fig6".into(),
        ..Default::default()
    };
    let mut base = cartsim::model::marrow::scenario(&req).unwrap();
    base.model.p[cartsim::model::marrow::p::Y0 + cartsim::model::marrow::ix::L] = 0.5;
    let grid = Grid::new(vec![Axis {
        name: "alpha".into(),
        lo: 3e-11,
        hi: 3e-9,
        spacing: cartsim::sweep::Spacing::Log,
        n: 3,
    }])
    .unwrap();
    let full = MarrowEval::new(&base, &["alpha"], &req.settings, 30.0).unwrap();
    let sparse = MarrowEval::new(&base, &["alpha"], &req.settings, 30.0)
        .unwrap()
        .day30_only();
    for (x, y) in run(&grid, &full).iter().zip(&run(&grid, &sparse)) {
        let (x, y) = (x.as_ref().unwrap(), y.as_ref().unwrap());
        assert_eq!(y.get(Outcome::L30), 0.0);
        assert_eq!(x.get(Outcome::L30).to_bits(), y.get(Outcome::L30).to_bits());
    }
}

#[test]
fn course_metrics_do_not_depend_on_the_table_sampling() {
    use cartsim::model::marrow::MODEL;
    // The course's peak is read off its own 1/16-day grid, so it is the
    // same when the table asks for no rows at all (cartsim metrics) as
    // when it asks for every step, and matches the steps' maximum.
    let steps = marrow::simulate(&req("fig2", &[], Sampling::Steps)).unwrap();
    let c = steps.col("car_t_total").unwrap();
    let (t_max, c_max) = (0..steps.n_rows())
        .map(|i| (steps.row(i)[0], steps.row(i)[c]))
        .fold((0.0, 0.0), |a, b| if b.1 > a.1 { b } else { a });
    for sampling in [
        Sampling::Times(Vec::new()),
        Sampling::Every(30.0),
        Sampling::Steps,
    ] {
        let course = MODEL.course(&req("fig2", &[], sampling.clone())).unwrap();
        let m = course.metrics.unwrap();
        let peak = m.value("peak").unwrap();
        assert!(
            (peak - c_max).abs() <= c_max * 1e-3,
            "{sampling:?}: {peak} vs {c_max}"
        );
        assert!(
            (m.value("t_peak").unwrap() - t_max).abs() < 0.1,
            "{sampling:?}"
        );
        assert!(
            t_max > 5.0 && t_max < 12.0,
            "the fig2 peak is in the second week: {t_max}"
        );
    }
}
