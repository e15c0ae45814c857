// Instalments (issue 13): an agent sells on instalments at the till, a credit officer approves
// the plan and records a payment, and the plan shows what was paid and what is left.
const test = require("node:test");
const assert = require("node:assert/strict");
const { BASE, PASSWORD, demoBarcode, launch, shot, signIn, signOut, watchErrors, openShift } = require("./support");

test("an instalment sale is approved and paid", async () => {
  const browser = await launch();
  try {
    const page = await browser.newPage({ viewport: { width: 1366, height: 650 } });
    const errors = watchErrors(page);
    await signIn(page, "agent", PASSWORD);
    await openShift(page);
    await page.evaluate(() => localStorage.clear());
    await page.reload();
    await page.waitForSelector("#scan:focus");
    await page.keyboard.type(demoBarcode(25), { delay: 5 }); // USB-C Cable 1m
    await page.keyboard.press("Enter");
    await page.waitForSelector("#cart-lines >> text=USB-C Cable 1m");

    await page.check("input[name=tender][value=installment]");
    assert.equal(await page.textContent("#pay"), "Record instalment sale (F9)");
    assert.ok(await page.isVisible("#term"), "the term is asked");
    assert.ok(!(await page.isVisible("#cash")), "no cash field for an instalment sale");
    // Without a customer the till says what is missing and sends nothing.
    await page.click("#pay");
    await page.waitForSelector("text=needs the customer's name and phone");
    const phone = "0917" + String(Date.now()).slice(-7);
    // A new phone number: the lookup finds nobody (and clears the name), then the name is typed.
    await Promise.all([
      page.waitForResponse((r) => r.url().includes("/pos/customers?")),
      page.fill("#customer-phone", phone).then(() => page.press("#customer-phone", "Tab")),
    ]);
    await page.waitForFunction(() => document.querySelector("#customer-note").textContent !== "");
    await page.fill("#customer-name", "Instalment Journey");
    await page.selectOption("#term", "3");
    await page.fill("#down-payment", "0");
    await page.waitForFunction(() => document.querySelector("#p-monthly").textContent !== "0.00");
    await shot(page, "80-till-instalment");
    await page.click("#pay");
    await page.waitForSelector("#paid:not([hidden])");
    const label = await page.textContent("#paid-label");
    const plan = Number((label.match(/#(\d+)/) || [])[1]);
    assert.ok(plan > 0, label);
    await page.keyboard.press("Enter");
    await signOut(page);

    // The credit officer lands on the plans, finds it pending, approves it and takes a payment.
    await signIn(page, "credit", PASSWORD);
    assert.ok(page.url().endsWith("/installments"), page.url());
    await page.goto(`${BASE}/installments?status=pending&customer=${phone}`);
    await page.click(`a[href="/installments/${plan}"]`);
    await page.waitForSelector("text=Pending approval");
    await Promise.all([page.waitForNavigation(), page.click("text=Approve plan")]);
    await page.waitForSelector(`text=Plan #${plan} is approved`);
    await page.fill("input[name=amount]", "50");
    await page.selectOption("select[name=method]", "e_wallet");
    await Promise.all([page.waitForNavigation(), page.click("text=Record payment")]);
    await page.waitForSelector("text=OFFICIAL RECEIPT");
    await page.waitForSelector("text=E-wallet");
    await shot(page, "81-instalment-payment-receipt");
    await page.goto(`${BASE}/installments/${plan}`);
    await page.waitForSelector("text=Active");
    const paid = await page.textContent("dl.facts");
    assert.ok(paid.includes("50.00"), "the plan shows the payment");
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});
