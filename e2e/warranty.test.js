// Warranty (issue 13): a phone sold at the till comes back within the week; the agent files
// a replacement claim found by its serial, the manager completes it with an in-stock unit, and
// the faulty phone shows in defective stock.
const test = require("node:test");
const assert = require("node:assert/strict");
const { BASE, PASSWORD, demoBarcode, launch, shot, signIn, signOut, watchErrors, openShift } = require("./support");

test("a replacement claim is filed and completed", async () => {
  const browser = await launch();
  try {
    const page = await browser.newPage({ viewport: { width: 1366, height: 650 } });
    const errors = watchErrors(page);
    await signIn(page, "agent", PASSWORD);
    await openShift(page);
    await page.evaluate(() => localStorage.clear());
    await page.reload();
    await page.waitForSelector("#scan:focus");
    await page.keyboard.type(demoBarcode(3), { delay: 5 });
    await page.keyboard.press("Enter");
    await page.waitForSelector("#serial-dialog[open]");
    await page.waitForFunction(() => document.querySelectorAll("#serial-options option").length >= 2);
    const [sold, spare] = await page.$$eval("#serial-options option", (os) => os.slice(0, 2).map((o) => o.value));
    await page.fill("#serial-input", sold);
    await page.keyboard.press("Enter");
    await page.waitForFunction(() => !document.querySelector("#serial-dialog").open);
    await page.click("#quick-cash button");
    await page.click("#pay");
    await page.waitForSelector("#paid:not([hidden])");
    await page.keyboard.press("Enter");

    // The agent finds the sale by the serial and files a replacement.
    await page.goto(`${BASE}/warranty/new?find=${encodeURIComponent(sold)}`);
    await page.waitForSelector(`text=S/N ${sold}`);
    await page.selectOption("select[name=claim_type]", "replacement");
    await page.fill("input[name=faulty_serial]", sold);
    await page.fill("textarea[name=issue]", "Does not charge");
    await Promise.all([page.waitForNavigation(), page.click("text=File claim")]);
    await page.waitForSelector("text=was filed");
    const claimUrl = page.url();
    assert.match(claimUrl, /\/warranty\/\d+$/);
    await signOut(page);

    // The manager moves it on and completes it with a spare unit.
    await signIn(page, "manager", PASSWORD);
    await page.goto(claimUrl);
    await Promise.all([page.waitForNavigation(), page.click("text=Mark In progress")]);
    await page.fill("input[name=new_serial]", spare);
    await Promise.all([page.waitForNavigation(), page.click("text=Mark Completed")]);
    await page.waitForSelector(`text=Replaced with`);
    assert.ok((await page.textContent("dl.facts")).includes(spare));
    await shot(page, "82-warranty-completed");
    await page.goto(`${BASE}/defective`);
    await page.waitForSelector(`text=${sold}`);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});
