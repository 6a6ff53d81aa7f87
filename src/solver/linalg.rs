//! Small dense linear algebra for the Rosenbrock stages: an in-place LU
//! factorisation with partial pivoting and its solve, on row-major
//! matrices held in the solver's workspace (nothing allocates).
//!
//! Written here rather than taken from nalgebra because nalgebra's `LU`
//! owns (and so allocates) its matrix and permutation, and a step must not
//! allocate. Only `+ − × ÷` and comparisons: the same bits natively and in
//! WebAssembly.

/// The matrix is singular to working precision (a zero pivot column).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Singular {
    /// The elimination step that found no usable pivot.
    pub column: usize,
}

/// Factor the `n × n` row-major matrix `a` in place as `P A = L U` (unit
/// lower-triangular L below the diagonal, U on and above it), choosing the
/// largest pivot in each column. `piv[k]` is the row swapped with row k at
/// step k.
#[inline]
pub fn lu_factor(a: &mut [f64], n: usize, piv: &mut [usize]) -> Result<(), Singular> {
    debug_assert!(a.len() >= n * n && piv.len() >= n);
    for k in 0..n {
        // Pivot: the largest |a[i][k]| for i ≥ k (the first of equals).
        let mut p = k;
        let mut big = a[k * n + k].abs();
        for i in k + 1..n {
            let v = a[i * n + k].abs();
            if v > big {
                big = v;
                p = i;
            }
        }
        piv[k] = p;
        // Zero, or not a number: nothing to divide by.
        if big == 0.0 || big.is_nan() {
            return Err(Singular { column: k });
        }
        if p != k {
            for j in 0..n {
                a.swap(k * n + j, p * n + j);
            }
        }
        let inv = 1.0 / a[k * n + k];
        for i in k + 1..n {
            let l = a[i * n + k] * inv;
            a[i * n + k] = l;
            if l != 0.0 {
                for j in k + 1..n {
                    a[i * n + j] -= l * a[k * n + j];
                }
            }
        }
    }
    Ok(())
}

/// Solve `A x = b` in place (`b` becomes x) with the factors from
/// [`lu_factor`].
#[inline(always)]
pub fn lu_solve(lu: &[f64], n: usize, piv: &[usize], b: &mut [f64]) {
    debug_assert!(lu.len() >= n * n && piv.len() >= n && b.len() >= n);
    // P b, then L y = P b (forward), then U x = y (backward).
    for (k, &p) in piv.iter().enumerate().take(n) {
        if p != k {
            b.swap(k, p);
        }
    }
    for i in 1..n {
        let mut acc = b[i];
        for j in 0..i {
            acc -= lu[i * n + j] * b[j];
        }
        b[i] = acc;
    }
    for i in (0..n).rev() {
        let mut acc = b[i];
        for j in i + 1..n {
            acc -= lu[i * n + j] * b[j];
        }
        b[i] = acc / lu[i * n + i];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A x for row-major A.
    fn mul(a: &[f64], n: usize, x: &[f64]) -> Vec<f64> {
        (0..n)
            .map(|i| (0..n).map(|j| a[i * n + j] * x[j]).sum())
            .collect()
    }

    #[test]
    fn solves_a_system_that_needs_pivoting() {
        // a[0][0] = 0 forces a row swap at the first step.
        let a = [0.0, 2.0, 1.0, 1.0, 1.0, 1.0, 2.0, 1.0, 3.0];
        let x = [1.0, -2.0, 0.5];
        let b = mul(&a, 3, &x);
        let mut lu = a;
        let mut piv = [0usize; 3];
        lu_factor(&mut lu, 3, &mut piv).unwrap();
        let mut sol = b.clone();
        lu_solve(&lu, 3, &piv, &mut sol);
        for (s, e) in sol.iter().zip(x) {
            assert!((s - e).abs() < 1e-14, "{sol:?}");
        }
    }

    #[test]
    fn matches_nalgebra_on_random_systems_up_to_16() {
        use nalgebra::{DMatrix, DVector};
        // A fixed pseudo-random sequence (no crate needed).
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0
        };
        for n in 1..=16 {
            let a: Vec<f64> = (0..n * n).map(|_| next()).collect();
            let b: Vec<f64> = (0..n).map(|_| next()).collect();
            let mut lu = a.clone();
            let mut piv = vec![0usize; n];
            lu_factor(&mut lu, n, &mut piv).unwrap();
            let mut x = b.clone();
            lu_solve(&lu, n, &piv, &mut x);
            let want = DMatrix::from_row_slice(n, n, &a)
                .lu()
                .solve(&DVector::from_column_slice(&b))
                .unwrap();
            // The residual is tiny and the answer agrees with nalgebra's.
            let r = mul(&a, n, &x);
            for i in 0..n {
                assert!((r[i] - b[i]).abs() < 1e-10, "n={n} residual");
                assert!(
                    (x[i] - want[i]).abs() <= 1e-8 * want[i].abs().max(1.0),
                    "n={n}: {} vs {}",
                    x[i],
                    want[i]
                );
            }
        }
    }

    #[test]
    fn a_singular_matrix_is_reported() {
        let mut a = [1.0, 2.0, 2.0, 4.0];
        let mut piv = [0usize; 2];
        assert_eq!(lu_factor(&mut a, 2, &mut piv), Err(Singular { column: 1 }));
        let mut z = [0.0; 9];
        let mut piv = [0usize; 3];
        assert_eq!(lu_factor(&mut z, 3, &mut piv), Err(Singular { column: 0 }));
        let mut nan = [f64::NAN, 1.0, 1.0, 1.0];
        let mut piv = [0usize; 2];
        assert!(lu_factor(&mut nan, 2, &mut piv).is_err());
    }
}
