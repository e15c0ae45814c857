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

async function signOut(page) {
  await Promise.all([page.waitForNavigation(), page.click("text=Sign out")]);
}

module.exports = { BASE, PASSWORD, launch, shot, signIn, signOut };
