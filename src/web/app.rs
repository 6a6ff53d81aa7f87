//! The page's state and how it changes, in the shape of an Elm / yew
//! program: one [`App`] (the current [`Scenario`], the single source of
//! truth mirrored in the URL; the last good result; the cohort bands), one
//! [`Msg`] enum of everything that can happen, and one [`update`] that
//! applies a message to the state and returns a [`Redraw`] saying what the
//! page must redraw. Every user change is validated by the scenario codec
//! exactly like a URL key. Nothing here touches the DOM: `super::page`
//! runs the loop and draws.
//!
//! It works only through the model interface ([`crate::model::Model`]):
//! no model is named here, so a new model needs no change to the page.

use super::format::{compact, compact_numbers};
use crate::analysis::bands::Bands;
use crate::cohort::bands::Factor;
use crate::model::{Course, Display, ModelId, Registry, Sampling};
use crate::scenario::{Problem, Scenario};

/// Output rows per simulation drawn (the charts' resolution).
pub const CHART_ROWS: f64 = 800.0;
/// The output step divides this many days exactly, so day 30 and its
/// multiples are rows of the table (and of the trajectory CSV).
const ALIGN_DAYS: f64 = 30.0;

/// The last successful computation.
#[derive(Debug, Clone)]
pub struct Computed {
    /// The scenario it was computed for.
    pub scenario: Scenario,
    /// The course: its table and metrics, from one solve.
    pub course: Course,
    /// Its horizon, days.
    pub t_end: f64,
}

impl Computed {
    /// How its charts are shown.
    pub fn display(&self, log_y: bool) -> Display<'_> {
        Display {
            units: &self.scenario.units,
            log_y,
            t_end: self.t_end,
        }
    }
}

/// A pinned course (issue 15): kept while the live course changes, drawn
/// over it in its own colour and line style, listed with its indices.
#[derive(Debug, Clone)]
pub struct PinnedRun {
    /// What it shows: automatic (what differs from the first run) until
    /// edited.
    pub label: String,
    /// The label was typed by the user (kept when the runs change).
    pub edited: bool,
    /// Drawn on the charts.
    pub visible: bool,
    /// Its settings.
    pub scenario: Scenario,
    /// Its course (solved when pinned or loaded from a link), or why the
    /// solve failed.
    pub result: Result<Computed, String>,
}

/// What a runs-list button does to one pinned run.
#[derive(Debug, Clone, PartialEq)]
pub enum RunAction {
    /// Show or hide it on the charts.
    Toggle,
    /// Remove it.
    Remove,
    /// Move it one place up (earlier).
    Up,
    /// Move it one place down.
    Down,
    /// Put its settings into the controls (the live course takes them).
    Load,
    /// A new label typed by the user (empty: back to the automatic one).
    Relabel(String),
}

/// The bands of one factor of the cohort.
#[derive(Debug, Clone)]
pub struct FactorBands {
    /// Index key the factor is (`FT`, `FP`): the course's value of it is
    /// the patient's mark.
    pub key: &'static str,
    /// The factor.
    pub factor: Factor,
    /// Class probabilities against it.
    pub bands: Bands,
}

/// The cohort bands, fitted.
#[derive(Debug, Clone)]
pub struct BandSet {
    /// One entry per factor.
    pub factors: Vec<FactorBands>,
    /// Virtual patients scored.
    pub patients: usize,
    /// Wall-clock milliseconds from the start to the fitted bands.
    pub ms: f64,
}

impl BandSet {
    /// The bands of the factor with this index key.
    pub fn get(&self, key: &str) -> Option<&FactorBands> {
        self.factors.iter().find(|f| f.key == key)
    }
}

/// Where the cohort bands are.
#[derive(Debug, Clone, Default)]
pub enum BandState {
    /// Not started.
    #[default]
    Idle,
    /// Being computed: `done` of `total` patients (`total` 0: not known yet).
    Running {
        /// Patients scored.
        done: usize,
        /// Patients in all.
        total: usize,
    },
    /// Done.
    Ready(Box<BandSet>),
    /// Failed, with the reason.
    Failed(String),
}

/// What can be exported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Export {
    /// The trajectory as CSV.
    Trajectory,
    /// The indices as CSV.
    Indices,
    /// The scenario as JSON.
    Scenario,
    /// The pinned runs' compare table as CSV (one row per run).
    RunsTable,
    /// Every pinned run's trajectory as CSV, long form (`run,label,t,…`).
    RunsTrajectories,
    /// A chart as PNG: canvas id and file-name suffix.
    Png {
        /// Canvas id.
        canvas: &'static str,
        /// Suffix of the file name (`tumour`).
        suffix: &'static str,
    },
}

/// Everything that can happen to the page.
#[derive(Debug, Clone)]
pub enum Msg {
    /// A typed field or a menu set `key` to `text` (validated like a URL key).
    SetValue {
        /// Scenario key (`rTA`, `rtol`, `units`, `variant`).
        key: String,
        /// The text as given.
        text: String,
    },
    /// A slider moved: a value in range by construction.
    Slider {
        /// Parameter name.
        name: String,
        /// The value at the slider's position.
        value: f64,
    },
    /// A slider was released (the drag is over).
    SliderReleased,
    /// Back to the preset's value of one parameter.
    Reset(String),
    /// Back to the preset's values of every parameter.
    ResetAll,
    /// Another preset of the current model (solver settings and units stay).
    ChoosePreset(String),
    /// Another model (at its first preset).
    ChooseModel(ModelId),
    /// A scenario file's text (checked exactly like a link).
    Load(String),
    /// Log (true) or linear y axes.
    SetLogY(bool),
    /// Show a view; `push`: as a new history entry (a tab chosen), else
    /// the one the history moved to (back / forward).
    ShowView {
        /// The view.
        view: View,
        /// Add a history entry.
        push: bool,
    },
    /// A job form's value changed (the link carries them).
    FormChanged,
    /// Keep the live course as a pinned run.
    Pin,
    /// Act on pinned run `index`.
    Run {
        /// Its place in the list.
        index: usize,
        /// What to do.
        action: RunAction,
    },
    /// The window was resized.
    Resize,
    /// The animation frame after a change: solve and draw.
    Frame,
    /// The debounced URL write is due.
    WriteUrl,
    /// Start computing the cohort bands (once).
    StartBands,
    /// The cohort bands are under way.
    BandsProgress {
        /// Patients scored.
        done: usize,
        /// Patients in all.
        total: usize,
    },
    /// The cohort bands are ready, or failed.
    BandsReady(Result<BandSet, String>),
    /// Export something.
    Export(Export),
    /// Copy the link to the clipboard.
    CopyLink,
    /// A problem not tied to a scenario key (a failed download, a file).
    Notice {
        /// What it concerns, in brackets (`(export)`).
        key: String,
        /// The sentence to show.
        message: String,
    },
    /// Drawing failed: the charts are not current.
    DrawFailed(String),
    /// A data file's text, its CAR T column in `unit` (a bad file is
    /// reported in the data panel and changes nothing).
    LoadData {
        /// The CSV text.
        text: String,
        /// Unit of `car_t` (one of the model's data units).
        unit: String,
        /// Where it came from ("cr.csv", "pasted data").
        source: String,
    },
    /// Remove the data.
    ClearData,
    /// The data's CAR T column is in this unit (the data are read again).
    DataUnit(String),
    /// A data file could not be read: the sentence to show.
    DataRefused(String),
    /// Fit the model to the data (in a worker).
    Fit,
    /// Put fitted values into the scenario, pinning the courses before and
    /// after as compare runs.
    ApplyFit(Vec<(String, f64)>),
}

/// The page's views, one tab each; the link names it as `view=<key>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum View {
    /// The simulator (the default: a link without `view`).
    #[default]
    Sim,
    /// The virtual trial.
    Trial,
    /// Early prediction from the first week's CAR T counts.
    Predict,
    /// Parameter sweeps.
    Sweeps,
    /// Sensitivity analysis of the current scenario.
    Sensitivity,
    /// The model notes and glossary.
    Notes,
}

impl View {
    /// Every view, in tab order.
    pub const ALL: [View; 6] = [
        View::Sim,
        View::Trial,
        View::Predict,
        View::Sweeps,
        View::Sensitivity,
        View::Notes,
    ];

    /// The link's name of the view.
    pub fn key(self) -> &'static str {
        match self {
            View::Sim => "sim",
            View::Trial => "trial",
            View::Predict => "predict",
            View::Sweeps => "sweeps",
            View::Sensitivity => "sensitivity",
            View::Notes => "notes",
        }
    }

    /// The view a link names.
    pub fn parse(key: &str) -> Option<View> {
        View::ALL.into_iter().find(|v| v.key() == key)
    }
}

/// A link cut in two: the scenario's keys (for the scenario codec) and
/// the page's own: `view`, and the job forms' values as `<view>.<field>`
/// (e.g. `trial.per=50&trial.seed=7`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PageLink {
    /// The scenario's part of the query.
    pub scenario: String,
    /// The view named (the simulator when none or an unknown one).
    pub view: View,
    /// A `view` value that names no view (to report).
    pub bad_view: Option<String>,
    /// Job form values: (view, field, value).
    pub forms: Vec<(View, String, String)>,
    /// `embed=1`: the charts only (for an `<iframe>`), with the controls
    /// named in `controls=` (comma-separated parameter names).
    pub embed: bool,
    /// The `controls=` names, as written.
    pub controls: Vec<String>,
    /// The `run=` values (each a run's own query), in order.
    pub runs: Vec<String>,
    /// The `data=` value ([`crate::data::PatientData::from_link`]).
    pub data: Option<String>,
}

impl PageLink {
    /// Split a URL query (with or without the leading `?`).
    pub fn parse(query: &str) -> PageLink {
        let query = query.strip_prefix('?').unwrap_or(query);
        let mut link = PageLink::default();
        let mut rest = form_urlencoded::Serializer::new(String::new());
        for (k, v) in form_urlencoded::parse(query.as_bytes()) {
            if k == crate::compare::RUNS_KEY {
                link.runs.push(v.into_owned());
            } else if k == crate::data::LINK_KEY {
                link.data = Some(v.into_owned());
            } else if k == "embed" {
                link.embed = v == "1";
            } else if k == "controls" {
                link.controls = v
                    .split(',')
                    .map(str::trim)
                    .filter(|c| !c.is_empty())
                    .map(|c| c.chars().take(40).collect())
                    .collect();
            } else if k == "view" {
                match View::parse(&v) {
                    Some(view) => link.view = view,
                    None => link.bad_view = Some(v.chars().take(40).collect()),
                }
            } else if let Some((view, field)) = k
                .split_once('.')
                .and_then(|(p, f)| View::parse(p).map(|v| (v, f)))
            {
                link.forms.push((view, field.to_string(), v.into_owned()));
            } else {
                rest.append_pair(&k, &v);
            }
        }
        link.scenario = rest.finish();
        link
    }

    /// The keys of embed mode to append to a scenario query
    /// (`&embed=1&controls=rTA,e`).
    pub fn embed_suffix(controls: &[String]) -> String {
        let mut q = form_urlencoded::Serializer::new(String::new());
        q.append_pair("embed", "1");
        if !controls.is_empty() {
            q.append_pair("controls", &controls.join(","));
        }
        format!("&{}", q.finish())
    }

    /// The page's keys to append to a scenario query (`&view=…&trial.per=…`);
    /// empty for the simulator.
    pub fn suffix(view: View, forms: &[(String, String)]) -> String {
        if view == View::Sim {
            return String::new();
        }
        let mut q = form_urlencoded::Serializer::new(String::new());
        q.append_pair("view", view.key());
        for (field, value) in forms {
            q.append_pair(&format!("{}.{field}", view.key()), value);
        }
        format!("&{}", q.finish())
    }
}

/// How views and jobs hand a [`Msg`] to the page's loop (`super::page`
/// passes its own dispatcher in, so nothing below it imports the loop).
pub type Dispatch = fn(Msg);

/// What to redraw after an update.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Redraw {
    /// Rebuild the controls that depend on the model (menus, parameter
    /// rows, options, notes table, band section).
    pub model: bool,
    /// Set every control from the scenario.
    pub controls: bool,
    /// Mark this key's field as refused (after the controls are set).
    pub invalid: Option<String>,
    /// The notes' parameter table (it shows the preset's values).
    pub notes: bool,
    /// Solve and redraw the results at the next animation frame.
    pub charts: bool,
    /// Draw the results now (charts, badge, indices, lesson, solver stats).
    pub results: bool,
    /// Write the URL shortly (debounced).
    pub url: bool,
    /// Write the URL now.
    pub url_now: bool,
    /// The problem and failure messages.
    pub messages: bool,
    /// Which view is shown.
    pub view: bool,
    /// The pinned runs' list and compare table.
    pub runs: bool,
    /// Write the URL now as a new history entry (a view was chosen).
    pub push_url: bool,
    /// The bands' status line.
    pub bands: bool,
    /// Start the bands' job.
    pub start_bands: bool,
    /// Carry out an export.
    pub export: Option<Export>,
    /// Copy the link.
    pub copy_link: bool,
    /// The data panel (its status, the residual summary).
    pub data: bool,
    /// Start a fit of the data.
    pub fit: bool,
}

/// Everything the page knows.
#[derive(Debug)]
pub struct App {
    /// The models.
    pub reg: &'static Registry,
    /// The current scenario.
    pub scenario: Scenario,
    /// Refused input, by key (shown until that key is set again): from a
    /// link or a file in `#error`, typed into a field beside that field.
    pub problems: Vec<Problem>,
    /// Keys of [`App::problems`] refused when typed into their field.
    pub typed: Vec<String>,
    /// The last sentence to announce (the latest refused field), for the
    /// page's live region.
    pub announce: Option<String>,
    /// Why the last solve (or drawing) failed, if it did.
    pub failure: Option<String>,
    /// The last good result.
    pub last: Option<Computed>,
    /// Log y axes.
    pub log_y: bool,
    /// The view shown.
    pub view: View,
    /// Embed mode (`embed=1`): the charts and only these parameters'
    /// controls; `None` for the full page.
    pub embed: Option<Vec<String>>,
    /// Pinned runs (at most [`crate::compare::MAX_RUNS`]), in order.
    pub runs: Vec<PinnedRun>,
    /// The cohort bands.
    pub bands: BandState,
    /// The patient's data, when loaded.
    pub data: Option<LoadedData>,
    /// Why the last data file was refused (shown in the data panel).
    pub data_error: Option<String>,
}

/// A patient's data on the page: as loaded, and bound to the model.
#[derive(Debug, Clone)]
pub struct LoadedData {
    /// The data and their CAR T unit.
    pub data: crate::data::PatientData,
    /// Bound to the current model and preset.
    pub observed: crate::data::Observed,
    /// Where they came from ("cr.csv", "the link").
    pub source: String,
}

/// Bind `data` to `scenario`'s model and preset.
fn bind_data(
    data: crate::data::PatientData,
    scenario: &Scenario,
    source: &str,
) -> Result<LoadedData, String> {
    let observed = data
        .bind(scenario.model, &scenario.preset)
        .map_err(|e| e.to_string())?;
    Ok(LoadedData {
        data,
        observed,
        source: source.to_string(),
    })
}

impl App {
    /// The page for a URL query (with its problems, if any).
    pub fn from_query(query: &str, reg: &'static Registry) -> App {
        let link = PageLink::parse(query);
        let (scenario, mut problems) = Scenario::from_query(&link.scenario, reg);
        if let Some(v) = &link.bad_view {
            let names: Vec<&str> = View::ALL.iter().map(|v| v.key()).collect();
            problems.push(Problem {
                key: "view".into(),
                message: format!(
                    "view '{v}' is unknown; allowed: {}; the simulator is shown",
                    names.join(", ")
                ),
            });
        }
        let embed = link.embed.then(|| {
            let model = scenario.model;
            let (known, unknown): (Vec<String>, Vec<String>) = link
                .controls
                .iter()
                .cloned()
                .partition(|c| model.params().iter().any(|p| p.name == c));
            for c in unknown {
                problems.push(Problem {
                    key: "controls".into(),
                    message: format!(
                        "controls: '{c}' is not a parameter of the {} model; it is left out",
                        model.id()
                    ),
                });
            }
            known
        });
        // The pinned runs of the link, each solved now (a bad one is named
        // and left out; past six, the first six are kept).
        let comparison =
            crate::compare::Comparison::from_queries(scenario.clone(), &link.runs, reg);
        problems.extend(comparison.problems.iter().cloned());
        let runs = comparison.runs[1..]
            .iter()
            .map(|r| PinnedRun {
                label: String::new(),
                edited: false,
                visible: true,
                result: compute(&r.scenario),
                scenario: r.scenario.clone(),
            })
            .collect();
        let data = link.data.as_deref().and_then(|text| {
            crate::data::PatientData::from_link(text, scenario.model)
                .map_err(|e| e.to_string())
                .and_then(|d| bind_data(d, &scenario, "the link"))
                .map_err(|e| {
                    problems.push(Problem {
                        key: crate::data::LINK_KEY.into(),
                        message: format!("data: {e}; the data were left out"),
                    })
                })
                .ok()
        });
        let mut app = App {
            reg,
            scenario,
            problems,
            data,
            data_error: None,
            embed,
            runs,
            typed: Vec::new(),
            announce: None,
            failure: None,
            last: None,
            log_y: true,
            view: link.view,
            bands: BandState::Idle,
        };
        relabel(&mut app);
        app
    }

    /// The current model.
    pub fn model(&self) -> ModelId {
        self.scenario.model
    }

    /// The horizon of the current scenario, days.
    pub fn t_end(&self) -> f64 {
        self.scenario
            .t_end
            .unwrap_or_else(|| self.model().default_t_end(&self.scenario.preset))
    }

    /// The pinned runs as a [`crate::compare::Comparison`] (run 1 as its
    /// base, the page's labels kept), for the compare exports.
    pub fn comparison(&self) -> Option<crate::compare::Comparison> {
        let first = self.runs.first()?;
        let mut c = crate::compare::Comparison::new(first.scenario.clone());
        for r in &self.runs[1..] {
            c.push(r.scenario.clone()).ok()?;
        }
        for (run, mine) in c.runs.iter_mut().zip(&self.runs) {
            run.label = mine.label.clone();
        }
        Some(c)
    }

    /// The scenario file of the page: the live scenario and the pinned runs
    /// (their queries, hand-typed labels and hidden flags).
    pub fn scenario_file(&self) -> String {
        let runs: Vec<crate::compare::file::FileRun> = self
            .runs
            .iter()
            .map(|r| crate::compare::file::FileRun {
                scenario: r.scenario.clone(),
                label: r.edited.then(|| r.label.clone()),
                visible: r.visible,
            })
            .collect();
        crate::compare::file::to_json_with_data(
            &self.scenario,
            &runs,
            self.data.as_ref().map(|d| &d.data),
        )
    }

    /// The link's `data` key (`&data=…`), empty without data or when they
    /// are too long for a link (the scenario file carries them).
    pub fn data_query(&self) -> String {
        self.data
            .as_ref()
            .map(|d| d.data.link_suffix(self.model()))
            .unwrap_or_default()
    }

    /// The link's `run` keys: each pinned run's own query against the live
    /// scenario's preset ([`crate::compare::run_query`]), percent-encoded.
    pub fn runs_query(&self) -> String {
        let mut q = form_urlencoded::Serializer::new(String::new());
        for r in &self.runs {
            q.append_pair(
                crate::compare::RUNS_KEY,
                &crate::compare::run_query(&r.scenario, &self.scenario),
            );
        }
        let q = q.finish();
        if q.is_empty() {
            q
        } else {
            format!("&{q}")
        }
    }

    /// The problems not tied to a field, and the failure, one sentence
    /// each (for `#error`; long numbers written compactly).
    pub fn messages(&self) -> Vec<String> {
        self.problems
            .iter()
            .filter(|p| !self.typed.contains(&p.key))
            .map(|p| compact_numbers(&p.message))
            .chain(self.failure.clone())
            .collect()
    }

    /// The refused typed values: (key, sentence), shown beside their field.
    pub fn field_messages(&self) -> Vec<(String, String)> {
        self.problems
            .iter()
            .filter(|p| self.typed.contains(&p.key))
            .map(|p| (p.key.clone(), p.message.clone()))
            .collect()
    }

    /// Forget the problem of `key` (it was set again).
    fn clear_problem(&mut self, key: &str) {
        self.problems.retain(|p| p.key != key);
        if self.typed.iter().any(|k| k == key) {
            self.typed.retain(|k| k != key);
            self.announce = None;
        }
    }

    /// Forget every problem.
    fn clear_problems(&mut self) {
        self.problems.clear();
        self.typed.clear();
        self.announce = None;
    }

    /// Base of export file names: `cartsim-<model>-<preset>`, then what
    /// differs from the preset (`-rTA2.5`, `-qpcr`), as the link has it
    /// (cut short with `-etc` past about 100 characters).
    pub fn base_name(&self) -> String {
        let s = &self.scenario;
        let mut name = format!("cartsim-{}-{}", s.model, s.preset);
        let query = s.to_query();
        for (k, v) in form_urlencoded::parse(query.as_bytes()) {
            if matches!(k.as_ref(), "v" | "model" | "preset") {
                continue;
            }
            let part = if v.parse::<f64>().is_ok() {
                format!("{k}{v}")
            } else {
                v.into_owned()
            };
            let part: String = part
                .chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() || "._+-".contains(c) {
                        c
                    } else {
                        '_'
                    }
                })
                .collect();
            if name.len() + part.len() > 100 {
                name.push_str("-etc");
                break;
            }
            name.push('-');
            name.push_str(&part);
        }
        name
    }
}

/// Every redraw that follows a change of the scenario.
fn changed() -> Redraw {
    Redraw {
        controls: true,
        messages: true,
        charts: true,
        url: true,
        ..Redraw::default()
    }
}

/// Apply `msg` to `app`; say what to redraw.
pub fn update(app: &mut App, msg: Msg) -> Redraw {
    match msg {
        Msg::SetValue { key, text } => set_value(app, &key, &text),
        Msg::Slider { name, value } => {
            let s = &mut app.scenario;
            if s.model.preset_value(&s.preset, &name) == Some(value) {
                s.values.remove(&name);
            } else {
                s.values.insert(name.clone(), value);
            }
            app.clear_problem(&name);
            changed()
        }
        Msg::SliderReleased => Redraw {
            url: true,
            ..Redraw::default()
        },
        Msg::Reset(name) => {
            app.scenario.values.remove(&name);
            app.clear_problem(&name);
            changed()
        }
        Msg::ResetAll => {
            app.scenario.values.clear();
            app.clear_problems();
            changed()
        }
        Msg::ChoosePreset(name) => {
            let old = &app.scenario;
            let mut s = Scenario::preset(old.model, &name);
            s.solver = old.solver;
            s.rtol = old.rtol;
            s.atol = old.atol;
            s.dt = old.dt;
            s.units = old.units.clone();
            app.scenario = s;
            app.clear_problems();
            rebind(app);
            let pinned = pin_preset_runs(app);
            Redraw {
                notes: true,
                runs: pinned,
                ..changed()
            }
        }
        Msg::ChooseModel(model) => {
            if model == app.model() || !app.reg.models().contains(&model) {
                return Redraw::default();
            }
            app.scenario = Scenario::first_preset(model);
            app.clear_problems();
            app.last = None;
            // Data name one model's columns.
            app.data = None;
            app.data_error = None;
            // A comparison stays within one model.
            app.runs.clear();
            Redraw {
                model: true,
                ..changed()
            }
        }
        Msg::Load(text) => {
            let file = crate::compare::file::from_json(&text, app.reg);
            let s = file.scenario;
            let model_changed = s.model != app.model();
            app.scenario = s;
            app.clear_problems();
            app.problems = file.problems;
            if model_changed {
                // The last result was another model's: nothing to fall back
                // on, and a comparison stays within one model.
                app.last = None;
                app.runs.clear();
            }
            // A file with runs replaces the pinned runs (one without keeps
            // them, as before runs were saved).
            let has_runs = file.runs.is_some();
            // A file with data replaces the data; one without keeps them
            // (when they still fit the model).
            if let Some(d) = file.data {
                app.data = bind_data(d, &app.scenario, "the scenario file").ok();
            } else {
                rebind(app);
            }
            if let Some(runs) = file.runs {
                app.runs = runs
                    .into_iter()
                    .map(|r| PinnedRun {
                        edited: r.label.is_some(),
                        label: r.label.unwrap_or_default(),
                        visible: r.visible,
                        result: compute(&r.scenario),
                        scenario: r.scenario,
                    })
                    .collect();
                relabel(app);
            }
            Redraw {
                model: model_changed,
                notes: true,
                runs: has_runs || model_changed,
                data: true,
                ..changed()
            }
        }
        Msg::SetLogY(on) => {
            app.log_y = on;
            Redraw {
                charts: true,
                ..Redraw::default()
            }
        }
        Msg::ShowView { view, push } => {
            if app.view == view {
                return Redraw::default();
            }
            app.view = view;
            Redraw {
                view: true,
                push_url: push,
                url_now: !push,
                // Hidden canvases were not drawn: draw them on the way back.
                charts: view == View::Sim,
                ..Redraw::default()
            }
        }
        Msg::Pin => {
            let Some(last) = app.last.as_ref().filter(|_| app.failure.is_none()) else {
                app.failure = Some(
                    "There is no current course to pin: change the settings until it solves."
                        .into(),
                );
                return Redraw {
                    messages: true,
                    ..Redraw::default()
                };
            };
            if app.runs.len() >= crate::compare::MAX_RUNS {
                app.problems.retain(|p| p.key != crate::compare::RUNS_KEY);
                app.problems.push(Problem {
                    key: crate::compare::RUNS_KEY.into(),
                    message: format!(
                        "At most {} runs can be pinned: remove one first.",
                        crate::compare::MAX_RUNS
                    ),
                });
                return Redraw {
                    messages: true,
                    ..Redraw::default()
                };
            }
            app.runs.push(PinnedRun {
                label: String::new(),
                edited: false,
                visible: true,
                scenario: last.scenario.clone(),
                result: Ok(last.clone()),
            });
            relabel(app);
            runs_changed()
        }
        Msg::Run { index, action } => {
            if index >= app.runs.len() {
                return Redraw::default();
            }
            match action {
                RunAction::Toggle => app.runs[index].visible = !app.runs[index].visible,
                RunAction::Remove => {
                    app.runs.remove(index);
                    app.problems.retain(|p| p.key != crate::compare::RUNS_KEY);
                }
                RunAction::Up if index > 0 => app.runs.swap(index, index - 1),
                RunAction::Down if index + 1 < app.runs.len() => app.runs.swap(index, index + 1),
                RunAction::Up | RunAction::Down => return Redraw::default(),
                RunAction::Load => {
                    app.scenario = app.runs[index].scenario.clone();
                    app.clear_problems();
                    return Redraw {
                        runs: true,
                        notes: true,
                        ..changed()
                    };
                }
                RunAction::Relabel(text) => {
                    let text: String = text.trim().chars().take(60).collect();
                    app.runs[index].edited = !text.is_empty();
                    app.runs[index].label = text;
                }
            }
            relabel(app);
            runs_changed()
        }
        Msg::FormChanged => Redraw {
            url: true,
            ..Redraw::default()
        },
        Msg::Resize => Redraw {
            charts: true,
            ..Redraw::default()
        },
        Msg::Frame => solve(app),
        Msg::WriteUrl => Redraw {
            url_now: true,
            ..Redraw::default()
        },
        Msg::StartBands => {
            if !matches!(app.bands, BandState::Idle) {
                return Redraw::default();
            }
            app.bands = BandState::Running { done: 0, total: 0 };
            Redraw {
                bands: true,
                start_bands: true,
                ..Redraw::default()
            }
        }
        Msg::BandsProgress { done, total } => {
            if !matches!(app.bands, BandState::Running { .. }) {
                return Redraw::default();
            }
            app.bands = BandState::Running { done, total };
            Redraw {
                bands: true,
                ..Redraw::default()
            }
        }
        Msg::BandsReady(result) => {
            let ready = result.is_ok();
            app.bands = match result {
                Ok(set) => BandState::Ready(Box::new(set)),
                Err(e) => BandState::Failed(e),
            };
            Redraw {
                bands: true,
                charts: ready,
                ..Redraw::default()
            }
        }
        Msg::Export(what) => Redraw {
            export: Some(what),
            ..Redraw::default()
        },
        Msg::CopyLink => Redraw {
            copy_link: true,
            ..Redraw::default()
        },
        Msg::Notice { key, message } => {
            app.clear_problem(&key);
            app.problems.push(Problem { key, message });
            Redraw {
                messages: true,
                ..Redraw::default()
            }
        }
        Msg::DrawFailed(e) => {
            app.failure = Some(e);
            Redraw {
                messages: true,
                ..Redraw::default()
            }
        }
        Msg::LoadData { text, unit, source } => {
            let loaded = crate::data::PatientData::parse(&text, &unit, app.model())
                .map_err(|e| e.to_string())
                .and_then(|d| bind_data(d, &app.scenario, &source));
            match loaded {
                Ok(d) => {
                    app.data = Some(d);
                    app.data_error = None;
                    app.clear_problem(crate::data::LINK_KEY);
                    Redraw {
                        data: true,
                        charts: true,
                        url: true,
                        messages: true,
                        ..Redraw::default()
                    }
                }
                Err(e) => {
                    app.data_error = Some(format!("{source}: {e}. Nothing was changed."));
                    Redraw {
                        data: true,
                        ..Redraw::default()
                    }
                }
            }
        }
        Msg::ClearData => {
            app.data = None;
            app.data_error = None;
            Redraw {
                data: true,
                charts: true,
                url: true,
                ..Redraw::default()
            }
        }
        Msg::DataUnit(unit) => match app.data.clone() {
            Some(d) => update(
                app,
                Msg::LoadData {
                    text: d.data.dataset.to_csv(&[]),
                    unit,
                    source: d.source,
                },
            ),
            None => Redraw::default(),
        },
        Msg::DataRefused(e) => {
            app.data_error = Some(e);
            Redraw {
                data: true,
                ..Redraw::default()
            }
        }
        Msg::Fit => Redraw {
            fit: true,
            ..Redraw::default()
        },
        Msg::ApplyFit(values) => apply_fit(app, &values),
    }
}

/// Bind the data again after the scenario changed; data the model can no
/// longer take are removed, with the reason.
fn rebind(app: &mut App) {
    if let Some(d) = app.data.take() {
        match bind_data(d.data, &app.scenario, &d.source) {
            Ok(d) => app.data = Some(d),
            Err(e) => app.data_error = Some(format!("The data were removed: {e}")),
        }
    }
}

/// Put fitted `values` into the live scenario; pin the course before (as
/// "before the fit") and after ("fitted") when there is room for two runs.
fn apply_fit(app: &mut App, values: &[(String, f64)]) -> Redraw {
    let before = app.scenario.clone();
    let mut after = before.clone();
    for (k, v) in values {
        let Some(spec) = app.model().spec(k) else {
            continue;
        };
        if !(v.is_finite() && *v >= spec.min && *v <= spec.max) {
            continue;
        }
        if app.model().preset_value(&after.preset, k) == Some(*v) {
            after.values.remove(k);
        } else {
            after.values.insert(k.clone(), *v);
        }
    }
    app.scenario = after.clone();
    app.clear_problems();
    if app.runs.len() + 2 <= crate::compare::MAX_RUNS {
        for (scenario, label) in [(before, "before the fit"), (after, "fitted")] {
            app.runs.push(PinnedRun {
                label: label.into(),
                edited: true,
                visible: true,
                result: compute(&scenario),
                scenario,
            });
        }
        relabel(app);
    } else {
        app.problems.push(Problem {
            key: crate::compare::RUNS_KEY.into(),
            message: format!(
                "The fitted values are in the controls; the courses before and after were not \
                 pinned: at most {} runs can be pinned.",
                crate::compare::MAX_RUNS
            ),
        });
    }
    Redraw {
        controls: true,
        runs: true,
        data: true,
        ..changed()
    }
}

/// Apply `key=text` as the URL decoder would: on success the scenario
/// changes; on failure the problem (naming the key and the allowed range)
/// is shown and the value stays as it was.
fn set_value(app: &mut App, key: &str, text: &str) -> Redraw {
    let mut pairs: Vec<(String, String)> =
        form_urlencoded::parse(app.scenario.to_query().as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .filter(|(k, _)| k != key)
            .collect();
    pairs.push((key.to_string(), text.to_string()));
    let query = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(&pairs)
        .finish();
    let (s, problems) = Scenario::from_query(&query, app.reg);
    app.clear_problem(key);
    if problems.is_empty() {
        app.scenario = s;
        app.announce = None;
        changed()
    } else {
        let codec = problems
            .iter()
            .find(|p| p.key == key)
            .or(problems.first())
            .map_or(String::new(), |p| p.message.clone());
        let message = refused(app, key, text, &codec);
        app.problems.push(Problem {
            key: key.to_string(),
            message: message.clone(),
        });
        app.typed.push(key.to_string());
        app.announce = Some(message);
        Redraw {
            controls: true,
            messages: true,
            invalid: Some(key.to_string()),
            ..Redraw::default()
        }
    }
}

/// The value of `key` in scenario `s` (parameters, settings, solver
/// numbers and the horizon).
fn current(s: &Scenario, key: &str) -> Option<f64> {
    match key {
        "rtol" => Some(s.rtol),
        "atol" => Some(s.atol),
        "dt" => Some(s.dt),
        "t_end" => Some(s.t_end.unwrap_or_else(|| s.model.default_t_end(&s.preset))),
        _ => s.value(key),
    }
}

/// The sentence for a refused typed value: what was wrong with it, what
/// is allowed, and which value is still in use (the one the field shows
/// again): the person's previous value, or the scenario's own.
fn refused(app: &App, key: &str, text: &str, codec: &str) -> String {
    let typed = text.trim();
    let quoted: String = if typed.chars().count() > 24 {
        typed.chars().take(24).chain(['…']).collect()
    } else {
        typed.to_string()
    };
    let reason = match (app.model().spec(key), typed.parse::<f64>()) {
        (Some(spec), Ok(v)) if v.is_finite() => format!(
            "{} is out of range (allowed: {} to {} {})",
            compact(v),
            compact(spec.min),
            compact(spec.max),
            spec.unit
        ),
        (Some(spec), _) => format!(
            "'{quoted}' is not a number (allowed: {} to {} {})",
            compact(spec.min),
            compact(spec.max),
            spec.unit
        ),
        (None, _) => compact_numbers(codec),
    };
    let s = &app.scenario;
    let base = Scenario::preset(s.model, &s.preset);
    let in_use = match (current(s, key), current(&base, key)) {
        (Some(now), Some(own)) if now == own => {
            format!(" Still using {}, the scenario's value.", compact(now))
        }
        (Some(now), _) => format!(" Still using {}, your previous value.", compact(now)),
        (None, _) => String::new(),
    };
    if reason.starts_with(key) {
        format!("{reason}.{in_use}")
    } else {
        format!("{key}: {reason}.{in_use}")
    }
}

/// Output step: about [`CHART_ROWS`] rows, dividing [`ALIGN_DAYS`] when the
/// horizon reaches it.
pub fn output_step(t_end: f64) -> f64 {
    let dt = t_end / CHART_ROWS;
    if t_end >= ALIGN_DAYS {
        ALIGN_DAYS / (ALIGN_DAYS / dt).ceil()
    } else {
        dt
    }
}

/// Solve the current scenario: one course (table and metrics from one
/// solve). A failure keeps the last good result, to be shown "not current".
/// After the runs changed: their list, the charts and the link.
fn runs_changed() -> Redraw {
    Redraw {
        runs: true,
        charts: true,
        url: true,
        messages: true,
        ..Redraw::default()
    }
}

/// Label every pinned run not labelled by hand: the first by its preset
/// and what differs from it ([`crate::compare::base_label`]), the others
/// by what differs from the first ([`crate::compare::label`]).
fn relabel(app: &mut App) {
    let Some(first) = app.runs.first().map(|r| r.scenario.clone()) else {
        return;
    };
    for (i, run) in app.runs.iter_mut().enumerate() {
        if run.edited {
            continue;
        }
        run.label = if i == 0 {
            crate::compare::base_label(&first)
        } else {
            match crate::compare::label(&run.scenario, &first).as_str() {
                "base" => "as run 1".to_string(),
                diff => diff.to_string(),
            }
        };
    }
}

/// When the scenario's preset is a comparison preset
/// ([`crate::model::Model::preset_runs`]), pin its runs in place of any
/// pinned before (each solved now); say whether it did.
fn pin_preset_runs(app: &mut App) -> bool {
    if app.model().preset_runs(&app.scenario.preset).is_empty() {
        return false;
    }
    let none: [&str; 0] = [];
    let c = crate::compare::Comparison::from_preset(app.scenario.clone(), &none, app.reg);
    app.problems.extend(c.problems.iter().cloned());
    app.runs = c
        .runs
        .iter()
        .map(|r| PinnedRun {
            label: String::new(),
            edited: false,
            visible: true,
            result: compute(&r.scenario),
            scenario: r.scenario.clone(),
        })
        .collect();
    relabel(app);
    true
}

/// Solve `scenario` as the live course is solved (same sampling).
fn compute(scenario: &Scenario) -> Result<Computed, String> {
    let t_end = scenario
        .t_end
        .unwrap_or_else(|| scenario.model.default_t_end(&scenario.preset));
    let req = scenario.to_request(Sampling::Every(output_step(t_end)));
    scenario
        .model
        .course(&req)
        .map(|course| Computed {
            scenario: scenario.clone(),
            course,
            t_end,
        })
        .map_err(|e| compact_numbers(&e.to_string()))
}

fn solve(app: &mut App) -> Redraw {
    match compute(&app.scenario) {
        Ok(c) => {
            app.failure = None;
            app.last = Some(c);
        }
        Err(e) => {
            app.failure = Some(if app.last.is_some() {
                format!(
                    "The simulation failed: {e}. The charts show the last good result, which is not current."
                )
            } else {
                format!("The simulation failed: {e}. There is no earlier result to show.")
            });
        }
    }
    Redraw {
        results: true,
        messages: true,
        ..Redraw::default()
    }
}

/// True when the model can be shown in more than one unit system: the
/// units menu is offered only then.
pub fn units_apply(model: ModelId) -> bool {
    model.display_units().len() > 1
}
