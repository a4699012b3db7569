import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import t, { type Test } from 'tap';
import { createUser } from '../server/features/access/auth-service.ts';
import {
  CHROMIUM,
  CHROMIUM_ARGS,
  computed,
  HAS_CHROMIUM,
  NO_CHROMIUM,
  storedCount,
  unsentKeys,
  until,
  WAITING,
  watchCsp,
} from './e2e/browser.ts';
import { createDesk, VALID_FORM_ANSWERS } from './helpers/fixtures.ts';
import { testApp, testDatabase } from './helpers/harness.ts';
import { startServer } from './helpers/process.ts';
import { TEST_PASSWORD } from './helpers/staff.ts';

// The citizen's page in a real browser against the real server process:
// the CSP holds (no violation on citizen or staff pages, htmx included);
// answers survive a failing network and are stored once however often they
// are resent; and without JavaScript the plain post still works.

const THANKS = /Cảm ơn/;

async function startApp(t: Test) {
  const { url: databaseUrl, db } = await testDatabase(t, { empty: true });
  const server = await startServer({ DATABASE_URL: databaseUrl, SEED_DEMO: 'never' });
  t.teardown(() => void server.child.kill('SIGKILL'));
  const desk = await createDesk(db, ['ho-tich']);
  return { db, base: server.url, desk };
}

/** A fresh browser profile (its own localStorage) for one scenario. */
async function browser(t: Test, options: { javaScriptEnabled?: boolean } = {}): Promise<BrowserContext> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hl-chromium-'));
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    ...options,
  });
  t.teardown(async () => {
    await context.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return context;
}

async function answer(page: Page, answers: Record<string, string> = VALID_FORM_ANSWERS) {
  for (const [name, value] of Object.entries(answers)) {
    const field = page.locator(`[name="${name}"]`).first();
    if ((await field.getAttribute('type')) === 'radio') {
      // The radios are drawn as faces; the input itself is visually hidden.
      await page.locator(`input[name="${name}"][value="${value}"]`).check({ force: true });
    } else {
      await field.fill(value);
    }
  }
}

t.test('the retry script is small and the page with it stays light for a slow link', async (t) => {
  const { app, db } = await testApp(t);
  const desk = await createDesk(db, ['dat-dai', 'xay-dung']);
  const page = await app.inject(`/q/${desk.code}`);
  const script = await app.inject('/static/survey-retry.js');
  t.equal(script.statusCode, 200);
  t.match(script.headers['content-type'], /^text\/javascript/);
  t.ok(script.rawPayload.length < 4096, `script ${script.rawPayload.length} bytes < 4 KB`);
  const total = gzipSync(page.rawPayload).length + gzipSync(script.rawPayload).length;
  t.ok(total < 30 * 1024, `page and script ${total} bytes gzipped < 30 KB`);
});

if (!HAS_CHROMIUM) {
  t.skip(NO_CHROMIUM, async () => {});
} else {
  t.test('citizen and staff pages run under the CSP with no violation, htmx included', async (t) => {
    const { db, base, desk } = await startApp(t);
    const context = await browser(t);
    const violations = watchCsp(context);
    const page = await context.newPage();

    await page.goto(`${base}/q/${desk.code}`);
    const background = await computed(page, 'body', 'backgroundColor');
    t.equal(background, 'rgb(244, 246, 248)', "the page's own style (with its nonce) applies");
    const face = await computed(page, '.f5', 'backgroundImage');
    t.match(face, /^url\("data:image\/svg\+xml/, 'the smiley faces are drawn');

    // A 422 (an answer missing: the browser's own check removed) replaces the page as a plain post would.
    await answer(page, { ...VALID_FORM_ANSWERS, overall: '5' });
    await page.evaluate(`for (const input of document.querySelectorAll('input[name="overall"]')) {
      input.checked = false;
      input.removeAttribute('required');
    }`);
    await page.locator('button[type=submit]').click();
    await page.locator('.alert[role=alert]').waitFor();
    t.equal(await page.locator('#q-overall .err').count(), 1, 'the missing answer is pointed out');
    t.equal(page.url(), `${base}/q/${desk.code}`);
    const submissionId = await page.inputValue('input[name=submissionId]');
    await page.locator('input[name="overall"][value="4"]').check({ force: true });
    await page.locator('button[type=submit]').click();
    await page.getByText(THANKS).first().waitFor();
    t.equal(await storedCount(db, submissionId), 1, 'stored once the form was complete');
    t.same(await unsentKeys(page), [], 'nothing left to resend');

    // Staff pages: sign in, then move around with htmx's boosted links and forms.
    const email = `csp-${randomUUID().slice(0, 8)}@example.gov.vn`;
    await createUser(db, { email, name: 'Quản trị CSP', password: TEST_PASSWORD, role: 'admin' });
    await page.goto(`${base}/staff/sign-in`);
    await page.fill('input[name=email]', email);
    await page.fill('input[name=password]', TEST_PASSWORD);
    await page.locator('form[action="/staff/sign-in"] button[type=submit]').click();
    await page.waitForURL(/\/staff\/?$/);
    await page.evaluate('window.marker = true');
    await page.locator('header nav a[href="/staff/reports"]').click();
    await page.waitForURL(/\/staff\/reports/);
    await page.locator('header nav a[href="/staff/units"]').click();
    await page.waitForURL(/\/staff\/units$/);
    await page.locator(`main a[href="/staff/units/${desk.centreId}"]`).click();
    await page.locator(`main a[href="/staff/desks/${desk.deskId}/poster"]`).first().click();
    await page.waitForURL(/\/poster$/);
    await page.locator(`main a[href="/staff/desks/${desk.deskId}/poster?size=a5"]`).click();
    await page.waitForURL(/\/poster\?size=a5$/);
    t.ok(await page.evaluate('window.marker === true'), 'htmx swapped the pages in (no full reload)');
    const width = await computed(page, '.sheet', 'width');
    t.equal(Math.round(Number.parseFloat(width)), 559, 'the A5 card is 148 mm wide after a boosted swap (staff.css)');
    t.same(violations, [], 'no CSP violation on any page');
  });

  t.test('a failing network keeps the answers and resends them; the server stores them once', async (t) => {
    const { db, base, desk } = await startApp(t);
    const context = await browser(t);
    const violations = watchCsp(context);
    const page = await context.newPage();
    await page.goto(`${base}/q/${desk.code}`);
    const submissionId = await page.inputValue('input[name=submissionId]');

    // The first post reaches the server but its answer is lost; the second gets a 503; then the link is down.
    let attempts = 0;
    let cut = true;
    await page.route(`${base}/q/${desk.code}`, async (route) => {
      if (route.request().method() !== 'POST') return route.continue();
      attempts += 1;
      t.equal(new URLSearchParams(route.request().postData() ?? '').get('submissionId'), submissionId);
      if (!cut) return route.continue();
      if (attempts === 1) {
        await route.fetch();
        return route.abort('connectionreset');
      }
      if (attempts === 2) return route.fulfill({ status: 503, headers: { 'retry-after': '5' }, body: 'busy' });
      return route.abort('internetdisconnected');
    });

    await answer(page);
    await page.locator('button[type=submit]').click();
    await page.getByText(WAITING).waitFor();
    await t.resolves(
      until(() => attempts >= 3, 20_000),
      'it tried again, with backoff',
    );
    t.match(await page.locator('body').innerText(), WAITING, 'the page says it has not sent yet');
    t.notMatch(await page.locator('body').innerText(), THANKS, 'and does not thank before the server did');
    t.equal(await storedCount(db, submissionId), 1, 'the lost acknowledgement was stored');
    t.same((await unsentKeys(page)).length, 1, 'the answers are kept in the browser');

    cut = false;
    await page.getByText(THANKS).first().waitFor({ timeout: 40_000 });
    t.ok(attempts >= 4, `${attempts} attempts`);
    t.equal(await storedCount(db, submissionId), 1, 'stored once although sent several times');
    t.same(await unsentKeys(page), [], 'forgotten once confirmed');
    t.same(violations, []);
  });

  t.test('answers left unsent when the page was closed are sent when it is opened again', async (t) => {
    const { db, base, desk } = await startApp(t);
    const context = await browser(t);
    const page = await context.newPage();
    await page.goto(`${base}/q/${desk.code}`);
    const submissionId = await page.inputValue('input[name=submissionId]');
    await context.setOffline(true);
    await answer(page);
    await page.locator('button[type=submit]').click();
    await page.getByText(WAITING).waitFor();
    await page.close();
    t.equal(await storedCount(db, submissionId), 0, 'nothing reached the server');

    await context.setOffline(false);
    const again = await context.newPage();
    await again.goto(`${base}/q/${desk.code}`);
    await again.getByText(THANKS).first().waitFor();
    t.equal(await storedCount(db, submissionId), 1, "stored under the first page's submissionId");
    const stored = await db
      .selectFrom('response')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    t.equal(Number(stored.n), 1, 'and nothing else');
    t.same(await unsentKeys(again), []);
  });

  t.test('without JavaScript the plain form post still works', async (t) => {
    const { db, base, desk } = await startApp(t);
    const context = await browser(t, { javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${base}/q/${desk.code}`);
    const submissionId = await page.inputValue('input[name=submissionId]');
    await answer(page);
    await Promise.all([page.waitForNavigation(), page.locator('button[type=submit]').click()]);
    t.match(await page.locator('h1').innerText(), THANKS);
    t.equal(await storedCount(db, submissionId), 1);
  });
}
