//! Response-probability bands ([L] Fig. 5D, 6D; MODELS.md §1): fit a density
//! p_i to a factor's values in each class, then P_i(X) = p_i(X) / Σ_j p_j(X)
//! on a grid. The bands sum to 1 at every grid point by construction
//! (computed in log space, so far tails never divide 0 by 0).
//!
//! # Which density (MODELS.md §1: "cartsim must name the family it uses, fit
//! it by maximum likelihood, and show it")
//!
//! The defaults ([`crate::cohort::bands::Factor::default_family`]) are
//! normal densities with **one variance pooled over the classes**
//! ([`Family::PooledNormal`] for FP; [`Family::PooledLognormal`], the same on
//! log FT, for FT), fitted together by maximum likelihood
//! ([`super::density::fit_classes`]): each class its own mean μ_i, one σ.
//!
//! Why: with a shared σ, log(p_i/p_j)(x) = (μ_i − μ_j)/σ² · (x − (μ_i + μ_j)/2)
//! is linear in x (in log x for FT), so each pair of classes changes places
//! exactly once, at the midpoint of their means, and the most likely class
//! runs through the classes in the order of their means with no reversal,
//! anywhere on the axis. In the far tails the class with the lowest (or
//! highest) mean takes everything, which is the only tail behaviour the data
//! can support. With one σ per class (the per-class [`Family::Normal`]), the
//! class with the widest spread wins both far tails: on the default cohort
//! (seed 1, 400 per preset) that put CR & CD19− relapse as most likely at
//! FP < 6.8, i.e. for a patient whose CAR T barely expanded, contrary to
//! [L] (NR → CD19+ relapse → CR & CD19− relapse as FP grows) and to the
//! cohort itself (no CR patient below FP 11). The shared σ is the price: the
//! bands' widths no longer follow each class's own spread, and skewed classes
//! move the switch points a little (they sit at midpoints of means, not of
//! medians).
//!
//! The per-class families (normal, lognormal, kde) stay available
//! (`cartsim bands --family`) for comparison; outside the cohort's values
//! ([`Bands::covered`]) their order is an artefact of the fitted tails.

use super::density::{fit_classes, Density, Family, FitError};
use crate::math::{exp, ln};

/// One class's values of the factor.
#[derive(Debug, Clone)]
pub struct ClassValues {
    /// Class label, e.g. "NR".
    pub label: String,
    /// Factor values of the class's patients.
    pub values: Vec<f64>,
}

/// The bands on a grid.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Bands {
    /// Grid of factor values.
    pub x: Vec<f64>,
    /// Class labels, in band order (bottom to top when stacked).
    pub labels: Vec<String>,
    /// `p[i][g]`: probability of class i at grid point g.
    pub p: Vec<Vec<f64>>,
    /// The fitted density of each class.
    pub fits: Vec<Density>,
    /// Classes left out for having fewer than two values.
    pub skipped: Vec<String>,
    /// The factor's smallest and largest value over the fitted classes'
    /// patients: where the bands rest on data. Outside it they only
    /// extrapolate the fitted densities. Always inside `x` for the grid of
    /// [`grid_for`].
    pub covered: (f64, f64),
}

/// Why bands could not be computed.
#[derive(Debug, Clone, PartialEq)]
pub enum BandError {
    /// Fewer than two classes could be fitted.
    TooFewClasses,
    /// A fit failed.
    Fit(String, FitError),
    /// The grid is empty or not finite.
    BadGrid,
}

impl std::fmt::Display for BandError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BandError::TooFewClasses => {
                write!(
                    f,
                    "at least two classes with two or more patients are needed for bands"
                )
            }
            BandError::Fit(c, e) => write!(f, "class {c}: {e}"),
            BandError::BadGrid => write!(f, "the band grid must be non-empty and finite"),
        }
    }
}

impl std::error::Error for BandError {}

/// A grid of `n` points spanning the values, with a margin; log-spaced when `log`.
pub fn grid_for(classes: &[ClassValues], n: usize, log: bool) -> Vec<f64> {
    let all = classes.iter().flat_map(|c| c.values.iter().copied());
    let all: Vec<f64> = all
        .filter(|v| v.is_finite() && (!log || *v > 0.0))
        .collect();
    if all.is_empty() || n < 2 {
        return Vec::new();
    }
    let lo = all.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = all.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let (a, b) = if log {
        (ln(lo) - 0.5, ln(hi) + 0.5)
    } else {
        let m = 0.1 * (hi - lo).max(1e-9);
        (lo - m, hi + m)
    };
    (0..n)
        .map(|i| {
            let u = a + (b - a) * i as f64 / (n - 1) as f64;
            if log {
                exp(u)
            } else {
                u
            }
        })
        .collect()
}

/// Fit each class and compute the bands on `grid`.
pub fn compute(
    classes: &[ClassValues],
    family: Family,
    log_scale: bool,
    grid: &[f64],
) -> Result<Bands, BandError> {
    if grid.is_empty() || grid.iter().any(|x| !x.is_finite()) {
        return Err(BandError::BadGrid);
    }
    let mut kept = Vec::new();
    let mut skipped = Vec::new();
    for c in classes {
        if c.values.len() < 2 {
            skipped.push(c.label.clone());
        } else {
            kept.push(c);
        }
    }
    if kept.len() < 2 {
        return Err(BandError::TooFewClasses);
    }
    let samples: Vec<&[f64]> = kept.iter().map(|c| c.values.as_slice()).collect();
    let fits = fit_classes(family, &samples, log_scale)
        .map_err(|(i, e)| BandError::Fit(kept[i].label.clone(), e))?;
    let labels: Vec<String> = kept.iter().map(|c| c.label.clone()).collect();
    // Every value is finite (the fits reject any other), so min/max are too.
    let covered = samples
        .iter()
        .flat_map(|xs| xs.iter().copied())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
    let mut p = vec![vec![0.0; grid.len()]; fits.len()];
    let mut lp = vec![0.0; fits.len()];
    for (g, &x) in grid.iter().enumerate() {
        for (i, d) in fits.iter().enumerate() {
            lp[i] = d.ln_pdf(x);
        }
        let m = lp.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        if m == f64::NEG_INFINITY {
            // Outside every support: no information, equal shares.
            for row in p.iter_mut() {
                row[g] = 1.0 / fits.len() as f64;
            }
            continue;
        }
        let z: f64 = lp.iter().map(|l| exp(l - m)).sum();
        for (i, row) in p.iter_mut().enumerate() {
            row[g] = exp(lp[i] - m) / z;
        }
    }
    Ok(Bands {
        x: grid.to_vec(),
        labels,
        p,
        fits,
        skipped,
        covered,
    })
}

impl Bands {
    /// The most likely class at factor value `x` (from the fitted densities).
    pub fn most_likely(&self, x: f64) -> Option<&str> {
        let (i, _) = self
            .fits
            .iter()
            .map(|d| d.ln_pdf(x))
            .enumerate()
            .max_by(|a, b| a.1.total_cmp(&b.1))?;
        Some(&self.labels[i])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn classes() -> Vec<ClassValues> {
        vec![
            ClassValues {
                label: "low".into(),
                values: vec![1.0, 2.0, 1.5, 1.2, 2.5],
            },
            ClassValues {
                label: "high".into(),
                values: vec![10.0, 20.0, 15.0, 12.0, 30.0],
            },
            ClassValues {
                label: "one".into(),
                values: vec![5.0],
            },
        ]
    }

    #[test]
    fn bands_sum_to_one_everywhere_and_order_classes() {
        for family in Family::ALL {
            let c = classes();
            let grid = grid_for(&c, 200, true);
            let b = compute(&c, family, true, &grid).unwrap();
            assert_eq!(b.skipped, vec!["one".to_string()]);
            assert_eq!(b.covered, (1.0, 30.0), "{family:?}");
            for g in 0..grid.len() {
                let s: f64 = b.p.iter().map(|row| row[g]).sum();
                assert!((s - 1.0).abs() < 1e-12, "{family:?} at {}: {s}", grid[g]);
                assert!(b.p.iter().all(|row| row[g].is_finite()));
            }
            assert_eq!(b.most_likely(1.5), Some("low"));
            assert_eq!(b.most_likely(20.0), Some("high"));
        }
    }

    #[test]
    fn two_normals_with_equal_sd_cross_at_midpoint() {
        // Equal spreads: P_low = P_high exactly where the means are equidistant.
        let c = vec![
            ClassValues {
                label: "a".into(),
                values: vec![0.0, 2.0],
            },
            ClassValues {
                label: "b".into(),
                values: vec![4.0, 6.0],
            },
        ];
        let b = compute(&c, Family::Normal, false, &[3.0, 0.0]).unwrap();
        assert!((b.p[0][0] - 0.5).abs() < 1e-12);
        assert!(b.p[0][1] > 0.99);
        assert!(compute(&c[..1], Family::Normal, false, &[1.0]).is_err());
    }

    /// The most likely class at each grid point, runs merged.
    fn sequence(b: &Bands) -> Vec<&str> {
        let mut seq: Vec<&str> = Vec::new();
        for g in 0..b.x.len() {
            let i = (0..b.p.len())
                .max_by(|&i, &j| b.p[i][g].total_cmp(&b.p[j][g]))
                .unwrap();
            if seq.last() != Some(&b.labels[i].as_str()) {
                seq.push(&b.labels[i]);
            }
        }
        seq
    }

    #[test]
    fn pooled_variance_never_reverses_in_the_tails() {
        // A narrow class between a narrow one and a wide one: one σ per
        // class lets the wide class win both tails; a pooled σ cannot.
        let c = vec![
            ClassValues {
                label: "low".into(),
                values: vec![9.0, 10.0, 11.0, 10.0],
            },
            ClassValues {
                label: "mid".into(),
                values: vec![11.5, 12.0, 12.5, 12.0],
            },
            ClassValues {
                label: "high".into(),
                values: vec![10.0, 14.0, 18.0, 22.0, 26.0],
            },
        ];
        let grid: Vec<f64> = (0..=400).map(|i| -40.0 + 0.2 * i as f64).collect();
        let own = compute(&c, Family::Normal, false, &grid).unwrap();
        assert_eq!(
            sequence(&own).first(),
            Some(&"high"),
            "{:?}",
            sequence(&own)
        );
        let pooled = compute(&c, Family::PooledNormal, false, &grid).unwrap();
        assert_eq!(sequence(&pooled), vec!["low", "mid", "high"]);
        // The switches sit at the midpoints of the means (10, 12, 18).
        assert_eq!(pooled.most_likely(10.99), Some("low"));
        assert_eq!(pooled.most_likely(11.01), Some("mid"));
        assert_eq!(pooled.most_likely(14.99), Some("mid"));
        assert_eq!(pooled.most_likely(15.01), Some("high"));
        // The same on a log axis with the pooled log-normal.
        let pos: Vec<ClassValues> = c
            .iter()
            .map(|k| ClassValues {
                label: k.label.clone(),
                values: k.values.iter().map(|v| exp(*v / 4.0)).collect(),
            })
            .collect();
        let lgrid: Vec<f64> = grid.iter().map(|u| exp(u / 4.0)).collect();
        let lp = compute(&pos, Family::PooledLognormal, true, &lgrid).unwrap();
        assert_eq!(sequence(&lp), vec!["low", "mid", "high"]);
    }
}
