// A waiter on a phone moves a table's bill to another table, then merges it into a third
// table's bill; the floor shows each change, and the merged bill has every line once.
const test = require("node:test");
const assert = require("node:assert/strict");
const { BASE, PASSWORD, launch, shot, signIn, watchErrors } = require("./support");

const card = (n) => `.table-card:has(header strong:text-is("Table ${n}"))`;

async function seat(page, n) {
  await page.goto(`${BASE}/floor`);
  const open = page.locator(`${card(n)} a:has-text("Open bill")`);
  if (await open.count()) await Promise.all([page.waitForNavigation(), open.click()]);
  else await Promise.all([page.waitForNavigation(), page.click(`${card(n)} button:has-text("Seat guests")`)]);
  assert.match(page.url(), /\/floor\/sessions\/\d+$/);
  // One line, typed in by the waiter.
  const option = await page.locator('select[name="menu_item_id"] option:not([disabled]):not([value=""])').first().getAttribute("value");
  await page.selectOption('select[name="menu_item_id"]', option);
  await Promise.all([page.waitForNavigation(), page.click("text=Add and send to kitchen")]);
  return Number(page.url().match(/sessions\/(\d+)/)[1]);
}

test("a waiter moves a bill to another table and merges two tables' bills, on a phone", async () => {
  const browser = await launch();
  try {
    const ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    const w = await ctx.newPage();
    const errors = watchErrors(w);
    w.on("dialog", (d) => d.accept());
    await signIn(w, "waiter", PASSWORD);

    const first = await seat(w, 11);
    const lines = async (id) => { await w.goto(`${BASE}/floor/sessions/${id}`); return w.locator("section.card").first().locator("tbody tr").count(); };
    const before = await lines(first);

    // Move: to the first free table offered.
    await w.waitForSelector("#move-merge");
    const target = await w.locator('select[name="table_id"] option').first().textContent();
    await w.selectOption('select[name="table_id"]', { label: target });
    await shot(w, "95-move-bill-phone");
    await Promise.all([w.waitForNavigation(), w.click("text=Move the bill")]);
    await w.waitForSelector("text=The bill moved");
    assert.match(await w.textContent("h1"), new RegExp(target.trim()));
    await w.goto(`${BASE}/floor`);
    await w.waitForSelector(`${card(target.trim().replace("Table ", ""))} a:has-text("Open bill")`);
    assert.equal(await w.locator(`${card(11)} a:has-text("Open bill")`).count(), 0, "table 11 is free");

    // Merge: table 12's bill takes the moved one in.
    const second = await seat(w, 12);
    const secondBefore = await lines(second);
    await w.selectOption('select[name="session_id"]', String(first));
    await Promise.all([w.waitForNavigation(), w.click("text=Merge into this bill")]);
    await w.waitForSelector(`text=Bill #${first} merged into this one`);
    assert.equal(await lines(second), secondBefore + before, "every line once");
    await shot(w, "96-merged-bill-phone");
    await w.goto(`${BASE}/floor/sessions/${first}`);
    await w.waitForSelector(`text=merged into`);
    assert.deepEqual(errors, [], "no browser errors");
  } finally {
    await browser.close();
  }
});
