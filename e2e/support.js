// Shared by the journeys: the browser (Debian's Chromium, no download), the server address,
// and screenshots.
const { chromium } = require("playwright-core");
const fs = require("node:fs");
const path = require("node:path");

const BASE = process.env.TILLPOINT_URL || "http://127.0.0.1:8000";
const PASSWORD = process.env.TILLPOINT_DEMO_PASSWORD || "tillpoint-demo";
const SHOTS = path.join(__dirname, "screenshots");
fs.mkdirSync(SHOTS, { recursive: true });

async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

async function shot(page, name) {
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}

async function signIn(page, username, password) {
  await page.goto(`${BASE}/login`);
  await page.fill('input[name="username"]', username);
  await page.fill('input[name="password"]', password);
  await Promise.all([page.waitForNavigation(), page.click('button[type="submit"]')]);
}

// Sales need the seller's open shift: opens one from the till's own form when there is none
// (the demo leaves every shift closed), with a float of 2,000 typed as one amount.
async function openShift(page) {
  await page.goto(`${BASE}/pos`);
  if (await page.$("#open-shift form")) {
    await page.fill("#open-shift input[name=amount]", "2000");
    await Promise.all([page.waitForNavigation(), page.click("#open-shift button[type=submit]")]);
  }
  await page.waitForSelector("#scan");
}

async function signOut(page) {
  await Promise.all([page.waitForNavigation(), page.click("text=Sign out")]);
}

// Browser errors a journey must not have: console errors (CSP included) and failed responses.
// The till's lookups answer 404 by design ("no such barcode", "no customer with this phone"),
// and the browser logs each as "Failed to load resource"; those, and only those, are expected.
const EXPECTED_404 = [/\/pos\/scan\?/, /\/pos\/customers\?/];
function watchErrors(page) {
  const seen = [];
  page.on("console", (m) => {
    if (m.type() === "error" && !m.text().startsWith("Failed to load resource")) seen.push(m.text());
  });
  page.on("response", (r) => {
    if (r.status() >= 400 && !(r.status() === 404 && EXPECTED_404.some((p) => p.test(r.url())))) {
      seen.push(`${r.status()} ${r.url()}`);
    }
  });
  return seen;
}

// The demo catalogue's barcodes: EAN-13 of 480100000000 + n (n = 0 is the iPhone 15, 25 the
// USB-C cable).
function demoBarcode(n) {
  const body = String(480100000000 + n).padStart(12, "0");
  const sum = body.split("").reverse().reduce((acc, d, i) => acc + Number(d) * (i % 2 === 0 ? 3 : 1), 0);
  return body + ((10 - (sum % 10)) % 10);
}

// The path of a table's guest page (its QR code), read off the tables page by a manager.
async function guestLink(page, table) {
  await page.goto(`${BASE}/tables`);
  const link = await page.getAttribute(`tr:has-text('Table ${table}') a.guest-link`, "href");
  return new URL(link).pathname;
}

module.exports = { BASE, PASSWORD, demoBarcode, guestLink, launch, shot, signIn, signOut, watchErrors, openShift };
