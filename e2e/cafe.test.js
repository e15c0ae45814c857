// A guest on a phone orders two items from the table's page; the kitchen screen shows the
// ticket without a reload; the waiter prints the bill and closes the table; the guest leaves
// feedback. Screenshots of every screen.
const test = require("node:test");
const assert = require("node:assert/strict");
const { BASE, PASSWORD, launch, shot, signIn } = require("./support");

test("a guest orders from the table, the kitchen sees it live, the waiter closes, the guest rates", async () => {
  const browser = await launch();
  try {
    const errors = [];
    const watch = (page) => page.on("console", (m) => m.type() === "error" && errors.push(m.text()));

    // The manager finds table 5's guest link (and the printable QR sheet).
    const manager = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const m = await manager.newPage();
    watch(m);
    await signIn(m, "manager", PASSWORD);
    await m.goto(`${BASE}/tables`);
    const link = await m.getAttribute("tr:has-text('Table 5') a.guest-link", "href");
    const guestPath = new URL(link).pathname;
    assert.match(guestPath, /^\/t\/[0-9a-f]{32}$/);
    await shot(m, "30-tables");
    await m.goto(`${BASE}/tables/qr-sheet`);
    assert.equal(await m.locator(".qr-card").count(), 12);
    await shot(m, "31-qr-sheet");

    // The kitchen display is open and connected.
    const kitchen = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const k = await kitchen.newPage();
    watch(k);
    await signIn(k, "kitchen", PASSWORD);
    assert.match(k.url(), /\/kitchen$/);
    await k.waitForSelector("text=Live: new tickets appear by themselves.");
    await k.evaluate(() => { window.__notReloaded = true; });
    await shot(k, "32-kitchen-waiting");

    // The guest, on a phone.
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
    const g = await phone.newPage();
    watch(g);
    await g.goto(`${BASE}${guestPath}`);
    await g.waitForSelector("text=Table 5");
    assert.equal(await g.locator("li.item").count(), 28, "the whole menu");
    await shot(g, "33-guest-menu");
    await g.fill('input[name="name"]', "Maya");
    await Promise.all([g.waitForNavigation(), g.click("text=Save")]);
    await g.waitForSelector("text=Nice to meet you, Maya!");
    await g.click('li.item:has-text("Iced Latte") button[aria-label="One more"]');
    await g.click('li.item:has-text("Iced Latte") button[aria-label="One more"]');
    await g.click('li.item:has-text("French Fries") button[aria-label="One more"]');
    await g.waitForSelector("#cart-summary:has-text('3 item(s) · ₱480.00')");
    await Promise.all([g.waitForNavigation(), g.click("text=Place order")]);
    await g.waitForSelector("text=Your order went to the kitchen");
    await g.waitForSelector(".steps li.done:has-text('Received')");
    await g.evaluate(() => { window.__notReloaded = true; });
    await shot(g, "34-guest-ordered");

    // The ticket appears in the kitchen without a reload.
    await k.waitForSelector(".ticket:has-text('Table 5'):has-text('Iced Latte')", { timeout: 5000 });
    assert.equal(await k.evaluate(() => window.__notReloaded), true, "the kitchen page was not reloaded");
    await shot(k, "35-kitchen-ticket");
    await Promise.all([k.waitForNavigation(), k.click(".ticket:has-text('Table 5') button:has-text('Start')")]);

    // The guest's status follows, live.
    await g.waitForSelector(".steps li.done:has-text('Preparing')", { timeout: 5000 });
    assert.equal(await g.evaluate(() => window.__notReloaded), true, "the guest page was not reloaded");
    // The order is two tickets (the Iced Latte is the bar's): ready when both are done.
    while (await k.locator(".ticket:has-text('Table 5') button:has-text('Done')").count()) {
      await Promise.all([k.waitForNavigation(), k.click(".ticket:has-text('Table 5') button:has-text('Done')")]);
    }
    await g.waitForSelector(".steps li.done:has-text('Ready')", { timeout: 5000 });
    await shot(g, "36-guest-ready");

    // A network blip at the kitchen: an order placed meanwhile shows up once it is back.
    await k.waitForSelector("text=Live: new tickets appear by themselves.");
    await k.evaluate(() => { window.__notReloaded = true; });
    await kitchen.setOffline(true);
    await k.waitForSelector("text=Connection lost", { timeout: 15000 });
    const phone2 = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true });
    const g2 = await phone2.newPage();
    const link6 = await m.evaluate(async () => {
      const html = await (await fetch("/tables")).text();
      const row = new DOMParser().parseFromString(html, "text/html").querySelectorAll("tr");
      for (const tr of row) if (tr.textContent.includes("Table 6")) return tr.querySelector("a.guest-link").getAttribute("href");
      return null;
    });
    await g2.goto(`${BASE}${new URL(link6).pathname}`);
    await g2.fill('li.item:has-text("Mango Tango") input[type=number]', "1");
    await Promise.all([g2.waitForNavigation(), g2.click("text=Place order")]);
    await g2.waitForSelector("text=Your order went to the kitchen");
    assert.equal(await k.locator(".ticket:has-text('Table 6')").count(), 0, "missed while offline");
    await kitchen.setOffline(false);
    await k.waitForSelector(".ticket:has-text('Table 6'):has-text('Mango Tango')", { timeout: 15000 });
    assert.equal(await k.evaluate(() => window.__notReloaded), true, "caught up without a reload");

    // The waiter prints the bill and closes the table.
    const floor = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const w = await floor.newPage();
    watch(w);
    w.on("dialog", (d) => d.accept());
    await signIn(w, "waiter", PASSWORD);
    assert.match(w.url(), /\/floor$/);
    await shot(w, "37-floor");
    await Promise.all([w.waitForNavigation(), w.click(".table-card:has-text('Table 5') >> text=Open bill")]);
    await w.waitForSelector("text=504.00");
    await Promise.all([w.waitForNavigation(), w.click("text=Bill (print view)")]);
    await Promise.all([w.waitForNavigation(), w.click("text=Print bill")]);
    await w.waitForSelector("text=BILL · Table 5");
    const bill = await w.textContent("main");
    assert.match(bill, /480\.00/);
    assert.match(bill, /24\.00/);
    assert.match(bill, /504\.00/);
    await shot(w, "38-bill");
    await g.reload();
    await g.waitForSelector("text=Your bill has been printed");
    await Promise.all([w.waitForNavigation(), w.click("text=Back to the bill")]);
    // Paid in parts: 250.00 by card (slip S-9), the rest in cash from a 300.00 note.
    await w.selectOption('select[name="payment_method"]', "cash");
    await w.fill('input[name="cash_received"]', "300");
    await w.click("text=Part paid another way");
    await w.selectOption('select[name="part_method"]', "card");
    await w.fill('input[name="part_amount"]', "250");
    await w.fill('input[name="part_reference"]', "S-9");
    await Promise.all([w.waitForNavigation(), w.click("text=Close and free the table")]);
    await w.waitForSelector("text=paid by Cash 254.00 + Card 250.00");
    await w.waitForSelector("text=/Change: \\D*46\\.00/");
    await shot(w, "39-floor-after-close");

    // The first item is refunded from the closed bill: back to the card first.
    await Promise.all([w.waitForNavigation(), w.click("text=Closed bills and refunds")]);
    await Promise.all([w.waitForNavigation(), w.click("#closed-bills a")]);
    await w.waitForSelector("text=Card 250.00");
    await w.fill('input[name="qty_1"]', "1");
    await w.fill('input[name="reason"]', "Spilled at the table");
    await Promise.all([w.waitForNavigation(), w.click("text=Refund and print credit note")]);
    await w.waitForSelector("text=CREDIT NOTE");
    const note = await w.textContent("#credit-note");
    assert.match(note, /CN No\. [A-Z]+-CN-\d{6}/);
    assert.match(note, /Card ref\. S-9/);
    await shot(w, "39b-cafe-credit-note");

    // The guest's page now asks for feedback on that visit.
    await g.reload();
    await g.waitForSelector("text=How was your visit?");
    await g.check('input[name="overall"][value="5"]');
    await g.check('input[name="food"][value="4"]');
    await g.check('input[name="recommend"][value="yes"]');
    await g.fill('textarea[name="comment"]', "Great latte");
    await Promise.all([g.waitForNavigation(), g.click("text=Send feedback")]);
    await g.waitForSelector("text=Thank you for your feedback");
    await shot(g, "40-guest-feedback");
    const real = errors.filter((e) => !e.includes("ERR_INTERNET_DISCONNECTED"));
    assert.deepEqual(real, [], "no browser errors (CSP included) besides the simulated blip");
  } finally {
    await browser.close();
  }
});
