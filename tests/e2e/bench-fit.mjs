// Fit time in the page against `cartsim fit` natively (issue 16): each
// example of examples/data/ (9 points: CAR T on 7 days, tumour burden on
// 2), and 20 points of the preset's total CAR T (pasted), loaded in the Data panel and fitted in a worker with the page's
// defaults (the model's default list rTA, e, kA, lTA; 8 starts; seed 1;
// Jacobian intervals, and with profile intervals), on a fresh page each
// time (the worker spawned and its wasm compiled are part of the time:
// the job's wall-clock seconds from Fit to the result, `data-seconds` of
// #fit-status). The same fit natively: `CARTSIM_BIN fit … --car-unit
// blood-per-ul` (a release build), wall clock of the process. Prints a
// Markdown table. Run after `cargo xtask dist` and `cargo build --release`:
//   CARTSIM_BIN=target/release/cartsim node tests/e2e/bench-fit.mjs
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT, launchBrowser, openPage, serveStatic } from "./lib.mjs";

const RUNS = Number(process.env.BENCH_RUNS || 3);
const BIN = process.env.CARTSIM_BIN || join(ROOT, "target", "release", "cartsim");
const EXAMPLES = ["cr", "nr", "relapse-pos", "relapse-neg"];
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** 20 points: the preset's total CAR T (10^9 cells, column car_t_total)
 * on 20 days to day 90, with 20% log-normal noise from a seeded stream. */
function twentyPoints(preset) {
  const days = [1, 2, 3, 4, 5, 6, 7, 8, 10, 12, 14, 17, 21, 24, 28, 35, 42, 56, 70, 90];
  const out = execFileSync(BIN, ["simulate", "--model", "clinical", "--preset", preset, "--t-end", "90", "--times", days.join(",")], { encoding: "utf8" });
  const [head, ...rows] = out.trim().split("\n");
  const col = head.split(",").indexOf("car_t_total");
  let seed = 12345;
  const uniform = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) + 0.5) / 2147483648;
  const normal = () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
  const lines = rows.map((r) => r.split(",")).map((c) => `${Number(c[0])},${(Number(c[col]) * Math.exp(0.2 * normal())).toPrecision(4)}`);
  return ["day,car_t_total", ...lines].join("\n") + "\n";
}

async function pageFit(context, url, file, profile) {
  const page = await openPage(context, url);
  await page.waitForFunction(() => document.querySelector("#chart-main")?.dataset.legend);
  if (file.includes("\n")) {
    await page.fill("#data-paste", file);
    await page.click("#data-load");
  } else await page.selectOption("#data-example", file);
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

function nativeFit(preset, profile, csv) {
  let data = join(ROOT, "examples", "data", `${preset}.csv`);
  if (csv) {
    data = join(tmpdir(), `cartsim-bench-${preset}-20.csv`);
    writeFileSync(data, csv);
  }
  const args = ["fit", "--model", "clinical", "--preset", preset, "--data", data, "--car-unit", "blood-per-ul"];
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
    for (const [points, csv] of [[9, null], [20, twentyPoints(preset)]]) for (const profile of [false, true]) {
      const page = [];
      const native = [];
      let same = true;
      for (let i = 0; i < RUNS; i++) {
        const p = await pageFit(browser.context, `${server.url}?model=clinical&preset=${preset}`, csv ?? `${preset}.csv`, profile);
        const n = nativeFit(preset, profile, csv);
        page.push(p.seconds);
        native.push(n.seconds);
        same &&= JSON.stringify(p.report) === JSON.stringify(n.report);
      }
      rows.push(`| ${preset} | ${points} | ${profile ? "Jacobian + profile" : "Jacobian"} | ${median(page).toFixed(2)} (${Math.min(...page).toFixed(2)}–${Math.max(...page).toFixed(2)}) | ${median(native).toFixed(2)} (${Math.min(...native).toFixed(2)}–${Math.max(...native).toFixed(2)}) | ${(median(page) / median(native)).toFixed(2)} | ${same ? "yes" : "NO"} |`);
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
