// The views as tabs (WAI-ARIA tabs pattern): `view=` links open each
// view, a tab adds a history entry so Back and Forward move between
// views, arrow keys move along the tabs, the job forms' values travel in
// the link, a link without `view` opens the simulator, and an unknown
// view is reported in words.
import { test } from "node:test";
import assert from "node:assert/strict";
import { openPage, screenshot, showView, useBrowser, waitForChart } from "./lib.mjs";

const env = useBrowser();

const VIEWS = { sim: "simulator", trial: "cohort", predict: "predict", sweeps: "sweep", sensitivity: "sensitivity", notes: "notes" };

/** The selected tab's key, and which panels are visible. */
async function state(page) {
  return page.evaluate((views) => {
    const selected = [...document.querySelectorAll('[role="tab"][aria-selected="true"]')].map((t) => t.id.replace("view-", ""));
    const visible = Object.entries(views)
      .filter(([, id]) => document.getElementById(id).checkVisibility())
      .map(([k]) => k);
    const view = new URLSearchParams(location.search).get("view");
    return { selected, visible, view };
  }, VIEWS);
}

test("each view= link opens its view, and only it; no view opens the simulator", async () => {
  for (const key of Object.keys(VIEWS)) {
    const page = await openPage(env.browser.context, `${env.server.url}?model=clinical&preset=nr&view=${key}`);
    await page.waitForFunction((k) => document.body.dataset.view === k, key);
    const s = await state(page);
    assert.deepEqual(s.selected, [key], key);
    assert.deepEqual(s.visible, [key], key);
    // The tab is the one in the Tab order; its panel is labelled by it.
    assert.equal(await page.getAttribute(`#view-${key}`, "tabindex"), "0");
    assert.match(await page.getAttribute(`#${VIEWS[key]}`, "aria-labelledby"), new RegExp(`view-${key}`));
    assert.equal(await page.getAttribute(`#${VIEWS[key]}`, "role"), "tabpanel");
    if (key === "sim") await waitForChart(page, "chart-main");
    await screenshot(page, `view-${key}`, { fullPage: false });
    assert.deepEqual(page.problems, []);
    await page.close();
  }
  const page = await openPage(env.browser.context, `${env.server.url}?model=clinical&preset=nr`);
  await waitForChart(page, "chart-main");
  assert.deepEqual((await state(page)).visible, ["sim"]);
  await page.close();
});

test("tabs add history entries: Back and Forward move between views, the scenario stays", async () => {
  const page = await openPage(env.browser.context, `${env.server.url}?model=clinical&preset=relapse-pos`);
  await waitForChart(page, "chart-main");
  await showView(page, "trial");
  assert.equal((await state(page)).view, "trial");
  await showView(page, "sweeps");
  assert.deepEqual((await state(page)).visible, ["sweeps"]);
  await page.goBack();
  await page.waitForFunction(() => document.body.dataset.view === "trial");
  assert.deepEqual((await state(page)).visible, ["trial"]);
  await page.goBack();
  await page.waitForFunction(() => document.body.dataset.view === "sim");
  const s = await state(page);
  assert.deepEqual(s.visible, ["sim"]);
  assert.match(page.url(), /preset=relapse-pos/);
  await waitForChart(page, "chart-main");
  await page.goForward();
  await page.waitForFunction(() => document.body.dataset.view === "trial");
  assert.deepEqual(page.problems, []);
  await page.close();
});

test("arrow keys, Home and End move along the tabs", async () => {
  const page = await openPage(env.browser.context, env.server.url);
  await page.focus("#view-sim");
  await page.keyboard.press("ArrowRight");
  await page.waitForFunction(() => document.body.dataset.view === "trial");
  assert.equal(await page.evaluate(() => document.activeElement.id), "view-trial");
  await page.keyboard.press("End");
  await page.waitForFunction(() => document.body.dataset.view === "notes");
  await page.keyboard.press("ArrowRight");
  await page.waitForFunction(() => document.body.dataset.view === "sim");
  await page.keyboard.press("ArrowLeft");
  await page.waitForFunction(() => document.body.dataset.view === "notes");
  await page.keyboard.press("Home");
  await page.waitForFunction(() => document.body.dataset.view === "sim");
  assert.equal(await page.evaluate(() => document.activeElement.id), "view-sim");
  await page.close();
});

test("the job forms' values are in the link: a teacher's 'trial with 50 per cohort, seed 7'", async () => {
  const page = await openPage(env.browser.context, `${env.server.url}?view=trial&trial.per=50&trial.seed=7`);
  await page.waitForSelector("#cohort-run:not([disabled])");
  assert.equal(await page.inputValue("#cohort-per"), "50");
  assert.equal(await page.inputValue("#cohort-seed"), "7");
  await page.fill("#cohort-per", "60");
  await page.locator("#cohort-per").dispatchEvent("change");
  await page.waitForFunction(() => location.search.includes("trial.per=60"));
  assert.match(page.url(), /trial\.seed=7/);
  // Values equal to the form's own stay out of the link.
  await page.fill("#cohort-seed", "1");
  await page.locator("#cohort-seed").dispatchEvent("change");
  await page.waitForFunction(() => !location.search.includes("trial.seed"));
  // A select: the sweep's outcome.
  const sweep = await openPage(env.browser.context, `${env.server.url}?view=sweeps&sweeps.outcome=response`);
  await sweep.waitForSelector("#sweep-run:not([disabled])");
  assert.equal(await sweep.inputValue("#sweep-outcome"), "response");
  assert.deepEqual(page.problems, []);
  assert.deepEqual(sweep.problems, []);
  await sweep.close();
  await page.close();
});

test("an unknown view is reported in words and the simulator is shown", async () => {
  const page = await openPage(env.browser.context, `${env.server.url}?view=%3Cb%3Ex%3C%2Fb%3E`);
  await waitForChart(page, "chart-main");
  const error = page.locator("#error");
  assert.match(await error.textContent(), /view '<b>x<\/b>' is unknown; allowed: sim, trial, predict, sweeps, sensitivity, notes/);
  assert.equal(await error.locator("b").count(), 0);
  assert.deepEqual((await state(page)).visible, ["sim"]);
  await page.close();
});
