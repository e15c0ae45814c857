// A cashier scans two products (typing the barcode + Enter, as a USB scanner does), pays cash,
// sees the change and the receipt.
const test = require("node:test");
const assert = require("node:assert/strict");
const { BASE, PASSWORD, demoBarcode, launch, shot, signIn, watchErrors, openShift } = require("./support");

// The demo catalogue's barcodes are EAN-13 codes 480100000000 + n with a GS1 check digit.
test("a cashier sells two products for cash and gets a receipt", async () => {
  const browser = await launch();
  try {
    const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
    const consoleErrors = watchErrors(page);
    await signIn(page, "agent", PASSWORD);
    await openShift(page);
    assert.match(page.url(), /\/pos$/);
    await page.waitForSelector("#scan:focus");
    await shot(page, "20-pos-empty");

    // A scanner types fast and ends with Enter.
    await page.keyboard.type(demoBarcode(25), { delay: 5 }); // USB-C Cable 1m
    await page.keyboard.press("Enter");
    await page.waitForSelector("text=USB-C Cable 1m");
    await page.keyboard.type(demoBarcode(27), { delay: 5 }); // 20W USB-C Charger
    await page.keyboard.press("Enter");
    await page.waitForSelector("text=20W USB-C Charger");
    await page.keyboard.type(demoBarcode(25), { delay: 5 }); // a second cable
    await page.keyboard.press("Enter");
    await page.waitForFunction(() => document.querySelector("#t-total").textContent === "1,588.00");
    await shot(page, "21-pos-cart");

    // The cart survives a reload.
    await page.reload();
    await page.waitForFunction(() => document.querySelector("#t-total").textContent === "1,588.00");

    // An unknown barcode says so and adds nothing.
    await page.keyboard.type("0000000000000");
    await page.keyboard.press("Enter");
    await page.waitForSelector("text=No product with barcode 0000000000000");

    await page.keyboard.press("F4");
    await page.keyboard.type("2000");
    await page.waitForFunction(() => document.querySelector("#change").textContent === "412.00");
    await shot(page, "22-pos-cash");
    await page.keyboard.press("F9");
    // The change due, big; P opens the receipt.
    await page.waitForSelector("#paid:not([hidden])");
    assert.equal(await page.textContent("#paid-change"), "412.00");
    await shot(page, "22b-pos-paid");
    await Promise.all([page.waitForNavigation(), page.keyboard.press("p")]);
    assert.match(page.url(), /\/sales\/\d+\/receipt$/);
    await page.waitForSelector("text=OFFICIAL RECEIPT");
    const receipt = await page.textContent("main");
    assert.match(receipt, /OR No\. MNL-\d{6}/);
    assert.match(receipt, /USB-C Cable 1m/);
    assert.match(receipt, /1,588\.00/);
    assert.match(receipt, /412\.00/);
    assert.ok(await page.$(".qr svg"), "a QR code of the OR number");
    await shot(page, "23-receipt");

    // Back at the till, the cart is empty for the next customer.
    await page.goto(`${BASE}/pos`);
    await page.waitForFunction(() => document.querySelector("#t-total").textContent === "0.00");
    assert.deepEqual(consoleErrors, [], "no browser errors (CSP included)");
  } finally {
    await browser.close();
  }
});
