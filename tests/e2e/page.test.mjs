// The page loads without errors, draws its main chart, and reports a
// module that fails to load in #error as text.
import { test } from "node:test";
import assert from "node:assert/strict";
import { launchBrowser, openPage, useBrowser, waitForChart } from "./lib.mjs";

const env = useBrowser();

test("page loads cleanly and draws a non-blank chart", async () => {
  const page = await openPage(env.browser.context, env.server.url);
  const colours = await waitForChart(page, "chart-main");

  const error = await page.locator("#error");
  assert.equal(await error.isHidden(), true, `#error shown: ${await error.textContent()}`);
  assert.ok(colours > 1, `#chart-main has ${colours} colour(s): blank`);
  // Axis titles, legend text, two series: far more than a handful of colours.
  assert.ok(colours > 20, `#chart-main has only ${colours} colours`);
  assert.deepEqual(page.problems, [], "console/page/network problems");
  assert.match(await page.title(), /cartsim/);
  console.log(`chart: ${colours} distinct colours`);
});

test("static server refuses paths outside dist", async () => {
  const res = await fetch(new URL("/../Cargo.toml", env.server.url));
  assert.notEqual(res.status, 200);
});

test("a page that cannot load its module says so in #error, as text", async () => {
  // A fresh profile: the shared one may hold the service worker of an
  // earlier test, which would answer from its cache (as it should offline)
  // before the 404 route is consulted.
  const fresh = await launchBrowser();
  const page = await fresh.context.newPage();
  await page.route(/\.wasm$/, (route) => route.fulfill({ status: 404, body: "<b>gone</b>" }));
  await page.goto(env.server.url, { waitUntil: "load" });
  const error = page.locator("#error");
  await error.waitFor({ state: "visible", timeout: 15000 });
  const text = await error.textContent();
  assert.match(text, /cartsim could not start/);
  assert.equal(await error.locator("b").count(), 0, "error text was parsed as HTML");
  await page.close();
  await fresh.close();
});
