// Loads the WebAssembly page. Trunk's default loader is an inline <script>;
// Trunk.toml's `pattern_script` replaces it with a tag that loads this file
// and names the hashed module files in data attributes, so the page needs
// no inline script (ready for a strict Content-Security-Policy). Every URL
// is relative (Trunk.toml: public_url = "./"), so the page works from any
// folder of any static host.
const tag = document.getElementById("cartsim-boot");

function showError(message) {
  const el = document.getElementById("error");
  if (el) {
    // Text only; readable without the stylesheet too (a plain paragraph).
    el.textContent = message;
    el.hidden = false;
  }
  console.error(message);
}

// A stylesheet that did not load (e.g. a 404 from a host that did not get
// every file of dist/): say so, in words, instead of a silently plain page.
// Checked once every stylesheet has loaded or failed (the window's load);
// a failed one has no sheet, or (Chromium) an empty one. The page rewrites
// #error with its own messages as it goes; this one stays beside them.
function checkStyles() {
  const missing = [...document.querySelectorAll('link[rel="stylesheet"]')]
    .filter((link) => !link.sheet || link.sheet.cssRules.length === 0)
    .map((link) => link.getAttribute("href"));
  const el = document.getElementById("error");
  if (missing.length === 0 || !el) return;
  const text =
    `cartsim could not load its styles (${missing.join(", ")}): the page looks plain. ` +
    "Copy every file of dist/ to the server, then reload.";
  console.error(text);
  const note = document.createElement("span");
  note.className = "msg";
  note.textContent = text;
  const keep = () => {
    if (!el.contains(note)) el.append(note);
    if (el.hidden) el.hidden = false;
  };
  new MutationObserver(keep).observe(el, { childList: true, attributes: true, attributeFilter: ["hidden"] });
  keep();
}

async function start() {
  try {
    const { default: init } = await import(tag.dataset.js);
    await init({ module_or_path: tag.dataset.wasm });
    return true;
  } catch (err) {
    showError(`cartsim could not start: ${err && err.message ? err.message : err}`);
    return false;
  }
}

// ---- Offline use and updates (www/sw.js) ----
//
// `cargo xtask dist` writes the build's file list into dist/sw.js and marks
// this tag with data-sw; a development build (`cargo xtask serve`) has no
// data-sw and registers nothing, so rebuilding while developing is never
// hidden behind a cache.

const banner = document.getElementById("update");

function announce(text, onReload) {
  if (!banner) return;
  const label = document.getElementById("update-text");
  const button = document.getElementById("update-reload");
  if (label) label.textContent = text;
  if (button) button.onclick = onReload;
  banner.hidden = false;
}

async function offline() {
  if (!tag.dataset.sw || !("serviceWorker" in navigator)) return;
  const sw = navigator.serviceWorker;
  // This tab asked the new version to take over: reload once it has.
  let reloading = false;
  // A page loaded without a service worker (the first visit) becomes
  // controlled only on its next load; nothing to announce until then.
  const controlled = Boolean(sw.controller);
  sw.addEventListener("controllerchange", () => {
    if (reloading) {
      window.location.reload();
    } else if (controlled) {
      // Another tab switched to the new version. This tab goes on with the
      // files it was loaded with (the service worker keeps them for it).
      announce("cartsim was updated in another tab. Reload to use the new version.", () =>
        window.location.reload(),
      );
    }
  });
  let reg;
  const offer = () =>
    announce("A new version of cartsim is ready.", () => {
      if (reg.waiting) {
        reloading = true;
        reg.waiting.postMessage({ type: "activate" });
      } else {
        window.location.reload();
      }
    });
  const track = (worker) =>
    worker.addEventListener("statechange", () => {
      if (worker.state === "installed") offer();
    });
  try {
    reg = await sw.register(new URL(tag.dataset.sw, document.baseURI), { scope: "./" });
    // The first version ever installed is no news: this page is it.
    if (reg.waiting && reg.active) offer();
    else if (reg.installing && reg.active) track(reg.installing);
    reg.addEventListener("updatefound", () => {
      if (reg.installing && reg.active) track(reg.installing);
    });
    // A page left open for days (a classroom computer) still hears of a
    // new version: look again whenever it comes back into view.
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible") reg.update().catch(() => {});
    });
  } catch (err) {
    // The page works without it; only offline use is lost.
    console.warn(`cartsim: offline use is not available (${err && err.message ? err.message : err})`);
  }
}

if (document.readyState === "complete") checkStyles();
else window.addEventListener("load", checkStyles, { once: true });
// Registered once the page has loaded and is idle: keeping the files for
// offline use then does not compete with the first chart and the cohort
// bands (a 2-core school laptop).
function idle() {
  return new Promise((ok) => {
    const go = () =>
      "requestIdleCallback" in window ? requestIdleCallback(() => ok(), { timeout: 5000 }) : setTimeout(ok, 1000);
    if (document.readyState === "complete") go();
    else window.addEventListener("load", go, { once: true });
  });
}

if (await start()) {
  await idle();
  await offline();
}
