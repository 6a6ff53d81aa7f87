//! The statistics of a least-squares fit: Student-t quantiles, the
//! covariance of the log-parameters from the Jacobian (with directions the
//! data cannot see kept infinite, not hidden by a pseudo-inverse), and
//! correlations.

use nalgebra::DMatrix;

/// Two-sided 95% quantiles of Student's t, t(0.975; df) for df = 1…30
/// (standard tables, e.g. Abramowitz & Stegun Table 26.10).
const T975: [f64; 30] = [
    12.7062, 4.3027, 3.1824, 2.7764, 2.5706, 2.4469, 2.3646, 2.3060, 2.2622, 2.2281, 2.2010,
    2.1788, 2.1604, 2.1448, 2.1314, 2.1199, 2.1098, 2.1009, 2.0930, 2.0860, 2.0796, 2.0739, 2.0687,
    2.0639, 2.0595, 2.0555, 2.0518, 2.0484, 2.0452, 2.0423,
];

/// The 97.5% point of the standard normal distribution.
pub const Z975: f64 = 1.959_963_984_540_054;

/// The 95% point of χ² with one degree of freedom (= Z975²): the profile
/// likelihood threshold.
pub const CHI2_1_95: f64 = Z975 * Z975;

/// t(0.975; df): the table for df ≤ 30, Cornish–Fisher's expansion in
/// 1/df beyond (error < 1e-4 there).
pub fn t975(df: usize) -> f64 {
    match df {
        0 => f64::INFINITY,
        1..=30 => T975[df - 1],
        _ => {
            let (z, n) = (Z975, df as f64);
            let z3 = z * z * z;
            let z5 = z3 * z * z;
            let z7 = z5 * z * z;
            z + (z3 + z) / (4.0 * n)
                + (5.0 * z5 + 16.0 * z3 + 3.0 * z) / (96.0 * n * n)
                + (3.0 * z7 + 19.0 * z5 + 17.0 * z3 - 15.0 * z) / (384.0 * n * n * n)
        }
    }
}

/// The inverse of a symmetric positive semi-definite matrix `a` (an
/// information matrix), by its eigen-decomposition. An eigenvalue at or
/// below `rel_tol`·(largest) is a direction the data do not determine:
/// every entry touched by it is +∞ (variances) or NaN (covariances), so a
/// parameter that cannot be determined shows an unbounded interval.
pub fn inverse_or_infinite(a: &DMatrix<f64>, rel_tol: f64) -> DMatrix<f64> {
    let n = a.nrows();
    let eig = a.clone().symmetric_eigen();
    let lmax = eig.eigenvalues.iter().fold(0.0_f64, |m, &l| m.max(l));
    let mut out = DMatrix::zeros(n, n);
    let mut blind = vec![false; n];
    for (k, &l) in eig.eigenvalues.iter().enumerate() {
        let v = eig.eigenvectors.column(k);
        if !(l > rel_tol * lmax && l > 0.0) {
            for (i, b) in blind.iter_mut().enumerate() {
                if v[i].abs() > 1e-6 {
                    *b = true;
                }
            }
            continue;
        }
        for i in 0..n {
            for j in 0..n {
                out[(i, j)] += v[i] * v[j] / l;
            }
        }
    }
    for i in 0..n {
        for j in 0..n {
            if blind[i] || blind[j] {
                out[(i, j)] = if i == j { f64::INFINITY } else { f64::NAN };
            }
        }
    }
    out
}

/// Correlations of a covariance matrix (NaN where a variance is infinite).
pub fn correlation(cov: &DMatrix<f64>) -> DMatrix<f64> {
    let n = cov.nrows();
    DMatrix::from_fn(n, n, |i, j| {
        if i == j {
            return 1.0;
        }
        let d = (cov[(i, i)] * cov[(j, j)]).sqrt();
        if d.is_finite() && d > 0.0 {
            (cov[(i, j)] / d).clamp(-1.0, 1.0)
        } else {
            f64::NAN
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn t_quantiles_meet_the_normal_and_the_expansion_meets_the_table() {
        assert_eq!(t975(1), 12.7062);
        // Published t(0.975) for 40, 60, 120 df: 2.0211, 2.0003, 1.9799.
        for (df, want) in [(40, 2.0211), (60, 2.0003), (120, 1.9799)] {
            assert!((t975(df) - want).abs() < 1e-4, "df {df}: {}", t975(df));
        }
        assert!((t975(100_000) - Z975).abs() < 1e-4);
        assert!(t975(0).is_infinite());
        assert!((CHI2_1_95 - 3.841_458_820_694_124).abs() < 1e-12);
    }

    #[test]
    fn a_blind_direction_gives_infinite_variances() {
        // Information of two parameters seen only through their sum.
        let a = DMatrix::from_row_slice(3, 3, &[1.0, 1.0, 0.0, 1.0, 1.0, 0.0, 0.0, 0.0, 4.0]);
        let inv = inverse_or_infinite(&a, 1e-12);
        assert!(inv[(0, 0)].is_infinite() && inv[(1, 1)].is_infinite());
        assert!((inv[(2, 2)] - 0.25).abs() < 1e-12);
        let full = DMatrix::from_row_slice(2, 2, &[2.0, 1.0, 1.0, 2.0]);
        let inv = inverse_or_infinite(&full, 1e-12);
        let id = &full * &inv;
        assert!((id[(0, 0)] - 1.0).abs() < 1e-12 && id[(0, 1)].abs() < 1e-12);
        let c = correlation(&inv);
        assert!((c[(0, 1)] + 0.5).abs() < 1e-12);
    }
}
