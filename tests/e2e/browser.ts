import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { type Browser, type BrowserContext, type BrowserContextOptions, chromium, type Page } from 'playwright-core';
import type { Test } from 'tap';
import { createUser } from '../../server/features/access/auth-service.ts';
import type { Db } from '../../server/platform/db/connect.ts';
import type { Role } from '../../server/platform/db/schema.ts';
import { testDatabase } from '../helpers/harness.ts';
import { freePort, ROOT, startServer } from '../helpers/process.ts';
import { TEST_PASSWORD } from '../helpers/staff.ts';

// Shared by the browser tests and the screenshots script: Debian's Chromium
// driven by playwright-core (Playwright's own browser download does not work
// here), the server as a real process on its own database, and the small
// steps every scenario takes (tap an answer, sign in, run axe).

export const CHROMIUM = '/usr/bin/chromium';
export const HAS_CHROMIUM = existsSync(CHROMIUM);
export const NO_CHROMIUM = `browser tests: no Chromium at ${CHROMIUM} (apt-get install chromium)`;

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A cheap Android phone: small screen, touch, a mobile user agent's layout. */
export const PHONE: BrowserContextOptions = {
  viewport: { width: 360, height: 740 },
  isMobile: true,
  hasTouch: true,
  deviceScaleFactor: 1,
  locale: 'vi-VN',
};

/** An office PC. */
export const DESKTOP: BrowserContextOptions = { viewport: { width: 1280, height: 900 }, locale: 'vi-VN' };

export const THANKS = /Cảm ơn Ông\/Bà đã dành thời gian đánh giá/;
export const WAITING = 'Chưa gửi được, đang thử lại…';

/** One headless browser per test file, closed at its end. */
export async function launchBrowser(t: Test): Promise<Browser> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  t.teardown(() => browser.close());
  return browser;
}

/** A fresh profile (its own cookies and localStorage) for one scenario. */
export async function newContext(t: Test, browser: Browser, options: BrowserContextOptions = {}) {
  const context = await browser.newContext(options);
  context.setDefaultTimeout(20_000);
  t.teardown(() => context.close());
  return context;
}

/**
 * The server as a process on a database of its own (migrated by the server
 * at start), on a port known beforehand so that the QR codes it prints carry
 * its real address.
 */
export async function startApp(t: Test, env: Record<string, string> = {}) {
  const { url: databaseUrl, db } = await testDatabase(t, { empty: true });
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const server = await startServer({
    DATABASE_URL: databaseUrl,
    SEED_DEMO: 'never',
    PORT: String(port),
    PUBLIC_URL: base,
    ...env,
  });
  let stopping = false;
  // A server that dies mid-test shows up as refused connections: say why.
  server.child.once('exit', (code, signal) => {
    if (!stopping) t.fail(`the server exited (${code ?? signal}):\n${server.output().slice(-4000)}`);
  });
  t.teardown(() => {
    stopping = true;
    server.child.kill('SIGKILL');
  });
  return { db, base };
}

/** A staff account that signs in with TEST_PASSWORD. */
export async function createAccount(db: Db, role: Role, unitCode?: string, name = 'Cán bộ Thử Nghiệm') {
  const email = `${role}-${randomBytes(4).toString('hex')}@example.gov.vn`;
  const created = await createUser(db, { email, name, password: TEST_PASSWORD, role, unitCode });
  if (created.status !== 'ok') throw new Error(`could not create ${role}: ${created.status}`);
  return email;
}

/** Signs in through the sign-in form, as a person types it. */
export async function signIn(page: Page, base: string, email: string) {
  await page.goto(`${base}/staff/sign-in`);
  await page.getByLabel('Thư điện tử').fill(email);
  await page.getByLabel('Mật khẩu').fill(TEST_PASSWORD);
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
  await page.waitForURL(/\/staff\/?$/);
}

/** Taps an answer the way a thumb does: on the visible label (the radio itself is visually hidden). */
export async function tapAnswer(page: Page, name: string, value: string) {
  await page
    .locator('label.opt')
    .filter({ has: page.locator(`input[name="${name}"][value="${value}"]`) })
    .tap();
}

/** Answers the quick survey by tapping each choice and typing the comment. */
export async function tapAnswers(page: Page, answers: Record<string, string>) {
  for (const [name, value] of Object.entries(answers)) {
    const field = page.locator(`[name="${name}"]`).first();
    if ((await field.getAttribute('type')) === 'radio') await tapAnswer(page, name, value);
    else await field.fill(value);
  }
}

/** Collects what the CSP blocked on every page of the context, as the browser reports it. */
export function watchCsp(context: BrowserContext): string[] {
  const violations: string[] = [];
  // Browser-side code is passed as text: the tests compile without the DOM types.
  void context.addInitScript(`document.addEventListener('securitypolicyviolation', (e) =>
    console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI + ' ' + e.sample))`);
  const watch = (page: Page) =>
    page.on('console', (m) => {
      if (/Content Security Policy|CSP violation|Refused to/i.test(m.text())) violations.push(m.text());
    });
  context.on('page', watch);
  for (const page of context.pages()) watch(page);
  return violations;
}

export async function storedCount(db: Db, submissionId: string): Promise<number> {
  const rows = await db.selectFrom('response').select('id').where('submission_id', '=', submissionId).execute();
  return rows.length;
}

export const unsentKeys = (page: Page): Promise<string[]> =>
  page.evaluate(`Object.keys(localStorage).filter((k) => k.startsWith('hl-unsent:'))`);

export const computed = (page: Page, selector: string, property: string): Promise<string> =>
  page.evaluate(`getComputedStyle(document.querySelector(${JSON.stringify(selector)}))[${JSON.stringify(property)}]`);

const AXE_SOURCE = readFileSync(path.join(ROOT, 'node_modules/axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

/**
 * Runs axe-core on the page as it is now (WCAG 2.1 A and AA rules plus best
 * practices) and returns its violations. The source is evaluated through the
 * DevTools protocol, which the page's CSP does not govern, so the page runs
 * under its real policy.
 */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  // Loaded into the page being checked only: as an init script it was parsed on every page the context opened.
  if (!(await page.evaluate('typeof window.axe === "object"'))) await page.evaluate(AXE_SOURCE);
  const results = (await page.evaluate(`axe.run(document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
    resultTypes: ['violations'],
  }).then((r) => r.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map((n) => n.target.join(' ') + ' — ' + n.failureSummary),
  })))`)) as AxeViolation[];
  return results;
}

export const isSerious = (v: AxeViolation) => v.impact === 'serious' || v.impact === 'critical';

/** Polls a condition in the test process (not the page), for what the server or a route handler records. */
export async function until(check: () => boolean | Promise<boolean>, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}
