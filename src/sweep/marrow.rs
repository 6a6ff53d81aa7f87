//! Sweep outcomes of the bone-marrow model ([`crate::model::marrow`]) and
//! the 4,000-patient experiment of Fig. 7 of [M].

use super::stats::{median, rank_sum, RankSum};
use super::{run, Axis, Evaluate, Grid, Spacing, SweepError};
use crate::model::marrow::{ix, p, Prepared, Scenario, SPECS};
pub use crate::model::marrow::{Metrics, Tracker, RESPONSE_DAY};
use crate::model::params;
use crate::model::ModelError;
use crate::solver::{linspace, OutputGrid, Settings, Solver};

/// A scalar outcome of one course.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// log10 of L at day 30, floored at [`LOG10_FLOOR`] (an extinct leukemia reads as the floor).
    Log10L30,
    /// L at day 30 (cells).
    L30,
    /// Fold expansion log10(C_peak/C_0) of total CAR T cells.
    Fold,
    /// Day of the CAR T peak.
    Tpeak,
    /// 1 for a responder (L30 < 1), 0 otherwise.
    Response,
}

/// log10_L30 of an extinct (L = 0) or vanishing leukemia.
pub const LOG10_FLOOR: f64 = -6.0;

impl Outcome {
    /// True for the outcomes that need the CAR T course (fold, time to
    /// peak); the others need only the state at day 30.
    pub fn needs_peak(self) -> bool {
        matches!(self, Outcome::Fold | Outcome::Tpeak)
    }

    /// Parse `log10_L30`, `L30`, `fold`, `tpeak`, `response`.
    pub fn parse(s: &str) -> Result<Outcome, SweepError> {
        Ok(match s {
            "log10_L30" => Outcome::Log10L30,
            "L30" => Outcome::L30,
            "fold" => Outcome::Fold,
            "tpeak" => Outcome::Tpeak,
            "response" => Outcome::Response,
            other => {
                return Err(SweepError(format!(
                    "outcome '{other}': expected log10_L30, L30, fold, tpeak or response"
                )))
            }
        })
    }

    /// Name as parsed.
    pub fn name(self) -> &'static str {
        match self {
            Outcome::Log10L30 => "log10_L30",
            Outcome::L30 => "L30",
            Outcome::Fold => "fold",
            Outcome::Tpeak => "tpeak",
            Outcome::Response => "response",
        }
    }

    /// Display name with its unit, for chart titles and axes.
    pub fn title(self) -> &'static str {
        match self {
            Outcome::Log10L30 => "L at day 30 (log10 cells)",
            Outcome::L30 => "L at day 30 (cells)",
            Outcome::Fold => "CAR T fold expansion",
            Outcome::Tpeak => "day of the CAR T peak",
            Outcome::Response => "responder (L at day 30 < 1 cell)",
        }
    }

    /// The labels of the values 0 and 1 of a yes/no outcome (drawn with
    /// two colours, not a colour scale); `None` for a continuous one.
    pub fn classes(self) -> Option<[&'static str; 2]> {
        match self {
            Outcome::Response => Some(["non-responder", "responder"]),
            _ => None,
        }
    }
}

impl Metrics {
    /// One scalar outcome.
    pub fn get(&self, o: Outcome) -> f64 {
        match o {
            Outcome::Log10L30 => {
                if self.l30 > 0.0 {
                    self.l30.log10().max(LOG10_FLOOR)
                } else {
                    LOG10_FLOOR
                }
            }
            Outcome::L30 => self.l30,
            Outcome::Fold => self.fold(),
            Outcome::Tpeak => self.tpeak,
            Outcome::Response => f64::from(u8::from(self.responder())),
        }
    }
}

/// What a swept name changes.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Target {
    Param(usize),
    Btot,
}

/// Evaluates marrow courses at grid points: the base scenario with the
/// axes' parameters replaced.
pub struct MarrowEval {
    base: Scenario,
    prepared: Prepared,
    targets: Vec<Target>,
    settings: Settings,
    grid: OutputGrid,
    window: f64,
    track_peak: bool,
}

/// Per-worker scratch: a scenario copy, a solver workspace and a tracker.
pub struct MarrowScratch {
    sc: Scenario,
    solver: Solver,
    tracker: Tracker,
}

impl MarrowEval {
    /// An evaluator over `names` (parameters of the marrow model, or `Btot`).
    /// Courses run to max(30, `peak_window`) days, output on a grid of
    /// 20 points per day (so day 30 is hit exactly and the peak time is
    /// resolved to 0.05 day).
    pub fn new(
        base: &Scenario,
        names: &[&str],
        settings: &Settings,
        peak_window: f64,
    ) -> Result<MarrowEval, ModelError> {
        if !(peak_window.is_finite() && peak_window > 0.0) {
            return Err(ModelError::Invalid(format!(
                "the peak window must be > 0 days, got {peak_window}"
            )));
        }
        let mut targets = Vec::with_capacity(names.len());
        let mut base = base.clone();
        for n in names {
            targets.push(if *n == "Btot" {
                Target::Btot
            } else {
                let i = params::find(&SPECS, n)?;
                if matches!(i, p::ALPHA2 | p::H2 | p::RHOC2) || i >= p::Y0 + ix::CA2 {
                    base.model.dual = true;
                }
                Target::Param(i)
            });
        }
        let t_end = RESPONSE_DAY.max(peak_window);
        base.t_end = t_end;
        // Doses after the horizon cannot matter to these outcomes.
        base.doses.retain(|d| d.t <= t_end);
        base.validate()?;
        let prepared = base.prepare();
        let grid = OutputGrid::Times(linspace(0.0, t_end, (t_end * 20.0).round() as usize));
        Ok(MarrowEval {
            base,
            prepared,
            targets,
            settings: settings.clone(),
            grid,
            window: peak_window,
            track_peak: true,
        })
    }

    /// Only L at day 30 (and the day-0 CAR T) is wanted: output at days 0
    /// and 30 instead of 20 points a day. The steps, and so L30, are the
    /// same bit for bit (output never changes the steps); the peak and its
    /// day are reported as NaN rather than guessed from two points. For a
    /// fig6 heatmap of log10_L30 this removes most of the work per cell.
    ///
    /// The course also stops where the leukemia goes extinct (L30 is then
    /// 0, see `Scenario::prepare_stopping_at_extinction`): about a fifth
    /// of a fig6 course's steps come after extinction, and half of the
    /// heatmap's cells go extinct. `tests/marrow.rs`
    /// (`day30_only_heatmaps_give_the_same_l30_with_far_less_output`)
    /// checks that L30, its log and the response are the same bits as with
    /// the full course.
    pub fn day30_only(mut self) -> Self {
        self.grid = OutputGrid::Times(vec![0.0, RESPONSE_DAY]);
        self.track_peak = false;
        self.prepared = self.base.prepare_stopping_at_extinction();
        self
    }

    fn eval_point(&self, point: &[f64], s: &mut MarrowScratch) -> Result<Metrics, ModelError> {
        s.sc.model.p = self.base.model.p;
        for (t, v) in self.targets.iter().zip(point) {
            match *t {
                Target::Param(i) => s.sc.model.p[i] = SPECS[i].check(*v)?,
                Target::Btot => s.sc.set_btot(*v)?,
            }
        }
        s.tracker.reset();
        let out = s.sc.run(
            &self.prepared,
            &mut s.solver,
            &self.settings,
            &self.grid,
            &mut s.tracker,
        )?;
        // Day 0 is reported before any event, also one that fires at the
        // start (tests/marrow.rs checks a leukemia extinct from day 0).
        // `stopped` means extinction here: the injected Stop is the only
        // Stop action of marrow scenarios, and the marrow tracker never
        // ends a course itself (`Observer::done` is left at "never").
        if out.stopped {
            s.tracker.extinct_before_day30();
        }
        let mut m = s
            .tracker
            .metrics()
            .ok_or_else(|| ModelError::Invalid("the course did not reach day 30".into()))?;
        if !self.track_peak {
            m.c_peak = f64::NAN;
            m.tpeak = f64::NAN;
        }
        Ok(m)
    }
}

impl Evaluate for MarrowEval {
    type Scratch = MarrowScratch;
    type Out = Result<Metrics, ModelError>;
    fn scratch(&self) -> MarrowScratch {
        MarrowScratch {
            sc: self.base.clone(),
            solver: Solver::new(),
            tracker: Tracker::new(self.window),
        }
    }
    fn eval(&self, point: &[f64], s: &mut MarrowScratch) -> Self::Out {
        self.eval_point(point, s)
    }
}

/// The two readings of Fig. 7's h range (MODELS.md §2, `fig7`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum HRange {
    /// 5e8–5e10, as in the text of [M] §3.4.
    Text,
    /// 5e9–5e11, as in the caption of Fig. 7.
    Caption,
}

impl HRange {
    /// Parse `text` / `caption`.
    pub fn parse(s: &str) -> Option<HRange> {
        match s {
            "text" => Some(HRange::Text),
            "caption" => Some(HRange::Caption),
            _ => None,
        }
    }
    /// Ends of the range.
    pub fn ends(self) -> (f64, f64) {
        match self {
            HRange::Text => (5e8, 5e10),
            HRange::Caption => (5e9, 5e11),
        }
    }
}

/// The Fig. 7 grid: ρC 10 linear values in 0.4–1, α 20 log values in
/// 5e-11–5e-9, h 20 log values in the chosen range (MODELS.md §2).
pub fn fig7_grid(h: HRange) -> Grid {
    let (lo, hi) = h.ends();
    let axes = vec![
        Axis::new("rhoC", 0.4, 1.0, Spacing::Lin, 10),
        Axis::new("alpha", 5e-11, 5e-9, Spacing::Log, 20),
        Axis::new("h", lo, hi, Spacing::Log, 20),
    ];
    Grid::new(axes.into_iter().map(|a| a.expect("fixed axes")).collect()).expect("fixed grid")
}

/// Summary of the Fig. 7 experiment.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Fig7Report {
    /// Which h range.
    pub h_range: HRange,
    /// Patients simulated.
    pub patients: usize,
    /// Courses the solver could not finish (left out of every count below).
    pub failures: usize,
    /// Responders (L30 < 1).
    pub responders: usize,
    /// Non-responders.
    pub non_responders: usize,
    /// responders / (responders + non_responders).
    pub responder_fraction: f64,
    /// [M]'s claim: 80:20.
    pub paper_responder_fraction: f64,
    /// Rank-sum test of fold expansion, responders vs non-responders.
    pub wilcoxon_fold: Option<RankSum>,
    /// Rank-sum test of time to peak.
    pub wilcoxon_tpeak: Option<RankSum>,
    /// p-value of the fold test (NaN if not computable).
    pub wilcoxon_p_fold: f64,
    /// p-value of the time-to-peak test.
    pub wilcoxon_p_tpeak: f64,
    /// Median log10(C_peak/C_0), responders.
    pub median_fold_r: f64,
    /// Median log10(C_peak/C_0), non-responders.
    pub median_fold_nr: f64,
    /// Median time to peak (days), responders.
    pub median_tpeak_r: f64,
    /// Median time to peak (days), non-responders.
    pub median_tpeak_nr: f64,
    /// Days over which the peak is sought.
    pub peak_window: f64,
}

/// Run the Fig. 7 experiment on `base` (normally the `fig7` preset).
pub fn fig7(
    base: &Scenario,
    h: HRange,
    settings: &Settings,
    peak_window: f64,
) -> Result<Fig7Report, ModelError> {
    let grid = fig7_grid(h);
    let names: Vec<&str> = grid.axes.iter().map(|a| a.name.as_str()).collect();
    let ev = MarrowEval::new(base, &names, settings, peak_window)?;
    let results = run(&grid, &ev);
    Ok(summarize(h, &results, peak_window))
}

/// Summarise per-patient metrics into the Fig. 7 report.
pub fn summarize(h: HRange, results: &[Result<Metrics, ModelError>], window: f64) -> Fig7Report {
    let ok: Vec<&Metrics> = results.iter().filter_map(|r| r.as_ref().ok()).collect();
    let (r, nr): (Vec<&Metrics>, Vec<&Metrics>) = ok.iter().partition(|m| m.responder());
    let fold = |v: &[&Metrics]| v.iter().map(|m| m.fold()).collect::<Vec<_>>();
    let tp = |v: &[&Metrics]| v.iter().map(|m| m.tpeak).collect::<Vec<_>>();
    let (fr, fnr, tr, tnr) = (fold(&r), fold(&nr), tp(&r), tp(&nr));
    let wf = rank_sum(&fr, &fnr);
    let wt = rank_sum(&tr, &tnr);
    let nan = f64::NAN;
    Fig7Report {
        h_range: h,
        patients: results.len(),
        failures: results.len() - ok.len(),
        responders: r.len(),
        non_responders: nr.len(),
        responder_fraction: if ok.is_empty() {
            nan
        } else {
            r.len() as f64 / ok.len() as f64
        },
        paper_responder_fraction: 0.8,
        wilcoxon_fold: wf,
        wilcoxon_tpeak: wt,
        wilcoxon_p_fold: wf.map_or(nan, |w| w.p),
        wilcoxon_p_tpeak: wt.map_or(nan, |w| w.p),
        median_fold_r: median(&fr).unwrap_or(nan),
        median_fold_nr: median(&fnr).unwrap_or(nan),
        median_tpeak_r: median(&tr).unwrap_or(nan),
        median_tpeak_nr: median(&tnr).unwrap_or(nan),
        peak_window: window,
    }
}
