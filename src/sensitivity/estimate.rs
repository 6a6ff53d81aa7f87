//! Indices from a design's outputs: Sobol' first-order (Saltelli 2010, with
//! f_B centred on the outputs' mean, as SALib does by standardising) and
//! total (Jansen 1999) indices with seeded bootstrap 95% intervals, Morris
//! μ*, μ and σ, and local normalised coefficients. Rows whose output is not
//! a finite number (a failed solve) drop their whole base sample or
//! trajectory; the count is reported.

use super::design::{Design, Method, MORRIS_DELTA};
use crate::cohort::rng::Stream;

/// Bootstrap resamples behind each Sobol interval.
pub const BOOTSTRAP: usize = 500;

/// Sobol indices of one input. `None` where the output does not vary.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct SobolIndex {
    /// First-order index S_i.
    pub first: Option<f64>,
    /// Its bootstrap 95% interval.
    pub first_ci95: Option<[f64; 2]>,
    /// Total index S_Ti.
    pub total: Option<f64>,
    /// Its bootstrap 95% interval.
    pub total_ci95: Option<[f64; 2]>,
}

/// Morris statistics of one input's elementary effects (in output units
/// per unit of the input's quantile).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct MorrisIndex {
    /// Mean of |EE|.
    pub mu_star: Option<f64>,
    /// Mean of EE.
    pub mu: Option<f64>,
    /// Standard deviation of EE (n − 1).
    pub sigma: Option<f64>,
}

/// Local coefficient of one input.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct LocalIndex {
    /// ∂ln y/∂ln p (`None` when the nominal value or output is 0).
    pub coefficient: Option<f64>,
}

/// The indices of every input, by method.
#[derive(Debug, Clone, PartialEq)]
pub enum Indices {
    /// Sobol.
    Sobol(Vec<SobolIndex>),
    /// Morris.
    Morris(Vec<MorrisIndex>),
    /// Local.
    Local(Vec<LocalIndex>),
}

/// The indices of a design from the outputs `y` of all its rows, and how
/// many base samples / trajectories were dropped for a failed row.
pub fn analyse(design: &Design, y: &[f64]) -> (Indices, usize) {
    assert_eq!(y.len(), design.rows(), "one output per row");
    match design.method {
        Method::Sobol => {
            let (ix, dropped) = sobol(design.k(), y, design.seed);
            (Indices::Sobol(ix), dropped)
        }
        Method::Morris => {
            let (ix, dropped) = morris(design, y);
            (Indices::Morris(ix), dropped)
        }
        Method::Local => (Indices::Local(local(design, y)), 0),
    }
}

/// Point estimates (S_i, S_Ti) of every input from the base samples `js`.
fn sobol_point(k: usize, y: &[f64], js: &[usize], out_first: &mut [f64], out_total: &mut [f64]) {
    let g = k + 2;
    let n = js.len() as f64;
    // Variance of the A and B outputs together (two passes: exactly 0 for a
    // constant output).
    let mean = js.iter().map(|&j| y[j * g] + y[j * g + 1]).sum::<f64>() / (2.0 * n);
    let var = js
        .iter()
        .map(|&j| (y[j * g] - mean).powi(2) + (y[j * g + 1] - mean).powi(2))
        .sum::<f64>()
        / (2.0 * n);
    for i in 0..k {
        let (mut v1, mut vt) = (0.0, 0.0);
        for &j in js {
            let (a, b, ab) = (y[j * g], y[j * g + 1], y[j * g + 2 + i]);
            // Centred: the same expectation, far less variance when the
            // output's mean is large beside its spread.
            v1 += (b - mean) * (ab - a);
            vt += (a - ab) * (a - ab);
        }
        out_first[i] = v1 / n / var;
        out_total[i] = vt / (2.0 * n) / var;
    }
}

/// Percentile (type 7) of sorted values.
fn percentile(sorted: &[f64], p: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * p;
    let (lo, hi) = (h.floor() as usize, h.ceil() as usize);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

fn sobol(k: usize, y: &[f64], seed: u64) -> (Vec<SobolIndex>, usize) {
    let g = k + 2;
    let n_all = y.len() / g;
    let js: Vec<usize> = (0..n_all)
        .filter(|&j| y[j * g..(j + 1) * g].iter().all(|v| v.is_finite()))
        .collect();
    let dropped = n_all - js.len();
    let none = SobolIndex {
        first: None,
        first_ci95: None,
        total: None,
        total_ci95: None,
    };
    if js.len() < 2 {
        return (vec![none; k], dropped);
    }
    let mut first = vec![0.0; k];
    let mut total = vec![0.0; k];
    sobol_point(k, y, &js, &mut first, &mut total);
    // A constant output has no variance to share out: every index is None.
    let mut boot_first = vec![Vec::with_capacity(BOOTSTRAP); k];
    let mut boot_total = vec![Vec::with_capacity(BOOTSTRAP); k];
    let mut stream = Stream::new(seed ^ 0x626f_6f74);
    let mut pick = vec![0usize; js.len()];
    let (mut f, mut t) = (vec![0.0; k], vec![0.0; k]);
    for _ in 0..BOOTSTRAP {
        for p in pick.iter_mut() {
            let r = ((stream.uniform() * js.len() as f64) as usize).min(js.len() - 1);
            *p = js[r];
        }
        sobol_point(k, y, &pick, &mut f, &mut t);
        for i in 0..k {
            boot_first[i].push(f[i]);
            boot_total[i].push(t[i]);
        }
    }
    let ci = |v: &mut Vec<f64>| -> Option<[f64; 2]> {
        if v.iter().any(|x| !x.is_finite()) {
            return None;
        }
        v.sort_by(f64::total_cmp);
        Some([percentile(v, 0.025), percentile(v, 0.975)])
    };
    let fin = |x: f64| x.is_finite().then_some(x);
    let out = (0..k)
        .map(|i| SobolIndex {
            first: fin(first[i]),
            first_ci95: ci(&mut boot_first[i]),
            total: fin(total[i]),
            total_ci95: ci(&mut boot_total[i]),
        })
        .collect();
    (out, dropped)
}

fn morris(design: &Design, y: &[f64]) -> (Vec<MorrisIndex>, usize) {
    let k = design.k();
    let g = k + 1;
    let r = y.len() / g;
    let mut effects: Vec<Vec<f64>> = vec![Vec::with_capacity(r); k];
    let mut dropped = 0;
    for t in 0..r {
        let ys = &y[t * g..(t + 1) * g];
        if !ys.iter().all(|v| v.is_finite()) {
            dropped += 1;
            continue;
        }
        let traj = super::design::morris_trajectory(design.seed, t as u64, k);
        for (m, &(i, dir)) in traj.moves.iter().enumerate() {
            effects[i].push((ys[m + 1] - ys[m]) / (dir * MORRIS_DELTA));
        }
    }
    let out = effects
        .iter()
        .map(|e| {
            let n = e.len() as f64;
            if e.is_empty() {
                return MorrisIndex {
                    mu_star: None,
                    mu: None,
                    sigma: None,
                };
            }
            let mu = e.iter().sum::<f64>() / n;
            let mu_star = e.iter().map(|x| x.abs()).sum::<f64>() / n;
            let sigma = (e.len() > 1)
                .then(|| (e.iter().map(|x| (x - mu) * (x - mu)).sum::<f64>() / (n - 1.0)).sqrt());
            MorrisIndex {
                mu_star: Some(mu_star),
                mu: Some(mu),
                sigma,
            }
        })
        .collect();
    (out, dropped)
}

fn local(design: &Design, y: &[f64]) -> Vec<LocalIndex> {
    let y0 = y[0];
    (0..design.k())
        .map(|i| {
            let p = design.inputs[i].nominal;
            let (up, down) = design.local_points(i);
            let (yu, yd) = (y[1 + 2 * i], y[2 + 2 * i]);
            let coefficient = if p > 0.0 && up > down && y0 != 0.0 && y0.is_finite() {
                let span = crate::math::ln(up) - crate::math::ln(down);
                let c = if yu > 0.0 && yd > 0.0 {
                    (crate::math::ln(yu) - crate::math::ln(yd)) / span
                } else {
                    (yu - yd) / (span * y0)
                };
                c.is_finite().then_some(c)
            } else {
                None
            };
            LocalIndex { coefficient }
        })
        .collect()
}
