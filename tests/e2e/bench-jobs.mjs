// Benchmarks of the job panels in headless Chromium, run by
// `cargo xtask bench-browser-jobs` (or `node tests/e2e/bench-jobs.mjs`
// after `cargo xtask dist`). Each job runs on a fresh page (cold: workers
// spawned, prior bank built); the longest main-thread task during the job
// is taken from a PerformanceObserver for 'longtask' (tasks > 50 ms; none
// means every task was shorter). Prints a Markdown table and JSON.
import { launchBrowser, openPage, serveStatic } from "./lib.mjs";

const RUNS = Number(process.env.BENCH_RUNS || 1);

async function freshPage(context, url) {
  const page = await openPage(context, url);
  await page.evaluate(() => {
    window.__longtasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__longtasks.push({ d: e.duration, t: e.startTime });
    }).observe({ type: "longtask", buffered: true });
  });
  return page;
}

async function runJob(page, prefix, start, timeout) {
  await page.waitForSelector(`#${prefix}-run:not([disabled])`);
  await page.evaluate(() => (window.__longtasks = []));
  const t0 = await page.evaluate(() => performance.now());
  await start();
  await page.waitForFunction(
    (p) => ["done", "error", "cancelled"].includes(document.getElementById(`${p}-status`).dataset.state),
    prefix,
    { timeout, polling: 100 },
  );
  const state = await page.getAttribute(`#${prefix}-status`, "data-state");
  const text = await page.textContent(`#${prefix}-status`);
  if (state !== "done") throw new Error(`${prefix}: ${text}`);
  const seconds = Number(await page.getAttribute(`#${prefix}-status`, "data-seconds"));
  const t1 = await page.evaluate(() => performance.now());
  const entries = await page.evaluate(() => window.__longtasks.slice());
  const longtasks = entries.map((e) => e.d);
  if (process.env.BENCH_VERBOSE) console.error(prefix, { t0, t1, entries });
  return { seconds, longest_task_ms: longtasks.length ? Math.max(...longtasks) : 0, longtasks: longtasks.length };
}

const jobs = {
  "fig6 heatmap 200×200 (α × h, log10 L30)": async (page) =>
    runJob(page, "sweep", async () => {
      await page.click("#view-sweeps");
      await page.selectOption("#sweep-pair", "alpha-h");
      await page.fill("#sweep-x-n", "200");
      await page.fill("#sweep-y-n", "200");
      await page.click("#sweep-run");
    }, 600000),
  "virtual trial 1,600 patients, both methods (bank 16,000)": async (page) =>
    runJob(page, "cohort", async () => {
      await page.click("#view-trial");
      await page.fill("#cohort-per", "400");
      await page.fill("#cohort-seed", "1");
      await page.fill("#cohort-bank", "4000");
      await page.click("#cohort-run");
    }, 600000),
  "Fig. 7 experiment (4,000 patients)": async (page) =>
    runJob(page, "sweep", async () => {
      await page.click("#view-sweeps");
      await page.click("#sweep-fig7");
    }, 600000),
  // As `cartsim sensitivity --model clinical --preset cr --output fp
  // --samples 1024` (every input that can vary: 17,408 solves).
  "Sobol' indices, clinical cr, fp, every input, N = 1,024": async (page) =>
    runJob(page, "sensitivity", async () => {
      await page.click("#view-sensitivity");
      await page.waitForSelector("#sensitivity-run:not([disabled])");
      await page.fill("#sensitivity-output", "fp");
      await page.fill("#sensitivity-inputs", "");
      await page.selectOption("#sensitivity-method", "sobol");
      await page.fill("#sensitivity-samples", "1024");
      await page.click("#sensitivity-run");
    }, 900000),
};

const server = await serveStatic();
const browser = await launchBrowser();
const results = [];
try {
  const cores = await (await freshPage(browser.context, server.url)).evaluate(() => navigator.hardwareConcurrency);
  for (const [name, run] of Object.entries(jobs)) {
    for (let k = 0; k < RUNS; k++) {
      const page = await freshPage(browser.context, server.url);
      const r = await run(page);
      results.push({ job: name, workers: Math.min(Math.max(cores, 1), 8), ...r });
      console.error(`${name}: ${r.seconds.toFixed(2)} s, longest main-thread task ${r.longest_task_ms.toFixed(0)} ms`);
      await page.close();
    }
  }
} finally {
  await browser.close();
  await server.close();
}
console.log("| job | workers | time (s) | longest main-thread task (ms) | long tasks (> 50 ms) |");
console.log("|---|---|---|---|---|");
for (const r of results) {
  console.log(`| ${r.job} | ${r.workers} | ${r.seconds.toFixed(2)} | ${r.longest_task_ms ? r.longest_task_ms.toFixed(0) : "< 50"} | ${r.longtasks} |`);
}
console.log("\n" + JSON.stringify(results));
