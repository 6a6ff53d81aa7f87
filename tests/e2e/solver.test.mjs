// The solver menu's automatic method on a stiff scenario: where
// Dormand–Prince gives up, `auto` solves, and the solver statistics say
// which method ran over which days (issue 18).
import { test } from "node:test";
import assert from "node:assert/strict";
import { nextFrames, openPage, useBrowser } from "./lib.mjs";

const env = useBrowser();

/** The solver statistics line. */
const stats = (page) => page.locator("#solver-stats").textContent();

test("the automatic method on a stiff scenario says which method ran over which days", async (t) => {
  // fig3 with h = 75 cells: the system turns stiff near day 18 and
  // Dormand–Prince (asked for in the link) gives up, naming the stiff solvers.
  const page = await openPage(
    env.browser.context,
    `${env.server.url}?v=1&model=marrow&preset=fig3&h=75&solver=dopri5`,
  );
  await page.waitForFunction(
    () => /became stiff/.test(document.getElementById("error").textContent),
    null,
    { timeout: 15000 },
  );
  assert.match(await page.locator("#error").textContent(), /rosenbrock or auto/);

  // auto is the default: its link carries no `solver=`.
  await page.selectOption("#solver-method", "auto");
  await page.waitForFunction(() => !location.search.includes("solver="));
  await page.waitForFunction(
    () => document.getElementById("solver-stats").textContent.includes("Rodas4"),
    null,
    { timeout: 15000 },
  );
  await nextFrames(page);
  assert.equal(await page.locator("#error").isHidden(), true);
  const text = await stats(page);
  t.diagnostic(text);
  // "…; Dormand–Prince days 0–17.9, Rodas4 days 17.9–270"
  assert.match(text, /steps accepted/);
  assert.match(text, /Dormand–Prince days 0–\d+(\.\d+)?, Rodas4 days \d+(\.\d+)?–/, text);
  assert.match(text, /–270$/, text);

  // A fixed method's line names no spans.
  await page.selectOption("#solver-method", "rosenbrock");
  await page.waitForFunction(() => location.search.includes("solver=rosenbrock"));
  await page.waitForFunction(
    () => !document.getElementById("solver-stats").textContent.includes("days"),
    null,
    { timeout: 15000 },
  );
  assert.doesNotMatch(await stats(page), /Dormand–Prince days/);
  assert.deepEqual(page.problems, []);
  await page.close();
});
