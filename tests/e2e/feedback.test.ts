import { randomUUID } from 'node:crypto';
import t from 'tap';
import { insertResponsesBulk } from '../../server/features/submission/response-repository.ts';
import { latestVersion } from '../../server/features/surveys/survey-version-repository.ts';
import type { Answer } from '../../surveys/answers.ts';
import { createDesk, unitCode } from '../helpers/fixtures.ts';
import {
  axeViolations,
  createAccount,
  DESKTOP,
  HAS_CHROMIUM,
  isSerious,
  launchBrowser,
  NO_CHROMIUM,
  newContext,
  signIn,
  startApp,
  watchCsp,
} from './browser.ts';

// A centre's manager works the feedback inbox on an office PC: narrows it by
// service area, opens an item and gives it to a colleague, who finds it under
// "Việc của tôi". On a 390 px phone the inbox fits the screen: the table
// scrolls in its own box, never the page.

const scale = (key: string, value: number): Answer => ({ key, kind: 'scale', value });
const answers = (overall: number, text?: string): Answer[] => [
  ...['access', 'procedure', 'staff', 'result', 'feedback'].map((k) => scale(k, 4)),
  scale('overall', overall),
  ...(text ? [{ key: 'comment', kind: 'text', value: text } as const] : []),
];

if (!HAS_CHROMIUM) {
  t.skip(NO_CHROMIUM, async () => {});
} else {
  t.setTimeout(300_000);
  t.test('the feedback inbox', async (t) => {
    const { db, base } = await startApp(t);
    const desk = await createDesk(db, ['dat-dai', 'ho-tich']);
    const centre = await unitCode(db, desk.centreId);
    const manager = await createAccount(db, 'manager', centre, 'Trần Văn Bình');
    const colleague = await createAccount(db, 'manager', centre, 'Lê Thị Hoa');
    const version = (await latestVersion(db, 'sipas-quick'))!;
    const row = (a: Answer[], serviceArea: string) => ({
      submissionId: randomUUID(),
      payloadHash: 'x',
      surveyVersionId: version.id,
      unitId: desk.centreId,
      deskId: desk.deskId,
      serviceArea,
      channel: 'qr' as const,
      locale: 'vi' as const,
      answers: a,
      submittedAt: new Date(Date.now() - 10 * 86_400_000),
    });
    await insertResponsesBulk(db, [
      ...Array.from({ length: 60 }, (_, i) =>
        row(answers(2, `Hồ sơ đất đai số ${i} phải bổ sung nhiều lần.`), 'dat-dai'),
      ),
      row(answers(1, 'Khai sinh cho con phải chờ quá lâu, không ai hướng dẫn.'), 'ho-tich'),
      row(answers(5, 'Thủ tục nhanh gọn, cảm ơn cán bộ.'), 'ho-tich'),
    ]);
    const browser = await launchBrowser(t);

    await t.test('at a desk: filter by service area, open an item, give it to a colleague', async (t) => {
      const context = await newContext(t, browser, DESKTOP);
      const violations = watchCsp(context);
      const page = await context.newPage();
      await signIn(page, base, manager);
      await page.goto(`${base}/staff/feedback`);
      t.match(await page.locator('.paging').innerText(), /Hiển thị 1–50 trong 61 mục · Trang 1\/2/, 'a page of 50');
      t.notOk(await page.getByText('Thủ tục nhanh gọn').isVisible(), 'praise is not in the work list');

      await page.getByLabel('Lĩnh vực').selectOption({ label: 'Hộ tịch' });
      await page.getByRole('button', { name: 'Lọc' }).click();
      await page.waitForURL(/serviceArea=ho-tich/);
      await page.locator('.paging').getByText('trong 1 mục').waitFor();
      t.equal(await page.locator('table.inbox tbody tr').count(), 1, 'one item in civil status');

      await page.locator('table.inbox tbody tr a').first().click();
      await page.getByRole('heading', { name: /Phản ánh, kiến nghị số/ }).waitFor();
      t.ok(await page.getByText('Khai sinh cho con phải chờ quá lâu').isVisible());
      await page
        .getByLabel('Giao cho')
        .selectOption({ label: 'Lê Thị Hoa (Trung tâm Phục vụ hành chính công Xã Thử Nghiệm)' });
      await page.getByRole('button', { name: 'Giao việc' }).click();
      await page.getByRole('status').getByText('Đã lưu.').waitFor();
      t.ok(await page.getByText('Người xử lý: Lê Thị Hoa').isVisible(), 'the item names its assignee');
      t.same((await axeViolations(page)).filter(isSerious), [], 'the item page: no serious accessibility fault');
      t.same(violations, [], 'no CSP violation');
    });

    await t.test('the colleague finds it under "Việc của tôi"', async (t) => {
      const context = await newContext(t, browser, DESKTOP);
      const page = await context.newPage();
      await signIn(page, base, colleague);
      await page.goto(`${base}/staff/feedback`);
      await page.getByRole('link', { name: 'Việc của tôi (1)' }).click();
      await page.waitForURL(/view=mine/);
      t.equal(await page.locator('table.inbox tbody tr').count(), 1);
      t.ok(await page.getByText('Khai sinh cho con phải chờ quá lâu').isVisible());
    });

    await t.test('on a 390 px phone the inbox never scrolls sideways', async (t) => {
      const context = await newContext(t, browser, {
        viewport: { width: 390, height: 844 },
        isMobile: true,
        hasTouch: true,
        locale: 'vi-VN',
      });
      const page = await context.newPage();
      await signIn(page, base, manager);
      for (const url of ['/staff/feedback', '/staff/feedback?view=praise']) {
        await page.goto(`${base}${url}`);
        await page.locator('.paging').waitFor();
        const widths = (await page.evaluate(
          `[document.documentElement.scrollWidth, window.innerWidth, document.body.scrollWidth]`,
        )) as number[];
        t.ok(
          widths[0]! <= widths[1]! && widths[2]! <= widths[1]!,
          `${url}: the page fits 390 px (${widths.join(', ')})`,
        );
        t.ok(await page.getByLabel('Lĩnh vực').isVisible(), `${url}: the filters are on screen`);
        t.same((await axeViolations(page)).filter(isSerious), [], `${url}: no serious accessibility fault`);
      }
      const box = (await page.evaluate(`(() => {
        const table = document.querySelector('table.inbox');
        const scroller = table.closest('.table-wrap');
        return [scroller.scrollWidth, scroller.clientWidth, scroller.getBoundingClientRect().right];
      })()`)) as number[];
      t.ok(box[2]! <= 390, `the table's box ends inside the screen (${box.join(', ')})`);
    });
  });
}
