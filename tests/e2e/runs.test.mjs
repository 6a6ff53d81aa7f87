// Compare runs: pin the live course, change a parameter, pin again; the
// link carries both runs as `run` keys; reloading it restores both with
// the same per-run indices as the native `cartsim compare`; the charts
// draw every visible run; a bad value inside a run is named and only that
// run left out.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { ROOT, openPage, useBrowser, waitForChart } from "./lib.mjs";

const env = useBrowser();

/** `cartsim compare` (CARTSIM_BIN, else `cargo run`), as JSON. */
function nativeCompare(args) {
  const bin = process.env.CARTSIM_BIN;
  const out = bin
    ? execFileSync(bin, ["compare", ...args], { encoding: "utf8" })
    : execFileSync("cargo", ["run", "--quiet", "--bin", "cartsim", "--", "compare", ...args], { cwd: ROOT, encoding: "utf8" });
  return JSON.parse(out);
}

/** Each pinned run's indices: { key: number-or-text }. */
async function runIndices(page) {
  return page.$$eval("#runs li[data-run]", (runs) =>
    runs.map((li) =>
      Object.fromEntries(
        [...li.querySelectorAll("[data-index]")].map((e) => {
          const text = e.textContent.replace(/^[^:]*:\s*/, "");
          const n = Number.parseFloat(text);
          return [e.dataset.index, Number.isNaN(n) ? text : n];
        }),
      ),
    ),
  );
}

const legendLabels = async (page, id) => JSON.parse(await page.getAttribute(`#${id}`, "data-legend")).map((k) => k.label);

test("pin two runs: the link holds both, a reload restores them with the CLI's numbers", { timeout: 180_000 }, async () => {
  const page = await openPage(env.browser.context, `${env.server.url}?model=clinical&preset=cr`);
  await waitForChart(page, "chart-main");
  assert.equal(await page.locator("#runs-section").isVisible(), false);
  await page.click("#pin");
  await page.fill("#p-rTA", "1.5");
  await page.press("#p-rTA", "Enter");
  await page.waitForFunction(() => location.search.includes("rTA=1.5"));
  await page.click("#pin");
  await page.waitForFunction(() => new URLSearchParams(location.search).getAll("run").length === 2);
  const runs = new URLSearchParams(new URL(page.url()).search).getAll("run");
  assert.deepEqual(runs, ["", "rTA=1.5"]);
  assert.equal(await page.locator("#runs li[data-run]").count(), 2);
  const labels = await page.$$eval("#runs .run-label", (ls) => ls.map((l) => l.value));
  assert.equal(labels[0], "preset cr");
  assert.equal(labels[1], "rTA = 1.5");
  // Both runs are on the charts, in the legend, with the live course.
  const legend = await legendLabels(page, "chart-main");
  assert.ok(legend.some((l) => l.startsWith("run 1:")) && legend.some((l) => l.startsWith("run 2:")), legend.join(" | "));
  const before = await runIndices(page);
  const url = page.url();
  await page.close();

  const again = await openPage(env.browser.context, url);
  await waitForChart(again, "chart-main");
  await again.waitForFunction(() => document.querySelectorAll("#runs li[data-run]").length === 2);
  const after = await runIndices(again);
  assert.deepEqual(after, before);
  const native = nativeCompare(["--model", "clinical", "--preset", "cr", "--run", "rTA=1.5", "--format", "json"]);
  for (const [i, run] of native.runs.entries()) {
    for (const [key, page_key] of [["ft", "FT"], ["fp", "FP"], ["peak", "peak"]]) {
      const want = run.metrics[key];
      const got = after[i][page_key];
      assert.ok(Math.abs(got - want) <= 1e-3 * Math.abs(want), `run ${i + 1} ${key}: page ${got}, cartsim compare ${want}`);
    }
  }
  // The compare table: one column per run, differences from run 1.
  const header = await again.$$eval("#runs-table th", (th) => th.map((t) => t.textContent));
  assert.equal(header.length, 3);
  assert.match(await again.textContent("#runs-table tbody"), /%\)/);
  // The exports: the compare table (one row per run) and every run's
  // trajectory in long form.
  const download = async (id) => {
    const [d] = await Promise.all([again.waitForEvent("download"), again.click(id)]);
    return readFileSync(await d.path(), "utf8").trim().split("\n");
  };
  const table = await download("#export-runs");
  assert.equal(table.length, 3, table.join("\n"));
  assert.match(table[0], /^run,label,/);
  const traj = await download("#export-runs-trajectories");
  assert.match(traj[0], /^run,label,t,nP,/);
  assert.ok(traj.length > 100);
  assert.equal(new Set(traj.slice(1).map((l) => l.split(",")[0])).size, 2);
  // Hide, remove: the link follows.
  await again.click('#runs li[data-run="1"] button[aria-pressed]');
  assert.ok(!(await legendLabels(again, "chart-main")).some((l) => l.startsWith("run 2:")));
  await again.click('#runs li[data-run="0"] button[title="Remove this run"]');
  await again.waitForFunction(() => new URLSearchParams(location.search).getAll("run").length === 1);
  assert.deepEqual(again.problems, []);
  await again.close();
});

test("a bad value inside a run is named and only that run is left out", async () => {
  const q = "?model=clinical&preset=cr&run=rTA%3D-1&run=preset%3Dnr";
  const page = await openPage(env.browser.context, `${env.server.url}${q}`);
  await waitForChart(page, "chart-main");
  await page.waitForFunction(() => document.querySelectorAll("#runs li[data-run]").length === 1);
  assert.match(await page.textContent("#error"), /run 1 \(rTA=-1\).*rTA.*left out/);
  assert.equal(await page.inputValue("#runs .run-label"), "preset nr");
  await page.close();
});
