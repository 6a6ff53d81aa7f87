//! Two-group comparison for sweep outcomes: the Wilcoxon rank-sum
//! (Mann–Whitney) test with the normal approximation, tie correction and
//! continuity correction (as R's `wilcox.test(exact = FALSE)` and SciPy's
//! `mannwhitneyu(method = "asymptotic")`), plus medians.

/// Result of a Wilcoxon rank-sum test of sample x against sample y.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct RankSum {
    /// Size of x.
    pub n1: usize,
    /// Size of y.
    pub n2: usize,
    /// Sum of the ranks of x in the pooled sample (mid-ranks for ties).
    pub w: f64,
    /// Mann–Whitney U of x: W − n1(n1+1)/2 (R reports this as "W").
    pub u: f64,
    /// Standardised statistic (with continuity correction).
    pub z: f64,
    /// Two-sided p-value from the normal approximation.
    pub p: f64,
}

/// Wilcoxon rank-sum test of `x` against `y`; `None` when either sample is
/// empty, a value is not finite, or every value is tied (no variance).
pub fn rank_sum(x: &[f64], y: &[f64]) -> Option<RankSum> {
    let (n1, n2) = (x.len(), y.len());
    if n1 == 0 || n2 == 0 || x.iter().chain(y).any(|v| !v.is_finite()) {
        return None;
    }
    let n = n1 + n2;
    let mut pooled: Vec<(f64, bool)> = x
        .iter()
        .map(|v| (*v, true))
        .chain(y.iter().map(|v| (*v, false)))
        .collect();
    pooled.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut w = 0.0;
    let mut tie_sum = 0.0;
    let mut i = 0;
    while i < n {
        let mut j = i + 1;
        while j < n && pooled[j].0 == pooled[i].0 {
            j += 1;
        }
        // Positions i..j (0-based) share the mid-rank (i+1 + j)/2.
        let rank = (i + 1 + j) as f64 / 2.0;
        let t = (j - i) as f64;
        tie_sum += t * t * t - t;
        w += rank * pooled[i..j].iter().filter(|p| p.1).count() as f64;
        i = j;
    }
    let (f1, f2, fnn) = (n1 as f64, n2 as f64, n as f64);
    let u = w - f1 * (f1 + 1.0) / 2.0;
    let mean = f1 * f2 / 2.0;
    let var = f1 * f2 / 12.0 * ((fnn + 1.0) - tie_sum / (fnn * (fnn - 1.0)));
    if var <= 0.0 || !var.is_finite() {
        return None;
    }
    let d = u - mean;
    let cc = if d > 0.0 {
        -0.5
    } else if d < 0.0 {
        0.5
    } else {
        0.0
    };
    let z = (d + cc) / var.sqrt();
    let p = erfc(z.abs() / std::f64::consts::SQRT_2).min(1.0);
    Some(RankSum { n1, n2, w, u, z, p })
}

/// Complementary error function, fractional error below 1.2e-7 everywhere
/// (Chebyshev fit of Press et al., *Numerical Recipes*, §6.2), so small
/// tail probabilities keep their relative accuracy.
pub fn erfc(x: f64) -> f64 {
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let ans = t
        * (-z * z - 1.26551223
            + t * (1.00002368
                + t * (0.37409196
                    + t * (0.09678418
                        + t * (-0.18628806
                            + t * (0.27886807
                                + t * (-1.13520398
                                    + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))))
            .exp();
    if x >= 0.0 {
        ans
    } else {
        2.0 - ans
    }
}

/// Median of the finite values (mean of the middle two for an even count);
/// `None` when there are none.
pub fn median(v: &[f64]) -> Option<f64> {
    let mut s: Vec<f64> = v.iter().copied().filter(|x| x.is_finite()).collect();
    if s.is_empty() {
        return None;
    }
    s.sort_by(f64::total_cmp);
    let m = s.len() / 2;
    Some(if s.len() % 2 == 1 {
        s[m]
    } else {
        0.5 * (s[m - 1] + s[m])
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn erfc_known_values() {
        // Reference values from Abramowitz & Stegun Table 7.1 / high-precision tables.
        for (x, want) in [
            (0.0, 1.0),
            (0.5, 0.4795001221869535),
            (1.0, 0.15729920705028513),
            (3.0, 2.209049699858544e-5),
            (-1.0, 1.8427007929497148),
            (8.0, 1.1224297172982928e-29),
        ] {
            let got = erfc(x);
            assert!(
                (got / want - 1.0).abs() < 2e-7,
                "erfc({x}) = {got}, want {want}"
            );
        }
    }

    #[test]
    fn rank_sum_without_ties_by_hand() {
        // x = 1,2,3 all below y = 4..7: W = 6, U = 0, E[U] = 6,
        // Var U = 3·4·8/12 = 8, z = (0 − 6 + 0.5)/√8 = −1.94454,
        // p = 2Φ(−1.94454) = 0.05183 (R: wilcox.test(1:3, 4:7, exact=FALSE)).
        let r = rank_sum(&[1.0, 2.0, 3.0], &[4.0, 5.0, 6.0, 7.0]).unwrap();
        assert_eq!(r.w, 6.0);
        assert_eq!(r.u, 0.0);
        assert!((r.z + 5.5 / 8f64.sqrt()).abs() < 1e-12);
        assert!((r.p - 0.05183).abs() < 5e-5, "p = {}", r.p);
    }

    #[test]
    fn rank_sum_with_ties_by_hand() {
        // Pooled 1,2,2,2,3 → ranks 1,3,3,3,5; x = {1,2,2}: W = 7, U = 1.
        // Var U = (3·2/12)·(6 − (27−3)/(5·4)) = 0.5·4.8 = 2.4;
        // z = (1 − 3 + 0.5)/√2.4 = −0.968246; p = 2Φ(−0.968246) = 0.332929.
        let r = rank_sum(&[1.0, 2.0, 2.0], &[2.0, 3.0]).unwrap();
        assert_eq!(r.w, 7.0);
        assert!((r.z + 1.5 / 2.4f64.sqrt()).abs() < 1e-12);
        assert!((r.p - 0.332929).abs() < 1e-5, "p = {}", r.p);
        // Symmetry: swapping the groups flips z and keeps p.
        let s = rank_sum(&[2.0, 3.0], &[1.0, 2.0, 2.0]).unwrap();
        assert!((s.z + r.z).abs() < 1e-12 && (s.p - r.p).abs() < 1e-15);
        assert!(rank_sum(&[], &[1.0]).is_none());
        assert!(rank_sum(&[1.0, 1.0], &[1.0]).is_none());
        assert!(rank_sum(&[f64::NAN], &[1.0]).is_none());
    }

    #[test]
    fn medians() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), Some(2.5));
        assert_eq!(median(&[]), None);
    }
}
