// Shared helpers for the end-to-end tests: a tiny static server for dist/,
// launching the system Chromium through playwright-core (never a
// downloaded browser), and page checks. Later tests import these.
import { createServer } from "node:http";
import { mkdtempSync, mkdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, extname, join, normalize, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before } from "node:test";
import { chromium } from "playwright-core";

/** Repository root. */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
/** The built site (`cargo xtask dist`); CARTSIM_DIST overrides. */
export const DIST = process.env.CARTSIM_DIST || join(ROOT, "dist");
/** Where screenshots go (committed, linked from the README); CARTSIM_SCREENSHOTS overrides. */
export const SCREENSHOTS = process.env.CARTSIM_SCREENSHOTS || join(ROOT, "docs", "screenshots");
/** The system Chromium; CARTSIM_CHROMIUM overrides. */
export const CHROMIUM = process.env.CARTSIM_CHROMIUM || "/usr/bin/chromium";

/** Chromium flags that work headless, as root, without network side trips. */
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

const MIME = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".wasm": "application/wasm",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".txt": "text/plain; charset=utf-8",
  ".webmanifest": "application/manifest+json",
};

/**
 * Serve `dir` on 127.0.0.1 at a free port. Resolves to
 * `{ url, close(), requests }` (see [`serveUnder`]); `url` ends with "/".
 */
export async function serveStatic(dir = DIST) {
  return serveUnder(dir, "/");
}

/**
 * Launch the system Chromium with a fresh profile directory. Resolves to
 * `{ browser, close() }`; `close` also deletes the profile.
 */
export async function launchBrowser() {
  const profile = mkdtempSync(join(tmpdir(), "cartsim-e2e-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1000, height: 800 },
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/**
 * Open `url` in a new page, recording console errors, uncaught page
 * errors and failed requests in `page.problems` (an array of strings).
 */
export async function openPage(context, url) {
  const page = await context.newPage();
  const problems = [];
  page.on("console", (msg) => {
    if (msg.type() === "error") problems.push(`console error: ${msg.text()}`);
  });
  page.on("pageerror", (err) => problems.push(`page error: ${err.message}`));
  page.on("requestfailed", (req) =>
    problems.push(`request failed: ${req.url()} (${req.failure()?.errorText})`),
  );
  page.on("response", (res) => {
    if (res.status() >= 400) problems.push(`HTTP ${res.status()} for ${res.url()}`);
  });
  page.problems = problems;
  await page.goto(url, { waitUntil: "load" });
  return page;
}

/** Number of distinct RGBA colours on the canvas `#id` (capped at 1000). */
export async function canvasColours(page, id) {
  return page.evaluate((canvasId) => {
    const canvas = document.getElementById(canvasId);
    if (!(canvas instanceof HTMLCanvasElement)) return -1;
    const data = canvas
      .getContext("2d")
      .getImageData(0, 0, canvas.width, canvas.height).data;
    const seen = new Set();
    for (let i = 0; i < data.length && seen.size < 1000; i += 4) {
      seen.add((data[i] << 24) | (data[i + 1] << 16) | (data[i + 2] << 8) | data[i + 3]);
    }
    return seen.size;
  }, id);
}

/**
 * Wait until the canvas `#id` shows more than one colour or `#error`
 * becomes visible; returns the colour count.
 */
export async function waitForChart(page, id, timeout = 15000) {
  await page.waitForFunction(
    (canvasId) => {
      const err = document.getElementById("error");
      if (err && !err.hidden) return true;
      const c = document.getElementById(canvasId);
      if (!(c instanceof HTMLCanvasElement)) return false;
      const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
      for (let i = 4; i < d.length; i += 4) {
        if (d[i] !== d[0] || d[i + 1] !== d[1] || d[i + 2] !== d[2] || d[i + 3] !== d[3]) {
          return true;
        }
      }
      return false;
    },
    id,
    { timeout, polling: 100 },
  );
  return canvasColours(page, id);
}

/**
 * Save a screenshot as docs/screenshots/<name>.png (the whole page, or
 * with `{ fullPage: false }` what the window shows, or with `{ element }`
 * one element); returns its path. Always in CSS pixels, whatever the
 * device pixel ratio. The whole page is taken as printed: nothing pinned
 * (the results column otherwise stays in the window and scrolls on its own).
 */
export async function screenshot(page, name, { fullPage = true, element = null } = {}) {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  if (element) await page.locator(element).screenshot({ path, scale: "css" });
  else if (!fullPage) await page.screenshot({ path, scale: "css" });
  else {
    // The whole page as one long column, nothing pinned (www/style.css:
    // html[data-shot="full"]); not the print stylesheet, which leaves out
    // the controls.
    await page.evaluate(() => document.documentElement.setAttribute("data-shot", "full"));
    try {
      await page.screenshot({ path, fullPage: true, scale: "css" });
    } finally {
      await page.evaluate(() => document.documentElement.removeAttribute("data-shot"));
    }
  }
  return path;
}

/** Move a slider as a drag would: set the position and fire `input`. */
export async function drag(page, name, position) {
  await page.evaluate(
    ([n, p]) => {
      const s = document.querySelector(`input[type=range][data-param="${n}"]`);
      s.value = String(p);
      s.dispatchEvent(new Event("input", { bubbles: true }));
    },
    [name, position],
  );
}

/** Wait for `n` animation frames. */
export async function nextFrames(page, n = 2) {
  await page.evaluate(
    (k) =>
      new Promise((done) => {
        const step = (i) => (i === 0 ? done() : requestAnimationFrame(() => step(i - 1)));
        step(k);
      }),
    n,
  );
}

/** A hash of a canvas's pixels (FNV-1a over the RGBA bytes). */
export async function pixelHash(page, id) {
  return page.evaluate((canvasId) => {
    const c = document.getElementById(canvasId);
    const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
    let h = 0x811c9dc5;
    for (let i = 0; i < d.length; i += 1) {
      h ^= d[i];
      h = Math.imul(h, 0x01000193) >>> 0;
    }
    return h;
  }, id);
}

/**
 * Launch the system Chromium for contexts of their own (each with its own
 * window size and device pixel ratio, see `openSized`). Resolves to a
 * playwright Browser.
 */
export async function launchPlain() {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}

/**
 * Open `url` in a page of its own window size and device pixel ratio (a
 * new context of `browser`, from `launchPlain`), recording problems as
 * `openPage` does; closing the page closes its context.
 */
export async function openSized(browser, url, { width, height, dpr = 1 }) {
  const context = await browser.newContext({
    viewport: { width, height },
    deviceScaleFactor: dpr,
    acceptDownloads: true,
  });
  const page = await openPage(context, url);
  const close = page.close.bind(page);
  page.close = async () => {
    await close();
    await context.close();
  };
  return page;
}

/**
 * A static server for dist/ and a browser shared by the tests of one file:
 * started before them, closed after. Tests read `env.server` and
 * `env.browser`.
 */
export function useBrowser() {
  const env = { server: null, browser: null };
  before(async () => {
    env.server = await serveStatic();
    env.browser = await launchBrowser();
  });
  after(async () => {
    await env.browser?.close();
    await env.server?.close();
  });
  return env;
}

/**
 * Serve `dir` under the folder `prefix` only (e.g. "/course/unit-3/cartsim/"),
 * as a course site or a project page would host a copy of dist/: every
 * other path is a 404. Files are read at each request, so a test may change
 * them while serving (a new build arriving). Resolves to `{ url, close(),
 * requests }`: `url` is the folder's address (ending with "/"), `requests`
 * every path asked for, in order.
 */
export async function serveUnder(dir = DIST, prefix = "/course/unit-3/cartsim/") {
  if (!prefix.startsWith("/") || !prefix.endsWith("/")) throw new Error(`bad prefix ${prefix}`);
  const root = resolve(dir);
  statSync(join(root, "index.html"));
  const requests = [];
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, "http://x").pathname);
    requests.push(path);
    if (!path.startsWith(prefix)) {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found");
      return;
    }
    let file = normalize(join(root, path.slice(prefix.length)));
    if (file !== root && !file.startsWith(root + sep)) {
      res.writeHead(403).end("forbidden");
      return;
    }
    try {
      if (statSync(file).isDirectory()) file = join(file, "index.html");
      const body = readFileSync(file);
      const type = MIME[extname(file)] || "application/octet-stream";
      res.writeHead(200, { "content-type": type, "cache-control": "no-store" });
      res.end(body);
    } catch {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found");
    }
  });
  await new Promise((ok, fail) => {
    server.once("error", fail);
    server.listen(0, "127.0.0.1", ok);
  });
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}${prefix}`,
    requests,
    close: () =>
      new Promise((ok) => {
        server.closeAllConnections?.();
        server.close(ok);
      }),
  };
}

/**
 * Show a view by its tab (`sim`, `trial`, `predict`, `sweeps`, `notes`),
 * as a reader clicking it would; resolves when its panel is shown.
 */
export async function showView(page, key) {
  await page.click(`#view-${key}`);
  await page.waitForFunction((k) => document.getElementById(`view-${k}`).getAttribute("aria-selected") === "true", key);
}
