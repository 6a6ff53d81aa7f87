// Accessibility (issue 14): axe-core on every view with its results shown
// (the simulator with its cohort bands, a finished small trial, a
// prediction, a heatmap, the model notes), for both models: zero WCAG 2.1
// AA violations (tags wcag2a, wcag2aa, wcag21a, wcag21aa). Every chart
// canvas has a text alternative with its numbers (`<id>-summary`, named by
// the canvas's aria-describedby); the heatmap answers the arrow keys; the
// layout is stable while the page loads (layout shifts summed by a
// PerformanceObserver, desktop and phone, also when a link's value is
// refused and the message banner appears).
//
// axe is injected by evaluating its source through the DevTools protocol
// (page.evaluate of axe.min.js): that is not subject to the page's
// Content-Security-Policy (which forbids inline scripts, so
// page.addScriptTag would be blocked), and the pages are tested under
// their real CSP — no bypassCSP.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { launchPlain, openSized, serveStatic, showView, waitForChart } from "./lib.mjs";
import { after, before } from "node:test";

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];

const env = { server: null, browser: null };
before(async () => {
  env.server = await serveStatic();
  env.browser = await launchPlain();
});
after(async () => {
  await env.browser?.close();
  await env.server?.close();
});

const DESKTOP = { width: 1280, height: 900 };

/** axe's WCAG 2.1 A/AA violations on the page as it is now, as readable lines. */
async function axeViolations(page) {
  if (!(await page.evaluate(() => typeof window.axe === "object"))) await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(
    (tags) => window.axe.run(document, { runOnly: { type: "tag", values: tags }, resultTypes: ["violations"] }).then((r) => r.violations),
    WCAG,
  );
  return violations.flatMap((v) =>
    v.nodes.map((n) => `${v.id} (${v.impact}): ${v.help} — ${n.target.join(" ")} — ${(n.failureSummary || "").replace(/\s+/g, " ")}`),
  );
}

async function fill(page, values) {
  for (const [id, v] of Object.entries(values)) await page.fill(`#${id}`, String(v));
}

async function waitDone(page, prefix, timeout = 120000) {
  await page.waitForFunction(
    (p) => ["done", "error"].includes(document.getElementById(`${p}-status`)?.dataset.state),
    prefix,
    { timeout, polling: 50 },
  );
  assert.equal(await page.getAttribute(`#${prefix}-status`, "data-state"), "done", await page.textContent(`#${prefix}-status`));
}

/** The chart canvas `id`'s text alternative: it exists, names numbers, and the canvas points at it. */
async function assertSummary(page, id) {
  // Summaries are written in the task after the drawing.
  await page.waitForFunction((cid) => document.getElementById(`${cid}-summary`)?.textContent, id, { timeout: 5000 });
  const s = await page.evaluate((cid) => {
    const c = document.getElementById(cid);
    const sum = document.getElementById(`${cid}-summary`);
    return {
      describedby: c?.getAttribute("aria-describedby") ?? "",
      text: sum?.textContent ?? null,
      hiddenVisually: sum ? sum.getBoundingClientRect().width <= 1 : null,
    };
  }, id);
  assert.ok(s.text, `#${id} has no summary`);
  assert.ok(s.describedby.split(/\s+/).includes(`${id}-summary`), `#${id} aria-describedby="${s.describedby}"`);
  const numbers = s.text.match(/-?\d+(\.\d+)?(e[+-]?\d+)?/g) || [];
  assert.ok(numbers.length >= 4, `#${id} summary has too few numbers: ${s.text}`);
  assert.equal(s.hiddenVisually, true, `#${id} summary is visible`);
  return s.text;
}

async function runTrial(page) {
  await showView(page, "trial");
  await page.waitForSelector("#cohort-run:not([disabled])");
  await fill(page, { "cohort-per": 20, "cohort-seed": 5, "cohort-bank": 200, "cohort-noise": 0 });
  await page.click("#cohort-run");
  await waitDone(page, "cohort");
  for (const id of ["cohort-peak", "cohort-auc", "cohort-ft", "cohort-bands-ft", "cohort-bands-fp"]) await waitForChart(page, id);
}

async function runPrediction(page) {
  await showView(page, "predict");
  await page.waitForSelector("#predict-run:not([disabled])");
  await page.selectOption("#predict-scenario", "nr");
  await page.click("#predict-fill");
  await page.click("#predict-run");
  await waitDone(page, "predict");
  await waitForChart(page, "predict-chart");
}

async function runHeatmap(page) {
  await showView(page, "sweeps");
  await page.waitForSelector("#sweep-run:not([disabled])");
  await page.selectOption("#sweep-pair", "alpha-h");
  await fill(page, { "sweep-x-n": 20, "sweep-y-n": 20 });
  await page.click("#sweep-run");
  await waitDone(page, "sweep");
  await page.waitForSelector('#sweep-canvas[data-cells="400"]', { timeout: 5000 });
}

async function runSensitivity(page, output) {
  await showView(page, "sensitivity");
  await page.waitForSelector("#sensitivity-run:not([disabled])");
  await page.fill("#sensitivity-output", output);
  await page.selectOption("#sensitivity-method", "local");
  await page.click("#sensitivity-run");
  await waitDone(page, "sensitivity");
  await waitForChart(page, "sensitivity-canvas");
}

for (const [model, preset] of [["clinical", "cr"], ["marrow", "fig3"]]) {
  test(`axe: no WCAG 2.1 AA violation on any view, results shown (${model})`, async () => {
    const page = await openSized(env.browser, `${env.server.url}?model=${model}&preset=${preset}`, DESKTOP);
    await waitForChart(page, "chart-main");
    await waitForChart(page, "chart-cart");
    if (model === "clinical") {
      await page.waitForFunction(() => /Most likely/.test(document.getElementById("bands-reading").textContent), null, { timeout: 30000 });
      await waitForChart(page, "chart-ft");
    }
    const found = {};
    found.sim = await axeViolations(page);
    for (const id of model === "clinical" ? ["chart-main", "chart-cart", "chart-ft", "chart-fp"] : ["chart-main", "chart-cart"]) {
      await assertSummary(page, id);
    }
    await showView(page, "notes");
    found.notes = await axeViolations(page);
    await runTrial(page);
    found.trial = await axeViolations(page);
    await runPrediction(page);
    found.predict = await axeViolations(page);
    await runHeatmap(page);
    found.sweeps = await axeViolations(page);
    await runSensitivity(page, model === "clinical" ? "fp" : "c_peak");
    found.sensitivity = await axeViolations(page);
    await assertSummary(page, "sensitivity-canvas");
    await showView(page, "sim");
    found.simAgain = await axeViolations(page);
    for (const [view, v] of Object.entries(found)) assert.deepEqual(v, [], `${model} ${view}:\n${v.join("\n")}`);
    assert.deepEqual(page.problems, []);
    await page.close();
  });
}

test("every job chart has a text summary with its numbers; the heatmap answers the keyboard", async () => {
  const page = await openSized(env.browser, `${env.server.url}?model=clinical&preset=cr`, DESKTOP);
  await waitForChart(page, "chart-main");
  await runTrial(page);
  const boxes = await assertSummary(page, "cohort-peak");
  assert.match(boxes, /CR: median .* quartiles .* to /);
  await assertSummary(page, "cohort-auc");
  await assertSummary(page, "cohort-ft");
  assert.match(await assertSummary(page, "cohort-bands-ft"), /Most likely class: /);
  await assertSummary(page, "cohort-bands-fp");
  await runPrediction(page);
  assert.match(await assertSummary(page, "predict-chart"), /from .* at day 0/);
  await runHeatmap(page);
  assert.match(await assertSummary(page, "sweep-canvas"), /20 × 20 cells.*Outcome from -?\d/);
  // The simulator's time charts name each series' ends and extremes.
  await showView(page, "sim");
  assert.match(await assertSummary(page, "chart-main"), /highest .* at day .* lowest .* at day/);
  // Keyboard: the heatmap is in the Tab order and the arrows move the readout.
  await showView(page, "sweeps");
  assert.ok(await page.evaluate(() => document.getElementById("sweep-canvas").tabIndex >= 0), "heatmap not focusable");
  await page.focus("#sweep-canvas");
  assert.equal(await page.evaluate(() => document.activeElement?.id), "sweep-canvas");
  const seen = [await page.textContent("#sweep-readout")];
  for (const key of ["ArrowRight", "ArrowUp", "ArrowLeft", "ArrowDown"]) {
    await page.keyboard.press(key);
    const now = await page.textContent("#sweep-readout");
    assert.notEqual(now, seen[seen.length - 1], `${key} did not move the readout`);
    seen.push(now);
  }
  assert.match(seen[1], /alpha = .*h = .*log10_L30 = /);
  assert.deepEqual(page.problems, []);
  await page.close();
});

/** Sum of layout shifts (not caused by input) from navigation until `ms` after the first chart. */
async function layoutShift(url, size, ms = 2500) {
  const page = await openSized(env.browser, url, size);
  await page.evaluate(() => {
    window.__shifts = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        if (e.hadRecentInput) continue;
        window.__shifts.push({
          value: e.value,
          at: Math.round(e.startTime),
          sources: (e.sources || []).map((s) => {
            const n = s.node;
            const name = n ? (n.id ? `#${n.id}` : n.nodeName ? `${n.nodeName.toLowerCase()}${n.className ? "." + String(n.className).split(" ")[0] : ""}` : "?") : "?";
            return `${name} ${Math.round(s.previousRect.y)}→${Math.round(s.currentRect.y)}`;
          }),
        });
      }
    }).observe({ type: "layout-shift", buffered: true });
  });
  await waitForChart(page, "chart-main");
  await page.waitForTimeout(ms);
  const shifts = await page.evaluate(() => window.__shifts);
  await page.close();
  return { total: shifts.reduce((a, s) => a + s.value, 0), shifts };
}

for (const [name, size] of [["desktop", { width: 1350, height: 940 }], ["phone", { width: 412, height: 823, dpr: 2 }]]) {
  test(`stable layout while loading (${name}): layout shifts sum to at most 0.05`, async () => {
    // The embed mode too (a course page's <iframe>): charts and two sliders.
    for (const query of ["?model=clinical&preset=cr", "?model=marrow&preset=fig3", "?model=clinical&preset=cr&rTA=-1", "?model=clinical&preset=cr&embed=1&controls=rTA,e"]) {
      const { total, shifts } = await layoutShift(`${env.server.url}${query}`, size);
      console.log(`${name} ${query}: CLS ${total.toFixed(4)} ${JSON.stringify(shifts)}`);
      assert.ok(total <= 0.05, `${name} ${query}: layout shift ${total.toFixed(3)}: ${JSON.stringify(shifts, null, 1)}`);
    }
  });
}
