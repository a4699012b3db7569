import type { Page } from 'playwright-core';
import t from 'tap';
import { createDesk, unitCode } from '../helpers/fixtures.ts';
import { seedReportData } from '../helpers/report-data.ts';
import {
  axeViolations,
  createAccount,
  DESKTOP,
  HAS_CHROMIUM,
  isSerious,
  launchBrowser,
  NO_CHROMIUM,
  newContext,
  PHONE,
  signIn,
  startApp,
} from './browser.ts';

// Staff pages on a 390 px phone (issue 13): the header is one short line with
// the menu behind "Trình đơn", no page scrolls sideways (wide tables scroll in
// their own box), and axe finds nothing serious; on an office PC the menu is
// shown without a tap. A PDF being built says "Đang tạo tệp…" until it arrives.

const PHONE_390 = { ...PHONE, viewport: { width: 390, height: 844 } };

/** How far the page reaches beyond the screen, in CSS pixels (0: it fits). */
const overflow = (page: Page): Promise<number> =>
  page.evaluate('document.scrollingElement.scrollWidth - window.innerWidth') as Promise<number>;

if (!HAS_CHROMIUM) {
  t.skip(NO_CHROMIUM, async () => {});
} else {
  t.setTimeout(300_000);
  t.test('staff pages on a phone', async (t) => {
    const { db, base } = await startApp(t);
    const desk = await createDesk(db, ['dat-dai', 'ho-tich']);
    const report = await seedReportData(db);
    const browser = await launchBrowser(t);

    await t.test('every page fits the screen and passes axe, the header stays short', async (t) => {
      const context = await newContext(t, browser, PHONE_390);
      const page = await context.newPage();
      await signIn(page, base, await createAccount(db, 'admin', undefined, 'Quản trị viên'));
      const feedback = await db.selectFrom('feedback_item').select('id').executeTakeFirstOrThrow();
      const pages: [string, string][] = [
        ['/staff', 'home'],
        [`/staff/reports?unitId=${report.communeId}&period=custom&from=2026-02-01&to=2026-02-28`, 'results'],
        ['/staff/units', 'units'],
        ['/staff/webhooks', 'webhooks'],
        [`/staff/units/${desk.centreId}`, 'a centre'],
        [`/staff/desks/${desk.deskId}`, 'a desk'],
        [`/staff/desks/${desk.deskId}/poster`, 'A4 poster'],
        [`/staff/desks/${desk.deskId}/poster?size=a5`, 'A5 table card'],
        [`/staff/desks/${desk.deskId}/codes`, 'one-time codes'],
        ['/staff/codes/usage', 'one-time code usage'],
        ['/staff/feedback', 'feedback list'],
        [`/staff/feedback/${feedback.id}`, 'a feedback item'],
        ['/staff/suspects', 'suspect responses'],
        ['/staff/targets', 'targets'],
        ['/staff/targets/new', 'new target'],
        ['/staff/surveys', 'surveys'],
        ['/staff/surveys/sipas-quick', 'a survey'],
        ['/staff/audit', 'audit log'],
        [`/staff/units/${report.communeId}/api-keys`, 'API keys'],
        ['/staff/password', 'change password'],
      ];
      for (const [path, what] of pages) {
        await page.goto(`${base}${path}`);
        await page.waitForLoadState('load');
        t.equal(await overflow(page), 0, `${what}: no sideways scroll at 390 px`);
        const serious = (await axeViolations(page)).filter(isSerious).map((v) => `${v.id}: ${v.nodes[0]}`);
        t.same(serious, [], `${what}: no serious or critical axe violation at 390 px`);
      }

      await page.goto(`${base}/staff`);
      const header = await page.locator('header.top').boundingBox();
      t.ok(header && header.height <= 0.1 * 844, `the header is one short line (${header?.height} px of 844)`);
      const reports = page.getByRole('link', { name: 'Kết quả', exact: true });
      t.notOk(await reports.isVisible(), 'the menu is folded');
      await page.getByText('Trình đơn').tap();
      t.ok(await reports.isVisible(), 'a tap on “Trình đơn” opens it');
      t.equal(await overflow(page), 0, 'the open menu fits too');
      await reports.tap();
      await page.waitForURL(/\/staff\/reports/);
    });

    await t.test('on an office PC the menu shows without a tap', async (t) => {
      const context = await newContext(t, browser, DESKTOP);
      const page = await context.newPage();
      await signIn(page, base, await createAccount(db, 'staff', await unitCode(db, report.centreId)));
      t.notOk(await page.getByText('Trình đơn').isVisible(), 'no “Trình đơn” button');
      const nav = page.getByRole('navigation', { name: 'Trình đơn chính' });
      t.ok(await nav.getByRole('link', { name: 'Kết quả', exact: true }).isVisible(), 'the links are shown');
      t.equal(await nav.getByRole('link', { name: 'Nhật ký' }).count(), 0, 'a counter clerk has no audit link');
    });

    await t.test('a poster PDF link says it is being made, then the file arrives', async (t) => {
      const context = await newContext(t, browser, PHONE_390);
      const page = await context.newPage();
      await signIn(page, base, await createAccount(db, 'admin', undefined, 'Quản trị viên'));
      await page.goto(`${base}/staff/desks/${desk.deskId}/poster`);
      const link = page.getByRole('link', { name: 'Tải tệp PDF' });
      // Slow the file down, as a busy server would.
      await page.route('**/poster.pdf*', async (route) => {
        await new Promise((resolve) => setTimeout(resolve, 1_500));
        await route.continue();
      });
      const download = page.waitForEvent('download');
      await link.tap();
      await page.getByText('Đang tạo tệp…').waitFor();
      t.equal(await page.locator('a[aria-busy="true"]').count(), 1, 'the link is marked busy');
      const file = await download;
      t.match(file.suggestedFilename(), /^poster-.+-a4\.pdf$/, 'the PDF arrives under its name');
      await page.getByRole('link', { name: 'Tải tệp PDF' }).waitFor();
      t.equal(await page.locator('a[aria-busy]').count(), 0, 'and the link is back');
    });
  });
}
