// Sharing in class: the QR code of the Share panel decodes (jsQR) to the
// current link and follows it when the scenario changes; the embed
// snippet opens an embed-mode page that shows the charts and exactly the
// listed controls, with a link to the full page; a printed scenario is a
// one- or two-page handout without controls, with the link as text.
import { test } from "node:test";
import assert from "node:assert/strict";
import jsQR from "jsqr";
import { drag, openPage, screenshot, useBrowser, waitForChart } from "./lib.mjs";

const env = useBrowser();

/** Decode the QR code drawn on `#qr`. */
async function readQr(page) {
  const { width, height, data } = await page.evaluate(() => {
    const c = document.getElementById("qr");
    const img = c.getContext("2d").getImageData(0, 0, c.width, c.height);
    return { width: c.width, height: c.height, data: Array.from(img.data) };
  });
  const code = jsQR(Uint8ClampedArray.from(data), width, height);
  assert.ok(code, "the QR code does not decode");
  return code.data;
}

test("the QR code decodes to the current link, and follows it", async () => {
  const page = await openPage(env.browser.context, `${env.server.url}?model=clinical&preset=nr`);
  await waitForChart(page, "chart-main");
  await page.waitForFunction(() => document.getElementById("link").value.includes("preset=nr"));
  assert.equal(await readQr(page), await page.inputValue("#link"));
  await page.fill("#p-rTA", "1.5");
  await page.press("#p-rTA", "Enter");
  await page.waitForFunction(() => document.getElementById("link").value.includes("rTA=1.5"));
  await page.waitForTimeout(100);
  const link = await page.inputValue("#link");
  assert.equal(await readQr(page), link);
  assert.match(await page.textContent("#print-link"), /rTA=1\.5/);
  assert.deepEqual(page.problems, []);
  await page.close();
});

test("the embed snippet opens the charts with exactly the changed parameters' sliders", async () => {
  const page = await openPage(env.browser.context, `${env.server.url}?model=clinical&preset=cr&rTA=1.2&kA=2`);
  await waitForChart(page, "chart-main");
  await page.waitForFunction(() => document.getElementById("embed-code").value.includes("embed=1"));
  const snippet = await page.inputValue("#embed-code");
  assert.match(snippet, /^<iframe src="[^"<>]*" title="cartsim: [^"<>]*" width="100%" height="560" loading="lazy"><\/iframe>$/);
  const src = snippet.match(/src="([^"]*)"/)[1].replaceAll("&amp;", "&");
  assert.match(src, /controls=rTA%2CkA|controls=rTA,kA/);
  await page.close();

  const embed = await openPage(env.browser.context, src);
  await waitForChart(embed, "chart-main");
  await embed.waitForFunction(() => document.documentElement.dataset.embed === "controls");
  const visibleRows = await embed.evaluate(() =>
    [...document.querySelectorAll("#params > .param")].filter((r) => r.checkVisibility()).map((r) => r.id),
  );
  assert.deepEqual(visibleRows.sort(), ["p-kA-row", "p-rTA-row"]);
  for (const sel of [".top", "#presets", "#lesson", "#bands-section", ".share", "#jobs-wrap"]) {
    assert.equal(await embed.locator(sel).first().isVisible(), false, `${sel} shows in embed mode`);
  }
  assert.equal(await embed.locator("#chart-cart").isVisible(), true);
  const open = embed.locator("#embed-open");
  assert.equal(await open.isVisible(), true);
  assert.doesNotMatch(await open.getAttribute("href"), /embed=/);
  assert.match(await open.getAttribute("href"), /rTA=1\.2/);
  // A listed slider still drives the charts.
  await drag(embed, "rTA", 0.8);
  await embed.waitForFunction(() => /rTA=/.test(location.search) && location.search.includes("embed=1"));
  await embed.setViewportSize({ width: 800, height: 560 });
  await screenshot(embed, "embed", { fullPage: false });
  assert.deepEqual(embed.problems, []);
  await embed.close();

  // Charts only, and a name that is no parameter is said in words.
  const bare = await openPage(env.browser.context, `${env.server.url}?model=clinical&preset=cr&embed=1&controls=bogus`);
  await waitForChart(bare, "chart-main");
  assert.equal(await bare.locator("#params").isVisible(), false);
  assert.match(await bare.textContent("#error"), /controls: 'bogus' is not a parameter of the clinical model/);
  await bare.close();
});

test("printing gives a one- or two-page handout: lesson, charts, indices, the link; no controls", async () => {
  const page = await openPage(env.browser.context, `${env.server.url}?model=clinical&preset=relapse-pos`);
  await waitForChart(page, "chart-main");
  await page.waitForFunction(() => document.getElementById("print-link").textContent.includes("relapse-pos"));
  await page.emulateMedia({ media: "print" });
  for (const sel of [".controls", ".views", "#jobs-wrap", ".share-row"]) {
    assert.equal(await page.locator(sel).first().isVisible(), false, `${sel} is printed`);
  }
  for (const sel of ["#lesson", "#chart-main", "#indices-list", "#print-link", "#qr"]) {
    assert.equal(await page.locator(sel).first().isVisible(), true, `${sel} is not printed`);
  }
  await screenshot(page, "print-preview", { fullPage: true });
  const pdf = await page.pdf({ format: "A4", printBackground: true });
  const pages = (pdf.toString("latin1").match(/\/Type\s*\/Page[^s]/g) || []).length;
  assert.ok(pages >= 1 && pages <= 2, `the handout has ${pages} pages`);
  await page.close();
});
