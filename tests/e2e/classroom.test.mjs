// What a class reads off the page beside the curves: the paper's eight
// patients and the cohort's range on the FP chart, the glossary words
// (defined on focus or tap, listed in the Model notes, no references to
// files a reader cannot see), the prediction's band drawn as a band, a
// yes/no sweep in the two class colours with symbols and units on its
// axes and a compact link to the simulator.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { launchBrowser, openPage, serveStatic, showView, waitForChart } from "./lib.mjs";

let server;
let env;
before(async () => {
  server = await serveStatic();
  env = await launchBrowser();
});
after(async () => {
  await env?.close();
  await server?.close();
});

const legend = async (page, id) =>
  Object.fromEntries(JSON.parse(await page.getAttribute(`#${id}`, "data-legend")).map((k) => [k.label, k.color]));

test("the FP chart shows the paper's eight patients and greys what the cohort does not cover", { timeout: 120_000 }, async () => {
  const page = await openPage(env.context, `${server.url}?model=clinical&preset=cr`);
  await page.waitForFunction(() => document.getElementById("chart-fp").dataset.points, null, { timeout: 90000 });
  const points = JSON.parse(await page.getAttribute("#chart-fp", "data-points"));
  assert.equal(points.length, 8);
  // At the paper's FP values, each within the stacked scale (0–100% plus
  // at most the paper's own rounding beyond our band's edge).
  assert.deepEqual(points.map((p) => p[0]).sort((a, b) => a - b), [7.7, 14.6, 15.4, 15.5, 18.1, 19.3, 21.9, 23.2]);
  for (const [, y] of points) assert.ok(y > 0 && y < 105, `height ${y}`);
  assert.equal(await page.getAttribute("#chart-ft", "data-points"), "[]");
  for (const id of ["chart-ft", "chart-fp"]) {
    const [lo, hi] = JSON.parse(await page.getAttribute(`#${id}`, "data-covered"));
    assert.ok(lo > 0 && hi > lo, `${id} covered ${lo}–${hi}`);
  }
  assert.match(await page.textContent("figure:has(#chart-fp) figcaption"), /paper.s eight real patients/);
  assert.match(await page.textContent("figure:has(#chart-fp) figcaption"), /virtual cohort/);
  assert.deepEqual(page.problems, []);
  await page.close();
});

test("glossary words are defined on focus, listed in the notes, and no file is cited", { timeout: 60_000 }, async () => {
  const page = await openPage(env.context, `${server.url}?model=clinical&preset=cr`);
  await waitForChart(page, "chart-main");
  const ft = page.locator("figcaption abbr.term", { hasText: /^FT$/ }).first();
  await ft.focus();
  const shown = await ft.evaluate((e) => getComputedStyle(e, "::after").content);
  assert.match(shown, /FT: CAR T function factor/);
  assert.equal(await ft.getAttribute("tabindex"), "0");
  // The lesson's figure reference and the indices use the same words.
  assert.ok((await page.locator("#lesson abbr.term").count()) > 0, "the lesson marks no term");
  assert.ok((await page.locator("#indices-list abbr.term").count()) >= 3, "indices: FT, FNegR, FP…");
  const text = await page.evaluate(() => document.body.innerText);
  assert.doesNotMatch(text, /MODELS\.md|\.rs\b/);
  await page.click("#view-notes");
  const terms = await page.locator("#glossary dt").allTextContents();
  for (const t of ["[L]", "[M]", "FT", "FNegR", "FP", "AUC7", "MRD"]) assert.ok(terms.includes(t), `glossary lacks ${t}`);
  assert.doesNotMatch(await page.evaluate(() => document.body.innerText), /MODELS\.md/);
  assert.deepEqual(page.problems, []);
  await page.close();
});

test("prediction band, yes/no sweep legend, axis titles and a compact simulator link", { timeout: 300_000 }, async () => {
  const page = await openPage(env.context, `${server.url}?view=predict`);
  await page.waitForSelector("#predict-run:not([disabled])");
  await page.selectOption("#predict-scenario", "nr");
  await page.click("#predict-fill");
  await page.click("#predict-run");
  await page.waitForFunction(() => ["done", "error"].includes(document.getElementById("predict-status").dataset.state), null, { timeout: 120000 });
  assert.equal(await page.getAttribute("#predict-status", "data-state"), "done");
  await waitForChart(page, "predict-chart");
  const pl = await legend(page, "predict-chart");
  assert.ok("Bayesian 10–90% band" in pl, JSON.stringify(pl));
  assert.ok("Bayesian median" in pl && "measured CAR T" in pl);
  assert.ok(!Object.keys(pl).some((k) => /percentile/.test(k)), "percentiles drawn as lines");

  await showView(page, "sweeps");
  await page.selectOption("#sweep-pair", "alpha-h");
  await page.selectOption("#sweep-outcome", "response");
  await page.fill("#sweep-x-n", "12");
  await page.fill("#sweep-y-n", "12");
  await page.click("#sweep-run");
  await page.waitForSelector('#sweep-canvas[data-cells="144"]', { timeout: 90000 });
  const palette = JSON.parse(await page.getAttribute("body", "data-class-colors"));
  const sl = await legend(page, "sweep-canvas");
  assert.deepEqual(Object.keys(sl).sort(), ["non-responder", "responder"]);
  for (const [label, color] of Object.entries(sl)) assert.equal(color, palette[label]);
  const box = await page.locator("#sweep-canvas").boundingBox();
  await page.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.6);
  const href = await page.getAttribute("#sweep-link", "href");
  assert.match(href, /alpha=\d(\.\d{1,5})?e-\d+/);
  assert.doesNotMatch(href, /=0\.0000|\d{8,}/);
  assert.deepEqual(page.problems, []);
  await page.close();
});
