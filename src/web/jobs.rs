//! A pool of Web Workers that runs jobs split into slices, on the page's
//! main thread only as a dispatcher: it posts slices (plain data) to idle
//! workers, shows progress per worker and overall, and hands each result
//! (bytes) to the job. Cancel terminates every worker at once; the next
//! job spawns fresh ones. One job runs at a time; starting another cancels
//! the one running.
//!
//! Prior banks (for the Bayesian prediction) are built by the workers in
//! slices, kept here as opaque byte arrays (never decoded on the main
//! thread) and sent once to each worker that needs them.
//!
//! The job panels share the page's pool ([`pool`]); a background job that
//! must not be cancelled by them (the simulator's cohort bands) runs in a
//! pool of its own that closes its workers when done ([`Pool::oneshot`]).

use super::dom;
use crate::jobs::{BankSpec, Task};
use js_sys::{Array, Object, Reflect, Uint8Array};
use std::cell::RefCell;
use std::collections::{BTreeMap, VecDeque};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{ErrorEvent, MessageEvent, Worker, WorkerOptions, WorkerType};

/// The workers' loader script (`www/worker.js`, copied by `index.html`).
pub const WORKER_URL: &str = "./worker.js";

/// The loader's URL for a module worker that starts the page's own module:
/// `./worker.js?js=…&wasm=…`, the hashed file names the page was started
/// from (the `data-js` / `data-wasm` of the boot script's tag, written by
/// Trunk), so a worker never runs another build's module.
fn worker_url() -> Result<String, String> {
    let tag = dom::by_id("cartsim-boot")?;
    let file = |name: &str| {
        tag.get_attribute(name)
            .filter(|v| !v.is_empty())
            .ok_or_else(|| format!("the page's boot tag has no {name}"))
    };
    let query: String = form_urlencoded::Serializer::new(String::new())
        .append_pair("js", &file("data-js")?)
        .append_pair("wasm", &file("data-wasm")?)
        .finish();
    Ok(format!("{WORKER_URL}?{query}"))
}
/// Most workers spawned, whatever the machine says.
pub const MAX_WORKERS: usize = 8;

/// One slice to run: the task, its share of the job's work (for the
/// overall progress bar) and a label for the per-worker display.
#[derive(Debug, Clone)]
pub struct Slice {
    /// What to do.
    pub task: Task,
    /// Relative cost (any unit, summed over the job).
    pub weight: f64,
    /// Short label, e.g. "bank 500–999".
    pub label: String,
}

/// Wire a job panel's form `{p}-form` (submitting it calls `run`; an error
/// is shown in the panel's status) and its `{p}-cancel` button (stops the
/// running job).
pub fn wire_form(
    p: &'static str,
    mut run: impl FnMut() -> Result<(), String> + 'static,
) -> Result<(), String> {
    dom::on_id(&format!("{p}-form"), "submit", move |ev| {
        ev.prevent_default();
        if let Err(e) = run() {
            View::new(p).error(&e);
        }
    })?;
    dom::on_id(&format!("{p}-cancel"), "click", |_| pool().cancel())
}

/// Results of a job's slices, kept by each slice's first index and handed
/// back in that order, whatever order the workers finished them in.
pub struct InOrder<T>(BTreeMap<usize, Vec<T>>);

impl<T> Default for InOrder<T> {
    fn default() -> Self {
        InOrder(BTreeMap::new())
    }
}

impl<T> InOrder<T> {
    /// Keep the results of the slice starting at `start`.
    pub fn insert(&mut self, start: usize, items: Vec<T>) {
        self.0.insert(start, items);
    }

    /// Every result so far, in slice order (the collector is left empty).
    pub fn take(&mut self) -> Vec<T> {
        std::mem::take(&mut self.0)
            .into_values()
            .flatten()
            .collect()
    }
}

/// What a job asks for after a slice finished.
#[derive(Default)]
pub struct Next {
    /// More slices, run before those already queued.
    pub slices: Vec<Slice>,
    /// A complete prior bank (its slices, in order) for later tasks.
    pub bank: Option<(BankSpec, Array)>,
    /// Extra work to add to the job's total (for slices added later).
    pub more_weight: f64,
}

/// The logic of one job: it receives results and decides what follows.
pub trait Job {
    /// Slice `task` finished with `bytes` (also given as the JS array).
    fn finished(&mut self, task: &Task, bytes: Vec<u8>, raw: Uint8Array) -> Result<Next, String>;
    /// Every slice finished: show the result.
    fn complete(&mut self, seconds: f64) -> Result<(), String>;
    /// The job was stopped before completing (cancelled, or failed), for
    /// the reason given. Panels need not care: their view says so.
    fn stopped(&mut self, _why: &str) {}
}

/// Ids of the elements a job reports to: `{p}-progress` (a `<progress>`),
/// `{p}-status` (text; `data-state` running/done/cancelled/error and
/// `data-seconds` when done), `{p}-workers` (a list, one line per worker),
/// `{p}-cancel` (enabled while running), `{p}-run` (disabled while running).
#[derive(Debug, Clone)]
pub struct View {
    /// Prefix of the ids (empty: the job reports nowhere).
    prefix: &'static str,
}

impl View {
    /// The elements `{prefix}-…`.
    pub fn new(prefix: &'static str) -> View {
        View { prefix }
    }
    /// A view that shows nothing: the job reports its progress itself.
    pub fn silent() -> View {
        View { prefix: "" }
    }
    fn el(&self, s: &str) -> Option<web_sys::Element> {
        if self.prefix.is_empty() {
            return None;
        }
        dom::by_id(&format!("{}-{s}", self.prefix)).ok()
    }
    fn status(&self, state: &str, text: &str) {
        if let Some(el) = self.el("status") {
            el.set_text_content(Some(text));
            dom::attr(&el, "data-state", state);
        }
        if let Some(b) = self.el("cancel") {
            dom::set_disabled(&b, state != "running");
        }
        if let Some(b) = self.el("run") {
            dom::set_disabled(&b, state == "running");
        }
    }
    fn bar(&self, fraction: f64) {
        if let Some(el) = self.el("progress") {
            dom::attr(&el, "value", &format!("{:.4}", fraction.clamp(0.0, 1.0)));
            dom::attr(&el, "max", "1");
        }
    }
    fn workers(&self, lines: &[String]) {
        if let Some(ul) = self.el("workers") {
            dom::clear(&ul);
            for l in lines {
                let _ = dom::append_text(&ul, "li", l);
            }
        }
    }
    /// Report an error in the status line (as text).
    pub fn error(&self, msg: &str) {
        if let Some(el) = self.el("status") {
            el.set_text_content(Some(&format!("Error: {msg}")));
            dom::attr(&el, "data-state", "error");
        }
    }
}

struct Slot {
    worker: Worker,
    ready: bool,
    /// Terminated by [`Pool::close`].
    closed: bool,
    current: Option<(Slice, f64)>,
    bank: Option<BankSpec>,
    _onmessage: Closure<dyn FnMut(MessageEvent)>,
    _onerror: Closure<dyn FnMut(ErrorEvent)>,
}

struct Running {
    job: Box<dyn Job>,
    view: View,
    queue: VecDeque<Slice>,
    total_weight: f64,
    done_weight: f64,
    started: f64,
}

#[derive(Default)]
struct Inner {
    slots: Vec<Slot>,
    running: Option<Running>,
    bank: Option<(BankSpec, Array)>,
    generation: u32,
    /// Close the workers when the job ends ([`Pool::oneshot`]).
    oneshot: bool,
    /// Closing: workers still loading are terminated when they are ready.
    closing: bool,
}

/// The page's worker pool (cheap to clone: a shared handle).
#[derive(Clone, Default)]
pub struct Pool {
    inner: Rc<RefCell<Inner>>,
}

thread_local! {
    static POOL: Pool = Pool::default();
}

/// The page's single pool.
pub fn pool() -> Pool {
    POOL.with(Pool::clone)
}

/// Workers to use: `navigator.hardwareConcurrency`, between 1 and [`MAX_WORKERS`].
pub fn worker_count() -> usize {
    let n = web_sys::window()
        .map(|w| w.navigator().hardware_concurrency())
        .unwrap_or(1.0);
    (n as usize).clamp(1, MAX_WORKERS)
}

impl Pool {
    /// A pool of its own for one job: its workers are closed when the job
    /// completes or stops.
    pub fn oneshot() -> Pool {
        let pool = Pool::default();
        pool.inner.borrow_mut().oneshot = true;
        pool
    }

    /// Close the workers: those loaded now, those still loading as soon as
    /// they are ready (terminating a worker mid-load would abort its script
    /// and module requests). A running job goes on with the workers left.
    pub fn close(&self) {
        let mut inner = self.inner.borrow_mut();
        inner.closing = true;
        for s in inner.slots.iter_mut() {
            if s.ready && s.current.is_none() && !s.closed {
                s.worker.terminate();
                s.closed = true;
            }
        }
        drop(inner);
        self.release_closed();
    }

    /// Once every worker is closed, drop their slots (and the message
    /// handlers that refer back to the pool), in a later task: a handler
    /// may be running now.
    fn release_closed(&self) {
        let all = {
            let inner = self.inner.borrow();
            inner.closing && inner.slots.iter().all(|s| s.closed)
        };
        if all {
            let pool = self.clone();
            dom::later(move || {
                let mut inner = pool.inner.borrow_mut();
                if inner.slots.iter().all(|s| s.closed) {
                    for s in &inner.slots {
                        s.worker.set_onmessage(None);
                        s.worker.set_onerror(None);
                    }
                    inner.slots.clear();
                }
            });
        }
    }

    /// True when a bank for `spec` is held (built by an earlier job).
    pub fn has_bank(&self, spec: &BankSpec) -> bool {
        self.inner
            .borrow()
            .bank
            .as_ref()
            .is_some_and(|(s, _)| s.same(spec))
    }

    /// True while a job runs.
    pub fn busy(&self) -> bool {
        self.inner.borrow().running.is_some()
    }

    /// Start `job` with its first `slices`, reporting to `view`. A job
    /// already running is cancelled first.
    pub fn start(&self, view: View, slices: Vec<Slice>, job: Box<dyn Job>) {
        self.cancel_with("cancelled: another job started");
        let mut inner = self.inner.borrow_mut();
        inner.generation += 1;
        let generation = inner.generation;
        let total_weight = slices.iter().map(|s| s.weight).sum();
        view.status("running", "Starting workers…");
        view.bar(0.0);
        inner.running = Some(Running {
            job,
            view,
            queue: slices.into(),
            total_weight,
            done_weight: 0.0,
            started: dom::now_ms(),
        });
        if inner.slots.is_empty() {
            for k in 0..worker_count() {
                match self.spawn(k, generation) {
                    Ok(slot) => inner.slots.push(slot),
                    Err(e) => {
                        drop(inner);
                        self.fail(&format!("could not start a Web Worker: {e}"));
                        return;
                    }
                }
            }
        }
        drop(inner);
        self.pump();
    }

    /// Stop the running job now: terminate every worker (new ones are
    /// spawned by the next job).
    pub fn cancel(&self) {
        self.cancel_with("Cancelled.");
    }

    fn cancel_with(&self, text: &str) {
        let mut inner = self.inner.borrow_mut();
        for s in inner.slots.drain(..) {
            s.worker.terminate();
        }
        let stopped = inner.running.take();
        drop(inner);
        if let Some(mut r) = stopped {
            r.view.status("cancelled", text);
            r.view.workers(&[]);
            r.job.stopped(text);
        }
    }

    fn spawn(&self, index: usize, generation: u32) -> Result<Slot, String> {
        let options = WorkerOptions::new();
        options.set_type(WorkerType::Module);
        let worker =
            Worker::new_with_options(&worker_url()?, &options).map_err(|e| dom::js_text(&e))?;
        // The page's compiled module first (`www/worker.js` waits for it):
        // the worker starts without downloading or compiling it again
        // (issue 19). A browser that cannot send a module gets null, and
        // the worker fetches the module by its URL.
        if worker.post_message(&wasm_bindgen::module()).is_err() {
            worker
                .post_message(&JsValue::NULL)
                .map_err(|e| dom::js_text(&e))?;
        }
        let pool = self.clone();
        let onmessage = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
            pool.on_message(index, generation, &ev.data());
        });
        let pool = self.clone();
        let onerror = Closure::<dyn FnMut(ErrorEvent)>::new(move |ev: ErrorEvent| {
            ev.prevent_default();
            if pool.inner.borrow().generation == generation {
                pool.fail(&format!("worker {} failed: {}", index + 1, ev.message()));
            }
        });
        worker.set_onmessage(Some(onmessage.as_ref().unchecked_ref()));
        worker.set_onerror(Some(onerror.as_ref().unchecked_ref()));
        Ok(Slot {
            worker,
            ready: false,
            closed: false,
            current: None,
            bank: None,
            _onmessage: onmessage,
            _onerror: onerror,
        })
    }

    fn fail(&self, msg: &str) {
        let mut inner = self.inner.borrow_mut();
        for s in inner.slots.drain(..) {
            s.worker.terminate();
        }
        let stopped = inner.running.take();
        drop(inner);
        if let Some(mut r) = stopped {
            r.view.status("error", &format!("Error: {msg}"));
            r.job.stopped(msg);
        }
        web_sys::console::error_1(&msg.into());
    }

    fn on_message(&self, index: usize, generation: u32, data: &JsValue) {
        if self.inner.borrow().generation != generation {
            return; // a message from a terminated job's worker
        }
        let kind = Reflect::get(data, &"kind".into())
            .ok()
            .and_then(|k| k.as_string())
            .unwrap_or_default();
        let num = |k: &str| {
            Reflect::get(data, &k.into())
                .ok()
                .and_then(|v| v.as_f64())
                .unwrap_or(0.0)
        };
        match kind.as_str() {
            "ready" => {
                let closing = {
                    let mut inner = self.inner.borrow_mut();
                    let closing = inner.closing;
                    if let Some(s) = inner.slots.get_mut(index) {
                        s.ready = true;
                        if closing && !s.closed {
                            s.worker.terminate();
                            s.closed = true;
                        }
                    }
                    closing
                };
                if closing {
                    self.release_closed();
                } else {
                    self.pump();
                }
            }
            "progress" => {
                let (done, total) = (num("done"), num("total"));
                if let Some(s) = self.inner.borrow_mut().slots.get_mut(index) {
                    if let Some(cur) = s.current.as_mut() {
                        cur.1 = if total > 0.0 { done / total } else { 0.0 };
                    }
                }
                self.show();
            }
            "done" => {
                let raw = Reflect::get(data, &"bytes".into())
                    .ok()
                    .map(|b| Uint8Array::new(&b))
                    .unwrap_or_else(|| Uint8Array::new_with_length(0));
                self.finished(index, raw);
            }
            "error" => {
                let msg = Reflect::get(data, &"message".into())
                    .ok()
                    .and_then(|m| m.as_string())
                    .unwrap_or_else(|| "unknown error".into());
                self.fail(&format!("worker {}: {msg}", index + 1));
            }
            other => self.fail(&format!(
                "worker {}: unexpected message '{other}'",
                index + 1
            )),
        }
    }

    fn finished(&self, index: usize, raw: Uint8Array) {
        let mut inner = self.inner.borrow_mut();
        let Some(slice) = inner
            .slots
            .get_mut(index)
            .and_then(|s| s.current.take())
            .map(|c| c.0)
        else {
            return;
        };
        let Some(run) = inner.running.as_mut() else {
            return;
        };
        run.done_weight += slice.weight;
        let bytes = raw.to_vec();
        let outcome = run.job.finished(&slice.task, bytes, raw);
        match outcome {
            Err(e) => {
                drop(inner);
                self.fail(&e);
                return;
            }
            Ok(next) => {
                run.total_weight += next.more_weight;
                for s in next.slices.into_iter().rev() {
                    run.queue.push_front(s);
                }
                if let Some(b) = next.bank {
                    inner.bank = Some(b);
                }
            }
        }
        let all_done = inner.running.as_ref().is_some_and(|r| r.queue.is_empty())
            && inner.slots.iter().all(|s| s.current.is_none());
        if all_done {
            let mut run = inner.running.take().expect("running job");
            let oneshot = inner.oneshot;
            drop(inner);
            let secs = (dom::now_ms() - run.started) / 1000.0;
            run.view.bar(1.0);
            run.view.workers(&[]);
            match run.job.complete(secs) {
                Ok(()) => {
                    run.view.status("done", &format!("Done in {secs:.2} s."));
                    if let Some(el) = run.view.el("status") {
                        dom::attr(&el, "data-seconds", &format!("{secs:.3}"));
                    }
                }
                Err(e) => run.view.status("error", &format!("Error: {e}")),
            }
            if oneshot {
                self.close();
            }
            return;
        }
        drop(inner);
        self.pump();
    }

    /// Give queued slices to idle, ready workers.
    fn pump(&self) {
        if self.dispatch() {
            self.show();
        }
    }

    /// Post queued slices; false when nothing runs (or dispatch failed).
    fn dispatch(&self) -> bool {
        let mut guard = self.inner.borrow_mut();
        let inner = &mut *guard;
        let Some(run) = inner.running.as_mut() else {
            return false;
        };
        for slot in inner.slots.iter_mut() {
            if !slot.ready || slot.current.is_some() {
                continue;
            }
            let Some(slice) = run.queue.pop_front() else {
                break;
            };
            let msg = Object::new();
            let text = match serde_json::to_string(&slice.task) {
                Ok(t) => t,
                Err(e) => {
                    run.view.status("error", &format!("Error: {e}"));
                    return false;
                }
            };
            let _ = Reflect::set(&msg, &"task".into(), &text.into());
            if let Some(spec) = slice.task.needs_bank() {
                if !slot.bank.as_ref().is_some_and(|b| b.same(&spec)) {
                    match inner.bank.as_ref() {
                        Some((s, parts)) if s.same(&spec) => {
                            let _ = Reflect::set(&msg, &"parts".into(), parts);
                            slot.bank = Some(spec);
                        }
                        _ => {
                            run.view
                                .status("error", "Error: internal: the prior bank is missing");
                            return false;
                        }
                    }
                }
            }
            if let Err(e) = slot.worker.post_message(&msg) {
                run.view
                    .status("error", &format!("Error: {}", dom::js_text(&e)));
                return false;
            }
            slot.current = Some((slice, 0.0));
        }
        true
    }

    fn show(&self) {
        let inner = self.inner.borrow();
        let Some(run) = inner.running.as_ref() else {
            return;
        };
        let mut partial = 0.0;
        let mut lines = Vec::new();
        for (k, s) in inner.slots.iter().enumerate() {
            let line = match (&s.current, s.ready) {
                (_, false) => format!("worker {}: loading", k + 1),
                (None, true) => format!("worker {}: idle", k + 1),
                (Some((slice, f)), true) => {
                    partial += slice.weight * f;
                    format!("worker {}: {} — {:.0}%", k + 1, slice.label, 100.0 * f)
                }
            };
            lines.push(line);
        }
        let frac = if run.total_weight > 0.0 {
            (run.done_weight + partial) / run.total_weight
        } else {
            0.0
        };
        run.view.bar(frac);
        run.view.workers(&lines);
        let secs = (dom::now_ms() - run.started) / 1000.0;
        run.view.status(
            "running",
            &format!(
                "Running: {:.0}% ({} workers, {} slices queued, {secs:.1} s)",
                100.0 * frac,
                inner.slots.len(),
                run.queue.len()
            ),
        );
    }
}
