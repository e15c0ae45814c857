// Issue 9 in a browser: a guest who double-taps "Place order" on a phone makes one ticket, and
// a phone on the same Wi-Fi without the guest's cookie is not greeted as that guest.
const test = require("node:test");
const assert = require("node:assert/strict");
const { BASE, PASSWORD, guestLink, launch, shot, signIn } = require("./support");

test("a double tap places one order; a neighbour's phone is a stranger", async () => {
  const browser = await launch();
  try {
    const manager = await browser.newContext({ viewport: { width: 1366, height: 650 } });
    const m = await manager.newPage();
    await signIn(m, "manager", PASSWORD);
    const guestPath = await guestLink(m, 9);

    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    const g = await phone.newPage();
    await g.goto(`${BASE}${guestPath}`);
    await g.fill('input[name="name"]', "Rosa");
    await Promise.all([g.waitForNavigation(), g.click("text=Save")]);
    await g.click('li.item:has-text("Espresso Shot") button[aria-label="One more"]');
    // Two taps in a row on the order button.
    await Promise.all([g.waitForNavigation(), g.dblclick("text=Place order")]);
    await g.waitForSelector("text=Your order went to the kitchen");
    await shot(g, "60-guest-double-tap");

    await m.goto(`${BASE}/kitchen`);
    await m.waitForSelector(".ticket:has-text('Table 9')");
    assert.equal(await m.locator(".ticket:has-text('Table 9')").count(), 1, "one ticket for a double tap");
    await shot(m, "61-kitchen-one-ticket");

    // The page fits phones from 360 to 430 px: no sideways scrolling, Place order on screen.
    for (const width of [360, 390, 430]) {
      await g.setViewportSize({ width, height: 800 });
      await g.goto(`${BASE}${guestPath}`);
      const overflow = await g.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `no horizontal overflow at ${width} px (${overflow} px)`);
      const box = await g.locator("text=Place order").boundingBox();
      assert.ok(box && box.y + box.height <= 800, `Place order visible at ${width} px`);
    }

    // Another phone on the same address, without Rosa's cookie: a new guest.
    const neighbour = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true });
    const n = await neighbour.newPage();
    await n.goto(`${BASE}${guestPath}`);
    const body = await n.textContent("body");
    assert.ok(!body.includes("Rosa"), "a neighbour's phone is not greeted as Rosa");
    assert.ok(!body.includes("Order the same again"));
    await shot(n, "62-neighbour-stranger");
  } finally {
    await browser.close();
  }
});
