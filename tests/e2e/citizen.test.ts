import jsqr from 'jsqr';
import type { Page } from 'playwright-core';
import { PNG } from 'pngjs';
import t, { type Test } from 'tap';
import type { Db } from '../../server/platform/db/connect.ts';
import { createDesk, unitCode } from '../helpers/fixtures.ts';
import {
  createAccount,
  DESKTOP,
  HAS_CHROMIUM,
  launchBrowser,
  NO_CHROMIUM,
  newContext,
  PHONE,
  signIn,
  startApp,
  storedCount,
  THANKS,
  tapAnswer,
  tapAnswers,
  unsentKeys,
  WAITING,
  watchCsp,
} from './browser.ts';

// A citizen on a cheap Android phone: scans the QR code printed on the desk's
// poster, picks the service area, answers by tapping and is thanked; the same
// without JavaScript, and with the link dropping at the moment of sending
// (nothing lost, stored once); and in English and back.

const jsQR = jsqr.default;

const ANSWERS: Record<string, string> = {
  access: '4',
  procedure: '5',
  staff: '5',
  result: '3',
  feedback: 'na',
  overall: '4',
  trips: '2',
  comment: 'Cán bộ hướng dẫn tận tình, chỉ chờ hơi lâu.',
};

/** What the server stored for a submission: its service area and answers as the form posts them. */
async function stored(db: Db, submissionId: string) {
  const response = await db
    .selectFrom('response')
    .select(['id', 'service_area_code', 'channel'])
    .where('submission_id', '=', submissionId)
    .executeTakeFirstOrThrow();
  const answers = await db.selectFrom('answer').selectAll().where('response_id', '=', response.id).execute();
  const values = Object.fromEntries(
    answers.map((a) => [a.indicator_key, String(a.value_num ?? a.value_option ?? a.value_text ?? 'na')]),
  );
  return { area: response.service_area_code, channel: response.channel, values };
}

/** The phone has no sideways scrolling: everything fits the 360 px screen. */
const fitsWidth = (page: Page): Promise<boolean> =>
  page.evaluate('document.documentElement.scrollWidth <= window.innerWidth');

if (!HAS_CHROMIUM) {
  t.skip(NO_CHROMIUM, async () => {});
} else {
  // A browser and a server on two shared cores: more than tap's 120 s per file when the machine is busy.
  t.setTimeout(300_000);
  const setup = async (t: Test) => {
    const { db, base } = await startApp(t);
    const desk = await createDesk(db, ['dat-dai', 'ho-tich']);
    const browser = await launchBrowser(t);

    // The poster as printed: its QR code read back from the picture of the page.
    const manager = await createAccount(db, 'manager', await unitCode(db, desk.centreId));
    const staff = await newContext(t, browser, DESKTOP);
    const page = await staff.newPage();
    await signIn(page, base, manager);
    await page.goto(`${base}/staff/desks/${desk.deskId}/poster`);
    const png = PNG.sync.read(await page.locator('.sheet .qr').screenshot());
    const scanned = jsQR(new Uint8ClampedArray(png.data), png.width, png.height)?.data;
    await staff.close();
    return { db, base, desk, browser, scanned };
  };

  t.test('citizen on a phone', async (t) => {
    const { db, base, desk, browser, scanned } = await setup(t);
    const surveyUrl = `${base}/q/${desk.code}`;
    t.equal(scanned, surveyUrl, "the poster's QR code scans to the desk's survey");

    t.test('scans, picks the service area, answers by tapping and is thanked', async (t) => {
      const context = await newContext(t, browser, PHONE);
      const violations = watchCsp(context);
      const page = await context.newPage();
      await page.goto(scanned ?? '');
      t.equal(await page.getAttribute('html', 'lang'), 'vi');
      t.ok(await page.getByText('Ông/Bà vui lòng chọn lĩnh vực đã giao dịch').isVisible(), 'asks for the area first');
      t.ok(await fitsWidth(page), 'no sideways scrolling on a 360 px screen');
      const submissionId = await page.inputValue('input[name=submissionId]');
      await tapAnswer(page, 'serviceArea', 'ho-tich');
      await tapAnswers(page, ANSWERS);
      t.ok(await page.locator('input[name=overall][value="4"]').isChecked(), 'a tap on the face checks its answer');
      await page.getByRole('button', { name: 'Gửi đánh giá' }).tap();
      await page.getByText(THANKS).waitFor();
      t.ok(await fitsWidth(page));
      t.equal(await storedCount(db, submissionId), 1, 'stored once');
      const row = await stored(db, submissionId);
      t.equal(row.area, 'ho-tich', 'under the area the citizen picked');
      t.equal(row.channel, 'qr');
      t.same(row.values, ANSWERS, 'with the answers as tapped');
      t.same(await unsentKeys(page), [], 'nothing left on the phone');
      t.same(violations, [], 'no CSP violation');
    });

    t.test('the same with JavaScript turned off', async (t) => {
      const context = await newContext(t, browser, { ...PHONE, javaScriptEnabled: false });
      const page = await context.newPage();
      await page.goto(surveyUrl);
      const submissionId = await page.inputValue('input[name=submissionId]');
      await tapAnswer(page, 'serviceArea', 'dat-dai');
      await tapAnswers(page, ANSWERS);
      await Promise.all([page.waitForURL(surveyUrl), page.getByRole('button', { name: 'Gửi đánh giá' }).tap()]);
      await page.getByText(THANKS).waitFor();
      t.equal(await storedCount(db, submissionId), 1);
      t.equal((await stored(db, submissionId)).area, 'dat-dai');
    });

    t.test('the link drops as the citizen sends: the answers wait on the phone and go once it is back', async (t) => {
      const context = await newContext(t, browser, PHONE);
      const page = await context.newPage();
      await page.goto(surveyUrl);
      const submissionId = await page.inputValue('input[name=submissionId]');
      // Every post that reached the server and got an answer, by the submissionId it carried.
      const delivered: string[] = [];
      page.on('requestfinished', (req) => {
        if (req.method() === 'POST')
          delivered.push(new URLSearchParams(req.postData() ?? '').get('submissionId') ?? '');
      });
      await tapAnswer(page, 'serviceArea', 'ho-tich');
      await tapAnswers(page, ANSWERS);
      await context.setOffline(true);
      await page.getByRole('button', { name: 'Gửi đánh giá' }).tap();
      await page.getByText(WAITING).waitFor();
      t.notOk(await page.getByText(THANKS).isVisible(), 'no thanks before the server has the answers');
      t.equal((await unsentKeys(page)).length, 1, 'the answers are kept on the phone');
      t.equal(await storedCount(db, submissionId), 0, 'nothing reached the server');
      t.ok(await page.locator('input[name=overall][value="4"]').isChecked(), 'the answers are still on the screen');

      await context.setOffline(false);
      await page.getByText(THANKS).waitFor({ timeout: 40_000 });
      t.same(delivered, [submissionId], 'sent once, with the id of the form');
      t.equal(await storedCount(db, submissionId), 1, 'stored once');
      const row = await stored(db, submissionId);
      t.equal(row.area, 'ho-tich');
      t.equal(row.values.comment, ANSWERS.comment, 'the comment arrived intact');
      t.same(await unsentKeys(page), [], 'forgotten on the phone once confirmed');
    });

    t.test('switches to English and back', async (t) => {
      const context = await newContext(t, browser, PHONE);
      const page = await context.newPage();
      await page.goto(surveyUrl);
      await page.getByRole('link', { name: 'English' }).tap();
      await page.getByRole('button', { name: 'Send' }).waitFor();
      t.equal(await page.getAttribute('html', 'lang'), 'en');
      t.ok(await page.getByText('Please choose the service area of your transaction').isVisible());
      const scales = await page.locator('.scale').count();
      t.equal(
        await page.getByRole('radio', { name: 'Very satisfied', exact: true }).count(),
        scales,
        'the scale in English',
      );
      await page.getByRole('link', { name: 'Tiếng Việt' }).tap();
      await page.getByRole('button', { name: 'Gửi đánh giá' }).waitFor();
      t.equal(await page.getAttribute('html', 'lang'), 'vi');
      t.equal(
        await page.getByRole('radio', { name: 'Rất hài lòng', exact: true }).count(),
        scales,
        'in Vietnamese again',
      );
    });
  });
}
