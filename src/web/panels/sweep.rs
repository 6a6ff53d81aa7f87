//! Parameter sweeps of the bone-marrow model in workers: a 1-D sweep (an
//! outcome against one parameter, as a line) or a 2-D heatmap of any
//! outcome over any two parameters (Fig. 6), with a colour bar, a readout
//! of the cell under the pointer (or the keyboard cursor: arrow keys on
//! the focused map) and click / Enter to open the simulator at that point;
//! and the Fig. 7 experiment with its summary beside [M]'s 80:20 claim.

use super::plots::{self, HeatGeom};
use crate::jobs::{self, AxisSpec, SweepSpec, Task};
use crate::model::{marrow, Registry};
use crate::scenario::Scenario;
use crate::sweep::marrow::{fig7_grid, summarize, HRange, Metrics, Outcome};
use crate::sweep::{Grid, Spacing};
use crate::web::dom;
use crate::web::format::compact;
use crate::web::jobs::{pool, wire_form, InOrder, Job, Next, Slice, View};
use crate::web::linechart::{self as chart, LineChart, Mark, Series};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsCast;

const P: &str = "sweep";

fn error(e: &str) {
    View::new(P).error(e);
}

/// What the map on screen shows, for the pointer readout.
struct Shown {
    spec: SweepSpec,
    grid: Grid,
    outcome: Outcome,
    values: Vec<f64>,
    geom: Option<HeatGeom>,
    cursor: (usize, usize),
}

/// The map on screen, shared by the job that draws it and the pointer and
/// keyboard handlers that read it.
type Screen = Rc<RefCell<Option<Shown>>>;

/// The simulator's URL (query) for a point of a sweep: the sweep's base
/// scenario with its settings (numbers and words alike, checked by the
/// scenario codec) and the point's axis values.
pub fn simulator_url(spec: &SweepSpec, point: &[f64]) -> String {
    let model = marrow::MODEL;
    let pairs = [("model", model.id()), ("preset", spec.preset.as_str())]
        .into_iter()
        .chain(spec.sets.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    let query = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish();
    let (mut sc, _) = Scenario::from_query(&query, Registry::builtin());
    for (a, v) in spec.axes.iter().zip(point) {
        // Six significant digits, as on screen (a grid point's full
        // precision, 5.498942132497314e-10, means nothing to a reader).
        let v = compact(*v).parse().unwrap_or(*v);
        sc.values.insert(a.name.clone(), v);
    }
    format!("./?{}", sc.to_query())
}

/// Wire up the panel (skipped when the page has no `#sweep`).
pub fn start() -> Result<(), String> {
    if !dom::exists(P) {
        return Ok(());
    }
    let screen: Screen = Rc::default();
    let s = screen.clone();
    wire_form(P, move || run_map(&s))?;
    dom::on_id("sweep-fig7", "click", |_| {
        if let Err(e) = run_fig7() {
            error(&e);
        }
    })?;
    dom::on_id("sweep-pair", "change", |_| {
        if let Err(e) = apply_pair() {
            error(&e);
        }
    })?;
    let s = screen.clone();
    dom::on_id("sweep-canvas", "mousemove", move |ev| {
        if let Some(m) = ev.dyn_ref::<web_sys::MouseEvent>() {
            pointer(&s, m, false);
        }
    })?;
    let s = screen.clone();
    dom::on_id("sweep-canvas", "click", move |ev| {
        if let Some(m) = ev.dyn_ref::<web_sys::MouseEvent>() {
            pointer(&s, m, true);
        }
    })?;
    dom::on_id("sweep-canvas", "keydown", move |ev| {
        if let Some(k) = ev.dyn_ref::<web_sys::KeyboardEvent>() {
            if key(&screen, &k.key()) {
                ev.prevent_default();
            }
        }
    })?;
    Ok(())
}

/// Fill the axis inputs with one of Fig. 6's pairs.
fn apply_pair() -> Result<(), String> {
    let pair = dom::value("sweep-pair")?;
    let axes = match pair.as_str() {
        "alpha-h" => [("alpha", "3e-11", "3e-9", true), ("h", "1e8", "1e11", true)],
        "alpha-rhoC" => [
            ("alpha", "3e-11", "3e-9", true),
            ("rhoC", "0.4", "1", false),
        ],
        "h-rhoC" => [("h", "1e8", "1e11", true), ("rhoC", "0.4", "1", false)],
        _ => return Ok(()),
    };
    for (p, (name, lo, hi, log)) in ["x", "y"].iter().zip(axes) {
        dom::set_value(&format!("sweep-{p}-name"), name);
        dom::set_value(&format!("sweep-{p}-lo"), lo);
        dom::set_value(&format!("sweep-{p}-hi"), hi);
        dom::set_checked(&format!("sweep-{p}-log"), log);
    }
    Ok(())
}

fn axis(p: &str) -> Result<AxisSpec, String> {
    let name = dom::value(&format!("sweep-{p}-name"))?.trim().to_string();
    let n = dom::number(&format!("sweep-{p}-n"), &format!("{p} points"), 1.0, 1000.0)?;
    let a = AxisSpec {
        lo: dom::number(
            &format!("sweep-{p}-lo"),
            &format!("{p} from"),
            f64::MIN,
            f64::MAX,
        )?,
        hi: dom::number(
            &format!("sweep-{p}-hi"),
            &format!("{p} to"),
            f64::MIN,
            f64::MAX,
        )?,
        log: dom::checked(&format!("sweep-{p}-log")),
        n: n as usize,
        name,
    };
    a.axis()?;
    Ok(a)
}

fn read_spec() -> Result<(SweepSpec, Outcome), String> {
    let outcome = Outcome::parse(&dom::value("sweep-outcome")?).map_err(|e| e.to_string())?;
    let mut axes = vec![axis("x")?];
    if dom::checked("sweep-2d") {
        axes.push(axis("y")?);
    }
    let spec = SweepSpec {
        preset: dom::value("sweep-preset")?,
        sets: Vec::new(),
        axes,
        peak_window: 30.0,
        // log10_L30, L30 and response need only day 30: far less work per cell.
        day30_only: !outcome.needs_peak(),
    };
    let grid = spec.grid()?;
    spec.evaluator(&grid)?; // check names and the base now, not in a worker
    Ok((spec, outcome))
}

/// Slices of about `size` points.
fn sweep_slices(spec: &SweepSpec, total: usize, size: usize) -> Vec<Slice> {
    jobs::chunks(total, size)
        .into_iter()
        .map(|(start, end)| Slice {
            task: Task::Sweep {
                sweep: spec.clone(),
                start,
                end,
            },
            weight: (end - start) as f64,
            label: format!("points {start}–{}", end - 1),
        })
        .collect()
}

fn run_map(screen: &Screen) -> Result<(), String> {
    let (spec, outcome) = read_spec()?;
    let grid = spec.grid()?;
    let total = grid.len();
    // About 16 slices per worker: even load, prompt progress, small messages.
    let size = (total / (16 * crate::web::jobs::worker_count())).clamp(10, 2000);
    let slices = sweep_slices(&spec, total, size);
    let job = SweepJob {
        spec,
        outcome,
        kind: Kind::Map(screen.clone()),
        results: InOrder::default(),
    };
    pool().start(View::new(P), slices, Box::new(job));
    Ok(())
}

fn run_fig7() -> Result<(), String> {
    let h = HRange::parse(&dom::value("sweep-hrange")?).unwrap_or(HRange::Text);
    let grid = fig7_grid(h);
    let spec = SweepSpec {
        preset: "fig7".into(),
        sets: Vec::new(),
        axes: grid
            .axes
            .iter()
            .map(|a| AxisSpec {
                name: a.name.clone(),
                lo: a.lo,
                hi: a.hi,
                log: a.spacing == Spacing::Log,
                n: a.n,
            })
            .collect(),
        peak_window: 30.0,
        // Fig. 7 compares fold expansion and time to peak: the whole course.
        day30_only: false,
    };
    let slices = sweep_slices(&spec, grid.len(), 125);
    let job = SweepJob {
        spec,
        outcome: Outcome::Response,
        kind: Kind::Fig7(h),
        results: InOrder::default(),
    };
    pool().start(View::new(P), slices, Box::new(job));
    Ok(())
}

enum Kind {
    /// A map, drawn on the panel's screen.
    Map(Screen),
    Fig7(HRange),
}

type PointResult = Result<Metrics, crate::model::ModelError>;

struct SweepJob {
    spec: SweepSpec,
    outcome: Outcome,
    kind: Kind,
    results: InOrder<PointResult>,
}

impl Job for SweepJob {
    fn finished(
        &mut self,
        task: &Task,
        bytes: Vec<u8>,
        _raw: js_sys::Uint8Array,
    ) -> Result<Next, String> {
        match task {
            Task::Sweep { start, .. } => {
                self.results.insert(*start, jobs::decode_sweep(&bytes)?);
                Ok(Next::default())
            }
            _ => Err("unexpected slice in a sweep".into()),
        }
    }

    fn complete(&mut self, _seconds: f64) -> Result<(), String> {
        let results: Vec<PointResult> = self.results.take();
        match &self.kind {
            Kind::Fig7(h) => fig7_summary(*h, &results),
            Kind::Map(screen) => {
                let failures = results.iter().filter(|r| r.is_err()).count();
                let values: Vec<f64> = results
                    .iter()
                    .map(|r| r.as_ref().map_or(f64::NAN, |m| m.get(self.outcome)))
                    .collect();
                let grid = self.spec.grid()?;
                draw_map(
                    screen,
                    Shown {
                        spec: self.spec.clone(),
                        grid,
                        outcome: self.outcome,
                        values,
                        geom: None,
                        cursor: (0, 0),
                    },
                )?;
                dom::set_text(
                    "sweep-failures",
                    &if failures > 0 {
                        format!("{failures} points failed (grey).")
                    } else {
                        String::new()
                    },
                );
                Ok(())
            }
        }
    }
}

fn plotted(a: &crate::sweep::Axis) -> (f64, f64, bool) {
    match a.spacing {
        Spacing::Log => (a.lo.log10(), a.hi.log10(), true),
        Spacing::Lin => (a.lo, a.hi, false),
    }
}

/// Put a map on the screen and draw it (kept, to be drawn again at a new size).
fn draw_map(screen: &Screen, shown: Shown) -> Result<(), String> {
    dom::set_hidden("sweep-results", false);
    *screen.borrow_mut() = Some(shown);
    let s = screen.clone();
    plots::keep("sweep-canvas", move || redraw_map(&s))?;
    readout(screen, false);
    Ok(())
}

/// A swept name's display symbol (`ρC` for `rhoC`), or the name itself.
fn axis_symbol(name: &str) -> String {
    marrow::MODEL
        .spec(name)
        .map_or_else(|| name.to_string(), |s| s.symbol.to_string())
}

/// A swept name's axis title: symbol and unit (`α (1/(cell·day))`).
fn axis_title(name: &str) -> String {
    match marrow::MODEL.spec(name) {
        Some(s) if !s.unit.is_empty() && s.unit != "-" => format!("{} ({})", s.symbol, s.unit),
        Some(s) => s.symbol.to_string(),
        None => name.to_string(),
    }
}

/// Draw the map on the screen (a line for one axis, a heatmap for two).
fn redraw_map(screen: &Screen) -> Result<(), String> {
    let mut guard = screen.borrow_mut();
    let Some(shown) = guard.as_mut() else {
        return Ok(());
    };
    let axes = &shown.grid.axes;
    let title = shown.outcome.title();
    if axes.len() == 1 {
        let a = &axes[0];
        let log = a.spacing == Spacing::Log;
        chart::draw(
            "sweep-canvas",
            &LineChart {
                title: format!("{title} against {}", axis_symbol(&a.name)),
                x_label: axis_title(&a.name),
                y_label: title.into(),
                log_x: log,
                log_y: false,
                series: vec![Series {
                    label: format!("{title} ({} points)", a.n),
                    points: a
                        .values()
                        .into_iter()
                        .zip(shown.values.iter().copied())
                        .collect(),
                    mark: Mark::Line,
                    color: crate::plot::palette::BLUE,
                }],
                areas: Vec::new(),
            },
        )?;
        shown.geom = None;
    } else {
        let (ax, ay) = (&axes[0], &axes[1]);
        let (x0, x1, xl) = plotted(ax);
        let (y0, y1, yl) = plotted(ay);
        let geom = plots::heatmap(
            "sweep-canvas",
            &format!(
                "{title} over {} × {} ({}×{})",
                axis_symbol(&ax.name),
                axis_symbol(&ay.name),
                ax.n,
                ay.n
            ),
            (&axis_title(&ax.name), x0, x1, xl),
            (&axis_title(&ay.name), y0, y1, yl),
            ax.n,
            ay.n,
            &shown.values,
            match shown.outcome.classes() {
                Some(labels) => plots::Scale::Classes(labels),
                None => plots::Scale::Continuous(shown.outcome.name()),
            },
        )?;
        shown.geom = Some(geom);
    }
    if let Ok(c) = dom::by_id("sweep-canvas") {
        if shown.geom.is_none() {
            dom::attr(&c, "data-cells", &shown.values.len().to_string());
        } else {
            let _ = c.remove_attribute("data-cells");
        }
    }
    Ok(())
}

/// Show the cell at the cursor; open the simulator there when `open`.
fn readout(screen: &Screen, open: bool) {
    {
        let s = screen.borrow();
        let Some(sh) = s.as_ref() else { return };
        let (ix, iy) = sh.cursor;
        let ny = sh.grid.axes.get(1).map_or(1, |a| a.n);
        let idx = ix * ny + iy.min(ny - 1);
        let mut pt = [0.0; crate::sweep::MAX_AXES];
        sh.grid.point(idx, &mut pt);
        let k = sh.grid.axes.len();
        let coords: Vec<String> = sh
            .grid
            .axes
            .iter()
            .zip(&pt[..k])
            .map(|(a, v)| format!("{} = {}", a.name, compact(*v)))
            .collect();
        let v = sh.values.get(idx).copied().unwrap_or(f64::NAN);
        dom::set_text(
            "sweep-readout",
            &format!(
                "{}: {} = {}",
                coords.join(", "),
                sh.outcome.name(),
                compact(v)
            ),
        );
        let url = simulator_url(&sh.spec, &pt[..k]);
        if let Ok(a) = dom::by_id("sweep-link") {
            dom::attr(&a, "href", &url);
        }
        if open {
            if let Ok(w) = dom::window() {
                let _ = w.location().set_href(&url);
            }
        }
    }
}

fn pointer(screen: &Screen, ev: &web_sys::MouseEvent, open: bool) {
    let moved = (|| {
        let mut s = screen.borrow_mut();
        let Some(sh) = s.as_mut() else { return false };
        let Some(g) = sh.geom else { return false };
        let Ok(canvas) = dom::by_id("sweep-canvas") else {
            return false;
        };
        let rect = canvas.get_bounding_client_rect();
        let w = canvas
            .get_attribute("width")
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(rect.width());
        let h = canvas
            .get_attribute("height")
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(rect.height());
        let px = (ev.client_x() as f64 - rect.left()) * w / rect.width().max(1.0);
        let py = (ev.client_y() as f64 - rect.top()) * h / rect.height().max(1.0);
        match g.cell(px, py) {
            Some(c) => {
                sh.cursor = c;
                true
            }
            None => false,
        }
    })();
    if moved {
        readout(screen, open);
    }
}

/// Arrow keys move the cursor cell, Enter opens the simulator there.
fn key(screen: &Screen, k: &str) -> bool {
    let step = |dx: i64, dy: i64| {
        if let Some(sh) = screen.borrow_mut().as_mut() {
            let nx = sh.grid.axes[0].n as i64;
            let ny = sh.grid.axes.get(1).map_or(1, |a| a.n) as i64;
            let x = (sh.cursor.0 as i64 + dx).clamp(0, nx - 1);
            let y = (sh.cursor.1 as i64 + dy).clamp(0, ny - 1);
            sh.cursor = (x as usize, y as usize);
        }
        readout(screen, false);
    };
    match k {
        "ArrowLeft" => step(-1, 0),
        "ArrowRight" => step(1, 0),
        "ArrowUp" => step(0, 1),
        "ArrowDown" => step(0, -1),
        "Enter" => readout(screen, true),
        _ => return false,
    }
    true
}

fn fig7_summary(h: HRange, results: &[PointResult]) -> Result<(), String> {
    let r = summarize(h, results, 30.0);
    let f = |v: f64| format!("{v:.3}");
    let rows = vec![
        vec![
            "patients (failed)".into(),
            format!("{} ({})", r.patients, r.failures),
        ],
        vec![
            "responders : non-responders".into(),
            format!(
                "{} : {} = {:.1} : {:.1}",
                r.responders,
                r.non_responders,
                100.0 * r.responder_fraction,
                100.0 * (1.0 - r.responder_fraction)
            ),
        ],
        vec!["[M]'s claim".into(), "80 : 20".into()],
        vec![
            "median fold log10(Cpeak/C0), R / NR".into(),
            format!("{} / {}", f(r.median_fold_r), f(r.median_fold_nr)),
        ],
        vec![
            "median time to peak (days), R / NR".into(),
            format!("{} / {}", f(r.median_tpeak_r), f(r.median_tpeak_nr)),
        ],
        vec![
            "Wilcoxon p, fold".into(),
            format!("{:.3e}", r.wilcoxon_p_fold),
        ],
        vec![
            "Wilcoxon p, time to peak".into(),
            format!("{:.3e}", r.wilcoxon_p_tpeak),
        ],
    ];
    dom::table("sweep-fig7-table", &["Fig. 7", "value"], &rows)?;
    dom::set_text(
        "sweep-fig7-json",
        &serde_json::to_string(&r).map_err(|e| e.to_string())?,
    );
    dom::set_hidden("sweep-fig7-results", false);
    Ok(())
}
