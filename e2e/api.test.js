// The JSON API (issue 17): a developer opens the API's documentation in the browser — Swagger
// UI and ReDoc, served by tillpoint itself with nothing fetched from elsewhere — signs in for a
// token with "Try it out" and calls the kitchen list with it.
const test = require("node:test");
const assert = require("node:assert/strict");
const { BASE, PASSWORD, launch, shot, watchErrors } = require("./support");

function offsite(page) {
  const seen = [];
  page.on("request", (r) => {
    if (!r.url().startsWith(BASE) && !r.url().startsWith("data:") && !r.url().startsWith("blob:")) seen.push(r.url());
  });
  return seen;
}

test("Swagger UI documents the API and calls it with a token", async () => {
  const browser = await launch();
  try {
    const page = await browser.newPage({ viewport: { width: 1366, height: 650 } });
    const errors = watchErrors(page);
    const away = offsite(page);
    await page.goto(`${BASE}/api/docs/`);
    await page.waitForSelector("text=tillpoint API");
    for (const tag of ["auth", "menu", "sessions", "kitchen", "retail"]) {
      assert.ok(await page.locator(`.opblock-tag-section h3 >> text="${tag}"`).count() >= 1, tag);
    }
    await shot(page, "api-1-swagger");
    // Sign in through the API for a token (what a kitchen tablet does), then authorize.
    const login = await page.request.post(`${BASE}/api/auth/login/`, {
      data: { username: "kitchen", password: PASSWORD },
    });
    assert.equal(login.status(), 200);
    const token = (await login.json()).token;
    await page.click("button.authorize");
    await page.fill(".modal-ux input[type=text]", `Token ${token}`);
    await page.click(".modal-ux button.authorize");
    await page.click(".modal-ux button.btn-done");
    // GET /api/kitchen/ → Try it out → Execute: a page of tickets.
    const op = page.locator("#operations-kitchen-list");
    await op.locator(".opblock-summary").click();
    await op.locator("button.try-out__btn").click();
    await op.locator("button.execute").click();
    const status = op.locator(".live-responses-table tbody .response-col_status").first();
    await status.waitFor();
    assert.match((await status.textContent()).trim(), /^200/);
    assert.match(await op.locator(".live-responses-table tbody pre").first().textContent(), /"count"/);
    await shot(page, "api-2-try-it-out");
    assert.deepEqual(away, [], "nothing fetched from another site");
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

test("ReDoc reads the same document on a phone", async () => {
  const browser = await launch();
  try {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    const away = offsite(page);
    await page.goto(`${BASE}/api/redoc/`);
    await page.waitForSelector("h1:has-text('tillpoint API')", { timeout: 20000 });
    await shot(page, "api-3-redoc-phone");
    assert.deepEqual(away, [], "nothing fetched from another site");
  } finally {
    await browser.close();
  }
});
