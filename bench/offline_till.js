// The till's own copy of the catalogue, in Debian's Chromium: how long a new till takes to
// load it from /pos/catalogue, how much IndexedDB it takes, and a lookup by barcode.
//     node bench/offline_till.js URL     (needs e2e/node_modules: cd e2e && npm ci)
const { launch } = require("../e2e/support");

(async () => {
  const base = process.argv[2];
  const browser = await launch();
  try {
    const page = await browser.newPage();
    await page.goto(`${base}/login`);
    await page.fill('input[name="username"]', "agent");
    await page.fill('input[name="password"]', process.env.TILLPOINT_DEMO_PASSWORD || "tillpoint-demo");
    await Promise.all([page.waitForNavigation(), page.click('button[type="submit"]')]);
    await page.goto(`${base}/pos`);
    if (await page.$("#open-shift form")) {
      await page.fill("#open-shift input[name=amount]", "0");
      await Promise.all([page.waitForNavigation(), page.click("#open-shift button[type=submit]")]);
    }
    const t0 = Date.now();
    await page.waitForFunction(() => window.TillOffline && window.TillOffline.status().catalogue >= 100000 &&
      window.TillOffline.status().lastSync, null, { timeout: 300000 });
    const loadMs = Date.now() - t0;
    const est = await page.evaluate(() => navigator.storage.estimate());
    const t1 = performance.now();
    const found = await page.evaluate(() => window.TillOffline.lookup("BX00054321"));
    const lookupMs = performance.now() - t1;
    if (!found) throw new Error("BX00054321 is not in the till's copy");
    const products = await page.evaluate(() => window.TillOffline.status().catalogue);
    console.log(`till copy ${products} products loaded in ${(loadMs / 1000).toFixed(2)} s, ` +
      `IndexedDB ${(est.usageDetails.indexedDB / 1e6).toFixed(1)} MB, lookup with the page round trip ${lookupMs.toFixed(1)} ms`);
  } finally {
    await browser.close();
  }
})().catch((e) => { console.error(e); process.exit(1); });
