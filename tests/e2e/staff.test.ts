import { readFile } from 'node:fs/promises';
import t from 'tap';
import { createDesk, unitCode, VALID_FORM_ANSWERS } from '../helpers/fixtures.ts';
import { pdfText } from '../helpers/pdf-text.ts';
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
  THANKS,
  tapAnswers,
  watchCsp,
} from './browser.ts';

// Counter staff on an office PC: sign in, find their desk, download its QR
// poster as PDF, and print a one-time code for a receipt slip, which admits a
// citizen's answers once and then refuses, saying why.

const CENTRE_NAME = 'Xã Thử Nghiệm'; // createDesk's centre
const CODE_USED = 'Mã đánh giá đã được sử dụng';

if (!HAS_CHROMIUM) {
  t.skip(NO_CHROMIUM, async () => {});
} else {
  // A browser and a server on two shared cores: more than tap's 120 s per file when the machine is busy.
  t.setTimeout(300_000);
  t.test('staff at the counter', async (t) => {
    const { db, base } = await startApp(t);
    const desk = await createDesk(db, ['dat-dai', 'ho-tich']);
    const email = await createAccount(db, 'staff', await unitCode(db, desk.centreId), 'Nguyễn Thị Lan');
    const browser = await launchBrowser(t);
    const context = await newContext(t, browser, { ...DESKTOP, acceptDownloads: true });
    const violations = watchCsp(context);
    const page = await context.newPage();

    await signIn(page, base, email);
    t.ok(await page.getByRole('heading', { name: 'Xin chào, Nguyễn Thị Lan' }).isVisible(), 'signed in by name');

    await t.test('finds the desk and downloads its QR poster as PDF', async (t) => {
      await page.getByRole('navigation').getByRole('link', { name: 'Đơn vị và quầy' }).click();
      await page.getByRole('link', { name: `Trung tâm Phục vụ hành chính công ${CENTRE_NAME}` }).click();
      await page.getByRole('link', { name: 'Áp phích mã QR' }).click();
      await page.waitForURL(`${base}/staff/desks/${desk.deskId}/poster`);
      t.ok(await page.locator('.sheet .url').getByText(`${base}/q/${desk.code}`).isVisible(), 'the print page');

      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('link', { name: 'Tải tệp PDF' }).click(),
      ]);
      t.match(download.suggestedFilename(), /\.pdf$/);
      const pdf = await readFile(await download.path());
      t.ok(pdf.length > 10_000, `a real PDF (${pdf.length} bytes)`);
      t.equal(pdf.subarray(0, 5).toString('latin1'), '%PDF-');
      const text = pdfText(pdf);
      t.match(text, `${base}/q/${desk.code}`, 'it prints the address the QR code holds');
      t.match(text, /Quầy 1/, "and the desk's name");
    });

    await t.test('prints a one-time code that admits one response, then refuses with a clear message', async (t) => {
      await page.goto(`${base}/staff/desks/${desk.deskId}/poster`);
      await page.getByRole('link', { name: 'Mã đánh giá một lần' }).click();
      await page.getByRole('heading', { name: 'Mã đánh giá một lần' }).waitFor();
      await page.getByLabel('Lĩnh vực').selectOption({ label: 'Hộ tịch' });
      await page.getByLabel(/Số hồ sơ đã tiếp nhận/).fill('HS-QUAY-0001');
      await page.getByRole('button', { name: 'Tạo mã và in phiếu' }).click();
      await page.getByRole('status').getByText('Đã tạo 1 mã').waitFor();
      const codeUrl = (await page.locator('.slip .url').innerText()).trim();
      t.match(codeUrl, new RegExp(`^${base}/t/[A-Za-z0-9_-]{16,64}$`), 'the slip carries the code in its address');
      t.equal(await page.locator('.slip').count(), 1, 'one slip');

      // Two phones open the code before either sends; the first is thanked, the second refused.
      const phone = await newContext(t, browser, PHONE);
      const first = await phone.newPage();
      const second = await phone.newPage();
      await first.goto(codeUrl);
      await second.goto(codeUrl);
      t.equal(await first.locator('input[name=serviceArea]').inputValue(), 'ho-tich', 'the area comes from the code');
      const { comment: _, ...answers } = VALID_FORM_ANSWERS;
      // The tab in front: a tab behind gets no animation frames, and every tap waits for them.
      await first.bringToFront();
      await tapAnswers(first, answers);
      await first.getByRole('button', { name: 'Gửi đánh giá' }).tap();
      await first.getByText(THANKS).waitFor();
      const stored = await db.selectFrom('response').select(['service_area_code']).execute();
      t.same(stored, [{ service_area_code: 'ho-tich' }], 'accepted once, under the area of the code');

      await second.bringToFront();
      await tapAnswers(second, answers);
      await second.getByRole('button', { name: 'Gửi đánh giá' }).tap();
      await second.getByRole('heading', { name: CODE_USED }).waitFor();
      t.match(await second.locator('main').innerText(), /chỉ dùng để đánh giá một lần/, 'says why');

      const again = await phone.newPage();
      const res = await again.goto(codeUrl);
      t.equal(res?.status(), 410, 'opening it again: refused');
      t.ok(await again.getByRole('heading', { name: CODE_USED }).isVisible(), `the page says "${CODE_USED}"`);
      t.ok(await again.getByText('mã QR dán tại quầy').isVisible(), 'and where to answer instead');
      t.equal(await again.locator('form').count(), 0, 'with no form to fill');
      t.equal((await db.selectFrom('response').select('id').execute()).length, 1, 'still one response');
    });

    t.same(violations, [], 'no CSP violation on the staff pages');
  });
}
