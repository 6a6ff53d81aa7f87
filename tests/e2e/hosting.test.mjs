// Hosting (issue 14, items 1–2): dist/ copied into a nested folder of a
// plain static server works unchanged (relative URLs, the strict CSP);
// after one visit it works offline (service worker, www/sw.js); a new build
// takes over when the page's banner says so, never mixing files of two
// builds; the web app manifest makes it installable, scoped to its folder;
// a file that fails to load is named in #error, in words.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DIST, launchBrowser, openPage, serveUnder, waitForChart } from "./lib.mjs";

const PREFIX = "/course/unit-3/cartsim/";

/** Open the page and wait for a solve: both charts drawn, the badge classed. */
async function openSolved(context, url) {
  const page = await openPage(context, url);
  await solved(page);
  return page;
}

async function solved(page) {
  for (const id of ["chart-main", "chart-cart"]) {
    const colours = await waitForChart(page, id, 30000);
    assert.ok(colours > 20, `#${id} has only ${colours} colours`);
  }
  const error = page.locator("#error");
  assert.equal(await error.isHidden(), true, `#error: ${await error.textContent()}`);
  await page.waitForFunction(() => document.getElementById("response").dataset.class, null, {
    timeout: 15000,
  });
}

/** Run a small virtual trial in the page's Web Workers; resolves to its status text. */
async function runTrial(page) {
  // The trial has a view (tab) of its own.
  if (await page.locator("#view-trial").isVisible()) await page.click("#view-trial");
  await page.waitForSelector("#cohort-run:not([disabled])");
  for (const [id, v] of Object.entries({ "cohort-per": 5, "cohort-seed": 3, "cohort-bank": 50, "cohort-noise": 0 })) {
    await page.fill(`#${id}`, String(v));
  }
  await page.click("#cohort-run");
  await page.waitForFunction(
    () => ["done", "error", "cancelled"].includes(document.getElementById("cohort-status").dataset.state),
    null,
    { timeout: 120000, polling: 100 },
  );
  const status = await page.textContent("#cohort-status");
  assert.equal(await page.getAttribute("#cohort-status", "data-state"), "done", status);
  assert.equal(JSON.parse(await page.textContent("#cohort-json")).patients, 20);
  return status;
}

/** Wait until this page's service worker is active; resolves to its registration's scope. */
async function swActive(page) {
  return page.evaluate(async () => {
    const reg = await navigator.serviceWorker.ready;
    const sw = reg.active;
    if (sw.state !== "activated") {
      await new Promise((ok) => sw.addEventListener("statechange", () => sw.state === "activated" && ok()));
    }
    return reg.scope;
  });
}

/** The service worker's build: the `const BUILD = {…};` line of sw.js in `dir`. */
function readBuild(dir) {
  const sw = readFileSync(join(dir, "sw.js"), "utf8");
  const m = sw.match(/^const BUILD = (\{.*\});$/m);
  assert.ok(m, "sw.js has no build list: build with `cargo xtask dist`");
  return { sw, line: m[0], build: JSON.parse(m[1]) };
}

const sha256 = (bytes) => createHash("sha256").update(bytes).digest("hex");

test("dist/ under a nested folder: no 404, no console error, a solve and a worker job", async () => {
  const server = await serveUnder(DIST, PREFIX);
  const browser = await launchBrowser();
  try {
    const page = await openSolved(browser.context, `${server.url}?model=clinical&preset=cr`);
    assert.equal(await page.locator("#response").getAttribute("data-class"), "CR");
    const status = await runTrial(page);
    assert.equal(await swActive(page), server.url);
    assert.deepEqual(page.problems, [], "console/page/network problems");
    // Everything the page asked for is inside its folder, and was there.
    const outside = server.requests.filter((p) => !p.startsWith(PREFIX));
    assert.deepEqual(outside, [], "requests outside the folder");
    for (const f of ["boot.js", "worker.js", "sw.js", "manifest.webmanifest"]) {
      assert.ok(server.requests.includes(PREFIX + f), `${f} was not requested (${server.requests.join(", ")})`);
    }
    assert.ok(server.requests.some((p) => /^\/course\/unit-3\/cartsim\/cartsim-web-[0-9a-f]+_bg\.wasm$/.test(p)));
    assert.ok(server.requests.some((p) => /\/style-[0-9a-f]+\.css$/.test(p)));
    console.log(`under ${PREFIX}: ${new Set(server.requests).size} files; trial: ${status}`);
  } finally {
    await browser.close();
    await server.close();
  }
});

test("after one visit the page works offline: reload, a solve and a worker job", async () => {
  const server = await serveUnder(DIST, PREFIX);
  const browser = await launchBrowser();
  try {
    const page = await openSolved(browser.context, `${server.url}?model=clinical&preset=nr`);
    assert.equal(await swActive(page), server.url);
    const served = server.requests.length;

    await browser.context.setOffline(true);
    assert.equal(await page.evaluate(() => navigator.onLine), false);
    page.problems.length = 0;
    await page.reload({ waitUntil: "load" });
    await solved(page);
    assert.equal(await page.evaluate(() => Boolean(navigator.serviceWorker.controller)), true);
    assert.equal(await page.locator("#response").getAttribute("data-class"), "NR");
    // Another scenario: a new solve, offline.
    await page.click('[data-preset="cr"]');
    await page.waitForFunction(() => document.getElementById("response").dataset.class === "CR");
    const status = await runTrial(page);
    assert.deepEqual(server.requests.slice(served), [], "the server was asked for files while offline");
    assert.deepEqual(page.problems, [], "console/page/network problems offline");
    console.log(`offline: trial ${status}`);
  } finally {
    await browser.close();
    await server.close();
  }
});

test("a new build takes over when the banner's Reload is pressed; open tabs keep their own build", async () => {
  const dir = mkdtempSync(join(tmpdir(), "cartsim-hosting-"));
  cpSync(DIST, dir, { recursive: true, filter: (src) => !src.includes(`${join(DIST, ".stage")}`) });
  const server = await serveUnder(dir, PREFIX);
  const browser = await launchBrowser();
  try {
    const ctx = browser.context;
    const first = await openSolved(ctx, server.url);
    await swActive(first);
    // Two tabs on the cached build (controlled by the service worker).
    const a = await openSolved(ctx, `${server.url}?model=clinical&preset=cr`);
    const b = await openSolved(ctx, `${server.url}?model=clinical&preset=nr`);
    await first.close();
    for (const p of [a, b]) {
      assert.equal(await p.evaluate(() => Boolean(navigator.serviceWorker.controller)), true);
    }
    const oldTitle = await a.title();
    const oldWorker = readFileSync(join(dir, "worker.js"), "utf8");

    // A rebuild, as `cargo xtask dist` then a copy to the server would
    // make it: changed files, their new SHA-256 and a new build id in sw.js.
    const { sw, line, build } = readBuild(dir);
    const html = readFileSync(join(dir, "index.html"), "utf8").replace("<title>cartsim:", "<title>cartsim (new build):");
    writeFileSync(join(dir, "index.html"), html);
    const worker = `${oldWorker}// new build\n`;
    writeFileSync(join(dir, "worker.js"), worker);
    build.files["index.html"] = sha256(html);
    build.files["worker.js"] = sha256(worker);
    build.id = "0123456789abcdef";
    writeFileSync(join(dir, "sw.js"), sw.replace(line, `const BUILD = ${JSON.stringify(build)};`));

    // The page looks for a new version when it comes back into view.
    const layoutBefore = await a.locator("#simulator").boundingBox();
    await a.evaluate(() => document.dispatchEvent(new Event("visibilitychange")));
    const banner = a.locator("#update");
    await banner.waitFor({ state: "visible", timeout: 30000 });
    assert.match(await banner.textContent(), /new version of cartsim is ready/);
    await b.locator("#update").waitFor({ state: "visible", timeout: 30000 });
    // An overlay: nothing moved.
    assert.equal(await banner.evaluate((el) => getComputedStyle(el).position), "fixed");
    assert.deepEqual(await a.locator("#simulator").boundingBox(), layoutBefore);
    assert.equal(await a.title(), oldTitle, "the new build was used before Reload");

    // Reload in tab A: the new build, every file of it.
    await Promise.all([a.waitForEvent("load", { timeout: 30000 }), a.click("#update-reload")]);
    await solved(a);
    assert.match(await a.title(), /^cartsim \(new build\):/);
    assert.equal(await a.evaluate(() => fetch("worker.js").then((r) => r.text())), worker);
    assert.equal(await a.locator("#update").isHidden(), true);

    // Tab B goes on with the build it was loaded with, job workers included,
    // and says a new version is in use elsewhere.
    await b.waitForFunction(() => /another tab/.test(document.getElementById("update-text").textContent));
    assert.equal(await b.evaluate(() => fetch("worker.js").then((r) => r.text())), oldWorker);
    await runTrial(b);
    assert.deepEqual(b.problems, []);
    // Once B reloads, nobody uses the old build: its cache goes.
    if (await b.locator("#view-sim").isVisible()) await b.click("#view-sim");
    await Promise.all([b.waitForEvent("load"), b.click("#update-reload")]);
    await solved(b);
    assert.match(await b.title(), /^cartsim \(new build\):/);
    const builds = () =>
      b.evaluate(async () => (await caches.keys()).filter((k) => k.startsWith("cartsim ") && !k.endsWith(" clients")));
    let left = await builds();
    for (let i = 0; i < 75 && left.length !== 1; i += 1) {
      await b.waitForTimeout(200);
      left = await builds();
    }
    assert.equal(left.length, 1, `caches left: ${left.join(" | ")}`);
    assert.ok(left.some((k) => k.endsWith(" 0123456789abcdef")), left.join(", "));
    assert.deepEqual(a.problems, []);
    console.log(`cache after the update: ${left.join(" | ")}`);
  } finally {
    await browser.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("installable: a valid manifest with its icons; the service worker's scope is the folder", async () => {
  const server = await serveUnder(DIST, PREFIX);
  const browser = await launchBrowser();
  try {
    const page = await openSolved(browser.context, server.url);
    const href = await page.evaluate(() => document.querySelector('link[rel="manifest"]').href);
    assert.equal(href, `${server.url}manifest.webmanifest`);
    const manifest = await (await fetch(href)).json(); // throws if not JSON
    assert.equal(manifest.start_url, "./");
    assert.equal(manifest.scope, "./");
    assert.equal(manifest.display, "standalone");
    assert.ok(manifest.name && manifest.short_name && manifest.theme_color);
    const sizes = new Set();
    for (const icon of manifest.icons) {
      const res = await fetch(new URL(icon.src, href));
      assert.equal(res.status, 200, icon.src);
      const png = Buffer.from(await res.arrayBuffer());
      assert.equal(png.subarray(1, 4).toString("latin1"), "PNG", icon.src);
      const [w, h] = [png.readUInt32BE(16), png.readUInt32BE(20)];
      assert.equal(`${w}x${h}`, icon.sizes, icon.src);
      sizes.add(`${icon.sizes} ${icon.purpose}`);
    }
    for (const want of ["192x192 any", "512x512 any", "512x512 maskable"]) assert.ok(sizes.has(want), want);

    assert.equal(await swActive(page), server.url, "service worker scope");
    // What Chromium itself says: the manifest parses, and nothing stops an install.
    const cdp = await browser.context.newCDPSession(page);
    const { errors } = await cdp.send("Page.getAppManifest");
    assert.deepEqual(errors, []);
    const { installabilityErrors } = await cdp.send("Page.getInstallabilityErrors");
    assert.deepEqual(installabilityErrors, []);
    assert.deepEqual(page.problems, []);
  } finally {
    await browser.close();
    await server.close();
  }
});

test("a file that does not load is named in #error, in words (a missing wasm, a missing stylesheet)", async () => {
  const server = await serveUnder(DIST, PREFIX);
  const browser = await launchBrowser();
  try {
    const page = await browser.context.newPage();
    await page.route(/\.wasm$/, (route) => route.fulfill({ status: 404, body: "not found" }));
    await page.goto(server.url, { waitUntil: "load" });
    await page.locator("#error").waitFor({ state: "visible", timeout: 15000 });
    assert.match(await page.textContent("#error"), /cartsim could not start/);
    await page.close();

    const plain = await browser.context.newPage();
    await plain.route(/\/style-[0-9a-f]+\.css$/, (route) => route.fulfill({ status: 404, body: "not found" }));
    await plain.goto(server.url, { waitUntil: "load" });
    const error = plain.locator("#error");
    await error.waitFor({ state: "visible", timeout: 15000 });
    assert.match(await error.textContent(), /could not load its styles \(\.\/style-[0-9a-f]+\.css\)/);
    // Readable without the stylesheet: a visible paragraph of text near the top.
    const box = await error.boundingBox();
    assert.ok(box && box.height > 10 && box.y < 400, JSON.stringify(box));
    // The simulator itself still runs.
    await waitForChart(plain, "chart-main");
    await plain.close();
  } finally {
    await browser.close();
    await server.close();
  }
});
