// Catalogue import (issue 14): a manager downloads the products template, uploads a file with
// one bad row, sees the row's line and reason, uploads the corrected file, applies it, ticks
// the new products in the list and prints their labels; the printed bars are rasterised and
// decoded back to the barcode a till would scan.
const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const { PNG } = require("pngjs");
const {
  MultiFormatReader,
  BarcodeFormat,
  DecodeHintType,
  RGBLuminanceSource,
  BinaryBitmap,
  HybridBinarizer,
} = require("@zxing/library");
const { BASE, PASSWORD, launch, shot, signIn, watchErrors } = require("./support");

function ean13(body12) {
  const body = String(body12).padStart(12, "0");
  const sum = body.split("").reverse().reduce((acc, d, i) => acc + Number(d) * (i % 2 === 0 ? 3 : 1), 0);
  return body + ((10 - (sum % 10)) % 10);
}

// Reads a barcode from a PNG screenshot with ZXing, as a phone or a scanner's decoder would.
function decode(png) {
  const img = PNG.sync.read(png);
  const lum = new Uint8ClampedArray(img.width * img.height);
  for (let i = 0; i < lum.length; i++) {
    const [r, g, b] = [img.data[i * 4], img.data[i * 4 + 1], img.data[i * 4 + 2]];
    lum[i] = (r * 299 + g * 587 + b * 114) / 1000;
  }
  const bitmap = new BinaryBitmap(new HybridBinarizer(new RGBLuminanceSource(lum, img.width, img.height)));
  const hints = new Map([
    [DecodeHintType.POSSIBLE_FORMATS, [BarcodeFormat.EAN_13, BarcodeFormat.CODE_128]],
    [DecodeHintType.TRY_HARDER, true],
  ]);
  return new MultiFormatReader().decode(bitmap, hints).getText();
}

test("a product file with a bad row is fixed, applied and labelled", async () => {
  const browser = await launch();
  try {
    const context = await browser.newContext({ viewport: { width: 1366, height: 650 }, acceptDownloads: true });
    const page = await context.newPage();
    const errors = watchErrors(page);
    await signIn(page, "manager", PASSWORD);
    await page.goto(`${BASE}/imports`);

    // The template: the header row a file needs.
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.click("details[open] >> text=download template"),
    ]);
    const header = fs.readFileSync(await download.path(), "utf8").replace(/^\uFEFF/, "").trim();
    assert.match(header, /^Name,SKU,Category,Barcode,Cost price,Base price,Discount price/);

    const stamp = String(Date.now()).slice(-6);
    const good = ean13(`48099${stamp}1`);
    const other = ean13(`48099${stamp}2`);
    const wrong = other.slice(0, 12) + String((Number(other[12]) + 1) % 10);
    const cols = header.split(",").length;
    const line = (cells) => cells.concat(Array(cols - cells.length).fill("")).join(",");
    const file = (second) =>
      [header, line([`Desk lamp ${stamp}`, `DL-${stamp}`, "Accessory", good, "300", "549.00", "", "4", "no", "yes"]),
        line([`Power bank ${stamp}`, `PB-${stamp}`, "Accessory", second, "500", "899.00", "799.00", "4", "no", "yes"])].join("\n") + "\n";

    await page.selectOption("select[name=kind]", "products");
    await page.setInputFiles("input[name=file]", { name: "new-products.csv", mimeType: "text/csv", buffer: Buffer.from(file(wrong)) });
    await Promise.all([page.waitForNavigation(), page.click("button:has-text('Preview')")]);
    await page.waitForSelector("#problems");
    const problem = await page.textContent("#problems tbody tr");
    assert.match(problem, /3\s*Barcode/);
    assert.match(problem, /check digit is wrong/);
    assert.equal(await page.$("text=Apply:"), null, "no apply while a row is wrong");
    await shot(page, "90-import-problem");

    // The corrected file, from the same page.
    await page.setInputFiles("input[name=file]", { name: "new-products.csv", mimeType: "text/csv", buffer: Buffer.from(file(other)) });
    await Promise.all([page.waitForNavigation(), page.click("text=Preview the corrected file")]);
    await page.waitForSelector("text=Apply: 2 new, 0 updated");
    assert.equal((await page.textContent("[data-count=created]")).trim(), "2");
    await Promise.all([page.waitForNavigation(), page.click("text=Apply: 2 new, 0 updated")]);
    await page.waitForSelector("text=2 created, 0 updated");
    await shot(page, "91-import-applied");

    // The new products in the list, ticked, printed as labels.
    await page.goto(`${BASE}/products?q=${stamp}`);
    await page.waitForSelector(`text=Desk lamp ${stamp}`);
    for (const box of await page.$$("input[name=id][form=labels]")) await box.check();
    await page.fill("input[name=copies]", "2");
    const [labels] = await Promise.all([
      context.waitForEvent("page"),
      page.click("text=Print labels for the ticked products"),
    ]);
    await labels.waitForLoadState();
    await labels.waitForSelector(".label-bars svg");
    assert.equal(await labels.locator("article.label").count(), 4);
    assert.ok((await labels.textContent("main")).includes("799.00"), "the discount price is on the label");
    await shot(labels, "92-labels-a4");

    // Rasterised at a label printer's resolution and decoded: the bars are the barcode.
    const sharp = await browser.newPage({ viewport: { width: 900, height: 700 }, deviceScaleFactor: 3 });
    await signIn(sharp, "manager", PASSWORD);
    await sharp.goto(labels.url().replace("layout=a4", "layout=roll"));
    const codes = await sharp.$$eval(".label-bars", (els) => els.map((e) => e.dataset.barcode));
    const bars = await sharp.$$(".label-bars");
    const read = [];
    for (const el of bars) read.push(decode(await el.screenshot()));
    assert.deepEqual(read, codes);
    assert.ok(read.includes(good) && read.includes(other));
    await sharp.close();
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

test("the imports page fits a phone", async () => {
  const browser = await launch();
  try {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    const errors = watchErrors(page);
    await signIn(page, "manager", PASSWORD);
    await page.goto(`${BASE}/imports`);
    await page.waitForSelector("input[name=file]");
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `no sideways scrolling (${overflow}px)`);
    await shot(page, "93-imports-phone");
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});
