import type { Page } from 'playwright-core';
import t, { type Test } from 'tap';
import { insertDesk } from '../../server/features/organisation/desk-repository.ts';
import { presetRange } from '../../server/features/reports/report-periods.ts';
import { insertResponsesBulk } from '../../server/features/submission/response-repository.ts';
import type { Answer } from '../../surveys/answers.ts';
import { bulkRow, quickVersionId } from '../helpers/aggregate-data.ts';
import { createCentre, unitCode } from '../helpers/fixtures.ts';
import {
  axeViolations,
  DESKTOP,
  HAS_CHROMIUM,
  isSerious,
  launchBrowser,
  NO_CHROMIUM,
  newContext,
  PHONE,
  startApp,
  watchCsp,
} from './browser.ts';

// The public results page (issue 17) in Chromium, no sign-in: on a 360 px
// phone and a 1280 px screen it fits, passes axe with no serious problem,
// and the CSP blocks nothing (the page has no script at all). Screenshots
// are saved under /tmp for a person to look at.

const overflow = (page: Page): Promise<number> =>
  page.evaluate('document.scrollingElement.scrollWidth - window.innerWidth') as Promise<number>;

const answers = (overall: number, comment?: string): Answer[] => [
  ...['access', 'procedure', 'staff', 'result'].map((key): Answer => ({ key, kind: 'scale', value: 4 })),
  { key: 'feedback', kind: 'na' },
  { key: 'overall', kind: 'scale', value: overall },
  ...(comment ? [{ key: 'comment', kind: 'text', value: comment } as const] : []),
];

async function checkPage(t: Test, page: Page, what: string, wide: boolean) {
  await page.waitForLoadState('load');
  if (!wide) t.equal(await overflow(page), 0, `${what}: no sideways scroll`);
  const serious = (await axeViolations(page)).filter(isSerious).map((v) => `${v.id}: ${v.help} ${v.nodes[0]}`);
  t.same(serious, [], `${what}: no serious or critical axe violation`);
}

if (!HAS_CHROMIUM) {
  t.skip(NO_CHROMIUM, async () => {});
} else {
  t.setTimeout(240_000);
  t.test('the public results page on a phone and a screen', async (t) => {
    const { db, base } = await startApp(t);
    const c = await createCentre(db, 'Xã Hòa Bình Công Khai');
    const deskId = await insertDesk(db, {
      unitId: c.centreId,
      code: `ck-${c.centreId}`,
      name: 'Quầy 1',
      serviceAreas: ['dat-dai', 'ho-tich', 'chung-thuc'],
    });
    const v = await quickVersionId(db);
    const rows = [];
    // Three quarters of responses, the latest one with three areas (one under 5).
    for (const back of [0, 1, 3]) {
      let when = new Date();
      for (let i = 0; i <= back; i++) when = new Date(`${presetRange('prev_quarter', when).from}T12:00:00+07:00`);
      const from = presetRange('quarter', when).from;
      const at = (d: number) => new Date(Date.parse(`${from}T09:00:00+07:00`) + d * 86_400_000);
      const row = (area: string, overall: number, d: number, comment?: string) =>
        bulkRow(v, at(d), { unitId: c.centreId, deskId, serviceArea: area }, answers(overall, comment), 'qr');
      for (let i = 0; i < 30 + back * 5; i++)
        rows.push(row(i % 3 ? 'dat-dai' : 'ho-tich', i % 7 ? 5 : 2, 2 + (i % 60)));
      if (back === 0) {
        for (let i = 0; i < 3; i++) rows.push(row('chung-thuc', 4, 10 + i));
        rows.push(row('dat-dai', 2, 40, 'Mong bộ phận một cửa niêm yết rõ lệ phí chứng thực.'));
      }
    }
    await insertResponsesBulk(db, rows);
    const item = await db
      .selectFrom('feedback_item as f')
      .innerJoin('answer as a', (j) =>
        j.onRef('a.response_id', '=', 'f.response_id').on('a.indicator_key', '=', 'comment'),
      )
      .select('f.id')
      .executeTakeFirstOrThrow();
    await db
      .updateTable('feedback_item')
      .set({
        status: 'answered',
        public_answer: 'Đơn vị đã niêm yết bảng lệ phí tại quầy và trên cổng thông tin của xã.',
        answered_at: new Date(),
        comment_publishable: true,
      })
      .where('id', '=', item.id)
      .execute();
    await db.insertInto('unit_publication').values({ unit_id: c.communeId, published: true }).execute();
    const code = await unitCode(db, c.communeId);

    const browser = await launchBrowser(t);
    for (const [name, options, wide] of [
      ['360', PHONE, false],
      ['1280', DESKTOP, true],
    ] as const) {
      const context = await newContext(t, browser, options);
      const violations = watchCsp(context);
      const page = await context.newPage();
      const res = await page.goto(`${base}/cong-khai/${code}`);
      t.equal(res?.status(), 200, `${name}: the page, without signing in`);
      await checkPage(t, page, `${name} px unit page`, wide);
      t.ok(await page.getByText('Ẩn số liệu (dưới 5 phiếu)').isVisible(), `${name}: the small cell withheld`);
      t.ok(await page.getByText('Mong bộ phận một cửa niêm yết').isVisible(), `${name}: the marked comment`);
      await page.screenshot({ path: `/tmp/public-${name}.png`, fullPage: true });
      await page.goto(`${base}/cong-khai`);
      await checkPage(t, page, `${name} px index`, wide);
      t.ok(await page.getByRole('link', { name: 'Xã Hòa Bình Công Khai' }).isVisible(), `${name}: listed`);
      await page.screenshot({ path: `/tmp/public-index-${name}.png`, fullPage: true });
      await page.goto(`${base}/cong-khai/khong-co-don-vi`);
      await checkPage(t, page, `${name} px not found`, wide);
      t.same(violations, [], `${name}: the CSP blocked nothing`);
    }
  });
}
