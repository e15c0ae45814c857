// Reports (issue 16): the manager opens the reports from the menu, reads the summary and the
// server-drawn charts with their tables, narrows the range and groups by week, downloads the
// top products as CSV, and pages through recent transactions; it fits a phone.
const test = require("node:test");
const fs = require("node:fs");
const assert = require("node:assert/strict");
const { BASE, PASSWORD, launch, shot, signIn, watchErrors } = require("./support");

test("the manager reads the reports and downloads a CSV", async () => {
  const browser = await launch();
  try {
    const page = await browser.newPage({ viewport: { width: 1366, height: 650 }, acceptDownloads: true });
    const errors = watchErrors(page);
    await signIn(page, "manager", PASSWORD);
    await Promise.all([page.waitForNavigation(), page.click("nav >> text=Reports")]);
    assert.match(page.url(), /\/reports$/);
    // The demo's cafe has four weeks of bills: revenue, transactions and the charts are filled.
    const gross = (await page.textContent("#gross")).trim();
    assert.match(gross, /^PHP [\d,]+\.\d\d$/);
    assert.notEqual(gross, "PHP 0.00");
    assert.ok(Number((await page.textContent("#transactions")).trim()) > 0);
    assert.equal(await page.locator("#revenue svg.chart rect.bar").count(), 30);
    assert.ok((await page.locator("#top-units tbody tr").count()) > 0);
    assert.ok((await page.locator("svg.chart").count()) >= 6);
    await shot(page, "99-reports");

    // Group by week: five weekly columns for a 30-day range.
    await page.selectOption("select[name=by]", "week");
    await Promise.all([page.waitForNavigation(), page.click("form.filters button")]);
    assert.match(page.url(), /by=week/);
    const weeks = await page.locator("#revenue svg.chart rect.bar").count();
    assert.ok(weeks >= 5 && weeks <= 6, `${weeks} weeks`);

    // The top products as CSV, with the page's filters in its name.
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.click("#products h2 a:has-text('CSV')"),
    ]);
    assert.match(download.suggestedFilename(), /^report-products-\d{4}-\d\d-\d\d-to-\d{4}-\d\d-\d\d\.csv$/);
    const csv = fs.readFileSync(await download.path(), "utf8");
    assert.ok(csv.startsWith("\uFEFF"));
    const lines = csv.replace(/^\uFEFF/, "").trim().split(/\r?\n/);
    assert.equal(lines[0], "Ranking,Rank,Product,Area,Units,Revenue");
    assert.ok(lines.length > 2);

    // A reversed range is refused with its reason.
    const bad = await page.goto(`${BASE}/reports?from=2026-02-01&to=2026-01-01`);
    assert.equal(bad.status(), 400);
    assert.match(await page.textContent("body"), /starts after it ends/);

    // Recent transactions page on.
    await page.goto(`${BASE}/reports`);
    if (await page.locator("#recent a[rel=next]").count()) {
      await Promise.all([page.waitForNavigation(), page.click("#recent a[rel=next]")]);
      assert.match(page.url(), /page=2/);
      assert.ok((await page.locator("#recent-table tbody tr").count()) > 0);
    }
    assert.deepEqual(errors.filter((e) => !/400/.test(e)), []);

    const phone = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await signIn(phone, "manager", PASSWORD);
    await phone.goto(`${BASE}/reports`);
    const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 1, `the reports are ${overflow}px wider than the phone`);
    await shot(phone, "99-reports-phone");
  } finally {
    await browser.close();
  }
});
