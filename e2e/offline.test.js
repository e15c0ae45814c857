// The till through an outage, with the server itself stopped: the cashier scans and sells
// three carts offline, reloads the page while the server is down, then the server starts
// again and the three sales arrive once; the stock says so, and a second sync changes nothing.
// This journey runs its own server (the release binary in TILLPOINT_BIN) so that it can stop
// it; on its own SQLite data directory, or on TILLPOINT_OFFLINE_DATABASE_URL when set.
const test = require("node:test");
const assert = require("node:assert/strict");
const { spawn } = require("node:child_process");
const fs = require("node:fs");
const net = require("node:net");
const os = require("node:os");
const path = require("node:path");
const { PASSWORD, demoBarcode, launch, shot } = require("./support");

const BIN = process.env.TILLPOINT_BIN;

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, "127.0.0.1", () => { const { port } = s.address(); s.close(() => resolve(port)); });
    s.on("error", reject);
  });
}

async function waitHealthy(base, ms) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    try { const r = await fetch(`${base}/healthz`); if (r.ok) return; } catch (e) { /* not yet */ }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`the server at ${base} did not start`);
}

function startServer(dir, port) {
  const env = { ...process.env, TILLPOINT_DATA_DIR: dir, TILLPOINT_ADDR: `127.0.0.1:${port}`, TILLPOINT_LOG: "warn" };
  delete env.DATABASE_URL;
  if (process.env.TILLPOINT_OFFLINE_DATABASE_URL) env.DATABASE_URL = process.env.TILLPOINT_OFFLINE_DATABASE_URL;
  const log = fs.openSync(path.join(dir, "server.log"), "a");
  return spawn(BIN, ["--demo"], { env, stdio: ["ignore", log, log] });
}

function stop(child) {
  return new Promise((resolve) => { child.once("exit", resolve); child.kill("SIGKILL"); });
}

// What the till says of the queue, and the branch's stock of a product (asked of the server).
const pending = (page) => page.evaluate(() => window.TillOffline.status().pending);
const stockOf = (page, code) => page.evaluate((c) => fetch(`/pos/scan?barcode=${c}`, { headers: { Accept: "application/json" } })
  .then((r) => r.json()).then((p) => p.stock), code);

async function sell(page, codes, cash, shotName) {
  for (const code of codes) {
    const total = await page.textContent("#t-total");
    await page.fill("#scan", code);
    await page.press("#scan", "Enter");
    await page.waitForFunction((t) => document.querySelector("#t-total").textContent !== t, total);
  }
  await page.fill("#cash", cash);
  await page.keyboard.press("F9");
  await page.waitForSelector("#paid:not([hidden])");
  const number = await page.textContent("#paid-or");
  if (shotName) await shot(page, shotName);
  await page.keyboard.press("Enter");
  await page.waitForSelector("#paid", { state: "hidden" });
  return number;
}

test("a till keeps selling while the server is stopped, and every sale arrives once", { skip: !BIN && "TILLPOINT_BIN is not set" }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tillpoint-offline-"));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  let server = startServer(dir, port);
  const browser = await launch();
  try {
    await waitHealthy(base, 60000);
    const page = await browser.newPage({ viewport: { width: 1366, height: 650 } });
    const errors = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(`${base}/login`);
    await page.fill('input[name="username"]', "agent");
    await page.fill('input[name="password"]', PASSWORD);
    await Promise.all([page.waitForNavigation(), page.click('button[type="submit"]')]);
    await page.goto(`${base}/pos`);
    if (await page.$("#open-shift form")) {
      await page.fill("#open-shift input[name=amount]", "2000");
      await Promise.all([page.waitForNavigation(), page.click("#open-shift button[type=submit]")]);
    }
    await page.waitForSelector("#scan");
    // The worker takes over the page, which is loaded once more through it (and kept).
    await page.evaluate(() => navigator.serviceWorker.ready);
    await page.reload();
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
    await page.waitForFunction(() => window.TillOffline && window.TillOffline.status().block && window.TillOffline.status().catalogue > 0,
      null, { timeout: 30000 });

    const cable = demoBarcode(25), charger = demoBarcode(27);
    const before = { cable: await stockOf(page, cable), charger: await stockOf(page, charger) };
    assert.ok(before.cable >= 3 && before.charger >= 3, JSON.stringify(before));

    // The server stops.
    await stop(server);
    const one = await sell(page, [cable], "5000", "90a-offline-paid");
    assert.match(one, /^P\d+-001 \(offline\)$/);
    await page.waitForSelector("#offline-banner:not([hidden])");
    assert.match(await page.textContent("#offline-text"), /Offline — sales are kept on this till · 1 sale waiting/);
    await shot(page, "90-offline-sale");
    const two = await sell(page, [charger, charger], "5000");
    assert.match(two, /^P\d+-002/);
    const three = await sell(page, [cable, charger], "5000");
    assert.match(three, /^P\d+-003/);
    assert.equal(await pending(page), 3);

    // The page comes back without the server (the worker's copy); the queue is still there.
    await page.reload();
    await page.waitForSelector("#scan");
    await page.waitForFunction(() => window.TillOffline && window.TillOffline.status().pending === 3);
    await page.waitForSelector("#offline-banner:not([hidden])");
    assert.match(await page.textContent("#offline-text"), /3 sales waiting/);
    await shot(page, "91-offline-reloaded");

    // The server starts again: the sales arrive by themselves, once.
    server = startServer(dir, port);
    await waitHealthy(base, 60000);
    await page.waitForFunction(() => window.TillOffline.status().pending === 0 && window.TillOffline.status().online,
      null, { timeout: 60000 });
    await page.waitForSelector("#offline-banner", { state: "hidden" });
    const after = { cable: await stockOf(page, cable), charger: await stockOf(page, charger) };
    assert.deepEqual(after, { cable: before.cable - 2, charger: before.charger - 3 });
    // Sent again (a second tab, a retry): nothing changes.
    await page.evaluate(() => window.TillOffline.sync());
    assert.deepEqual({ cable: await stockOf(page, cable), charger: await stockOf(page, charger) }, after);

    // Each became an official receipt that names the provisional one the customer holds.
    const sent = await page.evaluate(() => window.TillOffline.sent());
    assert.equal(sent.length, 3);
    const first = sent.find((x) => /-001$/.test(x.provisional));
    assert.match(first.receipt_number, /^MNL-\d{6}$/);
    await page.goto(`${base}/sales/${first.order_id}/receipt`);
    assert.match(await page.textContent("main"), new RegExp(`Replaces provisional receipt ${first.provisional}`));
    await shot(page, "92-offline-synced");
    assert.deepEqual(errors, [], "no script errors");
  } finally {
    await browser.close();
    if (server.exitCode === null) await stop(server);
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("offline limits hold, and a sale the server must refuse waits for a manager, who settles it from a phone", { skip: !BIN && "TILLPOINT_BIN is not set" }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tillpoint-offline-"));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  let server = startServer(dir, port);
  const browser = await launch();
  const signInAs = async (page, who) => {
    await page.goto(`${base}/login`);
    await page.fill('input[name="username"]', who);
    await page.fill('input[name="password"]', PASSWORD);
    await Promise.all([page.waitForNavigation(), page.click('button[type="submit"]')]);
  };
  try {
    await waitHealthy(base, 60000);
    const till = await browser.newPage({ viewport: { width: 1366, height: 650 } });
    const errors = [];
    till.on("pageerror", (e) => errors.push(e.message));
    await signInAs(till, "agent");
    await till.goto(`${base}/pos`);
    if (await till.$("#open-shift form")) {
      await till.fill("#open-shift input[name=amount]", "2000");
      await Promise.all([till.waitForNavigation(), till.click("#open-shift button[type=submit]")]);
    }
    await till.waitForFunction(() => window.TillOffline && window.TillOffline.status().block && window.TillOffline.status().catalogue > 0,
      null, { timeout: 30000 });
    const cable = demoBarcode(25), charger = demoBarcode(27);
    const scanned = (c) => till.evaluate((code) => fetch(`/pos/scan?barcode=${code}`, { headers: { Accept: "application/json" } })
      .then((r) => r.json()), c);
    const product = await scanned(cable);

    // A manager allows 500.00 of sales to wait on a till, then raises the cable's price; the
    // till hears of the limit at its next catalogue poll (made now), not of the new price.
    const phone = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await signInAs(phone, "manager");
    await phone.goto(`${base}/settings/retail`);
    await phone.fill('input[name="offline_amount"]', "500");
    await Promise.all([phone.waitForNavigation(), phone.click("text=Save settings")]);
    await phone.waitForSelector("text=Settings saved.");
    await till.evaluate(() => window.TillOffline.refresh());
    assert.equal(await till.evaluate(() => window.TillOffline.status().limits.amount_minor), 50000);
    await phone.goto(`${base}/products/${product.id}/edit`);
    const raised = (Number(product.price) + 100).toFixed(2);
    await phone.fill('input[name="price"]', raised);
    await phone.fill('input[name="discount_price"]', "");
    await Promise.all([phone.waitForNavigation(), phone.click("text=Save product")]);
    await phone.waitForSelector("text=USB-C Cable 1m was saved.");

    // The server stops. A charger (over the limit) is refused with the reason; a cable is
    // sold at the price the till knows.
    await stop(server);
    await till.fill("#scan", charger);
    await till.press("#scan", "Enter");
    await till.waitForSelector("text=20W USB-C Charger");
    await till.fill("#cash", "5000");
    await till.keyboard.press("F9");
    await till.waitForSelector("text=would pass the offline limit of 500.00");
    assert.equal(await pending(till), 0);
    till.once("dialog", (d) => d.accept());
    await till.click("#clear");
    const number = await sell(till, [cable], "5000");
    assert.match(number, /^P\d+-001 \(offline\)$/);

    // Back: the sale arrives, and the server cannot take it as it is.
    server = startServer(dir, port);
    await waitHealthy(base, 60000);
    await till.waitForFunction(() => window.TillOffline.status().pending === 0 && window.TillOffline.status().issues.length === 1,
      null, { timeout: 60000 });
    await till.waitForSelector("#offline-issues:not([hidden])");
    assert.match(await till.textContent("#offline-issues"), /Needs a manager: P\d+-001 .*the till charged/);
    await shot(till, "93-offline-exception-on-till");

    // The manager settles it from a phone: the customer paid what the till said.
    await phone.goto(`${base}/pos/exceptions`);
    await phone.waitForSelector("#exception-list");
    assert.match(await phone.textContent("#exception-list"), /the till charged/);
    await shot(phone, "94-offline-exceptions-phone");
    await phone.fill('#exception-list input[name="note"]', "Paid the old shelf price");
    await Promise.all([phone.waitForNavigation(), phone.click("#exception-list button.primary")]);
    assert.match(await phone.textContent("main"), /Accepted: the sale is in the books as sale #\d+/);
    await phone.waitForSelector("#no-exceptions");
    const after = await scanned(cable);
    assert.equal(after.stock, product.stock - 1);
    assert.deepEqual(errors, [], "no script errors");
  } finally {
    await browser.close();
    if (server.exitCode === null) await stop(server);
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
