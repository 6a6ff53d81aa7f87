//! `--shard i/n` and `cartsim merge` (issue 17): n shards run as separate
//! processes, merged, give exactly the unsharded output (timing fields
//! aside) for `trial`, `sweep` and `sensitivity`; merge refuses partials
//! that do not make one whole run.
#![cfg(not(target_arch = "wasm32"))]

use std::path::PathBuf;
use std::process::{Command, Stdio};

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_cartsim")
}

fn run(args: &[String]) -> (i32, String, String) {
    let out = Command::new(bin())
        .args(args)
        .output()
        .expect("cartsim runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("cartsim-shard-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Run `args` whole, then as `n` shards started together as separate
/// processes, merge them; return (unsharded, merged, partial files).
fn whole_and_merged(name: &str, args: &[&str], n: usize) -> (String, String, Vec<String>) {
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    let (code, whole, err) = run(&args);
    assert_eq!(code, 0, "{err}");
    let d = dir(name);
    let children: Vec<_> = (0..n)
        .map(|i| {
            let file = d.join(format!("part-{i}.json"));
            let mut a = args.clone();
            a.extend(["--shard".to_string(), format!("{i}/{n}")]);
            let child = Command::new(bin())
                .args(&a)
                .stdout(Stdio::from(std::fs::File::create(&file).unwrap()))
                .spawn()
                .expect("shard starts");
            (child, file)
        })
        .collect();
    let mut files = Vec::new();
    for (mut child, file) in children {
        assert!(child.wait().unwrap().success(), "a shard failed");
        files.push(file.to_string_lossy().into_owned());
    }
    // Any order on the command line.
    let mut m = vec!["merge".to_string()];
    m.extend(files.iter().rev().cloned());
    let (code, merged, err) = run(&m);
    assert_eq!(code, 0, "{err}");
    (whole, merged, files)
}

fn without_timing(s: &str) -> String {
    s.lines()
        .filter(|l| !l.contains("\"seconds\""))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn sensitivity_shards_merge_to_the_whole_study() {
    for (name, args) in [
        (
            "sobol",
            vec![
                "sensitivity",
                "--model",
                "clinical",
                "--preset",
                "cr",
                "--output",
                "fp",
                "--inputs",
                "rTA,lTA,kA",
                "--samples",
                "10",
                "--seed",
                "5",
            ],
        ),
        (
            "morris",
            vec![
                "sensitivity",
                "--model",
                "marrow",
                "--preset",
                "fig3",
                "--output",
                "tpeak",
                "--inputs",
                "rhoC,alpha",
                "--method",
                "morris",
                "--samples",
                "5",
                "--format",
                "csv",
            ],
        ),
        (
            "ishigami",
            vec!["sensitivity", "--function", "ishigami", "--samples", "100"],
        ),
    ] {
        let (whole, merged, _) = whole_and_merged(name, &args, 3);
        assert_eq!(whole, merged, "{name}");
        assert!(whole.contains("rTA") || whole.contains("rhoC") || whole.contains("x3"));
    }
}

#[test]
fn trial_shards_merge_to_the_whole_trial() {
    let (whole, merged, _) = whole_and_merged(
        "trial",
        &["trial", "--per-cohort", "5", "--bank", "40", "--seed", "9"],
        3,
    );
    assert!(whole.contains("\"patients\": 20"));
    assert_eq!(without_timing(&whole), without_timing(&merged));
    // The timing fields are there in both, as numbers.
    assert_eq!(
        whole.matches("\"seconds\"").count(),
        merged.matches("\"seconds\"").count()
    );
}

#[test]
fn sweep_shards_merge_to_the_whole_sweep() {
    let (whole, merged, _) = whole_and_merged(
        "sweep-map",
        &[
            "sweep",
            "--model",
            "marrow",
            "--x",
            "alpha:5e-11:5e-9:log:5",
            "--y",
            "rhoC:0.4:1:lin:3",
            "--outcome",
            "log10_L30",
        ],
        4,
    );
    assert_eq!(whole, merged);
    assert_eq!(whole.lines().count(), 16);
    let (whole, merged, _) = whole_and_merged(
        "sweep-fig6",
        &[
            "sweep", "--model", "marrow", "--preset", "fig6", "--n", "3", "--format", "json",
        ],
        2,
    );
    assert_eq!(whole, merged);
}

#[test]
fn merge_refuses_pieces_of_different_or_incomplete_runs() {
    let (_, _, a) = whole_and_merged(
        "refuse-a",
        &["sensitivity", "--function", "ishigami", "--samples", "20"],
        2,
    );
    let (_, _, b) = whole_and_merged(
        "refuse-b",
        &[
            "sensitivity",
            "--function",
            "ishigami",
            "--samples",
            "20",
            "--seed",
            "2",
        ],
        2,
    );
    for files in [
        vec![a[0].clone()],
        vec![a[0].clone(), b[1].clone()],
        vec![a[0].clone(), a[0].clone()],
    ] {
        let mut m = vec!["merge".to_string()];
        m.extend(files);
        let (code, out, err) = run(&m);
        assert_eq!(code, 2, "{err}");
        assert!(out.is_empty());
        assert_eq!(err.lines().count(), 1, "{err}");
    }
    let (code, _, err) = run(&[
        "sweep", "--model", "marrow", "--preset", "fig5", "--shard", "0/2",
    ]
    .map(String::from));
    assert_eq!(code, 2, "{err}");
}

#[test]
fn deploy_scripts_run_shards_and_merge_as_a_batch_engine_would() {
    // deploy/run-shard.sh reads the shard from the engine's variables:
    // Slurm's job array for two shards, Kubernetes' Indexed Job for the
    // third run's; deploy/merge.sh then writes the unsharded output.
    let root = env!("CARGO_MANIFEST_DIR");
    let args = [
        "sensitivity",
        "--function",
        "sobol-g",
        "--samples",
        "64",
        "--format",
        "csv",
    ];
    let (code, whole, _) = run(&args.map(String::from));
    assert_eq!(code, 0);
    for engine in ["slurm", "kubernetes"] {
        let d = dir(&format!("deploy-{engine}"));
        let parts = d.join("parts");
        for i in 0..3 {
            let mut c = Command::new("sh");
            c.arg(format!("{root}/deploy/run-shard.sh"))
                .args(args)
                .env("CARTSIM", bin())
                .env("OUT_DIR", &parts);
            if engine == "slurm" {
                c.env("SLURM_ARRAY_TASK_ID", i.to_string())
                    .env("SLURM_ARRAY_TASK_COUNT", "3");
            } else {
                c.env("JOB_COMPLETION_INDEX", i.to_string())
                    .env("SHARDS", "3");
            }
            assert!(c.status().unwrap().success(), "{engine} shard {i}");
        }
        let result = d.join("result.out");
        let ok = Command::new("sh")
            .arg(format!("{root}/deploy/merge.sh"))
            .env("CARTSIM", bin())
            .env("OUT_DIR", &parts)
            .env("RESULT", &result)
            .status()
            .unwrap()
            .success();
        assert!(ok, "{engine} merge");
        assert_eq!(std::fs::read_to_string(&result).unwrap(), whole, "{engine}");
    }
}
