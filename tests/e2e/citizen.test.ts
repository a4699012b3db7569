import { gzipSync } from 'node:zlib';
import jsqr from 'jsqr';
import type { Page } from 'playwright-core';
import { PNG } from 'pngjs';
import t, { type Test } from 'tap';
import type { Db } from '../../server/platform/db/connect.ts';
import { createDesk, unitCode, VALID_FORM_ANSWERS } from '../helpers/fixtures.ts';
import { testApp } from '../helpers/harness.ts';
import {
  computed,
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
  until,
  WAITING,
  watchCsp,
} from './browser.ts';

// A citizen on a cheap Android phone: scans the QR code printed on the desk's
// poster, picks the service area, answers by tapping and is thanked; the same
// without JavaScript, and with the link dropping at the moment of sending, an
// answer lost on the way back or a busy server (nothing lost, stored once),
// or the page closed before it could send (sent when reopened); in English
// and back. The retry script that does this is small, and the pages run
// under the CSP with no violation, htmx's swaps included.

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

/** Answers with a mouse: the radios are drawn as faces, the input itself is visually hidden. */
async function clickAnswers(page: Page, answers: Record<string, string>) {
  for (const [name, value] of Object.entries(answers)) {
    const field = page.locator(`[name="${name}"]`).first();
    if ((await field.getAttribute('type')) === 'radio') {
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

    t.test(
      'the answer is lost on its way back, then the server is busy: resent until confirmed, stored once',
      async (t) => {
        const context = await newContext(t, browser, PHONE);
        const violations = watchCsp(context);
        const page = await context.newPage();
        await page.goto(surveyUrl);
        const submissionId = await page.inputValue('input[name=submissionId]');
        // The first post reaches the server but its answer is lost; the second gets a 503; the
        // third waits at the gate until the test has looked at the phone, then goes through.
        const sent: string[] = [];
        let open!: () => void;
        const gate = new Promise<void>((resolve) => (open = resolve));
        await page.route(surveyUrl, async (route) => {
          if (route.request().method() !== 'POST') return route.continue();
          sent.push(new URLSearchParams(route.request().postData() ?? '').get('submissionId') ?? '');
          if (sent.length === 1) {
            await route.fetch();
            return route.abort('connectionreset');
          }
          if (sent.length === 2) return route.fulfill({ status: 503, headers: { 'retry-after': '5' }, body: 'busy' });
          await gate;
          return route.continue();
        });
        await tapAnswer(page, 'serviceArea', 'dat-dai');
        await tapAnswers(page, ANSWERS);
        await page.getByRole('button', { name: 'Gửi đánh giá' }).tap();
        await t.resolves(
          until(() => sent.length >= 3),
          'it tried again, with backoff',
        );
        t.match(await page.locator('body').innerText(), WAITING, 'the page says it has not sent yet');
        t.notMatch(await page.locator('body').innerText(), THANKS, 'and does not thank before the server did');
        t.equal(await storedCount(db, submissionId), 1, 'the post whose answer was lost was stored');
        t.equal((await unsentKeys(page)).length, 1, 'the answers are kept on the phone');

        open();
        await page.getByText(THANKS).waitFor({ timeout: 40_000 });
        t.same(sent, [submissionId, submissionId, submissionId], 'sent three times, always with the id of the form');
        t.equal(await storedCount(db, submissionId), 1, 'stored once');
        t.same(await unsentKeys(page), [], 'forgotten once confirmed');
        t.same(violations, [], 'no CSP violation');
      },
    );

    t.test('answers left unsent when the page was closed are sent when it is opened again', async (t) => {
      const own = await createDesk(db, ['ho-tich']);
      const url = `${base}/q/${own.code}`;
      const context = await newContext(t, browser, PHONE);
      const page = await context.newPage();
      await page.goto(url);
      const submissionId = await page.inputValue('input[name=submissionId]');
      await context.setOffline(true);
      await tapAnswers(page, ANSWERS);
      await page.getByRole('button', { name: 'Gửi đánh giá' }).tap();
      await page.getByText(WAITING).waitFor();
      await page.close();
      t.equal(await storedCount(db, submissionId), 0, 'nothing reached the server');

      await context.setOffline(false);
      const again = await context.newPage();
      await again.goto(url);
      await again.getByText(THANKS).waitFor();
      t.equal(await storedCount(db, submissionId), 1, "stored under the first page's submissionId");
      const atDesk = await db.selectFrom('response').select('id').where('desk_id', '=', own.deskId).execute();
      t.equal(atDesk.length, 1, 'and nothing else');
      t.same(await unsentKeys(again), []);
    });

    t.test('citizen and staff pages run under the CSP with no violation, htmx included', async (t) => {
      const own = await createDesk(db, ['ho-tich']);
      const context = await newContext(t, browser, DESKTOP);
      const violations = watchCsp(context);
      const page = await context.newPage();

      await page.goto(`${base}/q/${own.code}`);
      const background = await computed(page, 'body', 'backgroundColor');
      t.equal(background, 'rgb(244, 246, 248)', "the page's own style (with its nonce) applies");
      const face = await computed(page, '.f5', 'backgroundImage');
      t.match(face, /^url\("data:image\/svg\+xml/, 'the smiley faces are drawn');

      // A 422 (an answer missing: the browser's own check removed) replaces the page as a plain post would.
      await clickAnswers(page, VALID_FORM_ANSWERS);
      await page.evaluate(`for (const input of document.querySelectorAll('input[name="overall"]')) {
        input.checked = false;
        input.removeAttribute('required');
      }`);
      await page.locator('button[type=submit]').click();
      await page.locator('.alert[role=alert]').waitFor();
      t.equal(await page.locator('#q-overall .err').count(), 1, 'the missing answer is pointed out');
      t.equal(page.url(), `${base}/q/${own.code}`);
      const submissionId = await page.inputValue('input[name=submissionId]');
      await page.locator('input[name="overall"][value="4"]').check({ force: true });
      await page.locator('button[type=submit]').click();
      await page.getByText(THANKS).first().waitFor();
      t.equal(await storedCount(db, submissionId), 1, 'stored once the form was complete');
      t.same(await unsentKeys(page), [], 'nothing left to resend');

      // Staff pages: sign in, then move around with htmx's boosted links and forms.
      await signIn(page, base, await createAccount(db, 'admin', undefined, 'Quản trị CSP'));
      await page.evaluate('window.marker = true');
      await page.locator('header nav a[href="/staff/reports"]').click();
      await page.waitForURL(/\/staff\/reports/);
      await page.locator('header nav a[href="/staff/units"]').click();
      await page.waitForURL(/\/staff\/units$/);
      await page.locator(`main a[href="/staff/units/${own.centreId}"]`).click();
      await page.locator(`main a[href="/staff/desks/${own.deskId}/poster"]`).first().click();
      await page.waitForURL(/\/poster$/);
      await page.locator(`main a[href="/staff/desks/${own.deskId}/poster?size=a5"]`).click();
      await page.waitForURL(/\/poster\?size=a5$/);
      t.ok(await page.evaluate('window.marker === true'), 'htmx swapped the pages in (no full reload)');
      const width = await computed(page, '.sheet', 'width');
      t.equal(Math.round(Number.parseFloat(width)), 559, 'the A5 card is 148 mm wide after a boosted swap (staff.css)');
      t.same(violations, [], 'no CSP violation on any page');
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
