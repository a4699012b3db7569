import { readFileSync } from 'node:fs';
import ExcelJS from 'exceljs';
import type { Page } from 'playwright-core';
import t, { type Test } from 'tap';
import { monthRows } from '../../server/features/volumes/volume-repository.ts';
import { createCentre, unitCode } from '../helpers/fixtures.ts';
import {
  axeViolations,
  createAccount,
  HAS_CHROMIUM,
  isSerious,
  launchBrowser,
  NO_CHROMIUM,
  newContext,
  PHONE,
  signIn,
  startApp,
} from './browser.ts';

// Dossier volumes on a 360 px phone (issue 14): the template downloads, the
// filled file uploads through the boosted form, the preview and the saved
// result fit the screen and pass axe, and only the confirmation stores.

const overflow = (page: Page): Promise<number> =>
  page.evaluate('document.scrollingElement.scrollWidth - window.innerWidth') as Promise<number>;

async function fitsAndPasses(t: Test, page: Page, what: string) {
  t.equal(await overflow(page), 0, `${what}: no sideways scroll at 360 px`);
  const serious = (await axeViolations(page)).filter(isSerious).map((v) => `${v.id}: ${v.nodes[0]}`);
  t.same(serious, [], `${what}: no serious or critical axe violation`);
}

if (!HAS_CHROMIUM) {
  t.skip(NO_CHROMIUM, async () => {});
} else {
  t.setTimeout(180_000);
  t.test('a centre manager downloads, fills, previews and saves on a phone', async (t) => {
    const { db, base } = await startApp(t);
    const { centreId } = await createCentre(db, 'Xã Điện Thoại');
    const browser = await launchBrowser(t);
    const context = await newContext(t, browser, { ...PHONE, acceptDownloads: true });
    const page = await context.newPage();
    await signIn(page, base, await createAccount(db, 'manager', await unitCode(db, centreId)));

    await page.goto(`${base}/staff/volumes`);
    await fitsAndPasses(t, page, 'the volumes page');
    await page.getByLabel('Tháng (mm/yyyy)').fill('01/2026');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Tải mẫu Excel (.xlsx)' }).tap(),
    ]);
    t.match(download.suggestedFilename(), /^so-lieu-ho-so-.+-2026-01\.xlsx$/);

    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(readFileSync(await download.path()) as never);
    const ws = wb.worksheets[0]!;
    ws.eachRow((row, n) => {
      if (n === 1) return;
      if (row.getCell(3).value !== 'dat-dai') row.values = [];
      else row.splice(4, 8, '1.234', 6, 0, 1000, 200, 40, 0, 0);
    });
    await page.getByLabel(/Tệp CSV hoặc Excel/).setInputFiles({
      name: 'so-lieu.xlsx',
      mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      buffer: Buffer.from(await wb.xlsx.writeBuffer()),
    });
    await page.getByRole('button', { name: 'Tải lên và xem trước' }).tap();
    await page.getByRole('heading', { name: 'Xem trước số liệu hồ sơ' }).waitFor();
    t.match(
      page.url(),
      /\/staff\/volumes\/uploads\/[0-9a-f-]{36}$/,
      'the preview has its own address (a reload shows it again)',
    );
    t.match(await page.locator('main').innerText(), /Chưa lưu gì\./);
    t.match(await page.locator('main').innerText(), /1\.240/, 'received 1.234 + 6');
    await fitsAndPasses(t, page, 'the preview');
    t.same(await monthRows(db, centreId, '2026-01'), [], 'nothing stored before the confirmation');

    await page.getByRole('button', { name: 'Lưu số liệu' }).tap();
    await page.getByRole('heading', { name: 'Đã lưu số liệu hồ sơ' }).waitFor();
    await fitsAndPasses(t, page, 'the saved result');
    const stored = await monthRows(db, centreId, '2026-01');
    t.same(
      stored.map((r) => [r.serviceArea, r.receivedOnline, r.receivedDirect, r.resolvedLate]),
      [['dat-dai', 1234, 6, 40]],
    );
  });
}
