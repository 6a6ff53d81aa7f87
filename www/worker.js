// Starts a job worker (src/web/jobs.rs spawns it as a module worker;
// src/web/worker.rs is its side). The worker runs the page's own module:
// its hashed file names come in this script's query (`?js=…&wasm=…`, the
// names the page itself was started from), and the module's entry point
// (src/web/mod.rs `main`) starts the worker side when there is no window.
// One module for the page and its workers: the science is downloaded and
// compiled once. Copied to dist/ by index.html.
// The page posts its own compiled WebAssembly.Module as the first message
// (src/web/jobs.rs `spawn`): the worker then neither downloads nor compiles
// the module again. Without one (null: a browser that cannot send it) the
// module is fetched by its URL. The listener is added before the first
// await, so that message cannot arrive unheard.
const first = new Promise((resolve) =>
  self.addEventListener("message", (e) => resolve(e.data), { once: true }),
);
const query = new URL(self.location.href).searchParams;
const file = (key) => {
  const name = query.get(key) || "";
  // Only a file of this folder, as the page names them ("./name").
  if (!/^\.\/[\w.-]+$/.test(name)) throw new Error(`cartsim worker: bad ${key} file name`);
  return name;
};
const { default: init } = await import(file("js"));
const module = await first;
await init({ module_or_path: module instanceof WebAssembly.Module ? module : file("wasm") });
