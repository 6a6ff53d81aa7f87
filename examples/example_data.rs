//! Writes `examples/data/*.csv`: each clinical preset's own simulated
//! course sampled as a clinic would — CAR T in cells/µL of blood on days
//! 1, 4, 7, 10, 14, 21 and 28, tumour burden (%) on days 0 and 28 with a
//! detection limit of 0.01% (MRD) — with 20% log-normal noise, seeded.
//! Simulated data, not patients; labelled as such in each file.
//!
//!     cargo run --example example_data
//!
//! `tests/fit.rs` checks that the committed files are exactly what this
//! writes.

use cartsim::data::synth::{self, Sample};
use cartsim::model::Registry;

/// Measurement noise (coefficient of variation).
pub const CV: f64 = 0.2;

/// Each example: (file name, preset, seed, the CSV text).
pub fn examples() -> Vec<(String, String)> {
    let model = Registry::builtin()
        .parse("clinical")
        .expect("the clinical model");
    let plan = [
        Sample {
            name: "car_t".into(),
            days: vec![1.0, 4.0, 7.0, 10.0, 14.0, 21.0, 28.0],
            limit: None,
        },
        Sample {
            name: "tumor_burden_pct".into(),
            days: vec![0.0, 28.0],
            limit: Some(0.01),
        },
    ];
    // One file per single-course preset ([L] Table 1); a comparison preset
    // (`classes`: the four as runs) is not a patient.
    model
        .preset_names()
        .into_iter()
        .filter(|preset| model.preset_runs(preset).is_empty())
        .enumerate()
        .map(|(k, preset)| {
            let seed = k as u64 + 1;
            let data = synth::simulate(model, preset, &[], "blood-per-ul", &plan, CV, seed)
                .expect("a preset's course");
            let csv = data.to_csv(&[
                "SIMULATED DATA, not a patient.",
                &format!(
                    "The course of the clinical model's preset '{preset}' (Liu et al. 2021), sampled as a clinic would,"
                ),
                &format!(
                    "with {:.0}% log-normal noise (seed {seed}). car_t: CAR T cells/uL blood (--car-unit blood-per-ul);",
                    CV * 100.0
                ),
                "tumor_burden_pct: % of marrow, <0.01 = below the MRD detection limit.",
                "Made by `cargo run --example example_data`.",
            ]);
            (format!("{preset}.csv"), csv)
        })
        .collect()
}

#[allow(dead_code)]
fn main() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/data");
    std::fs::create_dir_all(&dir).expect("examples/data");
    for (name, csv) in examples() {
        std::fs::write(dir.join(&name), csv).expect("write an example");
        println!("wrote examples/data/{name}");
    }
}
