//! The browser's sliced jobs give the same results as the native calls:
//! a virtual trial run slice by slice through `jobs::execute` (results
//! encoded and decoded as between a worker and the page) assembles to the
//! very report `trial::run` gives; a sweep in slices equals the whole.

use cartsim::jobs::{self, AxisSpec, BankSpec, JobError, SweepSpec, Task, TrialSpec, WorkerState};
use cartsim::model::ModelError;
use cartsim::predict::trial::{self, MethodResults};
use cartsim::solver::SolverError;

fn run(task: &Task, state: &mut WorkerState, parts: &[&[u8]]) -> Vec<u8> {
    let mut last = (0, 0);
    let out = jobs::execute(task, state, parts, &mut |d, t| last = (d, t)).expect("slice runs");
    assert_eq!(last.0, last.1, "progress reached the end");
    out
}

#[test]
fn sliced_trial_equals_native_trial_bit_for_bit() {
    let spec = TrialSpec {
        seed: 11,
        per_cohort: 3,
        noise_cv: 0.1,
        bank_per_cohort: 30,
    };
    let config = spec.config();
    let (want, want_preds) = trial::run(&config).unwrap();

    let n = spec.patients();
    let bank = spec.bank();
    let mut scored = Vec::new();
    let mut paper = Vec::new();
    let mut state = WorkerState::default();
    for (start, end) in jobs::split(n, 5) {
        let b = run(
            &Task::Score {
                trial: spec,
                start,
                end,
            },
            &mut state,
            &[],
        );
        scored.extend(jobs::decode_scored(&spec, start, &b).unwrap());
        let b = run(
            &Task::Paper {
                trial: spec,
                start,
                end,
            },
            &mut state,
            &[],
        );
        paper.extend(jobs::decode_paper(&b));
    }
    let parts: Vec<Vec<u8>> = jobs::split(bank.len(), 4)
        .into_iter()
        .map(|(start, end)| {
            run(
                &Task::Bank {
                    bank: bank.clone(),
                    start,
                    end,
                },
                &mut state,
                &[],
            )
        })
        .collect();
    let refs: Vec<&[u8]> = parts.iter().map(Vec::as_slice).collect();
    let mut probs = Vec::new();
    // A fresh worker gets the parts; a second slice reuses what it kept.
    let mut worker = WorkerState::default();
    assert!(!worker.has_bank(&bank));
    for (k, (start, end)) in jobs::split(n, 2).into_iter().enumerate() {
        let give: &[&[u8]] = if k == 0 { &refs } else { &[] };
        let b = run(
            &Task::Posterior {
                trial: spec,
                start,
                end,
            },
            &mut worker,
            give,
        );
        probs.extend(jobs::decode_probs(&b).unwrap());
    }
    assert!(worker.has_bank(&bank));
    let other = BankSpec {
        per_cohort: 31,
        ..bank.clone()
    };
    assert!(!worker.has_bank(&other));

    let (got, got_preds) = trial::assemble(
        &config,
        &scored,
        &[
            MethodResults::Bayes(probs, 0.0),
            MethodResults::Paper(paper, 0.0),
        ],
    );
    let strip = |r: &trial::TrialReport| {
        let mut v = serde_json::to_value(r).unwrap();
        for m in ["paper", "bayes"] {
            v[m]["seconds"] = serde_json::json!(0);
        }
        v.to_string()
    };
    assert_eq!(strip(&got), strip(&want));
    assert_eq!(got_preds, want_preds);
    assert_eq!(
        trial::patients_csv(&scored, &got_preds).lines().count(),
        n + 1
    );
}

#[test]
fn a_posterior_without_its_bank_is_an_error_not_a_panic() {
    let spec = TrialSpec {
        seed: 1,
        per_cohort: 1,
        noise_cv: 0.0,
        bank_per_cohort: 5,
    };
    let task = Task::Posterior {
        trial: spec,
        start: 0,
        end: 1,
    };
    let e = jobs::execute(&task, &mut WorkerState::default(), &[], &mut |_, _| {});
    assert!(
        matches!(&e, Err(JobError::Internal(m)) if m.contains("bank")),
        "{e:?}"
    );
    let e = jobs::execute(
        &task,
        &mut WorkerState::default(),
        &[&[1, 2, 3]],
        &mut |_, _| {},
    );
    assert!(matches!(e, Err(JobError::Internal(_))), "{e:?}");
}

#[test]
fn job_errors_say_whose_fault_it_is() {
    // A bad axis is the user's input; the page shows the sentence.
    let sweep = |name: &str, lo: f64| SweepSpec {
        preset: "fig6".into(),
        sets: Vec::new(),
        axes: vec![AxisSpec {
            name: name.into(),
            lo,
            hi: 1e-9,
            log: true,
            n: 2,
        }],
        peak_window: 30.0,
        day30_only: true,
    };
    let run = |spec: SweepSpec| {
        jobs::execute(
            &Task::Sweep {
                sweep: spec,
                start: 0,
                end: 2,
            },
            &mut WorkerState::default(),
            &[],
            &mut |_, _| {},
        )
    };
    let e = run(sweep("bogus", 1e-10)).unwrap_err();
    assert!(
        matches!(&e, JobError::BadInput(m) if m.contains("bogus")),
        "{e:?}"
    );
    assert!(run(sweep("alpha", 1e-10)).is_ok());
    // The kind crosses the worker boundary as JSON.
    let json = serde_json::to_value(&e).unwrap();
    assert_eq!(json["kind"], "bad_input");
    let solve: JobError = ModelError::Solver(SolverError::TooManySteps {
        t: 3.0,
        max_steps: 10,
    })
    .into();
    assert!(matches!(solve, JobError::Solve(_)));
}

#[test]
fn sweep_in_slices_equals_the_whole_grid() {
    let sweep = SweepSpec {
        preset: "fig6".into(),
        sets: vec![],
        axes: vec![
            jobs::AxisSpec {
                name: "alpha".into(),
                lo: 3e-11,
                hi: 3e-9,
                log: true,
                n: 4,
            },
            jobs::AxisSpec {
                name: "rhoC".into(),
                lo: 0.4,
                hi: 1.0,
                log: false,
                n: 3,
            },
        ],
        peak_window: 30.0,
        day30_only: false,
    };
    let grid = sweep.grid().unwrap();
    let ev = sweep.evaluator(&grid).unwrap();
    let whole = cartsim::sweep::run(&grid, &ev);
    let mut state = WorkerState::default();
    let mut got = Vec::new();
    for (start, end) in jobs::split(grid.len(), 5) {
        let b = run(
            &Task::Sweep {
                sweep: sweep.clone(),
                start,
                end,
            },
            &mut state,
            &[],
        );
        got.extend(jobs::decode_sweep(&b).unwrap());
    }
    assert_eq!(got.len(), whole.len());
    for (a, b) in got.iter().zip(&whole) {
        assert_eq!(a.as_ref().ok(), b.as_ref().ok());
    }
    let bad = SweepSpec {
        preset: "nope".into(),
        ..sweep
    };
    let e = jobs::execute(
        &Task::Sweep {
            sweep: bad,
            start: 0,
            end: 1,
        },
        &mut state,
        &[],
        &mut |_, _| {},
    );
    assert!(e.is_err());
}
