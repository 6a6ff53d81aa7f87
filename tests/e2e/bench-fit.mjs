// Fit time in the page against `cartsim fit` natively (issue 16): each
// example of examples/data/ (9 points: CAR T on 7 days, tumour burden on
// 2) loaded in the Data panel and fitted in a worker with the page's
// defaults (the model's default list rTA, e, kA, lTA; 8 starts; seed 1;
// Jacobian intervals, and with profile intervals), on a fresh page each
// time (the worker spawned and its wasm compiled are part of the time:
// the job's wall-clock seconds from Fit to the result, `data-seconds` of
// #fit-status). The same fit natively: `CARTSIM_BIN fit … --car-unit
// blood-per-ul` (a release build), wall clock of the process. Prints a
// Markdown table. Run after `cargo xtask dist` and `cargo build --release`:
//   CARTSIM_BIN=target/release/cartsim node tests/e2e/bench-fit.mjs
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { ROOT, launchBrowser, openPage, serveStatic } from "./lib.mjs";

const RUNS = Number(process.env.BENCH_RUNS || 3);
const BIN = process.env.CARTSIM_BIN || join(ROOT, "target", "release", "cartsim");
const EXAMPLES = ["cr", "nr", "relapse-pos", "relapse-neg"];
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function pageFit(context, url, file, profile) {
  const page = await openPage(context, url);
  await page.waitForFunction(() => document.querySelector("#chart-main")?.dataset.legend);
  await page.selectOption("#data-example", file);
  await page.waitForFunction(() => Number(document.querySelector("#data-summary").dataset.points) > 0);
  if (profile) await page.check("#fit-profile");
  await page.click("#fit-run");
  await page.waitForFunction(
    () => ["done", "error", "cancelled"].includes(document.getElementById("fit-status").dataset.state),
    null,
    { timeout: 120_000, polling: 50 },
  );
  const state = await page.getAttribute("#fit-status", "data-state");
  if (state !== "done") throw new Error(`${file}: ${await page.textContent("#fit-status")}`);
  const seconds = Number(await page.getAttribute("#fit-status", "data-seconds"));
  const report = JSON.parse(await page.textContent("#fit-json"));
  await page.close();
  return { seconds, report };
}

function nativeFit(preset, profile) {
  const args = ["fit", "--model", "clinical", "--preset", preset, "--data", join(ROOT, "examples", "data", `${preset}.csv`), "--car-unit", "blood-per-ul"];
  if (profile) args.push("--profile");
  const t0 = performance.now();
  const out = execFileSync(BIN, args, { encoding: "utf8" });
  return { seconds: (performance.now() - t0) / 1000, report: JSON.parse(out) };
}

const server = await serveStatic();
const browser = await launchBrowser();
const rows = [];
try {
  for (const preset of EXAMPLES) {
    for (const profile of [false, true]) {
      const page = [];
      const native = [];
      let same = true;
      for (let i = 0; i < RUNS; i++) {
        const p = await pageFit(browser.context, `${server.url}?model=clinical&preset=${preset}`, `${preset}.csv`, profile);
        const n = nativeFit(preset, profile);
        page.push(p.seconds);
        native.push(n.seconds);
        same &&= JSON.stringify(p.report) === JSON.stringify(n.report);
      }
      rows.push(`| ${preset} | 9 | ${profile ? "Jacobian + profile" : "Jacobian"} | ${median(page).toFixed(2)} (${Math.min(...page).toFixed(2)}–${Math.max(...page).toFixed(2)}) | ${median(native).toFixed(2)} (${Math.min(...native).toFixed(2)}–${Math.max(...native).toFixed(2)}) | ${(median(page) / median(native)).toFixed(2)} | ${same ? "yes" : "NO"} |`);
    }
  }
} finally {
  await browser.close();
  await server.close();
}
const { loadavg } = await import("node:os");
console.log(`Load average at the end: ${loadavg().map((l) => l.toFixed(2)).join(", ")}; ${RUNS} runs each, median (range).\n`);
console.log("| example | points | intervals | page (s) | native (s) | page ÷ native | same JSON |");
console.log("|---|---:|---|---:|---:|---:|---|");
for (const r of rows) console.log(r);
