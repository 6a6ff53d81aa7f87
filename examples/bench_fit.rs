//! Fit-time benchmark (`cargo xtask bench-fit`, which runs this in release
//! mode and writes its table into BENCHMARKS.md): the four FT parameters of
//! the clinical model (rTA, e, kA, lTA) fitted with the default settings
//! (8 seeded starts, Jacobian intervals) to simulated data of each preset —
//! the clinic's 9 points (CAR T on 7 days, burden on days 0 and 28) and a
//! 20-point set (CAR T on days 1–14, 21, 28; burden on days 0, 7, 14, 28),
//! 20% noise — and once more with profile-likelihood intervals. Median
//! wall time of `--runs N` (default 5) fits each; one thread.

use cartsim::data::synth::{self, Sample};
use cartsim::fit::{fit, FitBase, FitSettings};
use cartsim::model::Registry;
use std::time::Instant;

fn main() {
    let runs: usize = std::env::args()
        .skip_while(|a| a != "--runs")
        .nth(1)
        .and_then(|v| v.parse().ok())
        .unwrap_or(5);
    let model = Registry::builtin().parse("clinical").expect("clinical");
    let car = |days: Vec<f64>| Sample {
        name: "car_t".into(),
        days,
        limit: None,
    };
    let tb = |days: Vec<f64>| Sample {
        name: "tumor_burden_pct".into(),
        days,
        limit: Some(0.01),
    };
    let plans = [
        (
            "9 points",
            vec![
                car(vec![1.0, 4.0, 7.0, 10.0, 14.0, 21.0, 28.0]),
                tb(vec![0.0, 28.0]),
            ],
        ),
        (
            "20 points",
            vec![
                car((1..=14).map(f64::from).chain([21.0, 28.0]).collect()),
                tb(vec![0.0, 7.0, 14.0, 28.0]),
            ],
        ),
    ];
    println!("| preset | data | intervals | median (ms) | range (ms) | model solves | converged |");
    println!("|---|---|---|---:|---:|---:|---|");
    for preset in model.preset_names() {
        for (label, plan) in &plans {
            let data = synth::simulate(model, preset, &[], "blood-per-ul", plan, 0.2, 7)
                .expect("simulated data");
            let obs = data.bind(model, preset, "blood-per-ul").expect("bound");
            for profile in [false, true] {
                let base = FitBase {
                    model,
                    preset: preset.to_string(),
                    sets: Vec::new(),
                };
                let settings = FitSettings {
                    profile,
                    ..FitSettings::default()
                };
                let mut times = Vec::with_capacity(runs);
                let mut last = None;
                for _ in 0..runs {
                    let t = Instant::now();
                    let r = fit(&base, &obs, &settings, &mut |_, _| {}).expect("fit");
                    times.push(t.elapsed().as_secs_f64() * 1e3);
                    last = Some(r);
                }
                times.sort_by(f64::total_cmp);
                let r = last.expect("one run");
                println!(
                    "| {preset} | {label} | {} | {:.0} | {:.0} – {:.0} | {} | {} |",
                    if profile {
                        "Jacobian + profile"
                    } else {
                        "Jacobian"
                    },
                    times[times.len() / 2],
                    times[0],
                    times[times.len() - 1],
                    r.evaluations,
                    r.converged
                );
            }
        }
    }
}
