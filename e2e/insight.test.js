// The manager's dashboard (issue 16, first part): it is the manager's home page, shows
// revenue across retail and cafe with its chart, and its stock cards lead to the filtered
// stock list; it fits a phone. The e-mail outbox page answers.
const test = require("node:test");
const assert = require("node:assert/strict");
const { BASE, PASSWORD, launch, shot, signIn, watchErrors } = require("./support");

test("the manager lands on the dashboard and follows a stock card", async () => {
  const browser = await launch();
  try {
    const page = await browser.newPage({ viewport: { width: 1366, height: 650 } });
    const errors = watchErrors(page);
    await signIn(page, "manager", PASSWORD);
    assert.match(page.url(), /\/dashboard$/);
    const today = await page.textContent("#revenue .stat:first-child strong");
    assert.match(today, /^PHP [\d,]+\.\d\d$/);
    // The demo's cafe sold today, so today's revenue is not zero.
    assert.notEqual(today, "PHP 0.00");
    assert.equal(await page.locator("#revenue svg.chart rect.bar").count(), 14);
    await shot(page, "99-dashboard");
    // One branch only: the page says which.
    await page.selectOption("select[name=branch_id]", { label: "SK Cafe (CAFE)" });
    await Promise.all([page.waitForNavigation(), page.click("form.filters button")]);
    assert.match(page.url(), /branch_id=\d+/);
    // The low-stock card opens the stock list filtered the same way.
    await page.goto(`${BASE}/dashboard`);
    await Promise.all([page.waitForNavigation(), page.click("#stock a.stat >> nth=1")]);
    assert.match(page.url(), /\/inventory\?status=low/);
    await page.goto(`${BASE}/mail`);
    await page.waitForSelector("h1:has-text('E-mail')");
    assert.deepEqual(errors, []);

    const phone = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await signIn(phone, "manager", PASSWORD);
    const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 1, `the dashboard is ${overflow}px wider than the phone`);
    await shot(phone, "99-dashboard-phone");
  } finally {
    await browser.close();
  }
});
