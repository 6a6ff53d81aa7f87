//! Method coefficients: the data that drives the one stepping engine in
//! [`super::engine`]. A method is nothing but its coefficients: explicit
//! Runge–Kutta methods as Butcher tableaus ([`Tableau`]: RK4, DOPRI5) and
//! linearly implicit Rosenbrock methods ([`RosenbrockTableau`]: Rodas4).

/// How a method interpolates inside an accepted step (its continuous extension).
#[derive(Debug, Clone, Copy)]
pub enum DenseOutput {
    /// Cubic Hermite interpolation from y and f at both ends of the step
    /// (third order; used for methods without a continuous extension).
    Hermite,
    /// `y(t + θh) = y + h Σ_i k_i Σ_j P[i][j] θ^(j+1)`: one row of
    /// polynomial coefficients per stage.
    Poly(&'static [&'static [f64]]),
}

/// An explicit Runge–Kutta method in Butcher form.
#[derive(Debug)]
pub struct Tableau {
    /// Human name, e.g. "Dormand–Prince 5(4)".
    pub name: &'static str,
    /// Classical order of the propagated solution.
    pub order: u32,
    /// Nodes c_i.
    pub c: &'static [f64],
    /// Strictly lower-triangular coupling coefficients: row i has i entries.
    pub a: &'static [&'static [f64]],
    /// Weights b_i of the propagated solution.
    pub b: &'static [f64],
    /// Error weights `b_i − b̂_i` of the embedded pair; `None` for fixed-step
    /// methods without an error estimate.
    pub e: Option<&'static [f64]>,
    /// First Same As Last: the last stage is evaluated at the new point
    /// (`a[s-1] == b`, `c[s-1] == 1`), so it is the next step's first stage.
    pub fsal: bool,
    /// Continuous extension used for output grids and event location.
    pub dense: DenseOutput,
    /// Exponent order used by step-size control (order of the error estimate + 1).
    pub err_order: u32,
}

impl Tableau {
    /// Number of stages.
    pub fn stages(&self) -> usize {
        self.b.len()
    }
}

/// Classical fourth-order Runge–Kutta, fixed step.
pub static RK4: Tableau = Tableau {
    name: "classical Runge–Kutta 4",
    order: 4,
    c: &[0.0, 0.5, 0.5, 1.0],
    a: &[&[], &[0.5], &[0.0, 0.5], &[0.0, 0.0, 1.0]],
    b: &[1.0 / 6.0, 1.0 / 3.0, 1.0 / 3.0, 1.0 / 6.0],
    e: None,
    fsal: false,
    dense: DenseOutput::Hermite,
    err_order: 4,
};

/// Dormand–Prince 5(4) (Dormand & Prince 1980; Hairer, Nørsett & Wanner,
/// *Solving ODEs I*, II.5), with its fourth-order continuous extension.
pub static DOPRI5: Tableau = Tableau {
    name: "Dormand–Prince 5(4)",
    order: 5,
    c: &[0.0, 1.0 / 5.0, 3.0 / 10.0, 4.0 / 5.0, 8.0 / 9.0, 1.0, 1.0],
    a: &[
        &[],
        &[1.0 / 5.0],
        &[3.0 / 40.0, 9.0 / 40.0],
        &[44.0 / 45.0, -56.0 / 15.0, 32.0 / 9.0],
        &[
            19372.0 / 6561.0,
            -25360.0 / 2187.0,
            64448.0 / 6561.0,
            -212.0 / 729.0,
        ],
        &[
            9017.0 / 3168.0,
            -355.0 / 33.0,
            46732.0 / 5247.0,
            49.0 / 176.0,
            -5103.0 / 18656.0,
        ],
        &[
            35.0 / 384.0,
            0.0,
            500.0 / 1113.0,
            125.0 / 192.0,
            -2187.0 / 6784.0,
            11.0 / 84.0,
        ],
    ],
    b: &[
        35.0 / 384.0,
        0.0,
        500.0 / 1113.0,
        125.0 / 192.0,
        -2187.0 / 6784.0,
        11.0 / 84.0,
        0.0,
    ],
    e: Some(&[
        71.0 / 57600.0,
        0.0,
        -71.0 / 16695.0,
        71.0 / 1920.0,
        -17253.0 / 339200.0,
        22.0 / 525.0,
        -1.0 / 40.0,
    ]),
    fsal: true,
    dense: DenseOutput::Poly(&[
        &[
            1.0,
            -8048581381.0 / 2820520608.0,
            8663915743.0 / 2820520608.0,
            -12715105075.0 / 11282082432.0,
        ],
        &[0.0, 0.0, 0.0, 0.0],
        &[
            0.0,
            131558114200.0 / 32700410799.0,
            -68118460800.0 / 10900136933.0,
            87487479700.0 / 32700410799.0,
        ],
        &[
            0.0,
            -1754552775.0 / 470086768.0,
            14199869525.0 / 1410260304.0,
            -10690763975.0 / 1880347072.0,
        ],
        &[
            0.0,
            127303824393.0 / 49829197408.0,
            -318862633887.0 / 49829197408.0,
            701980252875.0 / 199316789632.0,
        ],
        &[
            0.0,
            -282668133.0 / 205662961.0,
            2019193451.0 / 616988883.0,
            -1453857185.0 / 822651844.0,
        ],
        &[
            0.0,
            40617522.0 / 29380423.0,
            -110615467.0 / 29380423.0,
            69997945.0 / 29380423.0,
        ],
    ]),
    err_order: 5,
};

/// A linearly implicit Rosenbrock method, in the transformed form of Hairer
/// & Wanner (*Solving ODEs II*, IV.7, eq. (7.25)) with the variables
/// `u_i = h Σ_j γ_ij k_j` that their code `rodas` uses: with
/// `W = I/(hγ) − J`, J = ∂f/∂y at the step's start,
///
/// ```text
/// W u_i = f(t + α_i h, y + Σ_{j<i} a_ij u_j) + Σ_{j<i} (c_ij / h) u_j + γ_i h ∂f/∂t
/// y_new = y + Σ_i m_i u_i,   error = Σ_i e_i u_i
/// ```
///
/// One LU factorisation of W per step serves every stage.
#[derive(Debug)]
pub struct RosenbrockTableau {
    /// Human name, e.g. "Rodas4".
    pub name: &'static str,
    /// Classical order of the propagated solution.
    pub order: u32,
    /// The diagonal γ.
    pub gamma: f64,
    /// Nodes α_i (where in the step stage i evaluates f).
    pub alpha: &'static [f64],
    /// γ_i = Σ_j γ_ij: weights of h ∂f/∂t per stage (non-autonomous systems).
    pub gamma_sum: &'static [f64],
    /// Strictly lower-triangular a_ij (stage arguments): row i has i entries.
    pub a: &'static [&'static [f64]],
    /// Strictly lower-triangular c_ij (the `u_j / h` terms): row i has i entries.
    pub c: &'static [&'static [f64]],
    /// Weights m_i of the propagated solution.
    pub m: &'static [f64],
    /// Weights of the embedded error estimate (`m_i − m̂_i`).
    pub e: &'static [f64],
    /// Continuous extension `y(t + θh) = (1 − θ) y + θ (y_new + (1 − θ)(K1 + θ K2))`
    /// with `K1 = Σ_i dense[0][i] u_i` and `K2 = Σ_i dense[1][i] u_i`.
    pub dense: [&'static [f64]; 2],
    /// Exponent order used by step-size control (order of the error estimate + 1).
    pub err_order: u32,
}

impl RosenbrockTableau {
    /// Number of stages (linear solves per step).
    pub fn stages(&self) -> usize {
        self.m.len()
    }
}

/// Rodas4: the stiffly accurate, L-stable Rosenbrock method of order 4 with
/// an embedded order-3 estimate and a third-order continuous extension.
///
/// Source: E. Hairer & G. Wanner, *Solving Ordinary Differential Equations
/// II: Stiff and Differential-Algebraic Problems*, 2nd ed., Springer 1996
/// (Sections IV.7 and VI.3), as implemented in their Fortran code `rodas.f`
/// (<https://www.unige.ch/~hairer/software.html>): subroutine `ROCOE` with
/// `METH = 1` gives every number below (`A21 … A54`, `C21 … C65`, `C2 … C4`,
/// `D1 … D4` here `gamma_sum`, and the dense-output `D21 … D35` here
/// `dense`). The same values appear in KPP's `atmrodas` and in
/// OrdinaryDiffEq.jl's `Rodas4Tableau`; `tests/solver.rs` measures order 4.
///
/// Stiffly accurate: stage 6 evaluates f at `y + Σ_{j<5} a_5j u_j + u_5`
/// (the embedded solution) and `y_new` adds `u_6`, so the error estimate is
/// `u_6` alone.
pub static RODAS4: RosenbrockTableau = RosenbrockTableau {
    name: "Rodas4 (Hairer–Wanner)",
    order: 4,
    gamma: 0.25,
    alpha: &[0.0, 0.386, 0.21, 0.63, 1.0, 1.0],
    gamma_sum: &[0.25, -0.1043, 0.1035, -0.036_200_000_000_000_23, 0.0, 0.0],
    a: &[
        &[],
        &[1.544],
        &[0.946_678_528_081_582_6, 0.255_701_169_898_328_4],
        &[
            3.314_825_187_068_521,
            2.896_124_015_972_201,
            0.998_641_913_997_781_7,
        ],
        &[
            1.221_224_509_226_641,
            6.019_134_481_288_629,
            12.537_083_329_320_87,
            -0.687_886_036_105_895,
        ],
        &[
            1.221_224_509_226_641,
            6.019_134_481_288_629,
            12.537_083_329_320_87,
            -0.687_886_036_105_895,
            1.0,
        ],
    ],
    c: &[
        &[],
        &[-5.6688],
        &[-2.430_093_356_833_875, -0.206_359_915_709_191_5],
        &[
            -0.107_352_905_815_137_5,
            -9.594_562_251_023_355,
            -20.470_286_148_096_16,
        ],
        &[
            7.496_443_313_967_647,
            -10.246_804_314_643_52,
            -33.999_903_528_199_05,
            11.708_908_932_061_6,
        ],
        &[
            8.083_246_795_921_522,
            -7.981_132_988_064_893,
            -31.521_594_328_743_71,
            16.319_305_431_231_36,
            -6.058_818_238_834_054,
        ],
    ],
    m: &[
        1.221_224_509_226_641,
        6.019_134_481_288_629,
        12.537_083_329_320_87,
        -0.687_886_036_105_895,
        1.0,
        1.0,
    ],
    e: &[0.0, 0.0, 0.0, 0.0, 0.0, 1.0],
    dense: [
        &[
            10.126_235_083_445_86,
            -7.487_995_877_610_167,
            -34.800_918_615_557_47,
            -7.992_771_707_568_823,
            1.025_137_723_295_662,
            0.0,
        ],
        &[
            -0.676_280_339_280_125_3,
            6.087_714_651_680_015,
            16.430_843_208_924_78,
            24.767_225_114_183_86,
            -6.594_389_125_716_872,
            0.0,
        ],
    ],
    err_order: 4,
};

#[cfg(test)]
mod tests {
    use super::*;

    fn check_consistency(t: &Tableau) {
        let s = t.stages();
        assert_eq!(t.c.len(), s);
        assert_eq!(t.a.len(), s);
        for (i, row) in t.a.iter().enumerate() {
            assert_eq!(row.len(), i, "{}: row {i}", t.name);
            let sum: f64 = row.iter().sum();
            assert!((sum - t.c[i]).abs() < 1e-14, "{}: row sum {i}", t.name);
        }
        let bsum: f64 = t.b.iter().sum();
        assert!((bsum - 1.0).abs() < 1e-14);
        if let Some(e) = t.e {
            let esum: f64 = e.iter().sum();
            assert!(
                esum.abs() < 1e-14,
                "{}: error weights must sum to 0",
                t.name
            );
        }
        if t.fsal {
            for (x, y) in t.a[s - 1].iter().zip(t.b) {
                assert_eq!(x, y);
            }
        }
        if let DenseOutput::Poly(p) = t.dense {
            // At θ = 1 the continuous extension must reproduce b.
            for (row, b) in p.iter().zip(t.b) {
                let at1: f64 = row.iter().sum();
                assert!((at1 - b).abs() < 1e-12, "{}: dense(1) != b", t.name);
            }
        }
    }

    #[test]
    fn tableaus_are_consistent() {
        check_consistency(&RK4);
        check_consistency(&DOPRI5);
    }

    #[test]
    fn rodas4_is_consistent_and_stiffly_accurate() {
        let t = &RODAS4;
        let s = t.stages();
        for v in [t.alpha, t.gamma_sum, t.e, t.dense[0], t.dense[1]] {
            assert_eq!(v.len(), s);
        }
        for (i, (a, c)) in t.a.iter().zip(t.c).enumerate() {
            assert_eq!((a.len(), c.len()), (i, i), "row {i}");
        }
        // Stiffly accurate: the last stage's argument is the embedded
        // solution, so y_new = that argument + u_s and the error is u_s.
        assert_eq!(&t.m[..s - 1], t.a[s - 1]);
        assert_eq!(t.m[s - 1], 1.0);
        assert_eq!(t.e, &[0.0, 0.0, 0.0, 0.0, 0.0, 1.0]);
        // α_2 = α_21 = a_21 γ, and γ_1 = γ.
        assert!((t.alpha[1] - t.a[1][0] * t.gamma).abs() < 1e-15);
        assert_eq!(t.gamma_sum[0], t.gamma);
        // The dense output does not use the error stage.
        assert_eq!((t.dense[0][s - 1], t.dense[1][s - 1]), (0.0, 0.0));
    }
}
