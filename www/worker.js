// Starts a job worker (src/web/worker.rs). Trunk builds the worker's
// module for a classic worker (`cartsim-worker.js` defines the global
// `wasm_bindgen`); this loader starts it with the current form of
// wasm-bindgen's initialisation, one options object, so the browser
// console shows no deprecation warning. Copied to dist/ by index.html.
importScripts("./cartsim-worker.js");
wasm_bindgen({ module_or_path: "./cartsim-worker_bg.wasm" });
