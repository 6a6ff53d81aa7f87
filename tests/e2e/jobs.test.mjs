// Jobs in Web Workers. A small virtual trial run in the page's
// workers equals the native `cartsim trial` for the same seed, and the
// workers start from the page's compiled module (no request of their own);
// a worker sent no module fetches it by URL and starts; Cancel stops
// a running job promptly and the page stays usable; a 20×20 heatmap draws
// and answers the pointer.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { ROOT, canvasColours, openPage, screenshot, showView, useBrowser, waitForChart } from "./lib.mjs";

const env = useBrowser();

/** The native report: CARTSIM_BIN, else `cargo run` (debug build). */
function nativeTrial(args) {
  const bin = process.env.CARTSIM_BIN;
  const out = bin
    ? execFileSync(bin, ["trial", ...args], { encoding: "utf8", maxBuffer: 1 << 26 })
    : execFileSync("cargo", ["run", "--quiet", "--bin", "cartsim", "--", "trial", ...args], {
        cwd: ROOT,
        encoding: "utf8",
        maxBuffer: 1 << 26,
      });
  return JSON.parse(out);
}

/** Method timings differ by nature; everything else must be equal. */
function withoutSeconds(report) {
  const r = structuredClone(report);
  for (const m of ["paper", "bayes"]) if (r[m]) r[m].seconds = 0;
  return r;
}

async function fill(page, values) {
  for (const [id, v] of Object.entries(values)) await page.fill(`#${id}`, String(v));
}

async function waitState(page, prefix, states, timeout) {
  await page.waitForFunction(
    ([p, s]) => s.includes(document.getElementById(`${p}-status`)?.dataset.state),
    [prefix, states],
    { timeout, polling: 50 },
  );
  return page.locator(`#${prefix}-status`).getAttribute("data-state");
}

test("a 20-per-cohort trial in the workers equals native `cartsim trial`; workers start from the page's compiled module", async () => {
  const args = ["--seed", "5", "--per-cohort", "20", "--bank", "200", "--format", "json"];
  const native = nativeTrial(args);
  // Requests for the page's wasm file, from the page or its workers (the
  // service worker's own precache aside). Each worker gets the compiled
  // module from the page (www/worker.js), so starting workers requests
  // nothing: the page's preload, at most once more by its loader.
  const wasmRequests = [];
  const onRequest = (q) => {
    if (new URL(q.url()).pathname.endsWith("_bg.wasm") && !q.serviceWorker()) wasmRequests.push(q.resourceType());
  };
  env.browser.context.on("request", onRequest);
  let workers = 0;
  const page = await openPage(env.browser.context, env.server.url);
  page.on("worker", () => workers++);
  await showView(page, "trial");
  await page.waitForSelector("#cohort-run:not([disabled])");
  await fill(page, { "cohort-per": 20, "cohort-seed": 5, "cohort-bank": 200, "cohort-noise": 0 });
  await page.click("#cohort-run");
  const state = await waitState(page, "cohort", ["done", "error"], 120000);
  const status = await page.textContent("#cohort-status");
  assert.equal(state, "done", status);
  const got = JSON.parse(await page.textContent("#cohort-json"));
  assert.deepEqual(withoutSeconds(got), withoutSeconds(native));
  assert.equal(got.patients, 80);
  env.browser.context.off("request", onRequest);
  assert.ok(workers >= 2, `${workers} workers started (the bands' and the trial's)`);
  assert.ok(wasmRequests.length <= 2, `the wasm file was requested ${wasmRequests.length} times for ${workers} workers: ${wasmRequests}`);
  // Tables, box plots and bands were drawn.
  assert.ok((await page.locator("#cohort-summary tbody tr").count()) === 4);
  assert.ok((await page.locator("#cohort-accuracy tbody tr").count()) >= 5);
  for (const id of ["cohort-peak", "cohort-auc", "cohort-ft", "cohort-bands-ft", "cohort-bands-fp"]) {
    assert.ok((await waitForChart(page, id)) > 10, `#${id} is blank`);
  }
  // The CSV download holds every patient.
  await page.waitForFunction(() => true);
  const [download] = await Promise.all([page.waitForEvent("download"), page.click("#cohort-csv")]);
  const csv = await (await download.createReadStream()).toArray();
  const lines = Buffer.concat(csv).toString("utf8").trim().split("\n");
  assert.equal(lines.length, 81);
  assert.match(lines[0], /^id,cohort,.*simulated_class,paper_prediction/);
  await screenshot(page, "jobs-trial");
  assert.deepEqual(page.problems, []);
  console.log(`trial of 80 patients: ${status}`);
  await page.close();
});

test("a worker sent no module (null: a browser that cannot post one) loads the module by its URL and says it is ready", async () => {
  const page = await openPage(env.browser.context, env.server.url);
  let fetched = 0;
  const onRequest = (q) => {
    if (new URL(q.url()).pathname.endsWith("_bg.wasm") && q.resourceType() === "fetch" && !q.serviceWorker()) fetched++;
  };
  env.browser.context.on("request", onRequest);
  const ready = await page.evaluate(async () => {
    // The worker URL as src/web/jobs.rs builds it, from the boot tag.
    const tag = document.getElementById("cartsim-boot");
    const q = new URLSearchParams({ js: tag.dataset.js, wasm: tag.dataset.wasm });
    const w = new Worker(`./worker.js?${q}`, { type: "module" });
    const kind = await new Promise((ok, fail) => {
      w.onmessage = (e) => ok(e.data?.kind);
      w.onerror = (e) => fail(new Error(e.message || "worker error"));
      setTimeout(() => fail(new Error("no message in 30 s")), 30000);
      w.postMessage(null);
    });
    w.terminate();
    return kind;
  });
  env.browser.context.off("request", onRequest);
  assert.equal(ready, "ready");
  assert.equal(fetched, 1, "the worker fetched the module by its URL once");
  await page.close();
});

test("Cancel stops a running trial promptly; the page stays usable and a 20×20 heatmap draws", async () => {
  const page = await openPage(env.browser.context, env.server.url);
  await showView(page, "trial");
  await page.waitForSelector("#cohort-run:not([disabled])");
  await fill(page, { "cohort-per": 400, "cohort-seed": 2, "cohort-bank": 4000 });
  await page.click("#cohort-run");
  // Wait until the workers are really busy (some progress shown).
  await page.waitForFunction(
    () => Number(document.getElementById("cohort-progress").getAttribute("value")) > 0.005,
    null,
    { timeout: 60000, polling: 50 },
  );
  const t0 = Date.now();
  await page.click("#cohort-cancel");
  const state = await waitState(page, "cohort", ["cancelled"], 2000);
  const took = Date.now() - t0;
  assert.equal(state, "cancelled");
  assert.ok(took < 1000, `cancel took ${took} ms`);
  assert.equal(await page.locator("#cohort-workers li").count(), 0);
  assert.equal(await page.isDisabled("#cohort-cancel"), true);
  assert.equal(await page.isDisabled("#cohort-run"), false);

  // New workers run the next job: a 20×20 heatmap.
  await showView(page, "sweeps");
  await page.selectOption("#sweep-pair", "alpha-h");
  await fill(page, { "sweep-x-n": 20, "sweep-y-n": 20 });
  await page.click("#sweep-run");
  const s = await waitState(page, "sweep", ["done", "error"], 60000);
  assert.equal(s, "done", await page.textContent("#sweep-status"));
  await page.waitForSelector('#sweep-canvas[data-cells="400"]', { timeout: 5000 });
  assert.ok((await canvasColours(page, "sweep-canvas")) > 50, "heatmap looks blank");
  // The pointer readout and the simulator link follow the cell.
  const box = await page.locator("#sweep-canvas").boundingBox();
  await page.mouse.move(box.x + box.width * 0.4, box.y + box.height * 0.5);
  const readout = await page.textContent("#sweep-readout");
  assert.match(readout, /alpha = .*h = .*log10_L30 = /);
  const href = await page.getAttribute("#sweep-link", "href");
  assert.match(href, /^\.\/\?v=1&model=marrow&preset=fig6&.*alpha=/);
  // Keyboard: focus the map, move with the arrows.
  await page.focus("#sweep-canvas");
  await page.keyboard.press("ArrowRight");
  assert.notEqual(await page.textContent("#sweep-readout"), readout);
  await screenshot(page, "jobs-heatmap");
  assert.deepEqual(page.problems, []);
  await page.close();
});

test("errors from a job show as text in the page", async () => {
  const page = await openPage(env.browser.context, `${env.server.url}?view=sweeps`);
  await page.waitForSelector("#sweep-run:not([disabled])");
  await page.fill("#sweep-x-name", "<b>nope</b>");
  await page.click("#sweep-run");
  const status = page.locator("#sweep-status");
  await page.waitForFunction(() => document.getElementById("sweep-status").dataset.state === "error");
  assert.match(await status.textContent(), /nope/);
  assert.equal(await status.locator("b").count(), 0);
  await page.close();
});

test("early-prediction form: fill from a preset, both methods, forecast drawn", async () => {
  const page = await openPage(env.browser.context, env.server.url);
  await showView(page, "predict");
  await page.waitForSelector("#predict-run:not([disabled])");
  await page.selectOption("#predict-scenario", "nr");
  await page.click("#predict-fill");
  assert.notEqual(await page.inputValue("#predict-car-7"), "");
  await page.selectOption("#predict-unit", "qpcr");
  await page.click("#predict-fill"); // refill in the new unit
  await page.click("#predict-run");
  const state = await waitState(page, "predict", ["done", "error"], 120000);
  assert.equal(state, "done", await page.textContent("#predict-status"));
  const rows = await page.locator("#predict-table tbody tr").allTextContents();
  assert.equal(rows.length, 3, rows.join("\n"));
  assert.match(rows[0], /paper/);
  assert.match(rows[1], /Bayesian.*NR/);
  assert.ok((await waitForChart(page, "predict-chart")) > 10);
  await screenshot(page, "jobs-predict");
  assert.deepEqual(page.problems, []);
  await page.close();
});
