//! The Web Worker side of [`super::jobs`]: receive a slice (a
//! [`Task`] as JSON, plus prior-bank bytes when needed),
//! run it with [`crate::jobs::execute`], post progress (at most ten times a
//! second) and the result bytes (transferred, not copied), or the error as
//! text. Messages are plain data: `{kind, done, total, message, bytes}`.
//! What a worker keeps between slices (the prior bank) is owned by its
//! message handler.

use super::dom;
use crate::jobs::{self, JobError, Task, WorkerState};
use js_sys::{Array, Object, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

fn scope() -> Option<DedicatedWorkerGlobalScope> {
    js_sys::global()
        .dyn_into::<DedicatedWorkerGlobalScope>()
        .ok()
}

/// A plain message `{kind, ...fields}`.
fn message(kind: &str, fields: &[(&str, JsValue)]) -> Object {
    let o = Object::new();
    let _ = Reflect::set(&o, &"kind".into(), &kind.into());
    for (k, v) in fields {
        let _ = Reflect::set(&o, &(*k).into(), v);
    }
    o
}

fn post(scope: &DedicatedWorkerGlobalScope, msg: &Object) {
    let _ = scope.post_message(msg);
}

/// Start the worker: install the panic hook and the message handler, then
/// tell the page it is ready.
pub fn start() {
    console_error_panic_hook::set_once();
    dom::expose_memory();
    let Some(scope) = scope() else {
        web_sys::console::error_1(
            &"cartsim: the job side must run in a dedicated Web Worker".into(),
        );
        return;
    };
    let mut state = WorkerState::default();
    let handler = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
        if let Some(scope) = self::scope() {
            handle(&scope, &ev.data(), &mut state);
        }
    });
    scope.set_onmessage(Some(handler.as_ref().unchecked_ref()));
    handler.forget();
    post(&scope, &message("ready", &[]));
}

fn handle(scope: &DedicatedWorkerGlobalScope, data: &JsValue, state: &mut WorkerState) {
    let result = run(scope, data, state);
    match result {
        Ok(bytes) => {
            let arr = Uint8Array::from(bytes.as_slice());
            let transfer = Array::of1(&arr.buffer());
            let msg = message("done", &[("bytes", arr.into())]);
            if scope.post_message_with_transfer(&msg, &transfer).is_err() {
                post(
                    scope,
                    &message("error", &[("message", "could not send the result".into())]),
                );
            }
        }
        // The typed error travels as its kind and its sentence.
        Err(e) => {
            let kind = serde_json::to_value(&e)
                .ok()
                .and_then(|v| v.get("kind").and_then(|k| k.as_str().map(String::from)))
                .unwrap_or_default();
            post(
                scope,
                &message(
                    "error",
                    &[("message", e.to_string().into()), ("kind", kind.into())],
                ),
            )
        }
    }
}

fn run(
    scope: &DedicatedWorkerGlobalScope,
    data: &JsValue,
    state: &mut WorkerState,
) -> Result<Vec<u8>, JobError> {
    let text = Reflect::get(data, &"task".into())
        .ok()
        .and_then(|t| t.as_string())
        .ok_or_else(|| JobError::Internal("a job message without a task".into()))?;
    let task: Task =
        serde_json::from_str(&text).map_err(|e| JobError::Internal(format!("bad task: {e}")))?;
    let parts: Vec<Vec<u8>> = match Reflect::get(data, &"parts".into()) {
        Ok(v) if Array::is_array(&v) => Array::from(&v)
            .iter()
            .map(|p| Uint8Array::new(&p).to_vec())
            .collect(),
        _ => Vec::new(),
    };
    let refs: Vec<&[u8]> = parts.iter().map(Vec::as_slice).collect();
    // The worker's clock is `Date.now()`, read directly: `dom::now_ms` asks
    // for the window first, and in a worker that test throws inside the
    // bindings and is caught, which took a third of a 200 × 200 heat map's
    // time (the progress closure runs once per grid point).
    let mut last = js_sys::Date::now();
    let mut progress = |done: usize, total: usize| {
        let t = js_sys::Date::now();
        if t - last >= 100.0 && done < total {
            last = t;
            post(
                scope,
                &message(
                    "progress",
                    &[
                        ("done", (done as f64).into()),
                        ("total", (total as f64).into()),
                    ],
                ),
            );
        }
    };
    jobs::execute(&task, state, &refs, &mut progress)
}
