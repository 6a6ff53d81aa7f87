//! Method coefficients: the data that drives the one stepping engine in
//! [`super::engine`]. A method is nothing but its coefficients: explicit
//! Runge–Kutta methods as Butcher tableaus ([`Tableau`]: RK4, DOPRI5) and
//! linearly implicit Rosenbrock methods ([`RosenbrockTableau`]: Rodas4,
//! Rodas5P).

/// How a method interpolates inside an accepted step (its continuous extension).
#[derive(Debug, Clone, Copy)]
pub enum DenseOutput {
    /// Cubic Hermite interpolation from y and f at both ends of the step
    /// (third order; used for methods without a continuous extension).
    Hermite,
    /// A quartic continuous extension that matches y and f at both ends of
    /// the step (for FSAL methods: the last stage is f at the new point),
    /// in Hairer's form (`dopri5.f`, `CONTD5`): with Δ = y1 − y0,
    /// `y(t + θh) = y0 + θ(Δ + (1−θ)(h f0 − Δ + θ(r + (1−θ) h Σ_i d_i k_i)))`
    /// where r = 2Δ − h f0 − h f1, one weight d_i per stage. Only the last
    /// term sums over the stages, so the polynomial costs little to set up
    /// once per step and four multiply–adds per component per point.
    HermiteQuartic(&'static [f64]),
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
    // The θ⁴ coefficients of Dormand & Prince's continuous extension (the
    // last column of `tests::DOPRI5_P`; Hairer, Nørsett & Wanner, II.6).
    dense: DenseOutput::HermiteQuartic(&[
        -12715105075.0 / 11282082432.0,
        0.0,
        87487479700.0 / 32700410799.0,
        -10690763975.0 / 1880347072.0,
        701980252875.0 / 199316789632.0,
        -1453857185.0 / 822651844.0,
        69997945.0 / 29380423.0,
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
    /// Continuous extension `y(t + θh) = (1 − θ) y + θ (y_new + (1 − θ) P(θ))`
    /// with `P(θ) = K_1 + θ (K_2 + θ (K_3 + …))` and `K_r = Σ_i dense[r−1][i] u_i`:
    /// two rows for Rodas4's third-order interpolant, three for Rodas5P's
    /// fourth-order one (at most [`RosenbrockTableau::MAX_DENSE`]).
    pub dense: &'static [&'static [f64]],
    /// Exponent order used by step-size control (order of the error estimate + 1).
    pub err_order: u32,
}

impl RosenbrockTableau {
    /// Most rows a continuous extension may have.
    pub const MAX_DENSE: usize = 4;

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
    dense: &[
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

/// Rodas5P's solution weights `m`. The method is stiffly accurate: stages
/// 6, 7 and 8 start from the prefixes of these weights (rows 6–8 of `a`),
/// so the last stage's argument is the solution itself.
const RODAS5P_M: [f64; 8] = [
    -7.502846399306121,
    2.561846144803919,
    -11.627539656261098,
    -0.18268767659942256,
    0.030198172008377946,
    1.0,
    1.0,
    1.0,
];

/// Rodas5P: the stiffly accurate, L-stable Rosenbrock method of order 5
/// with an embedded order-4 estimate and a fourth-order continuous
/// extension (8 stages, one Jacobian and one LU factorisation per step).
/// Its higher order pays at tight tolerances, where Rodas4 needs about as
/// many steps as a BDF code of order 5.
///
/// Source: S. Steinebach, "Construction of Rosenbrock–Wanner method Rodas5P
/// and numerical benchmarks within the Julia Differential Equations
/// package", *BIT Numerical Mathematics* 63, 27 (2023),
/// <https://doi.org/10.1007/s10543-023-00967-x>, as implemented in
/// OrdinaryDiffEq.jl (`rosenbrock_tableaus.jl`, function `Rodas5PTableau`,
/// <https://github.com/SciML/OrdinaryDiffEq.jl>): `γ`, `a21 … a65`,
/// `C21 … C87` here `c`, `c2 … c5` here `alpha`, `d1 … d5` here
/// `gamma_sum`, and the interpolation rows `h21 … h48` here `dense`, in the
/// same transformed form as [`RODAS4`] (the Julia code solves
/// `(J − I/(hγ)) k = −(…)`, i.e. the same `W u = …`). Stages 6 to 8 follow
/// Rodas5's pattern (Di Marzo 1993; Hairer & Wanner): stage 7's argument is
/// stage 6's plus `u_6`, stage 8's is stage 7's plus `u_7` (the embedded
/// solution), and `y_new` adds `u_8`. `tableau.rs`'s tests check the order
/// conditions up to order 5 (4 for the embedded solution) and
/// `tests/solver.rs` measures order 5.
pub static RODAS5P: RosenbrockTableau = RosenbrockTableau {
    name: "Rodas5P (Steinebach)",
    order: 5,
    gamma: 0.21193756319429014,
    alpha: &[
        0.0,
        0.6358126895828704,
        0.4095798393397535,
        0.9769306725060716,
        0.4288403609558664,
        1.0,
        1.0,
        1.0,
    ],
    gamma_sum: &[
        0.21193756319429014,
        -0.42387512638858027,
        -0.3384627126235924,
        1.8046452872882734,
        2.325825639765069,
        0.0,
        0.0,
        0.0,
    ],
    a: &[
        &[],
        &[3.0],
        &[2.849394379747939, 0.45842242204463923],
        &[-6.954028509809101, 2.489845061869568, -10.358996098473584],
        &[
            2.8029986275628964,
            0.5072464736228206,
            -0.3988312541770524,
            -0.04721187230404641,
        ],
        RODAS5P_M.split_at(5).0,
        RODAS5P_M.split_at(6).0,
        RODAS5P_M.split_at(7).0,
    ],
    c: &[
        &[],
        &[-14.155112264123755],
        &[-17.97296035885952, -2.859693295451294],
        &[147.12150275711716, -1.41221402718213, 71.68940251302358],
        &[
            165.43517024871676,
            -0.4592823456491126,
            42.90938336958603,
            -5.961986721573306,
        ],
        &[
            24.854864614690072,
            -3.0009227002832186,
            47.4931110020768,
            5.5814197821558125,
            -0.6610691825249471,
        ],
        &[
            30.91273214028599,
            -3.1208243349937974,
            77.79954646070892,
            34.28646028294783,
            -19.097331116725623,
            -28.087943162872662,
        ],
        &[
            37.80277123390563,
            -3.2571969029072276,
            112.26918849496327,
            66.9347231244047,
            -40.06618937091002,
            -54.66780262877968,
            -9.48861652309627,
        ],
    ],
    m: &RODAS5P_M,
    e: &[0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0],
    dense: &[
        &[
            25.948786856663858,
            -2.5579724845846235,
            10.433815404888879,
            -2.3679251022685204,
            0.524948541321073,
            1.1241088310450404,
            0.4272876194431874,
            -0.17202221070155493,
        ],
        &[
            -9.91568850695171,
            -0.9689944594115154,
            3.0438037242978453,
            -24.495224566215796,
            20.176138334709044,
            15.98066361424651,
            -6.789040303419874,
            -6.710236069923372,
        ],
        &[
            11.419903575922262,
            2.8879645146136994,
            72.92137995996029,
            80.12511834622643,
            -52.072871366152654,
            -59.78993625266729,
            -0.15582684282751913,
            4.883087185713722,
        ],
    ],
    err_order: 5,
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
        if let DenseOutput::HermiteQuartic(d) = t.dense {
            assert!(
                t.fsal,
                "{}: the quartic form needs f at the new point",
                t.name
            );
            assert_eq!(d.len(), s, "{}: one dense weight per stage", t.name);
        }
    }

    /// Dormand & Prince's continuous extension as printed (Hairer, Nørsett
    /// & Wanner, *Solving ODEs I*, II.6): `y(t + θh) = y + h Σ_i k_i
    /// Σ_j P[i][j] θ^(j+1)`, one row per stage.
    const DOPRI5_P: &[&[f64]] = &[
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
    ];

    /// DOPRI5's [`DenseOutput::HermiteQuartic`] form is the printed
    /// polynomial: the same values for any stages and θ, and b at θ = 1.
    #[test]
    fn dopri5_quartic_form_is_the_printed_extension() {
        let DenseOutput::HermiteQuartic(d) = DOPRI5.dense else {
            panic!("DOPRI5's dense output changed form");
        };
        for (row, b) in DOPRI5_P.iter().zip(DOPRI5.b) {
            let at1: f64 = row.iter().sum();
            assert!((at1 - b).abs() < 1e-12, "dense(1) != b");
        }
        // Stage values of a made-up 2-component step (any values will do:
        // both forms are linear in the stages).
        let s = DOPRI5.stages();
        let h = 0.37;
        for comp in 0..2 {
            let k: Vec<f64> = (0..s)
                .map(|i| ((i * 7 + comp * 3) as f64 * 0.61).sin() * 2.0 - 0.4)
                .collect();
            // FSAL: f at the new point is the last stage.
            let (y0, f0, f1) = (1.3 + comp as f64, k[0], k[s - 1]);
            let y1 = y0 + h * (0..s).map(|i| DOPRI5.b[i] * k[i]).sum::<f64>();
            for n in 0..=20 {
                let th = n as f64 / 20.0;
                let printed = y0
                    + h * (0..s)
                        .map(|i| {
                            k[i] * DOPRI5_P[i]
                                .iter()
                                .enumerate()
                                .map(|(j, p)| p * th.powi(j as i32 + 1))
                                .sum::<f64>()
                        })
                        .sum::<f64>();
                let delta = y1 - y0;
                let r5 = h * (0..s).map(|i| d[i] * k[i]).sum::<f64>();
                let quartic = y0
                    + th * (delta
                        + (1.0 - th)
                            * (h * f0 - delta
                                + th * ((2.0 * delta - h * f0 - h * f1) + (1.0 - th) * r5)));
                assert!(
                    (printed - quartic).abs() < 1e-13 * (1.0 + printed.abs()),
                    "θ = {th}: printed {printed}, quartic {quartic}"
                );
            }
        }
    }

    #[test]
    fn tableaus_are_consistent() {
        check_consistency(&RK4);
        check_consistency(&DOPRI5);
    }

    /// Rooted trees up to `max` vertices, each as (order, children as
    /// indices of earlier trees): 1, 1, 2, 4, 9 trees of orders 1 to 5.
    fn trees(max: usize) -> Vec<(usize, Vec<usize>)> {
        // Multisets of earlier trees (non-decreasing indices ≥ `from`)
        // with `left` vertices in all.
        fn forests(t: &[(usize, Vec<usize>)], left: usize, from: usize) -> Vec<Vec<usize>> {
            if left == 0 {
                return vec![vec![]];
            }
            let mut out = Vec::new();
            for i in from..t.len() {
                if t[i].0 <= left {
                    for mut rest in forests(t, left - t[i].0, i) {
                        rest.insert(0, i);
                        out.push(rest);
                    }
                }
            }
            out
        }
        let mut t = vec![(1, vec![])];
        for n in 2..=max {
            let known = t.len();
            for f in forests(&t[..known], n - 1, 0) {
                t.push((n, f));
            }
        }
        t
    }

    /// The standard form of a transformed Rosenbrock tableau (Hairer &
    /// Wanner II, IV.7, (7.25)–(7.27)): Γ from `Γ⁻¹ = I/γ − C`, `α = A Γ`,
    /// and the weights `b = m Γ` and `b̂ = (m − e) Γ`.
    #[allow(clippy::type_complexity, clippy::needless_range_loop)]
    fn standard_form(t: &RosenbrockTableau) -> (Vec<Vec<f64>>, Vec<Vec<f64>>, Vec<f64>, Vec<f64>) {
        let s = t.stages();
        let mut ginv = vec![vec![0.0; s]; s];
        for i in 0..s {
            ginv[i][i] = 1.0 / t.gamma;
            for j in 0..i {
                ginv[i][j] = -t.c[i][j];
            }
        }
        // Γ = (Γ⁻¹)⁻¹ by forward substitution, column by column.
        let mut g = vec![vec![0.0; s]; s];
        for col in 0..s {
            for i in col..s {
                let mut r = if i == col { 1.0 } else { 0.0 };
                for j in col..i {
                    r -= ginv[i][j] * g[j][col];
                }
                g[i][col] = r / ginv[i][i];
            }
        }
        let alpha: Vec<Vec<f64>> = (0..s)
            .map(|i| {
                (0..s)
                    .map(|k| (0..i).map(|j| t.a[i][j] * g[j][k]).sum())
                    .collect()
            })
            .collect();
        let weights = |w: &dyn Fn(usize) -> f64| -> Vec<f64> {
            (0..s)
                .map(|k| (0..s).map(|i| w(i) * g[i][k]).sum())
                .collect()
        };
        let b = weights(&|i| t.m[i]);
        let bh = weights(&|i| t.m[i] - t.e[i]);
        (g, alpha, b, bh)
    }

    /// `Σ_j b_j Φ_j(t) − 1/γ(t)` for every tree up to order `p`, where Φ
    /// multiplies `α` along edges out of a branching vertex and
    /// `β = α + Γ` out of a vertex with one child (Hairer & Wanner II,
    /// IV.7, Theorem 7.4).
    fn order_defects(alpha: &[Vec<f64>], g: &[Vec<f64>], b: &[f64], p: usize) -> Vec<f64> {
        let s = b.len();
        let ts = trees(p);
        let mut phi: Vec<Vec<f64>> = Vec::new();
        let mut fact: Vec<f64> = Vec::new();
        for (order, kids) in &ts {
            let through = |m: &dyn Fn(usize, usize) -> f64, v: &[f64]| -> Vec<f64> {
                (0..s)
                    .map(|i| (0..s).map(|j| m(i, j) * v[j]).sum())
                    .collect()
            };
            let f = match kids.as_slice() {
                [] => vec![1.0; s],
                [only] => through(&|i, j| alpha[i][j] + g[i][j], &phi[*only]),
                many => {
                    let mut f = vec![1.0; s];
                    for &k in many {
                        let v = through(&|i, j| alpha[i][j], &phi[k]);
                        for (x, y) in f.iter_mut().zip(v) {
                            *x *= y;
                        }
                    }
                    f
                }
            };
            phi.push(f);
            fact.push(*order as f64 * kids.iter().map(|&k| fact[k]).product::<f64>());
        }
        phi.iter()
            .zip(&fact)
            .map(|(f, g)| b.iter().zip(f).map(|(x, y)| x * y).sum::<f64>() - 1.0 / g)
            .collect()
    }

    /// `Σ b_j (B^(q−1) 1)_j − 1/q!` with `B = α + Γ`: the condition of the
    /// tall tree of order q, the only one a linear constant-coefficient
    /// problem sees (the stability function's Taylor coefficient of z^q).
    fn tall_tree_defect(alpha: &[Vec<f64>], g: &[Vec<f64>], b: &[f64], q: usize) -> f64 {
        let s = b.len();
        let mut v = vec![1.0; s];
        let mut fact = 1.0;
        for k in 1..q {
            v = (0..s)
                .map(|i| (0..s).map(|j| (alpha[i][j] + g[i][j]) * v[j]).sum())
                .collect();
            fact *= (k + 1) as f64;
        }
        b.iter().zip(&v).map(|(x, y)| x * y).sum::<f64>() - 1.0 / fact
    }

    #[test]
    fn there_are_17_trees_up_to_order_5() {
        let counts: Vec<usize> = (1..=5)
            .map(|n| trees(5).iter().filter(|t| t.0 == n).count())
            .collect();
        assert_eq!(counts, [1, 1, 2, 4, 9]);
    }

    /// Shapes, stiff accuracy, the nodes and γ_i against the standard
    /// form, and the order conditions of the method (order `p`) and of its
    /// embedded solution (order `p − 1`), which must fail at order p.
    fn check_rosenbrock(t: &RosenbrockTableau, tol: f64) {
        let s = t.stages();
        for v in [t.alpha, t.gamma_sum, t.e, t.m] {
            assert_eq!(v.len(), s, "{}", t.name);
        }
        assert!(t.dense.len() <= RosenbrockTableau::MAX_DENSE);
        for row in t.dense {
            assert_eq!(row.len(), s, "{}", t.name);
        }
        for (i, (a, c)) in t.a.iter().zip(t.c).enumerate() {
            assert_eq!((a.len(), c.len()), (i, i), "{}: row {i}", t.name);
        }
        // Stiffly accurate: the last stage's argument is the embedded
        // solution, so y_new = that argument + u_s and the error is u_s.
        assert_eq!(&t.m[..s - 1], t.a[s - 1], "{}", t.name);
        assert_eq!(t.m[s - 1], 1.0);
        assert!(t.e[..s - 1].iter().all(|&e| e == 0.0) && t.e[s - 1] == 1.0);
        assert_eq!(t.gamma_sum[0], t.gamma);
        let (g, alpha, b, bh) = standard_form(t);
        for i in 0..s {
            let a_i: f64 = alpha[i].iter().sum();
            let g_i: f64 = g[i].iter().sum();
            assert!((a_i - t.alpha[i]).abs() < tol, "{}: α_{i} {a_i}", t.name);
            assert!(
                (g_i - t.gamma_sum[i]).abs() < tol,
                "{}: γ_{i} {g_i}",
                t.name
            );
        }
        let p = t.order as usize;
        let worst = |d: &[f64]| d.iter().fold(0.0f64, |m, x| m.max(x.abs()));
        let d = order_defects(&alpha, &g, &b, p);
        println!(
            "{}: worst order-condition defect {:.1e} (order {p}), embedded {:.1e} (order {})",
            t.name,
            worst(&d),
            worst(&order_defects(&alpha, &g, &bh, p - 1)),
            p - 1
        );
        assert!(worst(&d) < tol, "{}: order {p} defects {d:.1?}", t.name);
        let dh = order_defects(&alpha, &g, &bh, p - 1);
        assert!(worst(&dh) < tol, "{}: embedded defects {dh:.1?}", t.name);
        let dh = order_defects(&alpha, &g, &bh, p);
        assert!(worst(&dh) > 1e3 * tol, "{}: embedded is order {p}", t.name);
        // The method itself is not of order p + 1.
        assert!(worst(&order_defects(&alpha, &g, &b, p + 1)) > 1e3 * tol);
    }

    #[test]
    fn rodas4_is_consistent_and_stiffly_accurate() {
        let t = &RODAS4;
        let s = t.stages();
        check_rosenbrock(t, 1e-12);
        assert_eq!(t.dense.len(), 2);
        // α_2 = α_21 = a_21 γ.
        assert!((t.alpha[1] - t.a[1][0] * t.gamma).abs() < 1e-15);
        // The dense output does not use the error stage.
        assert_eq!((t.dense[0][s - 1], t.dense[1][s - 1]), (0.0, 0.0));
    }

    #[test]
    fn rodas5p_has_order_5_and_is_stiffly_accurate() {
        let t = &RODAS5P;
        check_rosenbrock(t, 1e-12);
        assert_eq!((t.stages(), t.dense.len()), (8, 3));
        assert!((t.alpha[1] - t.a[1][0] * t.gamma).abs() < 1e-15);
        // Stages 6–8 evaluate at the step's end and carry no ∂f/∂t term.
        assert_eq!(&t.alpha[5..], &[1.0; 3]);
        assert_eq!(&t.gamma_sum[5..], &[0.0; 3]);
        // Stage 7's argument is stage 6's plus u_6, stage 8's adds u_7.
        assert_eq!(&t.a[6][..5], t.a[5]);
        assert_eq!(&t.a[7][..6], t.a[6]);
        assert_eq!((t.a[6][5], t.a[7][6]), (1.0, 1.0));
        // Its stability function matches e^z to order 6 (Rodas4's only to
        // order 4): linear problems converge with order 6 (tests/solver.rs).
        let (g, alpha, b, _) = standard_form(t);
        assert!(tall_tree_defect(&alpha, &g, &b, 6).abs() < 1e-15);
        assert!(tall_tree_defect(&alpha, &g, &b, 7).abs() > 1e-6);
        let (g, alpha, b, _) = standard_form(&RODAS4);
        assert!(tall_tree_defect(&alpha, &g, &b, 5).abs() > 1e-4);
    }
}
