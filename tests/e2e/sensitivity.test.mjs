// The Sensitivity view (issue 17): a small Sobol study of the clinical
// model run in the page's workers draws its chart, its CSV equals
// `cartsim sensitivity --format csv` with the same settings (number for
// number), and the link brings back the view and the form.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { ROOT, openPage, screenshot, showView, useBrowser, waitForChart } from "./lib.mjs";

const env = useBrowser();

/** The native CSV: CARTSIM_BIN, else `cargo run` (debug build). */
function nativeCsv(args) {
  const bin = process.env.CARTSIM_BIN;
  return bin
    ? execFileSync(bin, ["sensitivity", ...args], { encoding: "utf8" })
    : execFileSync("cargo", ["run", "--quiet", "--bin", "cartsim", "--", "sensitivity", ...args], {
        cwd: ROOT,
        encoding: "utf8",
      });
}

/** CSV text → rows of cells (numbers as numbers, empty cells as null). */
function parseCsv(text) {
  const [head, ...rows] = text.trim().split("\n");
  return {
    head: head.split(","),
    rows: rows.map((l) => l.split(",").map((c, i) => (i === 0 ? c : c === "" ? null : Number(c)))),
  };
}

async function waitState(page, states, timeout) {
  await page.waitForFunction(
    (s) => s.includes(document.getElementById("sensitivity-status")?.dataset.state),
    states,
    { timeout, polling: 50 },
  );
  return page.locator("#sensitivity-status").getAttribute("data-state");
}

test("a small Sobol study in the workers: chart drawn, CSV equals `cartsim sensitivity`, link round trip", async () => {
  const settings = { output: "fp", inputs: "rTA,lTA,kA", samples: "16", seed: "7" };
  const native = parseCsv(
    nativeCsv([
      "--model", "clinical", "--preset", "cr", "--output", settings.output, "--inputs", settings.inputs,
      "--method", "sobol", "--samples", settings.samples, "--seed", settings.seed, "--format", "csv",
    ]),
  );
  assert.equal(native.rows.length, 3);

  const page = await openPage(env.browser.context, `${env.server.url}?model=clinical&preset=cr`);
  await showView(page, "sensitivity");
  await page.waitForSelector("#sensitivity-run:not([disabled])");
  for (const [k, v] of Object.entries(settings)) await page.fill(`#sensitivity-${k}`, v);
  await page.selectOption("#sensitivity-method", "sobol");
  await page.click("#sensitivity-run");
  const state = await waitState(page, ["done", "error"], 120000);
  const status = await page.textContent("#sensitivity-status");
  assert.equal(state, "done", status);
  assert.match(await page.textContent("#sensitivity-plan"), /3 inputs, 80 solves/);

  // The chart is drawn (not blank) with both series in its legend.
  assert.ok((await waitForChart(page, "sensitivity-canvas")) > 10, "the chart is blank");
  const legend = JSON.parse(await page.locator("#sensitivity-canvas").getAttribute("data-legend"));
  assert.deepEqual(legend.map((l) => l.label), ["first order", "total"]);
  assert.equal(await page.locator("#sensitivity-table tbody tr").count(), 3);

  // The CSV downloads, parses and holds the native numbers exactly.
  const [download] = await Promise.all([page.waitForEvent("download"), page.click("#sensitivity-csv")]);
  const bytes = Buffer.concat(await (await download.createReadStream()).toArray()).toString("utf8");
  const got = parseCsv(bytes);
  assert.deepEqual(got.head, ["input", "first", "first_lo", "first_hi", "total", "total_lo", "total_hi"]);
  assert.deepEqual(got, native);
  // rTA drives FP here: its total index is the largest, and above 0.
  const total = Object.fromEntries(got.rows.map((r) => [r[0], r[4]]));
  assert.ok(total.rTA > 0.1 && total.rTA >= total.lTA && total.rTA >= total.kA, JSON.stringify(total));

  await page.setViewportSize({ width: 1280, height: 900 });
  await page.waitForTimeout(400);
  await screenshot(page, "sensitivity");
  await page.setViewportSize({ width: 390, height: 844 });
  await page.waitForTimeout(400);
  await screenshot(page, "sensitivity-390");

  // The link carries the view and the form's changed values.
  await page.dispatchEvent("#sensitivity-seed", "change");
  const url = page.url();
  assert.match(url, /view=sensitivity/);
  assert.match(url, /sensitivity\.seed=7/);
  assert.match(url, /sensitivity\.inputs=rTA%2ClTA%2CkA/);
  assert.deepEqual(page.problems, []);
  await page.close();

  const back = await openPage(env.browser.context, url);
  await back.waitForSelector("#sensitivity-run:not([disabled])");
  assert.equal(await back.locator("#view-sensitivity").getAttribute("aria-selected"), "true");
  assert.equal(await back.isHidden("#sensitivity"), false);
  for (const [k, v] of Object.entries(settings)) assert.equal(await back.inputValue(`#sensitivity-${k}`), v, k);
  assert.deepEqual(back.problems, []);
  await back.close();
  console.log(`sensitivity: ${status}`);
});
