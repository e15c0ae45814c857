// Issue 21 in one visit: a guest on a phone orders a latte with oat milk and an extra shot; the
// bar's own board shows it by itself; the waiter at a till-sized screen adds fries, splits the
// bill in two and closes both parts, after which the table is free.
const test = require("node:test");
const assert = require("node:assert/strict");
const { BASE, PASSWORD, guestLink, launch, shot, signIn, watchErrors } = require("./support");

const latte = 'li.item:has(h3:text-matches("^\\\\s*Latte\\\\s*$"))';

test("a latte with oat milk reaches the bar, and the bill splits in two", async () => {
  const browser = await launch();
  try {
    const manager = await browser.newContext({ viewport: { width: 1366, height: 650 } });
    const m = await manager.newPage();
    await signIn(m, "manager", PASSWORD);
    const table7 = await guestLink(m, 7);
    await m.goto(`${BASE}/menu/modifier-groups`);
    await m.waitForSelector('input[value="Oat milk"]');
    await shot(m, "97-modifier-groups");

    // The bar's board, open and live.
    const barCtx = await browser.newContext({ viewport: { width: 1366, height: 650 } });
    const bar = await barCtx.newPage();
    const barErrors = watchErrors(bar);
    await signIn(bar, "kitchen", PASSWORD);
    await bar.goto(`${BASE}/kitchen?station=bar`);
    await bar.waitForSelector("h1:has-text('Bar')");
    await bar.waitForSelector("text=Live: new tickets appear by themselves.");
    await bar.evaluate(() => { window.__notReloaded = true; });

    // The guest: one Latte, oat milk, an extra shot (the size starts on Small).
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    const g = await phone.newPage();
    const guestErrors = watchErrors(g);
    await g.goto(`${BASE}${table7}`);
    await g.waitForSelector("text=Table 7");
    await g.click(`${latte} button[aria-label="One more"]`);
    await g.check(`${latte} label:has-text("Oat milk") input`);
    await g.check(`${latte} label:has-text("Extra shot") input`);
    await g.waitForSelector("#cart-summary:has-text('1 item(s) · ₱240.00')");
    await shot(g, "98-guest-latte-options");
    await Promise.all([g.waitForNavigation(), g.click("text=Place order")]);
    await g.waitForSelector("text=Your order went to the kitchen");
    await g.waitForSelector("text=Small · Oat milk · Extra shot");

    // The bar has it without a reload; the kitchen's own board does not.
    await bar.waitForSelector(".ticket:has-text('Table 7'):has-text('Oat milk · Extra shot')", { timeout: 5000 });
    assert.equal(await bar.evaluate(() => window.__notReloaded), true, "the bar's board was not reloaded");
    await shot(bar, "99-bar-station");
    await bar.goto(`${BASE}/kitchen?station=kitchen`);
    assert.equal(await bar.locator(".ticket:has-text('Table 7')").count(), 0, "drinks are the bar's");

    // The waiter adds fries, then splits the bill: the fries on a bill of their own.
    const till = await browser.newContext({ viewport: { width: 1366, height: 650 } });
    const w = await till.newPage();
    const waiterErrors = watchErrors(w);
    w.on("dialog", (d) => d.accept());
    await signIn(w, "waiter", PASSWORD);
    await w.goto(`${BASE}/floor`);
    await Promise.all([w.waitForNavigation(), w.click(".table-card:has-text('Table 7') >> text=Open bill")]);
    const bill = w.url();
    const fries = await w.locator('select[name="menu_item_id"] option', { hasText: "French Fries" }).getAttribute("value");
    await w.selectOption('select[name="menu_item_id"]', fries);
    await Promise.all([w.waitForNavigation(), w.click("text=Add and send to kitchen")]);
    await Promise.all([w.waitForNavigation(), w.click("text=Split the bill")]);
    await w.waitForSelector("#part-totals:has-text('Part 2: nothing yet')");
    await w.selectOption('select[aria-label="Part for French Fries"]', "2");
    const totals = await w.textContent("#part-totals");
    assert.match(totals, /^Part 1: [\d,]+\.\d\d · Part 2: [\d,]+\.\d\d \(before tax\)$/, totals);
    await shot(w, "100-split-bill");
    await Promise.all([w.waitForNavigation(), w.click("text=Split into 2 bills")]);
    await w.waitForSelector("text=The bill is split");
    const part = await w.locator("a:has-text('part 2 (bill #')").getAttribute("href");

    // Each part is paid and closed on its own.
    for (const url of [`${BASE}${part}`, bill]) {
      await w.goto(url);
      await w.selectOption('select[name="payment_method"]', "card");
      await Promise.all([w.waitForNavigation(), w.click("text=Close and free the table")]);
    }
    await w.goto(`${BASE}/floor`);
    assert.equal(await w.locator(".table-card:has-text('Table 7') a:has-text('Open bill')").count(), 0, "table 7 is free");
    await shot(w, "101-floor-after-split");
    assert.deepEqual([...barErrors, ...guestErrors, ...waiterErrors], [], "no browser errors");
  } finally {
    await browser.close();
  }
});

// A bill shared evenly: the waiter on a phone shares table 11's bill among three; each share is
// a bill of its own that closes on its own, the guest sees their share, and the table is free
// once the last share is paid.
test("a bill shared evenly among three closes share by share", async () => {
  const browser = await launch();
  try {
    const manager = await browser.newContext({ viewport: { width: 1366, height: 650 } });
    const m = await manager.newPage();
    await signIn(m, "manager", PASSWORD);
    const table11 = await guestLink(m, 11);

    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    const g = await phone.newPage();
    const guestErrors = watchErrors(g);
    await g.goto(`${BASE}${table11}`);
    await g.waitForSelector("text=Table 11");
    await g.click(`${latte} button[aria-label="One more"]`);
    await g.click(`${latte} button[aria-label="One more"]`);
    await Promise.all([g.waitForNavigation(), g.click("text=Place order")]);
    await g.waitForSelector("text=Your order went to the kitchen");

    const waiterPhone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    const w = await waiterPhone.newPage();
    const waiterErrors = watchErrors(w);
    w.on("dialog", (d) => d.accept());
    await signIn(w, "waiter", PASSWORD);
    await w.goto(`${BASE}/floor`);
    await Promise.all([w.waitForNavigation(), w.click(".table-card:has-text('Table 11') >> text=Open bill")]);
    const bill = w.url();
    await Promise.all([w.waitForNavigation(), w.click("text=Split the bill")]);
    await w.fill('input[name="parts"]', "3");
    await Promise.all([w.waitForNavigation(), w.click("button:has-text('Show')")]);
    await shot(w, "102-share-evenly");
    await Promise.all([w.waitForNavigation(), w.click("text=Share evenly among 3")]);
    await w.waitForSelector("text=The bill is shared evenly among 3");
    await w.waitForSelector("text=Share 1 of 3 of bill #");
    assert.equal(await w.locator("text=Add to the order").count(), 0, "a shared bill takes no more orders");
    const shares = await w.locator("a:has-text('share ')").evaluateAll((as) => as.map((a) => a.getAttribute("href")));
    assert.equal(shares.length, 2, "shares 2 and 3 are bills of their own");
    await w.goto(`${BASE}/floor`);
    await w.waitForSelector("text=Table 11 · share 3 of 3");
    await shot(w, "103-floor-shares");

    // The guest's page says the bill is shared (the live refresh brings it, or a reload).
    await g.reload();
    await g.waitForSelector("text=The bill is shared evenly: Share 1 of 3");

    // Each share is paid and closed on its own; the table is free after the last.
    for (const url of [...shares.map((s) => `${BASE}${s}`), bill]) {
      await w.goto(url);
      await w.selectOption('select[name="payment_method"]', "cash");
      await Promise.all([w.waitForNavigation(), w.click("text=Close and free the table")]);
      await w.waitForSelector("text=Closed:");
    }
    await w.goto(`${BASE}/floor`);
    assert.equal(await w.locator(".table-card:has-text('Table 11') a:has-text('Open bill')").count(), 0, "table 11 is free");
    assert.deepEqual([...guestErrors, ...waiterErrors], [], "no browser errors");
  } finally {
    await browser.close();
  }
});
