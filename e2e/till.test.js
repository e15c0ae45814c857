// The till at the counter (issue 11): Esc in the serial dialog never jams scanning, a missed
// phone lookup forgets the previous customer, search by any word with the arrow keys, quick
// cash and "Amount due", a big change-due panel, and a long cart that never pushes Pay off
// screen at till sizes.
const test = require("node:test");
const assert = require("node:assert/strict");
const { BASE, PASSWORD, demoBarcode, launch, shot, signIn, watchErrors, openShift } = require("./support");

async function scan(page, code) {
  await page.focus("#scan");
  await page.keyboard.type(code, { delay: 5 });
  await page.keyboard.press("Enter");
}

test("the till holds up at the counter", async () => {
  const browser = await launch();
  try {
    const page = await browser.newPage({ viewport: { width: 1366, height: 650 } });
    const errors = watchErrors(page);
    await signIn(page, "agent", PASSWORD);
    await openShift(page);
    await page.evaluate(() => localStorage.clear());
    await page.reload();
    await page.waitForSelector("#scan:focus");

    // A phone (serial-tracked): the dialog opens; Esc cancels it and scanning goes on.
    await scan(page, demoBarcode(0)); // iPhone 15
    await page.waitForSelector("#serial-dialog[open]");
    assert.ok(await page.$("label[for=serial-input]"), "the serial field has a label");
    await page.keyboard.press("Escape");
    await page.waitForFunction(() => !document.querySelector("#serial-dialog").open);
    await page.waitForSelector("text=was not added (no serial chosen)");
    await scan(page, demoBarcode(25)); // USB-C Cable 1m
    await page.waitForSelector("#cart-lines >> text=USB-C Cable 1m");
    await shot(page, "70-till-after-escape");

    // Search by a word anywhere in the name; arrows and Enter add the highlighted one.
    await page.keyboard.press("F2");
    await page.keyboard.type("charger");
    await page.waitForSelector("#results button.active");
    await page.keyboard.press("Enter");
    await page.waitForSelector("#cart-lines >> text=Charger");
    await page.fill("#search", "earb");
    await page.waitForSelector("#results button.active");
    await page.keyboard.press("Escape");
    assert.equal(await page.inputValue("#search"), "", "Esc clears the search");

    // A long cart: the totals and Pay stay on screen at till sizes.
    for (let i = 0; i < 14; i++) {
      await scan(page, demoBarcode(25 + (i % 3)));
    }
    for (const [w, h] of [[1366, 650], [1280, 720], [1024, 768]]) {
      await page.setViewportSize({ width: w, height: h });
      await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
      for (const sel of ["#t-total", "#pay", "#change"]) {
        const box = await page.locator(sel).boundingBox();
        assert.ok(box && box.y >= 0 && box.y + box.height <= h, `${sel} visible at ${w}×${h}`);
      }
    }
    await page.setViewportSize({ width: 768, height: 1024 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `no horizontal scrolling on a 768 px tablet (${overflow} px)`);
    await page.setViewportSize({ width: 1366, height: 650 });
    await shot(page, "71-till-long-cart");

    // A missed phone lookup forgets the customer found before.
    await page.click("#customer-box summary");
    await page.fill("#customer-phone", "09171234567");
    await page.press("#customer-phone", "Tab");
    await page.waitForSelector("text=Returning customer.");
    assert.notEqual(await page.inputValue("#customer-name"), "");
    await page.fill("#customer-phone", "09990000000");
    await page.press("#customer-phone", "Tab");
    await page.waitForSelector("#customer-note:has-text('No customer')");
    assert.equal(await page.inputValue("#customer-name"), "", "the previous customer is gone");
    await page.fill("#customer-phone", "");

    // A scan while a customer field has the focus goes to the cart, never into the field.
    await page.fill("#customer-name", "Ana");
    await page.focus("#customer-name");
    await page.keyboard.type(demoBarcode(31), { delay: 5 });
    await page.keyboard.press("Enter");
    await page.waitForSelector("#cart-lines >> text=10000mAh Power Bank");
    assert.equal(await page.inputValue("#customer-name"), "Ana", "the name is untouched by the scan");
    await page.fill("#customer-name", "");

    // Paying: too little says "Amount due"; a quick-cash button pays exactly; Enter pays.
    await page.keyboard.press("F4");
    await page.keyboard.type("10");
    await page.waitForSelector("#change-label:has-text('Amount due')");
    const quick = await page.locator("#quick-cash button").count();
    assert.ok(quick >= 2, "exact and round amounts");
    await page.click("#quick-cash button >> nth=1");
    await page.waitForSelector("#change-label:has-text('Change')");
    await page.focus("#cash");
    await page.keyboard.press("Enter");
    await page.waitForSelector("#paid:not([hidden])");
    const change = await page.textContent("#paid-change");
    assert.match(change, /^\d[\d,]*\.\d\d$/);
    await shot(page, "72-till-change-due");
    await page.keyboard.press("Enter");
    await page.waitForSelector("#paid", { state: "hidden" });
    await page.waitForFunction(() => document.querySelector("#t-total").textContent === "0.00");
    assert.deepEqual(errors, [], "no browser errors");
  } finally {
    await browser.close();
  }
});
