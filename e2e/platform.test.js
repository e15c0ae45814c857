// A manager signs in, creates an employee; the new employee signs in and sees their profile.
const test = require("node:test");
const assert = require("node:assert/strict");
const { BASE, PASSWORD, launch, shot, signIn, signOut } = require("./support");

test("a manager creates an employee who then signs in", async () => {
  const browser = await launch();
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const consoleErrors = [];
    page.on("console", (m) => m.type() === "error" && consoleErrors.push(m.text()));

    await page.goto(`${BASE}/login`);
    await shot(page, "01-login");
    await signIn(page, "manager", PASSWORD);
    assert.match(page.url(), /\/dashboard$/);
    await page.waitForSelector("h1:has-text('Dashboard')");
    assert.equal(await page.locator("svg.chart").count(), 1);
    await shot(page, "02-manager-home");

    await page.click('nav >> text=Employees');
    await page.waitForSelector("h1:has-text('Employees')");
    await shot(page, "03-employees");

    await page.click("text=New employee");
    const username = `e2e${Date.now().toString(36)}`;
    await page.fill('input[name="name"]', "Bea Villanueva");
    await page.fill('input[name="username"]', username);
    await page.selectOption('select[name="role"]', "sales_agent");
    await page.selectOption('select[name="branch_id"]', { index: 1 });
    await page.fill('input[name="email"]', "bea@example.com");
    await page.fill('input[name="password"]', "bea-first-pass");
    await shot(page, "04-new-employee-form");
    await Promise.all([page.waitForNavigation(), page.click("text=Save employee")]);
    await page.waitForSelector("text=Bea Villanueva was added");
    await shot(page, "05-employee-created");

    // A form with a mistake comes back with the message next to the field.
    await page.goto(`${BASE}/employees/new`);
    await page.fill('input[name="name"]', "Duplicate");
    await page.fill('input[name="username"]', username);
    await page.selectOption('select[name="branch_id"]', { index: 1 });
    await page.fill('input[name="password"]', "whatever-pass");
    await Promise.all([page.waitForNavigation(), page.click("text=Save employee")]);
    await page.waitForSelector("text=is already taken");
    await shot(page, "06-duplicate-username");

    await page.goto(`${BASE}/audit`);
    await page.waitForSelector(`text=Bea Villanueva (${username})`);
    await shot(page, "07-audit-trail");
    await signOut(page);

    await signIn(page, username, "bea-first-pass");
    // A sales agent lands on the till.
    assert.match(page.url(), /\/pos$/);
    await page.goto(`${BASE}/profile`);
    await page.waitForSelector("h2:has-text('Bea Villanueva')");
    const nav = await page.textContent("nav");
    assert.ok(!nav.includes("Employees"), "a sales agent does not see manager pages");
    await shot(page, "08-new-employee-profile");

    // On a phone the same page works.
    await page.setViewportSize({ width: 390, height: 844 });
    await shot(page, "09-profile-phone");
    // The duplicate-username form above answers 409 on purpose; nothing else may fail.
    const unexpected = consoleErrors.filter((e) => !e.includes("status of 409"));
    assert.deepEqual(unexpected, [], "no errors in the browser console (CSP included)");
  } finally {
    await browser.close();
  }
});

test("a wrong password shows a message and keeps the username", async () => {
  const browser = await launch();
  try {
    const page = await browser.newPage();
    await page.goto(`${BASE}/login`);
    await page.fill('input[name="username"]', "manager");
    await page.fill('input[name="password"]', "not-the-password");
    await Promise.all([page.waitForNavigation(), page.click('button[type="submit"]')]);
    await page.waitForSelector("text=Username or password is incorrect.");
    assert.equal(await page.inputValue('input[name="username"]'), "manager");
    await shot(page, "10-wrong-password");
  } finally {
    await browser.close();
  }
});
