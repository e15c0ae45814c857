// Cafe stats and the payment QR (issue 15, last part): a manager reads the stats page (charts
// with their numbers, from the demo's four weeks of bills), downloads the top items as CSV and
// reads it on a phone; then uploads the cafe's own GCash QR, chooses it, and the printed bill
// of a takeaway order carries it with the amount.
const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const { PNG } = require("pngjs");
const { BASE, PASSWORD, launch, shot, signIn, watchErrors } = require("./support");

test("a manager reads the cafe stats and downloads the top items", async () => {
  const browser = await launch();
  try {
    const context = await browser.newContext({ viewport: { width: 1366, height: 650 }, acceptDownloads: true });
    const page = await context.newPage();
    const errors = watchErrors(page);
    await signIn(page, "manager", PASSWORD);
    await Promise.all([page.waitForNavigation(), page.click("nav >> text=Cafe stats")]);
    await page.waitForSelector("h1:has-text('Cafe stats')");
    // Four charts, each with its numbers: the demo's past bills fill the top ten.
    assert.equal(await page.locator("svg.chart").count(), 4);
    assert.equal(await page.locator("#top-items tbody tr").count(), 10);
    assert.ok((await page.locator("#categories tbody tr").count()) >= 3);
    const bars = await page.locator("svg.chart rect.bar").count();
    assert.ok(bars > 30, `bars drawn: ${bars}`);
    await shot(page, "96-cafe-stats");

    const [download] = await Promise.all([page.waitForEvent("download"), page.click("text=CSV >> nth=0")]);
    const rows = fs.readFileSync(await download.path(), "utf8").replace(/^\uFEFF/, "").trim().split(/\r?\n/);
    assert.equal(rows[0], "Rank,Item,Category,Quantity,Revenue");
    assert.equal(rows.length, 11);
    const first = await page.textContent("#top-items tbody tr:first-child td:nth-child(2)");
    assert.ok(first.includes(rows[1].split(",")[1]), `${first} / ${rows[1]}`);

    // A reversed range is explained, not a broken page.
    const bad = await context.request.get(`${BASE}/cafe/stats?from=2026-11-20&to=2026-11-10`);
    assert.equal(bad.status(), 400);
    assert.match(await bad.text(), /starts after it ends/);

    // On a phone the page fits the screen: no sideways scrolling.
    const phone = await browser.newPage({ viewport: { width: 390, height: 844 } });
    const phoneErrors = watchErrors(phone);
    await signIn(phone, "manager", PASSWORD);
    await phone.goto(`${BASE}/cafe/stats`);
    await phone.waitForSelector("svg.chart");
    const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 1, `the page is ${overflow}px wider than the phone`);
    await shot(phone, "97-cafe-stats-phone");
    assert.deepEqual(errors, []);
    assert.deepEqual(phoneErrors, []);
  } finally {
    await browser.close();
  }
});

function qrPicture(path) {
  // A 21 × 21 black-and-white pattern scaled up: what a bank's QR picture looks like to us.
  const png = new PNG({ width: 210, height: 210 });
  for (let y = 0; y < 210; y++) {
    for (let x = 0; x < 210; x++) {
      const dark = ((Math.floor(x / 10) * 7 + Math.floor(y / 10) * 3) % 5) < 2;
      const i = (y * 210 + x) * 4;
      png.data[i] = png.data[i + 1] = png.data[i + 2] = dark ? 0 : 255;
      png.data[i + 3] = 255;
    }
  }
  fs.writeFileSync(path, PNG.sync.write(png));
}

test("the cafe's own GCash QR is printed on the bill", async () => {
  const browser = await launch();
  try {
    const page = await browser.newPage({ viewport: { width: 1366, height: 650 } });
    const errors = watchErrors(page);
    await signIn(page, "manager", PASSWORD);
    await page.goto(`${BASE}/settings/cafe`);
    const file = `${require("node:os").tmpdir()}/tillpoint-qr-${Date.now()}.png`;
    qrPicture(file);
    await page.setInputFiles("input[name=image]", file);
    await Promise.all([page.waitForNavigation(), page.click("button:has-text('Upload QR picture')")]);
    await page.waitForSelector("text=Payment QR picture saved");
    await page.check("input[name=payment_qr][value=picture]");
    await page.fill("input[name=payment_qr_label]", "GCash");
    await Promise.all([page.waitForNavigation(), page.click("button:has-text('Save settings')")]);
    await page.waitForSelector("text=Cafe settings saved");

    // A takeaway order, then its bill.
    await page.goto(`${BASE}/floor`);
    await page.fill("input[name=customer_name]", "QR payer");
    await Promise.all([page.waitForNavigation(), page.click("button:has-text('Open')")]);
    const option = await page.$eval("select[name=menu_item_id]", (s) => [...s.options].find((o) => o.value && !o.disabled).value);
    await page.selectOption("select[name=menu_item_id]", option);
    await Promise.all([page.waitForNavigation(), page.click("button:has-text('Add and send to kitchen')")]);
    await Promise.all([page.waitForNavigation(), page.click("text=Bill (print view)")]);
    await page.waitForSelector("text=Scan to pay with GCash: ₱");
    const loaded = await page.$eval("img[src='/cafe/payment-qr']", (img) => img.complete && img.naturalWidth > 0);
    assert.ok(loaded, "the QR picture is shown");
    await shot(page, "98-bill-gcash-qr");
    fs.unlinkSync(file);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});
