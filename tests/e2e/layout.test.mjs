// The page while a parameter changes, at a desktop's size (1366×900) and a
// phone's (390×844): the charts stay in view (a sticky chart column; a
// compact chart pinned on top), a refused value is explained beside its
// field and in a live region while the field shows the value in use,
// numbers stay compact and nothing grows wider than a phone, a failed
// first solve says there is nothing to show, one colour per response
// class in every chart and badge, job-panel charts at the device pixel
// ratio, workers started without a deprecation warning, the model notes
// open at their top; and the screenshots of all of it.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import {
  drag,
  launchPlain,
  nextFrames,
  openSized,
  pixelHash,
  screenshot,
  serveStatic,
  showView,
  waitForChart,
} from "./lib.mjs";

const DESKTOP = { width: 1366, height: 900, dpr: 1 };
const PHONE = { width: 390, height: 844, dpr: 3 };
const SIZES = [
  ["desktop", DESKTOP],
  ["phone", PHONE],
];

let server;
let browser;
before(async () => {
  server = await serveStatic();
  browser = await launchPlain();
});
after(async () => {
  await browser?.close();
  await server?.close();
});

/** An element's box in the window's coordinates. */
async function box(page, selector) {
  return page.locator(selector).evaluate((e) => {
    const r = e.getBoundingClientRect();
    return { top: r.top, bottom: r.bottom, left: r.left, right: r.right, width: r.width, height: r.height };
  });
}

/** True when the element is wholly inside the window (else why not). */
async function inWindow(page, selector) {
  const r = await box(page, selector);
  const [w, h] = await page.evaluate(() => [innerWidth, innerHeight]);
  const inside = r.width > 0 && r.height > 0 && r.top >= -0.5 && r.left >= -0.5 && r.bottom <= h + 0.5 && r.right <= w + 0.5;
  return inside || `${selector} at ${JSON.stringify(r)}, window ${w}×${h}`;
}

/** Put a parameter's row at the bottom of the window, as a reader scrolling down the list would. */
async function scrollToRow(page, name) {
  await page.evaluate((n) => document.getElementById(`p-${n}-row`).scrollIntoView({ block: "end" }), name);
  await nextFrames(page, 2);
}

/** The parameters in list order. */
async function paramNames(page) {
  return page.locator(".param").evaluateAll((rows) => rows.map((r) => r.id.replace(/^p-/, "").replace(/-row$/, "")));
}

/** Submit text typed into a field. */
async function type(page, selector, text) {
  await page.locator(selector).fill(text);
  await page.locator(selector).press("Enter");
}

/** Elements reaching beyond the window's width, outside any scrolling box. */
async function widerThanWindow(page) {
  return page.evaluate(() => {
    const clipped = (e) => {
      for (let a = e.parentElement; a && a !== document.body; a = a.parentElement) {
        const o = getComputedStyle(a).overflowX;
        if (o === "auto" || o === "scroll" || o === "hidden" || o === "clip") return true;
      }
      return false;
    };
    const out = [];
    for (const e of document.body.querySelectorAll("*")) {
      const r = e.getBoundingClientRect();
      if (r.width === 0 || r.height === 0) continue;
      if ((r.right > innerWidth + 1 || r.left < -1) && !clipped(e)) {
        out.push(`${e.tagName.toLowerCase()}#${e.id}.${e.className} [${Math.round(r.left)}, ${Math.round(r.right)}]`);
      }
    }
    return { out, scrollWidth: document.documentElement.scrollWidth, width: innerWidth };
  });
}

for (const [name, size] of SIZES) {
  test(`${name}: the main chart is in view while a parameter near the bottom of the list changes`, async () => {
    const page = await openSized(browser, `${server.url}?model=clinical&preset=cr`, size);
    await waitForChart(page, "chart-main");
    const names = await paramNames(page);
    assert.ok(names.length >= 17, names.join(","));
    const last = names[names.length - 1];
    await scrollToRow(page, last);
    assert.ok((await page.evaluate(() => scrollY)) > 200, "the list did not need scrolling: not a test");
    assert.equal(await inWindow(page, `#p-${last}-row`), true);
    if (name === "phone") {
      // The pinned chart does not cover the row being changed, and the
      // slider spans the row.
      const pane = await box(page, "#chart-pane");
      const row = await box(page, `#p-${last}-row`);
      assert.ok(pane.bottom <= row.top, `the pinned chart covers the row: ${JSON.stringify({ pane, row })}`);
      const slider = await box(page, `#p-${last}-slider`);
      assert.ok(slider.width >= 0.8 * size.width, `slider only ${slider.width}px wide`);
      assert.ok(pane.height <= 0.4 * size.height, `the pinned chart takes ${pane.height}px`);
    } else {
      // Both time charts, side by side, in view.
      assert.equal(await inWindow(page, "#chart-cart"), true);
    }

    // Drag the slider: the chart changes where it can be seen.
    const before = await pixelHash(page, "chart-main");
    await page.focus(`#p-${last}-slider`);
    for (const p of [300, 350, 400]) {
      await drag(page, last, p);
      await nextFrames(page, 2);
      assert.equal(await inWindow(page, "#chart-main"), true);
    }
    assert.notEqual(await pixelHash(page, "chart-main"), before, "the chart did not change");
    assert.equal(await page.locator(`#p-${last}-row`).getAttribute("class"), "param changed");
    await screenshot(page, name === "phone" ? "phone-dragging" : "desktop-editing", { fullPage: false });

    // Typing an exact value too.
    await type(page, `#p-${last}`, "20");
    await page.waitForFunction((n) => location.search.includes(`${n}=20`), last);
    assert.equal(await inWindow(page, "#chart-main"), true);
    assert.deepEqual(page.problems, []);
    await page.close();
  });

  test(`${name}: a refused value is explained beside its field and in a live region; the field shows the value in use`, async () => {
    const page = await openSized(browser, `${server.url}?model=clinical&preset=cr`, size);
    await waitForChart(page, "chart-main");
    const names = await paramNames(page);
    const low = names[names.length - 1]; // near the bottom of the list
    const preset = await page.inputValue(`#p-${low}`);
    await type(page, "#p-rTA", "2.5");
    await page.waitForFunction(() => location.search.includes("rTA=2.5"));
    const cases = [
      // [field, text, value in use, whose, what the message says of the text]
      ["rTA", "abc", "2.5", "your previous value", /'abc' is not a number/],
      ["rTA", "-5", "2.5", "your previous value", /-5 is out of range/],
      [low, "1e300", preset, "the scenario's value", /1e\+300 is out of range/],
    ];
    for (const [key, text, inUse, whose, said] of cases) {
      if (key === low) await scrollToRow(page, low);
      await type(page, `#p-${key}`, text);
      const msg = page.locator(`#p-${key}-msg`);
      await page.waitForFunction((k) => document.getElementById(`p-${k}-msg`).textContent !== "", key);
      const message = await msg.textContent();
      assert.match(message, said);
      assert.ok(message.includes(`Still using ${inUse}, ${whose}.`), message);
      assert.match(message, /allowed: /);
      // The field shows the value in use, marked as refused.
      assert.equal(await page.inputValue(`#p-${key}`), inUse);
      assert.equal(await page.getAttribute(`#p-${key}`, "aria-invalid"), "true");
      assert.match(await page.getAttribute(`#p-${key}`, "aria-describedby"), new RegExp(`p-${key}-msg`));
      // Beside the field: right under it, in its row, and on screen.
      const field = await box(page, `#p-${key}`);
      const m = await box(page, `#p-${key}-msg`);
      assert.ok(m.top >= field.bottom - 1 && m.top - field.bottom < 48, `message ${JSON.stringify(m)} not under field ${JSON.stringify(field)}`);
      assert.equal(await page.locator(`#p-${key}-row #p-${key}-msg`).count(), 1);
      assert.equal(await inWindow(page, `#p-${key}-msg`), true);
      // And in a live region, for screen readers.
      const live = await page.evaluate(
        (t) =>
          [...document.querySelectorAll("[aria-live], [role=status], [role=alert]")].some(
            (e) => e.getAttribute("aria-live") !== "off" && e.textContent.includes(t),
          ),
        message,
      );
      assert.ok(live, "the message is in no live region");
      // The banner at the top is for links and files, not for this.
      assert.equal(await page.locator("#error").isHidden(), true);
    }
    // Numbers stay short: 1e300 is never written out in full.
    const longest = await page.evaluate(() => Math.max(0, ...(document.body.innerText.match(/\d+/g) || []).map((d) => d.length)));
    assert.ok(longest <= 12, `a ${longest}-digit number on the page`);
    if (name === "phone") {
      const wide = await widerThanWindow(page);
      assert.deepEqual(wide.out, [], "elements wider than the phone");
      assert.ok(wide.scrollWidth <= wide.width, `the page is ${wide.scrollWidth}px wide on a ${wide.width}px phone`);
    }
    // A good value clears the message.
    await type(page, "#p-rTA", "3");
    await page.waitForFunction(() => document.getElementById("p-rTA-msg").textContent === "");
    assert.equal(await page.getAttribute("#p-rTA", "aria-invalid"), null);

    // Solver fields too, with the number compact.
    await page.evaluate(() => document.getElementById("rtol").scrollIntoView({ block: "center" }));
    await type(page, "#rtol", "1e300");
    await page.waitForFunction(() => document.getElementById("rtol-msg").textContent !== "");
    const rtol = await page.textContent("#rtol-msg");
    assert.match(rtol, /1e\+300/);
    assert.match(rtol, /Still using 1e-6/);
    assert.equal(await page.inputValue("#rtol"), "1e-6");
    if (name === "phone") {
      assert.deepEqual((await widerThanWindow(page)).out, []);
      await screenshot(page, "phone-refused-value", { fullPage: false });
    }
    assert.deepEqual(page.problems, []);
    await page.close();
  });

  test(`${name}: the model notes open at their top`, async () => {
    const page = await openSized(browser, `${server.url}?model=clinical&preset=cr`, size);
    await waitForChart(page, "chart-main");
    // From far down the page (the job panels).
    await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
    assert.ok((await page.evaluate(() => scrollY)) > 500);
    await page.evaluate(() => document.getElementById("view-notes").click());
    await page.waitForFunction(() => !document.getElementById("notes").hidden);
    assert.equal(await page.evaluate(() => scrollY), 0);
    const notes = await box(page, "#notes section:not([hidden]) h2 >> nth=0");
    assert.ok(notes.top >= 0 && notes.top < 260, `the notes start ${notes.top}px down`);
    assert.equal(await page.locator("#jobs-wrap").isHidden(), true);
    assert.equal(await page.locator("#simulator").isHidden(), true);
    if (name === "desktop") await screenshot(page, "model-notes", { fullPage: false });
    // And back.
    await page.evaluate(() => document.getElementById("view-sim").click());
    await page.waitForFunction(() => !document.getElementById("simulator").hidden);
    assert.equal(await page.locator("#jobs-wrap").isVisible(), false);
    assert.equal(await page.locator("#simulator").isVisible(), true);
    assert.deepEqual(page.problems, []);
    await page.close();
  });
}

test("numbers stay short in every model's help, messages and notes", async () => {
  for (const model of ["clinical", "marrow"]) {
    const page = await openSized(browser, `${server.url}?model=${model}`, DESKTOP);
    await waitForChart(page, "chart-main");
    const names = await paramNames(page);
    const last = names[names.length - 1];
    await scrollToRow(page, last);
    await type(page, `#p-${last}`, "1e300");
    await page.waitForFunction((k) => document.getElementById(`p-${k}-msg`).textContent !== "", last);
    const digits = async () =>
      page.evaluate(() => {
        // Every text of the page, shown or not (help shows on hover).
        const runs = document.body.textContent.match(/\d+/g) || [];
        return runs.sort((a, b) => b.length - a.length)[0];
      });
    const longest = await digits();
    assert.ok(longest.length <= 12, `${model}: ${longest}`);
    await page.evaluate(() => document.getElementById("view-notes").click());
    await page.waitForFunction(() => document.getElementById("notes-params").children.length > 0);
    assert.ok((await digits()).length <= 12, `${model} notes`);
    await page.close();
  }
});

test("a first solve that fails says there is nothing to show, not a last good result", async () => {
  const page = await openSized(browser, `${server.url}?model=clinical&preset=cr&solver=rk4&dt=0.00001`, DESKTOP);
  await page.waitForFunction(() => document.getElementById("results").classList.contains("stale"));
  const text = await page.textContent("#error");
  assert.match(text, /more than 200000 steps/);
  assert.match(text, /no earlier result/);
  assert.doesNotMatch(text, /last good result/);
  assert.ok((await waitForChart(page, "chart-main")) > 1, "the chart says nothing");
  assert.equal(await page.textContent("#response"), "–");
  await type(page, "#dt", "0.01");
  await page.waitForFunction(() => !document.getElementById("results").classList.contains("stale"));
  assert.equal(await page.textContent("#response"), "CR");
  assert.equal(await page.locator("#error").isHidden(), true);
  await page.close();
});

/** The legend a chart was drawn with: {label: "#rrggbb"}. */
async function legend(page, id) {
  const text = await page.getAttribute(`#${id}`, "data-legend");
  assert.ok(text, `#${id} has no legend data`);
  return Object.fromEntries(JSON.parse(text).map((k) => [k.label, k.color]));
}

/** Pixels of a canvas exactly of colour `hex`. */
async function pixelsOf(page, id, hex) {
  return page.evaluate(
    ([canvasId, h]) => {
      const [r, g, b] = [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16));
      const c = document.getElementById(canvasId);
      const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 0; i < d.length; i += 4) if (d[i] === r && d[i + 1] === g && d[i + 2] === b) n += 1;
      return n;
    },
    [id, hex],
  );
}

/** A canvas's backing store is its CSS size times the device pixel ratio. */
async function atPixelRatio(page, id) {
  return page.evaluate((canvasId) => {
    const c = document.getElementById(canvasId);
    const r = devicePixelRatio;
    const ok = Math.abs(c.width - c.clientWidth * r) <= 1 && Math.abs(c.height - c.clientHeight * r) <= 1;
    return ok || `#${canvasId}: ${c.width}×${c.height} for ${c.clientWidth}×${c.clientHeight} CSS px at ratio ${r}`;
  }, id);
}

async function waitState(page, prefix, timeout) {
  await page.waitForFunction(
    (p) => ["done", "error"].includes(document.getElementById(`${p}-status`)?.dataset.state),
    prefix,
    { timeout, polling: 100 },
  );
  return page.getAttribute(`#${prefix}-status`, "data-state");
}

test("one colour per class in every chart and the badge; job charts at the device pixel ratio; workers start without warnings", { timeout: 300_000 }, async () => {
  const page = await openSized(browser, `${server.url}?model=clinical&preset=cr`, { ...DESKTOP, dpr: 2 });
  const warnings = [];
  page.on("console", (m) => {
    if (/deprecated/i.test(m.text())) warnings.push(m.text());
  });
  const palette = JSON.parse(await page.getAttribute("body", "data-class-colors"));
  const CR = palette.CR;
  assert.match(CR, /^#[0-9a-f]{6}$/);
  assert.equal(new Set(["CR", "NR", "CD19+ relapse", "CD19- relapse"].map((k) => palette[k])).size, 4, "two classes share a colour");

  // The simulator: its bands and its badge.
  await page.waitForFunction(() => document.getElementById("bands-status")?.dataset.ms !== undefined, null, { timeout: 60000 });
  await waitForChart(page, "chart-ft");
  const simFt = await legend(page, "chart-ft");
  assert.equal(simFt.CR, CR);
  for (const [label, color] of Object.entries({ ...simFt, ...(await legend(page, "chart-fp")) })) {
    assert.equal(color, palette[label], `simulator bands: ${label}`);
  }
  assert.ok((await pixelsOf(page, "chart-ft", CR)) > 1000, "the CR band is not drawn in CR's colour");
  const badge = await page.locator("#response").evaluate((e) => getComputedStyle(e).backgroundColor);
  const rgb = (h) => `rgb(${[1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16)).join(", ")})`;
  assert.equal(badge, rgb(CR), "the CR badge");

  // A small trial: its bands and its box plots.
  await showView(page, "trial");
  for (const [id, v] of Object.entries({ "cohort-per": 20, "cohort-seed": 5, "cohort-bank": 200, "cohort-noise": 0 })) {
    await page.fill(`#${id}`, String(v));
  }
  await page.click("#cohort-run");
  assert.equal(await waitState(page, "cohort", 180000), "done", await page.textContent("#cohort-status"));
  const jobCharts = ["cohort-peak", "cohort-auc", "cohort-ft", "cohort-bands-ft", "cohort-bands-fp"];
  for (const id of jobCharts) await waitForChart(page, id);
  await page.waitForFunction(() => document.getElementById("cohort-bands-fp").dataset.legend !== undefined);
  const trialFt = await legend(page, "cohort-bands-ft");
  const boxes = await legend(page, "cohort-peak");
  assert.equal(trialFt.CR, CR, "trial bands");
  assert.equal(boxes.CR, CR, "box plots");
  assert.deepEqual(Object.keys(boxes), ["CR", "NR", "CD19+ relapse", "CD19- relapse"], "box plots are labelled by class");
  for (const id of jobCharts) {
    for (const [label, color] of Object.entries(await legend(page, id))) {
      assert.equal(color, palette[label], `${id}: ${label}`);
    }
    assert.equal(await atPixelRatio(page, id), true);
  }
  assert.ok((await pixelsOf(page, "cohort-bands-ft", CR)) > 1000, "the trial's CR band is not in CR's colour");
  const summary = await page.locator("#cohort-summary tbody").textContent();
  assert.match(summary, /CD19\+ relapse/);
  assert.doesNotMatch(summary, /relapse-pos/);
  await screenshot(page, "trial-panel", { element: "#cohort" });

  // Early prediction: its chart.
  await showView(page, "predict");
  await page.selectOption("#predict-scenario", "nr");
  await page.click("#predict-fill");
  await page.click("#predict-run");
  assert.equal(await waitState(page, "predict", 180000), "done", await page.textContent("#predict-status"));
  await waitForChart(page, "predict-chart");
  assert.equal(await atPixelRatio(page, "predict-chart"), true);
  await screenshot(page, "prediction-panel", { element: "#predict" });

  // A heatmap.
  await showView(page, "sweeps");
  await page.selectOption("#sweep-pair", "alpha-h");
  for (const id of ["sweep-x-n", "sweep-y-n"]) await page.fill(`#${id}`, "20");
  await page.click("#sweep-run");
  assert.equal(await waitState(page, "sweep", 120000), "done", await page.textContent("#sweep-status"));
  await page.waitForSelector('#sweep-canvas[data-cells="400"]');
  assert.equal(await atPixelRatio(page, "sweep-canvas"), true);
  await screenshot(page, "sweep-panel", { element: "#sweep" });

  // A narrower window: the job charts are drawn again at their new size
  // (the hidden views' when they are shown again).
  await page.setViewportSize({ width: 900, height: 900 });
  await page.waitForTimeout(600);
  assert.equal(await atPixelRatio(page, "sweep-canvas"), true);
  await showView(page, "predict");
  await page.waitForTimeout(300);
  assert.equal(await atPixelRatio(page, "predict-chart"), true);
  await showView(page, "trial");
  await page.waitForTimeout(300);
  for (const id of jobCharts) assert.equal(await atPixelRatio(page, id), true);
  assert.deepEqual(warnings, [], "console warnings");
  assert.deepEqual(page.problems, []);
  await page.close();
});
