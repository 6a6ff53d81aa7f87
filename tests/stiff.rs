//! The stiff solvers (Rodas4, `Method::Rosenbrock`; Rodas5P,
//! `Method::Rodas5p`) and the automatic method (`Method::Auto`): classic stiff test problems against published
//! reference solutions, the models' analytic Jacobians against finite
//! differences, events and the extinction rule on Rosenbrock steps, the
//! automatic switches, and failures explained in words.
//!
//! Reference solutions: F. Mazzia and F. Iavernaro (formerly with
//! C. Magherini), *Test Set for IVP Solvers*, University of Bari, release
//! 2.4 (2008), <https://archimede.uniba.it/~testset/> — problems ROBER,
//! VDPOL and HIRES (also in Hairer & Wanner, *Solving ODEs II*, §IV.10 and
//! their test set <https://www.unige.ch/~hairer/testset/testset.html>).
//! Each reference value was computed there with RADAU5 at tolerances near
//! 1e-18.
#![cfg(not(target_arch = "wasm32"))]

use cartsim::solver::{
    jacobian_by_differences, solve, solve_with, Events, Method, OdeSystem, OutputGrid, Settings,
    Solver, SolverError, Tolerance, Trajectory,
};

/// Robertson's chemical kinetics (ROBER): three species, rate constants
/// 0.04, 1e4, 3e7 — eigenvalues from 0 to about −1e4·y; with its Jacobian.
use cartsim::solver::reference::Robertson;

/// ROBER at t = 1e11 (the IVP test set).
const ROBER_REF: [f64; 3] = [
    0.208_334_014_970_125_5e-7,
    0.833_336_077_033_471_3e-13,
    0.999_999_979_166_505,
];

/// Van der Pol with μ = 1000 in the test set's scaled form (VDPOL):
/// y1' = y2, y2' = ((1 − y1²) y2 − y1)/ε with ε = 1/μ² = 1e-6, on [0, 2].
struct VanDerPol {
    eps: f64,
}
impl OdeSystem for VanDerPol {
    fn dim(&self) -> usize {
        2
    }
    fn rhs(&self, _t: f64, y: &[f64], dy: &mut [f64]) {
        dy[0] = y[1];
        dy[1] = ((1.0 - y[0] * y[0]) * y[1] - y[0]) / self.eps;
    }
    fn jacobian(&self, _t: f64, y: &[f64], j: &mut [f64]) -> bool {
        j.copy_from_slice(&[
            0.0,
            1.0,
            (-2.0 * y[0] * y[1] - 1.0) / self.eps,
            (1.0 - y[0] * y[0]) / self.eps,
        ]);
        true
    }
}
/// VDPOL at t = 2 (the test set, ε = 1e-6).
const VDPOL_REF: [f64; 2] = [1.706_167_732_170_483, -0.892_809_701_024_797_5];

/// HIRES: "High Irradiance RESponse" of plant morphogenesis, 8 species.
/// No analytic Jacobian: the solver differentiates it.
struct Hires;
impl OdeSystem for Hires {
    fn dim(&self) -> usize {
        8
    }
    fn rhs(&self, _t: f64, y: &[f64], f: &mut [f64]) {
        f[0] = -1.71 * y[0] + 0.43 * y[1] + 8.32 * y[2] + 0.0007;
        f[1] = 1.71 * y[0] - 8.75 * y[1];
        f[2] = -10.03 * y[2] + 0.43 * y[3] + 0.035 * y[4];
        f[3] = 8.32 * y[1] + 1.71 * y[2] - 1.12 * y[3];
        f[4] = -1.745 * y[4] + 0.43 * y[5] + 0.43 * y[6];
        f[5] = -280.0 * y[5] * y[7] + 0.69 * y[3] + 1.71 * y[4] - 0.43 * y[5] + 0.69 * y[6];
        f[6] = 280.0 * y[5] * y[7] - 1.81 * y[6];
        f[7] = -f[6];
    }
}
const HIRES_T: f64 = 321.8122;
const HIRES_Y0: [f64; 8] = [1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0057];
/// HIRES at t = 321.8122 (the test set).
const HIRES_REF: [f64; 8] = [
    0.737_131_257_332_566_8e-3,
    0.144_248_572_631_618_5e-3,
    0.588_872_974_096_757_5e-4,
    0.117_565_134_328_314_9e-2,
    0.238_635_619_883_133_1e-2,
    0.623_896_825_274_279_6e-2,
    0.284_999_839_518_576_9e-2,
    0.285_000_160_481_423_1e-2,
];

/// Largest |y − ref| / |ref| over the components.
fn max_rel_err(y: &[f64], reference: &[f64]) -> f64 {
    y.iter()
        .zip(reference)
        .map(|(a, b)| (a - b).abs() / b.abs())
        .fold(0.0, f64::max)
}

#[test]
fn robertson_matches_the_test_set_reference() {
    for method in [Method::Rosenbrock, Method::Rodas5p, Method::Auto] {
        let st = Settings {
            method,
            rtol: Tolerance::Scalar(1e-8),
            atol: Tolerance::PerComponent(vec![1e-14, 1e-20, 1e-14]),
            ..Settings::default()
        };
        let sol = solve_with(
            &Robertson,
            0.0,
            &[1.0, 0.0, 0.0],
            1e11,
            &st,
            &Events::none(),
            &OutputGrid::None,
        )
        .unwrap();
        let err = max_rel_err(&sol.outcome.y, &ROBER_REF);
        let s = &sol.outcome.stats;
        println!(
            "ROBER {method:?}: y(1e11) = {:?}, max rel. error {err:.2e}; {} steps ({} rejected), \
             {} f, {} J, {} LU; spans {:?}",
            sol.outcome.y,
            s.accepted,
            s.rejected,
            s.rhs_evals,
            s.jacobians,
            s.factorizations,
            s.spans
        );
        assert!(err < 1e-5, "{method:?}: {err:e}");
        if method == Method::Auto {
            // rtol 1e-8 is below AUTO_RODAS5P_BELOW: the stiff part is Rodas5P.
            assert_eq!(s.spans[1].method, Method::Rodas5p, "{:?}", s.spans);
        }
        // Mass is conserved (the sum of the right-hand sides is 0).
        let mass: f64 = sol.outcome.y.iter().sum();
        assert!((mass - 1.0).abs() < 1e-12, "{mass}");
    }
}

#[test]
fn van_der_pol_mu_1000_matches_the_test_set_reference() {
    let vdp = VanDerPol { eps: 1e-6 };
    for method in [Method::Rosenbrock, Method::Rodas5p, Method::Auto] {
        let st = Settings {
            method,
            ..Settings::dopri5(1e-8, 1e-8)
        };
        let sol = solve_with(
            &vdp,
            0.0,
            &[2.0, 0.0],
            2.0,
            &st,
            &Events::none(),
            &OutputGrid::None,
        )
        .unwrap();
        let err = max_rel_err(&sol.outcome.y, &VDPOL_REF);
        let s = &sol.outcome.stats;
        println!(
            "VDPOL {method:?}: y(2) = {:?}, max rel. error {err:.2e}; {} steps ({} rejected), \
             {} f, {} J; {} switches",
            sol.outcome.y,
            s.accepted,
            s.rejected,
            s.rhs_evals,
            s.jacobians,
            s.switches()
        );
        assert!(err < 1e-5, "{method:?}: {err:e}");
    }
    // Dormand–Prince cannot do it in 200,000 steps, and says why.
    let r = solve(&vdp, 0.0, &[2.0, 0.0], 2.0, &Settings::dopri5(1e-8, 1e-8));
    match r {
        Err(e @ SolverError::Stiff { .. }) => {
            let msg = e.to_string();
            println!("VDPOL Dopri5: {msg}");
            assert!(msg.contains("rosenbrock or auto"), "{msg}");
        }
        other => panic!("expected a stiffness failure, got {other:?}"),
    }
}

#[test]
fn hires_matches_the_test_set_reference_with_a_difference_jacobian() {
    for method in [Method::Rosenbrock, Method::Rodas5p, Method::Auto] {
        let st = Settings {
            method,
            ..Settings::dopri5(1e-10, 1e-10)
        };
        let sol = solve_with(
            &Hires,
            0.0,
            &HIRES_Y0,
            HIRES_T,
            &st,
            &Events::none(),
            &OutputGrid::None,
        )
        .unwrap();
        let err = max_rel_err(&sol.outcome.y, &HIRES_REF);
        let s = &sol.outcome.stats;
        println!(
            "HIRES {method:?}: max rel. error {err:.2e}; {} steps ({} rejected), {} f, {} J; \
             spans {:?}",
            s.accepted, s.rejected, s.rhs_evals, s.jacobians, s.spans
        );
        assert!(err < 1e-5, "{method:?}: {err:e}");
    }
}

// ---- the models' analytic Jacobians ---------------------------------------

use cartsim::model::{clinical, marrow, Sampling, SimRequest};

/// Analytic and central-difference Jacobians of `sys` agree at `y`: each
/// entry within 1e-6 relative, or within what rounding allows given the
/// size of the terms of its equation (`T_i = Σ_k |J_ik y_k| + |f_i|`). A
/// wrong or missing term shows as an error of order 1.
fn assert_jacobian_agrees<S: OdeSystem>(sys: &S, y: &[f64], ctx: &str) {
    let n = sys.dim();
    let mut ja = vec![f64::NAN; n * n];
    assert!(sys.jacobian(0.0, y, &mut ja), "{ctx}: no analytic Jacobian");
    let jd = jacobian_by_differences(sys, 0.0, y);
    let mut f = vec![0.0; n];
    sys.rhs(0.0, y, &mut f);
    for i in 0..n {
        let terms: f64 = (0..n).map(|k| (ja[i * n + k] * y[k]).abs()).sum::<f64>() + f[i].abs();
        for j in 0..n {
            let (a, d) = (ja[i * n + j], jd[i * n + j]);
            let tol = 1e-6 * a.abs().max(d.abs()) + 1e-8 * terms / y[j].abs().max(1e-3);
            assert!(
                (a - d).abs() <= tol,
                "{ctx}: ∂f{i}/∂y{j}: analytic {a:e}, differences {d:e} (tolerance {tol:e}) at {y:?}"
            );
        }
    }
}

/// J·v of the analytic Jacobian against the central difference
/// `(f(y + δv) − f(y − δv)) / 2δ` along `v = y ∘ r` (every component moved
/// in proportion to itself, by a random fraction r ∈ [−1, 1]): robust to
/// states whose components differ by many orders of magnitude, where single
/// entries' differences drown in rounding.
fn assert_directional_derivative_agrees<S: OdeSystem>(sys: &S, y: &[f64], r: &[f64], ctx: &str) {
    let n = sys.dim();
    let mut ja = vec![f64::NAN; n * n];
    assert!(sys.jacobian(0.0, y, &mut ja), "{ctx}: no analytic Jacobian");
    let delta = 1e-6;
    let v: Vec<f64> = y.iter().zip(r).map(|(a, b)| a * b).collect();
    let yp: Vec<f64> = y.iter().zip(&v).map(|(a, b)| a + delta * b).collect();
    let ym: Vec<f64> = y.iter().zip(&v).map(|(a, b)| a - delta * b).collect();
    let (mut fp, mut fm) = (vec![0.0; n], vec![0.0; n]);
    sys.rhs(0.0, &yp, &mut fp);
    sys.rhs(0.0, &ym, &mut fm);
    for i in 0..n {
        let jv: f64 = (0..n).map(|k| ja[i * n + k] * v[k]).sum();
        let scale: f64 = (0..n).map(|k| (ja[i * n + k] * v[k]).abs()).sum();
        let fd = (fp[i] - fm[i]) / (2.0 * delta);
        assert!(
            (jv - fd).abs() <= 1e-5 * scale + 1e-300,
            "{ctx}: (J v)_{i}: analytic {jv:e}, differences {fd:e} (scale {scale:e}) at {y:?}"
        );
    }
}

/// States along a DP5 course (every `every` days) of `sys` from `y0`.
fn states_along<S: OdeSystem>(sys: &S, y0: &[f64], t_end: f64, every: f64) -> Vec<Vec<f64>> {
    let times: Vec<f64> = (0..)
        .map(|i| i as f64 * every)
        .take_while(|t| *t <= t_end)
        .collect();
    let mut traj = Trajectory::new(sys.dim());
    let mut solver = Solver::new();
    // A course that fails part-way still gives the states it reached.
    let _ = solver.solve(
        sys,
        0.0,
        y0,
        t_end,
        &Settings::default(),
        &Events::none(),
        &OutputGrid::Times(times),
        &mut traj,
    );
    (0..traj.len()).map(|i| traj.row(i).to_vec()).collect()
}

#[test]
fn clinical_jacobian_matches_differences_along_every_preset() {
    let mut checked = 0;
    for pre in clinical::PRESETS {
        let sys = clinical::Clinical { p: pre.params };
        for y in states_along(&sys, &pre.params.initial_state(), 180.0, 9.0) {
            assert_jacobian_agrees(&sys, &y, pre.name);
            checked += 1;
        }
    }
    assert!(checked >= 4 * 20, "{checked}");
}

/// The marrow system of a preset with `sets` applied.
fn marrow_system(preset: &str, sets: &[(&str, &str)]) -> (marrow::Marrow, Vec<f64>, f64) {
    let req = SimRequest {
        preset: preset.into(),
        sets: sets
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        t_end: None,
        settings: Settings::default(),
        sampling: Sampling::Steps,
    };
    let sc = marrow::scenario(&req).unwrap();
    let mut y0 = vec![0.0; sc.model.dim()];
    sc.model.initial_state(&mut y0);
    (sc.model, y0, sc.t_end)
}

#[test]
fn marrow_jacobian_matches_differences_for_both_readings_and_two_products() {
    let mut checked = 0;
    for pre in marrow::PRESETS {
        for variant in ["corrected", "as-printed"] {
            let (sys, y0, t_end) = marrow_system(pre.name, &[("variant", variant)]);
            for y in states_along(&sys, &y0, t_end.min(200.0), 10.0) {
                assert_jacobian_agrees(&sys, &y, &format!("{} {variant}", pre.name));
                checked += 1;
            }
        }
    }
    // fig8c gives a second product (9 states); check it is among them.
    let (dual, _, _) = marrow_system("fig8c", &[]);
    assert!(dual.dual);
    // Random states and parameters across the sliders' ranges.
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    let mut uniform = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed >> 11) as f64 / (1u64 << 53) as f64
    };
    for case in 0..400 {
        let mut sys = dual.clone();
        sys.dual = case % 2 == 0;
        sys.variant = if case % 3 == 0 {
            marrow::Variant::AsPrinted
        } else {
            marrow::Variant::Corrected
        };
        for (v, spec) in sys.p.iter_mut().zip(&marrow::SPECS) {
            let (lo, hi) = (spec.min.max(1e-12), spec.max);
            *v = (lo.ln() + uniform() * (hi.ln() - lo.ln())).exp();
        }
        let y: Vec<f64> = (0..sys.dim())
            .map(|_| 10f64.powf(2.0 + 10.0 * uniform()))
            .collect();
        // Half-saturations within 10^±3 of the antigen load: beyond, 1 − F
        // cancels to a few digits and the differences drown in rounding.
        let load = y[1] + y[2] + y[3] + y[4];
        sys.p[marrow::p::H] = load * 10f64.powf(6.0 * uniform() - 3.0);
        sys.p[marrow::p::H2] = load * 10f64.powf(6.0 * uniform() - 3.0);
        for dir in 0..4 {
            let r: Vec<f64> = (0..sys.dim()).map(|_| 2.0 * uniform() - 1.0).collect();
            assert_directional_derivative_agrees(
                &sys,
                &y,
                &r,
                &format!("random case {case}, direction {dir}"),
            );
        }
        checked += 1;
    }
    println!("marrow Jacobian checked at {checked} states");
}

// ---- events and the extinction rule on Rosenbrock steps --------------------

use cartsim::model::{ModelError, Registry, SimTable};

/// Every preset of every model with `method` (rtol 1e-8), output every day.
fn every_preset(method: Method) -> Vec<(String, Result<SimTable, ModelError>)> {
    let mut out = Vec::new();
    for model in Registry::builtin().models() {
        for preset in model.preset_names() {
            let req = SimRequest {
                preset: preset.to_string(),
                sets: Vec::new(),
                t_end: None,
                settings: Settings {
                    method,
                    ..Settings::dopri5(1e-8, 1e-9)
                },
                sampling: Sampling::Every(1.0),
            };
            out.push((format!("{} {preset}", model.id()), model.simulate(&req)));
        }
    }
    out
}

#[test]
fn events_and_extinction_fire_as_with_dormand_prince_on_every_preset() {
    let dp5 = every_preset(Method::Dopri5);
    for method in [Method::Rosenbrock, Method::Auto] {
        let other = every_preset(method);
        let mut worst_event = 0.0f64;
        let mut worst_state = 0.0f64;
        let mut extinctions = 0;
        for ((name, a), (_, b)) in dp5.iter().zip(&other) {
            let (a, b) = match (a, b) {
                (Ok(a), Ok(b)) => (a, b),
                (Err(e), _) => {
                    // (a preset DP5 cannot solve is checked elsewhere)
                    println!(
                        "{name}: DP5 fails ({e}); {method:?}: {:?}",
                        b.as_ref().err()
                    );
                    continue;
                }
                (Ok(_), Err(e)) => panic!("{name}: {method:?} fails where DP5 solves: {e}"),
            };
            // The same events, in the same order, at the same times.
            let labels =
                |t: &SimTable| t.events.iter().map(|e| e.label.clone()).collect::<Vec<_>>();
            assert_eq!(labels(a), labels(b), "{name} {method:?}");
            for (x, y) in a.events.iter().zip(&b.events) {
                worst_event = worst_event.max((x.t - y.t).abs());
                assert!(
                    (x.t - y.t).abs() < 1e-3,
                    "{name} {method:?}: {} at {} vs {}",
                    x.label,
                    x.t,
                    y.t
                );
                // An extinguished population is exactly 0 after its event.
                for (c, (&p, &q)) in x.after.iter().zip(&y.after).enumerate() {
                    if p == 0.0 {
                        assert_eq!(q, 0.0, "{name} {method:?}: component {c} after {}", x.label);
                    }
                }
            }
            // The same course, within what the tolerances allow.
            assert_eq!(a.n_rows(), b.n_rows(), "{name}");
            for i in 0..a.n_rows() {
                for (c, (&p, &q)) in a.row(i).iter().zip(b.row(i)).enumerate() {
                    let scale = p.abs().max(q.abs()).max(1e-3);
                    worst_state = worst_state.max((p - q).abs() / scale);
                    assert!(
                        (p - q).abs() <= 1e-4 * scale,
                        "{name} {method:?}: {} on day {}: {p} vs {q}",
                        a.columns[c],
                        a.row(i)[0]
                    );
                }
            }
            // An extinguished component stays exactly 0 to the end.
            for e in b.events.iter().filter(|e| e.label.contains("extinct")) {
                extinctions += 1;
                for c in (0..e.after.len()).filter(|&c| e.after[c] == 0.0 && e.before[c] != 0.0) {
                    for i in (0..b.n_rows()).filter(|&i| b.row(i)[0] >= e.t) {
                        assert_eq!(
                            b.row(i)[1 + c],
                            0.0,
                            "{name} {method:?}: day {}",
                            b.row(i)[0]
                        );
                    }
                }
            }
        }
        println!(
            "{method:?} vs Dopri5 on every preset: {extinctions} extinctions; largest event-time \
             difference {worst_event:.2e} days, largest relative state difference {worst_state:.2e}"
        );
        assert!(extinctions >= 3, "{extinctions} extinction events");
    }
}

// ---- every slider position solves -----------------------------------------

/// Nine values across a parameter's range, on its slider's scale.
fn nine_points(spec: &cartsim::model::params::ParamSpec) -> Vec<f64> {
    use cartsim::model::params::Scale;
    (0..9)
        .map(|i| {
            let u = i as f64 / 8.0;
            match spec.scale {
                Scale::Log if spec.min > 0.0 => {
                    (spec.min.ln() + u * (spec.max.ln() - spec.min.ln())).exp()
                }
                _ => spec.min + u * (spec.max - spec.min),
            }
            .clamp(spec.min, spec.max)
        })
        .collect()
}

/// The issue's measurement: from `fig3`, one parameter at a time at nine
/// points across its slider's range (the second product's five values are
/// inert in fig3 and left out: 25 sliders, 225 courses). DP5 fails 3 (all
/// three at the half-saturation h: 1, 75 and 5,623 cells), the automatic
/// method none, and every DP5 failure says the system became stiff and
/// names the stiff solver.
#[test]
fn every_slider_position_of_fig3_solves_with_auto() {
    let inert = ["alpha2", "h2", "rhoC2", "CA2", "CM2"];
    let (mut total, mut dp5_failed, mut auto_failed) = (0, Vec::new(), Vec::new());
    for spec in marrow::SPECS.iter().filter(|s| !inert.contains(&s.name)) {
        for v in nine_points(spec) {
            total += 1;
            for method in [Method::Dopri5, Method::Auto] {
                let req = SimRequest {
                    preset: "fig3".into(),
                    sets: vec![(spec.name.to_string(), format!("{v}"))],
                    t_end: None,
                    settings: Settings {
                        method,
                        ..Settings::default()
                    },
                    sampling: Sampling::Every(1.0),
                };
                match (method, marrow::simulate(&req)) {
                    (_, Ok(_)) => {}
                    (Method::Dopri5, Err(e)) => {
                        let msg = e.to_string();
                        assert!(
                            msg.contains("rosenbrock or auto"),
                            "{}={v}: {msg}",
                            spec.name
                        );
                        dp5_failed.push(format!("{}={v}: {msg}", spec.name));
                    }
                    (_, Err(e)) => auto_failed.push(format!("{}={v}: {e}", spec.name)),
                }
            }
        }
    }
    println!(
        "fig3, one slider at a time, 9 points each: {total} courses; Dopri5 fails {}, auto {}",
        dp5_failed.len(),
        auto_failed.len()
    );
    for f in &dp5_failed {
        println!("  dopri5 {f}");
    }
    assert_eq!(total, 225);
    assert_eq!(dp5_failed.len(), 3, "{dp5_failed:#?}");
    assert!(auto_failed.is_empty(), "{auto_failed:#?}");
}

/// The automatic method switches to Rodas4 where DP5 starts to crawl at its
/// stability limit, earlier than the forced DP5's verdict (h·λ > 3.0
/// rather than 3.25: on `fig3` with h = 75 cells the estimate creeps up to
/// 3.25 only after hundreds of stability-limited steps): measured, day
/// 14.7 against DP5's 17.9.
#[test]
fn auto_switches_where_dormand_prince_starts_to_crawl() {
    let req = |method| SimRequest {
        preset: "fig3".into(),
        sets: vec![("h".into(), "75".into())],
        t_end: None,
        settings: Settings {
            method,
            ..Settings::default()
        },
        sampling: Sampling::Every(1.0),
    };
    let dp5 = marrow::simulate(&req(Method::Dopri5))
        .unwrap_err()
        .to_string();
    // "the system became stiff near day 17.8 …"
    let day: f64 = dp5
        .strip_prefix("the system became stiff near day ")
        .and_then(|r| r.split_whitespace().next())
        .and_then(|d| d.parse().ok())
        .unwrap_or_else(|| panic!("{dp5}"));
    let auto = marrow::simulate(&req(Method::Auto)).unwrap();
    let spans = &auto.stats.spans;
    println!("fig3 h = 75: DP5 stiff near day {day}; auto {spans:?}");
    assert_eq!(spans[0].method, Method::Dopri5);
    assert_eq!(spans[1].method, Method::Rosenbrock);
    assert!(spans[1].from < day - 1.0, "{} vs {day}", spans[1].from);
}

// ---- failures in words ----------------------------------------------------

/// `cartsim ARGS`: Ok, or the exit code and the sentence.
fn cli(args: &[&str]) -> Result<(), (i32, String)> {
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    cartsim::cli::run(&args, Registry::builtin()).map_err(|e| (e.code, e.message))
}

#[test]
fn failures_say_what_happened_and_the_cli_exits_1_with_that_sentence() {
    let printed = [
        "simulate",
        "--model",
        "marrow",
        "--preset",
        "fig3",
        "--set",
        "variant=as-printed",
        "--every",
        "30",
    ];
    let with = |solver: &str| {
        let mut a = printed.to_vec();
        a.extend(["--solver", solver]);
        cli(&a)
    };
    // Dormand–Prince, asked for, turns stiff and says so.
    {
        let (code, msg) = with("dopri5").unwrap_err();
        assert_eq!(code, 1, "{msg}");
        assert!(
            msg.starts_with("the system became stiff near day 157.6 ")
                && msg.contains("stopped at day 168.7102")
                && msg.ends_with("the stiff solver (rosenbrock or auto) handles this"),
            "{msg}"
        );
    }
    // The stiff solver (and the default, auto) gets past the stiffness to
    // what really happens: the printed equations make the CAR T cells grow
    // without bound.
    for (solver, r) in [
        ("default", cli(&printed)),
        ("auto", with("auto")),
        ("rosenbrock", with("rosenbrock")),
    ] {
        let (code, msg) = r.unwrap_err();
        assert_eq!(code, 1, "{msg}");
        assert!(
            msg.starts_with("cells exceed 10^30 near day 223."),
            "{solver}: {msg}"
        );
        assert!(
            msg.contains("with these parameters the model explodes"),
            "{msg}"
        );
    }
    // The solver words: all five accepted, anything else is bad input (2).
    for solver in ["dopri5", "rk4", "rosenbrock", "rodas5p", "auto"] {
        let r = cli(&[
            "simulate", "--model", "clinical", "--preset", "cr", "--solver", solver, "--times",
            "180",
        ]);
        assert!(r.is_ok(), "{solver}: {r:?}");
    }
    let (code, msg) = cli(&[
        "simulate", "--model", "clinical", "--preset", "cr", "--solver", "euler",
    ])
    .unwrap_err();
    assert_eq!(code, 2);
    assert!(
        msg.contains("dopri5, rk4, rosenbrock, rodas5p, auto"),
        "{msg}"
    );
}

#[test]
fn links_and_scenario_files_accept_the_stiff_solvers() {
    use cartsim::scenario::Scenario;
    let reg = Registry::builtin();
    for word in ["rosenbrock", "rodas5p", "auto"] {
        let q = format!("v=1&model=marrow&preset=fig3&solver={word}");
        let (s, problems) = Scenario::from_query(&q, reg);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(s.solver.as_str(), word);
        // The link and the file round-trip, and the request carries it; auto
        // is the default, so its link leaves the word out.
        let written = if word == "auto" {
            "v=1&model=marrow&preset=fig3".to_string()
        } else {
            q.clone()
        };
        assert_eq!(s.to_query(), written);
        let (back, p) = Scenario::from_json(&s.to_json(), reg);
        assert!(p.is_empty() && back == s, "{p:?}");
        assert_eq!(s.to_request(Sampling::Steps).settings.method.as_str(), word);
    }
}
