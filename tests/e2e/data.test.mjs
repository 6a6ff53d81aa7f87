// Your own data (issue 16): load an example file in the Data panel; its
// points are drawn on the tumour and CAR T charts (censored ones too) in
// either unit system; the residual summary lists each column; a bad file
// is refused with its line and column and changes nothing; the fit runs in
// a worker and gives exactly `cartsim fit`'s JSON; Apply puts the
// estimates in the controls and pins the courses before and after; the
// link carries the data in its `data` key and a reload restores them; the
// scenario file carries them too. Writes the README's Data screenshots.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT, launchPlain, openSized, screenshot, useBrowser, openPage, waitForChart } from "./lib.mjs";

const env = useBrowser();

/** `cartsim fit ARGS` (CARTSIM_BIN, else `cargo run`), as text. */
function nativeFit(args) {
  const bin = process.env.CARTSIM_BIN;
  return bin
    ? execFileSync(bin, ["fit", ...args], { encoding: "utf8" })
    : execFileSync("cargo", ["run", "--quiet", "--bin", "cartsim", "--", "fit", ...args], { cwd: ROOT, encoding: "utf8" });
}

/** A screenshot of one element with nothing pinned over it (the chart pane
 * stays in the window on a phone and would cover it). */
async function shotOf(page, name, element) {
  await page.evaluate(() => document.documentElement.setAttribute("data-shot", "full"));
  try {
    await screenshot(page, name, { element });
  } finally {
    await page.evaluate(() => document.documentElement.removeAttribute("data-shot"));
  }
}

const points = async (page, id) => Number(await page.getAttribute(`#${id}`, "data-points"));
const legend = async (page, id) => JSON.parse(await page.getAttribute(`#${id}`, "data-legend")).map((k) => k.label);

async function loadExample(page, file) {
  await page.selectOption("#data-example", file);
  await page.waitForFunction(() => Number(document.querySelector("#data-summary").dataset.points) > 0);
  await page.waitForFunction(() => Number(document.querySelector("#chart-main").dataset.points) > 0);
}

test("an example's points are drawn on both charts in either unit system, with a residual summary", { timeout: 120_000 }, async () => {
  const page = await openPage(env.browser.context, `${env.server.url}?model=clinical&preset=cr`);
  await waitForChart(page, "chart-main");
  await loadExample(page, "cr.csv");
  assert.equal(await page.inputValue("#data-unit"), "blood-per-ul");
  // cr.csv: CAR T on 7 days, tumour burden on 2 (one censored).
  assert.equal(await points(page, "data-summary"), 9);
  assert.equal(await points(page, "chart-cart"), 7);
  assert.equal(await points(page, "chart-main"), 2);
  assert.ok((await legend(page, "chart-cart")).includes("data"));
  const rows = await page.$$eval("#data-summary tbody tr", (trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent)));
  assert.deepEqual(rows.map((r) => [r[0], r[1], r[2]]), [["car_t (cells/µL blood)", "7", "0"], ["tumor_burden_pct (%)", "2", "1"]]);
  assert.ok(rows.every((r) => Number.isFinite(Number.parseFloat(r[3]))), JSON.stringify(rows));
  // The summary follows the course.
  await page.fill("#p-rTA", "0.8");
  await page.press("#p-rTA", "Enter");
  await page.waitForFunction((before) => document.querySelector("#data-summary tbody td:last-child").textContent !== before, rows[0][3]);
  // In the clinical units, every point is still on its chart.
  await page.selectOption("#units", "blood");
  await page.waitForFunction(() => location.search.includes("units=blood"));
  await page.waitForTimeout(300);
  assert.equal(await points(page, "chart-cart"), 7);
  assert.equal(await points(page, "chart-main"), 2);
  // The link carries the data compactly.
  const data = new URLSearchParams(new URL(page.url()).search).get("data");
  assert.ok(data.startsWith("blood-per-ul:day,car_t,tumor_burden_pct;"), data);
  assert.ok(page.url().includes(";28,"), "separators are left unencoded");
  assert.deepEqual(page.problems, []);
  await page.close();
});

test("a bad file is refused with its line and column, and nothing changes", { timeout: 60_000 }, async () => {
  const page = await openPage(env.browser.context, `${env.server.url}?model=clinical&preset=cr`);
  await waitForChart(page, "chart-main");
  await loadExample(page, "nr.csv");
  await page.waitForFunction(() => location.search.includes("data="));
  const url = page.url();
  await page.fill("#data-paste", "day,car_t\n1,5\n4,-2\n");
  await page.click("#data-load");
  await page.waitForFunction(() => !document.querySelector("#data-error").hidden);
  const msg = await page.textContent("#data-error");
  assert.match(msg, /line 3, column car_t: -2 is negative/);
  assert.equal(await points(page, "data-summary"), 9);
  await page.waitForTimeout(300);
  assert.equal(page.url(), url);
  // A file: unknown column.
  const file = join(tmpdir(), `cartsim-bad-${Date.now()}.csv`);
  writeFileSync(file, "day,car_t,platelets\n1,5,3\n");
  await page.setInputFiles("#data-file", file);
  await page.waitForFunction(() => document.querySelector("#data-error").textContent.includes("platelets"));
  assert.match(await page.textContent("#data-error"), /line 1, column platelets: the model has no such column/);
  assert.equal(await points(page, "data-summary"), 9);
  // 31 measurements: too many for a link; the page says the JSON file carries them.
  const long = ["day,car_t", ...Array.from({ length: 31 }, (_, i) => `${i + 1},${(50 / (i + 1)).toFixed(3)}`)].join("\n");
  await page.fill("#data-paste", long);
  await page.click("#data-load");
  await page.waitForFunction(() => Number(document.querySelector("#data-summary").dataset.points) === 31);
  assert.equal(await page.locator("#data-error").isVisible(), false);
  assert.match(await page.textContent("#data-note"), /more than 30 measurements: the link leaves them out; the Scenario JSON file carries them/);
  await page.waitForFunction(() => !location.search.includes("data="));
  assert.deepEqual(page.problems, []);
  await page.close();
});

test("fit in a worker gives cartsim fit's numbers; Apply pins before and after; the link round-trips the data", { timeout: 300_000 }, async () => {
  const page = await openPage(env.browser.context, `${env.server.url}?model=clinical&preset=cr`);
  await waitForChart(page, "chart-main");
  await loadExample(page, "cr.csv");
  // The model's default list is checked.
  const checked = await page.$$eval("#fit-params input:checked", (is) => is.map((i) => i.value));
  assert.deepEqual(checked.sort(), ["e", "kA", "lTA", "rTA"]);
  await page.fill("#fit-starts", "4");
  await page.click("#fit-run");
  await page.waitForFunction(() => document.querySelector("#fit-status").dataset.state === "done", null, { timeout: 240_000 });
  const json = await page.textContent("#fit-json");
  const seconds = Number(await page.getAttribute("#fit-json", "data-seconds"));
  const csv = join(tmpdir(), `cartsim-cr-${Date.now()}.csv`);
  writeFileSync(csv, readFileSync(join(ROOT, "examples", "data", "cr.csv")));
  const native = nativeFit(["--model", "clinical", "--preset", "cr", "--data", csv, "--car-unit", "blood-per-ul", "--starts", "4"]);
  assert.equal(json + "\n", native, "the page's fit is cartsim fit's, byte for byte");
  const report = JSON.parse(json);
  console.log(`fit in the page: ${seconds} s (4 parameters, ${report.n} measurements, 4 starts, ${report.evaluations} solves)`);
  // The table shows every estimate; kA is flagged as not determined.
  const table = await page.$$eval("#fit-table tbody tr", (trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent)));
  assert.deepEqual(table.map((r) => r[0]).sort(), ["e", "kA", "lTA", "rTA"]);
  for (const w of report.warnings) assert.ok((await page.textContent("#fit-warnings")).includes(w));
  assert.match(await page.textContent("#fit-summary"), /converged/);
  await shotOf(page, "data-fit-1280", "#data-section");
  // Apply: the estimates in the controls, before and after pinned.
  await page.click("#fit-apply");
  await page.waitForFunction(() => document.querySelectorAll("#runs li[data-run]").length === 2);
  await page.waitForFunction(() => location.search.includes("rTA="));
  const q = new URLSearchParams(new URL(page.url()).search);
  assert.equal(Number(q.get("rTA")), report.estimates.rTA.value);
  const labels = await page.$$eval("#runs .run-label", (ls) => ls.map((l) => l.value));
  assert.deepEqual(labels, ["before the fit", "fitted"]);
  // Reload the link: the data come back (points and summary).
  const url = page.url();
  assert.ok(q.get("data"));
  const again = await openPage(env.browser.context, url);
  await waitForChart(again, "chart-main");
  await again.waitForFunction(() => Number(document.querySelector("#data-summary").dataset.points) === 9);
  assert.equal(await points(again, "chart-cart"), 7);
  assert.equal(new URLSearchParams(new URL(again.url()).search).get("data"), q.get("data"));
  // The scenario file carries them too, and loads back.
  const [d] = await Promise.all([again.waitForEvent("download"), again.click("#export-json")]);
  const file = JSON.parse(readFileSync(await d.path(), "utf8"));
  assert.equal(file.data.unit, "blood-per-ul");
  assert.match(file.data.csv, /^day,car_t,tumor_burden_pct\n/);
  const fresh = await openPage(env.browser.context, `${env.server.url}?model=clinical&preset=nr`);
  await waitForChart(fresh, "chart-main");
  const path = join(tmpdir(), `cartsim-data-${Date.now()}.json`);
  writeFileSync(path, JSON.stringify(file));
  await fresh.setInputFiles("#import-json", path);
  await fresh.waitForFunction(() => Number(document.querySelector("#data-summary").dataset.points) === 9);
  // A bad data value in a link is named and left out.
  const bad = await openPage(env.browser.context, `${env.server.url}?model=clinical&preset=cr&data=day,car_t;1,x`);
  await waitForChart(bad, "chart-main");
  assert.match(await bad.textContent("#error"), /data: line 2, column car_t: 'x' is not a number/);
  assert.equal(await points(bad, "data-summary"), 0);
  for (const p of [page, again, fresh]) assert.deepEqual(p.problems, []);
  for (const p of [page, again, fresh, bad]) await p.close();
});

test("the marrow model takes its own columns, in cells, through the same panel", { timeout: 60_000 }, async () => {
  const page = await openPage(env.browser.context, `${env.server.url}?model=marrow&preset=fig3`);
  await waitForChart(page, "chart-main");
  assert.deepEqual(await page.$$eval("#data-unit option", (os) => os.map((o) => o.value)), ["cells"]);
  assert.equal(await page.locator("#data-example option").count(), 1, "no example for this model");
  const checked = await page.$$eval("#fit-params input:checked", (is) => is.map((i) => i.value).sort());
  assert.deepEqual(checked, ["alpha", "h", "rhoC"]);
  await page.fill("#data-paste", "day,L,CA\n10,1e9,\n20,,3e8\n30,<1\n");
  await page.click("#data-load");
  await page.waitForFunction(() => Number(document.querySelector("#data-summary").dataset.points) === 3);
  await page.waitForFunction(() => Number(document.querySelector("#chart-main").dataset.points) === 2);
  assert.deepEqual(page.problems, []);
  await page.close();
});

test("a long fit shows progress and Cancel stops it", { timeout: 120_000 }, async () => {
  const page = await openPage(env.browser.context, `${env.server.url}?model=clinical&preset=nr`);
  await waitForChart(page, "chart-main");
  await loadExample(page, "nr.csv");
  await page.fill("#fit-starts", "64");
  await page.check("#fit-profile");
  await page.click("#fit-run");
  await page.waitForFunction(() => document.querySelector("#fit-status").dataset.state === "running");
  assert.equal(await page.isDisabled("#fit-cancel"), false);
  await page.click("#fit-cancel");
  await page.waitForFunction(() => document.querySelector("#fit-status").dataset.state === "cancelled");
  assert.equal(await page.locator("#fit-results").isVisible(), false);
  assert.equal(await page.isDisabled("#fit-run"), false);
  assert.equal(await points(page, "data-summary"), 9);
  assert.deepEqual(page.problems, []);
  await page.close();
});

test("screenshots of the data on the charts at 390 and 1280 px", { timeout: 120_000 }, async () => {
  const browser = await launchPlain();
  try {
    for (const [width, height] of [[390, 844], [1280, 900]]) {
      const page = await openSized(browser, `${env.server.url}?model=clinical&preset=relapse-pos&units=blood`, { width, height });
      await waitForChart(page, "chart-main");
      await loadExample(page, "relapse-pos.csv");
      await page.waitForTimeout(300);
      await screenshot(page, `data-charts-${width}`, { fullPage: false });
      await shotOf(page, `data-panel-${width}`, "#data-section");
      assert.deepEqual(page.problems, []);
      await page.close();
    }
  } finally {
    await browser.close();
  }
});
