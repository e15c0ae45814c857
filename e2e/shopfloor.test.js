// The floor, the kitchen and the guest's phone (issue 11), then the back office:
// - the floor updates by itself when a guest orders and calls; the call stays until answered;
// - the kitchen marks allergy words, recalls a ticket finished by mistake, has a wall mode;
// - printing the bill marks it printed, a manager reopens it, the guest orders again;
// - when the table closes the guest's page thanks them and asks for feedback (aligned stars,
//   full-width comment), fits 360–430 px, and emoji have text stand-ins;
// - the stock history explains the count with the sale's OR number; the product list shows
//   stock per branch; the audit trail speaks the shop's language.
const test = require("node:test");
const assert = require("node:assert/strict");
const { BASE, PASSWORD, demoBarcode, guestLink, launch, shot, signIn, openShift } = require("./support");

test("the floor, the kitchen and the guest's phone hold up through a visit", async () => {
  const browser = await launch();
  try {
    const errors = [];
    const watch = (page) => page.on("console", (msg) => msg.type() === "error" && errors.push(msg.text()));

    const manager = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const m = await manager.newPage();
    watch(m);
    m.on("dialog", (d) => d.accept());
    await signIn(m, "manager", PASSWORD);
    const table8 = await guestLink(m, 8);

    // The waiter's floor is live.
    const floorCtx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const w = await floorCtx.newPage();
    watch(w);
    w.on("dialog", (d) => d.accept());
    await signIn(w, "waiter", PASSWORD);
    assert.match(w.url(), /\/floor$/);
    await w.waitForSelector("text=Live: tables update by themselves.");
    await w.evaluate(() => { window.__notReloaded = true; });

    const kitchenCtx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const k = await kitchenCtx.newPage();
    watch(k);
    await signIn(k, "kitchen", PASSWORD);
    await k.waitForSelector("text=Live: new tickets appear by themselves.");

    // A guest orders with an allergy note.
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    const g = await phone.newPage();
    watch(g);
    await g.goto(`${BASE}${table8}`);
    await g.click('li.item:has-text("Iced Latte") button[aria-label="One more"]');
    await g.fill('li.item:has-text("Iced Latte") input.note', "allergic to nuts");
    await Promise.all([g.waitForNavigation(), g.click("text=Place order")]);
    await g.waitForSelector("text=Your order went to the kitchen");

    // The floor shows the new bill without a reload.
    await w.waitForSelector(".table-card:has-text('Table 8') >> text=Open bill", { timeout: 5000 });
    assert.equal(await w.evaluate(() => window.__notReloaded), true, "the floor was not reloaded");

    // The kitchen: allergy words stand out; Done, then Recall brings the ticket back.
    const ticket = ".ticket:has-text('Table 8')";
    await k.waitForSelector(`${ticket} mark.allergy:has-text('nuts')`, { timeout: 5000 });
    assert.ok(await k.locator(`${ticket} mark.allergy:has-text('allergic')`).count() >= 1);
    await shot(k, "80-kitchen-allergy");
    await Promise.all([k.waitForNavigation(), k.click(`${ticket} button:has-text('Done')`)]);
    await k.waitForSelector(".done-list li:has-text('Table 8') button:has-text('Recall')");
    assert.equal(await k.locator(ticket).count(), 0, "finished: off the board");
    await shot(k, "81-kitchen-done-recallable");
    await Promise.all([k.waitForNavigation(), k.click(".done-list li:has-text('Table 8') button:has-text('Recall')")]);
    await k.waitForSelector(`${ticket}:has-text('Preparing')`);
    await shot(k, "82-kitchen-recalled");
    // The wall screen: large type, no navigation.
    await k.goto(`${BASE}/kitchen?wall=1`);
    await k.waitForSelector("body.kitchen-wall");
    const size = await k.evaluate(() => parseFloat(getComputedStyle(document.body).fontSize));
    assert.ok(size >= 20, `large type on the wall screen (${size}px)`);
    assert.equal(await k.locator(".topbar").isVisible(), false, "no navigation on the wall");
    await shot(k, "83-kitchen-wall");

    // The guest calls staff: the floor shows it at once and keeps it until answered.
    await w.evaluate(() => { window.__notReloaded = true; });
    await Promise.all([g.waitForNavigation(), g.click("button:has-text('Call staff')")]);
    await w.waitForSelector(".table-card:has-text('Table 8') .call-alert", { timeout: 5000 });
    assert.equal(await w.evaluate(() => window.__notReloaded), true, "the call arrived without a reload");
    await shot(w, "84-floor-call");
    await Promise.all([w.waitForNavigation(), w.click(".table-card:has-text('Table 8') .call-alert button")]);
    assert.equal(await w.locator(".table-card:has-text('Table 8') .call-alert").count(), 0, "answered");

    // Printing the bill marks it printed (one action); the guest sees it locked.
    await Promise.all([w.waitForNavigation(), w.click(".table-card:has-text('Table 8') >> text=Open bill")]);
    const session = w.url();
    await Promise.all([w.waitForNavigation(), w.click("text=Bill (print view)")]);
    await Promise.all([w.waitForNavigation(), w.click("text=Print bill")]);
    await w.waitForSelector("text=BILL · Table 8");
    await g.waitForSelector("text=Your bill has been printed", { timeout: 5000 });

    // A manager reopens it for more orders; the guest orders again.
    await m.goto(session);
    await Promise.all([m.waitForNavigation(), m.click("text=Reopen for more orders")]);
    await m.waitForSelector("text=The bill is open again");
    await g.reload();
    await g.waitForSelector("#status section.status");
    await g.click('li.item:has-text("French Fries") button[aria-label="One more"]');
    assert.equal(await g.inputValue('li.item:has-text("French Fries") input[type=number]'), "1");
    await Promise.all([g.waitForNavigation(), g.click("text=Place order")]);
    await shot(g, "84b-guest-after-reopen");
    const placed = await g.locator("text=Your order went to the kitchen").count();
    if (!placed) {
      const said = await g.locator(".msg").allTextContents();
      assert.fail(`the order after the reopen was not placed: ${JSON.stringify(said)} at ${g.url()}`);
    }

    // The waiter closes the table; the guest's page turns into thanks and feedback by itself.
    await g.evaluate(() => { window.__marker = true; });
    await w.goto(session);
    await w.selectOption('select[name="payment_method"]', "cash");
    await Promise.all([w.waitForNavigation(), w.click("text=Close and free the table")]);
    await g.waitForSelector("text=Thank you for visiting", { timeout: 8000 });
    assert.equal(await g.locator("text=Place order").count(), 0, "no order bar after the visit");
    await g.waitForSelector("text=How was your visit?");

    // The feedback form: every row of stars lines up, the comment box is full width.
    const rows = await g.evaluate(() =>
      Array.from(document.querySelectorAll(".feedback-form .stars")).map((f) =>
        Array.from(f.querySelectorAll("label")).map((l) => {
          const r = l.getBoundingClientRect();
          return [Math.round(r.left), Math.round(r.width)];
        })));
    assert.equal(rows.length, 3);
    for (const row of rows) {
      assert.deepEqual(row, rows[0], "stars aligned row under row");
      assert.ok(row.every(([, width]) => width === row[0][1]), "equal cells");
    }
    const widths = await g.evaluate(() => {
      const form = document.querySelector(".feedback-form").getBoundingClientRect().width;
      const box = document.querySelector(".feedback-form textarea").getBoundingClientRect().width;
      return [form, box];
    });
    assert.ok(Math.abs(widths[0] - widths[1]) <= 1, `comment full width (${widths})`);
    for (const width of [360, 390, 430]) {
      await g.setViewportSize({ width, height: 800 });
      const overflow = await g.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `no horizontal overflow at ${width} px (${overflow} px)`);
    }
    await g.setViewportSize({ width: 390, height: 844 });
    await shot(g, "85-guest-thanks");
    await g.check('input[name="overall"][value="4"]');
    await Promise.all([g.waitForNavigation(), g.click("text=Send feedback")]);
    await g.waitForSelector("text=Thank you for your feedback");

    // Emoji have a text stand-in on a device without an emoji font.
    await g.goto(`${BASE}${table8}?new=1&emoji=off`);
    await g.waitForSelector("html.no-emoji");
    const standIn = await g.evaluate(() => {
      const e = document.querySelector(".item .emoji");
      return [e.getAttribute("data-text"), getComputedStyle(e, "::after").content];
    });
    assert.match(standIn[0], /^[A-Z0-9]$/);
    assert.equal(standIn[1], `"${standIn[0]}"`);
    assert.equal(await g.locator(".emoji-inline >> visible=true").count(), 0, "emoji hidden");
    await shot(g, "86-guest-emoji-fallback");

    const real = errors;
    assert.deepEqual(real, [], "no browser errors");
  } finally {
    await browser.close();
  }
});

test("the back office explains stock and speaks the shop's language", async () => {
  const browser = await launch();
  try {
    // A cashier sells two phone cases.
    const till = await browser.newPage({ viewport: { width: 1366, height: 650 } });
    await signIn(till, "agent", PASSWORD);
    await openShift(till);
    await till.waitForSelector("#scan:focus");
    for (let i = 0; i < 2; i++) {
      await till.focus("#scan");
      await till.keyboard.type(demoBarcode(30), { delay: 5 });
      await till.keyboard.press("Enter");
      await till.waitForSelector(`#cart-lines >> text=Clear Phone Case`);
    }
    await till.keyboard.press("F4");
    await till.click("#quick-cash button >> nth=0");
    await till.focus("#cash");
    await till.keyboard.press("Enter");
    await till.waitForSelector("#paid:not([hidden])");
    const or = (await till.textContent("#paid-or")).trim();
    assert.match(or, /^[A-Z]+-\d{6}$/);

    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await signIn(page, "manager", PASSWORD);
    // The product list shows each branch's count.
    await page.goto(`${BASE}/products?q=clear+phone+case`);
    const cell = page.locator("tr:has-text('Clear Phone Case') td.stock-levels");
    const levels = await cell.textContent();
    assert.match(levels, /Main[^·]*\d+/);
    await shot(page, "87-products-stock-per-branch");

    // The stock page: the sale is the newest line, with its OR number, and the balance is
    // the number on hand.
    await Promise.all([page.waitForNavigation(), cell.locator("text=history").click()]);
    const first = page.locator("#stock-history tbody tr").first();
    assert.equal(await first.getAttribute("data-kind"), "sale");
    assert.equal((await first.locator("td[data-label=Document] a").textContent()).trim(), or);
    assert.equal((await first.locator("td[data-label=Change]").textContent()).trim(), "-2");
    const balance = (await first.locator("td[data-label=Balance]").textContent()).trim();
    const branch = (await first.locator("td[data-label=Branch]").textContent()).trim();
    const onHand = (await page.locator(`#stock-levels tr:has-text('${branch}') td[data-label='On hand']`).textContent()).trim();
    assert.equal(balance, onHand, "the running balance ends at the number on hand");
    await shot(page, "88-stock-history");
    await Promise.all([page.waitForNavigation(), first.locator("td[data-label=Document] a").click()]);
    await page.waitForSelector(`text=${or}`);

    // The audit trail: labels and names, not tables and columns.
    await page.goto(`${BASE}/audit`);
    const trail = await page.textContent("table.audit");
    assert.ok(!/\bbranch_stock\b|\bcafe_session\b|\bkitchen_ticket\b/.test(trail), "no table names");
    assert.ok(await page.locator("select[name=record_type] option:has-text('Kitchen ticket')").count() === 1);
    await page.selectOption("select[name=record_type]", "order");
    await Promise.all([page.waitForNavigation(), page.click("form.filters button[type=submit]")]);
    await page.waitForSelector(`table.audit td:has-text('${or}')`);
    assert.ok((await page.textContent("table.audit")).includes("Official receipt:"));
    await shot(page, "89-audit-readable");

    // The sales list opens on today, with one-click ranges.
    await page.goto(`${BASE}/sales`);
    await page.waitForSelector(`text=${or}`);
    assert.equal(await page.locator("a:has-text('Last 7 days')").count(), 1);
    assert.equal(await page.locator("a:has-text('This month')").count(), 1);
  } finally {
    await browser.close();
  }
});

test("a guest without JavaScript orders and calls staff with the page's own forms", async () => {
  const browser = await launch();
  try {
    const m = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    await signIn(m, "manager", PASSWORD);
    const table10 = await guestLink(m, 10);

    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, javaScriptEnabled: false });
    const g = await phone.newPage();
    await g.goto(`${BASE}${table10}`);
    assert.equal(await g.locator(".stepper").count(), 0, "no script ran: plain number fields");
    await g.fill('li.item:has-text("Cappuccino") input[type=number]', "2");
    await Promise.all([g.waitForNavigation(), g.click("text=Place order")]);
    await g.waitForSelector("text=Your order went to the kitchen");
    await g.waitForSelector("#status section.status:has-text('2 × Cappuccino')");
    await shot(g, "90-guest-no-js-ordered");

    // The kitchen has it: a record, not only a message.
    await m.goto(`${BASE}/kitchen`);
    await m.waitForSelector(".ticket:has-text('Table 10'):has-text('Cappuccino')");

    await Promise.all([g.waitForNavigation(), g.click("button:has-text('Call staff')")]);
    await g.waitForSelector("text=Staff has been called");
    await m.goto(`${BASE}/floor`);
    await m.waitForSelector(".table-card:has-text('Table 10') .call-alert");
  } finally {
    await browser.close();
  }
});
