import { readFile } from 'node:fs/promises';
import ExcelJS from 'exceljs';
import type { Page } from 'playwright-core';
import t from 'tap';
import { insertDesk } from '../../server/features/organisation/desk-repository.ts';
import { presetRange } from '../../server/features/reports/report-periods.ts';
import { insertResponsesBulk } from '../../server/features/submission/response-repository.ts';
import type { Db } from '../../server/platform/db/connect.ts';
import type { Answer } from '../../surveys/answers.ts';
import { bulkRow, quickVersionId } from '../helpers/aggregate-data.ts';
import { parseCsv } from '../helpers/csv.ts';
import { pdfText } from '../helpers/pdf-text.ts';
import {
  createAccount,
  DESKTOP,
  HAS_CHROMIUM,
  launchBrowser,
  NO_CHROMIUM,
  newContext,
  signIn,
  startApp,
  watchCsp,
} from './browser.ts';

// An official of a province on an office PC: opens the results, narrows them
// by unit, period and service area (htmx swaps the report in place), and
// downloads the tables (CSV, XLSX) and the report (PDF), whose headline
// figure must be the one on the screen.

const OVERALL_NAME = 'Tỷ lệ hài lòng chung (câu «Nhìn chung»)';

function answers(overall: number): Answer[] {
  return [
    { key: 'access', kind: 'scale', value: 4 },
    { key: 'procedure', kind: 'scale', value: overall >= 4 ? 5 : 2 },
    { key: 'staff', kind: 'scale', value: 5 },
    { key: 'result', kind: 'scale', value: 4 },
    { key: 'feedback', kind: 'na' },
    { key: 'overall', kind: 'scale', value: overall },
  ];
}

/**
 * A province with two wards, each with a centre and a desk (Đất đai, Hộ tịch).
 * This quarter: Mỹ Bình Đất đai 9/10 satisfied, Hộ tịch 6/10; Mỹ Long Đất đai
 * 5/10, Hộ tịch 6/6. The quarter before: Mỹ Bình Đất đai 8/8.
 */
async function seed(db: Db) {
  const unit = async (code: string, name: string, kind: 'province' | 'commune' | 'centre', parent: number | null) =>
    (
      await db
        .insertInto('unit')
        .values({ code, name, kind, parent_id: parent })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
  const province = await unit('an-giang-e2e', 'Tỉnh An Giang', 'province', null);
  const wards = [];
  for (const [code, name] of [
    ['my-binh-e2e', 'Phường Mỹ Bình'],
    ['my-long-e2e', 'Phường Mỹ Long'],
  ] as const) {
    const ward = await unit(code, name, 'commune', province);
    const centre = await unit(`tt-${code}`, `Trung tâm Phục vụ hành chính công ${name}`, 'centre', ward);
    const desk = await insertDesk(db, {
      unitId: centre,
      code: `q1-${code}`,
      name: 'Quầy 1',
      serviceAreas: ['dat-dai', 'ho-tich'],
    });
    wards.push({ id: ward, name, centre, desk });
  }
  const [myBinh, myLong] = wards as [(typeof wards)[0], (typeof wards)[0]];
  const version = await quickVersionId(db);
  const now = new Date(Date.now() - 60_000);
  const previous = new Date(`${presetRange('prev_quarter', new Date()).from}T03:00:00Z`);
  previous.setUTCDate(previous.getUTCDate() + 10);
  const rows = (ward: typeof myBinh, area: string, n: number, satisfied: number, at = now) =>
    Array.from({ length: n }, (_, i) =>
      bulkRow(
        version,
        at,
        { unitId: ward.centre, deskId: ward.desk, serviceArea: area },
        answers(i < satisfied ? 5 : 2),
        'qr',
      ),
    );
  await insertResponsesBulk(db, [
    ...rows(myBinh, 'dat-dai', 10, 9),
    ...rows(myBinh, 'ho-tich', 10, 6),
    ...rows(myLong, 'dat-dai', 10, 5),
    ...rows(myLong, 'ho-tich', 6, 6),
    ...rows(myBinh, 'dat-dai', 8, 8, previous),
  ]);
  return { province, myBinh, myLong };
}

/** The headline as the page shows it: "90,0%" and its number of responses. */
async function headline(page: Page) {
  const rate = (await page.locator('.headline .big').innerText()).trim();
  const n = Number(/(\d+) phiếu/.exec(await page.locator('.headline').innerText())?.[1]);
  return { rate, percent: Number.parseFloat(rate.replace(',', '.')), n };
}

/** Changes the filter as a person does (pick, then "Xem kết quả") and waits for htmx to swap the report in. */
async function filter(page: Page, field: 'unitId' | 'period' | 'serviceArea', value: string) {
  await page.locator(`#${field}`).selectOption(value);
  await page.evaluate(`window.settled = false;
    document.body.addEventListener('htmx:afterSettle', () => { window.settled = true }, { once: true })`);
  await page.getByRole('button', { name: 'Xem kết quả' }).click();
  // A function, not a string: the page's CSP forbids evaluating strings.
  await page.waitForFunction(() => (globalThis as { settled?: boolean }).settled === true);
  await page.waitForURL(new RegExp(`[?&]${field}=${value}`));
}

async function download(page: Page, name: string): Promise<Buffer> {
  const [file] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name, exact: true }).click(),
  ]);
  return readFile(await file.path());
}

if (!HAS_CHROMIUM) {
  t.skip(NO_CHROMIUM, async () => {});
} else {
  // A browser and a server on two shared cores: more than tap's 120 s per file when the machine is busy.
  t.setTimeout(300_000);
  t.test('an official narrows the results and takes them away', async (t) => {
    const { db, base } = await startApp(t);
    const { myBinh } = await seed(db);
    const email = await createAccount(db, 'official', 'an-giang-e2e', 'Trần Văn Minh');
    const browser = await launchBrowser(t);
    const context = await newContext(t, browser, { ...DESKTOP, acceptDownloads: true });
    const violations = watchCsp(context);
    const page = await context.newPage();
    await signIn(page, base, email);

    await page.getByRole('navigation').getByRole('link', { name: 'Kết quả' }).click();
    await page.getByRole('heading', { name: 'Kết quả khảo sát sự hài lòng' }).waitFor();
    await page.evaluate('window.marker = true');
    t.same(await headline(page), { rate: '72,2%', percent: 72.2, n: 36 }, 'the province this quarter: 26 of 36');
    const children = page.locator('table', { has: page.locator('caption', { hasText: 'Theo đơn vị trực thuộc' }) });
    t.match(await children.getByRole('row', { name: /Phường Mỹ Bình/ }).innerText(), /75,0%/, 'each ward in its row');
    t.match(await children.getByRole('row', { name: /Phường Mỹ Long/ }).innerText(), /68,8%/);

    await filter(page, 'unitId', String(myBinh.id));
    t.same(await headline(page), { rate: '75,0%', percent: 75, n: 20 }, 'one ward: 15 of 20');
    t.match(await page.locator('#report').innerText(), /Phường Mỹ Bình và các đơn vị trực thuộc/);

    await filter(page, 'period', 'prev_quarter');
    t.same(await headline(page), { rate: '100,0%', percent: 100, n: 8 }, 'the quarter before: 8 of 8');

    await filter(page, 'period', 'quarter');
    await filter(page, 'serviceArea', 'dat-dai');
    const shown = await headline(page);
    t.same(shown, { rate: '90,0%', percent: 90, n: 10 }, 'Đất đai this quarter: 9 of 10');
    t.ok(await page.evaluate('window.marker === true'), 'every change swapped the report in, no page reload');
    t.match(page.url(), `unitId=${myBinh.id}`, 'the address keeps the filter (a link to share, back button)');

    await t.test('CSV: the headline row holds the figure on the screen', async (t) => {
      const csv = (await download(page, 'Bảng số liệu (CSV)')).toString('utf8');
      t.ok(csv.startsWith('\uFEFF'), 'with the BOM that Excel needs for Vietnamese');
      const rows = parseCsv(csv.slice(1));
      t.same(
        rows.find((r) => r[0] === 'Đơn vị'),
        ['Đơn vị', 'Phường Mỹ Bình và các đơn vị trực thuộc'],
      );
      t.same(
        rows.find((r) => r[0] === 'Lĩnh vực' && r.length === 2),
        ['Lĩnh vực', 'Đất đai'],
      );
      const header = rows.find((r) => r[0] === 'Chỉ số')!;
      const overall = rows.find((r) => r[0] === OVERALL_NAME)!;
      const col = (name: string) => overall[header.indexOf(name)];
      t.equal(Number(col('Số phiếu')), shown.n);
      t.equal(Number(col('Số phiếu hài lòng')), 9);
      t.equal(Number(col('Tỷ lệ hài lòng (%)')), shown.percent, 'the rate on the screen');
    });

    await t.test('XLSX: the same figure, as a number', async (t) => {
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.load((await download(page, 'Bảng số liệu (Excel)')) as never);
      const sheet = wb.getWorksheet('Kết quả chung');
      t.ok(sheet, 'a sheet for the headline');
      let rate: unknown;
      let n: unknown;
      let header: string[] = [];
      sheet?.eachRow((row) => {
        const values = (row.values as unknown[]).slice(1);
        if (values[0] === 'Chỉ số') header = values.map(String);
        if (values[0] === OVERALL_NAME) {
          rate = values[header.indexOf('Tỷ lệ hài lòng')];
          n = values[header.indexOf('Số phiếu')];
        }
      });
      t.equal(typeof rate, 'number', 'a number Excel can compute with');
      t.equal(Math.round(Number(rate) * 1000) / 10, shown.percent, 'the rate on the screen');
      t.equal(n, shown.n);
    });

    await t.test('PDF: the report states the same figure', async (t) => {
      const pdf = await download(page, 'Báo cáo PDF');
      t.equal(pdf.subarray(0, 5).toString('latin1'), '%PDF-');
      const text = pdfText(pdf).replace(/\s+/g, ' ');
      t.match(text, `Tỷ lệ hài lòng chung: ${shown.rate}`, 'the headline on the screen');
      t.match(text, `trên ${shown.n} phiếu`);
      t.match(text, 'Phường Mỹ Bình');
      t.notMatch(text, 'Phường Mỹ Long', "nothing of the other ward's");
    });

    t.same(violations, [], 'no CSP violation');
  });
}
